-- Seed 001: a downgrade narrows CHECKs on a parent table whose three child
-- tables hold rows.  The migrator that failed dropped the children first and
-- crashed on the parent's rows; here every narrowing is checked against the
-- rows before any statement runs, so a refused downgrade changes nothing.
\pset null '(null)'
CREATE SCHEMA v3;
CREATE TABLE v3.v3_plans (
    id integer PRIMARY KEY,
    phase text NOT NULL DEFAULT 'action',
    processing_state text NOT NULL DEFAULT 'queued',
    CONSTRAINT ck_v3_plans_phase
        CHECK (phase IN ('action', 'strategize', 'execute', 'apply')),
    CONSTRAINT ck_v3_plans_state
        CHECK (processing_state IN ('queued', 'processing', 'errored', 'complete',
                                    'cancelled', 'applied', 'constrained'))
);
INSERT INTO v3.v3_plans VALUES
    (1, 'action', 'queued'), (2, 'strategize', 'applied'), (3, 'execute', 'complete'),
    (4, 'action', 'constrained'), (5, 'apply', 'errored'), (6, 'action', 'applied');
CREATE TABLE v3.plan_projects (id integer PRIMARY KEY,
    plan_id integer NOT NULL REFERENCES v3.v3_plans (id), name text);
CREATE TABLE v3.plan_arguments (id integer PRIMARY KEY,
    plan_id integer NOT NULL REFERENCES v3.v3_plans (id), value text);
CREATE TABLE v3.plan_invariants (id integer PRIMARY KEY,
    plan_id integer NOT NULL REFERENCES v3.v3_plans (id), rule text);
INSERT INTO v3.plan_projects SELECT i, 1 + i % 6, 'p' || i FROM generate_series(1, 9) i;
INSERT INTO v3.plan_arguments SELECT i, 1 + i % 6, 'a' || i FROM generate_series(1, 12) i;
INSERT INTO v3.plan_invariants SELECT i, 1 + i % 6, 'r' || i FROM generate_series(1, 5) i;

CREATE FUNCTION v3_snapshot() RETURNS TABLE (what text, value text)
LANGUAGE sql AS $$
SELECT 'relations', string_agg(relname, ',' ORDER BY relname)
  FROM pg_class WHERE relnamespace = 'v3'::regnamespace AND relkind = 'r'
UNION ALL
SELECT 'constraints', string_agg(conname || ' ' || pg_get_constraintdef(oid), '; ' ORDER BY conname)
  FROM pg_constraint WHERE connamespace = 'v3'::regnamespace
UNION ALL SELECT 'v3_plans rows', count(*)::text FROM v3.v3_plans
UNION ALL SELECT 'plan_projects rows', count(*)::text FROM v3.plan_projects
UNION ALL SELECT 'plan_arguments rows', count(*)::text FROM v3.plan_arguments
UNION ALL SELECT 'plan_invariants rows', count(*)::text FROM v3.plan_invariants
UNION ALL SELECT 'v3_plans data', string_agg(format('%s:%s:%s', id, phase, processing_state), ' ' ORDER BY id)
  FROM v3.v3_plans
$$;
CREATE TEMP TABLE before AS SELECT * FROM v3_snapshot();
TABLE before;

-- the downgrade: the child tables go, the CHECKs narrow back
CREATE FUNCTION v3_downgrade(remaps text) RETURNS text LANGUAGE sql AS $f$
SELECT format($d$
version: 1
schemas:
  v3:
    tables:
      v3_plans:
        primary_key: [id]
        columns:
          id: {type: integer}
          phase:
            type: text
            nullable: false
            default: "'strategize'"
            %s
          processing_state:
            type: text
            nullable: false
            default: "'queued'"
            %s
        checks:
          ck_v3_plans_phase: "phase IN ('strategize', 'execute', 'apply', 'applied')"
          ck_v3_plans_state: "processing_state IN ('queued', 'processing', 'errored', 'complete', 'cancelled')"
$d$, split_part(remaps, '|', 1), split_part(remaps, '|', 2))
$f$;

-- even with allow_data_loss (the children may go), the narrowing is refused
-- before the first DROP TABLE runs: one error, every failing CHECK, counts,
-- sample keys, and the key that fixes it
\set VERBOSITY default
SELECT * FROM converge_schema(v3_downgrade('|'), allow_data_loss => true);

-- nothing changed: tables, constraints, every row
SELECT b.what, b.value = a.value AS unchanged
  FROM before b JOIN v3_snapshot() a USING (what) ORDER BY b.what;

-- with the remaps the document gives, the same downgrade goes through
SELECT step, action, object, rows_affected
  FROM converge_schema(v3_downgrade(
    'remap: {action: strategize}|remap: {applied: complete, constrained: complete}'),
    allow_data_loss => true);
SELECT id, phase, processing_state FROM v3.v3_plans ORDER BY id;
SELECT relname FROM pg_class WHERE relnamespace = 'v3'::regnamespace AND relkind = 'r';
SELECT count(*) AS steps_left FROM converge_plan(v3_downgrade(
    'remap: {action: strategize}|remap: {applied: complete, constrained: complete}'));

DROP SCHEMA v3 CASCADE;
DROP FUNCTION v3_snapshot();
DROP FUNCTION v3_downgrade(text);
