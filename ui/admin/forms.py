"""The admin screens' forms (users, profiles, groups, operators) and the pieces they share:
the selected row, success toasts that survive a rerun, forms that start blank again after a
save, the password pair and confirmation dialogs."""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.access import RESTRICTED, Routine
from core.auth import MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS
from core.operators import DIRECTIONS, ROLES, GroupInput, OperatorInput
from core.privacy import MASK
from core.users import ProfileInput, UserInput
from ui.kit.forms import CHOOSE, percent_input

PASSWORD_HELP = (
    f"Mínimo de {MIN_PASSWORD_CHARS} caracteres e máximo de {MAX_PASSWORD_BYTES} bytes "
    "(letras acentuadas ocupam 2 bytes)."
)


def password_pair(key: str, label: str = "Senha") -> tuple[str, str]:
    """The password and its confirmation (inside a form)."""
    left, right = st.columns(2)
    password = left.text_input(label, type="password", key=f"{key}_password", help=PASSWORD_HELP)
    repeated = right.text_input("Confirmação da senha", type="password", key=f"{key}_repeat")
    return password, repeated


PASSWORDS_DIFFER = "A confirmação não confere com a senha digitada."


# --- forms ----------------------------------------------------------------------------------


def user_form(
    key: str, profiles: dict[int, str], row: dict[str, Any] | None = None
) -> tuple[UserInput, str, str] | None:
    """Include (no row: login and password asked) or alter a user; None until submitted.
    Returns the data, the password and its confirmation (both empty when altering)."""
    row = row or {}
    with st.form(key):
        left, right = st.columns([1, 2])
        login = left.text_input(
            "Login",
            value=row.get("username", ""),
            key=f"{key}_login",
            disabled=bool(row),
            help="Letras minúsculas, números, . _ -",
        )
        name = right.text_input("Nome", value=row.get("name", ""), key=f"{key}_name")
        masked = row.get("email") == MASK
        email = st.text_input(
            "E-mail",
            value=row.get("email") or "",
            key=f"{key}_email",
            disabled=masked,
            help=RESTRICTED if masked else None,
        )
        a, b, c = st.columns(3)
        is_admin = a.checkbox("Administrador", value=row.get("is_admin", False), key=f"{key}_adm")
        personal = b.checkbox(
            "Acesso 192 (dados pessoais)", value=row.get("personal_access", False), key=f"{key}_192"
        )
        sensitive = c.checkbox(
            "Acesso 193 (dados sensíveis)",
            value=row.get("sensitive_access", False),
            key=f"{key}_193",
        )
        chosen = st.multiselect(
            "Perfis",
            list(profiles),
            format_func=profiles.__getitem__,
            default=[p for p in row.get("profile_ids", []) if p in profiles],
            key=f"{key}_profiles",
            placeholder=CHOOSE,
            help="Os acessos 192/193 também podem vir de um perfil.",
        )
        password, repeated = ("", "") if row else password_pair(key)
        if not st.form_submit_button("Gravar", type="primary", key=f"{key}_submit"):
            return None
    data = UserInput(
        username=login,
        name=name,
        email=None if masked else email,
        is_admin=is_admin,
        personal_access=personal,
        sensitive_access=sensitive,
        profile_ids=tuple(chosen),
    )
    return data, password, repeated


def profile_form(key: str, row: dict[str, Any] | None = None) -> ProfileInput | None:
    """Include or alter a profile (perfil)."""
    row = row or {}
    with st.form(key):
        name = st.text_input("Nome do perfil", value=row.get("name", ""), key=f"{key}_name")
        description = st.text_area(
            "Descrição", value=row.get("description") or "", key=f"{key}_description", height=80
        )
        left, middle, right = st.columns(3)
        personal = left.checkbox(
            "Acesso 192 (dados pessoais)", value=row.get("personal_access", False), key=f"{key}_192"
        )
        sensitive = middle.checkbox(
            "Acesso 193 (dados sensíveis)",
            value=row.get("sensitive_access", False),
            key=f"{key}_193",
        )
        audit_access = right.checkbox(
            "Auditoria (consulta o log)",
            value=bool(row.get("audit_access", False)),
            key=f"{key}_audit",
            help="Abre a tela Auditoria: o log, a verificação de integridade e quem viu os "
            "dados de um titular.",
        )
        if not st.form_submit_button("Gravar", type="primary", key=f"{key}_submit"):
            return None
    return ProfileInput(
        name=name,
        description=description,
        personal_access=personal,
        sensitive_access=sensitive,
        audit_access=audit_access,
    )


