-- Rows a plan rewrites in place (a column's remap, the fill of a column
-- made NOT NULL, a type change's conversion, an enum label's remap) must
-- still meet the rules of their table that the plan keeps: a unique key,
-- a unique index, a CHECK, a foreign key.  Found by test/evolution.sql:
-- each of these was planned clean and failed at its UPDATE or ALTER, after
-- earlier steps had run.  Now the rewriting step's problem names the rule
-- and counts the rows, before any DDL.  Every table holds rows.
CREATE SCHEMA kr;
CREATE TYPE kr.mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE kr.p (id integer PRIMARY KEY);
CREATE TABLE kr.t (
  id integer PRIMARY KEY,
  code text CONSTRAINT t_code_key UNIQUE,
  slot text CONSTRAINT t_slot_key UNIQUE,
  price numeric CONSTRAINT t_price_key UNIQUE,
  day date CONSTRAINT day_late CHECK (day > '2000-01-01'),
  parent integer REFERENCES kr.p,
  feel kr.mood CONSTRAINT t_feel_key UNIQUE,
  tag text
);
INSERT INTO kr.p VALUES (2);
INSERT INTO kr.t VALUES
  (1, 'a', NULL, 1.5, '2020-01-01', 2, 'happy', 'x'),
  (2, 'x', NULL, 2.25, NULL, NULL, 'ok', 'x'),
  (3, 'b', 's', 3, '2021-01-01', 2, 'sad', NULL);
CREATE TABLE kr_doc AS SELECT converge_export('{kr}') AS doc;
SELECT count(*) AS steps FROM converge_plan((SELECT doc FROM kr_doc));

-- a remap that makes two rows share a unique key
SELECT step, action, rows_affected, problem FROM converge_plan(replace(
  (SELECT doc FROM kr_doc), 'code: {type: text, unique: true}',
  'code: {type: text, unique: true, check: "code IN (''a'', ''b'', ''c'')", remap: {x: a}}'));
-- the same remap into a free value converges
SELECT step, action, rows_affected, problem FROM converge_plan(replace(
  (SELECT doc FROM kr_doc), 'code: {type: text, unique: true}',
  'code: {type: text, unique: true, check: "code IN (''a'', ''b'', ''c'')", remap: {x: c}}'));
-- NULLs filled by "using" or the default with one value, under a unique key
SELECT step, action, rows_affected, problem FROM converge_plan(replace(
  (SELECT doc FROM kr_doc), 'slot: {type: text, unique: true}',
  'slot: {type: text, unique: true, nullable: false, using: "''s''"}'));
SELECT step, action, rows_affected, problem FROM converge_plan(replace(
  (SELECT doc FROM kr_doc), 'slot: {type: text, unique: true}',
  'slot: {type: text, unique: true, nullable: false, default: "''t''"}'));
-- a default that fills NULLs the CHECK refuses
SELECT step, action, rows_affected, problem FROM converge_plan(replace(
  (SELECT doc FROM kr_doc), 'day: {type: date}',
  'day: {type: date, nullable: false, default: "''1999-01-01''"}'));
-- a new CHECK sees the rows filled: they break it
SELECT step, action, rows_affected, problem FROM converge_plan(replace(
  (SELECT doc FROM kr_doc), 'tag: {type: text}',
  'tag: {type: text, nullable: false, default: "''z''", check: "tag < ''z''"}'));
-- a default that fills NULLs with a value the referenced table lacks
SELECT step, action, rows_affected, problem FROM converge_plan(replace(
  (SELECT doc FROM kr_doc), 'parent: {type: integer, references: {table: p, column: id}}',
  'parent: {type: integer, nullable: false, default: "1", references: {table: p, column: id}}'));
-- a conversion that rounds two prices to one
SELECT step, action, rows_affected, problem FROM converge_plan(replace(
  (SELECT doc FROM kr_doc), 'price: {type: numeric, unique: true}',
  'price: {type: integer, unique: true, using: "round(price)"}'));
-- an enum label remapped onto one a row under a unique key holds
SELECT step, action, rows_affected, problem FROM converge_plan(replace(
  (SELECT doc FROM kr_doc), 'values: [sad, ok, happy]',
  'values: [sad, ok], remap: {happy: ok}'));
-- the refusal, as converge_schema raises it
SELECT * FROM converge_schema(replace(
  (SELECT doc FROM kr_doc), 'day: {type: date}',
  'day: {type: date, nullable: false, default: "''1999-01-01''"}'));
SELECT count(*) AS rows, count(day) AS days FROM kr.t;

-- a new unique index on a column the plan renames: its rows are checked
-- under the column's new name
SELECT step, action, rows_affected, problem FROM converge_plan(replace(
  (SELECT doc FROM kr_doc), 'tag: {type: text}',
  'label: {type: text, renamed_from: tag}' || E'\n' ||
  '        indexes: {t_label: {columns: [label], unique: true}}'));

DROP SCHEMA kr CASCADE;
DROP TABLE kr_doc;

-- A view the plan makes again after it retypes a column the view reads is
-- analyzed against the new type: a function of the old type no longer
-- matches, which is the document's error at the view's query.
CREATE SCHEMA kv;
CREATE FUNCTION kv.f(x integer) RETURNS integer LANGUAGE sql IMMUTABLE
  AS $$ SELECT x + 1 $$;
CREATE TABLE kv.t (id integer PRIMARY KEY, n integer);
INSERT INTO kv.t VALUES (1, 10), (2, 20);
CREATE VIEW kv.v AS SELECT id, kv.f(n) AS y FROM kv.t;
-- the view's query as the document writes it (releases deparse it apart)
CREATE TABLE kv_doc AS SELECT regexp_replace(converge_export('{kv}'),
  'query: .*', 'query: SELECT t.id, kv.f(t.n) AS y FROM kv.t') AS doc;
SELECT * FROM converge_plan(replace((SELECT doc FROM kv_doc),
  'n: {type: integer}', 'n: {type: bigint}'));
-- a view that reads the retyped column through a function of the new type
-- is made again
SELECT step, action, sql FROM converge_plan(replace(replace(
  (SELECT doc FROM kv_doc), 'n: {type: integer}', 'n: {type: bigint}'),
  'kv.f(t.n)', 'kv.f(t.n::integer)'));
DROP SCHEMA kv CASCADE;
DROP TABLE kv_doc;
