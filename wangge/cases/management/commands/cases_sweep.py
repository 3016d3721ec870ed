"""Run the deadline sweep now (the task queue runs it every ten minutes)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from wangge.cases.tasks import sweep_deadlines


class Command(BaseCommand):
    help = "Mark open cases yellow or overdue, apply escalation rules and close cases left unrated."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = sweep_deadlines()
        self.stdout.write(" ".join(f"{key}={value}" for key, value in counts.items()))
