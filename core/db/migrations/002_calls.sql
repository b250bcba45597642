-- Calls: selecting a contact/customer starts one; the start lives here (not in the browser) so
-- the timer survives a reload and supervisors can read it.
CREATE SEQUENCE calls_seq;
CREATE TABLE calls (
    id BIGINT PRIMARY KEY DEFAULT nextval('calls_seq'),
    user_id BIGINT NOT NULL,
    operator_id BIGINT NOT NULL,
    group_id BIGINT NOT NULL,
    routine VARCHAR NOT NULL CHECK (routine IN ('telemarketing', 'televendas', 'telecobranca')),
    entity_id BIGINT NOT NULL,
    contact_id BIGINT,
    started_at TIMESTAMPTZ NOT NULL,
    ended_at TIMESTAMPTZ,
    result VARCHAR
);
CREATE INDEX calls_user_started_idx ON calls (user_id, started_at);

-- At most one open call per operator: the primary key is the lock, so two clicks racing
-- cannot both start a call.
CREATE TABLE open_calls (
    user_id BIGINT PRIMARY KEY,
    call_id BIGINT NOT NULL
);
