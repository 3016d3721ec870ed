"""REST API v1. Views here parse and serialise only; reads go through selectors, writes through services."""

from django.http import HttpRequest
from ninja import NinjaAPI, Query, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate

from wangge.api.auth import BearerToken, SessionAuth
from wangge.api.schemas import MeOut, RegionOut, ScopeOut
from wangge.core.models import User
from wangge.core.roles import Cap
from wangge.regions import selectors as region_selectors

api = NinjaAPI(
    title="Wangge API",
    version="1",
    description="Community grid service and management. Every answer is limited to the caller's scope.",
    auth=[BearerToken(), SessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
)


from wangge.api.registry import router as registry_router  # noqa: E402
from wangge.cases.api import router as cases_router  # noqa: E402

api.add_router("", registry_router)
api.add_router("", cases_router)


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


@api.get("/me", response=MeOut, tags=["accounts"])
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
    level: str | None = None
    parent: int | None = None
    q: str | None = None


@api.get("/regions", response=list[RegionOut], tags=["regions"])
@paginate(LimitOffsetPagination)
def regions(request: HttpRequest, filters: Query[RegionFilter]):  # type: ignore[no-untyped-def]
    user = _user(request)
    if not user.has_perm(Cap.VIEW_REGIONS):
        raise HttpError(403, "You do not have permission to do this.")
    qs = region_selectors.regions_visible(user=user).order_by("path")
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.parent:
        qs = qs.filter(parent_id=filters.parent)
    if filters.q:
        qs = qs.filter(name__icontains=filters.q)
    return qs


@api.get("/regions/{region_id}", response=RegionOut, tags=["regions"])
def region(request: HttpRequest, region_id: int) -> object:
    user = _user(request)
    if not user.has_perm(Cap.VIEW_REGIONS):
        raise HttpError(403, "You do not have permission to do this.")
    return region_selectors.region_get(user=user, region_id=region_id)
