"""LGPD on every screen: a user without access 192 and 193 never gets a CPF/CNPJ, a phone, an
e-mail or a sensitive note in clear — not in what a page renders (text, tables, metrics, form
values, chart data, dialogs: every element's protobuf is searched, so nothing is left out), not
in the row it opens when a list row is selected, and not in any file its download buttons
hand over (CSV or XLSX, produced by the core as that user).

The pages come from ui/registry.PAGES: a new page is checked as soon as it is registered, for
each of three users without 192/193 who may open it — an operator of all three routines, a
supervisor and an administrator. The forbidden values are every protected value stored in the
database (the demo's and a known data subject worked in all three routines).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from core import calls, entities
from core.access import RESTRICTED, Action, Routine, User, allowed
from core.telecobranca import taking
from core.telemarketing import service as tmk_service
from core.televendas import service as tlv_service
from core.validation import format_document, format_phone
from tests import factories
from tests.ui.conftest import UiHarness
from ui.kit.formats import LOCAL_TZ
from ui.registry import PAGES, PageSpec

SUBJECT = "Titular Protegido da Silva"
NOTE = "Titular em tratamento oncológico; sindicalizado (anotação sensível de teste)."
CONTACT_NOTE = "Contato gestante, afastada (anotação sensível de teste)."
# Pages that list the known data subject: the walk must have seen its (masked) row.
SHOWS_SUBJECT = {"chamadas", "agenda", "telemarketing", "televendas", "telecobranca", "entidades",
                 "titulos"}  # fmt: skip
PROBES = ("op_sem_acesso", "sup_sem_acesso", "adm_sem_acesso")


@dataclass
class Scene:
    probes: list[User]  # users without 192/193
    forbidden: dict[str, str]  # a value in clear -> what it is


Exports = dict[str, Callable[[], Any]]


@pytest.fixture
def exports(monkeypatch: pytest.MonkeyPatch) -> Iterator[Exports]:
    """Every file a download button rendered would hand over, by file name (deferred data is
    the core call the click runs, as the page's user)."""
    found: Exports = {}
    deferred, eager = MediaFileManager.add_deferred, MediaFileManager.add

    def spy_deferred(self: MediaFileManager, data: Any, *args: Any, **kwargs: Any) -> str:
        found[str(kwargs.get("file_name") or args[2])] = data
        return deferred(self, data, *args, **kwargs)

    def spy_eager(self: MediaFileManager, data: Any, *args: Any, **kwargs: Any) -> str:
        if kwargs.get("is_for_static_download") and isinstance(data, bytes | str):
            found[str(kwargs.get("file_name"))] = lambda: data
        return eager(self, data, *args, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy_deferred)
    monkeypatch.setattr(MediaFileManager, "add", spy_eager)
    yield found


def _work_the_subject(ui: UiHarness, operator: User, entity_id: int) -> None:
    """A planned Telemarketing attendance (on the agenda), a Televendas call with a next call,
    overdue titles and a collection attendance whose call stays open (Chamadas shows it)."""
    db = ui.db
    now = db.clock()
    occurrence = ui.scalar(
        "SELECT id FROM catalogue_items WHERE catalogue = 'ocorrencia'"
        " AND routine = 'telemarketing' AND active ORDER BY id LIMIT 1"
    )
    call = calls.start_call(db, operator, Routine.TELEMARKETING, entity_id)
    tmk_service.save_attendance(
        db, operator,
        tmk_service.AttendanceInput(
            entity_id, return_at=now + timedelta(days=2),
            items=[tmk_service.ItemInput(occurrence, notes="Pediu retorno.")],
        ),
        call_id=call.id,
    )  # fmt: skip
    calls.end_call(db, operator)
    call = calls.start_call(db, operator, Routine.TELEVENDAS, entity_id)
    tlv_service.save_order(
        db, operator,
        tlv_service.OrderInput(entity_id, operation="atendimento",
                              next_call_at=now + timedelta(days=3)),
        call_id=call.id,
    )  # fmt: skip
    calls.end_call(db, operator)
    today = now.astimezone(LOCAL_TZ).date()
    factories.make_title(db, entity_id, today - timedelta(days=45), "350.00")
    factories.make_title(db, entity_id, today - timedelta(days=10), "120.00")
    calls.start_call(db, operator, Routine.TELECOBRANCA, entity_id)
    taking.take_debtor(db, operator, entity_id)


def _forbidden(ui: UiHarness) -> dict[str, str]:
    """Every protected value stored, as typed and as the screens format it."""
    people = ui.db.read(
        lambda tx: tx.all(
            "SELECT 'entidade ' || id AS owner, document, phone, mobile, email, sensitive_note"
            " FROM entities UNION ALL"
            " SELECT 'contato ' || id, document, phone, mobile, email, sensitive_note"
            " FROM contacts UNION ALL"
            " SELECT 'usuário ' || username, NULL, NULL, NULL, email, NULL FROM users"
        )
    )
    values: dict[str, str] = {}
    for person in people:
        owner = person["owner"]
        if person["document"]:
            values[person["document"]] = f"CPF/CNPJ de {owner}"
            values[format_document(person["document"])] = f"CPF/CNPJ de {owner}"
        for column in ("phone", "mobile"):
            if person[column]:
                values[person[column]] = f"{column} de {owner}"
                values[format_phone(person[column])] = f"{column} de {owner}"
        if person["email"]:
            values[person["email"]] = f"e-mail de {owner}"
        if person["sensitive_note"]:
            values[person["sensitive_note"]] = f"anotação sensível de {owner}"
    return values


@pytest.fixture
def scene(ui: UiHarness) -> Scene:
    db, admin = ui.db, ui.user("admin")
    multi = int(ui.scalar("SELECT id FROM attendance_groups WHERE name = 'Multi'"))
    operator = factories.make_operator(db, PROBES[0], group_id=multi)  # all routines, no 192/193
    supervisor = factories.make_supervisor(
        db, PROBES[1], routines=tuple(Routine), personal=False, sensitive=False
    )
    restricted_admin = factories.make_admin(db, PROBES[2], personal=False, sensitive=False)
    subject = factories.make_entity(
        db, admin, name=SUBJECT, document=factories.valid_cpf(4242),
        phone="(11) 3322-1144", mobile="(11) 99876-5432",
        email="titular.protegido@exemplo.com.br", sensitive_note=NOTE,
        birth_date=date(1971, 3, 9),
    )  # fmt: skip
    entities.add_contact(
        db, admin, subject,
        factories.contact_input(name="Contato Protegido", email="contato.protegido@exemplo.com.br",
                                phone="(21) 2233-4455", sensitive_note=CONTACT_NOTE),
    )  # fmt: skip
    _work_the_subject(ui, operator, subject)
    forbidden = _forbidden(ui)
    assert "titular.protegido@exemplo.com.br" in forbidden and NOTE in forbidden
    return Scene([operator, supervisor, restricted_admin], forbidden)


# --- what was rendered ----------------------------------------------------------------------


def _rendered(at: AppTest) -> list[tuple[str, bytes]]:
    """Every element and container of the run, as its protobuf bytes (labels, values, help,
    options, markdown, Arrow table data, chart JSON…), plus the tables' cells as text."""
    found: list[tuple[str, bytes]] = []
    for node in at._tree:
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "SerializeToString"):
            found.append(
                (f"{node.type} {getattr(node, 'key', '') or ''}", proto.SerializeToString())
            )
    for table in at.dataframe:
        frame = table.value
        cells = [str(column) for column in frame.columns]
        cells += [str(value) for column in frame.columns for value in frame[column].tolist()]
        found.append((f"dataframe {table.key or ''} cells", "\n".join(cells).encode("utf-8")))
    return found


