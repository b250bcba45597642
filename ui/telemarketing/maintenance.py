"""The Telemarketing maintenance list's parts: the filter row, the table, the selected
attendance's summary, "Abrir no atendimento" and the supervisor's "Reabrir" dialog."""

from __future__ import annotations

import polars as pl
import streamlit as st

from core import catalogues
from core.access import Action, User, allowed
from core.db import Database
from core.telemarketing import maintenance as tmk_maintenance
from core.telemarketing import service as tmk_service
from core.telemarketing.service import DIRECTIONS, STATUS_COLOURS, STATUS_LABELS, Attendance
from ui.kit.feedback import succeeded
from ui.kit.formats import DATE_FORMAT, DATETIME_FORMAT, LOCAL_TZ, local_date, local_datetime, plain
from ui.kit.forms import CHOOSE, RecordDialog
from ui.kit.legend import StatusLegend
from ui.kit.paged_table import ListView

# The Protheus legend: blue planejado, red pendente, green encerrado, black cancelado.
LEGEND = StatusLegend(
    STATUS_LABELS, STATUS_COLOURS, ("planejado", "pendente", "encerrado", "cancelado")
)
STATUS_FILTERS = {
    "todos": "Todos",
    "pendente": "Pendentes",
    "planejado": "Planejados",
    "encerrado": "Encerrados",
    "cancelado": "Cancelados",
}
_LOCAL_COLUMNS = ("started_at", "return_at", "closed_at")

LIST_ORDER = [
    "id", "status", "started_at", "entity_name", "document", "contact_name",
    "operator_code", "group_name", "direction", "campaign", "return_at", "closed_at",
]  # fmt: skip
_LABELS = tmk_maintenance.COLUMN_LABELS
LIST_COLUMNS = {
    **{column: label for column, label in _LABELS.items() if column in LIST_ORDER},
    "id": st.column_config.NumberColumn("Nº", format="%d", width="small"),
    "status": LEGEND.column(110),
    "started_at": st.column_config.DatetimeColumn(_LABELS["started_at"], format=DATETIME_FORMAT),
    "return_at": st.column_config.DatetimeColumn(_LABELS["return_at"], format=DATETIME_FORMAT),
    "closed_at": st.column_config.DatetimeColumn(_LABELS["closed_at"], format=DATETIME_FORMAT),
}


def filter_bar(db: Database, user: User) -> tmk_maintenance.AttendanceFilter:
    """The filters above the list: status, then period, entity, campaign and (for someone
    working in several groups) group."""
    groups = dict(user.operator.groups) if user.operator else {}
    status = st.segmented_control(
        "Status", list(STATUS_FILTERS), format_func=STATUS_FILTERS.__getitem__,
        default="todos", required=True, key="tmk_status", label_visibility="collapsed",
    )  # fmt: skip
    cells = st.columns([1, 1, 2, 1.5] + ([1.5] if len(groups) > 1 else []))
    start = cells[0].date_input("De", value=None, format=DATE_FORMAT, key="tmk_start")
    end = cells[1].date_input("Até", value=None, format=DATE_FORMAT, key="tmk_end")
    text = cells[2].text_input("Entidade", key="tmk_entity", placeholder="nome ou CPF/CNPJ")
    campaigns = catalogues.choices(db, "campanha")
    campaign = cells[3].selectbox(
        "Campanha", [None, *campaigns], key="tmk_campaign",
        format_func=lambda c: "Todas" if c is None else campaigns[c], placeholder=CHOOSE,
    )  # fmt: skip
    group = None
    if len(groups) > 1:
        group = cells[4].selectbox(
            "Grupo", [None, *groups], key="tmk_group",
            format_func=lambda g: "Todos" if g is None else groups[g], placeholder=CHOOSE,
        )  # fmt: skip
    return tmk_maintenance.AttendanceFilter(
        status=None if status in (None, "todos") else status,
        start=start, end=end, group_id=group, campaign_id=campaign, entity_text=text,
    )  # fmt: skip


