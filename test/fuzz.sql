-- pgTAP: converge_plan on 2,000 mutated documents (seeded, so every run
-- meets the same ones): bytes dropped, repeated, replaced by YAML's
-- punctuation, words and values typed where others stood.  The backend
-- never dies, every error a document causes carries its line and column,
-- a plan called clean runs (test/prove turns pg_converge.prove_plans on:
-- each clean plan is run and rolled back inside converge_plan), planning
-- changes neither the catalog nor the rows, and every other document
-- planned clean is converged for real (then rolled back): the plan of the
-- same document after it is empty.  The schema holds rows in every table.
--
-- A longer or another run: PGOPTIONS="-c fuzz.count=100000 -c fuzz.seed=0.5"
-- (the seed is printed; the defaults are what CI runs).
BEGIN;
CREATE EXTENSION pg_converge;
SELECT plan(6);

CREATE SCHEMA fz;
CREATE TYPE fz.mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN fz.positive AS numeric CHECK (VALUE > 0);
CREATE SEQUENCE fz.ticket;
CREATE TABLE fz.parent (id integer PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE fz.t (
  id integer PRIMARY KEY,
  parent_id integer REFERENCES fz.parent ON DELETE CASCADE,
  mood fz.mood DEFAULT 'ok',
  amount numeric(10,2) CHECK (amount >= 0),
  price fz.positive,
  ticket bigint DEFAULT nextval('fz.ticket'),
  note text,
  doubled integer GENERATED ALWAYS AS (id * 2) STORED,
  created timestamptz DEFAULT now());
CREATE INDEX t_note ON fz.t (lower(note)) WHERE note IS NOT NULL;
CREATE FUNCTION fz.plus(x integer) RETURNS integer LANGUAGE sql IMMUTABLE
  AS $$ SELECT x + 1 $$;
CREATE VIEW fz.v AS SELECT id, fz.plus(id) AS next, amount FROM fz.t;
ALTER TABLE fz.t ENABLE ROW LEVEL SECURITY;
CREATE POLICY mine ON fz.t USING (amount < 100);
INSERT INTO fz.parent VALUES (1, 'a'), (2, 'b');
INSERT INTO fz.t (id, parent_id, amount, price, note)
  VALUES (1, 1, 5, 1, 'x'), (2, 2, 7, 2, NULL), (3, 1, 0, 3, 'Y');

CREATE TEMP TABLE fz_result (i integer, clean boolean, sqlstate text,
                             message text, converged boolean,
                             steps_after bigint);

CREATE FUNCTION pg_temp.fz_setting(name text, fallback text) RETURNS text
LANGUAGE sql AS $$SELECT coalesce(nullif(current_setting(name, true), ''),
                                  fallback)$$;

-- the managed catalog (as exported) and every table's rows, as one value
CREATE FUNCTION pg_temp.fz_state() RETURNS text LANGUAGE sql AS $$
  SELECT md5(converge_export('{fz}')
             || (SELECT string_agg(p::text, ',' ORDER BY p.id) FROM fz.parent p)
             || (SELECT string_agg(t::text, ',' ORDER BY t.id) FROM fz.t t))
$$;

CREATE FUNCTION pg_temp.mutate(doc text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  punct text[] := ARRAY[':', '{', '}', '[', ']', '"', '''', '-', E'\n', ' ',
                        '#', '&', '*', '!', '|', '>', '%', '@', E'\t', '0'];
  words text[] := ARRAY['null', '~', 'true', '-1', '99999999999999999999',
                        '''', '"x"', '[]', '{}', 'integer', 'text[]',
                        'fz.plus(1)', 'now()', '(SELECT 1)', 'renamed_from',
                        'remap', 'allow_data_loss', 'sad'];
  pos integer;
BEGIN
  FOR k IN 1..(1 + floor(random() * 3))::integer LOOP
    pos := 1 + floor(random() * length(doc))::integer;
    CASE floor(random() * 5)::integer
      WHEN 0 THEN
        doc := overlay(doc placing '' from pos for 1 + floor(random() * 8)::integer);
      WHEN 1 THEN
        doc := overlay(doc placing substr(doc, 1 + floor(random() * length(doc))::integer,
                                          1 + floor(random() * 12)::integer)
                       from pos for 0);
      WHEN 2 THEN
        doc := overlay(doc placing punct[1 + floor(random() * 20)::integer]
                       from pos for floor(random() * 2)::integer);
      WHEN 3 THEN
        doc := overlay(doc placing upper(substr(doc, pos, 4)) from pos for 4);
      ELSE
        doc := overlay(doc placing words[1 + floor(random() * 18)::integer]
                       from pos for floor(random() * 6)::integer);
    END CASE;
  END LOOP;
  RETURN doc;
END $$;

CREATE TEMP TABLE fz_before AS SELECT pg_temp.fz_state() AS state;
SELECT diag('fuzz.seed ' || pg_temp.fz_setting('fuzz.seed', '0.42') ||
            ', fuzz.count ' || pg_temp.fz_setting('fuzz.count', '2000'));

-- converge, plan again, and undo: the steps the plan after it still has
CREATE FUNCTION pg_temp.fz_converge(doc text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  remaining bigint;
BEGIN
  PERFORM count(*) FROM converge_schema(doc);
  SELECT count(*) INTO remaining FROM converge_plan(doc);
  RAISE EXCEPTION USING ERRCODE = 'P0099', MESSAGE = remaining::text;
EXCEPTION WHEN SQLSTATE 'P0099' THEN
  RETURN SQLERRM::bigint;
END $$;

SELECT lives_ok($t$
DO $do$
DECLARE
  base text := converge_export('{fz}');
  doc text;
  st text;
  msg text;
  clean_seen integer := 0;
  blocked bigint;
  after bigint;
BEGIN
  PERFORM setseed(pg_temp.fz_setting('fuzz.seed', '0.42')::float8);
  FOR i IN 1..pg_temp.fz_setting('fuzz.count', '2000')::integer LOOP
    doc := pg_temp.mutate(base);
    BEGIN
      SELECT count(*) FILTER (WHERE problem IS NOT NULL OR
                               reason LIKE '%rows not checked%')
        INTO blocked FROM converge_plan(doc);
      clean_seen := clean_seen + 1;
      after := NULL;
      -- (converge_schema refuses a plan with a problem, and a step whose
      -- rows are left to its statement may fail on them)
      IF clean_seen % 2 = 0 AND blocked = 0 THEN
        after := pg_temp.fz_converge(doc);
      END IF;
      INSERT INTO fz_result VALUES (i, true, NULL, NULL, after IS NOT NULL,
                                    after);
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
      INSERT INTO fz_result VALUES (i, false, st, msg, false, NULL);
    END;
  END LOOP;
END
$do$$t$, 'converge_plan meets every mutated document and the backend lives');

SELECT is((SELECT count(*) FROM fz_result),
          pg_temp.fz_setting('fuzz.count', '2000')::bigint,
          'every mutated document was planned or refused');
SELECT ok((SELECT count(*) FILTER (WHERE clean) > 100 AND
                  count(*) FILTER (WHERE NOT clean) > 100 FROM fz_result),
          'the mutations reach both clean plans and refusals');
SELECT is_empty($$
  SELECT sqlstate, message FROM fz_result
   WHERE NOT clean AND message !~ 'line [0-9]+, column [0-9]+'$$,
  'every refusal names the line and column of the document');
SELECT is((SELECT state FROM fz_before), pg_temp.fz_state(),
          'planning changed neither the catalog nor the rows');
SELECT ok((SELECT count(*) FILTER (WHERE converged) > 0 AND
                  count(*) FILTER (WHERE steps_after <> 0) = 0
             FROM fz_result),
          'every document converged for real leaves nothing to plan');
SELECT diag(format('documents %s, planned clean %s, refused %s, converged %s',
                   count(*), count(*) FILTER (WHERE clean),
                   count(*) FILTER (WHERE NOT clean),
                   count(*) FILTER (WHERE converged)))
  FROM fz_result;

SELECT * FROM finish();
ROLLBACK;
