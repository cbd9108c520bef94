-- What test/fuzz.sql found: documents that contradict themselves or the
-- server, which converge_plan called clean and which then failed when
-- they ran.  Each is now a document error at its line and column; tables
-- hold rows.
CREATE SCHEMA cx;
CREATE DOMAIN cx.positive AS numeric CHECK (VALUE > 0);
CREATE TABLE cx.t (id integer PRIMARY KEY, price cx.positive, note text);
CREATE INDEX t_note ON cx.t (lower(note));
CREATE FUNCTION cx.plus(x integer) RETURNS integer LANGUAGE sql IMMUTABLE
  AS $$ SELECT x + 1 $$;
CREATE VIEW cx.v AS SELECT id, cx.plus(id) AS next FROM cx.t;
INSERT INTO cx.t VALUES (1, 2, 'a'), (2, 3, NULL);
CREATE TABLE cx_doc AS SELECT converge_export('{cx}') AS doc;
SELECT count(*) AS steps FROM converge_plan((SELECT doc FROM cx_doc));

-- a view calls a function the document renames away
SELECT * FROM converge_plan(replace((SELECT doc FROM cx_doc),
  'plus(integer):', 'plus_one(integer):'));
-- a view calls a function nothing has, in a plan that changes other
-- things: no step makes the query valid
SELECT * FROM converge_plan(replace(replace((SELECT doc FROM cx_doc),
  'cx.plus(', 'cx.ps('), '[lower(note)]', '[upper(note)]'));
-- a column keeps a domain the document no longer declares
SELECT * FROM converge_plan(replace((SELECT doc FROM cx_doc),
  'positive: {type: numeric', 'positives: {type: numeric'));
-- a function in a language the server does not have
SELECT * FROM converge_plan(replace((SELECT doc FROM cx_doc),
  'language: sql', 'language: SQL'));
-- an index key naming no column
SELECT * FROM converge_plan(replace((SELECT doc FROM cx_doc),
  '[lower(note)]', '[lowe]'));

DROP SCHEMA cx CASCADE;
DROP TABLE cx_doc;

-- Found by test/evolution.sql: a column retyped that keeps a default its
-- new type cannot take was planned clean and failed at SET DEFAULT, after
-- the type change.  The default is cooked for the new type: the document's
-- error at its line.
CREATE SCHEMA cy;
CREATE TABLE cy.t (id integer PRIMARY KEY, c text DEFAULT 'b');
INSERT INTO cy.t VALUES (1, 'abc'), (2, 'de');
SELECT * FROM converge_plan($$
version: 1
schemas:
  cy:
    tables:
      t:
        primary_key: [id]
        columns:
          id: {type: integer, nullable: false}
          c: {type: integer, default: "'b'", using: "length(c)"}
$$);
SELECT step, action, sql FROM converge_plan($$
version: 1
schemas:
  cy:
    tables:
      t:
        primary_key: [id]
        columns:
          id: {type: integer, nullable: false}
          c: {type: integer, default: "'7'", using: "length(c)"}
$$);
DROP SCHEMA cy CASCADE;

-- Found by the long fuzz run (seed 0.5, 100,000 documents): plans called
-- clean that failed when run, and refusals without a position.  Each is
-- now refused at its line and column, or converges.
CREATE SCHEMA cz;
CREATE TABLE cz.parent (id integer PRIMARY KEY);
CREATE TABLE cz.t (id integer PRIMARY KEY, amount numeric, note text,
                   parent_id integer REFERENCES cz.parent);
CREATE VIEW cz.v AS SELECT t.id, t.amount FROM cz.t;
INSERT INTO cz.parent VALUES (1), (2);
INSERT INTO cz.t VALUES (1, 10, 'a', 1), (2, 20, 'b', 2);
-- the view's query as the document writes it (releases deparse it apart)
CREATE TABLE cz_doc AS SELECT regexp_replace(converge_export('{cz}'),
  'query: .*', 'query: SELECT t.id, t.amount FROM cz.t') AS doc;
SELECT count(*) AS steps FROM converge_plan((SELECT doc FROM cz_doc));
-- a view's query naming a column nothing has, in a plan that changes
-- something else (a column added): nothing the plan makes explains it
SELECT * FROM converge_plan(replace(replace((SELECT doc FROM cz_doc),
  't.amount', 't.amo'), 'note: {type: text}', 'note: {type: text}
          extra: {type: text}'));
-- an alias the query does not have, the same way
SELECT * FROM converge_plan(replace(replace((SELECT doc FROM cz_doc),
  'FROM cz.t', 'FROM cz.t x'), 'note: {type: text}', 'note: {type: text}
          extra: {type: text}'));
-- a view's query whose columns share a name
SELECT * FROM converge_plan(replace((SELECT doc FROM cz_doc),
  'SELECT t.id,', 'SELECT t.*,'));
-- the primary key a foreign key references, dropped
SELECT * FROM converge_plan(replace((SELECT doc FROM cz_doc),
  E'        primary_key: [id]\n      t:', E'      t:'));
-- a type of three dotted parts
SELECT * FROM converge_plan(replace((SELECT doc FROM cz_doc),
  'note: {type: text}', 'note: {type: pg.catalog.text}'));
-- a function of three dotted parts in an index key
SELECT * FROM converge_plan(replace((SELECT doc FROM cz_doc),
  E'\n    views:', E'\n        indexes: {t_note: {columns: [pg.catalog.lower(note)]}}\n    views:'));
-- an index key naming no column of a table the plan creates
SELECT * FROM converge_plan(replace((SELECT doc FROM cz_doc),
  E'      t:\n', E'      t2:\n        columns: {a: {type: text}}\n        indexes: {t2_b: {columns: [b]}}\n      t:\n'));
-- a policy of a table the plan creates naming no column of it
SELECT * FROM converge_plan(replace((SELECT doc FROM cz_doc),
  E'      t:\n', E'      t2:\n        columns: {a: {type: integer}}\n        row_level_security: {enabled: true}\n        policies: {mine: {using: "b < 100"}}\n      t:\n'));
-- a key written "(note)" is the column's key: converged, nothing is left
SELECT step, action, sql FROM converge_schema(replace((SELECT doc FROM cz_doc),
  E'\n    views:', E'\n        indexes: {t_note: {columns: [(note)]}}\n    views:'));
SELECT count(*) AS steps FROM converge_plan(replace((SELECT doc FROM cz_doc),
  E'\n    views:', E'\n        indexes: {t_note: {columns: [(note)]}}\n    views:'));
SELECT pg_get_indexdef('cz.t_note'::regclass);
SELECT count(*) AS rows FROM cz.t;
DROP SCHEMA cz CASCADE;
DROP TABLE cz_doc;
