from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from tests.conftest import PASSWORD, Tree, sign_in
from wangge.core.audit import audit_record
from wangge.core.models import AuditEvent, User
from wangge.core.roles import Role
from wangge.core.selectors import what_user_viewed, who_revealed


def test_system_admin_creates_an_account_that_must_change_its_password(
    tree: Tree, client_for: Callable[..., Client]
) -> None:
    client = client_for(Role.SYSTEM_ADMIN)
    response = client.post(
        "/users/new/",
        {"username": "zhang", "full_name": "张三", "roles": ["grid_worker"], "password": PASSWORD, "is_active": "on"},
    )
    assert response.status_code == 302
    user = User.objects.get(username="zhang")
    assert user.must_change_password and user.role_set == {"grid_worker"}


def test_admin_roles_cannot_be_combined(tree: Tree, client_for: Callable[..., Client]) -> None:
    client = client_for(Role.SYSTEM_ADMIN)
    response = client.post(
        "/users/new/", {"username": "both", "roles": ["auditor", "grid_worker"], "password": PASSWORD}
    )
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not User.objects.filter(username="both").exists()


def test_admin_accounts_cannot_hold_reveal_permission(
    tree: Tree, client_for: Callable[..., Client], make_user: Callable[..., User]
) -> None:
    client = client_for(Role.SYSTEM_ADMIN)
    auditor = make_user(Role.AUDITOR)
    response = client.post(
        f"/users/{auditor.pk}/", {"roles": ["auditor"], "capabilities": ["core.reveal_sensitive"], "is_active": "on"}
    )
    assert response.status_code == 200
    assert auditor.user_permissions.count() == 0


def test_auditor_searches_are_themselves_audited(tree: Tree, client_for: Callable[..., Client]) -> None:
    client = client_for(Role.AUDITOR)
    response = client.get("/audit/", {"action": "region."})
    assert response.status_code == 200
    assert all(e.action.startswith("region.") for e in response.context["page"])
    search = AuditEvent.objects.get(action="audit.search")
    assert search.username == client.user.username and "region." in search.detail  # type: ignore[attr-defined]
    export = client.get("/audit/export.xlsx", {"action": "region."})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")
    assert AuditEvent.objects.filter(action="export.audit").exists()


def test_who_revealed_and_what_a_user_viewed_are_one_query_each(
    tree: Tree, make_user: Callable[..., User], django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    auditor = make_user(Role.AUDITOR)
    staff = make_user(Role.COMMUNITY_STAFF)
    audit_record(actor=staff, action="reveal.id_number", object_type="people.person", object_id=42)
    audit_record(actor=staff, action="export.regions", object_type="regions.region", object_id=1)
    audit_record(actor=staff, action="region.update", object_type="regions.region", object_id=1)
    auditor.get_all_permissions()  # permissions are loaded once per request, outside the query
    with django_assert_num_queries(1):
        revealed = list(who_revealed(actor=auditor, object_type="people.person", object_id="42"))
    assert [e.username for e in revealed] == [staff.username]
    with django_assert_num_queries(1):
        viewed = list(what_user_viewed(actor=auditor, user_id=staff.pk))
    assert {e.action for e in viewed} == {"reveal.id_number", "export.regions"}


def test_security_admin_unlocks_and_resets_two_factor(
    tree: Tree, client_for: Callable[..., Client], make_user: Callable[..., User]
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from wangge.core.models import LoginFailure

    locked = LoginFailure.objects.create(kind="account", key="grid8", failures=5)
    auditor = make_user(Role.AUDITOR)
    sign_in(Client(), auditor)  # enrols a device
    client = client_for(Role.SECURITY_ADMIN)
    assert "grid8" in client.get("/security/").content.decode()
    client.post(f"/security/unlock/{locked.pk}/")
    assert not LoginFailure.objects.filter(pk=locked.pk).exists()
    client.post(f"/security/2fa-reset/{auditor.pk}/")
    assert not TOTPDevice.objects.filter(user=auditor).exists()
    assert AuditEvent.objects.filter(action="user.2fa_reset").exists()


def test_each_audited_action_writes_its_row(tree: Tree, make_user: Callable[..., User]) -> None:
    make_user(Role.GRID_WORKER, username="worker")
    client = Client()
    client.post("/login/", {"username": "worker", "password": "wrong"})
    client.post("/login/", {"username": "worker", "password": PASSWORD})
    client.post("/logout/")
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions[-3:] == ["login.failed", "login.ok", "logout"]
    assert (
        AuditEvent.objects.filter(
            action__in=["user.create", "user.scope", "region.create", "assignment.create"]
        ).count()
        >= 4
    )
