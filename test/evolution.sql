-- pgTAP: random evolution (issue 13).  A seeded generator writes random
-- document pairs A -> B over the covered kinds (tables with columns of
-- several types, NOT NULL, defaults, CHECKs, primary, unique and foreign
-- keys, plain, expression and unique indexes, an enum, a domain, a
-- sequence, views, an immutable SQL function, comments, row level
-- security with a policy); B is A with one to three random mutations
-- (pg_temp.mutate).  For each pair, in a subtransaction that is always
-- rolled back: converge to A (must succeed: a failure is the generator's
-- bug), insert random rows (most fit A, some will not fit B), then
-- converge_schema(B, allow_data_loss), allow_data_loss random.  Either
--   * it refuses, and the catalog (the export) and every table's rows are
--     as they were; the refusal comes before any DDL (a document error or
--     a step's problem), or from a step whose rows the plan said it could
--     not check: a plan called clean that fails when it runs is a failure
--     (with pg_converge.prove_plans on, converge_plan raises it); or
--   * it converges, and converge_plan(B) and
--     converge_plan(converge_export()) are empty, every table that A and B
--     both have keeps its row count, and every column both have keeps its
--     values (numbers compared as numbers, everything else as text),
--     except where B says otherwise: an enum's remap and renamed_values, a
--     column's remap, a default that fills the NULLs of a column made NOT
--     NULL, and a column's `using` (not compared); columns and tables
--     dropped while they held values only with allow_data_loss.
-- Each document A serves three pairs (converging A costs as much as a
-- pair).  The seed is printed; another one, fewer or more pairs, or one
-- pair alone with
--   PGOPTIONS='-c evolution.seed=N -c evolution.pairs=N -c evolution.only=I'
-- (each A and each B reseeds from the seed and its number, so a pair
-- replays alone, and pg_temp.pair_docs(seed, i) returns its documents).
BEGIN;
CREATE EXTENSION pg_converge;
SELECT plan(5);

-- ================================================================
-- randomness
-- ================================================================
CREATE FUNCTION pg_temp.r(n int) RETURNS int LANGUAGE sql
    AS $$SELECT floor(random() * n)::int$$;
CREATE FUNCTION pg_temp.chance(p float8) RETURNS bool LANGUAGE sql
    AS $$SELECT random() < p$$;
CREATE FUNCTION pg_temp.pick(a text[]) RETURNS text LANGUAGE sql
    AS $$SELECT a[1 + floor(random() * cardinality(a))::int]$$;
-- every pair starts from its own seed, a function of the run's seed and
-- its number
CREATE FUNCTION pg_temp.pair_seed(seed bigint, i int) RETURNS float8
    LANGUAGE sql IMMUTABLE
    AS $$SELECT ((seed * 1000003 + i::bigint * 7919) % 2147483647)::float8 / 2147483647$$;
-- fresh names: t1, c2, i3, ... never reused within a pair, so a name is a
-- token that regular expressions can find and replace (\m...\M)
CREATE FUNCTION pg_temp.fresh(prefix text) RETURNS text LANGUAGE sql AS $$
  SELECT prefix || set_config('evolution.n',
      (coalesce(nullif(current_setting('evolution.n', true), ''), '0')::int + 1)::text,
      false)$$;

-- ================================================================
-- the model: a document as jsonb, with each table's columns as an array
-- (cols, in order, each with its name) and every other key as the
-- document writes it
-- ================================================================
CREATE FUNCTION pg_temp.tabs(m jsonb) RETURNS text[] LANGUAGE sql AS $$
  SELECT coalesce(array_agg(k ORDER BY substr(k, 2)::int), '{}')
    FROM jsonb_object_keys(m->'tables') k$$;
CREATE FUNCTION pg_temp.cols(m jsonb, t text, with_id bool DEFAULT false)
RETURNS text[] LANGUAGE sql AS $$
  SELECT coalesce(array_agg(c->>'name' ORDER BY o), '{}')
    FROM jsonb_array_elements(m->'tables'->t->'cols') WITH ORDINALITY x(c, o)
   WHERE with_id OR c->>'name' <> 'id'$$;
CREATE FUNCTION pg_temp.getcol(m jsonb, t text, c text) RETURNS jsonb
LANGUAGE sql AS $$
  SELECT x FROM jsonb_array_elements(m->'tables'->t->'cols') x
   WHERE x->>'name' = c$$;
CREATE FUNCTION pg_temp.setcol(m jsonb, t text, c text, v jsonb) RETURNS jsonb
LANGUAGE sql AS $$
  SELECT jsonb_set(m, ARRAY['tables', t, 'cols', (o - 1)::text], v)
    FROM jsonb_array_elements(m->'tables'->t->'cols') WITH ORDINALITY x(e, o)
   WHERE e->>'name' = c$$;
CREATE FUNCTION pg_temp.mentions(j jsonb, name text) RETURNS bool
LANGUAGE sql AS $$SELECT j::text ~ ('\m' || name || '\M')$$;
-- a mapping without the entries that mention name
CREATE FUNCTION pg_temp.without(j jsonb, name text) RETURNS jsonb
LANGUAGE sql AS $$
  SELECT coalesce(jsonb_object_agg(k, v), '{}') FROM jsonb_each(j) x(k, v)
   WHERE NOT pg_temp.mentions(v, name)$$;
CREATE FUNCTION pg_temp.rename_token(j jsonb, old text, new text) RETURNS jsonb
LANGUAGE sql AS $$
  SELECT regexp_replace(j::text, '\m' || old || '\M', new, 'g')::jsonb$$;

CREATE FUNCTION pg_temp.fam(type text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN type IN ('integer', 'bigint', 'posint')
                OR type LIKE 'numeric%' THEN 'num'
              WHEN type = 'text' OR type LIKE 'varchar%' THEN 'text'
              WHEN type = 'boolean' THEN 'bool'
              WHEN type = 'date' THEN 'date'
              WHEN type = 'mood' THEN 'enum'
              ELSE 'other' END$$;

CREATE FUNCTION pg_temp.types(m jsonb) RETURNS text[] LANGUAGE sql AS $$
  SELECT ARRAY['integer', 'integer', 'bigint', 'text', 'text', 'varchar(8)',
               'numeric(8,2)', 'boolean', 'date']
         || CASE WHEN m->'enums' ? 'mood' THEN ARRAY['mood', 'mood'] ELSE '{}' END
         || CASE WHEN m->'domains' ? 'posint' THEN ARRAY['posint'] ELSE '{}' END$$;

-- a value of the type as SQL, NULL sometimes; drawn from few values so
-- that keys collide and new CHECKs meet rows they reject
CREATE FUNCTION pg_temp.val(m jsonb, type text, nulls float8 DEFAULT 0.15)
RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  IF pg_temp.chance(nulls) THEN RETURN 'NULL'; END IF;
  RETURN CASE
    WHEN type = 'integer' THEN pg_temp.pick('{0,1,2,3,5,-1,42,100,7,8}')
    WHEN type = 'bigint' THEN pg_temp.pick('{0,1,2,3,5,-1,42,3000000000}')
    WHEN type = 'posint' THEN pg_temp.pick('{1,2,3,5,0}')
    WHEN type LIKE 'numeric%' THEN pg_temp.pick('{0,1.5,2.25,-3,10.125,99.99,7,1234.5}')
    WHEN pg_temp.fam(type) = 'text' THEN quote_literal(
      CASE WHEN pg_temp.chance(0.7) THEN pg_temp.pick('{a,b,c,x,y}')
           ELSE pg_temp.pick('{"",ab,Hello,"a longer text",ok}') END)
    WHEN type = 'boolean' THEN pg_temp.pick('{true,false}')
    WHEN type = 'date' THEN quote_literal(pg_temp.pick('{2020-01-01,1999-12-31,2024-02-29}'))
    WHEN type = 'mood' THEN quote_literal(pg_temp.pick(
      ARRAY(SELECT jsonb_array_elements_text(m->'enums'->'mood'->'values'))))
  END;
END $$;

-- a default of the type, as the document writes it
CREATE FUNCTION pg_temp.default_of(type text) RETURNS text LANGUAGE sql AS $$
  SELECT CASE WHEN type IN ('integer', 'bigint') THEN pg_temp.pick('{0,1,7}')
              WHEN type = 'posint' THEN '1'
              WHEN type LIKE 'numeric%' THEN pg_temp.pick('{0,1.5}')
              WHEN pg_temp.fam(type) = 'text' THEN pg_temp.pick('{''a'',''b'',''''}')
              WHEN type = 'boolean' THEN 'false'
              WHEN type = 'date' THEN '''2000-01-01'''
              WHEN type = 'mood' THEN '''ok''' END$$;

-- a CHECK on column c
CREATE FUNCTION pg_temp.check_of(c text, type text) RETURNS text LANGUAGE sql AS $$
  SELECT format(CASE pg_temp.fam(type)
      WHEN 'num' THEN pg_temp.pick('{"%1$s > 0","%1$s >= 0","%1$s <> 3","%1$s < 100"}')
      WHEN 'text' THEN pg_temp.pick(ARRAY['length(%1$s) < 6', '%1$s <> ''x''',
                                          '%1$s IN (''a'', ''b'', ''c'', ''x'', ''y'')'])
      WHEN 'bool' THEN '%1$s IS NOT FALSE'
      WHEN 'date' THEN '%1$s > ''2000-01-01'''
      ELSE '%1$s::text <> ''sad''' END, c)$$;

