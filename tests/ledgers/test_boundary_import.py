"""Region boundaries imported from GeoJSON as a ledger kind: each feature finds its region by code or name, is
checked, reported by its number, and the whole file is written or nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import Tree
from wangge.core.models import AuditEvent, User
from wangge.core.roles import Role
from wangge.ledgers import services
from wangge.ledgers.models import ImportJob
from wangge.ledgers.readers import LedgerError
from wangge.regions.models import Region

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[114.3, 29.8], [114.31, 29.8], [114.31, 29.81], [114.3, 29.81], [114.3, 29.8]]],
}


def feature(geometry: Any, **properties: str) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def collection(*features: dict[str, Any]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}, ensure_ascii=False).encode()


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user(Role.SYSTEM_ADMIN, username="sysadmin")


def boundaries() -> dict[str, Any]:
    return dict(Region.all_objects.values_list("name", "boundary"))


def test_features_find_their_regions_by_code_or_name_and_draw_them(
    tree: Tree, admin: User, run_import: Callable[..., ImportJob]
) -> None:
    data = collection(feature(SQUARE, code="G-A1"), feature(SQUARE, name="第二网格", parent="甲社区"))

    job = run_import(admin, tree.district, data, name="网格边界.geojson", kind="boundaries")

    assert job.state == ImportJob.State.DONE, job.message
    assert job.result == {"created": 2, "updated": 0}
    assert boundaries()["第一网格"] == SQUARE and boundaries()["第二网格"] == SQUARE
    assert AuditEvent.objects.filter(action="region.update", object_id=str(tree.grid_a1.pk)).exists()


def test_each_feature_is_reported_by_its_number_and_nothing_is_drawn(
    tree: Tree, admin: User, run_import: Callable[..., ImportJob]
) -> None:
    open_ring = {"type": "Polygon", "coordinates": [[[114.3, 29.8], [114.31, 29.8], [114.31, 29.81], [114.3, 29.81]]]}
    data = collection(
        feature(SQUARE, code="G-A1"),  # 1: fine
        feature(SQUARE, name="第九网格"),  # 2: no such region
        feature(open_ring, name="第二网格"),  # 3: the ring does not close
        feature({"type": "Point", "coordinates": [114.3, 29.8]}, code="G-B1"),  # 4: not an area
        feature(SQUARE),  # 5: names no region
        feature(SQUARE, name="第一网格", level="网格"),  # 6: the same region as feature 1
    )
    before = boundaries()

    job = run_import(admin, tree.district, data, name="边界.geojson", kind="boundaries")

    assert job.state == ImportJob.State.CHECKED and job.counts["new"] == 1 and job.counts["invalid"] == 5
    errors = dict(job.first_errors)
    assert set(errors) == {2, 3, 4, 5, 6}
    assert errors[2] == "测试区 中没有区域 第九网格。"
    assert "4 个点" in errors[3]
    assert "Polygon" in errors[4]
    assert errors[5] == "该要素没有指明区域：请给出 name 或 code 属性。"
    assert errors[6] == "要素 1 已经给出了 第一网格 的边界。"
    assert boundaries() == before


def test_a_file_that_is_not_a_feature_collection_is_refused(tree: Tree, admin: User) -> None:
    for data, name in (
        (b"{not json", "a.geojson"),
        (json.dumps(SQUARE).encode(), "a.geojson"),
        (collection(feature(SQUARE, code="G-A1")), "a.xlsx"),
    ):
        with pytest.raises(LedgerError):
            services.import_upload(actor=admin, region=tree.district, file_name=name, data=data, kind="boundaries")
    assert not ImportJob.objects.exists()


def test_another_boundary_is_replaced_only_when_asked(
    tree: Tree, admin: User, run_import: Callable[..., ImportJob]
) -> None:
    other = {"type": "Polygon", "coordinates": [[[114.0, 29.0], [114.1, 29.0], [114.1, 29.1], [114.0, 29.0]]]}
    Region.all_objects.filter(pk=tree.grid_a1.pk).update(boundary=other)
    data = collection(feature(SQUARE, code="G-A1"))

    skipped = run_import(admin, tree.district, data, name="a.geojson", kind="boundaries", on_existing="skip")
    assert skipped.state == ImportJob.State.CHECKED and skipped.counts["update"] == 1  # nothing else to do: refused
    assert boundaries()["第一网格"] == other

    job = run_import(admin, tree.district, data, name="a.geojson", kind="boundaries", on_existing="update")

    assert job.state == ImportJob.State.DONE and job.result == {"created": 0, "updated": 1}
    assert boundaries()["第一网格"] == SQUARE
