-- CHECK constraints compared by meaning, through the server's parser.
\pset null '(null)'

CREATE SCHEMA chk;

-- How many steps does a document CHECK produce against a stored one?
-- The table holds rows that satisfy both.
CREATE FUNCTION check_steps(stored text, doc text) RETURNS bigint
LANGUAGE plpgsql AS $f$
DECLARE
    n bigint;
BEGIN
    EXECUTE 'CREATE TABLE chk.t (kind text, amount numeric, x int, a int,'
         || ' name text, created_at timestamptz, qty int,'
         || ' CONSTRAINT t_rule CHECK (' || stored || '))';
    INSERT INTO chk.t VALUES ('a', 1, 2, 1, 'n', '2021-06-01', 3);
    SELECT count(*) INTO n FROM converge_plan(format($d$
version: 1
schemas:
  chk:
    tables:
      t:
        columns:
          kind: {type: text}
          amount: {type: numeric}
          x: {type: integer}
          a: {type: integer}
          name: {type: text}
          created_at: {type: timestamptz}
          qty: {type: integer}
        checks:
          t_rule: %s
$d$, to_json(doc)));
    DROP TABLE chk.t;
    RETURN n;
END
$f$;

SET timezone = 'UTC';
SELECT stored, doc, check_steps(stored, doc) AS steps
  FROM (VALUES
    ($$kind IN ('a','b')$$,                $$kind = ANY (ARRAY['a'::text, 'b'::text])$$),
    ($$kind = ANY (ARRAY['a'::text, 'b'::text])$$, $$kind IN ('a','b')$$),
    ('(amount>=0)',                        'amount >= 0'),
    ('amount >= 0',                        'AMOUNT   >=   0'),
    ('amount >= 0',                        'Amount>=0'),
    ('x <> 1',                             'x != 1'),
    ('x BETWEEN 1 AND 5',                  'x >= 1 AND x <= 5'),
    ('length(name) > 0',                   '(length(name) > 0)'),
    ($$created_at > '2020-01-01'$$,        $$created_at > '2020-01-01 00:00:00+00'::timestamp with time zone$$),
    ('NOT (a IS NULL)',                    'NOT (a IS NULL)'),
    ('a IS NOT NULL',                      'a is not null'),
    ('x > 0 AND qty > 0',                  '(x > 0) AND (qty > 0)'),
    ('x > 0 OR qty > 0',                   '((x > 0) OR (qty > 0))'),
    ('amount >= 0',                        '(amount >= (0)::numeric)'),
    ($$name <> ''$$,                       $$name <> ''::text$$),
    ('x + 1 > a',                          '(x + 1) > a'),
    ('x * 2 + 1 > a',                      '((x * 2) + 1) > a'),
    ($$kind LIKE 'a%'$$,                   $$kind ~~ 'a%'::text$$),
    ('lower(name) = name',                 'LOWER(name) = name'),
    ('qty IN (1, 2, 3)',                   'qty = ANY (ARRAY[1, 2, 3])'),
    ('coalesce(x, 0) >= 0',                'COALESCE(x, 0) >= 0'),
    ($$kind IN ('a')$$,                    $$kind = 'a'$$),
    ('x::bigint > 0',                      'CAST(x AS bigint) > 0'),
    ('chk.t.x > 0',                        't.x > 0')
  ) AS p(stored, doc);

-- Slightly different rules MUST produce a step (drop and add).
SELECT stored, doc, check_steps(stored, doc) AS steps
  FROM (VALUES
    ($$kind IN ('a','b')$$,                $$kind IN ('a','c')$$),
    ($$kind IN ('a','b')$$,                $$kind IN ('a','b','c')$$),
    ('amount >= 0',                        'amount > 0'),
    ('amount >= 0',                        'qty >= 0'),
    ('amount >= 0',                        'amount >= 1'),
    ('x <> 1',                             'x = 1'),
    ('x BETWEEN 1 AND 5',                  'x BETWEEN 1 AND 6'),
    ('length(name) > 0',                   'length(kind) > 0'),
    ('x > 0 AND qty > 0',                  'x > 0 OR qty > 0'),
    ('NOT (a IS NULL)',                    'a IS NOT NULL'),
    ('lower(name) = name',                 'upper(name) = name'),
    ($$created_at > '2020-01-01'$$,        $$created_at >= '2020-01-01'$$)
  ) AS p(stored, doc);

