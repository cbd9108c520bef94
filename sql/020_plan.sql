-- Exact plan text for each kind of change, on tables that hold rows.
\pset null '(null)'

CREATE SCHEMA shop;
CREATE TABLE shop.customers (
    id integer PRIMARY KEY,
    email text,
    name varchar(50),
    legacy_code text,
    score integer DEFAULT 0,
    note text,
    price_text text,
    created timestamptz DEFAULT now() NOT NULL
);
INSERT INTO shop.customers (id, email, name, legacy_code, score, note, price_text)
SELECT i, 'c' || i || '@example.com', 'name ' || i,
       CASE WHEN i % 2 = 0 THEN 'L' || i END, i, NULL, (i * 10)::text
  FROM generate_series(1, 8) i;
CREATE TABLE shop.events (id bigint, kind text);
INSERT INTO shop.events VALUES (1, 'a'), (2, 'b');
CREATE TABLE shop.scratch (id int);

CREATE FUNCTION shop_doc(customers text) RETURNS text LANGUAGE sql AS $f$
SELECT format($$
version: 1
schemas:
  shop:
    tables:
      customers:
        primary_key: [id]
        columns:
%s
      usage_events:
        renamed_from: events
        columns:
          id: {type: bigint}
          kind: {type: text}
$$, customers)
$f$;

-- the document as the catalog already is, but for the dropped scratch table
CREATE FUNCTION base_columns() RETURNS text LANGUAGE sql AS $f$
SELECT $$
          id: {type: integer, nullable: false}
          email: {type: text}
          name: {type: varchar(50)}
          legacy_code: {type: text}
          score: {type: integer, default: "0"}
          note: {type: text}
          price_text: {type: text}
          created: {type: timestamptz, nullable: false, default: now()}
$$
$f$;

-- renames, and a table that is no longer declared (empty: no data lost)
SELECT step, action, object, sql, reason, hazards, rows_affected, problem
  FROM converge_plan(shop_doc(base_columns()));

-- semantic comparison of defaults: 0, '0', (0) and 0::integer are one default
SELECT count(*) AS steps FROM converge_plan(
  replace(shop_doc(base_columns()), 'default: "0"', $$default: "'0'"$$))
 WHERE object LIKE 'shop.customers%';
SELECT count(*) AS steps FROM converge_plan(
  replace(shop_doc(base_columns()), 'default: "0"', 'default: "(0)::integer"'))
 WHERE object LIKE 'shop.customers%';
-- CURRENT_TIMESTAMP is another expression than now() to the server
SELECT action, reason FROM converge_plan(
  replace(shop_doc(base_columns()), 'default: now()', $$default: "CURRENT_TIMESTAMP"$$))
 WHERE object LIKE 'shop.customers%';
-- ... and 1 is not 0
SELECT action, sql, reason FROM converge_plan(
  replace(shop_doc(base_columns()), 'default: "0"', 'default: "1"'))
 WHERE object LIKE 'shop.customers%';

-- types compare by resolved oid and typmod: int4, integer, varchar(50)
SELECT count(*) AS steps FROM converge_plan(
  replace(replace(shop_doc(base_columns()), 'type: integer,', 'type: int4,'),
          'varchar(50)', '"character varying(50)"'))
 WHERE object LIKE 'shop.customers%';

-- every column-level change at once
SELECT step, action, object, sql, reason, hazards, rows_affected, problem
  FROM converge_plan(shop_doc($$
          id: {type: bigint, identity: always}
          email_address: {type: text, nullable: false, renamed_from: email, comment: where we write}
          name: {type: varchar(100), collation: C}
          score: {type: bigint, default: "1"}
          note: {type: text, nullable: false, default: "'none'"}
          price: {type: integer, renamed_from: price_text, using: "price::integer"}
          created: {type: timestamptz}
          tier: {type: text, nullable: false, default: "'basic'"}
          code: {type: text, nullable: false, using: "'C' || id"}
          total: {type: bigint, generated: "score * 2"}
$$), allow_data_loss => true);

-- refusals: the plan says why, row counts and sample keys included
SELECT step, action, object, rows_affected, hazards, problem
  FROM converge_plan(shop_doc($$
          id: {type: integer, nullable: false}
          email: {type: text}
          name: {type: varchar(5)}
          score: {type: integer, default: "0"}
          note: {type: text, nullable: false}
          price_text: {type: integer}
          created: {type: timestamptz, nullable: false, default: now()}
          extra: {type: text, nullable: false}
$$))
 WHERE problem IS NOT NULL OR hazards @> '{data_loss}';

-- allow_data_loss accepts the loss, not the impossible
SELECT step, action, object, rows_affected, hazards, problem IS NOT NULL AS refused
  FROM converge_plan(shop_doc($$
          id: {type: integer, nullable: false}
          email: {type: text}
          name: {type: varchar(50)}
          score: {type: integer, default: "0"}
          note: {type: text}
          price_text: {type: text}
          created: {type: timestamptz, nullable: false, default: now()}
$$), allow_data_loss => true)
 WHERE object LIKE 'shop.customers%';

-- a using expression that fails on existing rows is found before any DDL
SELECT step, action, problem
  FROM converge_plan(shop_doc(replace(base_columns(),
       'price_text: {type: text}',
       $$price_text: {type: integer, using: "(price_text::integer / (score - 3))"}$$)))
 WHERE problem IS NOT NULL;

-- converge_plan changed nothing
SELECT count(*) AS customers, count(legacy_code) AS legacy_codes FROM shop.customers;
SELECT to_regclass('shop.events') IS NOT NULL AS events_still_there;

DROP SCHEMA shop CASCADE;
DROP FUNCTION shop_doc(text);
DROP FUNCTION base_columns();
