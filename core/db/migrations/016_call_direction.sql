-- Inbound (receptivo: the person called, found by the caller search) or outbound (ativo: the
-- operator called them — the next debtor, a follow-up from the agenda or a list). Set when the
-- call starts from the group's direction and where it started; older calls stay NULL.
ALTER TABLE calls ADD COLUMN direction VARCHAR;
