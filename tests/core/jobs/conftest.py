from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings


@pytest.fixture(autouse=True)
def job_dir(tmp_path: Path) -> Iterator[Path]:
    with override_settings(WANGGE_LEDGER_DIR=tmp_path / "jobs"):
        yield tmp_path / "jobs"
