"""Logs as one line of JSON each: one per web request, one per queued job, and every other record.

Each line carries the request id that the audit rows of the same request (or job) carry, so an
operator goes from a log line to its audit rows and back. Paths are logged without their query
string: searches may hold ID or phone numbers.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import UTC, datetime
from typing import Any

from wangge.core import context

request_logger = logging.getLogger("wangge.request")
job_logger = logging.getLogger("wangge.job")

# Attributes every LogRecord has; anything else was passed with `extra=` and goes into the line.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime", "taskName"}


# Django's own records carry the request object, whose text holds the query string: left out.
_LEFT_OUT = {"request"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_") and key not in _LEFT_OUT:
                line[key] = value
        line.setdefault("request_id", context.current_request_id())
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def log_request(*, method: str, path: str, status: int, started: float, user_id: int | None, ip: str) -> None:
    request_logger.info(
        "%s %s %s",
        method,
        path,
        status,
        extra={
            "event": "request",
            "request_id": context.current_request_id(),
            "method": method,
            "path": path,
            "status": status,
            "ms": round((time.monotonic() - started) * 1000, 1),
            "user_id": user_id,
            "ip": ip,
        },
    )


_running = threading.local()


def _job_started(task: Any) -> None:
    """Huey pre-execute hook: the task's id is the request id of everything the job writes and logs."""
    _running.token = context.enter("worker", task.id.replace("-", ""))
    _running.started = time.monotonic()


def _job_finished(task: Any, value: Any, exc: BaseException | None) -> None:
    started = getattr(_running, "started", None)
    job_logger.log(
        logging.ERROR if exc is not None else logging.INFO,
        "%s %s",
        task.name,
        "failed" if exc is not None else "done",
        extra={
            "event": "job",
            "request_id": context.current_request_id(),
            "task": task.name,
            "task_id": task.id,
            "status": "failed" if exc is not None else "done",
            "error": type(exc).__name__ if exc is not None else "",
            "ms": round((time.monotonic() - started) * 1000, 1) if started is not None else None,
        },
    )
    token = getattr(_running, "token", None)
    if token is not None:
        context.leave(token)
        _running.token = None


def install_job_hooks() -> None:
    from huey.contrib.djhuey import HUEY

    HUEY.pre_execute("wangge_job_started")(_job_started)  # hooks are kept by name: installing twice is harmless
    HUEY.post_execute("wangge_job_finished")(_job_finished)
