import threading

import pytest

from core import calls, entities
from core.access import Action, Routine, User, allowed
from core.db import Database
from core.errors import Conflict, Forbidden, Invalid, NotFound
from tests import factories
from tests.conftest import Clock


def test_starting_a_call_stores_its_start_so_the_timer_survives_a_reload(
    db: Database, operator: User, clock: Clock
) -> None:
    entity_id = factories.make_entity(db, operator)
    started = calls.start_call(db, operator, Routine.TELEMARKETING, entity_id)
    clock.advance(seconds=42)
    reloaded = calls.current_call(db, operator)
    assert reloaded is not None
    assert reloaded.id == started.id
    assert reloaded.started_at == started.started_at
    assert reloaded.ideal_seconds > 0


def test_a_second_call_while_one_is_open_is_refused_with_a_clear_message(
    db: Database, operator: User
) -> None:
    entity_id = factories.make_entity(db, operator)
    calls.start_call(db, operator, Routine.TELEMARKETING, entity_id)
    with pytest.raises(Conflict, match="ligação em andamento"):
        calls.start_call(db, operator, Routine.TELEMARKETING, entity_id)
    assert db.read(lambda tx: tx.scalar("SELECT count(*) FROM calls")) == 1


def test_two_simultaneous_starts_open_exactly_one_call(db: Database, operator: User) -> None:
    entity_id = factories.make_entity(db, operator)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def press() -> None:
        barrier.wait()
        try:
            calls.start_call(db, operator, Routine.TELEMARKETING, entity_id)
            outcomes.append("started")
        except Conflict:
            outcomes.append("refused")

    threads = [threading.Thread(target=press) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "started"]
    assert db.read(lambda tx: tx.scalar("SELECT count(*) FROM open_calls")) == 1


def test_ending_a_call_frees_the_operator_and_feeds_the_footer(
    db: Database, operator: User, clock: Clock
) -> None:
    entity_id = factories.make_entity(db, operator, name="Maria Aparecida Souza")
    calls.start_call(db, operator, Routine.TELEMARKETING, entity_id)
    clock.advance(seconds=95)
    assert calls.end_call(db, operator) == calls.NOTHING_SAVED
    assert calls.current_call(db, operator) is None
    last = calls.last_call(db, operator)
    assert last is not None
    assert (last.entity_name, last.duration_seconds, last.result) == (
        "Maria Aparecida Souza",
        95,
        "Encerrada sem registro",
    )
    calls.start_call(db, operator, Routine.TELEMARKETING, entity_id)  # free again
    assert calls.end_call(db, operator, cleared=True) == "Limpo sem gravar"


def test_a_routine_the_operator_does_not_hold_is_refused_and_audited(
    db: Database, operator: User
) -> None:
    entity_id = factories.make_entity(db, operator)
    with pytest.raises(Forbidden):
        calls.start_call(db, operator, Routine.TELECOBRANCA, entity_id)
    refusals = db.read(
        lambda tx: tx.scalar("SELECT count(*) FROM audit_log WHERE event = 'acesso.negado'")
    )
    assert refusals == 1


def test_a_call_in_a_group_the_operator_is_not_in_is_refused(db: Database, operator: User) -> None:
    entity_id = factories.make_entity(db, operator)
    other_group = factories.make_group(db, name="Outro grupo")
    with pytest.raises(Invalid, match="não pertence"):
        calls.start_call(db, operator, Routine.TELEMARKETING, entity_id, group_id=other_group)


def test_opening_an_attendance_starts_the_call_or_reuses_the_one_with_that_entity(
    db: Database, operator: User
) -> None:
    entity_id = factories.make_entity(db, operator)
    first = calls.call_with(db, operator, Routine.TELEMARKETING, entity_id)
    again = calls.call_with(db, operator, Routine.TELEMARKETING, entity_id)
    assert again.id == first.id
    assert db.read(lambda tx: tx.scalar("SELECT count(*) FROM calls")) == 1


