"""Telecobrança [ACF/ACG; SK0/SK1/SK2]: the receivables ledger, overdue ranges, the next-debtor
queue with its atomic reservation, per-title outcomes, promises to pay and renegotiation.

rules.py is pure (ranges, late charges, payment split, renegotiation); setup.py the ranges,
their wiring to groups and the negotiation rules; queue.py the live queue; taking.py
"Próximo devedor" and reservations; outcomes.py what a call records and how it ends;
attendance.py reading and the broken-promise sweep; ledger.py the financial position;
importer.py the CSV import; maintenance.py the list, its export and the collector's balance.
"""
