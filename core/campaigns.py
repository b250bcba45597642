"""Outbound campaigns (ativo): a routine, a period, the groups that work it and its retry rules;
its call lists (core/call_lists.py) hold the entities to call. "Próximo contato" reserves the
next entry for an operator of one of those groups and starts the call; the attempt ends with a
disposition from the catalogue, which decides whether and when the entry is called again.

The entry's row is the reservation, and "Próximo contato" is served like "Próximo devedor":
operators pressing together are answered by one transaction that hands out the next entries
in order, and the servers' batches take turns, so two operators never get the same person.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import polars as pl

from core import agenda, audit, calls, operator_states
from core.access import Action, Routine, User, active_group, require
from core.combining import Combiner
from core.db import Database, Tx
from core.errors import Conflict, Invalid, NotFound
from core.localtime import LOCAL_TZ
from core.service import Work, command, query
from core.validation import Problems

RESERVATION = timedelta(minutes=30)  # an entry nobody dispositioned goes back to the list
AGENDA_SOURCE = "campaign_contact"
ENTRY_STATUS = {
    "pendente": "Pendente",
    "reservado": "Em ligação",
    "agendado": "Agendado",
    "concluido": "Concluído",
    "esgotado": "Tentativas esgotadas",
}


@dataclass
class CampaignInput:
    name: str
    routine: Routine
    starts_on: date
    ends_on: date
    group_ids: tuple[int, ...] = field(default_factory=tuple)
    max_attempts: int = 3
    retry_minutes: int = 60
    active: bool = True
    script_id: int | None = None  # the call script its operators follow


@dataclass(frozen=True)
class Contact:
    """The entry an operator is calling: the campaign, the person, how many tries so far."""

    entry_id: int
    campaign_id: int
    campaign_name: str
    routine: Routine
    entity_id: int
    entity_name: str
    attempts: int
    max_attempts: int
    callback: bool  # the operator's own scheduled return


@dataclass(frozen=True)
class Disposition:
    code: str
    label: str
    contacted: bool
    success: bool
    outcome: str  # concluir, tentar_de_novo, agendar


# --- campaigns -------------------------------------------------------------------------------


def _clean(tx: Tx, data: CampaignInput, campaign_id: int | None) -> dict[str, Any]:
    problems = Problems()
    name = " ".join(data.name.split())
    if not 3 <= len(name) <= 60:
        problems.add("name", "o nome da campanha deve ter de 3 a 60 caracteres")
    elif tx.scalar(
        "SELECT id FROM campaigns WHERE lower(name) = lower(?) AND id <> ?",
        [name, campaign_id or -1],
    ):
        problems.add("name", "já existe uma campanha com este nome")
    if data.ends_on < data.starts_on:
        problems.add("ends_on", "a campanha termina antes de começar")
    if not 1 <= int(data.max_attempts) <= 20:
        problems.add("max_attempts", "tentativas por contato: de 1 a 20")
    if not 1 <= int(data.retry_minutes) <= 7 * 24 * 60:
        problems.add("retry_minutes", "intervalo entre tentativas: de 1 minuto a 7 dias")
    groups = set(data.group_ids)
    if not groups:
        problems.add("group_ids", "escolha ao menos um grupo que trabalha a campanha")
    else:
        wired = tx.all(
            f"SELECT id FROM attendance_groups WHERE active AND {data.routine.value}"
            " AND id = ANY(?::BIGINT[])",
            [sorted(groups)],
        )
        if len(wired) != len(groups):
            problems.add(
                "group_ids",
                f"todo grupo da campanha deve estar ativo e trabalhar {data.routine.label}",
            )
    if data.script_id is not None and not tx.scalar(
        "SELECT id FROM call_scripts WHERE id = ? AND active", [data.script_id]
    ):
        problems.add("script_id", "roteiro inexistente ou inativo")
    problems.raise_if_any()
    return {
        "name": name,
        "routine": data.routine.value,
        "starts_on": data.starts_on,
        "ends_on": data.ends_on,
        "max_attempts": int(data.max_attempts),
        "retry_minutes": int(data.retry_minutes),
        "active": bool(data.active),
        "script_id": data.script_id,
    }


def _set_groups(tx: Tx, campaign_id: int, group_ids: tuple[int, ...]) -> None:
    tx.execute("DELETE FROM campaign_groups WHERE campaign_id = ?", [campaign_id])
    tx.execute(
        "INSERT INTO campaign_groups (campaign_id, group_id) SELECT ?, unnest(?::BIGINT[])",
        [campaign_id, sorted(set(group_ids))],
    )


@command(Action.MANAGE_CAMPAIGNS)
def create_campaign(work: Work, data: CampaignInput) -> int:
    clean = _clean(work.tx, data, None)
    campaign_id = int(
        work.tx.scalar(
            "INSERT INTO campaigns (name, routine, starts_on, ends_on, max_attempts,"
            " retry_minutes, active, script_id, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [*clean.values(), work.tx.now],
        )
    )
    _set_groups(work.tx, campaign_id, data.group_ids)
    work.audit(
        "campanha.incluida",
        subject_type="campanha",
        subject_id=campaign_id,
        detail={**clean, "grupos": sorted(set(data.group_ids))},
    )
    return campaign_id


@command(Action.MANAGE_CAMPAIGNS)
def update_campaign(work: Work, campaign_id: int, version: int, data: CampaignInput) -> None:
    clean = _clean(work.tx, data, campaign_id)
    work.update(
        "campaigns",
        campaign_id,
        version,
        clean,
        event="campanha.alterada",
        subject_type="campanha",
        missing="Campanha não encontrada.",
    )
    _set_groups(work.tx, campaign_id, data.group_ids)


@query(Action.MANAGE_CAMPAIGNS)
def list_campaigns(work: Work) -> pl.DataFrame:
    """Every campaign with its groups and how far its lists got."""
    return work.tx.frame(
        """
        SELECT c.id, c.name, c.routine, c.starts_on, c.ends_on, c.max_attempts,
            c.retry_minutes, c.active, c.version, c.script_id,
            (SELECT string_agg(g.name, ', ' ORDER BY g.name) FROM campaign_groups cg
                JOIN attendance_groups g ON g.id = cg.group_id WHERE cg.campaign_id = c.id)
                AS group_names,
            (SELECT array_agg(cg.group_id ORDER BY cg.group_id) FROM campaign_groups cg
                WHERE cg.campaign_id = c.id) AS group_ids,
            count(e.id) AS entries,
            count(e.id) FILTER (WHERE e.status IN ('pendente', 'reservado', 'agendado'))
                AS open_entries,
            count(e.id) FILTER (WHERE e.status = 'concluido') AS done,
            count(e.id) FILTER (WHERE e.status = 'esgotado') AS exhausted
        FROM campaigns c
        LEFT JOIN call_list_entries e ON e.campaign_id = c.id
        GROUP BY c.id, c.name, c.routine, c.starts_on, c.ends_on, c.max_attempts,
            c.retry_minutes, c.active, c.version, c.script_id
        ORDER BY c.active DESC, c.starts_on DESC, c.name
        """
    )


@query(Action.MANAGE_CAMPAIGNS)
def script_choices(work: Work) -> dict[int, str]:
    """The active call scripts a campaign may follow."""
    rows = work.tx.all("SELECT id, name FROM call_scripts WHERE active ORDER BY name")
    return {row["id"]: row["name"] for row in rows}


# --- dispositions ----------------------------------------------------------------------------


@query(Action.ATTEND, "resultados de contato")
def dispositions(work: Work) -> list[Disposition]:
    return _dispositions(work.tx)


def _dispositions(tx: Tx) -> list[Disposition]:
    rows = tx.all(
        "SELECT code, label, contacted, success, outcome FROM dispositions ORDER BY position"
    )
    return [Disposition(**row) for row in rows]


# --- the next contact ------------------------------------------------------------------------


def _local_hour(now: datetime) -> int:
    return now.astimezone(LOCAL_TZ).hour


_CONTACT_SQL = (
    "SELECT e.id AS entry_id, c.id AS campaign_id, c.name AS campaign_name, c.routine,"
    " e.entity_id, n.name AS entity_name, e.attempts, c.max_attempts,"
    " e.status = 'agendado' AS callback"
    " FROM call_list_entries e JOIN campaigns c ON c.id = e.campaign_id"
    " JOIN entities n ON n.id = e.entity_id"
)


def _contact(row: dict[str, Any]) -> Contact:
    return Contact(**{**row, "routine": Routine(row["routine"]), "callback": bool(row["callback"])})


# Not marked "não ligar" (the few who asked: an anti-join, not a join with every entity).
_CALLABLE = "e.entity_id NOT IN (SELECT id FROM entities WHERE do_not_call)"
# The campaigns a group works today in the routines an operator holds (parameters: _scope).
_CAMPAIGNS_OF = (
    "(SELECT cg.campaign_id FROM campaign_groups cg JOIN campaigns k ON k.id = cg.campaign_id"
    " WHERE cg.group_id = ? AND k.active AND k.starts_on <= ? AND k.ends_on >= ?"
    " AND k.routine = ANY(?::VARCHAR[]))"
)


def _scope(tx: Tx, user: User, group: int) -> list[Any]:
    today = tx.now.astimezone(LOCAL_TZ).date()
    return [group, today, today, [routine.value for routine in Routine if routine in user.routines]]


@query(Action.ATTEND, "próximo contato")
def waiting_contacts(work: Work, group_id: int | None = None) -> int | None:
    """How many entries the operator's group could call now (None: no campaign today), for the
    workspace's "Próximo contato"."""
    tx = work.tx
    scope = _scope(tx, work.user, active_group(work.user, group_id))
    if not tx.scalar(f"SELECT count(*) FROM {_CAMPAIGNS_OF} c", scope):
        return None
    return int(
        tx.scalar(
            f"SELECT count(*) FROM call_list_entries e WHERE e.campaign_id IN {_CAMPAIGNS_OF}"
            " AND (e.status = 'pendente' OR (e.status = 'reservado' AND e.reserved_until < ?))"
            f" AND e.next_at <= ? AND {_CALLABLE}",
            [*scope, tx.now, tx.now],
        )
    )


