-- Views and materialized views: compared by meaning through the server's
-- deparser, replaced in place when the server allows it, rebuilt around
-- the changes under them (views over views in order), dropped when
-- undeclared; tables hold rows.
\pset null '(null)'
CREATE SCHEMA vw;
CREATE TYPE vw.state AS ENUM ('open', 'paid');
CREATE TABLE vw.orders (id integer PRIMARY KEY, total numeric(10,2) NOT NULL,
                        state vw.state NOT NULL, customer text NOT NULL,
                        note text);
INSERT INTO vw.orders
SELECT i, i * 1.5, CASE WHEN i % 2 = 0 THEN 'paid' ELSE 'open' END::vw.state,
       'C' || (i % 3), CASE WHEN i % 4 = 0 THEN 'x' END
  FROM generate_series(1, 12) i;

-- Ten views made by plain DDL, each declared below in another spelling of
-- the same query: the plan is empty.
CREATE VIEW vw.v_spacing AS SELECT id, total FROM vw.orders;
CREATE VIEW vw.v_case AS select id from vw.orders where total > 10;
CREATE VIEW vw.v_cast AS SELECT id FROM vw.orders WHERE note = 'x';
CREATE VIEW vw.v_in AS SELECT id FROM vw.orders WHERE customer IN ('C1', 'C2');
CREATE VIEW vw.v_path AS SELECT id FROM vw.orders;
CREATE VIEW vw.v_alias AS SELECT o.id FROM vw.orders o;
CREATE VIEW vw.v_enum AS SELECT id FROM vw.orders WHERE state = 'paid'::vw.state;
CREATE VIEW vw.v_func AS SELECT pg_catalog.lower(customer) AS who FROM vw.orders;
CREATE VIEW vw.v_between AS SELECT id FROM vw.orders WHERE id BETWEEN 2 AND 5;
CREATE VIEW vw.v_names AS SELECT id AS order_id, total AS amount FROM vw.orders;
CREATE VIEW vw.v_parens AS SELECT id FROM vw.orders WHERE (total > 1) AND (id < 100);
CREATE MATERIALIZED VIEW vw.m_totals AS
  SELECT state, sum(total) AS total FROM vw.orders GROUP BY state;
CREATE VIEW vw.v_over AS SELECT id FROM vw.v_case WHERE id > 8;

CREATE FUNCTION vw_doc(views text, extra text DEFAULT '') RETURNS text
LANGUAGE sql AS $f$
SELECT $d$
version: 1
search_path: [vw, public]
schemas:
  vw:
    enums:
      state: {values: [open, paid]}
    tables:
      orders:
        primary_key: [id]
        columns:
          id: {type: integer, nullable: false}
          total: {type: "numeric(10,2)", nullable: false}
          state: {type: state, nullable: false}
          customer: {type: text, nullable: false}
          note: {type: text}
$d$ || extra || $d$
    views:
$d$ || views || $d$
    materialized_views:
      m_totals:
        query: SELECT state, sum(total) AS total FROM vw.orders GROUP BY state
$d$
$f$;

CREATE FUNCTION vw_equal() RETURNS text LANGUAGE sql AS $f$
SELECT $d$
      v_spacing:
        query: |
          SELECT   id,
                   total
            FROM   vw.orders
      v_case:
        query: SELECT id FROM vw.orders WHERE total > 10
      v_cast:
        query: "SELECT id FROM vw.orders WHERE note = 'x'::text"
      v_in:
        query: "SELECT id FROM vw.orders WHERE customer = ANY (ARRAY['C1', 'C2'])"
      v_path:
        query: SELECT id FROM orders
      v_alias:
        query: SELECT id FROM vw.orders AS o
      v_enum:
        query: "SELECT id FROM vw.orders WHERE state = 'paid'"
      v_func:
        query: SELECT lower(customer) AS who FROM vw.orders
      v_between:
        query: SELECT id FROM vw.orders WHERE id >= 2 AND id <= 5
      v_names:
        columns: [order_id, amount]
        query: SELECT id, total FROM vw.orders
      v_parens:
        query: SELECT id FROM vw.orders WHERE total > 1 AND id < 100
      v_over:
        query: SELECT id FROM v_case WHERE id > 8
$d$
$f$;

