from __future__ import annotations

from typing import Any

from wangge.window.catalogue import item_create, notice_publish
from wangge.window.models import ServiceItem

MATERIALS = [
    {"name": "最低生活保障申请书", "form": "original", "copies": 1, "notes": "本人签字"},
    {"name": "户口簿", "form": "both", "copies": 1, "notes": ""},
]
NOTICE = {
    "conditions": "本区户籍，家庭人均收入低于低保标准。",
    "legal_basis": "《社会救助暂行办法》",
    "time_limit": "30个工作日",
    "fees": "",
    "place": "三元社区党群服务中心一楼",
    "phone": "0715-8126602",
}


def dibao(**overrides: Any) -> ServiceItem:
    """低保申请, reported to 区民政局, with its first notice."""
    fields: dict[str, Any] = {
        "name": "最低生活保障申请",
        "category": "civil_affairs",
        "keywords": "低保 困难救助",
        "office_level": "department",
        "department": "区民政局",
        "mode": "reported",
        "limit_days": 30,
        "on_behalf": True,
    } | overrides
    item = item_create(actor=None, code="MZ001", **fields)
    notice_publish(actor=None, item=item, materials=MATERIALS, **NOTICE)
    item.refresh_from_db()
    return item


def matrix_item() -> ServiceItem:
    """An active item with a published notice, made with plain ORM rows (no audit row: the matrix's fingerprint)."""
    from wangge.window.models import NoticeMaterial, ServiceNotice

    item = ServiceItem.objects.filter(code="MATRIX").first()
    if item is not None:
        return item
    item = ServiceItem.objects.create(
        code="MATRIX", name="矩阵证明", category="certificates", office_level="community", mode="on_the_spot"
    )
    notice = ServiceNotice.objects.create(item=item, version=1, **NOTICE)
    NoticeMaterial.objects.create(notice=notice, name="居民身份证", form="both")
    item.notice = notice
    item.save(update_fields=["notice"])
    return item
