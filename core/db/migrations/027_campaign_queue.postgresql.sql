-- "Próximo contato" on PostgreSQL: the pending entries of a campaign in the order they are
-- handed out, so the next ones are read from the index and the scan stops at the batch's size
-- (not a sort of every pending entry); and the few people marked "não ligar", so excluding
-- them reads a tiny index instead of every entity. (DuckDB scans both in a few ms.)
CREATE INDEX call_list_entries_queue_idx ON call_list_entries (campaign_id, attempts, next_at, id)
    WHERE status = 'pendente';
CREATE INDEX entities_do_not_call_idx ON entities (id) WHERE do_not_call;
