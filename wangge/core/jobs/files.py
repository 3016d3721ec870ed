"""Files a background job keeps beside its row, in `WANGGE_LEDGER_DIR` (shared by web servers and workers).

Stored files (`store`/`load`, encrypted: an upload, its cells, a plan, a report, a built export hold ID
numbers) are named `<job id>.<suffix>`; each feature picks its suffixes (an import keeps "upload",
"table", "plan", "errors", "report", "slips"; an export "export").

Progress (with the heartbeat: the time it was written) and the cancel flag live in small files rather
than in the job's row because an import writes inside one long transaction: on SQLite that
transaction holds the only write lock, and on PostgreSQL nobody else would see the row change until
it commits.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import threading
import time
from pathlib import Path
from typing import Any

from django.conf import settings

from wangge.core import crypto


def _dir() -> Path:
    path = Path(settings.WANGGE_LEDGER_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_for(job_id: object, suffix: str) -> Path:
    return _dir() / f"{job_id}.{suffix}"


def plain_pickle(obj: Any) -> bytes:
    """`pickle.dumps` without the memo, for the cells an upload keeps for its check.

    The memo records every object written, so that one written twice is read back as one object;
    for three million cells, each its own object, that bookkeeping was nine tenths of the time
    (0.79 s → 0.08 s, and the file is smaller and reads back faster). Only for trees of plain
    values: an object that contains itself would recurse for ever, and an object met twice comes
    back as two equal copies (which is why the plan, whose rows share the values parsed once per
    column, keeps the memo: copies of them cost the import more than the memo costs the check).
    """
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, pickle.HIGHEST_PROTOCOL)
    pickler.fast = True  # no memo
    pickler.dump(obj)
    return buffer.getvalue()


def _write_atomically(path: Path, data: bytes) -> None:
    # A temporary name of this process and thread: a worker, its heartbeat and a web request may write the
    # same file at once (a restarted job's old worker still running), and each must replace it whole.
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def store(job_id: object, suffix: str, data: bytes) -> None:
    """Keep `data` for the job, encrypted, under `suffix` (written whole or not at all)."""
    _write_atomically(path_for(job_id, suffix), crypto.encrypt_bytes(data, context=f"ledgers.{suffix}"))


def load(job_id: object, suffix: str) -> bytes | None:
    """What `store` kept, or None if there is nothing (never stored, removed, or swept)."""
    path = path_for(job_id, suffix)
    if not path.exists():
        return None
    return crypto.decrypt_bytes(path.read_bytes(), context=f"ledgers.{suffix}")


def take(job_id: object, suffix: str) -> bytes | None:
    """What `store` kept, removed as it is read (shown once: the roster's one-time passwords)."""
    data = load(job_id, suffix)
    path_for(job_id, suffix).unlink(missing_ok=True)
    return data


def has(job_id: object, suffix: str) -> bool:
    return path_for(job_id, suffix).exists()


_progress_lock = threading.Lock()  # a worker's progress and its heartbeat thread write one file in turn


def set_progress(job_id: object, *, phase: str, done: int, total: int) -> None:
    payload = {"phase": phase, "done": done, "total": total, "at": time.time()}
    with _progress_lock:
        _write_atomically(path_for(job_id, "progress"), json.dumps(payload).encode())


def beat(job_id: object) -> None:
    """The worker is alive: the progress file's time moves on, its figures stay as they were."""
    with _progress_lock:
        current = progress(job_id)
        if current:
            current["at"] = time.time()
            _write_atomically(path_for(job_id, "progress"), json.dumps(current).encode())


def progress(job_id: object) -> dict[str, Any]:
    try:
        return dict(json.loads(path_for(job_id, "progress").read_bytes()))
    except (OSError, ValueError):
        return {}


def request_cancel(job_id: object) -> None:
    path_for(job_id, "cancel").touch()


def cancel_requested(job_id: object) -> bool:
    return path_for(job_id, "cancel").exists()


def remove(job_id: object, *suffixes: str) -> None:
    """Remove the job's files with these suffixes, or every file of the job if none is named."""
    paths = [path_for(job_id, suffix) for suffix in suffixes] if suffixes else list(_dir().glob(f"{job_id}.*"))
    for path in paths:
        path.unlink(missing_ok=True)


def sweep(older_than_seconds: float) -> int:
    """Remove job files not touched for that long; returns how many."""
    limit = time.time() - older_than_seconds
    removed = 0
    for path in _dir().glob("*.*"):
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
