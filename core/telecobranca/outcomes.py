"""What a collection call records per title [ACG] — Pago, Negociado (promise or
renegotiation), Cartório, Baixa, Abatimento — and how the call ends.

Every action is one transaction with its audit row, checks the title's version (a stale one is
a Conflict) and renews the collector's reservation.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from core import agenda, audit, calls, pix
from core.access import Action, Routine, User, require
from core.db import Database, Tx
from core.errors import STALE_RECORD, Conflict, Invalid
from core.localtime import LOCAL_TZ
from core.money import brl
from core.service import Work, command
from core.telecobranca import rules, setup
from core.telecobranca.attendance import (
    PROMISE_CHECK_TIME,
    SOURCE,
    TITLE_STATUS_LABELS,
    CollectionAttendance,
    Title,
    finish_row,
    load,
    local_today,
    release,
    title_by_id,
)
from core.telecobranca.rules import NegotiationRules
from core.telecobranca.taking import hold


def record_payment(
    db: Database,
    user: User,
    attendance_id: int | None,
    receivable_id: int,
    title_version: int,
    amount: Decimal | str,
    note: str = "",
) -> CollectionAttendance | None:
    """Pago: a payment, partial or full, charges first. Outside an attendance (finance) it
    counts for the attendance that holds the title, if any. Keeps the promises it covers."""
    if attendance_id is None:
        require(db, user, Action.MANAGE_LEDGER, f"pagamento do título {receivable_id}")
    value = rules.parse_money(amount, "Valor do pagamento")

    def act(tx: Tx, attendance_id: int | None, title: Title) -> None:
        split = rules.split_payment(value, title.updated)
        balance = title.balance - split.principal
        tx.execute(
            "UPDATE receivables SET balance = ?, status = ?, charges_from = ?, updated_at = ?,"
            " version = version + 1 WHERE id = ?",
            [
                balance, "pago" if balance == 0 else "aberto",
                local_today(tx) if split.settles_charges else _charges_from(tx, title.id),
                tx.now, title.id,
            ],
        )  # fmt: skip
        _outcome(tx, user, attendance_id, title.id, "pago", split.amount, split.principal,
                 split.charges, note)  # fmt: skip
        _keep_promises(tx, user, title.id, split.amount)

    return _title_action(db, user, attendance_id, receivable_id, title_version, "pago", act)


def send_to_protest(
    db: Database,
    user: User,
    attendance_id: int,
    receivable_id: int,
    title_version: int,
    note: str = "",
) -> CollectionAttendance | None:
    """Cartório: the title goes to protest and leaves the queue; its balance stays owed."""

    def act(tx: Tx, attendance_id: int | None, title: Title) -> None:
        _set_title(tx, title.id, "cartorio", title.balance)
        _outcome(tx, user, attendance_id, title.id, "cartorio", Decimal(0), Decimal(0),
                 Decimal(0), note)  # fmt: skip

    return _title_action(db, user, attendance_id, receivable_id, title_version, "cartorio", act)


def write_off(
    db: Database,
    user: User,
    attendance_id: int,
    receivable_id: int,
    title_version: int,
    note: str,
) -> CollectionAttendance | None:
    """Baixa: the balance is written off as not collectable (the reason is required)."""
    if len(note.strip()) < 3:
        raise Invalid("Informe o motivo da baixa.")

    def act(tx: Tx, attendance_id: int | None, title: Title) -> None:
        _set_title(tx, title.id, "baixado", Decimal(0))
        _outcome(tx, user, attendance_id, title.id, "baixa", title.balance, title.balance,
                 Decimal(0), note)  # fmt: skip

    return _title_action(db, user, attendance_id, receivable_id, title_version, "baixa", act)


def grant_rebate(
    db: Database,
    user: User,
    attendance_id: int,
    receivable_id: int,
    title_version: int,
    amount: Decimal | str,
    note: str = "",
) -> CollectionAttendance | None:
    """Abatimento: a rebate off the principal, within the group's principal discount limit
    (as a % of the title's amount)."""
    value = rules.parse_money(amount, "Valor do abatimento")
    if value <= 0:
        raise Invalid("Informe um valor de abatimento maior que zero.")

    def act(tx: Tx, attendance_id: int | None, title: Title) -> None:
        limits = _rules_of(tx, attendance_id)
        given = Decimal(
            tx.scalar(
                "SELECT coalesce(sum(principal), 0) FROM tlc_outcomes"
                " WHERE receivable_id = ? AND outcome = 'abatimento'",
                [title.id],
            )
        )
        rules.check_discount(value + given, min(title.amount, title.balance + given),
                             limits.max_principal_discount_pct, "o principal")  # fmt: skip
        balance = title.balance - value
        _set_title(tx, title.id, "baixado" if balance == 0 else "aberto", balance)
        _outcome(tx, user, attendance_id, title.id, "abatimento", value, value, Decimal(0), note)

    return _title_action(db, user, attendance_id, receivable_id, title_version, "abatimento", act)


def _title_action(
    db: Database,
    user: User,
    attendance_id: int | None,
    receivable_id: int,
    title_version: int,
    outcome: str,
    act: Any,
) -> CollectionAttendance | None:
    if attendance_id is not None:
        require(db, user, Action.ATTEND_TELECOBRANCA, f"{outcome} no título {receivable_id}")

    def work(tx: Tx) -> CollectionAttendance | None:
        title = title_by_id(tx, receivable_id)
        if title.version != title_version:
            raise Conflict(STALE_RECORD)
        if not title.is_open:
            raise Invalid(
                f"O título {title.key} está {TITLE_STATUS_LABELS.get(title.status, title.status)}"
                " e não aceita mais lançamentos."
            )
        owner = attendance_id
        if attendance_id is not None:
            hold(tx, user, attendance_id, title)
        else:
            owner = tx.scalar(
                "SELECT a.id FROM tlc_attendance_titles t JOIN tlc_attendances a"
                " ON a.id = t.attendance_id WHERE t.receivable_id = ?"
                " AND a.status IN ('atendimento', 'cobranca') ORDER BY a.id DESC LIMIT 1",
                [receivable_id],
            )
        act(tx, owner, title)
        if owner is not None:
            _close_if_promises_done(tx, user, owner)
        audit.record(
            tx, user, f"cobranca.{outcome}", subject_type="titulo", subject_id=receivable_id,
            detail={"atendimento": owner},
        )  # fmt: skip
        return _worked(tx, user, attendance_id) if attendance_id is not None else None

    return db.write(work)


def _set_title(tx: Tx, receivable_id: int, status: str, balance: Decimal) -> None:
    tx.execute(
        "UPDATE receivables SET status = ?, balance = ?, updated_at = ?, version = version + 1"
        " WHERE id = ?",
        [status, balance, tx.now, receivable_id],
    )


def _charges_from(tx: Tx, receivable_id: int) -> date | None:
    return tx.scalar("SELECT charges_from FROM receivables WHERE id = ?", [receivable_id])


def _outcome(
    tx: Tx,
    user: User,
    attendance_id: int | None,
    receivable_id: int,
    outcome: str,
    amount: Decimal,
    principal: Decimal,
    charges: Decimal,
    note: str,
    promise_id: int | None = None,
    renegotiation_id: int | None = None,
) -> None:
    tx.execute(
        "INSERT INTO tlc_outcomes (attendance_id, receivable_id, user_id, outcome, amount,"
        " principal, charges, promise_id, renegotiation_id, note, occurred_on, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            attendance_id, receivable_id, user.id, outcome, amount, principal, charges,
            promise_id, renegotiation_id, " ".join(note.split()), local_today(tx), tx.now,
        ],
    )  # fmt: skip


