"""Writes to the region tree, assignments and scopes. Each is atomic, checked and audited."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.core.audit import audit_record
from wangge.core.errors import NotFound
from wangge.core.models import User
from wangge.core.roles import Cap
from wangge.regions import owned
from wangge.regions.access import is_tree_manager, require
from wangge.regions.models import LEVEL_ORDER, Assignment, Level, Region, UserScope, child_level, scope_paths

EDITABLE_FIELDS = (
    "name",
    "sort_order",
    "area_code",
    "community_code",
    "grid_code",
    "boundary",
    "service_address",
    "service_phone",
    "duties",
    "declared_households",
    "declared_population",
)


ROOT_LEVELS = (Level.DISTRICT, Level.STREET)


def can_create_root(user: User) -> bool:
    """Only the system administrator creates the tree's first level (a district, or a street installed alone)."""
    return is_tree_manager(user)


def _require(actor: User, capability: str, region: Region | None = None) -> None:
    require(actor, capability, region)


def validate_codes(*, level: str, area_code: str, community_code: str) -> None:
    if area_code and not re.fullmatch(r"\d{6}", area_code):
        raise ValidationError(_("The area code must be 6 digits (GB/T 2260)."), code="bad_area_code")
    if community_code and not re.fullmatch(r"\d{12}", community_code):
        raise ValidationError(_("The statistical code must be 12 digits."), code="bad_community_code")


def validate_boundary(boundary: Any) -> None:
    if boundary in (None, ""):
        return
    if not isinstance(boundary, dict) or boundary.get("type") not in {"Polygon", "MultiPolygon"}:
        raise ValidationError(_("The boundary must be a GeoJSON Polygon or MultiPolygon."), code="bad_boundary")
    polygons = boundary.get("coordinates") or []
    if boundary["type"] == "Polygon":
        polygons = [polygons]
    try:
        for polygon in polygons:
            for ring in polygon:
                if len(ring) < 4 or ring[0] != ring[-1]:
                    raise ValidationError(
                        _("Each boundary ring needs at least 4 points and must end where it starts."), code="bad_ring"
                    )
                for lon, lat, *_rest in ring:
                    if not (-180 <= float(lon) <= 180 and -90 <= float(lat) <= 90):
                        raise ValidationError(_("Boundary coordinates must be longitude, latitude."), code="bad_coord")
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            _("The boundary must be a GeoJSON Polygon or MultiPolygon."), code="bad_boundary"
        ) from exc


def _clean_attributes(level: str, attrs: dict[str, Any]) -> dict[str, Any]:
    unknown = set(attrs) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if "name" in attrs:
        attrs["name"] = str(attrs["name"]).strip()
        if not attrs["name"]:
            raise ValidationError(_("A name is required."), code="name_required")
    validate_codes(level=level, area_code=attrs.get("area_code", ""), community_code=attrs.get("community_code", ""))
    validate_boundary(attrs.get("boundary"))
    return attrs


def _check_sibling_name(parent: Region | None, name: str, exclude: int | None = None) -> None:
    siblings = Region.all_objects.filter(parent=parent, is_active=True, name=name)
    if exclude:
        siblings = siblings.exclude(pk=exclude)
    if siblings.exists():
        raise ValidationError(
            _("There is already a region named %(name)s here.") % {"name": name}, code="duplicate_name"
        )


@transaction.atomic
def region_create(
    *, actor: User | None, parent: Region | None, name: str, level: str | None = None, **attrs: Any
) -> Region:
    """Create a region under `parent`; without a parent, a first-level region (a district, or a street installed alone).

    The system administrator who creates a first-level region gets it in their scope, so they see
    it, can build the tree under it and can give it to others on the users page.
    """
    if parent is None:
        if actor is not None and not can_create_root(actor):
            raise PermissionDenied(_("Only a system administrator can create a first-level region."))
        level = level or Level.DISTRICT
        if level not in ROOT_LEVELS:
            raise ValidationError(_("A first-level region is a district or a street."), code="wrong_level")
    else:
        if actor is not None:
            _require(actor, Cap.MANAGE_REGIONS, parent)
        expected = child_level(parent.level)
        if expected is None:
            raise ValidationError(_("A micro-grid cannot have sub-regions."), code="no_child_level")
        if level not in (None, expected):
            raise ValidationError(
                _("A %(parent)s can only contain a %(child)s.")
                % {"parent": parent.get_level_display(), "child": Level(expected).label},
                code="wrong_level",
            )
        level = expected
        if not parent.is_active:
            raise ValidationError(_("This region has been merged or closed."), code="inactive_parent")
    attrs = _clean_attributes(level, {"name": name, **attrs})
    _check_sibling_name(parent, attrs["name"])
    region = Region.all_objects.create(parent=parent, level=level, path="", **attrs)
    region.path = f"{parent.path if parent else ''}{region.pk}/"
    region.save(update_fields=["path"])
    detail: dict[str, Any] = {"name": region.name, "level": level, "parent": parent.pk if parent else None}
    if parent is None and actor is not None:
        UserScope.objects.get_or_create(user=actor, region=region)
        if hasattr(actor, "_wangge_scope_paths"):
            del actor._wangge_scope_paths
        detail["scope_of_creator"] = True
    audit_record(actor=actor, action="region.create", obj=region, detail=detail)
    return region


