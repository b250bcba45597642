-- Rows the application wrote can be told from rows typed straight into the file: every audit
-- row carries `mac`, an HMAC-SHA256 over its id and content (data subjects included) with the
-- per-install audit key, which lives in the git-ignored secrets file, never in this database
-- (core/audit_key.py). The sealer chains only rows whose MAC checks; the verification reports
-- the others as written outside the application.
ALTER TABLE audit_log ADD COLUMN mac VARCHAR;

-- A buffered view's id in the local journal (core/audit.py), so a journal replayed after a
-- crash never writes a view twice.
ALTER TABLE audit_log ADD COLUMN view_key VARCHAR;

-- Rows written before this migration have no MAC and this runner has no key to give them one.
-- The first seal after the upgrade chains them as before (the chain alone protects them), then
-- writes one authenticated row, "auditoria.autenticacao_iniciada", naming the last sequence
-- number sealed without MACs; from there on every row needs its MAC. A fresh install records 0
-- here and writes no such row.
ALTER TABLE audit_chain ADD COLUMN unauthenticated_up_to_id BIGINT DEFAULT 0;
UPDATE audit_chain SET unauthenticated_up_to_id = (SELECT coalesce(max(id), 0) FROM audit_log);
