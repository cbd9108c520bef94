-- converge_schema: refusals before any DDL, then convergence, on real rows.
\pset null '(null)'

CREATE SCHEMA app;
CREATE TABLE app.orgs (id integer PRIMARY KEY, name text);
INSERT INTO app.orgs SELECT i, 'org ' || i FROM generate_series(1, 3) i;
CREATE TABLE app.users (
    id integer PRIMARY KEY,
    email text,
    nickname varchar(20),
    legacy text
);
INSERT INTO app.users
SELECT i, CASE WHEN i % 3 <> 0 THEN 'u' || i || '@example.com' END,
       'nick' || i, 'old' || i
  FROM generate_series(1, 7) i;
CREATE TABLE app.audit (id int, what text);
INSERT INTO app.audit VALUES (1, 'x');

CREATE FUNCTION catalog_snapshot() RETURNS text LANGUAGE sql AS $$
SELECT string_agg(format('%s.%s %s %s %s %s', c.relname, a.attname,
                         format_type(a.atttypid, a.atttypmod), a.attnotnull,
                         a.attidentity, pg_get_expr(d.adbin, d.adrelid)),
                  E'\n' ORDER BY c.relname, a.attnum)
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
  LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
 WHERE c.relnamespace = 'app'::regnamespace AND c.relkind = 'r'
   AND a.attnum > 0 AND NOT a.attisdropped
$$;
SELECT md5(catalog_snapshot()) AS before \gset

-- one error for every refused step, nothing changed
SELECT * FROM converge_schema($$
version: 1
schemas:
  app:
    tables:
      orgs:
        primary_key: [id]
        columns:
          id: {type: integer, nullable: false}
          name: {type: text}
      users:
        primary_key: [id]
        columns:
          id: {type: integer, nullable: false}
          email: {type: text, nullable: false}
          nickname: {type: varchar(4)}
          org_id: {type: integer, nullable: false}
$$);
SELECT md5(catalog_snapshot()) = :'before' AS catalog_unchanged;
SELECT count(*) AS users, count(legacy) AS legacy_values FROM app.users;

-- seed 003: a NOT NULL column on a table with rows needs a default; with one,
-- the same convergence goes through, and allow_data_loss drops what is gone
SELECT step, action, object, rows_affected
  FROM converge_schema($$
version: 1
schemas:
  app:
    tables:
      orgs:
        primary_key: [id]
        columns:
          id: {type: integer, nullable: false}
          name: {type: text}
      users:
        primary_key: [id]
        columns:
          id: {type: integer, nullable: false}
          email: {type: text, nullable: false, using: "'user' || id || '@unknown.invalid'"}
          nickname: {type: varchar(40)}
          org_id: {type: integer, nullable: false, default: "1"}
$$, allow_data_loss => true);
SELECT * FROM app.users ORDER BY id;
SELECT to_regclass('app.audit') AS audit;

-- converging again is a no-op
SELECT count(*) AS steps FROM converge_plan($$
version: 1
schemas:
  app:
    tables:
      orgs:
        primary_key: [id]
        columns:
          id: {type: integer, nullable: false}
          name: {type: text}
      users:
        primary_key: [id]
        columns:
          id: {type: integer, nullable: false}
          email: {type: text, nullable: false, using: "'user' || id || '@unknown.invalid'"}
          nickname: {type: varchar(40)}
          org_id: {type: integer, nullable: false, default: "1"}
$$);

-- a view the document does not manage (in a schema it does not manage)
-- reads the column: the type change is refused before any DDL, naming the
-- view (the server would refuse it)
CREATE SCHEMA app_reports;
CREATE VIEW app_reports.user_emails AS SELECT email FROM app.users;
CREATE FUNCTION app_retyped_doc() RETURNS text LANGUAGE sql AS $f$ SELECT $d$
version: 1
schemas:
  app:
    tables:
      orgs:
        primary_key: [id]
        columns:
          id: {type: integer, nullable: false}
          name: {type: text}
          founded: {type: date}
      users:
        primary_key: [id]
        columns:
          id: {type: integer, nullable: false}
          email: {type: varchar(200), nullable: false}
          nickname: {type: varchar(40)}
          org_id: {type: integer, nullable: false, default: "1"}
$d$ $f$;
SELECT md5(catalog_snapshot()) AS before \gset
\set VERBOSITY default
SELECT step, action FROM converge_schema(app_retyped_doc());
SELECT md5(catalog_snapshot()) = :'before' AS catalog_unchanged;
DROP SCHEMA app_reports CASCADE;

-- a step that fails while executing names itself, and undoes everything:
-- here an event trigger, which no catalog check can see through
CREATE FUNCTION app_frozen() RETURNS event_trigger LANGUAGE plpgsql AS
$f$BEGIN RAISE EXCEPTION 'app is frozen'; END$f$;
CREATE EVENT TRIGGER app_freeze ON ddl_command_start
  WHEN TAG IN ('ALTER TABLE') EXECUTE FUNCTION app_frozen();
SELECT md5(catalog_snapshot()) AS before \gset
SELECT step, action FROM converge_schema(app_retyped_doc());
SELECT md5(catalog_snapshot()) = :'before' AS catalog_unchanged;
DROP EVENT TRIGGER app_freeze;
DROP FUNCTION app_frozen(), app_retyped_doc();

-- converge_schema runs in the caller's transaction
BEGIN;
SELECT count(*) AS steps FROM converge_schema($$
version: 1
schemas:
  app:
    tables:
      orgs:
        primary_key: [id]
        columns:
          id: {type: integer, nullable: false}
          name: {type: text}
          founded: {type: date}
      users:
        primary_key: [id]
        columns:
          id: {type: integer, nullable: false}
          email: {type: text, nullable: false}
          nickname: {type: varchar(40)}
          org_id: {type: integer, nullable: false, default: "1"}
$$);
SELECT count(*) AS founded_columns FROM pg_attribute
 WHERE attrelid = 'app.orgs'::regclass AND attname = 'founded';
ROLLBACK;
SELECT count(*) AS founded_columns FROM pg_attribute
 WHERE attrelid = 'app.orgs'::regclass AND attname = 'founded';

-- a schema the document does not list is never touched
CREATE SCHEMA other;
CREATE TABLE other.keep (id int);
INSERT INTO other.keep VALUES (1);
SELECT count(*) AS steps FROM converge_plan($$
version: 1
schemas:
  app: {}
$$, allow_data_loss => true) WHERE object LIKE 'other.%';

-- a listed schema that does not exist is created; an empty one stays empty
SELECT step, action, object, sql FROM converge_schema($$
version: 1
schemas:
  "Fresh Start":
    tables:
      "Mixed Case":
        columns:
          "Weird Column": {type: "character varying(10)[]", comment: "it's quoted"}
$$);
SELECT converge_export('{"Fresh Start"}');
SELECT converge_is_converged(converge_export('{"Fresh Start"}'));
-- every schema asked for must exist: a misspelt one is an error, not a
-- document that silently lacks it
SELECT converge_export('{public, nosuch}');

DROP SCHEMA app CASCADE;
DROP SCHEMA other CASCADE;
DROP SCHEMA "Fresh Start" CASCADE;
DROP FUNCTION catalog_snapshot();
