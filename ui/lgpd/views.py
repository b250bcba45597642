"""The LGPD screens' parts: the data dictionary's table and edit form, the audit log's filters
and list, the chain verification, "quem pode ter visto os dados deste titular", the data
subject picker and the anonymisation dialog."""

from __future__ import annotations

from typing import Any

import polars as pl
import streamlit as st

from core import audit_reports, data_subjects, entities, privacy
from core.access import Action, User, allowed, has_full_data_access
from core.audit_reports import EVENT_FAMILIES, AuditFilter
from core.db import Database
from core.entities import EntityDetail
from core.privacy import CLASSIFICATIONS, TABLE_LABELS
from ui.kit.feedback import EDITING, attempt, succeeded
from ui.kit.formats import LOCAL_TZ, literal, local_datetime, plain
from ui.kit.forms import CHOOSE, RecordDialog, selected_index, signature
from ui.kit.paged_table import ListView, maintenance_list

DATE_FORMAT = "DD/MM/YYYY"

# --- Dicionário de dados --------------------------------------------------------------------

FIELD_LABELS = {
    "document": "CPF/CNPJ",
    "phone": "Telefone",
    "mobile": "Celular",
    "email": "E-mail",
    "street": "Endereço",
    "street_number": "Número do endereço",
    "district": "Bairro",
    "zip_code": "CEP",
    "birth_date": "Data de nascimento",
    "sensitive_note": "Anotação sensível",
    "name": "Nome",
    "search_name": "Nome para busca",
    "trade_name": "Nome fantasia",
    "city": "Cidade",
    "state": "UF",
    "job_title": "Cargo",
    "username": "Login",
}
DICTIONARY_ORDER = ["table", "field", "column_name", "level", "justification", "in_use"]
DICTIONARY_COLUMNS = {
    "table": st.column_config.TextColumn("Tabela", width="medium"),
    "field": st.column_config.TextColumn("Campo"),
    "column_name": st.column_config.TextColumn("Coluna", help="Nome da coluna no banco"),
    "level": st.column_config.TextColumn("Classificação"),
    "justification": st.column_config.TextColumn("Justificativa", width="large"),
    "in_use": st.column_config.CheckboxColumn("Em uso"),
}
_DICTIONARY_SLOT = "dictionary_editing"


def table_label(table: str) -> str:
    return TABLE_LABELS.get(table, table)


def field_label(column: str) -> str:
    return FIELD_LABELS.get(column, column)


def dictionary_filters(listing: pl.DataFrame) -> tuple[str | None, str | None]:
    """Tabela and Classificação above the table (None: all)."""
    tables = sorted(set(listing["table_name"].to_list()), key=table_label)
    left, right, _ = st.columns([2, 2, 3])
    table = left.selectbox(
        "Tabela", [None, *tables], key="dictionary_table_filter",
        format_func=lambda t: "Todas" if t is None else table_label(t), placeholder=CHOOSE,
    )  # fmt: skip
    level = right.selectbox(
        "Classificação", [None, *CLASSIFICATIONS], key="dictionary_level_filter",
        format_func=lambda c: "Todas" if c is None else CLASSIFICATIONS[c], placeholder=CHOOSE,
    )  # fmt: skip
    return table, level


def filter_dictionary(listing: pl.DataFrame, table: str | None, level: str | None) -> pl.DataFrame:
    if table is not None:
        listing = listing.filter(pl.col("table_name") == table)
    if level is not None:
        listing = listing.filter(pl.col("classification") == level)
    return listing


def dictionary_frame(rows: pl.DataFrame) -> pl.DataFrame:
    """The rows with pt-BR labels for the table, the field and the classification."""
    return rows.with_columns(
        pl.col("table_name").map_elements(table_label, return_dtype=pl.String).alias("table"),
        pl.col("column_name").map_elements(field_label, return_dtype=pl.String).alias("field"),
        pl.col("classification")
        .map_elements(lambda c: CLASSIFICATIONS.get(c, c), return_dtype=pl.String)
        .alias("level"),
    )


