"""PIX copia-e-cola: the BR Code against the Banco Central's published example, the key types
the admin may set, and the code given with a promise or a renegotiation (stored, audited)."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest

from core import calls, parameters, pix
from core.db import Database
from core.errors import Invalid
from core.telecobranca import outcomes as tlc_outcomes
from core.telecobranca.attendance import CollectionAttendance
from tests.unit.test_telecobranca import TODAY, Desk, _taken, make_desk

# "Manual de Padrões para Iniciação do Pix", BR Code example (static, no amount).
MANUAL_EXAMPLE = (
    "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-42665544000052040000530398658"
    "02BR5913Fulano de Tal6008BRASILIA62070503***63041D3D"
)
VALID_CPF = "52998224725"


@pytest.fixture
def desk(db: Database) -> Desk:
    return make_desk(db)


def _fields(payload: str) -> dict[str, str]:
    """The top-level EMV fields (tag -> value) of a payload."""
    fields, at = {}, 0
    while at < len(payload):
        tag, size = payload[at : at + 2], int(payload[at + 2 : at + 4])
        fields[tag] = payload[at + 4 : at + 4 + size]
        at += 4 + size
    return fields


def test_the_manuals_example_is_reproduced_byte_for_byte() -> None:
    receiver = pix.Merchant("123e4567-e12b-12d1-a456-426655440000", "Fulano de Tal", "BRASILIA")
    assert pix.brcode(receiver) == MANUAL_EXAMPLE


def test_the_crc_is_ccitt_false() -> None:
    assert pix.crc16(b"123456789") == 0x29B1  # the algorithm's published check value


def test_an_amount_name_and_city_are_laid_out_as_the_manual_says() -> None:
    receiver = pix.Merchant(
        VALID_CPF, "Cobrança São João Ltda. & Filhos S.A.", "São José dos Campos"
    )
    payload = pix.brcode(receiver, Decimal("1500.5"), "PROM42")
    fields = _fields(payload)
    assert fields["00"] == "01" and fields["52"] == "0000" and fields["53"] == "986"
    assert fields["54"] == "1500.50" and fields["58"] == "BR"
    assert _fields(fields["26"]) == {"00": "br.gov.bcb.pix", "01": VALID_CPF}
    assert fields["59"] == "Cobranca Sao Joao Ltda. F"[:25] and len(fields["59"]) <= 25
    assert fields["60"] == "Sao Jose dos Ca" and _fields(fields["62"]) == {"05": "PROM42"}
    assert payload[-4:] == f"{pix.crc16(payload[:-4].encode()):04X}"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("529.982.247-25", VALID_CPF),
        ("11.222.333/0001-81", "11222333000181"),
        ("Cobranca@Empresa.com.br", "cobranca@empresa.com.br"),
        ("+55 11 998765432", "+5511998765432"),
        ("123E4567-E12B-12D1-A456-426655440000", "123e4567-e12b-12d1-a456-426655440000"),
    ],
)
def test_each_key_type_is_accepted_in_the_form_the_dict_stores(typed: str, stored: str) -> None:
    assert pix.clean_key(typed) == stored


@pytest.mark.parametrize(
    "typed", ["529.982.247-24", "11.222.333/0001-80", "cobranca@", "11998765432x", "+1 555 0100"]
)
def test_an_invalid_key_is_refused_in_portuguese(typed: str) -> None:
    with pytest.raises(Invalid, match=r"[Cc]have PIX"):
        pix.clean_key(typed)


def _version(db: Database, name: str) -> int:
    return int(
        db.read(lambda tx: tx.scalar("SELECT version FROM parameters WHERE name = ?", [name]))
    )


def _configure(db: Database, desk: Desk) -> None:
    for name, value in ((pix.KEY, VALID_CPF), (pix.NAME, "Empresa Ação"), (pix.CITY, "São Paulo")):
        parameters.set_parameter(db, desk.admin, name, _version(db, name), value)


def test_the_admin_cannot_save_an_invalid_key_and_nothing_is_written(
    db: Database, desk: Desk
) -> None:
    with pytest.raises(Invalid, match="Chave PIX"):
        parameters.set_parameter(db, desk.admin, pix.KEY, _version(db, pix.KEY), "123")
    assert parameters.get_value(db, pix.KEY) == ""
    _configure(db, desk)
    assert parameters.get_value(db, pix.NAME) == "Empresa Acao"


def _promise_of_600(db: Database, desk: Desk) -> CollectionAttendance:
    """The next debtor promises R$ 600,00 of the first title in three days."""
    attendance = _taken(db, desk)
    first = [attendance.titles[0].id]
    return tlc_outcomes.record_promise(
        db, desk.collector, attendance.id, first, TODAY + timedelta(days=3), "600"
    )


def test_without_a_key_the_promise_has_no_code_and_says_why(db: Database, desk: Desk) -> None:
    after = _promise_of_600(db, desk)
    assert [(c["kind"], c["payload"]) for c in after.pix_codes] == [("Promessa", None)]
    assert "MV_PIXCHAVE" in pix.NO_KEY


def test_a_promise_and_a_renegotiation_get_their_code_stored_and_audited(
    db: Database, desk: Desk
) -> None:
    _configure(db, desk)
    promised = _promise_of_600(db, desk)
    code = promised.pix_codes[0]
    fields = _fields(code["payload"])
    assert fields["54"] == "600.00" and _fields(fields["62"]) == {"05": f"PROM{code['id']}"}
    assert promised.pending_promises[0]["pix_payload"] == code["payload"]
    detail = db.read(
        lambda tx: tx.scalar(
            "SELECT detail FROM audit_log WHERE event = 'cobranca.promessa' ORDER BY id DESC"
        )
    )
    assert json.loads(detail)["pix"] == f"PROM{code['id']}"
    tlc_outcomes.finish_attendance(
        db, desk.collector, promised.id, promised.version, outcome="cobranca"
    )
    calls.end_call(db, desk.collector)

    other = _taken(db, desk, amount="900.00")
    renegotiated = tlc_outcomes.renegotiate_titles(
        db,
        desk.collector,
        other.id,
        [t.id for t in other.titles],
        installments=3,
        first_due=TODAY + timedelta(days=10),
    )
    code = renegotiated.pix_codes[0]
    first = db.read(
        lambda tx: tx.scalar(
            "SELECT amount FROM receivables WHERE renegotiation_id = ? AND installment = 1",
            [code["id"]],
        )
    )
    assert code["kind"] == "Renegociação" and Decimal(_fields(code["payload"])["54"]) == first
