"""Background work of the ledgers: checking and importing files, building large exports. Tasks only call services."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from wangge.ledgers import exports, services


@db_task()
def check_task(job_id: str) -> None:
    services.run_check(job_id)


@db_task()
def import_task(job_id: str) -> None:
    services.run_import(job_id)


@db_task()
def export_task(job_id: str) -> None:
    exports.run_export(job_id)
