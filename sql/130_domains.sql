-- Domains: created, dropped, and their default, NOT NULL and CHECKs
-- changed by meaning, each change checked against every column of the
-- domain, in every table, before it runs.
\pset null '(null)'
CREATE SCHEMA dm;
CREATE DOMAIN dm.qty AS integer DEFAULT 1 CONSTRAINT qty_positive CHECK (VALUE > 0);
CREATE TABLE dm.orders (id integer PRIMARY KEY, amount dm.qty, spare integer);
CREATE TABLE dm.returns (id integer PRIMARY KEY, amount dm.qty);
INSERT INTO dm.orders VALUES (1, 5, 3), (2, 50, 7), (3, NULL, NULL);
INSERT INTO dm.returns VALUES (1, 2), (2, 200);

CREATE FUNCTION dm_doc(qty text, extra text DEFAULT '') RETURNS text
LANGUAGE sql AS $f$
SELECT format($d$
version: 1
schemas:
  dm:
    domains:
      qty: %s
%s
    tables:
      orders:
        primary_key: [id]
        columns:
          id: {type: integer}
          amount: {type: qty}
          spare: {type: integer}
      returns:
        primary_key: [id]
        columns:
          id: {type: integer}
          amount: {type: qty}
$d$, qty, extra)
$f$;

-- the same domain written differently: no step
SELECT count(*) AS steps FROM converge_plan(dm_doc(
    '{type: int4, default: "1", checks: {qty_positive: "(VALUE > 0)"}}'));

-- a narrower CHECK and NOT NULL, checked against both tables' rows
\set VERBOSITY default
SELECT step, action, object, sql, rows_affected, problem FROM converge_plan(dm_doc(
    '{type: integer, default: "1", nullable: false, checks: {qty_positive: "VALUE > 0 AND VALUE < 100"}}'));
SELECT action, reason FROM converge_plan(dm_doc(
    '{type: integer, default: "1", nullable: false, checks: {qty_positive: "VALUE > 0 AND VALUE < 100"}}'))
 WHERE action LIKE '%domain_check';
SELECT * FROM converge_schema(dm_doc(
    '{type: integer, default: "1", nullable: false, checks: {qty_positive: "VALUE > 0 AND VALUE < 100"}}'));

-- fixed rows: the same change goes through
UPDATE dm.orders SET amount = 1 WHERE amount IS NULL;
UPDATE dm.returns SET amount = 99 WHERE amount > 99;
SELECT step, action, rows_affected FROM converge_schema(dm_doc(
    '{type: integer, default: "2", nullable: false, checks: {qty_positive: "VALUE > 0 AND VALUE < 100"}}'));
SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE contypid = 'dm.qty'::regtype;
SELECT typnotnull, typdefault FROM pg_type WHERE oid = 'dm.qty'::regtype;

-- a new domain, and a column moved into it (its rows checked first)
SELECT step, action, sql, rows_affected, problem FROM converge_plan(replace(dm_doc(
    '{type: integer, default: "2", nullable: false, checks: {qty_positive: "VALUE > 0 AND VALUE < 100"}}',
    '      small: {type: integer, checks: {small_range: "VALUE < 5"}}'),
    'spare: {type: integer}', 'spare: {type: small}'));
SELECT step, action FROM converge_schema(replace(dm_doc(
    '{type: integer, default: "2", nullable: false, checks: {qty_positive: "VALUE > 0 AND VALUE < 100"}}',
    '      small: {type: integer, checks: {small_range: "VALUE < 10"}}'),
    'spare: {type: integer}', 'spare: {type: small}'));
SELECT format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'dm.orders'::regclass AND attname = 'spare';

-- converged; the export reads back the same
SELECT count(*) AS steps_left FROM converge_plan(replace(dm_doc(
    '{type: integer, default: "2", nullable: false, checks: {qty_positive: "VALUE > 0 AND VALUE < 100"}}',
    '      small: {type: integer, checks: {small_range: "VALUE < 10"}}'),
    'spare: {type: integer}', 'spare: {type: small}'));
SELECT converge_export('{dm}');
SELECT converge_is_converged(converge_export('{dm}'));

-- a base type change is refused, not guessed
SELECT action, problem FROM converge_plan(dm_doc('{type: bigint, default: "2", nullable: false}'))
 WHERE problem IS NOT NULL;

-- a domain over a domain the same plan creates comes after it; a column
-- that cannot reach the bottom type is refused; a domain's collation cannot
-- be changed in place
CREATE DOMAIN dm.code AS text COLLATE "C";
CREATE TABLE dm.labels (id int PRIMARY KEY, n text);
INSERT INTO dm.labels VALUES (1, 'x'), (2, '5');
SELECT step, action, sql, problem FROM converge_plan($$
version: 1
schemas:
  dm:
    domains:
      pos: {type: base, checks: {pos_check: "VALUE > 0"}}
      base: {type: integer}
      code: {type: text}
    tables:
      labels:
        primary_key: [id]
        columns:
          id: {type: integer}
          n: {type: pos}
$$);

