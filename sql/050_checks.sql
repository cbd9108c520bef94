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
