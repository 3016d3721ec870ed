"""A grid worker's morning on a 390 × 844 phone: find a person by their building and unit, open their
card, see their cases, report a new one about them. No page is wider than the screen.

Screenshots go to $WANGGE_SHOTS when it is set (to look at the phone pages).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from wangge.core.actors import SYSTEM

pytestmark = pytest.mark.browser


def no_sideways_scroll(page: Page, what: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, f"{what} is {width}px wide on a {viewport}px screen"


def shot(page: Page, name: str) -> None:
    folder = os.environ.get("WANGGE_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def a_household_in_a_building(grid: str) -> tuple[str, int, str]:
    """(`9栋1单元` or another building and unit of the grid where people live, a resident's id, their name)."""
    from wangge.people.models import Residence
    from wangge.regions.models import Region

    region = Region.all_objects.get(name=grid, is_active=True)
    homes = Residence.objects.filter(
        ended_on__isnull=True, house__building__isnull=False, house__region__path__startswith=region.path
    ).select_related("house__building", "person")
    home = homes.filter(house__building__name="9栋", house__unit=1).first() or homes.order_by("pk").first()
    assert home is not None and home.house.building is not None
    return f"{home.house.building.name}{home.house.unit}单元", home.person_id, home.person.name


def test_a_grid_worker_finds_a_person_by_building_and_unit_sees_their_cases_and_reports_one(
    phone_page: Page, sign_in: Callable[..., None], demo: str
) -> None:
    from wangge.cases import services
    from wangge.cases.models import Case, Category
    from wangge.people.models import Person

    where, person_id, name = a_household_in_a_building("第八网格")
    person = Person.all_objects.get(pk=person_id)
    earlier = services.case_create(  # last week's matter about this person, reported at the window
        actor=SYSTEM,
        region=person.region,
        category=Category.objects.get(code="QZ01"),
        title="想学用智能手机",
        person=person,
    ).case
    page = phone_page
    sign_in(page, "grid8")
    no_sideways_scroll(page, "the home page")
    expect(page.locator("[data-testid=work]")).to_be_visible()  # the work waiting comes first
    shot(page, "phone-home-grid8")

    # the menu is folded; it opens to the residents
    page.locator("[data-testid=menu-toggle]").click()
    page.locator("nav.wg-sidebar a[href='/people/']").click()
    expect(page.locator("[data-testid=people]")).to_be_visible()
    expect(page.locator("#id_region")).to_be_hidden()  # the other filters are folded away
    box = page.locator("form[data-testid=filters] input[name=q]")
    with page.expect_response(lambda r: "/people/" in r.url and "q=" in r.url):
        box.fill(where)
    card = page.locator(f"[data-testid=people] tbody a[href='/people/{person_id}/']:not(.btn)")
    expect(card).to_be_visible()
    no_sideways_scroll(page, "the search results")
    shot(page, "phone-people-search")

    # the card lists the person's cases
    card.click()
    expect(page).to_have_url(f"{demo}/people/{person_id}/")
    cases = page.locator("[data-testid=person-cases]")
    expect(cases.locator("[data-testid=person-case]")).to_have_count(1)
    expect(cases).to_contain_text("想学用智能手机")
    no_sideways_scroll(page, "the person card")
    shot(page, "phone-person-card")

    # …and a new one is reported about them from there
    cases.locator("[data-testid=person-report]").click()
    expect(page.locator("[data-testid=about]")).to_contain_text(name)
    form = page.locator("form[data-testid=report-form]")
    expect(form.locator("select[name=region]")).to_have_value(str(person.region_id))  # their grid, preselected
    form.locator("select[name=category]").select_option(str(Category.objects.get(code="QZ02").pk))
    form.locator("input[name=title]").fill("独居老人家中水管漏水")
    no_sideways_scroll(page, "the report form")
    shot(page, "phone-report")
    form.locator("[data-testid=report-submit]").click()
    expect(page).to_have_url(re.compile(rf"{re.escape(demo)}/cases/\d+/$"))
    no_sideways_scroll(page, "the case page")
    shot(page, "phone-case")
    reported = Case.all_objects.exclude(pk=earlier.pk).get(person=person)
    assert reported.title == "独居老人家中水管漏水"

    page.goto(f"{demo}/people/{person_id}/")
    expect(page.locator("[data-testid=person-case]")).to_have_count(2)

    # the to-do list reads as cards
    page.goto(f"{demo}/cases/?list=todo")
    expect(page.locator("[data-testid=cases] thead")).to_be_hidden()
    no_sideways_scroll(page, "the to-do list")
    shot(page, "phone-todo")
