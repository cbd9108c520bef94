-- pgTAP: drift. Convergence is recorded, DDL outside it is logged by the
-- event triggers and shows in converge_drift() and converge_status(); the
-- triggers never break DDL and cannot be used to write anything else.
BEGIN;
CREATE EXTENSION pg_converge;
SELECT plan(29);

CREATE SCHEMA shop;
CREATE TABLE shop.items (id integer PRIMARY KEY, name text);
INSERT INTO shop.items VALUES (1, 'one'), (2, 'two');

CREATE FUNCTION pg_temp.doc() RETURNS text LANGUAGE sql AS $d$ SELECT $$
version: 1
schemas:
  shop:
    tables:
      items:
        primary_key: [id]
        columns:
          id: {type: integer}
          name: {type: text}
          price: {type: "numeric(10,2)", nullable: false, default: "0"}
$$ $d$;

SELECT lives_ok($$SELECT count(*) FROM converge_schema(pg_temp.doc())$$,
                'the document converges');
SELECT is((SELECT count(*) FROM converge.applied), 1::bigint,
          'one applied row');
SELECT is((SELECT document_sha256 FROM converge.applied),
          encode(sha256(convert_to(pg_temp.doc(), 'UTF8')), 'hex'),
          'the applied row holds the document''s sha256');
SELECT is((SELECT jsonb_array_length(steps) FROM converge.applied), 1,
          'the applied row holds the steps run');
SELECT results_eq(
    $$SELECT command_tag, object_identity, origin FROM converge.ddl_log
       WHERE origin = 'converge'$$,
    $$VALUES ('ALTER TABLE'::text, 'shop.items'::text, 'converge'::text)$$,
    'convergence''s own DDL is logged with origin converge');
SELECT is_empty($$SELECT * FROM converge_drift()$$, 'no drift right after');
SELECT is((SELECT converged FROM converge_status()), true,
          'converge_status says converged');
SELECT is((SELECT external_ddl_since FROM converge_status()), 0::bigint,
          'no external DDL yet');

-- someone changes the table by hand
ALTER TABLE shop.items ADD COLUMN note text;
SELECT results_eq(
    $$SELECT kind, command_tag, object, statement FROM converge_drift()
       WHERE kind = 'external_ddl'$$,
    $$VALUES ('external_ddl'::text, 'ALTER TABLE'::text, 'shop.items'::text,
              'ALTER TABLE shop.items ADD COLUMN note text;'::text)$$,
    'the manual ALTER TABLE shows as external DDL with its statement');
SELECT results_eq(
    $$SELECT (step).action, object FROM converge_drift() WHERE kind = 'difference'$$,
    $$VALUES ('drop_column'::text, 'shop.items.note'::text)$$,
    'and as a live difference: the step that would undo it');
SELECT is((SELECT external_ddl_since FROM converge_status()), 1::bigint,
          'converge_status counts it');
SELECT is((SELECT converged FROM converge_status()), false,
          'converge_status says not converged');

-- a rolled-back convergence leaves no applied row
SAVEPOINT before_converge;
SELECT count(*) FROM converge_schema(pg_temp.doc());
ROLLBACK TO SAVEPOINT before_converge;
SELECT is((SELECT count(*) FROM converge.applied), 1::bigint,
          'a rolled-back convergence leaves no applied row');

-- a drop is logged through sql_drop
CREATE TABLE shop.scratch (id int);
DROP TABLE shop.scratch;
SELECT ok(EXISTS (SELECT FROM converge.ddl_log
                   WHERE command_tag = 'DROP TABLE'
                     AND object_identity = 'shop.scratch'
                     AND origin = 'external'),
          'DROP TABLE is logged via sql_drop');

-- the log cannot be written: DDL still works, with a warning
ALTER TABLE converge.ddl_log ADD CONSTRAINT refuse_all CHECK (false) NOT VALID;
SELECT lives_ok($$CREATE TABLE shop.when_broken (id int)$$,
                'DDL goes through when the log cannot be written');
SELECT has_table('shop', 'when_broken', 'and its table exists');
ALTER TABLE converge.ddl_log DROP CONSTRAINT refuse_all;

