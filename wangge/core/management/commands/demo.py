"""Load the demo data: every app with a `demo` module contributes, in dependency order. Idempotent."""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from wangge.core.audit import request_context

# The accounts first, then the tree (which scopes them); later apps append themselves.
ORDER = ["core", "regions"]


class Command(BaseCommand):
    help = "Load (or complete) the demo district, its accounts and later apps' demo data."

    def handle(self, *args: Any, **options: Any) -> None:
        from django.conf import settings

        if settings.PRODUCTION:
            raise CommandError("Demo data is refused in the production profile.")
        labels = [c.label for c in apps.get_app_configs() if c.name.startswith("wangge.")]
        ordered = [label for label in ORDER if label in labels] + [label for label in labels if label not in ORDER]
        with request_context(ip="cli"), transaction.atomic():
            for label in ordered:
                try:
                    module = importlib.import_module(f"{apps.get_app_config(label).name}.demo")
                except ModuleNotFoundError:
                    continue
                module.load(stdout=self.stdout)
