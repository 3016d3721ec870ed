"""Places: compounds (小区), buildings (楼栋) and houses (房屋), each belonging to a grid."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.core.scoping import ScopedQuerySet
from wangge.regions.models import Region, paths_q, scope_paths


class InScope(ScopedQuerySet):
    """Rows that belong to a region (`region` FK) and are not soft-deleted."""

    def scope_filter(self, user: Any) -> Q:
        return paths_q(scope_paths(user), "region__path")

    def alive(self) -> InScope:
        return self.filter(deleted_at__isnull=True)


class Compound(models.Model):
    class Kind(models.TextChoices):
        PROPERTY_MANAGED = "property", _("Property-managed")
        SELF_MANAGED = "self", _("Self-managed")
        WORK_UNIT = "work_unit", _("Work-unit compound")
        OPEN = "open", _("Open (no compound)")

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="compounds", verbose_name=_("grid"))
    name = models.CharField(_("compound name"), max_length=64)
    kind = models.CharField(_("management"), max_length=10, choices=Kind.choices, default=Kind.PROPERTY_MANAGED)
    address = models.CharField(_("address"), max_length=200, blank=True)
    property_company = models.CharField(_("property company"), max_length=100, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    all_objects = models.Manager()
    objects = InScope.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("compound")
        verbose_name_plural = _("compounds")

    def __str__(self) -> str:
        return self.name


class Building(models.Model):
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("grid"))
    compound = models.ForeignKey(
        Compound, null=True, blank=True, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("compound")
    )
    name = models.CharField(_("building"), max_length=32, help_text=_("e.g. 3栋"))
    floors = models.PositiveSmallIntegerField(_("floors"), default=6)
    units = models.PositiveSmallIntegerField(_("units"), default=1)
    address = models.CharField(_("address"), max_length=200, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    all_objects = models.Manager()
    objects = InScope.as_manager()

    class Meta:
        ordering = ["compound__name", "name"]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")

    def __str__(self) -> str:
        return f"{self.compound.name if self.compound else ''}{self.name}"


class House(models.Model):
    class Use(models.TextChoices):
        RESIDENTIAL = "residential", _("Residential")
        COMMERCIAL = "commercial", _("Shop / commercial")
        MIXED = "mixed", _("Mixed")
        OFFICE = "office", _("Office")
        VACANT = "vacant", _("Vacant")
        OTHER = "other", _("Other")

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="houses", verbose_name=_("grid"))
    building = models.ForeignKey(
        Building, null=True, blank=True, on_delete=models.PROTECT, related_name="houses", verbose_name=_("building")
    )
    unit = models.PositiveSmallIntegerField(_("unit"), default=1)
    floor = models.SmallIntegerField(_("floor"), default=1)
    number = models.CharField(_("house number"), max_length=16)
    address = models.CharField(_("address"), max_length=200, blank=True, help_text=_("For houses outside a building"))
    area = models.DecimalField(_("area (m²)"), max_digits=8, decimal_places=2, null=True, blank=True)
    use = models.CharField(_("use"), max_length=12, choices=Use.choices, default=Use.RESIDENTIAL)
    owner_name = models.CharField(_("owner"), max_length=64, blank=True)
    is_rental = models.BooleanField(_("rental"), default=False)
    landlord_name = models.CharField(_("landlord"), max_length=64, blank=True)
    landlord_phone = models.CharField(_("landlord phone"), max_length=32, blank=True)
    tenants_count = models.PositiveSmallIntegerField(_("tenants"), default=0)
    created_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    all_objects = models.Manager()
    objects = InScope.as_manager()

    class Meta:
        ordering = ["building_id", "unit", "floor", "number"]
        verbose_name = _("house")
        verbose_name_plural = _("houses")
        indexes = [
            # Only houses with an address of their own (most are in a building): the registry's
            # address search scans this instead of every house (PostgreSQL adds a trigram index).
            models.Index(fields=["address"], condition=~Q(address=""), name="house_address_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "unit", "number"], condition=Q(deleted_at__isnull=True), name="house_unique_number"
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.building_id and self.building is not None:
            return f"{self.building}{self.unit}单元{self.number}"
        return self.address or self.number
