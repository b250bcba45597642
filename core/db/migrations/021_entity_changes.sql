-- Which transaction last wrote each entity, for the name search's in-memory copy on
-- PostgreSQL (core/entity_names.py): there a trigger (022) fills it and a catch-up reads only
-- the rows written since it last looked, through an index. DuckDB leaves it empty: its
-- catch-up compares (id, version) columns, a scan it does in milliseconds.
ALTER TABLE entities ADD COLUMN changed_xact BIGINT;
