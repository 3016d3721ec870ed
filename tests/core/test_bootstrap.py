"""The first administrators of an empty installation, and no way around 三权分立."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.checks import run_checks
from django.core.management import CommandError, call_command
from django.test import Client

from wangge.core.models import AuditEvent, User, UserRole
from wangge.core.roles import Role


def create_admin(role: str, username: str) -> str:
    out = io.StringIO()
    call_command("create_admin", username, role=role, stdout=out)
    return out.getvalue()


def one_time_password(output: str) -> str:
    match = re.search(r"One-time password: (\S+)", output)
    assert match, output
    return match.group(1)


def test_the_first_system_admin_signs_in_once_with_the_printed_password(db: None) -> None:
    output = create_admin(Role.SYSTEM_ADMIN, "zhangwei")
    password = one_time_password(output)
    user = User.objects.get(username="zhangwei")
    assert user.role_set == {Role.SYSTEM_ADMIN}
    assert user.must_change_password and not user.is_superuser and not user.is_staff
    assert password not in user.password
    actions = set(AuditEvent.objects.filter(object_id=str(user.pk)).values_list("action", flat=True))
    assert {"user.create", "user.admin_bootstrap"} <= actions
    assert AuditEvent.objects.get(action="user.admin_bootstrap").ip == "cli"
    client = Client()
    response = client.post("/login/", {"username": "zhangwei", "password": password})
    assert response.status_code == 302
    assert client.get("/users/").url == "/account/password/"


def test_a_role_already_held_is_refused_and_nothing_changes(db: None) -> None:
    create_admin(Role.SECURITY_ADMIN, "sec1")
    users, rows = User.objects.count(), AuditEvent.objects.count()
    with pytest.raises(CommandError, match="sec1"):
        create_admin(Role.SECURITY_ADMIN, "sec2")
    assert (User.objects.count(), AuditEvent.objects.count()) == (users, rows)
    # The other two roles are still to be created, each on its own account.
    create_admin(Role.AUDITOR, "aud1")
    create_admin(Role.SYSTEM_ADMIN, "sys1")
    assert {u.username: u.role_set for u in User.objects.all()} == {
        "sec1": {Role.SECURITY_ADMIN},
        "aud1": {Role.AUDITOR},
        "sys1": {Role.SYSTEM_ADMIN},
    }


def test_only_administrator_roles_and_free_names(db: None) -> None:
    with pytest.raises(CommandError):
        create_admin(Role.GRID_WORKER, "worker")
    create_admin(Role.AUDITOR, "same")
    with pytest.raises(CommandError):
        create_admin(Role.SYSTEM_ADMIN, "SAME")
    assert not User.objects.filter(roles__role=Role.SYSTEM_ADMIN).exists()


def test_createsuperuser_is_refused(db: None) -> None:
    with pytest.raises(CommandError, match="create_admin"):
        call_command("createsuperuser", "--noinput", username="root", email="")
    assert not User.objects.exists()


def separation_errors() -> list[str]:
    return [str(e.msg) for e in run_checks(include_deployment_checks=True) if e.id == "wangge.E012"]


def test_check_deploy_fails_while_a_superuser_or_a_combined_admin_is_active(db: None, settings: Any) -> None:
    settings.PRODUCTION = True
    create_admin(Role.SYSTEM_ADMIN, "sys")
    assert separation_errors() == []
    root = User.objects.create(username="root", is_superuser=True, is_staff=True)
    assert "root" in separation_errors()[0]
    root.is_active = False
    root.save(update_fields=["is_active"])
    assert separation_errors() == []
    both = User.objects.create(username="both")
    UserRole.objects.bulk_create(
        [UserRole(user=both, role=Role.SECURITY_ADMIN), UserRole(user=both, role=Role.AUDITOR)]
    )
    assert "both" in separation_errors()[0]
    UserRole.objects.filter(user=both, role=Role.AUDITOR).delete()
    staff_without_role = User.objects.create(username="staffer", is_staff=True)
    assert "staffer" in separation_errors()[0] and "both" not in separation_errors()[0]
    staff_without_role.delete()
    assert separation_errors() == []
