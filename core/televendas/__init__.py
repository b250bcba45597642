"""Televendas [SUA/SUB]: quote -> sales order -> invoice, with price tables, payment
conditions, stock, MV_ALTPED and the receivable titles invoicing creates.

rules.py is pure (money, totals, installments); service.py saves, converts, invoices and
cancels; maintenance.py is the list and its export; catalogue.py products, price tables and
payment conditions. The names a page needs are re-exported here.
"""

from core.televendas.catalogue import (
    PaymentConditionInput,
    PriceTableInput,
    ProductInput,
    active_payment_conditions,
    current_price_tables,
    list_catalogue,
    products_for_sale,
    save_payment_condition,
    save_price_table,
    save_product,
    set_prices,
    table_prices,
)
from core.televendas.maintenance import (
    COLUMN_LABELS,
    OrderFilter,
    OrderPage,
    export_orders_csv,
    list_orders,
)
from core.televendas.service import (
    OPERATIONS,
    SOURCE,
    STATUS_COLOURS,
    STATUS_LABELS,
    ItemInput,
    Order,
    OrderInput,
    cancel_order,
    convert_quote_to_order,
    get_order,
    invoice_order,
    save_order,
)

__all__ = [
    "COLUMN_LABELS", "OPERATIONS", "SOURCE", "STATUS_COLOURS", "STATUS_LABELS", "ItemInput",
    "Order", "OrderFilter", "OrderInput", "OrderPage", "PaymentConditionInput",
    "PriceTableInput", "ProductInput", "active_payment_conditions", "cancel_order",
    "convert_quote_to_order", "current_price_tables", "export_orders_csv", "get_order",
    "invoice_order", "list_catalogue", "list_orders", "products_for_sale",
    "save_order", "save_payment_condition", "save_price_table", "save_product", "set_prices",
    "table_prices",
]  # fmt: skip
