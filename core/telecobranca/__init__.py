"""Telecobrança [ACF/ACG; SK0/SK1/SK2]: the receivables ledger, overdue ranges, the next-debtor
queue with its atomic reservation, per-title outcomes, promises to pay and renegotiation.

rules.py is pure (ranges, late charges, payment split, renegotiation); setup.py the ranges,
their wiring to groups and the negotiation rules; queue.py the live queue; taking.py
"Próximo devedor" and reservations; outcomes.py what a call records and how it ends;
attendance.py reading and the broken-promise sweep; ledger.py the financial position;
importer.py the CSV import; maintenance.py the list, its export and the collector's balance.
The names a page needs are re-exported here.
"""

from core.telecobranca.attendance import (
    ORIGIN_LABELS,
    OUTCOME_LABELS,
    PROMISE_STATUS_LABELS,
    SOURCE,
    STATUS_COLOURS,
    STATUS_LABELS,
    TITLE_STATUS_LABELS,
    CollectionAttendance,
    NextDebtor,
    Title,
    get_attendance,
)
from core.telecobranca.importer import SAMPLE, ImportReport, import_receivables
from core.telecobranca.ledger import (
    DEBTOR_STATES,
    Position,
    financial_position,
    list_debtors,
    queue_overview,
    titles_frame,
)
from core.telecobranca.maintenance import (
    BALANCE_LABELS,
    COLUMN_LABELS,
    AttendanceFilter,
    collector_balance,
    collector_choices,
    export_attendances_csv,
    list_attendances,
)
from core.telecobranca.outcomes import (
    finish_attendance,
    grant_rebate,
    record_payment,
    record_promise,
    renegotiate_titles,
    send_to_protest,
    write_off,
)
from core.telecobranca.rules import NegotiationRules
from core.telecobranca.setup import (
    GroupCollection,
    RangeInput,
    group_settings,
    list_ranges,
    save_group_settings,
    save_range,
)
from core.telecobranca.taking import next_debtor, take_debtor

__all__ = [
    "BALANCE_LABELS",
    "COLUMN_LABELS",
    "DEBTOR_STATES",
    "ORIGIN_LABELS",
    "OUTCOME_LABELS",
    "PROMISE_STATUS_LABELS",
    "SAMPLE",
    "SOURCE",
    "STATUS_COLOURS",
    "STATUS_LABELS",
    "TITLE_STATUS_LABELS",
    "AttendanceFilter",
    "CollectionAttendance",
    "GroupCollection",
    "ImportReport",
    "NegotiationRules",
    "NextDebtor",
    "Position",
    "RangeInput",
    "Title",
    "collector_balance",
    "collector_choices",
    "export_attendances_csv",
    "financial_position",
    "finish_attendance",
    "get_attendance",
    "grant_rebate",
    "group_settings",
    "import_receivables",
    "list_attendances",
    "list_debtors",
    "list_ranges",
    "next_debtor",
    "queue_overview",
    "record_payment",
    "record_promise",
    "renegotiate_titles",
    "save_group_settings",
    "save_range",
    "send_to_protest",
    "take_debtor",
    "titles_frame",
    "write_off",
]  # fmt: skip
