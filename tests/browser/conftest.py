"""Browser fixtures: one headless Chromium per session (Debian's, offline), one page per test.

The console runs on pytest-django's `live_server`; every test loads the demo district with
`call_command("demo")` and signs in through the real login form, as a user would.
"""

from __future__ import annotations

import binascii
import io
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest

# Playwright's sync API runs an asyncio loop in this thread; Django must still allow ORM calls here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 15_000


def totp_now() -> str:
    """The current code of the demo authenticator, as the admin's phone app would show it."""
    from django_otp.oath import totp

    from wangge.core.demo import DEMO_TOTP_KEY

    return f"{totp(binascii.unhexlify(DEMO_TOTP_KEY), t0=0, step=30, digits=6, drift=0):06d}"


@dataclass
class PageProblems:
    """What the browser complained about while the test ran: uncaught errors, CSP violations."""

    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def serious(self) -> list[str]:
        # A missing favicon is noise; script errors and blocked resources are not.
        return self.page_errors + [m for m in self.console_errors if "favicon" not in m]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing (run scripts/ensure_browser.py)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def _open_page(browser: object, viewport: dict[str, int]) -> tuple[object, object, PageProblems]:
    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")  # type: ignore[attr-defined]
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems = PageProblems()
    page.on("pageerror", lambda exc: problems.page_errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: (
            problems.console_errors.append(f"{msg.text} [{msg.location.get('url', '')}]")
            if msg.type == "error"
            else None
        ),
    )
    return context, page, problems


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context, pg, problems = _open_page(browser, DESKTOP)
    yield pg
    context.close()  # type: ignore[attr-defined]
    assert not problems.serious(), f"the browser reported errors: {problems.serious()}"


@pytest.fixture
def phone_page(browser: object) -> Iterator[object]:
    context, pg, problems = _open_page(browser, PHONE)
    yield pg
    context.close()  # type: ignore[attr-defined]
    assert not problems.serious(), f"the browser reported errors: {problems.serious()}"


@pytest.fixture
def demo(transactional_db: None, live_server: object, settings: object) -> str:
    """Load the demo district and accounts into the live server's database; return the server's URL."""
    from django.core.management import call_command

    # Nine demo accounts hashed with the production PBKDF2 cost take seconds per test; the
    # login form checks passwords the same way with a cheap hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
    call_command("demo", stdout=io.StringIO())
    return str(live_server.url)  # type: ignore[attr-defined]


@pytest.fixture
def demo_password() -> str:
    from django.conf import settings

    return str(settings.WANGGE_DEMO_PASSWORD)


def region_id(name: str) -> int:
    """The id of a demo region, for building hrefs to click (labels may not be translated yet)."""
    from wangge.regions.models import Region

    return int(Region.all_objects.get(name=name, is_active=True).pk)


def submit(page: object) -> None:
    """Submit the page's own form, not the sign-out form every console page also carries."""
    page.locator("form:not([action$='/logout/']) button[type=submit]").first.click()  # type: ignore[attr-defined]


def fill_login(page: object, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/login/")  # type: ignore[attr-defined]
    page.locator("input[name=username]").fill(username)  # type: ignore[attr-defined]
    page.locator("input[name=password]").fill(password)  # type: ignore[attr-defined]
    submit(page)
    page.wait_for_load_state("domcontentloaded")  # type: ignore[attr-defined]


@pytest.fixture
def sign_in(demo: str, demo_password: str) -> Callable[..., None]:
    """Sign a page in through the login form (and the second factor for admin accounts)."""

    def do(page: object, username: str) -> None:
        from playwright.sync_api import expect

        fill_login(page, demo, username, demo_password)
        if re.search(r"/account/2fa/", page.url):  # type: ignore[attr-defined]
            page.locator("input[name=code]").fill(totp_now())  # type: ignore[attr-defined]
            submit(page)
        expect(page).to_have_url(f"{demo}/")  # type: ignore[arg-type]
        expect(page.locator("nav.wg-sidebar")).to_be_visible()  # type: ignore[attr-defined]

    return do
