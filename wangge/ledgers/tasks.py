"""Background work of the ledgers: checking and importing files, building large exports. Tasks only call services."""

from __future__ import annotations

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from wangge.ledgers import exports, files, services


@db_task()
def check_task(job_id: str) -> None:
    services.run_check(job_id)


@db_task()
def import_task(job_id: str) -> None:
    services.run_import(job_id)


@db_task()
def export_task(job_id: str) -> None:
    exports.run_export(job_id)


@db_periodic_task(crontab(minute="*/5"))
def ledger_housekeeping_task() -> None:
    services.recover_stalled_jobs()
    exports.recover_stalled_exports()
    files.sweep(settings.WANGGE_LEDGER_RETENTION_DAYS * 86400)
