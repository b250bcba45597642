"""The test factories themselves: their documents and users are what the app would accept."""

from __future__ import annotations

from validate_docbr import CNPJ, CPF

from core.access import Routine
from core.db import Database
from tests import factories


def test_factory_cpfs_and_cnpjs_pass_validate_docbr_and_never_repeat() -> None:
    cpfs = [factories.valid_cpf(seed) for seed in range(300)]
    cnpjs = [factories.valid_cnpj(seed) for seed in range(300)]

    assert all(len(number) == 11 and CPF().validate(number) for number in cpfs)
    assert all(len(number) == 14 and CNPJ().validate(number) for number in cnpjs)
    assert len(set(cpfs)) == len(set(cnpjs)) == 300
    assert not CPF().validate(factories.invalid_cpf())


def test_a_factory_operator_is_loaded_as_the_app_loads_it(db: Database) -> None:
    user = factories.make_operator(
        db, "fabricado", routines={Routine.TELEVENDAS}, personal=True, sensitive=True
    )

    assert user.username == "fabricado"
    assert user.routines == frozenset({Routine.TELEVENDAS})
    assert (user.personal_access, user.sensitive_access) == (True, True)
    assert user.operator is not None and user.operator.main_group_name == factories.DEFAULT_GROUP
