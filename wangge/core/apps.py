import contextlib
from typing import Any

from django.apps import AppConfig
from django.db import DatabaseError
from django.db.models.signals import post_migrate


def _record_keys(**kwargs: Any) -> None:
    """After `migrate`: remember which keys the data is written with (see `wangge.core.keys`)."""
    from django.core.exceptions import ImproperlyConfigured

    from wangge.core import keys

    # Migrated only part of the way, or keys unusable (check E002 says so): nothing to record.
    with contextlib.suppress(DatabaseError, ImproperlyConfigured):
        keys.keys_record()


class CoreConfig(AppConfig):
    name = "wangge.core"
    label = "core"
    verbose_name = "Wangge core"

    def ready(self) -> None:
        from wangge.core import (
            checks,  # noqa: F401  (registers the system checks)
            exports,
            indicators,
            notifications,
        )
        from wangge.core.jobs import registry as jobs
        from wangge.core.logs import install_job_hooks
        from wangge.core.panels import register_panels

        install_job_hooks()
        indicators.discover()  # each app's figures, from its indicators.py
        jobs.discover()  # each app's background job models, from its jobs.py
        exports.discover()  # each app's kinds of export, from its export_kinds.py
        notifications.discover()  # each app's notification kinds, from its notifications.py

        post_migrate.connect(_record_keys, sender=self, dispatch_uid="wangge.core.record_keys")
        register_panels()
