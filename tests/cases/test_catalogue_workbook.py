"""The case catalogue in Excel (export, preview, import all or nothing) and departments without a handler account."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.conftest import Tree
from wangge.cases import catalogue_workbook
from wangge.cases.catalogue_services import escalation_rule_create
from wangge.cases.models import Category, EscalationRule
from wangge.cases.services import case_create
from wangge.core.models import AuditEvent, Notification, User
from wangge.core.roles import Role
from wangge.core.xlsx import workbook_sheets_bytes
from wangge.ledgers.readers import read_sheets

Book = dict[str, list[list[Any]]]

pytestmark = pytest.mark.django_db


def _export(client: Client) -> Book:
    """The exported workbook as the sheets' rows (header first), to edit as a user would in Excel."""
    response = client.get(reverse("cases:catalogue_export"))
    assert response.status_code == 200
    return read_sheets(response.content, "catalogue.xlsx")


def _upload(client: Client, book: Book, **extra: str) -> Any:
    content = workbook_sheets_bytes([(name, rows[0], rows[1:]) for name, rows in book.items()])
    upload = SimpleUploadedFile("事件类别.xlsx", content)
    return client.post(reverse("cases:catalogue_import"), {"file": upload, **extra})


def _confirm(client: Client, preview: Any) -> Any:
    context = preview.context
    return client.post(
        reverse("cases:catalogue_import"),
        {"action": "confirm", "data": context["data"], "filename": context["filename"]},
    )


def _row(sheet: list[list[Any]], code: str) -> list[Any]:
    return next(row for row in sheet if row[0] == code)


def _fingerprint() -> list[Any]:
    return [
        list(Category.objects.order_by("code").values_list(*(f.attname for f in Category._meta.concrete_fields))),
        list(EscalationRule.objects.order_by("id").values_list("trigger", "category_id", "raise_to", "supervision")),
    ]


def test_the_exported_workbook_comes_back_unchanged(tree: Tree, client_for: Callable[..., Client]) -> None:
    escalation_rule_create(
        actor=None,
        trigger="overdue",
        category=Category.objects.get(code="AQ"),
        raise_to="street",
        supervision="yellow",
        copy_departments="应急",
        copy_regions=[tree.community_a],
    )
    client = client_for(Role.SYSTEM_ADMIN)
    book = _export(client)
    assert list(book) == ["事件类别", "升级规则"]
    assert book["事件类别"][0] == catalogue_workbook.CATEGORY_COLUMNS
    assert book["升级规则"][1][6] == f"{tree.district.name}/{tree.street_a.name}/{tree.community_a.name}"
    before = _fingerprint()
    preview = _upload(client, book)
    plan = preview.context["plan"]
    assert plan.ok and not plan.has_changes and plan.unchanged == Category.objects.count()
    assert "没有需要导入" in preview.content.decode() or "nothing to import" in preview.content.decode()
    assert _fingerprint() == before


def test_a_district_edits_the_catalogue_in_excel(tree: Tree, client_for: Callable[..., Client]) -> None:
    client = client_for(Role.SYSTEM_ADMIN)
    book = _export(client)
    sheet = book["事件类别"]
    row = _row(sheet, "SS03")  # 路灯不亮
    row[7] = 2  # 处置时限
    row[12] = "否"  # 启用
    sheet.append(["SS07", "窨井异味", "SS", "职能部门", "水务", 2, "工作小时", 3, "工作日", 1, "工作日", 60, "是", 507])
    sheet.append(["HB", "环境保护", "", "社区", "", 1, "工作日", 5, "工作日", 2, "工作日", 70, "是", 1100])
    sheet.append(["HB01", "油烟扰民", "HB", "街道", "", 1, "工作日", 5, "工作日", 2, "工作日", 70, "是", 1101])
    rules = book["升级规则"]
    rules.append(["已超期", "SS", "", "街道", "黄牌", "", ""])
    rules.append(["即将到期", "", "特急", "", "督办", "", ""])
    preview = _upload(client, book)
    plan = preview.context["plan"]
    assert plan.ok, plan.errors
    assert sorted(r.code for r in plan.new) == ["HB", "HB01", "SS07"]
    assert [c.code for c, *_rest in plan.changed] == ["SS03"]
    assert len(plan.rules_added) == 2 and not plan.rules_removed
    page = preview.content.decode()
    assert "处置时限：3 → 2" in page and "启用：是 → 否" in page
    assert not Category.objects.filter(code="SS07").exists()  # the preview wrote nothing
    response = _confirm(client, preview)
    assert response.status_code == 302
    lamp = Category.objects.get(code="SS03")
    assert (lamp.handle_limit, lamp.is_active) == (2, False)
    odour = Category.objects.get(code="SS07")
    assert (odour.parent.code, odour.default_department, odour.accept_unit) == ("SS", "水务", "hours")  # type: ignore[union-attr]
    assert Category.objects.get(code="HB01").parent == Category.objects.get(code="HB")
    assert EscalationRule.objects.filter(category__code="SS", raise_to="street", supervision="yellow").exists()
    assert EscalationRule.objects.filter(category=None, urgency="emergency", trigger="yellow").exists()
    assert AuditEvent.objects.filter(action="case_catalogue.import").count() == 1
    assert AuditEvent.objects.filter(action="case_category.create").count() == 3
    # and the rules sheet emptied removes every rule
    book = _export(client)
    book["升级规则"] = book["升级规则"][:1]
    _confirm(client, _upload(client, book))
    assert not EscalationRule.objects.exists()