def _file_text(content: Any) -> bytes:
    """A download's bytes; an XLSX (zip) is opened so its compressed sheets are searched."""
    data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return b"\n".join(archive.read(name) for name in archive.namelist())
    return data


def _leaks(blobs: list[tuple[str, bytes]], forbidden: dict[str, str]) -> list[str]:
    return [
        f"{where}: {what} ({value!r})"
        for where, blob in blobs
        for value, what in forbidden.items()
        if value.encode("utf-8") in blob
    ]


# --- opening every page ---------------------------------------------------------------------


def _selectable_tables(at: AppTest) -> list[Any]:
    return [
        table for table in at.dataframe if table.key and getattr(table.proto, "selection_mode", [])
    ]


def _subject_row(table: Any) -> int:
    """The row showing the known data subject, else the first one."""
    frame = table.value
    for index, row in enumerate(frame.astype(str).itertuples(index=False)):
        if any(SUBJECT in str(cell) for cell in row):
            return index
    return 0


def _run(ui: UiHarness, path: str, user: User) -> AppTest:
    at = ui.page(path, user.username).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _pick(at: AppTest, table: Any) -> AppTest:
    """Select a row of a list as a click would: the known data subject's row, if listed."""
    at.session_state[table.key] = {
        "selection": {"rows": [_subject_row(table)], "columns": [], "cells": []}
    }
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _search_fields(at: AppTest) -> list[str]:
    return [field.key for field in at.text_input if field.key and field.label.startswith("Buscar")]


