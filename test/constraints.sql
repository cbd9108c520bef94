-- pgTAP: CHECK, PRIMARY KEY and UNIQUE constraints after converging tables
-- that hold rows, asserted with pgTAP's own schema assertions and the rows.
BEGIN;
CREATE EXTENSION pg_converge;
SELECT plan(33);

CREATE SCHEMA nap;
CREATE TABLE nap.usage_events (
    id bigint GENERATED ALWAYS AS IDENTITY,
    kind text NOT NULL
        CHECK (kind IN ('request', 'input_tokens', 'output_tokens', 'sandbox_seconds')),
    amount numeric(12,2) NOT NULL DEFAULT 0,
    user_ref text
);
CREATE TABLE nap.accounts (ref text PRIMARY KEY);
INSERT INTO nap.accounts VALUES ('u1'), ('u2'), ('u3'), ('u4'), ('dup'), ('dup2');
INSERT INTO nap.usage_events (kind, amount, user_ref)
SELECT k, i, 'u' || i
  FROM unnest('{request,input_tokens,output_tokens,sandbox_seconds}'::text[])
       WITH ORDINALITY AS u(k, i);

CREATE FUNCTION pg_temp.doc() RETURNS text LANGUAGE sql AS $d$ SELECT $$
version: 1
schemas:
  nap:
    tables:
      usage_events:
        primary_key: [id]
        columns:
          id: {type: bigint, identity: always}
          kind:
            type: text
            nullable: false
            check: "kind IN ('llm_request','llm_input_tokens','llm_output_tokens','machine_seconds')"
            remap: {request: llm_request, input_tokens: llm_input_tokens,
                    output_tokens: llm_output_tokens, sandbox_seconds: machine_seconds}
          amount: {type: "numeric(12,2)", nullable: false, default: "0"}
          user_ref: {type: text, unique: true, references: {table: accounts, column: ref, on_delete: set null}}
        checks:
          usage_events_amount_check: "amount >= 0"
        unique:
          usage_events_kind_amount_key: [kind, amount]
        indexes:
          usage_events_recent_idx: {columns: [kind, amount DESC], where: "amount > 0"}
      accounts:
        primary_key: [ref]
        columns:
          ref: {type: text}
$$ $d$;

SELECT lives_ok($$SELECT count(*) FROM converge_schema(pg_temp.doc())$$,
                'seed 000 document converges');

SELECT has_pk('nap', 'usage_events', 'usage_events has a primary key');
SELECT col_is_pk('nap', 'usage_events', 'id', 'id is the primary key');
SELECT col_not_null('nap', 'usage_events', 'id', 'primary key column is NOT NULL');
SELECT col_is_unique('nap', 'usage_events', 'user_ref', 'user_ref is unique');
SELECT col_is_unique('nap', 'usage_events', ARRAY['kind', 'amount'],
                     'kind, amount are unique together');
SELECT has_index('nap', 'usage_events', 'usage_events_user_ref_key',
                 'column unique has its PostgreSQL name');
SELECT index_is_unique('nap', 'usage_events', 'usage_events_kind_amount_key',
                       'named unique is a unique index');
SELECT has_index('nap', 'usage_events', 'usage_events_recent_idx',
                 ARRAY['kind', 'amount'], 'the partial index exists on its columns');
SELECT is((SELECT pg_get_expr(indpred, indrelid) FROM pg_index
            WHERE indexrelid = 'nap.usage_events_recent_idx'::regclass),
          '(amount > (0)::numeric)', 'the index predicate is the declared one');
SELECT has_check('nap', 'usage_events', 'usage_events has CHECK constraints');
SELECT col_has_check('nap', 'usage_events', 'kind', 'kind has a CHECK');
SELECT col_has_check('nap', 'usage_events', 'amount', 'amount has a CHECK');
SELECT is(
    (SELECT pg_get_constraintdef(oid) FROM pg_constraint
      WHERE conrelid = 'nap.usage_events'::regclass
        AND conname = 'usage_events_kind_check'),
    $$CHECK ((kind = ANY (ARRAY['llm_request'::text, 'llm_input_tokens'::text, 'llm_output_tokens'::text, 'machine_seconds'::text])))$$,
    'the CHECK is the new one');
SELECT col_is_fk('nap', 'usage_events', 'user_ref', 'user_ref is a foreign key');
SELECT fk_ok('nap', 'usage_events', 'user_ref', 'nap', 'accounts', 'ref',
             'user_ref references accounts.ref');
SELECT is((SELECT confdeltype FROM pg_constraint
            WHERE conname = 'usage_events_user_ref_fkey'), 'n',
          'ON DELETE SET NULL');
