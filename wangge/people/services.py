"""Every write to the registry of people: one function per change, checked, recorded and audited."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.core import crypto, history
from wangge.core.audit import audit_record, mask_typed
from wangge.core.idcard import (
    DocumentType,
    IdNumberError,
    mask_id,
    mask_phone,
    normalize_number,
    parse_citizen_id,
    validate_document,
)
from wangge.core.limits import check_text
from wangge.core.models import User
from wangge.core.phones import clean_phone
from wangge.core.pinyin import name_keys
from wangge.core.refusals import AccessRefused, Kind, Refusal, refusal_count, refusals_recorded
from wangge.core.roles import Cap
from wangge.people import relations
from wangge.people.choices import HouseholdKind, Relation, SourceState, identity_color
from wangge.people.models import Household, Membership, Person, PersonTag, Residence, Tag
from wangge.people.selectors import HEALTH_FIELDS
from wangge.places.models import House
from wangge.regions.access import require
from wangge.regions.models import Level, Region, scope_paths

# Fields a form, the API or an import may set directly. Identity fields go through _set_identity.
PLAIN_FIELDS = (
    "name",
    "former_name",
    "gender",
    "birth_date",
    "ethnicity",
    "political_status",
    "education",
    "marital_status",
    "occupation",
    "work_unit",
    "domicile",
    "health_status",
    "vaccination_status",
    "disability_type",
    "disability_grade",
    "is_party_member",
    "is_volunteer",
    "is_veteran",
    "residency",
    "moved_in_on",
    "moved_out_on",
    "is_deceased",
    "deceased_on",
    "notes",
)
SENSITIVE_TRACKED = HEALTH_FIELDS  # kept as *** in the change history, which every reader of the card sees

NAME_MAX = 64
# The real limits of what a person's record holds (the API schema states the same; see api/registry_schemas.py).
EARLIEST_DATE = date(1900, 1, 1)
DISABILITY_GRADES = (1, 4)  # 一级 (most severe) to 四级
NOTES_MAX = 2000


_require = require


def _record(
    *, actor: User | None, obj: Person | Household, action: str, changes: dict[str, Any], source: str = ""
) -> None:
    kind = "person" if isinstance(obj, Person) else "household"
    history.record(obj=obj, actor=actor, action=action, changes=changes, source=source)
    audit_record(
        actor=actor,
        action=f"{kind}.{action}",
        obj=obj,
        detail={"fields": sorted(changes), "source": source} if changes else {"source": source},
    )


def check_fields(fields: dict[str, Any], *, today: date | None = None) -> dict[str, Any]:
    """The plain fields checked against their real limits, text stripped; a ValidationError naming the first bad one.

    Lengths and code lists come from the model; dates lie between 1900 and today; a disability grade is 1 to 4.
    """
    unknown = set(fields) - set(PLAIN_FIELDS)
    if unknown:
        raise ValueError(f"not a person field: {sorted(unknown)}")
    today = today or timezone.localdate()
    checked: dict[str, Any] = {}
    for name, value in fields.items():
        field = Person._meta.get_field(name)
        label = str(field.verbose_name)  # type: ignore[union-attr]
        if isinstance(field, models.CharField | models.TextField):
            value = check_text(value, limit=field.max_length or NOTES_MAX, label=label)
            if value and field.choices and value not in {str(c[0]) for c in field.choices}:
                raise ValidationError(
                    _("%(field)s: %(value)s is not one of the allowed values.") % {"field": label, "value": value},
                    code=f"bad_{name}",
                )
        elif isinstance(field, models.DateField) and value is not None:
            if not isinstance(value, date) or not EARLIEST_DATE <= value <= today:
                raise ValidationError(
                    _("%(field)s must lie between %(first)s and today.")
                    % {"field": label, "first": EARLIEST_DATE.isoformat()},
                    code=f"bad_{name}",
                )
        elif name == "disability_grade" and value is not None:
            low, high = DISABILITY_GRADES
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValidationError(
                    _("A disability grade is %(low)s to %(high)s.") % {"low": low, "high": high},
                    code="bad_disability_grade",
                )
        elif isinstance(field, models.BooleanField):
            value = bool(value)
        checked[name] = value
    return checked


def _check_grid(region: Region) -> None:
    if not region.files_records:
        raise ValidationError(
            _("People, households and houses belong to an active grid or micro-grid."), code="not_a_grid"
        )


# --- identity: document number, phone ------------------------------------------------------------


def normalise_identity(*, doc_type: str, id_number: str, today: date | None = None) -> tuple[str, dict[str, Any]]:
    """Validate a document number; for a citizen ID also return the gender and birth date it encodes."""
    if not id_number:
        return "", {}
    today = today or timezone.localdate()
    try:
        if doc_type == DocumentType.CITIZEN_ID:  # what validate_document does, keeping what the parse read
            parsed = parse_citizen_id(normalize_number(id_number), today=today)
            return parsed.number, {"gender": parsed.gender, "birth_date": parsed.birth_date}
        return validate_document(doc_type, id_number, today=today), {}
    except IdNumberError as exc:
        raise ValidationError(str(exc), code=f"id_{exc.code}") from exc


def _set_identity(person: Person, *, doc_type: str, id_number: str, typed: dict[str, Any]) -> None:
    if doc_type not in DocumentType.values:
        raise ValidationError(_("Unknown document type."), code="bad_doc_type")
    number, derived = normalise_identity(doc_type=doc_type, id_number=id_number)
    for field, value in derived.items():
        given = typed.get(field)
        if given not in (None, "") and given != value:
            label = _("gender") if field == "gender" else _("birth date")
            raise ValidationError(
                _("The %(field)s typed does not match the ID number.") % {"field": label}, code=f"id_mismatch_{field}"
            )
        setattr(person, field, value)
    person.doc_type = doc_type
    for column, value in identity_columns(number).items():
        setattr(person, column, value)


# what is stored for a person's document number and phone: ciphertext, mask and keyed hashes
ID_COLUMNS = ("id_number_enc", "id_number_masked", "id_hash", "id_tail4", "id_tail6")
PHONE_COLUMNS = ("phone_enc", "phone_masked", "phone_hash", "phone_tail4")
NUMBER_COLUMNS = (*ID_COLUMNS, *PHONE_COLUMNS)


def identity_columns(number: str) -> dict[str, str]:
    """What is stored for a validated document number: ciphertext, mask and keyed hashes (never the number)."""
    if not number:
        return dict.fromkeys(ID_COLUMNS, "")
    tails = crypto.tail_hashes(number, kind="id", lengths=(4, 6))
    return {
        "id_number_enc": crypto.encrypt(number, context="person.id_number"),
        "id_number_masked": mask_id(number),
        "id_hash": crypto.lookup_hash(number, kind="id"),
        "id_tail4": tails.get(4, ""),
        "id_tail6": tails.get(6, ""),
    }


def phone_columns(phone: str) -> dict[str, str]:
    """What is stored for a clean phone number: ciphertext, mask and keyed hashes."""
    if not phone:
        return dict.fromkeys(PHONE_COLUMNS, "")
    return {
        "phone_enc": crypto.encrypt(phone, context="person.phone"),
        "phone_masked": mask_phone(phone),
        "phone_hash": crypto.lookup_hash(phone, kind="phone"),
        "phone_tail4": crypto.tail_hashes(phone, kind="phone", lengths=(4,)).get(4, ""),
    }


PERMIT_COLUMNS = ("residence_permit_enc", "residence_permit_masked")


def clean_permit(number: str) -> str:
    """A residence permit (居住证 / 暂住证) number as stored: letters, digits and -, 6 to 32 of them, upper case."""
    value = "".join(unicodedata.normalize("NFKC", number or "").split()).upper()
    if value and (not 6 <= len(value) <= 32 or any(not (ch.isascii() and (ch.isalnum() or ch == "-")) for ch in value)):
        raise ValidationError(
            _("The residence permit number is not valid: 6 to 32 letters and digits."), code="bad_permit"
        )
    return value


def permit_columns(number: str) -> dict[str, str]:
    """What is stored for a clean residence permit number: ciphertext and mask (never the number)."""
    if not number:
        return dict.fromkeys(PERMIT_COLUMNS, "")
    return {
        "residence_permit_enc": crypto.encrypt(number, context="person.residence_permit"),
        "residence_permit_masked": mask_id(number),
    }


def _set_permit(person: Person, number: str) -> None:
    for column, value in permit_columns(clean_permit(number)).items():
        setattr(person, column, value)


def _set_phone(person: Person, phone: str) -> None:
    for column, value in phone_columns(clean_phone(phone)).items():
        setattr(person, column, value)


def community_of(region: Region) -> Region:
    """The community a grid or micro-grid belongs to (the region itself when it is not below one)."""
    if region.level == Level.COMMUNITY:
        return region
    return Region.all_objects.filter(pk__in=region.ancestor_ids, level=Level.COMMUNITY).first() or region


class AccessRefusedValidation(ValidationError):
    """A refused write with a clear message that is also counted (`core.refusals`)."""

    def __init__(self, message: str, *, code: str, refusal: Refusal) -> None:
        super().__init__(message, code=code)
        self.refusal = refusal


def _duplicate_checks_left(actor: User) -> None:
    """Refuse to check ID numbers for a user who met too many registered elsewhere this hour (not an oracle)."""
    limit = settings.WANGGE_DUPLICATE_CHECKS_PER_HOUR
    if refusal_count(user=actor, kind=Kind.DUPLICATE) < limit:
        return
    resume = (timezone.now() + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    raise AccessRefusedValidation(
        _(
            "%(n)d ID numbers you entered within the hour are registered outside your area, so saving ID numbers "
            "is paused until %(time)s. If a person has moved here, ask the community where they are registered "
            "to move the record."
        )
        % {"n": limit, "time": timezone.localtime(resume).strftime("%H:%M")},
        code="duplicate_checks_paused",
        refusal=Refusal(Kind.DUPLICATE),
    )


def registered_elsewhere_message(community: Region) -> str:
    """What a user learns of a person registered outside their scope: the community to contact, nothing more."""
    contact = {"community": community.name, "phone": community.service_phone}
    if community.service_phone:
        return (
            _(
                "A person with this ID number is already registered in %(community)s (phone %(phone)s). Contact that "
                "community to move the record here instead of registering the person again."
            )
            % contact
        )
    return (
        _(
            "A person with this ID number is already registered in %(community)s. Contact that community to move "
            "the record here instead of registering the person again."
        )
        % contact
    )


def _refuse_duplicate(person: Person, *, actor: User | None) -> None:
    """One natural person, one record, district-wide. Inside the actor's scope the refusal names the record;
    outside it says only which community to contact (no id, no link), and is counted, audited and rate-limited."""
    if not person.id_hash:
        return
    if actor is not None:
        _duplicate_checks_left(actor)
    clash = Person.all_objects.filter(id_hash=person.id_hash, deleted_at__isnull=True, merged_into__isnull=True)
    if person.pk:
        clash = clash.exclude(pk=person.pk)
    existing = clash.select_related("region").first()
    if existing is None:
        return
    if actor is None or existing.region.is_within(scope_paths(actor)):
        raise ValidationError(
            _("A person with this ID number is already registered (record %(id)s).") % {"id": existing.pk},
            code="duplicate_person",
            params={"person_id": existing.pk},
        )
    community = community_of(existing.region)
    raise AccessRefusedValidation(
        registered_elsewhere_message(community),
        code="duplicate_elsewhere",
        refusal=Refusal(
            Kind.DUPLICATE,
            object_type="people.person",
            object_id=str(existing.pk),
            audit_action="person.duplicate_elsewhere",
            detail={"id_number": person.id_number_masked, "community": community.name},
        ),
    )


# --- people ---------------------------------------------------------------------------------------


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
    _require(actor, Cap.EDIT_REGISTRY, region)
    _check_grid(region)
    fields = check_fields(fields)
    person = Person(region=region, **{k: v for k, v in fields.items() if k not in ("gender", "birth_date")})
    person.name = check_text(name, limit=NAME_MAX, label=_("Name"))
    if not person.name:
        raise ValidationError(_("A name is required."), code="name_required")
    person.gender = fields.get("gender") or ""
    person.birth_date = fields.get("birth_date")
    _set_identity(person, doc_type=doc_type, id_number=id_number, typed=fields)
    _set_phone(person, phone)
    _set_permit(person, residence_permit)
    person.name_pinyin, person.name_initials = name_keys(person.name)
    _refuse_duplicate(person, actor=actor)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:  # a concurrent create of the same ID number
        raise ValidationError(
            _("A person with this ID number is already registered."), code="duplicate_person"
        ) from exc
    _record(actor=actor, obj=person, action="create", changes={"name": [None, person.name]}, source=source)
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
    _require(actor, Cap.EDIT_REGISTRY, person.region)
    fields = check_fields(fields)
    person = Person.all_objects.select_for_update().get(pk=person.pk)
    if "name" in fields and not fields["name"]:
        raise ValidationError(_("A name is required."), code="name_required")
    changes = _diff(person, fields)
    for field, value in fields.items():
        setattr(person, field, value)
    if id_number is not None or doc_type is not None:
        before, before_hash = person.id_number_masked, person.id_hash
        _set_identity(
            person,
            doc_type=doc_type or person.doc_type,
            id_number=id_number if id_number is not None else reveal_value(person, "id_number"),
            typed=fields,
        )
        if person.id_number_masked != before:
            changes["id_number"] = [before, person.id_number_masked]
        if person.id_hash != before_hash:
            _refuse_duplicate(person, actor=actor)
    if phone is not None:
        before = person.phone_masked
        _set_phone(person, phone)
        if person.phone_masked != before:
            changes["phone"] = [before, person.phone_masked]
    if residence_permit is not None and clean_permit(residence_permit) != reveal_value(person, "residence_permit"):
        before = person.residence_permit_masked
        _set_permit(person, residence_permit)
        changes["residence_permit"] = [before, person.residence_permit_masked]
    if "name" in fields:
        person.name_pinyin, person.name_initials = name_keys(person.name)
    if not changes:
        return person
    person.save()
    _record(actor=actor, obj=person, action="update", changes=changes, source=source)
    return person


@transaction.atomic
def person_claim(*, actor: User, person: Person) -> Person:
    """A grid worker takes responsibility for a record that came from outside (录入 → 认领)."""
    _require(actor, Cap.EDIT_REGISTRY, person.region)
    updated = Person.all_objects.filter(pk=person.pk, source_state=SourceState.ENTERED).update(
        source_state=SourceState.CLAIMED, claimed_by=actor
    )
    if not updated:
        raise ValidationError(_("This record has already been claimed."), code="already_claimed")
    person.refresh_from_db()
    _record(
        actor=actor, obj=person, action="claim", changes={"source_state": [SourceState.ENTERED, SourceState.CLAIMED]}
    )
    return person


@transaction.atomic
def person_verify(*, actor: User, person: Person) -> Person:
    """The record has been checked with the person (核实)."""
    _require(actor, Cap.EDIT_REGISTRY, person.region)
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
    _record(actor=actor, obj=person, action="verify", changes={"source_state": [before, SourceState.VERIFIED]})
    return person


@transaction.atomic
def person_delete(*, actor: User, person: Person, reason: str) -> None:
    """Soft delete: the record disappears from lists and search and can be restored."""
    _require(actor, Cap.EDIT_REGISTRY, person.region)
    if not reason.strip():
        raise ValidationError(_("Say why the record is removed."), code="reason_required")
    Person.all_objects.filter(pk=person.pk, deleted_at__isnull=True).update(deleted_at=timezone.now())
    _record(actor=actor, obj=person, action="delete", changes={"reason": [None, reason.strip()]})


@refusals_recorded
@transaction.atomic
def person_restore(*, actor: User, person: Person) -> Person:
    _require(actor, Cap.EDIT_REGISTRY, person.region)
    person = Person.all_objects.select_for_update().get(pk=person.pk)
    person.deleted_at = None
    _refuse_duplicate(person, actor=actor)
    person.save(update_fields=["deleted_at"])
    _record(actor=actor, obj=person, action="restore", changes={})
    return person


@transaction.atomic
def person_merge(*, actor: User, keep: Person, duplicate: Person) -> Person:
    """Combine two records of one natural person: memberships, homes, tags and history move to `keep`."""
    _require(actor, Cap.EDIT_REGISTRY, keep.region)
    _require(actor, Cap.EDIT_REGISTRY, duplicate.region)
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
    moved = _move_into(actor, keep, joined.household) if joined is not None else {}  # its household's grid
    for field, value in filled.items():
        setattr(keep, field, value)
    keep.save()
    refresh_identity_colors([keep.pk])
    _record(
        actor=actor,
        obj=keep,
        action="merge",
        changes={"merged": [duplicate.pk, keep.pk], **{f: [None, "…"] for f in filled}, **moved},
    )
    return keep


# --- households ----------------------------------------------------------------------------------


def refresh_identity_colors(person_ids: Iterable[int]) -> None:
    """Recolour these people (红粉白, `choices.identity_color`) from the households they head now."""
    ids = list(person_ids)
    if not ids:
        return
    heads = dict(
        Household.all_objects.filter(head_id__in=ids, deleted_at__isnull=True)
        .filter(memberships__person_id__in=ids, memberships__ended_on__isnull=True)
        .values_list("head_id", "kind")
    )
    Person.all_objects.filter(pk__in=ids).update(identity_color=identity_color(is_head=False, household_kind=""))
    colours: dict[str, list[int]] = defaultdict(list)
    for pk, kind in heads.items():
        colours[identity_color(is_head=True, household_kind=kind)].append(pk)
    for colour, pks in colours.items():
        Person.all_objects.filter(pk__in=pks).update(identity_color=colour)


def _join(person: Person, household: Household, relation: str, on: date) -> list[int]:
    """End the person's current membership (elsewhere) and start this one; returns ids to recolour."""
    touched = [person.pk]
    current = (
        Membership.objects.select_for_update()
        .filter(person=person, ended_on__isnull=True)
        .select_related("household")
        .first()
    )
    if current is not None:
        if current.household_id == household.pk:
            if current.relation != relation:
                Membership.objects.filter(pk=current.pk).update(relation=relation)
            return touched
        Membership.objects.filter(pk=current.pk).update(ended_on=on)
        if current.household.head_id == person.pk:
            Household.all_objects.filter(pk=current.household_id).update(head=None)
    Membership.objects.create(household=household, person=person, relation=relation, started_on=on)
    return touched


