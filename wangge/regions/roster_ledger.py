"""The roster of the people on duty (网格员花名册) as a ledger: who serves which region in which role.

Each row is one duty: a person (name, phone), a role (网格员, 网格长, 微网格长, 信息员, 包保干部, 楼栋长,
站长), the region they serve (a name, or a path such as 甲社区/第一网格, under the region imported
into), duties and full- or part-time. The same phone on several rows is one person with several
duties. A person gets an account when the row asks for one (by default: grid workers, grid
leaders, cadres and station heads); an account with the same phone and name is matched and
given the new role and scope, never duplicated; a duty already held (same region, role and
name) is left as it is. New accounts get a one-time password, handed over on a printed slip and
changed at the first sign-in. Every write goes through the core and region services, audited.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from wangge.core import services as accounts
from wangge.core.audit import audit_record
from wangge.core.models import User
from wangge.core.roles import ADMIN_ROLES, Role
from wangge.ledgers import values as v
from wangge.ledgers.kinds import INVALID, NEW, SKIP, UNCHANGED, UPDATE, Cancelled, FailingRow, Progress, RowsPlan, tick
from wangge.ledgers.readers import Table
from wangge.ledgers.schema import Column, Header, Schema
from wangge.regions import services
from wangge.regions.models import Assignment, AssignmentRole, Employment, Level, Region, UserScope

ROLE_WORDS: dict[str, list[str]] = {
    AssignmentRole.GRID_WORKER: ["网格员", "专职网格员", "兼职网格员", "网格管理员", "格格"],
    AssignmentRole.GRID_LEADER: ["网格长"],
    AssignmentRole.MICROGRID_LEADER: ["微网格长", "微网格员"],
    AssignmentRole.INFORMANT: ["信息员", "网格信息员"],
    AssignmentRole.CADRE: ["包保干部", "包联干部", "下沉干部", "联系干部"],
    AssignmentRole.BUILDING_HEAD: ["楼栋长", "楼长", "单元长"],
    AssignmentRole.STATION_HEAD: ["站长", "网格站长", "服务站站长"],
}

# The account each duty gives, if the person gets one: what they may do in the region they serve.
ACCOUNT_ROLE: dict[str, str] = {
    AssignmentRole.GRID_WORKER: Role.GRID_WORKER,
    AssignmentRole.GRID_LEADER: Role.GRID_WORKER,
    AssignmentRole.CADRE: Role.GRID_WORKER,
    AssignmentRole.STATION_HEAD: Role.COMMUNITY_STAFF,
    AssignmentRole.MICROGRID_LEADER: Role.VOLUNTEER,
    AssignmentRole.INFORMANT: Role.VOLUNTEER,
    AssignmentRole.BUILDING_HEAD: Role.VOLUNTEER,
}
# Who gets an account when the file does not say: the staff; residents who help (楼栋长 …) do not.
ACCOUNT_BY_DEFAULT = {
    AssignmentRole.GRID_WORKER,
    AssignmentRole.GRID_LEADER,
    AssignmentRole.CADRE,
    AssignmentRole.STATION_HEAD,
}

EMPLOYMENT_WORDS: dict[str, str] = {
    "专职": Employment.FULL_TIME,
    "全职": Employment.FULL_TIME,
    "full-time": Employment.FULL_TIME,
    "full_time": Employment.FULL_TIME,
    "兼职": Employment.PART_TIME,
    "part-time": Employment.PART_TIME,
    "part_time": Employment.PART_TIME,
}
_PHONE = re.compile(r"1\d{10}|0\d{2,3}-?\d{7,8}")


def _role_names() -> dict[str, str]:
    names = {word: role for role, words in ROLE_WORDS.items() for word in words}
    for member in AssignmentRole:
        names.setdefault(str(member.value), member.value)
    return names


def _phone(value: Any) -> str:
    phone = v.phone_text(value).replace("-", "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if not _PHONE.fullmatch(phone):
        raise v.CellError(_("“%(value)s” is not a mobile or landline number.") % {"value": v.text(value)})
    return phone


def _username(value: Any) -> str:
    name = v.phone_text(value)
    if not re.fullmatch(r"[\w.@+-]{3,150}", name):
        raise v.CellError(_("A username has 3 to 150 letters, digits or . @ + - _."))
    return name


def roster_schema() -> Schema:
    return Schema(
        kind="roster",
        title="网格员花名册",
        columns=[
            Column("name", "姓名", v.limited(64), ("名字", "人员姓名", "网格员姓名"), "必填", "刘平珍", True),
            Column(
                "phone",
                "手机号",
                _phone,
                ("联系电话", "手机号码", "电话", "手机", "联系方式"),
                "必填；同一手机号即同一人；新账号的用户名默认为手机号",
                "13871501108",
                True,
            ),
            Column(
                "role",
                "职务",
                v.choice_parser(_role_names(), label=lambda: _("role")),
                ("角色", "岗位", "身份", "职位", "人员类别"),
                "网格员、网格长、微网格长、信息员、包保干部、楼栋长、站长",
                "网格员",
                True,
            ),
            Column(
                "region",
                "所属网格",
                v.limited(200),
                ("网格", "所属区域", "区域", "网格名称", "负责网格", "服务网格"),
                "网格（或社区、微网格）名称；重名时写路径，如 三元社区/第八网格",
                "第八网格",
                True,
            ),
            Column("duties", "职责", v.limited(2000), ("工作职责", "分工", "职责分工"), "", "入户走访、矛盾调解"),
            Column(
                "employment",
                "专兼职",
                v.choice_parser(EMPLOYMENT_WORDS, label=lambda: _("employment")),
                ("专职/兼职", "用工性质", "专职或兼职", "任职方式"),
                "专职 / 兼职",
                "专职",
            ),
            Column(
                "account",
                "开通账号",
                v.parse_bool,
                ("账号", "是否开通账号", "需要账号"),
                "是 / 否；不填时网格员、网格长、包保干部、站长开通",
                "是",
            ),
            Column("username", "用户名", _username, ("登录名", "登录账号"), "不填即用手机号", ""),
        ],
    )


@dataclass
class RosterRow(FailingRow):
    number: int
    raw: list[Any]
    data: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    status: str = NEW
    region: Region | None = None
    wants_account: bool = False
    user: User | None = None  # the existing account the person is matched to
    username: str = ""  # the new account's, when none exists


@dataclass
class RosterPlan(RowsPlan[RosterRow]):
    rows: list[RosterRow]
    counts: dict[str, int]


def plan_roster(
    *,
    region: Region,
    schema: Schema,
    table: Table,
    header: Header,
    mapping: Sequence[str],
    progress: Progress | None = None,
) -> RosterPlan:
    """Every duty parsed, its region found, its person matched to an account or given a new one. No writes."""
    regions = _Regions(region)
    columns = [(index, schema.by_key[key]) for index, key in enumerate(mapping) if key]
    rows: list[RosterRow] = []
    for offset, raw in enumerate(table.rows[header.data_start :]):
        if not any(cell not in ("", None) for cell in raw):
            continue
        row = RosterRow(number=header.data_start + offset + 1, raw=raw)
        _parse(row, columns)
        if row.status != INVALID:
            row.region = regions.find(row)
        rows.append(row)
    _people(rows)
    _held(rows)
    if progress is not None:
        progress(len(rows), len(rows))
    counts = dict.fromkeys((NEW, UPDATE, UNCHANGED, SKIP, INVALID), 0)
    for row in rows:
        counts[row.status] += 1
    return RosterPlan(rows=rows, counts=counts)


def _parse(row: RosterRow, columns: Sequence[tuple[int, Column]]) -> None:
    for index, column in columns:
        cell = row.raw[index] if index < len(row.raw) else None
        if cell in (None, ""):
            continue
        try:
            value = column.parse(cell)
        except v.CellError as exc:
            row.fail(f"{column.header}：{exc}")
            continue
        if value not in (None, ""):
            row.data[column.key] = value
    for key, header in (("name", "姓名"), ("phone", "手机号"), ("role", "职务"), ("region", "所属网格")):
        if key not in row.data and not any(e.startswith(header) for e in row.errors):
            row.fail(f"{header}：" + _("This column is required."))
    if row.status != INVALID:
        account = row.data.get("account")
        row.wants_account = account if account is not None else row.data["role"] in ACCOUNT_BY_DEFAULT


class _Regions:
    """The active regions under the import's root, found by name or by a path of names."""

    def __init__(self, root: Region) -> None:
        self.root = root
        regions = list(Region.all_objects.filter(path__startswith=root.path, is_active=True).order_by("path"))
        self.names: dict[int, tuple[str, ...]] = {}
        self.by_name: dict[str, list[Region]] = defaultdict(list)
        for region in regions:
            parent = () if region.pk == root.pk else self.names.get(region.parent_id or 0, ())
            self.names[region.pk] = (*parent, region.name)
            self.by_name[region.name].append(region)

    def find(self, row: RosterRow) -> Region | None:
        text = row.data["region"]
        wanted = tuple(part.strip() for part in text.replace("／", "/").split("/") if part.strip())
        found = [r for r in self.by_name.get(wanted[-1], []) if self.names[r.pk][-len(wanted) :] == wanted]
        if not found:
            row.fail("所属网格：" + _("No region %(region)s in %(root)s.") % {"region": text, "root": self.root.name})
            return None
        if len(found) > 1:
            row.fail(
                "所属网格："
                + _("%(count)d regions are named %(name)s; write the region as a path, such as %(path)s.")
                % {"count": len(found), "name": text, "path": "/".join(self.names[found[0].pk][-2:])}
            )
            return None
        if found[0].level == Level.DISTRICT:
            row.fail("所属网格：" + _("A duty is held in a street, community, grid or micro-grid."))
            return None
        return found[0]


