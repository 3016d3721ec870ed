"""Tags on a person (care and special groups): add and end."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.core.models import User
from wangge.core.roles import Cap
from wangge.people.choices import SourceState
from wangge.people.models import Person, PersonTag, Tag
from wangge.people.services.fields import record_change
from wangge.regions.access import require


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
    require(actor, Cap.EDIT_REGISTRY, person.region)
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
    record_change(actor=actor, obj=person, action="tag", changes={"tag": [None, tag.code]}, source=source)
    return person_tag


@transaction.atomic
def tag_end(*, actor: User, person_tag: PersonTag, ended_on: date | None = None) -> PersonTag:
    require(actor, Cap.EDIT_REGISTRY, person_tag.person.region)
    ended_on = ended_on or timezone.localdate()
    if not PersonTag.objects.filter(pk=person_tag.pk, ended_on__isnull=True).update(ended_on=ended_on):
        raise ValidationError(_("This tag has already ended."), code="tag_ended")
    person_tag.ended_on = ended_on
    record_change(actor=actor, obj=person_tag.person, action="untag", changes={"tag": [person_tag.tag.code, None]})
    return person_tag
