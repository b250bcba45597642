"""Customers, prospects and contacts: validation, search, paging, LGPD masking, audit."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any

import pytest
from validate_docbr import CNPJ, CPF

from core import audit, entities
from core.access import Routine, User
from core.db import Database
from core.entities import EntityInput, export_entities, get_entity, search_entities
from core.errors import STALE_RECORD, Conflict, Forbidden, Invalid, NotFound
from core.validation import format_document, format_phone
from tests import factories
from tests.conftest import Clock
from tests.factories import contact_input, entity_input, make_entity, valid_cnpj, valid_cpf


@pytest.fixture
def no_192(db: Database) -> User:
    """An operator without access 192 (nor 193)."""
    return factories.make_operator(db, "sem192", routines={Routine.TELECOBRANCA})


@pytest.fixture
def only_192(db: Database) -> User:
    """An operator with access 192 but without 193."""
    return factories.make_operator(db, "so192", routines={Routine.TELEMARKETING}, personal=True)


@pytest.fixture
def with_193(db: Database) -> User:
    return factories.make_operator(db, "com193", personal=True, sensitive=True)


def _count(db: Database, table: str = "entities") -> int:
    return int(db.read(lambda tx: tx.scalar(f"SELECT count(*) FROM {table}")))


def _stored(db: Database, entity_id: int) -> dict[str, Any]:
    row = db.read(lambda tx: tx.one("SELECT * FROM entities WHERE id = ?", [entity_id]))
    assert row is not None
    return row


def _audit(db: Database, event: str) -> list[dict[str, Any]]:
    audit.flush(db)  # views are buffered until the next flush (see core/audit.py)
    rows = db.read(
        lambda tx: tx.all(
            "SELECT user_id, subject_type, subject_id, detail FROM audit_log"
            " WHERE event = ? ORDER BY id",
            [event],
        )
    )
    return [{**row, "detail": json.loads(row["detail"])} for row in rows]


def _csv_rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith("\ufeff".encode())  # Excel pt-BR needs the BOM for accents
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def _masked_cpf(number: str) -> str:
    return f"***.***.***-{number[-2:]}"


# --- create and validate --------------------------------------------------------------------


def test_a_customer_with_a_valid_cpf_is_created_with_digits_only(
    db: Database, operator: User, clock: Clock
) -> None:
    cpf = valid_cpf(formatted=True)

    entity_id = make_entity(db, operator, name="  Maria   das Dores ", document=cpf)

    stored = _stored(db, entity_id)
    assert CPF().validate(stored["document"])
    assert stored["document"] == cpf.replace(".", "").replace("-", "")
    assert stored["name"] == "Maria das Dores"
    assert stored["search_name"] == "maria das dores"
    assert stored["phone"] == "1134567890"
    assert stored["zip_code"] == "01001000"
    assert stored["version"] == 1
    assert stored["created_at"] == clock.now


def test_a_company_with_a_valid_cnpj_is_created(db: Database, operator: User) -> None:
    cnpj = valid_cnpj(formatted=True)

    entity_id = make_entity(
        db, operator, person_type="J", name="Padaria Pão Quente Ltda", document=cnpj
    )

    stored = _stored(db, entity_id)
    assert stored["person_type"] == "J"
    assert CNPJ().validate(stored["document"])
    assert format_document(stored["document"]) == cnpj


def test_creating_an_entity_is_audited(db: Database, operator: User) -> None:
    entity_id = make_entity(db, operator)

    assert _audit(db, "entidade.incluida") == [
        {
            "user_id": operator.id,
            "subject_type": "entidade",
            "subject_id": str(entity_id),
            "detail": {},
        }
    ]


def test_a_cpf_with_wrong_check_digits_is_refused_and_nothing_is_written(
    db: Database, operator: User
) -> None:
    before = (_count(db), _count(db, "audit_log"))

    with pytest.raises(Invalid) as refused:
        make_entity(db, operator, document=factories.invalid_cpf())

    assert refused.value.problems["document"] == "CPF inválido (verifique os dígitos)"
    assert (_count(db), _count(db, "audit_log")) == before


def test_a_cpf_given_to_a_company_is_refused_as_an_invalid_cnpj(
    db: Database, operator: User
) -> None:
    with pytest.raises(Invalid) as refused:
        make_entity(db, operator, person_type="J", document=valid_cpf())

    assert refused.value.problems["document"] == "CNPJ inválido (verifique os dígitos)"


@pytest.mark.parametrize(
    ("field", "value", "complaint"),
    [
        ("phone", "1234-5678", "telefone inválido"),
        ("phone", "(11) 1234-5678", "telefone inválido"),  # landlines start with 2 to 5
        ("mobile", "(11) 81234-5678", "telefone inválido"),  # mobiles start with 9
        ("email", "maria@", "e-mail inválido"),
        ("email", "maria arroba exemplo.com", "e-mail inválido"),
        ("state", "XX", "UF inválida"),
        ("zip_code", "0100-100", "CEP deve ter 8 dígitos"),
        ("birth_date", date(2999, 1, 1), "data de nascimento fora do intervalo aceito"),
        ("name", "Jo", "informe o nome (mínimo 3 letras)"),
    ],
)
def test_invalid_contact_fields_are_refused_field_by_field(
    db: Database, operator: User, field: str, value: object, complaint: str
) -> None:
    before = _count(db)

    with pytest.raises(Invalid) as refused:
        make_entity(db, operator, **{field: value})

    assert complaint in refused.value.problems[field]
    assert refused.value.message.startswith("Corrija os campos:")
    assert _count(db) == before


def test_every_problem_of_a_form_is_reported_at_once(db: Database, operator: User) -> None:
    with pytest.raises(Invalid) as refused:
        make_entity(db, operator, email="x@", state="ZZ", zip_code="1")

    assert set(refused.value.problems) == {"email", "state", "zip_code"}


def test_a_phone_with_the_country_code_is_stored_without_it(db: Database, operator: User) -> None:
    entity_id = make_entity(db, operator, mobile="+55 (11) 91234-5678")

    assert _stored(db, entity_id)["mobile"] == "11912345678"


def test_a_customer_needs_a_document_but_a_prospect_does_not(db: Database, operator: User) -> None:
    with pytest.raises(Invalid) as refused:
        make_entity(db, operator, document=None)
    assert refused.value.problems["document"] == "cliente precisa de CPF/CNPJ"

    prospect = make_entity(db, operator, kind="prospect", document=None)
    assert _stored(db, prospect)["document"] is None


def test_an_entity_needs_at_least_one_phone_or_email(db: Database, operator: User) -> None:
    with pytest.raises(Invalid) as refused:
        make_entity(db, operator, phone=None, mobile=None, email=None)

    assert "phone" in refused.value.problems


def test_a_document_already_registered_is_refused_even_when_formatted_differently(
    db: Database, operator: User
) -> None:
    number = valid_cpf()
    first = make_entity(db, operator, document=number)
    before = _count(db)

    with pytest.raises(Invalid) as refused:
        make_entity(db, operator, document=format_document(number))

    assert refused.value.problems == {"document": "já cadastrado"}
    assert f"código {first}" in refused.value.message
    assert _count(db) == before


def test_a_user_without_an_operator_may_not_create_entities(db: Database, plain_user: User) -> None:
    with pytest.raises(Forbidden):
        make_entity(db, plain_user)

    assert _count(db) == 0


# --- search and paging ----------------------------------------------------------------------


@pytest.fixture
def people(db: Database, operator: User) -> dict[str, int]:
    return {
        "joao": make_entity(db, operator, name="João da Conceição", document=valid_cpf(101)),
        "maria": make_entity(
            db, operator, name="Maria Aparecida", document=valid_cpf(202), phone="(31) 3222-1100"
        ),
        "acme": make_entity(
            db, operator, person_type="J", name="Conceito Móveis Ltda", document=valid_cnpj(303)
        ),
        "pedro": make_entity(db, operator, kind="prospect", name="Pedro Álvares", document=None),
    }


def _ids(page: entities.EntityPage) -> list[int]:
    return page.rows["id"].to_list()


def test_a_name_search_matches_any_part_ignoring_accents_and_case(
    db: Database, operator: User, people: dict[str, int]
) -> None:
    assert _ids(search_entities(db, operator, "CONCEICAO")) == [people["joao"]]
    assert _ids(search_entities(db, operator, "conceição")) == [people["joao"]]
    assert set(_ids(search_entities(db, operator, "concei"))) == {people["joao"], people["acme"]}
    assert _ids(search_entities(db, operator, "alvares")) == [people["pedro"]]


def test_a_search_by_cpf_prefix_accepts_digits_or_the_formatted_number(
    db: Database, operator: User, people: dict[str, int]
) -> None:
    number = valid_cpf(202)

    assert _ids(search_entities(db, operator, number[:6])) == [people["maria"]]
    assert _ids(search_entities(db, operator, format_document(number)[:7])) == [people["maria"]]
    assert _ids(search_entities(db, operator, format_document(number))) == [people["maria"]]


def test_a_search_by_phone_digits_finds_the_entity(
    db: Database, operator: User, people: dict[str, int]
) -> None:
    assert _ids(search_entities(db, operator, "3222-1100")) == [people["maria"]]
    assert _ids(search_entities(db, operator, "(31) 3222")) == [people["maria"]]


def test_a_search_can_be_limited_to_prospects(
    db: Database, operator: User, people: dict[str, int]
) -> None:
    page = search_entities(db, operator, "", kind="prospect")

    assert _ids(page) == [people["pedro"]]
    assert page.rows["kind"].to_list() == ["Prospect"]
    with pytest.raises(Invalid):
        search_entities(db, operator, "", kind="fornecedor")


def test_an_empty_search_lists_everyone_sorted_by_name(
    db: Database, operator: User, people: dict[str, int]
) -> None:
    page = search_entities(db, operator)

    assert page.rows["name"].to_list() == [
        "Conceito Móveis Ltda",
        "João da Conceição",
        "Maria Aparecida",
        "Pedro Álvares",
    ]


def test_results_come_in_pages_with_their_total(db: Database, operator: User) -> None:
    for index in range(7):
        make_entity(db, operator, name=f"Cliente Paginado {index}")

    first = search_entities(db, operator, "paginado", page_size=3)
    last = search_entities(db, operator, "paginado", page=3, page_size=3)
    beyond = search_entities(db, operator, "paginado", page=4, page_size=3)

    assert (first.total, first.pages, first.rows.height) == (7, 3, 3)
    assert (last.total, last.page, last.rows.height) == (7, 3, 1)
    assert last.rows["name"].to_list() == ["Cliente Paginado 6"]
    assert beyond.rows.height == 0
    assert search_entities(db, operator, "ninguém com este nome").pages == 1


def test_a_page_number_below_one_shows_the_first_page(db: Database, operator: User) -> None:
    make_entity(db, operator)

    page = search_entities(db, operator, page=0)

    assert page.page == 1
    assert page.rows.height == 1


# --- masking (LGPD accesses 192 / 193) ------------------------------------------------------


@pytest.fixture
def customer(db: Database, operator: User) -> tuple[int, str]:
    number = valid_cpf(4242)
    entity_id = make_entity(
        db,
        operator,
        name="Joana Prado",
        document=number,
        phone="(11) 3456-7890",
        mobile="(11) 91234-5678",
        email="joana.prado@exemplo.com.br",
        city="Campinas",
        state="SP",
        sensitive_note="Em tratamento de saúde.",
    )
    return entity_id, number


def test_without_192_search_rows_show_cpf_like_asterisks_and_the_last_two_digits(
    db: Database, no_192: User, customer: tuple[int, str]
) -> None:
    _, number = customer

    page = search_entities(db, no_192, "joana")

    row = page.rows.row(0, named=True)
    assert page.masked
    assert row["document"] == _masked_cpf(number)
    assert row["phone"] == "(**) ****-**90"
    assert row["mobile"] == "(**) *****-**78"
    assert row["email"] == "*****"
    assert (row["name"], row["city"], row["state"]) == ("Joana Prado", "Campinas", "SP")


def test_without_192_a_company_cnpj_keeps_only_its_last_two_digits(
    db: Database, operator: User, no_192: User
) -> None:
    number = valid_cnpj()
    make_entity(db, operator, person_type="J", name="Empresa Mascarada", document=number)

    row = search_entities(db, no_192, "mascarada").rows.row(0, named=True)

    assert row["document"] == f"**.***.***/****-{number[-2:]}"


def test_without_192_the_detail_masks_personal_data_and_address_but_not_name_or_city(
    db: Database, no_192: User, customer: tuple[int, str]
) -> None:
    entity_id, number = customer

    detail = get_entity(db, no_192, entity_id)

    values = detail.values
    assert values["document"] == _masked_cpf(number)
    for column in ("email", "street", "street_number", "district", "zip_code", "birth_date"):
        assert values[column] == "*****", column
    assert values["sensitive_note"] == "*****"
    assert (values["name"], values["city"], values["state"]) == ("Joana Prado", "Campinas", "SP")
    assert {"document", "email", "street", "sensitive_note"} <= detail.hidden


def test_without_192_the_csv_export_is_masked_exactly_like_the_screen(
    db: Database, no_192: User, customer: tuple[int, str]
) -> None:
    _, number = customer

    data = export_entities(db, no_192, "joana")

    text = data.decode("utf-8-sig")
    assert number not in text
    assert format_document(number) not in text
    assert "joana.prado@exemplo.com.br" not in text
    (row,) = _csv_rows(data)
    assert row["CPF/CNPJ"] == _masked_cpf(number)
    assert row["E-mail"] == "*****"
    assert (row["Nome"], row["Cidade"], row["UF"], row["Ativo"]) == (
        "Joana Prado",
        "Campinas",
        "SP",
        "Sim",
    )


def test_with_192_but_not_193_personal_data_shows_and_the_sensitive_note_is_masked(
    db: Database, only_192: User, customer: tuple[int, str]
) -> None:
    entity_id, number = customer

    detail = get_entity(db, only_192, entity_id)
    row = search_entities(db, only_192, "joana").rows.row(0, named=True)

    assert detail.values["document"] == format_document(number)
    assert detail.values["email"] == "joana.prado@exemplo.com.br"
    assert detail.values["street"] == "Rua das Flores"
    assert detail.values["sensitive_note"] == "*****"
    assert detail.hidden == frozenset({"sensitive_note"})
    assert row["document"] == format_document(number)
    assert row["phone"] == format_phone("1134567890")


def test_with_193_the_sensitive_note_shows_too(
    db: Database, with_193: User, customer: tuple[int, str]
) -> None:
    entity_id, _ = customer

    detail = get_entity(db, with_193, entity_id)

    assert detail.values["sensitive_note"] == "Em tratamento de saúde."
    assert detail.hidden == frozenset()


def test_a_profile_granting_192_unmasks_at_once(
    db: Database, no_192: User, customer: tuple[int, str]
) -> None:
    entity_id, number = customer
    factories.make_profile(db, "Atendimento 192", personal=True, members=[no_192])

    detail = get_entity(db, factories.reload(db, no_192), entity_id)

    assert detail.values["document"] == format_document(number)


def test_declassifying_a_column_in_the_data_dictionary_unmasks_it_at_once(
    db: Database, no_192: User, customer: tuple[int, str]
) -> None:
    entity_id, _ = customer
    assert get_entity(db, no_192, entity_id).values["email"] == "*****"

    db.write(
        lambda tx: tx.execute(
            "UPDATE data_dictionary SET classification = 'nenhum'"
            " WHERE table_name = 'entities' AND column_name = 'email'"
        )
    )

    assert get_entity(db, no_192, entity_id).values["email"] == "joana.prado@exemplo.com.br"
    row = search_entities(db, no_192, "joana").rows.row(0, named=True)
    assert row["email"] == "joana.prado@exemplo.com.br"


def test_reclassifying_a_column_as_sensitive_hides_it_from_users_without_193_at_once(
    db: Database, only_192: User, customer: tuple[int, str]
) -> None:
    entity_id, number = customer
    db.write(
        lambda tx: tx.execute(
            "UPDATE data_dictionary SET classification = 'sensivel'"
            " WHERE table_name = 'entities' AND column_name = 'document'"
        )
    )

    detail = get_entity(db, only_192, entity_id)
    export = _csv_rows(export_entities(db, only_192, "joana"))

    assert detail.values["document"] == _masked_cpf(number)
    assert export[0]["CPF/CNPJ"] == _masked_cpf(number)


def test_classifying_a_column_as_personal_masks_it_at_once(
    db: Database, no_192: User, customer: tuple[int, str]
) -> None:
    db.write(
        lambda tx: tx.execute(
            "UPDATE data_dictionary SET classification = 'pessoal'"
            " WHERE table_name = 'entities' AND column_name = 'city'"
        )
    )

    row = search_entities(db, no_192, "joana").rows.row(0, named=True)

    assert row["city"] == "*****"
    assert row["name"] == "Joana Prado"


def test_without_192_a_contact_in_the_detail_is_masked_too(
    db: Database, operator: User, no_192: User, customer: tuple[int, str]
) -> None:
    entity_id, _ = customer
    cpf = valid_cpf()
    entities.add_contact(db, operator, entity_id, contact_input(name="Carlos Prado", document=cpf))

    (contact,) = get_entity(db, no_192, entity_id).contacts

    assert contact["name"] == "Carlos Prado"
    assert contact["document"] == _masked_cpf(cpf)
    assert contact["email"] == "*****"
    assert contact["phone"] == "(**) ****-**89"


# --- audit of views and exports -------------------------------------------------------------


def test_a_search_that_shows_rows_is_audited_as_a_view(
    db: Database, no_192: User, customer: tuple[int, str]
) -> None:
    search_entities(db, no_192, "joana")

    assert _audit(db, "dados.visualizados") == [
        {
            "user_id": no_192.id,
            "subject_type": "",
            "subject_id": "",
            "detail": {"tela": "entidades.lista", "mascarado": True, "registros": 1},
        }
    ]


def test_a_search_that_shows_nothing_records_no_view(
    db: Database, operator: User, customer: tuple[int, str]
) -> None:
    search_entities(db, operator, "ninguém")

    assert _audit(db, "dados.visualizados") == []


def test_opening_an_entity_is_audited_as_a_view_of_that_entity(
    db: Database, with_193: User, customer: tuple[int, str]
) -> None:
    entity_id, _ = customer

    get_entity(db, with_193, entity_id)

    (row,) = _audit(db, "dados.visualizados")
    assert (row["user_id"], row["subject_type"], row["subject_id"]) == (
        with_193.id,
        "entidade",
        str(entity_id),
    )
    assert row["detail"] == {"tela": "entidades.detalhe", "mascarado": False, "registros": 1}


def test_an_export_is_audited_with_its_row_count_and_the_people_but_never_the_filter_text(
    db: Database, only_192: User, people: dict[str, int]
) -> None:
    data = export_entities(db, only_192, "concei")

    assert len(_csv_rows(data)) == 2
    (row,) = _audit(db, "dados.exportados")
    assert row["user_id"] == only_192.id
    assert row["detail"] == {"registros": 2, "mascarado": True, "filtrado": True, "formato": "csv"}
    exported = db.read(lambda tx: tx.scalar(
        "SELECT count(*) FROM audit_subjects s JOIN audit_log a ON a.id = s.audit_id"
        " WHERE a.event = 'dados.exportados'"))  # fmt: skip
    assert exported == 2  # only_192 saw their personal data in clear


def test_an_unknown_entity_is_not_found(db: Database, operator: User) -> None:
    with pytest.raises(NotFound, match="Entidade não encontrada"):
        get_entity(db, operator, 424242)


def test_a_user_without_an_operator_may_not_search_or_export(
    db: Database, plain_user: User, customer: tuple[int, str]
) -> None:
    with pytest.raises(Forbidden):
        search_entities(db, plain_user, "joana")
    with pytest.raises(Forbidden):
        export_entities(db, plain_user)

    assert _audit(db, "dados.visualizados") == []
    assert len(_audit(db, "acesso.negado")) == 2


# --- update ---------------------------------------------------------------------------------


def _form_from(detail: entities.EntityDetail, **changes: Any) -> EntityInput:
    """What the edit form sends back: the values it showed, with the user's changes."""
    fields = {name: detail.values[name] for name in asdict(EntityInput())}
    fields.update(changes)
    return EntityInput(**fields)


