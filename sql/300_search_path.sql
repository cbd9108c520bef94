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
