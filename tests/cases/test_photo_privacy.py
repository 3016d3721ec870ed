"""Case photos are private: random names, no wholesale /media/, only the case's own scoped view."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import Resolver404, URLResolver, clear_url_caches, reverse
from django.urls.resolvers import RegexPattern
from PIL import Image

from tests.conftest import Tree
from wangge.cases import services
from wangge.cases.models import CaseAttachment, Category
from wangge.core.actors import SYSTEM
from wangge.core.roles import Role
from wangge.core.uploads import is_random_name
from wangge.regions import services as region_services
from wangge.regions.models import AssignmentRole

pytestmark = pytest.mark.usefixtures("clock")


def _jpeg(name: str = "张小英家门口.jpg") -> ContentFile[bytes]:
    buffer = BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="JPEG")
    return ContentFile(buffer.getvalue(), name=name)


def _case_with_photo(tree: Tree, category: Category) -> CaseAttachment:
    case = services.case_create(
        actor=SYSTEM, region=tree.grid_a1, category=category, title="楼道灯坏了", photos=[(_jpeg(), "before")]
    ).case
    return CaseAttachment.objects.get(case=case)


def test_a_case_photo_is_stored_under_a_random_name(tree: Tree, category: Category, media_root: Path) -> None:
    photo = _case_with_photo(tree, category)
    assert photo.image.name.startswith("cases/2026/11/")
    assert is_random_name(photo.image.name) and photo.image.name.endswith(".jpg")
    assert "张小英" not in photo.image.name
    assert (media_root / photo.image.name).is_file()


def test_media_is_not_served_wholesale_only_through_the_case_view(
    tree: Tree, category: Category, client_for: Callable[..., Client]
) -> None:
    photo = _case_with_photo(tree, category)
    direct = f"/media/{photo.image.name}"
    scoped = reverse("cases:photo", args=[photo.case_id, photo.pk])

    assert Client().get(direct).status_code == 404
    worker = client_for(Role.GRID_WORKER)
    assert worker.get(direct).status_code == 404  # not even to who may see the case: only its own view
    assert worker.get(scoped).status_code == 200

    anonymous = Client().get(scoped)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("core:login"))
    assert client_for(Role.GRID_WORKER, scope="grid_b1").get(scoped).status_code == 404


def test_the_local_profile_does_not_serve_media_wholesale_either(settings: Any) -> None:
    """DEBUG (the local profile) used to add Django's static view over all of MEDIA_ROOT."""
    import config.urls

    settings.DEBUG = True
    try:
        urls = importlib.reload(config.urls)
        resolver = URLResolver(RegexPattern(r"^/"), urls.urlpatterns)
        with pytest.raises(Resolver404):
            resolver.resolve("/media/cases/2026/11/photo.jpg")
        assert resolver.resolve("/media/assignments/photo.jpg").url_name == "public_media"
    finally:
        settings.DEBUG = False
        importlib.reload(config.urls)
        clear_url_caches()


def test_the_grid_workers_photos_stay_public_and_nothing_else_under_media(tree: Tree, media_root: Path) -> None:
    assignment = region_services.assignment_create(
        actor=None, region=tree.grid_a2, role=AssignmentRole.GRID_WORKER, name="李娜", photo=_jpeg("李娜.jpg")
    )
    assert is_random_name(assignment.photo.name) and "李娜" not in assignment.photo.name
    response = Client().get(assignment.photo.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"  # type: ignore[attr-defined]

    (media_root / "cases").mkdir(parents=True, exist_ok=True)
    (media_root / "cases" / "secret.jpg").write_bytes(b"\xff\xd8")
    for escape in ("/media/assignments/../cases/secret.jpg", "/media/assignments/%2E%2E/cases/secret.jpg"):
        assert Client().get(escape).status_code in (400, 404)  # a path out of the folder is refused
    assert Client().get("/media/cases/secret.jpg").status_code == 404


def test_photos_uploaded_under_their_own_names_are_renamed_by_the_migration(
    tree: Tree, category: Category, media_root: Path
) -> None:
    photo = _case_with_photo(tree, category)
    old_name = default_storage.save("cases/2026/11/张小英家门口.jpg", _jpeg())
    CaseAttachment.objects.filter(pk=photo.pk).update(image=old_name)

    migration = importlib.import_module("wangge.cases.migrations.0008_case_photos_renamed_random")
    migration.rename(apps, None)

    photo.refresh_from_db()
    assert is_random_name(photo.image.name) and photo.image.name.startswith("cases/2026/11/")
    assert not default_storage.exists(old_name)
    assert photo.image.read()[:2] == b"\xff\xd8"
