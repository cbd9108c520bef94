-- Functions and procedures: keyed by signature, compared attribute by
-- attribute as the server reads the declaration (types resolved, defaults
-- cooked), replaced in place where CREATE OR REPLACE can, made anew where
-- it cannot (refused while something the plan does not rebuild calls it),
-- created before the tables that call them with their bodies checked only
-- when run; tables hold rows.
\pset null '(null)'
SET check_function_bodies = off;
CREATE ROLE converge_fn_caller;
CREATE SCHEMA fn;
CREATE FUNCTION fn.add(a integer, b integer DEFAULT 1) RETURNS integer
  LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT a + b $$;
CREATE FUNCTION fn.label(n integer, prefix text DEFAULT 'n') RETURNS text
  LANGUAGE sql STABLE AS $$ SELECT prefix || n $$;
CREATE FUNCTION fn.stamp() RETURNS trigger LANGUAGE plpgsql
  AS $$ BEGIN NEW.at := now(); RETURN NEW; END $$;
CREATE PROCEDURE fn.tidy(days integer) LANGUAGE sql
  AS $$ DELETE FROM fn.items WHERE id < 0 $$;
CREATE FUNCTION fn.unused() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;
CREATE TABLE fn.items (id integer PRIMARY KEY, v integer DEFAULT fn.add(1),
                       at timestamptz);
INSERT INTO fn.items (id) SELECT i FROM generate_series(1, 4) i;
COMMENT ON FUNCTION fn.add(integer, integer) IS 'adds';
RESET check_function_bodies;

-- the export rebuilds them, and plans nothing here
SELECT converge_export('{fn}');
CREATE VIEW fn.labels AS SELECT id, fn.label(id) AS label FROM fn.items;
SELECT count(*) AS steps FROM converge_plan(converge_export('{fn}'));

CREATE FUNCTION fn_doc(changes text DEFAULT '') RETURNS text LANGUAGE sql AS $f$
SELECT $d$
version: 1
schemas:
  fn:
    functions:
      add(integer, integer):
        arguments: a integer, b integer DEFAULT 1
        returns: integer
        volatility: immutable
        strict: true
        comment: adds
        body: " SELECT a + b "
      label(integer, text):
        arguments: n integer, prefix text DEFAULT 'n'::text
        returns: text
        volatility: stable
        body: " SELECT prefix || n "
      stamp():
        returns: trigger
        language: plpgsql
        body: " BEGIN NEW.at := now(); RETURN NEW; END "
      unused():
        returns: integer
        body: " SELECT 1 "
$d$ || changes || $d$
    procedures:
      tidy(integer):
        arguments: days integer
        body: " DELETE FROM fn.items WHERE id < 0 "
    tables:
      items:
        primary_key: [id]
        columns:
          id: {type: integer, nullable: false}
          v: {type: integer, default: "fn.add(1)"}
          at: {type: timestamp with time zone}
    views:
      labels:
        query: SELECT id, fn.label(id) AS label FROM fn.items
$d$
$f$;

-- written as the server stores it or not ('n' and 'n'::text), the same
SELECT count(*) AS steps FROM converge_plan(fn_doc());

-- A body or a default that changes is CREATE OR REPLACE; a renamed
-- parameter or a new return type is a new function, and the column
-- default and the view that call it are rebuilt around it
-- (242_function_dependents has the other kinds).
SELECT step, action, sql, reason, problem FROM converge_plan(
  replace(replace(fn_doc(), 'SELECT a + b', 'SELECT a + b + 0'),
          'prefix text DEFAULT ''n''::text', 'prefix text DEFAULT ''#'''));
SELECT step, action, object, reason, problem FROM converge_plan(
  replace(replace(fn_doc(), 'a integer, b integer DEFAULT 1', 'x integer, b integer DEFAULT 1'),
          'returns: text', 'returns: character varying'));
SELECT step, action, object, reason FROM converge_plan(
  replace(fn_doc(), 'returns: text', 'returns: character varying'));
SELECT count(*) AS steps FROM converge_schema(
  replace(fn_doc(), 'returns: text', 'returns: character varying'));
SELECT * FROM fn.labels ORDER BY id;
SELECT count(*) AS steps FROM converge_schema(fn_doc());

