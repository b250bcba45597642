-- Telecobrança: selection rules (overdue ranges) [SK1/SK0], their wiring to groups, the groups'
-- negotiation rules [SK2], the collection attendance [ACF] with its portfolio of titles and
-- per-title outcomes [ACG], promises to pay, renegotiations, and the next-debtor reservation.
-- No FOREIGN KEYs (see 001): core checks references.

-- Cumulative overdue ranges by order: a range starts one day after the previous active one
-- ends (the first at 1 day) and ends at max_days (NULL: no upper bound). title_types limits
-- the titles a range looks at (empty: every type).
CREATE SEQUENCE collection_ranges_seq;
CREATE TABLE collection_ranges (
    id BIGINT PRIMARY KEY DEFAULT nextval('collection_ranges_seq'),
    code VARCHAR NOT NULL UNIQUE,
    description VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    max_days INTEGER CHECK (max_days IS NULL OR max_days >= 1),
    title_types VARCHAR[] NOT NULL DEFAULT ARRAY[]::VARCHAR[],
    active BOOLEAN NOT NULL DEFAULT TRUE,
    version INTEGER NOT NULL DEFAULT 1
);

-- Which ranges a group's collectors work.
CREATE TABLE group_collection_ranges (
    group_id BIGINT NOT NULL,
    range_id BIGINT NOT NULL,
    PRIMARY KEY (group_id, range_id)
);

-- A group's negotiation limits; a group without a row negotiates nothing (0 days, 0 %).
CREATE TABLE group_negotiation_rules (
    group_id BIGINT PRIMARY KEY,
    max_postpone_days INTEGER NOT NULL DEFAULT 0 CHECK (max_postpone_days >= 0),
    max_principal_discount_pct DECIMAL(5, 2) NOT NULL DEFAULT 0,
    max_charges_discount_pct DECIMAL(5, 2) NOT NULL DEFAULT 0,
    max_installments INTEGER NOT NULL DEFAULT 1 CHECK (max_installments >= 1),
    version INTEGER NOT NULL DEFAULT 1
);

