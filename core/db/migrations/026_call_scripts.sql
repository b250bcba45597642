-- Call scripts: questions with answer types and branching, versioned (every save is a new
-- version; a call's answers keep the version they followed). A campaign may name its script.
CREATE SEQUENCE call_scripts_seq;
CREATE TABLE call_scripts (
    id BIGINT PRIMARY KEY DEFAULT nextval('call_scripts_seq'),
    name VARCHAR NOT NULL UNIQUE,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE SEQUENCE script_versions_seq;
CREATE TABLE script_versions (
    id BIGINT PRIMARY KEY DEFAULT nextval('script_versions_seq'),
    script_id BIGINT NOT NULL,
    number INTEGER NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    user_id BIGINT NOT NULL,
    UNIQUE (script_id, number)
);

-- next_position NULL: the script ends after this question. branches: JSON {answer: position}.
CREATE TABLE script_questions (
    version_id BIGINT NOT NULL,
    position INTEGER NOT NULL,
    text VARCHAR NOT NULL,
    answer_type VARCHAR NOT NULL CHECK (answer_type IN ('texto', 'escolha', 'sim_nao', 'numero')),
    choices VARCHAR NOT NULL DEFAULT '',
    next_position INTEGER,
    branches VARCHAR NOT NULL DEFAULT '{}',
    personal BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (version_id, position)
);

CREATE SEQUENCE script_answers_seq;
CREATE TABLE script_answers (
    id BIGINT PRIMARY KEY DEFAULT nextval('script_answers_seq'),
    call_id BIGINT NOT NULL,
    version_id BIGINT NOT NULL,
    position INTEGER NOT NULL,
    answer VARCHAR NOT NULL,
    user_id BIGINT NOT NULL,
    answered_at TIMESTAMPTZ NOT NULL,
    UNIQUE (call_id, position)
);

ALTER TABLE campaigns ADD COLUMN script_id BIGINT;