@dataclass(frozen=True)
class _Ask:
    user: User
    group: int


# Due now, not marked "não ligar", within the person's best hours (parameters: now, the local
# hour twice).
_READY = (
    f"e.next_at <= ? AND {_CALLABLE}"
    " AND (e.best_from IS NULL OR (? >= e.best_from AND ? < e.best_until))"
)
_DESKS = threading.Lock()
GATHER_SECONDS = 0.002  # a lone operator waits this much for others pressing at the same time
_ON_CALL = "Você já tem uma ligação em andamento. Encerre-a antes do próximo contato."


def next_contact(db: Database, user: User, group_id: int | None = None) -> Contact | None:
    """ "Próximo contato": reserve the next entry of the campaigns the operator's active group
    works (the operator's own callbacks already due first) and start the call on it, in one
    transaction. None when nobody is waiting.

    Operators pressing at the same moment are served together (core/combining.py: one
    transaction of set-based statements for the batch), and the servers' batches take turns
    (`db.exclusive`), so the entries are handed out in order without two readers racing."""
    require(db, user, Action.ATTEND, "próximo contato")
    group = active_group(user, group_id)
    with _DESKS:
        desk = db.memo.get("campaign_desk")
        if desk is None:
            desk = db.memo["campaign_desk"] = Combiner(
                lambda asks: _serve(db, asks), GATHER_SECONDS
            )
    return desk.submit(_Ask(user, group))


