"""Python's full garbage collections paused for bulk work: an upload, a check, an import, an export.

Such work keeps a few million objects alive at once (the sheet's cells, the plan's rows) and
makes millions more. Python's collector then keeps walking every object alive, each time their
number has grown by a quarter, to find cycles among them: on a 100,000-row ledger that was a
third of the check's and of the import's time (`bench/import_ledger.py`, bench/README.md).

Only the full collections are paused: the young generations are still collected, and that is
where the cycles such work makes are found (an exception raised while handling another holds
its frame, and through it every caller's frame and locals, until the collector frees it; turned
off altogether, the collector let a whole plan outlive its check that way). Cycles that outlive
the young collections wait for the first full collection after the block.

The collector is one per process: pauses in several threads nest, and the thresholds come back
when the last of them ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_NEVER = 1_000_000_000  # young collections between full ones

_lock = threading.Lock()
_depth = 0
_thresholds = gc.get_threshold()


@contextmanager
def full_collections_paused() -> Iterator[None]:
    """`with full_collections_paused():` or `@full_collections_paused()` around a bulk job."""
    global _depth, _thresholds
    with _lock:
        if _depth == 0:
            _thresholds = gc.get_threshold()
            gc.set_threshold(_thresholds[0], _thresholds[1], _NEVER)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.set_threshold(*_thresholds)
