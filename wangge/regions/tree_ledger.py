"""The region tree as a ledger (网格台账): its columns, checking a file against the tree, and writing it.

The columns are those of the tree's export (`regions:export`), so an exported tree comes back as
is. Each row names its parent: the nearest row above with that name one level up (an export
lists every region under its parent), else the one region of that name in the tree under the
region imported into; a name used twice is written as a path, 甲社区/第一网格. Rows that already
exist (same name under the same parent) are updates; empty cells change nothing. Writes go
through `region_create` and `region_update`, so every region is checked and audited as in the console.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _

from wangge.core.audit import audit_record
from wangge.core.models import User
from wangge.ledgers import values as v
from wangge.ledgers.kinds import INVALID, NEW, SKIP, UNCHANGED, UPDATE, Cancelled, FailingRow, Progress, RowsPlan, tick
from wangge.ledgers.readers import Table
from wangge.ledgers.schema import Column, Header, Schema
from wangge.regions import services
from wangge.regions.models import LEVEL_ORDER, Level, Region

# The attributes a row may set (besides name, level and parent), in the export's order.
ATTRIBUTES = (
    "area_code",
    "community_code",
    "grid_code",
    "declared_households",
    "declared_population",
    "service_address",
    "service_phone",
)

LEVEL_WORDS: dict[str, list[str]] = {
    Level.DISTRICT: ["区", "县", "区县", "县区", "县级市", "市辖区"],
    Level.STREET: ["街道", "街道办", "镇", "乡", "乡镇", "街道办事处"],
    Level.COMMUNITY: ["社区", "村", "居委会", "村委会", "社区居委会", "居民委员会"],
    Level.GRID: ["网格"],
    Level.MICROGRID: ["微网格", "小网格"],
}


def level_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for level, words in LEVEL_WORDS.items():
        for word in words:
            names[word] = level
    for member in Level:
        names[str(member.value)] = member.value
        for language in ("en", "zh-hans"):
            with translation.override(language):
                names.setdefault(str(member.label), member.value)
    return names


def level_label(level: str) -> str:
    """The word a ledger uses for a level (the export's word)."""
    return str(Level(level).label)


def _digits(value: Any) -> str:
    """A code typed as a number comes back as digits (Excel keeps 421202 as 421202.0)."""
    return v.text(value).replace(" ", "")


def _count(value: Any) -> int | None:
    return v.parse_int(value, low=0, high=10_000_000, strip="户人口")


def tree_schema() -> Schema:
    """The columns of the tree's export, with the names people also give them."""
    return Schema(
        kind="regions",
        title="网格台账",
        columns=[
            Column(
                "name",
                "区域",
                v.name_text,
                ("名称", "区域名称", "单位名称", "region", "name"),
                "必填",
                "第一网格",
                True,
            ),
            Column(
                "level",
                "层级",
                v.choice_parser(level_names(), label=lambda: _("level")),
                ("级别", "区域层级", "类型", "level"),
                "区县、街道、社区、网格、微网格",
                "网格",
                True,
            ),
            Column(
                "parent",
                "上级区域",
                v.limited(200),
                ("上级", "所属上级", "上级名称", "所属区域", "parent"),
                "上一级的名称；重名时写路径，如 甲社区/第一网格；导入的根区域本身可不填",
                "福星社区",
            ),
            Column(
                "area_code",
                "行政区划代码",
                _digits,
                ("区划代码", "gb/t2260", "administrativedivisioncode"),
                "6 位 GB/T 2260 代码",
                "421202",
            ),
            Column(
                "community_code",
                "统计用区划代码",
                _digits,
                ("统计代码", "统计用代码", "statisticaldivisioncode"),
                "12 位，社区（村）填写",
            ),
            Column("grid_code", "网格编码", v.limited(32), ("网格代码", "网格编号", "gridcode"), "", "XA-FX-01"),
            Column("declared_households", "户数（公示）", _count, ("户数", "households"), "", 600),
            Column("declared_population", "人数（公示）", _count, ("人数", "人口数", "residents"), "", 2100),
            Column(
                "service_address", "服务站地址", v.limited(200), ("服务站", "服务中心地址", "servicecentreaddress"), ""
            ),
            Column("service_phone", "服务站电话", v.limited(32), ("服务中心电话", "servicecentrephone"), ""),
        ],
    )


@dataclass
class TreeRow(FailingRow):
    number: int
    raw: list[Any]
    data: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    status: str = NEW
    names: tuple[str, ...] = ()  # the names from the import's root down to this region
    parent: Region | None = None  # an existing parent
    parent_row: TreeRow | None = None  # a parent the file adds
    existing: Region | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    created: Region | None = None


@dataclass
class TreePlan(RowsPlan[TreeRow]):
    rows: list[TreeRow]
    counts: dict[str, int]


class _Tree:
    """The active regions under the import's root, indexed as the check looks them up."""

    def __init__(self, root: Region) -> None:
        regions = list(Region.all_objects.filter(path__startswith=root.path, is_active=True).order_by("path"))
        by_pk = {r.pk: r for r in regions}
        self.root = root
        self.children: dict[tuple[int, str], Region] = {}
        self.by_level_name: dict[tuple[str, str], list[Region]] = defaultdict(list)
        self.names: dict[int, tuple[str, ...]] = {}
        for region in regions:
            parent_names = self.names.get(region.parent_id or 0, ()) if region.pk != root.pk else ()
            self.names[region.pk] = (*parent_names, region.name)
            if region.parent_id in by_pk:
                self.children[(region.parent_id, region.name)] = region
            self.by_level_name[(region.level, region.name)].append(region)


def _parent_level(level: str) -> str | None:
    index = LEVEL_ORDER.index(level)
    return LEVEL_ORDER[index - 1] if index else None


def _ends_with(names: tuple[str, ...], wanted: tuple[str, ...]) -> bool:
    return len(names) >= len(wanted) and names[len(names) - len(wanted) :] == wanted


def plan_tree(
    *,
    actor: User,
    region: Region,
    schema: Schema,
    table: Table,
    header: Header,
    mapping: Sequence[str],
    progress: Progress | None = None,
) -> TreePlan:
    """Every row parsed and placed in the tree under `region`; nothing is written."""
    tree = _Tree(region)
    columns = [(index, schema.by_key[key]) for index, key in enumerate(mapping) if key]
    rows: list[TreeRow] = []
    data_rows = table.rows[header.data_start :]
    seen: dict[tuple[object, str], TreeRow] = {}
    for offset, raw in enumerate(data_rows):
        if not any(cell not in ("", None) for cell in raw):
            continue
        row = TreeRow(number=header.data_start + offset + 1, raw=raw)
        _parse(row, columns)
        if row.status != INVALID:
            _place(row, tree=tree, above=rows)
        if row.status != INVALID:
            key = (row.parent.pk if row.parent is not None else id(row.parent_row), row.data["name"])
            first = seen.setdefault(key, row)
            if first is not row:
                row.fail(_("This row repeats row %(row)d (same name under the same parent).") % {"row": first.number})
        if row.status != INVALID:
            _compare(row)
        rows.append(row)
        if progress is not None and offset % 500 == 0:
            progress(offset, len(data_rows))
    if progress is not None:
        progress(len(data_rows), len(data_rows))
    counts = dict.fromkeys((NEW, UPDATE, UNCHANGED, SKIP, INVALID), 0)
    for row in rows:
        counts[row.status] += 1
    return TreePlan(rows=rows, counts=counts)


def _parse(row: TreeRow, columns: Sequence[tuple[int, Column]]) -> None:
    for index, column in columns:
        cell = row.raw[index] if index < len(row.raw) else None
        if cell is None or cell == "":
            continue
        try:
            value = column.parse(cell)
        except v.CellError as exc:
            row.fail(f"{column.header}：{exc}")
            continue
        if value not in (None, ""):
            row.data[column.key] = value
    if not row.data.get("name"):
        row.fail("区域：" + _("A name is required."))
    if not row.data.get("level"):
        row.fail("层级：" + _("The level is required (区县, 街道, 社区, 网格 or 微网格)."))
    try:
        services.validate_codes(
            level=row.data.get("level", ""),
            area_code=row.data.get("area_code", ""),
            community_code=row.data.get("community_code", ""),
        )
    except ValidationError as exc:
        row.fail(" ".join(exc.messages))


def _place(row: TreeRow, *, tree: _Tree, above: Sequence[TreeRow]) -> None:
    """Find the row's parent (a row above, or a region of the tree) and whether the region exists already."""
    name, level, parent_text = row.data["name"], row.data["level"], row.data.get("parent", "")
    root = tree.root
    if name == root.name and level == root.level and parent_text in ("", root.parent.name if root.parent else ""):
        row.existing, row.names = root, (root.name,)  # the root itself, as its export's first row lists it
        return
    if not parent_text:
        row.fail(
            "上级区域："
            + _("Give the parent of this region (only %(root)s, the region imported into, may leave it empty).")
            % {"root": root.name}
        )
        return
    parent_level = _parent_level(level)
    if parent_level is None:
        row.fail("层级：" + _("A district can only be the region imported into."))
        return
    wanted = tuple(part.strip() for part in parent_text.replace("／", "/").split("/") if part.strip())
    for candidate in reversed(above):
        if (
            candidate.data.get("level") == parent_level
            and candidate.data.get("name") == wanted[-1]
            and (len(wanted) == 1 or _ends_with(candidate.names, wanted))
        ):
            if candidate.status == INVALID:
                row.fail("上级区域：" + _("Its parent, row %(row)d, has errors.") % {"row": candidate.number})
                return
            if candidate.existing is not None:
                row.parent = candidate.existing
            else:
                row.parent_row = candidate
            break
    else:
        found = [
            r
            for r in tree.by_level_name.get((parent_level, wanted[-1]), [])
            if r.pk in tree.names and _ends_with(tree.names[r.pk], wanted)
        ]
        if not found:
            row.fail(
                "上级区域："
                + _("There is no %(level)s named %(name)s in %(root)s, nor in a row above.")
                % {"level": level_label(parent_level), "name": parent_text, "root": root.name}
            )
            return
        if len(found) > 1:
            row.fail(
                "上级区域："
                + _("%(count)d regions are named %(name)s; write the parent as a path, such as %(path)s.")
                % {"count": len(found), "name": parent_text, "path": "/".join(tree.names[found[0].pk][-2:])}
            )
            return
        row.parent = found[0]
    parent_names = row.parent_row.names if row.parent_row is not None else tree.names.get(row.parent.pk, ())  # type: ignore[union-attr]
    row.names = (*parent_names, name)
    if row.parent is not None:
        row.existing = tree.children.get((row.parent.pk, name))


def _compare(row: TreeRow) -> None:
    """What the row changes in an existing region; empty cells change nothing."""
    region = row.existing
    if region is None:
        return
    if row.data["level"] != region.level:
        row.fail(
            "层级："
            + _("%(name)s already exists as a %(level)s.") % {"name": region.name, "level": level_label(region.level)}
        )
        return
    row.changes = {
        key: row.data[key] for key in ATTRIBUTES if key in row.data and getattr(region, key) != row.data[key]
    }
    row.status = UPDATE if row.changes else UNCHANGED


def write_tree(
    *,
    actor: User,
    plan: TreePlan,
    on_existing: str,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> dict[str, int]:
    """Create the new regions and update the changed ones, row by row through the region services."""
    rows = [r for r in plan.rows if r.status == NEW or (r.status == UPDATE and on_existing == "update")]
    next_order: dict[int, int] = {}
    created = updated = 0
    for done, row in enumerate(rows):
        if done % 20 == 0:
            tick(progress, cancelled, done, len(rows))
        attrs = {key: row.data[key] for key in ATTRIBUTES if key in row.data}
        if row.status == UPDATE:
            assert row.existing is not None
            services.region_update(actor=actor, region=row.existing, **row.changes)
            updated += 1
            continue
        parent = row.parent if row.parent is not None else (row.parent_row.created if row.parent_row else None)
        assert parent is not None, "a new row's parent is checked or created before it"
        if parent.pk not in next_order:
            last = Region.all_objects.filter(parent=parent).aggregate(m=Max("sort_order"))["m"] or 0
            next_order[parent.pk] = last
        next_order[parent.pk] += 1
        row.created = services.region_create(
            actor=actor,
            parent=parent,
            name=row.data["name"],
            level=row.data["level"],
            sort_order=next_order[parent.pk],
            **attrs,
        )
        created += 1
    tick(progress, cancelled, len(rows), len(rows))
    return {"created": created, "updated": updated}


def summary_audit(*, actor: User, job_id: str, source: str, counts: dict[str, int], written: dict[str, int]) -> None:
    audit_record(
        actor=actor,
        action="ledger.import",
        object_type="ledgers.importjob",
        object_id=job_id,
        detail={"kind": "regions", "file": source, "rows": counts, **written},
    )
