-- Sequences: created, altered in place without moving, renamed, owned by
-- a column, dropped only with allow_data_loss once they handed out
-- values; serial columns keep their sequences; tables hold rows.
\pset null '(null)'
CREATE SCHEMA sq;
-- a serial column made by plain DDL, with rows
CREATE TABLE sq.orders (id serial PRIMARY KEY, note text);
INSERT INTO sq.orders (note) SELECT 'o' || i FROM generate_series(1, 5) i;
-- a table whose ids were loaded by hand, up to 57
CREATE TABLE sq.tickets (id bigint PRIMARY KEY);
INSERT INTO sq.tickets SELECT i FROM generate_series(40, 57) i;
-- a standalone sequence that has handed out values
CREATE SEQUENCE sq.legacy_no;
SELECT nextval('sq.legacy_no');

-- The document as converge_export() writes it: the serial column's
-- sequence is declared, owned by its column.
SELECT converge_export('{sq}');
SELECT count(*) AS steps FROM converge_plan(converge_export('{sq}'));

CREATE FUNCTION sq_doc(extra text DEFAULT '') RETURNS text LANGUAGE sql AS $f$
SELECT $d$
version: 1
schemas:
  sq:
    sequences:
      orders_id_seq: {type: integer, owned_by: orders.id}
      invoice_no: {start: 1000, increment: 10, cache: 5, comment: invoice numbers}
      tickets_id_seq: {owned_by: tickets.id}
$d$ || extra || $d$
    tables:
      orders:
        primary_key: [id]
        columns:
          id: {type: integer, default: "nextval('sq.orders_id_seq'::regclass)"}
          note: {type: text}
      tickets:
        primary_key: [id]
        columns:
          id: {type: bigint, default: "nextval('sq.tickets_id_seq'::regclass)"}
$d$ $f$;

-- a new sequence, one owned by a column holding values up to 57 (it
-- continues after them), and the undeclared legacy_no, which handed out a
-- value: refused without allow_data_loss
SELECT step, action, sql, problem FROM converge_plan(sq_doc());
SELECT * FROM converge_schema(sq_doc());
SELECT step, action, hazards, problem
  FROM converge_plan(sq_doc(), allow_data_loss => true);
SELECT action FROM converge_schema(sq_doc(), allow_data_loss => true);
SELECT count(*) AS steps FROM converge_plan(sq_doc());
SELECT c.relname, s.seqstart, s.seqincrement, s.seqcache,
       obj_description(c.oid, 'pg_class') AS comment
  FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid
 WHERE c.relnamespace = 'sq'::regnamespace ORDER BY 1;
INSERT INTO sq.tickets DEFAULT VALUES RETURNING id;
SELECT pg_get_serial_sequence('sq.tickets', 'id') AS owned;
SELECT nextval('sq.invoice_no'), nextval('sq.invoice_no');
INSERT INTO sq.orders (note) VALUES ('o6') RETURNING id;

-- options change in place: the position is kept
SELECT step, action, sql FROM converge_plan(replace(sq_doc(),
  'start: 1000, increment: 10, cache: 5', 'start: 1000, increment: 5, max: 100000'));
SELECT action FROM converge_schema(replace(sq_doc(),
  'start: 1000, increment: 10, cache: 5', 'start: 1000, increment: 5, max: 100000'));
SELECT nextval('sq.invoice_no');

-- bounds that exclude the value reached are refused in the plan
SELECT step, action, problem FROM converge_plan(replace(sq_doc(),
  'start: 1000, increment: 10, cache: 5', 'start: 10, increment: 5, max: 500'));
SELECT * FROM converge_schema(replace(sq_doc(),
  'start: 1000, increment: 10, cache: 5', 'start: 10, increment: 5, max: 500'));

-- renamed, keeping its position and comment
SELECT step, action, sql FROM converge_plan(replace(sq_doc(),
  'invoice_no: {', 'invoice_seq: {renamed_from: invoice_no, '));
SELECT action FROM converge_schema(replace(sq_doc(),
  'invoice_no: {', 'invoice_seq: {renamed_from: invoice_no, '));
SELECT nextval('sq.invoice_seq');
SELECT action FROM converge_schema(replace(sq_doc(),
  'invoice_no: {', 'invoice_no: {renamed_from: invoice_seq, '));

-- an undeclared sequence a column owns goes with its column: never dropped
-- on its own
SELECT count(*) AS steps FROM converge_plan(replace(sq_doc(),
  '      orders_id_seq: {type: integer, owned_by: orders.id}' || chr(10), ''));

-- document errors, at their lines
SELECT * FROM converge_plan(sq_doc('      bad: {type: numeric}' || chr(10)));
SELECT * FROM converge_plan(sq_doc('      bad: {min: 10, max: 5}' || chr(10)));
SELECT * FROM converge_plan(sq_doc('      bad: {owned_by: orders}' || chr(10)));
SELECT * FROM converge_plan(sq_doc('      bad: {owned_by: orders.nope}' || chr(10)));
SELECT * FROM converge_plan(sq_doc('      bad: {increment: 0}' || chr(10)));
-- a kept default that uses a sequence the document drops
CREATE SEQUENCE sq.spare;
ALTER TABLE sq.tickets ADD COLUMN code bigint DEFAULT nextval('sq.spare');
SELECT * FROM converge_plan(replace(sq_doc(), 'default: "nextval(''sq.tickets_id_seq''::regclass)"}',
  'default: "nextval(''sq.tickets_id_seq''::regclass)"}' || chr(10) ||
  '          code: {type: bigint, default: "nextval(''sq.spare''::regclass)"}'));
