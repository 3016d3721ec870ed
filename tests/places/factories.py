"""A small building with residents of every colour, built through the services (and a cheap one for the matrix)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from tests.conftest import Tree
from wangge.core.idcard import random_citizen_id
from wangge.people import services as people_services
from wangge.people.choices import HouseholdKind, Relation
from wangge.people.models import Household, Person
from wangge.places import services
from wangge.places.models import Building, Compound, House


@dataclass
class Block:
    compound: Compound
    building: Building
    houses: dict[str, House]
    people: dict[str, Person]
    households: dict[str, Household]
    id_numbers: dict[str, str]


def make_block(tree: Tree) -> Block:
    """福源小区 3栋, 6 floors × 2 units: 301 red (local head + wife), 302 pink and rented, 601 white, 101 and 102 empty."""
    rng = random.Random(7)
    grid = tree.grid_a1
    compound = services.compound_create(actor=None, region=grid, name="福源小区")
    building = services.building_create(actor=None, region=grid, compound=compound, name="3栋", floors=6, units=2)
    house = services.house_create
    houses = {
        "301": house(actor=None, building=building, unit=1, floor=3, number="301"),
        "302": house(
            actor=None,
            building=building,
            unit=2,
            floor=3,
            number="302",
            is_rental=True,
            landlord_name="周房东",
            landlord_phone="13912345678",
            tenants_count=2,
        ),
        "601": house(actor=None, building=building, unit=1, floor=6, number="601"),
        "101": house(actor=None, building=building, unit=1, floor=1, number="101"),
        "102": house(actor=None, building=building, unit=2, floor=1, number="102", use=House.Use.VACANT),
    }
    ids = {
        "zhang": random_citizen_id(rng, "421202", date(1950, 3, 2), "M"),
        "wife": random_citizen_id(rng, "421202", date(1952, 7, 9), "F"),
        "li": random_citizen_id(rng, "421202", date(1990, 1, 5), "M"),
    }
    create = people_services.person_create
    people = {
        "zhang": create(actor=None, region=grid, name="张建国", id_number=ids["zhang"], phone="13871501108"),
        "wife": create(actor=None, region=grid, name="刘桂兰", id_number=ids["wife"]),
        "li": create(actor=None, region=grid, name="李小龙", id_number=ids["li"], residency="tenant"),
        "wang": create(actor=None, region=grid, name="王芳", birth_date=date(2001, 4, 4)),
    }
    households = {
        "local": people_services.household_create(
            actor=None, region=grid, number="H301", head=people["zhang"], house=houses["301"]
        ),
        "tenant": people_services.household_create(
            actor=None, region=grid, number="T302", head=people["li"], kind=HouseholdKind.TENANT, house=houses["302"]
        ),
    }
    people_services.household_add_member(
        actor=None, household=households["local"], person=people["wife"], relation=Relation.WIFE
    )
    for key, number in (("zhang", "301"), ("wife", "301"), ("li", "302"), ("wang", "601")):
        people_services.residence_set(actor=None, person=people[key], house=houses[number])
    for person in people.values():
        person.refresh_from_db()
    return Block(compound, building, houses, people, households, ids)


@dataclass
class MatrixPlaces:
    compound: Compound
    building: Building
    house: House
    person: Person
    household: Household


def matrix_places(tree: Tree) -> MatrixPlaces:
    """One of each in grid_a1 for the permission matrix; plain inserts (no audit rows), made once per tree."""
    cached = getattr(tree, "_matrix_places", None)
    if cached is None:
        grid = tree.grid_a1
        compound = Compound.all_objects.create(region=grid, name="矩阵小区")
        building = Building.all_objects.create(region=grid, compound=compound, name="1栋", floors=3, units=1)
        house = House.all_objects.create(region=grid, building=building, unit=1, floor=1, number="101")
        person = Person.all_objects.create(region=grid, name="矩阵人")
        household = Household.all_objects.create(region=grid, number="M1", head=person, house=house)
        cached = MatrixPlaces(compound, building, house, person, household)
        tree._matrix_places = cached  # type: ignore[attr-defined]
    return cached
