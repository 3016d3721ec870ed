"""The region ledger (网格台账) as an export: a subtree with its codes, service centre and who serves it.

The tree's columns carry the names the tree import reads (`tree_ledger.tree_schema`), so an exported
tree comes back as is; the columns of who serves each region are for reading (the import ignores them).
The system administrator, who manages the tree, exports it too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Case, F, Prefetch, Value, When
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from wangge.core.errors import NotFound
from wangge.core.exports import Column, ExportKind, Selection, register
from wangge.core.models import User
from wangge.core.roles import Cap
from wangge.regions import selectors
from wangge.regions.access import is_tree_manager
from wangge.regions.models import Assignment, AssignmentRole, Level, Region
from wangge.regions.tree_ledger import tree_schema

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def region_selection(user: User, params: QueryDict) -> Selection:
    """`region=<id>`: that region (in the user's scope, else 404) and everything under it, in tree order."""
    raw = params.get("region", "")
    if not raw.isdigit():
        raise NotFound
    region = selectors.region_get(user=user, region_id=int(raw))
    serving = Assignment.objects.for_user(user).current().order_by("role", "name")
    rows = (
        selectors.regions_visible(user=user)
        .filter(path__startswith=region.path)
        .order_by("path")
        .annotate(parent_name=Case(When(pk=region.pk, then=Value("")), default=F("parent__name")))
        .prefetch_related(Prefetch("assignments", queryset=serving, to_attr="serving"))
    )
    return Selection(rows=rows, obj=region, file_name=f"{region.name}-网格台账.xlsx")


def _serving(header: StrOrPromise, role: str, attr: str) -> Column:
    """Who serves the region in this role (their names or phones), as the region card lists them."""
    return Column(
        header, lambda r: "、".join(getattr(a, attr) for a in r.serving if a.role == role and getattr(a, attr))
    )


def region_columns(user: User) -> list[Column]:
    tree = tree_schema().by_key
    return [
        Column(tree["name"].header, lambda r: r.name),
        Column(tree["level"].header, lambda r: str(Level(r.level).label)),
        Column(tree["parent"].header, lambda r: r.parent_name or ""),
        Column(tree["area_code"].header, lambda r: r.area_code),
        Column(tree["community_code"].header, lambda r: r.community_code),
        Column(tree["grid_code"].header, lambda r: r.grid_code),
        _serving(_("Grid worker"), AssignmentRole.GRID_WORKER, "name"),
        _serving(_("Grid worker phone"), AssignmentRole.GRID_WORKER, "phone"),
        _serving(_("Responsible cadre"), AssignmentRole.CADRE, "name"),
        Column(tree["declared_households"].header, lambda r: r.declared_households),
        Column(tree["declared_population"].header, lambda r: r.declared_population),
        Column(tree["service_address"].header, lambda r: r.service_address),
        Column(tree["service_phone"].header, lambda r: r.service_phone),
    ]


register(
    ExportKind(
        code="regions",
        label=_("Regions"),
        file_name="网格台账.xlsx",
        select=region_selection,
        columns=region_columns,
        permission=lambda user: user.has_perm(Cap.EXPORT_LISTS) or is_tree_manager(user),
        object_type=Region._meta.label_lower,
    )
)
