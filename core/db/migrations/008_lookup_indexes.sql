-- Exact lookups of a whole phone number (the entity search by phone) use these, as the
-- CPF/CNPJ lookup uses entities_document_idx.
CREATE INDEX entities_phone_idx ON entities (phone);
CREATE INDEX entities_mobile_idx ON entities (mobile);
