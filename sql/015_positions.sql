-- Expressions are refused where the server refuses them, at their position
-- in the document and before anything is evaluated: a subquery in a CHECK,
-- a default, a generation expression, an index key or predicate, a
-- domain's default or a trigger's WHEN, a type change's "using".  A
-- "using" that fills a new column may read other tables.  Aggregates,
-- window and set-returning functions too, and in a generation expression
-- or an index anything but immutable functions: the server transforms the
-- expression against the table as the document declares it (new columns,
-- new tables), in its position.
CREATE SCHEMA pos;
CREATE TABLE pos.t (a int);
INSERT INTO pos.t VALUES (1), (2);
SELECT count(*) FROM converge_plan($$
version: 1
schemas:
  pos:
    tables:
      t:
        columns:
          a: {type: integer, check: "a > (SELECT 0)"}
$$);
SELECT count(*) FROM converge_plan($$
version: 1
schemas:
  pos:
    tables:
      t:
        columns:
          a: {type: integer, default: "(SELECT 1)"}
$$);
SELECT count(*) FROM converge_plan($$
version: 1
schemas:
  pos:
    tables:
      t:
        columns:
          a: {type: integer}
          b: {type: integer, generated: "a + (SELECT 1)"}
$$);
SELECT count(*) FROM converge_plan($$
version: 1
schemas:
  pos:
    tables:
      t:
        columns:
          a: {type: integer}
        indexes:
          t_expr: {columns: ["(a + (SELECT 1))"]}
$$);
SELECT count(*) FROM converge_plan($$
version: 1
schemas:
  pos:
    tables:
      t:
        columns:
          a: {type: integer}
        indexes:
          t_partial: {columns: [a DESC], where: "EXISTS (SELECT 1)"}
$$);
SELECT count(*) FROM converge_plan($$
version: 1
schemas:
  pos:
    domains:
      d: {type: integer, default: "(SELECT 1)"}
    tables:
      t:
        columns:
          a: {type: integer}
$$);
SELECT count(*) FROM converge_plan($$
version: 1
schemas:
  pos:
    functions:
      f():
        returns: trigger
        language: plpgsql
        body: BEGIN RETURN NEW; END
    tables:
      t:
        columns:
          a: {type: integer}
        triggers:
          t_f:
            timing: before
            events: [insert]
            for_each: row
            function: pos.f
            when: "NEW.a > (SELECT 0)"
$$);
-- a "using" is an UPDATE's expression: it may read another table
SELECT step, action, sql FROM converge_plan($$
version: 1
schemas:
  pos:
    tables:
      t:
        columns:
          a: {type: integer}
          b: {type: integer, using: "(SELECT max(a) FROM pos.t)"}
$$);
-- but as ALTER TABLE's transform of a type change it may not
SELECT count(*) FROM converge_plan($$
version: 1
schemas:
  pos:
    tables:
      t:
        columns:
          a: {type: bigint, using: "a + (SELECT 1)"}
$$);
-- what the plan says, or the error it raises, for the columns, CHECKs and
-- indexes of pos.t (a exists) and of a new table pos.n
CREATE FUNCTION pg_temp.refusal(t text, n text DEFAULT '{a: {type: integer}}')
RETURNS text LANGUAGE plpgsql AS $f$
BEGIN
  RETURN (SELECT string_agg(action, ', ' ORDER BY step) FROM converge_plan(
    format(E'version: 1\nschemas:\n  pos:\n    tables:\n      t: %s\n      n: {columns: %s}\n', t, n)));
EXCEPTION WHEN OTHERS THEN
  RETURN SQLERRM;
END
$f$;
SELECT pg_temp.refusal('{columns: {a: {type: integer, check: "sum(a) > 0"}}}');
SELECT pg_temp.refusal('{columns: {a: {type: integer}}, checks: {w: "row_number() OVER () > 0"}}');
SELECT pg_temp.refusal('{columns: {a: {type: integer}}, checks: {s: "generate_series(1, a) > 0"}}');
-- on a column the plan adds, and in a table it creates
SELECT pg_temp.refusal('{columns: {a: {type: integer}, b: {type: integer, check: "max(b) > 0"}}}');
SELECT pg_temp.refusal('{columns: {a: {type: integer}}}',
  '{a: {type: integer, check: "count(*) > 0"}}');
-- generation expressions: immutable functions only
SELECT pg_temp.refusal('{columns: {a: {type: integer}, b: {type: float8, generated: "a + random()"}}}');
SELECT pg_temp.refusal('{columns: {a: {type: integer}}}',
  '{a: {type: timestamptz}, b: {type: text, generated: "a::text"}}');
SELECT pg_temp.refusal('{columns: {a: {type: integer}}}',
  '{a: {type: integer}, b: {type: bigint, generated: "sum(a)"}}');
-- index keys and predicates: immutable functions only
SELECT pg_temp.refusal('{columns: {a: {type: integer}}, indexes: {i: {columns: ["(a + random())"]}}}');
SELECT pg_temp.refusal('{columns: {a: {type: integer}, d: {type: timestamptz}}, indexes: {i: {columns: [a], where: "d > now()"}}}');
SELECT pg_temp.refusal('{columns: {a: {type: integer}}}',
  '{a: {type: text}}, indexes: {i: {columns: ["(a || now())"]}}');
-- what the server accepts plans as before
SELECT pg_temp.refusal('{columns: {a: {type: integer, check: "a > 0"}, b: {type: integer, generated: "a * 2"}, d: {type: timestamptz}}, indexes: {i: {columns: ["(abs(a))", d], where: "a > 0"}}}',
  '{a: {type: text, check: "length(a) < 9"}}, indexes: {j: {columns: ["lower(a)"]}}');
-- indexes, tables, views and sequences of a schema share one namespace
SELECT pg_temp.refusal('{columns: {a: {type: integer}}, indexes: {i: {columns: [a]}}}',
  '{a: {type: text}}, indexes: {i: {columns: [a]}}');
SELECT pg_temp.refusal('{columns: {a: {type: integer}}, indexes: {n: {columns: [a]}}}');
DROP SCHEMA pos CASCADE;