def _rules_of(tx: Tx, attendance_id: int | None) -> NegotiationRules:
    if attendance_id is None:
        return NegotiationRules()
    group = tx.scalar("SELECT group_id FROM tlc_attendances WHERE id = ?", [attendance_id])
    return setup.negotiation_rules(tx, group)


@command(Action.ATTEND_TELECOBRANCA, "promessa no atendimento {attendance_id}")
def record_promise(
    work: Work,
    attendance_id: int,
    receivable_ids: list[int],
    promised_on: date,
    amount: Decimal | str,
    note: str = "",
) -> CollectionAttendance:
    """Negociado (promessa): the debtor promises `amount` for the titles by `promised_on`
    (within the group's postponement limit). A follow-up goes on the collector's agenda at
    that date and the attendance becomes Cobrança."""
    tx, user = work.tx, work.user
    value = rules.parse_money(amount, "Valor prometido")
    if value <= 0:
        raise Invalid("Informe o valor prometido.")
    row = hold(tx, user, attendance_id, None)
    titles = _chosen_titles(tx, attendance_id, receivable_ids)
    rules.check_promise_date(promised_on, local_today(tx), setup.negotiation_rules(
        tx, row["group_id"]))  # fmt: skip
    if tx.scalar(
        "SELECT count(*) FROM tlc_promise_titles pt JOIN tlc_promises p"
        " ON p.id = pt.promise_id WHERE p.status = 'pendente' AND pt.receivable_id IN"
        f" ({', '.join('?' for _ in titles)})",
        [t.id for t in titles],
    ):
        raise Invalid("Já existe promessa pendente para um destes títulos.")
    owed = sum((t.updated.total for t in titles), Decimal(0))
    if value > owed:
        raise Invalid(f"A promessa ({brl(value)}) passa do devido atualizado ({brl(owed)}).")
    promise_id = int(
        tx.scalar(
            "INSERT INTO tlc_promises (attendance_id, entity_id, user_id, promised_on,"
            " amount, status, created_at) VALUES (?, ?, ?, ?, ?, 'pendente', ?) RETURNING id",
            [attendance_id, row["entity_id"], user.id, promised_on, value, tx.now],
        )
    )
    for title in titles:
        tx.execute(
            "INSERT INTO tlc_promise_titles (promise_id, receivable_id) VALUES (?, ?)",
            [promise_id, title.id],
        )
        _outcome(tx, user, attendance_id, title.id, "negociado", Decimal(0), Decimal(0),
                 Decimal(0), note, promise_id=promise_id)  # fmt: skip
    pix_txid = _give_pix(tx, "tlc_promises", promise_id, value, pix.txid_for("PROM", promise_id))
    agenda.schedule(
        tx, user.id, Routine.TELECOBRANCA, SOURCE, promise_id, row["entity_id"],
        datetime.combine(promised_on, PROMISE_CHECK_TIME, tzinfo=LOCAL_TZ),
        note=f"Promessa de {brl(value)} ({', '.join(t.key for t in titles)})",
    )  # fmt: skip
    tx.execute(
        "UPDATE tlc_attendances SET status = 'cobranca', updated_at = ?,"
        " version = version + 1 WHERE id = ?",
        [tx.now, attendance_id],
    )
    work.audit("cobranca.promessa", subject_type="atendimento_tlc",
        subject_id=attendance_id,
        detail={"promessa": promise_id, "valor": value, "data": promised_on, "pix": pix_txid},
    )  # fmt: skip
    return _worked(tx, user, attendance_id)


