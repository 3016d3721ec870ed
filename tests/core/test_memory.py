import gc
import threading
import weakref

from wangge.core.memory import full_collections_paused


def test_full_collections_paused_in_the_block_and_the_thresholds_restored() -> None:
    before = gc.get_threshold()
    with full_collections_paused():
        young, middle, full = gc.get_threshold()
        assert (young, middle) == before[:2]  # the young generations are still collected
        assert full > 1_000_000
        with full_collections_paused():  # nested: still paused
            assert gc.get_threshold()[2] == full
        assert gc.get_threshold()[2] == full
    assert gc.get_threshold() == before


def test_an_error_in_the_block_restores_the_thresholds() -> None:
    before = gc.get_threshold()
    try:
        with full_collections_paused():
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before


def test_pauses_in_threads_end_with_the_last() -> None:
    before = gc.get_threshold()
    inside, leave = threading.Event(), threading.Event()

    def job() -> None:
        with full_collections_paused():
            inside.set()
            leave.wait(5)

    thread = threading.Thread(target=job)
    thread.start()
    inside.wait(5)
    with full_collections_paused():
        pass
    assert gc.get_threshold() != before  # the thread's pause goes on after this one ended
    leave.set()
    thread.join(5)
    assert gc.get_threshold() == before


def test_cycles_made_in_the_block_are_still_freed() -> None:
    class Node:
        pass

    with full_collections_paused():
        node = Node()
        node.self = node  # type: ignore[attr-defined]
        gone = threading.Event()

        weakref.finalize(node, gone.set)
        del node
        assert gc.isenabled()
        garbage = [[] for _ in range(50_000)]  # allocations enough for the young collections to run on their own
        del garbage
        assert gone.is_set()
