"""Build users, groups, operators, profiles and entities for tests.

Users are inserted with minimal SQL (the first admin cannot be created through a service that
needs an admin); entities go through core.entities so they pass the real validation. Every
user helper returns the core.access.User the app would load for that login.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from core import entities
from core.access import Routine, User
from core.auth import hash_password, user_by_username
from core.db import Database, Tx
from core.telecobranca import rules as tlc_rules
from core.telecobranca import setup as tlc_setup
from core.validation import format_document

TEST_PASSWORD = "Senha-de-teste-2026"
DEFAULT_GROUP = "Grupo Padrão"

_sequence = itertools.count(1)


def _next() -> int:
    return next(_sequence)


@cache
def password_hash(password: str = TEST_PASSWORD) -> str:
    return hash_password(password)


# --- documents ------------------------------------------------------------------------------


def _check_digit(numbers: list[int], weights: Iterable[int]) -> int:
    rest = sum(n * w for n, w in zip(numbers, weights, strict=True)) % 11
    return 0 if rest < 2 else 11 - rest


def valid_cpf(seed: int | None = None, *, formatted: bool = False) -> str:
    """A CPF with correct check digits, distinct for each seed (never all-equal digits)."""
    seed = _next() if seed is None else seed
    base = [int(ch) for ch in f"{(123_456_789 + seed * 7_919) % 1_000_000_000:09d}"]
    base.append(_check_digit(base, range(10, 1, -1)))
    base.append(_check_digit(base, range(11, 1, -1)))
    number = "".join(map(str, base))
    return format_document(number) if formatted else number


def valid_cnpj(seed: int | None = None, *, formatted: bool = False) -> str:
    """A CNPJ (matriz 0001) with correct check digits, distinct for each seed."""
    seed = _next() if seed is None else seed
    base = [int(ch) for ch in f"{(12_345_678 + seed * 7_919) % 100_000_000:08d}0001"]
    base.append(_check_digit(base, [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]))
    base.append(_check_digit(base, [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]))
    number = "".join(map(str, base))
    return format_document(number) if formatted else number


def invalid_cpf() -> str:
    """A well-formed CPF whose last check digit is wrong."""
    number = valid_cpf()
    return number[:-1] + str((int(number[-1]) + 1) % 10)


# --- users, groups, operators, profiles -----------------------------------------------------


def load_user(db: Database, username: str) -> User:
    """The User the app loads for this login (it must be active)."""
    loaded = user_by_username(db, username)
    assert loaded is not None, f"{username} is not an active user"
    return loaded


def reload(db: Database, user: User) -> User:
    """The same login loaded again (after its grants or records changed)."""
    return load_user(db, user.username)


def make_user(
    db: Database,
    username: str | None = None,
    *,
    name: str | None = None,
    password: str = TEST_PASSWORD,
    is_admin: bool = False,
    personal: bool = False,
    sensitive: bool = False,
    profile_ids: Iterable[int] = (),
) -> User:
    username = username or f"usuario{_next()}"
    hashed = password_hash(password)

    def work(tx: Tx) -> None:
        user_id = tx.scalar(
            "INSERT INTO users (username, name, email, password_hash, is_admin,"
            " personal_access, sensitive_access, sessions_valid_after, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [
                username,
                name or f"Pessoa {username.capitalize()}",
                f"{username}@exemplo.com.br",
                hashed,
                is_admin,
                personal,
                sensitive,
                tx.now,
                tx.now,
                tx.now,
            ],
        )
        for profile_id in profile_ids:
            tx.execute(
                "INSERT INTO user_profiles (user_id, profile_id) VALUES (?, ?)",
                [user_id, profile_id],
            )

    db.write(work)
    return load_user(db, username)


def make_admin(
    db: Database, username: str | None = None, *, personal: bool = True, sensitive: bool = True
) -> User:
    return make_user(
        db, username or f"admin{_next()}", is_admin=True, personal=personal, sensitive=sensitive
    )


def make_group(
    db: Database,
    name: str | None = None,
    *,
    direction: str = "ambos",
    ideal_seconds: int = 300,
    max_discount_pct: str = "10",
    parent_id: int | None = None,
) -> int:
    name = name or f"Grupo {_next()}"
    return int(
        db.write(
            lambda tx: tx.scalar(
                "INSERT INTO attendance_groups (name, direction, ideal_seconds,"
                " max_discount_pct, parent_id) VALUES (?, ?, ?, ?, ?) RETURNING id",
                [name, direction, ideal_seconds, max_discount_pct, parent_id],
            )
        )
    )


def default_group(db: Database) -> int:
    existing = db.read(
        lambda tx: tx.scalar("SELECT id FROM attendance_groups WHERE name = ?", [DEFAULT_GROUP])
    )
    return int(existing) if existing is not None else make_group(db, DEFAULT_GROUP)


def make_operator(
    db: Database,
    username: str | None = None,
    *,
    routines: Iterable[Routine] = tuple(Routine),
    role: str = "operador",
    personal: bool = False,
    sensitive: bool = False,
    group_id: int | None = None,
    extra_group_ids: Iterable[int] = (),
    code: str | None = None,
    profile_ids: Iterable[int] = (),
) -> User:
    user = make_user(
        db,
        username or f"operador{_next()}",
        personal=personal,
        sensitive=sensitive,
        profile_ids=profile_ids,
    )
    chosen = frozenset(routines)
    main_group = group_id if group_id is not None else default_group(db)

    def work(tx: Tx) -> None:
        operator_id = tx.scalar(
            "INSERT INTO operators (code, user_id, role, main_group_id, telemarketing,"
            " televendas, telecobranca) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [
                code or f"T{user.id:04d}",
                user.id,
                role,
                main_group,
                Routine.TELEMARKETING in chosen,
                Routine.TELEVENDAS in chosen,
                Routine.TELECOBRANCA in chosen,
            ],
        )
        for extra in extra_group_ids:
            tx.execute(
                "INSERT INTO operator_groups (operator_id, group_id) VALUES (?, ?)",
                [operator_id, extra],
            )

    db.write(work)
    return reload(db, user)


def make_supervisor(
    db: Database,
    username: str | None = None,
    *,
    routines: Iterable[Routine] = (),
    personal: bool = True,
    sensitive: bool = False,
) -> User:
    return make_operator(
        db,
        username or f"supervisor{_next()}",
        routines=routines,
        role="supervisor",
        personal=personal,
        sensitive=sensitive,
    )


def make_profile(
    db: Database,
    name: str | None = None,
    *,
    personal: bool = False,
    sensitive: bool = False,
    members: Iterable[User] = (),
) -> int:
    name = name or f"Perfil {_next()}"

    def work(tx: Tx) -> int:
        profile_id = tx.scalar(
            "INSERT INTO profiles (name, personal_access, sensitive_access)"
            " VALUES (?, ?, ?) RETURNING id",
            [name, personal, sensitive],
        )
        for member in members:
            tx.execute(
                "INSERT INTO user_profiles (user_id, profile_id) VALUES (?, ?)",
                [member.id, profile_id],
            )
        return int(profile_id)

    return db.write(work)


# --- entities -------------------------------------------------------------------------------


def entity_input(**overrides: Any) -> entities.EntityInput:
    """A valid customer (pessoa física) form; any field can be overridden."""
    number = _next()
    values: dict[str, Any] = {
        "kind": "cliente",
        "person_type": "F",
        "name": f"Cliente Teste {number}",
        "document": valid_cpf(number),
        "phone": "(11) 3456-7890",
        "mobile": "(11) 91234-5678",
        "email": f"cliente{number}@exemplo.com.br",
        "street": "Rua das Flores",
        "street_number": "123",
        "district": "Centro",
        "city": "São Paulo",
        "state": "SP",
        "zip_code": "01001-000",
        "birth_date": date(1985, 6, 15),
        "sensitive_note": None,
    }
    if overrides.get("person_type") == "J" and "document" not in overrides:
        values["document"] = valid_cnpj(number)
        values["birth_date"] = None
    values.update(overrides)
    return entities.EntityInput(**values)


def make_entity(db: Database, actor: User, **overrides: Any) -> int:
    """Create an entity through core.entities.create_entity; returns its id."""
    return entities.create_entity(db, actor, entity_input(**overrides))


def contact_input(**overrides: Any) -> entities.ContactInput:
    number = _next()
    values: dict[str, Any] = {
        "name": f"Contato Teste {number}",
        "job_title": "Compras",
        "document": valid_cpf(number),
        "phone": "(21) 2345-6789",
        "mobile": "(21) 98765-4321",
        "email": f"contato{number}@exemplo.com.br",
        "birth_date": date(1990, 1, 20),
        "sensitive_note": None,
    }
    values.update(overrides)
    return entities.ContactInput(**values)


# --- Telecobrança ---------------------------------------------------------------------------


def make_title(
    db: Database,
    entity_id: int,
    due_date: date,
    amount: str | Decimal = "100.00",
    *,
    balance: str | Decimal | None = None,
    title_type: str = "NF",
    prefix: str = "TST",
    number: str | None = None,
    installment: int = 1,
    status: str = "aberto",
) -> int:
    """A receivable title written straight into the ledger (as an import or invoice would)."""
    value = Decimal(amount)
    values = [
        prefix, number or f"{_next():09d}", installment, title_type, entity_id,
        due_date - timedelta(days=30), due_date, value,
        value if balance is None else Decimal(balance), status,
    ]  # fmt: skip
    return int(
        db.write(
            lambda tx: tx.scalar(
                "INSERT INTO receivables (prefix, number, installment, type, entity_id,"
                " issue_date, due_date, amount, balance, status, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [*values, tx.now, tx.now],
            )
        )
    )


STANDARD_RANGES = (("F1", "Até 30 dias", 30), ("F2", "31 a 60 dias", 60),
                   ("F3", "61 a 120 dias", 120), ("F4", "Acima de 120 dias", None))  # fmt: skip


def make_collection_setup(
    db: Database,
    admin: User,
    group_id: int,
    *,
    ranges: Iterable[tuple[str, str, int | None]] = STANDARD_RANGES,
    wired: Iterable[str] | None = None,
    max_postpone_days: int = 10,
    max_principal_discount_pct: str = "10",
    max_charges_discount_pct: str = "50",
    max_installments: int = 6,
) -> dict[str, int]:
    """Ranges (code -> id) and the group wired to them (all, or `wired`) with its rules."""

    ids = {
        code: tlc_setup.save_range(
            db, admin, tlc_setup.RangeInput(code, description, position, max_days)
        )
        for position, (code, description, max_days) in enumerate(ranges, start=1)
    }
    tlc_setup.save_group_settings(
        db, admin, group_id, 0, [ids[code] for code in (wired or ids)],
        tlc_rules.NegotiationRules(
            max_postpone_days, Decimal(max_principal_discount_pct),
            Decimal(max_charges_discount_pct), max_installments,
        ),
    )  # fmt: skip
    return ids
