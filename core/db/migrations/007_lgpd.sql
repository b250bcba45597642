-- LGPD: a profile may grant the audit screens (a supervisor given the right), and the data
-- dictionary documents every field that identifies a person, including those deliberately
-- left visible ('nenhum': not masked, with the reason).
ALTER TABLE profiles ADD COLUMN audit_access BOOLEAN;

-- Anonymised data subjects keep their business records; this marks them (and refuses it twice).
ALTER TABLE entities ADD COLUMN anonymized_at TIMESTAMPTZ;

INSERT INTO data_dictionary (table_name, column_name, classification, justification) VALUES
    ('entities', 'name', 'nenhum',
     'Nome do titular: dado pessoal mantido visível porque o operador precisa saudá-lo.'),
    ('entities', 'search_name', 'nenhum',
     'Nome normalizado para busca (derivado do nome, mesmo tratamento).'),
    ('entities', 'trade_name', 'nenhum', 'Nome fantasia de pessoa jurídica.'),
    ('entities', 'city', 'nenhum', 'Cidade: não identifica a pessoa sozinha.'),
    ('entities', 'state', 'nenhum', 'UF: não identifica a pessoa sozinha.'),
    ('contacts', 'name', 'nenhum',
     'Nome do contato: mantido visível para o operador chamá-lo pelo nome.'),
    ('contacts', 'search_name', 'nenhum', 'Nome normalizado para busca.'),
    ('contacts', 'job_title', 'nenhum', 'Cargo do contato na empresa.'),
    ('users', 'name', 'nenhum', 'Nome do usuário do sistema, exibido nas telas e na auditoria.'),
    ('users', 'username', 'nenhum', 'Login do usuário, registrado na auditoria.');
