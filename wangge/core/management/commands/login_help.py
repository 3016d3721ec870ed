from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from wangge.core.demo import DEMO_ACCOUNTS


class Command(BaseCommand):
    help = "Print how to sign in to the local platform with the demo accounts."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("\n  Wangge is starting at http://127.0.0.1:8000\n")
        self.stdout.write(f"  Demo accounts (password: {settings.WANGGE_DEMO_PASSWORD}):")
        for username, _full_name, role, scope, _department in DEMO_ACCOUNTS:
            self.stdout.write(f"    {username:<10} {role.label!s:<22} {scope or ''}")
        self.stdout.write(
            "  sysadmin, secadmin and auditor need a 2FA code: `make otp ACCOUNT=sysadmin` (see README).\n"
        )
