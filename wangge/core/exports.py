"""Exports (导出): one registry of the lists a user can take away as `.xlsx`, used by every list's page and job.

Each app declares its kinds in its own `export_kinds.py` (found at start-up; core imports no feature app):

    from wangge.core.exports import Column, ExportKind, Selection, register

    register(ExportKind(code="visits", label=_("Visits"), file_name=lambda s: "走访记录.xlsx",
                        select=visits_selection, columns=visit_columns, permission=may_export_visits))

A kind says which rows the user's query selects in their scope (`select`), the columns (a header —
the name the import of that ledger reads — and a value getter; a sensitive column's getter gives
the masked value and `full` the value in full), who may export it (`permission`) and from how many
rows it runs as a background job (`job_above`). The engine does the rest alike for every kind:
permission, row cap, masking unless the user may see full values, an audit row that counts the
rows, the workbook (safe against formula injection) and, for large lists, the job.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.utils.module_loading import autodiscover_modules

from wangge.core.audit import audit_record, mask_typed
from wangge.core.memory import full_collections_paused
from wangge.core.roles import Cap
from wangge.core.xlsx import workbook_bytes, xlsx_response

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from wangge.core.models import User

PROGRESS_EVERY = 1000  # rows between two progress reports of a background export

Progress = Callable[[str, int], None]  # (phase "rows" or "file", rows done)


@dataclass(frozen=True)
class Column:
    """One column: its header and how a row's cell is read.

    A sensitive column (an ID number, a phone) gives the masked value in `value` and the value in full
    in `full`: the full one is written only for a user the kind lets see full values.
    """

    header: StrOrPromise
    value: Callable[[Any], Any]
    full: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class Selection:
    """What a user's query selects: the rows (in their scope), how the trail describes the query, and what it is of."""

    rows: QuerySet[Any] | Sequence[Any]
    filters: Mapping[str, str] = field(default_factory=dict)  # typed text masked (`described`)
    obj: models.Model | None = None  # the object the export is of (a region's subtree), for the audit row
    file_name: str = ""  # "" is the kind's


def _may_reveal(user: User) -> bool:
    return user.has_perm(Cap.REVEAL_SENSITIVE)


def _no_limit(user: User) -> int | None:
    return None


def configured_threshold() -> int:
    """The rows above which a kind that runs large exports in the background does (`WANGGE_EXPORT_SYNC_MAX`)."""
    return int(settings.WANGGE_EXPORT_SYNC_MAX)


@dataclass(frozen=True)
class ExportKind:
    code: str  # stable, short (the job keeps it): "people"; the audit action is "export.<code>"
    label: StrOrPromise  # the sheet's name
    file_name: str  # the downloaded file's name ("{date}" is today's local date); a selection may override it
    select: Callable[[User, QueryDict], Selection]
    columns: Callable[[User], Sequence[Column]]  # may depend on the user (fields they may not see are hidden)
    permission: Callable[[User], bool]
    reveal: Callable[[User], bool] = _may_reveal  # who gets the sensitive columns in full
    limit: Callable[[User], int | None] = _no_limit  # at most this many rows for this user
    job_above: Callable[[], int] | None = None  # more rows than this run as a background job; None: never
    row: Callable[[Any], Any] | None = None  # each selected object as the columns read it (computed once per row)
    object_type: str = ""  # the audit row's object type when the selection names no object

    def headers(self, user: User) -> list[str]:
        return [str(c.header) for c in self.columns(user)]


@dataclass(frozen=True)
class Built:
    """An export answered at once."""

    content: bytes
    file_name: str
    rows: int


@dataclass(frozen=True)
class Queued:
    """An export handed to a background job: its page shows the progress, then the download."""

    job_id: str
    url: str


class Jobs(Protocol):
    """The background side of exports (the app that keeps export jobs registers it with `use_jobs`)."""

    def start(self, *, kind: ExportKind, actor: User, query: str, file_name: str, full: bool, rows: int) -> Queued:
        """Record the job and queue it after the caller's transaction commits."""
        ...


_registry: dict[str, ExportKind] = {}
_jobs: list[Jobs] = []
_discovered = False


class UnknownExportError(LookupError):
    """No export kind is registered under this code."""


def register(kind: ExportKind) -> ExportKind:
    if not kind.code or len(kind.code) > 20:
        raise ValueError("an export kind needs a code of at most 20 characters")
    _registry[kind.code] = kind
    return kind


def unregister(code: str) -> None:
    _registry.pop(code, None)


