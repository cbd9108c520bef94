-- pgTAP: privileges after converging objects that hold rows: what each
-- named role holds, what a role the document never names keeps.
BEGIN;
CREATE EXTENSION pg_converge;
SELECT plan(10);

CREATE ROLE converge_tap_app;
CREATE ROLE converge_tap_audit;
CREATE ROLE converge_tap_host;
CREATE SCHEMA shop;
CREATE TABLE shop.orders (id integer PRIMARY KEY, total numeric, note text);
INSERT INTO shop.orders SELECT i, i * 10, 'n' || i FROM generate_series(1, 5) i;
CREATE SEQUENCE shop.order_no;
GRANT ALL ON shop.orders TO converge_tap_app;
GRANT SELECT ON shop.orders TO converge_tap_host;

CREATE FUNCTION pg_temp.doc() RETURNS text LANGUAGE sql AS $d$ SELECT $$
version: 1
schemas:
  shop:
    grants: {converge_tap_app: [usage], converge_tap_audit: [usage]}
    sequences:
      order_no: {grants: {converge_tap_app: [usage, select]}}
    tables:
      orders:
        primary_key: [id]
        columns:
          id: {type: integer, nullable: false}
          total: {type: numeric, grants: {converge_tap_audit: [select]}}
          note: {type: text}
        grants: {converge_tap_app: [select, insert, update]}
    views:
      big_orders:
        query: SELECT id, total FROM shop.orders WHERE total > 20
        grants: {converge_tap_audit: [select]}
$$ $d$;

SELECT lives_ok($$SELECT converge_schema(pg_temp.doc())$$,
                'the document converges');
SELECT is((SELECT count(*) FROM converge_plan(pg_temp.doc())), 0::bigint,
          'converging twice plans nothing');
SELECT table_privs_are('shop', 'orders', 'converge_tap_app',
                       ARRAY['SELECT', 'INSERT', 'UPDATE'],
                       'the named role holds exactly what the document grants');
SELECT table_privs_are('shop', 'orders', 'converge_tap_host', ARRAY['SELECT'],
                       'a role the document never names keeps its privileges');
SELECT table_privs_are('shop', 'orders', 'converge_tap_audit', ARRAY[]::text[],
                       'a named role gets nothing the document does not give');
SELECT column_privs_are('shop', 'orders', 'total', 'converge_tap_audit',
                        ARRAY['SELECT'], 'column privileges are granted');
SELECT schema_privs_are('shop', 'converge_tap_audit', ARRAY['USAGE'],
                        'schema privileges are granted');
SELECT sequence_privs_are('shop', 'order_no', 'converge_tap_app',
                          ARRAY['USAGE', 'SELECT'],
                          'sequence privileges are granted');
SET LOCAL ROLE converge_tap_audit;
SELECT results_eq('SELECT sum(total) FROM shop.big_orders',
                  ARRAY[120::numeric],
                  'the auditor reads the view granted to it');
RESET ROLE;
SELECT is((SELECT count(*) FROM converge_plan(converge_export('{shop}'))),
          0::bigint, 'the export plans nothing');

SELECT * FROM finish();
ROLLBACK;
