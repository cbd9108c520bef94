-- The extension installs into the current schema; its state lives in "converge".
CREATE EXTENSION pg_converge;

SELECT p.oid::regprocedure AS function, p.prosecdef AS security_definer
  FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_converge')
 ORDER BY p.proname;

SELECT nspname FROM pg_namespace WHERE nspname = 'converge';
SELECT c.relname FROM pg_class c
 WHERE c.relnamespace = 'converge'::regnamespace AND c.relkind = 'r' ORDER BY 1;
SELECT evtname, evtevent, evtenabled FROM pg_event_trigger ORDER BY evtname;
SHOW pg_converge.record_drift;

-- the GUC is superuser-only
SHOW pg_converge.fail_after_step;
CREATE ROLE converge_nobody;
SET ROLE converge_nobody;
SET pg_converge.fail_after_step = 1;
RESET ROLE;
DROP ROLE converge_nobody;