def test_an_update_on_the_current_version_saves_and_bumps_the_version(
    db: Database, only_192: User, customer: tuple[int, str]
) -> None:
    entity_id, _ = customer
    detail = get_entity(db, only_192, entity_id)

    new_version = entities.update_entity(
        db, only_192, entity_id, detail.version, _form_from(detail, city="Sorocaba")
    )

    stored = _stored(db, entity_id)
    assert new_version == 2 == stored["version"]
    assert stored["city"] == "Sorocaba"
    (audit_row,) = _audit(db, "entidade.alterada")
    assert audit_row["detail"] == {"campos": ["city"]}


def test_an_update_on_a_stale_version_is_a_conflict_and_writes_nothing(
    db: Database, only_192: User, customer: tuple[int, str]
) -> None:
    entity_id, _ = customer
    detail = get_entity(db, only_192, entity_id)
    entities.update_entity(db, only_192, entity_id, detail.version, _form_from(detail, city="Itu"))
    before = _stored(db, entity_id)

    with pytest.raises(Conflict) as refused:
        entities.update_entity(
            db, only_192, entity_id, detail.version, _form_from(detail, city="Jundiaí")
        )

    assert refused.value.message == STALE_RECORD
    assert _stored(db, entity_id) == before
    assert len(_audit(db, "entidade.alterada")) == 1


