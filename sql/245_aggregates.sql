-- Aggregates: exported, compared by what the server resolves their
-- functions and state type to, replaced in place, made anew (views that
-- call them rebuilt) when the result type changes, dropped when the
-- document no longer declares them; created from nothing with the
-- functions they call.
CREATE SCHEMA ag;
CREATE FUNCTION ag._concat(text, text) RETURNS text LANGUAGE sql IMMUTABLE
  AS $$ SELECT CASE WHEN $2 IS NULL THEN $1 WHEN $1 IS NULL THEN $2
                    ELSE $1 || ', ' || $2 END $$;
CREATE FUNCTION ag._count_final(text) RETURNS integer LANGUAGE sql IMMUTABLE
  AS $$ SELECT coalesce(length($1), 0) $$;
CREATE AGGREGATE ag.group_concat(text) (SFUNC = ag._concat, STYPE = text);
CREATE AGGREGATE ag.old_concat(text) (SFUNC = ag._concat, STYPE = text);
CREATE TABLE ag.t (id int, name text);
INSERT INTO ag.t VALUES (1, 'a'), (1, 'b'), (2, 'c');
CREATE VIEW ag.v AS SELECT id, ag.group_concat(name) AS names FROM ag.t GROUP BY id;
-- (a view's query is printed differently by each server version)
SELECT line FROM regexp_split_to_table(converge_export('{ag}'), E'\n') AS line
 WHERE line NOT LIKE '    %' OR line LIKE '%concat(text)%';
SELECT count(*) AS steps FROM converge_plan(converge_export('{ag}'));
-- written another way (unqualified, found on the document's search_path):
-- the same
SELECT count(*) AS steps FROM converge_plan(
  replace(replace(converge_export('{ag}'), 'sfunc: ag._concat', 'sfunc: _concat'),
          'version: 1', E'version: 1\nsearch_path: [ag]'));
-- an initial condition and parallel safety: replaced in place
SELECT step, action, sql, reason FROM converge_plan(
  replace(converge_export('{ag}'), 'stype: text}',
          $$stype: text, initcond: '', parallel: safe}$$));
-- the old one is no longer declared, and a final function changes the
-- result type: made anew, the view around it rebuilt
CREATE TEMP TABLE doc AS SELECT regexp_replace(
  replace(converge_export('{ag}'),
          'group_concat(text): {sfunc: ag._concat, stype: text}',
          'group_concat(text): {sfunc: ag._concat, stype: text, finalfunc: ag._count_final}'),
  '      old_concat[^\n]*\n', '') AS d;
SELECT step, action, CASE WHEN action NOT LIKE '%view' THEN sql END AS sql,
       reason
  FROM converge_plan((SELECT d FROM doc));
SELECT count(*) AS steps FROM converge_schema((SELECT d FROM doc));
SELECT * FROM ag.v ORDER BY id;
SELECT count(*) AS steps FROM converge_plan(converge_export('{ag}'));
SELECT p.proname, a.aggfinalfn::regproc FROM pg_aggregate a
  JOIN pg_proc p ON p.oid = a.aggfnoid
 WHERE p.pronamespace = 'ag'::regnamespace ORDER BY 1;
-- a function the document neither has nor declares
SELECT count(*) FROM converge_plan($$
version: 1
schemas:
  ag:
    aggregates:
      group_concat(text): {sfunc: ag.nosuch, stype: text}
$$);
-- from nothing: the function, the aggregate and a view that calls it
CREATE SCHEMA ag2;
CREATE TEMP TABLE doc2 AS SELECT $$
version: 1
schemas:
  ag2:
    functions:
      _longest(text, text):
        returns: text
        language: sql
        volatility: immutable
        body: SELECT CASE WHEN length($2) > length(coalesce($1, '')) THEN $2 ELSE $1 END
    aggregates:
      longest(text): {sfunc: ag2._longest, stype: text, comment: the longest value}
    tables:
      words:
        columns:
          w: {type: text}
    views:
      longest_word:
        query: SELECT ag2.longest(w) AS w FROM ag2.words
$$ AS d;
SELECT step, action, sql FROM converge_plan((SELECT d FROM doc2));
SELECT count(*) AS steps FROM converge_schema((SELECT d FROM doc2));
INSERT INTO ag2.words VALUES ('ox'), ('horse'), ('cat');
SELECT * FROM ag2.longest_word;
SELECT obj_description('ag2.longest(text)'::regprocedure, 'pg_proc');
SELECT count(*) AS steps FROM converge_plan((SELECT d FROM doc2));
-- grants on an aggregate: exported, compared, granted and revoked as a
-- function's (GRANT ... ON FUNCTION takes an aggregate)
CREATE ROLE converge_agg_reader;
REVOKE EXECUTE ON FUNCTION ag2.longest(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ag2.longest(text) TO converge_agg_reader;
SELECT line FROM regexp_split_to_table(converge_export('{ag2}'), E'\n') AS line
 WHERE line LIKE '%longest(text)%';
CREATE TEMP TABLE doc3 AS SELECT replace((SELECT d FROM doc2),
  'longest(text): {sfunc: ag2._longest, stype: text, comment: the longest value}',
  'longest(text): {sfunc: ag2._longest, stype: text, grants: {public: [execute], converge_agg_reader: []}}') AS d;
SELECT step, action, sql FROM converge_plan((SELECT d FROM doc3));
SELECT count(*) AS steps FROM converge_schema((SELECT d FROM doc3));
SELECT CASE WHEN a.grantee = 0 THEN 'public' ELSE a.grantee::regrole::text END
         AS grantee, a.privilege_type
  FROM pg_proc p, aclexplode(p.proacl) a
 WHERE p.oid = 'ag2.longest(text)'::regprocedure AND a.grantee <> p.proowner;
SELECT * FROM ag2.longest_word;
SELECT count(*) AS steps FROM converge_plan((SELECT d FROM doc3));
SELECT count(*) AS steps FROM converge_plan(converge_export('{ag2}'));
-- what is not converged yet is said, not dropped silently
CREATE AGGREGATE ag.pct(float8 ORDER BY float8) (SFUNC = ordered_set_transition,
  STYPE = internal, FINALFUNC = percentile_disc_final, FINALFUNC_EXTRA);
SELECT converge_export('{ag}');
DROP SCHEMA ag CASCADE;
DROP SCHEMA ag2 CASCADE;
DROP ROLE converge_agg_reader;
