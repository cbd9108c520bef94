-- The extension's own SQL cannot be redirected through search_path: a
-- caller who puts a schema of look-alike operators, functions and
-- aggregates before pg_catalog gets the same results, and none of them
-- runs.  Each look-alike raises "hijacked" if it is ever called.
CREATE SCHEMA evil;
DO $$
DECLARE
	t text;
	op text;
	n int := 0;
BEGIN
	FOREACH t IN ARRAY ARRAY['"char"', 'oid', 'name', 'text', 'smallint',
		'integer', 'bigint', 'boolean', 'regclass', 'regproc', 'regtype',
		'regnamespace', 'oid[]', 'name[]', 'text[]', 'smallint[]',
		'int2vector', 'oidvector', 'character varying', 'timestamptz']
	LOOP
		n := n + 1;
		EXECUTE format('CREATE FUNCTION evil.trap%s(%s, %s) RETURNS boolean
			LANGUAGE plpgsql AS $f$BEGIN RAISE EXCEPTION %L; END$f$',
			n, t, t, 'hijacked by an operator on ' || t);
		FOREACH op IN ARRAY ARRAY['=', '<>', '<', '>', '<=', '>=']
		LOOP
			EXECUTE format('CREATE OPERATOR evil.%s (FUNCTION = evil.trap%s,
				LEFTARG = %s, RIGHTARG = %s)', op, n, t, t);
		END LOOP;
	END LOOP;
END
$$;
CREATE FUNCTION evil.cat(text, text) RETURNS text LANGUAGE plpgsql
  AS $$BEGIN RAISE EXCEPTION 'hijacked by ||'; END$$;
CREATE OPERATOR evil.|| (FUNCTION = evil.cat, LEFTARG = text, RIGHTARG = text);
CREATE FUNCTION evil.cmp(smallint, integer) RETURNS boolean LANGUAGE plpgsql
  AS $$BEGIN RAISE EXCEPTION 'hijacked by smallint > integer'; END$$;
CREATE OPERATOR evil.> (FUNCTION = evil.cmp, LEFTARG = smallint,
  RIGHTARG = integer);
CREATE FUNCTION evil.state(text[], text) RETURNS text[] LANGUAGE plpgsql
  AS $$BEGIN RAISE EXCEPTION 'hijacked by array_agg'; END$$;
CREATE AGGREGATE evil.array_agg(text) (SFUNC = evil.state, STYPE = text[]);
CREATE FUNCTION evil.format_type(oid, integer) RETURNS text LANGUAGE plpgsql
  AS $$BEGIN RAISE EXCEPTION 'hijacked by format_type'; END$$;
CREATE FUNCTION evil.quote_ident(text) RETURNS text LANGUAGE plpgsql
  AS $$BEGIN RAISE EXCEPTION 'hijacked by quote_ident'; END$$;
CREATE FUNCTION evil.count() RETURNS bigint LANGUAGE plpgsql
  AS $$BEGIN RAISE EXCEPTION 'hijacked by count'; END$$;
-- a schema of most kinds, with rows
CREATE SCHEMA sp;
CREATE TYPE sp.mood AS ENUM ('ok', 'sad');
CREATE DOMAIN sp.posint AS integer CHECK (VALUE > 0);
CREATE TYPE sp.pair AS (a integer, b text);
CREATE TABLE sp.people (id serial PRIMARY KEY, email text UNIQUE,
  mood sp.mood DEFAULT 'ok', age sp.posint, CHECK (email <> ''));
CREATE TABLE sp.posts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  author integer REFERENCES sp.people, title text NOT NULL)
  WITH (fillfactor = 80);
CREATE INDEX posts_lower_title ON sp.posts (lower(title)) WHERE id > 0;
INSERT INTO sp.people (email, age) SELECT 'p' || i, i FROM generate_series(1, 5) i;
INSERT INTO sp.posts (author, title) SELECT i, 'T' || i FROM generate_series(1, 5) i;
CREATE VIEW sp.titles AS SELECT p.title, pe.email FROM sp.posts p JOIN sp.people pe ON pe.id = p.author;
CREATE FUNCTION sp.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER people_touch BEFORE UPDATE ON sp.people FOR EACH ROW EXECUTE FUNCTION sp.touch();
ALTER TABLE sp.posts ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON sp.posts USING (author > 0);
COMMENT ON TABLE sp.people IS 'people';
CREATE TEMP TABLE doc AS SELECT converge_export('{sp}') AS d;
SET search_path = evil, pg_catalog, public;
-- (the test's own queries name pg_catalog's operators and aggregates)
SELECT converge_export('{sp}') OPERATOR(pg_catalog.=) (SELECT d FROM doc)
  AS same_export;
