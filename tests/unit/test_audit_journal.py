"""Views of protected data are journaled to a file before the screen gets them, so a process
killed with kill -9 loses none of their audit rows, and a replayed journal writes none twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from core import audit
from core.config import PROJECT_ROOT
from core.db import Database, open_database

KEY = "chave-de-auditoria-de-teste-" + "x" * 40
VIEWS = 67  # what reached the user before the kill in the run

_VIEWER = """
import sys, time
from pathlib import Path
from core import audit
from core.db import open_database
db = open_database(sys.argv[1])
audit.start_sealer(db, every=3600, data_dir=Path(sys.argv[3]))  # no flush before the kill
for number in range(int(sys.argv[2])):
    db.read(lambda tx, n=number: audit.record_view(
        tx, None, subject_type="entidade", subject_id=n, detail={"tela": "busca"},
        subjects=[n + 1]))
print("shown", flush=True)
time.sleep(120)
"""


@pytest.fixture(autouse=True)
def audit_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLCENTER_AUDIT_KEY", KEY)


def _views(db: Database) -> list[dict[str, object]]:
    return db.read(lambda tx: tx.all(
        "SELECT a.id, a.subject_id, array_agg(s.entity_id) AS people FROM audit_log a"
        " LEFT JOIN audit_subjects s ON s.audit_id = a.id WHERE a.event = 'dados.visualizados'"
        " GROUP BY a.id, a.subject_id ORDER BY a.id"))  # fmt: skip


def test_views_shown_before_a_kill_9_are_in_the_log_once_after_the_restart(db_path: str) -> None:
    open_database(db_path).close()
    viewer = subprocess.Popen(
        [sys.executable, "-c", _VIEWER, db_path, str(VIEWS), str(Path(db_path).parent)],
        cwd=PROJECT_ROOT, env={**os.environ, "CALLCENTER_AUDIT_KEY": KEY},
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert viewer.stdout is not None and viewer.stdout.readline() == "shown\n"
    finally:
        viewer.send_signal(signal.SIGKILL)  # no flush, no close: the process just dies
        viewer.wait(30)

    restarted = open_database(db_path)
    audit.start_sealer(restarted, every=3600)  # start-up writes the journal it finds
    after_restart = _views(restarted)
    restarted.close()
    again = open_database(db_path)
    audit.start_sealer(again, every=3600)
    report = audit.verify_chain(again)
    after_second_restart = _views(again)
    again.close()

    assert [row["subject_id"] for row in after_restart] == [str(n) for n in range(VIEWS)]
    assert [row["people"] for row in after_restart] == [[n + 1] for n in range(VIEWS)]
    assert after_second_restart == after_restart  # nothing written twice
    assert report.ok, report.problem
    assert not list(Path(db_path).parent.glob("*.audit-*"))  # journals and locks


def test_a_journal_left_by_a_crash_after_its_commit_is_not_written_twice(db_path: str) -> None:
    """The crash between the batch's commit and the deletion of its file."""
    database = open_database(db_path)
    audit.attach(database)
    for number in range(3):
        database.read(lambda tx, n=number: audit.record_view(tx, None, subject_id=n))
    kept = database.memo[audit._JOURNAL].path.read_bytes()
    assert kept.count(b"\n") == 3  # on disk before flush: the view returned after the write

    written = audit.flush(database)
    database.close()
    # What the crashed process left: its batch, and its lock file, which nobody holds now.
    Path(f"{db_path}.0123456789abcdef.audit-lock").touch()
    leftover = Path(f"{db_path}.0123456789abcdef.crashed.audit-batch")
    leftover.write_bytes(kept + b'{"view_key": "cut sh')  # and a line the crash cut short
    reopened = open_database(db_path)
    audit.attach(reopened)
    views = _views(reopened)
    reopened.close()

    assert written == 3
    assert [row["subject_id"] for row in views] == ["0", "1", "2"]
    assert not leftover.exists()


def test_views_journaled_by_the_app_carry_valid_macs(db_path: str) -> None:
    database = open_database(db_path)
    audit.start_sealer(database, every=3600)
    database.read(lambda tx: audit.record_view(tx, None, subject_type="teste", subjects=[4, 2]))

    report = audit.verify_chain(database)
    database.close()

    assert report.ok and report.checked == 1, report.problem


def test_a_database_without_a_file_keeps_its_views_in_memory_until_the_flush() -> None:
    database = open_database(":memory:")
    audit.attach(database)
    database.read(lambda tx: audit.record_view(tx, None, subject_type="teste"))

    written = audit.flush(database)
    database.close()

    assert written == 1


def test_a_failed_write_keeps_the_batch_for_the_next_flush(
    db_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = open_database(db_path)
    audit.attach(database)
    database.read(lambda tx: audit.record_view(tx, None, subject_id=1))

    def broken(*_: object) -> None:
        raise RuntimeError("disco cheio")

    with monkeypatch.context() as patch:
        patch.setattr(database, "write", broken)
        with pytest.raises(RuntimeError):
            audit.flush(database)
    batches = list(Path(db_path).parent.glob("*.audit-batch"))
    written = audit.flush(database)
    database.close()

    assert len(batches) == 1 and written == 1
    assert not batches[0].exists()


def test_the_journal_of_the_version_before_is_written_at_the_upgrade(db_path: str) -> None:
    """Before one journal per process there was one per database, `<file>.audit-journal`."""
    database = open_database(db_path)
    audit.attach(database)
    database.read(lambda tx: audit.record_view(tx, None, subject_id=7))
    journal = database.memo[audit._JOURNAL].path
    kept = journal.read_bytes()
    journal.unlink()
    database.close()
    Path(f"{db_path}.audit-journal").write_bytes(kept)

    upgraded = open_database(db_path)
    audit.attach(upgraded)
    views = _views(upgraded)
    upgraded.close()

    assert [row["subject_id"] for row in views] == ["7"]
    assert not Path(f"{db_path}.audit-journal").exists()


def test_servers_on_one_postgresql_keep_their_own_journals_and_adopt_a_dead_ones(
    pg_db: Database, tmp_path: Path
) -> None:
    """Two processes journal views of one PostgreSQL database: a flush never takes a live
    process's journal (it is still writing to it), and the journal of one killed with kill -9
    is written by the survivor's next flush, once."""
    url = pg_db.url  # type: ignore[attr-defined]
    survivor = open_database(url)
    audit.attach(survivor, tmp_path)
    viewer = subprocess.Popen(
        [sys.executable, "-c", _VIEWER, url, "5", str(tmp_path)],
        cwd=PROJECT_ROOT, env={**os.environ, "CALLCENTER_AUDIT_KEY": KEY},
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert viewer.stdout is not None and viewer.stdout.readline() == "shown\n"
        survivor.read(lambda tx: audit.record_view(tx, None, subject_id="sobrevivente"))
        assert audit.flush(survivor) == 1  # its own view; the live viewer's stay with it
        assert [row["subject_id"] for row in _views(survivor)] == ["sobrevivente"]
    finally:
        viewer.send_signal(signal.SIGKILL)
        viewer.wait(30)

    assert audit.flush(survivor) == 5
    assert audit.flush(survivor) == 0
    views = _views(survivor)
    survivor.close()

    assert sorted(row["subject_id"] for row in views) == ["0", "1", "2", "3", "4", "sobrevivente"]
    assert not list(tmp_path.glob("*.audit-*"))
