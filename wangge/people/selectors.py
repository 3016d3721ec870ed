"""Reads of the registry, always through the user's scope; search by name, pinyin, ID and phone digits, address."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.core import crypto
from wangge.core.idcard import IdNumberError, parse_citizen_id
from wangge.core.models import User
from wangge.core.pinyin import query_keys
from wangge.core.refusals import get_in_scope
from wangge.core.roles import Cap
from wangge.people.models import Household, Membership, Person, PersonTag, Residence, Tag
from wangge.places.models import Building, Compound, House
from wangge.regions.models import Region, paths_q, scope_paths

_CJK = re.compile(r"[\u3400-\u9fff]")


def _require_read(user: User) -> None:
    if not user.has_perm(Cap.VIEW_RESIDENT_DATA):
        raise PermissionDenied(_("You do not have permission to do this."))


def visible_tags(*, user: User) -> QuerySet[Tag]:
    tags = Tag.objects.all()
    if not user.has_perm(Cap.VIEW_SENSITIVE_GROUPS):
        tags = tags.filter(is_sensitive=False)
    return tags


# Health data: hidden from whoever may see neither sensitive groups nor sensitive fields in full.
HEALTH_FIELDS = ("health_status", "vaccination_status", "disability_type", "disability_grade")
HIDDEN = "***"


def may_see_health(user: User) -> bool:
    """The one rule for health data in every output: the person card, the edit form, exports and the API."""
    return user.has_perm(Cap.VIEW_SENSITIVE_GROUPS) or user.has_perm(Cap.REVEAL_SENSITIVE)


def health_values(person: Person, *, allowed: bool) -> dict[str, Any]:
    """A person's health fields as shown: the stored values when `allowed` (`may_see_health(user)`, read once
    for a list), else `HIDDEN` where one is recorded."""
    values = {name: getattr(person, name) for name in HEALTH_FIELDS}
    if allowed:
        return values
    return {name: HIDDEN if value not in ("", None) else value for name, value in values.items()}


def people_visible(*, user: User) -> QuerySet[Person]:
    _require_read(user)
    return Person.objects.for_user(user).alive().select_related("region")


@dataclass
class PersonFilters:
    q: str = ""
    region: Region | None = None
    tag: Tag | None = None
    color: str = ""
    residency: str = ""
    source_state: str = ""
    age_min: int | None = None
    age_max: int | None = None
    include_deleted: bool = False
    extra: dict[str, str] = field(default_factory=dict)


def _birth_bounds(age_min: int | None, age_max: int | None, today: date) -> Q:
    q = Q()
    if age_min is not None:  # born on or before today minus age_min years
        q &= Q(birth_date__lte=_years_ago(today, age_min))
    if age_max is not None:  # not yet age_max + 1
        q &= Q(birth_date__gt=_years_ago(today, age_max + 1))
    return q


def _years_ago(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def prefix_q(field: str, value: str) -> Q:
    """`field` starts with `value`, as a range on the column's ordinary index.

    LIKE 'x%' uses no index on SQLite (Django adds an ESCAPE clause) nor on PostgreSQL under a
    non-C collation; a half-open range does on both, with the code-point order of C.UTF-8.
    """
    return Q(**{f"{field}__gte": value, f"{field}__lt": value + "\U0010ffff"})


IdQuerySet = QuerySet[Any, dict[str, Any]]


def _ids(qs: QuerySet[Any], field: str = "pk") -> IdQuerySet:
    """One indexed lookup as a bare id list, fit to be a branch of a UNION."""
    return qs.values(field).order_by()


def _any_of(*branches: IdQuerySet) -> Q:
    """The person is in one of `branches` (querysets of person ids), as `id IN (… UNION ALL …)`.

    Each branch is a range or equality on its own index. An OR of them in the outer query makes
    PostgreSQL filter every person (it cannot combine a subquery with bitmap index scans), and
    makes either database tempted to walk the page ordering's index instead; inside a UNION each
    branch keeps its index, and the outer query only sorts what they found.
    """
    first, *rest = branches
    return Q(pk__in=first.union(*rest, all=True) if rest else first)


TRIGRAM = 3  # pg_trgm finds a substring of at least this many characters through its index


def _residents_at(fragment: str) -> IdQuerySet:
    """Ids of people living where the address, compound or building matches, few places first.

    Compounds (by name prefix) and buildings (by exact name) are small tables; their houses come
    through the houses' building index, residents through the residences' house index. Only the
    free-text house address needs a substring search: PostgreSQL's trigram index serves fragments
    of three characters or more; shorter ones, and all on SQLite, scan only the houses that have an
    address of their own (a partial index; most houses are in a building and have none).
    """
    compounds = _ids(Compound.all_objects.filter(prefix_q("name", fragment)))
    buildings = _ids(Building.all_objects.filter(compound__in=compounds)).union(
        _ids(Building.all_objects.filter(name=fragment)), all=True
    )
    addressed = House.all_objects.filter(address__contains=fragment)
    if len(fragment) < TRIGRAM or connection.vendor != "postgresql":
        addressed = addressed.exclude(address="")  # matches the partial index `house_address_idx`
    houses = _ids(House.all_objects.filter(building__in=buildings)).union(_ids(addressed), all=True)
    return _ids(Residence.objects.filter(ended_on__isnull=True, house__in=houses), "person_id")


# A house as the list writes it: [compound]building[unit 单元][number], e.g. 时代家居广场9栋1单元102, 9栋1单元.
_HOUSE = re.compile(
    r"(?P<compound>.*?)(?P<building>[0-9A-Za-z]+(?:栋|幢|号楼|座))(?:(?P<unit>\d{1,3})单元)?(?:(?P<number>\d{1,6})(?:室|号)?)?"
)


def _residents_of_house(text: str) -> IdQuerySet | None:
    """Ids of people living at the building / unit / house a query writes as the list shows it; None if it writes none.

    Each step is an equality on an index: the building by name (within the compounds the prefix
    names), its houses by (building, unit, number), their residents by house.
    """
    match = _HOUSE.fullmatch(text)
    if match is None or not (match["compound"] or match["unit"] or match["number"]):
        return None  # a bare building name ("9栋") is one of `_residents_at`'s branches
    buildings = Building.all_objects.filter(name=match["building"], deleted_at__isnull=True)
    if match["compound"]:
        buildings = buildings.filter(
            compound__in=_ids(Compound.all_objects.filter(prefix_q("name", match["compound"])))
        )
    houses = House.all_objects.filter(building__in=_ids(buildings), deleted_at__isnull=True)
    if match["unit"]:
        houses = houses.filter(unit=int(match["unit"]))
    if match["number"]:
        houses = houses.filter(number=match["number"])
    return _ids(Residence.objects.filter(ended_on__isnull=True, house__in=_ids(houses)), "person_id")


def _household_members(number: str) -> IdQuerySet:
    """Ids of the current members of the household with this number (户号), through the number's index."""
    households = _ids(Household.all_objects.filter(number=number, deleted_at__isnull=True))
    return _ids(Membership.objects.filter(ended_on__isnull=True, household__in=households), "person_id")


