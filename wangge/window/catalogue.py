"""Writes to the service catalogue and its search: items, notice versions (一次性告知). Audited."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils.translation import gettext as _

from wangge.cases.choices import HandlingLevel
from wangge.core.audit import audit_record
from wangge.core.models import User
from wangge.core.pinyin import query_keys, text_keys
from wangge.core.roles import Cap
from wangge.window.models import OFFICE_LEVELS, NoticeMaterial, ServiceCategory, ServiceItem, ServiceMode, ServiceNotice

ITEM_FIELDS = (
    "name",
    "category",
    "keywords",
    "office_level",
    "department",
    "mode",
    "limit_days",
    "appointment",
    "door_to_door",
    "online",
    "on_behalf",
    "is_active",
)
NOTICE_FIELDS = ("conditions", "legal_basis", "time_limit", "fees", "place", "phone")
CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,16}")
MAX_LIMIT_DAYS = 365
MAX_COPIES = 20


def _require(actor: User | None) -> None:
    if actor is not None and not actor.has_perm(Cap.MANAGE_SERVICE_CATALOGUE):
        raise PermissionDenied(_("You do not have permission to do this."))


def _text(value: Any) -> str:
    return str(value or "").strip()


def _check_item(fields: dict[str, Any]) -> None:
    """The rules across an item's fields; raises ValidationError with the first one broken."""
    if not fields["name"]:
        raise ValidationError(_("Give the service item a name."), code="name_required")
    if fields["category"] not in ServiceCategory.values:
        raise ValidationError(_("Unknown service category."), code="bad_category")
    if fields["office_level"] not in dict(OFFICE_LEVELS):
        raise ValidationError(_("Choose the office responsible for this item."), code="office_required")
    if fields["office_level"] == HandlingLevel.DEPARTMENT and not fields["department"]:
        raise ValidationError(_("Name the department responsible for this item."), code="department_required")
    if fields["mode"] not in ServiceMode.values:
        raise ValidationError(_("Unknown service mode."), code="bad_mode")
    limit = fields["limit_days"]
    if fields["mode"] == ServiceMode.ON_THE_SPOT and limit is not None:
        raise ValidationError(_("An item done on the spot has no time limit in days."), code="limit_on_the_spot")
    if fields["mode"] == ServiceMode.PROMISED and limit is None:
        raise ValidationError(_("Give the promised time limit in working days."), code="limit_required")
    if limit is not None and not 1 <= limit <= MAX_LIMIT_DAYS:
        raise ValidationError(
            _("A time limit is 1 to %(max)s working days.") % {"max": MAX_LIMIT_DAYS}, code="bad_limit"
        )