def group_form(
    key: str, names: dict[int, str], row: dict[str, Any] | None = None
) -> GroupInput | None:
    """Include or alter an attendance group; `names` are the groups a parent may be."""
    row = row or {}
    group_id = row.get("id")
    with st.form(key):
        left, right = st.columns([2, 1])
        name = left.text_input("Nome do grupo", value=row.get("name", ""), key=f"{key}_name")
        direction = right.selectbox(
            "Direção",
            list(DIRECTIONS),
            format_func=DIRECTIONS.__getitem__,
            index=list(DIRECTIONS).index(row.get("direction", "ambos")),
            key=f"{key}_direction",
            placeholder=CHOOSE,
        )
        ideal = row.get("ideal_seconds", 300)
        a, b, c = st.columns(3)
        minutes = a.number_input(
            "Tempo ideal – minutos",
            min_value=0,
            max_value=240,
            value=ideal // 60,
            step=1,
            key=f"{key}_minutes",
            help="Acima deste tempo o cronômetro da ligação fica vermelho.",
        )
        seconds = b.number_input(
            "Tempo ideal – segundos",
            min_value=0,
            max_value=59,
            value=ideal % 60,
            step=1,
            key=f"{key}_seconds",
        )
        discount = percent_input(
            c, "Desconto máximo (%)", row.get("max_discount_pct", 0), f"{key}_discount"
        )
        wrapup = st.number_input(
            "Pós-atendimento máximo – segundos",
            min_value=0,
            max_value=3600,
            value=int(row.get("wrapup_seconds") or 60),
            step=10,
            key=f"{key}_wrapup",
            help="Depois de encerrar a ligação o operador fica em pós-atendimento; acima deste"
            " tempo o painel do supervisor alerta.",
        )
        parents = [None, *(gid for gid in names if gid != group_id)]
        parent = st.selectbox(
            "Grupo superior",
            parents,
            format_func=lambda gid: "— nenhum —" if gid is None else names[gid],
            index=parents.index(row.get("parent_id")) if row.get("parent_id") in parents else 0,
            key=f"{key}_parent",
            placeholder=CHOOSE,
        )
        works = st.multiselect(
            "Rotinas do grupo",
            list(Routine),
            default=sorted(routines_of(row)) if row else list(Routine),
            format_func=lambda routine: routine.label,
            key=f"{key}_routines",
            placeholder=CHOOSE,
            help="Uma ligação só começa neste grupo numa rotina que ele trabalha.",
        )
        active = st.checkbox("Ativo", value=row.get("active", True), key=f"{key}_active")
        if not st.form_submit_button("Gravar", type="primary", key=f"{key}_submit"):
            return None
    return GroupInput(
        routines=frozenset(works),
        name=name,
        direction=direction,
        ideal_seconds=int(minutes) * 60 + int(seconds),
        wrapup_seconds=int(wrapup),
        max_discount_pct=discount,  # read and checked by the core, pt-BR
        parent_id=parent,
        active=active,
    )


def routines_of(row: dict[str, Any]) -> frozenset[Routine]:
    return frozenset(routine for routine in Routine if row.get(routine.value))


def operator_form(
    key: str,
    user_names: dict[int, str],
    group_names: dict[int, str],
    taken: set[int],
    row: dict[str, Any] | None = None,
) -> OperatorInput | None:
    """Include or alter an operator. `user_names`/`group_names` are the active users and
    groups to choose from, `taken` the users already linked to an operator."""
    row = row or {}
    # Users that are not an operator yet (plus this operator's own user).
    users = {
        uid: label
        for uid, label in user_names.items()
        if uid not in taken or uid == row.get("user_id")
    }
    if row and row["user_id"] not in users:
        users[row["user_id"]] = f"{row['username']} – {row['name']} (inativo)"
    groups = dict(group_names)
    if row and row["main_group_id"] not in groups:
        groups[row["main_group_id"]] = f"{row['main_group']} (inativo)"
    if not users or not groups:
        st.info(
            "Para incluir um operador é preciso um usuário ativo que ainda não seja "
            "operador e ao menos um grupo de atendimento ativo."
        )
        return None
    with st.form(key):
        a, b, c = st.columns([1, 3, 2])
        code = a.text_input(
            "Código",
            value=row.get("code", ""),
            max_chars=10,
            key=f"{key}_code",
            help="2 a 10 letras maiúsculas ou números, ex.: OP010",
        )
        user_ids = list(users)
        user_id = b.selectbox(
            "Usuário",
            user_ids,
            format_func=users.__getitem__,
            index=user_ids.index(row["user_id"]) if row else 0,
            key=f"{key}_user",
            placeholder=CHOOSE,
        )
        role = c.radio(
            "Papel",
            list(ROLES),
            format_func=ROLES.__getitem__,
            horizontal=True,
            index=list(ROLES).index(row.get("role", "operador")),
            key=f"{key}_role",
        )
        group_ids = list(groups)
        main = st.selectbox(
            "Grupo principal",
            group_ids,
            format_func=groups.__getitem__,
            index=group_ids.index(row["main_group_id"]) if row else 0,
            key=f"{key}_main",
            placeholder=CHOOSE,
        )
        extra = st.multiselect(
            "Grupos adicionais",
            list(group_names),
            format_func=group_names.__getitem__,
            default=[g for g in row.get("extra_group_ids", []) if g in group_names],
            key=f"{key}_extra",
            placeholder=CHOOSE,
            help="Grupos para os quais o operador pode trocar na barra lateral.",
        )
        st.markdown("**Rotinas**")
        current = routines_of(row)
        columns = st.columns(len(Routine))
        chosen = frozenset(
            routine
            for routine, column in zip(Routine, columns, strict=True)
            if column.checkbox(
                routine.label, value=routine in current, key=f"{key}_{routine.value}"
            )
        )
        active = st.checkbox("Ativo", value=row.get("active", True), key=f"{key}_active")
        if not st.form_submit_button("Gravar", type="primary", key=f"{key}_submit"):
            return None
    return OperatorInput(
        code=code,
        user_id=user_id,
        main_group_id=main,
        routines=chosen,
        role=role,
        extra_group_ids=tuple(extra),
        active=active,
    )
