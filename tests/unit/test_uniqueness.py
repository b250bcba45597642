"""Uniqueness is judged by the database (migration 010), not by a read-then-insert check.

The race tests hold every thread at its first audit row, after its checks and inserts and before
its commit, so all of them pass the service's own check before anyone commits: the worst
interleaving, every time, instead of hoping the scheduler produces it.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from core import audit, entities
from core.access import User
from core.db import Database, Tx, migrate, open_database
from core.errors import AlreadyRegistered, DomainError
from core.telecobranca import importer
from tests import factories
from tests.conftest import Clock
from tests.races import BARRIER_TIMEOUT, together


@pytest.fixture
def all_commit_together(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    """`hold(n)`: the first audit row each of n threads writes waits for all n (retries don't)."""

    def hold(parties: int) -> None:
        barrier = threading.Barrier(parties, timeout=BARRIER_TIMEOUT)
        waited = threading.local()
        real_record = audit.record

        def record(tx: Tx, *args: Any, **kwargs: Any) -> Any:
            result = real_record(tx, *args, **kwargs)
            if not getattr(waited, "done", False):
                waited.done = True
                barrier.wait()
            return result

        monkeypatch.setattr(audit, "record", record)

    return hold


def _count(db: Database, sql: str, params: list[Any] | None = None) -> int:
    return int(db.read(lambda tx: tx.scalar(sql, params or [])))


# --- registrations ---------------------------------------------------------------------------


@pytest.mark.duckdb_only
def test_twenty_simultaneous_registrations_of_one_cpf_make_one_entity_and_19_pt_br_refusals(
    db: Database, operator: User, all_commit_together: Callable[[int], None]
) -> None:
    document = factories.valid_cpf(910_001)
    all_commit_together(20)

    created, errors = together(
        20,
        lambda n: entities.create_entity(
            db, operator, factories.entity_input(name=f"Cliente Corrida {n}", document=document)
        ),
    )

    assert len(created) == 1
    assert len(errors) == 19
    assert all(isinstance(error, DomainError) for error in errors), errors
    assert all("já cadastrad" in error.message for error in errors)  # type: ignore[attr-defined]
    assert _count(db, "SELECT count(*) FROM entities WHERE document = ?", [document]) == 1
    assert _count(db, "SELECT count(*) FROM audit_log WHERE event = 'entidade.incluida'") == 1


@pytest.mark.duckdb_only
def test_two_entities_changed_to_one_cpf_at_once_keep_it_on_one_only(
    db: Database, operator: User, all_commit_together: Callable[[int], None]
) -> None:
    document = factories.valid_cpf(910_002)
    ids = [factories.make_entity(db, operator) for _ in range(2)]
    versions = [entities.get_entity(db, operator, entity_id).version for entity_id in ids]
    all_commit_together(2)

    def take(n: int) -> int:
        data = factories.entity_input(document=document)
        return entities.update_entity(db, operator, ids[n], versions[n], data)

    saved, errors = together(2, take)

    assert len(saved) == 1 and len(errors) == 1
    assert isinstance(errors[0], DomainError) and "já cadastrad" in errors[0].message
    assert _count(db, "SELECT count(*) FROM entities WHERE document = ?", [document]) == 1


# --- the title import ------------------------------------------------------------------------


def _portfolio(titles: int) -> bytes:
    lines = [
        "documento;nome;telefone;email;prefixo;numero;parcela;tipo;emissao;vencimento;valor;saldo"
    ]
    for n in range(titles):
        lines.append(
            f"{factories.valid_cpf(920_000 + n)};Devedor Importado {n};(11) 3456-7890;;"
            f"IMP;{n + 1:06d};1;DP;01/01/2026;01/02/2026;1.250,00;"
        )
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.duckdb_only
def test_one_file_imported_by_two_users_at_once_is_written_once(
    db: Database, all_commit_together: Callable[[int], None]
) -> None:
    admin = factories.make_admin(db, username="admin")
    other = factories.make_supervisor(db, username="supervisora")
    content = _portfolio(200)
    entities_before = _count(db, "SELECT count(*) FROM entities")
    all_commit_together(2)

    reports, errors = together(
        2, lambda n: importer.import_receivables(db, (admin, other)[n], content)
    )

    assert _count(db, "SELECT count(*) FROM receivables WHERE prefix = 'IMP'") == 200
    assert _count(db, "SELECT count(*) FROM entities") == entities_before + 200
    assert (
        _count(
            db,
            "SELECT count(*) FROM (SELECT document FROM entities WHERE document IS NOT NULL"
            " GROUP BY document HAVING count(*) > 1)",
        )
        == 0
    )
    assert (
        _count(db, "SELECT count(*) FROM audit_log WHERE event = 'cobranca.titulos_importados'")
        == 1
    )
    winners = [report for report in reports if report.ok]  # type: ignore[attr-defined]
    assert len(winners) == 1 and winners[0].titles_created == 200  # type: ignore[attr-defined]
    # The loser is refused in pt-BR: line by line (it saw the winner's titles on its retry), or
    # as a whole when its retries ran out; never with a raw DuckDB error.
    assert all(isinstance(error, DomainError) for error in errors), errors
    losers = [report for report in reports if not report.ok]  # type: ignore[attr-defined]
    assert len(losers) + len(errors) == 1
    for report in losers:
        assert len(report.problems) == 200  # type: ignore[attr-defined]
        assert all("já " in message for _, message in report.problems)  # type: ignore[attr-defined]
    for error in errors:
        assert "já cadastrad" in error.message  # type: ignore[attr-defined]


# --- the keys themselves ---------------------------------------------------------------------


def _insert_title(tx: Tx, entity_id: int, number: str, title_type: str = "DP") -> None:
    tx.execute(
        "INSERT INTO receivables (prefix, number, installment, type, entity_id, issue_date,"
        " due_date, amount, balance, status, created_at, updated_at)"
        " VALUES ('KEY', ?, 1, ?, ?, DATE '2026-01-01', DATE '2026-02-01', 10, 10, 'aberto',"
        " ?, ?)",
        [number, title_type, entity_id, tx.now, tx.now],
    )


def test_a_duplicate_title_in_a_unit_of_work_is_refused_in_pt_br_and_nothing_is_written(
    db: Database, operator: User
) -> None:
    entity_id = factories.make_entity(db, operator)
    db.write(lambda tx: _insert_title(tx, entity_id, "000001"))

    def work(tx: Tx) -> None:
        _insert_title(tx, entity_id, "000002")  # fine on its own: must not stay
        _insert_title(tx, entity_id, "000001")

    with pytest.raises(AlreadyRegistered) as refused:
        db.write(work)

    assert "já cadastrado" in refused.value.message
    assert _count(db, "SELECT count(*) FROM receivables WHERE prefix = 'KEY'") == 1


def test_the_title_key_includes_the_type(db: Database, operator: User) -> None:
    entity_id = factories.make_entity(db, operator)

    db.write(lambda tx: _insert_title(tx, entity_id, "000001", "DP"))
    db.write(lambda tx: _insert_title(tx, entity_id, "000001", "BOL"))

    assert _count(db, "SELECT count(*) FROM receivables WHERE prefix = 'KEY'") == 2


def test_a_duplicate_document_written_straight_is_refused_in_pt_br(
    db: Database, operator: User
) -> None:
    first = factories.make_entity(db, operator)
    other = factories.make_entity(db, operator)

    with pytest.raises(AlreadyRegistered):
        db.write(
            lambda tx: tx.execute(
                "UPDATE entities SET document = (SELECT document FROM entities WHERE id = ?),"
                " version = version + 1 WHERE id = ?",
                [first, other],
            )
        )

    assert _count(db, "SELECT count(DISTINCT document) FROM entities WHERE id IN (?, ?)",
                  [first, other]) == 2  # fmt: skip


@pytest.mark.duckdb_only
def test_a_duplicate_found_only_at_commit_is_refused_in_pt_br_when_retries_run_out(
    db: Database, operator: User, all_commit_together: Callable[[int], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """Both transactions insert the key before either commits: the loser's COMMIT fails."""
    entity_id = factories.make_entity(db, operator)
    monkeypatch.setattr(Database, "CONSTRAINT_ATTEMPTS", 1)
    all_commit_together(2)

    def work(tx: Tx) -> None:
        _insert_title(tx, entity_id, "000009")
        audit.record(tx, operator, "teste.titulo", subject_type="titulo")

    done, errors = together(2, lambda n: db.write(work))

    assert len(done) == 1 and len(errors) == 1
    assert isinstance(errors[0], AlreadyRegistered), errors
    assert _count(db, "SELECT count(*) FROM receivables WHERE prefix = 'KEY'") == 1


def test_prospects_and_anonymised_entities_may_all_lack_a_document(
    db: Database, operator: User
) -> None:
    for _ in range(3):
        factories.make_entity(db, operator, kind="prospect", document=None)

    assert _count(db, "SELECT count(*) FROM entities WHERE document IS NULL") >= 3


def test_a_document_freed_in_a_unit_of_work_can_be_taken_in_the_same_one(
    db: Database, operator: User
) -> None:
    """DuckDB 2.0 handles an UPDATE of the key column inside a transaction (delete + insert)."""
    giver = factories.make_entity(db, operator)
    taker = factories.make_entity(db, operator)
    document = db.read(lambda tx: tx.scalar("SELECT document FROM entities WHERE id = ?", [giver]))

    def work(tx: Tx) -> None:
        tx.execute("UPDATE entities SET document = NULL, version = version + 1 WHERE id = ?",
                   [giver])  # fmt: skip
        tx.execute("UPDATE entities SET version = version + 1 WHERE id = ?", [taker])
        tx.execute("UPDATE entities SET document = ?, version = version + 1 WHERE id = ?",
                   [document, taker])  # fmt: skip

    db.write(work)

    assert (
        db.read(lambda tx: tx.scalar("SELECT id FROM entities WHERE document = ?", [document]))
        == taker
    )


# --- an existing file with duplicates ---------------------------------------------------------


@pytest.fixture
def before_the_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: Clock
) -> Iterator[Database]:
    """A database migrated up to 009, i.e. written before the keys existed."""
    folder = tmp_path / "migrations"
    folder.mkdir()
    for version, path in migrate.available_migrations():
        if version < 10:
            shutil.copy(path, folder / path.name)
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", folder)
    database = open_database(str(tmp_path / "old.duckdb"), clock)
    yield database
    database.close()


def test_an_existing_file_with_duplicates_stops_migration_010_with_the_codes_to_fix(
    before_the_keys: Database,
) -> None:
    db = before_the_keys
    ids = [
        db.write(
            lambda tx: tx.scalar(
                "INSERT INTO entities (kind, person_type, name, search_name, document,"
                " created_at, updated_at) VALUES ('cliente', 'F', 'Dup', 'dup', '52998224725',"
                " ?, ?) RETURNING id",
                [tx.now, tx.now],
            )
        )
        for _ in range(2)
    ]
    shutil.copy(
        Path(__file__).parents[2] / "core/db/migrations/010_unique_keys.sql", migrate.MIGRATIONS_DIR
    )

    with pytest.raises(duckdb.Error) as refused:
        migrate.migrate(db)

    assert "Migração 010" in str(refused.value)
    assert f"{ids[0]}, {ids[1]}" in str(refused.value)
    assert "52998224725" not in str(refused.value)  # codes, never the document, in a log
    assert db.read(lambda tx: tx.scalar("SELECT max(version) FROM schema_migrations")) == 9
    assert _count(db, "SELECT count(*) FROM duckdb_indexes() WHERE is_unique"
                      " AND index_name = 'entities_document_key'") == 0  # fmt: skip


def test_an_existing_file_with_duplicate_titles_stops_migration_010(
    before_the_keys: Database,
) -> None:
    db = before_the_keys
    for _ in range(2):
        db.write(
            lambda tx: tx.execute(
                "INSERT INTO receivables (prefix, number, installment, type, entity_id,"
                " issue_date, due_date, amount, balance, created_at, updated_at) VALUES"
                " ('LEG', '000123', 1, 'DP', 1, DATE '2026-01-01', DATE '2026-02-01', 10, 10,"
                " ?, ?)",
                [tx.now, tx.now],
            )
        )
    shutil.copy(
        Path(__file__).parents[2] / "core/db/migrations/010_unique_keys.sql", migrate.MIGRATIONS_DIR
    )

    with pytest.raises(duckdb.Error) as refused:
        migrate.migrate(db)

    assert "LEG 000123/1 DP" in str(refused.value)
    assert db.read(lambda tx: tx.scalar("SELECT max(version) FROM schema_migrations")) == 9
