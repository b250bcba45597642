-- PIX copia-e-cola for agreed amounts: the company's key, name and city (empty: PIX off), and
-- the code given to the debtor, kept with the promise or renegotiation it was made for.
INSERT INTO parameters (name, kind, value, description) VALUES
    ('MV_PIXCHAVE', 'texto', '',
     'Chave PIX da empresa para o código copia-e-cola das negociações (CPF, CNPJ, e-mail, +55 telefone ou aleatória; vazio desliga).'),
    ('MV_PIXNOME', 'texto', '',
     'Nome do recebedor no código PIX (até 25 letras, sem acentos).'),
    ('MV_PIXCIDADE', 'texto', '',
     'Cidade do recebedor no código PIX (até 15 letras, sem acentos).');
ALTER TABLE tlc_promises ADD COLUMN pix_payload VARCHAR;
ALTER TABLE tlc_renegotiations ADD COLUMN pix_payload VARCHAR;
