-- PostgreSQL only: every insert or update of an entity records its transaction's id (see
-- 021), whoever writes it, so no writer can forget. Ids are 64-bit (xid8): they never wrap.
CREATE INDEX entities_changed_idx ON entities (changed_xact);
CREATE FUNCTION entities_mark_change() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    NEW.changed_xact := pg_current_xact_id()::text::bigint;
    RETURN NEW;
END
$body$;
CREATE TRIGGER entities_mark_change BEFORE INSERT OR UPDATE ON entities
    FOR EACH ROW EXECUTE FUNCTION entities_mark_change();
