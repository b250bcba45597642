-- A tamper-evident audit log. audit_log itself is only ever INSERTed into; a sealer
-- (core/audit.py) chains the new rows into audit_seals: a gapless seq (1, 2, 3 …), the previous
-- row's hash and the row's own hash over its content and that previous hash. audit_chain holds
-- the head (the last seq and hash), so a deleted tail is noticed too. Rows written before this
-- migration are sealed first, in id order.
CREATE TABLE audit_seals (
    audit_id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    prev_hash VARCHAR NOT NULL,
    row_hash VARCHAR NOT NULL
);

CREATE TABLE audit_chain (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    last_hash VARCHAR NOT NULL,
    last_audit_id BIGINT NOT NULL  -- the highest audit_log id sealed so far
);
INSERT INTO audit_chain VALUES
    (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', 0);

-- The data subjects whose protected data an audited view showed unmasked: what "quem pode ter
-- visto os dados deste titular" reads. Part of the row's hash (see core/audit.py).
-- Every audited view writes here, so only the index the report needs is kept (each index costs
-- a little on every insert; core writes each audit row's subjects once, as a set).
CREATE TABLE audit_subjects (
    audit_id BIGINT NOT NULL,
    entity_id BIGINT NOT NULL
);
CREATE INDEX audit_subjects_entity_idx ON audit_subjects (entity_id);
