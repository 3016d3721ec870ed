"""Input and output schemas of the registry API. Outputs carry masked numbers only, never tokens or hashes."""

from datetime import date
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from wangge.api.schemas import Id
from wangge.core.idcard import DocumentType
from wangge.people import selectors as people_selectors
from wangge.people.choices import IdentityColor, Residency, SourceState
from wangge.people.models import Person
from wangge.people.services import DISABILITY_GRADES, EARLIEST_DATE, NOTES_MAX

# --- inputs ---------------------------------------------------------------------------------------


def _codes(*choices: Any) -> dict[str, Any]:
    return {"enum": ["", *(str(value) for choices_ in choices for value, _label in choices_)]}


def _text(name: str) -> Any:
    """A person field as the schema states it: the model's length and code list; null clears it."""
    field = Person._meta.get_field(name)
    max_length = getattr(field, "max_length", None) or NOTES_MAX
    choices = getattr(field, "choices", None)
    if not choices:
        return Field(None, max_length=max_length)
    return Field(None, max_length=max_length, json_schema_extra={"enum": [*_codes(choices)["enum"], None]})


_DATE = f"From {EARLIEST_DATE.isoformat()} to today"


class PersonFilterIn(Schema):
    q: str = Field(
        "", max_length=100, description="Name, pinyin or initials, full ID or phone number, last 4 or 6 digits, address"
    )
    region: Id | None = Field(None, description="Region id: only people in this region's subtree")
    tag: str = Field("", max_length=32, description="Tag code, e.g. living_alone_elderly")
    color: str = Field("", description="Identity colour", json_schema_extra=_codes(IdentityColor.choices))
    residency: str = Field("", json_schema_extra=_codes(Residency.choices))
    source_state: str = Field("", json_schema_extra=_codes(SourceState.choices))
    age_min: int | None = Field(None, ge=0, le=150)
    age_max: int | None = Field(None, ge=0, le=150)


class _PersonFieldsIn(Schema):
    former_name: str | None = _text("former_name")
    gender: str | None = _text("gender")
    birth_date: date | None = Field(None, description=_DATE)
    ethnicity: str | None = _text("ethnicity")
    political_status: str | None = _text("political_status")
    education: str | None = _text("education")
    marital_status: str | None = _text("marital_status")
    occupation: str | None = _text("occupation")
    work_unit: str | None = _text("work_unit")
    domicile: str | None = _text("domicile")
    health_status: str | None = _text("health_status")
    vaccination_status: str | None = _text("vaccination_status")
    disability_type: str | None = _text("disability_type")
    disability_grade: int | None = Field(None, ge=DISABILITY_GRADES[0], le=DISABILITY_GRADES[1])
    is_party_member: bool | None = None
    is_volunteer: bool | None = None
    is_veteran: bool | None = None
    residency: str | None = _text("residency")
    moved_in_on: date | None = Field(None, description=_DATE)
    moved_out_on: date | None = Field(None, description=_DATE)
    is_deceased: bool | None = None
    deceased_on: date | None = Field(None, description=_DATE)
    notes: str | None = _text("notes")


_ID_NUMBER = Field("", max_length=32, description="Checked against the document type (a citizen ID's check digit)")
_PHONE = Field("", max_length=20, description="5 to 15 digits; spaces, brackets, + and - allowed; empty clears it")


class PersonCreateIn(_PersonFieldsIn):
    region: Id = Field(..., description="The grid or micro-grid the person belongs to")
    name: str = Field(..., min_length=1, max_length=64)
    doc_type: str = Field(DocumentType.CITIZEN_ID.value, json_schema_extra={"enum": list(DocumentType.values)})
    id_number: str = _ID_NUMBER
    phone: str = _PHONE
    residence_permit: str = Field("", max_length=32, description="居住证 / 暂住证 number; empty for none")


class PersonPatchIn(_PersonFieldsIn):
    name: str | None = Field(None, min_length=1, max_length=64)
    doc_type: str | None = Field(None, json_schema_extra={"enum": [*DocumentType.values, None]})
    id_number: str | None = Field(None, max_length=32)
    phone: str | None = Field(None, max_length=20)
    residence_permit: str | None = Field(None, max_length=32, description="居住证 / 暂住证 number; empty clears it")


