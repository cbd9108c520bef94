-- FOREIGN KEY constraints, on tables that hold rows.
\pset null '(null)'
CREATE SCHEMA f;
CREATE TABLE f.orgs (id integer PRIMARY KEY, name text);
INSERT INTO f.orgs VALUES (1, 'one'), (2, 'two');
CREATE TABLE f.users (id integer PRIMARY KEY, email text, team integer);
INSERT INTO f.users VALUES (10, 'a', 1), (11, 'b', 2), (12, 'c', 3), (13, 'd', NULL);

CREATE FUNCTION f_doc(users_extra text, orgs_name text DEFAULT 'orgs',
                      orgs_from text DEFAULT '') RETURNS text
LANGUAGE sql AS $f$
SELECT format($d$
version: 1
schemas:
  f:
    tables:
      %s:
        %s
        primary_key: [id]
        columns:
          id: {type: integer}
          name: {type: text}
      users:
        primary_key: [id]
        columns:
          id: {type: integer}
          email: {type: text}
          team: {type: integer}
%s
$d$, orgs_name, orgs_from, users_extra)
$f$;

-- seed 003: a NOT NULL DEFAULT ... REFERENCES column on a table with rows;
-- the default must exist in the referenced table, and that is found before
-- any DDL
\set VERBOSITY default
SELECT step, action, sql, hazards, rows_affected, problem
  FROM converge_plan(f_doc($$
          org_id: {type: integer, nullable: false, default: "7", references: {table: orgs, column: id, on_delete: cascade}}
$$));
SELECT * FROM converge_schema(f_doc($$
          org_id: {type: integer, nullable: false, default: "7", references: {table: orgs, column: id, on_delete: cascade}}
$$));
SELECT count(*) AS org_id_columns FROM pg_attribute
 WHERE attrelid = 'f.users'::regclass AND attname = 'org_id';

-- with a default that exists it goes through
SELECT step, action, rows_affected FROM converge_schema(f_doc($$
          org_id: {type: integer, nullable: false, default: "1", references: {table: orgs, column: id, on_delete: cascade}}
$$));
SELECT id, org_id FROM f.users ORDER BY id;

-- a foreign key on an existing column: orphans are counted and named
SELECT * FROM converge_schema(f_doc($$
          org_id: {type: integer, nullable: false, default: "1", references: {table: orgs, column: id, on_delete: cascade}}
        foreign_keys:
          users_team_fkey: {columns: [team], references: {table: orgs, columns: [id]}}
$$));
UPDATE f.users SET team = NULL WHERE team = 3;
SELECT step, action, sql FROM converge_schema(f_doc($$
          org_id: {type: integer, nullable: false, default: "1", references: {table: orgs, column: id, on_delete: cascade}}
        foreign_keys:
          users_team_fkey: {columns: [team], references: {table: orgs, columns: [id]}}
$$));

-- a changed action is dropped and added; renaming the referenced table is
-- not a change of the key; an undeclared key is dropped
SELECT step, action, sql, reason FROM converge_plan(f_doc($$
          org_id: {type: integer, nullable: false, default: "1", references: {table: organisations, column: id, on_delete: restrict}}
$$, 'organisations', 'renamed_from: orgs'));

-- converged, and the export reads back the same
SELECT count(*) AS steps FROM converge_plan(f_doc($$
          org_id: {type: integer, nullable: false, default: "1", references: {table: orgs, column: id, on_delete: cascade}}
        foreign_keys:
          users_team_fkey: {columns: [team], references: {table: orgs, columns: [id]}}
$$));
SELECT converge_export('{f}');
SELECT converge_is_converged(converge_export('{f}'));

-- the referenced key changes (a primary key becomes a unique constraint):
-- the foreign keys on it are dropped before it and added after it
SELECT step, action, sql FROM converge_schema(replace(f_doc($$
          org_id: {type: integer, nullable: false, default: "1", references: {table: orgs, column: id, on_delete: cascade}}
        foreign_keys:
          users_team_fkey: {columns: [team], references: {table: orgs, columns: [id]}}
$$), 'primary_key: [id]
        columns:
          id: {type: integer}
          name', 'columns:
          id: {type: integer, unique: true}
          name'));

SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
 WHERE conrelid IN ('f.users'::regclass, 'f.orgs'::regclass) ORDER BY conname;
SELECT count(*) AS users FROM f.users;

-- two tables that reference each other converge from nothing in one call
SELECT step, action, sql FROM converge_schema($$
version: 1
schemas:
  g:
    tables:
      a:
        primary_key: [id]
        columns:
          id: {type: integer}
          b_id: {type: integer, references: {table: b, column: id}}
      b:
        primary_key: [id]
        columns:
          id: {type: integer}
          a_id: {type: integer, references: {table: g.a, column: id, deferrable: true, initially_deferred: true}}
$$);
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
 WHERE connamespace = 'g'::regnamespace AND contype = 'f' ORDER BY conname;

-- a partitioned table cannot take a NOT VALID foreign key: it is added
-- validated, its rows checked first
CREATE TABLE g.pay (id int, a_id int) PARTITION BY RANGE (id);
CREATE TABLE g.pay1 PARTITION OF g.pay FOR VALUES FROM (0) TO (100);
INSERT INTO g.a VALUES (1, NULL);
INSERT INTO g.pay VALUES (1, 1), (2, 9);
SELECT step, action, sql, hazards, rows_affected, problem FROM converge_plan($$
version: 1
schemas:
  g:
    tables:
      a:
        primary_key: [id]
        columns:
          id: {type: integer}
          b_id: {type: integer, references: {table: b, column: id}}
      b:
        primary_key: [id]
        columns:
          id: {type: integer}
          a_id: {type: integer, references: {table: g.a, column: id, deferrable: true, initially_deferred: true}}
      pay:
        columns:
          id: {type: integer}
          a_id: {type: integer, references: {table: a, column: id}}
        partition_by: RANGE (id)
      pay1:
        partition_of: pay
        bounds: FOR VALUES FROM (0) TO (100)
$$);

-- dropped tables that reference each other lose their foreign keys first;
-- a domain over a dropped domain goes before it; a foreign key between two
-- columns whose enum is recreated is dropped and added around the move
CREATE SCHEMA s3;
CREATE TABLE s3.a (id int PRIMARY KEY);
CREATE TABLE s3.b (id int PRIMARY KEY, a_id int REFERENCES s3.a);
INSERT INTO s3.a VALUES (1); INSERT INTO s3.b VALUES (1, 1);
CREATE DOMAIN s3.a_base AS int;
CREATE DOMAIN s3.b_pos AS s3.a_base CHECK (VALUE > 0);
CREATE TYPE s3.st AS ENUM ('x', 'y');
CREATE TABLE s3.p (s s3.st PRIMARY KEY);
CREATE TABLE s3.c (s s3.st REFERENCES s3.p);
INSERT INTO s3.p VALUES ('x'), ('y'); INSERT INTO s3.c VALUES ('x');
SELECT step, action, sql FROM converge_schema($$
version: 1
schemas:
  s3:
    enums:
      st: {values: [x, y, z]}
    tables:
      p:
        primary_key: [s]
        columns:
          s: {type: st}
      c:
        columns:
          s: {type: st, references: {table: p, column: s}}
      q:
        columns:
          v: {type: st, default: "'z'"}
$$, allow_data_loss => true);
SELECT * FROM s3.c;
DROP SCHEMA s3 CASCADE;

DROP SCHEMA f CASCADE;
DROP SCHEMA g CASCADE;
DROP FUNCTION f_doc(text, text, text);
