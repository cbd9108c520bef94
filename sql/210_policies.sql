-- Row level security and policies: compared by meaning (cooked trees,
-- constants folded, commutable operands in one order), altered in place
-- where ALTER POLICY can, dropped and created otherwise, dropped when
-- undeclared; enabling RLS on a table with rows is a hazard; tables hold
-- rows.
\pset null '(null)'
CREATE ROLE converge_pol_user;
CREATE ROLE converge_pol_admin;
CREATE SCHEMA pauth;
CREATE FUNCTION pauth.uid() RETURNS integer LANGUAGE sql STABLE
  AS $$ SELECT current_setting('pol.uid', true)::integer $$;
CREATE SCHEMA pol;
CREATE TYPE pol.kind AS ENUM ('open', 'closed');
CREATE TABLE pol.members (user_id integer PRIMARY KEY);
INSERT INTO pol.members VALUES (1), (2);
CREATE TABLE pol.posts (id integer PRIMARY KEY, user_id integer NOT NULL,
                        kind pol.kind NOT NULL, body text);
INSERT INTO pol.posts
SELECT i, i % 3, CASE WHEN i % 2 = 0 THEN 'open' ELSE 'closed' END::pol.kind,
       CASE WHEN i % 4 = 0 THEN 'x' END
  FROM generate_series(1, 12) i;
ALTER TABLE pol.posts ENABLE ROW LEVEL SECURITY;

-- Fifteen policies made by plain DDL, each declared below in another
-- spelling of the same rule: the plan is empty.
CREATE POLICY p_commuted ON pol.posts USING (pauth.uid() = user_id);
CREATE POLICY p_enum ON pol.posts USING (kind = 'open'::pol.kind);
CREATE POLICY p_func ON pol.posts USING (pauth.uid() > 0);
CREATE POLICY p_in ON pol.posts USING (user_id IN (1, 2));
CREATE POLICY p_fold ON pol.posts USING (user_id > 1 + 1);
CREATE POLICY p_or ON pol.posts USING (user_id = 1 OR kind = 'open');
CREATE POLICY p_and ON pol.posts USING (user_id = 1 AND body IS NULL);
CREATE POLICY p_less ON pol.posts USING (user_id < 5);
CREATE POLICY p_cast ON pol.posts USING (body = 'x');
CREATE POLICY p_true ON pol.posts USING (true);
CREATE POLICY p_between ON pol.posts USING (id BETWEEN 2 AND 5);
CREATE POLICY p_case ON pol.posts USING (USER_ID = 3);
CREATE POLICY p_coalesce ON pol.posts USING (coalesce(body, '') <> '');
CREATE POLICY p_exists ON pol.posts
  USING (EXISTS (SELECT 1 FROM pol.members m WHERE m.user_id = posts.user_id));
CREATE POLICY p_roles ON pol.posts AS RESTRICTIVE FOR UPDATE
  TO converge_pol_user, converge_pol_admin
  USING (user_id = pauth.uid()) WITH CHECK (user_id = pauth.uid());

CREATE FUNCTION pol_doc(policies text, rls text DEFAULT '{enabled: true}')
RETURNS text LANGUAGE sql AS $f$
SELECT $d$
version: 1
search_path: [pol, pauth, public]
schemas:
  pol:
    enums:
      kind: {values: [open, closed]}
    tables:
      members:
        primary_key: [user_id]
        columns:
          user_id: {type: integer, nullable: false}
      posts:
        primary_key: [id]
        columns:
          id: {type: integer, nullable: false}
          user_id: {type: integer, nullable: false}
          kind: {type: kind, nullable: false}
          body: {type: text}
        row_level_security: $d$ || rls || $d$
        policies:
$d$ || policies
$f$;

CREATE FUNCTION pol_equal() RETURNS text LANGUAGE sql AS $f$
SELECT $d$
          p_commuted: {using: "(user_id = uid())"}
          p_enum: {using: "kind = 'open'::kind"}
          p_func: {using: "uid() > 0"}
          p_in: {using: "user_id = ANY (ARRAY[1, 2])"}
          p_fold: {using: "user_id > 2"}
          p_or: {using: "kind = 'open' OR user_id = 1"}
          p_and: {using: "body IS NULL AND user_id = 1"}
          p_less: {using: "5 > user_id"}
          p_cast: {using: "body = 'x'::text"}
          p_true: {using: "1 = 1"}
          p_between: {using: "id >= 2 AND id <= 5"}
          p_case: {using: "user_id=3"}
          p_coalesce: {using: "COALESCE(body, ''::text) <> ''::text"}
          p_exists: {using: "EXISTS (SELECT 1 FROM members AS m WHERE posts.user_id = m.user_id)"}
          p_roles:
            command: update
            permissive: false
            roles: [converge_pol_admin, converge_pol_user]
            using: "pauth.uid() = user_id"
            with_check: "uid() = user_id"
