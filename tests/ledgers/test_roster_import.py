"""The roster of the people on duty imported as a ledger kind: accounts with their roles and scopes, the duties,
one-time passwords on slips shown once and changed at the first sign-in; people already known are matched."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from tests.conftest import Tree, sign_in
from tests.ledgers import builders
from wangge.core import services as accounts
from wangge.core.jobs import files
from wangge.core.models import AuditEvent, User
from wangge.core.roles import Role
from wangge.ledgers import services
from wangge.ledgers.models import ImportJob
from wangge.regions import services as region_services
from wangge.regions.models import Assignment, UserScope

HEADER = ["姓名", "手机号", "职务", "所属网格", "职责", "专兼职"]


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user(Role.SYSTEM_ADMIN, username="sysadmin")


def fingerprint() -> tuple[Any, ...]:
    return (
        list(User.objects.order_by("pk").values_list("pk", "username", "phone")),
        list(Assignment.all_objects.order_by("pk").values_list("pk", "region_id", "role", "name", "user_id")),
        list(UserScope.objects.order_by("pk").values_list("user_id", "region_id")),
    )


def scope_of(user: User) -> set[str]:
    return set(UserScope.objects.filter(user=user).values_list("region__name", flat=True))


def test_the_roster_creates_accounts_scopes_and_duties_and_matches_who_exists(
    tree: Tree, admin: User, run_import: Callable[..., ImportJob]
) -> None:
    known = accounts.user_create(
        actor=None, username="zhaoli", password="Xk7p-Rt4m-9cQa", full_name="赵丽", phone="13900000003", roles=set()
    )
    rows = [
        HEADER,
        ["陈红", "13900000001", "网格员", "第二网格", "入户走访", "专职"],
        ["陈红", "139 0000 0001", "网格长", "乙第一网格", "", "兼职"],  # the same person, a second duty
        ["李明", "13900000002", "楼栋长", "甲社区/第一网格", "3栋", ""],  # no account by default
        ["赵丽", "13900000003", "包保干部", "第一网格", "", ""],  # an existing account: matched
        ["刘平珍", "13871501108", "网格员", "第一网格", "", "专职"],  # already on duty there
    ]

    job = run_import(admin, tree.district, builders.xlsx(rows), name="花名册.xlsx", kind="roster", on_existing="skip")

    assert job.state == ImportJob.State.DONE, job.message
    assert job.counts["new"] == 4 and job.counts["unchanged"] == 1
    assert job.result == {"assignments": 4, "accounts": 1, "matched": 1}
    chen = User.objects.get(phone="13900000001")
    assert chen.username == "13900000001" and chen.full_name == "陈红" and chen.must_change_password
    assert chen.role_set == {Role.GRID_WORKER} and scope_of(chen) == {"第二网格", "乙第一网格"}
    duties = Assignment.all_objects.filter(user=chen).order_by("role")
    assert [(a.region.name, a.role, a.employment) for a in duties] == [
        ("乙第一网格", "grid_leader", "part_time"),
        ("第二网格", "grid_worker", "full_time"),
    ]
    li = Assignment.all_objects.get(name="李明")
    assert li.user is None and li.role == "building_head" and li.duties == "3栋" and li.region == tree.grid_a1
    known.refresh_from_db()
    assert known.role_set == {Role.GRID_WORKER} and scope_of(known) == {"第一网格"}
    assert Assignment.all_objects.get(name="赵丽").user == known
    assert User.objects.filter(phone="13900000003").count() == 1
    assert Assignment.all_objects.filter(name="刘平珍").count() == 1
    assert AuditEvent.objects.filter(action="user.create", user_id=admin.pk).count() == 1
    assert AuditEvent.objects.filter(action="assignment.create", user_id=admin.pk).count() == 4

    # the slip's one-time password opens the account, once handed over
    slips = json.loads(files.take(job.pk, "slips") or b"[]")
    assert [(s["name"], s["username"]) for s in slips] == [("陈红", "13900000001")]
    assert chen.check_password(slips[0]["password"])
    assert files.take(job.pk, "slips") is None


def test_the_slips_are_shown_once_and_the_password_is_changed_at_first_sign_in(
    tree: Tree, admin: User, run_import: Callable[..., ImportJob]
) -> None:
    rows = [HEADER, ["陈红", "13900000001", "网格员", "第二网格", "", ""]]
    job = run_import(admin, tree.district, builders.xlsx(rows), kind="roster")
    client = sign_in(Client(), admin)
    done = client.get(f"/ledgers/imports/{job.pk}/").content.decode()
    assert f"/ledgers/imports/{job.pk}/slips/" in done

    page = client.get(f"/ledgers/imports/{job.pk}/slips/")
    html = page.content.decode()
    assert page["Cache-Control"] == "no-store" and "陈红" in html and "13900000001" in html and "/login/" in html
    password = html.split('data-testid="slip-password">')[1].split("<")[0]
    assert 'data-testid="slips-gone"' in client.get(f"/ledgers/imports/{job.pk}/slips/").content.decode()
    assert f"/ledgers/imports/{job.pk}/slips/" not in client.get(f"/ledgers/imports/{job.pk}/").content.decode()
    assert AuditEvent.objects.filter(action="ledger.slips", user_id=admin.pk).count() == 1

    worker = Client()
    response = worker.post("/login/", {"username": "13900000001", "password": password})
    assert response.status_code == 302
    assert worker.get("/").url.startswith("/account/password/")  # held until the password is changed


def test_rows_with_errors_are_reported_and_nothing_is_written(
    tree: Tree, admin: User, make_user: Callable[..., User], run_import: Callable[..., ImportJob]
) -> None:
    accounts.user_create(
        actor=None, username="wanggang", password="Xk7p-Rt4m-9cQa", full_name="王刚", phone="13900000009", roles=set()
    )
    User.objects.filter(pk=make_user(Role.SECURITY_ADMIN, username="secadmin", phone="13900000008").pk).update(
        full_name="安管"
    )
    rows = [
        HEADER,
        ["陈红", "13900000001", "网格员", "第二网格", "", ""],  # 2: fine
        ["周杰", "13900000009", "网格员", "第二网格", "", ""],  # 3: the phone is 王刚's account
        ["吴芳", "13900000005", "网格员", "第九网格", "", ""],  # 4: no such grid
        ["郑强", "12345", "网格员", "第二网格", "", ""],  # 5: not a phone
        ["孙悦", "13900000006", "网格书记", "第二网格", "", ""],  # 6: not a role
        ["陈红", "13900000001", "网格员", "第二网格", "", ""],  # 7: repeats row 2
        ["安管", "13900000008", "网格员", "第二网格", "", ""],  # 8: an administrator account
        ["钱多", "13900000007", "网格员", "第一网格", "", ""],  # 9: 第一网格 is not unique
    ]
    region_services.region_create(actor=None, parent=tree.community_b, name="第一网格")
    before = fingerprint()

    job = run_import(admin, tree.district, builders.xlsx(rows), kind="roster")

    assert job.state == ImportJob.State.CHECKED and job.counts["invalid"] == 7 and job.counts["new"] == 1
    errors = dict(job.first_errors)
    assert errors[3] == "手机号：该手机号属于 王刚 的账号 wanggang。"
    assert errors[4] == "所属网格：测试区 中没有区域 第九网格。"
    assert errors[5].startswith("手机号：")
    assert errors[6].startswith("职务：“网格书记”")
    assert errors[7] == "与第 2 行是同一职务。"
    assert "三权分立" in errors[8]
    assert errors[9] == "所属网格：有 2 个区域名为“第一网格”，请写出区域的路径，例如 甲社区/第一网格。"
    assert fingerprint() == before


def test_a_failure_while_writing_creates_no_account(
    tree: Tree, admin: User, run_import: Callable[..., ImportJob], monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [
        HEADER,
        ["陈红", "13900000001", "网格员", "第二网格", "", ""],
        ["李明", "13900000002", "网格员", "第二网格", "", ""],
    ]
    real = region_services.assignment_create
    calls: list[str] = []

    def failing(**kwargs: Any) -> Assignment:
        calls.append(kwargs["name"])
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(region_services, "assignment_create", failing)
    before = fingerprint()

    job = run_import(admin, tree.district, builders.xlsx(rows), kind="roster")

    assert job.state == ImportJob.State.FAILED and calls == ["陈红", "李明"]
    assert fingerprint() == before
    assert (
        f"/ledgers/imports/{job.pk}/slips/"
        not in sign_in(Client(), admin).get(f"/ledgers/imports/{job.pk}/").content.decode()
    )


def test_only_who_manages_accounts_imports_the_roster(tree: Tree, make_user: Callable[..., User]) -> None:
    supervisor = make_user(Role.STREET_SUPERVISOR, scope="district", username="supervisor")
    data = builders.xlsx([HEADER, ["陈红", "13900000001", "网格员", "第二网格", "", ""]])
    with pytest.raises(PermissionDenied):
        services.import_upload(actor=supervisor, region=tree.district, file_name="r.xlsx", data=data, kind="roster")
    assert sign_in(Client(), supervisor).get("/ledgers/kinds/roster/").status_code == 403
