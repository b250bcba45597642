"""The demo seed: its users and grants, valid pt-BR data, a collection portfolio and history
that agree with the ledger, deterministic, and only once."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from validate_docbr import CNPJ, CPF

from core import demo
from core.access import Routine
from core.auth import check_login
from core.config import Settings
from core.db import Database, open_database
from core.localtime import LOCAL_TZ
from core.telecobranca import attendance as tlc_attendance
from core.telecobranca import ledger as tlc_ledger
from core.telecobranca import maintenance as tlc_maintenance
from core.telecobranca import rules as tlc_rules
from core.telecobranca import setup as tlc_setup
from core.telecobranca import taking
from core.validation import Problems, clean_email, clean_phone, clean_state, clean_zip
from tests.conftest import START, Clock
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


@pytest.fixture(scope="module")
def full_demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo as the app seeds it on its first start (default sizes), closed into a file."""
    path = tmp_path_factory.mktemp("full-demo") / "demo.duckdb"
    database = open_database(str(path), Clock())
    try:
        demo.seed_demo(database)
    finally:
        database.close()
    return path


@pytest.fixture(scope="module")
def full_demo(full_demo_file: Path) -> Iterator[Database]:
    """The default demo, shared by the tests that only read it."""
    database = open_database(str(full_demo_file), Clock())
    try:
        yield database
    finally:
        database.close()


@pytest.fixture
def full_demo_copy(full_demo_file: Path, tmp_path: Path) -> Iterator[Database]:
    """A private copy of the default demo, for a test that works on it."""
    path = tmp_path / "demo.duckdb"
    shutil.copyfile(full_demo_file, path)
    database = open_database(str(path), Clock())
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


def test_by_default_the_demo_has_four_hundred_customers_each_with_a_valid_document(
    full_demo: Database,
) -> None:
    customers = [row for row in _entities(full_demo) if row["kind"] == "cliente"]

    assert len(customers) == demo.DEMO_CUSTOMERS == 400
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
            " LEFT JOIN entity_contacts ec ON ec.contact_id = c.id GROUP BY c.id, c.document"
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


# --- Telecobrança -----------------------------------------------------------------------------


