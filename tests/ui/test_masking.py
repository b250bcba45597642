"""LGPD on screen: what a user without access 192 (personal) or 193 (sensitive) is shown has
already been masked by the core; nothing unmasked reaches the rendered page."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from tests.ui.conftest import UiHarness, select_row, texts

CPF = re.compile(r"\d{3}\.\d{3}\.\d{3}-\d{2}")
CNPJ = re.compile(r"\d{2}\.\d{3}\.\d{3}/\d{4}-\d{2}")
PHONE = re.compile(r"\(\d{2}\) \d{4,5}-\d{4}")


def _table_cells(at: AppTest) -> list[str]:
    return [
        str(value)
        for table in at.dataframe
        for column in table.value.columns
        for value in table.value[column].tolist()
    ]


def _everything_shown(at: AppTest) -> list[str]:
    fields = [str(field.value) for field in [*at.text_input, *at.text_area]]
    return _table_cells(at) + texts(at) + fields


def _leaks(shown: list[str], *patterns: re.Pattern[str]) -> list[str]:
    return [text for text in shown if any(pattern.search(text) for pattern in patterns)]


def test_user_without_192_sees_no_cpf_cnpj_or_phone_in_the_entity_list(ui: UiHarness) -> None:
    at = ui.page("pages/entidades.py", "carla").run()

    assert not at.exception
    cells = _table_cells(at)
    assert len(cells) > 100  # the list really rendered
    assert _leaks(cells, CPF, CNPJ, PHONE) == []
    assert any(re.fullmatch(r"\*{3}\.\*{3}\.\*{3}-\d{2}", cell) for cell in cells)  # last two
    assert any("dados pessoais mascarados" in caption.value for caption in at.caption)


def test_user_with_192_sees_the_documents(ui: UiHarness) -> None:
    at = ui.page("pages/entidades.py", "ana").run()

    cells = _table_cells(at)
    assert any(CPF.fullmatch(cell) for cell in cells)
    assert any(PHONE.fullmatch(cell) for cell in cells)


def test_entity_card_and_form_stay_masked_without_192(ui: UiHarness) -> None:
    entity_id = ui.scalar(
        "SELECT id FROM entities WHERE person_type = 'F' AND document IS NOT NULL"
        " ORDER BY id LIMIT 1"
    )
    at = ui.page("pages/entidades.py", "carla").run()

    at = select_row(at, "entity_results", "id", entity_id)

    assert not at.exception
    assert at.container(key="entity_card")  # the card rendered
    assert _leaks(_everything_shown(at), CPF, CNPJ, PHONE) == []


def test_sensitive_note_needs_193(ui: UiHarness) -> None:
    entity_id, note = ui.db.read(
        lambda tx: tuple(
            tx.one(
                "SELECT id, sensitive_note FROM entities WHERE sensitive_note IS NOT NULL"
                " ORDER BY id LIMIT 1"
            ).values()
        )
    )

    without_193 = select_row(
        ui.page("pages/entidades.py", "ana").run(), "entity_results", "id", entity_id
    )
    with_193 = select_row(
        ui.page("pages/entidades.py", "sofia").run(), "entity_results", "id", entity_id
    )

    assert not any(note in text for text in _everything_shown(without_193))
    assert any(note in text for text in _everything_shown(with_193))