def dictionary_table_key(rows: pl.DataFrame) -> str:
    """Keyed by the fields listed: when a field leaves the filtered list (reclassified under a
    classification filter), the selection starts over instead of landing on another field."""
    listed = list(zip(rows["table_name"].to_list(), rows["column_name"].to_list(), strict=True))
    return f"dictionary_table_{signature(listed)}"


def _as_seen(row: dict[str, Any]) -> dict[str, Any]:
    return {key: row[key] for key in ("classification", "justification", "in_use")}


def seen_row(row: dict[str, Any]) -> dict[str, Any]:
    """The field as this admin first read it (kept across reruns), so that a change someone
    saved meanwhile is a Conflict instead of being silently overwritten; warns when it is
    stale and offers to reload."""
    field_id = f"{row['table_name']}.{row['column_name']}"
    editing = st.session_state.setdefault(EDITING, {})
    seen = editing.get(_DICTIONARY_SLOT)
    if seen is None or seen[0] != field_id:
        seen = editing[_DICTIONARY_SLOT] = (field_id, _as_seen(row))
    if seen[1] != _as_seen(row):
        st.warning("Outro usuário alterou este campo depois que você começou a editá-lo.", icon="⚠️")
        st.button("Recarregar dados", key=f"{_DICTIONARY_SLOT}_reload", on_click=_reload)
    return dict(seen[1])


def _reload() -> None:
    st.session_state.get(EDITING, {}).pop(_DICTIONARY_SLOT, None)


def dictionary_editor(db: Database, user: User, row: dict[str, Any]) -> None:
    """Change the selected field's classification, justification and use."""
    table, column = row["table_name"], row["column_name"]
    st.subheader(f"{field_label(column)} · {table_label(table)}")
    seen = seen_row(row)
    key = f"dictionary_edit_{table}_{column}_{signature(seen)}"
    with st.form(key):
        levels = list(CLASSIFICATIONS)
        level = st.selectbox(
            "Classificação", levels, format_func=CLASSIFICATIONS.__getitem__,
            index=levels.index(seen["classification"]) if seen["classification"] in levels else 0,
            key=f"{key}_classification", placeholder=CHOOSE,
        )  # fmt: skip
        reason = st.text_area(
            "Justificativa", value=seen["justification"] or "", key=f"{key}_justification",
            height=80, help="Por que o campo é (ou não é) protegido. Mínimo de 10 caracteres.",
        )  # fmt: skip
        in_use = st.checkbox("Em uso", value=bool(seen["in_use"]), key=f"{key}_in_use")
        submitted = st.form_submit_button("Gravar", type="primary", key=f"{key}_submit")
    if submitted and succeeded(
        lambda: privacy.classify_field(
            db, user, table, column, classification=level, justification=reason,
            in_use=in_use, seen=seen,
        ),
        f"Classificação de {field_label(column)} ({table_label(table)}) gravada.",
    ):  # fmt: skip
        st.rerun()


# --- Auditoria: the log ---------------------------------------------------------------------

AUDIT_ORDER = ["seq", "occurred_at", "username", "summary", "family"]
_LABELS = audit_reports.COLUMN_LABELS
AUDIT_COLUMNS = {
    "seq": st.column_config.NumberColumn(_LABELS["seq"], format="%d", width="small"),
    "occurred_at": st.column_config.DatetimeColumn(
        _LABELS["occurred_at"], format="DD/MM/YYYY HH:mm:ss"
    ),
    "username": _LABELS["username"],
    "family": "Tipo",
    "event": _LABELS["event"],
    "subject_type": _LABELS["subject_type"],
    "subject_id": _LABELS["subject_id"],
    "summary": st.column_config.TextColumn("O que aconteceu", width="large"),
}


def family_label(event: str) -> str:
    return audit_reports.family_label(event)


