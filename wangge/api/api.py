"""REST API v1. Views here parse and serialise only; reads go through selectors, writes through services."""

from django.http import HttpRequest
from ninja import NinjaAPI, Query, Schema
from ninja.pagination import paginate

from wangge.api.auth import BearerToken, SessionAuth
from wangge.api.errors import caller, install
from wangge.api.pagination import Page
from wangge.api.schemas import Id, MeOut, RegionOut, ScopeOut, answers
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


install(api)

from wangge.api.registry import router as registry_router  # noqa: E402
from wangge.cases.api import router as cases_router  # noqa: E402

api.add_router("", registry_router)
api.add_router("", cases_router)


@api.get("/me", response=answers({200: MeOut}), tags=["accounts"])
def me(request: HttpRequest) -> MeOut:
    user = caller(request)
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
    user = caller(request, Cap.VIEW_REGIONS)
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
    user = caller(request, Cap.VIEW_REGIONS)
    return region_selectors.region_get(user=user, region_id=region_id)
