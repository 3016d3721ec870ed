"""What the import engine asks of a kind of ledger, and the registry of kinds.

The engine (`wangge.ledgers.services`, the pages and the tasks) runs every import the same way:
upload → column mapping → check (preview and row report) → confirm → one all-or-nothing
transaction in the background → the job's page. A kind says what is specific to its ledger:
its columns (`schema`), who may import it and where (`check_access`, `regions`), how its rows
are checked against what exists (`plan`) and how a checked plan is written (`write`).

Each app declares its kinds in a `ledger_kinds.py` module that calls `register`; the engine finds
those modules when Django starts and never imports a kind by name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from django.db.models import QuerySet

from wangge.ledgers.readers import Table, read_table
from wangge.ledgers.schema import Header, Schema

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from wangge.core.models import User
    from wangge.ledgers.models import ImportJob
    from wangge.regions.models import Region

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

# The statuses a plan's rows take; the preview counts them.
NEW, UPDATE, UNCHANGED, SKIP, INVALID = "new", "update", "unchanged", "skip", "invalid"


class FailingRow:
    """A kind's planned row (a dataclass with `errors` and `status`): a failed check keeps its message."""

    errors: list[str]
    status: str
    name_only: bool = False  # a new record known by nothing but a name: written only if the user allows it

    def fail(self, message: str) -> None:
        self.errors.append(message)
        self.status = INVALID


RowT = TypeVar("RowT", bound=FailingRow)


class RowsPlan(Generic[RowT]):
    """A kind's plan (a dataclass with `rows`): the rows with errors are the invalid ones."""

    rows: list[RowT]

    @property
    def errors(self) -> list[RowT]:
        return [r for r in self.rows if r.status == INVALID]


class ImportCancelledError(Exception):
    """The user cancelled the import while it ran: the kind's write raises it and the transaction rolls back."""


def tick(progress: Progress | None, cancelled: Cancelled | None, done: int, total: int) -> None:
    """Report how far a write has come, and stop it if the user cancelled."""
    if progress is not None:
        progress(done, total)
    if cancelled is not None and cancelled():
        raise ImportCancelledError


class PlannedRow(Protocol):
    number: int  # the spreadsheet's row number, as the user sees it
    raw: list[Any]  # the row's cells (for the error report)
    errors: list[str]
    status: str
    name_only: bool


class Plan(Protocol):
    @property
    def rows(self) -> Sequence[PlannedRow]: ...

    @property
    def counts(self) -> dict[str, int]: ...

    @property
    def errors(self) -> Sequence[PlannedRow]: ...


@dataclass(frozen=True)
class ResultItem:
    """One figure of the job's result page: how many of what."""

    key: str
    label: StrOrPromise


class LedgerKind:
    """The base of every kind; a kind overrides what differs (see the module's docstring)."""

    key: str = ""
    title: StrOrPromise = ""  # what the import page calls this ledger (lazily translated)
    upload_help: StrOrPromise = ""  # the help text under "import into"
    existing_label: StrOrPromise = ""  # the choice about rows that already exist
    existing_stop_label: StrOrPromise = ""  # its "stop" answer, if the engine's words do not fit the kind
    result_items: Sequence[ResultItem] = ()
    result_note: StrOrPromise = ""
    row_label: StrOrPromise = ""  # what the preview calls a row's number ("" is the sheet's row)
    accept = ".xlsx,.xls,.csv,.xlsm"  # the file picker's filter
    file_help: StrOrPromise = ""  # the help under the file field ("" keeps the form's: Excel or CSV)
    front = False  # the kind the ledger pages open on (/ledgers/): one kind says so

    # --- who and where --------------------------------------------------------------------------

    def may_import(self, user: User) -> bool:
        """May this user import this kind at all (the pages answer 403 otherwise)?"""
        raise NotImplementedError

    def check_access(self, actor: User, region: Region) -> None:
        """May `actor` import this kind into `region`? Raise PermissionDenied (or NotFound for a region out of scope)."""
        raise NotImplementedError

    def regions(self, user: User) -> QuerySet[Region]:
        """The regions the user may choose to import into."""
        raise NotImplementedError

    # --- the file, its columns, the check and the write -----------------------------------------

    def read(self, data: bytes, file_name: str) -> Table:
        """The uploaded file as rows of cells (a ledger's first sheet with data), or `LedgerError`."""
        return read_table(data, file_name)

    def schema(self) -> Schema:
        raise NotImplementedError

    def plan(
        self,
        *,
        actor: User,
        region: Region,
        table: Table,
        header: Header,
        mapping: Sequence[str],
        progress: Progress | None = None,
    ) -> Plan:
        """Every data row parsed, validated with the services' rules and matched against what exists. No writes."""
        raise NotImplementedError

    @contextmanager
    def prepared(self, plan: Plan) -> Iterator[Callable[[], None]]:
        """Work on a checked plan that may start while the error report is written; call the yielded function to finish."""
        yield lambda: None

    def dump(self, plan: Plan) -> bytes | None:
        """The checked plan, kept (encrypted) until the import; None to plan again inside the import's transaction."""
        return None

    def load(self, blob: bytes, *, actor: User, region: Region) -> Plan:
        raise NotImplementedError

    def refusal(self, job: ImportJob, counts: dict[str, int]) -> str:
        """Why this checked file may not be imported with the job's choices ("" if it may)."""
        return ""

    def notes(self, plan: Plan) -> list[tuple[int, str]]:
        """(row, text) the user should read before importing: rows kept with a warning, lines left out."""
        return []

    def updates(self, plan: Plan, limit: int) -> list[list[Any]]:
        """The first records the import would change: [row, name, [[field, old, new, weighty], …]] each."""
        return []

    def write(
        self, *, actor: User, job: ImportJob, plan: Plan, progress: Progress, cancelled: Cancelled
    ) -> dict[str, Any]:
        """Write the plan (the caller holds the transaction: all or nothing) and audit it; the job's result."""
        raise NotImplementedError

    def done_link(self, job: ImportJob) -> tuple[str, str] | None:
        """Where the user sees what was imported: (url, label)."""
        return None

    def done_extra(self, job: ImportJob) -> tuple[str, str] | None:
        """A second link on the result (the roster's password slips): (url, label)."""
        return None


_KINDS: dict[str, LedgerKind] = {}


def register(kind: LedgerKind) -> LedgerKind:
    if not kind.key:
        raise ValueError("a ledger kind needs a key")
    _KINDS[kind.key] = kind
    return kind


class UnknownKindError(LookupError):
    """No kind of ledger is registered under this key (the pages answer 404)."""


def kind_for(key: str) -> LedgerKind:
    try:
        return _KINDS[key]
    except KeyError:
        raise UnknownKindError(key) from None


def front_kind() -> LedgerKind:
    """The kind the ledger pages open on (the one registered with `front = True`)."""
    front = [kind for kind in _KINDS.values() if kind.front]
    if len(front) != 1:
        raise UnknownKindError(f"{len(front)} ledger kinds say front = True; one must")
    return front[0]


def all_kinds() -> list[LedgerKind]:
    return list(_KINDS.values())


def kinds_for(user: User) -> list[LedgerKind]:
    return [kind for kind in _KINDS.values() if kind.may_import(user)]
