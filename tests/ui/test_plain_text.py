"""Text people type is shown as text, never as Markdown or HTML: an entity name, a closing text,
a closing or cancellation reason, a user's, group's or catalogue entry's name written as
`![x](http://host/p.png)` or `<img src=x onerror=alert(1)>` must not make a supervisor's
browser fetch an image. Checked where such text is drawn: the wallboard's cards and alerts,
the Telemarketing and Televendas details, the entity detail and the sidebar.

Every element's Markdown (bodies, labels) and HTML is searched; the text must still be there,
escaped, so the check cannot pass by showing nothing.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from core import calls
from core.access import Routine, User
from core.telemarketing import service as tmk_service
from core.televendas import service as tlv_service
from tests import factories
from tests.ui.conftest import UiHarness
from ui.kit.formats import plain
from ui.supervision import wallboard

IMAGE = "![x](http://host/p.png)"
TAG = "<img src=x onerror=alert(1)>"
# An image in Markdown, or a raw tag in Markdown (a backslash before it makes it text).
MARKDOWN_LEAKS = re.compile(r"!\[x\]\(|(?<!\\)<img")


@pytest.fixture(autouse=True)
def empty_snapshot_cache() -> Iterator[None]:
    wallboard.SHARED.clear()
    yield
    wallboard.SHARED.clear()


def _markdown_and_html(at: AppTest) -> tuple[list[str], list[str]]:
    """Every Markdown text of the run (element bodies, labels, expander and tab labels,
    sidebar included) and every HTML block."""
    markdown: list[str] = []
    blocks: list[str] = []
    for node in at._tree:
        proto = getattr(node, "proto", None)
        if proto is None or not hasattr(proto, "ListFields"):
            continue
        if node.type == "html":
            blocks.append(proto.body)
            continue
        markdown += [str(value) for field, value in _text_fields(proto) if field in _MARKDOWN]
    return markdown, blocks


_MARKDOWN = {"body", "label", "help", "placeholder", "caption"}


def _text_fields(proto: Any) -> Iterator[tuple[str, str]]:
    """(field name, text) of a protobuf message and the messages inside it."""
    for descriptor, value in proto.ListFields():
        if isinstance(value, str):
            yield descriptor.name, value
        elif hasattr(value, "ListFields"):
            yield from _text_fields(value)
        elif not isinstance(value, bytes) and hasattr(value, "__iter__"):  # repeated field
            for item in value:
                if isinstance(item, str):
                    yield descriptor.name, item
                elif hasattr(item, "ListFields"):
                    yield from _text_fields(item)


def _check(at: AppTest, *shown: str) -> None:
    """No image or tag reaches Markdown or HTML, and each `shown` text is on screen escaped."""
    assert not at.exception, [e.value for e in at.exception]
    markdown, blocks = _markdown_and_html(at)
    assert [text for text in markdown if MARKDOWN_LEAKS.search(text)] == []
    assert [block for block in blocks if "<img" in block] == []  # HTML draws no Markdown
    for text in shown:
        visible = any(plain(text) in body for body in markdown) or any(
            html.escape(text) in block for block in blocks
        )
        assert visible, f"{text!r} is not shown"


class Scene:
    def __init__(self, ui: UiHarness) -> None:
        db, admin = ui.db, ui.user("admin")
        self.group = factories.make_group(db, f"{TAG} Grupo")
        self.operator = factories.make_operator(db, "op_markdown", group_id=self.group)
        db.write(
            lambda tx: tx.execute(
                "UPDATE users SET name = ? WHERE id = ?", [f"{IMAGE} Operador", self.operator.id]
            )
        )
        self.operator = factories.reload(db, self.operator)
        self.supervisor = factories.make_supervisor(db, "sup_markdown", routines=tuple(Routine))
        self.entity_name = f"{IMAGE} Cliente"
        self.other_name = f"{TAG} Cliente"
        self.entity = factories.make_entity(db, admin, name=self.entity_name)
        self.other = factories.make_entity(db, admin, name=self.other_name)
        # Catalogue entries an admin named: the closing reason and the cancellation reason.
        self.closing_reason = f"{TAG} Motivo"
        reason_id = ui.scalar(
            "SELECT id FROM catalogue_items WHERE catalogue = 'motivo_encerramento'"
            " AND active ORDER BY id LIMIT 1"
        )
        db.write(
            lambda tx: tx.execute(
                "UPDATE catalogue_items SET description = ? WHERE id = ?",
                [self.closing_reason, reason_id],
            )
        )
        occurrence = ui.scalar(
            "SELECT id FROM catalogue_items WHERE catalogue = 'ocorrencia'"
            " AND routine = 'telemarketing' AND active ORDER BY id LIMIT 1"
        )
        call = calls.start_call(db, self.operator, Routine.TELEMARKETING, self.entity)
        self.closing_text = f"{IMAGE} {TAG} texto de encerramento"
        self.attendance = tmk_service.save_attendance(
            db, self.operator,
            tmk_service.AttendanceInput(
                self.entity, items=[tmk_service.ItemInput(occurrence, notes=IMAGE)]
            ),
            outcome=tmk_service.Outcome.CLOSE, call_id=call.id,
            closing_reason_id=int(reason_id), closing_text=self.closing_text,
        )  # fmt: skip
        calls.end_call(db, self.operator)
        call = calls.start_call(db, self.operator, Routine.TELEVENDAS, self.other)
        order = tlv_service.save_order(
            db, self.operator, tlv_service.OrderInput(self.other, operation="atendimento"),
            call_id=call.id,
        )  # fmt: skip
        self.cancellation = f"{IMAGE} {TAG} desistiu"
        tlv_service.cancel_order(db, self.operator, order.id, order.version, self.cancellation)
        calls.end_call(db, self.operator)
        self.order_id = order.id


@pytest.fixture
def scene(ui: UiHarness) -> Scene:
    return Scene(ui)


def _pick_row(at: AppTest, text: str) -> AppTest:
    """Select, as a click would, the row of a selectable list that shows `text`."""
    for table in at.dataframe:
        if not table.key or not getattr(table.proto, "selection_mode", []):
            continue
        frame = table.value
        for index, row in enumerate(frame.astype(str).itertuples(index=False)):
            if any(text in str(cell) for cell in row):
                at.session_state[table.key] = {
                    "selection": {"rows": [index], "columns": [], "cells": []}
                }
                at.run()
                assert not at.exception, [e.value for e in at.exception]
                return at
    raise AssertionError(f"no list row shows {text!r}")


def test_the_telemarketing_detail_shows_typed_text_as_text(ui: UiHarness, scene: Scene) -> None:
    at = ui.page("pages/telemarketing.py", scene.supervisor.username).run()

    _pick_row(at, scene.entity_name)

    _check(at, scene.entity_name, scene.closing_text, scene.closing_reason)


def test_the_televendas_detail_shows_typed_text_as_text(ui: UiHarness, scene: Scene) -> None:
    at = ui.page("pages/televendas.py", scene.supervisor.username).run()

    _pick_row(at, scene.other_name)

    _check(at, scene.other_name, scene.cancellation)


def test_the_entity_detail_shows_the_name_as_text(ui: UiHarness, scene: Scene) -> None:
    at = ui.page("pages/entidades.py", "admin").run()
    at.text_input(key="entity_search_text").input("Cliente").run()

    _pick_row(at, scene.entity_name)

    _check(at, scene.entity_name)


def test_the_sidebar_shows_the_users_name_and_group_as_text(ui: UiHarness, scene: Scene) -> None:
    at = ui.page("app.py", scene.operator.username).run()

    _check(at, f"{IMAGE} Operador", f"{TAG} Grupo")
    assert any(plain(f"{IMAGE} Operador") in str(m.value) for m in at.sidebar.markdown)


def test_the_wallboard_cards_and_alerts_show_names_as_text(ui: UiHarness, scene: Scene) -> None:
    _late_call(ui, scene.operator, scene.entity)

    at = ui.page("pages/painel.py", scene.supervisor.username).run()

    _check(at, f"{IMAGE} Operador", scene.entity_name)
    alerts = [str(warning.value) for warning in at.warning]
    assert any(plain(f"{IMAGE} Operador") in alert for alert in alerts), alerts


def _late_call(ui: UiHarness, operator: User, entity_id: int) -> None:
    """The operator on a call with the entity that began an hour ago (over the ideal time)."""
    call = calls.start_call(ui.db, operator, Routine.TELEMARKETING, entity_id)
    started = ui.db.clock() - timedelta(hours=1)
    ui.db.write(
        lambda tx: tx.execute("UPDATE calls SET started_at = ? WHERE id = ?", [started, call.id])
    )


def _show_refusal() -> None:
    from core.errors import Invalid
    from ui.kit.feedback import show_error

    show_error(Invalid("O título ![x](http://host/p.png) <img src=x> não está em aberto."))


def test_an_error_quoting_typed_text_draws_no_image() -> None:
    at = AppTest.from_function(_show_refusal).run()

    _check(at)
    assert "O título" in at.error[0].value and "http://host/p.png" in at.error[0].value