SELECT bag_eq(
    $$SELECT kind, amount, user_ref FROM nap.usage_events$$,
    $$VALUES ('llm_request', 1.00, 'u1'), ('llm_input_tokens', 2.00, 'u2'),
             ('llm_output_tokens', 3.00, 'u3'), ('machine_seconds', 4.00, 'u4')$$,
    'every row kept, remapped');
SELECT ok(converge_is_converged(pg_temp.doc()), 'schema converged');
SELECT is_empty($$SELECT * FROM converge_plan(pg_temp.doc())$$,
                'converging again is a no-op');
SELECT throws_ok(
    $$INSERT INTO nap.usage_events (kind, amount) VALUES ('request', 1)$$,
    '23514', NULL, 'the old value is refused by the new CHECK');
SELECT lives_ok(
    $$INSERT INTO nap.usage_events (kind, amount) VALUES ('llm_request', 9)$$,
    'a new value is accepted');

-- a duplicate makes a new unique key refuse, and nothing changes
INSERT INTO nap.usage_events (kind, amount, user_ref) VALUES ('llm_request', 10, 'dup'), ('llm_request', 11, 'dup2');
ALTER TABLE nap.usage_events DROP CONSTRAINT usage_events_user_ref_key;
UPDATE nap.usage_events SET user_ref = 'u1' WHERE user_ref = 'dup2';
SELECT throws_ok($$SELECT count(*) FROM converge_schema(pg_temp.doc())$$,
                 '55000',
                 'existing rows block convergence of nap.usage_events.usage_events_user_ref_key',
                 'duplicate keys refuse the unique constraint');
SELECT hasnt_index('nap', 'usage_events', 'usage_events_user_ref_key',
                   'the refused key was not created');
SELECT is((SELECT count(*)::int FROM nap.usage_events), 7, 'no row was changed');

-- export round trip with every constraint kind
SELECT is_empty($$SELECT * FROM converge_plan(converge_export('{nap}'))$$,
                'converge_plan(converge_export()) is empty');
SELECT ok(converge_is_converged(converge_export('{nap}')),
          'the export is converged');

-- rows a plan rewrites in place meet the rules the table keeps
CREATE SCHEMA kr;
CREATE TABLE kr.t (id integer PRIMARY KEY, code text UNIQUE,
                   day date CONSTRAINT day_late CHECK (day > '2000-01-01'));
INSERT INTO kr.t VALUES (1, 'a', '2020-01-01'), (2, 'x', NULL),
                        (3, 'b', '2021-01-01');
CREATE FUNCTION pg_temp.kr(code text, day text) RETURNS text LANGUAGE sql
AS $f$ SELECT format($$
version: 1
schemas:
  kr:
    tables:
      t:
        columns:
          id: {type: integer, nullable: false}
          code: {type: text, unique: true, check: "code IN ('a', 'b', 'c')", %s}
          day: {type: date, check: "day > '2000-01-01'", %s}
        primary_key: [id]
$$, code, day) $f$;
SELECT throws_ok($$SELECT count(*) FROM converge_schema(pg_temp.kr('remap: {x: a}', 'nullable: true'))$$,
                 '55000', 'existing rows block convergence of kr.t.code',
                 'a remap that makes two rows share a unique key is refused');
SELECT throws_ok($$SELECT count(*) FROM converge_schema(pg_temp.kr('remap: {x: c}', 'nullable: false, default: "''1999-01-01''"'))$$,
                 '55000', 'existing rows block convergence of kr.t.day',
                 'a default that fills NULLs the kept CHECK refuses is refused');
SELECT results_eq($$SELECT id, code, day FROM kr.t ORDER BY id$$,
                  $$VALUES (1, 'a', '2020-01-01'::date), (2, 'x', NULL),
                           (3, 'b', '2021-01-01')$$,
                  'the refusals changed no row');
SELECT lives_ok($$SELECT count(*) FROM converge_schema(pg_temp.kr('remap: {x: c}', 'nullable: false, default: "''2001-01-01''"'))$$,
                'a remap and a fill that keep the rules converge');
SELECT results_eq($$SELECT id, code, day FROM kr.t ORDER BY id$$,
                  $$VALUES (1, 'a', '2020-01-01'::date), (2, 'c', '2001-01-01'),
                           (3, 'b', '2021-01-01')$$,
                  'the row was remapped and filled');
SELECT col_is_unique('kr', 't', ARRAY['code'], 'the unique key is kept');

SELECT * FROM finish();
ROLLBACK;
