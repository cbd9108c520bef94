-- Enums that survive real data: seed 002 (a new value used in the same
-- transaction) and narrowing with and without remap, on tables with rows.
\pset null '(null)'
CREATE SCHEMA en;
CREATE TYPE en.provider AS ENUM ('openai', 'anthropic', 'legacy');
CREATE TABLE en.keys (
    id integer PRIMARY KEY,
    provider en.provider NOT NULL DEFAULT 'openai' CHECK (provider <> 'anthropic' OR id = 2),
    backup en.provider[],
    vendor text
);
INSERT INTO en.keys VALUES
    (1, 'openai', '{anthropic}', 'azure'),
    (2, 'anthropic', NULL, 'openai'),
    (3, 'legacy', '{openai,legacy}', 'oai'),
    (4, 'legacy', NULL, NULL);
CREATE TABLE en.snapshot AS SELECT * FROM en.keys;

CREATE FUNCTION en_doc(enum_def text, vendor_def text DEFAULT '{type: text}')
RETURNS text LANGUAGE sql AS $f$
SELECT format($d$
version: 1
schemas:
  en:
    enums:
      provider: %s
    tables:
      keys:
        primary_key: [id]
        columns:
          id: {type: integer}
          provider: {type: provider, nullable: false, default: "'openai'"}
          backup: {type: "provider[]"}
          vendor: %s
        checks:
          keys_check: "provider <> 'anthropic' OR id = 2"
      snapshot:
        columns:
          id: {type: integer}
          provider: {type: provider}
          backup: {type: "provider[]"}
          vendor: {type: text}
$d$, enum_def, vendor_def)
$f$;

-- the document as the catalog is
SELECT count(*) AS steps FROM converge_plan(en_doc('{values: [openai, anthropic, legacy]}'));

-- a value added and used by nothing: ADD VALUE, in place, at its position
SELECT step, action, sql FROM converge_plan(
    en_doc('{values: [openai, azure, anthropic, legacy, gemini]}'));