def test_an_update_without_192_keeps_the_stored_hidden_values(
    db: Database, no_192: User, customer: tuple[int, str]
) -> None:
    entity_id, number = customer
    detail = get_entity(db, no_192, entity_id)
    assert detail.values["document"] == _masked_cpf(number)

    entities.update_entity(
        db, no_192, entity_id, detail.version, _form_from(detail, name="Joana Prado Lima")
    )

    stored = _stored(db, entity_id)
    assert stored["name"] == "Joana Prado Lima"
    assert stored["document"] == number
    assert stored["email"] == "joana.prado@exemplo.com.br"
    assert stored["phone"] == "1134567890"
    assert stored["street"] == "Rua das Flores"
    assert stored["birth_date"] == date(1985, 6, 15)
    assert stored["sensitive_note"] == "Em tratamento de saúde."
    (audit_row,) = _audit(db, "entidade.alterada")
    assert audit_row["detail"] == {"campos": ["name"]}


def test_an_update_without_193_keeps_the_stored_sensitive_note(
    db: Database, only_192: User, customer: tuple[int, str]
) -> None:
    entity_id, _ = customer
    detail = get_entity(db, only_192, entity_id)

    entities.update_entity(
        db, only_192, entity_id, detail.version, _form_from(detail, sensitive_note=None)
    )

    assert _stored(db, entity_id)["sensitive_note"] == "Em tratamento de saúde."


