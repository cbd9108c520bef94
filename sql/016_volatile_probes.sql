-- converge_plan evaluates nothing that can change anything: a probe calls
-- only the server's and extensions' functions that are not volatile and
-- the document's own immutable functions.  Another expression is left to
-- the statement: the step's rows_affected is NULL and its reason says why,
-- and converge_schema evaluates it only in the statement that runs it.
CREATE SCHEMA vp;
CREATE SCHEMA vp_other;
CREATE SEQUENCE vp.s;
CREATE TABLE vp.t (id int PRIMARY KEY, a int);
INSERT INTO vp.t SELECT i, i FROM generate_series(1, 3) i;
CREATE FUNCTION vp.locking(int) RETURNS boolean LANGUAGE plpgsql
  AS $$BEGIN PERFORM pg_advisory_lock(77); RETURN $1 > 0; END$$;
CREATE FUNCTION vp.positive(int) RETURNS boolean LANGUAGE sql IMMUTABLE
  AS 'SELECT $1 > 0';
-- immutable by its word, but the document does not vouch for it
CREATE FUNCTION vp_other.small(int) RETURNS boolean LANGUAGE sql IMMUTABLE
  AS 'SELECT $1 < 100';
CREATE TEMP TABLE doc AS SELECT $$
version: 1
schemas:
  vp:
    sequences:
      s: {}
    functions:
      positive(integer):
        returns: boolean
        language: sql
        volatility: immutable
        body: SELECT $1 > 0
      locking(integer):
        returns: boolean
        language: plpgsql
        body: BEGIN PERFORM pg_advisory_lock(77); RETURN $1 > 0; END
    tables:
      t:
        columns:
          id: {type: integer, nullable: false}
          a: {type: integer}
        primary_key: [id]
        checks:
          locked: "vp.locking(a)"
          declared: "vp.positive(a)"
          other: "vp_other.small(a)"
          read: "pg_read_file('/nonexistent') IS NULL OR a > 0"
$$ AS d;
SELECT step, action, object, rows_affected, reason, problem
  FROM converge_plan((SELECT d FROM doc));
-- nothing ran: no advisory lock is held
SELECT count(*) AS advisory_locks FROM pg_locks
 WHERE locktype = 'advisory' AND pid = pg_backend_pid();
-- the statement meets the rows: an error there undoes every step
SELECT count(*) AS steps FROM converge_schema((SELECT d FROM doc));
SELECT conname FROM pg_constraint WHERE conrelid = 'vp.t'::regclass
   AND contype = 'c';
-- a column filled from a sequence: converge_plan does not move it, and
-- every later probe of the table (its rows as the plan leaves them hold
-- the column) is left to its statement too
UPDATE doc SET d = replace(replace(d,
  E'          read: "pg_read_file(''/nonexistent'') IS NULL OR a > 0"\n', ''),
  E'          a: {type: integer}\n', E'          a: {type: integer}\n          n: {type: bigint, nullable: false, using: "nextval(''vp.s'')"}\n');
SELECT step, action, object, rows_affected, reason
  FROM converge_plan((SELECT d FROM doc));
SELECT last_value, is_called FROM vp.s;
SELECT count(*) AS steps FROM converge_schema((SELECT d FROM doc));
SELECT * FROM vp.t ORDER BY id;
SELECT last_value FROM vp.s;
SELECT pg_advisory_unlock_all();
SELECT count(*) AS steps FROM converge_plan((SELECT d FROM doc));
-- a cast to a domain runs its CHECKs: one that calls a volatile function
-- keeps the probe of a default from running
CREATE DOMAIN vp.locked AS int CHECK (vp.locking(VALUE));
SELECT step, action, object, rows_affected, reason
  FROM converge_plan(replace(replace((SELECT d FROM doc),
    E'          a: {type: integer}\n',
    E'          a: {type: integer}\n          l: {type: vp.locked, default: "1"}\n'),
    E'    sequences:\n',
    E'    domains:\n      locked: {type: integer, checks: {locked_check: "vp.locking(VALUE)"}}\n    sequences:\n'))
 WHERE action = 'add_column';
SELECT count(*) AS advisory_locks FROM pg_locks
 WHERE locktype = 'advisory' AND pid = pg_backend_pid();
DROP SCHEMA vp CASCADE;
DROP SCHEMA vp_other CASCADE;
