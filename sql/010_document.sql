-- Document errors: every one names its line, column and key path in the
-- message itself.
\set VERBOSITY default

-- unrecognized key, with the valid ones in the hint
SELECT * FROM converge_plan($$
version: 1
schemas:
  public:
    tables:
      users:
        columns:
          email: {tpye: text}
$$);

-- a comma inside { } ends a value
SELECT * FROM converge_plan($$
version: 1
schemas:
  public:
    tables:
      t:
        columns:
          amount: {type: numeric(12,2)}
$$);

-- wrong kind of value
SELECT * FROM converge_plan($$
version: 1
schemas:
  public:
    tables:
      users:
        columns: [id, email]
$$);
SELECT * FROM converge_plan($$
version: 1
schemas:
  public:
    tables:
      users:
        columns:
          email: {type: text, nullable: maybe}
$$);

-- duplicate key
SELECT * FROM converge_plan($$
version: 1
schemas:
  public:
    tables:
      users:
        columns:
          email: {type: text}
          email: {type: varchar(100)}
$$);

-- version: missing, unsupported, not a number
SELECT * FROM converge_plan($$
schemas: {}
$$);
SELECT * FROM converge_plan($$
version: 2
$$);
SELECT * FROM converge_plan($$
version: one
$$);

-- anchors, aliases and tags are refused
SELECT * FROM converge_plan($$
version: 1
schemas:
  public:
    tables:
      a:
        columns:
          id: &idcol {type: bigint}
$$);
SELECT * FROM converge_plan($$
version: 1
schemas:
  public:
    tables:
      a:
        columns:
          id: *idcol
$$);
SELECT * FROM converge_plan($$
version: !!int 1
$$);

-- nesting and size are bounded
SELECT * FROM converge_plan('version: 1' || chr(10) || 'x: ' || repeat('[', 40) || repeat(']', 40));
SELECT * FROM converge_plan('version: 1' || chr(10) || '#' || repeat('x', 17 * 1024 * 1024));

-- YAML syntax, empty and multi-document input, null
SELECT * FROM converge_plan($$
version: 1
schemas:
  public: {tables: {a: {columns: {id: {type: bigint}}}
$$);
SELECT * FROM converge_plan('');
SELECT * FROM converge_plan($$
version: 1
---
version: 1
$$);
SELECT * FROM converge_plan(NULL);
SELECT * FROM converge_plan($$
version: 1
schemas:
  public:
    tables:
      a:
        columns:
          id:
$$);

-- a column needs a type, and the type must exist
SELECT * FROM converge_plan($$
version: 1
schemas:
  public:
    tables:
      a:
        columns:
          id: {nullable: false}
$$);
SELECT * FROM converge_plan($$
version: 1
schemas:
  public:
    tables:
      a:
        columns:
          id: {type: bigserial, nullable: true}
$$);
SELECT * FROM converge_plan($$
version: 1
schemas:
  public:
    tables:
      a:
        columns:
          id: {type: "int); DROP TABLE x; --"}
$$);

-- expressions must be exactly one expression, and are never executed
CREATE TABLE x (id int);
SELECT * FROM converge_plan($$
version: 1
schemas:
  public:
    tables:
      a:
        columns:
          id: {type: int, default: "1); DROP TABLE x; --"}
$$);
SELECT * FROM converge_plan($$
version: 1
schemas:
  public:
    tables:
      a:
        columns:
          id: {type: int, default: "1; DROP TABLE x"}
$$);
SELECT * FROM converge_plan($$
version: 1
schemas:
  public:
    tables:
      a:
        columns:
          id: {type: int, default: "1, 2"}
$$);
SELECT * FROM converge_plan($$
version: 1
schemas:
  public:
    tables:
      a:
        columns:
          id: {type: int, default: "1 FROM x"}
$$);
SELECT * FROM converge_plan($$
version: 1
schemas:
  public:
    tables:
      a:
        columns:
          id: {type: int, generated: "id +"}
$$);
SELECT * FROM converge_plan($$
version: 1
schemas:
  public:
    views:
      v: {query: "SELECT 1; DROP TABLE x"}
$$);
SELECT count(*) AS x_still_there FROM x;
DROP TABLE x;

-- a default whose type does not fit the column is found before any DDL
SELECT * FROM converge_plan($$
version: 1
schemas:
  public:
    tables:
      a:
        columns:
          id: {type: int, default: "'abc'"}
$$);

-- identity and generated columns cannot also have a default
SELECT * FROM converge_plan($$
version: 1
schemas:
  public:
    tables:
      a:
        columns:
          id: {type: int, identity: always, default: "1"}
$$);
SELECT * FROM converge_plan($$
version: 1
schemas:
  public:
    tables:
      a:
        columns:
          id: {type: int, identity: sometimes}
$$);
SELECT * FROM converge_plan($$
version: 1
schemas:
  public:
    tables:
      a:
        columns:
          id: {type: int, identity: always, nullable: true}
$$);

-- a collation needs a collatable type, and must exist
SELECT * FROM converge_plan($$
version: 1
schemas:
  public:
    tables:
      a:
        columns:
          id: {type: int, collation: C}
$$);
SELECT * FROM converge_plan($$
version: 1
schemas:
  public:
    tables:
      a:
        columns:
          name: {type: text, collation: no_such_collation}
$$);

-- system schemas and the extension's own schema are never managed
SELECT * FROM converge_plan($$
version: 1
schemas:
  converge: {}
$$);
SELECT * FROM converge_plan($$
version: 1
schemas:
  pg_catalog: {}
$$);

-- grants and policies name roles, which are the cluster's: one that does
-- not exist is a document error at its line
SELECT * FROM converge_plan($$
version: 1
schemas:
  public:
    domains:
      posint: {type: integer, checks: {posint_check: "VALUE > 0"}}
    tables:
      a:
        columns:
          id: {type: int, check: "id > 0"}
        primary_key: [id]
        grants: {app: [select]}
        policies:
          own: {command: all, using: "id > 0"}
$$);

-- invalid UTF-8 (only a SQL_ASCII database lets such bytes through)
CREATE DATABASE converge_ascii ENCODING 'SQL_ASCII' TEMPLATE template0
    LC_COLLATE 'C' LC_CTYPE 'C';
\c converge_ascii
CREATE EXTENSION pg_converge;
SELECT * FROM converge_plan(E'version: 1\nschemas:\n  bad\xff: {}\n');
\c contrib_regression
DROP DATABASE converge_ascii;