# --- outputs --------------------------------------------------------------------------------------


class TagOut(Schema):
    code: str
    name: str
    attention: str
    started_on: date


class MembershipRefOut(Schema):
    household_id: int
    household_number: str
    relation: str


class HomeRefOut(Schema):
    house_id: int
    label: str


def _health(person: Any, context: Any) -> dict[str, Any]:
    shown = getattr(person, "_health_shown", None)
    if shown is None:
        user = context["request"].auth
        shown = people_selectors.health_values(person, allowed=people_selectors.may_see_health(user))
        person._health_shown = shown
    return shown


class PersonOut(Schema):
    id: int
    name: str
    former_name: str
    gender: str
    birth_date: date | None
    age: int | None
    ethnicity: str
    doc_type: str
    id_number_masked: str
    phone_masked: str
    region_id: int
    region_name: str
    residency: str
    identity_color: str
    source_state: str
    political_status: str
    education: str
    marital_status: str
    occupation: str
    work_unit: str
    domicile: str
    residence_permit_masked: str
    health_status: str
    vaccination_status: str
    disability_type: str
    disability_grade: int | None
    is_party_member: bool
    is_volunteer: bool
    is_veteran: bool
    moved_in_on: date | None
    moved_out_on: date | None
    is_deceased: bool
    deceased_on: date | None
    household: MembershipRefOut | None
    home: HomeRefOut | None
    tags: list[TagOut]

    # Read from a Person loaded through people.selectors.with_list_details (prefetched, no extra queries).
    @staticmethod
    def resolve_age(obj: Any) -> int | None:
        return obj.age()

    @staticmethod
    def resolve_region_name(obj: Any) -> str:
        return obj.region.name

    @staticmethod
    def resolve_household(obj: Any) -> dict[str, Any] | None:
        for m in getattr(obj, "current_memberships", []):
            return {"household_id": m.household_id, "household_number": m.household.number, "relation": m.relation}
        return None

    @staticmethod
    def resolve_home(obj: Any) -> dict[str, Any] | None:
        for r in getattr(obj, "current_homes", []):
            return {"house_id": r.house_id, "label": r.house.label}
        return None

    # Health fields as the console and exports show them (people.selectors.health_values): "***" where a
    # value is recorded and the caller may not see it (disability_grade: null).
    @staticmethod
    def resolve_health_status(obj: Any, context: Any) -> str:
        return _health(obj, context)["health_status"]  # type: ignore[no-any-return]

    @staticmethod
    def resolve_vaccination_status(obj: Any, context: Any) -> str:
        return _health(obj, context)["vaccination_status"]  # type: ignore[no-any-return]

    @staticmethod
    def resolve_disability_type(obj: Any, context: Any) -> str:
        return _health(obj, context)["disability_type"]  # type: ignore[no-any-return]

    @staticmethod
    def resolve_disability_grade(obj: Any, context: Any) -> int | None:
        grade = _health(obj, context)["disability_grade"]
        return grade if isinstance(grade, int) else None

    @staticmethod
    def resolve_tags(obj: Any) -> list[dict[str, Any]]:
        return [
            {"code": t.tag.code, "name": t.tag.name, "attention": t.attention, "started_on": t.started_on}
            for t in getattr(obj, "current_tags", [])
        ]


class MemberOut(Schema):
    person_id: int
    name: str
    relation: str
    relation_label: str
    identity_color: str
    started_on: date


class HouseholdOut(Schema):
    id: int
    number: str
    kind: str
    region_id: int
    head_id: int | None
    house: HomeRefOut | None
    members: list[MemberOut]


class ResidentOut(Schema):
    person_id: int
    name: str
    identity_color: str
    is_default: bool
    started_on: date


class HouseholdRefOut(Schema):
    id: int
    number: str
    kind: str
    head_id: int | None


class HouseOut(Schema):
    id: int
    label: str
    region_id: int
    building_id: int | None
    unit: int
    floor: int
    number: str
    address: str
    area: Decimal | None
    use: str
    owner_name: str
    is_rental: bool
    landlord_name: str
    landlord_phone_masked: str
    tenants_count: int
    residents: list[ResidentOut]
    households: list[HouseholdRefOut]
