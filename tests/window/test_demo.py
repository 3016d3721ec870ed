from __future__ import annotations

import io

import pytest

from wangge.window import demo
from wangge.window.catalogue import item_search
from wangge.window.models import ServiceItem, ServiceMode

pytestmark = pytest.mark.django_db


def test_demo_items_have_published_notices_and_load_once() -> None:
    demo.load(stdout=io.StringIO())
    out = io.StringIO()
    demo.load(stdout=out)  # idempotent
    assert "0 service items" in out.getvalue()
    items = list(ServiceItem.objects.select_related("notice"))
    assert len(items) == len(demo.ITEMS) >= 8
    assert all(item.notice is not None and item.notice.materials.exists() for item in items)
    assert {item.mode for item in items} == set(ServiceMode.values)
    assert [item.code for item in item_search("dibao")] == ["MZ001"]
    dibao = ServiceItem.objects.get(code="MZ001")
    assert dibao.department == "区民政局" and dibao.on_behalf
