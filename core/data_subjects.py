"""Data-subject rights (Lei 13.709, art. 18): everything the product holds about one person,
exported, and the person anonymised.

Anonymisation is irreversible and runs in one transaction. It keeps the business records
(amounts, dates, statuses: statistics stay right) and removes the person:
- the entity's name becomes "Titular anonimizado nº <id>"; CPF/CNPJ, phones, e-mail, address,
  CEP, birth date and the sensitive note are erased (NULL) rather than replaced by 9s or
  01/01/1950 as Protheus does, so no fake value can be mistaken for data or skew an age
  statistic; city and state stay (they do not single anyone out and feed regional figures);
- contacts linked only to this person get the same treatment (a contact shared with another
  customer is that customer's data and stays);
- free texts typed during attendances about this person (notes, closing texts, agenda notes,
  outcome notes) become "[anonimizado]": an operator may have written anything there.
Refused, with the reason, while the person has open titles, open attendances or a call running.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from core import audit
from core.access import Action, User
from core.db import Database, Tx
from core.errors import Invalid, NotFound
from core.service import Work, command, perform
from core.validation import search_key

ERASED_TEXT = "[anonimizado]"
_ENTITY_ERASED = (
    "document", "phone", "mobile", "email", "street", "street_number", "district", "zip_code",
    "birth_date", "sensitive_note",
)  # fmt: skip
_CONTACT_ERASED = ("document", "phone", "mobile", "email", "birth_date", "sensitive_note")


# --- export ---------------------------------------------------------------------------------

_RECORDS = {
    "contatos": "SELECT c.* FROM contacts c JOIN entity_contacts ec ON ec.contact_id = c.id"
    " WHERE ec.entity_id = ? ORDER BY c.id",
    "atendimentos_telemarketing": "SELECT * FROM tmk_attendances WHERE entity_id = ? ORDER BY id",
    "itens_telemarketing": "SELECT i.* FROM tmk_items i JOIN tmk_attendances a"
    " ON a.id = i.attendance_id WHERE a.entity_id = ? ORDER BY i.attendance_id, i.line",
    "atendimentos_televendas": "SELECT * FROM tlv_orders WHERE entity_id = ? ORDER BY id",
    "itens_televendas": "SELECT i.* FROM tlv_items i JOIN tlv_orders o ON o.id = i.order_id"
    " WHERE o.entity_id = ? ORDER BY i.order_id, i.line",
    "titulos": "SELECT * FROM receivables WHERE entity_id = ? ORDER BY due_date, id",
    "atendimentos_cobranca": "SELECT * FROM tlc_attendances WHERE entity_id = ? ORDER BY id",
    "promessas": "SELECT * FROM tlc_promises WHERE entity_id = ? ORDER BY id",
    "ligacoes": "SELECT id, user_id, routine, started_at, ended_at, result FROM calls"
    " WHERE entity_id = ? ORDER BY id",
    "agenda": "SELECT * FROM agenda_items WHERE entity_id = ? ORDER BY id",
    "acessos_aos_dados": "SELECT a.occurred_at, a.username, a.event, a.detail"
    " FROM audit_log a WHERE a.id IN (SELECT audit_id FROM audit_subjects WHERE entity_id = ?)"
    " ORDER BY a.occurred_at",
}


def export_subject(db: Database, user: User, entity_id: int) -> bytes:
    """Everything held about the person as one JSON document (UTF-8), audited."""
    audit.flush(db)  # the bundle lists who saw the person: buffered views included
    return perform(
        db,
        user,
        Action.MANAGE_PRIVACY,
        lambda work: _export(work.tx, work.user, entity_id),
        f"exportar dados do titular {entity_id}",
        full_data=True,
    )


def _export(tx: Tx, user: User, entity_id: int) -> bytes:
    entity = tx.one("SELECT * FROM entities WHERE id = ?", [entity_id])
    if entity is None:
        raise NotFound("Titular não encontrado.")
    bundle: dict[str, Any] = {
        "gerado_em": tx.now.isoformat(),
        "base_legal": "Lei 13.709/2018, art. 18 (confirmação e acesso aos dados)",
        "titular": entity,
    }
    for name, sql in _RECORDS.items():
        bundle[name] = tx.all(sql, [entity_id])
    audit.record(
        tx, user, "titular.exportado", subject_type="entidade", subject_id=entity_id,
        detail={name: len(bundle[name]) for name in _RECORDS}, subjects=[entity_id],
    )  # fmt: skip
    return json.dumps(bundle, ensure_ascii=False, indent=2, default=_json).encode("utf-8")


def _json(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


# --- anonymisation --------------------------------------------------------------------------

_OPEN_WORK = (
    ("títulos em aberto", "SELECT count(*) FROM receivables WHERE entity_id = ?"
     " AND status = 'aberto' AND balance > 0"),
    ("atendimentos de Telemarketing em aberto", "SELECT count(*) FROM tmk_attendances"
     " WHERE entity_id = ? AND status IN ('planejado', 'pendente')"),
    ("orçamentos ou pedidos de Televendas em aberto", "SELECT count(*) FROM tlv_orders"
     " WHERE entity_id = ? AND status IN ('orcamento', 'pedido')"),
    ("cobranças em andamento", "SELECT count(*) FROM tlc_attendances WHERE entity_id = ?"
     " AND status IN ('atendimento', 'cobranca')"),
    ("uma ligação em andamento", "SELECT count(*) FROM open_calls o JOIN calls c"
     " ON c.id = o.call_id WHERE c.entity_id = ?"),
)  # fmt: skip

_FREE_TEXTS = (
    "UPDATE tmk_attendances SET closing_text = ? WHERE entity_id = ? AND closing_text <> ''",
    "UPDATE tmk_items SET notes = ? WHERE notes <> '' AND attendance_id IN"
    " (SELECT id FROM tmk_attendances WHERE entity_id = ?)",
    "UPDATE tlv_orders SET notes = ? WHERE entity_id = ? AND notes <> ''",
    "UPDATE tlc_attendances SET notes = CASE WHEN notes <> '' THEN $1 ELSE notes END,"
    " closing_text = CASE WHEN closing_text <> '' THEN $1 ELSE closing_text END"
    " WHERE entity_id = $2",
    "UPDATE tlc_outcomes SET note = ? WHERE note <> '' AND receivable_id IN"
    " (SELECT id FROM receivables WHERE entity_id = ?)",
    "UPDATE agenda_items SET note = ? WHERE entity_id = ? AND note <> ''",
)


@command(Action.MANAGE_PRIVACY, "anonimizar titular {entity_id}", full_data=True)
def anonymize_subject(work: Work, entity_id: int, reason: str) -> None:
    """Irreversibly anonymise the person (see the module's docstring), audited with the reason."""
    tx = work.tx
    reason = " ".join(reason.split())
    if len(reason) < 10:
        raise Invalid("Informe o motivo da anonimização (ex.: pedido do titular, protocolo).")
    entity = tx.one("SELECT id, anonymized_at FROM entities WHERE id = ?", [entity_id])
    if entity is None:
        raise NotFound("Titular não encontrado.")
    if entity["anonymized_at"] is not None:
        raise Invalid("Este titular já foi anonimizado.")
    pending = [label for label, sql in _OPEN_WORK if tx.scalar(sql, [entity_id])]
    if pending:
        raise Invalid(
            "Não é possível anonimizar: o titular tem " + "; ".join(pending)
            + ". Conclua-os ou cancele-os antes (os registros de negócio são mantidos)."
        )  # fmt: skip
    name = f"Titular anonimizado nº {entity_id}"
    erased = ", ".join(f"{column} = NULL" for column in _ENTITY_ERASED)
    tx.execute(
        f"UPDATE entities SET name = ?, search_name = ?, trade_name = '', {erased},"
        " anonymized_at = ?, active = FALSE, updated_at = ?, version = version + 1"
        " WHERE id = ?",
        [name, search_key(name), tx.now, tx.now, entity_id],
    )
    own_contacts = [
        row["contact_id"]
        for row in tx.all(
            "SELECT contact_id FROM entity_contacts ec WHERE entity_id = ?"
            " AND NOT EXISTS (SELECT 1 FROM entity_contacts other"
            "   WHERE other.contact_id = ec.contact_id AND other.entity_id <> ?)",
            [entity_id, entity_id],
        )
    ]
    contact_erased = ", ".join(f"{column} = NULL" for column in _CONTACT_ERASED)
    for contact_id in own_contacts:
        label = f"Contato anonimizado nº {contact_id}"
        tx.execute(
            f"UPDATE contacts SET name = ?, search_name = ?, job_title = '',"
            f" {contact_erased}, active = FALSE, updated_at = ?, version = version + 1"
            " WHERE id = ?",
            [label, search_key(label), tx.now, contact_id],
        )
    for sql in _FREE_TEXTS:
        tx.execute(sql, [ERASED_TEXT, entity_id])
    work.audit("titular.anonimizado", subject_type="entidade", subject_id=entity_id,
        detail={"motivo": reason, "contatos": len(own_contacts)},
    )  # fmt: skip
