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
