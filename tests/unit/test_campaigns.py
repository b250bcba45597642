"""Outbound campaigns: the campaign and its groups, call lists from a file or a filter, the
next contact reserved once (also with twenty operators at once), dispositions driving retries,
callbacks on the agenda and do-not-call, and the campaign report."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from core import agenda, call_lists, calls, campaigns, reports
from core.access import Routine, User
from core.call_lists import ListFilter
from core.campaigns import CampaignInput
from core.db import Database
from core.errors import Conflict, Forbidden, Invalid
from tests import factories
from tests.conftest import Clock

TODAY = date(2026, 3, 10)  # the test clock's São Paulo day


@dataclass
class Floor:
    supervisor: User
    group_id: int
    operators: list[User]
    campaign_id: int
    entity_ids: list[int]


def _documents(db: Database, entity_ids: list[int]) -> list[str]:
    rows = db.read(
        lambda tx: tx.all(
            "SELECT document FROM entities WHERE id = ANY(?::BIGINT[]) ORDER BY id", [entity_ids]
        )
    )
    return [row["document"] for row in rows]


def make_floor(db: Database, people: int = 5, operators: int = 2) -> Floor:
    supervisor = factories.make_supervisor(db, username="supervisora")
    group_id = factories.make_group(db, "Ativo Vendas", direction="ativo")
    team = [
        factories.make_operator(
            db, f"vendedor{i}", routines={Routine.TELEVENDAS}, group_id=group_id
        )
        for i in range(operators)
    ]
    campaign_id = campaigns.create_campaign(
        db,
        supervisor,
        CampaignInput(
            "Reativação março",
            Routine.TELEVENDAS,
            TODAY,
            TODAY + timedelta(days=30),
            (group_id,),
            max_attempts=2,
            retry_minutes=60,
        ),
    )
    entity_ids = [factories.make_entity(db, supervisor) for _ in range(people)]
    return Floor(supervisor, group_id, team, campaign_id, entity_ids)


def _import(db: Database, floor: Floor, ids: list[int], hours: str = "") -> call_lists.ListReport:
    lines = ["documento;melhor_horario", *(f"{doc};{hours}" for doc in _documents(db, ids))]
    return call_lists.import_list(
        db, floor.supervisor, floor.campaign_id, "Lista do CRM", "\n".join(lines)
    )


def _entries(db: Database) -> dict[int, dict]:
    rows = db.read(lambda tx: tx.all("SELECT * FROM call_list_entries ORDER BY id"))
    return {row["entity_id"]: row for row in rows}


def test_a_list_is_imported_whole_or_not_at_all_with_a_problem_per_line(db: Database) -> None:
    floor = make_floor(db)
    documents = _documents(db, floor.entity_ids[:2])
    bad = "\n".join(
        [
            "documento;melhor_horario",
            f"{documents[0]};9-12",
            "111.111.111-11;",
            f"{documents[0]};",
            f"{documents[1]};tarde",
            "529.982.247-25;",
        ]
    )
    report = call_lists.import_list(db, floor.supervisor, floor.campaign_id, "Lista", bad)
    assert not report.ok and report.added == 0
    assert [line for line, _ in report.problems] == [3, 4, 5, 6]
    messages = dict(report.problems)
    assert "repetido (já na linha 2)" in messages[4]
    assert "melhor_horario" in messages[5]
    assert "não cadastrado" in messages[6]
    assert _entries(db) == {}

    good = _import(db, floor, floor.entity_ids[:3], hours="9-12")
    assert good.ok and good.added == 3
    assert {row["best_from"] for row in _entries(db).values()} == {9}
    again = _import(db, floor, floor.entity_ids[:1])
    assert again.problems == [(2, "esta pessoa já está na campanha")]


def test_next_contact_reserves_starts_the_call_and_a_disposition_decides_what_follows(
    db: Database, clock: Clock
) -> None:
    floor = make_floor(db, people=1)
    _import(db, floor, floor.entity_ids)
    ana = floor.operators[0]

    contact = campaigns.next_contact(db, ana)
    assert contact is not None and contact.entity_id == floor.entity_ids[0]
    call = calls.current_call(db, ana)
    assert call is not None and call.entity_id == contact.entity_id
    assert campaigns.current_contact(db, ana) == contact
    assert campaigns.next_contact(db, floor.operators[1]) is None  # reserved for ana

    campaigns.record_disposition(db, ana, contact.entry_id, "nao_atende")
    assert calls.current_call(db, ana) is None  # the disposition ended the call
    entry = _entries(db)[contact.entity_id]
    assert (entry["status"], entry["attempts"]) == ("pendente", 1)
    assert campaigns.next_contact(db, floor.operators[1]) is None  # not before the interval
    clock.advance(minutes=61)
    again = campaigns.next_contact(db, floor.operators[1])
    assert again is not None and again.attempts == 1
    campaigns.record_disposition(db, floor.operators[1], again.entry_id, "ocupado")
    assert _entries(db)[contact.entity_id]["status"] == "esgotado"  # 2 attempts at most
    result = db.read(lambda tx: tx.scalar("SELECT result FROM calls ORDER BY id DESC LIMIT 1"))
    assert result == "Campanha Reativação março: Ocupado"


def test_a_callback_goes_on_the_agenda_and_comes_back_to_the_same_operator_first(
    db: Database, clock: Clock
) -> None:
    floor = make_floor(db, people=3)
    _import(db, floor, floor.entity_ids)
    ana, bruno = floor.operators
    contact = campaigns.next_contact(db, ana)
    assert contact is not None
    with pytest.raises(Invalid, match="data e hora futuras"):
        campaigns.record_disposition(db, ana, contact.entry_id, "agendado")
    later = clock.now + timedelta(hours=2)
    campaigns.record_disposition(db, ana, contact.entry_id, "agendado", callback_at=later)
    [item] = agenda.open_items(db, ana)
    assert item.entity_id == contact.entity_id and item.due_from == later

    clock.advance(hours=2, minutes=1)
    others = {campaigns.next_contact(db, bruno).entity_id}  # type: ignore[union-attr]
    assert contact.entity_id not in others  # the callback is ana's
    back = campaigns.next_contact(db, ana)
    assert back is not None and back.entity_id == contact.entity_id and back.callback
    campaigns.record_disposition(db, ana, back.entry_id, "venda_acordo")
    assert agenda.open_items(db, ana) == []
    assert _entries(db)[contact.entity_id]["status"] == "concluido"


def test_do_not_call_is_honoured_and_a_stranger_cannot_disposition(db: Database) -> None:
    floor = make_floor(db, people=2)
    _import(db, floor, floor.entity_ids)
    ana, bruno = floor.operators
    first = campaigns.next_contact(db, ana)
    assert first is not None
    with pytest.raises(Conflict, match="não está mais reservado para você"):
        campaigns.record_disposition(db, bruno, first.entry_id, "atendeu")
    campaigns.record_disposition(db, ana, first.entry_id, "recusou", do_not_call=True)
    assert db.read(
        lambda tx: tx.scalar("SELECT do_not_call FROM entities WHERE id = ?", [first.entity_id])
    )
    # A new campaign skips the person who asked not to be called.
    other = campaigns.create_campaign(
        db,
        floor.supervisor,
        CampaignInput("Outra", Routine.TELEVENDAS, TODAY, TODAY, (floor.group_id,)),
    )
    docs = _documents(db, floor.entity_ids)
    call_lists.import_list(
        db, floor.supervisor, other, "Lista dois", "documento\n" + "\n".join(docs)
    )
    seen = set()
    for user in (ana, bruno):
        contact = campaigns.next_contact(db, user)
        if contact is not None:
            seen.add(contact.entity_id)
            campaigns.record_disposition(db, user, contact.entry_id, "atendeu")
    assert first.entity_id not in seen


def test_a_paused_operator_or_one_on_a_call_gets_no_contact(db: Database) -> None:
    floor = make_floor(db, people=2)
    _import(db, floor, floor.entity_ids)
    ana = floor.operators[0]
    calls.start_call(db, ana, Routine.TELEVENDAS, floor.entity_ids[0])
    with pytest.raises(Conflict, match="ligação em andamento"):
        campaigns.next_contact(db, ana)
    assert {row["status"] for row in _entries(db).values()} == {"pendente"}


def test_twenty_operators_at_once_never_get_the_same_contact(db: Database) -> None:
    floor = make_floor(db, people=30, operators=20)
    _import(db, floor, floor.entity_ids)
    taken: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(20)

    def press(user: User) -> None:
        barrier.wait()
        try:
            contact = campaigns.next_contact(db, user)
            if contact is not None:
                taken.append(contact.entity_id)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=press, args=(user,)) for user in floor.operators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(taken) == 20 and len(set(taken)) == 20
    reserved = db.read(
        lambda tx: tx.scalar("SELECT count(*) FROM call_list_entries WHERE status = 'reservado'")
    )
    assert reserved == 20


def test_lists_from_a_filter_and_the_campaign_rules(db: Database, admin: User) -> None:
    floor = make_floor(db, people=4)
    added = call_lists.build_list(
        db, floor.supervisor, floor.campaign_id, "Inativos", ListFilter("sem_compra", days=90)
    )
    customers = db.read(
        lambda tx: tx.scalar("SELECT count(*) FROM entities WHERE kind = 'cliente'")
    )
    assert added == customers and added >= 4
    assert (
        call_lists.build_list(
            db, floor.supervisor, floor.campaign_id, "De novo", ListFilter("sem_compra", days=90)
        )
        == 0
    )  # everybody is already in the campaign
    with pytest.raises(Invalid) as refused:
        campaigns.create_campaign(
            db,
            floor.supervisor,
            CampaignInput(
                "reativação MARÇO", Routine.TELECOBRANCA, TODAY, TODAY - timedelta(1), ()
            ),
        )
    problems = refused.value.problems
    assert "já existe uma campanha com este nome" in problems["name"]
    assert "termina antes de começar" in problems["ends_on"]
    assert "ao menos um grupo" in problems["group_ids"]
    operator = floor.operators[0]
    with pytest.raises(Forbidden):
        campaigns.create_campaign(
            db, operator, CampaignInput("X1Y", Routine.TELEVENDAS, TODAY, TODAY, (floor.group_id,))
        )


def test_the_campaign_report_counts_contacts_success_attempts_and_penetration(
    db: Database, clock: Clock
) -> None:
    floor = make_floor(db, people=4)
    _import(db, floor, floor.entity_ids)
    ana = floor.operators[0]
    for code in ("nao_atende", "venda_acordo", "atendeu"):
        contact = campaigns.next_contact(db, ana)
        assert contact is not None
        campaigns.record_disposition(db, ana, contact.entry_id, code)
    frame = reports.run_report(db, floor.supervisor, "campanhas", reports.Period(TODAY, TODAY))
    [row] = frame.to_dicts()
    assert row["campaign"] == "Reativação março"
    assert (row["entries"], row["attempted"], row["attempts"]) == (4, 3, 3)
    assert (row["contacted"], row["successes"]) == (2, 1)
    assert row["penetration_pct"] == 75.0
    assert row["success_pct"] == 50.0
    assert row["attempts_per_contact"] == 1.5


def test_moving_a_campaign_callback_on_the_agenda_moves_when_it_comes_back(
    db: Database, clock: Clock
) -> None:
    floor = make_floor(db, people=1)
    _import(db, floor, floor.entity_ids)
    ana = floor.operators[0]
    contact = campaigns.next_contact(db, ana)
    assert contact is not None
    campaigns.record_disposition(
        db, ana, contact.entry_id, "agendado", callback_at=clock.now + timedelta(hours=1)
    )
    [item] = agenda.open_items(db, ana)
    assert item.source_type == campaigns.AGENDA_SOURCE
    later = clock.now + timedelta(hours=5)
    agenda.reschedule(db, ana, item.id, item.version, later)
    assert _entries(db)[contact.entity_id]["next_at"] == later
    clock.advance(hours=2)
    assert campaigns.next_contact(db, ana) is None  # not yet: it was moved


def test_do_not_call_is_set_and_lifted_on_the_entity_with_its_audit(
    db: Database, plain_user: User
) -> None:
    floor = make_floor(db, people=1)
    entity_id = floor.entity_ids[0]
    version = db.read(
        lambda tx: tx.scalar("SELECT version FROM entities WHERE id = ?", [entity_id])
    )
    campaigns.set_do_not_call(db, floor.supervisor, entity_id, True)
    assert campaigns.is_do_not_call(db, floor.operators[0], entity_id) is True
    campaigns.set_do_not_call(db, floor.supervisor, entity_id, True)  # no change, no audit
    campaigns.set_do_not_call(db, floor.supervisor, entity_id, False)
    assert campaigns.is_do_not_call(db, floor.supervisor, entity_id) is False
    after = db.read(lambda tx: tx.scalar("SELECT version FROM entities WHERE id = ?", [entity_id]))
    assert after == version + 2
    events = db.read(
        lambda tx: tx.scalar("SELECT count(*) FROM audit_log WHERE event = 'entidade.nao_ligar'")
    )
    assert events == 2
    with pytest.raises(Forbidden):
        campaigns.set_do_not_call(db, plain_user, entity_id, True)


def test_two_groups_of_one_campaign_pressing_together_never_share_a_contact(
    db: Database,
) -> None:
    floor = make_floor(db, people=12, operators=10)
    second = factories.make_group(db, "Ativo Vendas 2", direction="ativo")
    others = [
        factories.make_operator(db, f"outra{i}", routines={Routine.TELEVENDAS}, group_id=second)
        for i in range(10)
    ]
    version = db.read(
        lambda tx: tx.scalar("SELECT version FROM campaigns WHERE id = ?", [floor.campaign_id])
    )
    campaigns.update_campaign(
        db,
        floor.supervisor,
        floor.campaign_id,
        version,
        CampaignInput(
            "Reativação março",
            Routine.TELEVENDAS,
            TODAY,
            TODAY + timedelta(days=30),
            (floor.group_id, second),
            max_attempts=2,
            retry_minutes=60,
        ),
    )
    _import(db, floor, floor.entity_ids)
    taken: list[int] = []
    barrier = threading.Barrier(20)

    def press(user: User) -> None:
        barrier.wait()
        contact = campaigns.next_contact(db, user)
        if contact is not None:
            taken.append(contact.entity_id)

    threads = [threading.Thread(target=press, args=(u,)) for u in [*floor.operators, *others]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(taken) == 12 and len(set(taken)) == 12  # 12 people for 20 operators
