-- A failure after any step leaves the catalog and every row exactly as they
-- were: pg_converge.fail_after_step raises right after step k.
CREATE SCHEMA fi;
CREATE TABLE fi.accounts (
    id integer PRIMARY KEY,
    owner text,
    balance numeric(10,2),
    obsolete text,
    note text
);
INSERT INTO fi.accounts
SELECT i, 'owner ' || i, i * 1.5, 'x' || i, CASE WHEN i % 2 = 0 THEN 'n' END
  FROM generate_series(1, 20) i;
CREATE TABLE fi.old_name (id int);
INSERT INTO fi.old_name VALUES (1), (2);

CREATE FUNCTION fi_doc() RETURNS text LANGUAGE sql AS $$ SELECT $d$
version: 1
schemas:
  fi:
    tables:
      accounts:
        primary_key: [id]
        comment: money
        columns:
          id: {type: bigint, nullable: false}
          holder: {type: text, renamed_from: owner, nullable: false}
          balance: {type: "numeric(12,2)", default: "0"}
          note: {type: text, nullable: false, default: "'none'"}
          opened: {type: date, nullable: false, default: "'2020-01-01'"}
      new_name:
        renamed_from: old_name
        columns:
          id: {type: bigint}
$d$ $$;

CREATE FUNCTION fi_snapshot() RETURNS text LANGUAGE sql AS $$
SELECT md5(
  (SELECT string_agg(format('%s.%s %s %s %s %s', c.relname, a.attname,
                            format_type(a.atttypid, a.atttypmod), a.attnotnull,
                            pg_get_expr(d.adbin, d.adrelid),
                            col_description(c.oid, a.attnum)),
                     ',' ORDER BY c.relname, a.attnum)
     FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
     LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
    WHERE c.relnamespace = 'fi'::regnamespace AND c.relkind = 'r'
      AND a.attnum > 0 AND NOT a.attisdropped)
  || (SELECT string_agg(t::text, ',' ORDER BY t.id) FROM fi.accounts t)
  || (SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class
       WHERE relnamespace = 'fi'::regnamespace))
$$;

CREATE TEMP TABLE fi_before AS SELECT fi_snapshot() AS snapshot;
SELECT step, action, object FROM converge_plan(fi_doc(), true);
SELECT count(*) AS steps FROM converge_plan(fi_doc(), true) \gset

-- a plain call fails after each step in turn; each time nothing changed
\set VERBOSITY terse
SELECT format('SET pg_converge.fail_after_step = %s', k),
       'SELECT count(*) FROM converge_schema(fi_doc(), true)',
       format('SELECT %s AS k, fi_snapshot() = snapshot AS unchanged FROM fi_before', k)
  FROM generate_series(1, :steps) k \gexec

-- the same inside a PL/pgSQL block that catches the error
DO $$
DECLARE
    before text := fi_snapshot();
    n int := (SELECT count(*) FROM converge_plan(fi_doc(), true));
BEGIN
    FOR k IN 1..n LOOP
        PERFORM set_config('pg_converge.fail_after_step', k::text, true);
        BEGIN
            PERFORM count(*) FROM converge_schema(fi_doc(), true);
            RAISE EXCEPTION 'step % did not fail', k;
        EXCEPTION WHEN internal_error THEN
            IF fi_snapshot() <> before THEN
                RAISE EXCEPTION 'failure after step % left changes', k;
            END IF;
        END;
    END LOOP;
    RAISE NOTICE 'all % failure points left the catalog and rows unchanged', n;
END
$$;

-- without the fault the convergence goes through and is then complete
RESET pg_converge.fail_after_step;
SELECT count(*) AS steps_run FROM converge_schema(fi_doc(), true);
SELECT fi_snapshot() <> snapshot AS changed FROM fi_before;
SELECT count(*) AS steps_left FROM converge_plan(fi_doc());
SELECT id, holder, balance, note, opened FROM fi.accounts ORDER BY id LIMIT 4;

DROP SCHEMA fi CASCADE;
DROP FUNCTION fi_doc();
DROP FUNCTION fi_snapshot();
