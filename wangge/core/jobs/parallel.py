"""Spreading a job's per-row CPU work (encrypting, hashing, spelling names) over the machine's cores.

A check of 100,000 rows encrypts and hashes two numbers and spells a name for each new person:
pure CPU work in Python, which one process does on one core. `Spread` cuts the items into chunks
and starts forked worker processes, which take chunks from the front; once the caller has done
whatever it does in the meantime (writing the error report, say), it takes chunks from the back
at `result()`, so the cores finish together. The workers inherit the items (nothing is sent to
them); the work function must not touch the database and must return one result per item, in order.

`WANGGE_LEDGER_WORKERS` sets the number of processes (1 turns this off; the default is the number of
cores, at most 4); fewer than `MIN_ITEMS` items, or a platform without `fork`, run in this process.
"""

from __future__ import annotations

import gc
import itertools
import logging
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from django.conf import settings

logger = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")
MIN_ITEMS = 5000
LOCK_POLL = 0.5  # seconds this process waits for the counters' lock before asking whether a worker died

# The spreads under way in this process, by number: a forked worker finds its spread here.
_SPREADS: dict[int, Spread[Any, Any]] = {}
_NUMBERS = itertools.count(1)
FRONT, BACK, DONE = 0, 1, 2  # the shared counters: next chunk from the front, end of the unclaimed, items done


def worker_count() -> int:
    configured = getattr(settings, "WANGGE_LEDGER_WORKERS", None)
    if configured is not None:
        return max(1, int(configured))
    return max(1, min(4, os.cpu_count() or 1))


class Spread(Generic[T, R]):
    """`func(items)` computed in chunks: the worker processes start now, this one joins at `result()`."""

    CHUNKS_PER_PROCESS = 8

    def __init__(
        self,
        func: Callable[[Sequence[T]], list[R]],
        items: Sequence[T],
        *,
        min_items: int | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.func = func
        self.total = len(items)
        self.progress = progress
        self.told = 0
        self.done_here = 0
        self.broken = False  # a worker died: the counters are no longer to be trusted (nor their lock)
        self.pool: ProcessPoolExecutor | None = None
        self.futures: list[Future[list[tuple[int, list[R]]]]] = []
        processes = worker_count()
        if processes < 2 or len(items) < max(2, MIN_ITEMS if min_items is None else min_items):
            processes = 1
        elif "fork" not in multiprocessing.get_all_start_methods() or multiprocessing.current_process().daemon:
            processes = 1  # no fork here, or a daemonic process (which may not have children)
        size = max(1, -(-len(items) // (processes * self.CHUNKS_PER_PROCESS)))
        self.chunks: list[Sequence[T]] = [items[start : start + size] for start in range(0, len(items), size)]
        context = multiprocessing.get_context("fork") if processes > 1 else None
        self.counters = context.Array("q", [0, len(self.chunks), 0]) if context is not None else None
        self.number = next(_NUMBERS)
        if context is None:
            return  # every chunk done here at `result()`, the progress told after each
        _SPREADS[self.number] = self
        # fork: the workers inherit the items, settings, keys and translations of this process
        # without setting Django up again; they never touch the database connections they inherit.
        self.pool = ProcessPoolExecutor(max_workers=processes - 1, mp_context=context)
        # The workers fork at the first submit. Frozen, this process's objects are left out of the
        # workers' garbage collections, which would otherwise touch (and so copy) every page they inherit.
        gc.freeze()
        try:
            self.futures = [self.pool.submit(_work_from_front, self.number) for _ in range(processes - 1)]
        finally:
            gc.unfreeze()

    @contextmanager
    def _counters_locked(self) -> Iterator[bool]:
        """The shared counters' lock; False (not held) once a worker has died, perhaps holding it.

        A worker killed inside the lock never releases it. The pool notices the death, stops the
        other workers and fails their futures; this process, waiting for the lock, notices it
        through the futures instead of waiting for ever, and does what is left itself.
        """
        assert self.counters is not None
        lock = self.counters.get_lock()
        while not lock.acquire(timeout=LOCK_POLL):
            if not self.futures:  # in a worker: a dead sibling's lock ends with the pool stopping this one
                continue
            if any(future.done() and future.exception() is not None for future in self.futures):
                self.broken = True
                yield False
                return
        try:
            yield True
        finally:
            lock.release()

    def _claim(self, end: int) -> int | None:
        """The next chunk nobody has taken, from the front or the back; None once all are taken."""
        counters = self.counters
        if counters is None or self.broken:
            return None
        with self._counters_locked() as locked:
            if not locked or counters[FRONT] >= counters[BACK]:
                return None
            if end == FRONT:
                counters[FRONT] += 1
                return int(counters[FRONT] - 1)
            counters[BACK] -= 1
            return int(counters[BACK])

    def _done(self, items: int) -> int:
        """Add to the items done by every process; the total so far (this process's own once a worker died)."""
        self.done_here += items
        if self.counters is None or self.broken:
            return self.done_here
        with self._counters_locked() as locked:
            if not locked:
                return self.done_here
            self.counters[DONE] += items
            return int(self.counters[DONE])

    def result(self) -> list[R]:
        try:
            if self.pool is None:
                results: list[R] = []
                for chunk in self.chunks:
                    results.extend(self.func(chunk))
                    self._report(len(results))
                return results
            parts: dict[int, list[R]] = {}
            while (index := self._claim(BACK)) is not None:
                parts[index] = self.func(self.chunks[index])
                self._report(self._done(len(self.chunks[index])))
            for future in self.futures:
                try:
                    parts.update(future.result())
                except BrokenProcessPool:  # a worker died (killed, out of memory): its chunks are done below
                    logger.warning("a ledger worker process died; its chunks are done in the parent")
            results = []
            for index, chunk in enumerate(self.chunks):
                part = parts.get(index)
                results.extend(part if part is not None else self.func(chunk))
            self._report(self.total)
            return results
        finally:
            self.close()

    def _report(self, done: int) -> None:
        self.told = max(self.told, min(done, self.total))  # never backwards
        if self.progress is not None:
            self.progress(self.told, self.total)

    def close(self) -> None:
        _SPREADS.pop(self.number, None)
        if self.pool is not None:
            if self.counters is not None and not self.broken:
                with self._counters_locked() as locked:
                    if locked:
                        self.counters[BACK] = self.counters[FRONT]  # nothing more to take
            self.pool.shutdown(wait=True)
            self.pool = None

    def __enter__(self) -> Spread[T, R]:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _work_from_front(number: int) -> list[tuple[int, list[Any]]]:
    """In a worker: chunks from the front until none is left; (chunk number, its results) back."""
    spread = _SPREADS[number]
    done = []
    while (index := spread._claim(FRONT)) is not None:
        done.append((index, spread.func(spread.chunks[index])))
        spread._done(len(spread.chunks[index]))
    return done
