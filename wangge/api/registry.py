"""REST endpoints of the registry: people, households, houses (scoped and masked like the console).

Reads go through the people and places selectors (scope applied there; outside it is a 404), writes
through the people services. Outputs carry masked ID and phone numbers only.
"""

from typing import Any

from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from wangge.api.errors import caller, refuse
from wangge.api.pagination import Page
from wangge.api.registry_schemas import (
    HouseholdOut,
    HouseOut,
    PersonCreateIn,
    PersonFilterIn,
    PersonOut,
    PersonPatchIn,
)
from wangge.api.schemas import Id, answers
from wangge.core.idcard import mask_phone
from wangge.core.models import User
from wangge.core.refusals import get_in_scope
from wangge.core.roles import Cap
from wangge.people import homes
from wangge.people import selectors as people_selectors
from wangge.people import services as people_services
from wangge.people.choices import IdentityColor, Relation
from wangge.people.models import Person
from wangge.places import selectors as place_selectors
from wangge.regions import selectors as region_selectors

router = Router(tags=["registry"])


def _reader(request: HttpRequest) -> User:
    return caller(request, Cap.VIEW_RESIDENT_DATA)


def _writer(request: HttpRequest) -> User:
    return caller(request, Cap.VIEW_RESIDENT_DATA, Cap.EDIT_REGISTRY)


def _person_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Plain person fields from a payload: null clears a text field (the service checks every value)."""
    fields: dict[str, Any] = {}
    for name, value in data.items():
        if name not in people_services.PLAIN_FIELDS or name == "name":
            continue
        field = Person._meta.get_field(name)
        assert isinstance(field, models.Field)
        if value is None and not field.null:
            if not isinstance(field, models.CharField | models.TextField):
                continue
            value = ""
        fields[name] = value
    return fields


def _person_load(user: User, person_id: int) -> Person:
    qs = people_selectors.with_list_details(people_selectors.people_visible(user=user), user=user)
    return get_in_scope(qs, user=user, pk=person_id)


# --- people ---------------------------------------------------------------------------------------


@router.get("/people", response=answers({200: list[PersonOut]}, 403, 404, 422), url_name="people")
@paginate(Page)
def people_list(request: HttpRequest, filters: Query[PersonFilterIn]):  # type: ignore[no-untyped-def]
    """Search people in the caller's scope with the console's parameters."""
    user = _reader(request)
    region = region_selectors.region_get(user=user, region_id=filters.region) if filters.region else None
    tag = None
    if filters.tag:
        tag = people_selectors.visible_tags(user=user).filter(code=filters.tag).first()
        if tag is None:
            raise refuse(422, _("Unknown tag."), "bad_tag")
    if filters.color and filters.color not in IdentityColor.values:
        raise refuse(422, _("Unknown identity colour."), "bad_color")
    found = people_selectors.people_search(
        user=user,
        filters=people_selectors.PersonFilters(
            q=filters.q,
            region=region,
            tag=tag,
            color=filters.color,
            residency=filters.residency,
            source_state=filters.source_state,
            age_min=filters.age_min,
            age_max=filters.age_max,
        ),
    )
    return people_selectors.with_list_details(found.order_by("name_pinyin", "id"), user=user)


@router.post("/people", response=answers({201: PersonOut}, 400, 403, 404, 409, 422, 429), url_name="people")
def person_create(request: HttpRequest, payload: PersonCreateIn) -> Status[Any]:
    user = _writer(request)
    region = region_selectors.region_get(user=user, region_id=payload.region)
    data = payload.dict(exclude_unset=True)
    person = people_services.person_create(
        actor=user,
        region=region,
        name=payload.name,
        doc_type=payload.doc_type,
        id_number=payload.id_number,
        phone=payload.phone,
        residence_permit=payload.residence_permit,
        source="api",
        **_person_fields(data),
    )
    return Status(201, _person_load(user, person.pk))


@router.get("/people/{person_id}", response=answers({200: PersonOut}, 403, 404, 422), url_name="person")
def person_detail(request: HttpRequest, person_id: Id) -> Person:
    return _person_load(_reader(request), person_id)


@router.patch(
    "/people/{person_id}",
    response=answers({200: PersonOut}, 400, 403, 404, 409, 422, 429),
    url_name="person",
)
def person_patch(request: HttpRequest, person_id: Id, payload: PersonPatchIn) -> Status[Any]:
    user = _writer(request)
    person = _person_load(user, person_id)
    data = payload.dict(exclude_unset=True)
    identity = {key: data.get(key) for key in ("id_number", "doc_type", "phone", "residence_permit")}
    fields = _person_fields(data)
    if "name" in data:
        fields["name"] = data["name"] or ""
    people_services.person_update(actor=user, person=person, source="api", **identity, **fields)
    return Status(200, _person_load(user, person.pk))


# --- households and houses ------------------------------------------------------------------------


@router.get("/households/{household_id}", response=answers({200: HouseholdOut}, 403, 404, 422), url_name="household")
def household_detail(request: HttpRequest, household_id: Id) -> dict[str, Any]:
    user = _reader(request)
    household = people_selectors.household_get(user=user, household_id=household_id)
    members = people_selectors.household_members(user=user, household=household)
    head = people_selectors.household_head_visible(user=user, household=household)
    return {
        "id": household.pk,
        "number": household.number,
        "kind": household.kind,
        "region_id": household.region_id,
        "head_id": head.pk if head else None,
        "house": {"house_id": household.house.pk, "label": household.house.label} if household.house else None,
        "members": [
            {
                "person_id": m.person_id,
                "name": m.person.name,
                "relation": m.relation,
                "relation_label": str(Relation(m.relation).label) if m.relation in Relation.values else m.relation,
                "identity_color": m.person.identity_color,
                "started_on": m.started_on,
            }
            for m in members
        ],
    }


@router.get("/houses/{house_id}", response=answers({200: HouseOut}, 403, 404, 422), url_name="house")
def house_detail(request: HttpRequest, house_id: Id) -> dict[str, Any]:
    user = _reader(request)
    house = place_selectors.house_get(user=user, house_id=house_id)
    residences = homes.house_residents(user=user, house=house)
    households = homes.house_households(user=user, house=house)
    return {
        "id": house.pk,
        "label": house.label,
        "region_id": house.region_id,
        "building_id": house.building_id,
        "unit": house.unit,
        "floor": house.floor,
        "number": house.number,
        "address": house.address,
        "area": house.area,
        "use": house.use,
        "owner_name": house.owner_name,
        "is_rental": house.is_rental,
        "landlord_name": house.landlord_name,
        "landlord_phone_masked": mask_phone(house.landlord_phone) if house.landlord_phone else "",
        "tenants_count": house.tenants_count,
        "residents": [
            {
                "person_id": r.person_id,
                "name": r.person.name,
                "identity_color": r.person.identity_color,
                "is_default": r.is_default,
                "started_on": r.started_on,
            }
            for r in residences
        ],
        "households": [{"id": h.pk, "number": h.number, "kind": h.kind, "head_id": h.head_id} for h in households],
    }
