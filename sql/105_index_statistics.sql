-- An expression key's statistics target ("statistics" of an index): set
-- on a new index and in place on one that exists, reset when no longer
-- given, exported; only an expression key takes one.
CREATE SCHEMA ist;
CREATE TABLE ist.posts (id int PRIMARY KEY, tags text, title text);
INSERT INTO ist.posts SELECT i, 'a b ' || i, 't' || i FROM generate_series(1, 8) i;
CREATE INDEX posts_tags ON ist.posts USING gin (string_to_array(tags, ' '));
ALTER INDEX ist.posts_tags ALTER COLUMN 1 SET STATISTICS 3000;
CREATE INDEX posts_lower_title ON ist.posts (id, lower(title));
SELECT converge_export('{ist}');
SELECT count(*) AS steps FROM converge_plan(converge_export('{ist}'));
CREATE TEMP TABLE doc AS SELECT replace(replace(converge_export('{ist}'),
  ', statistics: {1: 3000}', ''),
  'posts_lower_title: {columns: [id, lower(title)]}',
  'posts_lower_title: {columns: [id, lower(title)], statistics: {2: 500}}') || $$
      notes:
        columns:
          body: {type: text}
        indexes:
          notes_md5: {columns: [md5(body)], statistics: {1: 100}}
$$ AS d;
SELECT step, action, sql, reason FROM converge_plan((SELECT d FROM doc));
SELECT count(*) AS steps FROM converge_schema((SELECT d FROM doc));
SELECT c.relname, a.attnum, COALESCE(a.attstattarget::int, -1) AS target
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
 WHERE c.relnamespace = 'ist'::regnamespace AND c.relkind = 'i'
   AND COALESCE(a.attstattarget::int, -1) >= 0
 ORDER BY 1, 2;
SELECT count(*) AS rows_kept FROM ist.posts;
SELECT count(*) AS steps FROM converge_plan((SELECT d FROM doc));
-- a column key has no statistics target of its own
SELECT count(*) FROM converge_plan(replace((SELECT d FROM doc),
  'statistics: {2: 500}', 'statistics: {1: 500}'));
DROP SCHEMA ist CASCADE;
