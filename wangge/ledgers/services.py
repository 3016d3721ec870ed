"""Every change to an import job: upload, map, check, confirm, run, cancel; and saved mappings.

The job moves uploaded → checking → checked → queued → running → done (or failed / cancelled).
Checking and importing run in the task queue; importing writes the whole file in one transaction,
so a failure, a cancel or a killed worker leaves the registry exactly as it was.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import re
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.core.audit import audit_record
from wangge.core.jobs import files
from wangge.core.jobs import registry as jobs
from wangge.core.jobs.heartbeat import is_interrupted
from wangge.core.jobs.registry import QUEUED_PHASE
from wangge.core.jobs.state import job_move
from wangge.core.memory import full_collections_paused
from wangge.core.models import User
from wangge.ledgers import reports
from wangge.ledgers.kinds import INVALID, ImportCancelledError, Plan, front_kind, kind_for
from wangge.ledgers.models import ImportJob, MappingTemplate, OnExisting, OnInvalid
from wangge.ledgers.readers import LedgerError, Table
from wangge.ledgers.schema import Header, Schema, check_mapping, find_header, normalise_header
from wangge.ledgers.values import joined, text
from wangge.regions.models import Region

logger = logging.getLogger(__name__)
State = ImportJob.State
FIRST_ERRORS = 50
FIRST_UPDATES = 200  # the people an import would update, shown with their changes before confirming


def schema_for(kind: str) -> Schema:
    return kind_for(kind).schema()


def _own(actor: User, job: ImportJob) -> None:
    if job.user_id != actor.pk:
        raise PermissionDenied(_("This import belongs to another user."))


@full_collections_paused()
@transaction.atomic
def import_upload(
    *,
    actor: User,
    region: Region,
    file_name: str,
    data: bytes,
    kind: str = "",
    template: MappingTemplate | None = None,
) -> ImportJob:
    """Read an uploaded ledger (of `kind`, else the front kind), find its header and map its columns;
    nothing is imported yet."""
    ledger = kind_for(kind) if kind else front_kind()
    kind = ledger.key
    ledger.check_access(actor, region)
    schema = ledger.schema()
    table = ledger.read(data, file_name)
    header = find_header(schema, table)
    mapping = list(header.mapping)
    if template is not None and template.user_id == actor.pk:
        for index, label in enumerate(header.labels):
            saved = template.mapping.get(normalise_header(label))
            if saved is not None and (saved == "" or saved in schema.by_key):
                mapping = [("" if key == saved and saved else key) for key in mapping]
                mapping[index] = saved
    job = ImportJob.objects.create(
        kind=kind,
        user=actor,
        region=region,
        file_name=file_name[:200],
        file_sha256=hashlib.sha256(data).hexdigest(),
        file_size=len(data),
        sheet=table.sheet[:64],
        data_start=header.data_start,
        labels=header.labels,
        mapping=mapping,
        samples=_samples(table, header),
        counts={"rows": sum(1 for row in table.rows[header.data_start :] if any(c not in ("", None) for c in row))},
    )
    files.store(job.pk, "upload", data)
    files.store(job.pk, "table", table_dump(table))
    audit_record(
        actor=actor,
        action="ledger.upload",
        obj=job,
        detail={"file": job.file_name, "sha256": job.file_sha256, "region": region.pk, "rows": job.counts["rows"]},
    )
    return job


_LONG_NUMBER = re.compile(r"\d{7,}")


def _samples(table: Table, header: Header, count: int = 3) -> list[list[str]]:
    """A few data rows as text for the mapping page (each cell cut at `SAMPLE_CHARS`); long numbers (IDs, phones)
    masked, as everywhere."""
    rows = [row for row in table.rows[header.data_start :] if any(c not in ("", None) for c in row)][:count]
    return [
        [
            _LONG_NUMBER.sub(lambda m: m.group()[:3] + "*" * (len(m.group()) - 7) + m.group()[-4:], _cut(text(c)))
            for c in row
        ]
        for row in rows
    ]


SAMPLE_CHARS = 60


def _cut(value: str) -> str:
    return value if len(value) <= SAMPLE_CHARS else value[: SAMPLE_CHARS - 1] + "…"


TABLE_FORMAT = 1


def table_dump(table: Table) -> bytes:
    return files.plain_pickle((TABLE_FORMAT, table.rows, table.kind, table.sheet, table.merged))


def job_table(job: ImportJob) -> tuple[Table, Header]:
    """The cells read at upload (reading them again from the workbook costs as much as the file is large)."""
    stored = files.load(job.pk, "table")
    loaded = pickle.loads(stored) if stored is not None else None  # noqa: S301  (our own file, authenticated)
    if loaded is not None and loaded[0] == TABLE_FORMAT:
        _format, rows, kind, sheet, merged = loaded
        table = Table(rows=rows, kind=kind, sheet=sheet, merged=merged)
    else:
        upload = files.load(job.pk, "upload")
        if upload is None:
            raise FileNotFoundError(files.path_for(job.pk, "upload"))
        table = kind_for(job.kind).read(upload, job.file_name)
    header = Header(row_index=job.data_start - 1, data_start=job.data_start, labels=job.labels, mapping=job.mapping)
    return table, header


@transaction.atomic
def import_set_mapping(
    *, actor: User, job: ImportJob, mapping: Sequence[str], on_existing: str, on_invalid: str
) -> ImportJob:
    """The user's corrections of the column mapping and the choices; the check must run again."""
    _own(actor, job)
    schema = schema_for(job.kind)
    mapping = [key or "" for key in mapping]
    if len(mapping) != len(job.labels):
        raise LedgerError(_("The mapping does not fit the file's columns; reload the page."), code="mapping_width")
    check_mapping(schema, mapping)
    if on_existing not in OnExisting.values or on_invalid not in OnInvalid.values:
        raise LedgerError(_("Unknown choice."), code="bad_choice")
    if not job_move(
        job,
        from_states=[State.UPLOADED, State.CHECKED, State.FAILED],
        to=State.UPLOADED,
        mapping=mapping,
        on_existing=on_existing,
        on_invalid=on_invalid,
    ):
        raise LedgerError(_("This import can no longer be changed."), code="wrong_state")
    files.remove(job.pk, "plan", "report", "errors")  # checked with another mapping: check again
    return job


