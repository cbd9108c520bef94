-- pgTAP: row level security and policies after converging a table that
-- holds rows: the catalog as the document says, and what each role sees
-- under SET ROLE.
BEGIN;
CREATE EXTENSION pg_converge;
SELECT plan(13);

CREATE ROLE converge_tap_alice;
CREATE ROLE converge_tap_bob;
CREATE SCHEMA notes;
GRANT USAGE ON SCHEMA notes TO converge_tap_alice, converge_tap_bob;
CREATE TABLE notes.items (id integer PRIMARY KEY, owner name NOT NULL,
                          shared boolean NOT NULL DEFAULT false, body text);
INSERT INTO notes.items VALUES
  (1, 'converge_tap_alice', false, 'a1'), (2, 'converge_tap_alice', true, 'a2'),
  (3, 'converge_tap_bob', false, 'b1'), (4, 'converge_tap_bob', false, 'b2');
GRANT SELECT, INSERT, UPDATE, DELETE ON notes.items
  TO converge_tap_alice, converge_tap_bob;
-- a policy that the document does not declare, and one it changes
CREATE POLICY everything ON notes.items USING (true);
CREATE POLICY own ON notes.items TO converge_tap_alice USING (false);

CREATE FUNCTION pg_temp.doc() RETURNS text LANGUAGE sql AS $d$ SELECT $$
version: 1
schemas:
  notes:
    tables:
      items:
        primary_key: [id]
        columns:
          id: {type: integer, nullable: false}
          owner: {type: name, nullable: false}
          shared: {type: boolean, nullable: false, default: "false"}
          body: {type: text}
        row_level_security: {enabled: true}
        policies:
          own:
            roles: [converge_tap_alice, converge_tap_bob]
            using: "owner = current_user"
            with_check: "owner = current_user"
          read_shared: {command: select, using: "shared"}
          no_delete_shared:
            command: delete
            permissive: false
            roles: [converge_tap_alice, converge_tap_bob]
            using: "NOT shared"
$$ $d$;

SELECT lives_ok($$SELECT converge_schema(pg_temp.doc())$$,
                'the document converges a table that holds rows');
SELECT is((SELECT count(*) FROM converge_plan(pg_temp.doc())), 0::bigint,
          'converging twice plans nothing');
SELECT policies_are('notes', 'items',
                    ARRAY['own', 'read_shared', 'no_delete_shared'],
                    'the undeclared policy is dropped, the others exist');
SELECT policy_cmd_is('notes', 'items', 'read_shared', 'select',
                     'a policy has its command');
SELECT policy_roles_are('notes', 'items', 'own',
                        ARRAY['converge_tap_alice', 'converge_tap_bob'],
                        'a policy has its roles');
SELECT ok((SELECT relrowsecurity AND NOT relforcerowsecurity FROM pg_class
            WHERE oid = 'notes.items'::regclass),
          'row level security is on, not forced');

SET LOCAL ROLE converge_tap_alice;
SELECT results_eq('SELECT id FROM notes.items ORDER BY id',
                  ARRAY[1, 2],
                  'alice sees her rows and the shared one');
SELECT throws_ok($$INSERT INTO notes.items VALUES (5, 'converge_tap_bob', false, 'x')$$,
                 '42501', NULL, 'alice cannot write a row as bob');
SELECT lives_ok($$DELETE FROM notes.items WHERE id IN (1, 2)$$,
                'alice may delete her own rows');
SELECT results_eq('SELECT id FROM notes.items ORDER BY id', ARRAY[2],
                  'the restrictive policy kept the shared row');
RESET ROLE;

SET LOCAL ROLE converge_tap_bob;
SELECT results_eq('SELECT id FROM notes.items ORDER BY id', ARRAY[2, 3, 4],
                  'bob sees his rows and the shared one');
RESET ROLE;

SELECT is((SELECT count(*) FROM notes.items), 3::bigint,
          'the owner bypasses the policies (not forced)');
SELECT is((SELECT count(*) FROM converge_plan(converge_export('{notes}'))),
          0::bigint, 'the export plans nothing');

SELECT * FROM finish();
ROLLBACK;
