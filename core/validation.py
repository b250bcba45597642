"""Field validation shared by the services. Each check returns the clean value or a pt-BR reason."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from validate_docbr import CNPJ, CPF

_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_UF = {
    "AC", "AL", "AP", "AM", "BA", "CE", "DF", "ES", "GO", "MA", "MT", "MS", "MG", "PA", "PB",
    "PR", "PE", "PI", "RJ", "RN", "RS", "RO", "RR", "SC", "SP", "SE", "TO",
}  # fmt: skip
_CPF = CPF()
_CNPJ = CNPJ()


def digits(value: str | None) -> str:
    return re.sub(r"\D", "", value or "")


def like_escape(text: str) -> str:
    """Make % and _ typed by a user match themselves in `LIKE ? ESCAPE '\\'`."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# Portuguese letters and their plain forms, for SQL's translate() (both engines have it; only
# DuckDB has strip_accents).
ACCENTED = "áàâãäéèêëíìîïóòôõöúùûüçñ"
PLAIN = "aaaaaeeeeiiiiooooouuuucn"


def search_key(text: str) -> str:
    """Lower case without accents: what name searches compare against."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class Problems:
    """Collects per-field complaints so a form shows all of them at once."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, message)

    def raise_if_any(self) -> None:
        from core.errors import Invalid

        if self.fields:
            summary = "; ".join(self.fields.values())
            raise Invalid(f"Corrija os campos: {summary}.", dict(self.fields))


def clean_document(value: str | None, person_type: str, problems: Problems) -> str | None:
    number = digits(value)
    if not number:
        return None
    if person_type == "F":
        if len(number) != 11 or not _CPF.validate(number):
            problems.add("document", "CPF inválido (verifique os dígitos)")
    elif len(number) != 14 or not _CNPJ.validate(number):
        problems.add("document", "CNPJ inválido (verifique os dígitos)")
    return number


def clean_phone(value: str | None, field: str, problems: Problems) -> str | None:
    """Brazilian numbers with area code: 10 digits (landline) or 11 (mobile, starting with 9)."""
    number = digits(value)
    if number.startswith("55") and len(number) in (12, 13):
        number = number[2:]
    if not number:
        return None
    valid = (len(number) == 10 and number[2] in "2345") or (len(number) == 11 and number[2] == "9")
    if not valid or number[0] == "0":
        problems.add(field, "telefone inválido: use DDD + número, ex. (11) 91234-5678")
    return number


def clean_email(value: str | None, problems: Problems) -> str | None:
    text = (value or "").strip().lower()
    if not text:
        return None
    if not _EMAIL.match(text) or len(text) > 254:
        problems.add("email", "e-mail inválido")
    return text


def clean_state(value: str | None, problems: Problems) -> str | None:
    text = (value or "").strip().upper()
    if not text:
        return None
    if text not in _UF:
        problems.add("state", "UF inválida")
    return text


def clean_zip(value: str | None, problems: Problems) -> str | None:
    number = digits(value)
    if not number:
        return None
    if len(number) != 8:
        problems.add("zip_code", "CEP deve ter 8 dígitos")
    return number


def clean_birth_date(value: date | None, today: date, problems: Problems) -> date | None:
    if value is None:
        return None
    if value > today or value.year < 1900:
        problems.add("birth_date", "data de nascimento fora do intervalo aceito")
    return value


def format_document(number: str | None) -> str:
    return _laid_out(number, {11: "###.###.###-##", 14: "##.###.###/####-##"})


def format_phone(number: str | None) -> str:
    return _laid_out(number, {11: "(##) #####-####", 10: "(##) ####-####"})


def _laid_out(number: str | None, layouts: dict[int, str]) -> str:
    """The digits in the layout for their count (# takes the next digit); else as stored."""
    if not number:
        return ""
    layout = layouts.get(len(number))
    if layout is None:
        return number
    given = iter(number)
    return "".join(next(given) if char == "#" else char for char in layout)
