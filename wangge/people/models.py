"""The registry of people: persons, households and their members, homes, tags and change history."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.core.idcard import DocumentType
from wangge.people.choices import (
    ETHNICITIES,
    AttentionLevel,
    DisabilityType,
    Education,
    Gender,
    HealthStatus,
    HouseholdKind,
    IdentityColor,
    MaritalStatus,
    PoliticalStatus,
    Relation,
    Residency,
    SourceState,
)
from wangge.places.models import House, InScope
from wangge.regions.models import Region


class Person(models.Model):
    """A natural person known to the community (实有人口).

    ID and phone numbers are stored encrypted, with keyed hashes for exact and tail lookup and a
    masked copy for display; the plain number never reaches the database.
    """

    # indexed by `person_region_alive_idx` (region, deleted_at), which serves lookups by region alone
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="persons", verbose_name=_("grid"), db_index=False
    )
    name = models.CharField(_("name"), max_length=64, db_index=True)
    former_name = models.CharField(_("former name"), max_length=64, blank=True, db_index=True)
    name_pinyin = models.CharField(max_length=128, editable=False)  # indexed by `person_pinyin_initials_idx`
    name_initials = models.CharField(max_length=32, db_index=True, editable=False)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True, db_index=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=2, choices=ETHNICITIES, blank=True)
    doc_type = models.CharField(
        _("document type"), max_length=32, choices=DocumentType.choices, default=DocumentType.CITIZEN_ID
    )
    id_number_enc = models.TextField(blank=True, editable=False)
    id_number_masked = models.CharField(_("document number"), max_length=32, blank=True, editable=False)
    id_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_tail4 = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_tail6 = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_enc = models.TextField(blank=True, editable=False)
    phone_masked = models.CharField(_("phone"), max_length=32, blank=True, editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_tail4 = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    political_status = models.CharField(
        _("political status"), max_length=20, choices=PoliticalStatus.choices, blank=True
    )
    education = models.CharField(_("education"), max_length=16, choices=Education.choices, blank=True)
    marital_status = models.CharField(_("marital status"), max_length=10, choices=MaritalStatus.choices, blank=True)
    occupation = models.CharField(_("occupation"), max_length=64, blank=True)
    work_unit = models.CharField(_("work unit"), max_length=100, blank=True)
    # 户籍地: where the person's household registration is (for 流动人口, their place of origin); GB/T 31000's
    # 户籍地址 item of the 实有人口 record
    domicile = models.CharField(_("registered domicile"), max_length=200, blank=True)
    # 居住证号 / 暂住证号 of a resident registered elsewhere: personal, so stored encrypted with a masked copy
    residence_permit_enc = models.TextField(blank=True, editable=False)
    residence_permit_masked = models.CharField(_("residence permit number"), max_length=32, blank=True, editable=False)
    health_status = models.CharField(_("health"), max_length=10, choices=HealthStatus.choices, blank=True)
    vaccination_status = models.CharField(_("vaccination"), max_length=64, blank=True)
    disability_type = models.CharField(_("disability type"), max_length=14, choices=DisabilityType.choices, blank=True)
    disability_grade = models.PositiveSmallIntegerField(_("disability grade"), null=True, blank=True)
    is_party_member = models.BooleanField(_("party member"), default=False)
    is_volunteer = models.BooleanField(_("volunteer"), default=False)
    is_veteran = models.BooleanField(_("veteran"), default=False)
    residency = models.CharField(
        _("residency"), max_length=12, choices=Residency.choices, default=Residency.REGISTERED, db_index=True
    )
    moved_in_on = models.DateField(_("moved in"), null=True, blank=True)
    moved_out_on = models.DateField(_("moved out"), null=True, blank=True)
    is_deceased = models.BooleanField(_("deceased"), default=False)
    deceased_on = models.DateField(_("date of death"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    identity_color = models.CharField(
        _("identity"),
        max_length=5,
        choices=IdentityColor.choices,
        default=IdentityColor.WHITE,
        db_index=True,
        editable=False,
    )
    source_state = models.CharField(
        _("record state"), max_length=10, choices=SourceState.choices, default=SourceState.ENTERED, db_index=True
    )
    # these three are empty for most people: their indexes (in Meta) leave the empty ones out
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from", db_index=False
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    all_objects = models.Manager()
    objects = InScope.as_manager()

    class Meta:
        ordering = ["name_pinyin", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            models.Index(fields=["region", "deleted_at"], name="person_region_alive_idx"),
            # The list's order with the initials beside it: an initials search walks it and checks
            # the initials in the index (see `selectors._letters_q`).
            models.Index(fields=["name_pinyin", "name_initials"], name="person_pinyin_initials_idx"),
            # `x = ?` (and `x IN (…)`) imply `x IS NOT NULL`, so both databases use these for the lookups
            # and foreign key checks; a person written without them (every import) costs them nothing.
            *(
                models.Index(fields=[name], condition=Q(**{f"{name}__isnull": False}), name=f"person_{name}_idx")
                for name in ("claimed_by", "verified_by", "merged_into")
            ),
        ]
        constraints = [
            # One natural person per citizen ID: the keyed hash is unique among live, unmerged records.
            models.UniqueConstraint(
                fields=["id_hash"],
                condition=Q(deleted_at__isnull=True, merged_into__isnull=True) & ~Q(id_hash=""),
                name="person_unique_id_hash",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def age(self, today: date | None = None) -> int | None:
        if self.birth_date is None:
            return None
        today = today or timezone.localdate()
        return (
            today.year
            - self.birth_date.year
            - ((today.month, today.day) < (self.birth_date.month, self.birth_date.day))
        )


class Household(models.Model):
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="households", verbose_name=_("grid"))
    number = models.CharField(_("household number"), max_length=32, db_index=True)
    kind = models.CharField(
        _("household type"), max_length=8, choices=HouseholdKind.choices, default=HouseholdKind.LOCAL
    )
    head = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="headed_households",
        verbose_name=_("head"),
    )
    house = models.ForeignKey(
        House, null=True, blank=True, on_delete=models.PROTECT, related_name="households", verbose_name=_("home")
    )
    created_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    all_objects = models.Manager()
    objects = InScope.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "number"], condition=Q(deleted_at__isnull=True), name="household_unique_number"
            )
        ]

    def __str__(self) -> str:
        return self.number


class Membership(models.Model):
    """A person's place in a household, with history: a person is in at most one household at a time."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    relation = models.CharField(_("relation to head"), max_length=2, choices=Relation.choices)
    started_on = models.DateField(default=timezone.localdate)
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["household", "relation", "started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(ended_on__isnull=True), name="membership_one_current"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.household_id} {self.relation}"


class Residence(models.Model):
    """Where a person lives; one default home among possibly several."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="residences")
    house = models.ForeignKey(House, on_delete=models.PROTECT, related_name="residences")
    is_default = models.BooleanField(default=True)
    started_on = models.DateField(default=timezone.localdate)
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(ended_on__isnull=True, is_default=True), name="residence_one_default"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.house_id}"


class Tag(models.Model):
    """A group the community cares for or watches over (关怀对象 / 特殊人群)."""

    class Category(models.TextChoices):
        CARE = "care", _("Care")
        ASSISTANCE = "assistance", _("Social assistance")
        SPECIAL = "special", _("Special groups")
        OTHER = "other", _("Other")

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=32, unique=True)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    is_sensitive = models.BooleanField(
        _("sensitive"), default=False, help_text=_("Only users allowed to see sensitive groups see this tag at all.")
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class PersonTag(models.Model):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="tags")
    # indexed by `persontag_tag_idx` (tag, ended_on)
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="person_tags", db_index=False)
    started_on = models.DateField(_("from"), default=timezone.localdate)
    ended_on = models.DateField(_("until"), null=True, blank=True)
    attention = models.CharField(
        _("attention level"), max_length=8, choices=AttentionLevel.choices, default=AttentionLevel.NORMAL
    )
    source_state = models.CharField(
        _("record state"), max_length=10, choices=SourceState.choices, default=SourceState.ENTERED
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "tag"], condition=Q(ended_on__isnull=True), name="persontag_one_current"
            )
        ]
        indexes = [models.Index(fields=["tag", "ended_on"], name="persontag_tag_idx")]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.tag_id}"
