-- The shop's schema and seed data, applied once when the data directory is new.
CREATE TABLE products (
    id          serial PRIMARY KEY,
    name        text    NOT NULL UNIQUE,
    price_cents integer NOT NULL CHECK (price_cents >= 0),
    stock       integer NOT NULL CHECK (stock >= 0)
);

CREATE TABLE orders (
    id          bigserial PRIMARY KEY,
    product_id  integer     NOT NULL REFERENCES products(id),
    quantity    integer     NOT NULL CHECK (quantity > 0),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX orders_product_id ON orders(product_id);

INSERT INTO products (name, price_cents, stock) VALUES
    ('espresso beans 1kg', 2400, 100000),
    ('pour-over kettle', 5900, 100000),
    ('burr grinder', 14900, 100000),
    ('paper filters x100', 600, 100000),
    ('travel mug', 1900, 100000),
    ('milk frother', 3900, 100000),
    ('digital scale', 2900, 100000),
    ('cold brew jar', 2200, 100000);
