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


def test_core_never_imports_streamlit_or_ui() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "core").rglob("*.py")
        if {"streamlit", "streamlit_authenticator", "ui", "pages"} & _imports(path)
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
    """The first statement after the imports must be `user = enter_page(__file__)`:
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
        assert isinstance(call, ast.Call) and ast.unparse(call) == "enter_page(__file__)", spec.path


def test_pages_hold_no_sql() -> None:
    for path in (ROOT / "pages").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert ".execute(" not in source and ".sql(" not in source, path.name
        assert "duckdb" not in _imports(path), path.name


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