def _serve(db: Database, asks: list[_Ask]) -> list[Contact | Exception | None]:
    with db.exclusive("campaign_desk"):
        return db.write(lambda tx: _claim(tx, asks))


def _claim(tx: Tx, asks: list[_Ask]) -> list[Contact | Exception | None]:
    answers: list[Contact | Exception | None] = [None] * len(asks)
    ids = [ask.user.id for ask in asks]
    busy = {
        row["user_id"]
        for row in tx.all("SELECT user_id FROM open_calls WHERE user_id = ANY(?::BIGINT[])", [ids])
    }
    paused = operator_states.paused_among(tx, ids)
    # The asks to serve, by the campaigns they may call (those of the operator's group in the
    # routines the operator holds): groups working the same campaigns share one queue read.
    today = tx.now.astimezone(LOCAL_TZ).date()
    offered: dict[int, list[tuple[int, Routine]]] = {}  # group -> (campaign, routine) today
    for row in tx.all(
        "SELECT cg.group_id, k.id, k.routine FROM campaign_groups cg"
        " JOIN campaigns k ON k.id = cg.campaign_id WHERE cg.group_id = ANY(?::BIGINT[])"
        " AND k.active AND k.starts_on <= ? AND k.ends_on >= ?",
        [sorted({ask.group for ask in asks}), today, today],
    ):
        offered.setdefault(row["group_id"], []).append((row["id"], Routine(row["routine"])))
    by_campaigns: dict[frozenset[int], list[int]] = {}
    seen: set[int] = set()
    for index, ask in enumerate(asks):
        if ask.user.id in busy or ask.user.id in seen:  # a second tab pressing at once
            answers[index] = Conflict(_ON_CALL)
        elif ask.user.id in paused:
            reason = paused[ask.user.id]
            answers[index] = Invalid(operator_states.PAUSED_NO_CALL.format(reason=reason))
        else:
            allowed = frozenset(
                c for c, routine in offered.get(ask.group, []) if routine in ask.user.routines
            )
            by_campaigns.setdefault(allowed, []).append(index)
        seen.add(ask.user.id)
    by_campaigns.pop(frozenset(), None)  # no campaign today: nobody to call
    waiting_ids = [asks[i].user.id for indexes in by_campaigns.values() for i in indexes]
    # Each operator's own callbacks already due come first, the earliest of them.
    callbacks: dict[int, list[tuple[int, int]]] = {}
    for row in tx.all(
        "SELECT e.id, e.reserved_by, e.campaign_id FROM call_list_entries e"
        " WHERE e.status = 'agendado' AND e.reserved_by = ANY(?::BIGINT[]) AND e.next_at <= ?"
        f" AND {_CALLABLE} ORDER BY e.next_at",
        [waiting_ids, tx.now],
    ):
        callbacks.setdefault(row["reserved_by"], []).append((row["campaign_id"], row["id"]))
    reserved: dict[int, int] = {}  # ask index -> entry id
    hour = _local_hour(tx.now)
    for allowed_ids, waiting in by_campaigns.items():
        rest = []
        for index in waiting:
            own = [
                entry
                for campaign, entry in callbacks.get(asks[index].user.id, [])
                if campaign in allowed_ids
            ]
            if own:
                reserved[index] = own[0]
            else:
                rest.append(index)
        candidates = (
            []
            if not rest
            else tx.all(
                # Pending entries in order (an index on PostgreSQL), and reservations nobody
                # dispositioned in time (few): each side limited before they are merged.
                f"SELECT id FROM ((SELECT e.id, e.attempts, e.next_at FROM call_list_entries e"
                f" WHERE e.campaign_id = ANY(?::BIGINT[]) AND e.status = 'pendente' AND {_READY}"
                " ORDER BY e.attempts, e.next_at, e.id LIMIT ?)"
                f" UNION ALL (SELECT e.id, e.attempts, e.next_at FROM call_list_entries e"
                " WHERE e.campaign_id = ANY(?::BIGINT[]) AND e.status = 'reservado'"
                f" AND e.reserved_until < ? AND {_READY} LIMIT ?)) ready"
                " ORDER BY attempts, next_at, id LIMIT ?",
                [
                    sorted(allowed_ids),
                    tx.now,
                    hour,
                    hour,
                    len(rest),
                    sorted(allowed_ids),
                    tx.now,
                    tx.now,
                    hour,
                    hour,
                    len(rest),
                    len(rest),
                ],
            )
        )
        reserved |= dict(zip(rest, (row["id"] for row in candidates), strict=False))
        # Reserved now, so the next set's candidates (campaigns may overlap) no longer
        # include them.
        mine = [i for i in waiting if i in reserved]
        tx.execute(
            "UPDATE call_list_entries SET status = CASE WHEN status = 'agendado' THEN status"
            " ELSE 'reservado' END, reserved_by = x.user_id, reserved_until = ?"
            " FROM (SELECT unnest(?::BIGINT[]) AS id, unnest(?::BIGINT[]) AS user_id) x"
            " WHERE call_list_entries.id = x.id",
            [tx.now + RESERVATION, [reserved[i] for i in mine], [asks[i].user.id for i in mine]],
        )
    if not reserved:
        return answers
    order = sorted(reserved)
    found = {
        row["entry_id"]: _contact(row)
        for row in tx.all(
            _CONTACT_SQL + " WHERE e.id = ANY(?::BIGINT[])", [[reserved[i] for i in order]]
        )
    }
    contacts = [found[reserved[i]] for i in order]
    reservations = [
        audit.Change(
            asks[i].user,
            "campanha.contato_reservado",
            "contato_campanha",
            contact.entry_id,
            {"campanha": contact.campaign_id, "entidade": contact.entity_id},
        )
        for i, contact in zip(order, contacts, strict=True)
    ]
    calls.open_batch(
        tx,
        [asks[i].user for i in order],
        [c.routine for c in contacts],
        [c.entity_id for c in contacts],
        [asks[i].group for i in order],
        calls.OUTBOUND,
        reservations,
    )
    for index, contact in zip(order, contacts, strict=True):
        answers[index] = contact
    return answers