def test_an_update_is_validated_like_a_creation(
    db: Database, only_192: User, customer: tuple[int, str]
) -> None:
    entity_id, _ = customer
    detail = get_entity(db, only_192, entity_id)
    before = _stored(db, entity_id)

    with pytest.raises(Invalid) as refused:
        entities.update_entity(
            db, only_192, entity_id, detail.version, _form_from(detail, state="XY")
        )

    assert refused.value.problems == {"state": "UF inválida"}
    assert _stored(db, entity_id) == before


def test_an_update_may_not_take_another_entitys_document(
    db: Database, only_192: User, customer: tuple[int, str]
) -> None:
    entity_id, _ = customer
    other = valid_cpf()
    make_entity(db, only_192, document=other)
    detail = get_entity(db, only_192, entity_id)

    with pytest.raises(Invalid) as refused:
        entities.update_entity(
            db, only_192, entity_id, detail.version, _form_from(detail, document=other)
        )

    assert refused.value.problems == {"document": "já cadastrado"}


def test_updating_an_unknown_entity_is_not_found(db: Database, operator: User) -> None:
    with pytest.raises(NotFound):
        entities.update_entity(db, operator, 999, 1, entity_input())


# --- contacts -------------------------------------------------------------------------------


def test_a_contact_added_to_an_entity_shows_in_its_detail(
    db: Database, only_192: User, customer: tuple[int, str]
) -> None:
    entity_id, _ = customer

    contact_id = entities.add_contact(
        db, only_192, entity_id, contact_input(name="Beatriz Nóbrega", phone="(21) 2345-6789")
    )

    (contact,) = get_entity(db, only_192, entity_id).contacts
    assert contact["id"] == contact_id
    assert contact["name"] == "Beatriz Nóbrega"
    assert contact["phone"] == "(21) 2345-6789"
    (audit_row,) = _audit(db, "contato.incluido")
    assert audit_row["detail"] == {"contato": contact_id}


