"""The page registry: every screen, its section and the action it needs.

Navigation is built from it for the current user, and every page's guard reads its action
from here, so a page and its permission cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from core.access import Action, User, allowed

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PageSpec:
    path: str  # relative to the project root
    title: str
    icon: str
    section: str
    action: Action

    @property
    def url_path(self) -> str:
        return Path(self.path).stem


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/inicio.py", "Início", ":material/home:", "", Action.HOME),
    PageSpec("pages/chamadas.py", "Chamadas", ":material/call:", "Atendimento", Action.ATTEND),
    PageSpec("pages/agenda.py", "Agenda", ":material/event:", "Atendimento", Action.ATTEND),
    PageSpec(
        "pages/atendimentos.py", "Atendimentos", ":material/list_alt:", "Atendimento",
        Action.ALL_ATTENDANCES,
    ),
    PageSpec(
        "pages/telemarketing.py", "Telemarketing", ":material/support_agent:", "Atendimento",
        Action.ATTEND_TELEMARKETING,
    ),
    PageSpec(
        "pages/televendas.py", "Televendas", ":material/shopping_cart:", "Atendimento",
        Action.ATTEND_TELEVENDAS,
    ),
    PageSpec(
        "pages/telecobranca.py", "Telecobrança", ":material/payments:", "Atendimento",
        Action.ATTEND_TELECOBRANCA,
    ),
    PageSpec(
        "pages/entidades.py", "Entidades", ":material/contacts:", "Cadastros",
        Action.VIEW_ENTITIES,
    ),
    PageSpec(
        "pages/titulos.py", "Títulos a receber", ":material/receipt_long:", "Cadastros",
        Action.VIEW_LEDGER,
    ),
    PageSpec(
        "pages/operadores.py", "Operadores", ":material/headset_mic:", "Cadastros",
        Action.MANAGE_OPERATORS,
    ),
    PageSpec(
        "pages/grupos.py", "Grupos de Atendimento", ":material/groups:", "Cadastros",
        Action.MANAGE_OPERATORS,
    ),
    PageSpec(
        "pages/pausas.py", "Motivos de pausa", ":material/free_breakfast:", "Cadastros",
        Action.MANAGE_OPERATORS,
    ),
    PageSpec(
        "pages/perfis.py", "Perfis e acessos", ":material/badge:", "Cadastros",
        Action.MANAGE_USERS,
    ),
    PageSpec(
        "pages/usuarios.py", "Usuários", ":material/manage_accounts:", "Cadastros",
        Action.MANAGE_USERS,
    ),
    PageSpec(
        "pages/cadastros.py", "Cadastros de atendimento", ":material/list_alt:", "Cadastros",
        Action.MANAGE_CATALOGUES,
    ),
    PageSpec(
        "pages/produtos.py", "Produtos e preços", ":material/inventory_2:", "Cadastros",
        Action.MANAGE_CATALOGUES,
    ),
    PageSpec(
        "pages/cobranca_regras.py", "Regras de cobrança", ":material/rule:", "Cadastros",
        Action.MANAGE_CATALOGUES,
    ),
    PageSpec(
        "pages/painel.py", "Painel ao vivo", ":material/monitoring:", "Supervisão",
        Action.SUPERVISE,
    ),
    PageSpec(
        "pages/campanhas.py", "Campanhas", ":material/campaign:", "Supervisão",
        Action.MANAGE_CAMPAIGNS,
    ),
    PageSpec(
        "pages/roteiros.py", "Roteiros", ":material/format_list_numbered:", "Supervisão",
        Action.MANAGE_CAMPAIGNS,
    ),
    PageSpec(
        "pages/relatorios.py", "Relatórios", ":material/analytics:", "Supervisão",
        Action.SUPERVISE,
    ),
    PageSpec(
        "pages/dicionario.py", "Dicionário de dados", ":material/shield_person:", "LGPD",
        Action.MANAGE_PRIVACY,
    ),
    PageSpec(
        "pages/auditoria.py", "Auditoria", ":material/history:", "LGPD", Action.VIEW_AUDIT,
    ),
    PageSpec(
        "pages/titulares.py", "Titulares", ":material/person_off:", "LGPD",
        Action.MANAGE_PRIVACY,
    ),
    PageSpec(
        "pages/parametros.py", "Parâmetros", ":material/tune:", "Sistema",
        Action.MANAGE_PARAMETERS,
    ),
    PageSpec(
        "pages/estacoes.py", "Estações", ":material/computer:", "Sistema",
        Action.MANAGE_STATIONS,
    ),
)  # fmt: skip


def spec_for(file: str) -> PageSpec:
    relative = Path(file).resolve().relative_to(ROOT).as_posix()
    for spec in PAGES:
        if spec.path == relative:
            return spec
    raise LookupError(f"{relative} is not in ui/registry.py PAGES")


def title_for(spec: PageSpec, user: User) -> str:
    # Seed: several routines open "Chamadas" (tabs per routine); a single one, "Incluir".
    if spec.action is Action.ATTEND and spec.url_path == "chamadas" and len(user.routines) == 1:
        return "Incluir"
    return spec.title


def navigation_for(user: User) -> dict[str, list[st.Page]]:
    """Sections -> pages this user may open, in the registry's order."""
    sections: dict[str, list[st.Page]] = {}
    for spec in PAGES:
        if allowed(user, spec.action):
            sections.setdefault(spec.section, []).append(
                st.Page(
                    str(ROOT / spec.path),
                    title=title_for(spec, user),
                    icon=spec.icon,
                    url_path=spec.url_path,
                    default=spec.action is Action.HOME,
                )
            )
    return sections