def search_q(q: str) -> Q:
    """Which persons a search box query means: one Q, using only indexed lookups."""
    q = q.strip()
    if not q:
        return Q()
    compact = re.sub(r"\s", "", q)
    digits = compact.upper()
    if re.fullmatch(r"\d{17}[\dX]|\d{15}", digits):
        try:
            number = parse_citizen_id(digits).number
        except IdNumberError:
            return Q(pk__in=[])
        return Q(id_hash=crypto.lookup_hash(number, kind="id"))
    if re.fullmatch(r"\d{11}", digits):
        return Q(phone_hash=crypto.lookup_hash(digits, kind="phone"))
    people = Person.all_objects
    if re.fullmatch(r"\d{3}[\dX]", digits):
        return _any_of(
            _ids(people.filter(id_tail4=crypto.tail_hashes(digits, kind="id", lengths=(4,))[4])),
            _ids(people.filter(phone_tail4=crypto.tail_hashes(digits, kind="phone", lengths=(4,))[4])),
            _household_members(compact),
        )
    if re.fullmatch(r"\d{5}[\dX]", digits):
        return _any_of(
            _ids(people.filter(id_tail6=crypto.tail_hashes(digits, kind="id", lengths=(6,))[6])),
            _household_members(compact),
        )
    if _CJK.search(compact):
        house = _residents_of_house(compact)
        return _any_of(
            _ids(people.filter(prefix_q("name", compact))),
            _ids(people.filter(former_name=compact)),
            _residents_at(compact),
            *([house] if house is not None else []),
        )
    if re.search(r"\d", compact):  # a household number such as 080480-2 or H0123
        return _any_of(_household_members(compact))
    keys = query_keys(compact)
    if not keys:
        return Q(pk__in=[])
    return _letters_q(keys)


def _letters_q(keys: str) -> Q:
    """Initials or full pinyin start with `keys`: two ranges, each on its own index.

    SQLite runs the OR as a MULTI-INDEX OR and sorts what it found. On PostgreSQL that is fine for
    a few hundred matches but reads every match for thousands ("wy" is 2% of a district), so there
    the page comes from walking the list's own order instead, `(name_pinyin, name_initials)`,
    checking the initials inside the index and stopping at the page. Two facts make that exact:
    `name_keys` reads initials and full pinyin from the same syllables, so both start with the same
    letter, which bounds the walk; and a branch that matches nobody (no pinyin starts with "wy")
    can be left out, which leaves the walk a plain AND the index can check. A range that two
    cheap probes find empty is left out; if both match, the OR stays, bounded by the letter.
    """
    initials, pinyin = prefix_q("name_initials", keys), prefix_q("name_pinyin", keys)
    if connection.vendor != "postgresql":
        return initials | pinyin
    letter = prefix_q("name_pinyin", keys[0])
    people = Person.all_objects
    by_initials, by_pinyin = people.filter(initials).exists(), people.filter(pinyin).exists()
    if by_initials and not by_pinyin:
        return letter & initials
    if by_pinyin and not by_initials:
        return pinyin
    return letter & (initials | pinyin)


