"""The tamper-evident audit log: a gapless hash chain that notices rows edited or deleted
directly in the database file, even with many writers at once."""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import psycopg
import pytest

from core import audit, cli
from core.access import User
from core.db import Database, Tx, open_database
from tests.conftest import Clock


def _append(db: Database, user: User | None, count: int, subjects: tuple[int, ...] = ()) -> None:
    for number in range(count):
        db.write(
            lambda tx, number=number: audit.record(
                tx, user, "teste.evento", subject_type="teste", subject_id=number,
                detail={"n": number, "texto": "ação"}, subjects=subjects,
            )
        )  # fmt: skip


def _unsealed(database: Database) -> int:
    return int(database.read(lambda tx: tx.scalar(
        "SELECT count(*) FROM audit_log a WHERE NOT EXISTS"
        " (SELECT 1 FROM audit_seals s WHERE s.audit_id = a.id)")))  # fmt: skip


def _id(seq: int) -> str:
    """The audit_log id sealed as `seq` (for SQL typed straight into the file)."""
    return f"(SELECT audit_id FROM audit_seals WHERE seq = {seq})"


def _tamper(db: Database, *statements: str) -> Database:
    """Close the app's connection, change the data behind its back with a connection of the
    engine's own driver, open it again."""
    path, engine = db.path, db.engine
    db.close()
    if engine == "postgresql":
        with psycopg.connect(path, autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement.encode())
    else:
        raw = duckdb.connect(path)
        for statement in statements:
            raw.execute(statement)
        raw.close()
    return open_database(path, clock=Clock())


@pytest.fixture
def chained(db: Database, admin: User) -> Database:
    _append(db, admin, 5)
    _append(db, admin, 3, subjects=(7, 3))
    audit.seal(db)
    return db


def test_appending_writes_the_row_and_sealing_chains_it_later(db: Database, admin: User) -> None:
    _append(db, admin, 2)
    pending = _unsealed(db)

    sealed = audit.seal(db)

    assert pending >= 2 and sealed == pending
    assert audit.seal(db) == 0
    assert _unsealed(db) == 0


def test_an_untouched_log_verifies_and_reports_its_head(chained: Database) -> None:
    report = audit.verify_chain(chained)

    assert report.ok, report.problem
    assert report.checked == report.head_seq >= 8
    rows = chained.read(lambda tx: tx.all("SELECT seq, prev_hash, row_hash FROM audit_seals"
                                          " ORDER BY seq"))  # fmt: skip
    assert [row["seq"] for row in rows] == list(range(1, len(rows) + 1))
    assert rows[0]["prev_hash"] == audit.GENESIS
    assert all(b["prev_hash"] == a["row_hash"] for a, b in itertools.pairwise(rows))
    assert report.head_hash == rows[-1]["row_hash"]


def test_an_update_made_directly_in_the_file_is_found_at_that_row(chained: Database) -> None:
    seq = chained.read(lambda tx: tx.scalar(
        "SELECT s.seq FROM audit_log a JOIN audit_seals s ON s.audit_id = a.id"
        " WHERE a.subject_id = '3' AND a.event = 'teste.evento' LIMIT 1"))  # fmt: skip

    tampered = _tamper(chained, f"UPDATE audit_log SET username = 'outro' WHERE id = {_id(seq)}")
    report = audit.verify_chain(tampered)
    tampered.close()

    assert not report.ok
    assert report.broken_seq == seq and "alterado" in report.problem
    assert report.checked == seq - 1


def test_a_delete_made_directly_in_the_file_is_found_at_the_gap(chained: Database) -> None:
    tampered = _tamper(chained, f"DELETE FROM audit_log WHERE id = {_id(4)}")
    report = audit.verify_chain(tampered)
    tampered.close()

    assert report.broken_seq == 4 and "apagado" in report.problem


def test_deleting_the_last_rows_is_noticed_against_the_chain_head(chained: Database) -> None:
    last = chained.read(lambda tx: tx.scalar("SELECT max(seq) FROM audit_seals"))

    tampered = _tamper(
        chained,
        "DELETE FROM audit_log WHERE id IN"
        f" (SELECT audit_id FROM audit_seals WHERE seq >= {last - 1})",
        f"DELETE FROM audit_seals WHERE seq >= {last - 1}",
    )
    report = audit.verify_chain(tampered)
    tampered.close()

    assert report.broken_seq == last - 1 and "finais foram apagados" in report.problem


