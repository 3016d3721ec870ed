"""Reads of the region tree, always through the user's scope."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from wangge.core.errors import NotFound
from wangge.core.models import User
from wangge.core.natural import natural_key
from wangge.regions.models import GRID_LEVELS, LEVEL_ORDER, Assignment, AssignmentRole, Level, Region, scope_paths


def regions_visible(*, user: User) -> QuerySet[Region]:
    return Region.objects.for_user(user).filter(is_active=True)


def grids_visible(*, user: User, with_communities: bool = False) -> QuerySet[Region]:
    """The active grids and micro-grids in the user's scope, in tree order: where records are filed.

    `with_communities`: their communities too (what a list filters by, where an import goes).
    """
    levels = [Level.COMMUNITY, *GRID_LEVELS] if with_communities else list(GRID_LEVELS)
    return regions_visible(user=user).filter(level__in=levels).order_by("path")


def region_get(*, user: User, region_id: int) -> Region:
    """A region in the user's scope; anything else is a 404, whether it exists or not."""
    region = Region.objects.for_user(user).select_related("parent", "merged_into").filter(pk=region_id).first()
    if region is None:
        raise NotFound
    return region


def in_tree_order(regions: Iterable[Region]) -> list[Region]:
    """Regions as the tree reads, top down, siblings by their order and then naturally by name
    (第二网格 before 第十网格, 第2网格 before 第10网格). Ancestors not among `regions` are read in one query."""
    regions = list(regions)
    known = {r.pk: r for r in regions}
    missing = {pk for r in regions for pk in r.ancestor_ids} - known.keys()
    if missing:
        known.update(Region.all_objects.in_bulk(missing))

    def key(region: Region) -> tuple[object, ...]:
        chain = [known.get(pk) for pk in [*region.ancestor_ids, region.pk]]
        return tuple((r.sort_order, natural_key(r.name)) if r is not None else (0, ()) for r in chain)

    return sorted(regions, key=key)


def scope_roots(*, user: User) -> list[Region]:
    paths = scope_paths(user)
    roots = list(Region.objects.for_user(user).filter(path__in=paths, is_active=True))
    # A scope root that lies inside another root is not a root.
    return [r for r in roots if not any(r.path != p and r.path.startswith(p) for p in paths)]


def only_grid(*, user: User) -> Region | None:
    """The user's grid when their scope holds exactly one (a grid worker's): forms preselect it."""
    grids = list(regions_visible(user=user).filter(level=Level.GRID).order_by("pk")[:2])
    return grids[0] if len(grids) == 1 else None


def own_grids(*, user: User) -> list[GridCard]:
    """The public cards of the grids a resident or volunteer belongs to (their scope's grids and micro-grids)."""
    grids = in_tree_order(grids_visible(user=user).filter(path__in=scope_paths(user)))
    return [grid_card(user=user, region_id=g.pk) for g in grids]


def breadcrumb(*, user: User, region: Region) -> list[tuple[Region, bool]]:
    """Ancestors from the top down, each with whether the user may open it."""
    ancestors = {r.pk: r for r in Region.all_objects.filter(pk__in=region.ancestor_ids)}
    paths = scope_paths(user)
    chain = [ancestors[pk] for pk in region.ancestor_ids if pk in ancestors] + [region]
    return [(r, r.is_within(paths)) for r in chain]


@dataclass
class TreeNode:
    region: Region
    children: list[TreeNode] = field(default_factory=list)
    has_children: bool = False


def tree(*, user: User, max_level: str = Level.GRID) -> list[TreeNode]:
    """The visible tree down to `max_level`, built from one query."""
    levels = LEVEL_ORDER[: LEVEL_ORDER.index(max_level) + 1]
    regions = list(
        regions_visible(user=user)
        .filter(level__in=levels)
        .annotate(n_children=Count("children", filter=Q(children__is_active=True)))
        .order_by("path")
    )
    by_id = {r.pk: TreeNode(r, has_children=r.n_children > 0) for r in regions}  # type: ignore[attr-defined]
    roots: list[TreeNode] = []
    for region in regions:
        node = by_id[region.pk]
        parent = by_id.get(region.parent_id) if region.parent_id else None
        if parent is None:
            roots.append(node)
        else:
            parent.children.append(node)
    for node in by_id.values():
        node.children.sort(key=lambda n: (n.region.sort_order, natural_key(n.region.name)))
    return roots