@command(Action.ATTEND_TELECOBRANCA, "renegociação no atendimento {attendance_id}")
def renegotiate_titles(
    work: Work,
    attendance_id: int,
    receivable_ids: list[int],
    *,
    installments: int,
    first_due: date,
    principal_discount: Decimal | str = Decimal(0),
    charges_discount: Decimal | str = Decimal(0),
) -> CollectionAttendance:
    """Negociado (renegociação): the titles are replaced by new installments (prefix REN) whose
    sum is principal + charges − discounts, all within the group's negotiation rules."""
    tx, user = work.tx, work.user
    discounts = (
        rules.parse_money(principal_discount, "Desconto no principal", default=rules.ZERO),
        rules.parse_money(charges_discount, "Desconto em multa e juros", default=rules.ZERO),
    )
    row = hold(tx, user, attendance_id, None)
    titles = _chosen_titles(tx, attendance_id, receivable_ids)
    if any(t.promised for t in titles):
        raise Invalid("Há promessa pendente para um destes títulos: registre o pagamento "
                      "ou aguarde a data antes de renegociar.")  # fmt: skip
    deal = rules.renegotiate(
        [t.updated for t in titles], installments=installments, first_due=first_due,
        today=local_today(tx), rules=setup.negotiation_rules(tx, row["group_id"]),
        principal_discount=discounts[0], charges_discount=discounts[1],
    )  # fmt: skip
    renegotiation_id = int(
        tx.scalar(
            "INSERT INTO tlc_renegotiations (attendance_id, entity_id, user_id, principal,"
            " charges, principal_discount, charges_discount, total, installments,"
            " first_due, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [
                attendance_id,
                row["entity_id"],
                user.id,
                deal.principal,
                deal.charges,
                deal.principal_discount,
                deal.charges_discount,
                deal.total,
                installments,
                first_due,
                tx.now,
            ],
        )
    )
    for title in titles:
        _set_title(tx, title.id, "renegociado", Decimal(0))
        _outcome(tx, user, attendance_id, title.id, "renegociado", title.updated.total,
                 title.balance, Decimal(0), "", renegotiation_id=renegotiation_id)  # fmt: skip
    for part in deal.installments:
        tx.execute(
            "INSERT INTO receivables (prefix, number, installment, type, entity_id,"
            " issue_date, due_date, amount, balance, status, renegotiation_id,"
            " created_at, updated_at) VALUES ('REN', ?, ?, 'RN', ?, ?, ?, ?, ?, 'aberto',"
            " ?, ?, ?)",
            [f"{renegotiation_id:09d}", part.number, row["entity_id"], local_today(tx),
             part.due_date, part.amount, part.amount, renegotiation_id, tx.now, tx.now],
        )  # fmt: skip
    first = deal.installments[0].amount
    txid = pix.txid_for("REN", renegotiation_id)
    pix_txid = _give_pix(tx, "tlc_renegotiations", renegotiation_id, first, txid)
    work.audit(
        "cobranca.renegociacao",
        subject_type="atendimento_tlc",
        subject_id=attendance_id,
        detail={
            "renegociacao": renegotiation_id,
            "total": deal.total,
            "parcelas": installments,
            "titulos": [t.key for t in titles],
            "pix": pix_txid,
        },
    )
    return _worked(tx, user, attendance_id)


