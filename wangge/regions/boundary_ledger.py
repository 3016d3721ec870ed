"""Region boundaries from GeoJSON, as a ledger: each feature of a FeatureCollection names its region.

The file is read into one row per feature (its name, code, level and parent from the properties,
and its geometry), so the import engine's preview, per-feature report and all-or-nothing write
serve it as they serve a spreadsheet. A feature finds its region by code (grid code, statistical
or area code) or by name, under the region imported into; its geometry is checked by the rule the
console uses (`validate_boundary`) and written through `region_update`, audited.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from wangge.core.audit import audit_record
from wangge.core.models import User
from wangge.ledgers import values as v
from wangge.ledgers.kinds import INVALID, NEW, SKIP, UNCHANGED, UPDATE, Cancelled, FailingRow, Progress, RowsPlan, tick
from wangge.ledgers.readers import LedgerError, Table, decode_text
from wangge.ledgers.schema import Column, Header, Schema
from wangge.regions import services
from wangge.regions.models import Region
from wangge.regions.tree_ledger import level_names

# The properties a feature may name its region by (the first one present is taken).
NAME_KEYS = ("name", "名称", "区域", "区域名称", "网格名称", "NAME", "Name")
CODE_KEYS = (
    "code",
    "grid_code",
    "网格编码",
    "统计用区划代码",
    "community_code",
    "区划代码",
    "adcode",
    "area_code",
    "CODE",
)
LEVEL_KEYS = ("level", "层级", "LEVEL")
PARENT_KEYS = ("parent", "上级区域", "上级", "PARENT")
LABELS = ["区域", "代码", "层级", "上级区域", "边界"]


def _first(properties: dict[str, Any], keys: Sequence[str]) -> str:
    for key in keys:
        value = properties.get(key)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def read_geojson(data: bytes, file_name: str) -> Table:
    """A FeatureCollection as a table: a header row, then one row per feature (its geometry as JSON text)."""
    max_bytes = int(getattr(settings, "WANGGE_LEDGER_MAX_BYTES", 50 * 1024 * 1024))
    if len(data) > max_bytes:
        raise LedgerError(
            _("The file is larger than %(limit)d MB. Split it into several files.") % {"limit": max_bytes // 2**20},
            code="too_large",
        )
    if not file_name.lower().endswith((".geojson", ".json")):
        raise LedgerError(_("Boundaries are imported from a GeoJSON file (.geojson or .json)."), code="wrong_type")
    try:
        document = json.loads(decode_text(data))
    except (ValueError, UnicodeDecodeError) as exc:
        raise LedgerError(_("This file is not valid GeoJSON: %(error)s") % {"error": exc}, code="bad_json") from exc
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise LedgerError(
            _("The file must be a GeoJSON FeatureCollection, one feature per region."), code="not_collection"
        )
    features = document.get("features")
    if not isinstance(features, list) or not features:
        raise LedgerError(_("The FeatureCollection has no features."), code="no_features")
    rows: list[list[Any]] = [list(LABELS)]
    for feature in features:
        properties = feature.get("properties") if isinstance(feature, dict) else None
        properties = properties if isinstance(properties, dict) else {}
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        rows.append(
            [
                _first(properties, NAME_KEYS),
                _first(properties, CODE_KEYS),
                _first(properties, LEVEL_KEYS),
                _first(properties, PARENT_KEYS),
                json.dumps(geometry, ensure_ascii=False, separators=(",", ":")) if geometry is not None else "",
            ]
        )
    return Table(rows=rows, kind="geojson", sheet="FeatureCollection")


def _geometry(value: Any) -> Any:
    try:
        return json.loads(v.text(value))
    except ValueError as exc:
        raise v.CellError(_("The geometry is not valid JSON.")) from exc


def boundary_schema() -> Schema:
    return Schema(
        kind="boundaries",
        title="网格边界",
        columns=[
            Column("name", LABELS[0], v.text),
            Column("code", LABELS[1], v.text),
            Column("level", LABELS[2], v.choice_parser(level_names(), label=lambda: _("level"))),
            Column("parent", LABELS[3], v.text),
            Column("boundary", LABELS[4], _geometry, required=True),
        ],
    )


@dataclass
class BoundaryRow(FailingRow):
    number: int  # the feature's number in the collection, from 1
    raw: list[Any]
    data: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    status: str = NEW  # NEW: the region has no boundary yet; UPDATE: it has another one
    region: Region | None = None


@dataclass
class BoundaryPlan(RowsPlan[BoundaryRow]):
    rows: list[BoundaryRow]
    counts: dict[str, int]


def plan_boundaries(
    *,
    region: Region,
    schema: Schema,
    table: Table,
    header: Header,
    mapping: Sequence[str],
    progress: Progress | None = None,
) -> BoundaryPlan:
    """Each feature matched to one region under `region` and its geometry checked; nothing is written."""
    regions = list(Region.all_objects.filter(path__startswith=region.path, is_active=True).select_related("parent"))
    columns = [(index, schema.by_key[key]) for index, key in enumerate(mapping) if key]
    rows: list[BoundaryRow] = []
    claimed: dict[int, BoundaryRow] = {}
    for offset, raw in enumerate(table.rows[header.data_start :]):
        row = BoundaryRow(number=offset + 1, raw=raw)
        for index, column in columns:
            cell = raw[index] if index < len(raw) else None
            if cell in (None, ""):
                continue
            try:
                row.data[column.key] = column.parse(cell)
            except v.CellError as exc:
                row.fail(f"{column.header}：{exc}")
        if row.status != INVALID:
            _match(row, regions, root=region)
        if row.status != INVALID:
            _check_geometry(row)
        if row.region is not None and row.status != INVALID:
            first = claimed.setdefault(row.region.pk, row)
            if first is not row:
                row.fail(
                    _("Feature %(first)d already gives the boundary of %(name)s.")
                    % {"first": first.number, "name": row.region.name}
                )
        rows.append(row)
    if progress is not None:
        progress(len(rows), len(rows))
    counts = dict.fromkeys((NEW, UPDATE, UNCHANGED, SKIP, INVALID), 0)
    for row in rows:
        counts[row.status] += 1
    return BoundaryPlan(rows=rows, counts=counts)


def _match(row: BoundaryRow, regions: Sequence[Region], *, root: Region) -> None:
    name, code = row.data.get("name", ""), row.data.get("code", "")
    level, parent = row.data.get("level", ""), row.data.get("parent", "")
    if not name and not code:
        row.fail(_("The feature names no region: give it a name or code property."))
        return
    found = list(regions)
    if code:
        found = [r for r in found if code in (r.grid_code, r.community_code, r.area_code)]
    if name:
        found = [r for r in found if r.name == name]
    if level:
        found = [r for r in found if r.level == level]
    if parent:
        found = [r for r in found if r.parent is not None and r.parent.name == parent]
    label = "、".join(part for part in (name, code) if part)
    if not found:
        row.fail(_("No region %(region)s in %(root)s.") % {"region": label, "root": root.name})
    elif len(found) > 1:
        row.fail(
            _("%(count)d regions match %(region)s; add a level or parent property.")
            % {"count": len(found), "region": label}
        )
    else:
        row.region = found[0]


def _check_geometry(row: BoundaryRow) -> None:
    geometry = row.data.get("boundary")
    if geometry in (None, ""):
        row.fail(_("The feature has no geometry."))
        return
    try:
        services.validate_boundary(geometry)
    except ValidationError as exc:
        row.fail(" ".join(exc.messages))
        return
    assert row.region is not None
    if row.region.boundary == geometry:
        row.status = UNCHANGED
    elif row.region.boundary:
        row.status = UPDATE


def write_boundaries(
    *,
    actor: User,
    plan: BoundaryPlan,
    on_existing: str,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> dict[str, int]:
    """Set each matched region's boundary (replacing another one only if the user chose to update)."""
    rows = [r for r in plan.rows if r.status == NEW or (r.status == UPDATE and on_existing == "update")]
    for done, row in enumerate(rows):
        tick(progress, cancelled, done, len(rows))
        assert row.region is not None
        services.region_update(actor=actor, region=row.region, boundary=row.data["boundary"])
    tick(progress, cancelled, len(rows), len(rows))
    return {
        "created": sum(1 for r in rows if r.status == NEW),
        "updated": sum(1 for r in rows if r.status == UPDATE),
    }


def summary_audit(*, actor: User, job_id: str, source: str, counts: dict[str, int], written: dict[str, int]) -> None:
    audit_record(
        actor=actor,
        action="ledger.import",
        object_type="ledgers.importjob",
        object_id=job_id,
        detail={"kind": "boundaries", "file": source, "rows": counts, **written},
    )
