-- pgTAP: the properties every convergence must have, with rows present.
--   (a) idempotence: after converge_schema(d), converge_plan(d) is empty
--       and converging again runs no step;
--   (b) export round trip: converge_plan(converge_export(s)) is empty for a
--       schema that holds every covered kind of column;
--   (c) converging an empty database to an exported document recreates
--       the same columns, types, nullability, identities, generation
--       expressions, defaults, collations and comments.
BEGIN;
CREATE EXTENSION pg_converge;
SELECT plan(63);

-- the documents of (a), by number
CREATE TEMP TABLE docs (n int PRIMARY KEY, doc text NOT NULL);
CREATE FUNCTION pg_temp.doc(int) RETURNS text LANGUAGE sql STABLE
    AS $$SELECT doc FROM pg_temp.docs WHERE n = $1$$;

-- how many steps converge_schema runs; an error is reported, not raised,
-- so that one failing check does not abort the rest of the suite
CREATE FUNCTION pg_temp.steps_run(doc text, allow_data_loss bool DEFAULT false)
RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    RETURN (SELECT count(*) FROM converge_schema(doc, allow_data_loss));
EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'converge_schema failed: %', SQLERRM;
    RETURN -1;
END
$$;

-- ================================================================
-- (a) idempotence
-- ================================================================
CREATE SCHEMA idem;
CREATE TABLE idem.accounts (
    id      integer NOT NULL,
    email   text,
    balance text,
    created date,
    flags   integer,
    kind    varchar(10) DEFAULT 'basic'
);
INSERT INTO idem.accounts VALUES
    (1, 'A@x.org', '10.5', '2020-01-02', NULL, 'gold'),
    (2, NULL,      '3',    NULL,         4,    DEFAULT),
    (3, 'c@y.org', NULL,   '2021-03-04', NULL, NULL);
CREATE TABLE idem.scratch (a integer, b text);
INSERT INTO idem.scratch VALUES (1, 's1'), (2, NULL);

-- doc 1: add columns, set a default, comments
INSERT INTO docs VALUES (1, $yaml$
version: 1
schemas:
  idem:
    tables:
      accounts:
        comment: "customer accounts"
        columns:
          id: {type: integer, nullable: false}
          email: {type: text, comment: "login address"}
          balance: {type: text}
          created: {type: date, default: "'2000-01-01'"}
          flags: {type: integer}
          kind: {type: "varchar(10)", default: "'basic'"}
          active: {type: boolean, nullable: false, default: "true"}
          note: {type: text}
      scratch:
        columns:
          a: {type: integer}
          b: {type: text}
$yaml$);

-- doc 2: types (using, widening, collation, varchar length with a
-- default), NOT NULL filled by a default and by "using"
INSERT INTO docs VALUES (2, $yaml$
version: 1
schemas:
  idem:
    tables:
      accounts:
        comment: "customer accounts"
        columns:
          id: {type: integer, nullable: false}
          email: {type: text, collation: "C", comment: "login address"}
          balance: {type: "numeric(12,2)", using: "balance::numeric(12,2)"}
          created: {type: date, default: "'2000-01-01'"}
          flags: {type: bigint, nullable: false, default: "0"}
          kind: {type: "varchar(20)", default: "'basic'"}
          active: {type: boolean, nullable: false, default: "true"}
          note: {type: text, nullable: false, using: "coalesce(kind, 'none') || '/' || id"}
      scratch:
        columns:
          a: {type: integer}
          b: {type: text}
$yaml$);

-- doc 3: rename table and column, add identity, drop a column, drop a
-- default and a NOT NULL, add a generated column, drop a table
INSERT INTO docs VALUES (3, $yaml$
version: 1
schemas:
  idem:
    tables:
      customers:
        renamed_from: accounts
        comment: "customers"
        columns:
          id: {type: integer, identity: "by default"}
          login: {type: text, renamed_from: email, collation: "C", comment: "login address"}
          balance: {type: "numeric(12,2)"}
          created: {type: date}
          flags: {type: bigint, default: "0"}
          active: {type: boolean, nullable: false, default: "true"}
          note: {type: text, nullable: false}
          login_lower: {type: text, generated: "lower(login)"}
$yaml$);

