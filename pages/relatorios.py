"""Relatórios: the management reports of the three routines [TMKR*] over a period, with a
chart each and CSV/XLSX exports (audited)."""

from ui.guard import enter_page
from ui.supervision.reports import period_picker, report_picker, report_view

user, db = enter_page(__file__)

choice = report_picker()
period = period_picker()
if period is not None:
    report_view(db, user, choice, period)