def import_check(*, actor: User, job: ImportJob) -> ImportJob:
    """Queue the check of every row (the preview's counts and the error report)."""
    _own(actor, job)
    check_mapping(schema_for(job.kind), job.mapping)
    with transaction.atomic():
        if not job_move(job, from_states=[State.UPLOADED, State.CHECKED, State.FAILED], to=State.CHECKING, message=""):
            raise LedgerError(_("This import can no longer be changed."), code="wrong_state")
        files.set_progress(job.pk, phase=QUEUED_PHASE, done=0, total=job.counts.get("rows", 0))
        job_id = str(job.pk)
        transaction.on_commit(lambda: _enqueue("check", job_id))
    return job


def _enqueue(what: str, job_id: str) -> None:
    state = ImportJob.State.CHECKING if what == "check" else ImportJob.State.RUNNING
    jobs.enqueue(ImportJob, state, job_id)


def _plan(job: ImportJob, *, phase: str) -> Plan:
    table, header = job_table(job)
    return kind_for(job.kind).plan(
        actor=job.user,
        region=job.region,
        table=table,
        header=header,
        mapping=job.mapping,
        progress=lambda done, total: files.set_progress(job.pk, phase=phase, done=done, total=total),
    )


@full_collections_paused()
def run_check(job_id: str) -> ImportJob | None:
    """Worker: plan every row, store the counts, the first errors and the error report."""
    job = ImportJob.objects.select_related("user", "region").filter(pk=job_id).first()
    if job is None or job.state != State.CHECKING:
        return job
    attempt = job.attempts  # restarted meanwhile (its worker thought dead), this check's result is dropped
    files.set_progress(job.pk, phase="check", done=0, total=job.counts.get("rows", 0))
    try:
        plan = _plan(job, phase="check")
    except LedgerError as exc:
        job_move(
            job,
            from_states=[State.CHECKING],
            attempt=attempt,
            to=State.FAILED,
            message=str(exc),
            finished_at=timezone.now(),
        )
        return job
    invalid = plan.errors
    ledger = kind_for(job.kind)
    with ledger.prepared(plan) as finish:  # the people kind starts encrypting and hashing on the other cores
        files.remove(job.pk, "report", "errors")
        if len(invalid) > REPORT_AT_CHECK:
            files.store(job.pk, "report", reports.error_report(job.labels, _error_rows(invalid)))
        elif invalid:  # the report is built at the first download: the preview comes sooner
            files.store(job.pk, "errors", files.plain_pickle((ERRORS_FORMAT, _error_rows(invalid))))
        for row in plan.rows:
            row.raw = []  # the sheet's cells are no longer needed: free them before the plan grows
        finish()
    dumped = ledger.dump(plan)
    if dumped is None:
        files.remove(job.pk, "plan")
    else:
        files.store(job.pk, "plan", dumped)
    job_move(
        job,
        from_states=[State.CHECKING],
        attempt=attempt,
        to=State.CHECKED,
        counts={"rows": len(plan.rows), **plan.counts},
        first_errors=[[r.number, joined(r.errors)] for r in invalid[:FIRST_ERRORS]],
        first_notes=[[number, text] for number, text in ledger.notes(plan)[:FIRST_ERRORS]],
        first_updates=ledger.updates(plan, FIRST_UPDATES),
        checked_at=timezone.now(),
    )
    return job