@query(Action.ATTEND, "contato de campanha")
def current_contact(work: Work) -> Contact | None:
    """The campaign entry of the user's running call, if the call is one (from "Próximo
    contato" or from a campaign callback opened on the agenda)."""
    row = work.tx.one(
        _CONTACT_SQL + " JOIN open_calls oc ON oc.user_id = e.reserved_by"
        " JOIN calls k ON k.id = oc.call_id AND k.entity_id = e.entity_id"
        " WHERE e.reserved_by = ? AND e.status IN ('reservado', 'agendado')"
        " ORDER BY e.status DESC LIMIT 1",
        [work.user.id],
    )
    return _contact(row) if row else None


@command(Action.ATTEND, "resultado do contato")
def record_disposition(
    work: Work,
    entry_id: int,
    code: str,
    callback_at: datetime | None = None,
    do_not_call: bool = False,
) -> str:
    """End the attempt with its disposition (and the call with it): concluded, called again
    after the campaign's interval (until its attempts run out), or a callback on the
    operator's agenda. `do_not_call` marks the person never to be called by a campaign."""
    tx, user = work.tx, work.user
    entry = tx.one(
        "SELECT e.id, e.entity_id, e.status, e.attempts, e.reserved_by, c.id AS campaign_id,"
        " c.name, c.routine, c.max_attempts, c.retry_minutes, c.ends_on"
        " FROM call_list_entries e JOIN campaigns c ON c.id = e.campaign_id WHERE e.id = ?",
        [entry_id],
    )
    if entry is None:
        raise NotFound("Contato de campanha não encontrado.")
    if entry["reserved_by"] != user.id or entry["status"] not in ("reservado", "agendado"):
        raise Conflict("Este contato não está mais reservado para você: outra pessoa o atendeu.")
    chosen = {d.code: d for d in _dispositions(tx)}.get(code)
    if chosen is None:
        raise Invalid("Escolha o resultado do contato.")
    attempts = int(entry["attempts"]) + 1
    next_at, reserved_by = tx.now, None
    if chosen.outcome == "agendar":
        last_day = datetime.combine(
            entry["ends_on"] + timedelta(days=1), datetime.min.time(), tzinfo=LOCAL_TZ
        )
        if callback_at is None or callback_at <= tx.now:
            raise Invalid("Informe quando retornar: uma data e hora futuras.")
        if callback_at >= last_day:
            raise Invalid("O retorno cai depois do fim da campanha.")
        status, next_at, reserved_by = "agendado", callback_at, user.id
    elif chosen.outcome == "tentar_de_novo" and attempts < entry["max_attempts"]:
        status, next_at = "pendente", tx.now + timedelta(minutes=entry["retry_minutes"])
    elif chosen.outcome == "tentar_de_novo":
        status = "esgotado"
    else:
        status = "concluido"
    tx.execute(
        "UPDATE call_list_entries SET status = ?, attempts = ?, next_at = ?, reserved_by = ?,"
        " reserved_until = NULL, last_disposition = ? WHERE id = ?",
        [status, attempts, next_at, reserved_by, code, entry_id],
    )
    call_id = tx.scalar("SELECT call_id FROM open_calls WHERE user_id = ?", [user.id])
    tx.execute(
        "INSERT INTO contact_attempts (entry_id, campaign_id, entity_id, user_id, call_id,"
        " disposition, callback_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            entry_id,
            entry["campaign_id"],
            entry["entity_id"],
            user.id,
            call_id,
            code,
            callback_at if status == "agendado" else None,
            tx.now,
        ],
    )
    routine = Routine(entry["routine"])
    if status == "agendado":
        agenda.schedule(
            tx,
            user.id,
            routine,
            AGENDA_SOURCE,
            entry_id,
            entry["entity_id"],
            callback_at or tx.now,
            f"Campanha {entry['name']}",
        )
    else:
        agenda.settle(tx, AGENDA_SOURCE, entry_id)
    if do_not_call:
        tx.execute(
            "UPDATE entities SET do_not_call = TRUE, version = version + 1 WHERE id = ?",
            [entry["entity_id"]],
        )
    result = f"Campanha {entry['name']}: {chosen.label}"
    if call_id is not None:
        calls.close_in(tx, user, calls.NOTHING_SAVED, outcome=result)
    work.audit(
        "campanha.contato_registrado",
        subject_type="contato_campanha",
        subject_id=entry_id,
        detail={
            "campanha": entry["campaign_id"],
            "resultado": code,
            "situacao": status,
            "tentativas": attempts,
            "nao_ligar": do_not_call,
        },
    )
    return result


