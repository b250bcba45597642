"""Races for the concurrency tests: run an action on many threads released at once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

BARRIER_TIMEOUT = 30  # seconds; a thread that never arrives breaks the barrier, failing the test


def together(count: int, action: Callable[[int], Any]) -> tuple[list[Any], list[Exception]]:
    """Run action(0..count-1) on `count` threads at once; results and errors, unordered."""
    results: list[Any] = []
    errors: list[Exception] = []
    start = threading.Barrier(count, timeout=BARRIER_TIMEOUT)

    def run(index: int) -> None:
        try:
            start.wait()
            results.append(action(index))
        except Exception as error:  # collected: the test asserts on each one
            errors.append(error)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results, errors
