"""The catalogue's pages: the console (list, search, edit, versions) and the public notice pages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from tests.window.factories import MATERIALS, NOTICE, dibao
from wangge.core.roles import Role
from wangge.window.catalogue import item_update, notice_publish
from wangge.window.models import ServiceItem, ServiceNotice

pytestmark = pytest.mark.django_db


def _notice_body(**fields: object) -> dict[str, object]:
    return {
        "action": "notice",
        **NOTICE,
        "material_name": ["居民身份证", "户口簿", ""],
        "material_form": ["both", "copy", "original"],
        "material_copies": ["1", "2", "1"],
        "material_notes": ["", "全体家庭成员", ""],
        **fields,
    }


def test_console_lists_and_searches_by_initials(client_for: Callable[..., Client]) -> None:
    item = dibao()
    client = client_for(Role.STREET_SUPERVISOR)
    page = client.get(reverse("window:catalogue"), {"q": "db"}).content.decode()
    assert item.name in page and "v1" in page
    assert item.name not in client.get(reverse("window:catalogue"), {"q": "jzzm"}).content.decode()
    home = client.get(reverse("home")).content.decode()
    assert reverse("window:catalogue") in home  # the console menu links to it


def test_console_creates_an_item_then_publishes_versions(client_for: Callable[..., Client]) -> None:
    client = client_for(Role.SYSTEM_ADMIN)
    body = {"code": "gl01", "name": "高龄津贴申领", "category": "civil_affairs", "office_level": "street"}
    response = client.post(reverse("window:item_create"), body | {"mode": "promised", "limit_days": "10"})
    assert response.status_code == 302
    item = ServiceItem.objects.get(code="GL01")
    assert item.limit_days == 10 and item.notice is None
    assert client.post(reverse("window:item_edit", args=["GL01"]), _notice_body()).status_code == 302
    assert client.post(reverse("window:item_edit", args=["GL01"]), _notice_body(fees="免费")).status_code == 302
    item.refresh_from_db()
    assert item.notice is not None and item.notice.version == 2 and item.notice.fees == "免费"
    assert [(m.name, m.copies) for m in item.notice.materials.all()] == [("居民身份证", 1), ("户口簿", 2)]
    versions = client.get(reverse("window:item_versions", args=["GL01"])).content.decode()
    assert versions.count('data-testid="version"') == 2


def test_bad_input_is_refused_with_a_message_in_chinese_and_nothing_changes(client_for: Callable[..., Client]) -> None:
    item = dibao()
    client = client_for(Role.SYSTEM_ADMIN)
    response = client.post(
        reverse("window:item_edit", args=[item.code]),
        _notice_body(material_name=["", "", ""]),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert "至少列出一项申请人需提交的材料" in response.content.decode()
    response = client.post(
        reverse("window:item_edit", args=[item.code]),
        {"action": "item", "name": "低保", "category": "civil_affairs", "office_level": "department"}
        | {"department": "", "mode": "reported"},
    )
    assert response.status_code == 400
    assert "请填写负责此事项的部门" in response.content.decode()
    item.refresh_from_db()
    assert item.name == "最低生活保障申请" and ServiceNotice.objects.count() == 1


def test_public_page_shows_the_notice_and_nothing_internal(client_for: Callable[..., Client]) -> None:
    item = dibao()
    staff = client_for(Role.STREET_SUPERVISOR)
    notice_publish(actor=staff.user, item=item, materials=MATERIALS, **(NOTICE | {"fees": "免费"}))  # type: ignore[attr-defined]
    page = Client().get(reverse("window:public_item", args=[item.code])).content.decode()
    for shown in (item.name, NOTICE["time_limit"], NOTICE["place"], NOTICE["phone"], "最低生活保障申请书", "本人签字"):
        assert shown in page
    for internal in (staff.user.username, staff.user.full_name, "区民政局", "window/catalogue", "csrfmiddlewaretoken"):  # type: ignore[attr-defined]
        assert internal not in page, internal
    listing = Client().get(reverse("window:public_list"), {"q": "dibao"}).content.decode()
    assert reverse("window:public_item", args=[item.code]) in listing


def test_inactive_or_unpublished_items_are_not_public() -> None:
    item = dibao()
    item_update(actor=None, item=item, is_active=False)
    assert Client().get(reverse("window:public_item", args=[item.code])).status_code == 404
    assert item.name not in Client().get(reverse("window:public_list")).content.decode()
    bare = ServiceItem.objects.create(
        code="NEW1", name="草稿事项", category="other", office_level="street", mode="on_the_spot"
    )
    assert Client().get(reverse("window:public_print", args=[bare.code])).status_code == 404


def test_print_page_is_a4(client: Client) -> None:
    item = dibao()
    response = client.get(reverse("window:public_print", args=[item.code]))
    page = response.content.decode()
    assert response.status_code == 200 and "notice_print.css" in page and "最低生活保障申请书" in page
    from django.contrib.staticfiles import finders

    css_path = finders.find("css/notice_print.css")
    assert css_path is not None
    with open(css_path, encoding="utf-8") as css:
        assert "@page { size: A4;" in css.read()
