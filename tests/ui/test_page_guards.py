"""Every page guards itself: opened directly (as Streamlit may serve a pages/ file without
app.py) it renders for a user holding its action, refuses and audits anyone else, and shows
only the login form to nobody."""

from __future__ import annotations

import pytest

from core.access import Action, User, allowed
from tests.ui.conftest import NO_GRANTS, UiHarness, texts
from ui.registry import PAGES, PageSpec, title_for

# Who tries each page: the first one allowed opens it, the first one refused is refused.
CANDIDATES = ("admin", "sofia", "ana", "bruno", "carla", "diego", NO_GRANTS)
GUARDED = [spec for spec in PAGES if spec.action is not Action.HOME]  # Início is for everyone


def _first(ui: UiHarness, spec: PageSpec, *, may_open: bool) -> User:
    for username in CANDIDATES:
        candidate = ui.user(username)
        if allowed(candidate, spec.action) is may_open:
            return candidate
    raise AssertionError(f"no candidate user {'for' if may_open else 'refused on'} {spec.path}")


@pytest.mark.parametrize("spec", PAGES, ids=[spec.url_path for spec in PAGES])
def test_page_renders_for_a_user_holding_its_action(ui: UiHarness, spec: PageSpec) -> None:
    user = _first(ui, spec, may_open=True)
    # Início's shortcuts are st.page_link to other pages/ files, which resolve against the main
    # script: AppTest can only render them with app.py as the main script (its default page).
    path = "app.py" if spec.action is Action.HOME else spec.path

    at = ui.page(path, user.username).run()

    assert not at.exception, [e.value for e in at.exception]
    assert at.title, f"{spec.path} rendered no title for {user.username}"
    if spec.action is not Action.HOME:  # Início greets the user by name instead
        assert at.title[0].value == title_for(spec, user)
    assert not [e.value for e in at.error if "Acesso negado" in e.value]


@pytest.mark.parametrize("spec", GUARDED, ids=[spec.url_path for spec in GUARDED])
def test_page_refuses_and_audits_a_user_without_its_action(ui: UiHarness, spec: PageSpec) -> None:
    user = _first(ui, spec, may_open=False)
    refusals_before = ui.audit_events("acesso.negado", user.username)

    at = ui.page(spec.path, user.username).run()

    assert not at.exception, [e.value for e in at.exception]
    assert any("Acesso negado" in error.value for error in at.error), texts(at)
    assert len(at.dataframe) == 0
    assert len(at.title) == 0
    assert len(at.form) == 0
    assert ui.audit_events("acesso.negado", user.username) == refusals_before + 1
    subject = ui.scalar(
        "SELECT subject_id FROM audit_log WHERE event = 'acesso.negado' AND username = ?"
        " ORDER BY id DESC LIMIT 1",
        [user.username],
    )
    assert subject == spec.action.value


def test_admin_is_refused_on_chamadas_because_it_needs_a_routine(ui: UiHarness) -> None:
    at = ui.page("pages/chamadas.py", "admin").run()

    assert any("Acesso negado" in error.value for error in at.error)
    assert ui.audit_events("acesso.negado", "admin") == 1


def test_operator_is_refused_on_usuarios(ui: UiHarness) -> None:
    at = ui.page("pages/usuarios.py", "ana").run()

    assert [error.value for error in at.error] == [
        "Acesso negado: você não tem permissão para administrar usuários e perfis."
    ]
    assert len(at.dataframe) == 0


def test_operator_without_telecobranca_is_refused_on_titulos(ui: UiHarness) -> None:
    at = ui.page("pages/titulos.py", "ana").run()

    assert [error.value for error in at.error] == [
        "Acesso negado: você não tem permissão para consultar os títulos a receber."
    ]
    assert len(at.dataframe) == 0 and len(at.get("file_uploader")) == 0


@pytest.mark.parametrize(
    "path", ["app.py", *(spec.path for spec in PAGES)], ids=["app", *(s.url_path for s in PAGES)]
)
def test_nobody_logged_in_gets_only_the_login_form(ui: UiHarness, path: str) -> None:
    at = ui.page(path).run()

    assert not at.exception, [e.value for e in at.exception]
    assert [field.label for field in at.text_input] == ["Usuário", "Senha"]
    assert [title.value for title in at.title] == ["☎️ Call Center"]
    assert len(at.dataframe) == 0
    assert not any("Acesso negado" in error.value for error in at.error)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("pages/dicionario.py", "Acesso negado: você não tem permissão para administrar a LGPD."),
        ("pages/auditoria.py", "Acesso negado: você não tem permissão para consultar a auditoria."),
        ("pages/titulares.py", "Acesso negado: você não tem permissão para administrar a LGPD."),
    ],
)
def test_operator_is_refused_on_the_lgpd_pages(ui: UiHarness, path: str, message: str) -> None:
    at = ui.page(path, "ana").run()

    assert [error.value for error in at.error] == [message]
    assert len(at.dataframe) == 0 and len(at.text_input) == 0
    assert ui.audit_events("acesso.negado", "ana") == 1