-- A new function called by a new column's default on a table with rows is
-- created first; a SQL body reading a table the plan creates is checked
-- only when it runs; an undeclared function is dropped; a SECURITY DEFINER
-- function without its own search_path is warned about; PUBLIC's EXECUTE
-- is revoked where the document says so.
CREATE FUNCTION fn_grown() RETURNS text LANGUAGE sql AS $f$ SELECT
  replace(replace(fn_doc($d$
      twice(integer):
        returns: integer
        volatility: immutable
        body: SELECT $1 * 2
      audit_count():
        returns: bigint
        security_definer: true
        grants: {public: [], converge_fn_caller: [execute]}
        body: SELECT count(*) FROM fn.audit
$d$),
  '      unused():' || chr(10) || '        returns: integer' || chr(10) || '        body: " SELECT 1 "' || chr(10), ''),
  '          at: {type: timestamp with time zone}', '          at: {type: timestamp with time zone}
          doubled: {type: integer, default: "fn.twice(21)"}
      audit:
        columns:
          n: {type: integer}')
$f$;
SELECT step, action, object, reason FROM converge_plan(fn_grown());
SELECT count(*) AS steps FROM converge_schema(fn_grown());
SELECT id, doubled FROM fn.items ORDER BY id;
SELECT fn.audit_count();
SELECT has_function_privilege('public', 'fn.audit_count()', 'execute') AS public_may,
       has_function_privilege('converge_fn_caller', 'fn.audit_count()', 'execute') AS caller_may;

-- document errors, at their line
SELECT * FROM converge_plan(fn_doc($d$
      broken:
        returns: integer
        body: SELECT 1
$d$));
SELECT * FROM converge_plan(fn_doc($d$
      nobody(integer):
        returns: integer
$d$));
SELECT * FROM converge_plan(fn_doc($d$
      wrong(no_such_type):
        arguments: x no_such_type
        returns: integer
        body: SELECT 1
$d$));

-- SQL-standard bodies (BEGIN ATOMIC, RETURN): analyzed as CREATE FUNCTION
-- analyzes them and compared as trees, so a body written differently but
-- meaning the same is the same; one that reads a table the plan creates
-- is created after it
CREATE SCHEMA sb;
CREATE TABLE sb.t (id integer PRIMARY KEY, v text);
INSERT INTO sb.t VALUES (1, 'a'), (2, 'b');
CREATE FUNCTION sb.add(a integer, b integer) RETURNS integer
  LANGUAGE sql IMMUTABLE RETURN a + b;
CREATE FUNCTION sb.count_t() RETURNS bigint LANGUAGE sql STABLE
  BEGIN ATOMIC SELECT count(*) FROM sb.t; END;
CREATE PROCEDURE sb.ins(x integer) LANGUAGE sql
  BEGIN ATOMIC INSERT INTO sb.t VALUES (x, 'p'); END;
SELECT converge_export('{sb}');
SELECT count(*) AS steps FROM converge_plan(converge_export('{sb}'));
CREATE FUNCTION sb_doc(add_body text, extra_table text DEFAULT '',
                       extra_function text DEFAULT '')
RETURNS text LANGUAGE sql AS $f$ SELECT format($d$
version: 1
schemas:
  sb:
    tables:
      t:
        columns:
          id: {type: integer, nullable: false}
          v: {type: text}
        primary_key: [id]%s
    functions:
      add(integer, integer):
        arguments: a integer, b integer
        returns: integer
        volatility: immutable
        body: %s
      count_t():
        returns: bigint
        volatility: stable
        body: |
          begin atomic
            select count(*)
              from sb.t;
          end%s
    procedures:
      ins(integer):
        arguments: x integer
        body: BEGIN ATOMIC INSERT INTO sb.t VALUES (x, 'p'); END
$d$, extra_table, add_body, extra_function) $f$;
SELECT count(*) AS steps FROM converge_plan(sb_doc('RETURN a + b'));
SELECT step, action, object, sql FROM converge_schema(sb_doc(
  'RETURN (a + b) * 10', $e$
      u:
        columns:
          id: {type: integer}$e$, $e$
      count_u():
        returns: bigint
        body: BEGIN ATOMIC SELECT count(*) FROM sb.u; END$e$));
INSERT INTO sb.u VALUES (1), (2), (3);
CALL sb.ins(3);
SELECT sb.add(1, 2), sb.count_t(), sb.count_u();
-- a body the server cannot analyze is an error at its position
SELECT * FROM converge_plan(sb_doc('RETURN a + no_such_column'));
DROP SCHEMA sb CASCADE;
DROP FUNCTION sb_doc(text, text, text);

DROP SCHEMA fn CASCADE;
DROP FUNCTION fn_doc(text), fn_grown();
DROP ROLE converge_fn_caller;
