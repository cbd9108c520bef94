-- Objects the document does not manage (views, policies, functions, the
-- foreign keys of unmanaged tables) that depend on a managed table or
-- column: a step the server would refuse because of them is refused in the
-- plan, naming the dependent, before any DDL; tables hold rows.
\pset null '(null)'
CREATE SCHEMA dep;
CREATE TABLE dep.accounts (id integer PRIMARY KEY, email text, score integer,
                           note text);
INSERT INTO dep.accounts SELECT i, 'a' || i, i, 'n' || i
  FROM generate_series(1, 4) i;
CREATE TABLE dep.audit (id integer PRIMARY KEY, owner integer);
INSERT INTO dep.audit VALUES (1, 1), (2, 2);
CREATE VIEW public.account_emails AS SELECT id, email FROM dep.accounts;
CREATE TABLE public.watchers (id integer);
ALTER TABLE public.watchers ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON public.watchers
  USING (EXISTS (SELECT FROM dep.accounts a WHERE a.score > 0));
CREATE TABLE public.audit_copies (id integer REFERENCES dep.audit (id));
INSERT INTO public.audit_copies VALUES (1);
CREATE FUNCTION public.note_length(i integer) RETURNS integer
BEGIN ATOMIC
  SELECT length(note) FROM dep.accounts WHERE id = i;
END;

-- email (read by a view) dropped, score (read by a policy) and note (read
-- by a SQL-standard function body) retyped, audit (referenced by a foreign
-- key of an unmanaged table) dropped
CREATE FUNCTION dep_doc() RETURNS text LANGUAGE sql AS $f$ SELECT $d$
version: 1
schemas:
  dep:
    tables:
      accounts:
        primary_key: [id]
        columns:
          id: {type: integer}
          score: {type: bigint}
          note: {type: "varchar(10)"}
$d$ $f$;

SELECT step, action, object, problem
  FROM converge_plan(dep_doc(), allow_data_loss => true);

-- one error names every blocked step, says what blocks, and how to fix it
SELECT * FROM converge_schema(dep_doc(), allow_data_loss => true);
SELECT count(*) AS accounts_intact FROM dep.accounts WHERE email IS NOT NULL;

-- a rename keeps every dependent working: nothing is refused
CREATE FUNCTION dep_rename_doc() RETURNS text LANGUAGE sql AS $f$ SELECT $d$
version: 1
schemas:
  dep:
    tables:
      accounts:
        primary_key: [id]
        columns:
          id: {type: integer}
          mail: {type: text, renamed_from: email}
          score: {type: integer}
          note: {type: text}
      audit:
        primary_key: [id]
        columns:
          id: {type: integer}
          owner: {type: integer}
$d$ $f$;
SELECT action, object, problem FROM converge_schema(dep_rename_doc());
SELECT * FROM public.account_emails ORDER BY id;

-- once the dependents are gone, the same plan runs, data loss accepted
DROP VIEW public.account_emails;
DROP POLICY own_rows ON public.watchers;
DROP TABLE public.audit_copies;
DROP FUNCTION public.note_length(integer);
CREATE FUNCTION dep_final_doc() RETURNS text LANGUAGE sql AS $f$ SELECT $d$
version: 1
schemas:
  dep:
    tables:
      accounts:
        primary_key: [id]
        columns:
          id: {type: integer}
          score: {type: bigint}
          note: {type: "varchar(10)"}
$d$ $f$;
SELECT action, object, problem
  FROM converge_schema(dep_final_doc(), allow_data_loss => true);
SELECT id, score, pg_typeof(score) AS score_type, note FROM dep.accounts
 ORDER BY id;
SELECT count(*) AS steps_left FROM converge_plan(dep_final_doc());

DROP SCHEMA dep CASCADE;
DROP FUNCTION dep_doc(), dep_rename_doc(), dep_final_doc();
DROP TABLE public.watchers;
