"""The people list as an export (实有人口): the people ledger's columns, so an exported list imports back.

The headers are `people_schema`'s (the import's names) and then 红粉白 and 信息状态, which the importer
ignores (derived, or workflow state). ID numbers and phones are masked unless the user may reveal them;
health fields as `selectors.health_values` shows them; every row carries its 记录编号. Large lists
run in the background (`WANGGE_EXPORT_SYNC_MAX`); without the bulk-export permission at most
`EXPORT_CAP` rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from wangge.core.exports import Column, ExportKind, Selection, configured_threshold, described, register
from wangge.core.idcard import mask_phone
from wangge.core.models import User
from wangge.core.roles import Cap
from wangge.ledgers.people_schema import chinese_label, people_schema
from wangge.people import selectors
from wangge.people.choices import (
    DisabilityType,
    Education,
    Gender,
    HealthStatus,
    HouseholdKind,
    MaritalStatus,
    PoliticalStatus,
    Relation,
    Residency,
)
from wangge.people.forms import SORTS, PersonFilterForm
from wangge.people.models import Household, Membership, Person
from wangge.people.services import reveal_value
from wangge.places.models import Building, House
from wangge.regions.selectors import grids_visible

EXPORT_CAP = 10_000  # rows, for users without the bulk-export permission
COLOURS = {"red": "红", "pink": "粉", "white": "白"}


def people_queryset(user: User, params: QueryDict) -> tuple[QuerySet[Person], dict[str, str]]:
    """The list the user is looking at (its filters and sort, as in the query string), scoped to them."""
    regions = grids_visible(user=user, with_communities=True)
    form = PersonFilterForm(params, regions=regions, tags=selectors.visible_tags(user=user))
    form.is_valid()
    data = form.cleaned_data
    filters = selectors.PersonFilters(
        q=data.get("q") or "",
        region=data.get("region"),
        tag=data.get("tag"),
        color=data.get("color") or "",
        residency=data.get("residency") or "",
        source_state=data.get("state") or "",
        age_min=data.get("age_min"),
        age_max=data.get("age_max"),
    )
    order = SORTS.get(data.get("sort") or "name", SORTS["name"])[1]
    qs = selectors.with_list_details(
        selectors.people_search(user=user, filters=filters).order_by(*order), user=user
    ).select_related("region")
    return qs, described(data, ignore=("cols",))


@dataclass(frozen=True)
class Line:
    """A person with what their row reads: current household, membership and home."""

    person: Person
    membership: Membership | None
    household: Household | None
    home: House | None
    building: Building | None


def line(person: Person) -> Line:
    membership = person.current_memberships[0] if person.current_memberships else None  # type: ignore[attr-defined]
    home = person.current_homes[0].house if person.current_homes else None  # type: ignore[attr-defined]
    return Line(
        person,
        membership,
        membership.household if membership else None,
        home,
        home.building if home is not None else None,
    )


def _yes(value: bool) -> str:
    return "是" if value else ""


def _label(choices: Any, value: Any) -> Any:
    return value if value in (selectors.HIDDEN, None) else chinese_label(choices, value)


def _landlord_phone(row: Line) -> str:
    """A rental's landlord phone, masked like every phone unless the export is in full."""
    phone = row.home.landlord_phone if row.home is not None else ""
    return mask_phone(phone) if phone else ""


def _landlord_phone_full(row: Line) -> str:
    return row.home.landlord_phone if row.home is not None else ""


# The sensitive columns: their masked value is the getter's, the value in full this one.
FULL = {
    "id_number": lambda r: reveal_value(r.person, "id_number"),
    "phone": lambda r: reveal_value(r.person, "phone"),
    "residence_permit": lambda r: reveal_value(r.person, "residence_permit"),
    "landlord_phone": _landlord_phone_full,
}


