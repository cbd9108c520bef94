-- The pattern for a project's own pgTAP suite (see README): the schema
-- document lives in the repository, and the suite asserts that the
-- database matches it and that nobody changed it by hand since.
-- Here the project is examples/: its v1 document, converged first.
\set doc `cat examples/v1.yaml`
BEGIN;
CREATE EXTENSION pg_converge;
SELECT plan(4);

SELECT lives_ok(format('SELECT count(*) FROM converge_schema(%L)', :'doc'),
                'the project''s document converges');
INSERT INTO shop.customers (email, name) VALUES ('a@example.com', 'A');

-- the two assertions a project keeps in its suite
SELECT ok(converge_is_converged(:'doc'), 'schema converged');
SELECT is_empty($$SELECT * FROM converge_drift()$$, 'no drift');

-- and what they catch
ALTER TABLE shop.customers ADD COLUMN nickname text;
SELECT isnt_empty($$SELECT * FROM converge_drift()$$,
                  'a hand-made change is drift');

SELECT * FROM finish();
ROLLBACK;
