from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from wangge.core.audit import audit_verify


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exits non-zero if any row was changed, removed or inserted."

    requires_system_checks: list[str] = []  # runs with a wrong AUDIT_CHAIN_KEY too, to say so

    def handle(self, *args: Any, **options: Any) -> None:
        checked, problems = audit_verify()
        if problems and problems[0].key_mismatch:
            raise CommandError(f"Audit trail not verified: {problems[0].message}. None of {checked} rows verifies.")
        for problem in problems[:100]:
            self.stderr.write(f"row {problem.event_id}: {problem.message}")
        if problems:
            raise CommandError(
                f"Audit trail damaged (tampered): {len(problems)} problem(s) in {checked} rows; the others verify."
            )
        self.stdout.write(f"Audit trail intact: {checked} rows verified.")
