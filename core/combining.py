"""Serving concurrent requests together ("flat combining"), for hot writes many users make at
the same moment.

A DuckDB write transaction costs far more in fixed overhead (statements planned one by one, the
commit) than in the rows it touches, and concurrent write transactions on two cores slow each
other down. When twenty people press the same button at once, one transaction that serves all
twenty with set-based statements is both faster for each of them and lighter for the machine.

No background thread: the first caller to arrive waits `gather_seconds` (a millisecond or two,
so callers pressing together make one batch rather than one plus the rest), serves everyone
waiting, then hands the desk to the first caller who arrived meanwhile, who serves the next
batch at once. Batches never run side by side on one Combiner.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

Request = TypeVar("Request")
Result = TypeVar("Result")

# serve(requests) answers each request, in order, with its result or the exception to raise
# in the caller's thread (a refusal for one request must not fail the others).
Serve = Callable[[list[Request]], list[Result | Exception]]


class _Ticket(Generic[Request, Result]):
    def __init__(self, request: Request) -> None:
        self.request = request
        self.wake = threading.Event()  # answered, or promoted to serve the next batch
        self.leads = False
        self.answered = False
        self.outcome: Result | BaseException | None = None

    def answer(self, outcome: Result | BaseException) -> None:
        self.outcome, self.answered = outcome, True
        self.wake.set()

    def result(self) -> Result:
        assert self.answered
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        return self.outcome  # type: ignore[return-value]


class Combiner(Generic[Request, Result]):
    def __init__(self, serve: Serve[Request, Result], gather_seconds: float = 0.0) -> None:
        self._serve = serve
        self._gather_seconds = gather_seconds
        self._lock = threading.Lock()
        self._waiting: list[_Ticket[Request, Result]] = []
        self._serving = False

    def submit(self, request: Request) -> Result:
        """The request's result, served in a batch with whoever else is waiting."""
        ticket: _Ticket[Request, Result] = _Ticket(request)
        with self._lock:
            self._waiting.append(ticket)
            ticket.leads = not self._serving
            self._serving = True
        if ticket.leads and self._gather_seconds:
            time.sleep(self._gather_seconds)
        while not ticket.answered:
            if ticket.leads:
                self._serve_batch()
            else:
                ticket.wake.wait()
                ticket.wake.clear()
        return ticket.result()

    def _serve_batch(self) -> None:
        with self._lock:
            batch, self._waiting = self._waiting, []
        try:
            try:
                outcomes: list[Result | Exception] = self._serve([t.request for t in batch])
                assert len(outcomes) == len(batch)
            except Exception as error:  # the batch as a whole failed: everyone hears why
                outcomes = [error] * len(batch)
            for ticket, outcome in zip(batch, outcomes, strict=True):
                ticket.answer(outcome)
        except BaseException as error:  # never leave a caller waiting for an answer
            for ticket in batch:
                if not ticket.answered:
                    ticket.answer(error)
            raise
        finally:
            with self._lock:
                if self._waiting:
                    successor = self._waiting[0]
                    successor.leads = True
                    successor.wake.set()
                else:
                    self._serving = False
