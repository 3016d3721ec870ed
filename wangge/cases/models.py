"""Cases (事件 / 社情民意): the catalogue, the case itself, its timeline, reporters and photos."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.cases.choices import (
    Action,
    DeadlineStatus,
    HandlingLevel,
    Photo,
    Source,
    State,
    Supervision,
    TimeUnit,
    Urgency,
)
from wangge.core.actors import PublicKind
from wangge.core.scoping import ScopedQuerySet
from wangge.core.uploads import case_photo_path
from wangge.regions.models import Region, paths_q, scope_paths


class Category(models.Model):
    """One entry of the two-level catalogue (GB/T 30428 event classes and community practice)."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=64)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    default_level = models.CharField(
        _("default handling level"), max_length=12, choices=HandlingLevel.choices, default=HandlingLevel.GRID
    )
    default_department = models.CharField(_("default department"), max_length=64, blank=True)
    accept_limit = models.PositiveIntegerField(_("time to accept"), default=2)
    accept_unit = models.CharField(_("unit"), max_length=5, choices=TimeUnit.choices, default=TimeUnit.HOURS)
    handle_limit = models.PositiveIntegerField(_("time to handle"), default=3)
    handle_unit = models.CharField(_("unit"), max_length=5, choices=TimeUnit.choices, default=TimeUnit.DAYS)
    verify_limit = models.PositiveIntegerField(_("time to verify"), default=1)
    verify_unit = models.CharField(_("unit"), max_length=5, choices=TimeUnit.choices, default=TimeUnit.DAYS)
    yellow_percent = models.PositiveSmallIntegerField(
        _("yellow warning threshold (percent of the time used)"), default=70
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    is_public = models.BooleanField(
        _("open to residents"),
        default=False,
        help_text=_("Residents on the portal and Open311 clients may report cases of this category."),
    )

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")

    def __str__(self) -> str:
        return self.name if self.parent_id is None else f"{self.parent.name}/{self.name}"  # type: ignore[union-attr]

    def limit(self, stage: str) -> tuple[int, str]:
        return getattr(self, f"{stage}_limit"), getattr(self, f"{stage}_unit")


class EscalationRule(models.Model):
    """When a matching open case goes overdue (or yellow): raise it to a level and copy named regions or departments."""

    class Trigger(models.TextChoices):
        YELLOW = "yellow", _("Deadline near")
        OVERDUE = "overdue", _("Overdue")

    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("category")
    )
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, blank=True)
    trigger = models.CharField(_("when"), max_length=8, choices=Trigger.choices, default=Trigger.OVERDUE)
    raise_to = models.CharField(_("raise to level"), max_length=12, choices=HandlingLevel.choices, blank=True)
    copy_departments = models.CharField(_("copy to departments"), max_length=200, blank=True)
    copy_regions = models.ManyToManyField(Region, blank=True, related_name="+", verbose_name=_("copy to regions"))
    supervision = models.CharField(_("supervision"), max_length=8, choices=Supervision.choices, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")

    def __str__(self) -> str:
        return f"{self.category_id or '*'}/{self.urgency or '*'}/{self.trigger}"

    def matches(self, case: Case) -> bool:
        category_ok = self.category_id is None or self.category_id in (
            case.category_id,
            case.category.parent_id,
        )
        return self.is_active and category_ok and self.urgency in ("", case.urgency)


class CaseQuerySet(ScopedQuerySet):
    def scope_filter(self, user: Any) -> Q:
        """Cases whose grid lies in the user's scope; a department handler sees only their department's cases."""
        q = paths_q(scope_paths(user), "region__path")
        if user.is_authenticated and user.has_role("department_handler") and not user.has_perm("core.report_cases"):
            q &= Q(department=user.department) & ~Q(department="")
        return q

    def open(self) -> CaseQuerySet:
        from wangge.cases.choices import OPEN_STATES

        return self.filter(state__in=OPEN_STATES)


class Case(models.Model):
    """A matter raised by or for a resident, owned by someone until it is resolved."""

    number = models.CharField(_("number"), max_length=20, unique=True, null=True, editable=False)
    client_key = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="cases", verbose_name=_("category"))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.PATROL)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="cases", verbose_name=_("grid"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        verbose_name=_("person"),
    )
    house = models.ForeignKey(
        "places.House", null=True, blank=True, on_delete=models.SET_NULL, related_name="cases", verbose_name=_("house")
    )
    reporter_name = models.CharField(_("reporter"), max_length=64, blank=True)
    reporter_phone_enc = models.TextField(blank=True, editable=False)
    reporter_phone_masked = models.CharField(_("reporter phone"), max_length=32, blank=True, editable=False)
    reporter_phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A caller who is not staff (`PublicActor.key`: "resident:<phone hash>", "open311:<client id>"): its own reports.
    public_reporter = models.CharField(max_length=80, blank=True, editable=False)
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now, db_index=True)

    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.REPORTED, db_index=True)
    version = models.PositiveIntegerField(default=0, editable=False)
    handling_level = models.CharField(
        _("handling level"), max_length=12, choices=HandlingLevel.choices, default=HandlingLevel.GRID
    )
    handling_region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="handled_cases", verbose_name=_("handled by region")
    )
    department = models.CharField(_("department"), max_length=64, blank=True, db_index=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
        verbose_name=_("handler"),
    )

    stage_started_at = models.DateTimeField(default=timezone.now)
    stage_due_at = models.DateTimeField(_("step due"), null=True, blank=True, db_index=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    deadline_status = models.CharField(
        _("deadline"), max_length=8, choices=DeadlineStatus.choices, default=DeadlineStatus.ON_TIME, db_index=True
    )
    was_overdue = models.BooleanField(_("was overdue"), default=False)
    escalated_by_rule = models.CharField(max_length=8, blank=True, editable=False)
    paused_since = models.DateTimeField(_("paused since"), null=True, blank=True)
    pauses = models.JSONField(default=list, blank=True, editable=False)  # [[start, end], …] ISO datetimes
    extension_requested_days = models.PositiveSmallIntegerField(null=True, blank=True)
    extended_days = models.PositiveSmallIntegerField(default=0)
    supervision = models.CharField(_("supervision"), max_length=8, choices=Supervision.choices, blank=True)

    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, db_index=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_cases"
    )
    related = models.ManyToManyField("self", blank=True, verbose_name=_("related cases"))
    reporter_count = models.PositiveIntegerField(_("reporters"), default=1)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    all_objects = models.Manager()
    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["state", "stage_due_at"], name="case_state_due_idx"),
            models.Index(fields=["handling_region", "state"], name="case_handling_state_idx"),
            models.Index(fields=["assignee", "state"], name="case_assignee_state_idx"),
            # a department handler's lists: their department's cases, newest first, without a sort
            models.Index(fields=["department", "-reported_at", "-id"], name="case_department_recent_idx"),
            # lists filtered by source and state (the 12345 hotline's closed cases): counted and paged
            # from the index (SQLite, without statistics, otherwise picks the state index and sorts)
            models.Index(fields=["source", "state", "-reported_at", "-id"], name="case_source_state_recent_idx"),
            # a public caller's own reports, newest first, and its recent ones counted against its limits
            models.Index(
                fields=["public_reporter", "-reported_at"],
                name="case_public_reporter_idx",
                condition=~Q(public_reporter=""),
            ),
        ]
        constraints = [
            # a WGS84 point or none: a stored 99999 would break every list reading the row
            models.CheckConstraint(
                condition=Q(lat__isnull=True, lng__isnull=True)
                | Q(lat__gte=-90, lat__lte=90, lng__gte=-180, lng__lte=180),
                name="case_position_wgs84",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number or self.pk} {self.title}"

    @property
    def is_paused(self) -> bool:
        return self.paused_since is not None

    @property
    def is_open(self) -> bool:
        from wangge.cases.choices import OPEN_STATES

        return self.state in OPEN_STATES


class CaseStep(models.Model):
    """One entry of the timeline: who did what, from which state to which, when, with what note."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A step taken by a caller who is not staff (a resident reporting or rating): its kind and masked label.
    public_kind = models.CharField(max_length=16, choices=PublicKind.choices, blank=True)
    public_label = models.CharField(max_length=64, blank=True)
    from_state = models.CharField(max_length=12, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=12, choices=State.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="casestep_case_at_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"

    @property
    def by(self) -> str:
        """Who took the step, for the timeline: a user, 居民 138****1234, or "" for the system."""
        from wangge.core.actors import public_label

        if self.public_kind:
            return public_label(self.public_kind, self.public_label)
        return str(self.actor) if self.actor_id else ""


class CaseReporter(models.Model):
    """One of the reporters of a collective case (the 17 households of one blocked sewer)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reporters")
    name = models.CharField(_("name"), max_length=64)
    phone_enc = models.TextField(blank=True, editable=False)
    phone_masked = models.CharField(_("phone"), max_length=32, blank=True, editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, editable=False)
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "id"]

    def __str__(self) -> str:
        return self.name


class CaseAttachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    step = models.ForeignKey(CaseStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments")
    image = models.ImageField(_("photo"), upload_to=case_photo_path)
    kind = models.CharField(_("kind"), max_length=8, choices=Photo.choices, default=Photo.OTHER)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class CaseMonthStat(models.Model):
    """The statistics of one grid, category and month, kept up to date from the cases (`stats.refresh`).

    A street's year is ~450,000 cases at district scale; summing a few thousand of these rows is
    what keeps its statistics page interactive.
    """

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day of the month, local time
    received = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    handling_seconds = models.BigIntegerField(default=0)  # summed over the closed cases

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region", "category", "month"], name="casemonthstat_unique_key")]
        indexes = [models.Index(fields=["month", "region"], name="casemonthstat_month_idx")]

    def __str__(self) -> str:
        return f"{self.region_id}/{self.category_id}/{self.month:%Y-%m}"


class CaseStatMark(models.Model):
    """How far the monthly statistics have followed the cases: one row."""

    refreshed_upto = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.refreshed_upto}"