def test_opening_an_attendance_while_on_a_call_with_someone_else_is_refused(
    db: Database, operator: User
) -> None:
    caller = factories.make_entity(db, operator, name="Quem Ligou")
    other = factories.make_entity(db, operator)
    calls.start_call(db, operator, Routine.TELEMARKETING, caller)
    with pytest.raises(Conflict, match="ligação em andamento com Quem Ligou"):
        calls.call_with(db, operator, Routine.TELEMARKETING, other)
    current = calls.current_call(db, operator)
    assert current is not None and current.entity_id == caller
    assert db.read(lambda tx: tx.scalar("SELECT count(*) FROM calls")) == 1


def test_the_contact_channel_is_recorded_on_the_running_call_only(
    db: Database, operator: User
) -> None:
    from core.errors import NotFound

    entity_id = factories.make_entity(db, operator)
    with pytest.raises(NotFound, match="ligação em andamento"):
        calls.record_channel(db, operator, "telefone")
    call = calls.start_call(db, operator, Routine.TELEMARKETING, entity_id)
    with pytest.raises(Invalid, match="Canal"):
        calls.record_channel(db, operator, "fax")
    calls.record_channel(db, operator, "telefone")

    stored = db.read(lambda tx: tx.scalar("SELECT channel FROM calls WHERE id = ?", [call.id]))
    events = db.read(
        lambda tx: tx.scalar("SELECT count(*) FROM audit_log WHERE event = 'ligacao.canal'")
    )
    assert (stored, events) == ("telefone", 1)


def test_a_call_is_inbound_or_outbound_by_the_group_and_where_it_starts(
    db: Database, clock: Clock
) -> None:
    """Receptivo groups answer (the caller search), ativo groups dial; a call opened from a
    list or the agenda is always outbound. The wallboard counts them per routine."""
    from core import dashboards

    admin = factories.make_admin(db, "admin_direcao")
    inbound_group = factories.make_group(db, "SAC receptivo", direction="receptivo")
    outbound_group = factories.make_group(db, "Vendas ativo", direction="ativo")
    answering = factories.make_operator(db, "atende", group_id=inbound_group)
    dialing = factories.make_operator(db, "disca", group_id=outbound_group)
    entity_id = factories.make_entity(db, admin)

    answered = calls.start_call(db, answering, Routine.TELEMARKETING, entity_id)
    dialed = calls.start_call(db, dialing, Routine.TELEVENDAS, entity_id)
    calls.end_call(db, answering)
    from_list = calls.call_with(db, answering, Routine.TELEMARKETING, entity_id)

    rows = db.read(lambda tx: tx.all("SELECT id, direction FROM calls"))
    directions = {row["id"]: row["direction"] for row in rows}
    assert directions == {answered.id: "receptivo", dialed.id: "ativo", from_list.id: "ativo"}
    board = dashboards.wallboard(db, admin)
    assert board.directions["telemarketing"] == {"receptivo": 1, "ativo": 1}
    assert board.directions["televendas"] == {"receptivo": 0, "ativo": 1}
    from core import reports
    from core.localtime import local_day

    today = local_day(clock.now)
    rows = reports.run_report(db, admin, "ligacoes_direcao", reports.Period(today, today))
    assert sorted(rows.select("routine", "inbound", "outbound").rows()) == [
        ("Telemarketing", 1, 1),
        ("Televendas", 0, 1),
    ]


# --- one call per conversation ------------------------------------------------------------


def _counts(db: Database) -> tuple[int, int, int]:
    return db.read(
        lambda tx: (
            tx.scalar("SELECT count(*) FROM entities"),
            tx.scalar("SELECT count(*) FROM calls"),
            tx.scalar("SELECT count(*) FROM audit_log WHERE event = 'entidade.incluida'"),
        )
    )


