-- Expressions are refused where the server refuses them, at their position
-- in the document and before anything is evaluated: a subquery in a CHECK,
-- a default, a generation expression, an index key or predicate, a
-- domain's default or a trigger's WHEN, a type change's "using".  A
-- "using" that fills a new column may read other tables.
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
DROP SCHEMA pos CASCADE;
