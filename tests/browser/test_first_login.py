"""The first administrator of an empty installation signs in for the first time, in a real browser:
the one-time password from `create_admin`, their own password, the authenticator, then the console."""

from __future__ import annotations

import base64
import io
import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from tests.browser.conftest import fill_login, submit

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Jiedao!Xitong2026"


def shot(page: Page, name: str) -> None:
    """A full-page screenshot into $WANGGE_SHOTS when it is set (to look at the layout), else nothing."""
    folder = os.environ.get("WANGGE_SHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def code_for(secret_base32: str) -> str:
    """What the authenticator app shows for the key typed in from the enrolment page."""
    key = base64.b32decode(secret_base32 + "=" * (-len(secret_base32) % 8))
    return f"{totp(key, t0=0, step=30, digits=6, drift=0):06d}"


def test_the_first_administrator_sets_a_password_enrols_an_authenticator_and_reaches_the_console(
    transactional_db: None, live_server: object, settings: object, page: Page
) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
    base = str(live_server.url)  # type: ignore[attr-defined]
    out = io.StringIO()
    call_command("create_admin", "zhangwei", role="system_admin", full_name="张伟", stdout=out)
    one_time = re.search(r"One-time password: (\S+)", out.getvalue()).group(1)  # type: ignore[union-attr]

    fill_login(page, base, "zhangwei", one_time)
    expect(page).to_have_url(f"{base}/account/password/")
    expect(page.locator(".wg-steps li.is-current")).to_have_count(1)
    page.goto(f"{base}/users/")  # anything else sends the account back to its first step
    expect(page).to_have_url(f"{base}/account/password/")
    shot(page, "first-login-1-password")
    page.locator("input[name=old_password]").fill(one_time)
    page.locator("input[name=new_password]").fill(NEW_PASSWORD)
    page.locator("input[name=new_password2]").fill(NEW_PASSWORD)
    submit(page)

    expect(page).to_have_url(f"{base}/account/2fa/")
    expect(page.locator(".wg-qr svg")).to_be_visible()
    shot(page, "first-login-2-authenticator")
    secret = page.locator("code.user-select-all").inner_text().strip()
    page.locator("input[name=code]").fill(code_for(secret))
    submit(page)

    expect(page).to_have_url(f"{base}/")
    expect(page.locator("nav.wg-sidebar")).to_be_visible()
    page.goto(f"{base}/users/")
    expect(page).to_have_url(f"{base}/users/")
    shot(page, "first-login-3-console")

    # Next time: the new password and the authenticator; the one-time password is gone.
    page.context.clear_cookies()
    fill_login(page, base, "zhangwei", one_time)
    expect(page).to_have_url(f"{base}/login/")
    fill_login(page, base, "zhangwei", NEW_PASSWORD)
    expect(page).to_have_url(f"{base}/account/2fa/")
