-- pgTAP: sequences after converging tables that hold rows: the catalog as
-- the document says, positions kept, new owned sequences past the rows.
BEGIN;
CREATE EXTENSION pg_converge;
SELECT plan(24);

CREATE SCHEMA seqs;
CREATE TABLE seqs.events (id serial PRIMARY KEY, kind text);
INSERT INTO seqs.events (kind) SELECT 'e' || i FROM generate_series(1, 12) i;
CREATE TABLE seqs.imports (id integer PRIMARY KEY, src text);
INSERT INTO seqs.imports SELECT i, 's' || i FROM generate_series(100, 130) i;
CREATE SEQUENCE seqs.batch_no;
SELECT setval('seqs.batch_no', 41);

CREATE FUNCTION pg_temp.doc() RETURNS text LANGUAGE sql AS $d$ SELECT $$
version: 1
schemas:
  seqs:
    sequences:
      events_id_seq: {type: integer, owned_by: events.id, cache: 20}
      batch: {renamed_from: batch_no, increment: 2, comment: one per batch}
      imports_id_seq: {type: integer, owned_by: imports.id}
      countdown: {increment: -1, min: -100}
    tables:
      events:
        primary_key: [id]
        columns:
          id: {type: integer, default: "nextval('seqs.events_id_seq'::regclass)"}
          kind: {type: text}
      imports:
        primary_key: [id]
        columns:
          id: {type: integer, default: "nextval('seqs.imports_id_seq'::regclass)"}
          src: {type: text}
$$ $d$;

SELECT lives_ok($$SELECT converge_schema(pg_temp.doc())$$,
                'the document converges tables that hold rows');
SELECT is((SELECT count(*) FROM converge_plan(pg_temp.doc())), 0::bigint,
          'a second plan is empty');
SELECT has_sequence('seqs', 'events_id_seq', 'the serial sequence is kept');
SELECT has_sequence('seqs', 'batch', 'batch_no is renamed to batch');
SELECT hasnt_sequence('seqs', 'batch_no', 'no sequence keeps the old name');
SELECT has_sequence('seqs', 'imports_id_seq', 'the new owned sequence exists');
SELECT has_sequence('seqs', 'countdown', 'the descending sequence exists');
SELECT is((SELECT seqcache FROM pg_sequence
            WHERE seqrelid = 'seqs.events_id_seq'::regclass), 20::bigint,
          'options are altered in place');
SELECT is((SELECT last_value FROM seqs.events_id_seq), 12::bigint,
          'the serial sequence keeps its position');
SELECT is(nextval('seqs.batch'), 43::bigint,
          'the renamed sequence continues from where it was, by its new step');
SELECT is(obj_description('seqs.batch'::regclass, 'pg_class'), 'one per batch',
          'the comment is set');
SELECT is(pg_get_serial_sequence('seqs.imports', 'id'), 'seqs.imports_id_seq',
          'the new sequence is owned by its column');
SELECT col_default_is('seqs', 'imports', 'id',
                      $$nextval('seqs.imports_id_seq'::regclass)$$,
                      'the column takes its values from it');
INSERT INTO seqs.imports (src) VALUES ('new');
SELECT results_eq($$SELECT id FROM seqs.imports WHERE src = 'new'$$,
                  ARRAY[131],
                  'the first value it hands out is past the rows');
SELECT results_eq($$SELECT seqmin, seqmax, seqstart FROM pg_sequence
                    WHERE seqrelid = 'seqs.countdown'::regclass$$,
                  $$VALUES (-100::bigint, -1::bigint, -1::bigint)$$,
                  'omitted options are what CREATE SEQUENCE gives');
SELECT is((SELECT count(*) FROM seqs.events), 12::bigint,
          'every row is kept');

-- serial and identity columns converted into each other, with rows and
-- with values handed out past the rows
CREATE TABLE seqs.tickets (id serial PRIMARY KEY, t text);
INSERT INTO seqs.tickets (t) SELECT 't' || i FROM generate_series(1, 9) i;
DELETE FROM seqs.tickets WHERE id > 6;
CREATE TABLE seqs.orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                          o text);
INSERT INTO seqs.orders (o) SELECT 'o' || i FROM generate_series(1, 9) i;
DELETE FROM seqs.orders WHERE id > 6;
CREATE FUNCTION pg_temp.swap() RETURNS text LANGUAGE sql AS $d$
SELECT replace(pg_temp.doc(), '    tables:', $$    tables:
      tickets:
        primary_key: [id]
        columns:
          id: {type: integer, identity: by default, sequence: {cache: 5}}
          t: {type: text}
      orders:
        primary_key: [id]
        columns:
          id: {type: bigserial}
          o: {type: text}$$) $d$;
SELECT lives_ok($$SELECT converge_schema(pg_temp.swap())$$,
                'serial becomes identity and identity becomes serial');
SELECT is((SELECT count(*) FROM converge_plan(pg_temp.swap())), 0::bigint,
          'a second plan is empty');
SELECT is((SELECT attidentity FROM pg_attribute
            WHERE attrelid = 'seqs.tickets'::regclass AND attname = 'id'),
          'd'::"char", 'the serial column is an identity');
SELECT hasnt_sequence('seqs', 'tickets_id_seq',
                      'its old sequence is gone, its position taken over');
SELECT col_default_is('seqs', 'orders', 'id',
                      $$nextval('seqs.orders_id_seq'::regclass)$$,
                      'the identity column is a bigserial');
INSERT INTO seqs.tickets (t) VALUES ('next');
INSERT INTO seqs.orders (o) VALUES ('next');
SELECT results_eq($$SELECT id FROM seqs.tickets WHERE t = 'next'$$,
                  ARRAY[10],
                  'the identity hands out what the serial would have');
SELECT results_eq($$SELECT id FROM seqs.orders WHERE o = 'next'$$,
                  ARRAY[10::bigint],
                  'the serial hands out what the identity would have');
SELECT is((SELECT count(*) FROM seqs.tickets) + (SELECT count(*) FROM seqs.orders),
          14::bigint, 'every row is kept');

SELECT * FROM finish();
ROLLBACK;
