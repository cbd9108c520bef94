-- Guards: renames that would be ambiguous, names the server would truncate,
-- row level security that would hide rows from the data-loss check.
\pset null '(null)'
CREATE SCHEMA gd;
CREATE TABLE gd.a (id int, note text);
INSERT INTO gd.a VALUES (1, 'kept');

-- "b renamed_from a" while "a" is still declared: no rename, b is created,
-- whatever the order of the tables in the document
SELECT step, action, sql FROM converge_plan($$
version: 1
schemas:
  gd:
    tables:
      b:
        renamed_from: a
        columns:
          id: {type: integer}
      a:
        columns:
          id: {type: integer}
          note: {type: text}
$$);

-- a name longer than the server keeps is refused, not truncated
SELECT * FROM converge_plan($$
version: 1
schemas:
  gd:
    tables:
      a:
        columns:
          id: {type: integer}
          note: {type: text}
          a_column_name_that_is_much_longer_than_sixty_three_bytes_allowed: {type: text}
$$);

-- forced row level security hides no row from the data-loss check
CREATE ROLE converge_owner;
GRANT USAGE, CREATE ON SCHEMA gd TO converge_owner;
ALTER TABLE gd.a OWNER TO converge_owner;
ALTER TABLE gd.a ENABLE ROW LEVEL SECURITY;
ALTER TABLE gd.a FORCE ROW LEVEL SECURITY;
CREATE POLICY nothing ON gd.a USING (false);
SET ROLE converge_owner;
SELECT count(*) AS rows_visible FROM gd.a;
SELECT step, action, rows_affected, problem FROM converge_plan($$
version: 1
schemas:
  gd:
    tables:
      a:
        columns:
          id: {type: integer}
        row_level_security: {enabled: true, forced: true}
        policies:
          nothing: {using: "false"}
$$);
RESET ROLE;
SELECT count(*) AS rows_still_there FROM gd.a;

DROP SCHEMA gd CASCADE;
DROP ROLE converge_owner;
