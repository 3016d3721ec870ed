"""The demo residents: shaped like 三元社区, internally consistent, and loaded the way the services would write them."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import date

import pytest
from django.core.management import call_command

from tests.conftest import Tree
from wangge.core import crypto
from wangge.core.idcard import mask_id, mask_phone, parse_citizen_id
from wangge.core.models import AuditEvent
from wangge.core.pinyin import name_keys
from wangge.people import services
from wangge.people.choices import HouseholdKind, IdentityColor, Relation, Residency, SourceState
from wangge.people.fake import LOCAL_SIZES, PeopleFaker, split_sizes
from wangge.people.fake_rows import person_row
from wangge.people.models import Household, Membership, Person, PersonTag, Residence
from wangge.places.models import Building, House
from wangge.regions.demo import SANYUAN_GRIDS
from wangge.regions.models import Region

SCALE = 0.1


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _counts() -> tuple[int, ...]:
    return (
        Person.all_objects.count(),
        Household.all_objects.count(),
        Membership.objects.count(),
        Residence.objects.count(),
        PersonTag.objects.count(),
        House.all_objects.count(),
        Building.all_objects.count(),
    )


def test_demo_people(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WANGGE_DEMO_SCALE", str(SCALE))
    call_command("demo")
    before = _counts()
    call_command("demo")  # idempotent: the second run adds nothing
    assert _counts() == before
    assert AuditEvent.objects.filter(action="demo.load").count() == 1

    sanyuan = Region.all_objects.get(name="三元社区")
    people = list(Person.all_objects.filter(region__path__startswith=sanyuan.path))
    households = Household.all_objects.filter(region__path__startswith=sanyuan.path)
    # Each grid exactly as declared (scaled), so 三元社区 adds up to 6,796 households and 23,562 residents.
    assert households.count() == sum(max(1, round(g[4] * SCALE)) for g in SANYUAN_GRIDS) == 679
    assert len(people) == sum(max(1, round(g[5] * SCALE)) for g in SANYUAN_GRIDS) == 2356
    for name, *_r, _households, n_people, _m in SANYUAN_GRIDS:
        grid = Region.all_objects.get(parent=sanyuan, name=name)
        assert Person.all_objects.filter(region__path__startswith=grid.path).count() == round(n_people * SCALE)
    tenant_households = households.filter(kind=HouseholdKind.TENANT).count()
    assert 0.15 < tenant_households / 679 < 0.28
    # The other communities are not empty.
    for community in Region.all_objects.filter(level="community").exclude(pk=sanyuan.pk):
        assert Person.all_objects.filter(region__path__startswith=community.path).count() > 10

    # Every citizen ID valid, unique, consistent with gender and birth date, hashes and masks as the services make them.
    everyone = list(Person.all_objects.all())
    numbers = set()
    for person in everyone:
        number = services.reveal_value(person, "id_number")
        parsed = parse_citizen_id(number)
        assert (parsed.gender, parsed.birth_date) == (person.gender, person.birth_date)
        assert person.id_hash == crypto.lookup_hash(number, kind="id")
        assert person.id_tail4 == crypto.tail_hashes(number, kind="id", lengths=(4,))[4]
        assert person.id_number_masked == mask_id(number)
        assert (person.name_pinyin, person.name_initials) == name_keys(person.name)
        numbers.add(number)
    assert len(numbers) == len(everyone)
    areas = Counter(n[:6] for n in numbers)
    assert areas.most_common(1)[0][0] == "421202"
    assert any(not code.startswith("42") for code in areas)  # some from other provinces
    with_phone = [p for p in people if p.phone_enc]
    assert len(with_phone) > 0.6 * len(people)
    phone = services.reveal_value(with_phone[0], "phone")
    assert len(phone) == 11 and phone[0] == "1" and phone[1] in "3456789"
    assert with_phone[0].phone_masked == mask_phone(phone)
    assert with_phone[0].phone_tail4 == crypto.tail_hashes(phone, kind="phone", lengths=(4,))[4]

    # Exactly one head among each household's current members, and it is the household's head.
    members: dict[int, list[Membership]] = defaultdict(list)
    for m in Membership.objects.filter(ended_on__isnull=True):
        members[m.household_id].append(m)
    for household in Household.all_objects.all():
        heads = [m.person_id for m in members[household.pk] if m.relation == Relation.HEAD]
        assert heads == [household.head_id]
    assert Membership.objects.count() == len(everyone) == Residence.objects.count()

    # Colours follow the rule: recomputing them through the service changes nothing.
    colours = dict(Person.all_objects.values_list("pk", "identity_color"))
    services.refresh_identity_colors(list(colours))
    assert dict(Person.all_objects.values_list("pk", "identity_color")) == colours
    palette = Counter(colours.values())
    assert palette[IdentityColor.RED] > palette[IdentityColor.PINK] > 0 and palette[IdentityColor.WHITE] > 0

    # grid8's building view: the first building of 第八网格 shows red, pink and white.
    grid8 = Region.all_objects.get(parent=sanyuan, name="第八网格")
    building = Building.all_objects.filter(region__path__startswith=grid8.path).order_by("pk").first()
    assert building is not None
    shown = set(
        Person.all_objects.filter(residences__house__building=building, residences__ended_on__isnull=True).values_list(
            "identity_color", flat=True
        )
    )
    assert shown == {IdentityColor.RED, IdentityColor.PINK, IdentityColor.WHITE}
    rented = House.all_objects.filter(building=building, is_rental=True).exclude(landlord_name="")
    assert rented.exists()

    # Record states: mostly verified, some entered and claimed for the unverified panel.
    states = Counter(p.source_state for p in people)
    assert states[SourceState.VERIFIED] > 0.75 * len(people)
    assert states[SourceState.ENTERED] > 0 and states[SourceState.CLAIMED] > 0

    # Age pyramid and tag prevalence in plausible ranges.
    today = date.today()
    ages = [_age(p.birth_date, today) for p in people]
    n = len(people)
    assert 0.15 < sum(a >= 60 for a in ages) / n < 0.3
    assert 0.015 < sum(a >= 80 for a in ages) / n < 0.06
    assert 0.08 < sum(a < 15 for a in ages) / n < 0.25
    ids = {p.pk for p in people}
    tags = Counter(
        code
        for person_id, code in PersonTag.objects.filter(ended_on__isnull=True).values_list("person_id", "tag__code")
        if person_id in ids
    )
    assert tags["very_old"] == sum(a >= 80 for a in ages)
    assert tags["floating"] == sum(p.residency == Residency.FLOATING for p in people) > 0
    for code, low, high in [
        ("living_alone_elderly", 0.008, 0.035),
        ("empty_nest_elderly", 0.02, 0.07),
        ("disabled", 0.008, 0.035),
        ("dibao", 0.003, 0.035),
        ("veteran", 0.003, 0.02),
        ("women_childbearing_age", 0.1, 0.3),
    ]:
        assert low < tags[code] / n < high, (code, tags[code] / n)
    assert tags["tekun"] <= 0.006 * n
    sensitive = tags["community_correction"] + tags["released_prisoner"] + tags["severe_mental_disorder"]
    assert sensitive <= 0.005 * n


def test_person_row_matches_person_create(tree: Tree) -> None:
    """The bulk row builder fills every derived column exactly as the service does."""
    fields = {"gender": "F", "birth_date": date(1961, 3, 9)}
    created = services.person_create(
        actor=None,
        region=tree.grid_a1,
        name="曾单解",
        id_number="42120219610309002X",
        phone="13871501108",
        **fields,
    )
    row = person_row(
        region_id=tree.grid_a1.pk, name="曾单解", id_number="42120219610309002X", phone="13871501108", **fields
    )
    for attname in (
        "name_pinyin",
        "name_initials",
        "id_number_masked",
        "id_hash",
        "id_tail4",
        "id_tail6",
        "phone_masked",
        "phone_hash",
        "phone_tail4",
        "doc_type",
    ):
        assert getattr(row, attname) == getattr(created, attname), attname
    assert row.name_pinyin.startswith("zeng")
    assert services.reveal_value(row, "id_number") == "42120219610309002X"
    assert services.reveal_value(row, "phone") == "13871501108"


def test_faker_household_shapes() -> None:
    rng = random.Random(1)
    sizes = split_sizes(rng, 100, 361, LOCAL_SIZES)
    assert len(sizes) == 100 and sum(sizes) == 361 and min(sizes) >= 1
    faker = PeopleFaker(rng, today=date(2026, 1, 1))
    seen = set()
    for size in (1, 2, 3, 4, 5, 6, 7):
        for kind in (HouseholdKind.LOCAL, HouseholdKind.TENANT):
            household = faker.household(kind=kind, size=size)
            assert len(household.members) == size
            assert [m.relation for m in household.members].count(Relation.HEAD) == 1
            assert household.members[0].relation == Relation.HEAD
            for member in household.members:
                parsed = parse_citizen_id(member.id_number, today=date(2026, 1, 1))
                assert parsed.birth_date == member.birth_date and parsed.gender == member.gender
                assert member.id_number not in seen
                seen.add(member.id_number)
                assert 2 <= len(member.name) <= 4
