-- Indexes compared by meaning: both sides parsed and transformed by the
-- server against the real relation, on tables that hold rows.
\pset null '(null)'
CREATE SCHEMA ix;
CREATE TABLE ix.users (
    id integer PRIMARY KEY,
    email text,
    kind text,
    created_at timestamptz,
    tags text[],
    score integer
);
INSERT INTO ix.users
SELECT i, 'U' || i || '@x', CASE WHEN i % 2 = 0 THEN 'a' ELSE 'b' END,
       '2024-01-01'::timestamptz + i * interval '1 day', ARRAY['t' || i], i
  FROM generate_series(1, 6) i;
CREATE INDEX users_email_lower ON ix.users (lower(email));
CREATE INDEX users_kind_created ON ix.users (kind, created_at DESC) WHERE kind <> 'z';
CREATE INDEX users_tags ON ix.users USING gin (tags);
CREATE INDEX users_score_inc ON ix.users (score) INCLUDE (email);

CREATE FUNCTION ix_doc(indexes text) RETURNS text LANGUAGE sql AS $f$
SELECT format($d$
version: 1
schemas:
  ix:
    tables:
      users:
        primary_key: [id]
        columns:
          id: {type: integer}
          email: {type: text}
          kind: {type: text}
          created_at: {type: timestamptz}
          tags: {type: "text[]"}
          score: {type: integer}
        indexes:
%s
$d$, indexes)
$f$;

-- the same indexes, written differently: no step
SELECT count(*) AS steps FROM converge_plan(ix_doc($$
          users_email_lower: {columns: ["LOWER( email ) text_ops"]}
          users_kind_created: {columns: [kind COLLATE "default", created_at DESC NULLS FIRST], where: "(kind <> 'z'::text)", method: btree}
          users_tags: {columns: [tags], method: gin}
          users_score_inc: {columns: [score ASC NULLS LAST], include: [email]}
$$));

-- each of these differs by one thing: drop and create
SELECT action, object, sql FROM converge_plan(ix_doc($$
          users_email_lower: {columns: ["upper(email)"]}
          users_kind_created: {columns: [kind, created_at], where: "kind <> 'z'"}
          users_tags: {columns: [tags], method: gin}
          users_score_inc: {columns: [score], include: [kind]}
$$)) ORDER BY step;

-- a unique index over rows that collide is refused before any DDL
\set VERBOSITY default
SELECT * FROM converge_schema(ix_doc($$
          users_email_lower: {columns: ["lower(email)"]}
          users_kind_created: {columns: [kind, created_at DESC], where: "kind <> 'z'"}
          users_tags: {columns: [tags], method: gin}
          users_score_inc: {columns: [score], include: [email]}
          users_kind_key: {columns: [kind], unique: true}
$$));

-- a unique index on an expression, or a partial one, is checked over its
-- keys and predicate as the server prints them
SELECT step, action, problem FROM converge_plan(ix_doc($$
          users_email_lower: {columns: ["lower(email)"]}
          users_kind_created: {columns: [kind, created_at DESC], where: "kind <> 'z'"}
          users_tags: {columns: [tags], method: gin}
          users_score_inc: {columns: [score], include: [email]}
          users_email_ci: {columns: ["lower(email)", "(score % 2)"], unique: true}
          users_one_b: {columns: [kind], unique: true, where: "kind = 'b'"}
          users_score_even: {columns: ["(score % 2)"], unique: true, where: "score > 4"}
$$)) WHERE action = 'add_index';

-- an index key is exactly one key
SELECT * FROM converge_plan(ix_doc($$
          users_email_lower: {columns: ["lower(email)) WHERE (true"]}
$$));

-- renaming a column an index reads is no change of the index; retyping it
-- rebuilds the index around the type change
SELECT step, action, sql FROM converge_schema(replace(replace(ix_doc($$
          users_email_lower: {columns: ["lower(mail)"]}
          users_kind_created: {columns: [kind, created_at DESC], where: "kind <> 'z'"}
          users_tags: {columns: [tags], method: gin}
          users_score_inc: {columns: [score], include: [mail]}
$$), 'email: {type: text}', 'mail: {type: text, renamed_from: email}'),
   'score: {type: integer}', 'score: {type: bigint}'));
SELECT indexrelid::regclass, pg_get_indexdef(indexrelid) FROM pg_index
 WHERE indrelid = 'ix.users'::regclass ORDER BY indexrelid::regclass::text;

-- converged, and the export reads back the same
SELECT converge_export('{ix}');
SELECT converge_is_converged(converge_export('{ix}'));
SELECT count(*) AS users FROM ix.users;

-- operator classes outside the search path, their options, and a
-- collation on an expression key survive the round trip
CREATE SCHEMA ix_ext;
CREATE EXTENSION pg_trgm SCHEMA ix_ext;
CREATE TABLE ix.notes (id int PRIMARY KEY, body text);
INSERT INTO ix.notes VALUES (1, 'alpha'), (2, 'beta');
CREATE INDEX notes_trgm ON ix.notes USING gist (body ix_ext.gist_trgm_ops (siglen = 32));
CREATE INDEX notes_lower_c ON ix.notes ((lower(body)) COLLATE "C");
SELECT converge_export('{ix}') LIKE '%ix_ext.gist_trgm_ops (siglen=32)%' AS opclass_kept,
       converge_export('{ix}') LIKE '%lower(body) COLLATE "C"%' AS collation_kept;
SELECT count(*) AS steps FROM converge_plan(converge_export('{ix}'));

-- an extension's members belong to its scripts: a managed schema holding
-- them neither exports nor drops them
CREATE TABLE ix_ext.member (id int PRIMARY KEY, note text);
INSERT INTO ix_ext.member VALUES (1, 'kept');
CREATE TYPE ix_ext.member_mood AS ENUM ('a', 'b');
CREATE DOMAIN ix_ext.member_qty AS int CHECK (VALUE > 0);
ALTER EXTENSION pg_trgm ADD TABLE ix_ext.member;
ALTER EXTENSION pg_trgm ADD TYPE ix_ext.member_mood;
ALTER EXTENSION pg_trgm ADD DOMAIN ix_ext.member_qty;
CREATE TABLE ix_ext.own (id int PRIMARY KEY);
INSERT INTO ix_ext.own VALUES (1);
SELECT converge_export('{ix_ext}');
SELECT step, action, object FROM converge_plan($$
version: 1
schemas:
  ix_ext:
    tables: {}
$$);
SELECT note FROM ix_ext.member;

DROP SCHEMA ix CASCADE;
DROP TABLE ix_ext.own;
DROP EXTENSION pg_trgm;
DROP SCHEMA ix_ext;
DROP FUNCTION ix_doc(text);