def _people(rows: list[RosterRow]) -> None:
    """One person per phone: the same name on every row; matched to the account with that phone, or a new one."""
    by_phone: dict[str, list[RosterRow]] = defaultdict(list)
    for row in rows:
        if row.status != INVALID:
            by_phone[row.data["phone"]].append(row)
    accounts_by_phone: dict[str, list[User]] = defaultdict(list)
    for user in User.objects.filter(phone__in=list(by_phone), is_active=True):
        accounts_by_phone[user.phone].append(user)
    taken_usernames: dict[str, int] = {}
    for phone, group in by_phone.items():
        first = group[0]
        for row in group[1:]:
            if row.data["name"] != first.data["name"]:
                row.fail(
                    "手机号："
                    + _("Row %(row)d gives this phone to %(name)s.") % {"row": first.number, "name": first.data["name"]}
                )
        group = [r for r in group if r.status != INVALID]
        if not group:
            continue
        name = group[0].data["name"]
        matched = [u for u in accounts_by_phone.get(phone, []) if u.full_name in (name, "")]
        if accounts_by_phone.get(phone) and not matched:
            other = accounts_by_phone[phone][0]
            _fail_all(
                group,
                "手机号："
                + _("This phone belongs to the account %(username)s of %(name)s.")
                % {"username": other.username, "name": other.full_name},
            )
            continue
        if len(matched) > 1:
            _fail_all(group, "手机号：" + _("Several accounts have this phone; keep one of them first."))
            continue
        account: User | None = matched[0] if matched else None
        if account is not None and account.role_set & ADMIN_ROLES:
            _fail_all(
                group,
                "手机号："
                + _("%(username)s is an administrator account, which cannot hold duties (三权分立).")
                % {"username": account.username},
            )
            continue
        usernames = {r.data["username"] for r in group if r.data.get("username")}
        if len(usernames) > 1:
            _fail_all(group, "用户名：" + _("The same person has different usernames in the file."))
            continue
        if account is None and any(r.wants_account for r in group):
            username = usernames.pop() if usernames else phone
            clash = User.objects.filter(username__iexact=username).first()
            if clash is not None:
                _fail_all(
                    group,
                    "用户名："
                    + _("The username %(name)s is already taken by another person; give another one.")
                    % {"name": username},
                )
                continue
            first_row = taken_usernames.setdefault(username.lower(), group[0].number)
            if first_row != group[0].number:
                _fail_all(group, "用户名：" + _("Row %(row)d uses the same username.") % {"row": first_row})
                continue
            for row in group:
                row.username = username
        for row in group:
            row.user = account
            row.wants_account = row.wants_account or account is not None