-- a new first label goes before the first existing one; an empty enum
-- gets plain ADD VALUE
CREATE TYPE en.empty AS ENUM ();
CREATE TYPE en.tail AS ENUM ('c');
SELECT step, action, sql FROM converge_plan(replace(
    en_doc('{values: [openai, anthropic, legacy]}'),
    '    tables:', '      empty: {values: [a]}
      tail: {values: [a, b, c]}
    tables:'));
DROP TYPE en.empty;
DROP TYPE en.tail;

-- a value renamed keeps its rows: RENAME VALUE
SELECT step, action, sql FROM converge_plan(
    en_doc('{values: [openai, anthropic, old], renamed_values: {legacy: old}}'));

-- a removed value that rows hold, with no remap: refused before any DDL,
-- naming every column and the rows
\set VERBOSITY default
SELECT * FROM converge_schema(en_doc('{values: [openai, anthropic]}'));
SELECT count(*) AS legacy_rows FROM en.keys WHERE provider = 'legacy';

-- seed 002: azure is added and, in the same call, the text column vendor
-- holding 'azure' converts into the enum: the type is recreated (ADD VALUE
-- would be unusable before commit), rows of every column move to it, the
-- removed value is remapped
SELECT step, action, object, sql, rows_affected, problem FROM converge_schema(
    en_doc('{values: [openai, anthropic, azure], remap: {legacy: openai}}',
           '{type: provider, remap: {oai: openai}}'));
SELECT id, provider, backup, vendor FROM en.keys ORDER BY id;
SELECT id, provider FROM en.snapshot ORDER BY id;
SELECT enumlabel FROM pg_enum WHERE enumtypid = 'en.provider'::regtype ORDER BY enumsortorder;
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
 WHERE conrelid = 'en.keys'::regclass AND contype = 'c';
SELECT count(*) AS steps_left FROM converge_plan(
    en_doc('{values: [openai, anthropic, azure], remap: {legacy: openai}}',
           '{type: provider, remap: {oai: openai}}'));
SELECT converge_is_converged(converge_export('{en}'));

-- an enum something outside the document uses cannot be recreated
CREATE VIEW public.en_view AS SELECT provider FROM en.keys;
SELECT action, problem FROM converge_plan(
    en_doc('{values: [anthropic, openai, azure]}', '{type: provider}'))
 WHERE problem IS NOT NULL;
DROP VIEW public.en_view;

-- an enum column back to text, and an undeclared enum dropped
SELECT step, action, sql FROM converge_schema($$
version: 1
schemas:
  en:
    tables:
      keys:
        primary_key: [id]
        columns:
          id: {type: integer}
          provider: {type: text, nullable: false, default: "'openai'"}
          backup: {type: "text[]"}
          vendor: {type: text}
        checks:
          keys_check: "provider <> 'anthropic' OR id = 2"
      snapshot:
        columns:
          id: {type: integer}
          provider: {type: text}
          backup: {type: "text[]"}
          vendor: {type: text}
$$);
SELECT to_regtype('en.provider') AS provider_type;
SELECT id, provider, backup, vendor FROM en.keys ORDER BY id;

-- a label renamed in place and named by a default, a CHECK and an index
-- predicate in the same document: they are set again after the rename
CREATE TYPE en.st AS ENUM ('a', 'b');
CREATE TABLE en.items (id int PRIMARY KEY, s en.st DEFAULT 'a' CHECK (s <> 'a'::en.st OR id > 0));
CREATE INDEX items_b ON en.items (id) WHERE s = 'b';
INSERT INTO en.items VALUES (1, 'a'), (2, 'b');
SELECT step, action, sql FROM converge_schema(replace(
    en_doc('{values: [openai, anthropic, azure], remap: {legacy: openai}}',
           '{type: provider, remap: {oai: openai}}'),
    '    tables:', '      st: {values: [a, bee], renamed_values: {b: bee}}
    tables:
      items:
        primary_key: [id]
        columns:
          id: {type: integer}
          s: {type: st, default: "''bee''", check: "s <> ''bee''::en.st OR id > 1"}
        indexes:
          items_b: {columns: [id], where: "s = ''bee''"}'));
SELECT id, s FROM en.items ORDER BY id;
SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 'en.items'::regclass;

-- an unqualified type the document declares in the column's schema is
-- that type, even when the search path finds another of its name first
CREATE TYPE public.lvl AS ENUM ('x');
CREATE SCHEMA en2;
SELECT step, action, sql FROM converge_plan($$
version: 1
schemas:
  en2:
    enums:
      lvl: {values: [low, high]}
    tables:
      t:
        columns:
          l: {type: lvl}
$$);
DROP TYPE public.lvl;
DROP SCHEMA en2;

-- a domain over a recreated enum is recreated over the new one; its CHECK
-- naming a label and the enum's comment survive
CREATE TYPE en.mood AS ENUM ('happy', 'sad', 'meh');
COMMENT ON TYPE en.mood IS 'feelings';
CREATE DOMAIN en.good_mood AS en.mood CONSTRAINT not_sad CHECK (VALUE <> 'sad');
CREATE TABLE en.people (id int PRIMARY KEY, m en.good_mood, raw en.mood);
INSERT INTO en.people VALUES (1, 'happy', 'sad'), (2, 'meh', 'meh'), (3, NULL, 'happy');
SELECT step, action, sql FROM converge_schema($$
version: 1
schemas:
  en:
    enums:
      mood: {values: [happy, sad, content], remap: {meh: content}, comment: feelings}
    domains:
      good_mood: {type: mood, checks: {not_sad: "VALUE <> 'sad'"}}
    tables:
      keys:
        primary_key: [id]
        columns:
          id: {type: integer}
          provider: {type: text, nullable: false, default: "'openai'"}
          backup: {type: "text[]"}
          vendor: {type: text}
        checks:
          keys_check: "provider <> 'anthropic' OR id = 2"
      snapshot:
        columns:
          id: {type: integer}
          provider: {type: text}
          backup: {type: "text[]"}
          vendor: {type: text}
      people:
        primary_key: [id]
        columns:
          id: {type: integer}
          m: {type: good_mood}
          raw: {type: mood}
$$);
SELECT * FROM en.people ORDER BY id;
SELECT obj_description('en.mood'::regtype, 'pg_type') AS mood_comment;
SELECT converge_is_converged(converge_export('{en}'));

DROP SCHEMA en CASCADE;
DROP FUNCTION en_doc(text, text);
