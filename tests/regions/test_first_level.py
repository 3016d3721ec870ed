"""The tree's first level (a district, or a street installed alone) is created in the console by the system administrator."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from tests.conftest import PASSWORD, Tree, sign_in
from wangge.core import services as core_services
from wangge.core.models import AuditEvent, User
from wangge.core.roles import Role
from wangge.regions import services
from wangge.regions.models import Region, UserScope


@pytest.fixture
def fresh_admin(db: None) -> User:
    """The first system administrator of an empty database: no region, no scope."""
    return core_services.user_create(
        actor=None, username="admin1", password=PASSWORD, roles={Role.SYSTEM_ADMIN}, must_change_password=False
    )


def test_an_admin_on_an_empty_tree_is_asked_to_create_the_first_region(fresh_admin: User) -> None:
    client = sign_in(Client(), fresh_admin)
    home = client.get("/")
    assert home.status_code == 200
    page = home.content.decode()
    assert 'data-testid="first-region"' in page and "/regions/new/" in page
    assert "尚未分配" not in page
    tree = client.get("/regions/")
    assert 'data-testid="first-region"' in tree.content.decode()


def test_the_admin_creates_a_street_alone_sees_it_and_gives_it_to_a_worker(fresh_admin: User) -> None:
    client = sign_in(Client(), fresh_admin)
    response = client.post("/regions/new/", {"level": "street", "name": "金口街道", "area_code": "420112"})
    street = Region.all_objects.get(name="金口街道")
    assert response.status_code == 302 and response["Location"] == f"/regions/{street.pk}/"
    assert street.level == "street" and street.parent is None and street.path == f"{street.pk}/"
    assert UserScope.objects.filter(user=fresh_admin, region=street).exists()
    event = AuditEvent.objects.get(action="region.create", object_id=str(street.pk))
    assert event.user_id == fresh_admin.pk and json.loads(event.detail)["scope_of_creator"] is True
    # the tree grows under it, and the users page offers it as a scope
    client.post(f"/regions/{street.pk}/new/", {"name": "新街社区"})
    assert Region.all_objects.get(name="新街社区").level == "community"
    worker = core_services.user_create(
        actor=None, username="w1", password=PASSWORD, roles={Role.GRID_WORKER}, must_change_password=False
    )
    scope_page = client.get(f"/regions/scopes/{worker.pk}/")
    assert "金口街道" in scope_page.content.decode()
    client.post(f"/regions/scopes/{worker.pk}/", {"regions": [street.pk]})
    assert list(UserScope.objects.filter(user=worker).values_list("region_id", flat=True)) == [street.pk]
    assert 'data-testid="first-region"' not in client.get("/").content.decode()


def test_a_district_is_the_default_and_bad_input_changes_nothing(fresh_admin: User) -> None:
    client = sign_in(Client(), fresh_admin)
    for data in ({"level": "community", "name": "社区"}, {"level": "district", "name": ""}):
        response = client.post("/regions/new/", data)
        assert response.status_code == 200 and response.context["form"].errors
    assert not Region.all_objects.exists()
    client.post("/regions/new/", {"level": "district", "name": "江夏区"})
    again = client.post("/regions/new/", {"level": "district", "name": "江夏区"})
    assert "江夏区" in again.context["form"].non_field_errors()[0]
    assert Region.all_objects.get().level == "district"
    with pytest.raises(ValidationError):
        services.region_create(actor=fresh_admin, parent=None, name="某社区", level="grid")


def test_only_the_system_administrator_creates_a_first_level_region(
    tree: Tree, client_for: Callable[..., Client]
) -> None:
    supervisor = client_for(Role.STREET_SUPERVISOR)
    assert supervisor.get("/regions/new/").status_code == 403
    assert supervisor.post("/regions/new/", {"level": "district", "name": "另一区"}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.region_create(actor=supervisor.user, parent=None, name="另一区")  # type: ignore[attr-defined]
    assert not Region.all_objects.filter(name="另一区").exists()
    admin = client_for(Role.SYSTEM_ADMIN)
    detail = admin.get(f"/regions/{tree.district.pk}/")
    assert 'data-testid="create-root"' in detail.content.decode()
    assert 'data-testid="create-root"' not in supervisor.get(f"/regions/{tree.street_a.pk}/").content.decode()
