-- pgTAP: the drift history over time.  converge_prune_ddl_log() deletes old
-- rows but never one that converge_drift() still reports, and a restore by
-- pg_restore is not logged while nothing else can hide behind its name.
BEGIN;
CREATE EXTENSION pg_converge;
SELECT plan(16);

CREATE SCHEMA shop;
CREATE TABLE shop.items (id integer PRIMARY KEY, name text);
INSERT INTO shop.items VALUES (1, 'one'), (2, 'two');

-- rows logged before any document was applied, made a month old, and one
-- logged just now
CREATE TABLE shop.old_a (id int);
CREATE TABLE shop.old_b (id int);
INSERT INTO shop.old_a VALUES (1);
INSERT INTO shop.old_b VALUES (1);
UPDATE converge.ddl_log SET logged_at = logged_at - interval '30 days';
CREATE TABLE shop.fresh (id int);
INSERT INTO shop.fresh VALUES (1);
CREATE TEMPORARY TABLE log_before AS SELECT * FROM converge.ddl_log;

SELECT is(converge_prune_ddl_log('40 days'), 0::bigint,
          'nothing is older than 40 days: nothing pruned');
SELECT set_eq($$SELECT id FROM converge.ddl_log$$,
              $$SELECT id FROM log_before$$, 'every row is still there');
SELECT is(converge_prune_ddl_log('7 days'),
          (SELECT count(*) FROM log_before WHERE object_identity <> 'shop.fresh'),
          'with nothing applied yet, every row older than the interval is pruned');
SELECT results_eq(
    $$SELECT object_identity FROM converge.ddl_log ORDER BY id$$,
    $$VALUES ('shop.fresh'::text)$$,
    'the younger row stays');

-- a document is applied; the log rows before its mark are history only
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
      old_a:
        columns:
          id: {type: integer}
      old_b:
        columns:
          id: {type: integer}
          note: {type: text}
      fresh:
        columns:
          id: {type: integer}
$d$)$$, 'the document converges');

-- drift after the mark, then everything made a month old
ALTER TABLE shop.items ADD COLUMN price numeric;
CREATE INDEX items_name_idx ON shop.items (name);
UPDATE converge.ddl_log SET logged_at = logged_at - interval '30 days';
SELECT is((SELECT external_ddl_since FROM converge_status()), 2::bigint,
          'two external commands since the document');

SELECT is(converge_prune_ddl_log('7 days'),
          (SELECT count(*) FROM converge.ddl_log
            WHERE id <= (SELECT ddl_log_mark FROM converge.applied)),
          'pruning deletes every row up to the applied mark');
SELECT results_eq(
    $$SELECT command_tag, object_identity, origin FROM converge.ddl_log ORDER BY id$$,
    $$VALUES ('ALTER TABLE'::text, 'shop.items'::text, 'external'::text),
             ('CREATE INDEX', 'shop.items_name_idx', 'external')$$,
    'the drift after the mark is kept, however old');
SELECT is((SELECT external_ddl_since FROM converge_status()), 2::bigint,
          'converge_status still counts it');
SELECT results_eq(
    $$SELECT command_tag, object FROM converge_drift()
       WHERE kind = 'external_ddl' ORDER BY logged_at$$,
    $$VALUES ('ALTER TABLE'::text, 'shop.items'::text),
             ('CREATE INDEX', 'shop.items_name_idx')$$,
    'and converge_drift still reports it');
SELECT is(converge_prune_ddl_log('0'), 0::bigint,
          'even a zero interval keeps what drift needs');
SELECT is(converge_prune_ddl_log(NULL), NULL::bigint,
          'a NULL interval prunes nothing');
SELECT is((SELECT count(*) FROM shop.items), 2::bigint,
          'the rows of the tables are untouched');

-- pruning is not for everyone
CREATE ROLE history_nobody;
SET LOCAL ROLE history_nobody;
SELECT throws_ok($$SELECT converge_prune_ddl_log('1 day')$$, '42501', NULL,
                 'converge_prune_ddl_log is not granted to PUBLIC');
RESET ROLE;

-- a superuser's session that says it is pg_restore is not logged ...
SET LOCAL application_name = 'pg_restore';
CREATE TABLE shop.restored (id int);
SELECT ok(NOT EXISTS (SELECT FROM converge.ddl_log
                       WHERE object_identity = 'shop.restored'),
          'DDL of a superuser''s pg_restore session is not logged');

-- ... but the name hides nothing from a role that could not turn
-- recording off
GRANT USAGE, CREATE ON SCHEMA shop TO history_nobody;
SET LOCAL ROLE history_nobody;
CREATE TABLE shop.sneaky (id int);
RESET ROLE;
SELECT ok(EXISTS (SELECT FROM converge.ddl_log
                   WHERE object_identity = 'shop.sneaky'
                     AND role_name = 'history_nobody' AND origin = 'external'),
          'a non-superuser calling itself pg_restore is logged all the same');
RESET application_name;

SELECT * FROM finish();
ROLLBACK;
