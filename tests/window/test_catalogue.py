"""The catalogue's services: items, notice versions, search, permissions and the audit trail."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.window.factories import MATERIALS, NOTICE, dibao
from wangge.core.models import AuditEvent, User
from wangge.core.roles import Role
from wangge.window.catalogue import item_create, item_search, item_update, notice_publish
from wangge.window.models import ServiceItem, ServiceNotice

pytestmark = pytest.mark.django_db

BASE = {"name": "居住证明", "category": "certificates", "office_level": "community", "mode": "on_the_spot"}


def test_a_new_notice_is_a_new_version_and_the_old_one_is_kept() -> None:
    item = dibao()
    first = item.notice
    assert first is not None and first.version == 1
    second = notice_publish(
        actor=None,
        item=item,
        materials=[*MATERIALS, {"name": "收入证明", "form": "original", "copies": "2", "notes": ""}],
        **(NOTICE | {"time_limit": "20个工作日"}),
    )
    item.refresh_from_db()
    assert item.notice == second and second.version == 2
    first.refresh_from_db()
    assert first.time_limit == "30个工作日"
    assert [m.name for m in first.materials.all()] == ["最低生活保障申请书", "户口簿"]
    assert [(m.name, m.copies) for m in second.materials.all()][-1] == ("收入证明", 2)
    assert ServiceNotice.objects.filter(item=item).count() == 2


@pytest.mark.parametrize("query", ["低保", "dibao", "db", "DiBao", "MZ001", "困难", "kunnan", "zdshbz"])
def test_search_by_name_keyword_pinyin_and_initials(query: str) -> None:
    item = dibao()
    item_create(actor=None, code="ZM001", **BASE)
    assert list(item_search(query)) == [item]


def test_search_leaves_out_inactive_items_unless_asked() -> None:
    item = dibao()
    item_update(actor=None, item=item, is_active=False)
    assert list(item_search("dibao")) == []
    assert list(item_search("dibao", active_only=False)) == [item]


def test_renaming_updates_the_pinyin_keys() -> None:
    item = item_create(actor=None, code="ZM001", **BASE)
    item_update(actor=None, item=item, name="独生子女证明")
    assert list(item_search("dszn")) == [item]
    assert list(item_search("jzzm")) == []


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"office_level": "department", "department": " "}, "department_required"),
        ({"office_level": ""}, "office_required"),
        ({"mode": "promised"}, "limit_required"),
        ({"mode": "on_the_spot", "limit_days": 3}, "limit_on_the_spot"),
        ({"mode": "promised", "limit_days": 0}, "bad_limit"),
        ({"category": "nonsense"}, "bad_category"),
        ({"name": "  "}, "name_required"),
    ],
)
def test_bad_items_are_refused_and_nothing_is_written(fields: dict[str, object], code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        item_create(actor=None, code="X1", **(BASE | fields))
    assert caught.value.code == code
    assert not ServiceItem.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="service_item").exists()


def test_duplicate_and_bad_codes_are_refused() -> None:
    item_create(actor=None, code="zm001", **BASE)
    assert ServiceItem.objects.get().code == "ZM001"
    for code in ("ZM001", "有空格 的", ""):
        with pytest.raises(ValidationError):
            item_create(actor=None, code=code, **BASE)
    assert ServiceItem.objects.count() == 1


@pytest.mark.parametrize(
    ("materials", "fields"),
    [
        ([], {}),
        ([{"name": "  ", "form": "copy", "copies": 1}], {}),
        ([{"name": "户口簿", "form": "scan", "copies": 1}], {}),
        ([{"name": "户口簿", "form": "copy", "copies": 0}], {}),
        ([{"name": "户口簿", "form": "copy", "copies": "x"}], {}),
        (MATERIALS, {"phone": ""}),
        (MATERIALS, {"conditions": " "}),
    ],
)
def test_a_bad_notice_is_refused_and_the_current_one_stays(
    materials: list[dict[str, object]], fields: dict[str, str]
) -> None:
    item = dibao()
    with pytest.raises(ValidationError):
        notice_publish(actor=None, item=item, materials=materials, **(NOTICE | fields))
    item.refresh_from_db()
    assert item.notice is not None and item.notice.version == 1
    assert ServiceNotice.objects.count() == 1


def test_without_the_capability_nothing_changes(make_user: Callable[..., User]) -> None:
    item = dibao()
    worker = make_user(Role.GRID_WORKER)
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        item_create(actor=worker, code="ZM001", **BASE)
    with pytest.raises(PermissionDenied):
        item_update(actor=worker, item=item, name="改名")
    with pytest.raises(PermissionDenied):
        notice_publish(actor=worker, item=item, materials=MATERIALS, **NOTICE)
    item.refresh_from_db()
    assert item.name == "最低生活保障申请" and ServiceItem.objects.count() == 1 and ServiceNotice.objects.count() == 1
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.STREET_SUPERVISOR])
def test_writes_are_audited(role: str, make_user: Callable[..., User]) -> None:
    user = make_user(role)
    item = item_create(actor=user, code="ZM001", **BASE)
    item_update(actor=user, item=item, keywords="住址证明、居住")
    notice = notice_publish(actor=user, item=item, materials=MATERIALS, **NOTICE)
    assert notice.created_by == user
    rows = AuditEvent.objects.filter(object_id=str(item.pk), user_id=user.pk).order_by("pk")
    assert [r.action for r in rows] == ["service_item.create", "service_item.update", "service_notice.publish"]
    assert json.loads(rows[1].detail)["changes"]["keywords"] == ["", "住址证明 居住"]
    assert json.loads(rows[2].detail)["version"] == 1
