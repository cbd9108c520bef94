-- Grants on schemas, tables, columns, views and sequences: compared as
-- sets with the default ACL expanded, per role and privilege, so nothing
-- is planned for a privilege that stays; the document is the whole truth
-- for the roles it names, other roles keep what they hold; a view the plan
-- rebuilds gets every role's privileges back; tables hold rows.
\pset null '(null)'
CREATE ROLE converge_gr_reader;
CREATE ROLE converge_gr_writer;
CREATE ROLE converge_gr_platform;
CREATE SCHEMA gr;
CREATE TABLE gr.t (id integer PRIMARY KEY, secret text, v text);
INSERT INTO gr.t SELECT i, 's' || i, 'v' || i FROM generate_series(1, 5) i;
CREATE SEQUENCE gr.s;
GRANT USAGE ON SCHEMA gr TO converge_gr_reader;
GRANT SELECT, INSERT ON gr.t TO converge_gr_reader;
GRANT SELECT ON gr.t TO converge_gr_platform;
GRANT UPDATE (v) ON gr.t TO converge_gr_writer;

-- the export says what each object holds, the owner's default aside
SELECT converge_export('{gr}');
CREATE VIEW gr.vt AS SELECT id, v FROM gr.t;
GRANT SELECT ON gr.vt TO converge_gr_reader, converge_gr_platform;
SELECT count(*) AS steps FROM converge_plan(converge_export('{gr}'));

CREATE FUNCTION gr_doc(v_type text DEFAULT 'text') RETURNS text
LANGUAGE sql AS $f$ SELECT format($d$
version: 1
schemas:
  gr:
    grants: {converge_gr_reader: [usage], converge_gr_writer: [usage]}
    sequences:
      s: {grants: {converge_gr_writer: [all]}}
    tables:
      t:
        primary_key: [id]
        columns:
          id: {type: integer, nullable: false}
          secret: {type: text}
          v: {type: "%s", grants: {converge_gr_writer: [update, select]}}
        grants: {converge_gr_reader: [select]}
    views:
      vt:
        query: SELECT id, v FROM gr.t
        grants: {converge_gr_reader: [select], converge_gr_writer: [select, update with grant option]}
$d$, v_type) $f$;

-- Named roles get what the document says (INSERT revoked from the reader,
-- ALL expanded, grant options); the platform role, never named, keeps its
-- SELECT on the table.  (ALL is shown on a sequence: a table's ALL has
-- MAINTAIN from PostgreSQL 17 on.)
SELECT step, action, sql, reason FROM converge_plan(gr_doc());
SELECT count(*) AS steps FROM converge_schema(gr_doc());
SELECT count(*) AS steps FROM converge_plan(gr_doc());
SELECT table_name, grantee, privilege_type, is_grantable
  FROM information_schema.role_table_grants
 WHERE table_schema = 'gr' AND grantee LIKE 'converge_gr_%'
 ORDER BY table_name, grantee, privilege_type;

-- A column type change rebuilds the view: its privileges, the document's
-- and those of roles it does not name, are granted again after.
SELECT step, action, sql, reason FROM converge_plan(gr_doc('varchar(20)'))
 WHERE action IN ('drop_view', 'create_view', 'grant', 'revoke');
SELECT count(*) AS steps FROM converge_schema(gr_doc('varchar(20)'));
SELECT grantee, privilege_type FROM information_schema.role_table_grants
 WHERE table_schema = 'gr' AND table_name = 'vt'
   AND grantee LIKE 'converge_gr_%' AND privilege_type = 'SELECT'
 ORDER BY grantee;
SELECT count(*) AS steps FROM converge_plan(gr_doc('varchar(20)'));

-- a role the document stops naming anywhere is left alone from then on;
-- one it still names loses what it no longer gets
SELECT step, action, sql FROM converge_plan(replace(replace(gr_doc('varchar(20)'),
  ', converge_gr_writer: [select, update with grant option]', ''),
  'grants: {converge_gr_reader: [select]}', 'grants: {converge_gr_reader: []}'));

-- Default privileges: what a role's future objects in the schema get,
-- compared the same way; a grantee the document never names keeps them.
CREATE ROLE converge_gr_owner;
ALTER DEFAULT PRIVILEGES FOR ROLE converge_gr_owner IN SCHEMA gr
  GRANT SELECT ON TABLES TO converge_gr_reader, converge_gr_platform;
ALTER DEFAULT PRIVILEGES FOR ROLE converge_gr_owner IN SCHEMA gr
  GRANT USAGE ON SEQUENCES TO converge_gr_reader;
SELECT count(*) AS steps FROM converge_plan(converge_export('{gr}'));
SELECT step, action, object, sql FROM converge_plan(
  replace(gr_doc('varchar(20)'), '    sequences:', $d$    default_privileges:
      converge_gr_owner:
        tables: {converge_gr_reader: [select, insert]}
        functions: {converge_gr_reader: [execute]}
    sequences:$d$))
 WHERE object LIKE 'gr.converge_gr_owner.%';
