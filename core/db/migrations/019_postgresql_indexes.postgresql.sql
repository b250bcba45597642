-- PostgreSQL only: the wallboard's "today" and "this month" counts filter these timestamps;
-- without an index PostgreSQL scans the table (docs/performance.md, EXPLAIN ANALYZE at scale
-- S), where DuckDB's zone maps skip the row groups out of range on their own.
CREATE INDEX calls_started_idx ON calls (started_at);
CREATE INDEX tlv_orders_invoiced_idx ON tlv_orders (invoiced_at);
CREATE INDEX tlc_outcomes_created_idx ON tlc_outcomes (created_at);
-- The audit check and sealer read each row's data subjects with a correlated subquery that
-- PostgreSQL runs row by row: 824 ms per 2,000 rows without this index, 3.9 ms with it.
CREATE INDEX audit_subjects_audit_idx ON audit_subjects (audit_id);
