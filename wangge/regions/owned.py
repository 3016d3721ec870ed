"""Records that belong to a grid: the one registry of region-bound models and what region changes do to them.

Each app declares its models in its own `region_bound.py` (found at start-up, the regions app
imports no feature app):

    from wangge.regions.owned import Rule, declare

    declare(Case, "region", merge=Rule.REASSIGN, keep=Q(state__in=...))

`merge`, `split` and `move` say what `region_merge`, `region_split` and `region_move` do to the
rows bound to the regions they change:

- REASSIGN: the rows follow the merge into the surviving region (merge only: a split or a move
  keeps every region's identity, so there is no other region to point at);
- REAGGREGATE: the rows are derived figures; `reaggregate(region_ids)` recounts them after the
  other rows have moved (monthly case statistics, unique per region, category and month);
- KEEP: the rows stay where they are (history; under a split or a move the region keeps its id,
  its rows follow it in the tree);
- REFUSE: while such rows exist the change is refused and nothing is written.

Within a declaration, `keep` picks rows that stay as history whatever the rule (closed cases,
finished imports) and `refuse` picks rows that stop the operations in `refuse_on` (an import
running into the grid stops a merge).

The rows a split or a move concerns are those bound to the regions that change place in the tree
(the moved micro-grids' subtrees, the moved region's subtree); a merge concerns the merged region's.

A foreign key or many-to-many field to `Region` that no app declared fails the system check
`regions.E001`, so a new app cannot forget its records.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext as _


class Rule(enum.StrEnum):
    REASSIGN = "reassign"
    REAGGREGATE = "reaggregate"
    KEEP = "keep"
    REFUSE = "refuse"


class Operation(enum.StrEnum):
    MERGE = "merge"
    SPLIT = "split"
    MOVE = "move"


@dataclass(frozen=True)
class RegionBound:
    """One field of one model that binds its rows to a region, and what region changes do to them."""

    model: type[models.Model]
    field: str
    merge: Rule
    split: Rule = Rule.KEEP
    move: Rule = Rule.KEEP
    keep: Q | None = None
    refuse: Q | None = None
    refuse_on: frozenset[Operation] = frozenset(Operation)
    refuse_reason: str | Promise = ""
    unique_with: tuple[str, ...] = ()
    reaggregate: Callable[[list[int]], Any] | None = None
    label: str | Promise = ""  # what the merge page calls the rows (default: the model's plural name)

    @property
    def key(self) -> tuple[str, str]:
        return (self.model._meta.label_lower, self.field)

    @property
    def is_many(self) -> bool:
        return bool(self.model._meta.get_field(self.field).many_to_many)

    def rule(self, operation: Operation) -> Rule:
        rule: Rule = getattr(self, operation.value)
        return rule

    def rows(self, region_ids: list[int]) -> models.QuerySet[Any]:
        """The rows bound to these regions through this field (for a many-to-many: the owners)."""
        return self.model._base_manager.filter(**{f"{self.field}__in": region_ids}).distinct()

    def __str__(self) -> str:
        return f"{self.model._meta.label}.{self.field}"


_registry: dict[tuple[str, str], RegionBound] = {}


def declare(
    model: type[models.Model],
    field: str,
    *,
    merge: Rule,
    split: Rule = Rule.KEEP,
    move: Rule = Rule.KEEP,
    keep: Q | None = None,
    refuse: Q | None = None,
    refuse_on: Iterable[Operation] = tuple(Operation),
    refuse_reason: str | Promise = "",
    unique_with: Iterable[str] = (),
    reaggregate: Callable[[list[int]], Any] | None = None,
    label: str | Promise = "",
) -> RegionBound:
    """Declare that `model.field` binds rows to a region; called from each app's `region_bound.py`."""
    from wangge.regions.models import Region

    target = model._meta.get_field(field)
    if getattr(target, "related_model", None) is not Region:
        raise ImproperlyConfigured(f"{model._meta.label}.{field} is not a relation to Region.")
    for operation, rule in ((Operation.SPLIT, split), (Operation.MOVE, move)):
        if rule is Rule.REASSIGN:
            raise ImproperlyConfigured(
                f"{model._meta.label}.{field}: a {operation} keeps every region, so there is nothing to reassign to."
            )
    if Rule.REAGGREGATE in (merge, split, move) and reaggregate is None:
        raise ImproperlyConfigured(f"{model._meta.label}.{field}: re-aggregating needs a `reaggregate` function.")
    if (Rule.REFUSE in (merge, split, move) or refuse is not None) and not refuse_reason:
        raise ImproperlyConfigured(f"{model._meta.label}.{field}: refusing needs a `refuse_reason` for the user.")
    bound = RegionBound(
        model=model,
        field=field,
        merge=merge,
        split=split,
        move=move,
        keep=keep,
        refuse=refuse,
        refuse_on=frozenset(refuse_on),
        refuse_reason=refuse_reason,
        unique_with=tuple(unique_with),
        reaggregate=reaggregate,
        label=label or model._meta.verbose_name_plural or model.__name__,
    )
    _registry[bound.key] = bound
    return bound


def declared() -> list[RegionBound]:
    return list(_registry.values())


@contextmanager
def declarations(*extra: RegionBound, without: Iterable[tuple[str, str]] = ()) -> Iterator[None]:
    """For tests: the registry with some declarations added or left out, restored afterwards."""
    saved = dict(_registry)
    try:
        for key in without:
            _registry.pop(key, None)
        for bound in extra:
            _registry[bound.key] = bound
        yield
    finally:
        _registry.clear()
        _registry.update(saved)


# --- coverage ---------------------------------------------------------------------------------


