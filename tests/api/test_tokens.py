from __future__ import annotations

from collections.abc import Callable

from django.core.management import call_command
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