def test_the_data_subjects_of_a_row_are_covered_by_its_hash(chained: Database) -> None:
    audit_id = chained.read(lambda tx: tx.scalar("SELECT min(audit_id) FROM audit_subjects"))

    tampered = _tamper(chained, f"DELETE FROM audit_subjects WHERE audit_id = {audit_id}"
                                " AND entity_id = 7")  # fmt: skip
    report = audit.verify_chain(tampered)
    tampered.close()

    assert not report.ok and "alterado" in report.problem


def test_many_writers_at_once_still_make_one_gapless_chain(db: Database, admin: User) -> None:
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            _append(db, admin, 10)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    report = audit.verify_chain(db)
    assert report.ok, report.problem
    assert db.read(lambda tx: tx.scalar("SELECT count(*) FROM audit_log"
                                        " WHERE event = 'teste.evento'")) == 80  # fmt: skip


def test_rows_that_lost_their_seal_are_found_as_a_gap(chained: Database) -> None:
    tampered = _tamper(chained, "DELETE FROM audit_seals WHERE seq = 2")
    report = audit.verify_chain(tampered)  # seals the row again, at the end
    tampered.close()

    assert report.broken_seq == 2 and "apagado" in report.problem


def test_the_background_sealer_chains_new_rows_until_the_database_closes(db_path: str) -> None:
    database = open_database(db_path, clock=Clock())
    thread = audit.start_sealer(database, every=0.05)
    _append(database, None, 3)
    for _ in range(400):  # up to 20 s on a busy machine
        if not _unsealed(database):
            break
        thread.join(0.05)
    unsealed = _unsealed(database)
    database.close()
    thread.join(5)

    assert unsealed == 0
    assert not thread.is_alive()


def test_verification_reports_progress_for_long_logs(chained: Database) -> None:
    seen: list[tuple[int, int]] = []

    audit.verify_chain(chained, progress=lambda done, total: seen.append((done, total)))

    assert seen and seen[-1][0] == seen[-1][1]


def test_the_command_line_verification_exits_0_when_intact_and_2_when_broken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(tmp_path / "cli.duckdb")
    monkeypatch.setenv("CALLCENTER_DB", path)
    monkeypatch.setenv("CALLCENTER_DEMO", "0")
    monkeypatch.setenv("CALLCENTER_COOKIE_KEY", "k" * 48)
    database = open_database(path, clock=Clock())
    _append(database, None, 3)
    database.close()

    intact = cli.main(["verify-audit"])
    raw = duckdb.connect(path)
    raw.execute(
        "UPDATE audit_log SET detail = '{}' WHERE id = (SELECT audit_id FROM audit_seals"
        " WHERE seq = 2)"
    )
    raw.close()
    broken = cli.main(["verify-audit"])

    output = capsys.readouterr()
    assert (intact, broken) == (0, 2)
    assert "Integridade do log de auditoria: OK" in output.out
    assert "ROMPIDO no registro 2" in output.err


def test_a_row_written_straight_into_the_file_is_found_outside_the_chain(
    chained: Database,
) -> None:
    first = chained.read(lambda tx: tx.scalar("SELECT min(id) FROM audit_log"))

    tampered = _tamper(chained, "INSERT INTO audit_log (id, occurred_at, username, event)"
                                f" VALUES ({first} - 20000, now(), 'intruso', 'x')")  # fmt: skip
    report = audit.verify_chain(tampered)
    tampered.close()

    assert not report.ok and "fora da cadeia" in report.problem