def test_an_unknown_caller_is_registered_as_a_prospect_and_the_call_starts_on_them(
    db: Database, operator: User
) -> None:
    data = entities.EntityInput(
        kind="prospect", name="  Joana   Prado ", mobile="(11) 97777-1234", document=""
    )
    call = calls.register_caller(db, operator, Routine.TELEMARKETING, data)

    assert call.entity_name == "Joana Prado"
    assert calls.current_call(db, operator) == call
    stored = entities.get_entity(db, operator, call.entity_id).values
    assert (stored["kind"], stored["mobile"]) == ("prospect", "(11) 97777-1234")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": "Jo"}, "nome"),
        ({"mobile": ""}, "telefone"),
        ({"document": "123.456.789-00"}, "CPF"),
        ({"kind": "cliente", "document": ""}, "CPF/CNPJ"),
    ],
)
def test_a_new_caller_with_bad_data_is_refused_and_nothing_is_written(
    db: Database, operator: User, overrides: dict[str, str], message: str
) -> None:
    values = {"kind": "prospect", "name": "Joana Prado", "mobile": "(11) 97777-1234"}
    values.update(overrides)
    before = _counts(db)
    with pytest.raises(Invalid) as refused:
        calls.register_caller(db, operator, Routine.TELEMARKETING, entities.EntityInput(**values))
    assert (
        message.lower()
        in str(refused.value.message).lower() + " ".join(refused.value.problems.values()).lower()
    )
    assert _counts(db) == before and calls.current_call(db, operator) is None


def test_a_registered_document_is_refused_as_already_registered(
    db: Database, operator: User
) -> None:
    document = factories.valid_cpf(4242)
    factories.make_entity(db, operator, document=document)
    before = _counts(db)
    data = entities.EntityInput(
        kind="prospect", name="Outra Pessoa", document=document, mobile="(11) 96666-0000"
    )
    with pytest.raises(Invalid, match="já cadastrad"):
        calls.register_caller(db, operator, Routine.TELEMARKETING, data)
    assert _counts(db) == before


def test_a_phone_already_on_file_is_warned_and_registered_only_when_confirmed(
    db: Database, operator: User
) -> None:
    known = factories.make_entity(db, operator, name="Marcos Vieira", mobile="(11) 95555-0101")
    data = entities.EntityInput(kind="prospect", name="Marta Vieira", mobile="11955550101")
    before = _counts(db)
    with pytest.raises(calls.SamePhone, match=f"Marcos Vieira \\(código {known}\\)"):
        calls.register_caller(db, operator, Routine.TELEMARKETING, data)
    assert _counts(db) == before

    call = calls.register_caller(
        db, operator, Routine.TELEMARKETING, data, same_phone_confirmed=True
    )
    assert call.entity_name == "Marta Vieira" and call.entity_id != known


def test_whoever_attends_a_routine_may_register_a_caller(operator: User) -> None:
    # register_caller is gated by the routine's action; it writes an entity, so everyone who
    # holds a routine must also hold the entities' edit action.
    assert allowed(operator, Action.ATTEND_TELEMARKETING)
    assert allowed(operator, Action.EDIT_ENTITIES)


def test_a_call_records_every_attendance_worked_in_it_and_its_last_routine(
    db: Database, multi_operator: User
) -> None:
    entity_id = factories.make_entity(db, multi_operator)
    call = calls.start_call(db, multi_operator, Routine.TELEMARKETING, entity_id)

    def record(routine: Routine, record_id: int, status: str, entity: int = entity_id) -> None:
        db.write(lambda tx: calls.record_in(tx, multi_operator, routine, record_id, entity, status))

    record(Routine.TELEMARKETING, 11, "Pendente")
    record(Routine.TELEVENDAS, 7, "Orçamento")
    record(Routine.TELEVENDAS, 7, "Faturado")  # the same order, further on: one entry
    other = factories.make_entity(db, multi_operator)
    record(Routine.TELEMARKETING, 99, "Pendente", other)  # not this call's caller: left out

    result = calls.end_call(db, multi_operator)

    assert result == "Telemarketing nº 11: Pendente · Televendas nº 7: Faturado"
    stored = db.read(lambda tx: tx.one("SELECT routine, result FROM calls WHERE id = ?", [call.id]))
    assert stored == {"routine": "televendas", "result": result}
    with pytest.raises(NotFound):
        calls.end_call(db, multi_operator)
