"""REST endpoints of cases: list and report, read one with its timeline, list and take the actions allowed now.

Scoped and permissioned like the console: reads through the selectors (outside the scope is a 404),
writes through `case_create` and `case_act`. Reporter phones are masked.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate

from wangge.cases import selectors, services
from wangge.cases.choices import Action
from wangge.cases.models import Case, Category
from wangge.core.models import User
from wangge.core.refusals import get_in_scope_or_404
from wangge.core.roles import Cap
from wangge.people.selectors import people_visible
from wangge.places.models import House
from wangge.regions.selectors import region_get

router = Router(tags=["cases"])

FORBIDDEN = "You do not have permission to do this."


# --- schemas ----------------------------------------------------------------------------------------


class CaseFilterIn(Schema):
    list: str = Field("", description="todo, open, overdue or supervised; empty for every case in scope")
    state: str = ""
    source: str = ""
    category: str = Field("", description="Category code, first or second level")
    region: int | None = Field(None, description="Region id: only cases in this region's subtree")
    q: str = Field("", description="Case number or words of the title")


class CaseCreateIn(Schema):
    region: int = Field(..., description="The grid or micro-grid where it happened")
    category: str = Field(..., description="Second-level category code, e.g. SS02")
    title: str
    description: str = ""
    source: str = "patrol"
    urgency: str = "normal"
    address: str = ""
    lat: Decimal | None = None
    lng: Decimal | None = None
    person: int | None = None
    house: int | None = None
    reporter_name: str = ""
    reporter_phone: str = ""
    client_key: str = Field("", description="A client-generated id: sending the same report twice creates one case")


class ActionIn(Schema):
    action: str
    version: int | None = Field(None, description="The version the client saw; a different one is a 409 conflict")
    note: str = ""
    rating: int | None = None
    days: int | None = None
    level: str = ""
    department: str = ""
    assignee: int | None = None
    region: int | None = None
    case: int | None = Field(None, description="The other case of merge (into) or link")


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
                "actor": str(s.actor) if s.actor else None,
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


class ProblemOut(Schema):
    detail: str
    code: str


# --- helpers ----------------------------------------------------------------------------------------


def _user(request: HttpRequest, capability: str = Cap.VIEW_CASES) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    if not user.has_perm(capability):
        raise HttpError(403, FORBIDDEN)
    return user


def _problem(exc: ValidationError) -> Status[dict[str, Any]]:
    code = getattr(exc, "code", None) or "invalid"
    return Status(409 if code == "conflict" else 422, {"detail": " ".join(exc.messages), "code": code})


def _detail(user: User, case_id: int) -> Case:
    """The case with what its page shows; `allowed_actions` is the table's answer for this caller now."""
    case = selectors.case_get(user=user, case_id=case_id)
    case.allowed_actions = services.allowed_actions(actor=user, case=case)  # type: ignore[attr-defined]
    return case


# --- endpoints --------------------------------------------------------------------------------------


@router.get("/cases", response=list[CaseOut], url_name="cases")
@paginate(LimitOffsetPagination)
def case_list(request: HttpRequest, filters: Query[CaseFilterIn]):  # type: ignore[no-untyped-def]
    user = _user(request)
    category = Category.objects.filter(code=filters.category).first() if filters.category else None
    if filters.category and category is None:
        raise HttpError(422, "Unknown category.")
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


@router.post("/cases", response={200: CreatedOut, 201: CreatedOut, 403: ProblemOut, 422: ProblemOut}, url_name="cases")
def case_create(request: HttpRequest, payload: CaseCreateIn) -> Status[Any]:
    user = _user(request, Cap.REPORT_CASES)
    region = region_get(user=user, region_id=payload.region)
    category = Category.objects.filter(code=payload.category).first()
    if category is None:
        return Status(422, {"detail": "Unknown category.", "code": "bad_category"})
    try:
        # a person or house outside the caller's scope is a 404, counted like any other (core.refusals)
        person = (
            get_in_scope_or_404(people_visible(user=user), user=user, pk=payload.person) if payload.person else None
        )
        house = (
            get_in_scope_or_404(House.objects.for_user(user), user=user, pk=payload.house) if payload.house else None
        )
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
    except ValidationError as exc:
        return _problem(exc)
    except PermissionDenied as exc:
        raise HttpError(403, FORBIDDEN) from exc
    body = {"created": created.created, "case": _detail(user, created.case.pk)}
    return Status(201 if created.created else 200, body)


@router.get("/cases/{case_id}", response=CaseDetailOut, url_name="case")
def case_detail(request: HttpRequest, case_id: int) -> Case:
    return _detail(_user(request), case_id)


@router.get("/cases/{case_id}/actions", response=list[str], url_name="case_actions")
def case_actions(request: HttpRequest, case_id: int) -> list[str]:
    """The actions the caller may take on the case now."""
    user = _user(request)
    return services.allowed_actions(actor=user, case=selectors.case_get(user=user, case_id=case_id))


@router.post(
    "/cases/{case_id}/actions",
    response={200: CaseDetailOut, 403: ProblemOut, 409: ProblemOut, 422: ProblemOut},
    url_name="case_actions",
)
def case_act(request: HttpRequest, case_id: int, payload: ActionIn) -> Status[Any]:
    user = _user(request)
    case = selectors.case_get(user=user, case_id=case_id)
    if payload.action not in Action.values:
        return Status(422, {"detail": "Unknown action.", "code": "unknown_action"})
    data: dict[str, Any] = {
        k: v for k, v in payload.dict().items() if k in ("note", "rating", "days", "level", "department") and v
    }
    try:
        if payload.assignee:
            data["assignee"] = User.objects.get(pk=payload.assignee, is_active=True)
        if payload.region:
            data["region"] = region_get(user=user, region_id=payload.region)
        if payload.case:
            other = selectors.case_get(user=user, case_id=payload.case)
            data["into" if payload.action == Action.MERGE else "other"] = other
        services.case_act(actor=user, case=case, action=payload.action, expected_version=payload.version, **data)
    except ValidationError as exc:
        return _problem(exc)
    except services.CaseForbidden as exc:
        return Status(403, {"detail": str(exc), "code": exc.code})
    except User.DoesNotExist as exc:
        raise HttpError(422, "Unknown assignee.") from exc
    if not selectors.cases_visible(user=user).filter(pk=case.pk).exists():
        raise HttpError(404, "Not Found")  # e.g. a department that sent its case back no longer sees it
    return Status(200, _detail(user, case.pk))
