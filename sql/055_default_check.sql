-- A default a new CHECK refuses is a problem in the plan, found before any
-- DDL: the rows may all pass, but every insert that takes the default
-- would fail once the plan ran.  On a table the plan creates it is the
-- hazard default_rejected instead: a schema rebuilt from its export may
-- work that way in production (the application always gives the value).
CREATE SCHEMA dc;
CREATE TABLE dc.orders (id int PRIMARY KEY, qty int DEFAULT 0,
  lo int DEFAULT 5, hi int DEFAULT 1, placed timestamptz DEFAULT now());
INSERT INTO dc.orders (id, qty, lo, hi)
  SELECT i, i, 1, 10 FROM generate_series(1, 5) i;
CREATE TEMP TABLE doc AS SELECT $$
version: 1
schemas:
  dc:
    tables:
      orders:
        columns:
          id: {type: integer, nullable: false}
          qty: {type: integer, default: "0", check: "qty > 0"}
          lo: {type: integer, default: "5"}
          hi: {type: integer, default: "1"}
          placed: {type: timestamp with time zone, default: "now()", check: "placed > '2000-01-01'"}
        checks:
          lo_below_hi: lo < hi
        primary_key: [id]
      returns:
        columns:
          id: {type: integer}
          reason: {type: text, default: "''", check: "length(reason) > 0"}
$$ AS d;
SELECT step, action, hazards, problem FROM converge_plan((SELECT d FROM doc));
SELECT count(*) FROM converge_schema((SELECT d FROM doc));
-- nothing ran
SELECT conname FROM pg_constraint
 WHERE connamespace = 'dc'::regnamespace AND contype = 'c';
-- defaults the CHECKs accept: converged, rows as they were
UPDATE doc SET d = replace(replace(replace(d, 'default: "0"', 'default: "1"'),
  'default: "5"', 'default: "0"'), $$default: "''"$$, $$default: "'none given'"$$);
SELECT count(*) AS steps FROM converge_schema((SELECT d FROM doc));
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
 WHERE connamespace = 'dc'::regnamespace AND contype = 'c' ORDER BY conname;
INSERT INTO dc.orders (id) VALUES (6);
INSERT INTO dc.returns (id) VALUES (1);
SELECT id, qty, lo, hi FROM dc.orders ORDER BY id;
SELECT * FROM dc.returns;
DROP SCHEMA dc CASCADE;
-- a domain's new CHECK: the domain's default, and a column's default
CREATE SCHEMA dd;
CREATE DOMAIN dd.qty AS int DEFAULT 0;
CREATE DOMAIN dd.score AS int;
CREATE TABLE dd.lines (id int PRIMARY KEY, q dd.qty, s dd.score DEFAULT -1);
INSERT INTO dd.lines SELECT i, i, i FROM generate_series(1, 4) i;
CREATE TEMP TABLE ddoc AS SELECT $$
version: 1
schemas:
  dd:
    domains:
      qty: {type: integer, default: "0", checks: {qty_positive: "VALUE > 0"}}
      score: {type: integer, checks: {score_positive: "VALUE > 0"}}
    tables:
      lines:
        columns:
          id: {type: integer, nullable: false}
          q: {type: qty}
          s: {type: score, default: "-1"}
        primary_key: [id]
$$ AS d;
SELECT count(*) FROM converge_schema((SELECT d FROM ddoc));
UPDATE ddoc SET d = replace(replace(d, 'default: "0"', 'default: "1"'),
  'default: "-1"', 'default: "1"');
SELECT count(*) AS steps FROM converge_schema((SELECT d FROM ddoc));
INSERT INTO dd.lines (id) VALUES (5);
SELECT * FROM dd.lines ORDER BY id;
DROP SCHEMA dd CASCADE;
-- a column of a domain that exists: its default must pass the domain, in
-- a column added to a table with rows (ADD COLUMN would fail), a default
-- set on a column (every insert that takes it would fail), and, as the
-- hazard default_rejected, in a table the plan creates
CREATE SCHEMA dv;
CREATE DOMAIN dv.positive AS int CHECK (VALUE > 0);
CREATE DOMAIN dv.given AS int NOT NULL;
CREATE TABLE dv.t (id int PRIMARY KEY, p dv.positive);
INSERT INTO dv.t SELECT i, i FROM generate_series(1, 3) i;
CREATE TEMP TABLE dvdoc AS SELECT $$
version: 1
schemas:
  dv:
    domains:
      positive: {type: integer, checks: {positive_check: "VALUE > 0"}}
      given: {type: integer, nullable: false}
    tables:
      t:
        columns:
          id: {type: integer, nullable: false}
          p: {type: positive, default: "-1"}
          added: {type: positive, default: "0"}
          g: {type: given, default: "NULL::integer"}
        primary_key: [id]
      fresh:
        columns:
          f: {type: positive, default: "-5"}
$$ AS d;
SELECT action, object, problem, hazards
  FROM converge_plan((SELECT d FROM dvdoc));
SELECT count(*) FROM converge_schema((SELECT d FROM dvdoc));
SELECT count(*) AS columns FROM pg_attribute
 WHERE attrelid = 'dv.t'::regclass AND attnum > 0;
-- defaults the domains accept: converged, rows as they were; the new
-- table keeps the default its domain refuses, and the hazard is real
UPDATE dvdoc SET d = replace(replace(replace(d, '"-1"', '"1"'), '"0"', '"2"'),
  '"NULL::integer"', '"3"');
SELECT action, object, problem, hazards
  FROM converge_plan((SELECT d FROM dvdoc));
SELECT count(*) AS steps FROM converge_schema((SELECT d FROM dvdoc));
INSERT INTO dv.t (id) VALUES (4);
INSERT INTO dv.fresh DEFAULT VALUES;
SELECT * FROM dv.t ORDER BY id;
DROP SCHEMA dv CASCADE;
-- a domain's new CHECK and a column of it the same plan adds: the CHECK
-- is added after the column, and must accept its default too
CREATE SCHEMA dw;
CREATE DOMAIN dw.positive AS int;
CREATE TABLE dw.t (id int PRIMARY KEY);
INSERT INTO dw.t SELECT i FROM generate_series(1, 3) i;
CREATE TEMP TABLE dwdoc AS SELECT $$
version: 1
schemas:
  dw:
    domains:
      positive: {type: integer, checks: {positive_check: "VALUE > 0"}}
    tables:
      t:
        columns:
          id: {type: integer, nullable: false}
          added: {type: positive, default: "-1"}
        primary_key: [id]
      fresh:
        columns:
          f: {type: positive, default: "-2"}
$$ AS d;
SELECT action, object, problem, hazards
  FROM converge_plan((SELECT d FROM dwdoc));
UPDATE dwdoc SET d = replace(d, '"-1"', '"1"');
SELECT count(*) AS steps FROM converge_schema((SELECT d FROM dwdoc));
SELECT * FROM dw.t ORDER BY id;
DROP SCHEMA dw CASCADE;