def _open(ui: UiHarness, spec: PageSpec, user: User) -> Iterator[AppTest]:
    """The page as first rendered; then once per list with a row picked (the known data
    subject's row when it is listed); then once per search field with the subject's name typed,
    and again with the subject picked in each list that search shows."""
    # Início's page links resolve only with app.py as the main script (see test_page_guards).
    path = "app.py" if spec.action is Action.HOME else spec.path
    first = _run(ui, path, user)
    restricted = [error.value for error in first.error] == [RESTRICTED]  # Titulares, by design
    assert first.title or restricted, f"{spec.path} rendered nothing for {user.username}"
    yield first
    for table in _selectable_tables(first):
        if not table.value.empty:
            yield _pick(_run(ui, path, user), table)
    for field in _search_fields(first):
        searched = _run(ui, path, user)
        searched.text_input(key=field).input(SUBJECT).run()
        assert not searched.exception, [e.value for e in searched.exception]
        yield searched
        for table in _selectable_tables(searched):
            if not table.value.empty:
                yield _pick(searched, table)


def _case(spec: PageSpec) -> Any:
    return pytest.param(spec, id=spec.url_path)


@pytest.mark.parametrize("spec", [_case(spec) for spec in PAGES])
def test_no_protected_value_reaches_a_user_without_192_and_193(
    ui: UiHarness, scene: Scene, exports: Exports, spec: PageSpec
) -> None:
    openers = [user for user in scene.probes if allowed(user, spec.action)]
    if not openers:
        pytest.skip(f"{spec.path} needs a grant none of the users without 192/193 holds")

    leaks: list[str] = []
    shown_subject = False
    for user in openers:
        exports.clear()
        for at in _open(ui, spec, user):
            rendered = _rendered(at)
            shown_subject |= any(SUBJECT.encode("utf-8") in blob for _, blob in rendered)
            leaks += [f"{user.username}: {leak}" for leak in _leaks(rendered, scene.forbidden)]
        for name, data in exports.items():
            blob = [(f"download {name}", _file_text(data() if callable(data) else data))]
            leaks += [f"{user.username}: {leak}" for leak in _leaks(blob, scene.forbidden)]

    assert leaks == []
    if spec.url_path in SHOWS_SUBJECT:  # the data really was on screen
        assert shown_subject, f"{spec.path} never showed {SUBJECT}"


def test_every_page_is_checked_by_some_user_without_192_and_193(scene: Scene) -> None:
    unchecked = [
        spec.path for spec in PAGES if not any(allowed(user, spec.action) for user in scene.probes)
    ]
    assert unchecked == []


def test_the_check_would_see_a_leak(ui: UiHarness, scene: Scene) -> None:
    """The same walk over a page shown to a user with 192 finds the values: the test is able
    to fail."""
    at = ui.page("pages/entidades.py", "ana").run()

    assert _leaks(_rendered(at), scene.forbidden)


def test_a_cpf_typed_as_an_export_filter_does_not_reach_the_audit_screen(
    ui: UiHarness, scene: Scene
) -> None:
    document = ui.scalar("SELECT document FROM entities WHERE name = ?", [SUBJECT])
    entities.export_entities(ui.db, ui.user("ana"), format_document(document))
    auditor = next(user for user in scene.probes if allowed(user, Action.VIEW_AUDIT))

    at = _run(ui, "pages/auditoria.py", auditor)

    assert _leaks(_rendered(at), scene.forbidden) == []
