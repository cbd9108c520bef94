-- Converged or nothing: converge_schema plans the document again after the
-- last step and refuses to leave a half-converged schema; DDL that user
-- code runs during a step is logged as what it is; recording cannot be
-- turned off by a role that may not.
\pset null '(null)'

-- Before pg_converge is loaded in a session the server keeps any value of
-- pg_converge.record_drift from anyone (first statements of this session:
-- nothing has loaded the library yet); the next DDL command fails, saying
-- the setting was refused.  Once loaded, the SET itself fails.
CREATE ROLE sc_nobody;
SET ROLE sc_nobody;
SET pg_converge.record_drift = off;
CREATE TEMP TABLE sc_tmp (id int);
SHOW pg_converge.record_drift;
CREATE TEMP TABLE sc_tmp (id int);
SET pg_converge.record_drift = off;
DROP TABLE sc_tmp;
RESET ROLE;
DROP ROLE sc_nobody;

DELETE FROM converge.applied;
DELETE FROM converge.ddl_log;
CREATE SCHEMA sc;
CREATE TABLE sc.t (id integer, v text);
INSERT INTO sc.t VALUES (1, 'a');
COMMENT ON TABLE sc.t IS 'was here';

-- An empty comment is no comment (COMMENT ... IS '' removes one): it
-- removes an existing comment, adds none to a new object, and converges.
CREATE FUNCTION pg_temp.empty_comments() RETURNS text LANGUAGE sql AS $d$ SELECT $$
version: 1
schemas:
  sc:
    tables:
      t:
        comment: ""
        columns:
          id: {type: integer, comment: ""}
          v: {type: text}
      n:
        comment: ""
        columns:
          id: {type: integer, comment: ""}
$$ $d$;
SELECT step, action, sql FROM converge_schema(pg_temp.empty_comments());
SELECT obj_description('sc.t'::regclass, 'pg_class') AS comment;
SELECT step, action, sql FROM converge_schema(pg_temp.empty_comments());
SELECT converge_is_converged(pg_temp.empty_comments());

-- A plan that does not converge is undone, whatever it ran.  An event
-- trigger that takes back every comment stands in for a plan step that
-- does not do what it says.
CREATE FUNCTION sc.take_back_comments() RETURNS event_trigger
LANGUAGE plpgsql AS $f$
BEGIN
  ALTER EVENT TRIGGER sc_take_back DISABLE;
  COMMENT ON TABLE sc.t IS NULL;
  ALTER EVENT TRIGGER sc_take_back ENABLE;
END $f$;
CREATE EVENT TRIGGER sc_take_back ON ddl_command_end WHEN TAG IN ('COMMENT')
  EXECUTE FUNCTION sc.take_back_comments();
SELECT count(*) AS applied_before FROM converge.applied;
SELECT step, action FROM converge_schema($$
version: 1
schemas:
  sc:
    tables:
      t:
        comment: kept?
        columns:
          id: {type: integer}
          v: {type: text}
      n:
        columns:
          id: {type: integer}
          extra: {type: text}
$$);
SELECT count(*) AS applied_after FROM converge.applied;
SELECT count(*) AS columns_added FROM pg_attribute
 WHERE attrelid = 'sc.n'::regclass AND attname = 'extra';
DROP EVENT TRIGGER sc_take_back;

-- DDL that user code runs during a step is logged with its own statement
-- and origin 'nested'; only the steps' own statements are 'converge'.  A
-- row trigger fired by the fill step and an event trigger fired by the
-- ALTER TABLE steps both create a table outside the managed schema.
CREATE SCHEMA sc_side;
CREATE FUNCTION sc.row_side_effect() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
  EXECUTE 'CREATE TABLE IF NOT EXISTS sc_side.by_trigger (id int)';
  RETURN NEW;
END $f$;
CREATE TRIGGER sc_row BEFORE UPDATE ON sc.t
  FOR EACH ROW EXECUTE FUNCTION sc.row_side_effect();
CREATE FUNCTION sc.ddl_side_effect() RETURNS event_trigger
LANGUAGE plpgsql AS $f$
BEGIN
  CREATE TABLE IF NOT EXISTS sc_side.by_event_trigger (id int);
END $f$;
CREATE EVENT TRIGGER sc_ddl ON ddl_command_end WHEN TAG IN ('ALTER TABLE')
  EXECUTE FUNCTION sc.ddl_side_effect();
DELETE FROM converge.ddl_log;
SELECT step, sql FROM converge_schema($$
version: 1
schemas:
  sc:
    tables:
      t:
        columns:
          id: {type: integer}
          v: {type: text}
          w: {type: text, nullable: false, using: "'x'"}
        triggers:
          sc_row: {timing: before, events: [update], for_each: row, function: sc.row_side_effect}
      n:
        columns:
          id: {type: integer}
$$);
SELECT command_tag, object_identity, origin, statement
  FROM converge.ddl_log ORDER BY id;
-- what user code ran during the convergence is not drift
SELECT count(*) AS drift FROM converge_drift();
DROP EVENT TRIGGER sc_ddl;

DROP SCHEMA sc, sc_side CASCADE;
DELETE FROM converge.applied;
DELETE FROM converge.ddl_log;
