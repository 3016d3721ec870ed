"""REST endpoints of cases: list and report, read one with its timeline, list and take the actions allowed now.

Scoped and permissioned like the console: reads through the selectors (outside the scope is a 404),
writes through `case_create` and `case_act`. Reporter phones are masked.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wangge.api.errors import caller, refuse
from wangge.api.pagination import Page
from wangge.api.schemas import Id, answers
from wangge.cases import selectors, services, workflow
from wangge.cases.action_input import CASE_REF_MAX, ActionInput, case_act_posted
from wangge.cases.actions import MAX_EXTENSION_DAYS
from wangge.cases.choices import HandlingLevel, Source, State, Supervision, Urgency
from wangge.cases.models import Case, Category
from wangge.core.errors import NotFound
from wangge.core.models import User
from wangge.core.refusals import get_in_scope
from wangge.core.roles import Cap
from wangge.people.selectors import people_visible
from wangge.places.models import House
from wangge.regions.selectors import region_get

router = Router(tags=["cases"])

# --- schemas ----------------------------------------------------------------------------------------


def _codes(choices: Any, *, empty: bool = True) -> dict[str, Any]:
    return {"enum": [*([""] if empty else []), *(str(value) for value, _label in choices)]}


class CaseFilterIn(Schema):
    list: str = Field(
        "",
        description="todo, open, overdue or supervised; empty for every case in scope",
        json_schema_extra={"enum": ["", "todo", "open", "overdue", "supervised", "all"]},
    )
    state: str = Field("", json_schema_extra=_codes(State.choices))
    source: str = Field("", json_schema_extra=_codes(Source.choices))
    category: str = Field("", max_length=16, description="Category code, first or second level")
    region: Id | None = Field(None, description="Region id: only cases in this region's subtree")
    q: str = Field("", max_length=100, description="Case number or words of the title")


class CaseCreateIn(Schema):
    region: Id = Field(..., description="The grid or micro-grid where it happened")
    category: str = Field(..., max_length=16, description="Second-level category code, e.g. SS02")
    title: str = Field(..., min_length=1, max_length=services.TITLE_MAX)
    description: str = Field("", max_length=services.DESCRIPTION_MAX)
    source: str = Field(Source.PATROL.value, json_schema_extra=_codes(Source.choices, empty=False))
    urgency: str = Field(Urgency.NORMAL.value, json_schema_extra=_codes(Urgency.choices, empty=False))
    address: str = Field("", max_length=services.ADDRESS_MAX)
    lat: float | None = Field(None, ge=-90, le=90, description="WGS84; inside the grid or near it")
    lng: float | None = Field(None, ge=-180, le=180, description="WGS84; given with lat")
    person: Id | None = None
    house: Id | None = None
    reporter_name: str = Field("", max_length=services.NAME_MAX)
    reporter_phone: str = Field("", max_length=20, description="5 to 15 digits; spaces, brackets, + and - allowed")
    client_key: str = Field(
        "", max_length=64, description="A client-generated id: sending the same report twice creates one case"
    )


class ActionIn(Schema):
    action: str = Field(..., json_schema_extra={"enum": list(workflow.ACTIONS)})
    version: int = Field(
        ..., ge=0, le=2**31 - 1, description="The version the client saw (required); a different one is a 409 conflict"
    )
    note: str = Field("", max_length=services.NOTE_MAX)
    rating: int | None = Field(None, ge=1, le=5, description="rate: 1 to 5 stars")
    days: int | None = Field(None, ge=1, le=MAX_EXTENSION_DAYS, description="request_extension: working days")
    level: str = Field(
        "",
        description="escalate: a handling level; supervise: a supervision level",
        json_schema_extra={"enum": ["", *HandlingLevel.values, *[v for v in Supervision.values if v]]},
    )
    department: str = Field("", max_length=64, description="dispatch or escalate to this department")
    due_on: date | None = Field(None, description="dispatch: the working day the handling must be done by")
    assignee: Id | None = Field(None, description="dispatch: the person who handles it")
    region: Id | None = Field(None, description="dispatch: the region that handles it")
    case: Id | Annotated[str, Field(max_length=CASE_REF_MAX)] | None = Field(
        None, description="The other case of merge (into) or link: its id or its number"
    )

    def posted(self) -> ActionInput:
        """The body as the one input every edge gives `case_act_posted`."""
        return ActionInput(
            action=self.action,
            version=self.version,
            note=self.note,
            rating=self.rating,
            days=self.days,
            level=self.level,
            department=self.department,
            due_on=self.due_on,
            assignee=self.assignee,
            region=self.region,
            case="" if self.case is None else str(self.case),
        )


class StepOut(Schema):
    action: str
    actor: str | None
    from_state: str
    to_state: str
    note: str
    at: datetime


class CaseOut(Schema):
    id: int
    number: str | None
    title: str
    category: str
    category_name: str
    source: str
    urgency: str
    region: int = Field(..., alias="region_id")
    region_name: str
    address: str
    state: str
    version: int
    handling_level: str
    handling_region: int = Field(..., alias="handling_region_id")
    department: str
    assignee: int | None = Field(None, alias="assignee_id")
    reported_at: datetime
    stage_due_at: datetime | None
    due_at: datetime | None
    deadline_status: str
    supervision: str
    paused: bool = Field(..., alias="is_paused")
    reporter_count: int
    rating: int | None
    closed_at: datetime | None

    @staticmethod
    def resolve_category(obj: Any) -> str:
        return str(obj.category.code)

    @staticmethod
    def resolve_category_name(obj: Any) -> str:
        return str(obj.category.name)

    @staticmethod
    def resolve_region_name(obj: Any) -> str:
        return str(obj.region.name)


class CaseDetailOut(CaseOut):
    description: str
    reporter_name: str
    reporter_phone: str = Field(..., alias="reporter_phone_masked", description="Masked")
    lat: Decimal | None
    lng: Decimal | None
    merged_into: int | None = Field(None, alias="merged_into_id")
    related: list[int]
    steps: list[StepOut]
    allowed_actions: list[str]

    @staticmethod
    def resolve_related(obj: Any) -> list[int]:
        return sorted(r.pk for r in obj.related.all())

    @staticmethod
    def resolve_steps(obj: Any) -> list[dict[str, Any]]:
        return [
            {
                "action": s.action,
                "actor": s.by or None,
                "from_state": s.from_state,
                "to_state": s.to_state,
                "note": s.note,
                "at": s.at,
            }
            for s in obj.steps.all()
        ]


class CreatedOut(Schema):
    created: bool
    case: CaseDetailOut


# --- helpers ----------------------------------------------------------------------------------------


def _detail(user: User, case_id: int) -> Case:
    """The case with what its page shows; `allowed_actions` is the table's answer for this caller now."""
    case = selectors.case_get(user=user, case_id=case_id)
    case.allowed_actions = services.allowed_actions(actor=user, case=case)  # type: ignore[attr-defined]
    return case


