-- pgTAP: a failure after any step of a plan leaves the catalog and the rows
-- exactly as they were.  pg_converge.fail_after_step = k makes the executor
-- raise an error right after step k; for every k of a multi-step plan, the
-- snapshot of the managed schemas (catalog and rows) must equal the one
-- taken before.
BEGIN;
CREATE EXTENSION pg_converge;

-- ----------------------------------------------------------------
-- The schema as it is, with rows
-- ----------------------------------------------------------------
CREATE SCHEMA fi;
CREATE TABLE fi.orders (
    id       integer NOT NULL,
    customer text,              -- renamed to client, commented
    amount   text,              -- text -> numeric(10,2) with "using"
    status   text,              -- NOT NULL, NULLs filled by the default
    legacy   text,              -- dropped (allow_data_loss)
    qty      integer,           -- widened to bigint
    ref      integer            -- becomes an identity
);
INSERT INTO fi.orders VALUES
    (1, 'ann',  '10.5',  'paid', 'l1', 1, 101),
    (2, 'bob',  '3',     NULL,   NULL, 2, 102),
    (3, NULL,   NULL,    'new',  'l3', NULL, 103),
    (4, 'dora', '0.125', NULL,   'l4', 4, 110);
CREATE TABLE fi.items (id integer, sku text);          -- renamed to products
INSERT INTO fi.items VALUES (1, 'b-1'), (2, 'B-2'), (3, NULL);
CREATE TABLE fi.old_log (msg text);                     -- dropped
INSERT INTO fi.old_log VALUES ('one'), ('two');
COMMENT ON TABLE fi.items IS 'stock keeping units';

CREATE FUNCTION pg_temp.doc() RETURNS text LANGUAGE sql IMMUTABLE AS $doc$
SELECT $yaml$
version: 1
schemas:
  fi:
    tables:
      orders:
        comment: "customer orders"
        columns:
          id: {type: integer, nullable: false}
          client: {type: text, renamed_from: customer, comment: "who ordered"}
          amount: {type: "numeric(10,2)", using: "amount::numeric(10,2)"}
          status: {type: text, nullable: false, default: "'new'"}
          qty: {type: bigint}
          ref: {type: integer, identity: always}
          code: {type: text, nullable: false, using: "'ORD-' || id"}
          created: {type: date, nullable: false, default: "'2024-01-01'"}
      products:
        renamed_from: items
        comment: "products"
        columns:
          id: {type: integer}
          sku: {type: text, collation: "C"}
  fi_new:
    tables:
      audit:
        comment: "new table"
        columns:
          id: {type: bigint, identity: always}
          note: {type: text, comment: "free text"}
$yaml$
$doc$;

-- the number of steps of the plan
CREATE FUNCTION pg_temp.steps() RETURNS int LANGUAGE sql AS $$
    SELECT count(*)::int FROM converge_plan(pg_temp.doc(), true)
$$;

-- 10 fixed checks, and two for every step
SELECT plan(10 + 2 * pg_temp.steps());

-- ----------------------------------------------------------------
-- Snapshot: the catalog of the fi* schemas and every row of their tables
-- ----------------------------------------------------------------
CREATE FUNCTION pg_temp.snapshot() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    catalog text;
    rows    text := '';
    part    text;
    r       record;
