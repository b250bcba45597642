"""The permission policy, per role, and the one gate every core action passes."""

from __future__ import annotations

import json

import pytest

from core.access import Action, Routine, User, allowed, require
from core.db import Database
from core.errors import Forbidden
from tests import factories

A = Action
ADMINISTRATION = {
    A.MANAGE_USERS,
    A.MANAGE_OPERATORS,
    A.MANAGE_PARAMETERS,
    A.MANAGE_STATIONS,
    A.MANAGE_PRIVACY,
}
ENTITIES = {A.HOME, A.VIEW_ENTITIES, A.EDIT_ENTITIES}
ROUTINES = {A.ATTEND_TELEMARKETING, A.ATTEND_TELEVENDAS, A.ATTEND_TELECOBRANCA}
# The foundation's actions; each routine module's own actions are tested beside that module.
FOUNDATION = ENTITIES | ADMINISTRATION | ROUTINES | {A.ATTEND, A.SUPERVISE}

EXPECTED: dict[str, set[Action]] = {
    # Admin administers and supervises; it does not work calls.
    "admin": ENTITIES | ADMINISTRATION | {A.SUPERVISE},
    "supervisor": ENTITIES | {A.SUPERVISE},
    "operator_telemarketing": ENTITIES | {A.ATTEND, A.ATTEND_TELEMARKETING},
    "operator_televendas": ENTITIES | {A.ATTEND, A.ATTEND_TELEVENDAS},
    "operator_all_routines": ENTITIES | ROUTINES | {A.ATTEND},
    "user_without_operator": {A.HOME},
}


def _user(db: Database, role: str) -> User:
    if role == "admin":
        return factories.make_admin(db)
    if role == "supervisor":
        return factories.make_supervisor(db)
    if role == "operator_telemarketing":
        return factories.make_operator(db, routines={Routine.TELEMARKETING})
    if role == "operator_televendas":
        return factories.make_operator(db, routines={Routine.TELEVENDAS})
    if role == "operator_all_routines":
        return factories.make_operator(db, routines=set(Routine))
    return factories.make_user(db)


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_may_do_exactly_what_the_policy_table_grants(db: Database, role: str) -> None:
    user = _user(db, role)

    granted = {action for action in FOUNDATION if allowed(user, action)}

    assert granted == EXPECTED[role]


def test_nobody_logged_in_may_do_anything() -> None:
    assert not any(allowed(None, action) for action in Action)


def test_an_operator_with_one_routine_sees_only_that_routine(db: Database) -> None:
    user = factories.make_operator(db, routines={Routine.TELECOBRANCA})

    assert user.routines == frozenset({Routine.TELECOBRANCA})
    assert allowed(user, A.ATTEND_TELECOBRANCA)
    assert not allowed(user, A.ATTEND_TELEMARKETING)
    assert not allowed(user, A.ATTEND_TELEVENDAS)


def test_a_supervisor_who_also_works_a_routine_may_attend_it(db: Database) -> None:
    user = factories.make_supervisor(db, routines={Routine.TELEVENDAS})

    assert allowed(user, A.SUPERVISE)
    assert allowed(user, A.ATTEND_TELEVENDAS)
    assert not allowed(user, A.ATTEND_TELEMARKETING)
    assert not allowed(user, A.MANAGE_USERS)


def test_an_inactive_operator_record_grants_no_routine(db: Database) -> None:
    user = factories.make_operator(db, routines=set(Routine))
    db.write(
        lambda tx: tx.execute("UPDATE operators SET active = FALSE WHERE user_id = ?", [user.id])
    )

    reloaded = factories.reload(db, user)

    assert reloaded.operator is None
    assert not allowed(reloaded, A.ATTEND)


def _audit_rows(db: Database, event: str) -> list[dict[str, object]]:
    return db.read(
        lambda tx: tx.all(
            "SELECT user_id, username, subject_type, subject_id, detail FROM audit_log"
            " WHERE event = ? ORDER BY id",
            [event],
        )
    )


def test_require_lets_an_allowed_user_through_without_auditing_a_refusal(
    db: Database, admin: User
) -> None:
    assert require(db, admin, A.MANAGE_USERS) is admin
    assert _audit_rows(db, "acesso.negado") == []


def test_a_refused_action_raises_forbidden_and_is_audited(db: Database, operator: User) -> None:
    with pytest.raises(Forbidden, match="Acesso negado: você não tem permissão para"):
        require(db, operator, A.MANAGE_PARAMETERS, "parâmetros")

    rows = _audit_rows(db, "acesso.negado")
    assert len(rows) == 1
    assert rows[0]["user_id"] == operator.id
    assert rows[0]["username"] == operator.username
    assert rows[0]["subject_type"] == "acao"
    assert rows[0]["subject_id"] == "manage_parameters"
    assert json.loads(str(rows[0]["detail"])) == {"recurso": "parâmetros"}


def test_the_refusal_message_names_the_action_in_portuguese(db: Database, plain_user: User) -> None:
    with pytest.raises(Forbidden) as refused:
        require(db, plain_user, A.ATTEND_TELECOBRANCA)

    assert refused.value.message == (
        "Acesso negado: você não tem permissão para usar a rotina Telecobrança."
    )


def test_an_anonymous_refusal_is_audited_as_anonymous(db: Database) -> None:
    with pytest.raises(Forbidden):
        require(db, None, A.HOME)

    rows = _audit_rows(db, "acesso.negado")
    assert [(row["user_id"], row["username"]) for row in rows] == [(None, "(anônimo)")]


def test_every_action_has_a_rule_and_a_portuguese_label(db: Database) -> None:
    user = factories.make_operator(db)

    for action in Action:
        assert action.label, action
        assert allowed(user, action) in (True, False)  # a missing rule would raise KeyError
    assert {routine.label for routine in Routine} == {"Telemarketing", "Televendas", "Telecobrança"}