def _getters(health_allowed: bool) -> dict[str, Any]:
    """How each column of the people ledger (a `people_schema` key) is read from a person's row."""

    def health(name: str) -> Any:
        return lambda r: selectors.health_values(r.person, allowed=health_allowed)[name]

    in_building = lambda r: r.building is not None  # noqa: E731
    return {
        "name": lambda r: r.person.name,
        "former_name": lambda r: r.person.former_name,
        "gender": lambda r: chinese_label(Gender, r.person.gender),
        "birth_date": lambda r: r.person.birth_date,
        "ethnicity": lambda r: r.person.get_ethnicity_display() if r.person.ethnicity else "",
        "doc_type": lambda r: r.person.get_doc_type_display(),
        "id_number": lambda r: r.person.id_number_masked,
        "phone": lambda r: r.person.phone_masked,
        "grid": lambda r: r.person.region.name,
        "household_number": lambda r: r.household.number if r.household else "",
        "relation": lambda r: chinese_label(Relation, r.membership.relation) if r.membership else "",
        "household_kind": lambda r: chinese_label(HouseholdKind, r.household.kind) if r.household else "",
        "compound": lambda r: r.building.compound.name if in_building(r) and r.building.compound else "",
        "building": lambda r: r.building.name if in_building(r) else "",
        "unit": lambda r: r.home.unit if in_building(r) and r.home is not None else "",
        "house_number": lambda r: r.home.number if r.home is not None else "",
        "address": lambda r: r.home.address if r.home is not None and not in_building(r) else "",
        "residency": lambda r: chinese_label(Residency, r.person.residency),
        "moved_in_on": lambda r: r.person.moved_in_on,
        "moved_out_on": lambda r: r.person.moved_out_on,
        "tags": lambda r: "、".join(t.tag.name for t in r.person.current_tags),
        "political_status": lambda r: chinese_label(PoliticalStatus, r.person.political_status),
        "education": lambda r: chinese_label(Education, r.person.education),
        "marital_status": lambda r: chinese_label(MaritalStatus, r.person.marital_status),
        "occupation": lambda r: r.person.occupation,
        "work_unit": lambda r: r.person.work_unit,
        "domicile": lambda r: r.person.domicile,
        "residence_permit": lambda r: r.person.residence_permit_masked,
        "landlord_name": lambda r: r.home.landlord_name if r.home is not None else "",
        "landlord_phone": _landlord_phone,
        "health_status": lambda r: _label(HealthStatus, health("health_status")(r)),
        "vaccination_status": health("vaccination_status"),
        "disability_type": lambda r: _label(DisabilityType, health("disability_type")(r)),
        "disability_grade": lambda r: health("disability_grade")(r) or "",
        "is_party_member": lambda r: _yes(r.person.is_party_member),
        "is_volunteer": lambda r: _yes(r.person.is_volunteer),
        "is_veteran": lambda r: _yes(r.person.is_veteran),
        "is_deceased": lambda r: _yes(r.person.is_deceased),
        "deceased_on": lambda r: r.person.deceased_on,
        "notes": lambda r: r.person.notes,
        "record": lambda r: r.person.pk,  # 记录编号: the row comes back to this person, even with its numbers masked
    }


def people_columns(user: User) -> list[Column]:
    """Every column of the people ledger, in `people_schema` order, then 红粉白 and 信息状态.

    A column added to the schema needs its getter here (the export fails loudly until it has one).
    """
    getters = _getters(selectors.may_see_health(user))
    return [Column(c.header, getters[c.key], full=FULL.get(c.key)) for c in people_schema().columns] + [
        Column("红粉白", lambda r: COLOURS.get(r.person.identity_color, "")),
        Column("信息状态", lambda r: r.person.get_source_state_display()),
    ]


def people_selection(user: User, params: QueryDict) -> Selection:
    qs, filters = people_queryset(user, params)
    return Selection(rows=qs, filters=filters)


def _cap(user: User) -> int | None:
    return None if user.has_perm(Cap.BULK_EXPORT) else EXPORT_CAP


register(
    ExportKind(
        code="people",
        label=_("People"),
        file_name="实有人口-{date}.xlsx",
        select=people_selection,
        columns=people_columns,
        permission=lambda user: user.has_perm(Cap.EXPORT_LISTS),
        limit=_cap,
        job_above=configured_threshold,
        row=line,
        object_type="people.person",
    )
)