def discover() -> None:
    """Import every app's `export_kinds.py` once (called from CoreConfig.ready)."""
    global _discovered
    if not _discovered:
        autodiscover_modules("export_kinds")
        _discovered = True


def kind_for(code: str) -> ExportKind:
    try:
        return _registry[code]
    except KeyError:
        raise UnknownExportError(code) from None


def registered() -> list[ExportKind]:
    return sorted(_registry.values(), key=lambda k: k.code)


def use_jobs(jobs: Jobs) -> None:
    """Where large exports go (one place: the app that keeps export jobs calls it when it starts)."""
    _jobs[:] = [jobs]


def described(params: QueryDict | Mapping[str, Any], *, ignore: Iterable[str] = ("page",)) -> dict[str, str]:
    """A list's query as the trail keeps it: empty and ignored fields left out, the search text masked."""
    left_out = set(ignore)
    kept = {k: str(v) for k, v in params.items() if v not in (None, "", []) and k not in left_out}
    if "q" in kept:  # what was typed in the search box (an ID number, a phone, a name)
        kept["q"] = mask_typed(kept["q"])
    return kept


def _count(rows: QuerySet[Any] | Sequence[Any]) -> int:
    return rows.count() if isinstance(rows, QuerySet) else len(rows)


def _file_name(kind: ExportKind, selection: Selection) -> str:
    from django.utils import timezone

    return (selection.file_name or kind.file_name).replace("{date}", timezone.localdate().isoformat())


def export(*, actor: User, code: str, params: QueryDict) -> Built | Queued:
    """The user's list of this kind, as they filtered it: the file now, or a background job if it is large.

    Refused (PermissionDenied) for a user the kind does not allow; a selection outside their scope
    answers as the kind's selector does (404). Audited either way before anything is read.
    """
    kind = kind_for(code)
    if not kind.permission(actor):
        raise PermissionDenied
    selection = kind.select(actor, params)
    full = kind.reveal(actor)
    limit = kind.limit(actor)
    count = _count(selection.rows)
    rows = count if limit is None else min(count, limit)
    file_name = _file_name(kind, selection)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=f"export.{kind.code}",
            obj=selection.obj,
            object_type="" if selection.obj is not None else kind.object_type,
            detail={"filters": dict(selection.filters), "rows": rows, "full_values": full, "capped": rows < count},
        )
        if kind.job_above is not None and rows > kind.job_above():
            if not _jobs:
                raise RuntimeError("no background side for exports is registered (wangge.core.exports.use_jobs)")
            return _jobs[0].start(
                kind=kind, actor=actor, query=params.urlencode(), file_name=file_name, full=full, rows=rows
            )
    content, written = build(kind, actor, selection, full=full, limit=limit)
    return Built(content, file_name, written)


def _reported(rows: Iterator[list[Any]], progress: Progress | None) -> Iterator[list[Any]]:
    done = 0
    for done, row in enumerate(rows, 1):
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress("rows", done)
        yield row
    if progress is not None:
        progress("file", done)


@full_collections_paused()
def build(
    kind: ExportKind,
    user: User,
    selection: Selection,
    *,
    full: bool,
    limit: int | None,
    progress: Progress | None = None,
) -> tuple[bytes, int]:
    """The workbook of a selection and how many rows it holds (the inline path and the job alike)."""
    columns = kind.columns(user)
    getters = [c.full if full and c.full is not None else c.value for c in columns]
    objects: Iterable[Any] = selection.rows if limit is None else selection.rows[:limit]
    if isinstance(objects, QuerySet):
        objects = objects.iterator(chunk_size=2000)
    read = kind.row
    lines = (read(o) for o in objects) if read is not None else objects
    rows = list(_reported(([get(line) for get in getters] for line in lines), progress))
    return workbook_bytes(str(kind.label), [str(c.header) for c in columns], rows), len(rows)


def run(kind: ExportKind, user: User, query: str, *, full: bool, progress: Progress | None = None) -> tuple[bytes, int]:
    """A background export's file: the user's query selected again (in their scope as it is now), capped for them."""
    if not kind.permission(user):
        raise PermissionDenied
    selection = kind.select(user, QueryDict(query))
    return build(kind, user, selection, full=full and kind.reveal(user), limit=kind.limit(user), progress=progress)


def response(result: Built | Queued) -> HttpResponse:
    """What a list's export view answers: the file, or the job's page."""
    if isinstance(result, Queued):
        return HttpResponseRedirect(result.url)
    return xlsx_response(result.file_name, result.content)
