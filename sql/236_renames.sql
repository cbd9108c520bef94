-- A rename is a rename: renaming a column that is unique, referenced and
-- checked, renaming a foreign key's column, and renaming an index in the
-- document plan only renames; nothing is rebuilt or validated again.
CREATE SCHEMA rn;
CREATE TABLE rn.users (id int PRIMARY KEY, email text UNIQUE CHECK (email <> ''));
CREATE TABLE rn.posts (id int PRIMARY KEY,
  author_email text REFERENCES rn.users (email), title text);
CREATE INDEX posts_title_idx ON rn.posts (lower(title));
INSERT INTO rn.users SELECT i, 'e' || i FROM generate_series(1, 6) i;
INSERT INTO rn.posts SELECT i, 'e' || i, 't' || i FROM generate_series(1, 6) i;
CREATE TEMP TABLE before AS
  SELECT c.conname, c.conindid, c.oid FROM pg_constraint c
   WHERE c.connamespace = 'rn'::regnamespace AND c.contype <> 'n'
  UNION ALL
  SELECT relname, oid, oid FROM pg_class
   WHERE relnamespace = 'rn'::regnamespace AND relkind = 'i';
CREATE TEMP TABLE doc AS SELECT $$
version: 1
schemas:
  rn:
    tables:
      users:
        columns:
          id: {type: integer, nullable: false}
          mail: {type: text, renamed_from: email, unique: true, check: "mail <> ''"}
        primary_key: [id]
      posts:
        columns:
          id: {type: integer, nullable: false}
          writer: {type: text, renamed_from: author_email, references: {table: users, column: mail}}
          title: {type: text}
        primary_key: [id]
        indexes:
          posts_lower_title: {columns: [lower(title)]}
$$ AS d;
SELECT step, action, sql, reason, hazards FROM converge_plan((SELECT d FROM doc));
SELECT count(*) AS steps FROM converge_schema((SELECT d FROM doc));
SELECT count(*) AS steps FROM converge_plan((SELECT d FROM doc));
-- the same constraints and indexes (same oids), under the document's names
SELECT c.conname, pg_get_constraintdef(c.oid),
       c.oid IN (SELECT oid FROM before) AS same_object
  FROM pg_constraint c
 WHERE c.connamespace = 'rn'::regnamespace AND c.contype <> 'n'
 ORDER BY c.conname;
SELECT relname, oid IN (SELECT oid FROM before) AS same_object
  FROM pg_class WHERE relnamespace = 'rn'::regnamespace AND relkind = 'i'
 ORDER BY relname;
SELECT count(*) AS posts, count(writer) AS with_writer FROM rn.posts;
DROP SCHEMA rn CASCADE;
