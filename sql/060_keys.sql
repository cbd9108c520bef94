-- PRIMARY KEY and UNIQUE constraints, on tables that hold rows.
\pset null '(null)'
CREATE SCHEMA k;
CREATE TABLE k.members (
    id integer,
    email text,
    handle text,
    org integer,
    seat integer
);
INSERT INTO k.members VALUES
    (1, 'a@x', 'ann', 1, 1), (2, 'b@x', 'bob', 1, 2), (3, 'c@x', 'cy', 2, 1),
    (4, 'a@x', 'di', 2, 2), (5, NULL, NULL, 3, 1), (6, NULL, NULL, 3, 2);

CREATE FUNCTION members_doc(keys text) RETURNS text LANGUAGE sql AS $f$
SELECT format($d$
version: 1
schemas:
  k:
    tables:
      members:
        columns:
          id: {type: integer}
          email: {type: text}
          handle: {type: text, unique: true}
          org: {type: integer}
          seat: {type: integer}
%s
$d$, keys)
$f$;

-- a new primary key, a column unique and a two-column unique
SELECT step, action, object, sql, reason, hazards, rows_affected, problem
  FROM converge_plan(members_doc($$
        primary_key: [id]
        unique:
          members_org_seat_key: [org, seat]
$$));

-- duplicates refuse the key before any DDL, naming rows
\set VERBOSITY default
SELECT * FROM converge_schema(members_doc($$
        primary_key: [id]
        unique:
          members_email_key: [email]
$$));
-- NULLs never collide in a plain UNIQUE; with NULLS NOT DISTINCT they do
SELECT action, object, problem FROM converge_plan(members_doc($$
        unique:
          members_org_seat_key: {columns: [org, seat], nulls_not_distinct: true}
          members_handle_nnd: {columns: [handle], nulls_not_distinct: true}
$$)) WHERE action = 'add_key';

SELECT step, action, object FROM converge_schema(members_doc($$
        primary_key: [id]
        unique:
          members_org_seat_key: [org, seat]
$$));
SELECT col_is_pk FROM (SELECT array_agg(attname ORDER BY attnum) AS col_is_pk
  FROM pg_attribute a JOIN pg_index i ON i.indrelid = a.attrelid AND a.attnum = ANY (i.indkey)
 WHERE i.indrelid = 'k.members'::regclass AND i.indisprimary) s;
SELECT attname, attnotnull FROM pg_attribute
 WHERE attrelid = 'k.members'::regclass AND attname = 'id';
SELECT count(*) AS rows_kept FROM k.members;

-- converged; the export reads back the same
SELECT count(*) AS steps FROM converge_plan(members_doc($$
        primary_key: [id]
        unique:
          members_org_seat_key: [org, seat]
$$));
SELECT converge_export('{k}');
SELECT converge_is_converged(converge_export('{k}'));

-- a key on other columns is replaced; an undeclared one is dropped; the
-- primary key keeps its name
ALTER TABLE k.members RENAME CONSTRAINT members_pkey TO members_id_pk;
SELECT step, action, object, sql, reason FROM converge_schema(members_doc($$
        primary_key: [id, org]
$$));
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
 WHERE conrelid = 'k.members'::regclass ORDER BY conname;

-- a key column the table does not declare is a document error
SELECT * FROM converge_plan(members_doc($$
        primary_key: [ident]
$$));

-- a new table with its keys, then a key over a column renamed in the same
-- document
SELECT step, action, sql FROM converge_schema($$
version: 1
schemas:
  k:
    tables:
      members:
        primary_key: [id, org]
        columns:
          id: {type: integer}
          email: {type: text}
          handle: {type: text, unique: true}
          org: {type: integer}
          seat: {type: integer}
      seats:
        primary_key: [seat_no]
        columns:
          seat_no: {type: integer}
          label: {type: text, unique: true}
$$);
INSERT INTO k.seats VALUES (1, 'one'), (2, 'two');
SELECT step, action, sql FROM converge_schema($$
version: 1
schemas:
  k:
    tables:
      members:
        primary_key: [id, org]
        columns:
          id: {type: integer}
          email: {type: text}
          handle: {type: text, unique: true}
          org: {type: integer}
          seat: {type: integer}
      seats:
        primary_key: [number]
        columns:
          number: {type: integer, renamed_from: seat_no}
          label: {type: text, unique: true}
$$);

DROP SCHEMA k CASCADE;
DROP FUNCTION members_doc(text);