def _move_into(actor: User | None, person: Person, household: Household) -> dict[str, list[Any]]:
    """A household lives in one grid: a person who joins it from another grid moves into it, as a move.

    The person's grid becomes the household's, and their default home its house (when it has one), so the
    one grid worker who sees the household sees all its members; the old grid is kept in the history.
    Moving someone out of a grid needs the right to change that grid too.
    """
    if person.region.grid_pk == household.region.grid_pk:
        return {}
    _require(actor, Cap.EDIT_REGISTRY, person.region)
    changes: dict[str, list[Any]] = {"region": [person.region.name, household.region.name]}
    Person.all_objects.filter(pk=person.pk).update(region=household.region)
    person.region = household.region
    if household.house_id is not None:
        today = timezone.localdate()
        Residence.objects.filter(person=person, is_default=True, ended_on__isnull=True).exclude(
            house_id=household.house_id
        ).update(ended_on=today)
        Residence.objects.get_or_create(
            person=person,
            house_id=household.house_id,
            ended_on=None,
            defaults={"is_default": True, "started_on": today},
        )
        changes["house"] = [None, household.house.label if household.house else None]
    return changes


@transaction.atomic
def household_create(
    *,
    actor: User | None,
    region: Region,
    number: str,
    head: Person,
    kind: str = HouseholdKind.LOCAL,
    house: House | None = None,
    source: str = "",
) -> Household:
    _require(actor, Cap.EDIT_REGISTRY, region)
    _check_grid(region)
    number = number.strip()
    if not number:
        raise ValidationError(_("A household number is required."), code="number_required")
    if Household.all_objects.filter(region=region, number=number, deleted_at__isnull=True).exists():
        raise ValidationError(
            _("Household number %(n)s already exists in this grid.") % {"n": number}, code="duplicate_household"
        )
    household = Household.all_objects.create(region=region, number=number, kind=kind, head=head, house=house)
    moved = _move_into(actor, head, household)
    _join(head, household, Relation.HEAD, timezone.localdate())
    refresh_identity_colors([head.pk])
    _record(
        actor=actor,
        obj=household,
        action="create",
        changes={"number": [None, number], "head": [None, head.pk]},
        source=source,
    )
    if moved:
        _record(actor=actor, obj=head, action="move", changes=moved, source=source)
    return household


