"""Attendance groups and operators: validation, hierarchy, versions and audit."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from core import operators
from core.access import Routine, User
from core.db import Database
from core.errors import STALE_RECORD, Conflict, Forbidden, Invalid, NotFound
from core.operators import GroupInput, OperatorInput
from tests import factories


def _audit(db: Database, event: str) -> list[dict[str, Any]]:
    rows = db.read(
        lambda tx: tx.all(
            "SELECT user_id, subject_id, detail FROM audit_log WHERE event = ? ORDER BY id",
            [event],
        )
    )
    return [{**row, "detail": json.loads(row["detail"])} for row in rows]


def _group(db: Database, group_id: int) -> dict[str, Any]:
    row = db.read(lambda tx: tx.one("SELECT * FROM attendance_groups WHERE id = ?", [group_id]))
    assert row is not None
    return row


def _operator(db: Database, operator_id: int) -> dict[str, Any]:
    row = db.read(lambda tx: tx.one("SELECT * FROM operators WHERE id = ?", [operator_id]))
    assert row is not None
    return row


def _count(db: Database, table: str) -> int:
    return int(db.read(lambda tx: tx.scalar(f"SELECT count(*) FROM {table}")))


# --- groups ---------------------------------------------------------------------------------


def test_an_admin_creates_a_group_and_it_is_audited(db: Database, admin: User) -> None:
    group_id = operators.create_group(
        db, admin, GroupInput("  SAC   Receptivo ", "receptivo", 300, "12,5")
    )

    row = _group(db, group_id)
    assert (row["name"], row["direction"], row["ideal_seconds"]) == (
        "SAC Receptivo",
        "receptivo",
        300,
    )
    assert row["max_discount_pct"] == Decimal("12.50")
    (audit_row,) = _audit(db, "grupo.incluido")
    assert audit_row["detail"]["name"] == "SAC Receptivo"
    assert audit_row["detail"]["max_discount_pct"] == "12.50"


@pytest.mark.parametrize(
    ("seconds", "accepted"), [(9, False), (10, True), (14_400, True), (14_401, False)]
)
def test_the_ideal_time_must_be_between_ten_seconds_and_four_hours(
    db: Database, admin: User, seconds: int, accepted: bool
) -> None:
    data = GroupInput(f"Grupo {seconds}", ideal_seconds=seconds)

    if accepted:
        assert operators.create_group(db, admin, data) > 0
    else:
        with pytest.raises(Invalid) as refused:
            operators.create_group(db, admin, data)
        assert refused.value.problems == {
            "ideal_seconds": "tempo ideal deve ficar entre 10 segundos e 4 horas"
        }
        assert _count(db, "attendance_groups") == 0


@pytest.mark.parametrize(
    ("discount", "accepted"),
    [
        ("0", True),
        ("100", True),
        (Decimal("99.99"), True),
        ("-0,01", False),
        ("100,01", False),
        ("abc", False),
    ],
)
def test_the_maximum_discount_must_be_between_zero_and_one_hundred_percent(
    db: Database, admin: User, discount: object, accepted: bool
) -> None:
    data = GroupInput("Televendas", max_discount_pct=discount)  # type: ignore[arg-type]

    if accepted:
        group_id = operators.create_group(db, admin, data)
        assert _group(db, group_id)["max_discount_pct"] == Decimal(str(discount))
    else:
        with pytest.raises(Invalid) as refused:
            operators.create_group(db, admin, data)
        assert "max_discount_pct" in refused.value.problems


def test_a_group_direction_must_be_ativo_receptivo_or_ambos(db: Database, admin: User) -> None:
    with pytest.raises(Invalid) as refused:
        operators.create_group(db, admin, GroupInput("Grupo Lateral", direction="lateral"))

    assert "direction" in refused.value.problems


def test_group_names_are_unique_ignoring_case(db: Database, admin: User) -> None:
    operators.create_group(db, admin, GroupInput("Cobrança"))

    with pytest.raises(Invalid) as refused:
        operators.create_group(db, admin, GroupInput("COBRANÇA"))

    assert refused.value.problems == {"name": "já existe um grupo com este nome"}


def test_a_group_may_not_be_its_own_parent(db: Database, admin: User) -> None:
    group_id = operators.create_group(db, admin, GroupInput("Raiz"))

    with pytest.raises(Invalid) as refused:
        operators.update_group(db, admin, group_id, 1, GroupInput("Raiz", parent_id=group_id))

    assert "parent_id" in refused.value.problems


def test_a_group_may_not_hang_below_its_own_subgroup(db: Database, admin: User) -> None:
    top = operators.create_group(db, admin, GroupInput("Diretoria"))
    middle = operators.create_group(db, admin, GroupInput("Gerência", parent_id=top))
    bottom = operators.create_group(db, admin, GroupInput("Equipe", parent_id=middle))

    with pytest.raises(Invalid) as refused:
        operators.update_group(db, admin, top, 1, GroupInput("Diretoria", parent_id=bottom))

    assert refused.value.problems == {
        "parent_id": "o grupo superior não pode ser um subgrupo deste"
    }
    assert _group(db, top)["parent_id"] is None


def test_a_group_may_move_under_a_sibling(db: Database, admin: User) -> None:
    top = operators.create_group(db, admin, GroupInput("Diretoria"))
    left = operators.create_group(db, admin, GroupInput("Esquerda", parent_id=top))
    right = operators.create_group(db, admin, GroupInput("Direita", parent_id=top))

    operators.update_group(db, admin, right, 1, GroupInput("Direita", parent_id=left))

    assert _group(db, right)["parent_id"] == left


def test_a_parent_group_must_exist(db: Database, admin: User) -> None:
    with pytest.raises(Invalid) as refused:
        operators.create_group(db, admin, GroupInput("Órfão", parent_id=999))

    assert refused.value.problems == {"parent_id": "grupo superior inexistente"}


def test_a_group_update_is_audited_with_old_and_new_values(db: Database, admin: User) -> None:
    group_id = operators.create_group(db, admin, GroupInput("Cobrança", ideal_seconds=300))

    operators.update_group(db, admin, group_id, 1, GroupInput("Cobrança", ideal_seconds=360))

    (row,) = _audit(db, "grupo.alterado")
    assert row["detail"] == {"ideal_seconds": {"de": 300, "para": 360}}
    assert _group(db, group_id)["version"] == 2


def test_a_group_update_on_a_stale_version_is_a_conflict(db: Database, admin: User) -> None:
    group_id = operators.create_group(db, admin, GroupInput("Cobrança"))
    operators.update_group(db, admin, group_id, 1, GroupInput("Cobrança", ideal_seconds=200))

    with pytest.raises(Conflict) as refused:
        operators.update_group(db, admin, group_id, 1, GroupInput("Cobrança", ideal_seconds=900))

    assert refused.value.message == STALE_RECORD
    assert _group(db, group_id)["ideal_seconds"] == 200


def test_the_main_group_of_an_active_operator_may_not_be_deactivated(
    db: Database, admin: User
) -> None:
    group_id = factories.make_group(db, "Em Uso")
    factories.make_operator(db, group_id=group_id)

    with pytest.raises(Invalid, match="principal de 1 operador"):
        operators.update_group(db, admin, group_id, 1, GroupInput("Em Uso", active=False))

    assert _group(db, group_id)["active"] is True


def test_updating_an_unknown_group_is_not_found(db: Database, admin: User) -> None:
    with pytest.raises(NotFound):
        operators.update_group(db, admin, 999, 1, GroupInput("Fantasma"))


def test_only_an_admin_manages_groups_and_operators(
    db: Database, supervisor: User, multi_operator: User
) -> None:
    group_id = factories.default_group(db)
    for actor in (supervisor, multi_operator):
        for attempt in (
            lambda actor=actor: operators.create_group(db, actor, GroupInput("Novo Grupo")),
            lambda actor=actor: operators.list_groups(db, actor),
            lambda actor=actor: operators.list_operators(db, actor),
            lambda actor=actor: operators.create_operator(
                db, actor, OperatorInput("X1", actor.id, group_id, frozenset(Routine))
            ),
        ):
            with pytest.raises(Forbidden):
                attempt()

    assert _count(db, "attendance_groups") == 1
    assert len(_audit(db, "acesso.negado")) == 8


def test_the_group_list_shows_the_parent_name(db: Database, admin: User) -> None:
    top = operators.create_group(db, admin, GroupInput("Central"))
    operators.create_group(db, admin, GroupInput("Filial", parent_id=top))

    rows = {row["name"]: row for row in operators.list_groups(db, admin).iter_rows(named=True)}

    assert rows["Filial"]["parent_name"] == "Central"
    assert rows["Central"]["parent_name"] is None
    assert operators.group_choices(db, admin) == {top: "Central", top + 1: "Filial"}


# --- operators ------------------------------------------------------------------------------


@pytest.fixture
def groups(db: Database) -> tuple[int, int]:
    return factories.make_group(db, "Principal"), factories.make_group(db, "Adicional")


def test_an_admin_makes_a_user_an_operator_with_chosen_routines(
    db: Database, admin: User, plain_user: User, groups: tuple[int, int]
) -> None:
    main, extra = groups

    operator_id = operators.create_operator(
        db,
        admin,
        OperatorInput(
            " op7 ",
            plain_user.id,
            main,
            frozenset({Routine.TELEVENDAS}),
            extra_group_ids=(extra, main),
        ),
    )

    user = factories.reload(db, plain_user)
    assert user.operator is not None and user.operator.id == operator_id
    assert user.operator.code == "OP7"
    assert user.routines == frozenset({Routine.TELEVENDAS})
    assert user.operator.group_ids == (main, extra)
    (row,) = _audit(db, "operador.incluido")
    assert row["detail"]["televendas"] is True
    assert row["detail"]["grupos_adicionais"] == [extra]  # the main group is not an extra one


def test_an_operator_needs_at_least_one_routine(
    db: Database, admin: User, plain_user: User, groups: tuple[int, int]
) -> None:
    with pytest.raises(Invalid) as refused:
        operators.create_operator(db, admin, OperatorInput("OP1", plain_user.id, groups[0]))

    assert refused.value.problems == {"routines": "um operador precisa de ao menos uma rotina"}
    assert _count(db, "operators") == 0


def test_a_supervisor_may_have_no_routine(
    db: Database, admin: User, plain_user: User, groups: tuple[int, int]
) -> None:
    operators.create_operator(
        db, admin, OperatorInput("SUP1", plain_user.id, groups[0], role="supervisor")
    )

    assert factories.reload(db, plain_user).is_supervisor


def test_operator_codes_are_unique_and_well_formed(
    db: Database, admin: User, operator: User, plain_user: User, groups: tuple[int, int]
) -> None:
    assert operator.operator is not None
    taken = operator.operator.code

    with pytest.raises(Invalid) as duplicate:
        operators.create_operator(
            db, admin, OperatorInput(taken.lower(), plain_user.id, groups[0], frozenset(Routine))
        )
    with pytest.raises(Invalid) as malformed:
        operators.create_operator(
            db, admin, OperatorInput("OP-1", plain_user.id, groups[0], frozenset(Routine))
        )

    assert duplicate.value.problems == {"code": "já existe um operador com este código"}
    assert "code" in malformed.value.problems


def test_a_user_may_be_only_one_operator(
    db: Database, admin: User, operator: User, groups: tuple[int, int]
) -> None:
    with pytest.raises(Invalid) as refused:
        operators.create_operator(
            db, admin, OperatorInput("OP99", operator.id, groups[0], frozenset(Routine))
        )

    assert refused.value.problems == {"user_id": "este usuário já é outro operador"}


def test_an_operator_needs_an_active_user_and_active_groups(
    db: Database, admin: User, plain_user: User, groups: tuple[int, int]
) -> None:
    main, extra = groups
    db.write(
        lambda tx: tx.execute("UPDATE attendance_groups SET active = FALSE WHERE id = ?", [extra])
    )

    with pytest.raises(Invalid) as refused:
        operators.create_operator(
            db,
            admin,
            OperatorInput("OP5", 999, extra, frozenset(Routine), extra_group_ids=(extra,)),
        )

    assert set(refused.value.problems) == {"user_id", "main_group_id", "extra_group_ids"}
    assert main in operators.group_choices(db, admin)
    assert extra not in operators.group_choices(db, admin)


def test_an_operator_update_changes_routines_and_audits_old_and_new_values(
    db: Database, admin: User, operator: User, groups: tuple[int, int]
) -> None:
    main, extra = groups
    assert operator.operator is not None
    operator_id = operator.operator.id
    before = _operator(db, operator_id)

    operators.update_operator(
        db,
        admin,
        operator_id,
        before["version"],
        OperatorInput(
            before["code"],
            operator.id,
            main,
            frozenset({Routine.TELECOBRANCA}),
            extra_group_ids=(extra,),
        ),
    )

    reloaded = factories.reload(db, operator)
    assert reloaded.routines == frozenset({Routine.TELECOBRANCA})
    assert reloaded.operator is not None and reloaded.operator.group_ids == (main, extra)
    (row,) = _audit(db, "operador.alterado")
    assert row["detail"] == {
        "main_group_id": {"de": before["main_group_id"], "para": main},
        "telemarketing": {"de": True, "para": False},
        "telecobranca": {"de": False, "para": True},
        "grupos_adicionais": {"de": [], "para": [extra]},
    }


def test_an_operator_update_on_a_stale_version_is_a_conflict(
    db: Database, admin: User, operator: User, groups: tuple[int, int]
) -> None:
    assert operator.operator is not None
    operator_id = operator.operator.id
    row = _operator(db, operator_id)
    data = OperatorInput(row["code"], operator.id, groups[0], frozenset(Routine))
    operators.update_operator(db, admin, operator_id, row["version"], data)

    with pytest.raises(Conflict):
        operators.update_operator(
            db,
            admin,
            operator_id,
            row["version"],
            OperatorInput(row["code"], operator.id, groups[1], frozenset(Routine)),
        )

    assert _operator(db, operator_id)["main_group_id"] == groups[0]


def test_updating_an_unknown_operator_is_not_found(
    db: Database, admin: User, plain_user: User, groups: tuple[int, int]
) -> None:
    with pytest.raises(NotFound):
        operators.update_operator(
            db, admin, 999, 1, OperatorInput("OP1", plain_user.id, groups[0], frozenset(Routine))
        )


def test_deactivating_an_operator_takes_away_its_routines(
    db: Database, admin: User, operator: User, groups: tuple[int, int]
) -> None:
    assert operator.operator is not None
    row = _operator(db, operator.operator.id)

    operators.update_operator(
        db,
        admin,
        row["id"],
        row["version"],
        OperatorInput(
            row["code"], operator.id, row["main_group_id"], operator.routines, active=False
        ),
    )

    assert factories.reload(db, operator).routines == frozenset()


def test_the_operator_list_joins_user_and_groups(
    db: Database, admin: User, groups: tuple[int, int]
) -> None:
    main, extra = groups
    user = factories.make_operator(db, group_id=main, extra_group_ids=[extra], code="OP10")

    (row,) = operators.list_operators(db, admin).iter_rows(named=True)

    assert (row["code"], row["username"], row["main_group"]) == ("OP10", user.username, "Principal")
    assert row["extra_groups"] == "Adicional"
    assert list(row["extra_group_ids"]) == [extra]
    assert operators.user_choices(db, admin)[user.id] == f"{user.username} – {user.name}"


@pytest.mark.parametrize(
    ("routines", "label"),
    [
        (frozenset(Routine), "Todas"),
        (frozenset(), "Nenhuma"),
        (frozenset({Routine.TELECOBRANCA, Routine.TELEMARKETING}), "Telemarketing, Telecobrança"),
    ],
)
def test_routines_are_labelled_in_portuguese(routines: frozenset[Routine], label: str) -> None:
    assert operators.routines_label(routines) == label


def test_a_group_works_the_routines_it_lists_and_a_call_outside_them_is_refused(
    db: Database, admin: User
) -> None:
    from core import calls

    with pytest.raises(Invalid, match="ao menos uma rotina"):
        operators.create_group(db, admin, GroupInput("Sem rotina", routines=frozenset()))
    collections = operators.create_group(
        db, admin, GroupInput("Só cobrança", routines=frozenset({Routine.TELECOBRANCA}))
    )
    listed = operators.list_groups(db, admin).filter(id=collections).row(0, named=True)
    assert (listed["telemarketing"], listed["televendas"], listed["telecobranca"]) == (
        False,
        False,
        True,
    )
    operator = factories.make_operator(db, "cobra_tudo", group_id=collections)
    entity_id = factories.make_entity(db, admin)

    with pytest.raises(Invalid, match="Só cobrança não trabalha a rotina Telemarketing"):
        calls.start_call(db, operator, Routine.TELEMARKETING, entity_id)
    assert calls.current_call(db, operator) is None
    call = calls.start_call(db, operator, Routine.TELECOBRANCA, entity_id)
    assert call.routine is Routine.TELECOBRANCA
