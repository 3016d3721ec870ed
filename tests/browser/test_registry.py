"""The resident registry in a real browser: search, the person card, the building map, export, scope.

People are picked from the demo load through the ORM; elements are found by input names, hrefs
and data-testid, not by labels, since the translations are still being written.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from django.db.models import Q
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import region_id

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from wangge.people.models import Person

pytestmark = pytest.mark.browser

XLSX_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
HOUSE_COLOURS = {"red", "pink", "white"}


# --- helpers ---------------------------------------------------------------------------------------


def alive_people_under(region_name: str) -> QuerySet[Person]:
    """Living, not removed persons of a demo region and everything below it."""
    from wangge.people.models import Person
    from wangge.regions.models import Region

    region = Region.all_objects.get(name=region_name, is_active=True)
    return Person.all_objects.filter(
        region__path__startswith=region.path, deleted_at__isnull=True, merged_into__isnull=True
    )


def search(page: Page, query: str) -> None:
    """Type into the list's search box and wait for the HTMX answer to replace the results."""
    box = page.locator("form[data-testid=filters] input[name=q]")
    with page.expect_response(
        lambda r: "/people/" in r.url and "q=" in r.url and r.request.headers.get("hx-request") == "true"
    ):
        box.fill(query)
    expect(page).to_have_url(re.compile(r"[?&]q="))


def person_link(page: Page, person_id: int) -> Locator:
    """The name link of a person in the results table (not the chevron button next to it)."""
    return page.locator(f"[data-testid=people] tbody a[href='/people/{person_id}/']:not(.btn)")


def open_people(page: Page, base_url: str) -> None:
    page.locator("nav.wg-sidebar a[href='/people/']").click()
    expect(page).to_have_url(f"{base_url}/people/")
    expect(page.locator("[data-testid=people]")).to_be_visible()


def xlsx_rows(path: str) -> list[list[str]]:
    """The first sheet of an .xlsx as rows of strings (shared and inline strings, numbers as text)."""
    with zipfile.ZipFile(path) as book:
        names = book.namelist()
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            root = ET.fromstring(book.read("xl/sharedStrings.xml"))  # noqa: S314 - a file the test server just wrote
            shared = ["".join(t.text or "" for t in si.iter(f"{{{XLSX_NS['m']}}}t")) for si in root]
        sheet = ET.fromstring(book.read("xl/worksheets/sheet1.xml"))  # noqa: S314
    rows: list[list[str]] = []
    for row in sheet.iterfind(".//m:sheetData/m:row", XLSX_NS):
        values: dict[int, str] = {}
        for cell in row.iterfind("m:c", XLSX_NS):
            letters = re.match(r"[A-Z]+", cell.get("r", "")).group(0)  # type: ignore[union-attr]
            col = 0
            for ch in letters:
                col = col * 26 + ord(ch) - ord("A") + 1
            kind = cell.get("t")
            if kind == "inlineStr":
                text = "".join(t.text or "" for t in cell.iter(f"{{{XLSX_NS['m']}}}t"))
            else:
                v = cell.find("m:v", XLSX_NS)
                raw = v.text if v is not None and v.text is not None else ""
                text = shared[int(raw)] if kind == "s" and raw else raw
            values[col - 1] = text
        width = max(values, default=-1) + 1
        rows.append([values.get(i, "") for i in range(width)])
    return rows


# --- tests -----------------------------------------------------------------------------------------


def test_search_by_initials_finds_the_person(page: Page, sign_in: Callable[..., None], demo: str) -> None:
    people = alive_people_under("三元社区")
    # A person whose initials match only a few people (as initials or as a pinyin prefix), so it is on page one.
    person = None
    for candidate in people.exclude(name_initials="").order_by("pk")[:200]:
        keys = candidate.name_initials
        matches = people.filter(Q(name_initials__startswith=keys) | Q(name_pinyin__startswith=keys)).count()
        if matches <= 5:
            person = candidate
            break
    assert person is not None, "no demo person with initials rare enough"

    sign_in(page, "staff")
    open_people(page, demo)
    search(page, person.name_initials)

    link = person_link(page, person.pk)
    expect(link).to_have_text(person.name)
    rows = page.locator("[data-testid=people] tbody tr")
    assert rows.count() == matches


def test_search_by_the_last_four_digits_of_the_id(page: Page, sign_in: Callable[..., None], demo: str) -> None:
    from wangge.people.services import reveal_value

    person = alive_people_under("三元社区").exclude(id_number_enc="").order_by("pk").first()
    assert person is not None
    id_number = reveal_value(person, "id_number")
    assert len(id_number) == 18

    sign_in(page, "staff")
    open_people(page, demo)
    search(page, id_number[-4:])

    expect(person_link(page, person.pk)).to_have_text(person.name)
    # The list shows the ID masked; the tail the user typed is the visible part.
    row = page.locator("[data-testid=people] tbody tr", has=page.locator(f"a[href='/people/{person.pk}/']"))
    expect(row.locator("code")).to_have_text(person.id_number_masked)
    assert id_number not in page.content()


