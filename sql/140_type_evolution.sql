-- Type evolution with rows: int to bigint under a primary key that foreign
-- keys reference (the foreign key columns follow), text to varchar(n) with
-- a longer value present (refused, then converted with using).
\pset null '(null)'
CREATE SCHEMA te;
CREATE TABLE te.accounts (id integer PRIMARY KEY, name varchar(20));
CREATE TABLE te.orders (id integer PRIMARY KEY,
    account_id integer REFERENCES te.accounts (id), note text);
INSERT INTO te.accounts VALUES (1, 'a'), (2, 'a much longer name');
INSERT INTO te.orders VALUES (10, 1, 'x'), (11, 2, 'y'), (12, NULL, 'z');

CREATE FUNCTION te_doc(name_def text) RETURNS text LANGUAGE sql AS $f$
SELECT format($d$
version: 1
schemas:
  te:
    tables:
      accounts:
        primary_key: [id]
        columns:
          id: {type: bigint}
          name: %s
      orders:
        primary_key: [id]
        columns:
          id: {type: bigint}
          account_id: {type: bigint, references: {table: accounts, column: id}}
          note: {type: text}
$d$, name_def)
$f$;

\set VERBOSITY default
SELECT * FROM converge_schema(te_doc('{type: varchar(10)}'));
SELECT step, action, sql, rows_affected
  FROM converge_schema(te_doc('{type: varchar(10), using: "left(name, 10)"}'));
SELECT a.id, a.name, o.id AS order_id FROM te.accounts a
  LEFT JOIN te.orders o ON o.account_id = a.id ORDER BY a.id, o.id;
SELECT conrelid::regclass, pg_get_constraintdef(oid) FROM pg_constraint
 WHERE connamespace = 'te'::regnamespace ORDER BY conrelid::regclass::text, 2;
SELECT attrelid::regclass, attname, format_type(atttypid, atttypmod)
  FROM pg_attribute WHERE attrelid IN ('te.accounts'::regclass, 'te.orders'::regclass)
   AND attnum > 0 ORDER BY attrelid::regclass::text, attnum;
SELECT count(*) AS steps_left FROM converge_plan(te_doc('{type: varchar(10), using: "left(name, 10)"}'));

DROP SCHEMA te CASCADE;
DROP FUNCTION te_doc(text);
