"""The demo seed: its users and grants, valid pt-BR data, deterministic, and only once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from validate_docbr import CNPJ, CPF

from core import demo
from core.access import Routine
from core.auth import check_login
from core.config import Settings
from core.db import Database, open_database
from core.validation import Problems, clean_email, clean_phone, clean_state, clean_zip
from tests.conftest import Clock
from tests.factories import load_user, make_admin

ALL = frozenset(Routine)


def _seed(db: Database, customers: int = 20, prospects: int = 5) -> None:
    """A small demo; the Telemarketing history is the telemarketing tests' business."""
    demo.seed_demo(db, customers=customers, prospects=prospects, history=0)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """One small demo shared by this module's tests, which only read it (or log in)."""
    database = open_database(str(tmp_path_factory.mktemp("demo") / "demo.duckdb"), Clock())
    _seed(database)
    try:
        yield database
    finally:
        database.close()


def _entities(db: Database) -> list[dict[str, Any]]:
    return db.read(
        lambda tx: tx.all(
            "SELECT kind, person_type, name, document, phone, mobile, email, state, zip_code"
            " FROM entities ORDER BY id"
        )
    )


def _document_is_valid(row: dict[str, Any]) -> bool:
    validator = CPF() if row["person_type"] == "F" else CNPJ()
    expected_length = 11 if row["person_type"] == "F" else 14
    return len(row["document"] or "") == expected_length and validator.validate(row["document"])


def test_the_demo_creates_the_six_documented_users(seeded: Database) -> None:
    usernames = seeded.read(
        lambda tx: [r["username"] for r in tx.all("SELECT username FROM users")]
    )

    assert sorted(usernames) == sorted(["admin", "sofia", "ana", "bruno", "carla", "diego"])
    assert [user.username for user in demo.DEMO_USERS] == [
        "admin",
        "sofia",
        "ana",
        "bruno",
        "carla",
        "diego",
    ]


@pytest.mark.parametrize("expected", demo.DEMO_USERS, ids=lambda user: user.username)
def test_each_demo_user_gets_the_role_routines_and_accesses_documented(
    seeded: Database, expected: demo.DemoUser
) -> None:
    user = load_user(seeded, expected.username)

    assert user.name == expected.name
    assert user.is_admin == (expected.role == "admin")
    assert user.routines == expected.routines
    assert user.is_supervisor == (expected.role == "supervisor")
    assert user.personal_access == expected.personal
    assert user.sensitive_access == expected.sensitive
    if expected.group is None:
        assert user.operator is None
    else:
        assert user.operator is not None
        assert user.operator.main_group_name == expected.group


def test_demo_routines_match_the_brief(seeded: Database) -> None:
    routines = {
        name: load_user(seeded, name).routines
        for name in ("sofia", "ana", "bruno", "carla", "diego")
    }

    assert routines == {
        "sofia": ALL,
        "ana": frozenset({Routine.TELEMARKETING}),
        "bruno": frozenset({Routine.TELEVENDAS}),
        "carla": frozenset({Routine.TELECOBRANCA}),
        "diego": ALL,
    }


def test_demo_operators_get_192_through_a_profile_and_carla_has_none(seeded: Database) -> None:
    assert load_user(seeded, "ana").profile_names == ("Atendimento com dados pessoais",)
    assert load_user(seeded, "diego").personal_access
    assert not load_user(seeded, "carla").personal_access
    assert load_user(seeded, "carla").profile_names == ()


def test_multi_group_demo_operators_may_switch_between_all_groups(seeded: Database) -> None:
    diego = load_user(seeded, "diego")

    assert diego.operator is not None
    assert len(diego.operator.group_ids) == 4


def test_every_demo_user_logs_in_with_the_documented_password(
    seeded: Database, settings: Settings
) -> None:
    for user in demo.DEMO_USERS:
        assert check_login(seeded, settings, user.username, demo.DEMO_PASSWORD).ok, user.username


def test_the_demo_seeds_the_requested_number_of_customers_and_prospects(
    seeded: Database,
) -> None:
    rows = _entities(seeded)

    assert sum(row["kind"] == "cliente" for row in rows) == 20
    assert sum(row["kind"] == "prospect" for row in rows) == 5


def test_by_default_the_demo_has_two_hundred_customers_each_with_a_valid_document(
    db: Database,
) -> None:
    demo.seed_demo(db, history=0)

    customers = [row for row in _entities(db) if row["kind"] == "cliente"]
    assert len(customers) == 200
    invalid = [row for row in customers if not _document_is_valid(row)]
    assert invalid == []
    assert {row["person_type"] for row in customers} == {"F", "J"}
    documents = [row["document"] for row in customers]
    assert len(set(documents)) == len(documents)


def test_demo_prospect_documents_are_valid_when_present(seeded: Database) -> None:
    prospects = [row for row in _entities(seeded) if row["kind"] == "prospect"]

    assert all(_document_is_valid(row) for row in prospects if row["document"])


def test_demo_entities_satisfy_the_same_field_rules_as_the_entity_form(
    seeded: Database,
) -> None:
    problems = Problems()
    for row in _entities(seeded):
        clean_phone(row["phone"], f"phone {row['name']}", problems)
        clean_phone(row["mobile"], f"mobile {row['name']}", problems)
        clean_email(row["email"], problems)
        clean_state(row["state"], problems)
        clean_zip(row["zip_code"], problems)

    assert problems.fields == {}


def test_demo_contacts_have_valid_cpfs_and_serve_at_least_one_entity(seeded: Database) -> None:
    contacts = seeded.read(
        lambda tx: tx.all(
            "SELECT c.document, count(ec.entity_id) AS entities FROM contacts c"
            " LEFT JOIN entity_contacts ec ON ec.contact_id = c.id GROUP BY ALL"
        )
    )

    assert contacts
    assert all(CPF().validate(row["document"]) for row in contacts)
    assert all(row["entities"] >= 1 for row in contacts)


def test_the_demo_is_deterministic(seeded: Database, db: Database) -> None:
    _seed(db)

    first = [(row["name"], row["document"], row["email"]) for row in _entities(seeded)]
    second = [(row["name"], row["document"], row["email"]) for row in _entities(db)]

    assert first == second
    assert len({name for name, _, _ in first}) > 15


def test_the_demo_seed_runs_only_once(db: Database) -> None:
    _seed(db)

    def counts() -> tuple[int, int, int]:
        return db.read(
            lambda tx: (
                tx.scalar("SELECT count(*) FROM users"),
                tx.scalar("SELECT count(*) FROM entities"),
                tx.scalar("SELECT count(*) FROM attendance_groups"),
            )
        )

    before = counts()

    _seed(db)

    assert counts() == before == (6, 25, 4)


def test_the_demo_never_runs_over_a_database_that_already_has_users(db: Database) -> None:
    make_admin(db)

    _seed(db, customers=5, prospects=0)

    assert db.read(lambda tx: tx.scalar("SELECT count(*) FROM entities")) == 0
    assert db.read(lambda tx: tx.scalar("SELECT count(*) FROM users WHERE username = 'ana'")) == 0


def test_some_demo_entities_carry_a_sensitive_note(db: Database) -> None:
    _seed(db, customers=60, prospects=0)

    notes = db.read(
        lambda tx: tx.scalar("SELECT count(*) FROM entities WHERE sensitive_note IS NOT NULL")
    )

    assert notes > 0