-- what the document does not manage blocks changes it would break:
-- a function over the domain blocks its drop, an outside table's column
-- blocks a new rule whose rows could not be checked
CREATE DOMAIN dm.score AS integer;
CREATE FUNCTION public.dm_double(dm.score) RETURNS integer LANGUAGE sql AS 'SELECT $1 * 2';
CREATE DOMAIN dm.grade AS integer;
CREATE TABLE public.dm_outside (g dm.grade);
INSERT INTO public.dm_outside VALUES (7);
SELECT action, object, problem FROM converge_plan($$
version: 1
schemas:
  dm:
    domains:
      grade: {type: integer, checks: {grade_small: "VALUE < 5"}}
$$) WHERE problem IS NOT NULL ORDER BY step;
DROP FUNCTION public.dm_double(dm.score);
DROP TABLE public.dm_outside;

DROP SCHEMA dm CASCADE;
DROP FUNCTION dm_doc(text, text);

-- a domain's CHECK over varchar is stored with its constants cast to text:
-- the export plans nothing, and the same rule written against text, or
-- with constants cast to the same values, plans nothing either
CREATE SCHEMA dmv;
CREATE DOMAIN dmv.state AS varchar(20)
    CONSTRAINT state_known CHECK (VALUE IN ('running', 'stopped'));
CREATE DOMAIN dmv.price AS numeric(8,2)
    CONSTRAINT price_listed CHECK (VALUE IN (9.99, 19.99) OR VALUE >= 100);
CREATE TABLE dmv.jobs (id integer PRIMARY KEY, state dmv.state, price dmv.price);
INSERT INTO dmv.jobs VALUES (1, 'running', 9.99), (2, 'stopped', 150), (3, NULL, NULL);
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
 WHERE contypid IN ('dmv.state'::regtype, 'dmv.price'::regtype) ORDER BY conname;
SELECT * FROM converge_plan(converge_export('{dmv}'));
CREATE FUNCTION dmv_doc(state text, price text) RETURNS text
LANGUAGE sql AS $f$
SELECT format($d$
version: 1
schemas:
  dmv:
    domains:
      state: {type: "varchar(20)", checks: {state_known: %s}}
      price: {type: "numeric(8,2)", checks: {price_listed: %s}}
    tables:
      jobs:
        primary_key: [id]
        columns:
          id: {type: integer}
          state: {type: state}
          price: {type: price}
$d$, to_json(state), to_json(price))
$f$;
SELECT count(*) AS steps FROM converge_plan(dmv_doc(
    $$VALUE::text = ANY (ARRAY['running'::text, 'stopped'::text])$$,
    $$VALUE = ANY ('{9.99,19.99}'::numeric[]) OR VALUE >= 100.4::numeric(8,0)$$));
-- a different label, a constant that rounds to another value: a step each
SELECT action, object FROM converge_plan(dmv_doc(
    $$VALUE::text = ANY (ARRAY['running', 'paused'])$$,
    $$VALUE = ANY ('{9.99,19.99}'::numeric[]) OR VALUE >= 100.6::numeric(8,0)$$))
 ORDER BY step;
SELECT count(*) FROM dmv.jobs;
DROP SCHEMA dmv CASCADE;
DROP FUNCTION dmv_doc(text, text);

-- Domains over domains the same plan creates, declared base last, three
-- deep: each is created after its base (the dependency graph orders the
-- steps of a phase), and a column of the outermost one gets the rows'
-- values through all three CHECKs.
CREATE SCHEMA dch;
CREATE TABLE dch.readings (id integer PRIMARY KEY, celsius integer);
INSERT INTO dch.readings SELECT i, i * 10 FROM generate_series(1, 5) i;
CREATE FUNCTION dch_doc(base text) RETURNS text LANGUAGE sql AS $f$
SELECT format($d$
version: 1
schemas:
  dch:
    domains:
      lab_temp: {type: dch.bounded, checks: {warm: "VALUE > 0"}}
      bounded: {type: dch.%s, checks: {below: "VALUE < 100"}}
      degrees: {type: integer}
    tables:
      readings:
        primary_key: [id]
        columns:
          id: {type: integer, nullable: false}
          celsius: {type: dch.lab_temp}
$d$, base)
$f$;
SELECT step, action, object, sql FROM converge_plan(dch_doc('degrees'));
SELECT count(*) AS steps FROM converge_schema(dch_doc('degrees'));
SELECT format_type(atttypid, atttypmod), sum(celsius)
  FROM pg_attribute, dch.readings
 WHERE attrelid = 'dch.readings'::regclass AND attname = 'celsius'
 GROUP BY 1;
-- domains that are each other's base: the document's error
DROP TABLE dch.readings;
DROP DOMAIN dch.lab_temp, dch.bounded, dch.degrees;
SELECT count(*) FROM converge_plan(replace(dch_doc('lab_temp'),
  'celsius: {type: dch.lab_temp}', 'celsius: {type: integer}'));
DROP SCHEMA dch CASCADE;
DROP FUNCTION dch_doc(text);
