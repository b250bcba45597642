-- Outbound campaigns (ativo) with call lists: a campaign has a routine, a period, the groups
-- that work it and its retry rules; its lists hold the entities to call, one entry per entity
-- per campaign (the key). "Próximo contato" reserves an entry for an operator; every attempt
-- ends with a disposition from the catalogue, which decides whether and when to call again.
ALTER TABLE entities ADD COLUMN do_not_call BOOLEAN DEFAULT FALSE;
UPDATE entities SET do_not_call = FALSE;

CREATE SEQUENCE campaigns_seq;
CREATE TABLE campaigns (
    id BIGINT PRIMARY KEY DEFAULT nextval('campaigns_seq'),
    name VARCHAR NOT NULL UNIQUE,
    routine VARCHAR NOT NULL CHECK (routine IN ('telemarketing', 'televendas', 'telecobranca')),
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    max_attempts INTEGER NOT NULL CHECK (max_attempts BETWEEN 1 AND 20),
    retry_minutes INTEGER NOT NULL CHECK (retry_minutes BETWEEN 1 AND 10080),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE campaign_groups (
    campaign_id BIGINT NOT NULL,
    group_id BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, group_id)
);

CREATE SEQUENCE call_lists_seq;
CREATE TABLE call_lists (
    id BIGINT PRIMARY KEY DEFAULT nextval('call_lists_seq'),
    campaign_id BIGINT NOT NULL,
    name VARCHAR NOT NULL,
    source VARCHAR NOT NULL,  -- 'arquivo' or the filter that built it
    entries INTEGER NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    user_id BIGINT NOT NULL
);

-- status: pendente (to call from next_at on), reservado (an operator has it until
-- reserved_until), agendado (a callback for reserved_by at next_at), concluido (contacted to an
-- end), esgotado (max_attempts without a final answer).
CREATE SEQUENCE call_list_entries_seq;
CREATE TABLE call_list_entries (
    id BIGINT PRIMARY KEY DEFAULT nextval('call_list_entries_seq'),
    campaign_id BIGINT NOT NULL,
    list_id BIGINT NOT NULL,
    entity_id BIGINT NOT NULL,
    status VARCHAR NOT NULL
        CHECK (status IN ('pendente', 'reservado', 'agendado', 'concluido', 'esgotado')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at TIMESTAMPTZ NOT NULL,
    best_from SMALLINT,  -- local hour the person prefers to be called from (0-23)
    best_until SMALLINT, -- ... and until (exclusive)
    reserved_by BIGINT,
    reserved_until TIMESTAMPTZ,
    last_disposition VARCHAR,
    UNIQUE (campaign_id, entity_id)
);
CREATE INDEX call_list_entries_next_idx ON call_list_entries (campaign_id, status, next_at);

CREATE TABLE dispositions (
    code VARCHAR PRIMARY KEY,
    label VARCHAR NOT NULL,
    contacted BOOLEAN NOT NULL,  -- someone answered
    success BOOLEAN NOT NULL,    -- a sale, an agreement: the campaign's goal
    outcome VARCHAR NOT NULL CHECK (outcome IN ('concluir', 'tentar_de_novo', 'agendar')),
    position INTEGER NOT NULL
);
INSERT INTO dispositions (code, label, contacted, success, outcome, position) VALUES
    ('atendeu', 'Atendeu', TRUE, FALSE, 'concluir', 1),
    ('venda_acordo', 'Venda / acordo', TRUE, TRUE, 'concluir', 2),
    ('agendado', 'Agendado (retornar)', TRUE, FALSE, 'agendar', 3),
    ('recusou', 'Recusou', TRUE, FALSE, 'concluir', 4),
    ('nao_atende', 'Não atende', FALSE, FALSE, 'tentar_de_novo', 5),
    ('ocupado', 'Ocupado', FALSE, FALSE, 'tentar_de_novo', 6),
    ('numero_errado', 'Número errado', FALSE, FALSE, 'concluir', 7);

CREATE SEQUENCE contact_attempts_seq;
CREATE TABLE contact_attempts (
    id BIGINT PRIMARY KEY DEFAULT nextval('contact_attempts_seq'),
    entry_id BIGINT NOT NULL,
    campaign_id BIGINT NOT NULL,
    entity_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    call_id BIGINT,
    disposition VARCHAR NOT NULL,
    callback_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX contact_attempts_campaign_idx ON contact_attempts (campaign_id, created_at);
