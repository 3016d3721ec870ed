"""Spreading a job's per-row CPU work (encrypting, hashing, spelling names) over the machine's cores.

A check of 100,000 rows encrypts and hashes two numbers and spells a name for each new person:
pure CPU work in Python, which one process does on one core. `Spread` hands equal shares of the
items to forked worker processes and does one share itself, after whatever the caller does in the
meantime (writing the error report, say). The work function must be a module-level function of a
list of plain values (it is pickled by reference), must not touch the database, and must return
one result per item in order.

`WANGGE_LEDGER_WORKERS` sets the number of processes (1 turns this off; the default is the number of
cores, at most 4); fewer than `MIN_ITEMS` items, or a platform without `fork`, run in this process.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Generic, TypeVar

from django.conf import settings

logger = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")
MIN_ITEMS = 5000


def worker_count() -> int:
    configured = getattr(settings, "WANGGE_LEDGER_WORKERS", None)
    if configured is not None:
        return max(1, int(configured))
    return max(1, min(4, os.cpu_count() or 1))


class Spread(Generic[T, R]):
    """`func(items)` computed in shares: the other processes start now, this one's share at `result()`."""

    def __init__(
        self, func: Callable[[Sequence[T]], list[R]], items: Sequence[T], *, min_items: int | None = None
    ) -> None:
        self.func = func
        self.pool: ProcessPoolExecutor | None = None
        self.futures: list[Future[list[R]]] = []
        self.shares: list[Sequence[T]] = []
        processes = worker_count()
        self.local: Sequence[T] = items
        if processes < 2 or len(items) < max(2, MIN_ITEMS if min_items is None else min_items):
            return
        if "fork" not in multiprocessing.get_all_start_methods() or multiprocessing.current_process().daemon:
            return  # no fork here, or a daemonic process (which may not have children)
        size = -(-len(items) // processes)
        shares = [items[start : start + size] for start in range(0, len(items), size)]
        self.local, self.shares = shares[0], shares[1:]
        # fork: the workers inherit the settings, keys and translations of this process without
        # setting Django up again; they never touch the database connections they inherit.
        self.pool = ProcessPoolExecutor(max_workers=len(shares) - 1, mp_context=multiprocessing.get_context("fork"))
        # The workers fork at the first submit. Frozen, this process's objects are left out of the
        # workers' garbage collections, which would otherwise touch (and so copy) every page they inherit.
        gc.freeze()
        try:
            self.futures = [self.pool.submit(func, share) for share in self.shares]
        finally:
            gc.unfreeze()

    def result(self) -> list[R]:
        try:
            results = self.func(self.local)
            for future, share in zip(self.futures, self.shares, strict=True):
                try:
                    results.extend(future.result())
                except BrokenProcessPool:  # a worker died (killed, out of memory): do its share here
                    logger.warning("a ledger worker process died; its share is done in the parent")
                    results.extend(self.func(share))
            return results
        finally:
            self.close()

    def close(self) -> None:
        if self.pool is not None:
            for future in self.futures:
                future.cancel()
            self.pool.shutdown(wait=True)
            self.pool = None

    def __enter__(self) -> Spread[T, R]:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
