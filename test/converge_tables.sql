-- pgTAP: converge a hand-built schema, with rows in every table that
-- changes, to a document that exercises every column and table change the
-- format covers; then check the catalog with pgTAP's schema assertions and
-- the rows with their values.
BEGIN;
CREATE EXTENSION pg_converge;
SELECT plan(62);

-- ----------------------------------------------------------------
-- The schema as it is, built with plain DDL, with rows
-- ----------------------------------------------------------------
CREATE SCHEMA shop;

CREATE TABLE shop.items (
    id          integer NOT NULL,
    name        text,                   -- renamed to title
    price_text  text,                   -- text -> integer with "using"
    qty         integer,                -- widened to bigint, no "using"
    status      text DEFAULT 'new',     -- default changes to 'open'
    stock       integer,                -- NOT NULL, NULLs filled by default
    descr       text NOT NULL,          -- NOT NULL dropped
    legacy      text,                   -- dropped (allow_data_loss)
    code        text,                   -- gets collation "C"
    discount    integer DEFAULT 5       -- default dropped
);
INSERT INTO shop.items
    (id, name, price_text, qty, status, stock, descr, legacy, code, discount)
VALUES
    (1, 'apple',  '10', 3,    'sold', 7,    'red',    'old-1', 'b', 1),
    (2, 'banana', '25', NULL, NULL,   NULL, 'yellow', NULL,    'B', NULL),
    (3, 'cherry', NULL, 2147483647, DEFAULT, NULL, 'dark', 'old-3', 'a', DEFAULT);

CREATE TABLE shop.orders (
    id      integer,                    -- becomes identity always
    item_id integer,
    amount  integer
);
INSERT INTO shop.orders VALUES (1, 1, 100), (5, 2, 250), (3, 3, NULL);

CREATE FUNCTION pg_temp.doc() RETURNS text LANGUAGE sql IMMUTABLE AS $doc$
SELECT $yaml$
version: 1
schemas:
  shop:
    tables:
      products:
        renamed_from: items
        comment: "Things the shop sells"
        columns:
          id: {type: integer, nullable: false}
          title: {type: text, renamed_from: name, comment: "shown to customers"}
          price_text: {type: integer, using: "price_text::integer"}
          qty: {type: bigint}
          status: {type: text, default: "'open'"}
          stock: {type: integer, nullable: false, default: "0"}
          descr: {type: text}
          code: {type: text, collation: "C"}
          discount: {type: integer}
          note: {type: text}
          active: {type: boolean, nullable: false, default: "true"}
          label: {type: text, nullable: false, using: "title || ':' || descr"}
      orders:
        columns:
          id: {type: integer, identity: always}
          item_id: {type: integer}
          amount: {type: integer}
      audit:
        comment: "new table"
        columns:
          id: {type: bigint, identity: "by default"}
          at: {type: timestamptz, nullable: false, default: "now()"}
          total: {type: "numeric(12,2)", default: "0"}
  archive:
    tables:
      events:
        columns:
          id: {type: integer, nullable: false}
          payload: {type: jsonb, comment: "raw event"}
$yaml$
$doc$;

-- ----------------------------------------------------------------
-- Before: the plan, and the refusal without allow_data_loss
-- ----------------------------------------------------------------
SELECT is_empty(
    $$SELECT * FROM converge_plan(pg_temp.doc(), true) WHERE problem IS NOT NULL$$,
    'with allow_data_loss no step of the plan is refused');

SELECT results_eq(
    $$SELECT object FROM converge_plan(pg_temp.doc()) WHERE problem IS NOT NULL$$,
    $$VALUES ('shop.products.legacy'::text)$$,
    'without allow_data_loss only the drop of a column holding values is refused');

SELECT throws_ok(
    $$SELECT * FROM converge_schema(pg_temp.doc())$$,
    '55000',
    'existing rows block convergence of shop.products.legacy',
    'converge_schema refuses to drop a column holding values');

SELECT hasnt_table('shop', 'products', 'the refusal changed nothing: no products table');
SELECT has_column('shop', 'items', 'legacy', 'the refusal changed nothing: legacy still there');