@transaction.atomic
def household_add_member(
    *, actor: User | None, household: Household, person: Person, relation: str, on: date | None = None, source: str = ""
) -> Membership:
    """Put a person into a household; if they were in another one, that membership ends (history kept).

    A person of another grid moves into the household's grid (`_move_into`): a household lives in one grid.
    """
    _require(actor, Cap.EDIT_REGISTRY, household.region)
    if relation not in Relation.values:
        raise ValidationError(_("Unknown relation to the head of household."), code="bad_relation")
    if relations.is_head(relation):
        relation = Relation.HEAD
    if relation == Relation.HEAD and household.head_id not in (None, person.pk):
        raise ValidationError(_("The household already has a head; change the head instead."), code="two_heads")
    moved = _move_into(actor, person, household)
    touched = _join(person, household, relation, on or timezone.localdate())
    if relation == Relation.HEAD:
        Household.all_objects.filter(pk=household.pk).update(head=person)
    refresh_identity_colors(touched)
    _record(
        actor=actor,
        obj=person,
        action="move",
        changes={"household": [None, household.number], "relation": [None, relation], **moved},
        source=source,
    )
    return Membership.objects.get(person=person, ended_on__isnull=True)


def _relations_towards(household: Household, new_head: Person) -> dict[int, str]:
    """Every current member's relation restated towards the new head (GB/T 4761, `people.relations`)."""
    members = list(
        Membership.objects.filter(household=household, ended_on__isnull=True).select_related("person").order_by("pk")
    )
    by_person = {m.person_id: m for m in members}
    mine = by_person[new_head.pk]
    old = by_person.get(household.head_id) if household.head_id else None
    if old is None or old.person_id == new_head.pk:  # no head to start from: only the new head's own row changes
        return {mine.pk: Relation.HEAD}
    old_gender = old.person.gender
    rel = mine.relation
    codes = [m.relation for m in members]
    sons = [c for c in codes if c in relations.SONS]
    daughters = [c for c in codes if c in relations.DAUGHTERS]
    only_son = rel in relations.SONS and len(sons) == 1
    only_daughter = rel in relations.DAUGHTERS and len(daughters) == 1
    only_child = (only_son or only_daughter) and len(sons) + len(daughters) == 1
    result = {mine.pk: str(Relation.HEAD)}
    for m in members:
        if m.pk == mine.pk:
            continue
        if m.pk == old.pk:
            result[m.pk] = relations.reverse(
                rel, gender=old_gender, is_older=relations.older(old.person.birth_date, new_head.birth_date)
            )
            continue
        child = (
            (only_son and m.relation in (Relation.GRANDSON, Relation.GRANDDAUGHTER))
            or (only_daughter and m.relation in (Relation.DAUGHTERS_SON, Relation.DAUGHTERS_DAUGHTER))
            or (only_child and m.relation[0] == "4")
        )
        spouse = (
            (only_son and m.relation == Relation.DAUGHTER_IN_LAW and codes.count(Relation.DAUGHTER_IN_LAW) == 1)
            or (only_daughter and m.relation == Relation.SON_IN_LAW and codes.count(Relation.SON_IN_LAW) == 1)
            or {rel, m.relation} == {Relation.FATHER, Relation.MOTHER}
        )
        result[m.pk] = relations.towards_new_head(
            m.relation,
            new_head=rel,
            gender=m.person.gender,
            old_head_gender=old_gender,
            is_older_than_new_head=relations.older(m.person.birth_date, new_head.birth_date),
            child_of_new_head=child,
            spouse_of_new_head=spouse,
        )
    return result