@transaction.atomic
def region_update(*, actor: User, region: Region, **attrs: Any) -> Region:
    """Rename a region or change its codes, boundary, service centre and card text."""
    _require(actor, Cap.MANAGE_REGIONS, region)
    region = Region.all_objects.select_for_update().get(pk=region.pk)
    attrs = _clean_attributes(region.level, attrs)
    if "name" in attrs:
        _check_sibling_name(region.parent, attrs["name"], exclude=region.pk)
    changes = {}
    for field, value in attrs.items():
        old = getattr(region, field)
        if old != value:
            changes[field] = [old, value] if field != "boundary" else "changed"
            setattr(region, field, value)
    if changes:
        region.save(update_fields=[*changes.keys(), "updated_at"])
        audit_record(actor=actor, action="region.update", obj=region, detail=changes)
    return region


def _repath(old_prefix: str, new_prefix: str) -> int:
    """Rewrite the materialised path of a whole subtree in one UPDATE."""
    return Region.all_objects.filter(path__startswith=old_prefix).update(
        path=Concat(Value(new_prefix), Substr("path", len(old_prefix) + 1), output_field=models.CharField())
    )


@transaction.atomic
def region_move(*, actor: User, region: Region, new_parent: Region) -> Region:
    """Move a region with its whole subtree under another parent of the right level."""
    _require(actor, Cap.MANAGE_REGIONS, region)
    _require(actor, Cap.MANAGE_REGIONS, new_parent)
    region = Region.all_objects.select_for_update().get(pk=region.pk)
    if new_parent.path.startswith(region.path):
        raise ValidationError(_("A region cannot be moved into itself or its own sub-region."), code="cycle")
    if child_level(new_parent.level) != region.level:
        raise ValidationError(
            _("A %(level)s must be placed under a %(parent)s.")
            % {
                "level": region.get_level_display(),
                "parent": Level(LEVEL_ORDER[LEVEL_ORDER.index(region.level) - 1]).label,
            },
            code="wrong_level",
        )
    if not new_parent.is_active:
        raise ValidationError(_("This region has been merged or closed."), code="inactive_parent")
    _check_sibling_name(new_parent, region.name, exclude=region.pk)
    subtree = _subtree_ids(region)
    owned.refuse_if_bound(owned.Operation.MOVE, subtree)
    old_parent = region.parent
    old_path = region.path
    new_path = f"{new_parent.path}{region.pk}/"
    Region.all_objects.filter(pk=region.pk).update(parent=new_parent)
    moved = _repath(old_path, new_path)
    owned.reaggregate(owned.Operation.MOVE, subtree)
    region.refresh_from_db()
    audit_record(
        actor=actor,
        action="region.move",
        obj=region,
        detail={"from": old_parent.pk if old_parent else None, "to": new_parent.pk, "subtree": moved},
    )
    return region


def _subtree_ids(*regions: Region) -> list[int]:
    q = models.Q(pk__in=[])
    for region in regions:
        q |= models.Q(path__startswith=region.path)
    return list(Region.all_objects.filter(q).values_list("pk", flat=True))


@transaction.atomic
def region_merge(*, actor: User, source: Region, target: Region) -> Region:
    """Merge `source` into `target` (same level, same parent): children, assignments and records move; source closes."""
    _require(actor, Cap.MANAGE_REGIONS, source)
    _require(actor, Cap.MANAGE_REGIONS, target)
    if source.pk == target.pk:
        raise ValidationError(_("Choose a different region to merge into."), code="same_region")
    if source.level != target.level or source.parent_id != target.parent_id:
        raise ValidationError(
            _("Only regions of the same level under the same parent can be merged."), code="not_siblings"
        )
    if not source.is_active or not target.is_active:
        raise ValidationError(_("This region has been merged or closed."), code="inactive")
    source = Region.all_objects.select_for_update().get(pk=source.pk)
    children = list(Region.all_objects.filter(parent=source))
    names = set(Region.all_objects.filter(parent=target, is_active=True).values_list("name", flat=True))
    for child in children:
        if child.is_active and child.name in names:
            raise ValidationError(
                _("Both regions contain a sub-region named %(name)s; rename one first.") % {"name": child.name},
                code="duplicate_child",
            )
    owned.refuse_if_bound(owned.Operation.MERGE, [source.pk])
    for child in children:
        Region.all_objects.filter(pk=child.pk).update(parent=target)
        _repath(child.path, f"{target.path}{child.pk}/")
    moved = owned.reassign_on_merge(source.pk, target.pk)
    for field in ("declared_households", "declared_population"):
        if getattr(source, field) is not None:
            setattr(target, field, (getattr(target, field) or 0) + getattr(source, field))
    target.save(update_fields=["declared_households", "declared_population", "updated_at"])
    Region.all_objects.filter(pk=source.pk).update(is_active=False, merged_into=target, updated_at=timezone.now())
    audit_record(
        actor=actor,
        action="region.merge",
        obj=target,
        detail={"source": source.pk, "source_name": source.name, "children": len(children), "moved": moved},
    )
    return target


