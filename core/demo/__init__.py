"""Deterministic pt-BR demo data and the demo users (demo mode only).

The demo password is public (README, login page): these users must never exist outside demo
mode, which is why only `seed_demo` creates them and only when the settings ask for demo mode.

`seed_demo` seeds each part that is still missing, each in its own transaction:
people.py the groups, users, profile, operators, customers, prospects and contacts;
catalogues.py the shared catalogues; telemarketing.py months of Telemarketing attendances;
televendas.py products, prices and months of quotes, orders and invoices with their titles;
campaigns.py an outbound campaign with its list and a few days of attempts;
telecobranca.py the ranges, the groups' wiring and negotiation rules and a legacy portfolio,
over which collection_desk.py replays weeks of collection calls. common.py holds what they
share (the random seed, the history's length, the local time zone). The names other code
uses are re-exported here.
"""

from __future__ import annotations

from core.auth import hash_password
from core.db import Database, Tx
from core.demo.campaigns import _seed_campaigns
from core.demo.catalogues import _seed_catalogues
from core.demo.common import SEED
from core.demo.people import (
    DEMO_USERS,
    DemoUser,
    _seed_entities,
    _seed_groups,
    _seed_users,
)
from core.demo.telecobranca import _seed_telecobranca
from core.demo.telemarketing import _seed_telemarketing_history
from core.demo.televendas import _seed_televendas

DEMO_PASSWORD = "Demo@2026!"
DEMO_HISTORY_SIZE = 600
# Enough customers for hundreds of debtors in the collection queue (about 3 in 4 owe).
DEMO_CUSTOMERS = 400


def has_users(db: Database) -> bool:
    return bool(db.read(lambda tx: tx.scalar("SELECT count(*) FROM users")))


def seed_demo(
    db: Database,
    customers: int = DEMO_CUSTOMERS,
    prospects: int = 40,
    history: int = DEMO_HISTORY_SIZE,
) -> None:
    """Seed each demo part that is still missing, each in one transaction.

    Parts are checked separately so a database created before a routine existed gets that
    routine's demo data on the next start.
    """
    if not has_users(db):
        hashed = hash_password(DEMO_PASSWORD)  # one bcrypt run; every demo user shares it

        def people(tx: Tx) -> None:
            groups = _seed_groups(tx)
            _seed_users(tx, groups, hashed)
            _seed_entities(tx, customers, prospects)

        db.write(people)
    if not db.read(lambda tx: tx.scalar("SELECT count(*) FROM catalogue_items")):
        db.write(_seed_catalogues)
    if not db.read(lambda tx: tx.scalar("SELECT count(*) FROM tmk_attendances")):
        db.write(lambda tx: _seed_telemarketing_history(tx, history))
    if not db.read(lambda tx: tx.scalar("SELECT count(*) FROM products")):
        db.write(lambda tx: _seed_televendas(tx, history // 2))
    if not db.read(lambda tx: tx.scalar("SELECT count(*) FROM collection_ranges")):
        db.write(lambda tx: _seed_telecobranca(tx, history // 10))
    if not db.read(lambda tx: tx.scalar("SELECT count(*) FROM campaigns")):
        db.write(_seed_campaigns)


__all__ = [
    "DEMO_CUSTOMERS",
    "DEMO_HISTORY_SIZE",
    "DEMO_PASSWORD",
    "DEMO_USERS",
    "SEED",
    "DemoUser",
    "has_users",
    "seed_demo",
]  # fmt: skip
