"""The health report for the proxy and monitoring: database, queue, disk for uploads, last sweep.

No secrets, no paths, no counts of residents: only what an operator's monitor needs to decide
"healthy" or not, and which part is failing.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from wangge.core.models import Heartbeat

SWEEP = "cases.sweep"


def beat(name: str) -> None:
    """Record that the periodic job `name` has just finished."""
    Heartbeat.objects.update_or_create(name=name, defaults={"at": timezone.now()})


def _database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "vendor": connection.vendor}


def _queue() -> dict[str, Any]:
    from huey.contrib.djhuey import HUEY

    try:
        pending = HUEY.pending_count()
    except Exception as exc:  # Redis down, queue file unreadable …: whatever it is, the queue is not usable
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "backend": type(HUEY).__name__, "pending": pending}


def _directory(path: Path, min_free: int) -> dict[str, Any]:
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".health-"):
            pass
        free = shutil.disk_usage(path).free
    except OSError as exc:
        return {"ok": False, "error": type(exc).__name__}
    result: dict[str, Any] = {"ok": free >= min_free, "free_mb": free // (1024 * 1024)}
    if not result["ok"]:
        result["error"] = "low disk space"
    return result


def _sweep(now: Any) -> dict[str, Any]:
    last = Heartbeat.objects.filter(name=SWEEP).values_list("at", flat=True).first()
    limit = timedelta(minutes=settings.WANGGE_HEALTH_SWEEP_MINUTES)
    if last is None:
        return {"ok": False, "last": None, "error": "the sweep has never run: is the worker running?"}
    age = now - last
    result: dict[str, Any] = {
        "ok": age <= limit,
        "last": last.isoformat(),
        "age_minutes": int(age.total_seconds() // 60),
    }
    if not result["ok"]:
        result["error"] = "the sweep is late: is the worker running?"
    return result


def report() -> dict[str, Any]:
    min_free = settings.WANGGE_HEALTH_MIN_FREE_MB * 1024 * 1024
    checks: dict[str, dict[str, Any]] = {"database": _database(), "queue": _queue()}
    checks["uploads"] = _directory(Path(settings.WANGGE_LEDGER_DIR), min_free)
    checks["media"] = _directory(Path(settings.MEDIA_ROOT), min_free)
    checks["sweep"] = _sweep(timezone.now()) if checks["database"]["ok"] else {"ok": False, "error": "no database"}
    return {"status": "ok" if all(c["ok"] for c in checks.values()) else "unhealthy", "checks": checks}
