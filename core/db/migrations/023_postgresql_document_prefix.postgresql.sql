-- PostgreSQL only: the lists filter by the start of a CPF/CNPJ (`document LIKE '123%'`). The
-- unique index cannot serve a LIKE under a non-C collation, so every list with that filter
-- scanned all entities (~25 ms at S); this one compares bytes and can.
CREATE INDEX entities_document_prefix_idx ON entities (document varchar_pattern_ops);