def audit_filter_bar() -> AuditFilter:
    """De, Até, Usuário, Tipo de evento, Identificação and Titular, in one row."""
    cells = st.columns([1.3, 1.3, 1.3, 2.2, 1.3, 1.2])
    start = cells[0].date_input("De", value=None, format=DATE_FORMAT, key="audit_start")
    end = cells[1].date_input("Até", value=None, format=DATE_FORMAT, key="audit_end")
    username = cells[2].text_input("Usuário", key="audit_username", placeholder="login")
    family = cells[3].selectbox(
        "Tipo de evento", [None, *EVENT_FAMILIES], key="audit_family",
        format_func=lambda f: "Todos" if f is None else EVENT_FAMILIES[f], placeholder=CHOOSE,
    )  # fmt: skip
    subject = cells[4].text_input(
        "Identificação", key="audit_subject",
        help="O identificador do objeto do evento (ex.: o código do atendimento ou da entidade).",
    )  # fmt: skip
    entity = cells[5].number_input(
        "Titular (código)", min_value=1, step=1, value=None, key="audit_entity",
        help="Eventos que mostraram ou alteraram os dados desta entidade.",
    )  # fmt: skip
    return AuditFilter(
        start=start, end=end, username=username, family=family, subject=subject,
        entity_id=None if entity is None else int(entity),
    )  # fmt: skip


def audit_frame(rows: pl.DataFrame) -> pl.DataFrame:
    return rows.with_columns(
        pl.col("occurred_at").dt.convert_time_zone(LOCAL_TZ.key),
        pl.col("event").map_elements(family_label, return_dtype=pl.String).alias("family"),
    )


AUDIT_VIEW = ListView("audit", audit_reports.LOG, AUDIT_ORDER, AUDIT_COLUMNS, audit_frame)


def audit_log(db: Database, user: User) -> None:
    """Filters, one page of 50 in the log's order (nº) with the total, and the export; the
    selected row's stored detail, as recorded, on demand."""
    st.caption(
        "Em ordem de registro (nº, a ordem da cadeia). Visualizações entram no log alguns "
        "segundos depois de acontecerem: o horário pode aparecer fora de ordem por segundos. "
        "Selecione uma linha para ver o registro completo."
    )
    selected = maintenance_list(AUDIT_VIEW, db, user, audit_filter_bar())
    if selected is None:
        return
    with st.container(border=True, key="audit_selected"):
        st.markdown(f"**Nº {selected['seq'] or '—'}** · {plain(selected['username'])}")
        st.text(selected["summary"])
        with st.expander("Registro técnico (JSON)"):
            st.json(selected["detail"] or "{}", expanded=True)


# --- Auditoria: chain verification ----------------------------------------------------------


def integrity_check(db: Database, user: User) -> None:
    """Recompute the hash chain on request, with a progress bar, and report the result."""
    if not st.button("Verificar integridade", key="audit_verify", icon=":material/verified_user:"):
        return
    bar = st.progress(0.0, text="Verificando a cadeia de registros…")

    def progress(done: int, total: int) -> None:
        share = min(1.0, done / total) if total else 1.0
        bar.progress(share, text=f"{done} de {total} registros verificados…")

    report = attempt(lambda: audit_reports.verify_integrity(db, user, progress=progress))
    if report is None:
        return
    bar.progress(1.0, text=f"{report.checked} registro(s) verificado(s).")
    if report.ok:
        st.success(
            f"Integridade confirmada: {report.checked} registro(s) verificados, nenhum alterado "
            f"ou apagado. Hash do último registro (nº {report.head_seq}): `{report.head_hash}` "
            "— anote-o fora do sistema para comparar nas próximas verificações.",
            icon="✅",
        )
    else:
        st.error(
            f"Cadeia rompida no registro nº {report.broken_seq}: {report.problem} "
            f"Os {report.checked} registro(s) anteriores conferem.",
            icon="🚨",
        )


# --- Auditoria: who may have seen a data subject --------------------------------------------

