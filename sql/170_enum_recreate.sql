-- An enum recreated while defaults, CHECKs, index predicates, generated
-- columns, domain defaults and arrays name it with a cast, as
-- converge_export() writes them; and seed 002 written with an explicit
-- cast in "using".  Every table has rows.
\pset null '(null)'
\set VERBOSITY default
CREATE SCHEMA ac;
CREATE TYPE ac.st AS ENUM ('active', 'old');
CREATE DOMAIN ac.st_d AS ac.st DEFAULT 'active'::ac.st;
CREATE TABLE ac.accounts (
    id int PRIMARY KEY,
    status ac.st NOT NULL DEFAULT 'active'::ac.st
        CHECK (status <> 'active'::ac.st OR id > 0),
    tags ac.st[] DEFAULT '{active}'::ac.st[],
    d ac.st_d,
    is_active boolean GENERATED ALWAYS AS (status = 'active'::ac.st) STORED
);
CREATE INDEX accounts_active ON ac.accounts (id) WHERE status = 'active'::ac.st;
INSERT INTO ac.accounts (id, status, tags, d)
VALUES (1, 'active', '{active,old}', 'old'), (2, 'old', NULL, DEFAULT);
SELECT converge_export('{ac}') AS doc \gset

-- a removal with remap: the casts reach the temporary type while the
-- columns have it, and follow it through its rename
SELECT step, action, sql FROM converge_schema(replace(:'doc',
    '{values: [active, old]}',
    '{values: [active, suspended], remap: {old: suspended}}'));
SELECT id, status, tags, d, is_active FROM ac.accounts ORDER BY id;
INSERT INTO ac.accounts (id) VALUES (3);
SELECT id, status, tags, d FROM ac.accounts WHERE id = 3;
SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef
 WHERE adrelid = 'ac.accounts'::regclass ORDER BY adnum;
SELECT pg_get_expr(typdefaultbin, 0) FROM pg_type WHERE oid = 'ac.st_d'::regtype;
SELECT converge_is_converged(converge_export('{ac}'));

-- an addition a default uses forces a recreate: the same holds
SELECT converge_export('{ac}') AS doc \gset
SELECT step, action, sql FROM converge_schema(replace(replace(:'doc',
    '{values: [active, suspended]}', '{values: [active, suspended, new]}'),
    'status: {type: ac.st, nullable: false, default: ''''''active''''::ac.st''}',
    'status: {type: ac.st, nullable: false, default: ''''''new''''::ac.st''}'));
INSERT INTO ac.accounts (id) VALUES (4);
SELECT id, status, tags, d, is_active FROM ac.accounts ORDER BY id;
SELECT converge_is_converged(converge_export('{ac}'));

-- a default that is not a label of the recreated enum: refused by the plan
SELECT converge_export('{ac}') AS doc \gset
SELECT step, action, problem FROM converge_plan(replace(replace(:'doc',
    '{values: [active, suspended, new]}', '{values: [active, new]}'),
    '''''new''''::ac.st', '''''suspended''''::ac.st'))
 WHERE problem IS NOT NULL;
SELECT * FROM converge_schema(replace(replace(:'doc',
    '{values: [active, suspended, new]}', '{values: [active, new], remap: {suspended: new}}'),
    '''''new''''::ac.st', '''''gone''''::ac.st'));
SELECT enumlabel FROM pg_enum WHERE enumtypid = 'ac.st'::regtype ORDER BY enumsortorder;

-- seed 002 as users write it: a text column converted into the widened
-- enum with an explicit cast in "using"
CREATE SCHEMA cd;
CREATE TYPE cd.ai_provider_type AS ENUM ('openai', 'anthropic');
CREATE TABLE cd.chat_providers (id int PRIMARY KEY, provider text NOT NULL);
INSERT INTO cd.chat_providers VALUES (1, 'openai'), (2, 'azure'), (3, 'anthropic');
CREATE FUNCTION cd_doc(using_expr text) RETURNS text LANGUAGE sql AS $f$
SELECT format($d$
version: 1
schemas:
  cd:
    enums:
      ai_provider_type: {values: [openai, anthropic, azure]}
    tables:
      chat_providers:
        primary_key: [id]
        columns:
          id: {type: integer}
          provider: {type: ai_provider_type, nullable: false, using: %s}
$d$, using_expr)
$f$;
SELECT step, action, sql, rows_affected, problem
  FROM converge_plan(cd_doc('"provider::ai_provider_type"'));
SELECT step, action FROM converge_schema(cd_doc('"provider::ai_provider_type"'));
SELECT id, provider, pg_typeof(provider) FROM cd.chat_providers ORDER BY id;
SELECT converge_is_converged(cd_doc('"provider::ai_provider_type"'));

-- a row holding a value that is not a label: refused, with counts and samples
ALTER TABLE cd.chat_providers ALTER COLUMN provider TYPE text;
DROP TYPE cd.ai_provider_type;
CREATE TYPE cd.ai_provider_type AS ENUM ('openai', 'anthropic');
INSERT INTO cd.chat_providers VALUES (4, 'gemini');
SELECT * FROM converge_schema(cd_doc('"provider::cd.ai_provider_type"'));
SELECT id, provider, pg_typeof(provider) FROM cd.chat_providers ORDER BY id;
