"""Create the first system, security or audit administrator (三权分立) on an empty installation."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from wangge.core.audit import request_context
from wangge.core.roles import ADMIN_ROLES
from wangge.core.services import administrator_bootstrap


class Command(BaseCommand):
    help = (
        "Create the first administrator of one role and print a one-time password (shown once). "
        "At first sign-in they set their own password and enrol an authenticator. Refused when the role is held."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--role", required=True, choices=sorted(ADMIN_ROLES))
        parser.add_argument("username")
        parser.add_argument("--full-name", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with request_context(ip="cli"):
                user, password = administrator_bootstrap(
                    role=options["role"], username=options["username"], full_name=options["full_name"]
                )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"Created {user.username} ({options['role']}).")
        self.stdout.write(f"One-time password: {password}")
        self.stdout.write(
            "Hand it over in person; it is not stored and not shown again. At first sign-in the account "
            "sets its own password, then enrols an authenticator app, before anything else."
        )
