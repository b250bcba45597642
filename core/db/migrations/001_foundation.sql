-- Foundation: users and accesses, operators and groups, parameters, entities, privacy, audit.
-- No FOREIGN KEY constraints: DuckDB refuses any UPDATE of a row that another table
-- references, which would forbid editing a referenced user or group. Core checks references.

CREATE SEQUENCE users_seq;
CREATE TABLE users (
    id BIGINT PRIMARY KEY DEFAULT nextval('users_seq'),
    username VARCHAR NOT NULL UNIQUE,
    name VARCHAR NOT NULL,
    email VARCHAR,
    password_hash VARCHAR NOT NULL,
    is_admin BOOLEAN NOT NULL DEFAULT FALSE,
    personal_access BOOLEAN NOT NULL DEFAULT FALSE,   -- access 192, granted directly
    sensitive_access BOOLEAN NOT NULL DEFAULT FALSE,  -- access 193, granted directly
    active BOOLEAN NOT NULL DEFAULT TRUE,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMPTZ,
    -- Login cookies issued before this instant are refused (logout, password change,
    -- deactivation): the cookie itself cannot be revoked in the browser.
    sessions_valid_after TIMESTAMPTZ NOT NULL,
    last_login_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

-- User groups (perfis): accesses 192/193 granted to everyone in the group.
CREATE SEQUENCE profiles_seq;
CREATE TABLE profiles (
    id BIGINT PRIMARY KEY DEFAULT nextval('profiles_seq'),
    name VARCHAR NOT NULL UNIQUE,
    description VARCHAR NOT NULL DEFAULT '',
    personal_access BOOLEAN NOT NULL DEFAULT FALSE,
    sensitive_access BOOLEAN NOT NULL DEFAULT FALSE,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE user_profiles (
    user_id BIGINT NOT NULL,
    profile_id BIGINT NOT NULL,
    PRIMARY KEY (user_id, profile_id)
);

-- Attendance groups [SU0].
CREATE SEQUENCE attendance_groups_seq;
CREATE TABLE attendance_groups (
    id BIGINT PRIMARY KEY DEFAULT nextval('attendance_groups_seq'),
    name VARCHAR NOT NULL UNIQUE,
    direction VARCHAR NOT NULL CHECK (direction IN ('ativo', 'receptivo', 'ambos')),
    ideal_seconds INTEGER NOT NULL CHECK (ideal_seconds > 0),
    max_discount_pct DECIMAL(5, 2) NOT NULL DEFAULT 0,
    parent_id BIGINT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    version INTEGER NOT NULL DEFAULT 1
);

-- Operators [SU7]: one per login user.
CREATE SEQUENCE operators_seq;
CREATE TABLE operators (
    id BIGINT PRIMARY KEY DEFAULT nextval('operators_seq'),
    code VARCHAR NOT NULL UNIQUE,
    user_id BIGINT NOT NULL UNIQUE,
    role VARCHAR NOT NULL CHECK (role IN ('operador', 'supervisor')),
    main_group_id BIGINT NOT NULL,
    telemarketing BOOLEAN NOT NULL DEFAULT FALSE,
    televendas BOOLEAN NOT NULL DEFAULT FALSE,
    telecobranca BOOLEAN NOT NULL DEFAULT FALSE,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    version INTEGER NOT NULL DEFAULT 1
);
-- Extra groups an operator may switch to (the main group is not repeated here).
CREATE TABLE operator_groups (
    operator_id BIGINT NOT NULL,
    group_id BIGINT NOT NULL,
    PRIMARY KEY (operator_id, group_id)
);

-- One operator, one station: the browser holding the operator, renewed by heartbeats.
CREATE TABLE station_leases (
    user_id BIGINT PRIMARY KEY,
    station_id VARCHAR NOT NULL,
    claimed_at TIMESTAMPTZ NOT NULL,
    heartbeat_at TIMESTAMPTZ NOT NULL
);

-- Named parameters [SX6]; the original names are kept because admins search for them.
CREATE TABLE parameters (
    name VARCHAR PRIMARY KEY,
    kind VARCHAR NOT NULL CHECK (kind IN ('sim_nao', 'numero', 'texto')),
    value VARCHAR NOT NULL,
    description VARCHAR NOT NULL,
    updated_at TIMESTAMPTZ,
    updated_by VARCHAR,
    version INTEGER NOT NULL DEFAULT 1
);
INSERT INTO parameters (name, kind, value, description) VALUES
    ('MV_ALTPED', 'sim_nao', 'N',
     'Permite alterar pedidos de venda gerados pelo Call Center depois de faturados (S/N).');

-- Customers [SA1] and prospects [SUS] share one table: a prospect becomes a customer in place.
-- Documents and phones are stored as digits only; search_name is lower-case without accents.
CREATE SEQUENCE entities_seq;
CREATE TABLE entities (
    id BIGINT PRIMARY KEY DEFAULT nextval('entities_seq'),
    kind VARCHAR NOT NULL CHECK (kind IN ('cliente', 'prospect')),
    person_type VARCHAR NOT NULL CHECK (person_type IN ('F', 'J')),
    name VARCHAR NOT NULL,
    search_name VARCHAR NOT NULL,
    trade_name VARCHAR NOT NULL DEFAULT '',
    document VARCHAR,
    phone VARCHAR,
    mobile VARCHAR,
    email VARCHAR,
    street VARCHAR,
    street_number VARCHAR,
    district VARCHAR,
    city VARCHAR,
    state VARCHAR,
    zip_code VARCHAR,
    birth_date DATE,
    sensitive_note VARCHAR,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX entities_document_idx ON entities (document);
CREATE INDEX entities_search_name_idx ON entities (search_name);

-- Contacts [SU5], linked to one or more entities [AC8].
CREATE SEQUENCE contacts_seq;
CREATE TABLE contacts (
    id BIGINT PRIMARY KEY DEFAULT nextval('contacts_seq'),
    name VARCHAR NOT NULL,
    search_name VARCHAR NOT NULL,
    job_title VARCHAR NOT NULL DEFAULT '',
    document VARCHAR,
    phone VARCHAR,
    mobile VARCHAR,
    email VARCHAR,
    birth_date DATE,
    sensitive_note VARCHAR,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE entity_contacts (
    entity_id BIGINT NOT NULL,
    contact_id BIGINT NOT NULL,
    PRIMARY KEY (entity_id, contact_id)
);

-- LGPD data dictionary: which columns hold personal (192) or sensitive (193) data.
-- Masking reads this table on every request, so a change applies at once.
CREATE TABLE data_dictionary (
    table_name VARCHAR NOT NULL,
    column_name VARCHAR NOT NULL,
    classification VARCHAR NOT NULL CHECK (classification IN ('pessoal', 'sensivel', 'nenhum')),
    justification VARCHAR NOT NULL,
    in_use BOOLEAN NOT NULL DEFAULT TRUE,
    PRIMARY KEY (table_name, column_name)
);
INSERT INTO data_dictionary (table_name, column_name, classification, justification) VALUES
    ('entities', 'document', 'pessoal', 'CPF/CNPJ identifica o titular.'),
    ('entities', 'phone', 'pessoal', 'Telefone de contato do titular.'),
    ('entities', 'mobile', 'pessoal', 'Celular do titular.'),
    ('entities', 'email', 'pessoal', 'E-mail do titular.'),
    ('entities', 'street', 'pessoal', 'Endereço residencial ou comercial.'),
    ('entities', 'street_number', 'pessoal', 'Número do endereço.'),
    ('entities', 'district', 'pessoal', 'Bairro do endereço.'),
    ('entities', 'zip_code', 'pessoal', 'CEP localiza o titular.'),
    ('entities', 'birth_date', 'pessoal', 'Data de nascimento do titular.'),
    ('entities', 'sensitive_note', 'sensivel', 'Anotações do SAC que podem conter saúde ou filiação sindical.'),
    ('contacts', 'document', 'pessoal', 'CPF do contato.'),
    ('contacts', 'phone', 'pessoal', 'Telefone do contato.'),
    ('contacts', 'mobile', 'pessoal', 'Celular do contato.'),
    ('contacts', 'email', 'pessoal', 'E-mail do contato.'),
    ('contacts', 'birth_date', 'pessoal', 'Data de nascimento do contato.'),
    ('contacts', 'sensitive_note', 'sensivel', 'Anotações sensíveis sobre o contato.'),
    ('users', 'email', 'pessoal', 'E-mail do usuário do sistema.');

-- Append-only audit log. The application only ever INSERTs here.
CREATE SEQUENCE audit_log_seq;
CREATE TABLE audit_log (
    id BIGINT PRIMARY KEY DEFAULT nextval('audit_log_seq'),
    occurred_at TIMESTAMPTZ NOT NULL,
    user_id BIGINT,
    username VARCHAR NOT NULL,
    event VARCHAR NOT NULL,
    subject_type VARCHAR NOT NULL DEFAULT '',
    subject_id VARCHAR NOT NULL DEFAULT '',
    detail VARCHAR NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_occurred_idx ON audit_log (occurred_at);
