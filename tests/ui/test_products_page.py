"""Produtos e preços (admin): products, price tables with their prices, payment conditions."""

from __future__ import annotations

from tests.ui.conftest import UiHarness, texts

PAGE = "pages/produtos.py"


def test_admin_sees_the_demo_catalogue(ui: UiHarness) -> None:
    at = ui.page(PAGE, "admin").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [tab.label for tab in at.tabs] == [
        "Produtos",
        "Tabelas de preço",
        "Condições de pagamento",
    ]
    products = at.dataframe(key="products_list").value
    assert len(products) == ui.scalar("SELECT count(*) FROM products")


def _submit(at, form: str):  # type: ignore[no-untyped-def]
    return next(b for b in at.button if b.label == "Gravar" and b.form_id == form).click().run()


def test_admin_includes_a_product(ui: UiHarness) -> None:
    at = ui.page(PAGE, "admin").run()
    at.text_input(key="products_new_0_code").input("HEADSET1")
    at.text_input(key="products_new_0_d").input("Headset USB com microfone")
    at.text_input(key="products_new_0_stock").input("1.200")  # one thousand two hundred
    _submit(at, "products_new_0")
    assert not at.error, [e.value for e in at.error]
    assert ui.scalar("SELECT stock FROM products WHERE code = 'HEADSET1'") == 1200


def test_a_bad_installments_text_is_refused_and_writes_nothing(ui: UiHarness) -> None:
    before = ui.scalar("SELECT count(*) FROM payment_conditions")
    at = ui.page(PAGE, "admin").run()
    at.text_input(key="payment_conditions_new_0_code").input("XX")
    at.text_input(key="payment_conditions_new_0_d").input("Parcelas erradas")
    at.text_input(key="payment_conditions_new_0_days").input("trinta")
    _submit(at, "payment_conditions_new_0")
    assert at.error, texts(at)
    assert ui.scalar("SELECT count(*) FROM payment_conditions") == before


def test_an_operator_is_refused(ui: UiHarness) -> None:
    at = ui.page(PAGE, "bruno").run()
    assert any("Acesso negado" in error.value for error in at.error)
    assert not at.dataframe