def test_a_contact_is_validated_and_nothing_is_written_on_error(
    db: Database, operator: User, customer: tuple[int, str]
) -> None:
    entity_id, _ = customer

    with pytest.raises(Invalid) as refused:
        entities.add_contact(
            db, operator, entity_id, contact_input(document=factories.invalid_cpf())
        )

    assert "document" in refused.value.problems
    assert (_count(db, "contacts"), _count(db, "entity_contacts")) == (0, 0)


def test_a_contact_needs_an_existing_entity(db: Database, operator: User) -> None:
    with pytest.raises(NotFound):
        entities.add_contact(db, operator, 12345, contact_input())

    assert _count(db, "contacts") == 0


def test_one_contact_may_be_linked_to_several_entities_but_only_once_each(
    db: Database, only_192: User, customer: tuple[int, str]
) -> None:
    entity_id, _ = customer
    other = make_entity(db, only_192, name="Prado Comércio")
    contact_id = entities.add_contact(db, only_192, entity_id, contact_input(name="Caio Prado"))

    entities.link_contact(db, only_192, other, contact_id)

    assert [c["id"] for c in get_entity(db, only_192, other).contacts] == [contact_id]
    assert len(_audit(db, "contato.vinculado")) == 1
    with pytest.raises(Invalid, match="já está vinculado"):
        entities.link_contact(db, only_192, other, contact_id)
    assert _count(db, "entity_contacts") == 2


