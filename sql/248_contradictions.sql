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