-- doc 4: identity by default -> always, a new generation expression, a
-- new default, a new schema with a new table
INSERT INTO docs VALUES (4, $yaml$
version: 1
schemas:
  idem:
    tables:
      customers:
        comment: "customers"
        columns:
          id: {type: integer, identity: always}
          login: {type: text, collation: "C", comment: "login address"}
          balance: {type: "numeric(12,2)", default: "0"}
          created: {type: date}
          flags: {type: bigint, default: "0"}
          active: {type: boolean, nullable: false, default: "true"}
          note: {type: text, nullable: false}
          login_lower: {type: text, generated: "upper(login)"}
  idem2:
    tables:
      log:
        comment: "new"
        columns:
          id: {type: bigint, identity: always}
          msg: {type: text, nullable: false, default: "''"}
$yaml$);

-- doc 5: a column changes collation and a new generated column reads it
CREATE SCHEMA idem_gen;
CREATE TABLE idem_gen.people (id integer, email text);
INSERT INTO idem_gen.people VALUES (1, 'Ann@X.org'), (2, NULL);
INSERT INTO docs VALUES (5, $yaml$
version: 1
schemas:
  idem_gen:
    tables:
      people:
        columns:
          id: {type: integer}
          email: {type: text, collation: "C"}
          email_lower: {type: text, generated: "lower(email)"}
$yaml$);

-- doc 6: a column and the generated column that reads it both go
CREATE SCHEMA idem_gen2;
CREATE TABLE idem_gen2.readings (
    id        integer,
    raw       text,
    raw_upper text GENERATED ALWAYS AS (upper(raw)) STORED,
    keep      integer
);
INSERT INTO idem_gen2.readings (id, raw, keep) VALUES (1, 'r1', 10), (2, NULL, 20);
INSERT INTO docs VALUES (6, $yaml$
version: 1
schemas:
  idem_gen2:
    tables:
      readings:
        columns:
          id: {type: integer}
          keep: {type: integer}
$yaml$);

-- doc 7: a column changes type under an unchanged generated column
CREATE SCHEMA idem_gen3;
CREATE TABLE idem_gen3.sizes (
    id integer,
    n  integer,
    n2 integer GENERATED ALWAYS AS (n * 2) STORED
);
INSERT INTO idem_gen3.sizes (id, n) VALUES (1, 21), (2, NULL);
INSERT INTO docs VALUES (7, $yaml$
version: 1
schemas:
  idem_gen3:
    tables:
      sizes:
        columns:
          id: {type: integer}
          n: {type: bigint}
          n2: {type: integer, generated: "n * 2"}
$yaml$);

-- ---- doc 1
SELECT lives_ok($$SELECT * FROM converge_schema(pg_temp.doc(1), true)$$,
                'doc 1: converges');
SELECT is_empty($$SELECT * FROM converge_plan(pg_temp.doc(1))$$,
                'doc 1: converge_plan is empty afterwards');
SELECT ok(converge_is_converged(pg_temp.doc(1)), 'doc 1: converge_is_converged');
SELECT is(pg_temp.steps_run(pg_temp.doc(1), true), 0::bigint,
          'doc 1: converging again runs no step');
SELECT results_eq(
    $$SELECT id, email, balance, created, flags, kind, active, note
        FROM idem.accounts ORDER BY id$$,
    $$VALUES (1, 'A@x.org'::text, '10.5'::text, '2020-01-02'::date, NULL::int, 'gold'::varchar, true, NULL::text),
             (2, NULL,            '3',          NULL,               4,         'basic',         true, NULL),
             (3, 'c@y.org',       NULL,         '2021-03-04',       NULL,      NULL,            true, NULL)$$,
    'doc 1: rows kept, new columns filled');

-- ---- doc 2
SELECT lives_ok($$SELECT * FROM converge_schema(pg_temp.doc(2), true)$$,
                'doc 2: converges');
SELECT is_empty($$SELECT * FROM converge_plan(pg_temp.doc(2))$$,
                'doc 2: converge_plan is empty afterwards');
SELECT ok(converge_is_converged(pg_temp.doc(2)), 'doc 2: converge_is_converged');
SELECT is(pg_temp.steps_run(pg_temp.doc(2), true), 0::bigint,
          'doc 2: converging again runs no step');
SELECT results_eq(
    $$SELECT id, email COLLATE "default", balance, created, flags, kind, active, note
        FROM idem.accounts ORDER BY id$$,
    $$VALUES (1, 'A@x.org'::text, 10.50::numeric(12,2), '2020-01-02'::date, 0::bigint, 'gold'::varchar, true, 'gold/1'::text),
             (2, NULL,            3.00,                 NULL,               4,         'basic',         true, 'basic/2'),
             (3, 'c@y.org',       NULL,                 '2021-03-04',       0,         NULL,            true, 'none/3')$$,
    'doc 2: rows converted, NULLs filled');