def test_linking_an_unknown_contact_or_entity_is_not_found(
    db: Database, operator: User, customer: tuple[int, str]
) -> None:
    entity_id, _ = customer
    contact_id = entities.add_contact(db, operator, entity_id, contact_input())

    with pytest.raises(NotFound, match="Contato"):
        entities.link_contact(db, operator, entity_id, 999)
    with pytest.raises(NotFound, match="Entidade"):
        entities.link_contact(db, operator, 999, contact_id)


def test_a_birth_date_is_checked_against_the_sao_paulo_calendar_day(
    db: Database, operator: User, clock: Clock
) -> None:
    clock.set(datetime(2026, 3, 11, 1, 0, tzinfo=UTC))  # still 10/03 22:00 in São Paulo

    with pytest.raises(Invalid) as refused:
        make_entity(db, operator, birth_date=date(2026, 3, 11))

    assert "birth_date" in refused.value.problems
    assert make_entity(db, operator, birth_date=date(2026, 3, 10)) > 0


def test_percent_and_underscore_in_a_name_search_match_only_themselves(
    db: Database, operator: User
) -> None:
    factories.make_entity(db, operator, name="Loja 100% Natural")
    factories.make_entity(db, operator, name="Mercado Central")
    assert entities.search_entities(db, operator, "100%").total == 1
    assert entities.search_entities(db, operator, "%").total == 1
    assert entities.search_entities(db, operator, "_").total == 0


def test_without_access_192_a_number_search_needs_the_whole_number(
    db: Database, admin: User
) -> None:
    """A masked CPF must not be guessable digit by digit through prefix searches."""
    masked_user = factories.make_operator(db, routines={Routine.TELEMARKETING}, personal=False)
    cpf = valid_cpf()
    make_entity(db, admin, document=cpf)
    assert search_entities(db, masked_user, cpf[:6]).total == 0
    assert search_entities(db, masked_user, format_document(cpf)).total == 1
    assert search_entities(db, admin, cpf[:6]).total >= 1


def test_a_prospect_with_a_document_becomes_a_customer_in_place(
    db: Database, operator: User
) -> None:
    with_document = make_entity(db, operator, kind="prospect", document=valid_cpf())
    without = make_entity(db, operator, kind="prospect", document=None)
    entities.convert_prospect_to_customer(db, operator, with_document)
    assert get_entity(db, operator, with_document).values["kind"] == "cliente"
    with pytest.raises(Invalid, match="precisa de CPF/CNPJ"):
        entities.convert_prospect_to_customer(db, operator, without)
    with pytest.raises(Invalid, match="já é um cliente"):
        entities.convert_prospect_to_customer(db, operator, with_document)
