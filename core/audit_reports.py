"""Reports over the audit log [Log de Auditoria]: the filtered log with its CSV export, and
"quem pode ter visto os dados deste titular" — who saw a data subject's protected data in
clear, when and on which screen. For the admin and users given the audit right.

The log holds no personal values by design (field names, ids and counts only), so these
reports need no masking; they name users, which is what an audit is for.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from core import audit
from core.access import Action, User, require
from core.db import Database
from core.errors import NotFound
from core.exports import export_bytes
from core.listing import PAGE_SIZE, ListPage, ListServices, period_clauses
from core.service import Work, command, query

# Event families for the filter: the prefix of the event name -> pt-BR label.
EVENT_FAMILIES = {
    "login": "Logins e logouts",
    "acesso": "Acessos negados",
    "dados": "Visualizações e exportações de dados",
    "usuario": "Usuários",
    "perfil": "Perfis e acessos",
    "operador": "Operadores",
    "grupo": "Grupos",
    "dicionario": "Dicionário de dados",
    "titular": "Direitos do titular (exportação, anonimização)",
    "parametro": "Parâmetros",
    "telemarketing": "Telemarketing",
    "televendas": "Televendas",
    "cobranca": "Telecobrança",
    "ligacao": "Ligações",
    "agenda": "Agenda",
    "entidade": "Entidades e contatos",
    "estacao": "Estações",
    "cadastro": "Cadastros de atendimento",
    "produtos": "Produtos e preços",
}
# Families whose events do not all start with the family's own name.
_PREFIXES = {
    "login": ("login", "logout"),
    "entidade": ("entidade", "contato"),
    "produtos": ("products", "price_tables", "payment_conditions"),
}


def family_of(event: str) -> str | None:
    """The EVENT_FAMILIES key an event belongs to (None: none of them)."""
    prefix = event.split(".", 1)[0]
    for family, prefixes in _PREFIXES.items():
        if prefix in prefixes:
            return family
    return prefix if prefix in EVENT_FAMILIES else None


def family_label(event: str) -> str:
    family = family_of(event)
    return EVENT_FAMILIES[family] if family else ""


@dataclass
class AuditFilter:
    start: date | None = None
    end: date | None = None
    username: str = ""
    family: str | None = None  # an EVENT_FAMILIES key
    subject: str = ""  # a subject id (entity id, record id…), exact
    entity_id: int | None = None  # a data subject shown in the event


def _filter_sql(filters: AuditFilter) -> tuple[str, list[Any]]:
    clauses, params = period_clauses("a.occurred_at", filters.start, filters.end)
    if filters.username.strip():
        clauses.append("a.username = ?")
        params.append(filters.username.strip().lower())
    if filters.family:
        prefixes = _PREFIXES.get(filters.family, (filters.family,))
        clauses.append("(" + " OR ".join("a.event = ? OR a.event LIKE ?" for _ in prefixes) + ")")
        for prefix in prefixes:
            params += [prefix, f"{prefix}.%"]
    if filters.subject.strip():
        clauses.append("a.subject_id = ?")
        params.append(filters.subject.strip())
    if filters.entity_id is not None:
        clauses.append(
            "(a.id IN (SELECT audit_id FROM audit_subjects WHERE entity_id = ?)"
            " OR (a.subject_type = 'entidade' AND a.subject_id = ?))"
        )
        params += [filters.entity_id, str(filters.entity_id)]
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


_COLUMNS = (
    "SELECT a.id, s.seq, a.occurred_at, a.username, a.event, a.subject_type, a.subject_id,"
    " a.detail FROM audit_log a LEFT JOIN audit_seals s ON s.audit_id = a.id"
)
COLUMN_LABELS = {
    "seq": "Nº",
    "occurred_at": "Quando",
    "username": "Usuário",
    "event": "Evento",
    "subject_type": "Objeto",
    "subject_id": "Identificação",
    "detail": "Detalhes",
}


@query(Action.VIEW_AUDIT, "auditoria", prepare=audit.flush)  # the log must show the last views
def search_audit(
    work: Work, filters: AuditFilter | None = None, page: int = 1, page_size: int = PAGE_SIZE
) -> ListPage:
    """Newest first, one page and the total."""
    where, params = _filter_sql(filters or AuditFilter())
    page = max(1, page)
    total = int(work.tx.scalar("SELECT count(*) FROM audit_log a" + where, params))
    # Newest first in the order the log recorded them, the chain's (nº): a view is buffered
    # and enters the log seconds after it happened, so "Quando" may lag by seconds.
    rows = work.tx.frame(
        _COLUMNS + where + " ORDER BY a.id DESC LIMIT ? OFFSET ?",
        [*params, page_size, (page - 1) * page_size],
    )
    summaries = pl.Series("summary", [describe(row) for row in rows.iter_rows(named=True)])
    return ListPage(rows.with_columns(summaries.cast(pl.String)), total, page, page_size)


@command(Action.VIEW_AUDIT, "exportar auditoria", prepare=audit.flush)
def export_audit(work: Work, filters: AuditFilter | None = None, fmt: str = "csv") -> bytes:
    """The filtered log as a pt-BR CSV; the export itself is audited."""
    where, params = _filter_sql(filters or AuditFilter())
    frame = work.tx.frame(_COLUMNS + where + " ORDER BY a.id DESC", params)
    work.audit(
        "dados.exportados",
        subject_type="auditoria",
        detail={"registros": frame.height, "formato": fmt},
    )
    # Usernames typed at the login form land here: the writer neutralises formulas.
    return export_bytes(frame, COLUMN_LABELS, fmt, time_format="%d/%m/%Y %H:%M:%S")


# --- a readable line per event ----------------------------------------------------------------

EVENT_LABELS = {
    "login.ok": "Entrou no sistema",
    "login.falha": "Login recusado",
    "login.bloqueado": "Login bloqueado",
    "login.retomado": "Login retomado (a outra estação saiu)",
    "logout": "Saiu do sistema",
    "acesso.negado": "Acesso negado",
    "dados.visualizados": "Viu dados",
    "dados.exportados": "Exportou dados",
    "ligacao.iniciada": "Iniciou uma ligação",
    "ligacao.encerrada": "Encerrou uma ligação",
    "ligacao.canal": "Contatou pelo link de telefone/WhatsApp",
    "estacao.recusada": "Estação recusada (operador em outra estação)",
    "estacao.liberada": "Liberou a estação",
    "titular.exportado": "Exportou os dados do titular (LGPD)",
    "titular.anonimizado": "Anonimizou o titular (LGPD)",
    "usuario.senha_redefinida": "Redefiniu a senha",
}
SUBJECT_LABELS = {
    "entidade": "entidade",
    "entidades": "entidades",
    "usuario": "usuário",
    "ligacao": "ligação",
    "atendimento_tmk": "atendimento Telemarketing",
    "atendimento_tlv": "atendimento Televendas",
    "atendimento_tlc": "atendimento Telecobrança",
    "titulo": "título",
    "promessa": "promessa",
    "acao": "ação",
}
DETAIL_LABELS = {
    "tela": "tela",
    "registros": "registros",
    "status": "status",
    "de": "de",
    "para": "para",
    "motivo": "motivo",
    "resultado": "resultado",
    "rotina": "rotina",
    "ligacao": "ligação",
    "formato": "formato",
    "filtrado": "filtrado",
    "cliente": "origem",
    "canal": "canal",
    "recurso": "recurso",
    "entidade": "entidade",
    "origem": "origem",
    "atendimento": "atendimento",
}


def event_label(event: str) -> str:
    """A pt-BR name for an event: its own, or "Family: action" from the code."""
    if event in EVENT_LABELS:
        return EVENT_LABELS[event]
    family, _, action = event.partition(".")
    named = EVENT_FAMILIES.get(family_of(event) or "", family.capitalize())
    return f"{named}: {action.replace('_', ' ')}" if action else named


def describe(row: dict[str, Any]) -> str:
    """One audit row as a person reads it: what happened, to which subject, and the details
    (masked or in clear first); the stored JSON stays available beside it."""
    parts = [event_label(str(row["event"]))]
    if row.get("subject_type"):
        subject = SUBJECT_LABELS.get(str(row["subject_type"]), str(row["subject_type"]))
        parts.append(f"{subject} {row['subject_id']}".strip())
    try:
        detail = json.loads(row["detail"]) if row.get("detail") else {}
    except ValueError:
        detail = {}
    if isinstance(detail, dict):
        if "mascarado" in detail:
            parts.append("com máscara" if detail.pop("mascarado") else "dados em claro")
        for key, value in detail.items():
            parts.append(f"{DETAIL_LABELS.get(key, key.replace('_', ' '))}: {_value(value)}")
    return " · ".join(parts)


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "sim" if value else "não"
    if isinstance(value, list):
        return ", ".join(_value(item) for item in value[:5]) + ("…" if len(value) > 5 else "")
    if isinstance(value, dict):
        return "; ".join(f"{key} {_value(item)}" for key, item in list(value.items())[:5])
    return "—" if value is None else str(value)


LOG = ListServices(
    search_audit,
    export_audit,
    "auditoria",
    "registro(s)",
    "Nenhum registro de auditoria encontrado com esses filtros.",
)


def verify_integrity(
    db: Database, user: User, progress: Callable[[int, int], None] | None = None
) -> audit.ChainReport:
    """ "Verificar integridade" on the audit screen (the CLI calls audit.verify_chain)."""
    require(db, user, Action.VIEW_AUDIT, "verificar integridade da auditoria")
    return audit.verify_chain(db, progress)


@command(Action.VIEW_AUDIT, "acessos ao titular {entity_id}", prepare=audit.flush)
def subject_viewers(work: Work, entity_id: int) -> pl.DataFrame:
    """Who may have seen this data subject's protected data in clear: every view or export
    that named them (screens record the subjects shown unmasked), newest first."""
    if work.tx.scalar("SELECT id FROM entities WHERE id = ?", [entity_id]) is None:
        raise NotFound("Titular não encontrado.")
    frame = work.tx.frame(
        """
        SELECT a.occurred_at, a.username, u.name AS user_name, a.event,
            coalesce(a.detail::JSON ->> 'tela', a.subject_type) AS screen
        FROM audit_subjects s
        JOIN audit_log a ON a.id = s.audit_id
        LEFT JOIN users u ON u.id = a.user_id
        WHERE s.entity_id = ?
        ORDER BY a.occurred_at DESC, a.id DESC
        """,
        [entity_id],
    )
    work.audit(
        "dados.visualizados",
        subject_type="auditoria_titular",
        subject_id=entity_id,
        detail={"tela": "auditoria.titular", "registros": frame.height},
    )
    return frame
