-- Televendas: products [SB1], price tables [DA0/DA1], payment conditions [SE4], the sales
-- attendance header [SUA] and items [SUB], and the receivable titles [SE1] that invoicing
-- creates (the ledger Telecobrança works on). No FOREIGN KEYs (see 001): core checks references.

CREATE SEQUENCE products_seq;
CREATE TABLE products (
    id BIGINT PRIMARY KEY DEFAULT nextval('products_seq'),
    code VARCHAR NOT NULL UNIQUE,
    description VARCHAR NOT NULL,
    unit VARCHAR NOT NULL DEFAULT 'UN',
    active BOOLEAN NOT NULL DEFAULT TRUE,
    stock DECIMAL(14, 3) NOT NULL DEFAULT 0 CHECK (stock >= 0),
    version INTEGER NOT NULL DEFAULT 1
);

CREATE SEQUENCE price_tables_seq;
CREATE TABLE price_tables (
    id BIGINT PRIMARY KEY DEFAULT nextval('price_tables_seq'),
    code VARCHAR NOT NULL UNIQUE,
    description VARCHAR NOT NULL,
    valid_from DATE,
    valid_until DATE,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE price_table_items (
    price_table_id BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    price DECIMAL(14, 2) NOT NULL CHECK (price >= 0),
    PRIMARY KEY (price_table_id, product_id)
);

-- installments: the days after the invoice date of each title, '0' for à vista, '30,60,90'.
CREATE SEQUENCE payment_conditions_seq;
CREATE TABLE payment_conditions (
    id BIGINT PRIMARY KEY DEFAULT nextval('payment_conditions_seq'),
    code VARCHAR NOT NULL UNIQUE,
    description VARCHAR NOT NULL,
    installments VARCHAR NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    version INTEGER NOT NULL DEFAULT 1
);

-- One Televendas attendance: a quote, a sales order (invoiced later) or a call only.
-- A quote converted to an order keeps its id: the same row changes operation and status.
CREATE SEQUENCE tlv_orders_seq;
CREATE TABLE tlv_orders (
    id BIGINT PRIMARY KEY DEFAULT nextval('tlv_orders_seq'),
    entity_id BIGINT NOT NULL,
    contact_id BIGINT,
    user_id BIGINT NOT NULL,
    operator_id BIGINT NOT NULL,
    group_id BIGINT NOT NULL,
    call_id BIGINT,
    operation VARCHAR NOT NULL CHECK (operation IN ('faturamento', 'orcamento', 'atendimento')),
    status VARCHAR NOT NULL
        CHECK (status IN ('orcamento', 'pedido', 'faturado', 'atendimento', 'cancelado')),
    price_table_id BIGINT,
    payment_condition_id BIGINT,
    quote_valid_until DATE,
    next_call_at TIMESTAMPTZ,
    notes VARCHAR NOT NULL DEFAULT '',
    discount_pct DECIMAL(5, 2) NOT NULL DEFAULT 0,
    products_total DECIMAL(14, 2) NOT NULL DEFAULT 0,
    discount_total DECIMAL(14, 2) NOT NULL DEFAULT 0,
    freight DECIMAL(14, 2) NOT NULL DEFAULT 0,
    total DECIMAL(14, 2) NOT NULL DEFAULT 0,
    converted_at TIMESTAMPTZ,
    invoice_number VARCHAR,
    invoice_series VARCHAR,
    invoice_date DATE,
    invoiced_at TIMESTAMPTZ,
    cancellation_reason_id BIGINT,
    cancellation_reason VARCHAR,
    cancelled_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX tlv_orders_created_idx ON tlv_orders (created_at);
CREATE INDEX tlv_orders_status_idx ON tlv_orders (status, created_at);
CREATE INDEX tlv_orders_entity_idx ON tlv_orders (entity_id);

-- list_price: the price table's price when the item was written (kept for reports even when
-- the operator overrode unit_price).
CREATE SEQUENCE tlv_items_seq;
CREATE TABLE tlv_items (
    id BIGINT PRIMARY KEY DEFAULT nextval('tlv_items_seq'),
    order_id BIGINT NOT NULL,
    line INTEGER NOT NULL,
    product_id BIGINT NOT NULL,
    quantity DECIMAL(14, 3) NOT NULL CHECK (quantity > 0),
    unit_price DECIMAL(14, 2) NOT NULL CHECK (unit_price >= 0),
    list_price DECIMAL(14, 2) NOT NULL,
    discount_pct DECIMAL(5, 2) NOT NULL DEFAULT 0,
    total DECIMAL(14, 2) NOT NULL,
    UNIQUE (order_id, line)
);
CREATE INDEX tlv_items_order_idx ON tlv_items (order_id);

-- Invoice numbers: one sequence for the Call Center's series.
CREATE SEQUENCE invoice_number_seq;

-- Receivable titles [SE1]: one per installment of an invoice, or imported from CSV
-- (order_id NULL). status: 'aberto', 'pago', 'cancelado' (no CHECK on purpose: Telecobrança
-- may add negotiation outcomes without rebuilding the table). A title with balance < amount
-- has payments recorded against it.
CREATE SEQUENCE receivables_seq;
CREATE TABLE receivables (
    id BIGINT PRIMARY KEY DEFAULT nextval('receivables_seq'),
    prefix VARCHAR NOT NULL,
    number VARCHAR NOT NULL,
    installment INTEGER NOT NULL,
    type VARCHAR NOT NULL DEFAULT 'NF',
    entity_id BIGINT NOT NULL,
    order_id BIGINT,
    issue_date DATE NOT NULL,
    due_date DATE NOT NULL,
    amount DECIMAL(14, 2) NOT NULL CHECK (amount >= 0),
    balance DECIMAL(14, 2) NOT NULL,
    status VARCHAR NOT NULL DEFAULT 'aberto',
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX receivables_entity_idx ON receivables (entity_id, status, due_date);
CREATE INDEX receivables_order_idx ON receivables (order_id);