@transaction.atomic
def household_set_head(*, actor: User, household: Household, person: Person) -> Household:
    """Make a member the head; every member's relation is restated towards the new head (GB/T 4761)."""
    _require(actor, Cap.EDIT_REGISTRY, household.region)
    if not Membership.objects.filter(household=household, person=person, ended_on__isnull=True).exists():
        raise ValidationError(_("Only a member of the household can become its head."), code="not_member")
    old_head = household.head_id
    before = dict(Membership.objects.filter(household=household, ended_on__isnull=True).values_list("pk", "relation"))
    people_of = {
        m.pk: m.person
        for m in Membership.objects.filter(household=household, ended_on__isnull=True).select_related("person")
    }
    restated = []
    for membership_id, relation in _relations_towards(household, person).items():
        if before.get(membership_id) != relation:
            Membership.objects.filter(pk=membership_id).update(relation=relation)
            restated.append(
                history.entry(
                    obj=people_of[membership_id],
                    actor=actor,
                    action="relation",
                    changes={"relation": [before.get(membership_id), relation]},
                )
            )
    history.record_many(restated)
    Household.all_objects.filter(pk=household.pk).update(head=person)
    refresh_identity_colors([pk for pk in (old_head, person.pk) if pk])
    household.refresh_from_db()
    _record(actor=actor, obj=household, action="head", changes={"head": [old_head, person.pk]})
    return household


