-- Partitioned tables: "partition_by" on the parent, "partition_of" and
-- "bounds" on each partition, whose columns are the parent's.  A new
-- partition is created, an existing table attached after its rows are
-- checked against the bound, a partition that is no longer declared is
-- dropped (data_loss with rows); the rows of a default partition that a
-- new bound claims block it; a partition key cannot change in place.
-- Every table holds rows.
\pset null '(null)'
CREATE SCHEMA pt;
CREATE TABLE pt.payment (id integer NOT NULL, paid date NOT NULL,
                         amount numeric CHECK (amount > 0),
                         PRIMARY KEY (paid, id)) PARTITION BY RANGE (paid);
CREATE TABLE pt.payment_2022 PARTITION OF pt.payment
  FOR VALUES FROM ('2022-01-01') TO ('2023-01-01');
CREATE TABLE pt.payment_2023 PARTITION OF pt.payment
  FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE pt.payment_rest PARTITION OF pt.payment DEFAULT;
CREATE INDEX payment_amount ON pt.payment (amount);
CREATE INDEX payment_2022_id ON pt.payment_2022 (id);
INSERT INTO pt.payment VALUES (1, '2022-03-01', 5), (2, '2023-05-01', 7),
  (3, '2024-02-01', 9), (4, '2024-03-01', 11), (5, '2019-01-01', 1);
CREATE TABLE pt.tag (k text NOT NULL, v integer NOT NULL)
  PARTITION BY LIST (lower(k));
CREATE TABLE pt.tag_ab PARTITION OF pt.tag FOR VALUES IN ('a', 'b')
  PARTITION BY HASH (v);
CREATE TABLE pt.tag_ab0 PARTITION OF pt.tag_ab
  FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE pt.tag_ab1 PARTITION OF pt.tag_ab
  FOR VALUES WITH (MODULUS 2, REMAINDER 1);
INSERT INTO pt.tag VALUES ('a', 1), ('B', 2), ('b', 3);

-- the export names the key and the bounds, never a partition's columns,
-- nor the index and keys it has from its parent
SELECT converge_export('{pt}');
SELECT count(*) AS steps FROM converge_plan(converge_export('{pt}'));

CREATE FUNCTION pt_doc(partitions text DEFAULT '', columns text DEFAULT '',
                       key text DEFAULT 'RANGE (paid)')
RETURNS text LANGUAGE sql AS $f$
SELECT format($d$
version: 1
schemas:
  pt:
    tables:
      payment:
        columns:
          id: {type: integer, nullable: false}
          paid: {type: date, nullable: false}
          amount: {type: numeric, check: 'amount > 0'}%s
        partition_by: %s
        primary_key: [paid, id]
        indexes:
          payment_amount: {columns: [amount]}
      payment_2022:
        partition_of: payment
        bounds: FOR VALUES FROM ('2022-01-01') TO ('2023-01-01')
        indexes:
          payment_2022_id: {columns: [id]}
      payment_rest:
        partition_of: payment
        bounds: DEFAULT%s
      tag:
        columns:
          k: {type: text, nullable: false}
          v: {type: integer, nullable: false}
        partition_by: LIST (lower(k))
      tag_ab:
        partition_of: tag
        bounds: FOR VALUES IN ('a', 'b')
        partition_by: HASH (v)
      tag_ab0:
        partition_of: tag_ab
        bounds: FOR VALUES WITH (MODULUS 2, REMAINDER 0)
      tag_ab1:
        partition_of: tag_ab
        bounds: FOR VALUES WITH (modulus 2, remainder 1)
$d$, columns, key, partitions)
$f$;

-- the same document, written by hand: nothing to do but drop the 2023
-- partition, which holds a row
SELECT step, action, object, sql, hazards, rows_affected, problem
  FROM converge_plan(pt_doc(partitions => $$
      payment_2023:
        partition_of: pt.payment
        bounds: "FOR VALUES FROM ('2023-01-01') TO ('2024-01-01')"$$));
SELECT step, action, object, rows_affected, problem
  FROM converge_plan(pt_doc());

