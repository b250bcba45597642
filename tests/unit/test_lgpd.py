"""LGPD: the data dictionary (coverage, reclassification), the audit reports, and the data
subject's rights (export, anonymisation)."""

from __future__ import annotations

import json
import re
from datetime import date

import polars as pl
import pytest

from core import audit_reports, data_subjects, entities, privacy, users
from core.access import Action, Routine, User, allowed
from core.audit_reports import AuditFilter
from core.db import Database
from core.errors import Conflict, Forbidden, Invalid
from core.telemarketing.service import AttendanceInput, ItemInput, Outcome, save_attendance
from tests import factories

# Column names that look like personal data (the list, in English and Portuguese).
PERSONAL_LOOKING = re.compile(
    r"cpf|cnpj|document|phone|telefone|mobile|celular|email|e_mail|address|endereco|street"
    r"|district|bairro|zip|cep|birth|nascimento|sensitive_note"
)


def test_every_column_that_looks_personal_is_in_the_data_dictionary(db: Database) -> None:
    columns = db.read(lambda tx: tx.all(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema IN ('main', 'public')"))  # fmt: skip
    documented = {
        (row["table_name"], row["column_name"])
        for row in db.read(lambda tx: tx.all("SELECT table_name, column_name FROM data_dictionary"))
    }

    looking = {(c["table_name"], c["column_name"]) for c in columns
               if PERSONAL_LOOKING.search(c["column_name"])}  # fmt: skip
    missing = sorted(looking - documented)

    assert looking, "the pattern must find the known personal columns"
    assert missing == [], f"classify these columns in data_dictionary: {missing}"


def test_reclassifying_a_field_changes_masking_at_once_and_is_audited(
    db: Database, admin: User
) -> None:
    clerk = factories.make_operator(db, "clerk", routines={Routine.TELEMARKETING})
    entity_id = factories.make_entity(db, admin, city="Campinas")
    before = entities.get_entity(db, clerk, entity_id)
    row = (
        privacy.list_dictionary(db, admin)
        .filter((pl.col("table_name") == "entities") & (pl.col("column_name") == "city"))
        .row(0, named=True)
    )

    privacy.classify_field(
        db, admin, "entities", "city", classification="pessoal",
        justification="Cidade pequena identifica o titular.", in_use=True, seen=row,
    )  # fmt: skip
    after = entities.get_entity(db, clerk, entity_id)

    assert before.values["city"] == "Campinas"
    assert after.values["city"] == privacy.MASK
    event = db.read(lambda tx: tx.one(
        "SELECT detail FROM audit_log WHERE event = 'dicionario.atualizado'"))  # fmt: skip
    detail = json.loads(event["detail"])
    assert detail["classification"] == {"de": "nenhum", "para": "pessoal"}


def test_a_stale_or_invalid_reclassification_writes_nothing(db: Database, admin: User) -> None:
    seen = {"classification": "pessoal", "justification": "outra", "in_use": True}

    with pytest.raises(Conflict):
        privacy.classify_field(db, admin, "entities", "email", classification="nenhum",
                               justification="Sem uso hoje.", in_use=False, seen=seen)  # fmt: skip
    with pytest.raises(Invalid, match="Justifique"):
        privacy.classify_field(db, admin, "entities", "email", classification="nenhum",
                               justification="curta", in_use=False, seen=seen)  # fmt: skip
    assert db.read(lambda tx: tx.scalar(
        "SELECT classification FROM data_dictionary WHERE table_name = 'entities'"
        " AND column_name = 'email'")) == "pessoal"  # fmt: skip


def test_the_audit_screens_are_for_the_admin_and_whoever_a_profile_grants(
    db: Database, admin: User, supervisor: User
) -> None:
    profile = users.create_profile(
        db, admin, users.ProfileInput("Auditoria", "Consulta a auditoria", audit_access=True)
    )
    granted = factories.make_supervisor(db, "auditora", personal=True)
    db.write(
        lambda tx: tx.execute(
            "INSERT INTO user_profiles (user_id, profile_id) VALUES (?, ?)", [granted.id, profile]
        )
    )
    granted = factories.reload(db, granted)

    assert allowed(admin, Action.VIEW_AUDIT)
    assert not allowed(supervisor, Action.VIEW_AUDIT)
    assert allowed(granted, Action.VIEW_AUDIT)
    with pytest.raises(Forbidden):
        audit_reports.search_audit(db, supervisor)


def test_the_audit_log_filters_by_user_event_family_and_period(
    db: Database, admin: User, operator: User
) -> None:
    entity_id = factories.make_entity(db, admin)
    entities.get_entity(db, operator, entity_id)

    views = audit_reports.search_audit(
        db, admin, AuditFilter(username="operador", family="dados", start=date(2026, 3, 10))
    )
    nothing = audit_reports.search_audit(db, admin, AuditFilter(end=date(2026, 3, 9)))
    export = audit_reports.export_audit(db, admin, AuditFilter(username="operador"))

    assert views.total == 1 and views.rows["event"].to_list() == ["dados.visualizados"]
    assert nothing.total == 0
    assert "dados.visualizados" in export.decode("utf-8-sig")
    assert audit_reports.search_audit(db, admin, AuditFilter(family="dados")).total >= 2


def test_who_saw_a_data_subject_lists_clear_views_but_not_masked_ones(
    db: Database, admin: User
) -> None:
    entity_id = factories.make_entity(db, admin)
    with_192 = factories.make_operator(db, "com192", routines={Routine.TELEMARKETING},
                                       personal=True)  # fmt: skip
    without = factories.make_operator(db, "sem192", routines={Routine.TELEMARKETING})
    entities.get_entity(db, with_192, entity_id)
    entities.get_entity(db, without, entity_id)
    entities.search_entities(db, with_192, "Cliente Teste")

    viewers = audit_reports.subject_viewers(db, admin, entity_id)

    assert set(viewers["username"].to_list()) == {"com192"}
    assert set(viewers["screen"].to_list()) == {"entidades.detalhe", "entidades.lista"}
    by_entity = audit_reports.search_audit(db, admin, AuditFilter(entity_id=entity_id))
    assert "sem192" in by_entity.rows["username"].to_list()  # masked views stay in the log


# --- data subject's rights ------------------------------------------------------------------


def _tmk_history(db: Database, admin: User, entity_id: int) -> User:
    """An operator and a closed Telemarketing attendance with notes about the person."""
    from core import catalogues
    from core.catalogues import EntryInput

    occurrence = catalogues.create_entry(db, admin, "ocorrencia", EntryInput(
        "OC1", "Dúvida", routine="telemarketing", subject="Geral"))  # fmt: skip
    closing = catalogues.create_entry(
        db, admin, "motivo_encerramento", EntryInput("EN", "Resolvido")
    )
    operator = factories.make_operator(db, "atendente", routines={Routine.TELEMARKETING},
                                       personal=True)  # fmt: skip
    save_attendance(
        db, operator, AttendanceInput(entity_id, items=[ItemInput(
            occurrence, notes="Cliente Maria Sigilosa ligou do 11987654321")]),
        outcome=Outcome.CLOSE, closing_reason_id=closing,
        closing_text="Maria Sigilosa satisfeita",
    )  # fmt: skip
    return operator


def test_the_data_subject_export_holds_everything_and_is_audited(db: Database, admin: User) -> None:
    entity_id = factories.make_entity(db, admin, name="Maria Sigilosa")
    factories.make_title(db, entity_id, date(2026, 1, 10), "300.00", status="pago", balance="0")
    operator = _tmk_history(db, admin, entity_id)
    entities.get_entity(db, operator, entity_id)

    bundle = json.loads(data_subjects.export_subject(db, admin, entity_id))

    assert bundle["titular"]["name"] == "Maria Sigilosa"
    assert len(bundle["atendimentos_telemarketing"]) == 1
    assert len(bundle["itens_telemarketing"]) == 1
    assert bundle["titulos"][0]["amount"] == "300.00"
    assert bundle["acessos_aos_dados"]  # the operator's clear views of her are in it
    assert db.read(lambda tx: tx.scalar(
        "SELECT count(*) FROM audit_log WHERE event = 'titular.exportado'")) == 1  # fmt: skip


def test_without_both_accesses_the_rights_routine_is_restricted_and_audited(
    db: Database,
) -> None:
    admin_192 = factories.make_admin(db, "semsensivel", personal=True, sensitive=False)
    entity_id = factories.make_entity(db, admin_192)

    with pytest.raises(Forbidden, match="Dados protegidos – acesso restrito"):
        data_subjects.export_subject(db, admin_192, entity_id)
    with pytest.raises(Forbidden, match="Dados protegidos – acesso restrito"):
        data_subjects.anonymize_subject(db, admin_192, entity_id, "Pedido do titular nº 1")
    assert db.read(lambda tx: tx.scalar(
        "SELECT count(*) FROM audit_log WHERE event = 'acesso.negado' AND user_id = ?",
        [admin_192.id])) == 2  # fmt: skip


def test_anonymisation_is_refused_while_the_person_has_open_titles(
    db: Database, admin: User
) -> None:
    entity_id = factories.make_entity(db, admin)
    factories.make_title(db, entity_id, date(2026, 2, 1), "100.00")

    with pytest.raises(Invalid, match="títulos em aberto"):
        data_subjects.anonymize_subject(db, admin, entity_id, "Pedido do titular nº 7")
    assert entities.get_entity(db, admin, entity_id).values["name"].startswith("Cliente")


def test_anonymisation_keeps_the_totals_and_leaves_no_personal_value_behind(
    db: Database, admin: User
) -> None:
    entity_id = factories.make_entity(
        db, admin, name="Maria Sigilosa", email="maria.sigilosa@exemplo.com.br",
        street="Rua Secreta", sensitive_note="Tratamento de saúde em curso",
    )  # fmt: skip
    contact_id = entities.add_contact(db, admin, entity_id, factories.contact_input(
        name="Joaquim Reservado", email="joaquim@exemplo.com.br"))  # fmt: skip
    factories.make_title(db, entity_id, date(2026, 1, 10), "300.00", status="pago", balance="0")
    _tmk_history(db, admin, entity_id)
    stored = db.read(lambda tx: tx.one("SELECT * FROM entities WHERE id = ?", [entity_id]))
    contact = db.read(lambda tx: tx.one("SELECT * FROM contacts WHERE id = ?", [contact_id]))
    secrets = [
        "Maria Sigilosa", stored["document"], stored["email"], stored["phone"],
        stored["mobile"], "Rua Secreta", "Tratamento de saúde", "Joaquim Reservado",
        contact["email"], contact["document"], "11987654321",
    ]  # fmt: skip
    totals = db.read(lambda tx: tx.scalar("SELECT sum(amount) FROM receivables"))

    data_subjects.anonymize_subject(db, admin, entity_id, "Pedido do titular, protocolo 123")

    assert db.read(lambda tx: tx.scalar("SELECT sum(amount) FROM receivables")) == totals
    assert db.read(lambda tx: tx.scalar("SELECT count(*) FROM tmk_attendances")) == 1
    leftovers = _search_everywhere(db, secrets)
    assert leftovers == [], leftovers
    anonymized = entities.get_entity(db, admin, entity_id)
    assert anonymized.values["name"] == f"Titular anonimizado nº {entity_id}"
    assert anonymized.values["birth_date"] is None
    with pytest.raises(Invalid, match="já foi anonimizado"):
        data_subjects.anonymize_subject(db, admin, entity_id, "Pedido do titular, de novo")
    assert db.read(lambda tx: tx.scalar(
        "SELECT count(*) FROM audit_log WHERE event = 'titular.anonimizado'")) == 1  # fmt: skip


def _search_everywhere(db: Database, secrets: list[str]) -> list[str]:
    """Every text column of every table, searched for each secret value."""
    columns = db.read(lambda tx: tx.all(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = 'main' AND data_type = 'VARCHAR'"))  # fmt: skip
    found = []
    for secret in filter(None, secrets):
        for column in columns:
            table, name = column["table_name"], column["column_name"]
            hits = db.read(lambda tx, t=table, n=name, s=secret: tx.scalar(
                f'SELECT count(*) FROM "{t}" WHERE contains("{n}", ?)', [s]))  # fmt: skip
            if hits:
                found.append(f"{table}.{name} ainda contém {secret!r}")
    return found


def test_an_anonymised_person_cannot_be_edited_back(db: Database, admin: User) -> None:
    entity_id = factories.make_entity(db, admin)
    data_subjects.anonymize_subject(db, admin, entity_id, "Pedido do titular, protocolo 9")
    detail = entities.get_entity(db, admin, entity_id)

    with pytest.raises(Invalid, match="anonimizado"):
        entities.update_entity(db, admin, entity_id, detail.version,
                               factories.entity_input(name="Nome de Volta"))  # fmt: skip
    assert entities.get_entity(db, admin, entity_id).values["name"].startswith("Titular")


def test_every_event_the_product_writes_belongs_to_a_filterable_family(
    db: Database, admin: User, operator: User
) -> None:
    from core import auth

    auth.logout(db, operator, None)
    events = {
        "login.ok", "login.falha", "logout", "acesso.negado", "dados.visualizados",
        "estacao.recusada", "contato.incluido", "cadastro.alterado", "products.incluido",
        "price_tables.precos", "cobranca.promessa", "titular.anonimizado", "entidade.alterada",
    }  # fmt: skip

    assert {event: audit_reports.family_of(event) for event in events if
            audit_reports.family_of(event) is None} == {}  # fmt: skip
    logouts = audit_reports.search_audit(db, admin, AuditFilter(family="login"))
    assert "logout" in logouts.rows["event"].to_list()
