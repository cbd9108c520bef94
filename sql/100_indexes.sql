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

DROP SCHEMA ix CASCADE;
DROP FUNCTION ix_doc(text);
