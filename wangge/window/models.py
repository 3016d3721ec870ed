"""The service catalogue: items a resident can apply for, and the versions of their notice (一次性告知)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wangge.cases.choices import HandlingLevel

# The offices an item may be handled by: a level of the region tree or a department (the cases' notion).
OFFICE_LEVELS = [
    (HandlingLevel.COMMUNITY.value, HandlingLevel.COMMUNITY.label),
    (HandlingLevel.STREET.value, HandlingLevel.STREET.label),
    (HandlingLevel.DEPARTMENT.value, HandlingLevel.DEPARTMENT.label),
]


class ServiceCategory(models.TextChoices):
    SOCIAL_SECURITY = "social_security", _("Social security")
    MEDICAL_INSURANCE = "medical_insurance", _("Medical insurance")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs")
    DISABILITY = "disability", _("Disabled persons")
    VETERANS = "veterans", _("Veterans")
    HEALTH = "health", _("Health and family planning")
    EMPLOYMENT = "employment", _("Employment services")
    HOUSING = "housing", _("Housing")
    CERTIFICATES = "certificates", _("Certificates")
    OTHER = "other", _("Other")


class ServiceMode(models.TextChoices):
    ON_THE_SPOT = "on_the_spot", _("Done on the spot")
    PROMISED = "promised", _("Done within a promised time")
    REPORTED = "reported", _("Reported to a higher office")


class ServiceItem(models.Model):
    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=24, choices=ServiceCategory.choices)
    keywords = models.CharField(_("keywords"), max_length=200, blank=True)
    # pinyin of the name and the keywords (full, then initials), space-separated: searched with `contains`
    pinyin = models.CharField(max_length=600, blank=True, editable=False)
    office_level = models.CharField(_("responsible office"), max_length=16, choices=OFFICE_LEVELS)
    department = models.CharField(_("department"), max_length=50, blank=True)
    mode = models.CharField(_("mode"), max_length=16, choices=ServiceMode.choices)
    limit_days = models.PositiveSmallIntegerField(_("time limit (working days)"), null=True, blank=True)
    appointment = models.BooleanField(_("by appointment"), default=False)
    door_to_door = models.BooleanField(_("door-to-door"), default=False)
    online = models.BooleanField(_("online"), default=False)
    on_behalf = models.BooleanField(_("on behalf (代办)"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    notice = models.ForeignKey(
        "ServiceNotice", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["category", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ServiceNotice(models.Model):
    """One published version of an item's 一次性告知: never changed once written; an edit is a new version."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="notices")
    version = models.PositiveIntegerField()
    conditions = models.TextField(_("conditions"))
    legal_basis = models.TextField(_("legal basis"), blank=True)
    time_limit = models.CharField(_("time limit"), max_length=200)
    fees = models.CharField(_("fees"), max_length=200, default="", blank=True)
    place = models.CharField(_("where and when"), max_length=300)
    phone = models.CharField(_("phone"), max_length=40)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["item", "-version"]
        constraints = [models.UniqueConstraint(fields=["item", "version"], name="window_notice_version_unique")]

    def __str__(self) -> str:
        return f"{self.item.code} v{self.version}"


class NoticeMaterial(models.Model):
    class Form(models.TextChoices):
        ORIGINAL = "original", _("Original")
        COPY = "copy", _("Copy")
        BOTH = "both", _("Original and copy")

    notice = models.ForeignKey(ServiceNotice, on_delete=models.CASCADE, related_name="materials")
    name = models.CharField(_("material"), max_length=200)
    form = models.CharField(_("original or copy"), max_length=8, choices=Form.choices)
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["notice", "order"]

    def __str__(self) -> str:
        return self.name
