-- What the operator did in a call: every attendance saved, converted, invoiced, finished or
-- cancelled while it ran, with the status it was left in. The call's result is written from
-- these rows when the operator ends it ("Encerrar ligação"), so one call that quoted, converted
-- and invoiced an order records "Faturado", not the last button pressed.
CREATE TABLE call_records (
    call_id BIGINT NOT NULL,
    routine VARCHAR NOT NULL,
    record_id BIGINT NOT NULL,
    status VARCHAR NOT NULL,
    worked_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (call_id, routine, record_id)
);
