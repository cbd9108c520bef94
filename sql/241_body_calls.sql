-- SQL-standard bodies (BEGIN ATOMIC, RETURN) are analyzed when their
-- function is created, so one that calls another function of the
-- document is created after it: the dependency graph within a phase
-- (ConvChange.needs).  The document's order does not matter; a cycle is
-- the document's error; a call to a function nobody makes still is.
CREATE SCHEMA bc;
CREATE TABLE bc.t (id integer PRIMARY KEY, n integer);
INSERT INTO bc.t VALUES (1, 2), (2, 3);
CREATE FUNCTION bc_doc(total_body text, twice_body text) RETURNS text
LANGUAGE sql AS $f$ SELECT format($$
version: 1
schemas:
  bc:
    tables:
      t:
        columns:
          id: {type: integer, nullable: false}
          n: {type: integer}
        primary_key: [id]
    functions:
      total():
        returns: bigint
        volatility: stable
        body: %s
      twice(integer):
        arguments: x integer
        returns: integer
        volatility: immutable
        body: %s
      thrice(integer):
        arguments: x integer
        returns: integer
        volatility: immutable
        body: return x * 3
$$, total_body, twice_body) $f$;

-- total calls twice, which calls thrice: made in the reverse order
SELECT step, action, object FROM converge_plan(bc_doc(
  '"begin atomic select sum(bc.twice(n)) from bc.t; end"',
  'return bc.thrice(x) - x'));
SELECT step, action, object FROM converge_schema(bc_doc(
  '"begin atomic select sum(bc.twice(n)) from bc.t; end"',
  'return bc.thrice(x) - x'));
SELECT bc.total();
SELECT count(*) AS steps FROM converge_plan(bc_doc(
  '"begin atomic select sum(bc.twice(n)) from bc.t; end"',
  'return bc.thrice(x) - x'));

-- a body changed to call a new function: the new one first (proven:
-- the plan runs, rolled back, and so does its script)
SET pg_converge.prove_plans = on;
SELECT step, action, object, problem FROM converge_plan(bc_doc(
  '"begin atomic select sum(bc.twice(n)) from bc.t; end"',
  'return bc.quad(x) - x') || E'
      quad(integer):
        arguments: x integer
        returns: integer
        volatility: immutable
        body: return x * 4
');
RESET pg_converge.prove_plans;

-- two bodies that call each other: neither can be made first
SELECT converge_plan(bc_doc(
  '"begin atomic select sum(bc.twice(n)) from bc.t; end"',
  'return bc.twice2(x)') || E'
      twice2(integer):
        arguments: x integer
        returns: integer
        volatility: immutable
        body: return bc.twice(x)
');

-- a function nobody makes is the document's error, as before
SELECT converge_plan(bc_doc(
  '"begin atomic select sum(bc.twice(n)) from bc.t; end"',
  'return bc.nosuch(x)'));

-- a function the document drops while a body of the model calls it: the
-- server refuses the drop until no body calls it, so it goes after the
-- caller is replaced by a body that does not (proven, as above) ...
CREATE FUNCTION bc_without_thrice(doc text) RETURNS text
LANGUAGE sql AS $f$ SELECT replace(doc, '      thrice(integer):
        arguments: x integer
        returns: integer
        volatility: immutable
        body: return x * 3
', '') $f$;
SET pg_converge.prove_plans = on;
SELECT step, action, object, problem FROM converge_plan(bc_without_thrice(
  bc_doc('"begin atomic select sum(bc.twice(n)) from bc.t; end"',
         'return x + x')));
RESET pg_converge.prove_plans;
-- ... a body of the document that still calls it is the document's error
SELECT converge_plan(bc_without_thrice(
  bc_doc('"begin atomic select sum(bc.twice(n)) from bc.t; end"',
         'return bc.thrice(x) - x')));
-- ... so is a new body that would call it
SELECT converge_plan(bc_without_thrice(
  bc_doc('"begin atomic select sum(bc.twice(n)) from bc.t; end"',
         'return x + x')) || E'
      uses_thrice(integer):
        arguments: x integer
        returns: integer
        volatility: immutable
        body: return bc.thrice(x)
');
-- ... and a caller the plan keeps (its schema's functions are not the
-- document's) refuses the drop, named
CREATE SCHEMA bc3;
CREATE FUNCTION bc3.uses() RETURNS integer LANGUAGE sql
  RETURN bc.thrice(1);
SELECT step, action, object, problem FROM converge_plan(bc_without_thrice(
  bc_doc('"begin atomic select sum(bc.twice(n)) from bc.t; end"',
         'return x + x')) || E'  bc3:\n    tables: {}\n')
 WHERE problem IS NOT NULL;
DROP SCHEMA bc3 CASCADE;
SELECT step, action, object FROM converge_schema(bc_without_thrice(
  bc_doc('"begin atomic select sum(bc.twice(n)) from bc.t; end"',
         'return x + x')));
SELECT bc.total(), to_regprocedure('bc.thrice(integer)') AS thrice;

DROP SCHEMA bc CASCADE;
DROP FUNCTION bc_doc(text, text);
DROP FUNCTION bc_without_thrice(text);
