from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from wangge.core.audit import request_context
from wangge.core.models import User
from wangge.core.services import token_issue


class Command(BaseCommand):
    help = (
        "Create a personal API token for USERNAME and print it (it is shown only once). An account that must "
        "use two-factor authentication needs --otp with the current code of its authenticator."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")
        parser.add_argument("--otp", default="", help="current code of the account's authenticator")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['username']!r}.")
        try:
            with request_context(ip="cli"):
                _token, raw = token_issue(actor=None, user=user, name=options["name"], otp_code=options["otp"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(raw)