EVENT_LABELS = {
    "dados.visualizados": "Visualização",
    "dados.exportados": "Exportação",
    "titular.exportado": "Exportação dos dados do titular",
}
SCREEN_LABELS = {
    "entidades.lista": "Entidades – lista",
    "entidades.detalhe": "Entidades – ficha",
    "telemarketing.lista": "Telemarketing – lista",
    "televendas.lista": "Televendas – lista",
    "telecobranca.lista": "Telecobrança – lista",
    "telecobranca.posicao": "Telecobrança – posição financeira",
    "telecobranca.devedores": "Títulos a receber – devedores",
    "entidade": "Direitos do titular",
}
VIEWERS_ORDER = ["occurred_at", "username", "user_name", "event_label", "screen_label"]
VIEWERS_COLUMNS: dict[str, Any] = {
    "occurred_at": st.column_config.DatetimeColumn("Quando", format="DD/MM/YYYY HH:mm"),
    "username": "Usuário",
    "user_name": "Nome",
    "event_label": "Evento",
    "screen_label": "Tela",
}


def viewers_frame(rows: pl.DataFrame) -> pl.DataFrame:
    return rows.with_columns(
        pl.col("occurred_at").dt.convert_time_zone(LOCAL_TZ.key),
        pl.col("event")
        .map_elements(lambda e: EVENT_LABELS.get(e, e), return_dtype=pl.String)
        .alias("event_label"),
        pl.col("screen")
        .map_elements(lambda s: SCREEN_LABELS.get(s, s), return_dtype=pl.String)
        .alias("screen_label"),
    )


def subject_viewers(db: Database, user: User, entity_id: int) -> None:
    rows = attempt(lambda: audit_reports.subject_viewers(db, user, entity_id))
    if rows is None:
        return
    if rows.is_empty():
        st.info(
            "Ninguém viu os dados protegidos deste titular sem máscara.", icon=":material/shield:"
        )
        return
    st.dataframe(
        viewers_frame(rows),
        key=f"audit_viewers_{entity_id}",
        hide_index=True,
        column_order=VIEWERS_ORDER,
        column_config=VIEWERS_COLUMNS,
    )
    st.caption(f"{rows.height} acesso(s) aos dados deste titular sem máscara.")


# --- picking a data subject -----------------------------------------------------------------

_PICK_ORDER = ["id", "kind", "name", "document", "city", "state"]
_PICK_COLUMNS: dict[str, Any] = {
    "id": st.column_config.NumberColumn("Código", format="%d", width="small"),
    "kind": "Tipo",
    "name": "Nome",
    "document": "CPF/CNPJ",
    "city": "Cidade",
    "state": "UF",
}


def subject_picker(db: Database, user: User, key: str) -> int | None:
    """Search an entity by name, CPF/CNPJ or phone and pick it in the list; a user who may not
    consult entities types its code instead."""
    if not allowed(user, Action.VIEW_ENTITIES):
        code = st.number_input(
            "Código do titular (entidade)", min_value=1, step=1, value=None, key=f"{key}_code"
        )
        return None if code is None else int(code)
    text = st.text_input(
        "Buscar titular por nome, CPF/CNPJ ou telefone", key=f"{key}_search",
        placeholder="ex.: Maria, 123.456.789-09, 11 98765",
    )  # fmt: skip
    if not text.strip():
        st.caption("Digite para buscar o titular.")
        return None
    result = attempt(lambda: entities.search_entities(db, user, text))
    if result is None:
        return None
    if result.total == 0:
        st.info("Nenhuma entidade encontrada com essa busca.", icon="🔎")
        return None
    table = st.dataframe(
        result.rows,
        # Keyed by what is listed: when the list changes, the selection starts over.
        key=f"{key}_results_{signature(text, result.rows['id'].to_list())}",
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        column_order=_PICK_ORDER,
        column_config=_PICK_COLUMNS,
    )
    more = result.total - result.rows.height
    st.caption(
        f"{result.total} entidade(s)"
        + (f" · {more} não mostrada(s): refine a busca" if more > 0 else "")
        + " · Selecione o titular na lista."
    )
    index = selected_index(table)
    return None if index is None else int(result.rows["id"][index])


