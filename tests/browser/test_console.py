"""The console in a real browser: what each demo user sees and can do.

Elements are found by href, data-testid and input names, not by labels, since the
translations are still being written.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import fill_login, region_id, submit, totp_now

pytestmark = pytest.mark.browser

SANYUAN_GRIDS = [
    "第一网格",
    "第二网格",
    "第三网格",
    "第四网格",
    "第五网格",
    "第六网格",
    "第七网格",
    "第八网格",
    "第九网格",
    "第十网格",
    "第十一网格",
]


def grid_names_on_home(page: Page) -> list[str]:
    """The first column of the home page's grid table."""
    return [t.strip() for t in page.locator("table tbody tr td:first-child a").all_inner_texts()]


def child_names(page: Page) -> list[str]:
    return [t.strip() for t in page.locator("[data-testid=children] tbody tr td:first-child a").all_inner_texts()]


def test_grid_worker_sees_only_her_grid(page: Page, sign_in: Callable[..., None]) -> None:
    sign_in(page, "grid8")

    expect(page.locator("[data-testid=count-microgrid]")).to_have_text("2")  # 时代家居广场, 火车站片区
    expect(page.locator("[data-testid=count-grid]")).to_have_count(0)  # no misleading counts above the own grid
    assert grid_names_on_home(page) == ["第八网格"]
    expect(page.locator("main")).not_to_contain_text("第一网格")
    expect(page.locator("main")).to_contain_text("刘平珍")
    expect(page.locator("main")).to_contain_text("13871501108")


def test_street_supervisor_sees_the_street_and_walks_the_tree(
    page: Page, sign_in: Callable[..., None], demo: str
) -> None:
    sign_in(page, "street")

    expect(page.locator("[data-testid=count-grid]")).to_have_text("14")  # 11 in 三元社区 + 3 in 东门社区
    expect(page.locator("[data-testid=count-community]")).to_have_text("2")
    names = grid_names_on_home(page)
    assert len(names) == 14
    assert "第八网格" in names and "东门第一网格" in names
    assert not any(n.startswith("金叶") or n.startswith("茶花") for n in names)  # 浮山街道 is out of scope

    page.locator("nav.wg-sidebar a[href='/regions/']").click()
    tree = page.locator("[data-testid=region-tree]")
    expect(tree.get_by_role("link", name="永安街道", exact=True)).to_be_visible()
    expect(tree.get_by_role("link", name="浮山街道", exact=True)).to_have_count(0)

    tree.get_by_role("link", name="三元社区", exact=True).click()
    expect(page).to_have_url(f"{demo}/regions/{region_id('三元社区')}/")
    expect(page.locator("h1.wg-page-title")).to_contain_text("三元社区")
    assert child_names(page) == SANYUAN_GRIDS

    page.locator("[data-testid=children]").get_by_role("link", name="第八网格", exact=True).click()
    expect(page).to_have_url(f"{demo}/regions/{region_id('第八网格')}/")
    expect(page.locator("h1.wg-page-title")).to_contain_text("第八网格")
    assignments = page.locator("[data-testid=assignments]")
    expect(assignments).to_contain_text("刘平珍")
    expect(assignments).to_contain_text("13871501108")
    expect(assignments).to_contain_text("何建华")  # the responsible cadre


def test_grid_card_shows_the_worker_and_prints(page: Page, sign_in: Callable[..., None], demo: str) -> None:
    # window.print would open a dialog; record the call instead.
    page.add_init_script("window.__printCalls = 0; window.print = function () { window.__printCalls += 1; };")
    sign_in(page, "grid8")
    grid = region_id("第八网格")
    page.goto(f"{demo}/regions/{grid}/")

    page.locator(f"main .btn[href='/regions/{grid}/card/']").click()
    expect(page).to_have_url(f"{demo}/regions/{grid}/card/")
    card = page.locator("[data-testid=grid-card]")
    expect(card.locator(".wg-board-title")).to_have_text("第八网格")
    expect(card.locator(".wg-board-name")).to_have_text("刘平珍")
    expect(card.locator(".wg-board-phone")).to_contain_text("13871501108")
    expect(card).to_contain_text("624")
    expect(card).to_contain_text(re.compile(r"2,?166"))
    expect(card).to_contain_text("三元社区")

    page.locator("[data-action=print]").click()
    assert page.evaluate("window.__printCalls") == 1

    toolbar = page.locator(".wg-print-toolbar")
    expect(toolbar).to_be_visible()
    page.emulate_media(media="print")
    expect(toolbar).to_be_hidden()
    expect(card).to_be_visible()

    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 5_000
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert 1 <= pages <= 2, f"the card printed on {pages} pages"


