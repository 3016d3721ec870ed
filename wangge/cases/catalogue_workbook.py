"""The case catalogue and its escalation rules as one Excel workbook: export, and the import plan.

A district configures its catalogue in Excel: it exports the workbook, edits it, uploads it and
sees what would change before anything is written. Two sheets, with the same columns both ways:

- 事件类别: one row per category (first-level classes, then second-level categories naming their
  parent's code). A code already in the catalogue is updated, a new code is added; a category
  missing from the file is kept as it is (cases refer to it): set 启用 to 否 to retire it.
- 升级规则: every escalation rule. When the sheet is in the file, the rules become exactly its rows.

A catalogue is a few hundred rows, so this reads and checks the whole file at once, synchronously,
with the ledgers' workbook reader (size, zip-bomb and password checks); the writes are one service
call in one transaction (`catalogue_services.catalogue_import`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from wangge.cases.choices import HandlingLevel, Supervision, TimeUnit, Urgency
from wangge.cases.models import Category, EscalationRule
from wangge.core.models import User
from wangge.ledgers.readers import LedgerError, read_sheets
from wangge.regions.models import Region
from wangge.regions.selectors import regions_visible

CATEGORY_SHEET, RULE_SHEET = "事件类别", "升级规则"
CATEGORY_COLUMNS = [
    "编码",
    "名称",
    "上级编码",
    "处置层级",
    "职能部门",
    "受理时限",
    "受理时限单位",
    "处置时限",
    "处置时限单位",
    "核查时限",
    "核查时限单位",
    "黄灯比例(%)",
    "启用",
    "排序",
]
RULE_COLUMNS = ["触发条件", "类别编码", "紧急程度", "升级到", "督办", "抄送部门", "抄送区域"]

# The words written in each cell, first one per value is what the export writes; codes are accepted too.
LEVELS = {"网格": HandlingLevel.GRID, "社区": HandlingLevel.COMMUNITY, "街道": HandlingLevel.STREET}
LEVELS |= {"职能部门": HandlingLevel.DEPARTMENT, "部门": HandlingLevel.DEPARTMENT}
UNITS = {"工作日": TimeUnit.DAYS, "天": TimeUnit.DAYS, "日": TimeUnit.DAYS}
UNITS |= {"工作小时": TimeUnit.HOURS, "小时": TimeUnit.HOURS}
TRIGGERS = {"已超期": EscalationRule.Trigger.OVERDUE, "超期": EscalationRule.Trigger.OVERDUE}
TRIGGERS |= {"即将到期": EscalationRule.Trigger.YELLOW, "黄灯": EscalationRule.Trigger.YELLOW}
URGENCIES = {"一般": Urgency.NORMAL, "紧急": Urgency.URGENT, "特急": Urgency.EMERGENCY}
SUPERVISIONS = {"督办": Supervision.NORMAL, "黄牌": Supervision.YELLOW, "红牌": Supervision.RED}
YES, NO = ("是", "启用", "yes", "true", "1", "√"), ("否", "停用", "no", "false", "0", "×")
REGION_SEPARATOR = "/"


FIELD_COLUMNS = dict(
    zip(
        [
            "name",
            "default_level",
            "default_department",
            "accept_limit",
            "accept_unit",
            "handle_limit",
            "handle_unit",
            "verify_limit",
            "verify_unit",
            "yellow_percent",
            "is_active",
            "sort_order",
        ],
        CATEGORY_COLUMNS[1:2] + CATEGORY_COLUMNS[3:],
        strict=True,
    )
)


def _shown(field_name: str, value: Any) -> str:
    """A stored value as the workbook writes it."""
    if field_name == "default_level":
        return _word(LEVELS, value)
    if field_name.endswith("_unit"):
        return _word(UNITS, value)
    if field_name == "is_active":
        return YES[0] if value else NO[0]
    return str(value) if value != "" else "—"


def _word(table: dict[str, Any], value: str) -> str:
    """The cell word the export writes for a stored value."""
    return next((word for word, stored in table.items() if stored == value), value)


# --- export ---------------------------------------------------------------------------------------


def _region_path_names(regions: list[Region], names: dict[int, str]) -> str:
    return "；".join(
        REGION_SEPARATOR.join(names.get(pk, "") for pk in [*r.ancestor_ids, r.pk] if pk in names) for r in regions
    )


def export_sheets() -> list[tuple[str, list[str], list[list[Any]]]]:
    categories = list(Category.objects.select_related("parent").order_by("sort_order", "code"))
    category_rows = [
        [
            c.code,
            c.name,
            c.parent.code if c.parent else "",
            _word(LEVELS, c.default_level),
            c.default_department,
            c.accept_limit,
            _word(UNITS, c.accept_unit),
            c.handle_limit,
            _word(UNITS, c.handle_unit),
            c.verify_limit,
            _word(UNITS, c.verify_unit),
            c.yellow_percent,
            YES[0] if c.is_active else NO[0],
            c.sort_order,
        ]
        for c in categories
    ]
    rules = list(EscalationRule.objects.select_related("category").prefetch_related("copy_regions").order_by("id"))
    region_ids = {pk for rule in rules for r in rule.copy_regions.all() for pk in [*r.ancestor_ids, r.pk]}
    names = dict(Region.all_objects.filter(pk__in=region_ids).values_list("pk", "name"))
    rule_rows = [
        [
            _word(TRIGGERS, rule.trigger),
            rule.category.code if rule.category else "",
            _word(URGENCIES, rule.urgency) if rule.urgency else "",
            _word(LEVELS, rule.raise_to) if rule.raise_to else "",
            _word(SUPERVISIONS, rule.supervision) if rule.supervision else "",
            rule.copy_departments,
            _region_path_names(list(rule.copy_regions.all()), names),
        ]
        for rule in rules
    ]
    return [(CATEGORY_SHEET, CATEGORY_COLUMNS, category_rows), (RULE_SHEET, RULE_COLUMNS, rule_rows)]


# --- import plan ----------------------------------------------------------------------------------


@dataclass
class CategoryRow:
    line: int
    code: str
    name: str
    parent_code: str
    fields: dict[str, Any]
    sort_order: int

    @property
    def shown(self) -> str:
        """The row as the preview lists it: level, department and the three time limits."""
        f = self.fields
        limits = " / ".join(f"{f[s + '_limit']}{_word(UNITS, f[s + '_unit'])}" for s in ("accept", "handle", "verify"))
        department = f" · {f['default_department']}" if f["default_department"] else ""
        return f"{_word(LEVELS, f['default_level'])}{department} · {limits}"


@dataclass
class RuleRow:
    line: int
    trigger: str
    category_code: str
    urgency: str
    raise_to: str
    supervision: str
    copy_departments: str
    copy_regions: list[Region]

    def signature(self) -> tuple[Any, ...]:
        return (
            self.trigger,
            self.category_code,
            self.urgency,
            self.raise_to,
            self.supervision,
            self.copy_departments,
            tuple(sorted(r.pk for r in self.copy_regions)),
        )


@dataclass
class CataloguePlan:
    """What importing the workbook would do; `errors` (in the user's language) block it whole."""

    new: list[CategoryRow] = field(default_factory=list)
    changed: list[tuple[Category, CategoryRow, dict[str, tuple[Any, Any]], list[str]]] = field(default_factory=list)
    unchanged: int = 0
    not_in_file: list[Category] = field(default_factory=list)
    rules: list[RuleRow] | None = None  # None: the file has no rule sheet, the rules stay
    rules_removed: list[EscalationRule] = field(default_factory=list)
    rules_added: list[RuleRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def has_changes(self) -> bool:
        return bool(self.new or self.changed or self.rules_removed or self.rules_added)


class _RowError(ValueError):
    pass


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _choice(table: dict[str, Any], value: Any, column: str, *, blank: str | None = None) -> str:
    text = _text(value)
    if not text and blank is not None:
        return blank
    if text in table:
        return str(table[text])
    if text in {str(v) for v in table.values()}:
        return text
    raise _RowError(
        _("%(column)s “%(value)s” is not one of: %(words)s.")
        % {"column": column, "value": text, "words": "、".join(dict.fromkeys(table))}
    )


def _integer(value: Any, column: str, *, low: int, high: int) -> int:
    text = _text(value)
    if not re.fullmatch(r"\d+", text) or not low <= int(text) <= high:
        raise _RowError(
            _("%(column)s must be a whole number from %(low)s to %(high)s.")
            % {"column": column, "low": low, "high": high}
        )
    return int(text)


def _flag(value: Any) -> bool:
    text = _text(value).lower()
    if not text or text in YES:
        return True
    if text in NO:
        return False
    raise _RowError(_("%(column)s must be 是 or 否.") % {"column": "启用"})


def _header_index(rows: list[list[Any]], columns: list[str], sheet: str) -> dict[str, int]:
    header = [_text(cell) for cell in (rows[0] if rows else [])]
    missing = [c for c in columns if c not in header]
    if missing:
        raise LedgerError(
            _("The sheet %(sheet)s lacks the columns %(columns)s: start from the exported workbook.")
            % {"sheet": sheet, "columns": "、".join(missing)},
            code="missing_columns",
        )
    return {c: header.index(c) for c in columns}


def _data_rows(rows: list[list[Any]], index: dict[str, int]) -> list[tuple[int, dict[str, Any]]]:
    result = []
    for number, row in enumerate(rows[1:], start=2):
        cells = {c: (row[i] if i < len(row) else None) for c, i in index.items()}
        if any(_text(v) for v in cells.values()):
            result.append((number, cells))
    return result


def _category_row(number: int, cells: dict[str, Any]) -> CategoryRow:
    fields = {
        "default_level": _choice(LEVELS, cells["处置层级"], "处置层级"),
        "default_department": _text(cells["职能部门"])[:64],
        "accept_limit": _integer(cells["受理时限"], "受理时限", low=1, high=999),
        "accept_unit": _choice(UNITS, cells["受理时限单位"], "受理时限单位"),
        "handle_limit": _integer(cells["处置时限"], "处置时限", low=1, high=999),
        "handle_unit": _choice(UNITS, cells["处置时限单位"], "处置时限单位"),
        "verify_limit": _integer(cells["核查时限"], "核查时限", low=1, high=999),
        "verify_unit": _choice(UNITS, cells["核查时限单位"], "核查时限单位"),
        "yellow_percent": _integer(cells["黄灯比例(%)"], "黄灯比例(%)", low=1, high=99),
        "is_active": _flag(cells["启用"]),
    }
    if fields["default_level"] == HandlingLevel.DEPARTMENT and not fields["default_department"]:
        raise _RowError(_("Name the department that handles this category."))
    code, name = _text(cells["编码"]), _text(cells["名称"])
    if not code or not name:
        raise _RowError(_("编码 and 名称 are required."))
    sort_text = _text(cells["排序"])
    sort_order = _integer(sort_text, "排序", low=0, high=999_999) if sort_text else 0
    return CategoryRow(number, code, name, _text(cells["上级编码"]), fields, sort_order)


def _plan_categories(plan: CataloguePlan, rows: list[list[Any]]) -> set[str]:
    """Fill the category part of the plan; return every code the catalogue will have."""
    index = _header_index(rows, CATEGORY_COLUMNS, CATEGORY_SHEET)
    existing = {c.code: c for c in Category.objects.select_related("parent")}
    parsed: list[CategoryRow] = []
    seen: dict[str, int] = {}
    for number, cells in _data_rows(rows, index):
        try:
            row = _category_row(number, cells)
            if row.code in seen:
                raise _RowError(
                    _("The code %(code)s is also on row %(row)s.") % {"code": row.code, "row": seen[row.code]}
                )
            seen[row.code] = number
            parsed.append(row)
        except _RowError as exc:
            plan.errors.append(_row_error(CATEGORY_SHEET, number, str(exc)))
            seen.setdefault(_text(cells["编码"]), number)  # in the file, if not readable: not "left out"
    file_codes = {row.code: row for row in parsed}
    for row in parsed:
        _plan_category(plan, row, existing, file_codes)
    plan.not_in_file = [c for code, c in existing.items() if code not in seen]
    return set(existing) | set(file_codes)


def _plan_category(
    plan: CataloguePlan, row: CategoryRow, existing: dict[str, Category], file_codes: dict[str, CategoryRow]
) -> None:
    current = existing.get(row.code)
    parent_row = file_codes.get(row.parent_code)
    parent_current = existing.get(row.parent_code)
    if row.parent_code and parent_row is None and parent_current is None:
        plan.errors.append(
            _row_error(CATEGORY_SHEET, row.line, _("The parent code %(code)s is unknown.") % {"code": row.parent_code})
        )
        return
    if row.parent_code and ((parent_row and parent_row.parent_code) or (parent_current and parent_current.parent_id)):
        plan.errors.append(
            _row_error(
                CATEGORY_SHEET, row.line, _("The catalogue has two levels: the parent must be a first-level class.")
            )
        )
        return
    if current is None:
        plan.new.append(row)
        return
    if (current.parent.code if current.parent else "") != row.parent_code:
        plan.errors.append(
            _row_error(
                CATEGORY_SHEET,
                row.line,
                _("The parent of %(code)s cannot change; add a new code instead.") % {"code": row.code},
            )
        )
        return
    wanted = {**row.fields, "name": row.name, "sort_order": row.sort_order}
    changes = {f: (getattr(current, f), v) for f, v in wanted.items() if getattr(current, f) != v}
    if changes:
        shown = [f"{FIELD_COLUMNS[f]}：{_shown(f, old)} → {_shown(f, new)}" for f, (old, new) in changes.items()]
        plan.changed.append((current, row, changes, shown))
    else:
        plan.unchanged += 1


def _resolve_regions(text: str, regions: list[Region]) -> list[Region]:
    ancestor_ids = {pk for r in regions for pk in r.ancestor_ids}
    names = dict(Region.all_objects.filter(pk__in=ancestor_ids).values_list("pk", "name"))
    names |= {r.pk: r.name for r in regions}
    by_path: dict[str, Region] = {}
    by_name: dict[str, list[Region]] = {}
    for region in regions:
        path = REGION_SEPARATOR.join(names[pk] for pk in [*region.ancestor_ids, region.pk] if pk in names)
        by_path[path] = region
        by_name.setdefault(region.name, []).append(region)
    found: list[Region] = []
    for part in (p.strip() for p in text.replace(";", "；").split("；")):
        if not part:
            continue
        if part in by_path:
            found.append(by_path[part])
        else:
            candidates = by_name.get(part.rsplit(REGION_SEPARATOR, 1)[-1], [])
            if len(candidates) != 1:
                raise _RowError(
                    _("The region “%(name)s” is not in your area or is ambiguous: write its path, as exported.")
                    % {"name": part}
                )
            found.append(candidates[0])
    return found


def _plan_rules(plan: CataloguePlan, rows: list[list[Any]], codes: set[str], user: User) -> None:
    index = _header_index(rows, RULE_COLUMNS, RULE_SHEET)
    regions = list(regions_visible(user=user))
    plan.rules = []
    for number, cells in _data_rows(rows, index):
        try:
            category_code = _text(cells["类别编码"])
            if category_code and category_code not in codes:
                raise _RowError(_("The category code %(code)s is unknown.") % {"code": category_code})
            rule = RuleRow(
                line=number,
                trigger=_choice(TRIGGERS, cells["触发条件"], "触发条件"),
                category_code=category_code,
                urgency=_choice(URGENCIES, cells["紧急程度"], "紧急程度", blank=""),
                raise_to=_choice(LEVELS, cells["升级到"], "升级到", blank=""),
                supervision=_choice(SUPERVISIONS, cells["督办"], "督办", blank=""),
                copy_departments=_text(cells["抄送部门"]).replace("，", ",")[:200],
                copy_regions=_resolve_regions(_text(cells["抄送区域"]), regions),
            )
            if not (rule.raise_to or rule.supervision or rule.copy_departments or rule.copy_regions):
                raise _RowError(_("A rule must raise, supervise or copy."))
            plan.rules.append(rule)
        except _RowError as exc:
            plan.errors.append(_row_error(RULE_SHEET, number, str(exc)))
    current = list(EscalationRule.objects.select_related("category").prefetch_related("copy_regions"))

    def signature(rule: EscalationRule) -> tuple[Any, ...]:
        return (
            rule.trigger,
            rule.category.code if rule.category else "",
            rule.urgency,
            rule.raise_to,
            rule.supervision,
            rule.copy_departments,
            tuple(sorted(r.pk for r in rule.copy_regions.all())),
        )

    wanted = [r.signature() for r in plan.rules]
    if sorted(map(signature, current)) != sorted(wanted):
        plan.rules_removed = current
        plan.rules_added = plan.rules


def _row_error(sheet: str, row: int, message: str) -> str:
    return _("%(sheet)s, row %(row)s: %(message)s") % {"sheet": sheet, "row": row, "message": message}


def catalogue_plan(*, data: bytes, filename: str, user: User) -> CataloguePlan:
    """Read the uploaded workbook and compare it with the catalogue; writes nothing."""
    plan = CataloguePlan()
    try:
        sheets = read_sheets(data, filename)
        if CATEGORY_SHEET not in sheets:
            raise LedgerError(
                _("The workbook has no sheet named %(sheet)s: start from the exported workbook.")
                % {"sheet": CATEGORY_SHEET},
                code="missing_sheet",
            )
        codes = _plan_categories(plan, sheets[CATEGORY_SHEET])
        if RULE_SHEET in sheets:
            _plan_rules(plan, sheets[RULE_SHEET], codes, user)
    except LedgerError as exc:
        plan.errors.append(str(exc))
    return plan