ERRORS_FORMAT = 1
# Up to this many rows with errors, the check keeps the rows and their report is built when first downloaded
# (about 0.13 s per 1,000 rows); more than that, and the download would keep a web worker too long.
REPORT_AT_CHECK = 20_000


def _error_rows(invalid: Sequence[Any]) -> list[tuple[int, list[Any], list[str]]]:
    return [(r.number, r.raw, r.errors) for r in invalid]


def job_report(job: ImportJob) -> bytes | None:
    """The error report of a checked file (.xlsx): built from the rows with errors the first time it is asked for."""
    report = files.load(job.pk, "report")
    if report is not None:
        return report
    stored = files.load(job.pk, "errors")
    loaded = pickle.loads(stored) if stored is not None else None  # noqa: S301  (our own file, authenticated)
    if loaded is None or loaded[0] != ERRORS_FORMAT:
        return None
    report = reports.error_report(job.labels, loaded[1])
    # Kept only if the rows are still this check's (a new check meanwhile removes them or writes others);
    # two downloads at once both build it, and either file is the same.
    if files.load(job.pk, "errors") == stored:
        files.store(job.pk, "report", report)
    return report


def earlier_import(job: ImportJob) -> ImportJob | None:
    """The last import of the very same file (same SHA-256) into this region, or into one above or below it."""
    if job.state == State.DONE:
        return None
    path = job.region.path
    candidates = ImportJob.objects.filter(kind=job.kind, file_sha256=job.file_sha256, state=State.DONE).exclude(
        pk=job.pk
    )
    for earlier in candidates.select_related("user", "region").order_by("-finished_at")[:20]:
        if earlier.region.path.startswith(path) or path.startswith(earlier.region.path):
            return earlier
    return None


def _refusal(job: ImportJob, counts: dict[str, int]) -> str:
    if job.on_invalid == OnInvalid.STOP and counts.get(INVALID, 0):
        return _("%(n)d rows have errors. Fix them (download the error report) or choose to leave those rows out.") % {
            "n": counts[INVALID]
        }
    if not counts.get("rows", 0):
        if counts.get("left_out", 0):
            return _("The file has no data rows: every line under the header is a total or a signature.")
        return _("The file has no data rows under its header.")
    refusal = kind_for(job.kind).refusal(job, counts)
    if refusal:
        return refusal
    if not counts.get("new", 0) and not (job.on_existing == OnExisting.UPDATE and counts.get("update", 0)):
        return _("There is nothing to import: every row is invalid, skipped or unchanged.")
    return ""


