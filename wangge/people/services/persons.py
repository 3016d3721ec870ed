"""Writes to a person's record: create, update, claim, verify, delete, restore, merge, reveal a masked field."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.core import history
from wangge.core.audit import audit_record, mask_typed
from wangge.core.idcard import (
    DocumentType,
)
from wangge.core.limits import check_text
from wangge.core.models import User
from wangge.core.pinyin import name_keys
from wangge.core.refusals import AccessRefused, Kind, Refusal, refusals_recorded
from wangge.core.roles import Cap
from wangge.people.choices import SourceState
from wangge.people.models import Household, Membership, Person, PersonTag, Residence
from wangge.people.services.duplicates import refuse_duplicate
from wangge.people.services.fields import (
    NAME_MAX,
    PLAIN_FIELDS,
    SENSITIVE_TRACKED,
    check_fields,
    check_grid,
    check_together,
    record_change,
)
from wangge.people.services.households import move_into, refresh_identity_colors
from wangge.people.services.identity import (
    NUMBER_COLUMNS,
    clean_permit,
    reveal_value,
    set_identity,
    set_permit,
    set_phone,
)
from wangge.regions.access import require
from wangge.regions.models import Region


@refusals_recorded
@transaction.atomic
def person_create(
    *,
    actor: User | None,
    region: Region,
    name: str,
    doc_type: str = DocumentType.CITIZEN_ID,
    id_number: str = "",
    phone: str = "",
    residence_permit: str = "",
    source: str = "",
    **fields: Any,
) -> Person:
    require(actor, Cap.EDIT_REGISTRY, region)
    check_grid(region)
    fields = check_together(check_fields(fields))
    person = Person(region=region, **{k: v for k, v in fields.items() if k not in ("gender", "birth_date")})
    person.name = check_text(name, limit=NAME_MAX, label=_("Name"))
    if not person.name:
        raise ValidationError(_("A name is required."), code="name_required")
    person.gender = fields.get("gender") or ""
    person.birth_date = fields.get("birth_date")
    set_identity(person, doc_type=doc_type, id_number=id_number, typed=fields)
    set_phone(person, phone)
    set_permit(person, residence_permit)
    person.name_pinyin, person.name_initials = name_keys(person.name)
    refuse_duplicate(person, actor=actor)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:  # a concurrent create of the same ID number
        raise ValidationError(
            _("A person with this ID number is already registered."), code="duplicate_person"
        ) from exc
    record_change(actor=actor, obj=person, action="create", changes={"name": [None, person.name]}, source=source)
    return person


def _diff(person: Person, fields: dict[str, Any]) -> dict[str, list[Any]]:
    changes = {}
    for field, value in fields.items():
        old = getattr(person, field)
        if old != value:
            if field in SENSITIVE_TRACKED:
                changes[field] = ["***", "***"]
            else:
                changes[field] = [
                    old.isoformat() if isinstance(old, date) else old,
                    value.isoformat() if isinstance(value, date) else value,
                ]
    return changes


@refusals_recorded
@transaction.atomic
def person_update(
    *,
    actor: User | None,
    person: Person,
    id_number: str | None = None,
    doc_type: str | None = None,
    phone: str | None = None,
    residence_permit: str | None = None,
    source: str = "",
    **fields: Any,
) -> Person:
    """Change a person's record; every changed field is kept as old → new (sensitive ones masked)."""
    require(actor, Cap.EDIT_REGISTRY, person.region)
    fields = check_fields(fields)
    person = Person.all_objects.select_for_update().get(pk=person.pk)
    fields = check_together(fields, current=person)
    if "name" in fields and not fields["name"]:
        raise ValidationError(_("A name is required."), code="name_required")
    changes = _diff(person, fields)
    for field, value in fields.items():
        setattr(person, field, value)
    if id_number is not None or doc_type is not None:
        before, before_hash = person.id_number_masked, person.id_hash
        set_identity(
            person,
            doc_type=doc_type or person.doc_type,
            id_number=id_number if id_number is not None else reveal_value(person, "id_number"),
            typed=fields,
        )
        if person.id_number_masked != before:
            changes["id_number"] = [before, person.id_number_masked]
        if person.id_hash != before_hash:
            refuse_duplicate(person, actor=actor)
    if phone is not None:
        before = person.phone_masked
        set_phone(person, phone)
        if person.phone_masked != before:
            changes["phone"] = [before, person.phone_masked]
    if residence_permit is not None and clean_permit(residence_permit) != reveal_value(person, "residence_permit"):
        before = person.residence_permit_masked
        set_permit(person, residence_permit)
        changes["residence_permit"] = [before, person.residence_permit_masked]
    if "name" in fields:
        person.name_pinyin, person.name_initials = name_keys(person.name)
    if not changes:
        return person
    person.save()
    record_change(actor=actor, obj=person, action="update", changes=changes, source=source)
    return person


@transaction.atomic
def person_claim(*, actor: User, person: Person) -> Person:
    """A grid worker takes responsibility for a record that came from outside (录入 → 认领)."""
    require(actor, Cap.EDIT_REGISTRY, person.region)
    updated = Person.all_objects.filter(pk=person.pk, source_state=SourceState.ENTERED).update(
        source_state=SourceState.CLAIMED, claimed_by=actor
    )
    if not updated:
        raise ValidationError(_("This record has already been claimed."), code="already_claimed")
    person.refresh_from_db()
    record_change(
        actor=actor, obj=person, action="claim", changes={"source_state": [SourceState.ENTERED, SourceState.CLAIMED]}
    )
    return person


