"""Per-row work spread over processes gives what one process gives, in order."""

import faulthandler
import os
import time
from collections.abc import Sequence

from django.test import override_settings

from wangge.core import crypto
from wangge.core.jobs.parallel import _SPREADS, Spread
from wangge.core.pinyin import name_keys
from wangge.ledgers.people_plan import SEPARATOR, STORED, stored_share
from wangge.people.services import identity_columns, phone_columns


def _pids(items: Sequence[int]) -> list[tuple[int, int]]:
    time.sleep(0.01)  # a chunk takes a while: the workers start theirs before this process has taken all
    return [(item * item, os.getpid()) for item in items]


@override_settings(WANGGE_LEDGER_WORKERS=3)
def test_shares_run_in_other_processes_and_come_back_in_order() -> None:
    results = Spread(_pids, list(range(1000)), min_items=10).result()
    assert [square for square, _ in results] == [n * n for n in range(1000)]
    pids = {pid for _, pid in results}
    assert os.getpid() in pids and len(pids) >= 2  # a worker may take both other shares


@override_settings(WANGGE_LEDGER_WORKERS=2)
def test_a_caller_busy_elsewhere_leaves_the_chunks_to_the_workers() -> None:
    spread = Spread(_pids, list(range(1000)), min_items=10)
    time.sleep(1.5)  # the caller writes the error report meanwhile
    results = spread.result()
    assert [square for square, _ in results] == [n * n for n in range(1000)]
    by_worker = sum(1 for _, pid in results if pid != os.getpid())
    assert by_worker >= 500  # the workers went on; this process took only what they had not started


@override_settings(WANGGE_LEDGER_WORKERS=2)
def test_progress_is_told_as_chunks_finish() -> None:
    told: list[tuple[int, int]] = []
    Spread(_pids, list(range(1000)), min_items=10, progress=lambda done, total: told.append((done, total))).result()
    assert told[-1] == (1000, 1000) and len(told) > 2
    assert [done for done, _ in told] == sorted(done for done, _ in told)
    with override_settings(WANGGE_LEDGER_WORKERS=1):
        told.clear()
        Spread(_pids, list(range(1000)), min_items=10, progress=lambda done, total: told.append((done, total))).result()
        assert told[-1] == (1000, 1000) and len(told) > 2


@override_settings(WANGGE_LEDGER_WORKERS=1)
def test_one_worker_or_few_items_stay_in_this_process() -> None:
    assert {pid for _, pid in Spread(_pids, list(range(100)), min_items=10).result()} == {os.getpid()}
    with override_settings(WANGGE_LEDGER_WORKERS=2):
        assert {pid for _, pid in Spread(_pids, list(range(100))).result()} == {os.getpid()}


@override_settings(WANGGE_LEDGER_WORKERS=2)
def test_stored_columns_computed_elsewhere_are_what_the_registry_stores() -> None:
    items = [
        (f"42120219500302{n:03d}X"[:18], f"1387150{n:04d}", name)
        for n, name in enumerate(["曾小明", "单田芳", "李四"] * 40)
    ]
    spread = Spread(stored_share, items, min_items=10)
    for (number, phone, name), values in zip(items, spread.result(), strict=True):
        stored = dict(zip(STORED, values.split(SEPARATOR), strict=True))
        assert crypto.decrypt(stored["id_number_enc"], context="person.id_number") == number
        assert crypto.decrypt(stored["phone_enc"], context="person.phone") == phone
        assert stored["id_hash"] == crypto.lookup_hash(number, kind="id")
        assert stored["phone_hash"] == crypto.lookup_hash(phone, kind="phone")
        assert (stored["name_pinyin"], stored["name_initials"]) == name_keys(name)


def test_the_stored_columns_are_every_column_the_registry_derives() -> None:
    derived = {*identity_columns(""), *phone_columns(""), "name_pinyin", "name_initials"}
    assert set(STORED) == derived and len(STORED) == len(derived)


def _die_in_workers(items: Sequence[int]) -> list[int]:
    if os.getpid() != _PARENT[0]:
        os._exit(9)  # a worker killed mid-way
    return [item + 1 for item in items]


_PARENT = [os.getpid()]


@override_settings(WANGGE_LEDGER_WORKERS=2)
def test_a_worker_that_dies_has_its_share_done_here() -> None:
    _PARENT[0] = os.getpid()
    assert Spread(_die_in_workers, list(range(100)), min_items=10).result() == list(range(1, 101))


def _die_holding_the_lock(items: Sequence[int]) -> list[int]:
    if os.getpid() != _PARENT[0]:
        (spread,) = _SPREADS.values()
        spread.counters.get_lock().acquire()  # killed inside the shared counters' lock: it is never released
        os._exit(9)
    time.sleep(0.01)  # the worker starts its first chunk before this process has taken them all
    return [item + 1 for item in items]


@override_settings(WANGGE_LEDGER_WORKERS=2)
def test_a_worker_that_dies_holding_the_counters_lock_does_not_hang_the_job() -> None:
    _PARENT[0] = os.getpid()
    faulthandler.dump_traceback_later(60, exit=True)  # a hang fails the run instead of stalling it
    try:
        started = time.monotonic()
        assert Spread(_die_holding_the_lock, list(range(400)), min_items=10).result() == list(range(1, 401))
        assert time.monotonic() - started < 30
    finally:
        faulthandler.cancel_dump_traceback_later()
