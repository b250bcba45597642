"""Once-a-day work at the São Paulo day's turn, run by one process per day whatever the number
of app servers: each process checks every minute; the `daily_jobs` key (job, day), taken in
the job's own transaction, lets exactly one of them run it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from core.db import Database, Tx
from core.errors import AlreadyRegistered
from core.localtime import local_day

_log = logging.getLogger(__name__)
CHECK_SECONDS = 60.0

Job = Callable[[Tx], object]


def run_once_today(db: Database, name: str, job: Job) -> bool:
    """Run `job` in one transaction with the day's claim; False when another process (or an
    earlier check) already ran it today."""

    def claimed(tx: Tx) -> bool:
        taken = tx.scalar(
            """
            INSERT INTO daily_jobs (job, day, ran_at) VALUES (?, ?, ?)
            ON CONFLICT DO NOTHING
            RETURNING job
            """,
            [name, local_day(tx.now), tx.now],
        )
        if taken is None:
            return False
        result = job(tx)
        tx.execute(
            "UPDATE daily_jobs SET result = ? WHERE job = ? AND day = ?",
            [str(result), name, local_day(tx.now)],
        )
        return True

    try:
        return db.write(claimed)
    except AlreadyRegistered:  # another process claimed the day in a race that outlasted retries
        return False


def start_daily_jobs(
    db: Database, jobs: dict[str, Job], every: float = CHECK_SECONDS
) -> threading.Thread:
    """Check the day's jobs now and every `every` seconds until the database closes."""

    def loop() -> None:
        while not db.closed:
            for name, job in jobs.items():
                try:
                    run_once_today(db, name, job)
                except Exception:
                    if db.closed:
                        return
                    _log.exception("daily job %s failed", name)  # retried at the next check
            db.wait_closed(every)

    thread = threading.Thread(target=loop, name="daily-jobs", daemon=True)
    db.add_worker(thread)
    thread.start()
    return thread
