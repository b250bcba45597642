"""Attendance groups [SU0] and operators [SU7]: who works which routines, in which groups."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

import polars as pl

from core import audit
from core.access import ROUTINE_LABELS, Action, Routine
from core.db import Tx
from core.errors import Invalid, NotFound
from core.money import PERCENT, parse_into
from core.service import Work, command, query
from core.validation import Problems

DIRECTIONS = {"ativo": "Ativo", "receptivo": "Receptivo", "ambos": "Ativo e receptivo"}
ROLES = {"operador": "Operador", "supervisor": "Supervisor"}


# --- attendance groups ----------------------------------------------------------------------


@dataclass
class GroupInput:
    name: str
    direction: str = "ambos"
    ideal_seconds: int = 300
    max_discount_pct: Decimal | str | float = Decimal("0")
    parent_id: int | None = None
    active: bool = True
    routines: frozenset[Routine] = frozenset(Routine)
    wrapup_seconds: int = 60  # the longest pós-atendimento before the wallboard alerts


@query(Action.MANAGE_OPERATORS)
def list_groups(work: Work) -> pl.DataFrame:
    return work.tx.frame(
        """
        SELECT g.id, g.name, g.direction, g.ideal_seconds, g.wrapup_seconds, g.max_discount_pct,
            g.parent_id, parent.name AS parent_name, g.active, g.version,
            g.telemarketing, g.televendas, g.telecobranca
        FROM attendance_groups g
        LEFT JOIN attendance_groups parent ON parent.id = g.parent_id
        ORDER BY g.name
        """
    )


@query(Action.MANAGE_OPERATORS)
def group_choices(work: Work) -> dict[int, str]:
    """id -> name of the active groups, for select boxes."""
    rows = work.tx.all("SELECT id, name FROM attendance_groups WHERE active ORDER BY name")
    return {row["id"]: row["name"] for row in rows}


def _clean_group(tx: Tx, data: GroupInput, group_id: int | None) -> dict[str, object]:
    problems = Problems()
    name = " ".join(data.name.split())
    if len(name) < 3:
        problems.add("name", "informe o nome do grupo")
    elif tx.scalar(
        "SELECT id FROM attendance_groups WHERE lower(name) = lower(?) AND id <> ?",
        [name, group_id or -1],
    ):
        problems.add("name", "já existe um grupo com este nome")
    if data.direction not in DIRECTIONS:
        problems.add("direction", "direção deve ser ativo, receptivo ou ambos")
    try:
        ideal_seconds = int(data.ideal_seconds)
    except (TypeError, ValueError):
        ideal_seconds = -1
    if not 10 <= ideal_seconds <= 4 * 3600:
        problems.add("ideal_seconds", "tempo ideal deve ficar entre 10 segundos e 4 horas")
    try:
        wrapup_seconds = int(data.wrapup_seconds)
    except (TypeError, ValueError):
        wrapup_seconds = -1
    if not 0 <= wrapup_seconds <= 3600:
        problems.add("wrapup_seconds", "pós-atendimento máximo deve ficar entre 0 e 60 minutos")
    discount = parse_into(problems, "max_discount_pct", data.max_discount_pct,
                          "Desconto máximo (%)", **PERCENT)  # fmt: skip
    if discount is not None and not Decimal("0") <= discount <= Decimal("100"):
        problems.add("max_discount_pct", "desconto máximo deve ficar entre 0 e 100%")
    if data.parent_id is not None:
        if data.parent_id == group_id:
            problems.add("parent_id", "um grupo não pode ser o seu próprio superior")
        elif not tx.scalar("SELECT id FROM attendance_groups WHERE id = ?", [data.parent_id]):
            problems.add("parent_id", "grupo superior inexistente")
        elif group_id is not None and _is_descendant(tx, data.parent_id, group_id):
            problems.add("parent_id", "o grupo superior não pode ser um subgrupo deste")
    if not data.routines:
        problems.add("routines", "escolha ao menos uma rotina que o grupo trabalha")
    problems.raise_if_any()
    return {
        "name": name,
        "direction": data.direction,
        "ideal_seconds": ideal_seconds,
        "wrapup_seconds": wrapup_seconds,
        "max_discount_pct": discount,
        "parent_id": data.parent_id,
        "active": data.active,
        **{routine.value: routine in data.routines for routine in Routine},
    }


def _is_descendant(tx: Tx, candidate: int, ancestor: int) -> bool:
    """True when `candidate` sits below `ancestor` (which would make the hierarchy a cycle)."""
    seen: set[int] = set()
    current: int | None = candidate
    while current is not None and current not in seen:
        if current == ancestor:
            return True
        seen.add(current)
        current = tx.scalar("SELECT parent_id FROM attendance_groups WHERE id = ?", [current])
    return False


@command(Action.MANAGE_OPERATORS)
def create_group(work: Work, data: GroupInput) -> int:
    clean = _clean_group(work.tx, data, None)
    group_id = int(
        work.tx.scalar(
            """
            INSERT INTO attendance_groups (name, direction, ideal_seconds, wrapup_seconds,
                max_discount_pct, parent_id, active, telemarketing, televendas, telecobranca)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            RETURNING id
            """,
            list(clean.values()),
        )
    )
    work.audit("grupo.incluido", subject_type="grupo", subject_id=group_id, detail=clean)
    return group_id


@command(Action.MANAGE_OPERATORS)
def update_group(work: Work, group_id: int, version: int, data: GroupInput) -> None:
    before = work.tx.one("SELECT active FROM attendance_groups WHERE id = ?", [group_id])
    if before is None:
        raise NotFound("Grupo não encontrado.")
    clean = _clean_group(work.tx, data, group_id)
    if not clean["active"] and before["active"]:
        in_use = work.tx.scalar(
            "SELECT count(*) FROM operators WHERE main_group_id = ? AND active", [group_id]
        )
        if in_use:
            raise Invalid(
                f"O grupo é o principal de {in_use} operador(es) ativo(s); "
                "troque o grupo deles antes de desativá-lo."
            )
    work.update(
        "attendance_groups",
        group_id,
        version,
        clean,
        event="grupo.alterado",
        subject_type="grupo",
        missing="Grupo não encontrado.",
    )


# --- operators ------------------------------------------------------------------------------

_CODE = re.compile(r"^[A-Z0-9]{2,10}$")


@dataclass
class OperatorInput:
    code: str
    user_id: int
    main_group_id: int
    routines: frozenset[Routine] = frozenset()
    role: str = "operador"
    extra_group_ids: tuple[int, ...] = field(default_factory=tuple)
    active: bool = True


@query(Action.MANAGE_OPERATORS)
def list_operators(work: Work) -> pl.DataFrame:
    return work.tx.frame(
        """
        SELECT o.id, o.code, o.user_id, u.username, u.name, o.role, o.main_group_id,
            g.name AS main_group, o.telemarketing, o.televendas, o.telecobranca,
            coalesce(string_agg(xg.name, ', ' ORDER BY xg.name), '') AS extra_groups,
            coalesce(array_agg(og.group_id ORDER BY og.group_id)
                FILTER (WHERE og.group_id IS NOT NULL), ARRAY[]::BIGINT[]) AS extra_group_ids,
            o.active, o.version
        FROM operators o
        JOIN users u ON u.id = o.user_id
        JOIN attendance_groups g ON g.id = o.main_group_id
        LEFT JOIN operator_groups og ON og.operator_id = o.id
        LEFT JOIN attendance_groups xg ON xg.id = og.group_id
        GROUP BY o.id, o.code, o.user_id, u.username, u.name, o.role, o.main_group_id, g.name,
            o.telemarketing, o.televendas, o.telecobranca, o.active, o.version
        ORDER BY o.code
        """
    )


def routines_label(routines: frozenset[Routine]) -> str:
    if len(routines) == len(Routine):
        return "Todas"
    return ", ".join(ROUTINE_LABELS[r] for r in Routine if r in routines) or "Nenhuma"


def _clean_operator(tx: Tx, data: OperatorInput, operator_id: int | None) -> dict[str, object]:
    problems = Problems()
    code = data.code.strip().upper()
    if not _CODE.match(code):
        problems.add("code", "código deve ter de 2 a 10 letras maiúsculas ou números")
    elif tx.scalar(
        "SELECT id FROM operators WHERE code = ? AND id <> ?", [code, operator_id or -1]
    ):
        problems.add("code", "já existe um operador com este código")
    if not tx.scalar("SELECT id FROM users WHERE id = ? AND active", [data.user_id]):
        problems.add("user_id", "usuário inexistente ou inativo")
    elif tx.scalar(
        "SELECT id FROM operators WHERE user_id = ? AND id <> ?", [data.user_id, operator_id or -1]
    ):
        problems.add("user_id", "este usuário já é outro operador")
    if data.role not in ROLES:
        problems.add("role", "papel deve ser operador ou supervisor")
    groups = {row["id"] for row in tx.all("SELECT id FROM attendance_groups WHERE active")}
    if data.main_group_id not in groups:
        problems.add("main_group_id", "grupo principal inexistente ou inativo")
    if not set(data.extra_group_ids) <= groups:
        problems.add("extra_group_ids", "grupo adicional inexistente ou inativo")
    if not data.routines and data.role == "operador":
        problems.add("routines", "um operador precisa de ao menos uma rotina")
    problems.raise_if_any()
    return {
        "code": code,
        "user_id": data.user_id,
        "role": data.role,
        "main_group_id": data.main_group_id,
        "telemarketing": Routine.TELEMARKETING in data.routines,
        "televendas": Routine.TELEVENDAS in data.routines,
        "telecobranca": Routine.TELECOBRANCA in data.routines,
        "active": data.active,
    }


def _set_extra_groups(tx: Tx, operator_id: int, main_group_id: int, ids: tuple[int, ...]) -> None:
    tx.execute("DELETE FROM operator_groups WHERE operator_id = ?", [operator_id])
    for group_id in sorted(set(ids) - {main_group_id}):
        tx.execute(
            "INSERT INTO operator_groups (operator_id, group_id) VALUES (?, ?)",
            [operator_id, group_id],
        )


@command(Action.MANAGE_OPERATORS)
def create_operator(work: Work, data: OperatorInput) -> int:
    clean = _clean_operator(work.tx, data, None)
    operator_id = int(
        work.tx.scalar(
            f"INSERT INTO operators ({', '.join(clean)})"
            f" VALUES ({', '.join('?' for _ in clean)}) RETURNING id",
            list(clean.values()),
        )
    )
    _set_extra_groups(work.tx, operator_id, data.main_group_id, data.extra_group_ids)
    extra = sorted(set(data.extra_group_ids) - {data.main_group_id})  # as stored
    work.audit(
        "operador.incluido",
        subject_type="operador",
        subject_id=operator_id,
        detail={**clean, "grupos_adicionais": extra},
    )
    return operator_id


@command(Action.MANAGE_OPERATORS)
def update_operator(work: Work, operator_id: int, version: int, data: OperatorInput) -> None:
    before = work.tx.one("SELECT * FROM operators WHERE id = ?", [operator_id])
    if before is None:
        raise NotFound("Operador não encontrado.")
    clean = _clean_operator(work.tx, data, operator_id)
    work.update("operators", operator_id, version, clean, missing="Operador não encontrado.")
    old_extra = sorted(
        row["group_id"]
        for row in work.tx.all(
            "SELECT group_id FROM operator_groups WHERE operator_id = ?", [operator_id]
        )
    )
    _set_extra_groups(work.tx, operator_id, data.main_group_id, data.extra_group_ids)
    detail = audit.changes(before, clean)
    new_extra = sorted(set(data.extra_group_ids) - {data.main_group_id})
    if old_extra != new_extra:
        detail["grupos_adicionais"] = {"de": old_extra, "para": new_extra}
    work.audit("operador.alterado", subject_type="operador", subject_id=operator_id, detail=detail)


@query(Action.MANAGE_OPERATORS)
def user_choices(work: Work) -> dict[int, str]:
    """id -> 'login – name' of active users, for linking an operator."""
    rows = work.tx.all("SELECT id, username, name FROM users WHERE active ORDER BY username")
    return {row["id"]: f"{row['username']} – {row['name']}" for row in rows}
