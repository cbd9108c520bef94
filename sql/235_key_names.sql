-- A primary key's name: an existing one keeps its own unless the document
-- names it, then it is renamed in place (no rebuild, the rows untouched);
-- export writes a name that is not the one PostgreSQL would choose.
CREATE SCHEMA kn;
CREATE TABLE kn.claims (id integer CONSTRAINT claim_id_pk PRIMARY KEY, v text);
INSERT INTO kn.claims SELECT i, 'v' || i FROM generate_series(1, 5) i;
SELECT converge_export('{kn}');
SELECT count(*) AS steps FROM converge_plan(converge_export('{kn}'));
-- said without a name, it keeps the one it has
SELECT count(*) AS steps FROM converge_plan($$
version: 1
schemas:
  kn:
    tables:
      claims:
        primary_key: [id]
        columns:
          id: {type: integer, nullable: false}
          v: {type: text}
$$);
-- named, it is renamed
SELECT step, action, sql, reason FROM converge_plan($$
version: 1
schemas:
  kn:
    tables:
      claims:
        primary_key: {columns: [id], name: claims_key}
        columns:
          id: {type: integer, nullable: false}
          v: {type: text}
$$);
SELECT count(*) AS steps FROM converge_schema($$
version: 1
schemas:
  kn:
    tables:
      claims:
        primary_key: {columns: [id], name: claims_key}
        columns:
          id: {type: integer, nullable: false}
          v: {type: text}
$$);
SELECT conname FROM pg_constraint
 WHERE conrelid = 'kn.claims'::regclass AND contype = 'p';
SELECT count(*) AS rows_kept FROM kn.claims;
DROP SCHEMA kn CASCADE;
