-- Drift: the shapes of converge_status() and converge_drift(), and the
-- warning when DDL cannot be recorded.
\pset null '(null)'
-- earlier suites converged in this database: start from an empty history
DELETE FROM converge.applied;
DELETE FROM converge.ddl_log;
-- nothing applied yet: one row, all NULL
SELECT * FROM converge_status();

CREATE SCHEMA dr;
CREATE TABLE dr.t (id integer PRIMARY KEY, v text);
INSERT INTO dr.t VALUES (1, 'a'), (2, 'b');
SELECT step, action FROM converge_schema($$
version: 1
schemas:
  dr:
    tables:
      t:
        primary_key: [id]
        columns:
          id: {type: integer}
          v: {type: text, nullable: false}
$$);
SELECT document_sha256 IS NOT NULL AS has_sha, applied_by = current_user AS by_me,
       external_ddl_since, converged
  FROM converge_status();

ALTER TABLE dr.t ALTER COLUMN v DROP NOT NULL;
CREATE INDEX t_v_idx ON dr.t (v);
SELECT kind, role_name = current_user AS by_me, command_tag, object, statement,
       (step).action, (step).sql
  FROM converge_drift() ORDER BY kind, object;
SELECT external_ddl_since, converged FROM converge_status();

-- a log that cannot be written never breaks the DDL
ALTER TABLE converge.ddl_log ADD CONSTRAINT refuse_all CHECK (false) NOT VALID;
CREATE TABLE dr.u (id int);
ALTER TABLE converge.ddl_log DROP CONSTRAINT refuse_all;
SELECT to_regclass('dr.u') IS NOT NULL AS created;

-- a convergence's history is part of it: when its rows cannot be written,
-- the convergence fails and nothing of it stays
ALTER TABLE converge.ddl_log ADD CONSTRAINT refuse_all CHECK (false) NOT VALID;
\set VERBOSITY terse
SELECT step, action FROM converge_schema($$
version: 1
schemas:
  dr:
    tables:
      t:
        primary_key: [id]
        columns:
          id: {type: integer}
          v: {type: text, nullable: false}
$$);
\set VERBOSITY default
ALTER TABLE converge.ddl_log DROP CONSTRAINT refuse_all;
SELECT to_regclass('dr.u') IS NOT NULL AS u_kept,
       to_regclass('dr.t_v_idx') IS NOT NULL AS index_kept,
       (SELECT NOT attnotnull FROM pg_attribute
         WHERE attrelid = 'dr.t'::regclass AND attname = 'v') AS v_nullable,
       (SELECT count(*) FROM dr.t) AS rows;

-- statements that can carry a password are not kept
CREATE FOREIGN DATA WRAPPER dr_fdw;
CREATE SERVER dr_server FOREIGN DATA WRAPPER dr_fdw OPTIONS (host 'x');
CREATE USER MAPPING FOR current_user SERVER dr_server OPTIONS (password 'hunter2');
SELECT command_tag, statement FROM converge.ddl_log
 WHERE command_tag IN ('CREATE SERVER', 'CREATE USER MAPPING') ORDER BY id;

-- decided by the parsed command: subscriptions' connection strings, the
-- options of servers and user mappings; what carries no secret is kept
DELETE FROM converge.ddl_log;
ALTER SERVER dr_server OPTIONS (ADD password 'hunter3');
ALTER SERVER dr_server VERSION '2';
ALTER USER MAPPING FOR current_user SERVER dr_server
  OPTIONS (SET password 'hunter4');
SET client_min_messages = error;
CREATE SUBSCRIPTION dr_sub CONNECTION 'host=nowhere password=hunter5'
  PUBLICATION dr_pub WITH (connect = false);
RESET client_min_messages;
ALTER SUBSCRIPTION dr_sub CONNECTION 'host=nowhere password=hunter6';
ALTER SUBSCRIPTION dr_sub SET (synchronous_commit = off);
-- a role's password never fires an event trigger, but it can share the
-- query string of a command that does: every statement of it is parsed
CREATE ROLE dr_secret;
CREATE TABLE dr.s1 (id int) \; ALTER ROLE dr_secret PASSWORD 'hunter7';
CREATE TABLE dr.s2 (id int) \; CREATE TABLE dr.s3 (id int);
SELECT command_tag, object_identity, statement FROM converge.ddl_log ORDER BY id;
SELECT count(*) AS secrets FROM converge.ddl_log WHERE statement LIKE '%hunter%';
ALTER SUBSCRIPTION dr_sub SET (slot_name = NONE);
DROP SUBSCRIPTION dr_sub;
DROP ROLE dr_secret;
DROP USER MAPPING FOR current_user SERVER dr_server;
DROP SERVER dr_server;
DROP FOREIGN DATA WRAPPER dr_fdw;

DROP SCHEMA dr CASCADE;
DELETE FROM converge.applied;
DELETE FROM converge.ddl_log;