def test_a_row_inserted_behind_the_apps_back_is_reported_instead_of_sealed(
    chained: Database,
) -> None:
    """The attack as found: a plain INSERT (its id from the sequence, like the app's rows)."""
    tampered = _tamper(chained, "INSERT INTO audit_log (occurred_at, username, event)"
                                " VALUES (now(), 'intruso', 'login.sucesso')")  # fmt: skip
    forged = tampered.read(lambda tx: tx.scalar(
        "SELECT id FROM audit_log WHERE username = 'intruso'"))  # fmt: skip
    _append(tampered, None, 2)  # the app goes on writing after it

    report = audit.verify_chain(tampered)
    sealed = tampered.read(lambda tx: tx.scalar(
        "SELECT count(*) FROM audit_seals WHERE audit_id = ?", [forged]))  # fmt: skip
    tampered.close()

    assert not report.ok
    assert "gravado(s) fora do aplicativo" in report.problem and f"id {forged}" in report.problem
    assert sealed == 0  # the check no longer chains the forged row itself
    assert report.checked == report.head_seq >= 10  # the app's rows around it are chained


def test_a_forged_row_chained_by_hand_is_reported_at_its_number(chained: Database) -> None:
    """A forger who also appends the seal (SHA-256 needs no key) still cannot make the MAC."""
    head = chained.read(lambda tx: tx.one("SELECT seq, last_hash FROM audit_chain"))
    assert head is not None
    seq = int(head["seq"]) + 1
    forged = {"seq": seq, "occurred_at": datetime(2026, 3, 10, 13, 5, tzinfo=UTC),
              "user_id": None, "username": "intruso", "event": "login.sucesso",
              "subject_type": "", "subject_id": "", "detail": "{}"}  # fmt: skip
    row_hash = audit.chain_hash(head["last_hash"], forged, [])

    tampered = _tamper(
        chained,
        "INSERT INTO audit_log (id, occurred_at, username, event, mac) VALUES (900000,"
        " TIMESTAMPTZ '2026-03-10 13:05:00+00', 'intruso', 'login.sucesso', 'f00d')",
        f"INSERT INTO audit_seals VALUES (900000, {seq}, '{head['last_hash']}', '{row_hash}')",
        f"UPDATE audit_chain SET seq = {seq}, last_hash = '{row_hash}', last_audit_id = 900000",
    )
    report = audit.verify_chain(tampered)
    tampered.close()

    assert report.broken_seq == seq
    assert "gravado fora do aplicativo" in report.problem


def test_a_real_row_copied_under_another_id_is_reported(chained: Database) -> None:
    """The MAC covers the row's id: a copy of a genuine row, MAC included, does not pass."""
    tampered = _tamper(
        chained,
        "INSERT INTO audit_log (id, occurred_at, user_id, username, event, subject_type,"
        " subject_id, detail, mac) SELECT 800000, occurred_at, user_id, username, event,"
        f" subject_type, subject_id, detail, mac FROM audit_log WHERE id = {_id(1)}",
    )
    report = audit.verify_chain(tampered)
    tampered.close()

    assert not report.ok and "id 800000" in report.problem


def test_rows_from_before_the_macs_stay_chained_and_later_ones_need_a_mac(
    db: Database, admin: User
) -> None:
    """Migration 011 cannot MAC the rows it finds (it has no key): the first seal chains them
    and writes one authenticated row naming where MACs start; a forged row after it is found."""
    db.write(lambda tx: tx.execute(
        "INSERT INTO audit_log (occurred_at, username, event) SELECT now(), 'antigo', 'x'"
        " FROM generate_series(1, 3)"))  # fmt: skip
    db.write(
        lambda tx: tx.execute(  # what migration 011 records on an installation in use
            "UPDATE audit_chain SET unauthenticated_up_to_id = (SELECT max(id) FROM audit_log)"
        )
    )
    _append(db, admin, 2)

    upgraded = audit.verify_chain(db)
    starts = db.read(
        lambda tx: tx.all(
            "SELECT username, detail FROM audit_log WHERE event = ?", [audit.MAC_START_EVENT]
        )
    )
    tampered = _tamper(db, "INSERT INTO audit_log (occurred_at, username, event)"
                           " VALUES (now(), 'intruso', 'x')")  # fmt: skip
    after = audit.verify_chain(tampered)
    tampered.close()

    assert upgraded.ok, upgraded.problem
    assert upgraded.unauthenticated_up_to == 3 and upgraded.checked == 6
    assert starts == [{"username": "(sistema)", "detail": '{"sem_autenticacao_ate": 3}'}]
    assert not after.ok and "fora do aplicativo" in after.problem