def children_of(*, user: User, region: Region) -> QuerySet[Region]:
    workers = Prefetch(
        "assignments",
        queryset=Assignment.all_objects.filter(ended_on__isnull=True).order_by("role", "name"),
        to_attr="current_assignments",
    )
    return (
        regions_visible(user=user)
        .filter(parent=region)
        .annotate(n_children=Count("children", filter=Q(children__is_active=True)))
        .prefetch_related(workers)
        .order_by("sort_order", "name")
    )


def assignments_of(*, user: User, region: Region) -> QuerySet[Assignment]:
    return (
        Assignment.objects.for_user(user)
        .filter(region=region)
        .select_related("user")
        .order_by("ended_on", "role", "name")
    )


@dataclass
class ScopeSummary:
    by_level: dict[str, int]
    levels_below: list[tuple[str, str, int]]  # (level, label, count) for levels under the scope's top
    workers: int
    grids_without_worker: Sequence[Region]
    grids: Sequence[Region]


def scope_summary(*, user: User) -> ScopeSummary:
    """Real counts of what lies in the user's scope: regions by level, grid workers, uncovered grids."""
    visible = regions_visible(user=user)
    by_level = dict(visible.values_list("level").annotate(n=Count("id")).order_by())
    workers = (
        Assignment.objects.for_user(user)
        .current()
        .filter(role=AssignmentRole.GRID_WORKER, region__is_active=True)
        .values("name", "phone")
        .distinct()
        .count()
    )
    current = Assignment.all_objects.filter(ended_on__isnull=True).order_by("role", "name")
    grids = in_tree_order(
        visible.filter(level=Level.GRID)
        .select_related("parent")
        .prefetch_related(Prefetch("assignments", queryset=current, to_attr="current_assignments"))
        .order_by("path")[:500]
    )
    uncovered = [g for g in grids if not any(a.role == AssignmentRole.GRID_WORKER for a in g.current_assignments)]  # type: ignore[attr-defined]
    counts = defaultdict(int, by_level)
    top = min((LEVEL_ORDER.index(r.level) for r in scope_roots(user=user)), default=len(LEVEL_ORDER))
    levels_below = [(lvl, str(Level(lvl).label), counts[lvl]) for lvl in LEVEL_ORDER[top + 1 :]]
    return ScopeSummary(
        by_level=counts, levels_below=levels_below, workers=workers, grids_without_worker=uncovered, grids=grids
    )


@dataclass
class GridCard:
    region: Region
    community: Region | None
    workers: list[Assignment]
    others: list[Assignment]
    service_address: str = ""  # the region's service centre, else its community's
    service_phone: str = ""


def grid_card(*, user: User, region_id: int) -> GridCard:
    """The public card of a region (a grid's, or a community's or street's own: their service centre)."""
    region = region_get(user=user, region_id=region_id)
    current = list(Assignment.objects.for_user(user).current().filter(region=region).order_by("role", "name"))
    workers = [a for a in current if a.role == AssignmentRole.GRID_WORKER]
    others = [a for a in current if a.role != AssignmentRole.GRID_WORKER]
    community = Region.all_objects.filter(pk__in=region.ancestor_ids, level=Level.COMMUNITY).first()
    fallback = community or region
    return GridCard(
        region=region,
        community=community,
        workers=workers,
        others=others,
        service_address=region.service_address or fallback.service_address,
        service_phone=region.service_phone or fallback.service_phone,
    )


def community_grids_geojson(*, user: User, region: Region) -> dict[str, object]:
    """Boundaries of the region's visible children as a FeatureCollection, for the offline map."""
    features = []
    for child in (
        regions_visible(user=user).filter(parent=region, boundary__isnull=False).order_by("sort_order", "name")
    ):
        features.append(
            {
                "type": "Feature",
                "properties": {"name": child.name, "id": child.pk, "households": child.declared_households},
                "geometry": child.boundary,
            }
        )
    if not features and region.boundary:
        features.append(
            {"type": "Feature", "properties": {"name": region.name, "id": region.pk}, "geometry": region.boundary}
        )
    return {"type": "FeatureCollection", "features": features}