-- dropping the default with it is fine
SELECT step, action FROM converge_plan(replace(sq_doc(), 'default: "nextval(''sq.tickets_id_seq''::regclass)"}',
  'default: "nextval(''sq.tickets_id_seq''::regclass)"}' || chr(10) ||
  '          code: {type: bigint}'));

DROP SCHEMA sq CASCADE;
DROP FUNCTION sq_doc(text);

-- serial, bigserial, smallserial: the shorthand CREATE TABLE takes.  A new
-- serial column of a table with rows numbers them, and its sequence goes on
-- past them; export writes the shorthand back.
CREATE SCHEMA ss;
CREATE TABLE ss.notes (body text);
INSERT INTO ss.notes SELECT 'n' || i FROM generate_series(1, 6) i;
CREATE FUNCTION ss_doc() RETURNS text LANGUAGE sql AS $f$ SELECT $d$
version: 1
schemas:
  ss:
    tables:
      notes:
        columns:
          body: {type: text}
          id: {type: bigserial}
      tags:
        columns:
          id: {type: smallserial}
          name: {type: text}
$d$ $f$;
SELECT step, action, sql FROM converge_plan(ss_doc());
SELECT count(*) AS steps FROM converge_schema(ss_doc());
SELECT count(*) AS numbered, count(DISTINCT id) AS distinct_ids FROM ss.notes;
INSERT INTO ss.notes (body) VALUES ('new') RETURNING id;
SELECT converge_export('{ss}');
SELECT count(*) AS steps FROM converge_plan(ss_doc());
-- the shorthand says nullability and default itself
SELECT * FROM converge_plan(replace(ss_doc(), '{type: smallserial}',
                                    '{type: smallserial, default: "1"}'));
DROP SCHEMA ss CASCADE;
DROP FUNCTION ss_doc();

-- Identity columns: their sequence's options compared and altered in place
-- (the position kept, bounds that exclude it refused); a serial column
-- becoming an identity, and an identity becoming a serial column, keep
-- their values and the next value they hand out.
CREATE SCHEMA si;
CREATE TABLE si.t (id bigint GENERATED ALWAYS AS IDENTITY (START WITH 100 INCREMENT BY 5), v text);
INSERT INTO si.t (v) SELECT 'v' || i FROM generate_series(1, 4) i;
CREATE TABLE si.s (id serial PRIMARY KEY, v text);
INSERT INTO si.s (v) SELECT 'v' || i FROM generate_series(1, 5) i;
DELETE FROM si.s WHERE id > 3;
CREATE TABLE si.i (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text);
INSERT INTO si.i (v) SELECT 'v' || i FROM generate_series(1, 5) i;
DELETE FROM si.i WHERE id > 3;
SELECT converge_export('{si}');
CREATE FUNCTION si_doc(t_seq text) RETURNS text LANGUAGE sql AS $f$ SELECT $d$
version: 1
schemas:
  si:
    tables:
      t:
        columns:
          id: {type: bigint, identity: always, sequence: $d$ || t_seq || $d$}
          v: {type: text}
      s:
        primary_key: [id]
        columns:
          id: {type: integer, identity: always}
          v: {type: text}
      i:
        primary_key: [id]
        columns:
          id: {type: serial}
          v: {type: text}
      w:
        columns:
          id: {type: smallint, identity: by default, sequence: {start: 7}}
$d$ $f$;
SELECT step, action, sql, reason
  FROM converge_plan(si_doc('{start: 100, increment: 10, max: 100000}'))
 WHERE action <> 'sync_identity';
SELECT count(*) AS steps
  FROM converge_schema(si_doc('{start: 100, increment: 10, max: 100000}'));
INSERT INTO si.t (v) VALUES ('next') RETURNING id;
INSERT INTO si.s (v) VALUES ('next') RETURNING id;
INSERT INTO si.i (v) VALUES ('next') RETURNING id;
INSERT INTO si.w DEFAULT VALUES RETURNING id;
SELECT converge_export('{si}');
SELECT count(*) AS steps
  FROM converge_plan(si_doc('{start: 100, increment: 10, max: 100000}'));
-- bounds that exclude the position reached are refused in the plan
SELECT step, action, problem
  FROM converge_plan(si_doc('{start: 100, increment: 10, max: 120}'))
 WHERE problem IS NOT NULL;
-- sequence options need an identity
SELECT * FROM converge_plan(replace(si_doc('{start: 100}'),
                                    'identity: by default, ', ''));
DROP SCHEMA si CASCADE;
DROP FUNCTION si_doc(text);