SELECT pg_catalog.count(*) AS steps FROM converge_plan((SELECT d FROM doc));
SELECT step, action, problem FROM converge_plan(replace((SELECT d FROM doc),
  'title: {type: text, nullable: false}',
  $$title: {type: text, nullable: false, check: "length(title) > 1"}
          body: {type: text, default: "'none'"}$$));
SELECT pg_catalog.count(*) AS steps FROM converge_schema(replace((SELECT d FROM doc),
  'title: {type: text, nullable: false}',
  $$title: {type: text, nullable: false, check: "length(title) > 1"}
          body: {type: text, default: "'none'"}$$));
SELECT kind, object FROM converge_drift();
SELECT converged, external_ddl_since FROM converge_status();
RESET search_path;
SELECT count(*) AS posts, count(body) AS with_body FROM sp.posts;
DROP SCHEMA sp CASCADE;
DROP SCHEMA evil CASCADE;

-- The document's expressions, types and queries resolve on pg_catalog,
-- then the schemas of its "search_path" key (public without one), then
-- pg_temp; never on the caller's path.  An exact-match overload in a
-- schema the caller puts first is not picked: the document means the same
-- whoever applies it.
CREATE SCHEMA app;
CREATE SCHEMA callers;
CREATE FUNCTION app.norm(numeric) RETURNS numeric LANGUAGE sql IMMUTABLE
  AS 'SELECT abs($1)';
CREATE FUNCTION callers.norm(integer) RETURNS numeric LANGUAGE plpgsql
  IMMUTABLE AS $$BEGIN RAISE EXCEPTION 'hijacked by callers.norm'; END$$;
CREATE TYPE callers.level AS ENUM ('x');
CREATE TABLE app.items (id integer PRIMARY KEY, qty integer NOT NULL);
INSERT INTO app.items SELECT i, i - 3 FROM generate_series(1, 6) i;
CREATE TEMP TABLE path_doc AS SELECT $$
version: 1
search_path: [app]
schemas:
  app:
    enums:
      level: {values: [low, high]}
    tables:
      items:
        primary_key: [id]
        columns:
          id: {type: integer, nullable: false}
          qty: {type: integer, nullable: false, check: "norm(qty) < 10"}
          size: {type: numeric, default: "norm(-2)"}
          grade: {type: level, default: "'low'"}
        indexes:
          items_norm: {columns: ["norm(qty)"]}
    views:
      normed:
        query: SELECT id, norm(qty) AS qty FROM items
$$::text AS d;
SET search_path = callers, app, public;
SELECT step, action, sql, rows_affected FROM converge_plan((SELECT d FROM path_doc));
SELECT count(*) AS steps FROM converge_schema((SELECT d FROM path_doc));
SELECT count(*) AS steps FROM converge_plan((SELECT d FROM path_doc));
RESET search_path;
-- what the server stored calls app.norm and uses app.level
SELECT pg_get_constraintdef(oid) FROM pg_constraint
 WHERE conrelid = 'app.items'::regclass AND contype = 'c';
SELECT attname, format_type(atttypid, atttypmod),
       pg_get_expr(adbin, adrelid) AS default
  FROM pg_attribute LEFT JOIN pg_attrdef ON adrelid = attrelid AND adnum = attnum
 WHERE attrelid = 'app.items'::regclass AND attnum > 2 ORDER BY attnum;
SELECT pg_get_indexdef('app.items_norm'::regclass);
SELECT * FROM app.normed ORDER BY id;
SELECT id, size, grade FROM app.items ORDER BY id LIMIT 2;
-- the same document planned under another caller's path: nothing to do
SET search_path = callers;
SELECT count(*) AS steps FROM public.converge_plan((SELECT d FROM path_doc));
RESET search_path;
-- without the key, "norm" is looked for in pg_catalog and public only
SELECT count(*) FROM converge_plan(replace((SELECT d FROM path_doc),
  'search_path: [app]', ''));
-- a schema the path names must exist or be declared
SELECT count(*) FROM converge_plan(replace((SELECT d FROM path_doc),
  'search_path: [app]', 'search_path: [app, no_such_schema]'));
DROP SCHEMA app CASCADE;
DROP SCHEMA callers CASCADE;