def test_row_errors_are_shown_in_chinese_and_nothing_is_imported(tree: Tree, client_for: Callable[..., Client]) -> None:
    client = client_for(Role.SYSTEM_ADMIN)
    book = _export(client)
    sheet = book["事件类别"]
    _row(sheet, "MD01")[7] = 0  # 处置时限 out of range
    _row(sheet, "MD02")[3] = "居委会"  # not a level
    _row(sheet, "MD03")[2] = "ZA"  # another parent
    sheet.append(["XX01", "新类别", "NOPE", "网格", "", 1, "工作日", 1, "工作日", 1, "工作日", 70, "是", 1])
    sheet.append(["ZA01", "重复", "ZA", "网格", "", 1, "工作日", 1, "工作日", 1, "工作日", 70, "是", 1])
    sheet.append(["ZZ01", "部门类别", "QT", "职能部门", "", 1, "工作日", 1, "工作日", 1, "工作日", 70, "是", 1])
    sheet.append(["OK01", "正常的新类别", "QT", "网格", "", 1, "工作日", 1, "工作日", 1, "工作日", 70, "是", 1])
    book["升级规则"].append(["永不", "", "", "街道", "", "", ""])
    book["升级规则"].append(["已超期", "", "", "", "", "", "不存在的社区"])
    before = _fingerprint()
    preview = _upload(client, book)
    plan = preview.context["plan"]
    assert not plan.ok and len(plan.errors) == 8
    page = preview.content.decode()
    assert 'data-testid="catalogue-errors"' in page and 'value="confirm"' not in page
    assert "事件类别，第" in page and "行" in page
    assert "处置时限必须是1到999之间的整数" in page
    assert "不能更改上级" in page and "NOPE" in page and "ZA01" in page
    assert "升级规则，第" in page and "不存在的社区" in page
    # a forged confirm with the same file is refused as well
    content = workbook_sheets_bytes([(name, rows[0], rows[1:]) for name, rows in book.items()])
    client.post(
        reverse("cases:catalogue_import"),
        {"action": "confirm", "data": base64.b64encode(content).decode(), "filename": "x.xlsx"},
    )
    assert _fingerprint() == before
    assert not Category.objects.filter(code="OK01").exists()


def test_a_file_that_is_not_the_workbook_is_refused(client_for: Callable[..., Client]) -> None:
    client = client_for(Role.SYSTEM_ADMIN)
    upload = SimpleUploadedFile("事件类别.xlsx", b"not a workbook at all")
    page = client.post(reverse("cases:catalogue_import"), {"file": upload}).content.decode()
    assert "导入" in page and 'value="confirm"' not in page
    huge = SimpleUploadedFile("事件类别.xlsx", b"PK\x03\x04" + b"0" * (2 * 1024 * 1024))
    assert "2 MB" in client.post(reverse("cases:catalogue_import"), {"file": huge}).context["plan"].errors[0]
    book: Book = {"Sheet1": [["编码", "名称"], ["A", "b"]]}
    assert "事件类别" in _upload(client, book).context["plan"].errors[0]
    staff = client_for(Role.COMMUNITY_STAFF)
    assert staff.get(reverse("cases:catalogue_export")).status_code == 403
    assert _upload(staff, book).status_code == 403


def test_a_department_without_a_handler_is_flagged_and_its_cases_reach_the_staff(
    tree: Tree,
    make_user: Callable[..., User],
    client_for: Callable[..., Client],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    community = make_user(Role.COMMUNITY_STAFF)
    street = make_user(Role.STREET_SUPERVISOR)
    worker = make_user(Role.GRID_WORKER)
    admin = client_for(Role.SYSTEM_ADMIN)
    page = admin.get(reverse("cases:catalogue"))
    flagged = {c.code for c in page.context["categories"] if c.pk in page.context["unstaffed"]}
    assert {"SS01", "SS02", "ZA03"} <= flagged  # 水务 and 派出所 have no handler account yet
    assert 'data-testid="no-handler"' in page.content.decode()
    water = Category.objects.get(code="SS02")
    with django_capture_on_commit_callbacks(execute=True):
        case = case_create(actor=worker, region=tree.grid_a1, category=water, title="下水道堵塞").case
    assert case.department == "水务"
    notified = set(
        Notification.objects.filter(target_type="cases.case", target_id=case.pk).values_list("user_id", flat=True)
    )
    assert notified == {community.pk, street.pk}
    street_client = Client()
    from tests.conftest import sign_in

    sign_in(street_client, street)
    detail = street_client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="department-unstaffed"' in detail and "水务" in detail
    # once the department has its handler, the flag goes and the handler is the one told
    handler = make_user(Role.DEPARTMENT_HANDLER, department="水务")
    page = admin.get(reverse("cases:catalogue"))
    assert water.pk not in page.context["unstaffed"]
    with django_capture_on_commit_callbacks(execute=True):
        second = case_create(actor=worker, region=tree.grid_a1, category=water, title="又堵了").case
    assert set(
        Notification.objects.filter(target_type="cases.case", target_id=second.pk).values_list("user_id", flat=True)
    ) == {handler.pk}
    assert (
        'data-testid="department-unstaffed"'
        not in street_client.get(reverse("cases:detail", args=[second.pk])).content.decode()
    )
