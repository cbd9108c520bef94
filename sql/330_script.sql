-- converge_script(): the plan as one psql script for a database without
-- the extension.  Here its text is pinned (the catalog check is shown as
-- its first lines: its facts differ between server versions); test/script.sh
-- runs scripts on a database without the extension, with rows.
CREATE SCHEMA sc;
CREATE TABLE sc.t (id integer PRIMARY KEY, price integer, note text);
INSERT INTO sc.t VALUES (1, 5, 'a'), (2, 7, NULL), (3, 9, 'c');

-- the script without the catalog check's body, and without the version
CREATE FUNCTION shown(script text) RETURNS SETOF text LANGUAGE sql AS $$
  SELECT regexp_replace(regexp_replace(line, 'PostgreSQL [^,]*,',
                                       'PostgreSQL <version>,'),
                        '<> [0-9]+ THEN', '<> <major> THEN')
    FROM (SELECT line, n,
                 count(*) FILTER (WHERE line LIKE '-- 1. The catalog this%'
                                     OR line LIKE '-- 2. The rows, checked%')
                   OVER (ORDER BY n) AS part
            FROM string_to_table(script, E'\n') WITH ORDINALITY AS s(line, n)) l
   WHERE part <> 1 OR line LIKE '-- 1. The catalog this%' OR line LIKE 'DO %'
      OR line LIKE E'\tIF %' OR line LIKE E'\tPERFORM %' OR line LIKE '$%'
   ORDER BY n
$$;
\pset format unaligned
\pset tuples_only on

-- a new CHECK, a column made NOT NULL with a default for its NULLs, a new
-- table: each probe is a row of the rows check, each step follows its
-- comment
SELECT shown FROM shown(converge_script($$
version: 1
schemas:
  sc:
    tables:
      t:
        columns:
          id: {type: integer, nullable: false}
          price: {type: integer}
          note: {type: text, nullable: false, default: "'none'"}
        primary_key: [id]
        checks:
          price_positive: {check: "price > 0"}
      u:
        columns:
          id: {type: integer}
$$));

-- nothing to do: the catalog check alone
SELECT shown FROM shown(converge_script($$
version: 1
schemas:
  sc:
    tables:
      t:
        columns:
          id: {type: integer, nullable: false}
          price: {type: integer}
          note: {type: text}
        primary_key: [id]
$$)) WHERE shown LIKE '--%';

-- rows here that refuse the plan refuse the script, as converge_schema
SELECT converge_script($$
version: 1
schemas:
  sc:
    tables:
      t:
        columns:
          id: {type: integer, nullable: false}
          price: {type: integer}
          note: {type: text}
        primary_key: [id]
        checks:
          price_small: {check: "price < 6"}
$$);

-- a dropped column that holds rows, allowed: its loss is counted by the
-- probe and said in the step's comment
SELECT shown FROM shown(converge_script($$
version: 1
schemas:
  sc:
    tables:
      t:
        columns:
          id: {type: integer, nullable: false}
          price: {type: integer}
        primary_key: [id]
$$, allow_data_loss => true))
 WHERE shown LIKE '-- %' OR shown LIKE E'\t\t\t(1%';

-- user text holding the script's own dollar quote gets another one
SELECT count(*) AS quoted_again FROM shown(converge_script($$
version: 1
schemas:
  sc:
    tables:
      t:
        columns:
          id: {type: integer, nullable: false}
          price: {type: integer}
          note: {type: text}
        primary_key: [id]
        checks:
          no_quote: {check: "note <> '$converge_rows$'"}
$$)) WHERE shown LIKE 'DO $converge_rows_1$%';

\pset format aligned
\pset tuples_only off

-- a document that does not parse is refused at its position, as always
SELECT converge_script('version: 1
schemas:
  sc:
    tables: [oops]');

-- the script makes nothing here
SELECT count(*) AS tables FROM pg_tables WHERE schemaname = 'sc';
DROP FUNCTION shown(text);
DROP SCHEMA sc CASCADE;
