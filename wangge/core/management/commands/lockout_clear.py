from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wangge.core.audit import request_context
from wangge.core.services import lockouts_clear


class Command(BaseCommand):
    help = (
        "Clear failed sign-ins and lockouts: of one account (--user), one address (--address), or all (--all). "
        "For when no one who may unlock can sign in; audited."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", default="", help="account name")
        parser.add_argument("--address", default="", help="client address")
        parser.add_argument("--all", action="store_true", help="every account and address")

    def handle(self, *args: Any, **options: Any) -> None:
        if not (options["user"] or options["address"] or options["all"]):
            raise CommandError("Say what to clear: --user NAME, --address IP, or --all.")
        with request_context(ip="cli"):
            removed = lockouts_clear(actor=None, username=options["user"], address=options["address"])
        self.stdout.write(f"{removed} failure counter(s) and lockout(s) cleared.")
