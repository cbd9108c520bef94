-- Triggers: timing, events with UPDATE OF, level, function (resolved by
-- the server) and arguments, WHEN (cooked against OLD and NEW and compared
-- as a tree), transition tables, whether it fires; a changed one is
-- dropped and created again, a changed firing altered in place; one that
-- reads a retyped column is rebuilt around it; tables hold rows.
\pset null '(null)'
CREATE SCHEMA tg;
CREATE TABLE tg.t (id integer PRIMARY KEY, v text, at timestamptz,
                   n integer DEFAULT 0);
INSERT INTO tg.t (id, v) VALUES (1, 'a'), (2, 'b');
CREATE FUNCTION tg.stamp() RETURNS trigger LANGUAGE plpgsql
  AS $$ BEGIN NEW.at := now(); NEW.n := NEW.n + 1; RETURN NEW; END $$;
CREATE FUNCTION tg.audit() RETURNS trigger LANGUAGE plpgsql
  AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER stamp BEFORE INSERT OR UPDATE OF v ON tg.t FOR EACH ROW
  WHEN (NEW.v IS DISTINCT FROM 'x') EXECUTE FUNCTION tg.stamp();
CREATE TRIGGER audit AFTER DELETE ON tg.t REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION tg.audit('a', 'b');
ALTER TABLE tg.t DISABLE TRIGGER audit;
COMMENT ON TRIGGER audit ON tg.t IS 'deletions';

SELECT converge_export('{tg}');
SELECT count(*) AS steps FROM converge_plan(converge_export('{tg}'));

CREATE FUNCTION tg_doc(changes text DEFAULT '') RETURNS text LANGUAGE sql AS $f$
SELECT $d$
version: 1
schemas:
  tg:
    functions:
      audit():
        returns: trigger
        language: plpgsql
        body: " BEGIN RETURN NULL; END "
      stamp():
        returns: trigger
        language: plpgsql
        body: " BEGIN NEW.at := now(); NEW.n := NEW.n + 1; RETURN NEW; END "
    tables:
      t:
        primary_key: [id]
        columns:
          id: {type: integer, nullable: false}
          v: {type: text}
          at: {type: timestamp with time zone}
          n: {type: integer, default: "0"}
        triggers:
          audit:
            timing: after
            events: [delete]
            function: tg.audit
            arguments: [a, b]
            referencing: {old_table: gone}
            enabled: disabled
            comment: deletions
          stamp:
            timing: before
            events: [insert, update]
            update_of: [v]
            for_each: row
            function: tg.stamp
            when: "new.v <> 'x' OR new.v IS NULL OR 'x' IS NULL"
$d$ || changes
$f$;

-- WHEN written differently is compared by meaning: IS DISTINCT FROM is not
-- this OR, so it differs; written the server's way, it is the same
SELECT step, action, sql FROM converge_plan(tg_doc());
SELECT count(*) AS steps FROM converge_plan(replace(tg_doc(),
  'new.v <> ''x'' OR new.v IS NULL OR ''x'' IS NULL', 'NEW.v IS DISTINCT FROM ''x''::text'));

-- whether it fires is altered in place; UPDATE OF and the function's
-- arguments make a new trigger
SELECT step, action, sql FROM converge_plan(replace(replace(replace(
  replace(tg_doc(), 'new.v <> ''x'' OR new.v IS NULL OR ''x'' IS NULL', 'NEW.v IS DISTINCT FROM ''x'''),
  'enabled: disabled', 'enabled: always'), 'update_of: [v]', 'update_of: [v, n]'),
  'arguments: [a, b]', 'arguments: [a, c]'));
SELECT count(*) AS steps FROM converge_schema(replace(replace(replace(
  replace(tg_doc(), 'new.v <> ''x'' OR new.v IS NULL OR ''x'' IS NULL', 'NEW.v IS DISTINCT FROM ''x'''),
  'enabled: disabled', 'enabled: always'), 'update_of: [v]', 'update_of: [v, n]'),
  'arguments: [a, b]', 'arguments: [a, c]'));
UPDATE tg.t SET v = 'c' WHERE id = 1;
UPDATE tg.t SET v = 'x' WHERE id = 2;
SELECT id, n, at IS NOT NULL AS stamped FROM tg.t ORDER BY id;
SELECT tgname, tgenabled FROM pg_trigger
 WHERE tgrelid = 'tg.t'::regclass ORDER BY tgname;

-- a column the trigger's UPDATE OF names changes type: the trigger is
-- dropped before and created after
SELECT step, action, object FROM converge_plan(replace(replace(replace(replace(
  replace(tg_doc(), 'new.v <> ''x'' OR new.v IS NULL OR ''x'' IS NULL', 'NEW.v IS DISTINCT FROM ''x'''),
  'enabled: disabled', 'enabled: always'), 'update_of: [v]', 'update_of: [v, n]'),
  'arguments: [a, b]', 'arguments: [a, c]'), 'n: {type: integer,', 'n: {type: bigint,'));

-- document errors, at their line
SELECT * FROM converge_plan(replace(tg_doc(), 'function: tg.stamp', 'function: stamp'));
SELECT * FROM converge_plan(replace(tg_doc(), 'timing: after', 'timing: later'));
SELECT * FROM converge_plan(replace(tg_doc(), 'events: [delete]', 'events: [upsert]'));

DROP SCHEMA tg CASCADE;
DROP FUNCTION tg_doc(text);