-- a table owner without any right on the log still gets logged, and can
-- neither write the log nor call the trigger functions
CREATE ROLE drift_owner;
GRANT USAGE, CREATE ON SCHEMA shop TO drift_owner;
ALTER TABLE shop.when_broken OWNER TO drift_owner;
SET LOCAL ROLE drift_owner;
SELECT lives_ok($$ALTER TABLE shop.when_broken ADD COLUMN c int$$,
                'the owner alters the table');
SELECT throws_ok(
    $$INSERT INTO converge.ddl_log (role_name, command_tag, origin)
      VALUES ('someone', 'FAKE', 'external')$$,
    '42501', NULL, 'the owner cannot write the log directly');
SELECT throws_ok($$SELECT converge.record_ddl()$$, '42501', NULL,
                 'nor call the trigger function');
SELECT throws_ok($$INSERT INTO converge.applied (document, document_sha256,
                     role_name, steps, ddl_log_mark)
                   VALUES ('x', 'x', 'someone', '[]', 0)$$,
                 '42501', NULL, 'nor write the history of convergence');
RESET ROLE;
SELECT ok(EXISTS (SELECT FROM converge.ddl_log
                   WHERE role_name = 'drift_owner'
                     AND object_identity = 'shop.when_broken'),
          'the owner''s ALTER TABLE is logged under the owner''s name');

-- recording can be turned off
SET LOCAL pg_converge.record_drift = off;
CREATE TABLE shop.unrecorded (id int);
SELECT ok(NOT EXISTS (SELECT FROM converge.ddl_log
                       WHERE object_identity = 'shop.unrecorded'),
          'nothing is logged with pg_converge.record_drift off');
RESET pg_converge.record_drift;

-- the extension's own schema is never logged or reported
SELECT ok(NOT EXISTS (SELECT FROM converge.ddl_log
                       WHERE schema_name = 'converge'
                          OR object_identity LIKE 'converge.%'),
          'DDL on the converge schema is not logged');
SELECT ok(NOT EXISTS (SELECT FROM converge_drift() WHERE object LIKE 'converge.%'),
          'and not reported as drift');

-- converging, reading the DDL log and planning someone else's document
-- are not for everyone
CREATE ROLE drift_nobody;
SET LOCAL ROLE drift_nobody;
SELECT throws_ok($$SELECT count(*) FROM converge_schema('version: 1')$$,
                 '42501', NULL, 'converge_schema is not granted to PUBLIC');
SELECT throws_ok($$SELECT count(*) FROM converge.ddl_log$$, '42501', NULL,
                 'the DDL log is not readable by PUBLIC');
RESET ROLE;

-- a stored document is planned without running its functions: a function
-- labelled IMMUTABLE in a default is not folded (so not run) when a
-- superuser asks for the status of a document someone else applied
CREATE TABLE shop.calls (n int);
CREATE FUNCTION shop.noisy() RETURNS int LANGUAGE plpgsql IMMUTABLE AS
$f$ BEGIN INSERT INTO shop.calls VALUES (1); RETURN 1; END $f$;
SELECT lives_ok($$SELECT count(*) FROM converge_schema($d$
version: 1
schemas:
  shop:
    tables:
      items:
        primary_key: [id]
        columns:
          id: {type: integer}
          name: {type: text}
          price: {type: "numeric(10,2)", nullable: false, default: "0"}
          note: {type: text}
      when_broken:
        columns:
          id: {type: integer}
          c: {type: integer}
      unrecorded:
        columns:
          id: {type: integer}
      calls:
        columns:
          n: {type: integer, default: "shop.noisy()"}
$d$)$$, 'a document with a default calling a user function converges');
ALTER TABLE shop.calls ALTER COLUMN n SET DEFAULT 1;
SELECT is((SELECT converged FROM converge_status()), false, 'the default drifted');
SELECT is((SELECT count(*) FROM shop.calls), 0::bigint,
          'planning the stored document ran none of its functions');

SELECT * FROM finish();
ROLLBACK;