@transaction.atomic
def household_move(*, actor: User, household: Household, house: House) -> Household:
    """The whole family moves to another house (and that house's grid)."""
    _require(actor, Cap.EDIT_REGISTRY, household.region)
    _require(actor, Cap.EDIT_REGISTRY, house.region)
    today = timezone.localdate()
    members = list(
        Membership.objects.filter(household=household, ended_on__isnull=True).values_list("person_id", flat=True)
    )
    Residence.objects.filter(person_id__in=members, ended_on__isnull=True, is_default=True).update(ended_on=today)
    Residence.objects.bulk_create(
        [Residence(person_id=pk, house=house, is_default=True, started_on=today) for pk in members]
    )
    Person.all_objects.filter(pk__in=members).update(region=house.region)
    old = household.house.label if household.house else None
    Household.all_objects.filter(pk=household.pk).update(house=house, region=house.region)
    household.refresh_from_db()
    _record(
        actor=actor,
        obj=household,
        action="move",
        changes={"house": [old, house.label], "members": [None, len(members)]},
    )
    return household


@transaction.atomic
def residence_set(
    *, actor: User | None, person: Person, house: House, is_default: bool = True, source: str = ""
) -> Residence:
    _require(actor, Cap.EDIT_REGISTRY, house.region)
    _require(actor, Cap.EDIT_REGISTRY, person.region)
    today = timezone.localdate()
    changes: dict[str, Any] = {"house": [None, house.label]}
    if is_default:
        Residence.objects.filter(person=person, is_default=True, ended_on__isnull=True).exclude(house=house).update(
            ended_on=today
        )
        if house.region_id != person.region_id:  # the person moves with their home into that grid
            changes["region"] = [person.region.name, house.region.name]
            Person.all_objects.filter(pk=person.pk).update(region=house.region)
            person.region = house.region
    residence, created = Residence.objects.get_or_create(
        person=person, house=house, ended_on=None, defaults={"is_default": is_default, "started_on": today}
    )
    if not created and residence.is_default != is_default:
        residence.is_default = is_default
        residence.save(update_fields=["is_default"])
    _record(actor=actor, obj=person, action="home", changes=changes, source=source)
    return residence


