-- A function made anew (CREATE OR REPLACE cannot rename a parameter) while
-- the document's CHECKs, defaults, generated columns, indexes and policies
-- call it: each is dropped before the function and made again after it,
-- in one plan, the rows kept and the generated values computed again.  A
-- dependent the document does not manage refuses the step, naming it; an
-- expression calling a function the document drops is a document error; a
-- CHECK calling a function the plan creates has its rows read by ADD
-- CONSTRAINT alone.
\pset null '(null)'
CREATE SCHEMA fd;
CREATE FUNCTION fd.score(v integer) RETURNS integer
  LANGUAGE sql IMMUTABLE AS $$ SELECT v * 2 $$;
CREATE TABLE fd.t (
  id integer PRIMARY KEY,
  v integer NOT NULL CONSTRAINT t_score_limit CHECK (fd.score(v) < 1000),
  d integer DEFAULT fd.score(21),
  g integer GENERATED ALWAYS AS (fd.score(v)) STORED);
CREATE INDEX t_score ON fd.t (fd.score(v));
CREATE INDEX t_partial ON fd.t (id) WHERE fd.score(v) > 4;
ALTER TABLE fd.t ENABLE ROW LEVEL SECURITY;
CREATE POLICY small ON fd.t USING (fd.score(v) < 500);
CREATE FUNCTION public.fd_count() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN PERFORM set_config('fd.fired', 'yes', false); RETURN NEW; END $$;
CREATE TRIGGER t_when BEFORE INSERT ON fd.t FOR EACH ROW
  WHEN (fd.score(NEW.v) > 0) EXECUTE FUNCTION public.fd_count();
INSERT INTO fd.t (id, v) VALUES (1, 1), (2, 2), (3, 3);

CREATE FUNCTION fd_doc(parameter text DEFAULT 'v',
                       functions text DEFAULT NULL) RETURNS text
LANGUAGE sql AS $f$
SELECT format($d$
version: 1
schemas:
  fd:
    functions:
%s
    tables:
      t:
        primary_key: [id]
        row_level_security: {enabled: true}
        columns:
          id: {type: integer, nullable: false}
          v: {type: integer, nullable: false}
          d: {type: integer, default: "fd.score(21)"}
          g: {type: integer, generated: "fd.score(v)"}
        checks:
          t_score_limit: "fd.score(v) < 1000"
        indexes:
          t_score: {columns: ["fd.score(v)"]}
          t_partial: {columns: [id], where: "fd.score(v) > 4"}
        policies:
          small: {using: "fd.score(v) < 500"}
        triggers:
          t_when:
            timing: before
            events: [insert]
            for_each: row
            when: "fd.score(NEW.v) > 0"
            function: public.fd_count
$d$, coalesce(functions, format($e$
      score(integer):
        arguments: %1$s integer
        returns: integer
        volatility: immutable
        body: " SELECT %1$s * 2 "$e$, parameter)))
$f$;
SELECT count(*) AS steps FROM converge_plan(fd_doc());

-- a parameter renamed: the function is made anew, and all that calls it
-- with it
SELECT step, action, object, reason, hazards, problem
  FROM converge_plan(fd_doc('n'));
SELECT count(*) AS steps FROM converge_schema(fd_doc('n'));
SELECT count(*) AS steps FROM converge_plan(fd_doc('n'));
SELECT pg_get_function_arguments('fd.score'::regproc) AS arguments;
SELECT id, v, d, g FROM fd.t ORDER BY id;
SELECT conname, pg_get_constraintdef(oid) AS definition
  FROM pg_constraint WHERE conrelid = 'fd.t'::regclass AND contype = 'c';
SELECT attname, pg_get_expr(adbin, adrelid) AS expression
  FROM pg_attrdef JOIN pg_attribute ON attrelid = adrelid AND attnum = adnum
 WHERE adrelid = 'fd.t'::regclass ORDER BY attname;
SELECT indexname, indexdef FROM pg_indexes
 WHERE schemaname = 'fd' AND indexname <> 't_pkey' ORDER BY indexname;
SELECT policyname, qual FROM pg_policies WHERE schemaname = 'fd';
SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger
 WHERE tgrelid = 'fd.t'::regclass;
-- what was rebuilt holds: the CHECK refuses, the default fills, the
-- trigger fires
INSERT INTO fd.t (id, v) VALUES (4, 600);
INSERT INTO fd.t (id, v) VALUES (4, 4) RETURNING id, v, d, g;
SELECT current_setting('fd.fired') AS fired;

-- a default outside the managed schemas calls it: refused, named
CREATE SCHEMA fd_other;
CREATE TABLE fd_other.x (a integer DEFAULT fd.score(1));
INSERT INTO fd_other.x DEFAULT VALUES;
SELECT step, action, object, problem
  FROM converge_plan(fd_doc('v')) WHERE problem IS NOT NULL;
SELECT * FROM converge_schema(fd_doc('v'));
DROP SCHEMA fd_other CASCADE;

-- the document drops the function its own expressions call
SELECT * FROM converge_plan(fd_doc('n', '      {}'));
SELECT * FROM converge_plan(replace(replace(replace(replace(fd_doc('n', '      {}'),
  '"fd.score(21)"', '2'), '"fd.score(v)"', '"(v * 2)"'),
  '"fd.score(v) < 1000"', '"v < 500"'), 'fd.score(v) > 4', 'v > 2'));
CREATE TABLE fd_free AS SELECT
  replace(replace(replace(replace(replace(replace(fd_doc('n', '      {}'),
  '"fd.score(21)"', '2'), '"fd.score(v)"', '"(v * 2)"'),
  '"fd.score(v) < 1000"', '"v < 500"'), 'fd.score(v) > 4', 'v > 2'),
  '"fd.score(v) < 500"', '"v < 250"'), 'fd.score(NEW.v)', 'NEW.v') AS doc;
SELECT step, action, object, reason, hazards
  FROM converge_plan((SELECT doc FROM fd_free));
SELECT count(*) AS steps FROM converge_schema((SELECT doc FROM fd_free));
SELECT count(*) AS steps FROM converge_plan((SELECT doc FROM fd_free));
SELECT proname FROM pg_proc WHERE pronamespace = 'fd'::regnamespace;
SELECT id, v, d, g FROM fd.t ORDER BY id;

-- a new CHECK that calls a new function: only ADD CONSTRAINT can read the
-- rows with it, and a row it refuses undoes the whole plan
CREATE TABLE fd_cap AS SELECT replace(replace((SELECT doc FROM fd_free),
  '      {}', $e$
      cap(integer):
        arguments: x integer
        returns: boolean
        volatility: immutable
        body: " SELECT x < 3 "$e$),
  '          t_score_limit:', $e$          cap_rule: "fd.cap(v)"
          t_score_limit:$e$) AS doc;
SELECT step, action, object, rows_affected, reason
  FROM converge_plan((SELECT doc FROM fd_cap));
SELECT * FROM converge_schema((SELECT doc FROM fd_cap));
SELECT count(*) AS functions FROM pg_proc
 WHERE pronamespace = 'fd'::regnamespace;
DELETE FROM fd.t WHERE v >= 3;
SELECT count(*) AS steps FROM converge_schema((SELECT doc FROM fd_cap));
INSERT INTO fd.t (id, v) VALUES (5, 5);

DROP SCHEMA fd CASCADE;
DROP FUNCTION fd_doc(text, text);
DROP TABLE fd_free, fd_cap;
DROP FUNCTION public.fd_count();
