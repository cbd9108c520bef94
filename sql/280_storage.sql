-- Storage parameters ("with"): created so, exported so, compared by what
-- the server reads from them, set and reset in place on tables with rows.
CREATE SCHEMA st;
CREATE TABLE st.posts (id int PRIMARY KEY, body text)
  WITH (fillfactor = 50, autovacuum_vacuum_scale_factor = 0.005);
INSERT INTO st.posts SELECT i, 'b' || i FROM generate_series(1, 8) i;
CREATE TABLE st.tags (id int PRIMARY KEY, name text);
INSERT INTO st.tags SELECT i, 't' || i FROM generate_series(1, 5) i;
SELECT converge_export('{st}');
SELECT count(*) AS steps FROM converge_plan(converge_export('{st}'));
-- the same values written otherwise mean the same to the server: nothing
-- to do (0x32 is 50)
SELECT count(*) AS steps FROM converge_plan($$
version: 1
schemas:
  st:
    tables:
      posts:
        with: {fillfactor: 0x32, autovacuum_vacuum_scale_factor: 5e-3}
        columns:
          id: {type: integer, nullable: false}
          body: {type: text}
        primary_key: [id]
      tags:
        columns:
          id: {type: integer, nullable: false}
          name: {type: text}
        primary_key: [id]
$$);
-- the server reads '050' as octal, 40: a change
SELECT sql FROM converge_plan($$
version: 1
schemas:
  st:
    tables:
      posts:
        with: {fillfactor: '050', autovacuum_vacuum_scale_factor: 0.005}
        columns:
          id: {type: integer, nullable: false}
          body: {type: text}
        primary_key: [id]
      tags:
        columns:
          id: {type: integer, nullable: false}
          name: {type: text}
        primary_key: [id]
$$);
-- one changed, one reset, one given to a table without any, one new table
SELECT step, action, sql, reason, hazards, rows_affected FROM converge_plan($$
version: 1
schemas:
  st:
    tables:
      posts:
        with: {fillfactor: 70}
        columns:
          id: {type: integer, nullable: false}
          body: {type: text}
        primary_key: [id]
      tags:
        with: {autovacuum_enabled: false, toast_tuple_target: 256}
        columns:
          id: {type: integer, nullable: false}
          name: {type: text}
        primary_key: [id]
      events:
        with: {fillfactor: 90}
        columns:
          id: {type: integer}
$$);
SELECT count(*) AS steps FROM converge_schema($$
version: 1
schemas:
  st:
    tables:
      posts:
        with: {fillfactor: 70}
        columns:
          id: {type: integer, nullable: false}
          body: {type: text}
        primary_key: [id]
      tags:
        with: {autovacuum_enabled: false, toast_tuple_target: 256}
        columns:
          id: {type: integer, nullable: false}
          name: {type: text}
        primary_key: [id]
      events:
        with: {fillfactor: 90}
        columns:
          id: {type: integer}
$$);
SELECT relname, reloptions FROM pg_class
 WHERE relnamespace = 'st'::regnamespace AND relkind = 'r' ORDER BY relname;
SELECT (SELECT count(*) FROM st.posts) AS posts, (SELECT count(*) FROM st.tags) AS tags;
-- a parameter the server does not know, and a value it refuses
SELECT count(*) FROM converge_plan($$
version: 1
schemas:
  st:
    tables:
      posts:
        with: {fillfactor: 70, fill_factor: 60}
        columns:
          id: {type: integer, nullable: false}
          body: {type: text}
        primary_key: [id]
      tags:
        columns:
          id: {type: integer, nullable: false}
          name: {type: text}
        primary_key: [id]
$$);
SELECT count(*) FROM converge_plan($$
version: 1
schemas:
  st:
    tables:
      posts:
        with: {fillfactor: 5}
        columns:
          id: {type: integer, nullable: false}
          body: {type: text}
        primary_key: [id]
      tags:
        columns:
          id: {type: integer, nullable: false}
          name: {type: text}
        primary_key: [id]
$$);
DROP SCHEMA st CASCADE;