BEGIN
    SELECT md5(coalesce(string_agg(line, E'\n' ORDER BY line), '')) INTO catalog
      FROM (
        SELECT format('schema %s', n.nspname) AS line
          FROM pg_namespace n WHERE n.nspname LIKE 'fi%'
        UNION ALL
        SELECT format('relation %s.%s %s comment=%s', n.nspname, c.relname,
                      c.relkind, obj_description(c.oid, 'pg_class'))
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname LIKE 'fi%'
        UNION ALL
        SELECT format('column %s.%s %s %s type=%s notnull=%s identity=%s generated=%s default=%s collation=%s comment=%s',
                      n.nspname, c.relname, a.attnum, a.attname,
                      format_type(a.atttypid, a.atttypmod), a.attnotnull,
                      a.attidentity, a.attgenerated,
                      pg_get_expr(d.adbin, d.adrelid), co.collname,
                      col_description(c.oid, a.attnum))
          FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace
          JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
                             AND NOT a.attisdropped
          LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
          LEFT JOIN pg_collation co ON co.oid = a.attcollation
         WHERE n.nspname LIKE 'fi%' AND c.relkind = 'r'
      ) s;

    FOR r IN
        SELECT n.nspname, c.relname
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname LIKE 'fi%' AND c.relkind = 'r'
         ORDER BY 1, 2
    LOOP
        EXECUTE format(
            'SELECT %L || coalesce(string_agg(x::text, E''\n'' ORDER BY x::text), '''') FROM %I.%I x',
            r.nspname || '.' || r.relname || E':\n', r.nspname, r.relname)
          INTO part;
        rows := rows || part || E'\n';
    END LOOP;
    RETURN catalog || md5(rows);
END
$$;

CREATE TEMP TABLE before AS SELECT pg_temp.snapshot() AS snap;

-- ----------------------------------------------------------------
-- The plan
-- ----------------------------------------------------------------
SELECT cmp_ok(pg_temp.steps(), '>=', 6, 'the plan has at least 6 steps');
SELECT ok(
    ARRAY['create_schema', 'rename_table', 'rename_column', 'drop_table',
          'drop_column', 'create_table', 'add_column', 'fill_column',
          'alter_column_type', 'set_default', 'fill_nulls', 'set_not_null',
          'add_identity', 'sync_identity', 'comment_column', 'comment_table']
    <@ (SELECT array_agg(action) FROM converge_plan(pg_temp.doc(), true)),
    'the plan has every kind of step this suite means to interrupt');
SELECT is_empty(
    $$SELECT * FROM converge_plan(pg_temp.doc(), true) WHERE problem IS NOT NULL$$,
    'no step of the plan is refused with allow_data_loss');

-- ----------------------------------------------------------------
-- A failure after every step k changes nothing
-- ----------------------------------------------------------------
CREATE FUNCTION pg_temp.fail_after_each_step() RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
    before text := (SELECT snap FROM before);
BEGIN
    FOR k IN 1 .. pg_temp.steps() LOOP
        EXECUTE format('SET pg_converge.fail_after_step = %s', k);
        RETURN NEXT throws_ok(
            $q$SELECT * FROM converge_schema(pg_temp.doc(), true)$q$,
            'XX000',
            format('failing after step %s as pg_converge.fail_after_step asks', k),
            format('fail_after_step = %s: converge_schema raises after step %s', k, k));
        RETURN NEXT is(pg_temp.snapshot(), before,
            format('fail_after_step = %s: catalog and rows are unchanged', k));
    END LOOP;
    RESET pg_converge.fail_after_step;
END
$$;

SELECT * FROM pg_temp.fail_after_each_step();

-- the same, caught by a PL/pgSQL exception block
CREATE FUNCTION pg_temp.every_failure_changes_nothing() RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    before  text := (SELECT snap FROM before);
    n       int := pg_temp.steps();
    good    boolean := n > 0;
    failed  boolean;
BEGIN
    FOR k IN 1 .. n LOOP
        PERFORM set_config('pg_converge.fail_after_step', k::text, true);
        failed := false;
        BEGIN
            PERFORM * FROM converge_schema(pg_temp.doc(), true);
        EXCEPTION WHEN OTHERS THEN
            failed := SQLERRM = format(
                'failing after step %s as pg_converge.fail_after_step asks', k);
            IF NOT failed THEN
                RAISE WARNING 'step %: unexpected error: %', k, SQLERRM;
            END IF;
        END;
        IF NOT failed OR pg_temp.snapshot() <> before THEN
            RAISE WARNING 'step %: failed=%, snapshot changed=%', k, failed,
                pg_temp.snapshot() <> before;
            good := false;
        END IF;
    END LOOP;
    PERFORM set_config('pg_converge.fail_after_step', '0', true);
    RETURN good;
END
$$;

SELECT ok(pg_temp.every_failure_changes_nothing(),
          'PL/pgSQL: a failure after any step, caught in an exception block, leaves every snapshot equal to the original');
SELECT is(pg_temp.snapshot(), (SELECT snap FROM before),
          'still unchanged after all the failures');

-- ----------------------------------------------------------------
-- With fail_after_step = 0 the convergence succeeds
-- ----------------------------------------------------------------
SET pg_converge.fail_after_step = 0;
SELECT lives_ok($$SELECT * FROM converge_schema(pg_temp.doc(), true)$$,
                'fail_after_step = 0: converge_schema succeeds');
SELECT isnt(pg_temp.snapshot(), (SELECT snap FROM before),
            'the snapshot differs after the convergence');
SELECT is_empty($$SELECT * FROM converge_plan(pg_temp.doc())$$,
                'the plan is empty afterwards');
SELECT results_eq(
    $$SELECT id, client, amount, status, qty, ref, code, created
        FROM fi.orders ORDER BY id$$,
    $$VALUES (1, 'ann'::text, 10.50::numeric(10,2), 'paid'::text, 1::bigint, 101, 'ORD-1'::text, '2024-01-01'::date),
             (2, 'bob',       3.00,                 'new',        2,         102, 'ORD-2',        '2024-01-01'),
             (3, NULL,        NULL,                 'new',        NULL,      103, 'ORD-3',        '2024-01-01'),
             (4, 'dora',      0.13,                 'new',        4,         110, 'ORD-4',        '2024-01-01')$$,
    'the rows hold what the document says');
SELECT results_eq(
    $$SELECT id, sku COLLATE "default" FROM fi.products ORDER BY sku, id$$,
    $$VALUES (2, 'B-2'::text), (1, 'b-1'), (3, NULL)$$,
    'the renamed table kept its rows, sorted by collation "C"');

SELECT * FROM finish();
ROLLBACK;
