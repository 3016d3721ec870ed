"""Django's `createsuperuser`, disabled: a superuser holds all three separate administrator powers
(accounts, security, audit) at once, with no second factor and no audit row."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Disabled in Wangge: use `manage.py create_admin --role system_admin|security_admin|auditor USERNAME`."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("args", nargs="*")
        parser.add_argument("--username")
        parser.add_argument("--email")
        parser.add_argument("--noinput", "--no-input", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        raise CommandError(
            "createsuperuser is disabled: a superuser would hold the system, security and audit "
            "administrator powers at once (三权分立). Create each administrator with "
            "`manage.py create_admin --role system_admin|security_admin|auditor USERNAME`."
        )
