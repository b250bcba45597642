"""The in-memory copy behind the name search (core/entity_names.py) stays in step with the table:
whatever changed since it was loaded, a search answers exactly what the SQL scan would."""

from __future__ import annotations

import threading
import time
from functools import partial
from typing import Any

import pytest

from core import data_subjects, entities, entity_names
from core.access import User
from core.db import Database, Tx, open_database
from core.entities import search_entities
from core.validation import search_key
from tests import factories
from tests.factories import entity_input, make_entity


def _names(db: Database, user: User, text: str, **options: Any) -> list[str]:
    return search_entities(db, user, text, **options).rows["name"].to_list()


def _scanned(tx: Tx, key: str, kind: str | None, limit: int, offset: int) -> tuple[list[int], int]:
    """What the search answered before the copy existed: DuckDB scanning every name."""
    where = "strpos(search_name, ?) > 0" + (" AND kind = ?" if kind else "")
    params: list[Any] = [key, kind] if kind else [key]
    ids = tx.all(
        f"SELECT id FROM entities WHERE {where} ORDER BY search_name, id LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    total = tx.scalar(f"SELECT count(*) FROM entities WHERE {where}", params)
    return [row["id"] for row in ids], int(total)


def _answers_like_the_scan(db: Database) -> None:
    for key, kind in [("silva", None), ("silva", "prospect"), ("a", None), ("souza", "cliente")]:
        for offset in (0, 2, 4):
            answered, scanned = db.read(partial(_both, key=key, kind=kind, offset=offset))
            assert answered == scanned, (key, kind, offset)


def _both(tx: Tx, key: str, kind: str | None, offset: int) -> tuple[object, object]:
    page, total = entity_names.matching_page(tx, key, kind, 3, offset)
    return (page["id"].to_list(), total), _scanned(tx, key, kind, 3, offset)


def test_a_new_entity_is_found_by_the_next_search(db: Database, operator: User) -> None:
    make_entity(db, operator, name="Ana Silva")
    assert _names(db, operator, "silva") == ["Ana Silva"]  # the copy is loaded here

    make_entity(db, operator, name="Bruno Silva")

    assert _names(db, operator, "silva") == ["Ana Silva", "Bruno Silva"]


def test_a_renamed_entity_is_found_only_by_its_new_name(db: Database, operator: User) -> None:
    entity_id = make_entity(db, operator, name="Carla Mendes")
    assert _names(db, operator, "mendes") == ["Carla Mendes"]

    entities.update_entity(db, operator, entity_id, 1, entity_input(name="Carla Rocha"))

    assert _names(db, operator, "mendes") == []
    assert _names(db, operator, "rocha") == ["Carla Rocha"]


def test_an_anonymised_person_is_no_longer_found_by_name(db: Database, admin: User) -> None:
    entity_id = make_entity(db, admin, name="Daniela Prado")
    assert _names(db, admin, "prado") == ["Daniela Prado"]

    data_subjects.anonymize_subject(db, admin, entity_id, "Pedido do titular, protocolo 9")

    assert _names(db, admin, "prado") == []
    assert _names(db, admin, "anonimizado") == [f"Titular anonimizado nº {entity_id}"]


def test_pages_and_totals_match_the_scan_through_inserts_and_changes(
    db: Database, operator: User
) -> None:
    names = ["Ana Silva", "Bia Souza", "Caio Silva", "Davi Souza", "Eva Silva", "Ivo Silveira"]
    ids = [make_entity(db, operator, name=name) for name in names]
    make_entity(db, operator, name="Gil Silva", kind="prospect", document=None)
    _answers_like_the_scan(db)

    # Changes through SQL, as any writer that bumps the version would make them.
    db.write(lambda tx: tx.execute(
        "UPDATE entities SET search_name = 'aaron silva', version = version + 1 WHERE id = ?",
        [ids[3]]))  # fmt: skip
    make_entity(db, operator, name="Hugo Silva")
    _answers_like_the_scan(db)

    db.write(lambda tx: tx.execute(
        "UPDATE entities SET kind = 'prospect', version = version + 1 WHERE id = ?",
        [ids[0]]))  # fmt: skip
    _answers_like_the_scan(db)


def test_many_changes_reload_the_whole_copy_and_still_answer_right(
    db: Database, operator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(entity_names, "MAX_CHANGED", 2)
    for name in ["Ana Silva", "Bia Souza", "Caio Silva"]:
        make_entity(db, operator, name=name)
    _answers_like_the_scan(db)

    for name in ["Davi Silva", "Eva Souza", "Fabio Silva"]:
        make_entity(db, operator, name=name)
    loaded = db.memo[entity_names._MEMO]

    _answers_like_the_scan(db)
    reloaded = db.memo[entity_names._MEMO]
    assert reloaded.patch.height == 0 and reloaded.base.height == loaded.base.height + 3


def test_an_unchanged_table_reuses_the_copy(db: Database, operator: User) -> None:
    make_entity(db, operator, name="Ana Silva")
    _names(db, operator, "silva")
    loaded = db.memo[entity_names._MEMO]

    _names(db, operator, "ana")

    assert db.memo[entity_names._MEMO] is loaded


def test_a_transactions_uncommitted_changes_never_reach_other_searches(
    db: Database, operator: User
) -> None:
    entity_id = make_entity(db, operator, name="Ana Silva")
    _names(db, operator, "silva")

    def rename_then_fail(tx: Tx) -> None:
        tx.execute(
            "UPDATE entities SET name = 'Fantasma Silva', search_name = 'fantasma silva',"
            " version = version + 1 WHERE id = ?",
            [entity_id],
        )
        page, total = entity_names.matching_page(tx, search_key("silva"), None, 10, 0)
        assert (page["name"].to_list(), total) == (["Fantasma Silva"], 1)
        raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        db.write(rename_then_fail)
    # The same count, id and version sum as the rolled-back rename: the table's fingerprint
    # alone could not tell a copy that had kept that rename.
    entities.update_entity(db, operator, entity_id, 1, entity_input(name="Ana Silva Costa"))

    assert _names(db, operator, "silva") == ["Ana Silva Costa"]


def test_the_copy_can_be_loaded_ahead_in_the_background(db: Database, operator: User) -> None:
    make_entity(db, operator, name="Ana Silva")

    entity_names.load_in_background(db)
    deadline = time.monotonic() + 30
    while entity_names._MEMO not in db.memo:
        assert time.monotonic() < deadline, "the copy was never loaded"
        time.sleep(0.01)

    loaded = db.memo[entity_names._MEMO]
    assert loaded.base["name"].to_list() == ["Ana Silva"]
    assert _names(db, operator, "silva") == ["Ana Silva"]
    assert db.memo[entity_names._MEMO] is loaded


def test_a_rename_committed_while_the_copy_caught_up_is_found_next(
    db: Database, operator: User
) -> None:
    """The copy catches up while another session's rename is written but not committed: it
    must not count that rename as seen (PostgreSQL's horizon, DuckDB's fingerprint)."""
    entity_id = make_entity(db, operator, name="Ana Silva")
    assert _names(db, operator, "silva") == ["Ana Silva"]
    written, release = threading.Event(), threading.Event()

    def rename_and_wait(tx: Tx) -> None:
        tx.execute(
            "UPDATE entities SET name = 'Ana Moura', search_name = 'ana moura',"
            " version = version + 1 WHERE id = ?",
            [entity_id],
        )
        written.set()
        assert release.wait(30)

    writer = threading.Thread(target=db.write, args=(rename_and_wait,))
    writer.start()
    try:
        assert written.wait(30)
        make_entity(db, operator, name="Bia Silva")  # moves the table on meanwhile
        assert _names(db, operator, "silva") == ["Ana Silva", "Bia Silva"]
    finally:
        release.set()
        writer.join()

    assert _names(db, operator, "silva") == ["Bia Silva"]
    assert _names(db, operator, "moura") == ["Ana Moura"]


def test_a_rename_through_another_server_is_found_at_the_next_search(
    pg_db: Database,
) -> None:
    """Two app servers on one PostgreSQL: each keeps its own copy, and the copy of one sees
    what the other wrote, from the database alone."""
    operator = factories.make_operator(pg_db, username="operador", personal=True)
    entity_id = make_entity(pg_db, operator, name="Carla Mendes")
    other_server = open_database(pg_db.url)  # type: ignore[attr-defined]
    try:
        assert _names(other_server, operator, "mendes") == ["Carla Mendes"]

        entities.update_entity(pg_db, operator, entity_id, 1, entity_input(name="Carla Rocha"))
        make_entity(pg_db, operator, name="Davi Mendes")

        assert _names(other_server, operator, "mendes") == ["Davi Mendes"]
        assert _names(other_server, operator, "rocha") == ["Carla Rocha"]
    finally:
        other_server.close()