def import_confirm(
    *, actor: User, job: ImportJob, exclude: Sequence[int] = (), include_name_only: bool = False
) -> ImportJob:
    """The user's go: queue the import (once, however many times the button is pressed).

    `exclude` names rows of the preview's updates the user does not want applied: they are skipped. New
    records with only a name are left out unless `include_name_only` (the user ticked that they want them).
    """
    _own(actor, job)
    kind_for(job.kind).check_access(actor, job.region)
    if job.state in (State.QUEUED, State.RUNNING, State.DONE):
        return job  # a second click, or a resubmitted form: the import is already on its way
    if job.state != State.CHECKED:
        raise LedgerError(_("Check the file before importing it."), code="not_checked")
    refusal = _refusal(job, job.counts) or _name_only_refusal(job, include_name_only)
    if refusal:
        raise LedgerError(refusal, code="refused")
    shown = {line[0] for line in job.first_updates}
    excluded = sorted({int(n) for n in exclude})
    if set(excluded) - shown:
        raise LedgerError(_("Only rows listed among the updates can be left out."), code="bad_exclude")
    with transaction.atomic():
        if job_move(
            job,
            from_states=[State.CHECKED],
            to=State.QUEUED,
            message="",
            excluded=excluded,
            include_name_only=include_name_only,
        ):
            files.remove(job.pk, "cancel")
            files.set_progress(job.pk, phase=QUEUED_PHASE, done=0, total=job.counts.get("rows", 0))
            audit_record(actor=actor, action="ledger.confirm", obj=job, detail={"counts": job.counts})
            job_id = str(job.pk)
            transaction.on_commit(lambda: _enqueue("import", job_id))
    return job


def _name_only_refusal(job: ImportJob, include_name_only: bool) -> str:
    """Every new row has only a name and the user did not allow such rows: the import would add nobody."""
    counts = job.counts
    name_only = counts.get("name_only", 0)
    updates = counts.get("update", 0) if job.on_existing == OnExisting.UPDATE else 0
    if include_name_only or not name_only or counts.get("new", 0) > name_only or updates:
        return ""
    return _(
        "Every new row has only a name (%(n)d rows): tick “also import the rows that have only a name” to import "
        "them, or add their ID numbers or birth dates."
    ) % {"n": name_only}


def _leave_out(plan: Plan, excluded: Sequence[int], include_name_only: bool = True) -> None:
    """Rows the user excluded when confirming are skipped, not updated; new records with only a name are
    skipped unless the user allowed them (both counted so)."""
    numbers = set(excluded)
    for row in plan.rows:
        was = row.status
        if (was == "update" and row.number in numbers) or (was == "new" and row.name_only and not include_name_only):
            row.status = "skip"
            plan.counts[was] -= 1
            plan.counts["skip"] = plan.counts.get("skip", 0) + 1


def _lock_scope(region: Region) -> None:
    """Two imports whose regions overlap do not interleave: both lock the region's ancestors and itself.

    On PostgreSQL the row locks queue the second import behind the first; SQLite's single writer
    (IMMEDIATE transactions) already serialises them.
    """
    ids = [int(pk) for pk in region.path.strip("/").split("/") if pk]
    list(Region.all_objects.select_for_update().filter(pk__in=ids).order_by("path").values_list("pk", flat=True))


class _Superseded(Exception):
    """The job was queued again while this worker wrote it (thought dead): roll back, leave the job to the new run."""


