"""The ledgers' background jobs (wangge.core.jobs): checking and importing a file, building a large export."""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from wangge.core.jobs.registry import Resume, register
from wangge.ledgers import tasks
from wangge.ledgers.models import ExportJob, ImportJob

register(
    ImportJob,
    # a check starts again from the file's cells; an import from its stored plan (or the cells)
    working={
        ImportJob.State.CHECKING: Resume(to=ImportJob.State.CHECKING, enqueue=tasks.check_task),
        ImportJob.State.RUNNING: Resume(to=ImportJob.State.QUEUED, enqueue=tasks.import_task),
    },
    failed=ImportJob.State.FAILED,
    given_up=_("The import was interrupted (the worker stopped). Nothing was written; start it again."),
    stale_after=timedelta(minutes=10),
    total=lambda job: int(job.counts.get("rows", 0)),  # type: ignore[attr-defined]
)

register(
    ExportJob,
    working={ExportJob.State.RUNNING: Resume(to=ExportJob.State.QUEUED, enqueue=tasks.export_task)},
    failed=ExportJob.State.FAILED,
    given_up=_("The export was interrupted (the worker stopped). Export the list again."),
    # its progress is told every thousand rows read, and not while the workbook is written
    stale_after=timedelta(minutes=30),
    total=lambda job: int(job.rows),  # type: ignore[attr-defined]
)