-- The same rules over columns whose constants the server casts: a varchar
-- IN list is stored with its constants cast to text, so it matches the
-- rule written against text once both are folded.  Folding never runs a
-- user's function: chkt.boom raises if it runs while the plan is made (the
-- pairs that differ are not given it, since the plan checks the rows with
-- the document's rule).
CREATE SCHEMA chkt;
CREATE TYPE chkt.mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN chkt.code_d AS varchar(10);
CREATE FUNCTION chkt.boom(int) RETURNS boolean IMMUTABLE LANGUAGE plpgsql AS $f$
BEGIN
    IF current_setting('chk.boom', true) = 'on' THEN
        RAISE EXCEPTION 'chkt.boom ran while planning';
    END IF;
    RETURN true;
END
$f$;
CREATE FUNCTION typed_check_steps(stored text, doc text) RETURNS bigint
LANGUAGE plpgsql AS $f$
DECLARE
    n bigint;
BEGIN
    EXECUTE 'CREATE TABLE chkt.ty (st varchar(20), code char(3),'
         || ' amount numeric(10,2), d date, at timestamptz, m chkt.mood,'
         || ' dc chkt.code_d, CONSTRAINT ty_rule CHECK (' || stored || '))';
    INSERT INTO chkt.ty VALUES ('running', 'ab', 1.50, '2021-06-01',
                               '2021-06-01', 'ok', 'a');
    PERFORM set_config('chk.boom', 'on', true);
    SELECT count(*) INTO n FROM converge_plan(format($d$
version: 1
schemas:
  chkt:
    enums:
      mood: {values: [sad, ok, happy]}
    domains:
      code_d: {type: "varchar(10)"}
    tables:
      ty:
        columns:
          st: {type: "varchar(20)"}
          code: {type: "char(3)"}
          amount: {type: "numeric(10,2)"}
          d: {type: date}
          at: {type: timestamptz}
          m: {type: chkt.mood}
          dc: {type: chkt.code_d}
        checks:
          ty_rule: %s
$d$, to_json(doc)));
    PERFORM set_config('chk.boom', 'off', true);
    DROP TABLE chkt.ty;
    RETURN n;
END
$f$;

SELECT stored, doc, typed_check_steps(stored, doc) AS steps
  FROM (VALUES
    ($$st IN ('running','stopped')$$,     $$((st)::text = ANY ((ARRAY['running'::character varying, 'stopped'::character varying])::text[]))$$),
    ($$st IN ('running','stopped')$$,     $$st::text = ANY (ARRAY['running'::text, 'stopped'::text])$$),
    ($$st::text = ANY (ARRAY['running'::text, 'stopped'::text])$$, $$st IN ('running','stopped')$$),
    ($$st::text = ANY (ARRAY['running'::text, 'stopped'::text])$$, $$((st)::text = ANY ((ARRAY['running'::character varying, 'stopped'::character varying])::text[]))$$),
    ($$st IN ('running','stopped')$$,     $$st = ANY ('{running,stopped}')$$),
    ($$st IN ('running','stopped')$$,     $$st::text IN ('running'::varchar, 'stopped'::varchar(7))$$),
    ($$st = 'running'$$,                  $$st::text = 'running'::varchar(20)::text$$),
    ($$st IN ('running','stopped') AND chkt.boom(1)$$, $$st::text = ANY (ARRAY['running', 'stopped']) AND chkt.boom(1)$$),
    ($$code IN ('ab','cd')$$,             $$code = ANY ('{ab,cd}'::bpchar[])$$),
    ($$code IN ('ab','cd')$$,             $$code = ANY (ARRAY['ab'::varchar, 'cd'::varchar]::bpchar[])$$),
    ($$amount >= 0$$,                     $$amount >= 0::numeric$$),
    ($$amount >= 0$$,                     $$amount >= '0'$$),
    ($$amount IN (1.5, 2.25)$$,           $$amount = ANY ('{1.5,2.25}'::numeric[])$$),
    ($$amount <= 1000$$,                  $$amount <= 1000.4::numeric(10,0)$$),
    ($$amount <= 99.99$$,                 $$amount <= 99.99::numeric(10,2)$$),
    ($$d >= '2020-01-01'$$,               $$d >= '2020-01-01 00:00'::timestamp::date$$),
    ($$d >= '2020-01-01'$$,               $$d >= '2019-12-31'::date + 1$$),
    ($$at >= '2020-01-01 00:00:00+00'$$,  $$at >= '2020-01-01 00:00:00.4+00'::timestamptz(0)$$),
    ($$m IN ('sad','ok')$$,               $$m = ANY ('{sad,ok}'::chkt.mood[])$$),
    ($$m IN ('sad','ok')$$,               $$(m = ANY (ARRAY['sad'::chkt.mood, 'ok'::chkt.mood]))$$),
    ($$dc IN ('a','b')$$,                 $$dc::text = ANY (ARRAY['a'::text, 'b'::text])$$),
    ($$dc::text = ANY (ARRAY['a'::text, 'b'::text])$$, $$dc IN ('a','b')$$)
  ) AS p(stored, doc);

