"""The admin screens through their widgets: what the admin types reaches the core, and what
the core refuses is shown in pt-BR with nothing written."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from core import auth, parameters, users
from core.errors import STALE_RECORD
from core.users import ProfileInput, UserInput
from tests.ui.conftest import UiHarness, select_row, texts
from ui.admin.forms import PASSWORDS_DIFFER
from ui.runtime import settings

GOOD_PASSWORD = "Senha-forte-2026"


def _count(ui: UiHarness, table: str, where: str, params: list[object]) -> int:
    # Only whitelisted literal table names are passed in by these tests.
    return int(ui.scalar(f"SELECT count(*) FROM {table} WHERE {where}", params))


def _errors(at: AppTest) -> list[str]:
    return [error.value for error in at.error]


# --- Usuários -------------------------------------------------------------------------------


def _fill_new_user(at: AppTest, login: str, password: str, repeated: str | None = None) -> None:
    at.text_input(key="user_new_0_login").input(login)
    at.text_input(key="user_new_0_name").input("Joana Prado")
    at.text_input(key="user_new_0_email").input("joana@empresa.com.br")
    at.text_input(key="user_new_0_password").input(password)
    at.text_input(key="user_new_0_repeat").input(password if repeated is None else repeated)


def test_admin_creates_a_user_with_192_and_a_profile(ui: UiHarness) -> None:
    profile_id = ui.scalar("SELECT id FROM profiles ORDER BY id LIMIT 1")
    at = ui.page("pages/usuarios.py", "admin").run()

    _fill_new_user(at, "Joana", GOOD_PASSWORD)
    at.checkbox(key="user_new_0_192").check()
    at.multiselect(key="user_new_0_profiles").select(profile_id)
    at.button(key="user_new_0_submit").click().run()

    assert not at.exception and not _errors(at)
    created = ui.user("joana")  # the login is stored lower-case
    assert created.name == "Joana Prado" and created.personal_access
    assert not created.is_admin and not created.sensitive_access
    assert len(created.profile_names) == 1
    assert [toast.value for toast in at.toast] == ["Usuário joana incluído."]
    assert "joana" in at.dataframe(key="users_table").value["Login"].tolist()
    assert at.text_input(key="user_new_1_login").value == ""  # a blank form for the next one
    assert ui.audit_events("usuario.incluido", "admin") == 1
    assert auth.check_login(ui.db, settings(), "joana", GOOD_PASSWORD).ok


def test_short_password_shows_the_policy_and_writes_nothing(ui: UiHarness) -> None:
    at = ui.page("pages/usuarios.py", "admin").run()

    _fill_new_user(at, "joana", "curta")
    at.button(key="user_new_0_submit").click().run()

    assert _errors(at) == ["A senha deve ter pelo menos 10 caracteres."]
    assert _count(ui, "users", "username = ?", ["joana"]) == 0
    assert at.text_input(key="user_new_0_login").value == "joana"  # kept for a retry


def test_password_over_72_bytes_is_refused(ui: UiHarness) -> None:
    at = ui.page("pages/usuarios.py", "admin").run()

    _fill_new_user(at, "joana", "ç" * 37)  # 37 characters, 74 bytes
    at.button(key="user_new_0_submit").click().run()

    assert len(_errors(at)) == 1 and "no máximo 72 bytes" in _errors(at)[0]
    assert _count(ui, "users", "username = ?", ["joana"]) == 0


def test_mismatched_confirmation_writes_nothing(ui: UiHarness) -> None:
    at = ui.page("pages/usuarios.py", "admin").run()

    _fill_new_user(at, "joana", GOOD_PASSWORD, repeated=GOOD_PASSWORD + "x")
    at.button(key="user_new_0_submit").click().run()

    assert _errors(at) == [PASSWORDS_DIFFER]
    assert _count(ui, "users", "username = ?", ["joana"]) == 0


def test_duplicate_login_is_refused_in_portuguese(ui: UiHarness) -> None:
    at = ui.page("pages/usuarios.py", "admin").run()

    _fill_new_user(at, "ana", GOOD_PASSWORD)
    at.button(key="user_new_0_submit").click().run()

    assert _errors(at) == ["Já existe um usuário com este login."]


def test_admin_edits_a_selected_user(ui: UiHarness) -> None:
    ana = ui.user("ana")
    at = select_row(ui.page("pages/usuarios.py", "admin").run(), "users_table", "Login", "ana")
    form = f"user_edit_{ana.id}_1"
    assert at.text_input(key=f"{form}_login").disabled  # the login is fixed

    at.text_input(key=f"{form}_name").input("Ana Beatriz Lima Souza")
    at.checkbox(key=f"{form}_193").check()
    at.button(key=f"{form}_submit").click().run()

    assert not _errors(at)
    changed = ui.user("ana")
    assert changed.name == "Ana Beatriz Lima Souza" and changed.sensitive_access
    assert changed.profile_names == ana.profile_names  # untouched profiles are kept
    assert [toast.value for toast in at.toast] == ["Usuário alterado."]
    assert at.text_input(key=f"user_edit_{ana.id}_2_name").value == "Ana Beatriz Lima Souza"


def test_a_change_saved_meanwhile_by_someone_else_is_a_conflict(ui: UiHarness) -> None:
    ana, admin = ui.user("ana"), ui.user("admin")
    at = select_row(ui.page("pages/usuarios.py", "admin").run(), "users_table", "Login", "ana")
    form = f"user_edit_{ana.id}_1"
    at.text_input(key=f"{form}_name").input("Ana Editada Aqui")
    # Another admin saves the same user before this one submits.
    users.update_user(
        ui.db, admin, ana.id, 1, UserInput(username="ana", name="Ana Editada Lá", email=None)
    )

    at.button(key=f"{form}_submit").click().run()

    assert STALE_RECORD in [warning.value for warning in at.warning]
    assert ui.user("ana").name == "Ana Editada Lá"  # nothing overwritten
    at.button(key="user_editing_reload").click().run()
    assert at.text_input(key=f"user_edit_{ana.id}_2_name").value == "Ana Editada Lá"


def test_deactivation_asks_for_confirmation_first(ui: UiHarness) -> None:
    ana = ui.user("ana")
    at = select_row(ui.page("pages/usuarios.py", "admin").run(), "users_table", "Login", "ana")

    at.button(key=f"user_deactivate_ask_{ana.id}").click().run()
    assert any("Desativar **Ana Beatriz Lima** (ana)?" in text for text in texts(at))
    assert _count(ui, "users", "username = 'ana' AND active", []) == 1

    at.button(key="user_deactivate_cancel").click().run()
    assert _count(ui, "users", "username = 'ana' AND active", []) == 1
    assert "user_deactivate_confirm" not in [button.key for button in at.button]

    at.button(key=f"user_deactivate_ask_{ana.id}").click().run()
    at.button(key="user_deactivate_confirm").click().run()

    assert not _errors(at)
    assert _count(ui, "users", "username = 'ana' AND active", []) == 0
    assert [toast.value for toast in at.toast] == ["Usuário ana desativado."]
    assert ui.audit_events("usuario.desativado", "admin") == 1
    at.button(key=f"user_reactivate_{ana.id}").click().run()
    assert _count(ui, "users", "username = 'ana' AND active", []) == 1


def test_admin_cannot_deactivate_itself(ui: UiHarness) -> None:
    admin = ui.user("admin")
    at = select_row(ui.page("pages/usuarios.py", "admin").run(), "users_table", "Login", "admin")

    at.button(key=f"user_deactivate_ask_{admin.id}").click().run()
    at.button(key="user_deactivate_confirm").click().run()

    assert "Você não pode desativar o seu próprio usuário." in _errors(at)
    assert _count(ui, "users", "username = 'admin' AND active", []) == 1


def test_password_reset_through_the_form(ui: UiHarness) -> None:
    bruno = ui.user("bruno")
    at = select_row(ui.page("pages/usuarios.py", "admin").run(), "users_table", "Login", "bruno")
    form = f"user_password_{bruno.id}"

    at.text_input(key=f"{form}_password").input("Nova-senha-2026")
    at.text_input(key=f"{form}_repeat").input("Nova-senha-2026")
    at.button(key=f"{form}_submit").click().run()

    assert not _errors(at)
    assert auth.check_login(ui.db, settings(), "bruno", "Nova-senha-2026").ok
    assert ui.audit_events("usuario.senha_redefinida", "admin") == 1


# --- Perfis ---------------------------------------------------------------------------------


def test_admin_creates_and_edits_a_profile(ui: UiHarness) -> None:
    at = ui.page("pages/perfis.py", "admin").run()

    at.text_input(key="profile_new_0_name").input("Cobrança com dados sensíveis")
    at.checkbox(key="profile_new_0_193").check()
    at.button(key="profile_new_0_submit").click().run()

    assert not _errors(at)
    shown = at.dataframe(key="profiles_table").value
    assert "Cobrança com dados sensíveis" in shown["name"].tolist()
    profile_id = ui.scalar("SELECT id FROM profiles WHERE name = 'Cobrança com dados sensíveis'")

    at = select_row(at, "profiles_table", "name", "Cobrança com dados sensíveis")
    at.text_area(key=f"profile_edit_{profile_id}_1_description").input("Acesso 193.")
    at.button(key=f"profile_edit_{profile_id}_1_submit").click().run()

    assert not _errors(at)
    assert ui.scalar("SELECT description FROM profiles WHERE id = ?", [profile_id]) == "Acesso 193."


def test_profile_name_must_be_unique(ui: UiHarness) -> None:
    users.create_profile(ui.db, ui.user("admin"), ProfileInput(name="Supervisão"))
    at = ui.page("pages/perfis.py", "admin").run()

    at.text_input(key="profile_new_0_name").input("Supervisão")
    at.button(key="profile_new_0_submit").click().run()

    assert _errors(at) == ["Já existe um perfil com este nome."]


# --- Parâmetros -----------------------------------------------------------------------------


def test_admin_sets_mv_altped_to_s(ui: UiHarness) -> None:
    at = ui.page("pages/parametros.py", "admin").run()
    shown = at.dataframe(key="parameters_table_").value
    assert shown.loc[shown["Parâmetro"] == "MV_ALTPED", "Valor"].tolist() == ["N"]

    at = select_row(at, "parameters_table_", "Parâmetro", "MV_ALTPED")
    at.radio(key="parameter_edit_MV_ALTPED_1_value").set_value("S")
    at.button(key="parameter_edit_MV_ALTPED_1_submit").click().run()

    assert not _errors(at)
    assert parameters.is_yes(ui.db, "MV_ALTPED")
    assert ui.scalar("SELECT updated_by FROM parameters WHERE name = 'MV_ALTPED'") == "admin"
    assert [toast.value for toast in at.toast] == ["Parâmetro MV_ALTPED alterado."]
    shown = at.dataframe(key="parameters_table_").value
    assert shown.loc[shown["Parâmetro"] == "MV_ALTPED", "Valor"].tolist() == ["S"]


def test_parameter_search_finds_by_name_or_description(ui: UiHarness) -> None:
    at = ui.page("pages/parametros.py", "admin").run()

    at.text_input(key="parameter_search").input("faturados").run()
    assert at.dataframe[0].value["Parâmetro"].tolist() == ["MV_ALTPED"]

    at.text_input(key="parameter_search").input("MV_NAOEXISTE").run()
    assert len(at.dataframe) == 0
    assert "Nenhum parâmetro encontrado com essa busca." in texts(at)


# --- Grupos ---------------------------------------------------------------------------------


def _fill_new_group(at: AppTest, name: str, minutes: int, seconds: int) -> None:
    at.text_input(key="group_new_0_name").input(name)
    at.number_input(key="group_new_0_minutes").set_value(minutes)
    at.number_input(key="group_new_0_seconds").set_value(seconds)


def test_group_with_a_too_short_ideal_time_is_refused(ui: UiHarness) -> None:
    at = ui.page("pages/grupos.py", "admin").run()

    _fill_new_group(at, "Relâmpago", 0, 5)
    at.button(key="group_new_0_submit").click().run()

    assert _errors(at) == ["Corrija os campos: tempo ideal deve ficar entre 10 segundos e 4 horas."]
    assert _count(ui, "attendance_groups", "name = ?", ["Relâmpago"]) == 0


def test_admin_creates_a_subgroup_with_discount(ui: UiHarness) -> None:
    parent_id = ui.scalar("SELECT id FROM attendance_groups WHERE name = 'Cobrança'")
    at = ui.page("pages/grupos.py", "admin").run()

    _fill_new_group(at, "Cobrança Judicial", 5, 30)
    at.selectbox(key="group_new_0_direction").set_value("receptivo")
    at.text_input(key="group_new_0_discount").input("2,5")
    at.selectbox(key="group_new_0_parent").set_value(parent_id)
    at.button(key="group_new_0_submit").click().run()

    assert not _errors(at)
    shown = at.dataframe(key="groups_table").value.set_index("Nome").loc["Cobrança Judicial"]
    assert shown["Tempo ideal"] == "05:30"
    assert shown["Desconto máx."] == "2,50%"
    assert shown["Direção"] == "Receptivo"
    assert shown["Grupo superior"] == "Cobrança"


def test_main_group_of_active_operators_cannot_be_deactivated(ui: UiHarness) -> None:
    group_id = ui.scalar("SELECT id FROM attendance_groups WHERE name = 'SAC Receptivo'")
    at = ui.page("pages/grupos.py", "admin").run()
    at = select_row(at, "groups_table", "Nome", "SAC Receptivo")

    at.checkbox(key=f"group_edit_{group_id}_1_active").uncheck()
    at.button(key=f"group_edit_{group_id}_1_submit").click().run()

    assert len(_errors(at)) == 1 and "principal de 1 operador(es) ativo(s)" in _errors(at)[0]


# --- Operadores -----------------------------------------------------------------------------


def test_admin_links_a_user_as_an_operator(ui: UiHarness) -> None:
    at = ui.page("pages/operadores.py", "admin").run()
    new_user = ui.user("semacesso")
    group_id = ui.scalar("SELECT id FROM attendance_groups WHERE name = 'Cobrança'")
    extra_id = ui.scalar("SELECT id FROM attendance_groups WHERE name = 'Multi'")
    form = "operator_new_0"
    # Users already linked to an operator are not offered.
    assert set(at.selectbox(key=f"{form}_user").options) == {
        "admin – Administrador do Sistema",
        "semacesso – Pessoa Sem Acesso",
    }

    at.text_input(key=f"{form}_code").input("op900")
    at.selectbox(key=f"{form}_user").set_value(new_user.id)
    at.selectbox(key=f"{form}_main").set_value(group_id)
    at.multiselect(key=f"{form}_extra").select(extra_id)
    at.checkbox(key=f"{form}_telecobranca").check()
    at.checkbox(key=f"{form}_televendas").check()
    at.button(key=f"{form}_submit").click().run()

    assert not _errors(at)
    linked = ui.user("semacesso")
    assert linked.operator is not None and linked.operator.code == "OP900"
    assert linked.operator.group_ids == (group_id, extra_id)
    shown = at.dataframe(key="operators_table").value.set_index("Código").loc["OP900"]
    assert shown["Rotinas"] == "Televendas, Telecobrança"
    assert shown["Grupos adicionais"] == "Multi"


def test_operator_without_routine_is_refused(ui: UiHarness) -> None:
    at = ui.page("pages/operadores.py", "admin").run()

    at.text_input(key="operator_new_0_code").input("OP901")
    at.button(key="operator_new_0_submit").click().run()

    assert _errors(at) == ["Corrija os campos: um operador precisa de ao menos uma rotina."]
    assert _count(ui, "operators", "code = ?", ["OP901"]) == 0


# --- Estações -------------------------------------------------------------------------------


def test_no_station_shows_the_empty_state(ui: UiHarness) -> None:
    at = ui.page("pages/estacoes.py", "admin").run()

    assert "Nenhuma estação conectada." in texts(at)
    assert len(at.dataframe) == 0


def test_admin_releases_a_station_after_confirming(ui: UiHarness) -> None:
    carla = ui.user("carla")
    auth.claim_station(ui.db, settings(), carla, "estacao-da-carla")
    at = ui.page("pages/estacoes.py", "admin").run()
    assert at.dataframe(key="stations_table").value["Situação"].tolist() == ["Conectada"]

    at = select_row(at, "stations_table", "Usuário", "carla")
    at.button(key=f"station_release_ask_{carla.id}").click().run()
    assert _count(ui, "station_leases", "user_id = ?", [carla.id]) == 1
    at.button(key="station_release_confirm").click().run()

    assert _count(ui, "station_leases", "user_id = ?", [carla.id]) == 0
    assert [toast.value for toast in at.toast] == ["Estação de carla liberada."]
    assert "Nenhuma estação conectada." in texts(at)
    assert ui.audit_events("estacao.liberada", "admin") == 1