# --- tags -------------------------------------------------------------------------------------------


@transaction.atomic
def tag_add(
    *,
    actor: User | None,
    person: Person,
    tag: Tag,
    attention: str = "normal",
    started_on: date | None = None,
    source_state: str = SourceState.ENTERED,
    source: str = "",
) -> PersonTag:
    _require(actor, Cap.EDIT_REGISTRY, person.region)
    if tag.is_sensitive and actor is not None and not actor.has_perm(Cap.VIEW_SENSITIVE_GROUPS):
        raise PermissionDenied(_("You do not have permission to do this."))
    if PersonTag.objects.filter(person=person, tag=tag, ended_on__isnull=True).exists():
        raise ValidationError(
            _("%(name)s already has the tag %(tag)s.") % {"name": person.name, "tag": tag.name}, code="duplicate_tag"
        )
    person_tag = PersonTag.objects.create(
        person=person,
        tag=tag,
        attention=attention,
        started_on=started_on or timezone.localdate(),
        source_state=source_state,
        set_by=actor,
    )
    _record(actor=actor, obj=person, action="tag", changes={"tag": [None, tag.code]}, source=source)
    return person_tag


@transaction.atomic
def tag_end(*, actor: User, person_tag: PersonTag, ended_on: date | None = None) -> PersonTag:
    _require(actor, Cap.EDIT_REGISTRY, person_tag.person.region)
    ended_on = ended_on or timezone.localdate()
    if not PersonTag.objects.filter(pk=person_tag.pk, ended_on__isnull=True).update(ended_on=ended_on):
        raise ValidationError(_("This tag has already ended."), code="tag_ended")
    person_tag.ended_on = ended_on
    _record(actor=actor, obj=person_tag.person, action="untag", changes={"tag": [person_tag.tag.code, None]})
    return person_tag


