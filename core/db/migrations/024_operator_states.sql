-- Operator states beyond "on a call": wrap-up after a call (pós-atendimento, up to the group's
-- maximum) and pauses with a reason from a catalogue (each with its maximum and whether it
-- counts as productive time). Every change is a row of operator_state_log with its times; the
-- open row of each operator is the one operator_states points to (its key makes it one).
ALTER TABLE attendance_groups ADD COLUMN wrapup_seconds INTEGER DEFAULT 60;
UPDATE attendance_groups SET wrapup_seconds = 60;

CREATE SEQUENCE pause_reasons_seq;
CREATE TABLE pause_reasons (
    id BIGINT PRIMARY KEY DEFAULT nextval('pause_reasons_seq'),
    name VARCHAR NOT NULL UNIQUE,
    max_seconds INTEGER NOT NULL CHECK (max_seconds > 0),
    productive BOOLEAN NOT NULL DEFAULT FALSE,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    version INTEGER NOT NULL DEFAULT 1
);
INSERT INTO pause_reasons (name, max_seconds, productive) VALUES
    ('Café', 600, FALSE),
    ('Almoço', 3600, FALSE),
    ('Banheiro', 300, FALSE),
    ('Treinamento', 3600, TRUE),
    ('Feedback', 900, TRUE);

CREATE SEQUENCE operator_state_log_seq;
CREATE TABLE operator_state_log (
    id BIGINT PRIMARY KEY DEFAULT nextval('operator_state_log_seq'),
    user_id BIGINT NOT NULL,
    state VARCHAR NOT NULL
        CHECK (state IN ('disponivel', 'em_ligacao', 'pos_atendimento', 'pausa', 'desconectado')),
    pause_reason_id BIGINT,
    started_at TIMESTAMPTZ NOT NULL,
    ended_at TIMESTAMPTZ
);
CREATE INDEX operator_state_log_user_idx ON operator_state_log (user_id, started_at);
CREATE INDEX operator_state_log_started_idx ON operator_state_log (started_at);

CREATE TABLE operator_states (
    user_id BIGINT PRIMARY KEY,
    log_id BIGINT NOT NULL,
    state VARCHAR NOT NULL,
    pause_reason_id BIGINT,
    since TIMESTAMPTZ NOT NULL
);
