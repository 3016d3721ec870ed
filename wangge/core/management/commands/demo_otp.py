from __future__ import annotations

from binascii import unhexlify
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import totp

from wangge.core.demo import DEMO_TOTP_KEY
from wangge.core.models import User


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo administrator account."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if not User.objects.filter(username=options["username"], is_demo=True).exists():
            raise CommandError("Only demo accounts have a published authenticator key.")
        self.stdout.write(f"{totp(unhexlify(DEMO_TOTP_KEY), t0=0, step=30, digits=6, drift=0):06d}")
