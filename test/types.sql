-- pgTAP: enums and domains after converging tables that hold rows (seed 002
-- in one transaction), asserted with pgTAP's type assertions and the rows.
BEGIN;
CREATE EXTENSION pg_converge;
SELECT plan(20);

CREATE SCHEMA ai;
CREATE TYPE ai.provider AS ENUM ('openai', 'anthropic', 'legacy');
CREATE DOMAIN ai.tokens AS integer CONSTRAINT tokens_positive CHECK (VALUE > 0);
CREATE TABLE ai.keys (
    id integer PRIMARY KEY,
    provider ai.provider NOT NULL,
    requested text,
    budget ai.tokens
);
INSERT INTO ai.keys VALUES
    (1, 'openai', 'azure', 100), (2, 'legacy', 'openai', 5), (3, 'anthropic', 'oai', NULL);

CREATE FUNCTION pg_temp.doc() RETURNS text LANGUAGE sql AS $d$ SELECT $$
version: 1
schemas:
  ai:
    enums:
      provider:
        values: [openai, anthropic, azure, openai-compat]
        remap: {legacy: openai}
    domains:
      tokens: {type: integer, nullable: false, default: "1", checks: {tokens_positive: "VALUE > 0 AND VALUE <= 1000"}}
      label: {type: text, checks: {label_short: "length(VALUE) < 20"}}
    tables:
      keys:
        primary_key: [id]
        columns:
          id: {type: integer}
          provider: {type: provider, nullable: false, default: "'openai-compat'"}
          requested: {type: provider, remap: {oai: openai}}
          budget: {type: tokens}
          note: {type: label, default: "'none'"}
$$ $d$;

-- a NULL budget blocks the domain's new NOT NULL: refused, nothing changed
SELECT throws_ok($$SELECT count(*) FROM converge_schema(pg_temp.doc())$$,
                 '55000', NULL, 'a NULL row refuses the domain NOT NULL');
SELECT enum_has_labels('ai', 'provider', ARRAY['openai', 'anthropic', 'legacy'],
                       'the refused call left the enum as it was');
UPDATE ai.keys SET budget = 10 WHERE budget IS NULL;

SELECT lives_ok($$SELECT count(*) FROM converge_schema(pg_temp.doc())$$,
                'new labels used in the same transaction converge');
SELECT has_enum('ai', 'provider', 'the enum exists under its own name');
SELECT enum_has_labels('ai', 'provider',
                       ARRAY['openai', 'anthropic', 'azure', 'openai-compat'],
                       'labels in document order');
SELECT hasnt_type('ai', 'provider_converge', 'no temporary type is left');
SELECT has_domain('ai', 'tokens', 'tokens is a domain');
SELECT has_domain('ai', 'label', 'label is a new domain');
SELECT domain_type_is('ai', 'label', 'text', 'label is over text');
SELECT col_type_is('ai', 'keys', 'provider', 'ai.provider', 'provider is the enum');
SELECT col_type_is('ai', 'keys', 'requested', 'ai.provider', 'the text column became the enum');
SELECT col_type_is('ai', 'keys', 'budget', 'ai.tokens', 'budget keeps its domain');
SELECT col_type_is('ai', 'keys', 'note', 'ai.label', 'note is of the new domain');
SELECT col_default_is('ai', 'keys', 'provider', 'openai-compat'::text,
                      'a default naming a new label');
SELECT results_eq(
    $$SELECT id, provider::text, requested::text, budget::int, note::text FROM ai.keys ORDER BY id$$,
    $$VALUES (1, 'openai', 'azure', 100, 'none'), (2, 'openai', 'openai', 5, 'none'),
             (3, 'anthropic', 'openai', 10, 'none')$$,
    'every row kept, remapped and converted');
SELECT is((SELECT typnotnull FROM pg_type WHERE oid = 'ai.tokens'::regtype), true,
          'the domain is NOT NULL');
-- contype: from PostgreSQL 17 on a domain's NOT NULL is a constraint too
SELECT is((SELECT pg_get_constraintdef(oid) FROM pg_constraint
            WHERE contypid = 'ai.tokens'::regtype AND contype = 'c'),
          'CHECK (((VALUE > 0) AND (VALUE <= 1000)))', 'the domain CHECK is the new one');
SELECT ok(converge_is_converged(pg_temp.doc()), 'schema converged');
SELECT is_empty($$SELECT * FROM converge_plan(converge_export('{ai}'))$$,
                'the export of enums and domains reads back the same');
SELECT throws_ok($$INSERT INTO ai.keys (id, provider, budget) VALUES (9, 'openai', 5000)$$,
                 '23514', NULL, 'the domain CHECK holds for new rows');

SELECT * FROM finish();
ROLLBACK;
