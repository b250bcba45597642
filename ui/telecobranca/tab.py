"""The Telecobrança tab of the workspace: the collection attendance (header, the debtor's titles
with their values updated to today, the promises and the history), its forms (ui/tlc_forms.py)
and how the call ends (Gravar aguardando o pagamento, Encerrar, Cancelar cobrança). Also
"Próximo devedor", offered while no call runs.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl
import streamlit as st

from core import catalogues
from core.access import User
from core.calls import OpenCall
from core.db import Database
from core.entities import EntityDetail
from core.errors import DomainError
from core.telecobranca import attendance as tlc_attendance
from core.telecobranca import ledger, taking
from core.telecobranca import outcomes as tlc_outcomes
from core.telecobranca.attendance import (
    ORIGIN_LABELS,
    OUTCOME_LABELS,
    PROMISE_STATUS_LABELS,
    STATUS_COLOURS,
    STATUS_LABELS,
    TITLE_STATUS_LABELS,
    CollectionAttendance,
    Title,
)
from core.telecobranca.ledger import Position
from ui.kit.feedback import attempt, flash, show_error
from ui.kit.formats import DATE_FORMAT, local_date, local_datetime, money, plain, yes_no
from ui.kit.forms import CHOOSE, RecordDialog
from ui.kit.legend import StatusLegend
from ui.kit.workspace import OPEN_ATTENDANCE, TLC_ATTENDANCE, TLC_TAKE, TLV_ORDER
from ui.telecobranca.forms import promise_form, renegotiation_form, title_actions
from ui.telecobranca.pix_panel import pix_codes

NO_DEBTOR = "Nenhum devedor aguardando nas faixas do seu grupo."
_CANCEL = RecordDialog("tlc_cancel")  # the attendance whose "Cancelar cobrança" dialog is open


LEGEND = StatusLegend(STATUS_LABELS, STATUS_COLOURS, tuple(STATUS_LABELS))


# --- entry points ---------------------------------------------------------------------------


def next_debtor_button(db: Database, user: User, group_id: int | None) -> None:
    """The "Próximo devedor" button: reserve the next debtor of the group's ranges, open (or
    resume) its collection attendance and start the call, all in core's one transaction."""
    button, note = st.columns([1, 3], vertical_alignment="center")
    clicked = button.button(
        "Próximo devedor", type="primary", key="tlc_next_debtor",
        icon=":material/phone_forwarded:", width="stretch",
    )  # fmt: skip
    note.caption(
        "Telecobrança: reserva o próximo devedor das faixas do seu grupo (promessas a conferir "
        "primeiro) e inicia a ligação."
    )
    if not clicked:
        return
    try:
        found = taking.next_debtor(db, user, group_id)
    except DomainError as error:
        show_error(error)
        return
    if found is None:
        st.info(NO_DEBTOR, icon="📭")
        return
    _load(found.attendance_id)
    flash(f"{found.reason_label}: {plain(found.entity_name)} (cobrança nº {found.attendance_id}).")
    st.rerun()


def loaded_attendance(
    db: Database, user: User, call: OpenCall | None
) -> CollectionAttendance | None:
    """The collection attendance taken in this call; dropped when the call ended or is with
    someone else."""
    attendance_id = st.session_state.get(TLC_ATTENDANCE)
    if attendance_id is None:
        return None
    if call is None:
        st.session_state.pop(TLC_ATTENDANCE, None)
        return None
    attendance = attempt(lambda: tlc_attendance.get_attendance(db, user, attendance_id))
    if attendance is None or attendance.entity_id != call.entity_id:
        st.session_state.pop(TLC_ATTENDANCE, None)
        return None
    return attendance


def forget() -> None:
    """For "Limpa Atendimento" and a new caller: no collection attendance in the workspace."""
    st.session_state.pop(TLC_ATTENDANCE, None)
    st.session_state.pop(TLC_TAKE, None)


def _load(attendance_id: int) -> None:
    st.session_state[TLC_ATTENDANCE] = attendance_id
    st.session_state.pop(TLC_TAKE, None)
    st.session_state.pop(OPEN_ATTENDANCE, None)
    st.session_state.pop(TLV_ORDER, None)


