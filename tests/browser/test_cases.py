"""Cases in a real browser: a grid worker's report on a phone, through every hand it passes, into the statistics.

Each person works in their own browser context and signs in through the login form. Elements are
found by input names, hrefs and data-testid; every step waits for the page the server sends back
(the state badge and the timeline), never for a fixed time.

pytest runs the live server with DEBUG off, so the console's media route (added only in DEBUG, as
under `make run`) is missing; this module's own URLconf adds it back, reading MEDIA_ROOT (a
temporary directory) at request time, so the case photos can be seen loading.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import re_path
from django.views.static import serve
from playwright.sync_api import Browser, Locator, Page, expect

from config.urls import urlpatterns as console_urlpatterns
from tests.browser.conftest import DESKTOP, PHONE, _open_page, region_id

pytestmark = pytest.mark.browser


def _media(request: HttpRequest, path: str) -> HttpResponseBase:
    return serve(request, path, document_root=str(django_settings.MEDIA_ROOT))


urlpatterns = [*console_urlpatterns, re_path(r"^media/(?P<path>.*)$", _media)]


# --- fixtures and helpers --------------------------------------------------------------------------


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    """Uploaded photos go to a temporary directory, served by this module's URLconf."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.ROOT_URLCONF = __name__
    return tmp_path / "media"


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[[dict[str, int]], Page]]:
    """A fresh browser context per person (their own cookies), checked for errors like `page`."""
    opened: list[tuple[Any, Any]] = []

    def do(viewport: dict[str, int]) -> Page:
        context, page, problems = _open_page(browser, viewport)
        opened.append((context, problems))
        return page  # type: ignore[return-value]

    yield do
    for context, _problems in opened:
        context.close()
    serious = [p for _context, problems in opened for p in problems.serious()]
    assert not serious, f"the browser reported errors: {serious}"


