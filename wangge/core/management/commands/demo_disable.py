from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from wangge.core.audit import audit_record, request_context
from wangge.core.models import User


class Command(BaseCommand):
    help = "Deactivate every demo account (production refuses to start while any is active)."
    requires_system_checks: list[str] = []  # must run while the demo-account check fails

    def handle(self, *args: Any, **options: Any) -> None:
        with request_context(ip="cli"), transaction.atomic():
            users = list(User.objects.filter(is_demo=True, is_active=True))
            for user in users:
                User.objects.filter(pk=user.pk).update(is_active=False)
                audit_record(actor=None, username="cli", action="user.demo_disable", obj=user)
        self.stdout.write(f"{len(users)} demo account(s) deactivated.")
