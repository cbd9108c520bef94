-- Extensions: listed at the top of the document; created when missing,
-- before what uses them; updated on a version change; dropped only with
-- allow_data_loss and never while something outside them uses them; a
-- document that never says "extensions" keeps the ones there are.
\pset null '(null)'
CREATE SCHEMA ex;
CREATE EXTENSION citext SCHEMA ex;
CREATE TABLE ex.users (id integer PRIMARY KEY, email ex.citext NOT NULL);
INSERT INTO ex.users VALUES (1, 'Ann@Example.com'), (2, 'bob@example.com');
SELECT converge_export('{ex}');
SELECT count(*) AS steps FROM converge_plan(converge_export('{ex}'));
-- without "extensions", nothing is dropped
SELECT count(*) AS steps FROM converge_plan(regexp_replace(converge_export('{ex}'),
  'extensions:\n  citext: \{schema: ex\}\n', ''));
-- a new one is created first, a missing one is a document error
SELECT step, action, sql FROM converge_plan(replace(converge_export('{ex}'),
  '  citext: {schema: ex}', '  citext: {schema: ex}
  hstore: {schema: ex}'));
SELECT count(*) AS steps FROM converge_schema(replace(converge_export('{ex}'),
  '  citext: {schema: ex}', '  citext: {schema: ex}
  hstore: {schema: ex}'));
SELECT extname FROM pg_extension WHERE extname IN ('citext', 'hstore') ORDER BY 1;
SELECT * FROM converge_plan(replace(converge_export('{ex}'),
  '  citext: {schema: ex}', '  no_such_extension: {}'));
-- one a column uses cannot be dropped, with allow_data_loss or not
SELECT step, action, problem FROM converge_plan(replace(converge_export('{ex}'),
  '  citext: {schema: ex}' || chr(10), ''), allow_data_loss => true);
SELECT step, action, problem FROM converge_plan(replace(converge_export('{ex}'),
  '  hstore: {schema: ex}' || chr(10), ''));
SELECT count(*) AS steps FROM converge_schema(replace(converge_export('{ex}'),
  '  hstore: {schema: ex}' || chr(10), ''), allow_data_loss => true);
SELECT extname FROM pg_extension WHERE extname IN ('citext', 'hstore') ORDER BY 1;
SELECT count(*) AS rows_kept FROM ex.users;
DROP SCHEMA ex CASCADE;
