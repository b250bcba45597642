"""The Telecobrança tab's forms: the per-title outcome (Pago, Cartório, Baixa, Abatimento),
the promise to pay and the renegotiation with its preview."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import streamlit as st

from core.access import User
from core.db import Database
from core.errors import DomainError
from core.money import typed_text
from core.telecobranca import outcomes, rules
from core.telecobranca.attendance import CollectionAttendance, Title
from core.telecobranca.rules import Renegotiation
from ui.kit.feedback import show_error, succeeded
from ui.kit.formats import DATE_FORMAT, LOCAL_TZ, local_date, money
from ui.kit.forms import CHOOSE, signature

TITLE_ACTIONS = {
    "pago": "Pago",
    "cartorio": "Cartório",
    "baixa": "Baixa",
    "abatimento": "Abatimento",
}
# The field names the core's refusals use, so the screen and the core say the same thing.
AMOUNT_FIELDS = {"pago": "Valor do pagamento", "abatimento": "Valor do abatimento"}
MONEY_HELP = "Formato 1.234,56: o ponto separa os milhares (1.500 é mil e quinhentos)."
SUBMIT_LABELS = {
    "pago": "Registrar pagamento",
    "cartorio": "Enviar para cartório",
    "baixa": "Registrar baixa",
    "abatimento": "Registrar abatimento",
}


def title_actions(
    db: Database, user: User, attendance: CollectionAttendance, open_titles: list[Title]
) -> None:
    by_id = {title.id: title for title in open_titles}
    pick, kind = st.columns([3, 2])
    title_id = pick.selectbox(
        "Título", list(by_id), format_func=lambda i: _title_label(by_id[i]),
        key=f"tlc_title_pick_{_tag(attendance)}", placeholder=CHOOSE,
    )  # fmt: skip
    action = kind.selectbox(
        "Lançamento", list(TITLE_ACTIONS), format_func=TITLE_ACTIONS.__getitem__,
        key="tlc_title_action", placeholder=CHOOSE,
    )  # fmt: skip
    title = by_id[title_id]
    updated = title.updated
    st.caption(  # saldo, multa and juros are the table's columns just above
        f"{title.key}: devido atualizado {money(updated.total)} · "
        f"{updated.days_overdue} dia(s) em atraso · {title.origin}"
        + (" · promessa pendente" if title.promised else "")
    )
    key = f"tlc_{action}_{title.id}_{title.version}"
    amount = ""
    with st.form(key, border=False):  # one row: it shares a laptop screen with the titles
        amount_cell, note_cell, submit_cell = st.columns([2, 3, 2], vertical_alignment="bottom")
        if action == "pago":
            amount = amount_cell.text_input(
                "Valor pago (R$)", value=typed_text(updated.total), key=f"{key}_amount",
                help=f"{MONEY_HELP} O pagamento quita primeiro a multa e os juros, depois o "
                "principal.",
            )  # fmt: skip
        elif action == "abatimento":
            pct = attendance.rules.max_principal_discount_pct
            limit = money(rules.money(title.amount * pct / 100))
            amount = amount_cell.text_input(
                "Valor do abatimento (R$)", value="0,00", key=f"{key}_amount",
                help=f"Limite do grupo: {_pct(pct)} % do valor do título ({limit}), somados "
                "os abatimentos.",
            )  # fmt: skip
        elif action == "cartorio":
            amount_cell.caption("O título vai a protesto e sai da fila; o saldo continua devido.")
        label = "Motivo da baixa" if action == "baixa" else "Observação do lançamento"
        note = note_cell.text_input(label, key=f"{key}_note")
        submitted = submit_cell.form_submit_button(
            SUBMIT_LABELS[action], type="primary", key="tlc_title_submit", width="stretch"
        )
    if not submitted:
        return
    value = rules.ZERO
    if action in AMOUNT_FIELDS:
        read = _read(amount, AMOUNT_FIELDS[action])
        if read is None:
            return
        value = read
    if action == "pago":
        done = succeeded(
            lambda: outcomes.record_payment(
                db, user, attendance.id, title.id, title.version, value, note
            ),
            f"Pagamento de {money(value)} registrado em {title.key}.",
        )
    elif action == "cartorio":
        done = succeeded(
            lambda: outcomes.send_to_protest(
                db, user, attendance.id, title.id, title.version, note
            ),
            f"Título {title.key} enviado para cartório.",
        )
    elif action == "baixa":
        done = succeeded(
            lambda: outcomes.write_off(db, user, attendance.id, title.id, title.version, note),
            f"Título {title.key} baixado.",
        )
    else:
        done = succeeded(
            lambda: outcomes.grant_rebate(
                db, user, attendance.id, title.id, title.version, value, note
            ),
            f"Abatimento de {money(value)} concedido em {title.key}.",
        )
    if done:
        st.rerun()


def promise_form(
    db: Database, user: User, attendance: CollectionAttendance, free: list[Title]
) -> None:
    st.markdown("**Promessa de pagamento**")
    today = _today(db)
    limit = today + timedelta(days=attendance.rules.max_postpone_days)
    st.caption(
        f"Regra do grupo: no máximo {attendance.rules.max_postpone_days} dia(s) à frente "
        f"(até {local_date(limit)}). A promessa entra na sua agenda nessa data e a cobrança "
        "fica em Cobrança até o pagamento."
    )
    if not free:
        st.caption("Nenhum título em aberto sem promessa pendente.")
        return
    by_id = {title.id: title for title in free}
    key = f"tlc_promise_{_tag(attendance)}"
    with st.form(key, border=False):
        chosen = st.multiselect(
            "Títulos prometidos", list(by_id), default=list(by_id),
            format_func=lambda i: _title_label(by_id[i]), key=f"{key}_titles",
            placeholder=CHOOSE,
        )  # fmt: skip
        day_cell, amount_cell = st.columns(2)
        day = day_cell.date_input(
            "Data prometida", value=min(today + timedelta(days=1), limit), min_value=today,
            max_value=limit, format=DATE_FORMAT, key=f"{key}_day",
        )  # fmt: skip
        amount = amount_cell.text_input(
            "Valor prometido (R$)", value=typed_text(sum((t.updated.total for t in free),
            Decimal(0))), key=f"{key}_amount", help=MONEY_HELP,
        )  # fmt: skip
        note = st.text_input("Observação da promessa", key=f"{key}_note")
        submitted = st.form_submit_button(
            "Registrar promessa", type="primary", key="tlc_promise_submit", width="stretch"
        )
    if not submitted:
        return
    if day is None:
        st.error("Informe a data prometida.", icon="❌")
        return
    value = _read(amount, "Valor prometido")
    if value is not None and succeeded(
        lambda: outcomes.record_promise(db, user, attendance.id, list(chosen), day, value, note),
        f"Promessa de {money(value)} para {local_date(day)} registrada: cobrança em Cobrança.",
    ):
        st.rerun()


def renegotiation_form(
    db: Database, user: User, attendance: CollectionAttendance, free: list[Title]
) -> None:
    st.markdown("**Renegociar**")
    limits = attendance.rules
    today = _today(db)
    limit = today + timedelta(days=limits.max_postpone_days)
    st.caption(
        f"Regra do grupo: até {limits.max_installments} parcela(s), a cada 30 dias; 1º "
        f"vencimento até {local_date(limit)}; desconto de até "
        f"{_pct(limits.max_principal_discount_pct)} % do principal e "
        f"{_pct(limits.max_charges_discount_pct)} % de multa e juros."
    )
    if not free:
        st.caption("Nenhum título em aberto sem promessa pendente.")
        return
    by_id = {title.id: title for title in free}
    key = f"tlc_reneg_{_tag(attendance)}"
    with st.form(key, border=False):
        chosen = st.multiselect(
            "Títulos renegociados", list(by_id), default=list(by_id),
            format_func=lambda i: _title_label(by_id[i]), key=f"{key}_titles",
            placeholder=CHOOSE,
        )  # fmt: skip
        count_cell, due_cell = st.columns(2)
        installments = count_cell.number_input(
            "Parcelas", min_value=1, max_value=max(1, limits.max_installments), value=1,
            step=1, key=f"{key}_count",
        )  # fmt: skip
        first_due = due_cell.date_input(
            "1º vencimento", value=min(today + timedelta(days=1), limit), min_value=today,
            max_value=limit, format=DATE_FORMAT, key=f"{key}_due",
        )  # fmt: skip
        principal_cell, charges_cell = st.columns(2)
        principal_discount = principal_cell.text_input(
            "Desconto no principal (R$)", value="0,00", key=f"{key}_principal", help=MONEY_HELP
        )
        charges_discount = charges_cell.text_input(
            "Desconto em multa e juros (R$)", value="0,00", key=f"{key}_charges",
            help=MONEY_HELP,
        )  # fmt: skip
        simulate_cell, confirm_cell = st.columns(2)
        simulate = simulate_cell.form_submit_button(
            "Simular", key="tlc_reneg_simulate", width="stretch"
        )
        confirm = confirm_cell.form_submit_button(
            "Renegociar", type="primary", key="tlc_reneg_submit", width="stretch"
        )
    if not (simulate or confirm):
        return
    if first_due is None:
        st.error("Informe o 1º vencimento.", icon="❌")
        return
    count = int(installments)
    principal = _read(principal_discount, "Desconto no principal", rules.ZERO)
    charges = _read(charges_discount, "Desconto em multa e juros", rules.ZERO)
    if principal is None or charges is None:
        return
    discounts = principal, charges
    if simulate:
        try:
            deal = rules.renegotiate(
                [by_id[i].updated for i in chosen], installments=count, first_due=first_due,
                today=today, rules=limits, principal_discount=discounts[0],
                charges_discount=discounts[1],
            )  # fmt: skip
        except DomainError as error:
            show_error(error)
            return
        _deal_preview(deal)
        return
    if succeeded(
        lambda: outcomes.renegotiate_titles(
            db, user, attendance.id, list(chosen), installments=count, first_due=first_due,
            principal_discount=discounts[0], charges_discount=discounts[1],
        ),
        f"Títulos renegociados em {count} parcela(s) a partir de {local_date(first_due)}.",
    ):  # fmt: skip
        st.rerun()


def _deal_preview(deal: Renegotiation) -> None:
    st.markdown(
        f"**Total renegociado: {money(deal.total)}** (principal {money(deal.principal)} + "
        f"multa e juros {money(deal.charges)} − descontos "
        f"{money(deal.principal_discount + deal.charges_discount)})"
    )
    st.dataframe(
        [
            {"Parcela": part.number, "Vencimento": local_date(part.due_date),
             "Valor": money(part.amount)}
            for part in deal.installments
        ],
        hide_index=True,
        key="tlc_reneg_preview",
    )  # fmt: skip
    st.caption("Simulação: nada foi gravado. Confira e clique em Renegociar.")


def _title_label(title: Title) -> str:
    return f"{title.key} · venc. {local_date(title.due_date)} · {money(title.updated.total)}"


def _tag(attendance: CollectionAttendance) -> str:
    """Widgets keyed by the attendance's state start over after any outcome."""
    return signature(
        attendance.id, attendance.version, len(attendance.promises), len(attendance.outcomes),
        tuple((title.id, title.version) for title in attendance.titles),
    )  # fmt: skip


def _today(db: Database) -> date:
    return db.clock().astimezone(LOCAL_TZ).date()


def _read(text: str, field: str, default: Decimal | None = None) -> Decimal | None:
    """The typed text read by core.money as the core reads it (same value, same refusal);
    a refusal is shown here and gives None."""
    try:
        return rules.parse_money(text, field, default=default)
    except DomainError as error:
        show_error(error)
        return None


def _pct(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}".replace(".", ",")