-- ---- doc 3
SELECT lives_ok($$SELECT * FROM converge_schema(pg_temp.doc(3), true)$$,
                'doc 3: converges');
SELECT is_empty($$SELECT * FROM converge_plan(pg_temp.doc(3))$$,
                'doc 3: converge_plan is empty afterwards');
SELECT ok(converge_is_converged(pg_temp.doc(3)), 'doc 3: converge_is_converged');
SELECT is(pg_temp.steps_run(pg_temp.doc(3), true), 0::bigint,
          'doc 3: converging again runs no step');
SELECT results_eq(
    $$SELECT id, login COLLATE "default", balance, created, flags, active, note,
             login_lower COLLATE "default"
        FROM idem.customers ORDER BY id$$,
    $$VALUES (1, 'A@x.org'::text, 10.50::numeric(12,2), '2020-01-02'::date, 0::bigint, true, 'gold/1'::text,  'a@x.org'::text),
             (2, NULL,            3.00,                 NULL,               4,         true, 'basic/2',       NULL),
             (3, 'c@y.org',       NULL,                 '2021-03-04',       0,         true, 'none/3',        'c@y.org')$$,
    'doc 3: rows kept through the renames, generated column computed');
SELECT hasnt_table('idem', 'scratch', 'doc 3: the table it no longer declares is dropped');
SELECT results_eq(
    $$INSERT INTO idem.customers (login, note) VALUES ('D@z', 'n4') RETURNING id$$,
    $$VALUES (4)$$,
    'doc 3: the new identity continues after the existing ids');

-- ---- doc 4
SELECT lives_ok($$SELECT * FROM converge_schema(pg_temp.doc(4), true)$$,
                'doc 4: converges');
SELECT is_empty($$SELECT * FROM converge_plan(pg_temp.doc(4))$$,
                'doc 4: converge_plan is empty afterwards');
SELECT ok(converge_is_converged(pg_temp.doc(4)), 'doc 4: converge_is_converged');
SELECT is(pg_temp.steps_run(pg_temp.doc(4), true), 0::bigint,
          'doc 4: converging again runs no step');
SELECT results_eq(
    $$SELECT id, login COLLATE "default", balance, created, flags, active, note,
             login_lower COLLATE "default"
        FROM idem.customers ORDER BY id$$,
    $$VALUES (1, 'A@x.org'::text, 10.50::numeric(12,2), '2020-01-02'::date, 0::bigint, true, 'gold/1'::text,  'A@X.ORG'::text),
             (2, NULL,            3.00,                 NULL,               4,         true, 'basic/2',       NULL),
             (3, 'c@y.org',       NULL,                 '2021-03-04',       0,         true, 'none/3',        'C@Y.ORG'),
             (4, 'D@z',           NULL,                 NULL,               0,         true, 'n4',            'D@Z')$$,
    'doc 4: rows kept, generated column recomputed with the new expression');

-- ---- doc 5
SELECT lives_ok($$SELECT * FROM converge_schema(pg_temp.doc(5), true)$$,
                'doc 5: converges');
SELECT is_empty($$SELECT * FROM converge_plan(pg_temp.doc(5))$$,
                'doc 5: converge_plan is empty afterwards');
SELECT ok(converge_is_converged(pg_temp.doc(5)), 'doc 5: converge_is_converged');
SELECT is(pg_temp.steps_run(pg_temp.doc(5), true), 0::bigint,
          'doc 5: converging again runs no step');
SELECT results_eq(
    -- through to_jsonb, so a missing column fails this check instead of
    -- aborting the suite
    $$SELECT id, email COLLATE "default", to_jsonb(p) ->> 'email_lower'
        FROM idem_gen.people p ORDER BY id$$,
    $$VALUES (1, 'Ann@X.org'::text, 'ann@x.org'::text), (2, NULL, NULL)$$,
    'doc 5: rows kept, generated column computed over the re-collated column');

-- ---- doc 6
SELECT lives_ok($$SELECT * FROM converge_schema(pg_temp.doc(6), true)$$,
                'doc 6: converges');
SELECT is_empty($$SELECT * FROM converge_plan(pg_temp.doc(6))$$,
                'doc 6: converge_plan is empty afterwards');
