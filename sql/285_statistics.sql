-- A column's statistics target ("statistics"): created so, exported so,
-- set and reset in place on a table with rows.
CREATE SCHEMA sx;
CREATE TABLE sx.jobs (id int, state text, finished timestamptz);
ALTER TABLE sx.jobs ALTER COLUMN finished SET STATISTICS 1000;
INSERT INTO sx.jobs SELECT i, 's' || i % 3, now() FROM generate_series(1, 9) i;
SELECT converge_export('{sx}');
SELECT count(*) AS steps FROM converge_plan(converge_export('{sx}'));
SELECT step, action, sql, reason, hazards FROM converge_plan($$
version: 1
schemas:
  sx:
    tables:
      jobs:
        columns:
          id: {type: integer, statistics: 0}
          state: {type: text, statistics: -1}
          finished: {type: timestamp with time zone}
          note: {type: text, statistics: 500}
      runs:
        columns:
          id: {type: integer, statistics: 2000}
$$);
SELECT count(*) AS steps FROM converge_schema($$
version: 1
schemas:
  sx:
    tables:
      jobs:
        columns:
          id: {type: integer, statistics: 0}
          state: {type: text, statistics: -1}
          finished: {type: timestamp with time zone}
          note: {type: text, statistics: 500}
      runs:
        columns:
          id: {type: integer, statistics: 2000}
$$);
SELECT attrelid::regclass, attname, COALESCE(attstattarget::int, -1) AS target
  FROM pg_attribute
 WHERE attrelid IN ('sx.jobs'::regclass, 'sx.runs'::regclass) AND attnum > 0
 ORDER BY 1, attnum;
SELECT count(*) AS rows_kept FROM sx.jobs;
SELECT count(*) AS steps FROM converge_plan(converge_export('{sx}'));
SELECT count(*) FROM converge_plan($$
version: 1
schemas:
  sx:
    tables:
      jobs:
        columns:
          id: {type: integer, statistics: 10001}
$$);
DROP SCHEMA sx CASCADE;
