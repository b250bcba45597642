"""Call scripts: the questions an operator follows during a campaign's call, each with its answer
type (text, choice, yes/no, number) and its branching (an answer leads to another question).

Every save is a new version; a call's answers keep the version they followed, so editing a
script never rewrites what was asked. A branch may only lead forward (to a later question), so
every path ends. Answers to a question marked personal are masked for users without access 192,
and the report counts them without listing them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import polars as pl

from core.access import Action, User
from core.db import Tx
from core.errors import Invalid, NotFound
from core.money import parse_decimal
from core.privacy import MASK
from core.service import Work, command, query
from core.validation import Problems

TYPES = {"texto": "Texto", "escolha": "Escolha", "sim_nao": "Sim/Não", "numero": "Número"}
YES_NO = ("sim", "não")
MAX_ANSWER = 500


@dataclass
class QuestionInput:
    position: int
    text: str
    answer_type: str = "texto"
    choices: str = ""  # "Café; Açúcar" for a choice
    branches: str = ""  # "sim=3; não=5": the answer leads to that question
    next_position: int | None = None  # otherwise; None: the script ends
    personal: bool = False


@dataclass(frozen=True)
class Question:
    position: int
    text: str
    answer_type: str
    choices: tuple[str, ...]
    branches: dict[str, int]
    next_position: int | None
    personal: bool

    @property
    def options(self) -> tuple[str, ...]:
        return YES_NO if self.answer_type == "sim_nao" else self.choices

    def after(self, answer: str) -> int | None:
        return self.branches.get(
            answer.lower() if self.answer_type == "sim_nao" else answer, self.next_position
        )


@dataclass(frozen=True)
class ScriptRun:
    """A call following a script: the version, what was answered on the path so far, and the
    question to ask now (None: the script is done)."""

    script_name: str
    version_id: int
    version_number: int
    answered: list[tuple[Question, str]]
    current: Question | None


# --- building a script ------------------------------------------------------------------------


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


def _clean_questions(questions: list[QuestionInput]) -> list[dict[str, Any]]:
    problems = Problems()
    positions = [q.position for q in questions]
    if not questions:
        problems.add("questions", "o roteiro precisa de ao menos uma pergunta")
    if len(set(positions)) != len(positions):
        problems.add("questions", "há perguntas com o mesmo número")
    clean = []
    for q in sorted(questions, key=lambda q: q.position):
        where = f"pergunta {q.position}"
        text = " ".join(q.text.split())
        if not 3 <= len(text) <= 300:
            problems.add(f"q{q.position}.text", f"{where}: escreva a pergunta (3 a 300 caracteres)")
        if q.answer_type not in TYPES:
            problems.add(f"q{q.position}.type", f"{where}: tipo de resposta inválido")
            continue
        choices = _split(q.choices) if q.answer_type == "escolha" else []
        if q.answer_type == "escolha" and len(choices) < 2:
            problems.add(
                f"q{q.position}", f"{where}: informe ao menos duas opções, separadas por ;"
            )
        options = list(YES_NO) if q.answer_type == "sim_nao" else choices
        branches: dict[str, int] = {}
        for part in _split(q.branches):
            answer, _, target = part.partition("=")
            answer = answer.strip().lower() if q.answer_type == "sim_nao" else answer.strip()
            if answer not in options:
                problems.add(
                    f"q{q.position}", f"{where}: o desvio “{part}” não é uma das respostas"
                )
            elif not target.strip().isdigit() or int(target) not in positions:
                problems.add(
                    f"q{q.position}", f"{where}: o desvio “{part}” leva a uma pergunta inexistente"
                )
            elif int(target) <= q.position:
                problems.add(f"q{q.position}.branches", f"{where}: um desvio só pode levar adiante")
            else:
                branches[answer] = int(target)
        if q.next_position is not None and (
            q.next_position not in positions or q.next_position <= q.position
        ):
            problems.add(
                f"q{q.position}.next", f"{where}: a próxima pergunta deve existir e vir depois"
            )
        clean.append(
            {
                "position": q.position,
                "text": text,
                "answer_type": q.answer_type,
                "choices": ";".join(choices),
                "next_position": q.next_position,
                "branches": json.dumps(branches, ensure_ascii=False),
                "personal": bool(q.personal),
            }
        )
    problems.raise_if_any()
    return clean


@command(Action.MANAGE_CAMPAIGNS, "roteiros")
def save_script(
    work: Work, script_id: int | None, name: str, questions: list[QuestionInput]
) -> tuple[int, int]:
    """Create a script or save a new version of one; returns (script id, version number)."""
    tx = work.tx
    title = " ".join(name.split())
    if not 3 <= len(title) <= 60:
        raise Invalid("Dê ao roteiro um nome de 3 a 60 caracteres.", {"name": "nome inválido"})
    clean = _clean_questions(questions)
    if tx.scalar(
        "SELECT id FROM call_scripts WHERE lower(name) = lower(?) AND id <> ?",
        [title, script_id or -1],
    ):
        raise Invalid("Já existe um roteiro com este nome.", {"name": "nome repetido"})
    if script_id is None:
        script_id = int(
            tx.scalar(
                "INSERT INTO call_scripts (name, created_at) VALUES (?, ?) RETURNING id",
                [title, tx.now],
            )
        )
    elif (
        tx.scalar("UPDATE call_scripts SET name = ? WHERE id = ? RETURNING id", [title, script_id])
        is None
    ):
        raise NotFound("Roteiro não encontrado.")
    number = int(
        tx.scalar(
            "SELECT coalesce(max(number), 0) + 1 FROM script_versions WHERE script_id = ?",
            [script_id],
        )
    )
    version_id = tx.scalar(
        "INSERT INTO script_versions (script_id, number, created_at, user_id)"
        " VALUES (?, ?, ?, ?) RETURNING id",
        [script_id, number, tx.now, work.user.id],
    )
    for row in clean:
        tx.execute(
            "INSERT INTO script_questions (version_id, position, text, answer_type, choices,"
            " next_position, branches, personal) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [version_id, *row.values()],
        )
    work.audit(
        "roteiro.versao",
        subject_type="roteiro",
        subject_id=script_id,
        detail={"nome": title, "versao": number, "perguntas": len(clean)},
    )
    return script_id, number


@query(Action.MANAGE_CAMPAIGNS, "roteiros")
def list_scripts(work: Work) -> list[dict[str, Any]]:
    return work.tx.all(
        "SELECT s.id, s.name, s.active, max(v.number) AS versions FROM call_scripts s"
        " LEFT JOIN script_versions v ON v.script_id = s.id GROUP BY s.id, s.name, s.active"
        " ORDER BY s.name"
    )


@query(Action.MANAGE_CAMPAIGNS, "roteiros")
def latest_questions(work: Work, script_id: int) -> list[Question]:
    version = _latest_version(work.tx, script_id)
    return _questions(work.tx, version) if version is not None else []


def _latest_version(tx: Tx, script_id: int) -> int | None:
    return tx.scalar(
        "SELECT id FROM script_versions WHERE script_id = ? ORDER BY number DESC LIMIT 1",
        [script_id],
    )


def _questions(tx: Tx, version_id: int) -> list[Question]:
    rows = tx.all(
        "SELECT position, text, answer_type, choices, branches, next_position, personal"
        " FROM script_questions WHERE version_id = ? ORDER BY position",
        [version_id],
    )
    return [
        Question(
            row["position"],
            row["text"],
            row["answer_type"],
            tuple(_split(row["choices"])),
            json.loads(row["branches"]),
            row["next_position"],
            bool(row["personal"]),
        )
        for row in rows
    ]


# --- following a script in a call ----------------------------------------------------------


def _call_script(tx: Tx, user: User) -> tuple[int, int, str, int] | None:
    """(call id, version id, script name, version number) of the user's running call, when it
    is a campaign's with a script: the version already answered, or the latest."""
    row = tx.one(
        "SELECT oc.call_id, s.id AS script_id, s.name FROM open_calls oc"
        " JOIN calls k ON k.id = oc.call_id"
        " JOIN call_list_entries e ON e.reserved_by = oc.user_id AND e.entity_id = k.entity_id"
        "   AND e.status IN ('reservado', 'agendado')"
        " JOIN campaigns c ON c.id = e.campaign_id JOIN call_scripts s ON s.id = c.script_id"
        " WHERE oc.user_id = ? LIMIT 1",
        [user.id],
    )
    if row is None:
        return None
    used = tx.scalar(
        "SELECT min(version_id) FROM script_answers WHERE call_id = ?", [row["call_id"]]
    )
    version = used or _latest_version(tx, row["script_id"])
    if version is None:
        return None
    number = tx.scalar("SELECT number FROM script_versions WHERE id = ?", [version])
    return row["call_id"], version, row["name"], number


