-- pgTAP: views and materialized views after converging tables that hold
-- rows: the catalog as the document says, and the rows each view shows
-- the same before and after the views were rebuilt around a type change.
BEGIN;
CREATE EXTENSION pg_converge;
SELECT plan(19);

CREATE SCHEMA shop;
CREATE TABLE shop.orders (id integer PRIMARY KEY, amount numeric(8,2),
                          region text NOT NULL);
INSERT INTO shop.orders
SELECT i, i * 2.25, (ARRAY['north', 'south', 'east'])[i % 3 + 1]
  FROM generate_series(1, 30) i;
CREATE VIEW shop.big AS SELECT id, amount FROM shop.orders WHERE amount > 40;
CREATE VIEW shop.big_north AS
  SELECT b.id FROM shop.big b JOIN shop.orders o USING (id)
   WHERE o.region = 'north';
CREATE MATERIALIZED VIEW shop.by_region AS
  SELECT region, sum(amount) AS amount FROM shop.orders GROUP BY region;
CREATE UNIQUE INDEX by_region_key ON shop.by_region (region);
CREATE VIEW shop.obsolete AS SELECT id FROM shop.orders;

CREATE TEMP TABLE before_big AS SELECT * FROM shop.big;
CREATE TEMP TABLE before_north AS SELECT * FROM shop.big_north;
CREATE TEMP TABLE before_region AS SELECT * FROM shop.by_region;

CREATE FUNCTION pg_temp.doc() RETURNS text LANGUAGE sql AS $d$ SELECT $$
version: 1
schemas:
  shop:
    tables:
      orders:
        primary_key: [id]
        columns:
          id: {type: integer, nullable: false}
          amount: {type: "numeric(12,2)"}
          region: {type: text, nullable: false}
    views:
      big_north:
        query: |
          SELECT b.id FROM shop.big AS b JOIN shop.orders AS o USING (id)
           WHERE o.region = 'north'
        comment: big orders of the north
      big:
        query: SELECT id, amount FROM shop.orders WHERE amount > 40
        security_barrier: true
      small:
        columns: [order_id]
        query: SELECT id FROM shop.orders WHERE amount < 10
    materialized_views:
      by_region:
        query: |
          SELECT region, sum(amount) AS amount
            FROM shop.orders GROUP BY region
        indexes:
          by_region_key: {columns: [region], unique: true}
$$ $d$;

SELECT lives_ok($$SELECT converge_schema(pg_temp.doc())$$,
                'the document converges a table that holds rows and its views');
SELECT is((SELECT count(*) FROM converge_plan(pg_temp.doc())), 0::bigint,
          'a second plan is empty');
SELECT has_view('shop', 'big', 'the view reading the retyped column is back');
SELECT has_view('shop', 'big_north', 'the view over it is back');
SELECT has_view('shop', 'small', 'the new view exists');
SELECT hasnt_view('shop', 'obsolete', 'the undeclared view is dropped');
SELECT has_materialized_view('shop', 'by_region',
                             'the materialized view is back');
SELECT col_type_is('shop', 'big', 'amount', 'numeric(12,2)',
                   'the rebuilt view shows the new type');
SELECT has_column('shop', 'small', 'order_id',
                  'the view has the column names the document gives');
SELECT results_eq('SELECT * FROM shop.big ORDER BY id',
                  'SELECT * FROM before_big ORDER BY id',
                  'the rebuilt view shows the same rows');
SELECT results_eq('SELECT * FROM shop.big_north ORDER BY id',
                  'SELECT * FROM before_north ORDER BY id',
                  'the view over a rebuilt view shows the same rows');
SELECT results_eq('SELECT * FROM shop.by_region ORDER BY region',
                  'SELECT * FROM before_region ORDER BY region',
                  'the materialized view holds the same rows, computed again');
SELECT has_index('shop', 'by_region', 'by_region_key', 'region',
                 'the rebuilt materialized view has its index again');
SELECT index_is_unique('shop', 'by_region', 'by_region_key',
                       'the index is unique again');
SELECT ok((SELECT relispopulated FROM pg_class
            WHERE oid = 'shop.by_region'::regclass),
          'the materialized view is created with data');
SELECT is((SELECT option_value FROM pg_options_to_table(
             (SELECT reloptions FROM pg_class
               WHERE oid = 'shop.big'::regclass))
            WHERE option_name = 'security_barrier'), 'true',
          'the option is set');
SELECT is(obj_description('shop.big_north'::regclass, 'pg_class'),
          'big orders of the north', 'the comment is set');
SELECT is((SELECT count(*) FROM shop.small), 4::bigint,
          'the new view reads the rows');

-- a view the document changes is replaced in place: what depends on it
-- outside the model (here a function's view) survives
CREATE VIEW public.watch AS SELECT count(*) AS n FROM shop.big;
SELECT lives_ok($$SELECT converge_schema(replace(pg_temp.doc(),
  'WHERE amount > 40', 'WHERE amount > 50'))$$,
  'a changed query with the same columns is replaced in place');

SELECT * FROM finish();
ROLLBACK;
