"""Televendas [SUA/SUB]: quote -> sales order -> invoice, with price tables, payment
conditions, stock, MV_ALTPED and the receivable titles invoicing creates.

rules.py is pure (money, totals, installments); service.py saves, converts, invoices and
cancels; maintenance.py is the list and its export; catalogue.py products, price tables and
payment conditions.
"""
