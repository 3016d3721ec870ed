"""The region tree imported from .xlsx as a ledger kind: its export comes back as is, rows are checked and
placed under their parents, errors are reported by row, and the whole file is written or nothing."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
import python_calamine
from django.core.exceptions import PermissionDenied
from django.test import Client

from tests.conftest import Tree, sign_in
from tests.ledgers import builders
from wangge.core.models import AuditEvent, User
from wangge.core.roles import Role
from wangge.ledgers import services
from wangge.ledgers.models import ImportJob
from wangge.regions import services as region_services
from wangge.regions.models import Assignment, Level, Region

HEADER = ["区域", "层级", "上级区域", "行政区划代码", "统计用区划代码", "网格编码", "户数（公示）", "人数（公示）"]


def cells(content: bytes) -> list[list[Any]]:
    return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def fingerprint() -> list[tuple[Any, ...]]:
    return list(
        Region.all_objects.order_by("pk").values_list(
            "pk", "name", "level", "path", "area_code", "community_code", "grid_code", "declared_households"
        )
    )


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user(Role.SYSTEM_ADMIN, username="sysadmin")


def test_the_tree_export_comes_back_as_is(
    tree: Tree, admin: User, make_user: Callable[..., User], run_import: Callable[..., ImportJob]
) -> None:
    supervisor = make_user(Role.STREET_SUPERVISOR, scope="district", username="exporter")
    client = sign_in(Client(), supervisor)
    Assignment.all_objects.all().delete()  # the tree alone (its people on duty are another ledger)
    exported = client.get(f"/regions/{tree.district.pk}/export.xlsx").content
    before = cells(exported)
    assert len(before) == 10 and before[0][:3] == ["区域", "层级", "上级区域"]
    # a new installation: only the district exists
    for region in Region.all_objects.exclude(pk=tree.district.pk).order_by("-path"):
        region.delete()

    job = run_import(admin, tree.district, exported, name="测试区-网格台账.xlsx", kind="regions")

    assert job.state == ImportJob.State.DONE, job.message
    assert job.counts["new"] == 8 and job.counts["unchanged"] == 1 and job.result == {"created": 8, "updated": 0}
    client = sign_in(Client(), supervisor)  # the scope is read again
    assert cells(client.get(f"/regions/{tree.district.pk}/export.xlsx").content) == before
    grid = Region.all_objects.get(name="第一网格")
    assert (grid.grid_code, grid.declared_households, grid.declared_population) == ("G-A1", 600, 2100)
    assert grid.parent is not None and grid.parent.community_code == "421202001001"
    assert Region.all_objects.get(name="福源小区").level == Level.MICROGRID
    assert AuditEvent.objects.filter(action="region.create", user_id=admin.pk).count() == 8
    summary = AuditEvent.objects.get(action="ledger.import", user_id=admin.pk)
    assert '"kind": "regions"' in summary.detail and '"created": 8' in summary.detail


def test_the_same_export_again_changes_nothing(
    tree: Tree, admin: User, make_user: Callable[..., User], run_import: Callable[..., ImportJob]
) -> None:
    supervisor = make_user(Role.STREET_SUPERVISOR, scope="district", username="exporter")
    exported = sign_in(Client(), supervisor).get(f"/regions/{tree.district.pk}/export.xlsx").content

    job = run_import(admin, tree.district, exported, kind="regions")

    assert job.state == ImportJob.State.CHECKED and job.counts["unchanged"] == 9 and job.counts["new"] == 0
    assert "没有可导入的内容" in services._refusal(job, job.counts)


def test_the_preview_counts_new_and_changed_regions_and_reports_errors_by_row(
    tree: Tree, admin: User, run_import: Callable[..., ImportJob]
) -> None:
    rows = [
        HEADER,
        ["甲社区", "社区", "甲街道", "", "421202001002", "", "", ""],  # 2: a changed code
        ["第三网格", "网格", "甲社区", "", "", "G-A3", "420", "1300"],  # 3: new, under an existing community
        ["三号微网格", "微网格", "第三网格", "", "", "", "", ""],  # 4: new, under the row above
        ["丙社区", "社区", "丙街道", "", "", "", "", ""],  # 5: no such street
        ["丙第一网格", "网格", "丙社区", "", "", "", "", ""],  # 6: its parent has errors
        ["丁社区", "社区", "乙街道", "4212", "", "", "", ""],  # 7: a bad area code
        ["第三网格", "网格", "甲社区", "", "", "", "", ""],  # 8: repeats row 3
        ["戊网格", "网格组", "甲社区", "", "", "", "", ""],  # 9: an unknown level
    ]
    before = fingerprint()

    job = run_import(admin, tree.district, builders.xlsx(rows), kind="regions")

    assert job.state == ImportJob.State.CHECKED
    assert {k: job.counts[k] for k in ("new", "update", "unchanged", "invalid")} == {
        "new": 2,
        "update": 1,
        "unchanged": 0,
        "invalid": 5,
    }
    errors = dict(job.first_errors)
    assert set(errors) == {5, 6, 7, 8, 9}
    assert errors[5] == "上级区域：测试区 中没有名为“丙街道”的街道，上方各行中也没有。"
    assert errors[6] == "上级区域：其上级（第 5 行）有错误。"
    assert "6 位" in errors[7]
    assert errors[8] == "与第 3 行重复（同一上级下同名）。"
    assert errors[9].startswith("层级：“网格组”")
    assert fingerprint() == before  # checked, not written
    report = cells(services.job_report(job) or b"")
    assert [row[0] for row in report[1:]] == ["丙社区", "丙第一网格", "丁社区", "第三网格", "戊网格"]


def test_all_or_nothing_then_the_valid_rows_when_asked(
    tree: Tree, admin: User, run_import: Callable[..., ImportJob]
) -> None:
    rows = [
        HEADER,
        ["第三网格", "网格", "甲社区", "", "", "G-A3", "", ""],
        ["三号微网格", "微网格", "第三网格", "", "", "", "", ""],
        ["丙社区", "社区", "丙街道", "", "", "", "", ""],
    ]
    before = fingerprint()
    refused = run_import(admin, tree.district, builders.xlsx(rows), kind="regions")
    assert refused.state == ImportJob.State.CHECKED and "有 1 行存在错误" in services._refusal(refused, refused.counts)
    assert fingerprint() == before

    job = run_import(admin, tree.district, builders.xlsx(rows), kind="regions", on_invalid="skip")

    assert job.state == ImportJob.State.DONE and job.result["created"] == 2
    micro = Region.all_objects.get(name="三号微网格")
    assert micro.parent is not None and micro.parent.name == "第三网格" and micro.parent.parent == tree.community_a
    assert micro.path.startswith(tree.community_a.path)


def test_a_failure_while_writing_leaves_the_tree_as_it_was(
    tree: Tree, admin: User, run_import: Callable[..., ImportJob], monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [
        HEADER,
        ["第三网格", "网格", "甲社区", "", "", "", "", ""],
        ["第四网格", "网格", "甲社区", "", "", "", "", ""],
    ]
    real = region_services.region_create
    made: list[str] = []

    def failing(**kwargs: Any) -> Region:
        if made:
            raise RuntimeError("disk full")
        made.append(kwargs["name"])
        return real(**kwargs)

    monkeypatch.setattr(region_services, "region_create", failing)
    before = fingerprint()

    job = run_import(admin, tree.district, builders.xlsx(rows), kind="regions")

    assert made == ["第三网格"] and job.state == ImportJob.State.FAILED
    assert fingerprint() == before


def test_a_name_used_twice_is_written_as_a_path(tree: Tree, admin: User, run_import: Callable[..., ImportJob]) -> None:
    region_services.region_create(actor=None, parent=tree.community_b, name="第一网格")
    ambiguous = [HEADER, ["新微网格", "微网格", "第一网格", "", "", "", "", ""]]
    job = run_import(admin, tree.district, builders.xlsx(ambiguous), kind="regions")
    assert (job.counts["invalid"] == 1 and "甲社区/第一网格" in job.first_errors[0][1]) or "/" in job.first_errors[0][1]

    by_path = [HEADER, ["新微网格", "微网格", "乙社区/第一网格", "", "", "", "", ""]]
    job = run_import(admin, tree.district, builders.xlsx(by_path), kind="regions")

    assert job.state == ImportJob.State.DONE
    micro = Region.all_objects.get(name="新微网格")
    assert micro.parent is not None and micro.parent.parent == tree.community_b


def test_changed_codes_update_existing_regions_and_are_audited(
    tree: Tree, admin: User, run_import: Callable[..., ImportJob]
) -> None:
    rows = [HEADER, ["第二网格", "网格", "甲社区", "", "", "G-A2-NEW", "300", ""]]

    job = run_import(admin, tree.district, builders.xlsx(rows), kind="regions")

    assert job.state == ImportJob.State.DONE and job.result == {"created": 0, "updated": 1}
    tree.grid_a2.refresh_from_db()
    assert (tree.grid_a2.grid_code, tree.grid_a2.declared_households) == ("G-A2-NEW", 300)
    assert AuditEvent.objects.filter(action="region.update", user_id=admin.pk, object_id=str(tree.grid_a2.pk)).exists()


def test_only_the_system_administrator_imports_the_tree(
    tree: Tree, make_user: Callable[..., User], client_for: Callable[..., Client]
) -> None:
    supervisor = make_user(Role.STREET_SUPERVISOR, scope="district", username="supervisor")
    data = builders.xlsx([HEADER, ["第三网格", "网格", "甲社区", "", "", "", "", ""]])
    with pytest.raises(PermissionDenied):
        services.import_upload(actor=supervisor, region=tree.district, file_name="t.xlsx", data=data, kind="regions")
    assert not ImportJob.objects.exists()
    assert sign_in(Client(), supervisor).get("/ledgers/kinds/regions/").status_code == 403
    assert client_for(Role.SYSTEM_ADMIN).get("/ledgers/kinds/regions/").status_code == 200
    assert client_for(Role.SYSTEM_ADMIN).get("/ledgers/kinds/nothing/").status_code == 404
    assert client_for(Role.SYSTEM_ADMIN).get("/ledgers/").status_code == 403  # people are not theirs


def test_the_tree_is_imported_through_the_pages(
    tree: Tree, admin: User, immediate_tasks: None, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = sign_in(Client(), admin)
    data = builders.xlsx([HEADER, ["第三网格", "网格", "甲社区", "", "", "G-A3", "", ""]])
    page = client.get("/ledgers/kinds/regions/")
    assert "网格台账" in page.content.decode()
    response = client.post(
        "/ledgers/kinds/regions/",
        {"region": tree.district.pk, "file": _upload("新网格.xlsx", data)},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ImportJob.objects.get(kind="regions")
    mapping_page = client.get(response["Location"]).content.decode()
    assert "上级区域" in mapping_page
    form = {f"col-{i}": key for i, key in enumerate(job.mapping)} | {"on_existing": "update", "on_invalid": "stop"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/ledgers/imports/{job.pk}/check/", form)
    job.refresh_from_db()
    assert job.state == ImportJob.State.CHECKED and job.counts["new"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/ledgers/imports/{job.pk}/confirm/")
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE
    done = client.get(f"/ledgers/imports/{job.pk}/").content.decode()
    assert f"/regions/{tree.district.pk}/" in done
    assert Region.all_objects.filter(name="第三网格", parent=tree.community_a).exists()


def _upload(name: str, data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)