SELECT ok(converge_is_converged(pg_temp.doc(6)), 'doc 6: converge_is_converged');
SELECT is(pg_temp.steps_run(pg_temp.doc(6), true), 0::bigint,
          'doc 6: converging again runs no step');
SELECT results_eq(
    $$SELECT id, keep, to_jsonb(r) ? 'raw', to_jsonb(r) ? 'raw_upper'
        FROM idem_gen2.readings r ORDER BY id$$,
    $$VALUES (1, 10, false, false), (2, 20, false, false)$$,
    'doc 6: rows kept, both columns gone');

-- ---- doc 7
SELECT lives_ok($$SELECT * FROM converge_schema(pg_temp.doc(7), true)$$,
                'doc 7: converges');
SELECT is_empty($$SELECT * FROM converge_plan(pg_temp.doc(7))$$,
                'doc 7: converge_plan is empty afterwards');
SELECT ok(converge_is_converged(pg_temp.doc(7)), 'doc 7: converge_is_converged');
SELECT is(pg_temp.steps_run(pg_temp.doc(7), true), 0::bigint,
          'doc 7: converging again runs no step');
SELECT results_eq(
    $$SELECT id, n::text, pg_typeof(n)::text, n2 FROM idem_gen3.sizes ORDER BY id$$,
    $$VALUES (1, '21'::text, 'bigint'::text, 42), (2, NULL, 'bigint', NULL)$$,
    'doc 7: rows kept, n widened to bigint, n2 still computed');

-- ================================================================
-- (b) export round trip
-- ================================================================
CREATE SCHEMA rt;
CREATE TABLE rt."Mixed Case" (
    id            bigint GENERATED ALWAYS AS IDENTITY,
    "with space"  text COLLATE "C" NOT NULL DEFAULT 'x',
    "select"      integer DEFAULT 0,
    "null"        boolean DEFAULT true,
    "a:b"         varchar(20) DEFAULT 'it''s',
    "#hash"       numeric(12,2) DEFAULT 1.5,
    qty           integer NOT NULL DEFAULT -1,
    total         numeric GENERATED ALWAYS AS ("#hash" * qty) STORED,
    created       timestamptz NOT NULL DEFAULT now(),
    ts3           timestamp(3) DEFAULT CURRENT_TIMESTAMP,
    d             date DEFAULT CURRENT_DATE,
    u             uuid DEFAULT gen_random_uuid(),
    j             jsonb DEFAULT '{}',
    js            json,
    tags          text[] DEFAULT '{}',
    grid          integer[][],
    vtags         varchar(10)[] DEFAULT ARRAY['a', 'b']::varchar(10)[],
    ch            char(3),
    f8            double precision,
    f4            real,
    iv            interval DEFAULT '1 day',
    ip            inet,
    b             bytea,
    tm            time(0),
    sm            smallint DEFAULT (1 + 2),
    lower_name    text GENERATED ALWAYS AS (lower("with space")) STORED,
    "CamelCol"    text COLLATE "POSIX",
    vc            varchar(5) COLLATE "C" DEFAULT 'v'
);
COMMENT ON TABLE rt."Mixed Case" IS 'A table: with "quotes", it''s
multi-line';
COMMENT ON COLUMN rt."Mixed Case"."with space" IS 'null';
COMMENT ON COLUMN rt."Mixed Case".qty IS 'ünïcödé — ✓';
COMMENT ON COLUMN rt."Mixed Case"."#hash" IS '#not a yaml comment';
CREATE TABLE rt.plain (
    id   integer GENERATED BY DEFAULT AS IDENTITY,
    note text NOT NULL DEFAULT '',
    at   timestamptz
);
COMMENT ON COLUMN rt.plain.note IS '~';
COMMENT ON TABLE rt.plain IS 'true';
CREATE TABLE rt."""quoted""" (x integer, "Y" text DEFAULT 'null');
CREATE TABLE rt."a.b" (
    b5      bit(5),
    vb      varbit(8),
    ids     interval day to second(3),
    tz0     timestamptz(0),
    n50     numeric(5,0)[],
    c       "char",
    m       money,
    tsv     tsvector,
    r       int4range,
    tmz     timetz(2),
    "yes"   text DEFAULT 'no',
    "on"    integer DEFAULT 1,
    padded  text,
    neg     numeric DEFAULT -1.5,
    expr    text DEFAULT ('a' || 'b'),
    jz      jsonb DEFAULT '{"a": [1, 2]}',
    g2      text GENERATED ALWAYS AS (upper("yes")) STORED
);
COMMENT ON COLUMN rt."a.b".padded IS '  padded  ';
COMMENT ON COLUMN rt."a.b"."yes" IS E'line1\n  indented\ttab';
COMMENT ON COLUMN rt."a.b"."on" IS '- dash';
COMMENT ON COLUMN rt."a.b".neg IS '? question: x';
CREATE TABLE rt."ÄÖ ünï" ("ß" integer NOT NULL);
CREATE TABLE rt.nocols ();
CREATE SCHEMA rt_empty;