def test_admin_needs_the_second_factor_and_errors_do_not_tell_users_apart(
    page: Page, sign_in: Callable[..., None], demo: str, demo_password: str
) -> None:
    fill_login(page, demo, "sysadmin", demo_password)
    expect(page).to_have_url(f"{demo}/account/2fa/")
    code = page.locator("input[name=code]")
    expect(code).to_be_visible()
    # Nothing else is reachable before the code is given.
    page.goto(f"{demo}/users/")
    expect(page).to_have_url(f"{demo}/account/2fa/")

    page.locator("input[name=code]").fill(totp_now())
    submit(page)
    expect(page).to_have_url(f"{demo}/")
    expect(page.locator("nav.wg-sidebar a[href='/users/']")).to_be_visible()
    expect(page.locator(".wg-topbar")).to_contain_text("系统管理员")

    # Sign out, then fail twice: an unknown user and a wrong password read the same.
    page.locator("form[action$='/logout/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/login/"))
    fill_login(page, demo, "nobody-here", "Whatever@123")
    unknown = page.locator(".alert-danger")
    expect(unknown).to_be_visible()
    unknown_text = unknown.inner_text().strip()
    fill_login(page, demo, "grid8", demo_password + "x")
    wrong = page.locator(".alert-danger")
    expect(wrong).to_be_visible()
    assert wrong.inner_text().strip() == unknown_text
    expect(page).to_have_url(f"{demo}/login/")


def test_grid_worker_on_a_phone_has_no_sideways_scroll(phone_page: Page, sign_in: Callable[..., None]) -> None:
    page = phone_page
    sign_in(page, "grid8")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1, "home page overflows"

    # the menu is folded on a phone: the button opens it
    expect(page.locator("nav.wg-sidebar a[href='/regions/']")).to_be_hidden()
    page.locator("[data-testid=menu-toggle]").click()
    page.locator("nav.wg-sidebar a[href='/regions/']").click()
    expect(page.locator("h1.wg-page-title")).to_contain_text("第八网格")
    expect(page.locator("[data-testid=assignments]")).to_contain_text("刘平珍")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"the region page is {width}px wide on a 390px screen"


def test_community_staff_adds_a_grid(page: Page, sign_in: Callable[..., None], demo: str) -> None:
    sign_in(page, "staff")
    sanyuan = region_id("三元社区")
    page.locator("nav.wg-sidebar a[href='/regions/']").click()
    expect(page).to_have_url(f"{demo}/regions/{sanyuan}/")
    assert len(child_names(page)) == 11

    page.locator("main button[data-bs-toggle=dropdown]").click()
    add = page.locator(f".dropdown-menu a[href='/regions/{sanyuan}/new/']")
    expect(add).to_be_visible()
    add.click()
    expect(page).to_have_url(f"{demo}/regions/{sanyuan}/new/")

    page.locator("input[name=name]").fill("第十二网格")
    page.locator("input[name=grid_code]").fill("421202001001012")
    page.locator("input[name=declared_households]").fill("580")
    submit(page)

    expect(page.locator("h1.wg-page-title")).to_contain_text("第十二网格")
    expect(page.locator(".alert-success")).to_contain_text("第十二网格")

    page.locator("[data-testid=region-tree]").get_by_role("link", name="三元社区", exact=True).click()
    expect(page).to_have_url(f"{demo}/regions/{sanyuan}/")
    names = child_names(page)
    assert len(names) == 12
    assert "第十二网格" in names
    row = page.locator("[data-testid=children] tbody tr", has_text="第十二网格")
    expect(row).to_contain_text("421202001001012")
    expect(row).to_contain_text("580")
