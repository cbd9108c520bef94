-- What newer servers add, on every version: the server's own answer to
-- syntax it does not know differs (expected/180_versions_N.out), what
-- pg_converge does with what it finds does not.
\set VERBOSITY terse
\pset null '(null)'
CREATE SCHEMA vs;
CREATE ROLE converge_vs_role;

-- A generated column is always created STORED, also where (PostgreSQL 18)
-- GENERATED ALWAYS AS without STORED would make a virtual one.
SELECT step, sql FROM converge_schema($$
version: 1
schemas:
  vs:
    tables:
      t:
        columns:
          id: {type: integer}
          v: {type: integer}
          twice: {type: integer, generated: "v * 2"}
$$);
SELECT attname, attgenerated FROM pg_attribute
 WHERE attrelid = 'vs.t'::regclass AND attgenerated <> '';

-- MAINTAIN (PostgreSQL 17): an existing grant to a role the document does
-- not name is left alone; a document that grants it plans only what the
-- role does not hold yet on 17 and later, and is a document error on 15,
-- which has no such privilege.
GRANT MAINTAIN ON vs.t TO converge_vs_role;
SELECT count(*) AS steps FROM converge_plan($$
version: 1
schemas:
  vs:
    tables:
      t:
        columns:
          id: {type: integer}
          v: {type: integer}
          twice: {type: integer, generated: "v * 2"}
$$);
SELECT action, sql FROM converge_plan($$
version: 1
schemas:
  vs:
    tables:
      t:
        columns:
          id: {type: integer}
          v: {type: integer}
          twice: {type: integer, generated: "v * 2"}
        grants: {converge_vs_role: [select, maintain]}
$$);

-- A virtual generated column (PostgreSQL 18) is refused by name, never
-- mistaken for a stored one.
ALTER TABLE vs.t ADD COLUMN thrice integer GENERATED ALWAYS AS (v * 3) VIRTUAL;
SELECT count(*) FROM converge_plan($$
version: 1
schemas:
  vs:
    tables:
      t:
        columns:
          id: {type: integer}
$$);
ALTER TABLE vs.t DROP COLUMN IF EXISTS thrice;

-- A NOT VALID NOT NULL (PostgreSQL 18) may still have NULL rows: the
-- column is not NOT NULL yet, and the plan checks the rows before setting
-- it (which validates the constraint).
INSERT INTO vs.t (id, v) VALUES (1, NULL);
ALTER TABLE vs.t ADD CONSTRAINT t_v_nn NOT NULL v NOT VALID;
SELECT step, action, sql, problem FROM converge_plan($$
version: 1
schemas:
  vs:
    tables:
      t:
        columns:
          id: {type: integer}
          v: {type: integer, nullable: false}
          twice: {type: integer, generated: "v * 2"}
$$);
SELECT step, action, sql FROM converge_schema($$
version: 1
schemas:
  vs:
    tables:
      t:
        columns:
          id: {type: integer}
          v: {type: integer, nullable: false, default: "0"}
          twice: {type: integer, generated: "v * 2"}
$$);
SELECT v, twice FROM vs.t;

-- A NOT ENFORCED CHECK (PostgreSQL 18) need not hold for the rows: it is
-- refused by name, never taken for an enforced one.
ALTER TABLE vs.t ADD CONSTRAINT t_v_check CHECK (v > 0) NOT ENFORCED;
SELECT count(*) FROM converge_plan($$
version: 1
schemas:
  vs:
    tables:
      t:
        columns:
          id: {type: integer}
$$);

DROP SCHEMA vs CASCADE;
DROP ROLE converge_vs_role;
