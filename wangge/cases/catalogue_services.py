"""Writes to the case catalogue: a category's level, department and time limits; escalation rules. Audited."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from wangge.cases.catalogue_workbook import CataloguePlan
from wangge.cases.choices import HandlingLevel, Supervision, TimeUnit, Urgency
from wangge.cases.models import Category, EscalationRule
from wangge.core.audit import audit_record
from wangge.core.models import User
from wangge.core.roles import Cap
from wangge.regions.models import Region

CATEGORY_FIELDS = (
    "default_level",
    "default_department",
    "accept_limit",
    "accept_unit",
    "handle_limit",
    "handle_unit",
    "verify_limit",
    "verify_unit",
    "yellow_percent",
    "is_active",
    "is_public",  # residents (portal) and Open311 clients may report it: wangge.cases.public
)
# What the workbook import may also change: the name and the order in the list (never the code or the parent).
IMPORT_FIELDS = (*CATEGORY_FIELDS, "name", "sort_order")
CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,16}")


def _require(actor: User | None) -> None:
    if actor is not None and not actor.has_perm(Cap.MANAGE_CASE_CATALOGUE):
        raise PermissionDenied(_("You do not have permission to do this."))


def _check(fields: dict[str, Any]) -> None:
    if fields.get("default_level", HandlingLevel.GRID) not in HandlingLevel.values:
        raise ValidationError(_("Unknown handling level."), code="bad_level")
    for stage in ("accept", "handle", "verify"):
        if fields.get(f"{stage}_unit", TimeUnit.DAYS) not in TimeUnit.values:
            raise ValidationError(_("Unknown time unit."), code="bad_unit")
        if not 1 <= int(fields.get(f"{stage}_limit", 1)) <= 999:
            raise ValidationError(_("A time limit is 1 to 999."), code="bad_limit")
    if not 1 <= int(fields.get("yellow_percent", 70)) <= 99:
        raise ValidationError(_("The yellow warning is at 1 to 99 percent of the time."), code="bad_percent")
    if (
        fields.get("default_level") == HandlingLevel.DEPARTMENT
        and not str(fields.get("default_department", "")).strip()
    ):
        raise ValidationError(_("Name the department that handles this category."), code="department_required")


@transaction.atomic
def category_update(*, actor: User | None, category: Category, **fields: Any) -> Category:
    """Change how a category is handled; cases already running keep their deadlines."""
    _require(actor)
    unknown = set(fields) - set(IMPORT_FIELDS)
    if unknown:
        raise ValueError(f"not a category field: {sorted(unknown)}")
    merged = {f: getattr(category, f) for f in CATEGORY_FIELDS} | fields
    _check(merged)
    if "name" in fields:
        fields["name"] = _clean_name(fields["name"])
    changed = {f: [getattr(category, f), v] for f, v in fields.items() if getattr(category, f) != v}
    for field, value in fields.items():
        setattr(category, field, value)
    category.save(update_fields=list(fields) or None)
    audit_record(actor=actor, action="case_category.update", obj=category, detail={"changes": changed})
    return category


def _clean_name(name: Any) -> str:
    name = str(name or "").strip()
    if not name or len(name) > 64:
        raise ValidationError(_("A category needs a name of at most 64 characters."), code="bad_name")
    return name


@transaction.atomic
def category_create(
    *, actor: User | None, code: str, name: str, parent: Category | None, sort_order: int = 0, **fields: Any
) -> Category:
    """Add an entry to the catalogue: a first-level class, or a second-level category under one."""
    _require(actor)
    unknown = set(fields) - set(CATEGORY_FIELDS)
    if unknown:
        raise ValueError(f"not a category field: {sorted(unknown)}")
    code = str(code or "").strip()
    if not CODE_PATTERN.fullmatch(code):
        raise ValidationError(_("A code is 1 to 16 letters, digits, - or _."), code="bad_code")
    if Category.objects.filter(code=code).exists():
        raise ValidationError(_("The code %(code)s is already used.") % {"code": code}, code="duplicate_code")
    if parent is not None and parent.parent_id is not None:
        raise ValidationError(_("The catalogue has two levels: the parent must be a first-level class."), code="depth")
    _check(fields)
    category = Category.objects.create(
        code=code, name=_clean_name(name), parent=parent, sort_order=sort_order, **fields
    )
    audit_record(
        actor=actor,
        action="case_category.create",
        obj=category,
        detail={"code": code, "name": category.name, "parent": parent.code if parent else None},
    )
    return category


@transaction.atomic
def escalation_rule_create(
    *,
    actor: User | None,
    trigger: str,
    category: Category | None = None,
    urgency: str = "",
    raise_to: str = "",
    supervision: str = "",
    copy_departments: str = "",
    copy_regions: list[Region] | None = None,
) -> EscalationRule:
    _require(actor)
    if trigger not in EscalationRule.Trigger.values or urgency not in ["", *Urgency.values]:
        raise ValidationError(_("Unknown trigger or urgency."), code="bad_choice")
    if raise_to not in ["", *HandlingLevel.values] or supervision not in Supervision.values:
        raise ValidationError(_("Unknown level or supervision."), code="bad_choice")
    if not (raise_to or supervision or copy_departments.strip() or copy_regions):
        raise ValidationError(_("A rule must raise, supervise or copy."), code="empty_rule")
    rule = EscalationRule.objects.create(
        trigger=trigger,
        category=category,
        urgency=urgency,
        raise_to=raise_to,
        supervision=supervision,
        copy_departments=copy_departments.strip()[:200],
    )
    if copy_regions:
        rule.copy_regions.set(copy_regions)
    audit_record(actor=actor, action="escalation_rule.create", obj=rule, detail={"rule": str(rule)})
    return rule


@transaction.atomic
def escalation_rule_delete(*, actor: User | None, rule: EscalationRule) -> None:
    _require(actor)
    detail = {"rule": str(rule)}
    pk = rule.pk
    rule.delete()
    audit_record(
        actor=actor, action="escalation_rule.delete", object_type="cases.escalationrule", object_id=pk, detail=detail
    )


@transaction.atomic
def catalogue_import(*, actor: User | None, plan: CataloguePlan) -> dict[str, int]:
    """Apply a checked workbook plan: new categories, changed ones, and the rules replaced. All or nothing."""
    _require(actor)
    if not plan.ok:
        raise ValidationError(plan.errors, code="bad_catalogue")
    created: dict[str, Category] = {}
    # first-level classes before the categories under them
    for row in sorted(plan.new, key=lambda r: bool(r.parent_code)):
        parent = created.get(row.parent_code) or (
            Category.objects.get(code=row.parent_code) if row.parent_code else None
        )
        created[row.code] = category_create(
            actor=actor, code=row.code, name=row.name, parent=parent, sort_order=row.sort_order, **row.fields
        )
    for category, _row, changes, _shown in plan.changed:
        category_update(actor=actor, category=category, **{f: new for f, (_old, new) in changes.items()})
    if plan.rules_removed or plan.rules_added:
        for rule in plan.rules_removed:
            escalation_rule_delete(actor=actor, rule=rule)
        codes = {c.code: c for c in Category.objects.filter(code__in={r.category_code for r in plan.rules_added})}
        for rule_row in plan.rules_added:
            escalation_rule_create(
                actor=actor,
                trigger=rule_row.trigger,
                category=codes.get(rule_row.category_code),
                urgency=rule_row.urgency,
                raise_to=rule_row.raise_to,
                supervision=rule_row.supervision,
                copy_departments=rule_row.copy_departments,
                copy_regions=rule_row.copy_regions,
            )
    counts = {
        "created": len(plan.new),
        "changed": len(plan.changed),
        "rules_removed": len(plan.rules_removed),
        "rules_added": len(plan.rules_added),
    }
    audit_record(actor=actor, action="case_catalogue.import", detail=counts)
    return counts