def _rows(db: Database, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    return db.read(lambda tx: tx.all(sql, params or []))


def _ledger_totals(db: Database) -> list[dict[str, Any]]:
    return _rows(
        db,
        "SELECT prefix, type, status, count(*) AS titles, sum(amount) AS amount,"
        " sum(balance) AS balance FROM receivables GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
    )


def _collection_totals(db: Database) -> list[dict[str, Any]]:
    return _rows(
        db,
        "SELECT u.username, a.status, a.origin, count(*) AS attendances,"
        " sum(a.portfolio_amount) AS portfolio, sum(a.not_done_amount) AS not_done,"
        " (SELECT sum(principal) FROM tlc_outcomes) AS principal,"
        " (SELECT count(*) FROM tlc_promises WHERE status = 'pendente') AS pending"
        " FROM tlc_attendances a JOIN users u ON u.id = a.user_id"
        " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
    )


def test_the_demo_has_hundreds_of_debtors_spread_over_the_four_ranges(
    full_demo: Database,
) -> None:
    queue = tlc_ledger.queue_overview(full_demo, load_user(full_demo, "sofia"))
    debtors = dict(zip(queue["range"].str.slice(0, 2), queue["debtors"], strict=True))

    assert queue["range"].to_list() == [
        "F1 · Até 30 dias", "F2 · 31 a 60 dias", "F3 · 61 a 120 dias", "F4 · Acima de 120 dias",
    ]  # fmt: skip
    assert sum(debtors.values()) >= 200
    assert all(count > 0 for count in debtors.values())
    assert min(debtors["F1"], debtors["F2"]) > debtors["F4"]


def test_both_collection_groups_work_every_range_with_their_negotiation_rules(
    full_demo: Database,
) -> None:
    settings = {
        group.group_name: group
        for group in tlc_setup.group_settings(full_demo, load_user(full_demo, "admin"))
    }
    ranges = set(tlc_setup.list_ranges(full_demo, load_user(full_demo, "admin"))["id"])

    for name in ("Cobrança", "Multi"):
        assert set(settings[name].range_ids) == ranges
    assert settings["Cobrança"].rules == tlc_rules.NegotiationRules(15, Decimal(5), Decimal(50), 6)
    assert settings["Multi"].rules == tlc_rules.NegotiationRules(10, Decimal(3), Decimal(30), 4)


def test_the_legacy_portfolio_has_duplicatas_and_boletos_paid_partly_paid_and_not_yet_due(
    full_demo: Database,
) -> None:
    titles = _rows(full_demo, "SELECT * FROM receivables WHERE prefix = 'LEG'")
    today = START.date()
    several = _rows(
        full_demo,
        "SELECT entity_id FROM receivables WHERE prefix = 'LEG' AND status = 'aberto'"
        " AND due_date < ? GROUP BY entity_id HAVING count(*) > 1",
        [today],
    )

    assert {t["type"] for t in titles} == {"DP", "BOL"}
    assert all(Decimal(80) <= t["amount"] <= Decimal(5000) for t in titles)
    assert any(t["status"] == "pago" and t["balance"] == 0 for t in titles)
    assert any(t["status"] == "aberto" and 0 < t["balance"] < t["amount"] for t in titles)
    assert any(t["status"] == "aberto" and t["due_date"] >= today for t in titles)
    assert len(several) >= 20


def test_every_title_balance_stays_between_zero_and_its_amount(full_demo: Database) -> None:
    wrong = _rows(
        full_demo,
        "SELECT * FROM receivables WHERE balance < 0 OR balance > amount"
        " OR (status = 'aberto' AND balance = 0) OR (status = 'pago' AND balance <> 0)",
    )

    assert wrong == []


def test_the_collectors_have_weeks_of_calls_in_every_status(full_demo: Database) -> None:
    rows = _rows(
        full_demo,
        "SELECT u.username, a.status, count(*) AS n, min(a.started_at) AS first"
        " FROM tlc_attendances a JOIN users u ON u.id = a.user_id GROUP BY 1, 2",
    )
    by_user = {
        name: {row["status"]: row["n"] for row in rows if row["username"] == name}
        for name in ("carla", "diego")
    }

    assert 40 <= sum(row["n"] for row in rows) <= 80
    for statuses in by_user.values():
        assert set(statuses) == {"encerrado", "cancelado", "cobranca"}
    assert min(row["first"] for row in rows) < START - timedelta(days=45)
    outcomes = {row["outcome"] for row in _rows(full_demo, "SELECT outcome FROM tlc_outcomes")}
    assert {"pago", "negociado", "renegociado", "cartorio", "abatimento"} <= outcomes


def test_every_ended_attendance_left_undone_its_portfolio_minus_what_its_outcomes_removed(
    full_demo: Database,
) -> None:
    wrong = _rows(
        full_demo,
        "SELECT a.id, a.portfolio_amount, a.not_done_amount,"
        " (SELECT coalesce(sum(balance_at_start), 0) FROM tlc_attendance_titles t"
        "   WHERE t.attendance_id = a.id) AS handed,"
        " (SELECT coalesce(sum(principal), 0) FROM tlc_outcomes o"
        "   WHERE o.attendance_id = a.id) AS removed"
        " FROM tlc_attendances a"
        " WHERE a.portfolio_amount <> handed OR a.portfolio_amount = 0"
        " OR (a.status IN ('encerrado', 'cancelado')"
        "     AND a.not_done_amount IS DISTINCT FROM a.portfolio_amount - removed)"
        " OR (a.status = 'cobranca' AND a.not_done_amount IS NOT NULL)",
    )

    assert wrong == []


def test_each_titles_balance_is_its_balance_when_handed_over_minus_the_outcomes_since(
    full_demo: Database,
) -> None:
    wrong = _rows(
        full_demo,
        "SELECT t.attendance_id, r.id, t.balance_at_start, r.balance FROM tlc_attendance_titles t"
        " JOIN tlc_attendances a ON a.id = t.attendance_id"
        " JOIN receivables r ON r.id = t.receivable_id"
        " WHERE t.balance_at_start - (SELECT coalesce(sum(o.principal), 0) FROM tlc_outcomes o"
        "   WHERE o.receivable_id = r.id AND o.created_at >= a.started_at) <> r.balance"
        " OR (SELECT count(*) FROM tlc_outcomes o WHERE o.outcome = 'pago'"
        "   AND o.receivable_id = r.id AND o.amount <> o.principal + o.charges) > 0",
    )

    assert wrong == []


def test_promises_agree_with_their_titles_and_follow_ups(full_demo: Database) -> None:
    promises = _rows(
        full_demo,
        "SELECT p.*, a.status AS attendance_status, g.status AS follow_up, g.due_from,"
        " g.user_id AS follow_up_user,"
        " (SELECT count(*) FROM tlc_promise_titles pt JOIN receivables r"
        "   ON r.id = pt.receivable_id WHERE pt.promise_id = p.id AND r.status = 'aberto')"
        "   AS open_titles"
        " FROM tlc_promises p JOIN tlc_attendances a ON a.id = p.attendance_id"
        " JOIN agenda_items g ON g.source_type = 'tlc_promise' AND g.source_id = p.id",
    )
    statuses = {p["status"] for p in promises}

    assert len(promises) == _rows(full_demo, "SELECT count(*) AS n FROM tlc_promises")[0]["n"]
    assert {"pendente", "cumprida", "quebrada"} <= statuses
    for p in promises:
        assert p["follow_up_user"] == p["user_id"]
        if p["status"] == "pendente":
            assert p["promised_on"] > START.date() and p["attendance_status"] == "cobranca"
            assert p["follow_up"] == "aberto" and p["due_from"] > START and p["open_titles"]
        else:
            assert p["follow_up"] != "aberto" and p["attendance_status"] == "encerrado"
        if p["status"] == "cumprida":
            assert p["paid_amount"] >= p["amount"] or p["open_titles"] == 0
        if p["status"] == "quebrada":
            assert not p["requeued"]  # every broken promise was called back already


def test_nothing_is_left_open_or_reserved_and_carlas_follow_ups_are_all_ahead(
    full_demo: Database,
) -> None:
    carla = load_user(full_demo, "carla")
    follow_ups = _rows(
        full_demo,
        "SELECT due_from FROM agenda_items WHERE user_id = ? AND source_type = 'tlc_promise'"
        " AND status = 'aberto'",
        [carla.id],
    )

    assert _rows(full_demo, "SELECT * FROM open_calls") == []
    assert _rows(full_demo, "SELECT * FROM collection_reservations") == []
    assert _rows(full_demo, "SELECT * FROM tlc_attendances WHERE status = 'atendimento'") == []
    assert _rows(
        full_demo, "SELECT * FROM calls WHERE routine = 'telecobranca' AND ended_at IS NULL"
    ) == []  # fmt: skip
    assert follow_ups and all(row["due_from"] > START for row in follow_ups)


def test_carla_gets_a_fresh_debtor_from_the_queue_right_after_seeding(
    full_demo_copy: Database,
) -> None:
    carla = load_user(full_demo_copy, "carla")

    picked = taking.next_debtor(full_demo_copy, carla)

    assert picked is not None and picked.reason == "fila"
    attendance = tlc_attendance.get_attendance(full_demo_copy, carla, picked.attendance_id)
    assert attendance.status == "atendimento" and attendance.titles
    assert attendance.portfolio_amount > 0


def test_every_demo_attendance_opens_and_the_collectors_balance_closes_on_what_is_pending(
    full_demo: Database,
) -> None:
    sofia = load_user(full_demo, "sofia")
    ids = [  # one of each kind: loading them all would take seconds
        row["id"]
        for row in _rows(
            full_demo, "SELECT min(id) AS id FROM tlc_attendances GROUP BY status, origin"
        )
    ]
    pending = {
        row["code"]: row["owed"]
        for row in _rows(
            full_demo,
            "SELECT o.code, sum(a.portfolio_amount - (SELECT coalesce(sum(principal), 0)"
            " FROM tlc_outcomes t WHERE t.attendance_id = a.id)) AS owed"
            " FROM tlc_attendances a JOIN operators o ON o.id = a.operator_id"
            " WHERE a.status = 'cobranca' GROUP BY o.code",
        )
    }

    assert all(tlc_attendance.get_attendance(full_demo, sofia, i).id == i for i in ids)
    balance = tlc_maintenance.collector_balance(
        full_demo, sofia, START.date() - timedelta(days=90), START.date()
    )
    assert set(balance["operator_code"]) == set(pending)
    for row in balance.iter_rows(named=True):
        assert row["opening"] == 0 and row["sent"] > 0 and row["recovered"] > 0
        assert row["closing"] == pending[row["operator_code"]]


def test_the_collection_demo_is_deterministic(full_demo: Database, db: Database) -> None:
    demo.seed_demo(db)

    assert _ledger_totals(db) == _ledger_totals(full_demo)
    assert _collection_totals(db) == _collection_totals(full_demo)


def test_the_collection_demo_is_seeded_only_once(full_demo_copy: Database) -> None:
    before = _ledger_totals(full_demo_copy), _collection_totals(full_demo_copy)

    demo.seed_demo(full_demo_copy)

    assert (_ledger_totals(full_demo_copy), _collection_totals(full_demo_copy)) == before
    ranges = _rows(full_demo_copy, "SELECT code FROM collection_ranges ORDER BY position")
    assert [row["code"] for row in ranges] == ["F1", "F2", "F3", "F4"]


def test_diegos_order_counts_its_call_under_televendas(full_demo_copy: Database) -> None:
    """diego works every routine: a call started as Telemarketing (the caller search's first
    routine) that ends in a Televendas order belongs to Televendas, in the report and the
    wallboard alike."""
    from core import calls, dashboards, reports
    from core.televendas import service as tlv_service
    from core.televendas.service import ItemInput, OrderInput

    db = full_demo_copy
    diego, sofia = load_user(db, "diego"), load_user(db, "sofia")
    entity_id, table_id, product_id, condition_id = db.read(
        lambda tx: tx.one(
            """
            SELECT
                (SELECT min(id) FROM entities WHERE kind = 'cliente') AS entity_id,
                i.price_table_id, i.product_id,
                (SELECT min(id) FROM payment_conditions WHERE active) AS condition_id
            FROM price_table_items i
            JOIN price_tables t ON t.id = i.price_table_id AND t.active
            JOIN products p ON p.id = i.product_id AND p.active AND p.stock >= 1
            ORDER BY i.price_table_id, i.product_id
            LIMIT 1
            """
        ).values()
    )
    today = db.read(lambda tx: tx.now).astimezone(LOCAL_TZ).date()
    period = reports.Period(today, today)

    def counted() -> tuple[int, int]:
        rows = reports.run_report(db, sofia, "tlv_operador", period)
        mine = rows.filter(rows["code"] == diego.operator.code)  # type: ignore[union-attr]
        board = dashboards.wallboard(db, sofia, dashboards.WallboardFilter())
        assert board.televendas is not None
        return (int(mine["calls"][0]) if mine.height else 0), board.televendas.today.calls

    report_before, board_before = counted()
    call = calls.start_call(db, diego, Routine.TELEMARKETING, entity_id)
    order = tlv_service.save_order(
        db,
        diego,
        OrderInput(
            entity_id,
            operation="orcamento",
            price_table_id=table_id,
            payment_condition_id=condition_id,
            items=[ItemInput(product_id, 1)],
        ),
        call_id=call.id,
    )

    assert order.call_id == call.id
    assert calls.end_call(db, diego) == f"Televendas nº {order.id}: Orçamento"
    stored = db.read(lambda tx: tx.one("SELECT routine, result FROM calls WHERE id = ?", [call.id]))
    assert stored == {"routine": "televendas", "result": f"Televendas nº {order.id}: Orçamento"}
    assert counted() == (report_before + 1, board_before + 1)


def test_atendimentos_lists_the_three_routines_for_diego_as_each_routine_does(
    full_demo_copy: Database,
) -> None:
    """Seed: an operator with every routine sees, on one screen, the attendances of all three;
    each routine's share is exactly what its own list shows him."""
    from core import attendances
    from core.errors import Forbidden
    from core.telemarketing import maintenance as tmk_maintenance
    from core.televendas import maintenance as tlv_maintenance

    db = full_demo_copy
    diego = load_user(db, "diego")
    everything = attendances.list_all(db, diego)
    per_routine = {
        "telemarketing": tmk_maintenance.list_attendances(db, diego).total,
        "televendas": tlv_maintenance.list_orders(db, diego).total,
        "telecobranca": tlc_maintenance.list_attendances(db, diego).total,
    }
    assert everything.total == sum(per_routine.values()) and min(per_routine.values()) > 0
    for routine, total in per_routine.items():
        only = attendances.list_all(
            db, diego, attendances.AttendanceFilter(routine=Routine(routine))
        )
        assert only.total == total
        assert set(only.rows["routine"]) == {routine}
    page = everything.rows
    assert page.height == 50 and page["started_at"].is_sorted(descending=True)
    assert set(page.columns) >= {"routine_label", "status_label", "colour", "entity_name"}

    cancelled = attendances.list_all(db, diego, attendances.AttendanceFilter(status="cancelado"))
    assert set(cancelled.rows["status"]) == {"cancelado"}
    nothing = attendances.AttendanceFilter(routine=Routine.TELEVENDAS, status="pendente")
    assert attendances.list_all(db, diego, nothing).total == 0

    with pytest.raises(Forbidden):
        attendances.list_all(db, load_user(db, "carla"))  # Telecobrança only: her own list


def test_atendimentos_masks_documents_and_exports_the_same_way(full_demo_copy: Database) -> None:
    from core import attendances
    from tests.factories import make_operator

    db = full_demo_copy
    group = load_user(db, "diego").operator.main_group_id  # type: ignore[union-attr]
    newcomer = make_operator(db, "todas_sem_192", routines=tuple(Routine), group_id=group)
    sofia = load_user(db, "sofia")
    shown = attendances.list_all(db, newcomer)
    documents = [doc for doc in shown.rows["document"].to_list() if doc]
    assert shown.total > 0 and documents and all("*" in doc for doc in documents)

    exported = attendances.export_all(db, newcomer, fmt="csv").decode("utf-8-sig")
    assert exported.splitlines()[0].startswith("Rotina;Nº;Status;Entidade;CPF/CNPJ")
    assert len(exported.splitlines()) == shown.total + 1
    assert attendances.list_all(db, sofia).total >= shown.total  # supervisors see every row


def test_demo_prices_and_quantities_look_like_a_real_catalogue(full_demo: Database) -> None:
    # A box of pens at R$ 232,74 (a random price) made the demo look fake.
    shelf = full_demo.read(
        lambda tx: tx.all(
            "SELECT p.description, pti.price, pt.code FROM products p"
            " JOIN price_table_items pti ON pti.product_id = p.id"
            " JOIN price_tables pt ON pt.id = pti.price_table_id"
        )
    )
    pens = [row["price"] for row in shelf if row["description"].startswith("Caneta")]
    assert pens and all(Decimal("20") <= price <= Decimal("60") for price in pens)
    prices = {row["description"]: row["price"] for row in shelf}
    assert prices["Cadeira de escritório"] > 10 * prices["Caneta esferográfica azul (cx 50)"]
    big = full_demo.read(
        lambda tx: tx.scalar(
            "SELECT count(*) FROM tlv_items WHERE unit_price > 100 AND quantity > 3"
        )
    )
    assert big == 0  # nobody orders a dozen office desks over the phone