-- Rules that fold to different constants still differ.
SELECT stored, doc, typed_check_steps(stored, doc) AS steps
  FROM (VALUES
    ($$st IN ('running','stopped')$$,     $$st::text = ANY (ARRAY['running'::text, 'paused'::text])$$),
    ($$st IN ('running','stopped')$$,     $$st::text = ANY (ARRAY['running', 'Stopped'])$$),
    ($$st IN ('running','stopped')$$,     $$st::text = ANY (ARRAY['running', 'stopped', 'paused'])$$),
    ($$code IN ('ab','cd')$$,             $$code = ANY ('{ab,ce}'::bpchar[])$$),
    ($$amount <= 1000$$,                  $$amount <= 1000.6::numeric(10,0)$$),
    ($$amount <= 99.99$$,                 $$amount <= 99.99::numeric(10,1)$$),
    ($$d >= '2020-01-01'$$,               $$d >= '2019-12-31'::date + 2$$),
    ($$at >= '2020-01-01 00:00:00+00'$$,  $$at >= '2020-01-01 00:00:00.6+00'::timestamptz(0)$$),
    ($$m IN ('sad','ok')$$,               $$m = ANY ('{sad,happy}'::chkt.mood[])$$),
    ($$dc IN ('a','b')$$,                 $$dc::text = ANY (ARRAY['a', 'c'])$$)
  ) AS p(stored, doc);

-- The export of a table with rows and the CHECKs that Rails and Django
-- write over varchar, char(n) and numeric columns plans nothing.
CREATE TABLE chkt.jobs (
    id integer PRIMARY KEY,
    state varchar(20) NOT NULL CHECK (state IN ('running', 'stopped')),
    grade char(2) CHECK (grade IN ('A', 'B', 'C')),
    price numeric(8,2) CHECK (price IN (9.99, 19.99) OR price >= 100)
);
INSERT INTO chkt.jobs VALUES (1, 'running', 'A', 9.99), (2, 'stopped', NULL, 150),
                            (3, 'stopped', 'C', NULL);
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
 WHERE conrelid = 'chkt.jobs'::regclass AND contype = 'c' ORDER BY conname;
SELECT * FROM converge_plan(converge_export('{chkt}'));
SELECT * FROM converge_schema(converge_export('{chkt}'));
SELECT count(*) FROM chkt.jobs;
DROP SCHEMA chkt CASCADE;
DROP FUNCTION typed_check_steps(text, text);