def _give_pix(tx: Tx, table: str, record_id: int, amount: Decimal, txid: str) -> str | None:
    """The PIX copia-e-cola for the agreed amount, kept with the promise or renegotiation
    (`table` is a code literal); the txid for the audit, None when PIX is not configured."""
    receiver = pix.merchant(tx)
    if receiver is None:
        return None
    payload = pix.brcode(receiver, amount, txid)
    tx.execute(f"UPDATE {table} SET pix_payload = ? WHERE id = ?", [payload, record_id])
    return txid


def _chosen_titles(tx: Tx, attendance_id: int, receivable_ids: list[int]) -> list[Title]:
    if not receivable_ids:
        raise Invalid("Selecione ao menos um título.")
    titles = [title_by_id(tx, receivable_id) for receivable_id in sorted(set(receivable_ids))]
    for title in titles:
        if not title.is_open:
            raise Invalid(f"O título {title.key} não está em aberto.")
        if not tx.scalar(
            "SELECT 1 FROM tlc_attendance_titles WHERE attendance_id = ? AND receivable_id = ?",
            [attendance_id, title.id],
        ):
            raise Invalid(f"O título {title.key} não faz parte desta cobrança.")
    return titles


def _keep_promises(tx: Tx, user: User, receivable_id: int, paid: Decimal) -> None:
    """A payment on a promised title counts toward its pending promise; once the payments
    reach the promised amount (or the titles are settled) the promise is kept."""
    for promise in tx.all(
        "SELECT p.id, p.amount, p.paid_amount FROM tlc_promises p"
        " JOIN tlc_promise_titles pt ON pt.promise_id = p.id"
        " WHERE pt.receivable_id = ? AND p.status = 'pendente'",
        [receivable_id],
    ):
        total = Decimal(promise["paid_amount"]) + paid
        settled = not tx.scalar(
            "SELECT count(*) FROM tlc_promise_titles pt JOIN receivables r"
            " ON r.id = pt.receivable_id WHERE pt.promise_id = ? AND r.status = 'aberto'",
            [promise["id"]],
        )
        kept = total >= promise["amount"] or settled
        tx.execute(
            "UPDATE tlc_promises SET paid_amount = ?, status = ?, settled_at = ?,"
            " version = version + 1 WHERE id = ?",
            [total, "cumprida" if kept else "pendente", tx.now if kept else None,
             promise["id"]],
        )  # fmt: skip
        if kept:
            agenda.settle(tx, SOURCE, promise["id"])
            audit.record(
                tx, user, "cobranca.promessa_cumprida", subject_type="promessa",
                subject_id=promise["id"],
            )  # fmt: skip


