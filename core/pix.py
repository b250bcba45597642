"""PIX copia-e-cola (BR Code) for an amount agreed on a call: the EMV MPM payload as the Banco
Central's "Manual de Padrões para Iniciação do Pix" defines it, for the company's PIX key.

The key, the company's name and city are parameters the admin sets (MV_PIXCHAVE, MV_PIXNOME,
MV_PIXCIDADE); with no key the collector is told why there is no code.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass
from decimal import Decimal

from validate_docbr import CNPJ, CPF

from core.db import Tx
from core.errors import Invalid

KEY, NAME, CITY = "MV_PIXCHAVE", "MV_PIXNOME", "MV_PIXCIDADE"
PARAMETERS = (KEY, NAME, CITY)
NO_KEY = (
    "PIX não configurado: o administrador informa a chave PIX da empresa, o nome e a cidade "
    "em Parâmetros (MV_PIXCHAVE, MV_PIXNOME, MV_PIXCIDADE)."
)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class Merchant:
    key: str
    name: str
    city: str


def clean_key(text: str) -> str:
    """A PIX key of one of the five types, as the DICT stores it; Invalid otherwise."""
    key = text.strip()
    digits = re.sub(r"\D", "", key)
    if key.startswith("+"):
        if re.fullmatch(r"\+55\d{10,11}", key.replace(" ", "")):
            return key.replace(" ", "")
        raise Invalid("Chave PIX de telefone: use +55, o DDD e o número (ex.: +5511998765432).")
    if "@" in key:
        if _EMAIL.fullmatch(key) and len(key) <= 77:
            return key.lower()
        raise Invalid("Chave PIX de e-mail inválida.")
    if re.fullmatch(r"[0-9a-fA-F-]{36}", key):
        try:
            return str(uuid.UUID(key))
        except ValueError:
            pass
        raise Invalid("Chave PIX aleatória inválida (36 caracteres, como o banco informou).")
    if len(digits) == 11 and CPF().validate(digits):
        return digits
    if len(digits) == 14 and CNPJ().validate(digits):
        return digits
    raise Invalid(
        "Chave PIX inválida: informe um CPF ou CNPJ válido, um e-mail, um telefone com +55 "
        "ou a chave aleatória."
    )


def clean_parameter(name: str, text: str) -> str:
    """The admin's value for a PIX parameter (empty turns PIX off)."""
    if not text.strip():
        return ""
    if name == KEY:
        return clean_key(text)
    limit = 25 if name == NAME else 15
    plain = _ascii(text)
    if not plain:
        raise Invalid("Use letras sem símbolos especiais.")
    return plain[:limit]


def merchant(tx: Tx) -> Merchant | None:
    """The company's PIX data, or None when the admin has not set all three."""
    rows = tx.all("SELECT name, value FROM parameters WHERE name IN (?, ?, ?)", list(PARAMETERS))
    values = {row["name"]: row["value"] for row in rows}
    if not all(values.get(name) for name in PARAMETERS):
        return None
    return Merchant(values[KEY], values[NAME], values[CITY])


def brcode(receiver: Merchant, amount: Decimal | None = None, txid: str = "***") -> str:
    """The copia-e-cola text: static BR Code with the amount and a txid (25 letters/digits at
    most; "***" when none), CRC16-CCITT-FALSE at the end."""
    account = _field("00", "br.gov.bcb.pix") + _field("01", receiver.key)
    payload = (
        _field("00", "01")
        + _field("26", account)
        + _field("52", "0000")
        + _field("53", "986")
        + (_field("54", f"{amount:.2f}") if amount is not None else "")
        + _field("58", "BR")
        + _field("59", _ascii(receiver.name)[:25])
        + _field("60", _ascii(receiver.city)[:15])
        + _field("62", _field("05", txid))
        + "6304"
    )
    return payload + f"{crc16(payload.encode('utf-8')):04X}"


def txid_for(kind: str, record_id: int) -> str:
    """A txid the bank statement shows and the collector can find again (e.g. PROM123)."""
    return re.sub(r"[^A-Za-z0-9]", "", f"{kind}{record_id}")[:25]


def crc16(data: bytes) -> int:
    """CRC16-CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no reflection."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def _field(tag: str, value: str) -> str:
    if len(value) > 99:
        raise Invalid("Campo do código PIX longo demais.")
    return f"{tag}{len(value):02d}{value}"


def _ascii(text: str) -> str:
    """Without accents and symbols, as the BR Code's name and city must be."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(re.sub(r"[^A-Za-z0-9 .-]", " ", folded).split())
