"""Telemarketing attendances: the status machine, saving with the agenda, visibility, list."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from core import agenda, calls, catalogues
from core.access import Routine, User
from core.catalogues import EntryInput
from core.db import Database
from core.errors import Conflict, Forbidden, Invalid, NotFound
from core.telemarketing import maintenance as tmk_maintenance
from core.telemarketing import service as tmk_service
from core.telemarketing.maintenance import AttendanceFilter
from core.telemarketing.service import AttendanceInput, ItemInput, Outcome, next_status
from tests import factories
from tests.conftest import Clock

NOW = datetime(2026, 3, 10, 13, 0).astimezone()


# --- the status machine, pure --------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "outcome", "kwargs", "expected"),
    [
        (None, Outcome.SAVE, {}, "pendente"),
        (None, Outcome.SAVE, {"return_at": NOW + timedelta(hours=1)}, "planejado"),
        (None, Outcome.CLOSE, {"closing_reason_id": 1, "closing_text": "Resolvido"}, "encerrado"),
        ("pendente", Outcome.SAVE, {"return_at": NOW + timedelta(days=1)}, "planejado"),
        ("pendente", Outcome.CLOSE, {"closing_reason_id": 1, "closing_text": "Ok!"}, "encerrado"),
        ("pendente", Outcome.CANCEL, {"cancellation_reason_id": 2}, "cancelado"),
        ("planejado", Outcome.SAVE, {}, "pendente"),
        ("planejado", Outcome.SAVE, {"return_at": NOW + timedelta(days=2)}, "planejado"),
        (
            "planejado",
            Outcome.CLOSE,
            {"closing_reason_id": 1, "closing_text": "Feito"},
            "encerrado",
        ),
        ("planejado", Outcome.CANCEL, {"cancellation_reason_id": 2}, "cancelado"),
    ],
)
def test_allowed_transitions(
    current: str | None, outcome: Outcome, kwargs: dict, expected: str
) -> None:
    kwargs.setdefault("return_at", None)
    assert next_status(current, outcome, now=NOW, **kwargs) == expected


@pytest.mark.parametrize(
    ("current", "outcome", "kwargs", "reason"),
    [
        ("encerrado", Outcome.SAVE, {}, "supervisor pode reabri"),
        ("encerrado", Outcome.CANCEL, {"cancellation_reason_id": 2}, "supervisor pode reabri"),
        ("cancelado", Outcome.SAVE, {}, "cancelado não pode"),
        ("cancelado", Outcome.CLOSE, {"closing_reason_id": 1, "closing_text": "x"}, "cancelado"),
        (None, Outcome.CANCEL, {"cancellation_reason_id": 2}, "Limpa Atendimento"),
        ("pendente", Outcome.CANCEL, {}, "motivo do cancelamento"),
        ("pendente", Outcome.CLOSE, {"closing_text": "Resolvido"}, "motivo de encerramento"),
        ("pendente", Outcome.CLOSE, {"closing_reason_id": 1}, "texto de encerramento"),
        ("pendente", Outcome.SAVE, {"return_at": NOW - timedelta(minutes=1)}, "no futuro"),
        (None, Outcome.SAVE, {"return_at": NOW}, "no futuro"),
    ],
)
def test_refused_transitions_say_why_in_portuguese(
    current: str | None, outcome: Outcome, kwargs: dict, reason: str
) -> None:
    kwargs.setdefault("return_at", None)
    with pytest.raises(Invalid, match=reason):
        next_status(current, outcome, now=NOW, **kwargs)


# --- saving against the database ------------------------------------------------------------


@pytest.fixture
def tmk(db: Database, admin: User) -> dict[str, int]:
    """One entry of each catalogue an attendance uses."""

    def entry(catalogue: str, code: str, **extra: object) -> int:
        return catalogues.create_entry(
            db, admin, catalogue, EntryInput(code=code, description=f"Item {code}", **extra)
        )

    return {
        "occurrence": entry("ocorrencia", "OC1", routine="telemarketing", subject="Dúvida"),
        "action": entry("acao", "AC1"),
        "closing": entry("motivo_encerramento", "MC1"),
        "cancelling": entry("motivo_cancelamento", "MX1"),
        "media": entry("midia", "MD1"),
    }


def _attendance(entity_id: int, tmk: dict[str, int], **overrides: object) -> AttendanceInput:
    values: dict = {
        "entity_id": entity_id,
        "media_id": tmk["media"],
        "items": [ItemInput(occurrence_id=tmk["occurrence"], action_id=tmk["action"])],
    }
    values.update(overrides)
    return AttendanceInput(**values)


def _count(db: Database, table: str) -> int:
    return int(db.read(lambda tx: tx.scalar(f"SELECT count(*) FROM {table}")))


def test_saving_without_return_makes_a_pendente_attendance_and_the_call_records_it(
    db: Database, operator: User, tmk: dict[str, int]
) -> None:
    entity_id = factories.make_entity(db, operator)
    call = calls.start_call(db, operator, Routine.TELEMARKETING, entity_id)
    saved = tmk_service.save_attendance(db, operator, _attendance(entity_id, tmk), call_id=call.id)
    assert (saved.status, saved.operator_code, saved.started_at) == (
        "pendente",
        operator.operator.code,
        call.started_at,
    )
    assert calls.current_call(db, operator) is not None  # the conversation goes on
    assert calls.end_call(db, operator) == f"Telemarketing nº {saved.id}: Pendente"
    last = calls.last_call(db, operator)
    assert last is not None and last.result == f"Telemarketing nº {saved.id}: Pendente"


def test_a_return_date_makes_it_planejado_and_puts_it_first_on_the_agenda(
    db: Database, operator: User, tmk: dict[str, int], clock: Clock
) -> None:
    entity_id = factories.make_entity(db, operator, name="Cliente do Retorno")
    later = clock.now + timedelta(days=2)
    sooner = clock.now + timedelta(hours=3)
    tmk_service.save_attendance(db, operator, _attendance(entity_id, tmk, return_at=later))
    first = tmk_service.save_attendance(db, operator, _attendance(entity_id, tmk, return_at=sooner))
    assert first.status == "planejado"
    upcoming = agenda.next_call(db, operator)
    assert upcoming is not None
    assert (upcoming.source_id, upcoming.due_from, upcoming.entity_name) == (
        first.id,
        sooner,
        "Cliente do Retorno",
    )
    assert [item.due_from for item in agenda.open_items(db, operator)] == [sooner, later]


def test_closing_needs_reason_and_text_stamps_the_date_closes_items_and_the_agenda(
    db: Database, operator: User, tmk: dict[str, int], clock: Clock
) -> None:
    entity_id = factories.make_entity(db, operator)
    planned = tmk_service.save_attendance(
        db, operator, _attendance(entity_id, tmk, return_at=clock.now + timedelta(hours=5))
    )
    clock.advance(minutes=30)
    closed = tmk_service.save_attendance(
        db, operator, _attendance(entity_id, tmk), outcome=Outcome.CLOSE,
        attendance_id=planned.id, version=planned.version,
        closing_reason_id=tmk["closing"], closing_text="Cliente orientado.",
    )  # fmt: skip
    assert (closed.status, closed.closed_at) == ("encerrado", clock.now)
    assert {item["status"] for item in closed.items} == {"encerrado"}
    assert agenda.next_call(db, operator) is None


def test_a_refused_close_writes_nothing(db: Database, operator: User, tmk: dict[str, int]) -> None:
    entity_id = factories.make_entity(db, operator)
    before = (_count(db, "tmk_attendances"), _count(db, "tmk_items"), _count(db, "audit_log"))
    with pytest.raises(Invalid, match="motivo de encerramento"):
        tmk_service.save_attendance(
            db, operator, _attendance(entity_id, tmk), outcome=Outcome.CLOSE, closing_text="x y z"
        )
    after = (_count(db, "tmk_attendances"), _count(db, "tmk_items"), _count(db, "audit_log"))
    assert after == before


def test_an_attendance_needs_at_least_one_item_with_an_occurrence(
    db: Database, operator: User, tmk: dict[str, int]
) -> None:
    entity_id = factories.make_entity(db, operator)
    with pytest.raises(Invalid, match="ao menos um item"):
        tmk_service.save_attendance(db, operator, _attendance(entity_id, tmk, items=[]))
    with pytest.raises(Invalid, match="escolha a ocorrência"):
        tmk_service.save_attendance(
            db, operator, _attendance(entity_id, tmk, items=[ItemInput(occurrence_id=None)])
        )


def test_inactive_catalogue_entries_cannot_be_chosen_but_old_records_keep_them(
    db: Database, operator: User, admin: User, tmk: dict[str, int]
) -> None:
    entity_id = factories.make_entity(db, operator)
    saved = tmk_service.save_attendance(db, operator, _attendance(entity_id, tmk))
    catalogues.update_entry(
        db, admin, "ocorrencia", tmk["occurrence"], 1,
        EntryInput(code="OC1", description="Item OC1", routine="telemarketing",
                   subject="Dúvida", active=False),
    )  # fmt: skip
    assert tmk["occurrence"] not in catalogues.choices(db, "ocorrencia")
    resaved = tmk_service.save_attendance(
        db, operator, _attendance(entity_id, tmk, return_at=None),
        attendance_id=saved.id, version=saved.version,
    )  # fmt: skip
    assert resaved.labels[tmk["occurrence"]] == "Dúvida › Item OC1"
    with pytest.raises(Invalid, match="inexistente ou inativo"):
        tmk_service.save_attendance(db, operator, _attendance(entity_id, tmk))


def test_a_stale_save_is_refused_and_changes_nothing(
    db: Database, operator: User, tmk: dict[str, int], clock: Clock
) -> None:
    entity_id = factories.make_entity(db, operator)
    saved = tmk_service.save_attendance(db, operator, _attendance(entity_id, tmk))
    tmk_service.save_attendance(
        db, operator, _attendance(entity_id, tmk, direction="ativo"),
        attendance_id=saved.id, version=saved.version,
    )  # fmt: skip
    with pytest.raises(Conflict, match="alterado por outro usuário"):
        tmk_service.save_attendance(
            db, operator, _attendance(entity_id, tmk, return_at=clock.now + timedelta(days=1)),
            attendance_id=saved.id, version=saved.version,
        )  # fmt: skip
    current = tmk_service.get_attendance(db, operator, saved.id)
    assert (current.direction, current.status) == ("ativo", "pendente")


def test_only_a_supervisor_reopens_an_encerrado_attendance_and_it_is_audited(
    db: Database, operator: User, supervisor: User, tmk: dict[str, int]
) -> None:
    entity_id = factories.make_entity(db, operator)
    closed = tmk_service.save_attendance(
        db, operator, _attendance(entity_id, tmk), outcome=Outcome.CLOSE,
        closing_reason_id=tmk["closing"], closing_text="Resolvido no primeiro contato",
    )  # fmt: skip
    with pytest.raises(Forbidden):
        tmk_service.reopen_attendance(db, operator, closed.id, closed.version, "Cliente voltou")
    reopened = tmk_service.reopen_attendance(
        db, supervisor, closed.id, closed.version, "Cliente voltou a reclamar"
    )
    assert (reopened.status, reopened.closed_at) == ("pendente", None)
    detail = db.read(
        lambda tx: tx.scalar("SELECT detail FROM audit_log WHERE event = 'telemarketing.reaberto'")
    )
    assert "Cliente voltou a reclamar" in detail


def test_cancelling_needs_a_reason_and_is_final(
    db: Database, operator: User, tmk: dict[str, int]
) -> None:
    entity_id = factories.make_entity(db, operator)
    saved = tmk_service.save_attendance(db, operator, _attendance(entity_id, tmk))
    cancelled = tmk_service.save_attendance(
        db, operator, _attendance(entity_id, tmk), outcome=Outcome.CANCEL,
        attendance_id=saved.id, version=saved.version, cancellation_reason_id=tmk["cancelling"],
    )  # fmt: skip
    assert cancelled.status == "cancelado" and cancelled.cancelled_at is not None
    with pytest.raises(Invalid, match="cancelado não pode"):
        tmk_service.save_attendance(
            db, operator, _attendance(entity_id, tmk),
            attendance_id=cancelled.id, version=cancelled.version,
        )  # fmt: skip


# --- visibility and the maintenance list ----------------------------------------------------


def test_operators_see_their_own_and_their_groups_attendances_supervisors_see_all(
    db: Database, admin: User, supervisor: User, tmk: dict[str, int]
) -> None:
    group_a = factories.make_group(db, "Grupo A")
    group_b = factories.make_group(db, "Grupo B")
    alice = factories.make_operator(db, routines={Routine.TELEMARKETING}, group_id=group_a)
    alex = factories.make_operator(db, routines={Routine.TELEMARKETING}, group_id=group_a)
    bia = factories.make_operator(db, routines={Routine.TELEMARKETING}, group_id=group_b)
    entity_id = factories.make_entity(db, admin)
    mine = tmk_service.save_attendance(db, alice, _attendance(entity_id, tmk))
    colleague = tmk_service.save_attendance(db, alex, _attendance(entity_id, tmk))
    other = tmk_service.save_attendance(db, bia, _attendance(entity_id, tmk))

    def ids(user: User) -> set[int]:
        return set(tmk_maintenance.list_attendances(db, user).rows["id"].to_list())

    assert ids(alice) == {mine.id, colleague.id}
    assert ids(bia) == {other.id}
    sofia = factories.make_supervisor(db, routines={Routine.TELEMARKETING})
    assert ids(sofia) == {mine.id, colleague.id, other.id}
    with pytest.raises(NotFound):
        tmk_service.get_attendance(db, bia, mine.id)


def test_the_list_filters_by_status_and_period_and_pages_with_a_total(
    db: Database, operator: User, tmk: dict[str, int], clock: Clock
) -> None:
    entity_id = factories.make_entity(db, operator)
    for _ in range(7):
        tmk_service.save_attendance(db, operator, _attendance(entity_id, tmk))
        clock.advance(days=1)
    tmk_service.save_attendance(
        db, operator, _attendance(entity_id, tmk), outcome=Outcome.CLOSE,
        closing_reason_id=tmk["closing"], closing_text="Resolvido",
    )  # fmt: skip
    page = tmk_maintenance.list_attendances(db, operator, AttendanceFilter(), page=2, page_size=3)
    assert (page.total, page.pages, page.rows.height) == (8, 3, 3)
    closed = tmk_maintenance.list_attendances(db, operator, AttendanceFilter(status="encerrado"))
    assert closed.rows["status"].to_list() == ["encerrado"]
    first_days = tmk_maintenance.list_attendances(
        db, operator, AttendanceFilter(start=date(2026, 3, 10), end=date(2026, 3, 11))
    )
    assert first_days.total == 2
    with pytest.raises(Invalid, match="termina antes"):
        tmk_maintenance.list_attendances(
            db, operator, AttendanceFilter(start=date(2026, 3, 11), end=date(2026, 3, 10))
        )


def test_the_list_and_its_export_mask_the_document_without_access_192(
    db: Database, admin: User, tmk: dict[str, int]
) -> None:
    masked_user = factories.make_operator(db, routines={Routine.TELEMARKETING}, personal=False)
    cpf = factories.valid_cpf()
    entity_id = factories.make_entity(db, admin, document=cpf)
    tmk_service.save_attendance(db, masked_user, _attendance(entity_id, tmk))
    row = tmk_maintenance.list_attendances(db, masked_user).rows.row(0, named=True)
    assert row["document"].endswith(cpf[-2:]) and cpf not in row["document"]
    exported = tmk_maintenance.export_attendances(db, masked_user).decode("utf-8")
    assert cpf[:9] not in exported and "***" in exported
    assert _count(db, "audit_log WHERE event = 'dados.exportados'") == 1


def test_the_routine_is_refused_to_an_operator_without_it(
    db: Database, tmk: dict[str, int], admin: User
) -> None:
    seller = factories.make_operator(db, routines={Routine.TELEVENDAS})
    entity_id = factories.make_entity(db, admin)
    with pytest.raises(Forbidden):
        tmk_service.save_attendance(db, seller, _attendance(entity_id, tmk))
    with pytest.raises(Forbidden):
        tmk_maintenance.list_attendances(db, seller)


# --- agenda ---------------------------------------------------------------------------------


def test_rescheduling_and_closing_agenda_items(
    db: Database, operator: User, tmk: dict[str, int], clock: Clock
) -> None:
    entity_id = factories.make_entity(db, operator)
    tmk_service.save_attendance(
        db, operator, _attendance(entity_id, tmk, return_at=clock.now + timedelta(hours=1))
    )
    item = agenda.next_call(db, operator)
    assert item is not None and not item.overdue(clock.now)
    clock.advance(hours=3)
    assert item.overdue(clock.now)
    assert agenda.agenda_frame(db, operator)["overdue"].to_list() == [True]
    with pytest.raises(Invalid, match="futuras"):
        agenda.reschedule(db, operator, item.id, item.version, clock.now - timedelta(hours=1))
    agenda.reschedule(db, operator, item.id, item.version, clock.now + timedelta(days=1))
    moved = agenda.next_call(db, operator)
    assert moved is not None and moved.due_from == clock.now + timedelta(days=1)
    with pytest.raises(Conflict):
        agenda.close_item(db, operator, item.id, item.version)
    agenda.close_item(db, operator, moved.id, moved.version)
    assert agenda.next_call(db, operator) is None


def test_nobody_touches_another_operators_agenda(
    db: Database, operator: User, tmk: dict[str, int], clock: Clock
) -> None:
    entity_id = factories.make_entity(db, operator)
    tmk_service.save_attendance(
        db, operator, _attendance(entity_id, tmk, return_at=clock.now + timedelta(hours=1))
    )
    item = agenda.next_call(db, operator)
    assert item is not None
    intruder = factories.make_operator(db, routines={Routine.TELEMARKETING})
    with pytest.raises(NotFound):
        agenda.close_item(db, intruder, item.id, item.version)
    assert agenda.next_call(db, intruder) is None


# --- catalogues -----------------------------------------------------------------------------


def test_catalogue_validation_and_permissions(db: Database, admin: User, operator: User) -> None:
    with pytest.raises(Invalid, match="assunto"):
        catalogues.create_entry(
            db, admin, "ocorrencia", EntryInput(code="X1", description="Sem assunto",
                                                routine="telemarketing"),
        )  # fmt: skip
    with pytest.raises(Invalid, match="termina antes"):
        catalogues.create_entry(
            db, admin, "campanha",
            EntryInput(code="C1", description="Campanha", starts_on=date(2026, 5, 1),
                       ends_on=date(2026, 4, 1)),
        )  # fmt: skip
    with pytest.raises(Forbidden):
        catalogues.create_entry(db, operator, "acao", EntryInput(code="A1", description="Ação"))
    catalogues.create_entry(db, admin, "acao", EntryInput(code="A1", description="Ligar"))
    with pytest.raises(Invalid, match="Já existe um item com este código"):
        catalogues.create_entry(db, admin, "acao", EntryInput(code="a1", description="Outra"))
    assert list(catalogues.choices(db, "acao").values()) == ["Ligar"]


def test_only_running_campaigns_are_offered(db: Database, admin: User) -> None:
    catalogues.create_entry(
        db, admin, "campanha",
        EntryInput(code="NOW", description="Agora", starts_on=date(2026, 3, 1),
                   ends_on=date(2026, 3, 31)),
    )  # fmt: skip
    catalogues.create_entry(
        db, admin, "campanha",
        EntryInput(code="OLD", description="Antiga", starts_on=date(2025, 1, 1),
                   ends_on=date(2025, 2, 1)),
    )  # fmt: skip
    offered = catalogues.choices(db, "campanha", today=date(2026, 3, 10))
    assert list(offered.values()) == ["Agora"]


def test_the_agenda_and_the_attendance_never_disagree(
    db: Database, operator: User, tmk: dict[str, int], clock: Clock
) -> None:
    entity_id = factories.make_entity(db, operator)
    planned = tmk_service.save_attendance(
        db, operator, _attendance(entity_id, tmk, return_at=clock.now + timedelta(hours=1))
    )
    item = agenda.next_call(db, operator)
    assert item is not None
    new_time = clock.now + timedelta(days=3)
    agenda.reschedule(db, operator, item.id, item.version, new_time)
    moved = tmk_service.get_attendance(db, operator, planned.id)
    assert (moved.status, moved.return_at) == ("planejado", new_time)
    item = agenda.next_call(db, operator)
    assert item is not None
    agenda.close_item(db, operator, item.id, item.version)
    worked = tmk_service.get_attendance(db, operator, planned.id)
    assert (worked.status, worked.return_at) == ("pendente", None)


def test_without_access_192_the_list_filters_by_a_whole_document_only(
    db: Database, admin: User, tmk: dict[str, int]
) -> None:
    masked_user = factories.make_operator(db, routines={Routine.TELEMARKETING}, personal=False)
    cpf = factories.valid_cpf()
    entity_id = factories.make_entity(db, admin, document=cpf)
    tmk_service.save_attendance(db, masked_user, _attendance(entity_id, tmk))

    def found(text: str) -> int:
        filters = AttendanceFilter(entity_text=text)
        return tmk_maintenance.list_attendances(db, masked_user, filters).total

    assert found(cpf[:5]) == 0
    assert found(cpf) == 1