# --- the tab --------------------------------------------------------------------------------


def render(
    db: Database, user: User, call: OpenCall, entity: EntityDetail | None,
    group_id: int | None, attendance: CollectionAttendance | None,
) -> None:  # fmt: skip
    if attendance is None:
        _not_taken(db, user, call, entity, group_id)
        return
    st.session_state.pop(TLC_TAKE, None)  # already taken: nothing left to do on arrival
    _header(attendance)
    if attendance.is_final:
        _final(db, user, attendance)
        return
    # One laptop screen (1366x768): the titles and what to record on them on the left, the
    # figures and the finish on the right; the less frequent work one tab away.
    work_cell, finish_cell = st.columns([3, 2], gap="medium")
    with work_cell:
        _titles_table(attendance)
        _promises_table(attendance)
        _work_tabs(db, user, attendance, entity)
    with finish_cell:
        _figures(attendance)
        _finish(db, user, attendance)


def _work_tabs(
    db: Database, user: User, attendance: CollectionAttendance, entity: EntityDetail | None
) -> None:
    open_titles = [title for title in attendance.titles if title.is_open]
    free = [title for title in open_titles if not title.promised]
    launch, promise, renegotiation, pix, history = st.tabs(
        ["Lançar no título", "Promessa", "Renegociação", "PIX", "Histórico"]
    )
    with launch:
        if open_titles:
            title_actions(db, user, attendance, open_titles)
        else:
            st.info("Nenhum título em aberto nesta cobrança.", icon="✅")
    with promise, st.container(key="tlc_promise"):
        promise_form(db, user, attendance, free)
    with renegotiation, st.container(key="tlc_renegotiation"):
        renegotiation_form(db, user, attendance, free)
    with pix:
        pix_codes(db, user, attendance, entity)
        if not attendance.pix_codes:
            st.caption("Nenhum código PIX: registre uma promessa ou renegociação.")
    with history:
        _history_table(attendance)
        if not attendance.outcomes:
            st.caption("Nenhum lançamento nesta cobrança ainda.")


def _not_taken(
    db: Database, user: User, call: OpenCall, entity: EntityDetail | None, group_id: int | None
) -> None:
    """A call with a customer but no collection attendance yet: the financial position and
    "Iniciar cobrança" (taken at once when the call came from a promise on the agenda)."""
    if st.session_state.pop(TLC_TAKE, None) == call.entity_id:
        _take(db, user, call, group_id)
    name = entity.values["name"] if entity is not None else call.entity_name
    position = attempt(lambda: ledger.financial_position(db, user, call.entity_id))
    if position is not None:
        _position(name, position)
    if st.button(
        "Iniciar cobrança", type="primary", key="tlc_take", icon=":material/request_quote:"
    ):
        _take(db, user, call, group_id)
    st.caption("Reserva este devedor para você e abre (ou retoma) a cobrança dos títulos vencidos.")


def _take(db: Database, user: User, call: OpenCall, group_id: int | None) -> None:
    try:
        taken = taking.take_debtor(db, user, call.entity_id, group_id)
    except DomainError as error:
        show_error(error)
        return
    _load(taken.id)
    flash(f"Cobrança nº {taken.id} de {plain(taken.entity_name)}: {taken.status_label}.")
    st.rerun()


def _position(name: str, position: Position) -> None:
    st.markdown(f"**Posição financeira de {plain(name)}** · faixa {plain(position.range_label)}")
    cells = st.columns(4)
    cells[0].metric("Em aberto", money(position.open_total))
    cells[1].metric("Vencido", money(position.overdue_total))
    cells[2].metric("Vencido atualizado", money(position.updated_total))
    cells[3].metric("Dias em atraso", position.days_overdue)
    if not position.overdue_total:
        st.caption("Nenhum título vencido em aberto.")