# --- endpoints --------------------------------------------------------------------------------------


@router.get("/cases", response=answers({200: list[CaseOut]}, 403, 404, 422), url_name="cases")
@paginate(Page)
def case_list(request: HttpRequest, filters: Query[CaseFilterIn]):  # type: ignore[no-untyped-def]
    user = caller(request, Cap.VIEW_CASES)
    category = Category.objects.filter(code=filters.category).first() if filters.category else None
    if filters.category and category is None:
        raise refuse(422, _("Unknown category."), "bad_category")
    region = region_get(user=user, region_id=filters.region) if filters.region else None
    found = selectors.case_list(
        user=user,
        filters=selectors.CaseFilters(
            list=filters.list,
            state=filters.state,
            source=filters.source,
            category=category,
            region=region,
            q=filters.q,
        ),
    )
    return found.order_by("-reported_at", "-id")


@router.post("/cases", response=answers({200: CreatedOut, 201: CreatedOut}, 400, 403, 404, 409, 422), url_name="cases")
def case_create(request: HttpRequest, payload: CaseCreateIn) -> Status[Any]:
    user = caller(request, Cap.REPORT_CASES)
    region = region_get(user=user, region_id=payload.region)
    category = Category.objects.filter(code=payload.category).first()
    if category is None:
        raise refuse(422, _("Unknown category."), "bad_category")
    # a person or house outside the caller's scope is a 404, counted like any other (core.refusals)
    person = get_in_scope(people_visible(user=user), user=user, pk=payload.person) if payload.person else None
    house = get_in_scope(House.objects.for_user(user), user=user, pk=payload.house) if payload.house else None
    created = services.case_create(
        actor=user,
        region=region,
        category=category,
        title=payload.title,
        description=payload.description,
        source=payload.source,
        urgency=payload.urgency,
        address=payload.address,
        lat=payload.lat,
        lng=payload.lng,
        person=person,
        house=house,
        reporter_name=payload.reporter_name,
        reporter_phone=payload.reporter_phone,
        client_key=payload.client_key,
    )
    body = {"created": created.created, "case": _detail(user, created.case.pk)}
    return Status(201 if created.created else 200, body)


@router.get("/cases/{case_id}", response=answers({200: CaseDetailOut}, 403, 404, 422), url_name="case")
def case_detail(request: HttpRequest, case_id: Id) -> Case:
    return _detail(caller(request, Cap.VIEW_CASES), case_id)


@router.get("/cases/{case_id}/actions", response=answers({200: list[str]}, 403, 404, 422), url_name="case_actions")
def case_actions(request: HttpRequest, case_id: Id) -> list[str]:
    """The actions the caller may take on the case now."""
    user = caller(request, Cap.VIEW_CASES)
    return services.allowed_actions(actor=user, case=selectors.case_get(user=user, case_id=case_id))


@router.post(
    "/cases/{case_id}/actions",
    response=answers({200: CaseDetailOut}, 400, 403, 404, 409, 422),
    url_name="case_actions",
)
def case_act(request: HttpRequest, case_id: Id, payload: ActionIn) -> Status[Any]:
    user = caller(request, Cap.VIEW_CASES)
    case = selectors.case_get(user=user, case_id=case_id)
    case_act_posted(actor=user, case=case, given=payload.posted())
    if not selectors.cases_visible(user=user).filter(pk=case.pk).exists():
        raise NotFound  # e.g. a department that sent its case back no longer sees it
    return Status(200, _detail(user, case.pk))
