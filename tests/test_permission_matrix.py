"""Walk every URL of the project, logged out and as each role, and check the answer.

A URL that is not in MATRIX fails the test: a new page must say who may open it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import Tree
from wangge.core.models import ApiToken, AuditEvent, LoginFailure, User
from wangge.core.roles import Role
from wangge.ledgers.models import ImportJob
from wangge.regions.models import Assignment, Region, UserScope
from wangge.window.models import ServiceItem, ServiceNotice

R = Role
ANON = "anonymous"
ALL_ROLES = list(Role.values)
VIEWERS = {R.SYSTEM_ADMIN, R.STREET_SUPERVISOR, R.COMMUNITY_STAFF, R.GRID_WORKER, R.DEPARTMENT_HANDLER}
MANAGERS = {R.SYSTEM_ADMIN, R.STREET_SUPERVISOR, R.COMMUNITY_STAFF}
ASSIGNERS = {R.SYSTEM_ADMIN, R.STREET_SUPERVISOR, R.COMMUNITY_STAFF}
EXPORTERS = {R.STREET_SUPERVISOR, R.COMMUNITY_STAFF, R.GRID_WORKER}
EVERYONE = set(ALL_ROLES)
SERVICE_KEEPERS = {R.SYSTEM_ADMIN, R.STREET_SUPERVISOR}
CASE_VIEWERS = {R.STREET_SUPERVISOR, R.COMMUNITY_STAFF, R.GRID_WORKER, R.DEPARTMENT_HANDLER}

# url name -> (who gets 200 on GET; "post" if the URL only accepts POST; "public" if anonymous may GET)
MATRIX: dict[str, tuple[set[str], str]] = {
    "home": (EVERYONE, ""),
    "core:login": (EVERYONE, "public"),
    "healthz": (EVERYONE, "health"),
    "public_media": (EVERYONE, "public-missing"),
    "core:logout": (EVERYONE, "post-open"),
    "core:account": (EVERYONE, ""),
    "core:two_factor": (EVERYONE, ""),
    "core:password_change": (EVERYONE, ""),
    "core:language": (EVERYONE, "post"),
    "core:token_create": (EVERYONE, "post"),
    "core:token_revoke": (EVERYONE, "post"),
    "core:users": ({R.SYSTEM_ADMIN}, ""),
    "core:user_create": ({R.SYSTEM_ADMIN}, ""),
    "core:user_edit": ({R.SYSTEM_ADMIN}, ""),
    "core:security": ({R.SECURITY_ADMIN}, ""),
    "core:unlock": ({R.SECURITY_ADMIN}, "post"),
    "core:reset_two_factor": ({R.SECURITY_ADMIN}, "post"),
    "core:audit": ({R.AUDITOR}, ""),
    "core:audit_export": ({R.AUDITOR}, ""),
    "regions:tree": (VIEWERS, ""),
    "regions:create_root": ({R.SYSTEM_ADMIN}, ""),
    "regions:detail": (VIEWERS, ""),
    "regions:map": (VIEWERS, ""),
    "regions:card": (VIEWERS, ""),
    "regions:edit": (MANAGERS, ""),
    "regions:create": (MANAGERS, ""),
    "regions:move": (MANAGERS, ""),
    "regions:merge": (MANAGERS, ""),
    "regions:split": (MANAGERS, ""),
    "regions:export": (EXPORTERS | {R.SYSTEM_ADMIN}, ""),
    "regions:assign": (ASSIGNERS, ""),
    "regions:assignment_end": (ASSIGNERS, "post"),
    "regions:user_scope": ({R.SYSTEM_ADMIN}, ""),
    # --- people (registry console) ---
    "people:list": (EXPORTERS, ""),
    "people:export": (EXPORTERS, ""),
    "people:create": (EXPORTERS, ""),
    "people:detail": (EXPORTERS, ""),
    "people:edit": (EXPORTERS, ""),
    # nobody in the matrix may reveal; readers of the registry reach the service, which refuses (and counts) it
    "people:reveal": (set(), "post-refused-by-service"),
    "people:claim": (EXPORTERS, "post"),
    "people:verify": (EXPORTERS, "post"),
    "people:delete": (EXPORTERS, "post"),
    "people:restore": (EXPORTERS, "post"),
    "people:merge": (EXPORTERS, ""),
    "people:tag_add": (EXPORTERS, "post"),
    "people:tag_end": (EXPORTERS, "post"),
    "people:household_create": (EXPORTERS, ""),
    "people:household": (EXPORTERS, ""),
    "people:household_add": (EXPORTERS, "post"),
    "people:household_head": (EXPORTERS, "post"),
    # --- places (buildings, houses) and registry API ---
    # resident-data readers and registry editors are the same three roles as EXPORTERS
    "places:buildings": (EXPORTERS, ""),
    "places:building": (EXPORTERS, ""),
    "places:house": (EXPORTERS, ""),
    "places:compound_create": (EXPORTERS, ""),
    "places:compound_edit": (EXPORTERS, ""),
    "places:building_create": (EXPORTERS, ""),
    "places:building_edit": (EXPORTERS, ""),
    "places:house_create": (EXPORTERS, ""),
    "places:house_edit": (EXPORTERS, ""),
    # --- ledgers (Excel import and export) ---
    # a job answers only its owner: another registry editor gets 404 ("owned"), the rest 403
    "ledgers:imports": (EXPORTERS, ""),
    "ledgers:template": (EXPORTERS, ""),
    "ledgers:kind_imports": ({R.SYSTEM_ADMIN}, ""),  # the region tree's import
    "ledgers:kind_template": ({R.SYSTEM_ADMIN}, ""),
    "ledgers:import": (EXPORTERS, "owned"),
    "ledgers:import_progress": (EXPORTERS, "owned"),
    "ledgers:import_report": (EXPORTERS, "owned"),
    "ledgers:import_slips": (EXPORTERS, "owned"),
    "ledgers:import_check": (EXPORTERS, "post"),
    "ledgers:import_confirm": (EXPORTERS, "post"),
    "ledgers:import_cancel": (EXPORTERS, "post"),
    "ledgers:import_restart": (EXPORTERS, "post"),
    "ledgers:import_template_save": (EXPORTERS, "post"),
    "ledgers:export": (EXPORTERS, "owned"),
    "ledgers:export_restart": (EXPORTERS, "post"),
    # --- cases ---
    "core:holidays": ({R.SYSTEM_ADMIN}, ""),
    # the matrix case is a 水务 case in grid_a1; the matrix's department handler belongs to 水务
    "cases:list": (CASE_VIEWERS, ""),
    "cases:export": (EXPORTERS, ""),
    "cases:create": (EXPORTERS, ""),
    "cases:stats": (CASE_VIEWERS, ""),
    "cases:detail": (CASE_VIEWERS, ""),
    "cases:act": (CASE_VIEWERS, "post"),
    "cases:photo": (CASE_VIEWERS, "owned"),  # the matrix case has no photo: 404 to who may see the case
    "cases:notifications": (CASE_VIEWERS, ""),
    "cases:catalogue": ({R.SYSTEM_ADMIN}, ""),
    "cases:catalogue_export": ({R.SYSTEM_ADMIN}, ""),
    "cases:catalogue_import": ({R.SYSTEM_ADMIN}, "post"),
    "cases:reporter_add": (EXPORTERS, "post"),
    # --- service window: the catalogue (console) and its public notices ---
    "window:catalogue": (SERVICE_KEEPERS, ""),
    "window:item_create": (SERVICE_KEEPERS, ""),
    "window:item_edit": (SERVICE_KEEPERS, ""),
    "window:item_versions": (SERVICE_KEEPERS, ""),
    "window:public_list": (EVERYONE, "public"),
    "window:public_item": (EVERYONE, "public"),
    "window:public_print": (EVERYONE, "public"),
    "api:cases": (CASE_VIEWERS, "api"),
    "api:case": (CASE_VIEWERS, "api"),
    "api:case_actions": (CASE_VIEWERS, "api"),
    "api:people": (EXPORTERS, "api"),
    "api:person": (EXPORTERS, "api"),
    "api:household": (EXPORTERS, "api"),
    "api:house": (EXPORTERS, "api"),
    "api:api-root": (set(), "api-root"),
    "api:me": (EVERYONE, "api"),
    "api:regions": (VIEWERS, "api"),
    "api:region": (VIEWERS, "api"),
    "api:openapi-json": (EVERYONE, "api-public"),
    "api:openapi-view": (EVERYONE, "api-public"),
    "javascript-catalog": (EVERYONE, "public"),
}


def _walk(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _walk(entry, namespace)
        elif entry.name:
            yield f"{prefix}{entry.name}", entry


def url_names() -> list[str]:
    names = {name for name, _pattern in _walk(get_resolver())}
    return sorted(n for n in names if not n.startswith(("djdt", "admin:")))


def test_every_url_is_in_the_matrix() -> None:
    missing = [name for name in url_names() if name not in MATRIX]
    assert missing == [], f"add these URLs to MATRIX: {missing}"


def _people_kwargs(tree: Tree, pattern: str) -> dict[str, int]:
    """A person in grid_a1 with a household and a tag (plain ORM rows: no audit row, no fingerprint change)."""
    from wangge.people.models import Household, Membership, Person, PersonTag, Tag

    person = Person.all_objects.filter(name="矩阵").first() or Person.all_objects.create(
        region=tree.grid_a1, name="矩阵"
    )
    household = Household.all_objects.filter(number="M1").first() or Household.all_objects.create(
        region=tree.grid_a1, number="M1", head=person
    )
    Membership.objects.get_or_create(household=household, person=person, defaults={"relation": "02"})
    tag = Tag.objects.filter(is_sensitive=False).first()
    person_tag, _created = PersonTag.objects.get_or_create(person=person, tag=tag)
    kwargs = {"person_id": person.pk, "household_id": household.pk, "person_tag_id": person_tag.pk}
    return {k: v for k, v in kwargs.items() if f"<int:{k}>" in pattern}


def _url(name: str, tree: Tree, other: User, failure: LoginFailure, token: ApiToken, assignment: Assignment) -> str:
    params = {
        "core:token_revoke": {"token_id": token.pk},
        "core:user_edit": {"user_id": other.pk},
        "core:unlock": {"failure_id": failure.pk},
        "core:reset_two_factor": {"user_id": other.pk},
        "regions:user_scope": {"user_id": other.pk},
        "regions:assignment_end": {"assignment_id": assignment.pk},
        "api:region": {"region_id": tree.grid_a1.pk},
        "public_media": {"path": "no-such-photo.jpg"},
    }
    if name.startswith("places:") or name in ("api:person", "api:household", "api:house"):
        from tests.places.factories import matrix_places

        places = matrix_places(tree)
        params.update(
            {
                "places:compound_edit": {"compound_id": places.compound.pk},
                "places:building": {"building_id": places.building.pk},
                "places:building_edit": {"building_id": places.building.pk},
                "places:house": {"house_id": places.house.pk},
                "places:house_edit": {"house_id": places.house.pk},
                "api:person": {"person_id": places.person.pk},
                "api:household": {"household_id": places.household.pk},
                "api:house": {"house_id": places.house.pk},
            }
        )
    if name in ("ledgers:kind_imports", "ledgers:kind_template"):
        params[name] = {"kind": "regions"}
    elif name.startswith("ledgers:") and name not in ("ledgers:imports", "ledgers:template"):
        from wangge.ledgers.models import ExportJob

        if name in ("ledgers:export", "ledgers:export_restart"):
            job = ExportJob.objects.first() or ExportJob.objects.create(user=other, file_name="x.xlsx")
        else:
            job = ImportJob.objects.first() or ImportJob.objects.create(
                user=other, region=tree.grid_a1, file_name="x.xlsx", file_sha256="0"
            )
        params[name] = {"job_id": job.pk}
    if name.startswith("window:") and name not in ("window:catalogue", "window:item_create", "window:public_list"):
        from tests.window.factories import matrix_item

        params[name] = {"code": matrix_item().code}
    if name in params:
        return reverse(name, kwargs=params[name])
    pattern = dict(_walk(get_resolver()))[name]
    if (name.startswith("cases:") or name.startswith("api:case")) and "case_id" in str(pattern.pattern):
        from tests.cases.factories import matrix_case

        kwargs = {"case_id": matrix_case(tree).pk}
        if "attachment_id" in str(pattern.pattern):
            kwargs["attachment_id"] = 999_999
        return reverse(name, kwargs=kwargs)
    if name.startswith("people:") and "_id>" in str(pattern.pattern):
        return reverse(name, kwargs=_people_kwargs(tree, str(pattern.pattern)))
    if "region_id" in str(pattern.pattern):
        return reverse(name, kwargs={"region_id": tree.grid_a1.pk})
    return reverse(name)


@pytest.fixture
def fixtures(tree: Tree, make_user: Callable[..., User]) -> dict[str, object]:
    from wangge.core.services import token_issue

    other = make_user(Role.VOLUNTEER, username="someone")
    failure = LoginFailure.objects.create(kind="account", key="someone", failures=1)
    token, _raw = token_issue(actor=None, user=other, name="x")
    assignment = Assignment.all_objects.get(region=tree.grid_a1)
    return {"other": other, "failure": failure, "token": token, "assignment": assignment}


@pytest.mark.parametrize("role", [ANON, *ALL_ROLES])
def test_get_every_url_as_each_role(
    role: str, tree: Tree, fixtures: dict[str, object], client_for: Callable[..., Client]
) -> None:
    client = Client() if role == ANON else client_for(role)
    failures = []
    for name in url_names():
        allowed, kind = MATRIX[name]
        url = _url(name, tree, **fixtures)  # type: ignore[arg-type]
        response = client.get(url)
        if kind == "post-open":
            expected = 405
        elif kind == "post":
            expected = 302 if role == ANON else (405 if role in allowed else 403)
        elif kind == "post-refused-by-service":
            expected = 302 if role == ANON else (405 if role in EXPORTERS else 403)
        elif kind == "owned":
            expected = 302 if role == ANON else (404 if role in allowed else 403)
        elif kind == "health":
            expected = response.status_code if response.status_code in (200, 503) else 200  # never a login page
        elif kind == "public-missing":
            expected = 404  # public files only: a name that is not there is 404 for everyone
        elif kind == "api-root":
            expected = 404  # /api/v1/ itself is not an endpoint
        elif role == ANON:
            expected = 200 if kind in ("public", "api-public") else (401 if kind == "api" else 302)
        else:
            expected = 200 if role in allowed else 403
        status = response.status_code
        if status == 302 and expected == 200 and not response.url.startswith("/login/"):
            status = 200  # a redirect to the page the user should see, e.g. their only region
        if status != expected:
            failures.append(f"{name} {url}: {response.status_code} != {expected}")
        if role == ANON and expected == 302:
            assert response.url.startswith("/login/"), name
    assert failures == [], "\n".join(failures)


def fingerprint() -> tuple[object, ...]:
    """Everything a refused write could have changed (audit rows of refusals aside)."""
    return (
        list(
            Region.all_objects.order_by("pk").values_list("pk", "name", "path", "is_active", "parent_id", "grid_code")
        ),
        list(Assignment.all_objects.order_by("pk").values_list("pk", "ended_on", "region_id")),
        list(User.objects.order_by("pk").values_list("pk", "password", "is_active", "full_name", "language")),
        list(UserScope.objects.order_by("pk").values_list("user_id", "region_id")),
        list(ApiToken.objects.order_by("pk").values_list("pk", "revoked_at")),
        LoginFailure.objects.count(),
        list(ImportJob.objects.order_by("pk").values_list("pk", "state", "mapping")),
        list(ServiceItem.objects.order_by("pk").values_list("pk", "name", "is_active", "notice_id")),
        ServiceNotice.objects.count(),
        AuditEvent.objects.filter(result="ok").exclude(action__in=["audit.search", "export.audit"]).count(),
    )


WRITE_POSTS: dict[str, dict[str, object]] = {
    "core:user_create": {"username": "intruder", "password": "Intrud3r!Pass", "roles": ["system_admin"]},
    "core:user_edit": {"username": "someone", "full_name": "改名", "is_active": "on", "roles": ["auditor"]},
    "core:unlock": {},
    "core:reset_two_factor": {},
    "regions:edit": {"name": "被篡改"},
    "regions:create": {"name": "非法小区"},
    "regions:move": {"new_parent": "0"},
    "regions:merge": {"target": "0", "confirm": "on"},
    "regions:split": {"new_name": "非法拆分"},
    "regions:assign": {"role": "grid_worker", "name": "冒名"},
    "regions:assignment_end": {},
    "regions:user_scope": {"regions": ["1"]},
    "places:compound_create": {"region": "1", "name": "非法小区", "kind": "property"},
    "places:building_create": {"region": "1", "name": "非法楼", "floors": "6", "units": "1"},
    "places:building_edit": {"name": "被篡改", "floors": "6", "units": "1"},
    "places:house_create": {"region": "1", "number": "999", "use": "residential", "tenants_count": "0"},
    "places:house_edit": {"number": "999", "unit": "1", "floor": "1", "use": "residential", "tenants_count": "0"},
    "people:create": {"name": "冒名", "doc_type": "citizen_id", "residency": "registered", "region": "0"},
    "people:edit": {"name": "被篡改", "doc_type": "citizen_id", "residency": "registered"},
    "people:reveal": {"field": "id_number", "reason": "好奇"},
    "people:claim": {},
    "people:verify": {},
    "people:delete": {"reason": "非法删除"},
    "people:restore": {},
    "people:merge": {"person": "0"},
    "people:tag_add": {"tag": "1", "attention": "normal", "source_state": "entered"},
    "people:tag_end": {},
    "people:household_create": {"number": "X1", "kind": "local"},
    "people:household_add": {"person": "0", "relation": "20"},
    "people:household_head": {"person": "0"},
    "ledgers:imports": {"region": "1"},
    "ledgers:import_check": {"on_existing": "update", "on_invalid": "skip"},
    "ledgers:import_confirm": {},
    "ledgers:import_cancel": {},
    "ledgers:import_restart": {},
    "ledgers:export_restart": {},
}


@pytest.mark.parametrize("role", [ANON, *ALL_ROLES])
def test_refused_writes_change_nothing(
    role: str, tree: Tree, fixtures: dict[str, object], client_for: Callable[..., Client]
) -> None:
    client = Client() if role == ANON else client_for(role)
    for name, data in WRITE_POSTS.items():
        allowed, _kind = MATRIX[name]
        if role in allowed:
            continue
        url = _url(name, tree, **fixtures)  # type: ignore[arg-type]
        before = fingerprint()
        response = client.post(url, data)
        if role == ANON:
            assert _login_redirect(response), (name, response.status_code)
        else:  # a redirect to anywhere but the login page is not a refusal
            assert response.status_code in (403, 404), (name, role, response.status_code)
        assert fingerprint() == before, name


# --- valid writes: each succeeds for a role that may make it, and changes nothing for every other ---
# The bodies are valid, so a refusal comes from the capability and scope checks alone: remove one and
# the refused side fails; the allowed side proves the body is good (a write audits an "ok" row).


def _valid_writes(tree: Tree) -> dict[str, tuple[str, str, dict[str, object], str]]:
    """name -> (method, url, body, a role that may make it); API bodies are JSON."""
    from tests.cases.factories import matrix_case
    from tests.places.factories import matrix_places
    from tests.window.factories import NOTICE, matrix_item
    from wangge.cases.models import Category

    case = matrix_case(tree)
    item = matrix_item()
    places = matrix_places(tree)
    category = Category.objects.get(code="QZ01")
    report = {"category": category.pk, "title": "矩阵上报", "region": tree.grid_a1.pk}
    return {
        "cases:create": (
            "post",
            reverse("cases:create"),
            {**report, "client_key": "m-1", "urgency": "normal", "source": "patrol"},
            R.GRID_WORKER,
        ),
        "cases:act": (
            "post",
            reverse("cases:act", args=[case.pk]),
            {"action": "accept", "version": case.version},
            R.STREET_SUPERVISOR,
        ),
        "cases:reporter_add": (
            "post",
            reverse("cases:reporter_add", args=[case.pk]),
            {"name": "又一户", "phone": "13871509999"},
            R.GRID_WORKER,
        ),
        "cases:catalogue": (
            "post",
            reverse("cases:catalogue"),
            {"action": "rule_add", "trigger": "overdue", "supervision": "normal"},
            R.SYSTEM_ADMIN,
        ),
        "window:item_create": (
            "post",
            reverse("window:item_create"),
            {"code": "MXNEW", "name": "矩阵新事项", "category": "other", "office_level": "street", "mode": "promised"}
            | {"limit_days": "5", "is_active": "on"},
            R.STREET_SUPERVISOR,
        ),
        "window:item_edit": (
            "post",
            reverse("window:item_edit", args=[item.code]),
            {"action": "notice", **NOTICE, "material_name": ["户口簿", ""], "material_form": ["copy", "original"]}
            | {"material_copies": ["2", "1"], "material_notes": ["", ""]},
            R.SYSTEM_ADMIN,
        ),
        "core:holidays": (
            "post",
            reverse("core:holidays"),
            {"action": "set", "date": "2026-12-31", "kind": "holiday", "name": "矩阵假日"},
            R.SYSTEM_ADMIN,
        ),
        "api:cases": (
            "api-post",
            reverse("api:cases"),
            {"region": tree.grid_a1.pk, "category": "QZ01", "title": "接口上报", "client_key": "m-2"},
            R.GRID_WORKER,
        ),
        "api:case_actions": (
            "api-post",
            reverse("api:case_actions", kwargs={"case_id": case.pk}),
            {"action": "accept", "version": case.version},
            R.STREET_SUPERVISOR,
        ),
        "api:people": (
            "api-post",
            reverse("api:people"),
            {"region": tree.grid_a1.pk, "name": "接口新人", "phone": "13871508888"},
            R.GRID_WORKER,
        ),
        "api:person": (
            "api-patch",
            reverse("api:person", kwargs={"person_id": places.person.pk}),
            {"occupation": "教师"},
            R.GRID_WORKER,
        ),
    }


def _send(client: Client, method: str, url: str, body: dict[str, object]) -> HttpResponse:
    if method == "post":
        return client.post(url, body)  # type: ignore[return-value]
    verb = method.removeprefix("api-")
    return getattr(client, verb)(url, data=json.dumps(body), content_type="application/json")  # type: ignore[no-any-return]


def _login_redirect(response: HttpResponse) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/login/")


VALID_WRITES = [
    "cases:create",
    "cases:act",
    "cases:reporter_add",
    "cases:catalogue",
    "window:item_create",
    "window:item_edit",
    "core:holidays",
    "api:cases",
    "api:case_actions",
    "api:people",
    "api:person",
]


@pytest.mark.parametrize("name", VALID_WRITES)
def test_a_valid_write_succeeds_for_an_allowed_role(
    name: str, tree: Tree, fixtures: dict[str, object], client_for: Callable[..., Client]
) -> None:
    method, url, body, role = _valid_writes(tree)[name]
    assert role in MATRIX[name][0]
    before = fingerprint()
    response = _send(client_for(role), method, url, body)
    assert response.status_code in (200, 201, 302), (name, response.status_code, response.content[:300])
    if response.status_code == 302:
        assert not _login_redirect(response), name
    assert fingerprint() != before, f"{name}: the allowed write changed nothing (is its body valid?)"


@pytest.mark.parametrize("role", [ANON, *ALL_ROLES])
def test_a_valid_write_changes_nothing_for_a_role_that_may_not(
    role: str, tree: Tree, fixtures: dict[str, object], client_for: Callable[..., Client]
) -> None:
    client = Client() if role == ANON else client_for(role)
    for name, (method, url, body, _role) in _valid_writes(tree).items():
        if role in MATRIX[name][0]:
            continue
        before = fingerprint()
        response = _send(client, method, url, body)
        if role == ANON:
            ok = response.status_code == 401 if method.startswith("api-") else _login_redirect(response)
        else:
            ok = response.status_code in (403, 404)  # a redirect elsewhere is not a refusal
        assert ok, (name, role, response.status_code)
        assert fingerprint() == before, (name, role)