def _header(attendance: CollectionAttendance) -> None:
    st.markdown(
        f"**Cobrança nº {attendance.id}** · {LEGEND.badge(attendance.status)} · "
        f"Faixa: {plain(attendance.range_label)} · "
        f"Origem: {ORIGIN_LABELS.get(attendance.origin, attendance.origin)} · "
        f"Início: {local_datetime(attendance.started_at)} · {len(attendance.titles)} título(s)"
    )


def _figures(attendance: CollectionAttendance) -> None:
    owed = sum((t.updated.total for t in attendance.titles if t.is_open), Decimal(0))
    recovered = sum(
        (Decimal(o["amount"]) for o in attendance.outcomes if o["outcome"] == "pago"), Decimal(0)
    )
    with st.container(key="tlc_figures", border=True):
        st.markdown(
            f"Enviado **{money(attendance.portfolio_amount)}** · "
            f"Devido atualizado **{money(owed)}**  \n"
            f"Recuperado **{money(recovered)}** · "
            f"Promessas pendentes **{len(attendance.pending_promises)}**"
        )


def _final(db: Database, user: User, attendance: CollectionAttendance) -> None:
    st.info(
        f"Atendimento de cobrança {attendance.status_label.lower()}: não aceita mais lançamentos.",
        icon="🔒",
    )
    reason = attendance.closing_reason_id or attendance.cancellation_reason_id
    if reason is not None:
        st.caption(f"Motivo: {plain(attendance.labels.get(reason, reason))}")
    if attendance.closing_text:
        st.caption(f"Texto: {plain(attendance.closing_text)}")
    _titles_table(attendance)
    _promises_table(attendance)
    _history_table(attendance)


# --- tables ---------------------------------------------------------------------------------


def titles_rows(titles: list[Title]) -> pl.DataFrame:
    """The attendance's titles as shown: values updated to today, money in R$."""
    return pl.DataFrame(
        [
            {
                "Título": t.key, "Tipo": t.type, "Vencimento": t.due_date,
                "Dias em atraso": t.updated.days_overdue, "Saldo": money(t.balance),
                "Multa": money(t.updated.fine), "Juros": money(t.updated.interest),
                "Atualizado": money(t.updated.total),
                "Status": TITLE_STATUS_LABELS.get(t.status, t.status),
                "Promessa pendente": yes_no(t.promised), "Origem": t.origin,
            }
            for t in titles
        ],
        schema={
            "Título": pl.String, "Tipo": pl.String, "Vencimento": pl.Date,
            "Dias em atraso": pl.Int64, "Saldo": pl.String, "Multa": pl.String,
            "Juros": pl.String, "Atualizado": pl.String, "Status": pl.String,
            "Promessa pendente": pl.String, "Origem": pl.String,
        },
    )  # fmt: skip


def _titles_table(attendance: CollectionAttendance) -> None:
    st.dataframe(
        titles_rows(attendance.titles),
        hide_index=True,
        key="tlc_titles",
        height=36 * (min(len(attendance.titles), 4) + 1) + 3,  # four rows, then it scrolls
        column_config={"Vencimento": st.column_config.DateColumn(format=DATE_FORMAT)},
    )


def _promises_table(attendance: CollectionAttendance) -> None:
    if not attendance.promises:
        return
    st.markdown("**Promessas de pagamento**")
    st.dataframe(
        [
            {
                "Nº": p["id"], "Títulos": p["titles"],
                "Data prometida": local_date(p["promised_on"]),
                "Valor": money(p["amount"]), "Pago": money(p["paid_amount"]),
                "Status": PROMISE_STATUS_LABELS.get(p["status"], p["status"]),
                "Registrada em": local_datetime(p["created_at"]),
            }
            for p in attendance.promises
        ],
        hide_index=True,
        key="tlc_promises",
    )  # fmt: skip


def _history_table(attendance: CollectionAttendance) -> None:
    if not attendance.outcomes:
        return
    st.markdown("**Histórico de lançamentos**")
    st.dataframe(
        [
            {
                "Data": local_datetime(o["created_at"]),
                "Lançamento": OUTCOME_LABELS.get(o["outcome"], o["outcome"]),
                "Título": o["title"], "Valor": money(o["amount"]),
                "Principal": money(o["principal"]), "Multa e juros": money(o["charges"]),
                "Observação": o["note"] or "", "Usuário": o["username"],
            }
            for o in attendance.outcomes
        ],
        hide_index=True,
        key="tlc_outcomes",
    )  # fmt: skip