-- Seed 000: a column CHECK changed in the document, with rows holding every
-- old value.  Drop, remap, add; then nothing left to do, and every row kept.
CREATE TABLE chk.usage_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('request','input_tokens','output_tokens','sandbox_seconds')),
    amount numeric(12,2) NOT NULL DEFAULT 0 CHECK (amount >= 0)
);
INSERT INTO chk.usage_events (kind, amount)
SELECT k, i FROM unnest('{request,input_tokens,output_tokens,sandbox_seconds}'::text[])
     WITH ORDINALITY AS u(k, i), generate_series(1, 3);

CREATE FUNCTION seed000(kinds text, remap text) RETURNS text LANGUAGE sql AS $f$
SELECT format($d$
version: 1
schemas:
  chk:
    tables:
      usage_events:
        primary_key: [id]
        columns:
          id: {type: bigint, identity: always}
          kind:
            type: text
            nullable: false
            check: "kind IN (%s)"
            %s
          amount: {type: "numeric(12,2)", nullable: false, default: "0", check: "amount >= 0"}
$d$, kinds, remap)
$f$;

-- the document as the catalog is: no step
SELECT count(*) AS steps FROM converge_plan(
  seed000($$'request','input_tokens','output_tokens','sandbox_seconds'$$, ''));

-- the new CHECK without a remap: refused before any DDL, with counts
\set VERBOSITY default
SELECT * FROM converge_schema(
  seed000($$'llm_request','llm_input_tokens','llm_output_tokens','machine_seconds'$$, ''));

-- with the remap: drop, remap, add
SELECT step, action, object, sql, reason, hazards, rows_affected, problem
  FROM converge_schema(
  seed000($$'llm_request','llm_input_tokens','llm_output_tokens','machine_seconds'$$,
          'remap: {request: llm_request, input_tokens: llm_input_tokens, output_tokens: llm_output_tokens, sandbox_seconds: machine_seconds}'));
SELECT kind, count(*), sum(amount) FROM chk.usage_events GROUP BY kind ORDER BY kind;
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
 WHERE conrelid = 'chk.usage_events'::regclass AND contype = 'c' ORDER BY conname;
-- converged: the remap does not run again
SELECT count(*) AS steps FROM converge_plan(
  seed000($$'llm_request','llm_input_tokens','llm_output_tokens','machine_seconds'$$,
          'remap: {request: llm_request, input_tokens: llm_input_tokens, output_tokens: llm_output_tokens, sandbox_seconds: machine_seconds}'));

-- a remap that leaves rows outside the new CHECK is refused, naming them
SELECT * FROM converge_plan(
  seed000($$'llm_request','machine_seconds'$$,
          'remap: {llm_input_tokens: llm_request}'));
SELECT * FROM converge_schema(
  seed000($$'llm_request','machine_seconds'$$,
          'remap: {llm_input_tokens: llm_request}'));

-- a CHECK the document does not declare is dropped; a table CHECK on two
-- columns that names a column renamed in the same document is read under
-- the new name
CREATE TABLE chk.ranges (id int PRIMARY KEY, lo int, hi int,
                         note text CHECK (note <> ''));
INSERT INTO chk.ranges SELECT i, i, i + 10, 'n' FROM generate_series(1, 4) i;
SELECT step, action, object, sql, rows_affected
  FROM converge_schema($$
version: 1
schemas:
  chk:
    tables:
      usage_events:
        primary_key: [id]
        columns:
          id: {type: bigint, identity: always}
          kind: {type: text, nullable: false, check: "kind IN ('llm_request','llm_input_tokens','llm_output_tokens','machine_seconds')"}
          amount: {type: "numeric(12,2)", nullable: false, default: "0", check: "amount >= 0"}
      ranges:
        primary_key: [id]
        columns:
          id: {type: integer, nullable: false}
          low: {type: integer, renamed_from: lo}
          hi: {type: integer}
          note: {type: text}
        checks:
          ranges_order: "low <= hi"
$$);
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
 WHERE conrelid = 'chk.ranges'::regclass AND contype = 'c';
SELECT converge_is_converged(converge_export('{chk}'));
SELECT converge_export('{chk}');

DROP SCHEMA chk CASCADE;
DROP FUNCTION check_steps(text, text);
DROP FUNCTION seed000(text, text);