def test_open_a_person_from_the_results(page: Page, sign_in: Callable[..., None], demo: str) -> None:
    from wangge.people.services import reveal_value

    people = alive_people_under("三元社区").exclude(id_number_enc="")
    # A name nobody else's starts with, so the search returns this one person.
    person = next(p for p in people.order_by("pk")[:200] if people.filter(name__startswith=p.name).count() == 1)
    id_number = reveal_value(person, "id_number")

    sign_in(page, "staff")
    open_people(page, demo)
    search(page, person.name)
    person_link(page, person.pk).click()

    expect(page).to_have_url(f"{demo}/people/{person.pk}/")
    expect(page.locator("h1.wg-page-title")).to_contain_text(person.name)
    shown = page.locator("[data-testid=reveal-id_number] code")
    expect(shown).to_have_text(person.id_number_masked)
    assert "*" in person.id_number_masked
    assert person.id_number_masked[-4:] == id_number[-4:]
    html = page.content()
    assert id_number not in html, "the plain ID number is in the person page"


def test_building_map_shows_the_colours_and_the_legend(page: Page, sign_in: Callable[..., None], demo: str) -> None:
    from wangge.places.models import Building
    from wangge.regions.models import Region

    grid = Region.all_objects.get(name="第八网格", is_active=True)
    building = (
        Building.all_objects.filter(region__path__startswith=grid.path, deleted_at__isnull=True).order_by("pk").first()
    )
    assert building is not None

    sign_in(page, "grid8")
    page.goto(f"{demo}/places/buildings/{building.pk}/")
    expect(page.locator("h1.wg-page-title")).to_contain_text(building.name)

    board = page.locator("[data-testid=building-map]")
    legend = board.locator(".wg-legend")
    expect(legend).to_be_visible()
    for colour in ("red", "pink", "white", "empty"):
        expect(legend.locator(f".wg-swatch.wg-house-{colour}")).to_be_visible()

    tiles = board.locator("a.wg-house[data-color]")
    expect(tiles.first).to_be_visible()
    colours = set()
    for tile in tiles.all():
        colour = tile.get_attribute("data-color") or ""
        assert f"wg-house-{colour}" in (tile.get_attribute("class") or "").split()
        colours.add(colour)
    occupied = colours & HOUSE_COLOURS
    assert len(occupied) >= 2, f"the first building of 第八网格 shows only {sorted(colours)}"
    for colour in occupied:
        expect(board.locator(f"a.wg-house.wg-house-{colour}").first).to_be_visible()


def test_export_a_filtered_list(page: Page, sign_in: Callable[..., None], demo: str) -> None:
    from wangge.people.services import reveal_value

    grid = region_id("第八网格")
    expected = alive_people_under("第八网格")
    some_id = reveal_value(expected.exclude(id_number_enc="").order_by("pk").first(), "id_number")  # type: ignore[arg-type]

    sign_in(page, "staff")
    open_people(page, demo)
    page.locator("form[data-testid=filters] select[name=region]").select_option(str(grid))
    export = page.locator("[data-testid=export]")
    expect(export).to_have_attribute("href", re.compile(rf"^/people/export\.xlsx\?(.*&)?region={grid}(&|$)"))

    with page.expect_download() as info:
        export.click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = download.path()
    assert path is not None

    rows = xlsx_rows(str(path))
    header, body = rows[0], rows[1:]
    assert header[0] == "姓名"
    assert "证件号码" in header and "网格" in header
    assert len(body) == expected.count()
    ids = [r[header.index("证件号码")] for r in body if len(r) > header.index("证件号码")]
    assert ids and all("*" in v for v in ids if v), "the export shows ID numbers in full"
    assert {r[0] for r in body} <= set(expected.values_list("name", flat=True))
    with zipfile.ZipFile(path) as book:
        everything = b"".join(book.read(n) for n in book.namelist())
    assert some_id.encode() not in everything


def test_grid_worker_does_not_find_a_person_of_another_grid(
    page: Page, sign_in: Callable[..., None], demo: str
) -> None:
    own = alive_people_under("第八网格")
    # Someone of 第一网格 whose name no one in 第八网格 shares, so an empty result means "out of scope".
    other = next(
        p
        for p in alive_people_under("第一网格").order_by("pk")[:200]
        if not own.filter(name__startswith=p.name).exists()
    )

    sign_in(page, "grid8")
    open_people(page, demo)
    search(page, other.name)

    results = page.locator("[data-testid=people] tbody")
    expect(results.locator("td[colspan]")).to_be_visible()  # the "nobody matches" row
    expect(results.locator("tr")).to_have_count(1)
    expect(results.locator(f"a[href='/people/{other.pk}/']")).to_have_count(0)
    expect(results).not_to_contain_text(other.name)

    # Nor by asking for the record directly (with the page's session; a 404 page would log a console error).
    response = page.request.get(f"{demo}/people/{other.pk}/")
    assert response.status in (403, 404)
    assert other.name not in response.text()