-- a new partition whose range the default partition holds rows of: the
-- server would refuse to leave them there
SELECT step, action, object, sql, rows_affected, problem
  FROM converge_plan(pt_doc(partitions => $$
      payment_2023:
        partition_of: payment
        bounds: FOR VALUES FROM ('2023-01-01') TO ('2024-01-01')
      payment_2024:
        partition_of: payment
        bounds: FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')$$));
SELECT * FROM converge_schema(pt_doc(partitions => $$
      payment_2023:
        partition_of: payment
        bounds: FOR VALUES FROM ('2023-01-01') TO ('2024-01-01')
      payment_2024:
        partition_of: payment
        bounds: FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')$$));

-- one the default partition holds nothing of is created, and takes the
-- parent's index, key and CHECK
SELECT step, action, object, sql FROM converge_schema(pt_doc(partitions => $$
      payment_2023:
        partition_of: payment
        bounds: FOR VALUES FROM ('2023-01-01') TO ('2024-01-01')
      payment_2025:
        partition_of: payment
        bounds: FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')$$));
SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound,
       (SELECT count(*) FROM pg_index x WHERE x.indrelid = c.oid) AS indexes,
       (SELECT count(*) FROM pg_constraint k
         WHERE k.conrelid = c.oid AND k.contype <> 'n') AS constraints
  FROM pg_class c JOIN pg_inherits i ON i.inhrelid = c.oid
 WHERE i.inhparent = 'pt.payment'::regclass ORDER BY 1;
SELECT tableoid::regclass, * FROM pt.payment ORDER BY id;

-- a table of its own becomes a partition: its rows are checked against
-- the bound before anything runs, then it is attached
CREATE TABLE pt.old (id integer NOT NULL, paid date NOT NULL,
                     amount numeric);
INSERT INTO pt.old VALUES (10, '2021-06-01', 2), (11, '2020-12-31', 3);
CREATE FUNCTION pt_with_old() RETURNS text LANGUAGE sql AS $f$
SELECT pt_doc(partitions => $$
      payment_2023:
        partition_of: payment
        bounds: FOR VALUES FROM ('2023-01-01') TO ('2024-01-01')
      payment_2025:
        partition_of: payment
        bounds: FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')
      old:
        partition_of: payment
        bounds: FOR VALUES FROM ('2021-01-01') TO ('2022-01-01')$$)
$f$;
SELECT step, action, object, sql, hazards, rows_affected, problem
  FROM converge_plan(pt_with_old());
DELETE FROM pt.old WHERE id = 11;
SELECT step, action, object, sql, hazards, rows_affected, problem
  FROM converge_schema(pt_with_old());
SELECT tableoid::regclass, * FROM pt.payment ORDER BY id;
SELECT count(*) AS steps FROM converge_plan(pt_with_old());

-- a column added to the parent is added once, and reaches every partition;
-- a retyped one is retyped once
SELECT step, action, object, sql FROM converge_schema(pt_doc(partitions => $$
      payment_2023:
        partition_of: payment
        bounds: FOR VALUES FROM ('2023-01-01') TO ('2024-01-01')
      payment_2025:
        partition_of: payment
        bounds: FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')
      old:
        partition_of: payment
        bounds: FOR VALUES FROM ('2021-01-01') TO ('2022-01-01')$$,
  columns => $$
          note: {type: text, default: "'none'"}$$));
SELECT attrelid::regclass, attname, atttypid::regtype,
       pg_get_expr(d.adbin, d.adrelid) AS "default"
  FROM pg_attribute a LEFT JOIN pg_attrdef d
    ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE attrelid IN ('pt.payment'::regclass, 'pt.old'::regclass,
                    'pt.payment_rest'::regclass)
   AND attname = 'note' ORDER BY 1;

SELECT step, action, object, sql FROM converge_schema(pt_doc(partitions => $$
      payment_2023:
        partition_of: payment
        bounds: FOR VALUES FROM ('2023-01-01') TO ('2024-01-01')
      payment_2025:
        partition_of: payment
        bounds: FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')
      old:
        partition_of: payment
        bounds: FOR VALUES FROM ('2021-01-01') TO ('2022-01-01')$$,
  columns => $$
          note: {type: varchar(20), default: "'none'"}$$));
SELECT attrelid::regclass, format_type(atttypid, atttypmod)
  FROM pg_attribute
 WHERE attrelid IN ('pt.payment'::regclass, 'pt.old'::regclass,
                    'pt.payment_rest'::regclass)
   AND attname = 'note' ORDER BY 1;
SELECT tableoid::regclass, * FROM pt.payment ORDER BY id;

-- a partition the document moves to other bounds is detached and attached
-- again; what it has from its parent would become its own, so that is
-- left to the DBA, and the whole plan is refused before anything runs
SELECT step, action, object, sql, problem FROM converge_plan(pt_doc(
  partitions => $$
      payment_2023:
        partition_of: payment
        bounds: FOR VALUES FROM ('2023-01-01') TO ('2023-07-01')
      payment_2025:
        partition_of: payment
        bounds: FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')
      old:
        partition_of: payment
        bounds: FOR VALUES FROM ('2021-01-01') TO ('2022-01-01')$$,
  columns => $$
          note: {type: varchar(20), default: "'none'"}$$));

-- a partition that is no longer declared is dropped: its rows are lost
SELECT step, action, object, sql, hazards, rows_affected, problem
  FROM converge_plan(pt_doc(columns => $$
          note: {type: varchar(20), default: "'none'"}$$));

-- the partition key cannot change in place
SELECT * FROM converge_plan(pt_doc(key => 'RANGE (id)'));

-- what a document cannot say
SELECT * FROM converge_plan($$
version: 1
schemas:
  pt:
    tables:
      p:
        columns:
          a: {type: integer}
        partition_by: RANGE (a) WITH (fillfactor = 50)
$$);
SELECT * FROM converge_plan($$
version: 1
schemas:
  pt:
    tables:
      p:
        columns:
          a: {type: integer}
        partition_by: SIDEWAYS (a)
$$);
SELECT * FROM converge_plan($$
version: 1
schemas:
  pt:
    tables:
      p:
        columns:
          a: {type: integer}
        partition_by: RANGE (a)
        with: {fillfactor: '50'}
$$);
SELECT * FROM converge_plan($$
version: 1
schemas:
  pt:
    tables:
      p:
        columns:
          a: {type: integer}
        partition_by: RANGE (a)
      p1:
        columns:
          a: {type: integer}
        partition_of: p
        bounds: FOR VALUES FROM (1) TO (2)
$$);
SELECT * FROM converge_plan($$
version: 1
schemas:
  pt:
    tables:
      p:
        columns:
          a: {type: integer}
      p1:
        partition_of: p
        bounds: FOR VALUES FROM (1) TO (2)
$$);
SELECT * FROM converge_plan($$
version: 1
schemas:
  pt:
    tables:
      p:
        columns:
          a: {type: integer}
        partition_by: RANGE (a)
      p1:
        partition_of: p
$$);
SELECT * FROM converge_plan($$
version: 1
schemas:
  pt:
    tables:
      p:
        columns:
          a: {type: integer}
        partition_by: RANGE (a)
      p1:
        bounds: FOR VALUES FROM (1) TO (2)
$$);
SELECT * FROM converge_plan($$
version: 1
schemas:
  pt:
    tables:
      p:
        columns:
          a: {type: integer}
        partition_by: RANGE (a)
      p1:
        partition_of: p
        bounds: FOR VALUES FROM (1) TO (2); DROP TABLE pt.payment
$$);
-- a key of a partitioned table holds its partition key's columns, and its
-- partitions' (the server would refuse it when the plan runs)
SELECT * FROM converge_plan($$
version: 1
schemas:
  pt:
    tables:
      p:
        columns:
          a: {type: integer}
          b: {type: text}
        partition_by: RANGE (a)
        primary_key: [a]
      p1:
        partition_of: p
        bounds: FOR VALUES FROM (1) TO (2)
        partition_by: LIST (b)
$$);
SELECT * FROM converge_plan($$
version: 1
schemas:
  pt:
    tables:
      p:
        columns:
          a: {type: integer}
        partition_by: RANGE ((a + 1))
        unique:
          p_a: [a]
$$);
