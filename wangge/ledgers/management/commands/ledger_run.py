"""Run a checked-and-confirmed import in the foreground (what the worker does), e.g. after fixing a stuck queue."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wangge.ledgers import services
from wangge.ledgers.models import ImportJob


class Command(BaseCommand):
    help = "Run a queued ledger import now, in this process: the whole file in one transaction, or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("job_id")

    def handle(self, *args: Any, **options: Any) -> None:
        job = ImportJob.objects.filter(pk=options["job_id"]).first()
        if job is None:
            raise CommandError("No such import.")
        if job.state != ImportJob.State.QUEUED:
            raise CommandError(f"The import is {job.state}, not queued: confirm it first.")
        job = services.run_import(str(job.pk))
        assert job is not None
        self.stdout.write(f"{job.state}: {job.result or job.message}")
