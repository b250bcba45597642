"""Call scripts: validation in pt-BR, versions, the path an operator's answers take through the
branches, answers checked by type, personal answers masked, and the answers' report."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core import call_lists, calls, campaigns, reports, scripts
from core.access import Routine, User
from core.campaigns import CampaignInput
from core.db import Database
from core.errors import Forbidden, Invalid, NotFound
from core.scripts import QuestionInput
from tests import factories

TODAY = date(2026, 3, 10)

QUESTIONS = [
    QuestionInput(1, "Ainda compra conosco?", "sim_nao", branches="sim=2; não=4"),
    QuestionInput(2, "Qual produto?", "escolha", choices="Café; Açúcar", next_position=3),
    QuestionInput(3, "Quantas unidades por mês?", "numero"),
    QuestionInput(4, "Qual o seu CPF para o cadastro?", "texto", personal=True),
]
SHORTER = [
    QuestionInput(1, "Ainda compra conosco?", "sim_nao", branches="sim=2"),
    QuestionInput(2, "Qual produto?", "escolha", choices="Café; Açúcar"),
]


def _script(db: Database, supervisor: User) -> int:
    script_id, number = scripts.save_script(db, supervisor, None, "Reativação", QUESTIONS)
    assert number == 1
    return script_id


def _on_a_campaign_call(db: Database, script_id: int, personal: bool = True) -> User:
    supervisor = factories.load_user(db, "supervisora")
    group = factories.make_group(db, "Ativo")
    seller = factories.make_operator(
        db, "vendedora", routines={Routine.TELEVENDAS}, group_id=group, personal=personal
    )
    campaign = campaigns.create_campaign(
        db,
        supervisor,
        CampaignInput(
            "Reativação",
            Routine.TELEVENDAS,
            TODAY,
            TODAY + timedelta(days=9),
            (group,),
            script_id=script_id,
        ),
    )
    entity_id = factories.make_entity(db, supervisor)
    document = db.read(
        lambda tx: tx.scalar("SELECT document FROM entities WHERE id = ?", [entity_id])
    )
    call_lists.import_list(db, supervisor, campaign, "Lista", f"documento\n{document}")
    assert campaigns.next_contact(db, seller) is not None
    return seller


def test_a_script_is_validated_in_pt_br_and_each_save_is_a_new_version(
    db: Database, supervisor: User
) -> None:
    bad = [
        QuestionInput(1, "Oi", "sim_nao", branches="talvez=2"),
        QuestionInput(2, "Qual produto?", "escolha", choices="Café"),
        QuestionInput(3, "Volta?", "texto", next_position=1),
    ]
    with pytest.raises(Invalid) as refused:
        scripts.save_script(db, supervisor, None, "Ruim", bad)
    problems = " ".join(refused.value.problems.values())
    assert "pergunta 1: escreva a pergunta" in problems
    assert "“talvez=2” não é uma das respostas" in problems
    assert "pergunta 2: informe ao menos duas opções" in problems
    assert "pergunta 3: a próxima pergunta deve existir e vir depois" in problems
    assert db.read(lambda tx: tx.scalar("SELECT count(*) FROM call_scripts")) == 0

    script_id = _script(db, supervisor)
    _, number = scripts.save_script(db, supervisor, script_id, "Reativação", SHORTER)
    assert number == 2
    assert [q.position for q in scripts.latest_questions(db, supervisor, script_id)] == [1, 2]
    operator = factories.make_operator(db, "semgrant", routines={Routine.TELEVENDAS})
    with pytest.raises(Forbidden):
        scripts.save_script(db, operator, None, "Outro", QUESTIONS)


def test_the_answers_follow_the_branches_and_are_checked_by_type(
    db: Database, supervisor: User
) -> None:
    seller = _on_a_campaign_call(db, _script(db, supervisor))
    run = scripts.current_run(db, seller)
    assert run is not None and run.current is not None and run.current.position == 1
    with pytest.raises(Invalid, match="Escolha uma das respostas"):
        scripts.answer(db, seller, 1, "talvez")
    run = scripts.answer(db, seller, 1, "Sim")
    assert run.current is not None and run.current.position == 2
    run = scripts.answer(db, seller, 2, "Café")
    with pytest.raises(Invalid, match="Resposta"):
        scripts.answer(db, seller, 3, "muitas")
    run = scripts.answer(db, seller, 3, "1.250,5")
    assert run.current is None
    assert [(q.position, a) for q, a in run.answered] == [(1, "sim"), (2, "Café"), (3, "1250.5")]
    # Answering the first question again changes the path and drops what followed it.
    run = scripts.answer(db, seller, 1, "não")
    assert run.current is not None and run.current.position == 4
    with pytest.raises(Invalid, match="não está no caminho"):
        scripts.answer(db, seller, 3, "2")
    scripts.answer(db, seller, 4, "529.982.247-25")
    stored = db.read(lambda tx: tx.all("SELECT position FROM script_answers ORDER BY position"))
    assert [row["position"] for row in stored] == [1, 4]


def test_a_call_keeps_its_version_when_the_script_changes(db: Database, supervisor: User) -> None:
    script_id = _script(db, supervisor)
    seller = _on_a_campaign_call(db, script_id)
    scripts.answer(db, seller, 1, "sim")
    scripts.save_script(db, supervisor, script_id, "Reativação", SHORTER)  # version 2
    run = scripts.current_run(db, seller)
    assert run is not None and run.version_number == 1
    assert run.current is not None and run.current.position == 2


def test_personal_answers_are_masked_without_192_and_counted_not_listed(
    db: Database, supervisor: User
) -> None:
    seller = _on_a_campaign_call(db, _script(db, supervisor), personal=False)
    scripts.answer(db, seller, 1, "não")
    run = scripts.answer(db, seller, 4, "529.982.247-25")
    assert [a for _, a in run.answered] == ["não", "*****"]
    frame = reports.run_report(db, supervisor, "roteiros", reports.Period(TODAY, TODAY))
    assert frame.select("position", "answer", "answers", "pct").rows() == [
        (1, "não", 1, 100.0),
        (4, "(dado pessoal)", 1, 100.0),
    ]


def test_no_script_outside_a_campaign_call(db: Database, supervisor: User) -> None:
    seller = factories.make_operator(db, "avulsa", routines={Routine.TELEVENDAS})
    calls.start_call(db, seller, Routine.TELEVENDAS, factories.make_entity(db, supervisor))
    assert scripts.current_run(db, seller) is None
    with pytest.raises(NotFound, match="não segue um roteiro"):
        scripts.answer(db, seller, 1, "sim")