-- ----------------------------------------------------------------
-- Converge
-- ----------------------------------------------------------------
SELECT lives_ok(
    $$SELECT * FROM converge_schema(pg_temp.doc(), true)$$,
    'converge_schema with allow_data_loss succeeds');

-- schemas and tables
SELECT has_schema('archive', 'new schema archive created');
SELECT has_table('shop', 'products', 'table renamed to products');
SELECT hasnt_table('shop', 'items', 'old table name items is gone');
SELECT has_table('shop', 'orders', 'orders still there');
SELECT has_table('shop', 'audit', 'new table audit created');
SELECT has_table('archive', 'events', 'new table archive.events created');
SELECT columns_are('shop', 'products',
    ARRAY['id', 'title', 'price_text', 'qty', 'status', 'stock', 'descr',
          'code', 'discount', 'note', 'active', 'label'],
    'products has exactly the declared columns');

-- renamed and dropped columns
SELECT has_column('shop', 'products', 'title', 'column renamed to title');
SELECT hasnt_column('shop', 'products', 'name', 'old column name is gone');
SELECT hasnt_column('shop', 'products', 'legacy', 'dropped column is gone');

-- added columns
SELECT has_column('shop', 'products', 'note', 'nullable column added');
SELECT col_type_is('shop', 'products', 'note', 'text', 'note is text');
SELECT col_is_null('shop', 'products', 'note', 'note is nullable');
SELECT col_hasnt_default('shop', 'products', 'note', 'note has no default');

SELECT has_column('shop', 'products', 'active', 'NOT NULL column with default added');
SELECT col_type_is('shop', 'products', 'active', 'boolean', 'active is boolean');
SELECT col_not_null('shop', 'products', 'active', 'active is NOT NULL');
SELECT col_default_is('shop', 'products', 'active', 'true'::text, 'active defaults to true');

SELECT has_column('shop', 'products', 'label', 'NOT NULL column with using added');
SELECT col_not_null('shop', 'products', 'label', 'label is NOT NULL');
SELECT col_hasnt_default('shop', 'products', 'label', 'label has no default');

-- altered columns
SELECT col_type_is('shop', 'products', 'price_text', 'integer', 'price_text converted to integer with using');
SELECT col_type_is('shop', 'products', 'qty', 'bigint', 'qty widened to bigint');
SELECT col_has_default('shop', 'products', 'status', 'status has a default');
SELECT col_default_is('shop', 'products', 'status', 'open'::text, 'status default changed to open');
SELECT col_not_null('shop', 'products', 'stock', 'stock made NOT NULL');
SELECT col_default_is('shop', 'products', 'stock', 0, 'stock defaults to 0');
SELECT col_is_null('shop', 'products', 'descr', 'descr NOT NULL dropped');
SELECT col_hasnt_default('shop', 'products', 'discount', 'discount default dropped');
SELECT col_not_null('shop', 'products', 'id', 'id stays NOT NULL');
SELECT is(
    (SELECT collname::text FROM pg_attribute a JOIN pg_collation c ON c.oid = a.attcollation
      WHERE a.attrelid = 'shop.products'::regclass AND a.attname = 'code'),
    'C', 'code has collation "C"');

-- identity
SELECT col_not_null('shop', 'orders', 'id', 'identity column is NOT NULL');
SELECT is(
    (SELECT attidentity::text FROM pg_attribute
      WHERE attrelid = 'shop.orders'::regclass AND attname = 'id'),
    'a', 'orders.id is GENERATED ALWAYS AS IDENTITY');
SELECT is(
    (SELECT attidentity::text FROM pg_attribute
      WHERE attrelid = 'shop.audit'::regclass AND attname = 'id'),
    'd', 'audit.id is GENERATED BY DEFAULT AS IDENTITY');

-- new tables' columns
SELECT col_type_is('shop', 'audit', 'total', 'numeric(12,2)', 'audit.total is numeric(12,2)');
SELECT col_default_is('shop', 'audit', 'total', 0, 'audit.total defaults to 0');
SELECT col_type_is('shop', 'audit', 'at', 'timestamp with time zone', 'audit.at is timestamptz');
SELECT col_not_null('shop', 'audit', 'at', 'audit.at is NOT NULL');
SELECT col_default_is('shop', 'audit', 'at', 'now()'::text, 'audit.at defaults to now()');
SELECT col_type_is('archive', 'events', 'payload', 'jsonb', 'archive.events.payload is jsonb');

