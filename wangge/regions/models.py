from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.core.scoping import ScopedQuerySet
from wangge.core.uploads import assignment_photo_path


class Level(models.TextChoices):
    DISTRICT = "district", _("District")
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")
    GRID = "grid", _("Grid")
    MICROGRID = "microgrid", _("Micro-grid")


LEVEL_ORDER: list[str] = [Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID, Level.MICROGRID]
# Where people, places and cases are filed.
GRID_LEVELS: tuple[str, ...] = (Level.GRID, Level.MICROGRID)


def child_level(level: str) -> str | None:
    index = LEVEL_ORDER.index(level)
    return LEVEL_ORDER[index + 1] if index + 1 < len(LEVEL_ORDER) else None


def scope_paths(user: Any) -> list[str]:
    """The materialised paths of the user's scope roots, read once per request (per user object)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, "_wangge_scope_paths", None)
    if cached is None:
        cached = list(
            UserScope.objects.filter(user=user, region__is_active=True).values_list("region__path", flat=True)
        )
        user._wangge_scope_paths = cached
    return cached


def paths_q(paths: list[str], field: str) -> Q:
    """`field` starts with one of the paths; matches nothing for an empty scope."""
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


class RegionQuerySet(ScopedQuerySet):
    def scope_filter(self, user: Any) -> Q:
        return paths_q(scope_paths(user), "path")

    def active(self) -> RegionQuerySet:
        return self.filter(is_active=True)


class Region(models.Model):
    """One node of the district → street → community → grid → micro-grid tree.

    `path` is a materialised path of primary keys ("1/5/23/"), so a subtree is one indexed
    prefix query: `path__startswith=region.path`.
    """

    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    area_code = models.CharField(
        _("administrative division code"),
        max_length=6,
        blank=True,
        help_text=_("6-digit GB/T 2260 administrative division code"),
    )
    community_code = models.CharField(
        _("statistical division code"), max_length=12, blank=True, help_text=_("12-digit statistical division code")
    )
    grid_code = models.CharField(_("grid code"), max_length=32, blank=True)
    boundary = models.JSONField(_("boundary"), null=True, blank=True, help_text=_("GeoJSON Polygon or MultiPolygon"))
    service_address = models.CharField(_("service centre address"), max_length=200, blank=True)
    service_phone = models.CharField(_("service centre phone"), max_length=32, blank=True)
    duties = models.TextField(_("duties"), blank=True, help_text=_("Shown on the grid's public card"))
    declared_households = models.PositiveIntegerField(_("households (declared)"), null=True, blank=True)
    declared_population = models.PositiveIntegerField(_("residents (declared)"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    all_objects = models.Manager()  # default manager: Django internals and services
    objects = RegionQuerySet.as_manager()  # what views and selectors use: scope required

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        indexes = [models.Index(fields=["level", "path"], name="region_level_path_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/")

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.split("/") if part][:-1]

    def is_within(self, paths: list[str]) -> bool:
        return any(self.path.startswith(p) for p in paths)

    @property
    def files_records(self) -> bool:
        """An active grid or micro-grid: the regions people, places and cases are filed in."""
        return self.level in GRID_LEVELS and self.is_active

    @property
    def grid_pk(self) -> int:
        """The grid a region counts in: a micro-grid counts in its grid (any other region is its own)."""
        return self.parent_id if self.level == Level.MICROGRID and self.parent_id else self.pk

    @property
    def child_level(self) -> str | None:
        return child_level(self.level)


class UserScope(models.Model):
    """A subtree of the region tree that a user may see and act in."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scopes")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="scoped_users")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "region"], name="regions_userscope_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.region_id}"


class AssignmentRole(models.TextChoices):
    GRID_WORKER = "grid_worker", _("Grid worker")
    GRID_LEADER = "grid_leader", _("Grid leader")
    MICROGRID_LEADER = "microgrid_leader", _("Micro-grid leader")
    INFORMANT = "informant", _("Information officer")
    CADRE = "cadre", _("Responsible cadre")
    BUILDING_HEAD = "building_head", _("Building head")
    STATION_HEAD = "station_head", _("Grid station head")


class Employment(models.TextChoices):
    FULL_TIME = "full_time", _("Full-time")
    PART_TIME = "part_time", _("Part-time")


class AssignmentQuerySet(ScopedQuerySet):
    def scope_filter(self, user: Any) -> Q:
        return paths_q(scope_paths(user), "region__path")

    def current(self) -> AssignmentQuerySet:
        return self.filter(ended_on__isnull=True)


class Assignment(models.Model):
    """A person serving a region in a role (网格员, 网格长, 包保干部 …), with or without an account."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("region"))
    role = models.CharField(_("role"), max_length=20, choices=AssignmentRole.choices)
    employment = models.CharField(_("employment"), max_length=10, choices=Employment.choices, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("account"),
    )
    name = models.CharField(_("name"), max_length=64)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    photo = models.ImageField(_("photo"), upload_to=assignment_photo_path, blank=True)
    duties = models.TextField(_("duties"), blank=True)
    started_on = models.DateField(_("since"), default=timezone.localdate)
    ended_on = models.DateField(_("until"), null=True, blank=True)

    all_objects = models.Manager()
    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["region__path", "role", "name"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        indexes = [models.Index(fields=["region", "role"], name="assignment_region_role_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"

    @property
    def initials(self) -> str:
        return self.name[-2:] if self.name else "?"
