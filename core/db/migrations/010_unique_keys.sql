-- Uniqueness the database enforces: the services' own checks read, then insert, so two users
-- at once could both pass them (20 registrations of one CPF made 8 entities). With these keys
-- the loser's unit of work fails, is retried, sees the winner's row and refuses in pt-BR.
--
-- A file written before these keys may already hold duplicates (from exactly that race): the
-- migration then stops with the entity codes / titles to fix, instead of picking a survivor
-- itself (attendances, orders and payments point at either one). Codes only: no documents in
-- a log.
SELECT error(
    'Migração 010: ' || max(total) || ' CPF/CNPJ cadastrado(s) em mais de uma entidade'
    || ' (códigos das entidades: ' || string_agg(codes, '; ') || ').'
    || ' Corrija ou anonimize as duplicadas e inicie o sistema de novo.'
)
FROM (
    SELECT string_agg(id::VARCHAR, ', ' ORDER BY id) AS codes, count(*) OVER () AS total
    FROM entities
    WHERE document IS NOT NULL
    GROUP BY document
    HAVING count(*) > 1
    ORDER BY min(id)
    LIMIT 10
) AS duplicated
HAVING count(*) > 0;

SELECT error(
    'Migração 010: ' || max(total) || ' título(s) repetido(s) no contas a receber'
    || ' (prefixo número/parcela tipo: ' || string_agg(title, '; ') || ').'
    || ' Corrija os duplicados e inicie o sistema de novo.'
)
FROM (
    SELECT prefix || ' ' || number || '/' || installment || ' ' || type AS title,
        count(*) OVER () AS total
    FROM receivables
    GROUP BY prefix, number, installment, type
    HAVING count(*) > 1
    ORDER BY prefix, number, installment, type
    LIMIT 10
) AS duplicated
HAVING count(*) > 0;

-- NULLs never clash: prospects may have no document, and the LGPD anonymisation clears it.
-- The unique index also serves the CPF/CNPJ lookups the plain one served.
DROP INDEX entities_document_idx;
CREATE UNIQUE INDEX entities_document_key ON entities (document);

CREATE UNIQUE INDEX receivables_title_key ON receivables (prefix, number, installment, type);