-- comments
SELECT is(obj_description('shop.products'::regclass, 'pg_class'),
          'Things the shop sells', 'table comment set');
SELECT is(col_description('shop.products'::regclass,
              (SELECT attnum FROM pg_attribute
                WHERE attrelid = 'shop.products'::regclass AND attname = 'title')),
          'shown to customers', 'column comment set on the renamed column');
SELECT is(obj_description('shop.audit'::regclass, 'pg_class'),
          'new table', 'comment of a new table set');
SELECT is(col_description('archive.events'::regclass, 2),
          'raw event', 'column comment of a new table set');

-- ----------------------------------------------------------------
-- Rows
-- ----------------------------------------------------------------
SELECT results_eq(
    $$SELECT id, title, price_text, qty, status, stock, descr,
             code COLLATE "default", discount, note, active, label
        FROM shop.products ORDER BY id$$,
    $$VALUES
        (1, 'apple'::text,  10,   3::bigint,          'sold'::text, 7, 'red'::text,    'b'::text, 1,    NULL::text, true, 'apple:red'::text),
        (2, 'banana',       25,   NULL,               NULL,         0, 'yellow',       'B',       NULL, NULL,       true, 'banana:yellow'),
        (3, 'cherry',       NULL, 2147483647::bigint, 'new',        0, 'dark',         'a',       5,    NULL,       true, 'cherry:dark')$$,
    'products rows kept their values; renamed, converted, filled and added columns hold what the document says');

SELECT results_eq(
    $$SELECT code COLLATE "default" FROM shop.products ORDER BY code$$,
    $$VALUES ('B'::text), ('a'), ('b')$$,
    'code sorts with collation "C"');

SELECT results_eq(
    $$SELECT id, item_id, amount FROM shop.orders ORDER BY id$$,
    $$VALUES (1, 1, 100), (3, 3, NULL), (5, 2, 250)$$,
    'orders rows kept their values when identity was added');

SELECT results_eq(
    $$INSERT INTO shop.orders (item_id, amount) VALUES (9, 900) RETURNING id$$,
    $$VALUES (6)$$,
    'a new row gets the largest existing id + 1 from the identity');

SELECT throws_ok(
    $$INSERT INTO shop.orders (id, item_id) VALUES (42, 1)$$,
    '428C9', NULL,
    'orders.id is GENERATED ALWAYS: an explicit value is refused');

SELECT results_eq(
    $$INSERT INTO shop.products (id, descr, label) VALUES (4, 'fig', 'fig') RETURNING status, stock, active$$,
    $$VALUES ('open'::text, 0, true)$$,
    'a new products row gets the new defaults');
-- a row without a label: NOT NULL must refuse it
SELECT throws_ok(
    $$INSERT INTO shop.products (id, descr) VALUES (5, 'x') RETURNING 1$$,
    '23502', NULL,
    'label is enforced NOT NULL');

SELECT lives_ok(
    $$INSERT INTO shop.products (id, descr, label) VALUES (6, NULL, 'no descr')$$,
    'descr accepts NULL after its NOT NULL was dropped');

SELECT results_eq(
    $$INSERT INTO shop.audit (total) VALUES (12.345) RETURNING id, total$$,
    $$VALUES (1::bigint, 12.35::numeric)$$,
    'the new table works: identity by default and numeric(12,2)');

-- ----------------------------------------------------------------
-- Converged
-- ----------------------------------------------------------------
SELECT ok(converge_is_converged(pg_temp.doc()), 'converge_is_converged is true afterwards');
SELECT is_empty($$SELECT * FROM converge_plan(pg_temp.doc())$$,
                'converge_plan of the document is empty afterwards');
SELECT is_empty($$SELECT * FROM converge_plan(pg_temp.doc(), true)$$,
                'also with allow_data_loss');

SELECT * FROM finish();
ROLLBACK;
