"""The combiner serves concurrent callers in batches, each caller getting its own answer."""

from __future__ import annotations

import threading

import pytest

from core.combining import Combiner


def _press_together(combiner: Combiner[int, int], requests: list[int]) -> list[object]:
    outcomes: list[object] = [None] * len(requests)
    barrier = threading.Barrier(len(requests))

    def press(index: int) -> None:
        barrier.wait()
        try:
            outcomes[index] = combiner.submit(requests[index])
        except Exception as error:
            outcomes[index] = error

    threads = [threading.Thread(target=press, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert not any(thread.is_alive() for thread in threads), "a caller was left waiting"
    return outcomes


def test_a_caller_alone_is_served_in_a_batch_of_one() -> None:
    batches: list[list[int]] = []
    combiner = Combiner(lambda asks: batches.append(list(asks)) or [a * 10 for a in asks])

    assert combiner.submit(4) == 40
    assert combiner.submit(5) == 50
    assert batches == [[4], [5]]


def test_callers_pressing_together_are_served_together_each_with_their_own_answer() -> None:
    batches: list[list[int]] = []

    def serve(asks: list[int]) -> list[int | Exception]:
        batches.append(list(asks))
        return [a * 10 for a in asks]

    combiner = Combiner(serve, gather_seconds=0.05)

    outcomes = _press_together(combiner, list(range(12)))

    assert outcomes == [a * 10 for a in range(12)]
    assert sorted(a for batch in batches for a in batch) == list(range(12))  # each served once
    assert len(batches) < 12  # at least some were combined


def test_a_refusal_for_one_caller_is_raised_only_in_that_callers_thread() -> None:
    def serve(asks: list[int]) -> list[int | Exception]:
        return [ValueError(f"recusado {a}") if a == 3 else a for a in asks]

    outcomes = _press_together(Combiner(serve, gather_seconds=0.02), [1, 2, 3, 4])

    assert outcomes[:2] == [1, 2] and outcomes[3] == 4
    assert isinstance(outcomes[2], ValueError) and str(outcomes[2]) == "recusado 3"


def test_a_failed_batch_reaches_every_caller_in_it_and_the_desk_keeps_serving() -> None:
    failing = [True]

    def serve(asks: list[int]) -> list[int | Exception]:
        if failing[0]:
            raise RuntimeError("banco indisponível")
        return list(asks)

    combiner = Combiner(serve, gather_seconds=0.02)
    outcomes = _press_together(combiner, [1, 2, 3])
    assert all(isinstance(o, RuntimeError) for o in outcomes)

    failing[0] = False
    assert _press_together(combiner, [7, 8]) == [7, 8]
    with pytest.raises(AssertionError):  # a serve answering the wrong number is a bug, loudly
        Combiner(lambda asks: []).submit(1)