# --- Titulares ------------------------------------------------------------------------------


def full_access(db: Database, user: User) -> bool:
    """Both data-subject rights need every field in clear. Without 192 and 193 the core refuses
    them (and audits the refusal), which the page shows as "Dados protegidos – acesso restrito".
    The refused call never reaches the data: the access check comes first."""
    if has_full_data_access(user):
        return True
    attempt(lambda: data_subjects.export_subject(db, user, 0))
    return False


def export_button(db: Database, user: User, entity_id: int) -> None:
    st.download_button(
        "Exportar dados do titular (JSON)",
        data=lambda: data_subjects.export_subject(db, user, entity_id),
        file_name=f"titular_{entity_id}.json",
        mime="application/json",
        key="subject_export",
        icon=":material/download:",
        on_click="ignore",
        help="Tudo o que o sistema guarda sobre a pessoa: cadastro, contatos, atendimentos, "
        "pedidos, títulos, ligações, agenda e os acessos aos seus dados. A exportação fica "
        "registrada na auditoria.",
    )


_ANONYMIZE = RecordDialog("subject_anonymize")
ANONYMIZE_EXPLANATION = (
    "**Esta ação é irreversível.** Em uma única operação:\n\n"
    "- **Apagados:** CPF/CNPJ, telefones, e-mail, endereço, CEP, data de nascimento e a "
    "anotação sensível; o nome passa a ser “Titular anonimizado nº {id}”. Os contatos "
    "ligados só a este titular recebem o mesmo tratamento.\n"
    "- **Substituídos por “[anonimizado]”:** os textos livres escritos nos atendimentos, "
    "pedidos, cobranças e na agenda deste titular.\n"
    "- **Mantidos:** cidade, UF e os registros de negócio (valores, datas e situações de "
    "atendimentos, pedidos e títulos), para as estatísticas.\n\n"
    "Não é possível anonimizar enquanto houver títulos em aberto, atendimentos em aberto ou "
    "uma ligação em andamento com o titular. O motivo fica registrado na auditoria."
)


def anonymize_action(db: Database, user: User, detail: EntityDetail) -> None:
    """The "Anonimizar titular" button: a dialog explains what happens and asks the reason."""
    entity_id = detail.id
    anonymized_at = detail.values.get("anonymized_at")
    if anonymized_at is not None:
        st.info(f"Titular anonimizado em {local_datetime(anonymized_at)}.", icon="🔒")
        return
    if not _ANONYMIZE.ask(
        "Anonimizar titular",
        entity_id,
        key=f"subject_anonymize_ask_{entity_id}",
        icon=":material/person_off:",
    ):
        return
    name = detail.values["name"]

    @st.dialog("Anonimizar titular", on_dismiss=_ANONYMIZE.close, width="large")
    def dialog() -> None:
        st.markdown(f"**{literal(name)}** (código {entity_id})")
        st.markdown(ANONYMIZE_EXPLANATION.format(id=entity_id))
        reason = st.text_area(
            "Motivo da anonimização", key=f"subject_anonymize_reason_{entity_id}",
            placeholder="ex.: pedido do titular, protocolo nº 2026/0042",
        )  # fmt: skip
        confirmed = _ANONYMIZE.buttons(
            ("Anonimizar definitivamente", "subject_anonymize_confirm"),
            ("Cancelar", "subject_anonymize_cancel"),
        )
        if confirmed and succeeded(
            lambda: data_subjects.anonymize_subject(db, user, entity_id, reason),
            f"Titular anonimizado: agora consta como “Titular anonimizado nº {entity_id}”.",
        ):
            _ANONYMIZE.close()
            st.rerun()

    dialog()