def _fail_all(rows: Sequence[RosterRow], message: str) -> None:
    for row in rows:
        row.fail(message)


def _held(rows: list[RosterRow]) -> None:
    """A duty already held (same region, role and name) is left as it is; the same duty twice in the file is an error."""
    valid = [r for r in rows if r.status != INVALID and r.region is not None]
    held = set(
        Assignment.all_objects.filter(region__in={r.region for r in valid}, ended_on__isnull=True).values_list(
            "region_id", "role", "name"
        )
    )
    seen: dict[tuple[int, str, str], int] = {}
    for row in valid:
        assert row.region is not None
        key = (row.region.pk, row.data["role"], row.data["name"])
        first = seen.setdefault(key, row.number)
        if first != row.number:
            row.fail(_("The same duty as row %(row)d.") % {"row": first})
        elif key in held:
            row.status = UNCHANGED


@dataclass
class Slip:
    """What a new account's holder is handed, once: printed, then the password is changed at first sign-in."""

    name: str
    username: str
    password: str
    regions: str


def write_roster(
    *,
    actor: User,
    plan: RosterPlan,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> tuple[dict[str, int], list[Slip]]:
    """Accounts (new or matched, with their roles and scopes), then the duties; the caller holds the transaction."""
    rows = [r for r in plan.rows if r.status == NEW]
    people: dict[str, list[RosterRow]] = defaultdict(list)
    for row in rows:
        people[row.data["phone"]].append(row)
    slips: list[Slip] = []
    result = {"assignments": 0, "accounts": 0, "matched": 0}
    for done, group in enumerate(people.values()):
        if done % 10 == 0:
            tick(progress, cancelled, done, len(people))
        user = _account(actor, group, slips, result)
        for row in group:
            assert row.region is not None
            services.assignment_create(
                actor=actor,
                region=row.region,
                role=row.data["role"],
                name=row.data["name"],
                user=user,
                phone=row.data["phone"],
                employment=row.data.get("employment", ""),
                duties=row.data.get("duties", ""),
            )
            result["assignments"] += 1
    tick(progress, cancelled, len(people), len(people))
    return result, slips


def _account(actor: User, group: list[RosterRow], slips: list[Slip], result: dict[str, int]) -> User | None:
    """The person's account, created or matched, with the roles and scopes of these duties."""
    first = group[0]
    wanted = [r for r in group if r.wants_account]
    if not wanted:
        return None
    roles = {ACCOUNT_ROLE[r.data["role"]] for r in wanted}
    regions = [r.region for r in wanted if r.region is not None]
    user = first.user
    if user is None:
        password = accounts.one_time_password_generate(User(username=first.username, full_name=first.data["name"]))
        user = accounts.user_create(
            actor=actor,
            username=first.username,
            password=password,
            full_name=first.data["name"],
            phone=first.data["phone"],
            roles=roles,
            must_change_password=True,  # the slip's password is changed at the first sign-in
        )
        slips.append(
            Slip(
                name=user.full_name,
                username=user.username,
                password=password,
                regions="、".join(sorted({r.name for r in regions})),
            )
        )
        result["accounts"] += 1
    else:
        result["matched"] += 1
        before = set(user.role_set)
        if not roles <= before:  # the plan refused administrator accounts: these roles combine
            accounts.user_set_roles(actor=actor, user=user, roles=before | roles)
    scope = set(UserScope.objects.filter(user=user).values_list("region_id", flat=True))
    if not {r.pk for r in regions} <= scope:
        current = list(Region.all_objects.filter(pk__in=scope))
        services.scope_set(actor=actor, user=user, regions=[*current, *{r.pk: r for r in regions}.values()])
    return user


def summary_audit(*, actor: User, job_id: str, source: str, counts: dict[str, int], written: dict[str, int]) -> None:
    audit_record(
        actor=actor,
        action="ledger.import",
        object_type="ledgers.importjob",
        object_id=job_id,
        detail={"kind": "roster", "file": source, "rows": counts, **written},
    )