def region_fields(model: type[models.Model]) -> list[str]:
    """The names of `model`'s own foreign keys and many-to-many fields to Region."""
    from wangge.regions.models import Region

    return [
        field.name
        for field in model._meta.get_fields(include_hidden=True)
        if field.is_relation
        and not field.auto_created
        and getattr(field, "related_model", None) is Region
        and (field.many_to_one or field.one_to_one or field.many_to_many)
    ]


def undeclared(model_list: Iterable[type[models.Model]]) -> list[str]:
    """`app_label.Model.field` for every relation to Region among these models that no app declared.

    The tree's own links (`Region.parent`, `Region.merged_into`) are the region services' business;
    the through tables of many-to-many fields are covered by their field.
    """
    from wangge.regions.models import Region

    missing = []
    for model in model_list:
        if model is Region or model._meta.auto_created:
            continue
        for name in region_fields(model):
            if (model._meta.label_lower, name) not in _registry:
                missing.append(f"{model._meta.label}.{name}")
    return missing


# --- applying the rules -----------------------------------------------------------------------


def refusals(operation: Operation, region_ids: list[int]) -> list[str]:
    """Why the operation cannot run on these regions now (the user's language), or an empty list."""
    reasons = []
    for bound in _registry.values():
        rows = bound.rows(region_ids)
        if bound.rule(operation) is Rule.REFUSE:
            if bound.keep is not None:
                rows = rows.exclude(bound.keep)
        elif bound.refuse is not None and operation in bound.refuse_on:
            rows = rows.filter(bound.refuse)
        else:
            continue
        count = rows.count()
        if count:
            reasons.append(
                _("%(reason)s (%(count)d %(what)s)")
                % {"reason": bound.refuse_reason, "count": count, "what": bound.model._meta.verbose_name_plural}
            )
    return reasons


def refuse_if_bound(operation: Operation, region_ids: list[int]) -> None:
    reasons = refusals(operation, region_ids)
    if reasons:
        raise ValidationError(
            _("This cannot be done now: %(reasons)s.") % {"reasons": "; ".join(reasons)}, code="bound_records"
        )


@dataclass(frozen=True)
class PlanLine:
    """What a merge would do to one kind of row of the merged region (for the confirmation page)."""

    label: str | Promise
    follow: int  # reassigned to the region it goes into
    stay: int  # kept where they are, as history
    recount: int  # derived rows recounted
    refuse: int  # rows that stop the merge


def merge_plan(source_id: int) -> list[PlanLine]:
    """Per declaration with rows in the region: how many follow, stay, are recounted or refuse a merge."""
    lines = []
    for bound in _registry.values():
        rows = bound.rows([source_id])
        total = rows.count()
        if not total:
            continue
        stay = rows.filter(bound.keep).count() if bound.keep is not None else 0
        refuse = 0
        if bound.refuse is not None and Operation.MERGE in bound.refuse_on:
            refuse = rows.filter(bound.refuse).count()
        rule = bound.merge
        lines.append(
            PlanLine(
                label=bound.label,
                follow=total - stay - refuse if rule is Rule.REASSIGN else 0,
                stay=total if rule is Rule.KEEP else stay,
                recount=total if rule is Rule.REAGGREGATE else 0,
                refuse=total - stay if rule is Rule.REFUSE else refuse,
            )
        )
    return lines


def _reassign_fk(bound: RegionBound, source_id: int, target_id: int) -> int:
    manager = bound.model._base_manager
    rows = manager.filter(**{bound.field: source_id})
    if bound.keep is not None:
        rows = rows.exclude(bound.keep)
    if bound.unique_with:
        # a row that would duplicate one the target already has is that row: drop it
        taken = manager.filter(**{bound.field: target_id}).values(*bound.unique_with)
        duplicates = rows.none()
        for values in taken:
            duplicates |= rows.filter(**values)
        duplicates.delete()
    return rows.update(**{bound.field: target_id})


def _reassign_m2m(bound: RegionBound, source_id: int, target_id: int) -> int:
    field = bound.model._meta.get_field(bound.field)
    assert isinstance(field, models.ManyToManyField)
    through = field.remote_field.through
    assert through is not None and not isinstance(through, str)
    owner, region = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
    links = through._base_manager.filter(**{region: source_id})
    if bound.keep is not None:
        kept_owners = bound.model._base_manager.filter(bound.keep).values("pk")
        links = links.exclude(**{f"{owner}__in": kept_owners})
    already = through._base_manager.filter(**{region: target_id}).values(owner)
    links.filter(**{f"{owner}__in": already}).delete()
    return links.update(**{region: target_id})


def reassign_on_merge(source_id: int, target_id: int) -> dict[str, int]:
    """Apply every declaration's merge rule; returns the reassigned rows per `model.field`.

    Reassignments run first, re-aggregations after them (they count what now lies where).
    """
    moved: dict[str, int] = {}
    for bound in _registry.values():
        if bound.merge is not Rule.REASSIGN:
            continue
        count = (_reassign_m2m if bound.is_many else _reassign_fk)(bound, source_id, target_id)
        if count:
            moved[f"{bound.model._meta.label_lower}.{bound.field}"] = count
    reaggregate(Operation.MERGE, [source_id, target_id])
    return moved


def reaggregate(operation: Operation, region_ids: list[int]) -> None:
    """Recount the derived rows of these regions whose rule for the operation is REAGGREGATE."""
    done: set[Callable[[list[int]], Any]] = set()
    for bound in _registry.values():
        callback = bound.reaggregate
        if bound.rule(operation) is Rule.REAGGREGATE and callback is not None and callback not in done:
            callback(region_ids)
            done.add(callback)