$d$
$f$;

-- names resolve on pg_catalog, then the document's search_path, whatever
-- the caller's
SET search_path = pauth, public;
SELECT count(*) AS steps FROM converge_plan(pol_doc(pol_equal()));
RESET search_path;
SELECT count(*) AS steps FROM converge_plan(converge_export('{pol}'));

-- Eight that differ: roles and expressions change in place (ALTER
-- POLICY); a changed command or kind, or an expression the document
-- removes, is dropped and created; an undeclared policy is dropped.
CREATE FUNCTION pol_changed() RETURNS text LANGUAGE sql AS $f$
SELECT replace(replace(replace(replace(replace(replace(replace(pol_equal(),
  'p_fold: {using: "user_id > 2"}', 'p_fold: {using: "user_id > 3"}'),
  'p_or: {using: "kind = ''open'' OR user_id = 1"}',
  'p_or: {using: "kind = ''open'' AND user_id = 1"}'),
  'p_less: {using: "5 > user_id"}', 'p_less: {using: "5 >= user_id"}'),
  'roles: [converge_pol_admin, converge_pol_user]', 'roles: [converge_pol_user]'),
  'p_cast: {using: "body = ''x''::text"}',
  'p_cast: {command: select, using: "body = ''x''::text"}'),
  'p_true: {using: "1 = 1"}', 'p_true: {using: "1 = 1", permissive: false}'),
  '            with_check: "uid() = user_id"' || chr(10), '')
 || $d$
          p_new: {command: insert, roles: [converge_pol_user], with_check: "user_id = uid()", comment: only as yourself}
$d$
$f$;
SELECT step, action, object, sql, reason
  FROM converge_plan(replace(pol_doc(pol_changed()),
    '          p_between: {using: "id >= 2 AND id <= 5"}' || chr(10), ''));
SELECT count(*) AS steps FROM converge_schema(replace(pol_doc(pol_changed()),
    '          p_between: {using: "id >= 2 AND id <= 5"}' || chr(10), ''));
SELECT count(*) AS steps FROM converge_plan(replace(pol_doc(pol_changed()),
    '          p_between: {using: "id >= 2 AND id <= 5"}' || chr(10), ''));
SELECT polname, polcmd, polpermissive FROM pg_policy
 WHERE polrelid = 'pol.posts'::regclass ORDER BY polname;

-- A column type change under a policy: the server refuses to retype a
-- column a policy reads, so the policy is dropped before and created after.
SELECT step, action, object FROM converge_plan(replace(replace(
    pol_doc(pol_changed()), 'body: {type: text}', 'body: {type: varchar(20)}'),
    '          p_between: {using: "id >= 2 AND id <= 5"}' || chr(10), ''));
SELECT count(*) AS steps FROM converge_schema(replace(replace(
    pol_doc(pol_changed()), 'body: {type: text}', 'body: {type: varchar(20)}'),
    '          p_between: {using: "id >= 2 AND id <= 5"}' || chr(10), ''));

-- Row level security on a table with rows: a hazard, and the count of
-- permissive policies each command will have.
CREATE SCHEMA polr;
CREATE TABLE polr.notes (id integer PRIMARY KEY, owner text NOT NULL);
INSERT INTO polr.notes VALUES (1, 'converge_pol_user'), (2, 'someone');
SELECT step, action, sql, reason, hazards FROM converge_plan($$
version: 1
schemas:
  polr:
    tables:
      notes:
        primary_key: [id]
        columns:
          id: {type: integer, nullable: false}
          owner: {type: text, nullable: false}
        row_level_security: {enabled: true, forced: true}
        policies:
          mine: {command: select, using: "owner = current_user"}
          write_mine: {using: "owner = current_user"}
$$);
DROP SCHEMA polr CASCADE;

-- turning it off says what that means
SELECT action, reason FROM converge_plan(pol_doc(pol_changed(), '{enabled: false}'))
 WHERE action LIKE '%row_security';

-- document errors, at their line
SELECT * FROM converge_plan(pol_doc('          bad: {roles: [no_such_role]}' || chr(10)));
SELECT * FROM converge_plan(pol_doc('          bad: {command: upsert}' || chr(10)));
SELECT * FROM converge_plan(pol_doc('          bad: {command: insert, using: "true"}' || chr(10)));
SELECT * FROM converge_plan(pol_doc('          bad: {using: "nope = 1"}' || chr(10)));

DROP SCHEMA pol CASCADE;
DROP SCHEMA pauth CASCADE;
DROP ROLE converge_pol_user;
DROP ROLE converge_pol_admin;
