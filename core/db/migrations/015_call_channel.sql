-- How the operator reached the person on this call, when they used one of the workspace's
-- one-click links (telefone: a tel: link; whatsapp: wa.me). NULL: not recorded.
ALTER TABLE calls ADD COLUMN channel VARCHAR;