@transaction.atomic
def person_verify(*, actor: User, person: Person) -> Person:
    """The record has been checked with the person (核实)."""
    require(actor, Cap.EDIT_REGISTRY, person.region)
    before = person.source_state
    updated = (
        Person.all_objects.filter(pk=person.pk)
        .exclude(source_state=SourceState.VERIFIED)
        .update(
            source_state=SourceState.VERIFIED,
            verified_by=actor,
            verified_at=timezone.now(),
            claimed_by=person.claimed_by or actor,
        )
    )
    if not updated:
        raise ValidationError(_("This record has already been verified."), code="already_verified")
    person.refresh_from_db()
    record_change(actor=actor, obj=person, action="verify", changes={"source_state": [before, SourceState.VERIFIED]})
    return person


@transaction.atomic
def person_delete(*, actor: User, person: Person, reason: str) -> None:
    """Soft delete: the record disappears from lists and search and can be restored."""
    require(actor, Cap.EDIT_REGISTRY, person.region)
    if not reason.strip():
        raise ValidationError(_("Say why the record is removed."), code="reason_required")
    Person.all_objects.filter(pk=person.pk, deleted_at__isnull=True).update(deleted_at=timezone.now())
    record_change(actor=actor, obj=person, action="delete", changes={"reason": [None, reason.strip()]})


@refusals_recorded
@transaction.atomic
def person_restore(*, actor: User, person: Person) -> Person:
    require(actor, Cap.EDIT_REGISTRY, person.region)
    person = Person.all_objects.select_for_update().get(pk=person.pk)
    person.deleted_at = None
    refuse_duplicate(person, actor=actor)
    person.save(update_fields=["deleted_at"])
    record_change(actor=actor, obj=person, action="restore", changes={})
    return person


@transaction.atomic
def person_merge(*, actor: User, keep: Person, duplicate: Person) -> Person:
    """Combine two records of one natural person: memberships, homes, tags and history move to `keep`."""
    require(actor, Cap.EDIT_REGISTRY, keep.region)
    require(actor, Cap.EDIT_REGISTRY, duplicate.region)
    if keep.pk == duplicate.pk:
        raise ValidationError(_("Choose two different records."), code="same_person")
    if keep.id_hash and duplicate.id_hash and keep.id_hash != duplicate.id_hash:
        raise ValidationError(
            _("The two records have different ID numbers; they are not the same person."), code="different_ids"
        )
    today = timezone.localdate()
    if Membership.objects.filter(person=keep, ended_on__isnull=True).exists():
        Membership.objects.filter(person=duplicate, ended_on__isnull=True).update(ended_on=today)
    Membership.objects.filter(person=duplicate).update(person=keep)
    Household.all_objects.filter(head=duplicate).update(head=keep)
    if Residence.objects.filter(person=keep, ended_on__isnull=True, is_default=True).exists():
        Residence.objects.filter(person=duplicate, is_default=True, ended_on__isnull=True).update(is_default=False)
    Residence.objects.filter(person=duplicate).update(person=keep)
    kept_tags = set(PersonTag.objects.filter(person=keep, ended_on__isnull=True).values_list("tag_id", flat=True))
    PersonTag.objects.filter(person=duplicate, tag_id__in=kept_tags, ended_on__isnull=True).update(ended_on=today)
    PersonTag.objects.filter(person=duplicate).update(person=keep)
    history.move(model=Person, from_id=duplicate.pk, to_id=keep.pk)
    filled = {}
    for field in PLAIN_FIELDS:
        if getattr(keep, field) in ("", None) and getattr(duplicate, field) not in ("", None):
            filled[field] = getattr(duplicate, field)
    for field in NUMBER_COLUMNS:
        if not getattr(keep, field) and getattr(duplicate, field):
            setattr(keep, field, getattr(duplicate, field))
    Person.all_objects.filter(pk=duplicate.pk).update(merged_into=keep, deleted_at=timezone.now(), id_hash="")
    joined = (
        Membership.objects.filter(person=keep, ended_on__isnull=True)
        .select_related("household__region", "household__house")
        .first()
    )
    moved = move_into(actor, keep, joined.household) if joined is not None else {}  # its household's grid
    for field, value in filled.items():
        setattr(keep, field, value)
    keep.save()
    refresh_identity_colors([keep.pk])
    record_change(
        actor=actor,
        obj=keep,
        action="merge",
        changes={"merged": [duplicate.pk, keep.pk], **{f: [None, "…"] for f in filled}, **moved},
    )
    return keep


@refusals_recorded
@transaction.atomic
def person_reveal(*, actor: User, person: Person, field: str, reason: str) -> str:
    """Show a masked field in full: needs the permission and a reason, and leaves an audit row.

    Without the permission the reveal is refused and counted (`core.refusals`), not audited row by row.
    """
    if field not in ("id_number", "phone", "residence_permit"):
        raise ValueError(field)
    require(actor, Cap.VIEW_RESIDENT_DATA, person.region)
    if not actor.has_perm(Cap.REVEAL_SENSITIVE):
        raise AccessRefused(
            _("You do not have permission to do this."),
            Refusal(Kind.REVEAL, object_type="people.person", object_id=str(person.pk)),
        )
    if len(reason.strip()) < 2:
        raise ValidationError(_("Say why you need to see this in full."), code="reason_required")
    audit_record(actor=actor, action=f"reveal.{field}", obj=person, detail={"reason": mask_typed(reason, names=False)})
    return reveal_value(person, field)
