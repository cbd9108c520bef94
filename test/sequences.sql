-- pgTAP: sequences after converging tables that hold rows: the catalog as
-- the document says, positions kept, new owned sequences past the rows.
BEGIN;
CREATE EXTENSION pg_converge;
SELECT plan(16);

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

SELECT * FROM finish();
ROLLBACK;