def shot(page: Page, name: str) -> None:
    """A full-page screenshot into $WANGGE_SHOTS when it is set (to look at the layout), else nothing."""
    folder = os.environ.get("WANGGE_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def png(path: Path, colour: str, size: tuple[int, int] = (64, 48)) -> Path:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def grid_point(name: str) -> tuple[float, float]:
    """(lat, lng) in the middle of a demo grid, to six decimals as the form keeps them."""
    from wangge.cases.sketch import centre
    from wangge.regions.models import Region

    point = centre(Region.all_objects.get(name=name, is_active=True).boundary)
    assert point is not None, f"{name} has no outline"
    return round(point[1], 6), round(point[0], 6)


def state_badge(page: Page) -> Locator:
    return page.locator("[data-testid=title] [data-state]")


def timeline(page: Page) -> Locator:
    return page.locator("[data-testid=timeline] > li")


def act(page: Page, action: str, *, to_state: str, steps: int, **fields: str) -> None:
    """Open an action of the case page, fill its fields (a `photo` is a file), send it, see the page change."""
    box = page.locator(f"[data-testid=actions] details[data-action={action}]")
    box.locator("summary").click()
    form = box.locator("form")
    for name, value in fields.items():
        field = form.locator(f"[name={name}]")
        if name == "photo":
            field.set_input_files(value)
        elif name == "rating" or field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    form.locator("button[type=submit]").click()
    expect(state_badge(page)).to_have_attribute("data-state", to_state)
    expect(timeline(page)).to_have_count(steps)
    expect(timeline(page).last).to_have_attribute("data-action", action)


def stats_cell(page: Page, table: str, column: str, label: str | None = None) -> Locator:
    """A count in the statistics: the total row of a table, or the row whose first cell is `label`."""
    if label is None:
        return page.locator(f"[data-testid={table}] tr[data-testid=total] [data-testid={column}]")
    rows = page.locator(f"[data-testid={table}] tr[data-testid=row]")
    named = page.locator("td[data-testid=label]", has_text=re.compile(f"^{re.escape(label)}$"))
    return rows.filter(has=named).locator(f"[data-testid={column}]")


def count(cell: Locator) -> int:
    return int(cell.inner_text()) if cell.count() else 0


def open_from_todo(page: Page, base_url: str, case_id: int) -> None:
    """Find the case in the person's to-do list and open it, as they would."""
    page.goto(f"{base_url}/cases/")
    page.locator(f"[data-testid=cases] a[href='/cases/{case_id}/']").click()
    expect(page).to_have_url(f"{base_url}/cases/{case_id}/")


# --- tests -----------------------------------------------------------------------------------------


def test_a_patrol_report_on_a_phone_runs_to_a_rated_closed_case_in_the_statistics(
    phone_page: Page,
    open_page: Callable[[dict[str, int]], Page],
    sign_in: Callable[..., None],
    demo: str,
    media: Path,
    tmp_path: Path,
) -> None:
    from wangge.cases.models import Case, Category

    shed = Category.objects.get(code="WJ02")  # 私搭乱建: a street matter, 城管 clears it
    lat, lng = grid_point("第八网格")

    # the street supervisor's statistics before
    street = open_page(DESKTOP)
    sign_in(street, "street")
    street.goto(f"{demo}/cases/stats/")
    received_before = count(stats_cell(street, "by-category", "received", label="违章搭建"))
    closed_before = count(stats_cell(street, "by-category", "closed", label="违章搭建"))
    total_closed_before = count(stats_cell(street, "by-category", "closed"))
    grid_received_before = count(stats_cell(street, "by-grid", "received", label="第八网格"))

    # on patrol, grid8 reports a shed on the phone, with a photo and where it is
    grid8 = phone_page
    grid8.context.grant_permissions(["geolocation"], origin=demo)
    grid8.context.set_geolocation({"latitude": lat, "longitude": lng})
    sign_in(grid8, "grid8")
    grid8.goto(f"{demo}/cases/")
    grid8.locator("a[href='/cases/new/']").click()
    form = grid8.locator("form[data-testid=report-form]")
    form.locator("select[name=category]").select_option(str(shed.pk))
    form.locator("select[name=region]").select_option(str(region_id("第八网格")))
    form.locator("input[name=title]").fill("一楼住户私搭彩钢棚")
    form.locator("input[name=photo]").set_input_files(png(tmp_path / "shed.png", "#8899aa"))
    form.locator("[data-testid=use-location]").click()
    expect(form.locator("input[name=lat]")).to_have_value(f"{lat:.6f}")
    expect(form.locator("input[name=lng]")).to_have_value(f"{lng:.6f}")
    expect(form.locator("[data-testid=location-message]")).to_contain_text(f"{lat:.6f}, {lng:.6f}")
    shot(grid8, "quick-report-phone")
    form.locator("[data-testid=report-submit]").click()

    expect(grid8).to_have_url(re.compile(rf"{re.escape(demo)}/cases/\d+/$"))
    case_id = int(grid8.url.rstrip("/").rsplit("/", 1)[1])
    expect(state_badge(grid8)).to_have_attribute("data-state", "reported")
    expect(timeline(grid8)).to_have_count(1)
    expect(timeline(grid8).first.locator("img")).to_have_js_property("naturalWidth", 64)
    expect(grid8.locator("[data-testid=dot]")).to_be_visible()  # the point on the grid's outline
    # a street matter: nothing for the grid worker to do until it comes back for verification
    expect(grid8.locator("[data-testid=actions] details[data-action=accept]")).to_have_count(0)

    # the street accepts it and dispatches it to 城管
    street.goto(f"{demo}/cases/{case_id}/")
    act(street, "accept", to_state="accepted", steps=2)
    act(street, "dispatch", to_state="dispatched", steps=3, department="城管")

    # 城管's handler finds it in the to-do list, handles it on site with a photo and finishes
    handler = open_page(PHONE)
    sign_in(handler, "handler")
    open_from_todo(handler, demo, case_id)
    before, after = str(png(tmp_path / "before.png", "#aa5544")), str(png(tmp_path / "after.png", "#44aa66"))
    act(handler, "handle", to_state="handling", steps=4, note="已到现场，责令拆除", photo=before)
    expect(timeline(handler).last.locator("img")).to_have_js_property("naturalWidth", 64)
    act(handler, "finish", to_state="finished", steps=5, note="彩钢棚已拆除", photo=after)

    # back in the grid: grid8 checks on site, then records the resident's rating (回访)
    open_from_todo(grid8, demo, case_id)
    act(grid8, "verify_pass", to_state="verified", steps=6)
    act(grid8, "rate", to_state="closed", steps=7, rating="4")
    expect(grid8.locator("[data-testid=rating]")).to_have_text("4 / 5")
    expect(grid8.locator("[data-testid=actions] details:not([data-action=link])")).to_have_count(0)  # closed
    shot(grid8, "case-rated-phone")

    case = Case.all_objects.get(pk=case_id)
    assert (case.state, case.rating, case.department, case.region.name) == ("closed", 4, "城管", "第八网格")
    assert [s.actor.username for s in case.steps.all() if s.actor] == [
        "grid8", "street", "street", "handler", "handler", "grid8", "grid8"
    ]  # fmt: skip
    assert case.attachments.count() == 3

    # the statistics count it: received and closed in its category, received in its grid
    street.goto(f"{demo}/cases/stats/")
    expect(stats_cell(street, "by-category", "received", label="违章搭建")).to_have_text(str(received_before + 1))
    expect(stats_cell(street, "by-category", "closed", label="违章搭建")).to_have_text(str(closed_before + 1))
    expect(stats_cell(street, "by-category", "closed")).to_have_text(str(total_closed_before + 1))
    expect(stats_cell(street, "by-grid", "received", label="第八网格")).to_have_text(str(grid_received_before + 1))


def test_a_report_sent_twice_makes_one_case_and_a_refused_location_says_so(
    page: Page, sign_in: Callable[..., None], demo: str
) -> None:
    from wangge.cases.models import Case, Category

    sign_in(page, "grid8")
    page.goto(f"{demo}/cases/new/")
    form = page.locator("form[data-testid=report-form]")

    # no permission for the location: the page says so, and the point stays empty
    form.locator("[data-testid=use-location]").click()
    message = form.locator("[data-testid=location-message]")
    expect(message).to_be_visible()
    expect(message).to_have_class(re.compile(r"\btext-danger\b"))
    expect(form.locator("input[name=lat]")).to_have_value("")

    form.locator("select[name=category]").select_option(str(Category.objects.get(code="SR01").pk))
    form.locator("select[name=region]").select_option(str(region_id("第八网格")))
    form.locator("input[name=title]").fill("垃圾站满溢（重复提交）")
    sent = {name: form.locator(f"[name={name}]").input_value() for name in ("csrfmiddlewaretoken", "client_key")}
    form.locator("[data-testid=report-submit]").click()
    expect(page).to_have_url(re.compile(r"/cases/\d+/$"))
    first_url = page.url

    # the phone sends the same form again (a lost answer, a second tap): the same case comes back
    again = page.request.post(
        f"{demo}/cases/new/",
        multipart={
            **sent,
            "category": str(Category.objects.get(code="SR01").pk),
            "region": str(region_id("第八网格")),
            "title": "垃圾站满溢（重复提交）",
            "urgency": "normal",
            "source": "patrol",
        },
        max_redirects=0,
    )
    assert again.status == 302 and again.headers["location"] == first_url.removeprefix(demo)
    assert Case.all_objects.filter(title="垃圾站满溢（重复提交）").count() == 1
