"""Who may do what: the acting user, the actions, and the one gate every core action calls."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from core import audit
from core.db import Database
from core.errors import Forbidden, Invalid

# What a user without access 192/193 is told where protected data would be.
RESTRICTED = "Dados protegidos – acesso restrito"


class Routine(StrEnum):
    TELEMARKETING = "telemarketing"
    TELEVENDAS = "televendas"
    TELECOBRANCA = "telecobranca"

    @property
    def label(self) -> str:
        return ROUTINE_LABELS[self]


ROUTINE_LABELS = {
    Routine.TELEMARKETING: "Telemarketing",
    Routine.TELEVENDAS: "Televendas",
    Routine.TELECOBRANCA: "Telecobrança",
}


@dataclass(frozen=True)
class OperatorInfo:
    """The operator record [SU7] linked to a login user."""

    id: int
    code: str
    role: str  # 'operador' | 'supervisor'
    routines: frozenset[Routine]
    main_group_id: int
    main_group_name: str
    groups: tuple[tuple[int, str], ...] = ()  # (id, name): main group first, then extras
    directions: tuple[tuple[int, str], ...] = ()  # (id, 'ativo' | 'receptivo' | 'ambos')

    def direction_of(self, group_id: int) -> str:
        return dict(self.directions).get(group_id, "ambos")

    @property
    def group_ids(self) -> tuple[int, ...]:
        return tuple(group_id for group_id, _ in self.groups)

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"


@dataclass(frozen=True)
class User:
    """The acting user, as loaded for one request."""

    id: int
    username: str
    name: str
    is_admin: bool = False
    personal_access: bool = False  # access 192: direct or through a profile
    sensitive_access: bool = False  # access 193: direct or through a profile
    audit_access: bool = False  # the audit screens, through a profile
    operator: OperatorInfo | None = None
    profile_names: tuple[str, ...] = field(default_factory=tuple)

    @property
    def routines(self) -> frozenset[Routine]:
        return self.operator.routines if self.operator else frozenset()

    @property
    def is_supervisor(self) -> bool:
        return bool(self.operator and self.operator.is_supervisor)


GROUP_DIRECTIONS = {
    "receptivo": "Receptivo: atende quem liga (busca do chamador)",
    "ativo": "Ativo: liga para os clientes (próximo devedor, agenda, listas)",
    "ambos": "Receptivo e ativo",
}


class Action(StrEnum):
    HOME = "home"
    VIEW_ENTITIES = "view_entities"
    EDIT_ENTITIES = "edit_entities"
    ATTEND = "attend"
    ATTEND_TELEMARKETING = "attend_telemarketing"
    ATTEND_TELEVENDAS = "attend_televendas"
    ATTEND_TELECOBRANCA = "attend_telecobranca"
    ALL_ATTENDANCES = "all_attendances"
    SUPERVISE = "supervise"
    MANAGE_USERS = "manage_users"
    MANAGE_OPERATORS = "manage_operators"
    MANAGE_PARAMETERS = "manage_parameters"
    MANAGE_STATIONS = "manage_stations"
    MANAGE_PRIVACY = "manage_privacy"
    MANAGE_CATALOGUES = "manage_catalogues"
    MANAGE_CAMPAIGNS = "manage_campaigns"
    REOPEN_ATTENDANCE = "reopen_attendance"
    VIEW_LEDGER = "view_ledger"
    MANAGE_LEDGER = "manage_ledger"
    VIEW_AUDIT = "view_audit"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS = {
    Action.HOME: "abrir a página inicial",
    Action.VIEW_ENTITIES: "consultar entidades",
    Action.EDIT_ENTITIES: "incluir ou alterar entidades",
    Action.ATTEND: "registrar atendimentos",
    Action.ATTEND_TELEMARKETING: "usar a rotina Telemarketing",
    Action.ATTEND_TELEVENDAS: "usar a rotina Televendas",
    Action.ATTEND_TELECOBRANCA: "usar a rotina Telecobrança",
    Action.ALL_ATTENDANCES: "consultar os atendimentos das três rotinas",
    Action.SUPERVISE: "acompanhar a supervisão",
    Action.MANAGE_USERS: "administrar usuários e perfis",
    Action.MANAGE_OPERATORS: "administrar operadores e grupos",
    Action.MANAGE_PARAMETERS: "alterar parâmetros",
    Action.MANAGE_STATIONS: "liberar estações",
    Action.MANAGE_PRIVACY: "administrar a LGPD",
    Action.MANAGE_CATALOGUES: "administrar os cadastros de atendimento",
    Action.MANAGE_CAMPAIGNS: "administrar campanhas e listas de contato",
    Action.REOPEN_ATTENDANCE: "reabrir atendimentos encerrados",
    Action.VIEW_LEDGER: "consultar os títulos a receber",
    Action.MANAGE_LEDGER: "importar títulos e registrar pagamentos fora de uma cobrança",
    Action.VIEW_AUDIT: "consultar a auditoria",
}


def _works_calls(user: User) -> bool:
    return bool(user.routines)


def _holds(routine: Routine) -> Callable[[User], bool]:
    return lambda user: routine in user.routines


# The whole policy in one table. Admin administers; it does not work calls.
_RULES: dict[Action, Callable[[User], bool]] = {
    Action.HOME: lambda user: True,
    Action.VIEW_ENTITIES: lambda user: user.is_admin or user.is_supervisor or _works_calls(user),
    Action.EDIT_ENTITIES: lambda user: user.is_admin or user.is_supervisor or _works_calls(user),
    Action.ATTEND: _works_calls,
    Action.ATTEND_TELEMARKETING: _holds(Routine.TELEMARKETING),
    Action.ATTEND_TELEVENDAS: _holds(Routine.TELEVENDAS),
    Action.ATTEND_TELECOBRANCA: _holds(Routine.TELECOBRANCA),
    # Seed: an operator with every routine sees, on one screen, the attendances of all three.
    Action.ALL_ATTENDANCES: lambda user: user.is_supervisor or set(Routine) <= user.routines,
    Action.SUPERVISE: lambda user: user.is_admin or user.is_supervisor,
    Action.MANAGE_USERS: lambda user: user.is_admin,
    Action.MANAGE_OPERATORS: lambda user: user.is_admin,
    Action.MANAGE_PARAMETERS: lambda user: user.is_admin,
    Action.MANAGE_STATIONS: lambda user: user.is_admin,
    Action.MANAGE_PRIVACY: lambda user: user.is_admin,
    Action.MANAGE_CATALOGUES: lambda user: user.is_admin,
    Action.MANAGE_CAMPAIGNS: lambda user: user.is_admin or user.is_supervisor,
    Action.REOPEN_ATTENDANCE: lambda user: user.is_supervisor,
    Action.VIEW_LEDGER: lambda user: (
        user.is_admin or user.is_supervisor or Routine.TELECOBRANCA in user.routines
    ),
    Action.MANAGE_LEDGER: lambda user: user.is_admin or user.is_supervisor,
    Action.VIEW_AUDIT: lambda user: user.is_admin or user.audit_access,
}


def sees_every_row(user: User | None) -> bool:
    """Supervisors and the admin see every operator's attendances and figures."""
    return user is not None and (user.is_admin or user.is_supervisor)