def _normalised(fields: dict[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    for name in ("name", "category", "keywords", "office_level", "department", "mode"):
        if name in out:
            out[name] = _text(out[name])
    if "keywords" in out:  # one separator, whatever the user typed (、，, or spaces)
        out["keywords"] = " ".join(re.split(r"[\s,，、;；]+", out["keywords"])).strip()
    if "limit_days" in out:
        value = out["limit_days"]
        out["limit_days"] = None if value in (None, "") else int(value)
    if out.get("office_level") and out["office_level"] != HandlingLevel.DEPARTMENT:
        out["department"] = ""
    return out


def search_keys(item: ServiceItem) -> str:
    """What the pinyin search looks in: full pinyin and initials of the name and of every keyword."""
    keys: list[str] = []
    for words in [item.name, *item.keywords.split()]:
        keys.extend(text_keys(words))
    return " ".join(key for key in keys if key)


def _unknown(fields: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValueError(f"not a field: {sorted(unknown)}")


@transaction.atomic
def item_create(*, actor: User | None, code: str, **fields: Any) -> ServiceItem:
    """A new item, without a notice yet: it is published with `notice_publish`."""
    _require(actor)
    _unknown(fields, ITEM_FIELDS)
    code = _text(code).upper()
    if not CODE_PATTERN.fullmatch(code):
        raise ValidationError(_("A code is 1 to 16 letters, digits, - or _."), code="bad_code")
    if ServiceItem.objects.filter(code=code).exists():
        raise ValidationError(_("An item with this code already exists."), code="code_taken")
    defaults = {f: getattr(ServiceItem, f).field.get_default() for f in ITEM_FIELDS}
    merged = defaults | _normalised(fields)
    _check_item(merged)
    item = ServiceItem(code=code, **merged)
    item.pinyin = search_keys(item)
    item.save()
    audit_record(actor=actor, action="service_item.create", obj=item, detail={"code": code, "name": item.name})
    return item


@transaction.atomic
def item_update(*, actor: User | None, item: ServiceItem, **fields: Any) -> ServiceItem:
    """Change an item's own fields (not its notice: that is a new version). The code never changes."""
    _require(actor)
    _unknown(fields, ITEM_FIELDS)
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    merged = {f: getattr(item, f) for f in ITEM_FIELDS} | _normalised(fields)
    _check_item(merged)
    changed = {f: [getattr(item, f), v] for f, v in merged.items() if getattr(item, f) != v}
    for field, value in merged.items():
        setattr(item, field, value)
    item.pinyin = search_keys(item)
    item.save()
    audit_record(actor=actor, action="service_item.update", obj=item, detail={"changes": changed})
    return item


def _clean_materials(materials: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for row in materials:
        name = _text(row.get("name"))
        if not name:
            continue  # an empty row of the form
        form = _text(row.get("form"))
        if form not in NoticeMaterial.Form.values:
            raise ValidationError(_("Say whether %(name)s is an original or a copy.") % {"name": name}, code="bad_form")
        raw = row.get("copies")
        try:
            copies = 1 if raw in (None, "") else int(str(raw))
        except (TypeError, ValueError):
            copies = 0
        if not 1 <= copies <= MAX_COPIES:
            raise ValidationError(
                _("The copies of %(name)s are 1 to %(max)s.") % {"name": name, "max": MAX_COPIES}, code="bad_copies"
            )
        rows.append({"name": name, "form": form, "copies": copies, "notes": _text(row.get("notes"))})
    if not rows:
        raise ValidationError(_("List at least one material the applicant brings."), code="materials_required")
    return rows


@transaction.atomic
def notice_publish(
    *, actor: User | None, item: ServiceItem, materials: list[dict[str, Any]], **fields: Any
) -> ServiceNotice:
    """Publish a new version of the item's 一次性告知 and make it current; earlier versions stay as they were."""
    _require(actor)
    _unknown(fields, NOTICE_FIELDS)
    values = {f: _text(fields.get(f)) for f in NOTICE_FIELDS}
    for required, message in (
        ("conditions", _("Say who may apply (the conditions).")),
        ("time_limit", _("Give the time limit residents are told.")),
        ("place", _("Say where and when to apply.")),
        ("phone", _("Give the phone number residents may call.")),
    ):
        if not values[required]:
            raise ValidationError(message, code=f"{required}_required")
    rows = _clean_materials(materials)
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    version = (item.notices.aggregate(last=Max("version"))["last"] or 0) + 1
    notice = ServiceNotice.objects.create(
        item=item, version=version, created_by=actor if isinstance(actor, User) else None, **values
    )
    NoticeMaterial.objects.bulk_create(
        [NoticeMaterial(notice=notice, order=index, **row) for index, row in enumerate(rows)]
    )
    item.notice = notice
    item.save(update_fields=["notice"])
    audit_record(
        actor=actor,
        action="service_notice.publish",
        obj=item,
        detail={"version": version, "materials": [row["name"] for row in rows]},
    )
    return notice


def item_search(q: str = "", *, active_only: bool = True) -> QuerySet[ServiceItem]:
    """Items by name, keyword, code or pinyin, full or initials: "低保", "dibao" and "db" all find 低保申请."""
    items = ServiceItem.objects.all()
    if active_only:
        items = items.filter(is_active=True)
    q = _text(q)
    if not q:
        return items
    match = Q(name__icontains=q) | Q(keywords__icontains=q) | Q(code__iexact=q)
    if q.isascii() and (letters := query_keys(q)):
        match |= Q(pinyin__contains=letters)
    return items.filter(match)