INSERT INTO rt."Mixed Case" ("with space", qty, "select", js, tags, grid, ch, f8, f4, ip, b, tm)
VALUES ('A', 2, 7, '{"k": 1}', '{p,q}', '{{1,2},{3,4}}', 'ab', 1.5, 2.5, '10.0.0.1', '\x0102', '12:34:56'),
       ('b', 3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO rt.plain (note) VALUES ('n1'), (DEFAULT);
INSERT INTO rt."""quoted""" VALUES (1, 'one'), (2, NULL);
INSERT INTO rt."a.b" (b5, vb, ids, tz0, n50, c, m, tsv, r, tmz, "yes", padded)
VALUES (B'10101', B'11', '1 day 02:03:04.5678', '2024-05-06 07:08:09.6+00', '{1,2.6}',
        'q', 12.34, 'a fat cat', '[1,5)', '10:11:12.345+02', 'yes!', 'p'),
       (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, DEFAULT, NULL);
INSERT INTO rt."ÄÖ ünï" VALUES (1), (2);
CREATE TEMP TABLE ab_rows_before AS SELECT x::text AS r FROM rt."a.b" x;

-- the rows, without the columns whose defaults are volatile
CREATE FUNCTION pg_temp.rt_rows()
RETURNS TABLE (id bigint, ws text, sel integer, nul boolean, ab text, hash numeric,
               qty integer, total numeric, j jsonb, js text, tags text[],
               grid integer[], vtags text[], ch text, f8 float8, f4 float4,
               iv interval, ip inet, b bytea, tm time, sm smallint,
               lower_name text, vc text)
LANGUAGE sql STABLE AS $$
    SELECT id, "with space" COLLATE "default", "select", "null", "a:b"::text,
           "#hash", qty, total, j, js::text, tags, grid, vtags::text[],
           ch::text, f8, f4, iv, ip, b, tm, sm,
           lower_name COLLATE "default", vc COLLATE "default"
      FROM rt."Mixed Case" ORDER BY id
$$;
CREATE TEMP TABLE rt_rows_before AS SELECT * FROM pg_temp.rt_rows();

SELECT is((SELECT count(*) FROM rt_rows_before), 2::bigint, 'round trip: the table has rows');
SELECT is_empty($$SELECT * FROM converge_plan(converge_export('{rt}'))$$,
                'round trip: converge_plan(converge_export()) is empty');
SELECT is_empty($$SELECT * FROM converge_plan(converge_export('{rt}'), true)$$,
                'round trip: also with allow_data_loss');
SELECT ok(converge_is_converged(converge_export('{rt}')),
          'round trip: converge_is_converged(converge_export())');
SELECT is(pg_temp.steps_run(converge_export('{rt}')), 0::bigint,
          'round trip: converge_schema(converge_export()) runs no step');
SELECT results_eq($$SELECT * FROM pg_temp.rt_rows()$$,
                  $$SELECT * FROM rt_rows_before$$,
                  'round trip: rows unchanged');
SELECT results_eq($$SELECT x::text FROM rt."a.b" x ORDER BY 1$$,
                  $$SELECT r FROM ab_rows_before ORDER BY 1$$,
                  'round trip: rows of the table of unusual types unchanged');
SELECT results_eq(
    $$SELECT x, "Y" FROM rt."""quoted""" ORDER BY x$$,
    $$VALUES (1, 'one'::text), (2, NULL)$$,
    'round trip: rows of the quoted table unchanged');
SELECT is_empty($$SELECT * FROM converge_plan(converge_export('{rt_empty}'))$$,
                'round trip: an empty schema exports to an empty plan');
SELECT is_empty($$SELECT * FROM converge_plan(converge_export('{rt,rt_empty,idem,idem2}'))$$,
                'round trip: several schemas at once');
SELECT ok(converge_is_converged(converge_export('{rt,rt_empty,idem,idem2}')),
          'round trip: several schemas at once are converged');
SELECT is(converge_export('{rt}'), converge_export('{rt}'),
          'round trip: the export is deterministic');

-- ================================================================
-- (c) an empty schema converged to the exported document
-- ================================================================
CREATE FUNCTION pg_temp.columns_of(nsp name)
RETURNS TABLE (tbl text, tbl_comment text, num int, col text, typ text,
               notnull bool, ident text, gen text, def text, coll text,
               col_comment text)
LANGUAGE sql STABLE AS $$
    SELECT c.relname::text, obj_description(c.oid, 'pg_class'),
           a.attnum::int, a.attname::text,
           format_type(a.atttypid, a.atttypmod), a.attnotnull,
           a.attidentity::text, a.attgenerated::text,
           pg_get_expr(d.adbin, d.adrelid), co.collname::text,
           col_description(c.oid, a.attnum)
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
                         AND NOT a.attisdropped
      LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
      LEFT JOIN pg_collation co ON co.oid = a.attcollation
     WHERE n.nspname = nsp AND c.relkind = 'r'
     ORDER BY 1, 3
$$;

CREATE TEMP TABLE rt_doc AS SELECT converge_export('{rt,rt_empty}') AS doc;
CREATE TEMP TABLE rt_columns_before AS SELECT * FROM pg_temp.columns_of('rt');

SELECT is((SELECT count(*) FROM rt_columns_before), 51::bigint,
          'recreate: the catalog query sees every column before');

SET LOCAL client_min_messages = warning;
DROP SCHEMA rt CASCADE;
RESET client_min_messages;
DROP SCHEMA rt_empty;
SELECT hasnt_schema('rt', 'recreate: schema rt dropped');

SELECT lives_ok($$SELECT * FROM converge_schema((SELECT doc FROM rt_doc))$$,
                'recreate: converging the dropped schemas to the export succeeds');
SELECT has_schema('rt', 'recreate: schema rt exists again');
SELECT has_schema('rt_empty', 'recreate: the empty schema exists again');
SELECT tables_are('rt', ARRAY['Mixed Case', 'plain', '"quoted"', 'a.b', 'ÄÖ ünï', 'nocols'],
                  'recreate: the same tables');
SELECT results_eq($$SELECT * FROM pg_temp.columns_of('rt')$$,
                  $$SELECT * FROM rt_columns_before$$,
                  'recreate: columns, types, NOT NULL, identity, generated, defaults, collations and comments match');
SELECT is(converge_export('{rt,rt_empty}'), (SELECT doc FROM rt_doc),
          'recreate: the export of the recreated schemas is the same document');
SELECT is_empty($$SELECT * FROM converge_plan((SELECT doc FROM rt_doc))$$,
                'recreate: the plan is empty afterwards');
SELECT ok(converge_is_converged((SELECT doc FROM rt_doc)),
          'recreate: converge_is_converged afterwards');

-- the recreated tables behave like the originals
INSERT INTO rt."Mixed Case" ("with space", qty) VALUES ('Hello', 4);
SELECT results_eq(
    $$SELECT id, "with space" COLLATE "default", "select", "null", "a:b"::text, "#hash",
             total, j, tags, vtags::text[], iv, sm, lower_name COLLATE "default",
             vc::text COLLATE "default", created IS NOT NULL, u IS NOT NULL
        FROM rt."Mixed Case"$$,
    $$VALUES (1::bigint, 'Hello'::text, 0, true, 'it''s'::text, 1.50::numeric(12,2),
              6.00::numeric, '{}'::jsonb, '{}'::text[], '{a,b}'::text[],
              '1 day'::interval, 3::smallint, 'hello'::text, 'v'::text, true, true)$$,
    'recreate: identity, defaults and generated columns work in the recreated table');
SELECT throws_ok(
    $$INSERT INTO rt."Mixed Case" (id, "with space", qty) VALUES (9, 'x', 1)$$,
    '428C9', NULL,
    'recreate: the identity is GENERATED ALWAYS again');
SELECT results_eq(
    $$INSERT INTO rt.plain (id) VALUES (7) RETURNING id, note$$,
    $$VALUES (7, ''::text)$$,
    'recreate: the BY DEFAULT identity accepts explicit values');
SELECT is(
    (SELECT collname::text FROM pg_attribute a JOIN pg_collation c ON c.oid = a.attcollation
      WHERE a.attrelid = 'rt."Mixed Case"'::regclass AND a.attname = 'with space'),
    'C', 'recreate: "with space" has collation "C"');

SELECT * FROM finish();
ROLLBACK;
