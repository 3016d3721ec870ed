"""Households, their members and homes, and the 红粉白 colours that follow from them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.core import history
from wangge.core.models import User
from wangge.core.roles import Cap
from wangge.people import relations
from wangge.people.choices import HouseholdKind, Relation, identity_color
from wangge.people.models import Household, Membership, Person, Residence
from wangge.people.services.fields import check_grid, record_change
from wangge.places.models import House
from wangge.regions.access import require
from wangge.regions.models import Region


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


def join_household(person: Person, household: Household, relation: str, on: date) -> list[int]:
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


def move_into(actor: User | None, person: Person, household: Household) -> dict[str, list[Any]]:
    """A household lives in one grid: a person who joins it from another grid moves into it, as a move.

    The person's grid becomes the household's, and their default home its house (when it has one), so the
    one grid worker who sees the household sees all its members; the old grid is kept in the history.
    Moving someone out of a grid needs the right to change that grid too.
    """
    if person.region.grid_pk == household.region.grid_pk:
        return {}
    require(actor, Cap.EDIT_REGISTRY, person.region)
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
    require(actor, Cap.EDIT_REGISTRY, region)
    check_grid(region)
    number = number.strip()
    if not number:
        raise ValidationError(_("A household number is required."), code="number_required")
    if Household.all_objects.filter(region=region, number=number, deleted_at__isnull=True).exists():
        raise ValidationError(
            _("Household number %(n)s already exists in this grid.") % {"n": number}, code="duplicate_household"
        )
    household = Household.all_objects.create(region=region, number=number, kind=kind, head=head, house=house)
    moved = move_into(actor, head, household)
    join_household(head, household, Relation.HEAD, timezone.localdate())
    refresh_identity_colors([head.pk])
    record_change(
        actor=actor,
        obj=household,
        action="create",
        changes={"number": [None, number], "head": [None, head.pk]},
        source=source,
    )
    if moved:
        record_change(actor=actor, obj=head, action="move", changes=moved, source=source)
    return household


@transaction.atomic
def household_add_member(
    *, actor: User | None, household: Household, person: Person, relation: str, on: date | None = None, source: str = ""
) -> Membership:
    """Put a person into a household; if they were in another one, that membership ends (history kept).

    A person of another grid moves into the household's grid (`move_into`): a household lives in one grid.
    """
    require(actor, Cap.EDIT_REGISTRY, household.region)
    if relation not in Relation.values:
        raise ValidationError(_("Unknown relation to the head of household."), code="bad_relation")
    if relations.is_head(relation):
        relation = Relation.HEAD
    if relation == Relation.HEAD and household.head_id not in (None, person.pk):
        raise ValidationError(_("The household already has a head; change the head instead."), code="two_heads")
    moved = move_into(actor, person, household)
    touched = join_household(person, household, relation, on or timezone.localdate())
    if relation == Relation.HEAD:
        Household.all_objects.filter(pk=household.pk).update(head=person)
    refresh_identity_colors(touched)
    record_change(
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
    require(actor, Cap.EDIT_REGISTRY, household.region)
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
    record_change(actor=actor, obj=household, action="head", changes={"head": [old_head, person.pk]})
    return household


@transaction.atomic
def household_move(*, actor: User, household: Household, house: House) -> Household:
    """The whole family moves to another house (and that house's grid)."""
    require(actor, Cap.EDIT_REGISTRY, household.region)
    require(actor, Cap.EDIT_REGISTRY, house.region)
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
    record_change(
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
    require(actor, Cap.EDIT_REGISTRY, house.region)
    require(actor, Cap.EDIT_REGISTRY, person.region)
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
    record_change(actor=actor, obj=person, action="home", changes=changes, source=source)
    return residence
