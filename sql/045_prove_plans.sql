-- pg_converge.prove_plans (for the test suites): converge_plan runs each
-- plan it calls clean, rolled back, and raises where it fails.  An event
-- trigger that refuses CREATE TABLE is what no catalog probe can see.
CREATE SCHEMA pp;
CREATE TABLE pp.t (id int PRIMARY KEY);
INSERT INTO pp.t VALUES (1), (2);
CREATE FUNCTION pp.no_tables() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'no new tables today';
END
$$;
CREATE EVENT TRIGGER pp_no_tables ON ddl_command_start
  WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION pp.no_tables();
CREATE TEMP TABLE doc AS SELECT $$
version: 1
schemas:
  pp:
    tables:
      t:
        columns:
          id: {type: integer, nullable: false}
          note: {type: text, default: "'none'"}
        primary_key: [id]
      u:
        columns:
          id: {type: integer}
$$ AS d;
-- off (the default): the plan is clean
SELECT step, action, object, problem FROM converge_plan((SELECT d FROM doc));
SET pg_converge.prove_plans = on;
SELECT step, action, object, problem FROM converge_plan((SELECT d FROM doc));
-- nothing the run did is kept
SELECT count(*) AS note_columns FROM pg_attribute
 WHERE attrelid = 'pp.t'::regclass AND attname = 'note';
-- a plan that runs is returned as it is
DROP EVENT TRIGGER pp_no_tables;
SELECT step, action, object, problem FROM converge_plan((SELECT d FROM doc));
SELECT count(*) AS note_columns FROM pg_attribute
 WHERE attrelid = 'pp.t'::regclass AND attname = 'note';
SELECT * FROM pp.t ORDER BY id;
RESET pg_converge.prove_plans;
DROP SCHEMA pp CASCADE;
