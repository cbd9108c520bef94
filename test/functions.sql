-- pgTAP: functions and procedures after converging, with a table that
-- holds rows calling one in its default and a view, a CHECK and an index
-- calling another; that one made anew with all that calls it.
BEGIN;
CREATE EXTENSION pg_converge;
SELECT plan(24);

CREATE ROLE converge_tap_runner;
CREATE SCHEMA calc;
CREATE TABLE calc.items (id integer PRIMARY KEY, price numeric NOT NULL);
INSERT INTO calc.items SELECT i, i * 10 FROM generate_series(1, 5) i;
CREATE FUNCTION calc.old_helper() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;

CREATE FUNCTION pg_temp.doc(rate text, parameter text DEFAULT 'amount')
RETURNS text LANGUAGE sql AS $d$
SELECT format($$
version: 1
extensions:
  pgtap: {}
  citext: {schema: calc}
schemas:
  calc:
    functions:
      with_tax(numeric):
        arguments: %2$s numeric
        returns: numeric
        volatility: immutable
        parallel: safe
        body: SELECT round(%2$s * %1$s, 2)
      next_id():
        returns: integer
        language: plpgsql
        security_definer: true
        set: {search_path: "calc, pg_temp"}
        grants: {public: [], converge_tap_runner: [execute]}
        body: BEGIN RETURN (SELECT coalesce(max(id), 0) + 1 FROM items); END
      round_price():
        returns: trigger
        language: plpgsql
        body: BEGIN NEW.price := round(NEW.price); RETURN NEW; END
    procedures:
      reprice(numeric):
        arguments: factor numeric
        body: UPDATE calc.items SET price = price * factor
    tables:
      items:
        primary_key: [id]
        columns:
          id: {type: integer, nullable: false, default: "calc.next_id()"}
          price: {type: numeric, nullable: false}
        checks:
          gross_positive: "calc.with_tax(price) > 0"
        indexes:
          items_gross: {columns: ["calc.with_tax(price)"]}
        triggers:
          rounded:
            timing: before
            events: [insert]
            for_each: row
            function: calc.round_price
    views:
      priced:
        query: SELECT id, calc.with_tax(price) AS gross FROM calc.items
$$, rate, parameter) $d$;

SELECT lives_ok($$SELECT converge_schema(pg_temp.doc('1.2'))$$,
                'functions, a procedure, a default calling one, a view calling another');
SELECT is((SELECT count(*) FROM converge_plan(pg_temp.doc('1.2'))), 0::bigint,
          'converging twice plans nothing');
SELECT has_function('calc', 'with_tax', ARRAY['numeric'], 'the function exists');
SELECT has_extension('calc', 'citext', 'the extension is created in its schema');
SELECT hasnt_function('calc', 'old_helper', 'the undeclared function is dropped');
SELECT volatility_is('calc', 'with_tax', ARRAY['numeric'], 'immutable',
                     'its volatility is the document''s');
SELECT function_returns('calc', 'with_tax', ARRAY['numeric'], 'numeric',
                        'it returns the document''s type');
SELECT function_lang_is('calc', 'next_id', ARRAY[]::text[], 'plpgsql',
                        'its language is the document''s');
SELECT is_definer('calc', 'next_id', ARRAY[]::text[], 'SECURITY DEFINER is set');
SELECT function_privs_are('calc', 'next_id', ARRAY[]::text[], 'public', ARRAY[]::text[],
                          'PUBLIC may not execute it');
SELECT function_privs_are('calc', 'next_id', ARRAY[]::text[], 'converge_tap_runner',
                          ARRAY['EXECUTE'], 'the named role may');
INSERT INTO calc.items (price) VALUES (60);
SELECT results_eq('SELECT max(id) FROM calc.items', ARRAY[6],
                  'the default calls the function');
SELECT lives_ok($$SELECT converge_schema(pg_temp.doc('1.5'))$$,
                'a changed body is replaced in place');
SELECT results_eq('SELECT gross FROM calc.priced WHERE id = 2', ARRAY[30.00::numeric],
                  'the view calls the new body');
SELECT has_trigger('calc', 'items', 'rounded', 'the trigger exists');
SELECT trigger_is('calc', 'items', 'rounded', 'calc', 'round_price',
                  'it runs its function');
INSERT INTO calc.items (price) VALUES (70.4);
SELECT results_eq('SELECT price FROM calc.items WHERE id = 7', ARRAY[70::numeric],
                  'the converged trigger fires and writes the row');
CALL calc.reprice(2);
SELECT results_eq('SELECT price FROM calc.items WHERE id = 1', ARRAY[20::numeric],
                  'the procedure runs');

SELECT lives_ok($$SELECT converge_schema(pg_temp.doc('1.5', 'net'))$$,
                'a renamed parameter makes the function anew, with its CHECK, index and view');
SELECT is(pg_get_function_arguments('calc.with_tax'::regproc), 'net numeric',
          'the function has the new parameter name');
SELECT is((SELECT count(*) FROM converge_plan(pg_temp.doc('1.5', 'net'))), 0::bigint,
          'and the plan after it is empty');
SELECT has_index('calc', 'items', 'items_gross', 'the index calling it is made again');
SELECT throws_ok($$INSERT INTO calc.items (price) VALUES (-1)$$, '23514', NULL,
                 'the CHECK calling it is made again, and holds');
SELECT results_eq('SELECT gross FROM calc.priced WHERE id = 1', ARRAY[30.00::numeric],
                  'the view calling it is made again, and reads the rows');

SELECT * FROM finish();
ROLLBACK;
