-- Constraints around columns that are added, retyped or rebuilt in the same
-- plan, on tables that hold rows; converging twice is a no-op.
\pset null '(null)'
CREATE SCHEMA r;
CREATE TABLE r.items (
    id integer PRIMARY KEY,
    a integer,
    b integer GENERATED ALWAYS AS (a * 2) STORED UNIQUE CHECK (b >= 0),
    kind text CHECK (kind IN ('x', 'y')),
    v text,
    lo integer,
    hi integer,
    CHECK (lo < hi)
);
INSERT INTO r.items (id, a, kind, v, lo, hi)
SELECT i, i, 'x', i::text, i, i + 1 FROM generate_series(1, 5) i;

CREATE FUNCTION r_doc() RETURNS text LANGUAGE sql AS $f$ SELECT $d$
version: 1
schemas:
  r:
    tables:
      items:
        primary_key: [id]
        columns:
          id: {type: integer}
          a: {type: bigint}
          b: {type: bigint, generated: "a * 3", unique: true, check: "b >= 0"}
          kind: {type: "varchar(5)", check: "kind IN ('x', 'y')"}
          v: {type: integer, using: "v::integer", check: "v > 0"}
          qty: {type: integer, nullable: false, default: "1", check: "qty > 0"}
          lo: {type: integer}
          hi: {type: integer}
        checks:
          items_check: "lo < hi"
$d$ $f$;

-- the generated column is rebuilt around the type change of the column it
-- reads, and its UNIQUE and CHECK come back; CHECKs on a retyped column or
-- an added one are added after those changes, never compared with the old
-- relation; a CHECK reading two columns is named <table>_check
SELECT step, action, object, rows_affected, problem FROM converge_plan(r_doc());
SELECT count(*) AS steps FROM converge_schema(r_doc());
SELECT id, a, b, kind, v, qty FROM r.items ORDER BY id;
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
 WHERE conrelid = 'r.items'::regclass ORDER BY conname;
SELECT count(*) AS steps_left FROM converge_plan(r_doc());

-- a generated column that becomes plain loses its expression before the
-- column it read changes type
CREATE TABLE r.g (a integer, b integer GENERATED ALWAYS AS (a * 2) STORED);
INSERT INTO r.g (a) VALUES (1), (2);
SELECT step, action, sql FROM converge_schema(r_doc() || $d$
      g:
        columns:
          a: {type: bigint}
          b: {type: integer}
$d$);
SELECT a, b FROM r.g ORDER BY a;

-- a CHECK whose rows fail as the plan will leave them is refused, even on a
-- retyped column
SELECT step, action, problem FROM converge_plan(replace(r_doc(), 'check: "v > 0"', 'check: "v > 3"'))
 WHERE problem IS NOT NULL AND object LIKE 'r.items%';

-- values are compared as the server compares them: json to jsonb only
-- normalises, a remap runs before a narrowing, and NULLS NOT DISTINCT finds
-- 1.0 and 1.00 equal
CREATE TABLE r.j (id int PRIMARY KEY, doc json, code varchar(10), amt numeric, tag text);
INSERT INTO r.j VALUES (1, '{"b": 1,  "a": 2}', 'toolong', 1.0, NULL),
                       (2, '[1, 2]', 'ok', 1.00, NULL);
SELECT step, action, object, problem FROM converge_plan(r_doc() || $d$
      j:
        primary_key: [id]
        columns:
          id: {type: integer}
          doc: {type: jsonb}
          code: {type: varchar(3), remap: {toolong: tlg}}
          amt: {type: numeric}
          tag: {type: text}
        unique:
          j_amt_tag_key: {columns: [amt, tag], nulls_not_distinct: true}
$d$) WHERE object LIKE 'r.j.%';

DROP SCHEMA r CASCADE;
DROP FUNCTION r_doc();