@full_collections_paused()
def run_import(job_id: str) -> ImportJob | None:
    """Worker: write the whole file in one transaction, or nothing.

    The job becomes DONE in the same transaction as the rows it wrote, and only if it is still this
    run's (`attempts` unchanged): a worker restarted by its owner or the sweep while it was merely slow
    rolls back, so the file is imported exactly once.
    """
    job = ImportJob.objects.select_related("user", "region").filter(pk=job_id).first()
    if job is None or not job_move(job, from_states=[State.QUEUED], to=State.RUNNING, started_at=timezone.now()):
        return job
    attempt = job.attempts
    progress = lambda done, total: files.set_progress(job.pk, phase="write", done=done, total=total)  # noqa: E731
    progress(0, job.counts.get("rows", 0))  # the first heartbeat
    ledger = kind_for(job.kind)
    try:
        with transaction.atomic():
            _lock_scope(job.region)
            stored = files.load(job.pk, "plan")
            if stored is None:
                plan = _plan(job, phase="write")
            else:
                progress(0, job.counts.get("rows", 0))
                plan = ledger.load(stored, actor=job.user, region=job.region)
            _leave_out(plan, job.excluded, job.include_name_only)
            counts = {"rows": len(plan.rows), **plan.counts}
            refusal = _refusal(job, counts)
            if refusal:
                raise LedgerError(refusal, code="refused")
            result = ledger.write(
                actor=job.user,
                job=job,
                plan=plan,
                progress=progress,
                cancelled=lambda: files.cancel_requested(job.pk),
            )
            done = job_move(
                job,
                from_states=[State.RUNNING],
                attempt=attempt,
                to=State.DONE,
                counts=counts,
                result=result,
                finished_at=timezone.now(),
            )
            if not done:
                raise _Superseded
    except _Superseded:
        logger.warning("import %s was queued again while this worker wrote it; rolled back", job.pk)
        job.refresh_from_db()
        return job  # its files belong to the run that took it over
    except ImportCancelledError:
        job_move(job, from_states=[State.RUNNING], attempt=attempt, to=State.CANCELLED, finished_at=timezone.now())
        _audit_outcome(job, "cancelled")
    except LedgerError as exc:
        job_move(
            job,
            from_states=[State.RUNNING],
            attempt=attempt,
            to=State.FAILED,
            message=str(exc),
            finished_at=timezone.now(),
        )
        _audit_outcome(job, "failed")
    except Exception:
        logger.exception("import %s failed", job.pk)
        job_move(
            job,
            from_states=[State.RUNNING],
            attempt=attempt,
            to=State.FAILED,
            message=_(
                "The import stopped on an unexpected error; nothing was written. The administrator can see the log."
            ),
            finished_at=timezone.now(),
        )
        _audit_outcome(job, "failed")
    if job.attempts == attempt:
        files.remove(job.pk, "cancel", "plan")
        if job.state == State.DONE:
            files.remove(job.pk, "upload", "table")  # the registry holds the data now; the report stays for a while
    return job


def _audit_outcome(job: ImportJob, outcome: str) -> None:
    """A cancelled or failed import is recorded as a failed write, with what happened."""
    with transaction.atomic():
        audit_record(
            actor=job.user,
            action="ledger.import",
            obj=job,
            result="failed",
            detail={"outcome": outcome, "message": job.message},
        )


def import_cancel(*, actor: User, job: ImportJob) -> ImportJob:
    """Stop an import: before it runs it simply ends; while it runs the worker rolls back at its next step."""
    _own(actor, job)
    if job.state == State.RUNNING and not is_interrupted(job):
        files.request_cancel(job.pk)
        return job
    if not job_move(
        job,
        from_states=[State.UPLOADED, State.CHECKING, State.CHECKED, State.QUEUED, State.RUNNING, State.FAILED],
        attempt=job.attempts,  # a worker thought dead but alive after all then finds its job taken, and rolls back
        to=State.CANCELLED,
        finished_at=timezone.now(),
    ):
        raise LedgerError(_("This import has already finished."), code="wrong_state")
    files.remove(job.pk, "upload", "table", "progress")
    return job


@transaction.atomic
def template_save(*, actor: User, job: ImportJob, name: str) -> MappingTemplate:
    """Remember this file's headers → columns under a name, for next month's ledger."""
    _own(actor, job)
    name = name.strip()[:64]
    if not name:
        raise LedgerError(_("Give the template a name."), code="template_name")
    mapping = {normalise_header(label): key for label, key in zip(job.labels, job.mapping, strict=False) if label}
    template, _created = MappingTemplate.objects.update_or_create(
        user=actor, kind=job.kind, name=name, defaults={"mapping": mapping}
    )
    return template