def list_frame(rows: pl.DataFrame) -> pl.DataFrame:
    """Timestamps in São Paulo time; the status as a one-tag list, drawn as a coloured label."""
    return rows.with_columns(
        *(pl.col(name).dt.convert_time_zone(LOCAL_TZ.key) for name in _LOCAL_COLUMNS),
        pl.concat_list(pl.col("status")),  # one coloured tag per row
    )


LIST_VIEW = ListView(
    "tmk", tmk_maintenance.MAINTENANCE, LIST_ORDER, LIST_COLUMNS, list_frame, LEGEND
)


def summary(attendance: Attendance) -> None:
    """What a supervisor or operator needs to recognise the attendance before opening it."""
    label = attendance.labels.get
    st.subheader(f"Atendimento nº {attendance.id} · {LEGEND.badge(attendance.status)}")
    left, middle, right = st.columns(3)
    left.markdown(f"**Entidade:** {plain(attendance.entity_name)}")
    left.caption(f"Direção: {DIRECTIONS.get(attendance.direction, attendance.direction)}")
    middle.markdown(f"**Início:** {local_datetime(attendance.started_at)}")
    middle.caption(f"Operador: {plain(attendance.operator_code)}")
    if attendance.return_at is not None:
        right.markdown(f"**Retorno:** {local_datetime(attendance.return_at)}")
    if attendance.closed_at is not None:
        right.markdown(f"**Encerrado em:** {local_datetime(attendance.closed_at)}")
    if attendance.cancelled_at is not None:
        right.markdown(f"**Cancelado em:** {local_datetime(attendance.cancelled_at)}")
    extras = [
        f"Mídia: {plain(label(attendance.media_id))}" if attendance.media_id else "",
        f"Campanha: {plain(label(attendance.campaign_id))}" if attendance.campaign_id else "",
    ]
    if any(extras):
        st.caption(" · ".join(extra for extra in extras if extra))
    if attendance.items:
        st.dataframe(
            [
                {
                    "Item": item["line"],
                    "Ocorrência": label(item["occurrence_id"], ""),
                    "Ação": label(item["action_id"], "") if item["action_id"] else "",
                    "Status": tmk_service.ITEM_STATUSES.get(item["status"], item["status"]),
                    "Executar em": local_date(item["execute_on"]),
                    "Observação": item["notes"] or "",
                }
                for item in attendance.items
            ],
            hide_index=True,
            key=f"tmk_items_{attendance.id}",
        )
    reason = attendance.closing_reason_id or attendance.cancellation_reason_id
    if reason is not None:
        st.caption(f"Motivo: {plain(label(reason))}")
    if attendance.closing_text:
        st.caption(f"Solução: {plain(attendance.closing_text)}")


_REOPEN = RecordDialog("tmk_reopen")


def reopen_action(db: Database, user: User, attendance: Attendance) -> None:
    """Supervisor only, encerrado only: "Reabrir" asks for the reason in a dialog."""
    if attendance.status != "encerrado" or not allowed(user, Action.REOPEN_ATTENDANCE):
        return
    if not _REOPEN.ask(
        "Reabrir", attendance.id, key=f"tmk_reopen_ask_{attendance.id}", icon=":material/lock_open:"
    ):
        return

    @st.dialog("Reabrir atendimento", on_dismiss=_REOPEN.close)
    def dialog() -> None:
        st.markdown(
            f"O atendimento nº **{attendance.id}** de **{attendance.entity_name}** volta a "
            "**🔴 Pendente**. O motivo fica registrado na auditoria."
        )
        reason = st.text_area(
            "Motivo da reabertura", key=f"tmk_reopen_reason_{attendance.id}_{attendance.version}"
        )
        confirmed = _REOPEN.buttons(
            ("Confirmar reabertura", "tmk_reopen_confirm"), ("Cancelar", "tmk_reopen_cancel")
        )
        if confirmed and succeeded(
            lambda: tmk_service.reopen_attendance(
                db, user, attendance.id, attendance.version, reason
            ),
            f"Atendimento nº {attendance.id} reaberto.",
        ):
            _REOPEN.close()
            st.rerun()

    dialog()
