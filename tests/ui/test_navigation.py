"""app.py builds the navigation from the user's grants: a page the user may not open is not in
it at all (AppTest.switch_page refuses a page st.navigation did not register)."""

from __future__ import annotations

import pytest

from core import users
from core.access import Routine, allowed
from core.demo import DEMO_USERS
from core.users import ProfileInput
from tests import factories
from tests.ui.conftest import UiHarness, texts
from ui.registry import PAGES

DEMO = [demo.username for demo in DEMO_USERS]


@pytest.mark.parametrize("username", DEMO)
def test_navigation_offers_exactly_the_pages_the_user_may_open(
    ui: UiHarness, username: str
) -> None:
    user = ui.user(username)
    at = ui.page("app.py", username).run()
    assert not at.exception, [e.value for e in at.exception]

    offered, hidden = [], []
    for spec in PAGES:
        try:
            at.switch_page(spec.path)
        except ValueError:
            hidden.append(spec.path)
        else:
            offered.append(spec.path)

    assert offered == [spec.path for spec in PAGES if allowed(user, spec.action)]
    assert hidden == [spec.path for spec in PAGES if not allowed(user, spec.action)]


def test_operator_does_not_get_usuarios(ui: UiHarness) -> None:
    at = ui.page("app.py", "ana").run()

    with pytest.raises(ValueError):
        at.switch_page("pages/usuarios.py")


def test_admin_gets_usuarios_and_opens_it(ui: UiHarness) -> None:
    at = ui.page("app.py", "admin").run()
    # (AppTest drops what app.py drew before st.navigation once the page changes: check now.)
    assert "**Administrador do Sistema**" in [m.value for m in at.sidebar.markdown]

    at.switch_page("pages/usuarios.py").run()

    assert not at.exception
    assert [title.value for title in at.title] == ["Usuários"]


def test_admin_does_not_get_the_attendance_pages(ui: UiHarness) -> None:
    at = ui.page("app.py", "admin").run()

    for path in ("pages/chamadas.py", "pages/telemarketing.py", "pages/agenda.py"):
        with pytest.raises(ValueError):
            at.switch_page(path)


def test_single_routine_operator_sees_incluir_and_opens_it(ui: UiHarness) -> None:
    at = ui.page("app.py", "carla").run()

    at.switch_page("pages/chamadas.py").run()

    assert not at.exception, [e.value for e in at.exception]
    assert "Incluir" in texts(at)


def test_ledger_pages_sit_in_cadastros_with_titulos_right_after_entidades() -> None:
    cadastros = [spec.path for spec in PAGES if spec.section == "Cadastros"]

    assert cadastros[:2] == ["pages/entidades.py", "pages/titulos.py"]
    assert cadastros[-1] == "pages/cobranca_regras.py"


def test_collector_gets_titulos_but_not_the_collection_rules(ui: UiHarness) -> None:
    at = ui.page("app.py", "carla").run()

    with pytest.raises(ValueError):
        at.switch_page("pages/cobranca_regras.py")
    at.switch_page("pages/titulos.py").run()

    assert not at.exception, [e.value for e in at.exception]
    assert [title.value for title in at.title] == ["Títulos a receber"]


def test_admin_gets_the_collection_rules_but_not_the_telecobranca_list(ui: UiHarness) -> None:
    at = ui.page("app.py", "admin").run()

    with pytest.raises(ValueError):
        at.switch_page("pages/telecobranca.py")
    at.switch_page("pages/cobranca_regras.py").run()

    assert not at.exception, [e.value for e in at.exception]
    assert [title.value for title in at.title] == ["Regras de cobrança"]


def test_lgpd_section_sits_between_supervisao_and_sistema() -> None:
    sections = list(dict.fromkeys(spec.section for spec in PAGES))
    lgpd = [spec.path for spec in PAGES if spec.section == "LGPD"]

    assert sections[-3:] == ["Supervisão", "LGPD", "Sistema"]
    assert lgpd == ["pages/dicionario.py", "pages/auditoria.py", "pages/titulares.py"]


def test_admin_gets_the_three_lgpd_pages(ui: UiHarness) -> None:
    at = ui.page("app.py", "admin").run()

    for path, title in (
        ("pages/dicionario.py", "Dicionário de dados"),
        ("pages/auditoria.py", "Auditoria"),
        ("pages/titulares.py", "Titulares"),
    ):
        at.switch_page(path).run()
        assert not at.exception, [e.value for e in at.exception]
        assert [t.value for t in at.title] == [title]


def test_supervisor_given_the_audit_right_gets_auditoria_only(ui: UiHarness) -> None:
    admin = ui.user("admin")
    profile = users.create_profile(ui.db, admin, ProfileInput(name="Auditores", audit_access=True))
    factories.make_operator(
        ui.db, "auditora", role="supervisor", routines=(Routine.TELEMARKETING,),
        profile_ids=[profile],
    )  # fmt: skip
    at = ui.page("app.py", "auditora").run()

    for path in ("pages/dicionario.py", "pages/titulares.py"):
        with pytest.raises(ValueError):
            at.switch_page(path)
    at.switch_page("pages/auditoria.py").run()

    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Auditoria"]


def test_supervisor_without_the_audit_right_does_not_get_auditoria(ui: UiHarness) -> None:
    at = ui.page("app.py", "sofia").run()

    with pytest.raises(ValueError):
        at.switch_page("pages/auditoria.py")
