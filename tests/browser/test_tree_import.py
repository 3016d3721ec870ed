"""The system administrator imports part of the region tree from Excel in a real browser: upload, preview with
the new regions and the rows with errors, leave those rows out, confirm, and find the new regions in the tree.

The task queue is replaced by a list: the test plays the worker (see test_ledgers.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser import test_ledgers
from tests.browser.conftest import region_id
from tests.ledgers import builders

pytestmark = pytest.mark.browser
queue = test_ledgers.queue  # the same fixture: the test plays the worker
_work = test_ledgers._work


def _shot(page: Page, name: str) -> None:
    folder = os.environ.get("WANGGE_SHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def test_the_system_administrator_imports_new_grids_into_the_tree(
    page: Page,
    sign_in: Callable[..., None],
    demo: str,
    queue: list[tuple[str, str]],
    tmp_path: Path,
) -> None:
    rows = [
        ["区域", "层级", "上级区域", "行政区划代码", "统计用区划代码", "网格编码", "户数（公示）", "人数（公示）"],
        ["东门第四网格", "网格", "东门社区", "", "", "YA-DM-04", "480", "1620"],
        ["东门四号微网格", "微网格", "东门第四网格", "", "", "", "", ""],
        ["西门社区", "社区", "永宁街道", "", "", "", "", ""],  # no such street
    ]
    ledger = tmp_path / "东门社区新增网格.xlsx"
    ledger.write_bytes(builders.xlsx(rows))

    sign_in(page, "sysadmin")
    page.goto(f"{demo}/regions/{region_id('永安街道')}/")
    page.locator("[data-testid=imports-menu]").click()
    page.locator("[data-testid=import-tree]").click()
    form = page.locator("form[data-testid=upload-form]")
    expect(form.locator("select[name=region]")).to_have_value(str(region_id("永安街道")))
    _shot(page, "tree-import-upload.png")
    form.locator("input[name=file]").set_input_files(str(ledger))
    form.locator("button[type=submit]").click()

    mapping = page.locator("form[data-testid=mapping]")
    expect(mapping.locator("select[name=col-2]")).to_have_value("parent")
    _shot(page, "tree-import-mapping.png")
    page.locator("[data-testid=check]").click()
    _work(queue)
    expect(page.locator("[data-testid=preview]")).to_be_visible(timeout=10_000)
    expect(page.locator("[data-testid=count-new] .fs-3")).to_have_text("2")
    expect(page.locator("[data-testid=count-invalid] .fs-3")).to_have_text("1")
    error = page.locator("[data-testid=errors] tbody tr")
    expect(error).to_have_count(1)
    expect(error.first.locator("td").first).to_have_text("4")
    expect(error.first).to_contain_text("永宁街道")
    expect(page.locator("[data-testid=confirm]")).to_be_disabled()
    _shot(page, "tree-import-preview.png")

    # leave the row with the error out, check again, confirm
    page.locator("input[name=on_invalid][value=skip]").check()
    page.locator("[data-testid=check]").click()
    _work(queue)
    expect(page.locator("[data-testid=confirm]")).to_be_enabled(timeout=10_000)
    page.locator("[data-testid=confirm]").click()
    _work(queue)
    expect(page.locator("[data-testid=result]")).to_be_visible(timeout=10_000)
    expect(page.locator("[data-testid=result]")).to_contain_text("2")
    _shot(page, "tree-import-done.png")

    page.locator("[data-testid=done-link]").click()
    page.goto(f"{demo}/regions/{region_id('东门社区')}/")
    expect(page.locator("[data-testid=children]")).to_contain_text("东门第四网格")
    page.locator("[data-testid=children] a", has_text="东门第四网格").click()
    expect(page.locator("[data-testid=children]")).to_contain_text("东门四号微网格")
    _shot(page, "tree-import-tree.png")


def test_the_system_administrator_imports_the_roster_and_prints_the_slips(
    page: Page, sign_in: Callable[..., None], demo: str, queue: list[tuple[str, str]], tmp_path: Path
) -> None:
    rows = [
        ["姓名", "手机号", "职务", "所属网格", "职责", "专兼职"],
        ["新网格员", "13900001111", "网格员", "三元社区/第八网格", "入户走访", "专职"],
        ["新楼栋长", "13900002222", "楼栋长", "第八网格", "5栋", "兼职"],
    ]
    roster = tmp_path / "三元社区花名册.xlsx"
    roster.write_bytes(builders.xlsx(rows))

    sign_in(page, "sysadmin")
    page.goto(f"{demo}/users/")
    page.locator("[data-testid=import-roster]").click()
    form = page.locator("form[data-testid=upload-form]")
    form.locator("input[name=file]").set_input_files(str(roster))
    form.locator("button[type=submit]").click()
    page.locator("[data-testid=check]").click()
    _work(queue)
    expect(page.locator("[data-testid=count-new] .fs-3")).to_have_text("2", timeout=10_000)
    page.locator("[data-testid=confirm]").click()
    _work(queue)
    expect(page.locator("[data-testid=result]")).to_be_visible(timeout=10_000)
    _shot(page, "roster-import-done.png")

    page.locator("[data-testid=done-extra]").click()
    slips = page.locator("[data-testid=slip]")
    expect(slips).to_have_count(1)  # the building head gets no account
    expect(slips.first.locator("[data-testid=slip-name]")).to_have_text("新网格员")
    expect(slips.first.locator("[data-testid=slip-username]")).to_have_text("13900001111")
    password = slips.first.locator("[data-testid=slip-password]").inner_text()
    _shot(page, "roster-slips.png")
    page.reload()
    expect(page.locator("[data-testid=slips-gone]")).to_be_visible()

    from wangge.core.models import User

    worker = User.objects.get(username="13900001111")
    assert worker.check_password(password) and worker.must_change_password