@query(Action.ATTEND, "roteiro")
def current_run(work: Work) -> ScriptRun | None:
    """The script of the user's running call with the path answered so far."""
    found = _call_script(work.tx, work.user)
    if found is None:
        return None
    call_id, version_id, name, number = found
    return _run(work.tx, work.user, call_id, version_id, name, number)


def _run(tx: Tx, user: User, call_id: int, version_id: int, name: str, number: int) -> ScriptRun:
    questions = {q.position: q for q in _questions(tx, version_id)}
    answers = {
        row["position"]: row["answer"]
        for row in tx.all(
            "SELECT position, answer FROM script_answers WHERE call_id = ?", [call_id]
        )
    }
    answered: list[tuple[Question, str]] = []
    position: int | None = min(questions) if questions else None
    while position is not None and position in answers:
        question = questions[position]
        shown = MASK if question.personal and not user.personal_access else answers[position]
        answered.append((question, shown))
        position = question.after(answers[position])
    current = questions.get(position) if position is not None else None
    return ScriptRun(name, version_id, number, answered, current)


def _clean_answer(question: Question, value: str) -> str:
    text = " ".join(str(value).split())
    if not text:
        raise Invalid("Responda à pergunta.")
    if question.answer_type == "numero":
        number = parse_decimal(text, "Resposta", places=2, allow_negative=True)
        return format(number.normalize(), "f") if number != Decimal(0) else "0"
    if question.answer_type in ("escolha", "sim_nao"):
        chosen = text.lower() if question.answer_type == "sim_nao" else text
        if chosen not in question.options:
            raise Invalid("Escolha uma das respostas da pergunta.")
        return chosen
    if len(text) > MAX_ANSWER:
        raise Invalid(f"Resposta longa demais (até {MAX_ANSWER} caracteres).")
    return text