# --- the campaign report ---------------------------------------------------------------------

REPORT_LABELS = {
    "campaign": "Campanha",
    "routine": "Rotina",
    "entries": "Contatos na lista",
    "attempted": "Contatos tentados",
    "attempts": "Tentativas",
    "contacted": "Contatos atendidos",
    "successes": "Sucessos (venda/acordo)",
    "penetration_pct": "Penetração da lista (%)",
    "success_pct": "Taxa de sucesso (%)",
    "attempts_per_contact": "Tentativas por contato atendido",
}
REPORT_NOTE = (
    "Campanhas cujo período cruza o escolhido. Penetração: contatos tentados ÷ contatos na lista."
    " Taxa de sucesso: sucessos ÷ contatos atendidos. Tentativas e atendimentos do período."
)


def campaign_report(tx: Tx, start: datetime, end: datetime) -> pl.DataFrame:
    """Per campaign: the list's size, and in [start, end) the attempts, people tried,
    contacted and won, with the rates a supervisor reads."""
    return tx.frame(
        """
        SELECT c.name AS campaign,
            CASE c.routine WHEN 'telemarketing' THEN 'Telemarketing'
                WHEN 'televendas' THEN 'Televendas' ELSE 'Telecobrança' END AS routine,
            (SELECT count(*) FROM call_list_entries e WHERE e.campaign_id = c.id) AS entries,
            count(DISTINCT a.entry_id) AS attempted,
            count(a.id) AS attempts,
            count(DISTINCT a.entry_id) FILTER (WHERE d.contacted) AS contacted,
            count(DISTINCT a.entry_id) FILTER (WHERE d.success) AS successes
        FROM campaigns c
        LEFT JOIN contact_attempts a ON a.campaign_id = c.id
            AND a.created_at >= ? AND a.created_at < ?
        LEFT JOIN dispositions d ON d.code = a.disposition
        WHERE c.starts_on < ? AND c.ends_on >= ?
        GROUP BY c.id, c.name, c.routine
        ORDER BY c.name
        """,
        [start, end, end.astimezone(LOCAL_TZ).date(), start.astimezone(LOCAL_TZ).date()],
    ).with_columns(
        penetration_pct=_ratio("attempted", "entries", 100),
        success_pct=_ratio("successes", "contacted", 100),
        attempts_per_contact=_ratio("attempts", "contacted", 1),
    )