# --- per-title outcomes ---------------------------------------------------------------------


# --- promise and renegotiation (several titles) ---------------------------------------------


# --- ending the call ------------------------------------------------------------------------


def _finish(db: Database, user: User, attendance: CollectionAttendance) -> None:
    st.markdown("**Finalizar a cobrança**")
    pending = bool(attendance.pending_promises)
    closing = catalogues.choices(db, "motivo_encerramento")
    key = f"tlc_finish_{attendance.id}_{attendance.version}"
    with st.form(key):
        reason_cell, text_cell = st.columns([1, 2])
        reason = _reason(reason_cell, "Motivo de encerramento", closing, f"{key}_reason")
        text = text_cell.text_area("Texto de encerramento", key=f"{key}_text", height=68)
        wait_cell, close_cell = st.columns(2)
        wait = wait_cell.form_submit_button(
            "Gravar (aguardar pagamento)", type="primary", key="tlc_wait", width="stretch",
            disabled=not pending,
            help="Com promessa pendente: a cobrança fica em Cobrança até o pagamento.",
        )  # fmt: skip
        close = close_cell.form_submit_button("Encerrar", key="tlc_close", width="stretch")
    if pending:
        st.caption(
            "Há promessa pendente: “Gravar (aguardar pagamento)” termina a ligação e deixa a "
            "cobrança em Cobrança até o pagamento ou a data prometida."
        )
    _cancel_action(db, user, attendance)
    if wait:
        _end(db, user, attendance, "cobranca", None, "")
    elif close:
        _end(db, user, attendance, "encerrar", reason, text)


def _end(
    db: Database,
    user: User,
    attendance: CollectionAttendance,
    outcome: str,
    reason_id: int | None,
    text: str,
) -> None:
    """finish_attendance, then rerun with it on screen (the call goes on until "Encerrar
    ligação"); a refusal is shown instead."""
    try:
        ended = tlc_outcomes.finish_attendance(
            db, user, attendance.id, attendance.version, outcome=outcome, reason_id=reason_id,
            text=text,
        )  # fmt: skip
    except DomainError as error:
        show_error(error)
        return
    _CANCEL.close()
    flash(f"Cobrança nº {ended.id} gravada: {ended.status_label}.")
    st.rerun()


def _cancel_action(db: Database, user: User, attendance: CollectionAttendance) -> None:
    """The "Cancelar cobrança" button asks for the reason in a dialog and confirms there."""
    if not _CANCEL.ask(
        "Cancelar cobrança", attendance.id, key="tlc_cancel_ask", icon=":material/block:"
    ):
        return

    @st.dialog("Cancelar cobrança", on_dismiss=_CANCEL.close)
    def dialog() -> None:
        promises = (
            " As promessas pendentes também são canceladas." if attendance.pending_promises else ""
        )
        st.markdown(
            f"A cobrança nº **{attendance.id}** de **{attendance.entity_name}** fica "
            f"{LEGEND.badge('cancelado')}, a ligação termina e o devedor volta à fila.{promises}"
        )
        reasons = catalogues.choices(db, "motivo_cancelamento")
        tag = f"tlc_cancel_{attendance.id}_{attendance.version}"
        reason = _reason(st, "Motivo de cancelamento", reasons, f"{tag}_reason")
        text = st.text_area("Observação do cancelamento", key=f"{tag}_text")
        if _CANCEL.buttons(
            ("Confirmar cancelamento", "tlc_cancel_confirm"), ("Voltar", "tlc_cancel_back")
        ):
            _end(db, user, attendance, "cancelar", reason, text)

    dialog()


# --- small helpers --------------------------------------------------------------------------


def _reason(container: Any, label: str, options: dict[int, str], key: str) -> int | None:
    return container.selectbox(
        label,
        [None, *options],
        key=key,
        format_func=lambda i: "—" if i is None else options[i],
        placeholder=CHOOSE,
    )
