"""A grid worker's ledgers as communities keep them (#17), in a real browser: a population sheet with a totals
line, a tenants' CSV saved by Excel in GBK with 户籍地 and 房东, the warnings read, an update's differences
opened before confirming, and the tenant household pink in the building view."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import region_id
from tests.ledgers import builders

pytestmark = pytest.mark.browser


def _import(page: Page, demo: str, ledger: Path, queue: list[tuple[str, str]]) -> None:
    """Upload into 第八网格, check every row (the test plays the worker) and wait for the preview."""
    from wangge.ledgers import services

    page.goto(f"{demo}/ledgers/")
    form = page.locator("form[data-testid=upload-form]")
    form.locator("select[name=region]").select_option(str(region_id("第八网格")))
    form.locator("input[name=file]").set_input_files(str(ledger))
    form.locator("button[type=submit]").click()
    page.locator("[data-testid=check]").click()
    expect(page.locator("[data-testid=progress]")).to_be_visible()
    while queue:
        services.run_check(queue.pop(0)[1])
    expect(page.locator("[data-testid=preview]")).to_be_visible(timeout=10_000)


def _confirm(page: Page, queue: list[tuple[str, str]]) -> None:
    from wangge.ledgers import services

    page.locator("[data-testid=confirm]").click()
    while queue:
        services.run_import(queue.pop(0)[1])
    expect(page.locator("[data-testid=result]")).to_be_visible(timeout=10_000)


def test_a_population_sheet_and_a_tenants_csv_come_in_and_the_tenants_are_pink(
    page: Page, sign_in: Callable[..., None], demo: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wangge.core.idcard import check_char
    from wangge.ledgers import services
    from wangge.places.models import Building

    queue: list[tuple[str, str]] = []
    monkeypatch.setattr(services, "_enqueue", lambda what, job_id: queue.append((what, job_id)))
    ids = [f"11010119800101{n}00" for n in range(1, 5)]
    ids = [number + check_char(number) for number in ids]

    sign_in(page, "grid8")
    population = tmp_path / "第八网格人口台账.xlsx"
    population.write_bytes(
        builders.xlsx(
            [
                ["姓名", "身份证号码", "联系电话", "户号", "与户主关系"],
                ["浏览甲", ids[0], "13871509999", "BR-1", "户主"],
                ["浏览乙", ids[1], "", "BR-1", "配偶"],
                ["合计", "共2人", "", "共1户", ""],
            ],
            title="第八网格人口台账",
        )
    )
    _import(page, demo, population, queue)
    expect(page.locator("[data-testid=count-new] .fs-3")).to_have_text("2")
    expect(page.locator("[data-testid=count-left-out] .fs-3")).to_have_text("1")
    expect(page.locator("[data-testid=notes]")).to_contain_text("合计")
    _confirm(page, queue)

    tenants = tmp_path / "出租屋租户.csv"
    header = ["姓名", "身份证号", "户籍地址", "小区", "楼栋", "单元", "房号", "房东姓名", "房东电话", "与承租人关系"]
    place = ["浏览租住苑", "1", "1", "301", "房东王", "13900001111"]
    tenants.write_bytes(
        builders.csv_bytes(
            [
                header,
                ["租客甲", ids[2], "河南省信阳市", *place, ""],
                ["租客乙", ids[3], "河南省信阳市", *place, "干儿子"],
            ],
            encoding="gbk",
        )
    )
    _import(page, demo, tenants, queue)
    expect(page.locator("[data-testid=count-warnings] .fs-3")).to_have_text("1")
    expect(page.locator("[data-testid=notes]")).to_contain_text("干儿子")
    _confirm(page, queue)

    changed = tmp_path / "第八网格人口台账（更新）.xlsx"
    changed.write_bytes(builders.xlsx([["姓名", "身份证号码", "联系电话"], ["浏览甲", ids[0], "13871508888"]]))
    _import(page, demo, changed, queue)
    updates = page.locator("[data-testid=updates]")
    expect(updates).to_contain_text("浏览甲")
    expect(updates).to_contain_text("138****9999 → 138****8888")
    _confirm(page, queue)

    building = Building.all_objects.get(compound__name="浏览租住苑")
    page.goto(f"{demo}/places/buildings/{building.pk}/")
    pink = page.locator("a.wg-house[data-color=pink]")
    expect(pink).to_contain_text("301")
    expect(pink).to_contain_text("租客甲")
    expect(pink.locator(".wg-rent")).to_be_visible()