def _ratio(part: str, whole: str, scale: int) -> pl.Expr:
    return (
        pl.when(pl.col(whole) > 0)
        .then((pl.col(part) * scale / pl.col(whole)).round(1))
        .otherwise(None)
    )


# --- do not call -----------------------------------------------------------------------------


@query(Action.VIEW_ENTITIES, "não ligar")
def is_do_not_call(work: Work, entity_id: int) -> bool:
    flag = work.tx.scalar("SELECT do_not_call FROM entities WHERE id = ?", [entity_id])
    if flag is None:
        raise NotFound("Entidade não encontrada.")
    return bool(flag)


@command(Action.EDIT_ENTITIES, "não ligar")
def set_do_not_call(work: Work, entity_id: int, flag: bool) -> None:
    """The person asked (or no longer asks) not to be called by campaigns."""
    changed = work.tx.scalar(
        "UPDATE entities SET do_not_call = ?, version = version + 1 WHERE id = ?"
        " AND do_not_call IS DISTINCT FROM ? RETURNING id",
        [flag, entity_id, flag],
    )
    if (
        changed is None
        and work.tx.scalar("SELECT id FROM entities WHERE id = ?", [entity_id]) is None
    ):
        raise NotFound("Entidade não encontrada.")
    if changed is not None:
        work.audit(
            "entidade.nao_ligar",
            subject_type="entidade",
            subject_id=entity_id,
            detail={"nao_ligar": flag},
        )