-- One collection attendance. portfolio_amount is the overdue balance handed to the collector
-- when the attendance began ("enviado" in the collector's balance); not_done_amount what was
-- left of it when the attendance ended ("não realizado").
CREATE SEQUENCE tlc_attendances_seq;
CREATE TABLE tlc_attendances (
    id BIGINT PRIMARY KEY DEFAULT nextval('tlc_attendances_seq'),
    entity_id BIGINT NOT NULL,
    contact_id BIGINT,
    user_id BIGINT NOT NULL,
    operator_id BIGINT NOT NULL,
    group_id BIGINT NOT NULL,
    call_id BIGINT,
    range_id BIGINT,
    origin VARCHAR NOT NULL,  -- how the collector got the debtor: fila, quebra, agenda, manual
    status VARCHAR NOT NULL CHECK (status IN ('atendimento', 'cobranca', 'encerrado', 'cancelado')),
    portfolio_amount DECIMAL(14, 2) NOT NULL DEFAULT 0,
    not_done_amount DECIMAL(14, 2),
    notes VARCHAR NOT NULL DEFAULT '',
    started_at TIMESTAMPTZ NOT NULL,
    ended_at TIMESTAMPTZ,
    closing_reason_id BIGINT,
    closing_text VARCHAR,
    closed_at TIMESTAMPTZ,
    cancellation_reason_id BIGINT,
    cancelled_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX tlc_attendances_started_idx ON tlc_attendances (started_at);
CREATE INDEX tlc_attendances_entity_idx ON tlc_attendances (entity_id, status);
CREATE INDEX tlc_attendances_user_idx ON tlc_attendances (user_id, status);

-- The titles an attendance works: the debtor's overdue titles when it began.
CREATE TABLE tlc_attendance_titles (
    attendance_id BIGINT NOT NULL,
    receivable_id BIGINT NOT NULL,
    balance_at_start DECIMAL(14, 2) NOT NULL,
    PRIMARY KEY (attendance_id, receivable_id)
);
CREATE INDEX tlc_attendance_titles_receivable_idx ON tlc_attendance_titles (receivable_id);

-- A promise to pay one or more titles by a date.
CREATE SEQUENCE tlc_promises_seq;
CREATE TABLE tlc_promises (
    id BIGINT PRIMARY KEY DEFAULT nextval('tlc_promises_seq'),
    attendance_id BIGINT NOT NULL,
    entity_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    promised_on DATE NOT NULL,
    amount DECIMAL(14, 2) NOT NULL CHECK (amount > 0),
    paid_amount DECIMAL(14, 2) NOT NULL DEFAULT 0,
    status VARCHAR NOT NULL CHECK (status IN ('pendente', 'cumprida', 'quebrada', 'cancelada')),
    requeued BOOLEAN NOT NULL DEFAULT FALSE,  -- broken and not yet taken again: queue priority
    created_at TIMESTAMPTZ NOT NULL,
    settled_at TIMESTAMPTZ,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX tlc_promises_status_idx ON tlc_promises (status, promised_on);
CREATE INDEX tlc_promises_entity_idx ON tlc_promises (entity_id, status);
CREATE TABLE tlc_promise_titles (
    promise_id BIGINT NOT NULL,
    receivable_id BIGINT NOT NULL,
    PRIMARY KEY (promise_id, receivable_id)
);
CREATE INDEX tlc_promise_titles_receivable_idx ON tlc_promise_titles (receivable_id);

-- A renegotiation: titles replaced by new installments (prefix REN).
CREATE SEQUENCE tlc_renegotiations_seq;
CREATE TABLE tlc_renegotiations (
    id BIGINT PRIMARY KEY DEFAULT nextval('tlc_renegotiations_seq'),
    attendance_id BIGINT NOT NULL,
    entity_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    principal DECIMAL(14, 2) NOT NULL,
    charges DECIMAL(14, 2) NOT NULL,
    principal_discount DECIMAL(14, 2) NOT NULL,
    charges_discount DECIMAL(14, 2) NOT NULL,
    total DECIMAL(14, 2) NOT NULL,
    installments INTEGER NOT NULL,
    first_due DATE NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- Every outcome recorded on a title [ACG]. principal: how much of the title's balance the
-- outcome removed (payment, rebate, write-off, renegotiation); charges: late charges received.
CREATE SEQUENCE tlc_outcomes_seq;
CREATE TABLE tlc_outcomes (
    id BIGINT PRIMARY KEY DEFAULT nextval('tlc_outcomes_seq'),
    attendance_id BIGINT,
    receivable_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    outcome VARCHAR NOT NULL
        CHECK (outcome IN ('pago', 'negociado', 'renegociado', 'cartorio', 'baixa', 'abatimento')),
    amount DECIMAL(14, 2) NOT NULL DEFAULT 0,
    principal DECIMAL(14, 2) NOT NULL DEFAULT 0,
    charges DECIMAL(14, 2) NOT NULL DEFAULT 0,
    promise_id BIGINT,
    renegotiation_id BIGINT,
    note VARCHAR NOT NULL DEFAULT '',
    occurred_on DATE NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX tlc_outcomes_attendance_idx ON tlc_outcomes (attendance_id);
CREATE INDEX tlc_outcomes_receivable_idx ON tlc_outcomes (receivable_id);

-- The next-debtor reservation: the primary key is the lock, so two collectors can never hold
-- the same customer; an expired row may be taken over.
CREATE TABLE collection_reservations (
    entity_id BIGINT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    attendance_id BIGINT NOT NULL,
    reserved_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

-- Late charges run from charges_from (the date the last payment settled them; NULL: from the
-- due date, fine still owed). renegotiation_id: the renegotiation that issued the title.
ALTER TABLE receivables ADD COLUMN charges_from DATE;
ALTER TABLE receivables ADD COLUMN renegotiation_id BIGINT;
CREATE INDEX receivables_overdue_idx ON receivables (status, due_date);

INSERT INTO parameters (name, kind, value, description) VALUES
    ('MV_TLCMULT', 'numero', '2',
     'Telecobrança: multa por atraso, em % do saldo do título (até 2 % pelo CDC).'),
    ('MV_TLCJURO', 'numero', '1',
     'Telecobrança: juros de mora, em % ao mês, calculados pro rata die.'),
    ('MV_TLCSALD', 'sim_nao', 'N',
     'Telecobrança: próximo devedor pelo maior saldo vencido (S) ou pelo título mais antigo (N).'),
    ('MV_TLCRESV', 'numero', '30',
     'Telecobrança: minutos que um devedor fica reservado ao cobrador sem atividade.');