-- an index of table t on column c
CREATE FUNCTION pg_temp.index_of(m jsonb, c text, type text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  key text := c;
  f text;
  ix jsonb;
BEGIN
  IF pg_temp.chance(0.5) THEN
    IF pg_temp.fam(type) = 'text' THEN key := format('lower(%s)', c);
    ELSIF type IN ('integer', 'bigint', 'posint') THEN
      SELECT split_part(k, '(', 1) INTO f FROM jsonb_object_keys(m->'functions') k
       ORDER BY random() LIMIT 1;
      key := CASE WHEN f IS NOT NULL AND type = 'integer' AND pg_temp.chance(0.5)
                  THEN format('ev.%s(%s)', f, c) ELSE format('(%s + 1)', c) END;
    END IF;
  END IF;
  ix := jsonb_build_object('columns',
          CASE WHEN pg_temp.chance(0.2) THEN jsonb_build_array('id', key)
               ELSE jsonb_build_array(key) END);
  IF pg_temp.chance(0.25) THEN ix := ix || '{"unique": true}'; END IF;
  IF pg_temp.chance(0.2) THEN ix := ix || jsonb_build_object('where', c || ' IS NOT NULL'); END IF;
  RETURN ix;
END $$;

CREATE FUNCTION pg_temp.new_col(m jsonb, name text, type text DEFAULT NULL)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  col jsonb;
BEGIN
  type := coalesce(type, pg_temp.pick(pg_temp.types(m)));
  col := jsonb_build_object('name', name, 'type', type);
  IF pg_temp.chance(0.25) THEN
    col := col || '{"nullable": false}';
    IF pg_temp.chance(0.5) THEN
      col := col || jsonb_build_object('default', pg_temp.default_of(type));
    END IF;
  ELSIF pg_temp.chance(0.3) THEN
    col := col || jsonb_build_object('default', pg_temp.default_of(type));
  END IF;
  IF type IN ('integer', 'bigint') AND m->'sequences' ? 'tick' AND pg_temp.chance(0.25) THEN
    col := col || '{"default": "nextval(''ev.tick'')"}';
  END IF;
  IF pg_temp.chance(0.2) THEN
    col := col || jsonb_build_object('check', pg_temp.check_of(name, type));
  END IF;
  IF pg_temp.chance(0.2) THEN
    col := col || jsonb_build_object('comment', pg_temp.pick('{"a column","what it holds"}'));
  END IF;
  IF pg_temp.chance(0.08) THEN col := col || '{"unique": true}'; END IF;
  RETURN col;
END $$;

-- a table added to the model; with a foreign key to an earlier table that
-- has a primary key, sometimes
CREATE FUNCTION pg_temp.add_table(m jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  t text := pg_temp.fresh('t');
  cols jsonb := '[]';
  tab jsonb;
  c text;
  ty text;
  parent text;
  k int;
BEGIN
  SELECT p INTO parent FROM unnest(pg_temp.tabs(m)) p
   WHERE m->'tables'->p ? 'primary_key' ORDER BY random() LIMIT 1;
  tab := '{}';
  IF pg_temp.chance(0.7) THEN
    tab := tab || '{"primary_key": ["id"]}';
    cols := jsonb_build_array(CASE WHEN pg_temp.chance(0.8)
      THEN '{"name": "id", "type": "integer", "nullable": false}'::jsonb
      ELSE '{"name": "id", "type": "integer"}'::jsonb END);
  ELSE
    cols := jsonb_build_array(jsonb_build_object('name', 'id', 'type', 'integer'));
  END IF;
  FOR k IN 1..(1 + pg_temp.r(4)) LOOP
    cols := cols || pg_temp.new_col(m, pg_temp.fresh('c'));
  END LOOP;
  IF parent IS NOT NULL AND pg_temp.chance(0.6) THEN
    c := pg_temp.fresh('c');
    IF pg_temp.chance(0.5) THEN
      cols := cols || jsonb_build_object('name', c, 'type', 'integer',
          'references', jsonb_build_object('table', parent, 'column', 'id'));
    ELSE
      cols := cols || jsonb_build_object('name', c, 'type', 'integer');
      tab := tab || jsonb_build_object('foreign_keys', jsonb_build_object(
          pg_temp.fresh('fk'), jsonb_build_object('columns', jsonb_build_array(c),
            'references', jsonb_build_object('table', parent, 'columns', '["id"]'::jsonb),
            'on_delete', pg_temp.pick('{"no action",cascade,"set null"}'))));
    END IF;
  END IF;
  tab := tab || jsonb_build_object('cols', cols);
  m := jsonb_set(m, ARRAY['tables', t], tab);
  -- checks, uniques and indexes on random columns
  FOR k IN 1..pg_temp.r(3) LOOP
    c := pg_temp.pick(pg_temp.cols(m, t));
    ty := pg_temp.getcol(m, t, c)->>'type';
    CASE pg_temp.r(3)
      WHEN 0 THEN
        m := jsonb_set(m, ARRAY['tables', t, 'checks'],
               coalesce(m->'tables'->t->'checks', '{}')
               || jsonb_build_object(pg_temp.fresh('k'), pg_temp.check_of(c, ty)));
      WHEN 1 THEN
        m := jsonb_set(m, ARRAY['tables', t, 'unique'],
               coalesce(m->'tables'->t->'unique', '{}')
               || jsonb_build_object(pg_temp.fresh('u'), jsonb_build_array(c)));
      ELSE
        m := jsonb_set(m, ARRAY['tables', t, 'indexes'],
               coalesce(m->'tables'->t->'indexes', '{}')
               || jsonb_build_object(pg_temp.fresh('i'), pg_temp.index_of(m, c, ty)));
    END CASE;
  END LOOP;
  IF pg_temp.chance(0.3) THEN
    m := jsonb_set(m, ARRAY['tables', t, 'comment'], to_jsonb(pg_temp.pick('{"a table","rows of things"}')));
  END IF;
  IF pg_temp.chance(0.15) THEN
    m := jsonb_set(m, ARRAY['tables', t, 'row_level_security'], '{"enabled": true}');
    m := jsonb_set(m, ARRAY['tables', t, 'policies'], jsonb_build_object(
           pg_temp.fresh('p'), jsonb_build_object('using', 'id > 0')));
  END IF;
  RETURN m;
END $$;

-- a view query over table t
CREATE FUNCTION pg_temp.view_query(m jsonb, t text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  c text := coalesce(pg_temp.pick(pg_temp.cols(m, t)), 'id');
  f text;
BEGIN
  SELECT split_part(k, '(', 1) INTO f FROM jsonb_object_keys(m->'functions') k
   ORDER BY random() LIMIT 1;
  RETURN CASE pg_temp.r(4)
    WHEN 0 THEN format('SELECT id, %s FROM ev.%s WHERE %s IS NOT NULL', c, t, c)
    WHEN 1 THEN format('SELECT count(*) AS n FROM ev.%s', t)
    WHEN 2 THEN CASE WHEN f IS NULL THEN format('SELECT id FROM ev.%s WHERE id > 2', t)
                     ELSE format('SELECT id, ev.%s(id) AS y FROM ev.%s', f, t) END
    ELSE format('SELECT id, %s AS v FROM ev.%s ORDER BY id', c, t) END;
END $$;

CREATE FUNCTION pg_temp.add_function(m jsonb) RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_set(m, ARRAY['functions', pg_temp.fresh('f') || '(integer)'],
    jsonb_build_object('arguments', 'x integer', 'returns', 'integer',
                       'language', 'sql', 'volatility', 'immutable',
                       'body', format('SELECT x + %s', pg_temp.pick('{1,2,10}'))))$$;

-- document A
CREATE FUNCTION pg_temp.gen_a() RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  m jsonb := '{"enums": {}, "domains": {}, "sequences": {}, "tables": {},
               "views": {}, "functions": {}}';
  k int;
BEGIN
  IF pg_temp.chance(0.6) THEN
    m := jsonb_set(m, '{enums,mood}', CASE WHEN pg_temp.chance(0.3)
      THEN '{"values": ["sad", "ok", "happy", "meh"]}'::jsonb
      ELSE '{"values": ["sad", "ok", "happy"]}'::jsonb END);
  END IF;
  IF pg_temp.chance(0.4) THEN
    m := jsonb_set(m, '{domains,posint}',
                   '{"type": "integer", "checks": {"posint_check": "VALUE > 0"}}');
  END IF;
  IF pg_temp.chance(0.4) THEN
    m := jsonb_set(m, '{sequences,tick}', '{}');
  END IF;
  IF pg_temp.chance(0.4) THEN m := pg_temp.add_function(m); END IF;
  FOR k IN 1..(1 + pg_temp.r(3)) LOOP
    m := pg_temp.add_table(m);
  END LOOP;
  FOR k IN 1..pg_temp.r(3) LOOP
    m := jsonb_set(m, ARRAY['views', pg_temp.fresh('v')], jsonb_build_object(
           'query', pg_temp.view_query(m, pg_temp.pick(pg_temp.tabs(m)))));
  END LOOP;
  RETURN m;
END $$;

-- ================================================================
-- the document text: JSON, which is YAML's flow style; columns in order
-- ================================================================
CREATE FUNCTION pg_temp.render_table(t jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  cols text;
  rest jsonb := t - 'cols';
  k text;
BEGIN
  SELECT string_agg(to_json(c->>'name')::text || ': ' || (c - 'name')::text, ', ' ORDER BY o)
    INTO cols FROM jsonb_array_elements(t->'cols') WITH ORDINALITY x(c, o);
  FOREACH k IN ARRAY ARRAY['unique', 'checks', 'indexes', 'foreign_keys', 'policies'] LOOP
    IF rest->k = '{}' THEN rest := rest - k; END IF;
  END LOOP;
  RETURN '{"columns": {' || cols || '}'
      || CASE WHEN rest = '{}' THEN '' ELSE ', ' || substr(rest::text, 2, length(rest::text) - 2) END
      || '}';
END $$;

CREATE FUNCTION pg_temp.render(m jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  parts text[] := '{}';
  k text;
  tabs text;
BEGIN
  FOREACH k IN ARRAY ARRAY['enums', 'domains', 'sequences'] LOOP
    IF m->k <> '{}' THEN parts := parts || (to_json(k)::text || ': ' || (m->k)::text); END IF;
  END LOOP;
  SELECT string_agg(to_json(n)::text || ': ' || pg_temp.render_table(v), ', ' ORDER BY n)
    INTO tabs FROM jsonb_each(m->'tables') x(n, v);
  parts := parts || ('"tables": {' || coalesce(tabs, '') || '}');
  IF m->'views' <> '{}' THEN parts := parts || ('"views": ' || (m->'views')::text); END IF;
  parts := parts || ('"functions": ' || (m->'functions')::text);
  RETURN '{"version": 1, "schemas": {"ev": {' || array_to_string(parts, ', ') || '}}}';
END $$;

-- ================================================================
-- mutations: B from A
-- ================================================================
-- drop from table t everything that reads column c, and the views and
-- foreign keys of other tables that do
CREATE FUNCTION pg_temp.strip_column(m jsonb, t text, c text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  k text;
  o text;
BEGIN
  FOREACH k IN ARRAY ARRAY['unique', 'checks', 'indexes', 'foreign_keys', 'policies'] LOOP
    IF m->'tables'->t ? k THEN
      m := jsonb_set(m, ARRAY['tables', t, k], pg_temp.without(m->'tables'->t->k, c));
    END IF;
  END LOOP;
  IF pg_temp.mentions(m->'tables'->t->'primary_key', c) THEN
    m := m #- ARRAY['tables', t, 'primary_key'];
  END IF;
  -- a policy gone: row level security goes too
  IF m->'tables'->t->'policies' = '{}' THEN
    m := m #- ARRAY['tables', t, 'row_level_security'];
  END IF;
  m := jsonb_set(m, '{views}', pg_temp.without(m->'views', c));
  IF c = 'id' THEN
    -- the key others reference
    FOREACH o IN ARRAY pg_temp.tabs(m) LOOP
      m := pg_temp.strip_references(m, o, t);
    END LOOP;
  END IF;
  RETURN m;
END $$;

-- drop table o's foreign keys to table t
CREATE FUNCTION pg_temp.strip_references(m jsonb, o text, t text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  c text;
BEGIN
  IF m->'tables'->o ? 'foreign_keys' THEN
    m := jsonb_set(m, ARRAY['tables', o, 'foreign_keys'], (
      SELECT coalesce(jsonb_object_agg(k, v), '{}') FROM jsonb_each(m->'tables'->o->'foreign_keys') x(k, v)
       WHERE v->'references'->>'table' <> t));
  END IF;
  FOREACH c IN ARRAY pg_temp.cols(m, o) LOOP
    IF pg_temp.getcol(m, o, c)->'references'->>'table' = t THEN
      m := pg_temp.setcol(m, o, c, pg_temp.getcol(m, o, c) - 'references');
    END IF;
  END LOOP;
  RETURN m;
END $$;

CREATE FUNCTION pg_temp.drop_table(m jsonb, t text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  o text;
BEGIN
  m := m #- ARRAY['tables', t];
  FOREACH o IN ARRAY pg_temp.tabs(m) LOOP
    m := pg_temp.strip_references(m, o, t);
  END LOOP;
  RETURN jsonb_set(m, '{views}', pg_temp.without(m->'views', t));
END $$;

-- the type a column of type ty can become, and the "using" it needs
-- ('' for none)
CREATE FUNCTION pg_temp.retype(m jsonb, c text, ty text, OUT nty text, OUT using_ text)
LANGUAGE plpgsql AS $$
BEGIN
  using_ := '';
  nty := CASE
    WHEN ty = 'integer' THEN pg_temp.pick(ARRAY['bigint', 'bigint', 'numeric(8,2)', 'text']
           || CASE WHEN m->'domains' ? 'posint' THEN ARRAY['posint'] ELSE '{}' END)
    WHEN ty = 'bigint' THEN pg_temp.pick(ARRAY['integer', 'text', 'numeric(12,0)'])
    WHEN ty = 'posint' THEN pg_temp.pick('{integer,bigint}')
    WHEN ty LIKE 'numeric%' THEN pg_temp.pick(ARRAY['numeric(10,2)', 'numeric(6,1)', 'numeric(8,3)', 'integer', 'text'])
    WHEN ty = 'text' THEN pg_temp.pick('{varchar(4),varchar(8),integer}')
    WHEN ty LIKE 'varchar%' THEN pg_temp.pick('{text,varchar(4),varchar(20)}')
    WHEN ty = 'boolean' THEN pg_temp.pick('{text,integer}')
    WHEN ty = 'date' THEN 'text'
    WHEN ty = 'mood' THEN 'text'
  END;
  IF nty = ty THEN nty := NULL; RETURN; END IF;
  IF pg_temp.fam(ty) = 'text' AND nty = 'integer' THEN
    using_ := format('length(%s)', c);
  ELSIF ty = 'boolean' AND nty = 'integer' THEN
    using_ := format('%s::integer', c);
  ELSIF pg_temp.fam(ty) = 'text' AND nty LIKE 'varchar%' AND pg_temp.chance(0.3) THEN
    using_ := format('left(%s, %s)', c, substring(nty FROM '\d+'));
  ELSIF ty LIKE 'numeric%' AND nty = 'integer' AND pg_temp.chance(0.3) THEN
    using_ := format('round(%s)', c);
  END IF;
END $$;

CREATE FUNCTION pg_temp.mutate(a jsonb, OUT b jsonb, OUT descr text)
LANGUAGE plpgsql AS $$
DECLARE
  want int := 1 + pg_temp.r(3);
  done int := 0;
  tries int := 0;
  kind text;
  t text;
  c text;
  n text;
  x text;
  col jsonb;
  j jsonb;
  vals text[];
  ty text;
  u text;
  did text;
BEGIN
  b := a;
  descr := '';
  WHILE done < want AND tries < 40 LOOP
    tries := tries + 1;
    did := NULL;
    kind := pg_temp.pick(ARRAY[
      'add_column', 'add_column', 'drop_column', 'drop_column',
      'retype', 'retype', 'retype', 'retype', 'not_null', 'not_null', 'null',
      'check', 'check', 'check', 'column_remap', 'index', 'index',
      'enum', 'enum', 'enum', 'rename_column', 'rename_column',
      'drop_table', 'rename_table', 'default', 'default', 'view', 'function',
      'unique', 'foreign_key', 'comment', 'rls', 'sequence', 'add_table',
      'domain', 'primary_key']);
    t := pg_temp.pick(pg_temp.tabs(b));
    c := CASE WHEN t IS NULL THEN NULL ELSE pg_temp.pick(pg_temp.cols(b, t)) END;
    col := CASE WHEN c IS NULL THEN NULL ELSE pg_temp.getcol(b, t, c) END;
    ty := col->>'type';
    CASE kind
    WHEN 'add_column' THEN
      IF t IS NULL THEN CONTINUE; END IF;
      n := pg_temp.fresh('c');
      j := pg_temp.new_col(b, n);
      IF j->>'nullable' = 'false' AND NOT j ? 'default' AND pg_temp.chance(0.4) THEN
        j := j || jsonb_build_object('using', pg_temp.default_of(j->>'type'));
      END IF;
      b := jsonb_set(b, ARRAY['tables', t, 'cols'], (b->'tables'->t->'cols') || j);
      did := format('add_column %s.%s %s', t, n, j - 'name');
    WHEN 'drop_column' THEN
      IF c IS NULL THEN CONTINUE; END IF;
      b := jsonb_set(b, ARRAY['tables', t, 'cols'], (
        SELECT jsonb_agg(e ORDER BY o) FROM jsonb_array_elements(b->'tables'->t->'cols')
               WITH ORDINALITY x(e, o) WHERE e->>'name' <> c));
      b := pg_temp.strip_column(b, t, c);
      did := format('drop_column %s.%s', t, c);
    WHEN 'retype' THEN
      -- the key and the columns of foreign keys only widen, together
      IF c IS NULL OR pg_temp.chance(0.15) THEN
        c := 'id';
        col := CASE WHEN t IS NULL THEN NULL ELSE pg_temp.getcol(b, t, c) END;
        IF col IS NULL OR col->>'type' <> 'integer' THEN CONTINUE; END IF;
        b := pg_temp.setcol(b, t, c, col || '{"type": "bigint"}');
        did := format('retype %s.id bigint', t);
      ELSIF col ? 'references'
            OR col->>'using' IS NOT NULL
            OR EXISTS (SELECT FROM jsonb_each(coalesce(b->'tables'->t->'foreign_keys', '{}')) x(k, v)
                        WHERE pg_temp.mentions(v->'columns', c)) THEN
        CONTINUE;
      ELSE
        x := ty;
        SELECT * INTO ty, u FROM pg_temp.retype(b, c, x);
        IF ty IS NULL THEN CONTINUE; END IF;
        col := jsonb_set(col, '{type}', to_jsonb(ty));
        IF u <> '' THEN col := col || jsonb_build_object('using', u); END IF;
        -- a default, CHECK, index or view of the old type often goes (a
        -- default the new type refuses is the document's error: E1, fixed)
        IF col ? 'default' AND pg_temp.chance(0.6) THEN col := col - 'default'; END IF;
        IF col ? 'check' AND pg_temp.chance(0.7) THEN col := col - 'check'; END IF;
        b := pg_temp.setcol(b, t, c, col);
        IF pg_temp.fam(ty) <> pg_temp.fam(x) AND pg_temp.chance(0.7) THEN
          j := pg_temp.strip_column(b, t, c);
          -- keep the views: they are rebuilt around the change
          b := jsonb_set(j, '{views}', b->'views');
        END IF;
        did := format('retype %s.%s %s -> %s%s', t, c, x, ty,
                      CASE WHEN u <> '' THEN ' using ' || u ELSE '' END);
      END IF;
    WHEN 'not_null' THEN
      IF c IS NULL OR col->>'nullable' = 'false' THEN CONTINUE; END IF;
      col := col || '{"nullable": false}';
      IF pg_temp.chance(0.4) THEN
        col := col || jsonb_build_object('default', pg_temp.default_of(ty));
      ELSIF pg_temp.chance(0.3) AND NOT col ? 'using' THEN
        col := col || jsonb_build_object('using', pg_temp.default_of(ty));
      END IF;
      b := pg_temp.setcol(b, t, c, col);
      did := format('not_null %s.%s %s', t, c, col - 'name');
    WHEN 'null' THEN
      IF c IS NULL OR NOT coalesce(col->>'nullable' = 'false', false) THEN CONTINUE; END IF;
      b := pg_temp.setcol(b, t, c, col - 'nullable');
      did := format('nullable %s.%s', t, c);
    WHEN 'check' THEN
      IF t IS NULL THEN CONTINUE; END IF;
      j := coalesce(b->'tables'->t->'checks', '{}');
      IF j <> '{}' AND pg_temp.chance(0.5) THEN
        SELECT k INTO n FROM jsonb_object_keys(j) k ORDER BY random() LIMIT 1;
        IF pg_temp.chance(0.5) THEN
          j := j - n;
          did := format('drop_check %s.%s', t, n);
        ELSIF c IS NOT NULL THEN
          x := pg_temp.check_of(c, ty);
          j := jsonb_set(j, ARRAY[n], to_jsonb(x));
          did := format('change_check %s.%s %s', t, n, x);
        ELSE CONTINUE;
        END IF;
      ELSIF c IS NOT NULL THEN
        n := pg_temp.fresh('k');
        x := pg_temp.check_of(c, ty);
        j := j || jsonb_build_object(n, x);
        did := format('add_check %s.%s %s', t, n, x);
      ELSE CONTINUE;
      END IF;
      b := jsonb_set(b, ARRAY['tables', t, 'checks'], j);
    WHEN 'column_remap' THEN
      -- a column's CHECK narrows to a list, remap moves the values it drops
      IF c IS NULL OR pg_temp.fam(ty) <> 'text' OR col ? 'using' OR col ? 'renamed_from' THEN CONTINUE; END IF;
      col := col || jsonb_build_object('check', format('%s IN (''a'', ''b'', ''c'')', c));
      IF pg_temp.chance(0.8) THEN col := col || '{"remap": {"x": "a", "y": "b"}}'; END IF;
      b := pg_temp.setcol(b, t, c, col);
      did := format('column_remap %s.%s %s', t, c, col - 'name');
    WHEN 'index' THEN
      IF t IS NULL THEN CONTINUE; END IF;
      j := coalesce(b->'tables'->t->'indexes', '{}');
      IF j <> '{}' AND pg_temp.chance(0.4) THEN
        SELECT k INTO n FROM jsonb_object_keys(j) k ORDER BY random() LIMIT 1;
        j := j - n;
        did := format('drop_index %s.%s', t, n);
      ELSIF c IS NOT NULL THEN
        n := pg_temp.fresh('i');
        j := j || jsonb_build_object(n, pg_temp.index_of(b, c, ty));
        did := format('add_index %s.%s %s', t, n, j->n);
      ELSE CONTINUE;
      END IF;
      b := jsonb_set(b, ARRAY['tables', t, 'indexes'], j);
    WHEN 'enum' THEN
      IF NOT b->'enums' ? 'mood' OR b->'enums'->'mood' ?| ARRAY['remap', 'renamed_values'] THEN CONTINUE; END IF;
      vals := ARRAY(SELECT jsonb_array_elements_text(b->'enums'->'mood'->'values'));
      CASE pg_temp.r(4)
      WHEN 0 THEN
        n := pg_temp.pick('{glad,bored,calm}');
        IF n = ANY (vals) THEN CONTINUE; END IF;
        x := CASE WHEN pg_temp.chance(0.5) THEN 'end' ELSE vals[1 + pg_temp.r(cardinality(vals))] END;
        vals := CASE WHEN x = 'end' THEN vals || n
                     ELSE array_cat(vals[:array_position(vals, x) - 1],
                                    n || vals[array_position(vals, x):]) END;
        did := format('enum add %s before %s', n, x);
      WHEN 1 THEN
        -- 'ok' is the defaults' label: it stays
        n := pg_temp.pick(array_remove(vals, 'ok'));
        vals := array_remove(vals, n);
        x := NULL;
        IF pg_temp.chance(0.6) THEN
          x := pg_temp.pick(vals);
          b := jsonb_set(b, '{enums,mood,remap}', jsonb_build_object(n, x));
        END IF;
        did := format('enum drop %s remap %s', n, x);
      WHEN 2 THEN
        n := pg_temp.pick(array_remove(vals, 'ok'));
        x := n || '2';
        vals := array_replace(vals, n, x);
        b := jsonb_set(b, '{enums,mood,renamed_values}', jsonb_build_object(n, x));
        did := format('enum rename %s %s', n, x);
      ELSE
        -- reorder: the enum is recreated
        n := pg_temp.pick(vals);
        vals := array_remove(vals, n) || n;
        did := format('enum move %s last', n);
      END CASE;
      b := jsonb_set(b, '{enums,mood,values}', to_jsonb(vals));
    WHEN 'rename_column' THEN
      IF c IS NULL OR col ? 'renamed_from' OR NOT a->'tables' ? t
         OR pg_temp.getcol(a, t, c) IS NULL THEN CONTINUE; END IF;
      n := pg_temp.fresh('c');
      b := pg_temp.rename_token(b, c, n);
      b := pg_temp.setcol(b, t, n, pg_temp.getcol(b, t, n) || jsonb_build_object('renamed_from', c));
      did := format('rename_column %s.%s -> %s', t, c, n);
    WHEN 'drop_table' THEN
      IF t IS NULL THEN CONTINUE; END IF;
      b := pg_temp.drop_table(b, t);
      did := format('drop_table %s', t);
    WHEN 'rename_table' THEN
      IF t IS NULL OR b->'tables'->t ? 'renamed_from' OR NOT a->'tables' ? t THEN CONTINUE; END IF;
      n := pg_temp.fresh('t');
      b := pg_temp.rename_token(b, t, n);
      b := jsonb_set(b, ARRAY['tables', n, 'renamed_from'], to_jsonb(t));
      did := format('rename_table %s -> %s', t, n);
    WHEN 'default' THEN
      IF c IS NULL THEN CONTINUE; END IF;
      IF col ? 'default' AND pg_temp.chance(0.4) THEN
        col := col - 'default';
      ELSE
        col := col || jsonb_build_object('default', pg_temp.default_of(ty));
      END IF;
      b := pg_temp.setcol(b, t, c, col);
      did := format('default %s.%s %s', t, c, coalesce(col->>'default', 'none'));
    WHEN 'view' THEN
      IF t IS NULL THEN CONTINUE; END IF;
      SELECT k INTO n FROM jsonb_object_keys(b->'views') k ORDER BY random() LIMIT 1;
      IF n IS NOT NULL AND pg_temp.chance(0.3) THEN
        b := b #- ARRAY['views', n];
        did := format('drop_view %s', n);
      ELSE
        IF n IS NULL OR pg_temp.chance(0.3) THEN n := pg_temp.fresh('v'); END IF;
        x := pg_temp.view_query(b, t);
        b := jsonb_set(b, ARRAY['views', n], jsonb_build_object('query', x));
        did := format('view %s %s', n, x);
      END IF;
    WHEN 'function' THEN
      SELECT k INTO n FROM jsonb_object_keys(b->'functions') k ORDER BY random() LIMIT 1;
      IF n IS NULL THEN
        b := pg_temp.add_function(b);
        did := 'add_function';
      ELSIF pg_temp.chance(0.2) THEN
        -- whatever still calls it makes the document wrong: refused
        b := b #- ARRAY['functions', n];
        did := format('drop_function %s', n);
      ELSE
        x := format('SELECT x + %s', pg_temp.pick('{3,4,5}'));
        b := jsonb_set(b, ARRAY['functions', n, 'body'], to_jsonb(x));
        did := format('function %s %s', n, x);
      END IF;
    WHEN 'unique' THEN
      IF c IS NULL THEN CONTINUE; END IF;
      j := coalesce(b->'tables'->t->'unique', '{}');
      IF j <> '{}' AND pg_temp.chance(0.4) THEN
        SELECT k INTO n FROM jsonb_object_keys(j) k ORDER BY random() LIMIT 1;
        j := j - n;
        did := format('drop_unique %s.%s', t, n);
      ELSE
        n := pg_temp.fresh('u');
        j := j || jsonb_build_object(n, CASE WHEN pg_temp.chance(0.3)
                 THEN jsonb_build_array('id', c) ELSE jsonb_build_array(c) END);
        did := format('add_unique %s.%s %s', t, n, j->n);
      END IF;
      b := jsonb_set(b, ARRAY['tables', t, 'unique'], j);
    WHEN 'foreign_key' THEN
      IF t IS NULL THEN CONTINUE; END IF;
      j := coalesce(b->'tables'->t->'foreign_keys', '{}');
      IF j <> '{}' AND pg_temp.chance(0.4) THEN
        SELECT k INTO n FROM jsonb_object_keys(j) k ORDER BY random() LIMIT 1;
        j := j - n;
        did := format('drop_foreign_key %s.%s', t, n);
      ELSE
        SELECT p INTO x FROM unnest(pg_temp.tabs(b)) p
         WHERE b->'tables'->p->'primary_key' = '["id"]' ORDER BY random() LIMIT 1;
        SELECT e->>'name' INTO c FROM jsonb_array_elements(b->'tables'->t->'cols') e
         WHERE e->>'type' = (SELECT f->>'type' FROM jsonb_array_elements(b->'tables'->x->'cols') f
                              WHERE f->>'name' = 'id')
           AND e->>'name' <> 'id' ORDER BY random() LIMIT 1;
        IF x IS NULL OR c IS NULL THEN CONTINUE; END IF;
        n := pg_temp.fresh('fk');
        j := j || jsonb_build_object(n, jsonb_build_object('columns', jsonb_build_array(c),
               'references', jsonb_build_object('table', x, 'columns', '["id"]'::jsonb)));
        did := format('add_foreign_key %s.%s (%s) -> %s', t, n, c, x);
      END IF;
      b := jsonb_set(b, ARRAY['tables', t, 'foreign_keys'], j);
    WHEN 'comment' THEN
      IF t IS NULL THEN CONTINUE; END IF;
      IF c IS NOT NULL AND pg_temp.chance(0.5) THEN
        b := pg_temp.setcol(b, t, c, CASE WHEN col ? 'comment' AND pg_temp.chance(0.5)
                THEN col - 'comment' ELSE col || '{"comment": "said again"}' END);
        did := format('comment %s.%s', t, c);
      ELSE
        b := jsonb_set(b, ARRAY['tables', t, 'comment'], to_jsonb(pg_temp.pick('{"","another table","rows of things"}')));
        did := format('comment %s', t);
      END IF;
    WHEN 'rls' THEN
      IF t IS NULL THEN CONTINUE; END IF;
      IF b->'tables'->t ? 'row_level_security' THEN
        b := b #- ARRAY['tables', t, 'row_level_security'];
        IF pg_temp.chance(0.5) THEN b := b #- ARRAY['tables', t, 'policies']; END IF;
        did := format('rls off %s', t);
      ELSE
        b := jsonb_set(b, ARRAY['tables', t, 'row_level_security'], '{"enabled": true}');
        x := CASE WHEN c IS NULL THEN 'id > 0' ELSE pg_temp.check_of(c, ty) END;
        b := jsonb_set(b, ARRAY['tables', t, 'policies'], jsonb_build_object(
               pg_temp.fresh('p'), jsonb_build_object('using', x)));
        did := format('rls on %s using %s', t, x);
      END IF;
    WHEN 'sequence' THEN
      IF b->'sequences' ? 'tick' THEN
        IF pg_temp.mentions(b->'tables', 'tick') OR pg_temp.chance(0.5) THEN
          b := jsonb_set(b, '{sequences,tick}', jsonb_build_object(
                 'increment', pg_temp.pick('{1,2,5}'), 'cache', pg_temp.pick('{1,10}')));
          did := 'sequence tick options';
        ELSE
          b := b #- '{sequences,tick}';
          did := 'sequence tick dropped';
        END IF;
      ELSE
        b := jsonb_set(b, '{sequences,tick}', '{"start": 100}');
        did := 'sequence tick added';
      END IF;
    WHEN 'add_table' THEN
      IF cardinality(pg_temp.tabs(b)) >= 4 THEN CONTINUE; END IF;
      b := pg_temp.add_table(b);
      did := 'add_table';
    WHEN 'domain' THEN
      IF NOT b->'domains' ? 'posint' THEN CONTINUE; END IF;
      x := pg_temp.pick('{"VALUE > 2","VALUE >= 0","VALUE < 1000"}');
      b := jsonb_set(b, '{domains,posint,checks,posint_check}', to_jsonb(x));
      did := format('domain check %s', x);
    WHEN 'primary_key' THEN
      IF t IS NULL THEN CONTINUE; END IF;
      IF b->'tables'->t ? 'primary_key' THEN
        b := b #- ARRAY['tables', t, 'primary_key'];
        FOREACH x IN ARRAY pg_temp.tabs(b) LOOP
          b := pg_temp.strip_references(b, x, t);
        END LOOP;
        did := format('drop_primary_key %s', t);
      ELSE
        b := jsonb_set(b, ARRAY['tables', t, 'primary_key'], '["id"]');
        did := format('add_primary_key %s', t);
      END IF;
    END CASE;
    IF did IS NOT NULL THEN
      done := done + 1;
      descr := descr || CASE WHEN descr = '' THEN '' ELSE '; ' END || did;
    END IF;
  END LOOP;
END $$;

-- ================================================================
-- rows and checksums
-- ================================================================
-- up to six random rows per table, parents first; a row A's constraints
-- reject is left out
CREATE FUNCTION pg_temp.insert_rows(m jsonb) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  t text;
  c jsonb;
  names text[];
  vals text[];
  k int;
  done int := 0;
BEGIN
  FOREACH t IN ARRAY pg_temp.tabs(m) LOOP
    FOR k IN 1..(CASE WHEN pg_temp.chance(0.1) THEN 0 ELSE 1 + pg_temp.r(6) END) LOOP
      names := '{}';
      vals := '{}';
      FOR c IN SELECT e FROM jsonb_array_elements(m->'tables'->t->'cols') e LOOP
        IF c->>'name' = 'id' THEN
          names := names || 'id'::text;
          vals := vals || (1 + pg_temp.r(8))::text;
        ELSIF NOT (c ? 'default' AND pg_temp.chance(0.3)) THEN
          names := names || (c->>'name');
          vals := vals || pg_temp.val(m, c->>'type');
        END IF;
      END LOOP;
      BEGIN
        EXECUTE format('INSERT INTO ev.%I (%s) VALUES (%s)', t,
                       array_to_string(names, ', '), array_to_string(vals, ', '));
        done := done + 1;
      EXCEPTION WHEN OTHERS THEN
        NULL;
      END;
    END LOOP;
  END LOOP;
  RETURN done;
END $$;

-- count and md5 of the sorted rows a query returns as text
CREATE FUNCTION pg_temp.checksum(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  res text;
BEGIN
  EXECUTE format('SELECT count(*) || '':'' || coalesce(md5(string_agg(r, '','' ORDER BY r)), '''') FROM (%s) s(r)', q)
     INTO res;
  RETURN res;
END $$;

-- every table's rows, whole
CREATE FUNCTION pg_temp.raw_rows(m jsonb) RETURNS jsonb LANGUAGE sql AS $$
  SELECT coalesce(jsonb_object_agg(t, pg_temp.checksum(format('SELECT x::text FROM ev.%I x', t))), '{}')
    FROM unnest(pg_temp.tabs(m)) t$$;

-- for each table B keeps from A: a query over A's rows giving what B's
-- rows must be, the query over B's rows to compare it with, and the
-- columns compared
CREATE FUNCTION pg_temp.expectations(a jsonb, b jsonb)
RETURNS TABLE (bt text, before_q text, after_q text, compared text)
LANGUAGE plpgsql AS $$
DECLARE
  at text;
  bc jsonb;
  ac jsonb;
  e text;
  bef text[];
  aft text[];
  names text[];
  map jsonb := coalesce(b->'enums'->'mood'->'remap', '{}')
               || coalesce(b->'enums'->'mood'->'renamed_values', '{}');
BEGIN
  FOREACH bt IN ARRAY pg_temp.tabs(b) LOOP
    at := coalesce(b->'tables'->bt->>'renamed_from', bt);
    CONTINUE WHEN NOT a->'tables' ? at;
    bef := '{}'; aft := '{}'; names := '{}';
    FOR bc IN SELECT x FROM jsonb_array_elements(b->'tables'->bt->'cols') x LOOP
      ac := pg_temp.getcol(a, at, coalesce(bc->>'renamed_from', bc->>'name'));
      CONTINUE WHEN ac IS NULL OR bc ? 'using';
      e := format('t.%I', ac->>'name');
      -- a default fills the NULLs of a column made NOT NULL
      IF bc->>'nullable' = 'false' AND coalesce(ac->>'nullable', 'true') = 'true'
         AND bc ? 'default' THEN
        CONTINUE WHEN bc->>'default' LIKE '%nextval%' OR ac->>'type' <> bc->>'type';
        e := format('coalesce(%s, %s)', e, bc->>'default');
      END IF;
      IF pg_temp.fam(ac->>'type') = 'num' AND pg_temp.fam(bc->>'type') = 'num' THEN
        e := format('trim_scale((%s)::numeric)::text', e);
      ELSE
        e := format('(%s)::text', e);
      END IF;
      -- labels the enum remaps or renames
      IF ac->>'type' = 'mood' AND map <> '{}' THEN
        CONTINUE WHEN bc->>'type' <> 'mood';
        SELECT format('CASE %s %s ELSE %s END', e,
                      string_agg(format('WHEN %L THEN %L', k, v), ' '), e)
          INTO e FROM jsonb_each_text(map) x(k, v);
      END IF;
      IF bc ? 'remap' THEN
        SELECT format('CASE %s %s ELSE %s END', e,
                      string_agg(format('WHEN %L THEN %L', k, v), ' '), e)
          INTO e FROM jsonb_each_text(bc->'remap') x(k, v);
      END IF;
      bef := bef || e;
      aft := aft || CASE WHEN pg_temp.fam(ac->>'type') = 'num' AND pg_temp.fam(bc->>'type') = 'num'
                         THEN format('trim_scale((t.%I)::numeric)::text', bc->>'name')
                         ELSE format('(t.%I)::text', bc->>'name') END;
      names := names || (bc->>'name');
    END LOOP;
    before_q := format('SELECT ROW(%s)::text FROM ev.%I t',
                       coalesce(nullif(array_to_string(bef, ', '), ''), 'NULL'), at);
    after_q := format('SELECT ROW(%s)::text FROM ev.%I t',
                      coalesce(nullif(array_to_string(aft, ', '), ''), 'NULL'), bt);
    compared := array_to_string(names, ',');
    RETURN NEXT;
  END LOOP;
END $$;

-- queries counting the values B drops: the rows of tables it drops, the
-- values of columns it drops
CREATE FUNCTION pg_temp.losses(a jsonb, b jsonb) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
  q text[] := '{}';
  at text;
  bt text;
  c text;
BEGIN
  FOREACH at IN ARRAY pg_temp.tabs(a) LOOP
    SELECT k INTO bt FROM jsonb_object_keys(b->'tables') k
     WHERE coalesce(b->'tables'->k->>'renamed_from', k) = at;
    IF bt IS NULL THEN
      q := q || format('SELECT count(*) FROM ev.%I', at);
      CONTINUE;
    END IF;
    FOREACH c IN ARRAY pg_temp.cols(a, at, true) LOOP
      IF NOT EXISTS (SELECT FROM jsonb_array_elements(b->'tables'->bt->'cols') e
                      WHERE coalesce(e->>'renamed_from', e->>'name') = c) THEN
        q := q || format('SELECT count(*) FROM ev.%I WHERE %I IS NOT NULL', at, c);
      END IF;
    END LOOP;
  END LOOP;
  RETURN q;
END $$;

-- pair i belongs to group g = (i - 1) / per_a + 1: one document A
-- (seeded by g), converged once with its rows, and per_a documents B
-- (each seeded by i)
CREATE FUNCTION pg_temp.gen_pair(seed bigint, i int, per_a int,
                                 OUT a jsonb, OUT b jsonb, OUT mutation text,
                                 OUT allow_data_loss bool)
LANGUAGE plpgsql AS $$
DECLARE
  g int := (i - 1) / per_a + 1;
BEGIN
  PERFORM setseed(pg_temp.pair_seed(seed, -g));
  PERFORM set_config('evolution.n', '0', false);
  a := pg_temp.gen_a();
  PERFORM setseed(pg_temp.pair_seed(seed, i));
  SELECT * INTO b, mutation FROM pg_temp.mutate(a);
  allow_data_loss := pg_temp.chance(0.5);
END $$;

-- the two documents of pair i, to replay it by hand
CREATE FUNCTION pg_temp.pair_docs(seed bigint, i int, per_a int DEFAULT 3,
                                  OUT a_doc text, OUT b_doc text,
                                  OUT mutation text, OUT allow_data_loss bool)
LANGUAGE sql AS $$
  SELECT pg_temp.render(p.a), pg_temp.render(p.b), p.mutation, p.allow_data_loss
    FROM pg_temp.gen_pair(seed, i, per_a) p$$;

-- ================================================================
-- a group of pairs: converge to A, rows; then for each B, in a
-- subtransaction rolled back: converge to B, check.  All undone.
-- ================================================================
CREATE TEMP TABLE evo_result (
  i int PRIMARY KEY, mutation text, allow_data_loss bool,
  outcome text,        -- converged, refused, bad_a, harness
  refusal text,        -- refused: how converge_plan(B) foresaw it
  problem text,        -- NULL when the pair holds
  message text, a_doc text, b_doc text, rows int);

CREATE FUNCTION pg_temp.run_group(seed bigint, g int, per_a int, only_i int)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  a jsonb;
  b jsonb;
  i int;
  descr text;
  adl bool;
  a_doc text;
  b_doc text;
  a_err text;
  v_outcome text;
  v_refusal text;
  v_problem text;
  v_message text;
  v_rows int;
  raw_before jsonb;
  export_before text;
  lost bigint;
  q text;
  n bigint;
  e record;
  exp jsonb;
  got text;
  converged bool;
  v_state text;
  v_context text;
  results evo_result[] := '{}';
BEGIN
  SELECT p.a INTO a FROM pg_temp.gen_pair(seed, (g - 1) * per_a + 1, per_a) p;
  a_doc := pg_temp.render(a);
  BEGIN
    BEGIN
      PERFORM count(*) FROM converge_schema(a_doc);
    EXCEPTION WHEN OTHERS THEN
      a_err := SQLERRM;
    END;
    IF a_err IS NULL THEN
      PERFORM setseed(pg_temp.pair_seed(seed, -g - 1000000));
      v_rows := pg_temp.insert_rows(a);
      raw_before := pg_temp.raw_rows(a);
      export_before := converge_export('{ev}');
    END IF;

    FOR i IN (g - 1) * per_a + 1 .. g * per_a LOOP
      CONTINUE WHEN only_i IS NOT NULL AND only_i <> i;
      SELECT p.b, p.mutation, p.allow_data_loss INTO b, descr, adl
        FROM pg_temp.gen_pair(seed, i, per_a) p;
      b_doc := pg_temp.render(b);
      v_outcome := NULL; v_refusal := NULL; v_problem := NULL; v_message := NULL;
      v_state := NULL; v_context := NULL;
      IF a_err IS NOT NULL THEN
        -- a generator bug
        results := results || ROW(i, descr, adl, 'bad_a', NULL,
          'converging to A failed', a_err, a_doc, b_doc, NULL)::evo_result;
        CONTINUE;
      END IF;
      BEGIN
        lost := 0;
        FOREACH q IN ARRAY pg_temp.losses(a, b) LOOP
          EXECUTE q INTO n;
          lost := lost + n;
        END LOOP;
        exp := '{}';
        FOR e IN SELECT * FROM pg_temp.expectations(a, b) LOOP
          exp := exp || jsonb_build_object(e.bt, jsonb_build_object(
                   'sum', pg_temp.checksum(e.before_q), 'q', e.after_q, 'cols', e.compared));
        END LOOP;

        converged := false;
        BEGIN
          PERFORM count(*) FROM converge_schema(b_doc, adl);
          converged := true;
        EXCEPTION WHEN OTHERS THEN
          GET STACKED DIAGNOSTICS v_message = MESSAGE_TEXT, v_state = RETURNED_SQLSTATE,
                                  v_context = PG_EXCEPTION_CONTEXT;
        END;

        IF converged THEN
          v_outcome := 'converged';
          BEGIN
            IF EXISTS (SELECT FROM converge_plan(b_doc)) THEN
              v_problem := 'converge_plan(B) not empty after converging: '
                || (SELECT string_agg(format('%s %s', action, object), '; ') FROM converge_plan(b_doc));
            ELSIF EXISTS (SELECT FROM converge_plan(converge_export('{ev}'))) THEN
              v_problem := 'converge_plan(export) not empty: '
                || (SELECT string_agg(format('%s %s', action, object), '; ')
                      FROM converge_plan(converge_export('{ev}')));
            ELSIF lost > 0 AND NOT adl THEN
              v_problem := format('converged without allow_data_loss, dropping %s values', lost);
            ELSE
              FOR e IN SELECT key, value FROM jsonb_each(exp) LOOP
                got := pg_temp.checksum(e.value->>'q');
                IF got <> e.value->>'sum' THEN
                  v_problem := format('rows of %s changed (columns %s): expected %s, got %s',
                                      e.key, e.value->>'cols', e.value->>'sum', got);
                  EXIT;
                END IF;
              END LOOP;
            END IF;
          EXCEPTION WHEN OTHERS THEN
            v_problem := 'checking the converged pair failed: ' || SQLERRM;
          END;
        ELSE
          v_outcome := 'refused';
          BEGIN
            IF converge_export('{ev}') IS DISTINCT FROM export_before THEN
              v_problem := 'refused, and the catalog changed';
            ELSIF pg_temp.raw_rows(a) IS DISTINCT FROM raw_before THEN
              v_problem := 'refused, and rows changed';
            END IF;
          EXCEPTION WHEN OTHERS THEN
            v_problem := 'checking the refused pair failed: ' || SQLERRM;
          END;
          -- when: before any DDL (a document error at its line and
          -- column, or a step's problem), or while a step ran; then the
          -- plan must have left that step's rows unchecked, or it is a
          -- plan called clean that fails (pg_converge.prove_plans makes
          -- converge_plan raise it)
          IF v_state = 'XX000' THEN
            v_problem := coalesce(v_problem, 'internal error: ' || v_message);
          ELSIF v_message ~ 'line [0-9]+, column [0-9]+' THEN
            v_refusal := 'document_error';
          ELSIF coalesce(v_context, '') !~ 'pg_converge step [0-9]+' THEN
            v_refusal := 'before_ddl';
          ELSE
            BEGIN
              SELECT count(*) INTO n FROM converge_plan(b_doc, adl) WHERE rows_affected IS NULL;
              v_refusal := 'unchecked_step';
              IF n = 0 THEN
                v_refusal := 'plan_fails';
                v_problem := coalesce(v_problem, 'refused only when a step ran, after DDL, '
                                      'and the plan checked every step: ' || v_message);
              END IF;
            EXCEPTION WHEN OTHERS THEN
              v_refusal := 'plan_fails';
              v_problem := coalesce(v_problem, 'refused only when a step ran, after DDL: ' || SQLERRM);
            END;
          END IF;
        END IF;
        RAISE SQLSTATE 'EVOLV';
      EXCEPTION
        WHEN SQLSTATE 'EVOLV' THEN NULL;
        WHEN OTHERS THEN
          v_outcome := coalesce(v_outcome, 'harness');
          v_problem := 'the pair raised: ' || SQLERRM;
      END;
      results := results || ROW(i, descr, adl, v_outcome, v_refusal, v_problem,
                                v_message, a_doc, b_doc, v_rows)::evo_result;
    END LOOP;
    RAISE SQLSTATE 'EVOLV';
  EXCEPTION WHEN SQLSTATE 'EVOLV' THEN NULL;
  END;
  -- after the rollback
  INSERT INTO evo_result SELECT * FROM unnest(results);
END $$;

-- ================================================================
-- the run
-- ================================================================
-- the settings, with their defaults: 201 pairs (67 documents A) take
-- about a minute on two cores
DO $$
BEGIN
  PERFORM set_config('evolution.seed',
            coalesce(nullif(current_setting('evolution.seed', true), ''), '13'), false);
  PERFORM set_config('evolution.pairs',
            coalesce(nullif(current_setting('evolution.pairs', true), ''), '201'), false);
  PERFORM set_config('evolution.per_a',
            coalesce(nullif(current_setting('evolution.per_a', true), ''), '3'), false);
  PERFORM set_config('evolution.only',
            coalesce(current_setting('evolution.only', true), ''), false);
END $$;
SELECT diag(format('seed %s: %s pairs, %s per document A (PGOPTIONS=''-c evolution.seed=%s -c evolution.only=I'' replays pair I)',
                   current_setting('evolution.seed'), current_setting('evolution.pairs'),
                   current_setting('evolution.per_a'), current_setting('evolution.seed')));

SELECT lives_ok($$
  SELECT pg_temp.run_group(current_setting('evolution.seed')::bigint, g,
                           current_setting('evolution.per_a')::int,
                           nullif(current_setting('evolution.only', true), '')::int)
    FROM generate_series(1, (current_setting('evolution.pairs')::int - 1)
                            / current_setting('evolution.per_a')::int + 1) g
   WHERE nullif(current_setting('evolution.only', true), '') IS NULL
      OR (nullif(current_setting('evolution.only', true), '')::int - 1)
         / current_setting('evolution.per_a')::int + 1 = g
$$, 'every pair ran');
SELECT is((SELECT count(*) FROM evo_result),
          CASE WHEN current_setting('evolution.only') = ''
               THEN current_setting('evolution.pairs')::bigint ELSE 1 END,
          'every pair has its result');

SELECT diag(format('pairs %s, converged %s, refused %s (before any DDL: a document error %s, a step''s problem %s; while a step ran: rows left unchecked %s, plan called clean %s), A failed %s',
  count(*), count(*) FILTER (WHERE outcome = 'converged'),
  count(*) FILTER (WHERE outcome = 'refused'),
  count(*) FILTER (WHERE refusal = 'document_error'),
  count(*) FILTER (WHERE refusal = 'before_ddl'),
  count(*) FILTER (WHERE refusal = 'unchecked_step'),
  count(*) FILTER (WHERE refusal = 'plan_fails'),
  count(*) FILTER (WHERE outcome = 'bad_a')))
  FROM evo_result;

SELECT diag(format(E'pair %s [%s, allow_data_loss %s]: %s\n  error: %s\n  A: %s\n  B: %s',
                   i, mutation, allow_data_loss, problem, message, a_doc, b_doc))
  FROM (SELECT * FROM evo_result WHERE problem IS NOT NULL ORDER BY i LIMIT 5) f;

SELECT is((SELECT count(*) FROM evo_result WHERE problem IS NOT NULL), 0::bigint,
          'every pair converged with its rows, or was refused with nothing changed');
-- both outcomes are reached (a pair replayed alone reaches one)
SELECT ok(current_setting('evolution.only') <> ''
          OR (SELECT count(*) FROM evo_result WHERE outcome = 'converged') > 0,
          'some pairs converged');
SELECT ok(current_setting('evolution.only') <> ''
          OR (SELECT count(*) FROM evo_result WHERE outcome = 'refused') > 0,
          'some pairs were refused');

SELECT * FROM finish();
ROLLBACK;
