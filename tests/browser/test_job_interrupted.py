"""An import whose worker died, as its owner sees it on a PC and on a phone: "interrupted", nothing written,
and a restart button within reach; no page wider than the screen. Screenshots go to $WANGGE_SHOTS if set."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def _interrupted_import() -> str:
    import time_machine
    from django.utils import timezone

    from wangge.core.jobs import files
    from wangge.core.models import User
    from wangge.ledgers.models import ImportJob
    from wangge.regions.models import Level
    from wangge.regions.selectors import regions_visible

    user = User.objects.get(username="grid8")
    region = regions_visible(user=user).filter(level=Level.GRID).first()
    assert region is not None
    job = ImportJob.objects.create(
        user=user,
        region=region,
        file_name="三月实有人口台账（福源小区）.xlsx",
        file_sha256="0" * 64,
        counts={"rows": 1860, "new": 1200, "update": 640, "invalid": 0},
        state=ImportJob.State.RUNNING,
        started_at=timezone.now() - timedelta(minutes=3),
    )
    with time_machine.travel(timezone.now() - timedelta(minutes=2), tick=False):
        files.set_progress(job.pk, phase="write", done=700, total=1860)
    return str(job.pk)


def _look(page: Page, demo: str, job_id: str, shot: str) -> None:
    page.goto(f"{demo}/ledgers/imports/{job_id}/")
    expect(page.locator("[data-testid=interrupted]")).to_contain_text("一条也没有写入")
    expect(page.locator("[data-testid=interrupted-badge]")).to_have_text("中断")
    expect(page.locator("[data-testid=restart]")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width  # type: ignore[index]
    shots = os.environ.get("WANGGE_SHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(shots) / shot), full_page=True)


def test_an_interrupted_import_on_a_pc_and_on_a_phone(
    page: Page, phone_page: Page, sign_in: Callable[..., None], demo: str
) -> None:
    job_id = _interrupted_import()
    sign_in(page, "grid8")
    _look(page, demo, job_id, "interrupted-1366.png")
    sign_in(phone_page, "grid8")
    _look(phone_page, demo, job_id, "interrupted-390.png")