-- names in queries resolve on pg_catalog, then the document's search_path,
-- whatever the caller's: a caller whose path lacks vw plans the same
SET search_path = public;
SELECT count(*) AS steps FROM converge_plan(vw_doc(vw_equal()));
RESET search_path;
SELECT count(*) AS steps FROM converge_plan(vw_doc(vw_equal()));
-- without the key, pg_catalog then public: the view's "orders" is not found
SELECT count(*) AS steps FROM converge_plan(
  replace(vw_doc(vw_equal()), 'search_path: [vw, public]', ''));

-- the export round-trips: queries as the server prints them (which differs
-- between major versions, so only the keys are shown here)
SELECT regexp_count(converge_export('{vw}'), E'\n    \\w+:') AS keys,
       regexp_count(converge_export('{vw}'), 'query:') AS queries;
SELECT count(*) AS steps FROM converge_plan(converge_export('{vw}'));

-- Five views whose queries differ: one more column or another condition is
-- replaced in place; a column removed or retyped cannot be (the server
-- refuses), so that view and the views reading it are dropped first and
-- created again; a materialized view is always rebuilt.
CREATE FUNCTION vw_changed() RETURNS text LANGUAGE sql AS $f$
SELECT replace(replace(replace(replace(vw_equal(),
  'SELECT id FROM vw.orders WHERE total > 10',
  'SELECT id::bigint AS id FROM vw.orders WHERE total > 10'),
  'SELECT id FROM vw.orders AS o', 'SELECT id, total FROM vw.orders AS o'),
  'WHERE id >= 2 AND id <= 5', 'WHERE id >= 3 AND id <= 5'),
  'SELECT lower(customer) AS who FROM vw.orders',
  'SELECT lower(customer) AS who FROM vw.orders WHERE note IS NULL')
 || $d$
      v_fewer:
        query: SELECT id FROM vw.orders
$d$
$f$;
CREATE VIEW vw.v_fewer AS SELECT id, note FROM vw.orders;
SELECT step, action, object, sql, reason, hazards
  FROM converge_plan(replace(vw_doc(vw_changed()),
    'sum(total) AS total', 'sum(total) AS total, count(*) AS n'));
SELECT step, action FROM converge_schema(replace(vw_doc(vw_changed()),
    'sum(total) AS total', 'sum(total) AS total, count(*) AS n'));
SELECT count(*) AS steps FROM converge_plan(replace(vw_doc(vw_changed()),
    'sum(total) AS total', 'sum(total) AS total, count(*) AS n'));
SELECT * FROM vw.v_over ORDER BY id;
SELECT * FROM vw.m_totals ORDER BY state;

-- A column type change under views: every view reading the column, and
-- every view reading those, is dropped before and created after; the
-- reason names the change.  Views that do not read the column stay.
SELECT step, action, object, reason
  FROM converge_plan(replace(replace(vw_doc(vw_changed()),
    'sum(total) AS total', 'sum(total) AS total, count(*) AS n'),
    'total: {type: "numeric(10,2)"', 'total: {type: "numeric(12,2)"'));
SELECT count(*) AS steps FROM converge_schema(replace(replace(vw_doc(vw_changed()),
    'sum(total) AS total', 'sum(total) AS total, count(*) AS n'),
    'total: {type: "numeric(10,2)"', 'total: {type: "numeric(12,2)"'));
SELECT pg_catalog.format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'vw.v_spacing'::regclass AND attname = 'total';
SELECT * FROM vw.v_over ORDER BY id;

-- Undeclared views of a managed schema are dropped (a materialized view's
-- rows can be computed again: full_scan, not data loss); a view that reads
-- a dropped view must be declared again or the document is refused.
CREATE FUNCTION vw_bare() RETURNS text LANGUAGE sql AS $f$
SELECT $d$
version: 1
schemas:
  vw:
    enums:
      state: {values: [open, paid]}
    tables:
      orders:
        primary_key: [id]
        columns:
          id: {type: integer, nullable: false}
          total: {type: "numeric(12,2)", nullable: false}
          state: {type: state, nullable: false}
          customer: {type: text, nullable: false}
          note: {type: text}
$d$
$f$;
SELECT step, action, object, reason, hazards FROM converge_plan(vw_bare());
SELECT * FROM converge_plan(vw_bare() || $d$
    views:
      v_over:
        query: SELECT id FROM vw.v_case WHERE id > 8
$d$);

