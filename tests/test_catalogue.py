"""The compiled Chinese catalogue (.mo) is the one its .po compiles to: a stale .mo shows English on screen."""

from __future__ import annotations

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext's msgfmt is not installed")
def test_the_compiled_catalogue_is_up_to_date(tmp_path: Path) -> None:
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(LOCALE / "django.po")], check=True)
    with fresh.open("rb") as f:
        expected = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    with (LOCALE / "django.mo").open("rb") as f:
        committed = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    missing = sorted(str(k) for k in expected.keys() - committed.keys())[:10]
    differing = sorted(str(k) for k in expected.keys() & committed.keys() if expected[k] != committed[k])[:10]
    assert not missing and not differing, (
        "locale/zh_Hans/LC_MESSAGES/django.mo is stale: run "
        "`.venv/bin/python manage.py compilemessages -l zh_Hans --ignore=.venv` and commit it. "
        f"Missing: {missing}; differing: {differing}"
    )