def sees_row(user: User, owner_id: int, group_id: int) -> bool:
    """An operator sees their own attendances and their groups'; see `sees_every_row`."""
    if sees_every_row(user):
        return True
    return owner_id == user.id or bool(user.operator and group_id in user.operator.group_ids)


def visible_rows_sql(user: User, alias: str) -> tuple[str, list[Any]]:
    """`sees_row` as a WHERE clause over `alias` (a code literal) and its parameters."""
    if sees_every_row(user):
        return "TRUE", []
    groups = list(user.operator.group_ids) if user.operator else []
    marks = ", ".join("?" for _ in groups) or "NULL"
    return f"({alias}.user_id = ? OR {alias}.group_id IN ({marks}))", [user.id, *groups]


def has_full_data_access(user: User) -> bool:
    """Access 192 and 193 together: every personal and sensitive field in clear."""
    return user.personal_access and user.sensitive_access


def active_group(user: User, group_id: int | None) -> int:
    """The group an operator acts in: the one asked for, or their main group; only theirs."""
    operator = user.operator
    assert operator is not None  # every routine action requires an operator
    group = group_id if group_id is not None else operator.main_group_id
    if group not in operator.group_ids:
        raise Invalid("Você não pertence a este grupo de atendimento.")
    return group


def allowed(user: User | None, action: Action) -> bool:
    return user is not None and _RULES[action](user)


def require(db: Database, user: User | None, action: Action, subject: str = "") -> User:
    """Let the action through, or audit the refusal and raise Forbidden."""
    if user is not None and allowed(user, action):
        return user
    db.write(
        lambda tx: audit.record(
            tx,
            user,
            "acesso.negado",
            subject_type="acao",
            subject_id=action.value,
            detail={"recurso": subject} if subject else None,
        )
    )
    raise Forbidden(f"Acesso negado: você não tem permissão para {action.label}.")
