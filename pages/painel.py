"""Painel ao vivo: the supervisor's wallboard — operators with their live call timers, the
KPIs of the three routines, charts and alerts. Only the board refreshes itself."""

from ui.guard import enter_page
from ui.supervision.wallboard import filter_bar, live_board

user, db = enter_page(__file__)

filters, interval = filter_bar(db, user)
live_board(db, user, filters, interval)
