from __future__ import annotations

import io
from collections.abc import Callable

from django.core.management import CommandError, call_command
from django.test import Client

from tests.conftest import Tree, sign_in
from wangge.core.models import ApiToken, AuditEvent, User
from wangge.core.roles import Role


def test_issue_token_command_prints_a_working_token(tree: Tree, make_user: Callable[..., User], capsys) -> None:  # type: ignore[no-untyped-def]
    make_user(Role.STREET_SUPERVISOR, username="street")
    call_command("issue_token", "street")
    raw = capsys.readouterr().out.strip()
    assert raw.startswith("wg_")
    assert not ApiToken.objects.filter(digest=raw).exists()  # only the digest is stored
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["username"] == "street"


def test_a_bad_or_revoked_token_is_refused(tree: Tree, make_user: Callable[..., User]) -> None:
    user = make_user(Role.GRID_WORKER)
    client = sign_in(Client(), user)
    client.post("/account/tokens/", {"name": "脚本"})
    raw = client.get("/account/").context["new_token"]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/me").status_code == 200
    assert Client(HTTP_AUTHORIZATION="Bearer wg_forged").get("/api/v1/me").status_code == 401
    token = ApiToken.objects.get(user=user)
    client.post(f"/account/tokens/{token.pk}/revoke/")
    assert api.get("/api/v1/me").status_code == 401
    assert AuditEvent.objects.filter(action="token.revoke").exists()


def test_someone_elses_token_cannot_be_revoked(tree: Tree, make_user: Callable[..., User]) -> None:
    owner = make_user(Role.GRID_WORKER)
    other = make_user(Role.GRID_WORKER)
    from wangge.core.services import token_issue

    token, _raw = token_issue(actor=None, user=owner, name="x")
    response = sign_in(Client(), other).post(f"/account/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_openapi_document_is_served(db: None) -> None:
    doc = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/regions" in doc["paths"] and "/api/v1/me" in doc["paths"]


def test_session_auth_works_for_the_api(tree: Tree, make_user: Callable[..., User]) -> None:
    client = sign_in(Client(), make_user(Role.COMMUNITY_STAFF))
    assert client.get("/api/v1/regions").json()["count"] == 4


def test_issue_token_refuses_an_account_that_must_use_two_factor_without_its_code(
    tree: Tree, make_user: Callable[..., User]
) -> None:
    import pytest
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.core.test_login import current_code

    auditor = make_user(Role.AUDITOR, username="aud")
    with pytest.raises(CommandError, match=r"two-factor|双因素"):
        call_command("issue_token", "aud")
    with pytest.raises(CommandError):
        call_command("issue_token", "aud", otp="123456")  # no authenticator enrolled: no code can pass
    assert not ApiToken.objects.filter(user=auditor).exists()
    device = TOTPDevice.objects.create(user=auditor, name="phone", confirmed=True)
    out = io.StringIO()
    call_command("issue_token", "aud", otp=current_code(device), stdout=out)
    raw = out.getvalue().strip()
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me").status_code == 200


def test_a_token_made_before_the_account_needed_two_factor_stops_working(
    tree: Tree, make_user: Callable[..., User]
) -> None:
    from wangge.core.services import token_issue, user_set_capabilities

    worker = make_user(Role.GRID_WORKER)
    _token, raw = token_issue(actor=None, user=worker, name="script")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/me").status_code == 200
    user_set_capabilities(actor=make_user(Role.SYSTEM_ADMIN), user=worker, capabilities={"core.reveal_sensitive"})
    assert api.get("/api/v1/me").status_code == 401


def test_the_console_makes_a_token_in_a_session_that_passed_the_second_factor(
    tree: Tree, make_user: Callable[..., User]
) -> None:
    secadmin = make_user(Role.SECURITY_ADMIN)
    client = sign_in(Client(), secadmin)  # passed the second factor
    client.post("/account/tokens/", {"name": "监控"})
    raw = client.get("/account/").context["new_token"]
    assert ApiToken.objects.get(user=secadmin).two_factor
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me").status_code == 200
