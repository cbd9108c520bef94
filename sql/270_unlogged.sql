-- An unlogged table: created so, exported so; a change either way is a
-- rewrite of the rows that are there, which the plan says.
CREATE SCHEMA ul;
CREATE UNLOGGED TABLE ul.cache (k text PRIMARY KEY, v text);
INSERT INTO ul.cache SELECT 'k' || i, 'v' || i FROM generate_series(1, 6) i;
SELECT converge_export('{ul}');
SELECT count(*) AS steps FROM converge_plan(converge_export('{ul}'));
SELECT step, action, sql, reason, hazards, rows_affected FROM converge_plan(
  replace(converge_export('{ul}'), '        unlogged: true' || chr(10), '') ||
  $$      sessions:
        unlogged: true
        columns:
          id: {type: integer}
$$);
SELECT count(*) AS steps FROM converge_schema(
  replace(converge_export('{ul}'), '        unlogged: true' || chr(10), '') ||
  $$      sessions:
        unlogged: true
        columns:
          id: {type: integer}
$$);
SELECT relname, relpersistence FROM pg_class
 WHERE relnamespace = 'ul'::regnamespace AND relkind = 'r' ORDER BY relname;
SELECT count(*) AS rows_kept FROM ul.cache;
DROP SCHEMA ul CASCADE;
