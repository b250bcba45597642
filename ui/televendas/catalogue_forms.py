"""Forms of the Televendas catalogues: products, price tables and payment conditions."""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.money import typed_text
from core.televendas.catalogue import PaymentConditionInput, PriceTableInput, ProductInput

DATE_FORMAT = "DD/MM/YYYY"


def product_form(key: str, row: dict[str, Any] | None = None) -> ProductInput | None:
    row = row or {}
    with st.form(key):
        a, b, c, d = st.columns([1, 3, 1, 1])
        code = a.text_input("Código", value=row.get("code", ""), key=f"{key}_code")
        description = b.text_input("Descrição", value=row.get("description", ""), key=f"{key}_d")
        unit = c.text_input("Unidade", value=row.get("unit", "UN"), key=f"{key}_unit")
        stock = d.text_input(
            "Estoque", value=typed_text(row.get("stock", 0) or 0, 3, trim=True),
            key=f"{key}_stock", help="1.500 é mil e quinhentos; vírgula para decimais (2,5).",
        )  # fmt: skip
        active = st.checkbox("Ativo", value=row.get("active", True), key=f"{key}_active")
        if not st.form_submit_button("Gravar", type="primary"):
            return None
    # the stock goes as typed: the core reads it with core.money and names the field if refused
    return ProductInput(code=code, description=description, unit=unit, stock=stock, active=active)


def price_table_form(key: str, row: dict[str, Any] | None = None) -> PriceTableInput | None:
    row = row or {}
    with st.form(key):
        a, b = st.columns([1, 3])
        code = a.text_input("Código", value=row.get("code", ""), key=f"{key}_code")
        description = b.text_input("Descrição", value=row.get("description", ""), key=f"{key}_d")
        a, b, c = st.columns(3)
        valid_from = a.date_input("Válida de", value=row.get("valid_from"), format=DATE_FORMAT,
                                  key=f"{key}_from")  # fmt: skip
        valid_until = b.date_input("Válida até", value=row.get("valid_until"),
                                   format=DATE_FORMAT, key=f"{key}_until")  # fmt: skip
        active = c.checkbox("Ativa", value=row.get("active", True), key=f"{key}_active")
        if not st.form_submit_button("Gravar", type="primary"):
            return None
    return PriceTableInput(code=code, description=description, valid_from=valid_from,
                           valid_until=valid_until, active=active)  # fmt: skip


def condition_form(key: str, row: dict[str, Any] | None = None) -> PaymentConditionInput | None:
    row = row or {}
    with st.form(key):
        a, b, c = st.columns([1, 2, 2])
        code = a.text_input("Código", value=row.get("code", ""), key=f"{key}_code")
        description = b.text_input("Descrição", value=row.get("description", ""), key=f"{key}_d")
        installments = c.text_input(
            "Parcelas (dias)", value=row.get("installments", "0"), key=f"{key}_days",
            help="0 = à vista; 30,60,90 = três parcelas a 30, 60 e 90 dias.",
        )  # fmt: skip
        active = st.checkbox("Ativa", value=row.get("active", True), key=f"{key}_active")
        if not st.form_submit_button("Gravar", type="primary"):
            return None
    return PaymentConditionInput(code=code, description=description, installments=installments,
                                 active=active)  # fmt: skip
