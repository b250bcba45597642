-- A tamper-evident audit log: once sealed (core/audit.py), every row carries seq (1, 2, 3 …
-- without gaps), the hash of the row before it and its own hash over its content and that
-- previous hash. audit_chain holds the head (the last seq and hash), so a deleted tail is
-- noticed too. Rows written before this migration are sealed first, in id order.
ALTER TABLE audit_log ADD COLUMN seq BIGINT;
ALTER TABLE audit_log ADD COLUMN prev_hash VARCHAR;
ALTER TABLE audit_log ADD COLUMN row_hash VARCHAR;
CREATE UNIQUE INDEX audit_log_seq_idx ON audit_log (seq);

CREATE TABLE audit_chain (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    last_hash VARCHAR NOT NULL
);
INSERT INTO audit_chain VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- The data subjects whose protected data an audited view showed unmasked: what "quem pode ter
-- visto os dados deste titular" reads. Part of the row's hash (see core/audit.py).
CREATE TABLE audit_subjects (
    audit_id BIGINT NOT NULL,
    entity_id BIGINT NOT NULL,
    PRIMARY KEY (audit_id, entity_id)
);
CREATE INDEX audit_subjects_entity_idx ON audit_subjects (entity_id);
CREATE INDEX audit_log_user_idx ON audit_log (user_id, occurred_at);
CREATE INDEX audit_log_event_idx ON audit_log (event, occurred_at);
