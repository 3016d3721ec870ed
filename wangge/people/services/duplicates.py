"""One natural person, one record, district-wide: the duplicate check, and what a user learns
of a person registered outside their scope."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.core.models import User
from wangge.core.refusals import Kind, Refusal, refusal_count
from wangge.people.models import Person
from wangge.regions.models import Level, Region, scope_paths


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


def duplicate_checks_left(actor: User) -> None:
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


def refuse_duplicate(person: Person, *, actor: User | None) -> None:
    """One natural person, one record, district-wide. Inside the actor's scope the refusal names the record;
    outside it says only which community to contact (no id, no link), and is counted, audited and rate-limited."""
    if not person.id_hash:
        return
    if actor is not None:
        duplicate_checks_left(actor)
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
            params={"existing_id": existing.pk},
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
