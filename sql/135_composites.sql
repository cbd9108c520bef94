-- Composite types: exported, compared attribute by attribute as columns
-- are, created again when nothing uses them, refused in the plan when a
-- column stores them; created from nothing before the tables that use
-- them; left alone by a document that does not say "composite_types".
CREATE SCHEMA ct;
CREATE TYPE ct.pair AS (id uuid, name text COLLATE "C");
CREATE TYPE ct.spare AS (a int);
CREATE TYPE ct.point3 AS (x int, y int, z int);
CREATE TABLE ct.shapes (id int PRIMARY KEY, corner ct.point3);
INSERT INTO ct.shapes SELECT i, ROW(i, i * 2, i * 3)::ct.point3 FROM generate_series(1, 5) i;
COMMENT ON TYPE ct.pair IS 'a pair';
SELECT converge_export('{ct}');
SELECT count(*) AS steps FROM converge_plan(converge_export('{ct}'));
-- without the key, a document leaves the types alone
SELECT count(*) AS steps FROM converge_plan(
  regexp_replace(converge_export('{ct}'), '    composite_types:.*(    tables:)', '\1'));
-- an unused type changes: created again; one no longer declared: dropped;
-- a comment changes in place
CREATE TEMP TABLE doc AS SELECT replace(replace(replace(
  converge_export('{ct}'),
  E'      spare:\n        attributes:\n          a: {type: integer}\n', ''),
  'comment: a pair', 'comment: two things'),
  'name: {type: text, collation: C}', 'name: {type: varchar(40)}') AS d;
SELECT step, action, sql, reason FROM converge_plan((SELECT d FROM doc));
SELECT count(*) AS steps FROM converge_schema((SELECT d FROM doc));
SELECT t.typname, a.attname, format_type(a.atttypid, a.atttypmod),
       obj_description(t.oid, 'pg_type') AS comment
  FROM pg_type t JOIN pg_attribute a ON a.attrelid = t.typrelid
 WHERE t.typnamespace = 'ct'::regnamespace AND t.typtype = 'c'
   AND a.attnum > 0 AND t.typrelid IN (SELECT oid FROM pg_class WHERE relkind = 'c')
 ORDER BY 1, a.attnum;
-- a type a column stores is not changed under its rows
SELECT count(*) FROM converge_schema(
  replace((SELECT d FROM doc), 'z: {type: integer}', 'z: {type: bigint}'));
SELECT id, corner FROM ct.shapes ORDER BY id;
-- from nothing: an enum, a type of it, a table of the type
SELECT step, action, sql FROM converge_plan($$
version: 1
schemas:
  ct2:
    enums:
      mood: {values: [ok, sad]}
    composite_types:
      feeling:
        attributes:
          m: {type: mood}
          since: {type: date}
    tables:
      log:
        columns:
          f: {type: feeling}
          fs: {type: "feeling[]"}
$$);
SELECT count(*) AS steps FROM converge_schema($$
version: 1
schemas:
  ct2:
    enums:
      mood: {values: [ok, sad]}
    composite_types:
      feeling:
        attributes:
          m: {type: mood}
          since: {type: date}
    tables:
      log:
        columns:
          f: {type: feeling}
          fs: {type: "feeling[]"}
$$);
INSERT INTO ct2.log VALUES (ROW('sad', '2020-01-01'), ARRAY[ROW('ok', '2020-01-02')::ct2.feeling]);
SELECT (f).m, (fs[1]).since FROM ct2.log;
SELECT count(*) AS steps FROM converge_plan(converge_export('{ct2}'));

-- a composite type whose attributes are of composite types the same plan
-- makes (unqualified: its own schema's), declared before them: made after
-- them, on a table with rows (proven: the plan and its script run)
CREATE SCHEMA ct3;
CREATE TABLE ct3.t (id integer PRIMARY KEY);
INSERT INTO ct3.t VALUES (1), (2);
SET pg_converge.prove_plans = on;
SELECT step, action, object, sql FROM converge_schema($$
version: 1
schemas:
  ct3:
    composite_types:
      pair:
        attributes:
          a: {type: inner}
          b: {type: "inner[]"}
      inner:
        attributes:
          x: {type: integer}
    tables:
      t:
        columns:
          id: {type: integer, nullable: false}
          p: {type: ct3.pair}
        primary_key: [id]
$$);
RESET pg_converge.prove_plans;
UPDATE ct3.t SET p = ROW(ROW(id), ARRAY[ROW(id * 2)::ct3."inner"]);
SELECT id, ((p).a).x, ((p).b[1]).x FROM ct3.t ORDER BY id;
SELECT count(*) AS steps FROM converge_plan(converge_export('{ct3}'));

-- two new composite types of each other: neither can be made first
SELECT converge_plan($$
version: 1
schemas:
  ct4:
    composite_types:
      pair:
        attributes:
          a: {type: other}
      other:
        attributes:
          b: {type: "pair[]"}
$$);

DROP SCHEMA ct CASCADE;
DROP SCHEMA ct2 CASCADE;
DROP SCHEMA ct3 CASCADE;
