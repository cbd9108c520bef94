-- Comments on every kind that has one: schemas (compared when the document
-- gives one), constraints (CHECK, PRIMARY KEY, UNIQUE, FOREIGN KEY) beside
-- the tables, columns, indexes, types, sequences, views and policies that
-- had them; compared exactly, exported, and restored when the object is
-- created again; tables hold rows.
\pset null '(null)'
CREATE SCHEMA cm;
COMMENT ON SCHEMA cm IS 'orders and their lines';
CREATE TABLE cm.orders (id integer PRIMARY KEY, code text,
                        total numeric CONSTRAINT total_positive CHECK (total > 0));
CREATE TABLE cm.lines (id integer PRIMARY KEY,
                       order_id integer REFERENCES cm.orders (id));
ALTER TABLE cm.orders ADD CONSTRAINT orders_code UNIQUE (code);
INSERT INTO cm.orders VALUES (1, 'a', 10), (2, 'b', 20);
INSERT INTO cm.lines VALUES (1, 1), (2, 2);
COMMENT ON CONSTRAINT orders_pkey ON cm.orders IS 'one per order';
COMMENT ON CONSTRAINT total_positive ON cm.orders IS 'no free orders';
COMMENT ON CONSTRAINT orders_code ON cm.orders IS 'printed on invoices';
COMMENT ON CONSTRAINT lines_order_id_fkey ON cm.lines IS 'a line belongs to an order';

SELECT converge_export('{cm}');
SELECT count(*) AS steps FROM converge_plan(converge_export('{cm}'));

CREATE FUNCTION cm_doc(total_rule text) RETURNS text LANGUAGE sql AS $f$
SELECT format($d$
version: 1
schemas:
  cm:
    comment: the orders
    tables:
      orders:
        primary_key: {columns: [id], comment: one per order}
        columns:
          id: {type: integer, nullable: false}
          code: {type: text}
          total: {type: numeric}
        unique:
          orders_code: {columns: [code], comment: printed on receipts}
        checks:
          total_positive: {check: "%s", comment: no free orders}
      lines:
        primary_key: [id]
        columns:
          id: {type: integer, nullable: false}
          order_id: {type: integer}
        foreign_keys:
          lines_order_id_fkey:
            columns: [order_id]
            references: {table: orders, columns: [id]}
$d$, total_rule) $f$;

-- changed comments are COMMENT ON; a CHECK added again gets its comment
-- back after it
SELECT step, action, sql FROM converge_plan(cm_doc('total > 0'));
SELECT step, action, sql FROM converge_plan(cm_doc('total >= 1'));
SELECT count(*) AS steps FROM converge_schema(cm_doc('total >= 1'));
SELECT conname, obj_description(oid, 'pg_constraint') FROM pg_constraint
 WHERE connamespace = 'cm'::regnamespace AND contype <> 'n' ORDER BY conname;
SELECT obj_description('cm'::regnamespace, 'pg_namespace') AS schema_comment;
SELECT count(*) AS steps FROM converge_plan(cm_doc('total >= 1'));

-- a schema whose document says nothing about its comment keeps it
SELECT count(*) AS steps FROM converge_plan(replace(cm_doc('total >= 1'),
  '    comment: the orders' || chr(10), ''));

DROP SCHEMA cm CASCADE;
DROP FUNCTION cm_doc(text);