# --- sensitive fields -------------------------------------------------------------------------------


def reveal_value(person: Person, field: str) -> str:
    """Decrypt without auditing: for services that must re-derive a value, never for display."""
    tokens = {
        "id_number": person.id_number_enc,
        "phone": person.phone_enc,
        "residence_permit": person.residence_permit_enc,
    }
    token = tokens[field]
    if not token:
        return ""
    return crypto.decrypt(token, context=f"person.{field}")


@refusals_recorded
@transaction.atomic
def person_reveal(*, actor: User, person: Person, field: str, reason: str) -> str:
    """Show a masked field in full: needs the permission and a reason, and leaves an audit row.

    Without the permission the reveal is refused and counted (`core.refusals`), not audited row by row.
    """
    if field not in ("id_number", "phone", "residence_permit"):
        raise ValueError(field)
    _require(actor, Cap.VIEW_RESIDENT_DATA, person.region)
    if not actor.has_perm(Cap.REVEAL_SENSITIVE):
        raise AccessRefused(
            _("You do not have permission to do this."),
            Refusal(Kind.REVEAL, object_type="people.person", object_id=str(person.pk)),
        )
    if len(reason.strip()) < 2:
        raise ValidationError(_("Say why you need to see this in full."), code="reason_required")
    audit_record(actor=actor, action=f"reveal.{field}", obj=person, detail={"reason": mask_typed(reason, names=False)})
    return reveal_value(person, field)
