-- Catalogues used by the attendance forms: occurrences [SU9], actions [SUQ], closing reasons
-- [SUN], cancellation reasons, media [SUH] and campaigns [SUO] share one table; the columns
-- that only some catalogues use stay NULL for the others. Inactive entries cannot be chosen,
-- but old records keep pointing at them.
CREATE SEQUENCE catalogue_items_seq;
CREATE TABLE catalogue_items (
    id BIGINT PRIMARY KEY DEFAULT nextval('catalogue_items_seq'),
    catalogue VARCHAR NOT NULL CHECK (catalogue IN
        ('ocorrencia', 'acao', 'motivo_encerramento', 'motivo_cancelamento', 'midia', 'campanha')),
    code VARCHAR NOT NULL,
    description VARCHAR NOT NULL,
    routine VARCHAR,       -- occurrences: the routine they belong to
    subject VARCHAR,       -- occurrences: the subject (assunto) they detail
    starts_on DATE,        -- campaigns
    ends_on DATE,          -- campaigns
    active BOOLEAN NOT NULL DEFAULT TRUE,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (catalogue, code)
);

-- Telemarketing attendances [SUC] and their items [SUD].
CREATE SEQUENCE tmk_attendances_seq;
CREATE TABLE tmk_attendances (
    id BIGINT PRIMARY KEY DEFAULT nextval('tmk_attendances_seq'),
    entity_id BIGINT NOT NULL,
    contact_id BIGINT,
    user_id BIGINT NOT NULL,
    operator_id BIGINT NOT NULL,
    group_id BIGINT NOT NULL,
    call_id BIGINT,
    direction VARCHAR NOT NULL CHECK (direction IN ('ativo', 'receptivo')),
    media_id BIGINT,
    campaign_id BIGINT,
    status VARCHAR NOT NULL CHECK (status IN ('planejado', 'pendente', 'encerrado', 'cancelado')),
    started_at TIMESTAMPTZ NOT NULL,
    ended_at TIMESTAMPTZ,
    return_at TIMESTAMPTZ,
    closing_reason_id BIGINT,
    closing_text VARCHAR,
    closed_at TIMESTAMPTZ,
    cancellation_reason_id BIGINT,
    cancelled_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX tmk_attendances_started_idx ON tmk_attendances (started_at);
CREATE INDEX tmk_attendances_status_idx ON tmk_attendances (status, started_at);
CREATE INDEX tmk_attendances_entity_idx ON tmk_attendances (entity_id);

CREATE SEQUENCE tmk_items_seq;
CREATE TABLE tmk_items (
    id BIGINT PRIMARY KEY DEFAULT nextval('tmk_items_seq'),
    attendance_id BIGINT NOT NULL,
    line INTEGER NOT NULL,
    occurrence_id BIGINT NOT NULL,   -- carries the subject
    action_id BIGINT,
    product_code VARCHAR,
    status VARCHAR NOT NULL CHECK (status IN ('pendente', 'encerrado')),
    notes VARCHAR NOT NULL DEFAULT '',
    execute_on DATE,
    UNIQUE (attendance_id, line)
);

-- The operator's agenda: follow-ups of every routine (returns now; quotes and payment
-- promises later), each with a time window. "Próxima ligação" is the earliest open one.
CREATE SEQUENCE agenda_items_seq;
CREATE TABLE agenda_items (
    id BIGINT PRIMARY KEY DEFAULT nextval('agenda_items_seq'),
    user_id BIGINT NOT NULL,
    routine VARCHAR NOT NULL,
    source_type VARCHAR NOT NULL,
    source_id BIGINT NOT NULL,
    entity_id BIGINT NOT NULL,
    due_from TIMESTAMPTZ NOT NULL,
    due_until TIMESTAMPTZ NOT NULL,
    status VARCHAR NOT NULL CHECK (status IN ('aberto', 'concluido', 'cancelado')),
    note VARCHAR NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX agenda_items_user_due_idx ON agenda_items (user_id, status, due_from);
