from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from wangge.core.audit import audit_verify


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exits non-zero if any row was changed, removed or inserted."

    def handle(self, *args: Any, **options: Any) -> None:
        checked, problems = audit_verify()
        for problem in problems[:100]:
            self.stderr.write(f"row {problem.event_id}: {problem.message}")
        if problems:
            raise CommandError(f"Audit trail damaged: {len(problems)} problem(s) in {checked} rows.")
        self.stdout.write(f"Audit trail intact: {checked} rows verified.")