@command(Action.ATTEND, "roteiro")
def answer(work: Work, position: int, value: str) -> ScriptRun:
    """Answer the current question of the running call's script (or an earlier one again:
    the answers after it are dropped, the path may change)."""
    tx, user = work.tx, work.user
    found = _call_script(tx, user)
    if found is None:
        raise NotFound("Esta ligação não segue um roteiro.")
    call_id, version_id, name, number = found
    run = _run(tx, user, call_id, version_id, name, number)
    on_path = {q.position: q for q, _ in run.answered}
    if run.current is not None:
        on_path[run.current.position] = run.current
    question = on_path.get(position)
    if question is None:
        raise Invalid("Esta pergunta não está no caminho do roteiro.")
    clean = _clean_answer(question, value)
    tx.execute(
        "DELETE FROM script_answers WHERE call_id = ? AND position >= ?", [call_id, position]
    )
    tx.execute(
        "INSERT INTO script_answers (call_id, version_id, position, answer, user_id, answered_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [call_id, version_id, position, clean, user.id, tx.now],
    )
    work.audit(
        "roteiro.resposta",
        subject_type="ligacao",
        subject_id=call_id,
        detail={"pergunta": position, "versao": number},
    )
    return _run(tx, user, call_id, version_id, name, number)


# --- the report -------------------------------------------------------------------------------

REPORT_LABELS = {
    "script": "Roteiro",
    "version": "Versão",
    "position": "Nº",
    "question": "Pergunta",
    "answer": "Resposta",
    "answers": "Respostas",
    "pct": "% da pergunta",
}
REPORT_NOTE = (
    "Respostas de ligações do período, por versão do roteiro. Perguntas de dado pessoal têm as"
    " respostas contadas, não listadas."
)


def answers_report(tx: Tx, start: datetime, end: datetime) -> pl.DataFrame:
    """Per script version and question: how often each answer was given in [start, end)."""
    frame = tx.frame(
        "SELECT s.name AS script, v.number AS version, q.position, q.text AS question,"
        " CASE WHEN q.personal THEN '(dado pessoal)' ELSE a.answer END AS answer,"
        " count(*) AS answers"
        " FROM script_answers a JOIN script_versions v ON v.id = a.version_id"
        " JOIN call_scripts s ON s.id = v.script_id"
        " JOIN script_questions q ON q.version_id = a.version_id AND q.position = a.position"
        " WHERE a.answered_at >= ? AND a.answered_at < ?"
        " GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, answers DESC, 5",
        [start, end],
    )
    total = pl.col("answers").sum().over("script", "version", "position")
    return frame.with_columns(pct=(pl.col("answers") * 100 / total).round(1))
