"""Named parameters [SX6] such as MV_ALTPED: typed values, versions, audit, admin only."""

from __future__ import annotations

import json

import pytest

from core import parameters
from core.access import User
from core.db import Database
from core.errors import STALE_RECORD, Conflict, Forbidden, Invalid, NotFound
from tests.conftest import Clock


def _mv_altped(db: Database) -> dict[str, object]:
    row = db.read(
        lambda tx: tx.one(
            "SELECT value, version, updated_at, updated_by FROM parameters WHERE name = 'MV_ALTPED'"
        )
    )
    assert row is not None
    return row


def _add(db: Database, name: str, kind: str, value: str) -> None:
    db.write(
        lambda tx: tx.execute(
            "INSERT INTO parameters (name, kind, value, description) VALUES (?, ?, ?, ?)",
            [name, kind, value, f"Parâmetro de teste {name}."],
        )
    )


def test_mv_altped_starts_as_n_so_invoiced_orders_are_read_only(db: Database) -> None:
    assert parameters.get_value(db, "MV_ALTPED") == "N"
    assert not parameters.is_yes(db, "MV_ALTPED")


def test_an_admin_sets_mv_altped_to_s_and_the_change_is_stamped_and_audited(
    db: Database, admin: User, clock: Clock
) -> None:
    parameters.set_parameter(db, admin, "MV_ALTPED", 1, " s ")

    assert parameters.is_yes(db, "MV_ALTPED")
    assert _mv_altped(db) == {
        "value": "S",
        "version": 2,
        "updated_at": clock.now,
        "updated_by": admin.username,
    }
    (row,) = db.read(
        lambda tx: tx.all(
            "SELECT user_id, subject_id, detail FROM audit_log WHERE event = 'parametro.alterado'"
        )
    )
    assert (row["user_id"], row["subject_id"]) == (admin.id, "MV_ALTPED")
    assert json.loads(row["detail"]) == {"valor": {"de": "N", "para": "S"}}


@pytest.mark.parametrize("value", ["X", "sim", "1", ""])
def test_mv_altped_accepts_only_s_or_n(db: Database, admin: User, value: str) -> None:
    with pytest.raises(Invalid, match="apenas S \\(sim\\) ou N \\(não\\)"):
        parameters.set_parameter(db, admin, "MV_ALTPED", 1, value)

    assert _mv_altped(db)["value"] == "N"
    assert _mv_altped(db)["version"] == 1


def test_a_stale_parameter_version_is_a_conflict_and_changes_nothing(
    db: Database, admin: User
) -> None:
    parameters.set_parameter(db, admin, "MV_ALTPED", 1, "S")

    with pytest.raises(Conflict) as refused:
        parameters.set_parameter(db, admin, "MV_ALTPED", 1, "N")

    assert refused.value.message == STALE_RECORD
    assert _mv_altped(db)["value"] == "S"


def test_only_an_admin_may_change_or_list_parameters(
    db: Database, supervisor: User, multi_operator: User
) -> None:
    for actor in (supervisor, multi_operator):
        with pytest.raises(Forbidden):
            parameters.set_parameter(db, actor, "MV_ALTPED", 1, "S")
        with pytest.raises(Forbidden):
            parameters.list_parameters(db, actor)

    assert _mv_altped(db)["value"] == "N"
    denied = db.read(
        lambda tx: tx.scalar("SELECT count(*) FROM audit_log WHERE event = 'acesso.negado'")
    )
    assert denied == 4


def test_an_unknown_parameter_is_not_found(db: Database, admin: User) -> None:
    with pytest.raises(NotFound, match="MV_NAOEXISTE"):
        parameters.get_value(db, "MV_NAOEXISTE")
    with pytest.raises(NotFound):
        parameters.set_parameter(db, admin, "MV_NAOEXISTE", 1, "S")


def test_a_numeric_parameter_accepts_a_decimal_comma_and_stores_a_point(
    db: Database, admin: User
) -> None:
    _add(db, "MV_TESTNUM", "numero", "1")

    parameters.set_parameter(db, admin, "MV_TESTNUM", 1, "2,5")

    assert parameters.get_value(db, "MV_TESTNUM") == "2.5"
    with pytest.raises(Invalid, match="apenas números"):
        parameters.set_parameter(db, admin, "MV_TESTNUM", 2, "dois")


def test_a_text_parameter_may_not_be_blank(db: Database, admin: User) -> None:
    _add(db, "MV_TESTTXT", "texto", "abc")

    with pytest.raises(Invalid, match="Informe um valor"):
        parameters.set_parameter(db, admin, "MV_TESTTXT", 1, "   ")

    parameters.set_parameter(db, admin, "MV_TESTTXT", 1, " novo valor ")
    assert parameters.get_value(db, "MV_TESTTXT") == "novo valor"


def test_admins_find_parameters_by_their_original_name_or_description(
    db: Database, admin: User
) -> None:
    _add(db, "MV_TESTTXT", "texto", "abc")

    by_name = parameters.list_parameters(db, admin, "altped")
    by_description = parameters.list_parameters(db, admin, "faturados")
    everything = parameters.list_parameters(db, admin)

    assert by_name["name"].to_list() == ["MV_ALTPED"]
    assert by_description["name"].to_list() == ["MV_ALTPED"]
    assert everything["name"].to_list() == sorted(everything["name"].to_list())
    assert {"MV_ALTPED", "MV_TESTTXT", "MV_TLCMULT"} <= set(everything["name"].to_list())
