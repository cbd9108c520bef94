-- pgTAP: partitioned tables after converging: the tree of partitions,
-- the rows in the partition their bound gives them, a table of its own
-- attached with its rows, a column added to the parent reaching every
-- partition with its default filled in, and a partition dropped with its
-- rows only when data loss is allowed.
BEGIN;
CREATE EXTENSION pg_converge;
SELECT plan(15);

CREATE SCHEMA ledger;
CREATE TABLE ledger.archive (id integer NOT NULL, booked date NOT NULL,
                             amount numeric);
INSERT INTO ledger.archive VALUES (1, '2021-02-01', 10), (2, '2021-11-30', 20);

CREATE FUNCTION pg_temp.doc(extra_partitions text, extra_columns text)
RETURNS text LANGUAGE sql AS $d$
SELECT format($$
version: 1
schemas:
  ledger:
    tables:
      entry:
        columns:
          id: {type: integer, nullable: false}
          booked: {type: date, nullable: false}
          amount: {type: numeric, check: 'amount >= 0'}%s
        partition_by: RANGE (booked)
        primary_key: [booked, id]
        indexes:
          entry_amount: {columns: [amount]}
      entry_2022:
        partition_of: entry
        bounds: FOR VALUES FROM ('2022-01-01') TO ('2023-01-01')
      entry_rest:
        partition_of: entry
        bounds: DEFAULT
      archive:
        partition_of: entry
        bounds: FOR VALUES FROM ('2021-01-01') TO ('2022-01-01')%s
$$, extra_columns, extra_partitions)
$d$;

SELECT lives_ok(
  $$SELECT count(*) FROM converge_schema(pg_temp.doc('', ''))$$,
  'a partitioned table, its partitions and an attached table converge');
SELECT is_partitioned('ledger', 'entry', 'the parent is partitioned');
SELECT partitions_are('ledger', 'entry',
  ARRAY['ledger.entry_2022', 'ledger.entry_rest', 'ledger.archive'],
  'the parent has the partitions the document declares');
SELECT is(pg_get_partkeydef('ledger.entry'::regclass), 'RANGE (booked)',
  'the partition key is the document''s');
SELECT is((SELECT array_agg(id ORDER BY id) FROM ledger.entry),
  ARRAY[1, 2], 'the attached table''s rows are the parent''s now');
SELECT has_index('ledger', 'archive', 'archive_amount_idx',
  'the attached table got the parent''s index');

INSERT INTO ledger.entry VALUES (3, '2022-06-01', 5), (4, '2030-01-01', 6);
SELECT is((SELECT tableoid::regclass::text FROM ledger.entry WHERE id = 3),
  'ledger.entry_2022', 'a row goes to the partition its bound gives it');
SELECT is((SELECT tableoid::regclass::text FROM ledger.entry WHERE id = 4),
  'ledger.entry_rest', 'a row no bound takes goes to the default partition');
SELECT throws_ok(
  $$INSERT INTO ledger.entry VALUES (5, '2022-07-01', -1)$$, '23514', NULL,
  'the parent''s CHECK holds in every partition');

SELECT lives_ok(
  $$SELECT count(*) FROM converge_schema(pg_temp.doc('', '
          currency: {type: text, nullable: false, default: "''EUR''"}'))$$,
  'a column declared on the parent converges');
SELECT is((SELECT count(*) FROM pg_attribute
            WHERE attname = 'currency' AND NOT attisdropped
              AND attrelid IN ('ledger.entry'::regclass,
                               'ledger.entry_2022'::regclass,
                               'ledger.entry_rest'::regclass,
                               'ledger.archive'::regclass))::integer, 4,
  'the column reaches every partition');
SELECT is((SELECT array_agg(DISTINCT currency) FROM ledger.entry),
  ARRAY['EUR'], 'every existing row holds the column''s default');

SELECT throws_ok(
  $$SELECT count(*) FROM converge_schema($d$
version: 1
schemas:
  ledger:
    tables:
      entry:
        columns:
          id: {type: integer, nullable: false}
          booked: {type: date, nullable: false}
          amount: {type: numeric, check: 'amount >= 0'}
          currency: {type: text, nullable: false, default: "'EUR'"}
        partition_by: RANGE (booked)
        primary_key: [booked, id]
        indexes:
          entry_amount: {columns: [amount]}
      entry_2022:
        partition_of: entry
        bounds: FOR VALUES FROM ('2022-01-01') TO ('2023-01-01')
      entry_rest:
        partition_of: entry
        bounds: DEFAULT
$d$)$$, '55000', NULL,
  'a partition with rows is not dropped without allow_data_loss');
SELECT partitions_are('ledger', 'entry',
  ARRAY['ledger.entry_2022', 'ledger.entry_rest', 'ledger.archive'],
  'the refused plan left every partition in place');
SELECT is((SELECT count(*) FROM ledger.entry)::integer, 4,
  'and every row');

SELECT * FROM finish();
ROLLBACK;