-- a table renamed under a view: the view is rebuilt with the new name
CREATE SCHEMA vr;
CREATE TABLE vr.items (id integer PRIMARY KEY, label text);
INSERT INTO vr.items SELECT i, 'item ' || i FROM generate_series(1, 4) i;
CREATE VIEW vr.labels AS SELECT label FROM vr.items;
CREATE FUNCTION vr_doc(tbl text, col text) RETURNS text LANGUAGE sql AS $f$
SELECT format($d$
version: 1
schemas:
  vr:
    tables:
      %1$s:
        renamed_from: items
        primary_key: [id]
        columns:
          id: {type: integer, nullable: false}
          %2$s: {type: text, renamed_from: label}
    views:
      labels:
        query: SELECT %2$s FROM vr.%1$s
$d$, tbl, col)
$f$;
SELECT step, action, object, sql, reason FROM converge_plan(vr_doc('goods', 'label'));
SELECT count(*) AS steps FROM converge_schema(vr_doc('goods', 'label'));
SELECT * FROM vr.labels ORDER BY 1;
-- a column renamed under it, the same way
SELECT step, action, object, reason FROM converge_plan(vr_doc('goods', 'title'));
SELECT count(*) AS steps FROM converge_schema(vr_doc('goods', 'title'));
SELECT * FROM vr.labels ORDER BY 1;
-- a document view that still reads a column the plan renames away
SELECT * FROM converge_plan(replace(replace(vr_doc('goods', 'name'),
  'SELECT name', 'SELECT title'), 'renamed_from: label', 'renamed_from: title'));

-- an enum recreated under a view that casts to it
CREATE SCHEMA ve;
CREATE TYPE ve.mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE ve.people (id integer PRIMARY KEY, mood ve.mood NOT NULL);
INSERT INTO ve.people VALUES (1, 'sad'), (2, 'ok'), (3, 'happy');
CREATE VIEW ve.cheerful AS SELECT id FROM ve.people WHERE mood = 'happy'::ve.mood;
SELECT step, action, object, reason FROM converge_plan($$
version: 1
schemas:
  ve:
    enums:
      mood: {values: [happy, ok]}
    tables:
      people:
        primary_key: [id]
        columns:
          id: {type: integer, nullable: false}
          mood: {type: mood, nullable: false, remap: {sad: ok}}
    views:
      cheerful:
        query: "SELECT id FROM ve.people WHERE mood = 'happy'"
$$);
SELECT count(*) AS steps FROM converge_schema($$
version: 1
schemas:
  ve:
    enums:
      mood: {values: [happy, ok]}
    tables:
      people:
        primary_key: [id]
        columns:
          id: {type: integer, nullable: false}
          mood: {type: mood, nullable: false, remap: {sad: ok}}
    views:
      cheerful:
        query: "SELECT id FROM ve.people WHERE mood = 'happy'"
$$);
SELECT * FROM ve.cheerful;

-- options and comments change in place; a new view is created after the
-- views it reads, whatever the order of the document
SELECT step, action, object, sql FROM converge_plan($$
version: 1
schemas:
  ve:
    enums:
      mood: {values: [happy, ok]}
    tables:
      people:
        primary_key: [id]
        columns:
          id: {type: integer, nullable: false}
          mood: {type: mood, nullable: false}
    views:
      top:
        query: SELECT id FROM ve.middle
        comment: reads a view the plan creates
      cheerful:
        query: "SELECT id FROM ve.people WHERE mood = 'happy'"
        security_barrier: true
        check_option: local
        comment: happy people
      middle:
        query: SELECT id FROM ve.cheerful
$$);

-- document errors, at their line
SELECT * FROM converge_plan($$
version: 1
schemas:
  ve:
    enums:
      mood: {values: [happy, ok]}
    tables:
      people:
        primary_key: [id]
        columns:
          id: {type: integer, nullable: false}
          mood: {type: mood, nullable: false}
    views:
      broken:
        query: SELECT nope FROM ve.people
$$);
SELECT * FROM converge_plan($$
version: 1
schemas:
  ve:
    views:
      a: {query: SELECT 1 AS x FROM ve.b}
      b: {query: SELECT 1 AS x FROM ve.a}
$$);
SELECT * FROM converge_plan($$
version: 1
schemas:
  ve:
    views:
      c: {query: SELECT 1, columns: [x, y]}
$$);
SELECT * FROM converge_plan($$
version: 1
schemas:
  ve:
    views:
      c: {query: SELECT 1 AS x, check_option: sideways}
$$);
SELECT * FROM converge_plan($$
version: 1
schemas:
  ve:
    tables:
      people:
        columns:
          id: {type: integer}
    views:
      people: {query: SELECT 1 AS x}
$$);

