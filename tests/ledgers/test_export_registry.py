"""The export registry (`wangge.core.exports`): a kind registered by a test works inline and as a background job,
alike: in the user's scope, masked unless they may reveal, capped, refused without permission, audited with its rows."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import python_calamine
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.test import Client

from tests.conftest import Tree, sign_in
from wangge.core import exports
from wangge.core.models import AuditEvent, User
from wangge.core.roles import Cap, Role
from wangge.core.services import user_set_capabilities
from wangge.ledgers.models import ExportJob
from wangge.people import services as people_services
from wangge.people.selectors import people_visible

pytestmark = pytest.mark.usefixtures("immediate_tasks")

THRESHOLD = {"rows": 100}


def _selection(user: User, params: QueryDict) -> exports.Selection:
    rows = people_visible(user=user).order_by("name_pinyin", "id")
    if params.get("q"):
        rows = rows.filter(name__contains=params["q"])
    return exports.Selection(rows=rows, filters=exports.described(params))


TEST_KIND = exports.ExportKind(
    code="test_people",
    label="测试",
    file_name="测试-{date}.xlsx",
    select=_selection,
    columns=lambda user: [
        exports.Column("姓名", lambda p: p.name),
        exports.Column("联系电话", lambda p: p.phone_masked, full=lambda p: people_services.reveal_value(p, "phone")),
        exports.Column("网格", lambda p: p.region.name),
    ],
    permission=lambda user: user.has_perm(Cap.EXPORT_LISTS),
    limit=lambda user: None if user.has_perm(Cap.BULK_EXPORT) else 2,
    job_above=lambda: THRESHOLD["rows"],
    object_type="people.person",
)


@pytest.fixture(autouse=True)
def test_kind() -> Iterator[exports.ExportKind]:
    exports.register(TEST_KIND)
    THRESHOLD["rows"] = 100
    yield TEST_KIND
    exports.unregister(TEST_KIND.code)


@pytest.fixture
def people(tree: Tree) -> None:
    for name, phone in (("甲一", "13871500001"), ("甲二", "13871500002"), ("甲三", "")):
        people_services.person_create(actor=None, region=tree.grid_a1, name=name, phone=phone)
    people_services.person_create(actor=None, region=tree.grid_b1, name="乙一", phone="13871500009")


def _sheet(content: bytes) -> list[list[Any]]:
    rows: list[list[Any]] = (
        python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    )
    return rows


def _user(make_user: Callable[..., User], role: str, *capabilities: str) -> User:
    user = make_user(role)
    if capabilities:
        user_set_capabilities(actor=make_user(Role.SYSTEM_ADMIN), user=user, capabilities=set(capabilities))
    return User.objects.get(pk=user.pk)  # permissions read afresh


def _audit(code: str = "test_people") -> dict[str, Any]:
    detail: dict[str, Any] = json.loads(AuditEvent.objects.get(action=f"export.{code}").detail)
    return detail


def test_a_registered_kind_exports_inline_in_the_users_scope_masked_and_capped(
    people: None, make_user: Callable[..., User]
) -> None:
    worker = _user(make_user, Role.GRID_WORKER)  # grid_a1; no reveal, no bulk export
    built = exports.export(actor=worker, code="test_people", params=QueryDict())
    assert isinstance(built, exports.Built) and built.file_name.startswith("测试-") and built.rows == 2
    assert _sheet(built.content) == [
        ["姓名", "联系电话", "网格"],
        ["甲二", "138****0002", "第一网格"],
        ["甲三", "", "第一网格"],
    ]
    assert _audit() == {"filters": {}, "rows": 2, "full_values": False, "capped": True}
    assert AuditEvent.objects.get(action="export.test_people").object_type == "people.person"


def test_a_user_who_may_reveal_gets_full_values_and_the_trail_says_so(
    people: None, make_user: Callable[..., User]
) -> None:
    revealer = _user(make_user, Role.GRID_WORKER, Cap.REVEAL_SENSITIVE, Cap.BULK_EXPORT)
    built = exports.export(actor=revealer, code="test_people", params=QueryDict("q=甲"))
    assert isinstance(built, exports.Built)
    assert [r[1] for r in _sheet(built.content)] == ["联系电话", "13871500002", "", "13871500001"]
    assert _audit() == {
        "filters": {"q": "甲"},
        "rows": 3,
        "full_values": True,
        "capped": False,
    }


def test_a_user_the_kind_does_not_allow_is_refused_and_nothing_is_written(
    people: None, make_user: Callable[..., User]
) -> None:
    auditor = _user(make_user, Role.AUDITOR)
    with pytest.raises(PermissionDenied):
        exports.export(actor=auditor, code="test_people", params=QueryDict())
    assert not AuditEvent.objects.filter(action="export.test_people").exists()
    assert not ExportJob.objects.exists()


def test_over_the_threshold_the_same_kind_runs_as_a_job_with_the_same_file(
    people: None,
    make_user: Callable[..., User],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    worker = _user(make_user, Role.GRID_WORKER, Cap.BULK_EXPORT)
    inline = exports.export(actor=worker, code="test_people", params=QueryDict("q=甲"))
    assert isinstance(inline, exports.Built)
    THRESHOLD["rows"] = 2
    with django_capture_on_commit_callbacks(execute=True):
        queued = exports.export(actor=worker, code="test_people", params=QueryDict("q=甲"))
    assert isinstance(queued, exports.Queued)
    job = ExportJob.objects.get()
    assert queued.url == f"/ledgers/exports/{job.pk}/" and job.kind == "test_people"
    assert job.state == ExportJob.State.DONE and job.rows == 3 and job.query == ""
    download = sign_in(Client(), worker).get(f"{queued.url}?download=1")
    assert _sheet(download.content) == _sheet(inline.content)
    assert AuditEvent.objects.filter(action="export.test_people").count() == 2


def test_a_job_selects_again_in_the_users_scope_as_it_is_when_it_runs(
    tree: Tree, people: None, make_user: Callable[..., User], django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    from wangge.regions import services as region_services

    worker = _user(make_user, Role.GRID_WORKER, Cap.BULK_EXPORT)
    THRESHOLD["rows"] = 0
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queued = exports.export(actor=worker, code="test_people", params=QueryDict())
    assert isinstance(queued, exports.Queued)
    region_services.scope_set(actor=None, user=worker, regions=[tree.grid_b1])  # moved to another grid meanwhile
    for callback in callbacks:
        callback()
    download = sign_in(Client(), worker).get(f"{queued.url}?download=1")
    assert [r[0] for r in _sheet(download.content)] == ["姓名", "乙一"]


def test_every_list_export_is_registered_once_with_its_own_code() -> None:
    codes = [kind.code for kind in exports.registered()]
    assert {"people", "cases", "regions", "audit"} <= set(codes)
    assert len(codes) == len(set(codes))
    with pytest.raises(exports.UnknownExportError):
        exports.kind_for("no_such_export")