def _close_if_promises_done(tx: Tx, user: User, attendance_id: int) -> None:
    """A Cobrança attendance whose last pending promise was kept is closed."""
    if tx.scalar(
        "SELECT status FROM tlc_attendances WHERE id = ?", [attendance_id]
    ) != "cobranca" or tx.scalar(
        "SELECT count(*) FROM tlc_promises WHERE attendance_id = ? AND status = 'pendente'",
        [attendance_id],
    ):
        return
    finish_row(tx, attendance_id, "encerrado", closing_text="Promessa de pagamento cumprida.")
    release(tx, attendance_id)


@command(Action.ATTEND_TELECOBRANCA, "finalizar cobrança {attendance_id}")
def finish_attendance(
    work: Work,
    attendance_id: int,
    version: int,
    *,
    outcome: str,
    reason_id: int | None = None,
    text: str = "",
) -> CollectionAttendance:
    """Finish the collection: "cobranca" (a promise is pending: wait for the payment), "encerrar"
    (reason and text; not while a promise is pending) or "cancelar" (reason; pending promises
    are cancelled). The reservation is released either way."""
    tx, user = work.tx, work.user
    if outcome not in {"cobranca", "encerrar", "cancelar"}:
        raise Invalid("Ação inválida.")
    row = hold(tx, user, attendance_id, None)
    if row["version"] != version:
        raise Conflict(STALE_RECORD)
    pending = tx.scalar(
        "SELECT count(*) FROM tlc_promises WHERE attendance_id = ? AND status = 'pendente'",
        [attendance_id],
    )
    if outcome == "cobranca":
        if not pending:
            raise Invalid("Sem promessa pendente: encerre (com motivo) ou cancele a cobrança.")
        status = "cobranca"
        tx.execute(
            "UPDATE tlc_attendances SET status = 'cobranca', ended_at = ?, updated_at = ?,"
            " version = version + 1 WHERE id = ?",
            [tx.now, tx.now, attendance_id],
        )
    elif outcome == "encerrar":
        if pending:
            raise Invalid("Há promessa de pagamento pendente: grave como Cobrança e aguarde "
                          "o pagamento, ou cancele a cobrança.")  # fmt: skip
        _check_reason(tx, "motivo_encerramento", reason_id, "de encerramento")
        if len(text.strip()) < 3:
            raise Invalid("Descreva o resultado da cobrança no texto de encerramento.")
        status = "encerrado"
        finish_row(tx, attendance_id, status, reason_id=reason_id, closing_text=text)
    else:
        _check_reason(tx, "motivo_cancelamento", reason_id, "de cancelamento")
        for promise_id in [
            p["id"]
            for p in tx.all(
                "UPDATE tlc_promises SET status = 'cancelada', settled_at = ?,"
                " version = version + 1 WHERE attendance_id = ? AND status = 'pendente'"
                " RETURNING id",
                [tx.now, attendance_id],
            )
        ]:
            agenda.settle(tx, SOURCE, promise_id, "cancelado")
        status = "cancelado"
        finish_row(tx, attendance_id, status, reason_id=reason_id, closing_text=text)
    release(tx, attendance_id)
    work.audit(f"cobranca.{outcome}", subject_type="atendimento_tlc",
        subject_id=attendance_id, detail={"status": status},
    )  # fmt: skip
    return _worked(tx, user, attendance_id)


def _worked(tx: Tx, user: User, attendance_id: int) -> CollectionAttendance:
    """The attendance after the collector's action, recorded on the running call with the
    status it was left in (a kept promise may have closed it)."""
    attendance = load(tx, attendance_id)
    status = attendance.status_label
    calls.record_in(tx, user, Routine.TELECOBRANCA, attendance_id, attendance.entity_id, status)
    return attendance


def _check_reason(tx: Tx, catalogue: str, reason_id: int | None, label: str) -> None:
    if reason_id is None or not tx.scalar(
        "SELECT id FROM catalogue_items WHERE catalogue = ? AND id = ? AND active",
        [catalogue, reason_id],
    ):
        raise Invalid(f"Informe o motivo {label}.")
