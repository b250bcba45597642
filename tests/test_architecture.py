"""The layout rules of DESIGN.md, checked on the source itself."""

from __future__ import annotations

import ast
from pathlib import Path

from ui.registry import PAGES

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


ROUTINES = ("telemarketing", "televendas", "telecobranca")
ROOMS = (*ROUTINES, "lgpd", "admin", "supervision", "campaigns")
SHELL = {"__init__", "session", "guard", "runtime", "registry", "sidebar", "chrome"}


def _modules(path: Path) -> set[str]:
    """Every module `path` imports, dotted in full (`from ui.kit import forms` -> ui.kit.forms)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _reaches(path: Path, layer: str, rooms: tuple[str, ...]) -> set[str]:
    return {
        room
        for room in rooms
        for module in _modules(path)
        if module == f"{layer}.{room}" or module.startswith(f"{layer}.{room}.")
    }


def test_no_routine_imports_another_routine() -> None:
    offenders = [
        f"{path.relative_to(ROOT)} -> {sorted(others)}"
        for layer in ("ui", "core")
        for routine in ROUTINES
        for path in (ROOT / layer / routine).rglob("*.py")
        if (others := _reaches(path, layer, ROUTINES) - {routine})
    ]
    assert offenders == []


def test_the_kit_and_the_shell_import_no_room() -> None:
    shared = [*(ROOT / "ui" / "kit").rglob("*.py"), *(ROOT / "ui").glob("*.py")]
    offenders = [
        f"{path.relative_to(ROOT)} -> {sorted(rooms)}"
        for path in shared
        if (rooms := _reaches(path, "ui", ROOMS))
    ]
    assert offenders == []


def test_ui_top_level_holds_only_the_shell() -> None:
    assert {path.stem for path in (ROOT / "ui").glob("*.py")} == SHELL


def test_core_never_imports_streamlit_or_ui() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "core").rglob("*.py")
        if {"streamlit", "ui", "pages"} & _imports(path)
    ]
    assert offenders == []


def test_ui_never_imports_pages() -> None:
    offenders = [p.name for p in (ROOT / "ui").rglob("*.py") if "pages" in _imports(p)]
    assert offenders == []


def test_every_page_file_is_registered_once() -> None:
    files = sorted(f"pages/{path.name}" for path in (ROOT / "pages").glob("*.py"))
    registered = sorted(spec.path for spec in PAGES)
    assert files == registered


def test_every_page_guards_itself_before_anything_else() -> None:
    """The first statement after the imports must be `user, db = enter_page(__file__)`:
    Streamlit may run a pages/ file without app.py, so the guard cannot live only there."""
    for spec in PAGES:
        tree = ast.parse((ROOT / spec.path).read_text(encoding="utf-8"))
        body = [
            node
            for node in tree.body
            if not isinstance(node, ast.Import | ast.ImportFrom)
            and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
        ]
        first = body[0]
        assert isinstance(first, ast.Assign), spec.path
        call = first.value
        assert isinstance(call, ast.Call), spec.path
        assert ast.unparse(call.func) == "enter_page" and ast.unparse(call.args[0]) == "__file__"


def test_pages_hold_no_sql() -> None:
    for path in (ROOT / "pages").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert ".execute(" not in source and ".sql(" not in source, path.name
        assert "duckdb" not in _imports(path), path.name


def test_every_download_button_ignores_the_click_rerun() -> None:
    """A click that also reruns the page re-registers a deferred download under a new id, and
    the old id the browser asked for can be dropped before it runs: the file never comes."""
    sources = [*(ROOT / "pages").glob("*.py"), *(ROOT / "ui").rglob("*.py")]
    buttons = [
        (path.name, node)
        for path in sources
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "download_button"
    ]
    assert len(buttons) >= 5
    for name, call in buttons:
        on_click = [kw.value for kw in call.keywords if kw.arg == "on_click"]
        assert on_click and ast.literal_eval(on_click[0]) == "ignore", (name, call.lineno)


def test_no_secret_literal_for_the_cookie_key() -> None:
    """The cookie signing key comes from the environment or a generated, git-ignored file."""
    for path in list((ROOT / "core").rglob("*.py")) + list((ROOT / "ui").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "cookie_key":
                assert not isinstance(node.value, ast.Constant) or node.value.value == "", path
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8")
    assert ".streamlit/secrets.toml" in ignored
    assert "data/*.duckdb" in ignored


def test_entities_are_never_deleted_and_every_update_bumps_the_version() -> None:
    """core/entity_names.py trusts (count, max id, sum of versions) to tell when its copy of
    the entity list is behind: a delete, or an UPDATE leaving the version alone, would hide a
    change from it (and from the forms' stale-record check)."""
    statements = [
        " ".join(text.split())
        for path in list((ROOT / "core").rglob("*.py")) + list((ROOT / "bench").rglob("*.py"))
        for text in _string_literals(path)
    ]
    updates = [sql for sql in statements if sql.upper().startswith("UPDATE ENTITIES ")]
    assert len(updates) >= 3  # the edit form, the customer conversion, the anonymisation
    assert [sql for sql in updates if "version = version + 1" not in sql] == []
    assert [sql for sql in statements if sql.upper().startswith("DELETE FROM ENTITIES")] == []


def _string_literals(path: Path) -> list[str]:
    """Every string literal's text; an f-string's placeholders become {}."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    fstrings = [node for node in ast.walk(tree) if isinstance(node, ast.JoinedStr)]
    inside = {id(part) for node in fstrings for part in node.values}
    texts = [
        "".join(str(p.value) if isinstance(p, ast.Constant) else "{}" for p in node.values)
        for node in fstrings
    ]
    return texts + [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in inside
    ]


# Services still written out by hand, each for a reason; the list only shrinks (a test below
# fails when a name here is converted or gone).
NOT_YET_ON_THE_SERVICE_PATH = {
    # checks the chain in its own reads, with progress
    "core/audit_reports.py": {"verify_integrity"},
    # act on the caller's own session: no action to grant
    "core/auth.py": {"logout", "renew_station"},
    # run_report reuses collector_balance, a service; export_report audits after it
    "core/reports.py": {"run_report", "export_report"},
    # reads and checks a large file before its one transaction, with progress
    "core/telecobranca/importer.py": {"import_receivables"},
    # gated by a shared helper: inside an attendance or, for finance, outside one
    "core/telecobranca/outcomes.py": {
        "record_payment", "send_to_protest", "write_off", "grant_rebate",
    },
    # concurrent callers are served together by the desk (core/combining.py)
    "core/telecobranca/taking.py": {"next_debtor"},
    "core/campaigns.py": {"next_contact"},
    # reads the products' codes for its messages in a read before the write
    "core/televendas/catalogue.py": {"set_prices"},
    # bcrypt runs between the gate and the transaction, on purpose
    "core/users.py": {"create_user", "reset_password"},
}  # fmt: skip
# The gate itself and the written-out path.
THE_PATH = {("core/access.py", "require"), ("core/service.py", "perform")}


def _bypassing_services() -> set[tuple[str, str]]:
    """Public core functions whose signature starts (db: Database, user: User): callers hand
    them the acting user, so they are services, yet they are not built by @command/@query
    (which take `work: Work`) nor written through `perform`."""
    found = set()
    for path in (ROOT / "core").rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            first_two = [
                ast.unparse(arg.annotation) if arg.annotation else "" for arg in node.args.args[:2]
            ]
            if len(first_two) == 2 and first_two[0] == "Database" and "User" in first_two[1]:
                calls_perform = any(
                    isinstance(call, ast.Call) and ast.unparse(call.func) == "perform"
                    for call in ast.walk(node)
                )
                if not calls_perform:
                    found.add((str(path.relative_to(ROOT)), node.name))
    return found


def test_every_core_service_goes_through_the_service_path() -> None:
    allowed = THE_PATH | {
        (path, name) for path, names in NOT_YET_ON_THE_SERVICE_PATH.items() for name in names
    }
    assert sorted(_bypassing_services() - allowed) == []


def test_the_list_of_services_not_yet_on_the_path_only_shrinks() -> None:
    listed = {(path, name) for path, names in NOT_YET_ON_THE_SERVICE_PATH.items() for name in names}
    assert sorted(listed - _bypassing_services()) == []


def test_services_on_the_path_are_marked_by_it() -> None:
    """The decorators leave their mark: a converted service really runs the gate."""
    from core import catalogues
    from core.telecobranca import maintenance as tlc_maintenance
    from core.telemarketing import maintenance as tmk_maintenance

    assert catalogues.create_entry.__dict__["service_path"] == "command"
    assert tmk_maintenance.list_attendances.__dict__["service_path"] == "query"
    assert tlc_maintenance.collector_balance.__dict__["service_path"] == "command"
