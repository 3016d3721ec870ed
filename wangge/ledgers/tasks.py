"""Background work of the ledgers: checking and importing files, building large exports. Tasks only call services."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from wangge.core.jobs.heartbeat import beating
from wangge.ledgers import exports, services


@db_task()
def check_task(job_id: str) -> None:
    with beating(job_id):
        services.run_check(job_id)


@db_task()
def import_task(job_id: str) -> None:
    with beating(job_id):  # alive while it waits for an overlapping import's lock
        services.run_import(job_id)


@db_task()
def export_task(job_id: str) -> None:
    with beating(job_id):  # alive while the workbook is built, which reports nothing
        exports.run_export(job_id)