@transaction.atomic
def region_split(
    *, actor: User, region: Region, new_name: str, child_ids: list[int] | None = None, **attrs: Any
) -> Region:
    """Split a region: create a sibling and move the chosen sub-regions (micro-grids) into it."""
    _require(actor, Cap.MANAGE_REGIONS, region)
    if region.parent is None:
        raise ValidationError(_("A district cannot be split here."), code="root_split")
    child_ids = child_ids or []
    children = list(Region.all_objects.filter(parent=region, pk__in=child_ids))
    if len(children) != len(set(child_ids)):
        raise ValidationError(
            _("Some of the chosen sub-regions do not belong to %(name)s.") % {"name": region.name}, code="foreign_child"
        )
    concerned = _subtree_ids(*children)
    owned.refuse_if_bound(owned.Operation.SPLIT, concerned)
    new_region = region_create(actor=actor, parent=region.parent, name=new_name, level=region.level, **attrs)
    for child in children:
        Region.all_objects.filter(pk=child.pk).update(parent=new_region)
        _repath(child.path, f"{new_region.path}{child.pk}/")
    owned.reaggregate(owned.Operation.SPLIT, concerned)
    audit_record(
        actor=actor,
        action="region.split",
        obj=region,
        detail={"new_region": new_region.pk, "moved_children": [c.pk for c in children]},
    )
    return new_region


# --- assignments ------------------------------------------------------------------------------


@transaction.atomic
def assignment_create(
    *,
    actor: User | None,
    region: Region,
    role: str,
    name: str,
    user: User | None = None,
    phone: str = "",
    employment: str = "",
    duties: str = "",
    photo: Any = None,
    started_on: date | None = None,
) -> Assignment:
    if actor is not None:
        _require(actor, Cap.MANAGE_ASSIGNMENTS, region)
    name = name.strip() or (user.full_name if user else "")
    if not name:
        raise ValidationError(_("A name is required."), code="name_required")
    if phone and not re.fullmatch(r"[0-9+\- ]{5,20}", phone):
        raise ValidationError(_("The phone number is not valid."), code="bad_phone")
    if (
        user is not None
        and Assignment.all_objects.filter(region=region, role=role, user=user, ended_on__isnull=True).exists()
    ):
        raise ValidationError(_("%(name)s already holds this role here.") % {"name": name}, code="duplicate_assignment")
    assignment = Assignment.all_objects.create(
        region=region,
        role=role,
        name=name,
        user=user,
        phone=phone,
        employment=employment,
        duties=duties,
        started_on=started_on or timezone.localdate(),
        **({"photo": photo} if photo else {}),
    )
    audit_record(
        actor=actor,
        action="assignment.create",
        obj=assignment,
        detail={"region": region.pk, "role": role, "name": name},
    )
    return assignment


@transaction.atomic
def assignment_end(*, actor: User, assignment: Assignment, ended_on: date | None = None) -> Assignment:
    _require(actor, Cap.MANAGE_ASSIGNMENTS, assignment.region)
    ended_on = ended_on or timezone.localdate()
    updated = Assignment.all_objects.filter(pk=assignment.pk, ended_on__isnull=True).update(ended_on=ended_on)
    if not updated:
        raise ValidationError(_("This assignment has already ended."), code="already_ended")
    assignment.ended_on = ended_on
    audit_record(actor=actor, action="assignment.end", obj=assignment)
    return assignment


# --- scopes ----------------------------------------------------------------------------------


@transaction.atomic
def scope_set(*, actor: User | None, user: User, regions: list[Region]) -> None:
    """Replace the user's scope roots."""
    if actor is not None and not actor.has_perm(Cap.MANAGE_USERS):
        raise PermissionDenied(_("You do not have permission to do this."))
    before = set(UserScope.objects.filter(user=user).values_list("region_id", flat=True))
    after = {r.pk for r in regions}
    if actor is not None:
        paths = scope_paths(actor)
        for region in regions:
            if region.pk not in before and not region.is_within(paths):
                raise NotFound
    UserScope.objects.filter(user=user).exclude(region_id__in=after).delete()
    UserScope.objects.bulk_create(
        [UserScope(user=user, region_id=pk) for pk in sorted(after - before)], ignore_conflicts=True
    )
    if hasattr(user, "_wangge_scope_paths"):
        del user._wangge_scope_paths
    audit_record(actor=actor, action="user.scope", obj=user, detail={"before": sorted(before), "after": sorted(after)})