-- a view of a schema the document does not manage still blocks the change
-- that would break it, named in the plan
CREATE SCHEMA reports;
CREATE VIEW reports.labels AS SELECT title FROM vr.goods;
SELECT step, action, problem FROM converge_plan(
  replace(vr_doc('goods', 'title'), 'title: {type: text', 'title: {type: varchar(40)'))
 WHERE problem IS NOT NULL;

-- a materialized view's indexes: compared by meaning like a table's,
-- created again with it when it is rebuilt
CREATE SCHEMA vm;
CREATE TABLE vm.sales (id integer PRIMARY KEY, region text NOT NULL,
                       amount numeric NOT NULL);
INSERT INTO vm.sales SELECT i, 'r' || (i % 3), i * 2 FROM generate_series(1, 9) i;
CREATE MATERIALIZED VIEW vm.totals AS
  SELECT region, sum(amount) AS amount FROM vm.sales GROUP BY region;
CREATE UNIQUE INDEX totals_region ON vm.totals (region);
CREATE INDEX totals_amount ON vm.totals (amount DESC);
CREATE FUNCTION vm_doc(amount_type text) RETURNS text LANGUAGE sql AS $f$
SELECT format($d$
version: 1
schemas:
  vm:
    tables:
      sales:
        primary_key: [id]
        columns:
          id: {type: integer, nullable: false}
          region: {type: text, nullable: false}
          amount: {type: "%s", nullable: false}
    materialized_views:
      totals:
        query: SELECT region, sum(amount) AS amount FROM vm.sales GROUP BY region
        indexes:
          totals_region: {columns: [region], unique: true, comment: one row per region}
          totals_big: {columns: [amount], where: "amount > 10"}
$d$, amount_type)
$f$;
SELECT step, action, sql, reason FROM converge_plan(vm_doc('numeric'));
SELECT step, action, sql FROM converge_plan(vm_doc('numeric(10,2)'));
SELECT count(*) AS steps FROM converge_schema(vm_doc('numeric(10,2)'));
SELECT indexrelid::regclass AS index, indisunique FROM pg_index
 WHERE indrelid = 'vm.totals'::regclass ORDER BY indexrelid::regclass::text;
SELECT count(*) AS steps FROM converge_plan(vm_doc('numeric(10,2)'));
SELECT count(*) AS steps FROM converge_plan(converge_export('{vm}'));

-- a domain recreated over a recreated enum, under a view that casts to it
CREATE SCHEMA vd;
CREATE TYPE vd.mood AS ENUM ('happy', 'sad', 'meh');
CREATE DOMAIN vd.good_mood AS vd.mood CHECK (VALUE <> 'sad');
CREATE TABLE vd.people (id integer PRIMARY KEY, m vd.good_mood);
INSERT INTO vd.people VALUES (1, 'happy'), (2, 'meh'), (3, NULL);
CREATE VIEW vd.glad AS SELECT id, m::vd.mood AS feeling FROM vd.people WHERE m::text = 'happy';
CREATE FUNCTION vd_doc() RETURNS text LANGUAGE sql AS $f$ SELECT $d$
version: 1
schemas:
  vd:
    enums:
      mood: {values: [happy, sad, content], remap: {meh: content}}
    domains:
      good_mood: {type: mood, checks: {good_mood_check: "VALUE <> 'sad'"}}
    tables:
      people:
        primary_key: [id]
        columns:
          id: {type: integer, nullable: false}
          m: {type: good_mood}
    views:
      glad:
        query: "SELECT id, m::vd.mood AS feeling FROM vd.people WHERE m::text = 'happy'"
$d$ $f$;
SELECT step, action, object, reason FROM converge_plan(vd_doc());
SELECT count(*) AS steps FROM converge_schema(vd_doc());
SELECT * FROM vd.glad;
SELECT count(*) AS steps FROM converge_plan(vd_doc());