def test_a_forged_start_row_does_not_move_where_macs_start(chained: Database) -> None:
    """The upgrade row counts only with a valid MAC, so a forger cannot declare the whole log
    as older than the MACs."""
    tampered = _tamper(
        chained,
        "INSERT INTO audit_log (occurred_at, username, event, detail) VALUES (now(),"
        f" '(sistema)', '{audit.MAC_START_EVENT}', '{{\"sem_autenticacao_ate\": 99999}}')",
    )
    report = audit.verify_chain(tampered)
    tampered.close()

    assert report.unauthenticated_up_to == 0
    assert not report.ok and "fora do aplicativo" in report.problem


def test_views_are_buffered_and_written_in_bulk_before_anyone_reads_the_log(
    db: Database, admin: User, operator: User
) -> None:
    from core import audit_reports, entities
    from tests import factories

    entity_id = factories.make_entity(db, admin)
    entities.get_entity(db, operator, entity_id)  # a read: nothing written yet
    pending = db.read(lambda tx: tx.scalar(
        "SELECT count(*) FROM audit_log WHERE event = 'dados.visualizados'"))  # fmt: skip

    shown = audit_reports.search_audit(db, admin, audit_reports.AuditFilter(username="operador"))

    assert pending == 0
    assert shown.rows["event"].to_list() == ["dados.visualizados"]
    subjects = db.read(lambda tx: tx.all("SELECT entity_id FROM audit_subjects"))
    assert subjects == [{"entity_id": entity_id}]  # operador has access 192
    assert audit.verify_chain(db).ok


def test_buffered_views_are_written_when_the_database_closes(db_path: str) -> None:
    database = open_database(db_path, clock=Clock())
    audit.start_sealer(database, every=3600)  # registers the flush at closing
    database.read(lambda tx: audit.record_view(tx, None, subject_type="teste", subjects=[5]))

    database.close()
    reopened = open_database(db_path, clock=Clock())
    written = reopened.read(lambda tx: tx.scalar(
        "SELECT count(*) FROM audit_log WHERE event = 'dados.visualizados'"))  # fmt: skip
    reopened.close()

    assert written == 1


def test_rows_of_every_writer_carry_a_valid_mac(db: Database, admin: User) -> None:
    """record, record_many and the view buffer all sign their rows: the whole log verifies."""
    _append(db, admin, 2, subjects=(9,))
    db.write(lambda tx: audit.record_many(tx, [audit.Change(admin, "teste.lote", "t", n)
                                              for n in range(3)]))  # fmt: skip
    db.read(lambda tx: audit.record_view(tx, admin, subject_type="teste", subjects=[1, 2]))

    report = audit.verify_chain(db)
    macs = db.read(lambda tx: tx.scalar("SELECT count(mac) FROM audit_log"))

    assert report.ok, report.problem
    assert report.checked == macs == 6


def test_one_sealer_at_a_time_across_servers_on_postgresql(pg_db: Database) -> None:
    """Server B's sealer skips its round while server A's holds the lock, and seals at the
    next; two servers' sealers running at once make one gapless chain."""
    server_b = open_database(str(pg_db.path))
    try:
        _append(pg_db, None, 5)

        def seal_on_b_while_a_holds_the_lock(tx: Tx) -> int:
            tx.scalar("SELECT pg_advisory_xact_lock(?)", [audit.SEALER_LOCK])
            return audit.seal(server_b)

        assert pg_db.write(seal_on_b_while_a_holds_the_lock) == 0
        assert audit.seal(server_b) >= 5
        _append(server_b, None, 5)
        servers = (pg_db, server_b, pg_db, server_b)
        rounds = [threading.Thread(target=audit.seal, args=(server,)) for server in servers]
        for thread in rounds:
            thread.start()
        for thread in rounds:
            thread.join()
        audit.seal(pg_db)
        report = audit.verify_chain(pg_db)
        assert report.ok, report.problem
        unsealed = (
            "SELECT count(*) FROM audit_log a"
            " WHERE NOT EXISTS (SELECT 1 FROM audit_seals s WHERE s.audit_id = a.id)"
        )
        assert pg_db.read(lambda tx: tx.scalar(unsealed)) == 0
    finally:
        server_b.close()
