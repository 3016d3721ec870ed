"""REST API v1. Views here parse and serialise only; reads go through selectors, writes through services."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError
from ninja.pagination import paginate

from wangge.api.auth import BearerToken, SessionAuth
from wangge.api.pagination import Page
from wangge.api.schemas import Id, MeOut, RegionOut, ScopeOut, answers
from wangge.core.models import User
from wangge.core.roles import Cap
from wangge.regions import selectors as region_selectors
from wangge.regions.models import Level

api = NinjaAPI(
    title="Wangge API",
    version="1",
    description="Community grid service and management. Every answer is limited to the caller's scope.",
    auth=[BearerToken(), SessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
)


def _field_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"loc": [str(p) if not isinstance(p, int) else p for p in e.get("loc", [])], "msg": e.get("msg", "")}
        for e in errors
    ]


@api.exception_handler(SchemaError)
def schema_error(request: HttpRequest, exc: SchemaError) -> HttpResponse:
    """A body, query or path the schema refuses: 422 in the shape of every other refusal, fields named."""
    errors = _field_errors(exc.errors)
    fields = ", ".join(dict.fromkeys(str(e["loc"][-1]) for e in errors if e["loc"]))
    detail = (
        _("The request is not valid: %(fields)s.") % {"fields": fields} if fields else _("The request is not valid.")
    )
    return api.create_response(request, {"detail": detail, "code": "invalid", "errors": errors}, status=422)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"detail": _("Sign in or send a valid API token."), "code": "unauthorized"}, status=401
    )


from wangge.api.registry import router as registry_router  # noqa: E402
from wangge.cases.api import router as cases_router  # noqa: E402

api.add_router("", registry_router)
api.add_router("", cases_router)


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


@api.get("/me", response=answers({200: MeOut}), tags=["accounts"])
def me(request: HttpRequest) -> MeOut:
    user = _user(request)
    roots = region_selectors.scope_roots(user=user)
    return MeOut(
        id=user.pk,
        username=user.username,
        full_name=user.full_name,
        roles=sorted(user.role_set),
        permissions=sorted(user.get_all_permissions()),
        language=user.language,
        scopes=[ScopeOut(id=r.pk, name=r.name, level=r.level) for r in roots],
    )


class RegionFilter(Schema):
    level: Level | None = None
    parent: Id | None = None
    q: str = ""


@api.get("/regions", response=answers({200: list[RegionOut]}, 403, 422), tags=["regions"])
@paginate(Page)
def regions(request: HttpRequest, filters: Query[RegionFilter]):  # type: ignore[no-untyped-def]
    user = _user(request)
    if not user.has_perm(Cap.VIEW_REGIONS):
        raise HttpError(403, _("You do not have permission to do this."))
    qs = region_selectors.regions_visible(user=user).order_by("path")
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.parent:
        qs = qs.filter(parent_id=filters.parent)
    if filters.q:
        qs = qs.filter(name__icontains=filters.q)
    return qs


@api.get("/regions/{region_id}", response=answers({200: RegionOut}, 403, 404, 422), tags=["regions"])
def region(request: HttpRequest, region_id: Id) -> object:
    user = _user(request)
    if not user.has_perm(Cap.VIEW_REGIONS):
        raise HttpError(403, _("You do not have permission to do this."))
    return region_selectors.region_get(user=user, region_id=region_id)