def people_search(*, user: User, filters: PersonFilters) -> QuerySet[Person]:
    qs = (
        people_visible(user=user)
        if not filters.include_deleted
        else Person.objects.for_user(user).select_related("region")
    )
    if filters.q:
        qs = qs.filter(search_q(filters.q))
    if filters.region is not None:
        qs = qs.filter(region__path__startswith=filters.region.path)
    if filters.tag is not None:
        if filters.tag.is_sensitive and not user.has_perm(Cap.VIEW_SENSITIVE_GROUPS):
            return qs.none()
        qs = qs.filter(Exists(PersonTag.objects.filter(person=OuterRef("pk"), tag=filters.tag, ended_on__isnull=True)))
    if filters.color:
        qs = qs.filter(identity_color=filters.color)
    if filters.residency:
        qs = qs.filter(residency=filters.residency)
    if filters.source_state:
        qs = qs.filter(source_state=filters.source_state)
    if filters.age_min is not None or filters.age_max is not None:
        qs = qs.filter(_birth_bounds(filters.age_min, filters.age_max, timezone.localdate()))
    return qs


def people_count(*, user: User, filters: PersonFilters) -> int:
    """The exact number of people the list shows: the filtered set's own COUNT (no LIMIT around it, which
    would keep PostgreSQL from counting on the indexes alone). Every filter is an indexed lookup (see
    `search_q`); on 300,000 people the worst measured count took about 0.1 s (bench figures in bench/README.md)."""
    return people_search(user=user, filters=filters).count()


def with_list_details(qs: QuerySet[Person], *, user: User) -> QuerySet[Person]:
    """What a list row shows: current household and relation, default home, visible tags. Fixed query count."""
    return qs.prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.filter(ended_on__isnull=True).select_related("household"),
            to_attr="current_memberships",
        ),
        Prefetch(
            "residences",
            queryset=Residence.objects.filter(ended_on__isnull=True, is_default=True).select_related(
                "house__building__compound"
            ),
            to_attr="current_homes",
        ),
        Prefetch(
            "tags",
            queryset=PersonTag.objects.filter(ended_on__isnull=True, tag__in=visible_tags(user=user)).select_related(
                "tag"
            ),
            to_attr="current_tags",
        ),
    )


def person_get(*, user: User, person_id: int) -> Person:
    return get_in_scope(
        with_list_details(Person.objects.for_user(user).select_related("region"), user=user), user=user, pk=person_id
    )


def person_tags(*, user: User, person: Person, include_ended: bool = True) -> QuerySet[PersonTag]:
    qs = PersonTag.objects.filter(person=person, tag__in=visible_tags(user=user)).select_related("tag", "set_by")
    if not include_ended:
        qs = qs.filter(ended_on__isnull=True)
    return qs.order_by("ended_on", "-started_on")


def household_get(*, user: User, household_id: int) -> Household:
    _require_read(user)
    return get_in_scope(
        Household.objects.for_user(user).alive().select_related("region", "head__region", "house"),
        user=user,
        pk=household_id,
    )


def household_members(*, user: User, household: Household, include_past: bool = False) -> QuerySet[Membership]:
    """The members `user` may see: a member living outside the user's scope (人户分离, or a record from before
    a household was bound to one grid) is left out, never shown with name, relation or ID."""
    qs = (
        Membership.objects.filter(household=household, person__deleted_at__isnull=True)
        .filter(paths_q(scope_paths(user), "person__region__path"))
        .select_related("person")
    )
    if not include_past:
        qs = qs.filter(ended_on__isnull=True)
    return qs.order_by("ended_on", "relation", "person__birth_date")


def household_head_visible(*, user: User, household: Household) -> Person | None:
    """The household's head, if `user` may see them (see `household_members`)."""
    head = household.head
    if head is None or head.deleted_at is not None or not head.region.is_within(scope_paths(user)):
        return None
    return head


def unverified_by_grid(*, user: User) -> list[tuple[Region, int, int]]:
    """(grid, records still 录入, records claimed but not verified) for each grid in scope."""
    from django.db.models import Count

    rows = (
        people_visible(user=user)
        .exclude(source_state="verified")
        .values("region_id", "source_state")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[int, list[int]] = {}
    for row in rows:
        entry = counts.setdefault(row["region_id"], [0, 0])
        entry[0 if row["source_state"] == "entered" else 1] += row["n"]
    regions = {r.pk: r for r in Region.all_objects.filter(pk__in=counts)}
    return sorted(((regions[pk], e[0], e[1]) for pk, e in counts.items()), key=lambda t: t[0].path)