SELECT count(*) AS steps FROM converge_schema(
  replace(gr_doc('varchar(20)'), '    sequences:', $d$    default_privileges:
      converge_gr_owner:
        tables: {converge_gr_reader: [select, insert]}
        functions: {converge_gr_reader: [execute]}
    sequences:$d$));
SELECT defaclobjtype, defaclacl FROM pg_default_acl
 WHERE defaclnamespace = 'gr'::regnamespace ORDER BY defaclobjtype;
-- a table the role creates gets them
GRANT CREATE ON SCHEMA gr TO converge_gr_owner;
SET ROLE converge_gr_owner;
CREATE TABLE gr.later (id integer);
RESET ROLE;
SELECT grantee, privilege_type FROM information_schema.role_table_grants
 WHERE table_schema = 'gr' AND table_name = 'later'
   AND grantee <> 'converge_gr_owner' ORDER BY grantee, privilege_type;
DROP TABLE gr.later;

-- document errors, at their line
SELECT * FROM converge_plan(replace(gr_doc(), 'converge_gr_reader: [usage]', 'nobody_here: [usage]'));
SELECT * FROM converge_plan(replace(gr_doc(), 'converge_gr_reader: [usage]', 'converge_gr_reader: [select]'));

-- the document's own default privileges are those of every schema (FOR
-- ROLE without IN SCHEMA), compared from what the server gives a role's
-- new objects; PUBLIC, as everywhere, only where named
ALTER DEFAULT PRIVILEGES FOR ROLE converge_gr_owner
  REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
SELECT count(*) AS steps FROM converge_plan(converge_export('{gr}'));
SELECT step, action, sql FROM converge_plan($$
version: 1
default_privileges:
  converge_gr_owner:
    tables: {converge_gr_reader: [select]}
schemas:
  gr: {}
$$) WHERE object NOT LIKE 'gr.%' OR object LIKE 'converge%';
SELECT count(*) AS steps FROM converge_schema($$
version: 1
default_privileges:
  converge_gr_owner:
    tables: {converge_gr_reader: [select]}
schemas:
  gr: {}
$$, allow_data_loss => true);
SELECT defaclobjtype,
       ARRAY(SELECT coalesce(a.grantee::regrole::text, 'public') || ':' || a.privilege_type
               FROM aclexplode(defaclacl) a
              WHERE a.grantee <> defaclrole ORDER BY 1) AS others
  FROM pg_default_acl
 WHERE defaclnamespace = 0 AND defaclrole = 'converge_gr_owner'::regrole
 ORDER BY 1;

DROP SCHEMA gr CASCADE;
DROP FUNCTION gr_doc(text);
DROP OWNED BY converge_gr_owner;
DROP ROLE converge_gr_owner;
DROP ROLE converge_gr_reader;
DROP ROLE converge_gr_writer;
DROP ROLE converge_gr_platform;

-- enums and domains: USAGE; what the server gives PUBLIC by default is not
-- written, a type PUBLIC cannot use is
CREATE ROLE converge_gr_typer;
CREATE SCHEMA gt;
CREATE TYPE gt.color AS ENUM ('red', 'blue');
CREATE DOMAIN gt.short AS text CHECK (length(VALUE) < 10);
CREATE TABLE gt.paint (id integer PRIMARY KEY, c gt.color, label gt.short);
INSERT INTO gt.paint VALUES (1, 'red', 'r'), (2, 'blue', 'b');
REVOKE USAGE ON TYPE gt.color FROM PUBLIC;
SELECT converge_export('{gt}');
SELECT step, action, sql FROM converge_plan($$
version: 1
schemas:
  gt:
    enums:
      color: {values: [red, blue, green], grants: {converge_gr_typer: [usage]}}
    domains:
      short: {type: text, checks: {short_check: "length(VALUE) < 10"}, grants: {public: []}}
    tables:
      paint:
        primary_key: [id]
        columns:
          id: {type: integer, nullable: false}
          c: {type: color}
          label: {type: short}
$$);
DROP SCHEMA gt CASCADE;

-- a schema's owner, managed where the document names one: the export
-- names it where converging would not give it that owner
CREATE ROLE converge_gr_keeper;
CREATE SCHEMA go AUTHORIZATION converge_gr_keeper;
CREATE TABLE go.t (id integer PRIMARY KEY);
INSERT INTO go.t VALUES (1), (2);
SELECT converge_export('{go}');
SELECT count(*) AS steps FROM converge_plan(converge_export('{go}'));
SELECT step, action, object, sql, reason FROM converge_schema($$
version: 1
schemas:
  go:
    owner: converge_gr_typer
    tables:
      t:
        primary_key: [id]
        columns:
          id: {type: integer, nullable: false}
$$);
SELECT nspowner::regrole FROM pg_namespace WHERE nspname = 'go';
SELECT * FROM converge_plan($$
version: 1
schemas:
  go:
    owner: converge_gr_nobody
$$);
DROP SCHEMA go CASCADE;
DROP ROLE converge_gr_keeper;
DROP ROLE converge_gr_typer;
