/* pg_converge--0.1.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION pg_converge" to load this file. \quit

-- The extension's own state.  Never converged, exported or dropped by a
-- document.
CREATE SCHEMA converge;

-- One step of a plan.
CREATE TYPE converge_step AS (
	step int,					-- 1-based position in the plan
	action text,				-- create_table, add_column, alter_column_type, ...
	object text,				-- qualified identity of the object
	sql text,					-- the exact statement
	reason text,				-- why the step exists: old and new definitions
	hazards text[],				-- data_loss, table_rewrite, access_exclusive_lock, full_scan
	rows_affected bigint,		-- existing rows the step touches
	problem text				-- why converge_schema would refuse it, or NULL
);

CREATE FUNCTION converge_plan(doc text, allow_data_loss bool DEFAULT false,
							  check_rows bool DEFAULT true)
RETURNS SETOF converge_step
AS 'MODULE_PATHNAME', 'converge_plan'
LANGUAGE C VOLATILE SECURITY INVOKER;

COMMENT ON FUNCTION converge_plan(text, bool, bool) IS
'the ordered steps that would make the catalog match the document, checked against existing rows unless check_rows is false; changes nothing';

CREATE FUNCTION converge_schema(doc text, allow_data_loss bool DEFAULT false)
RETURNS SETOF converge_step
AS 'MODULE_PATHNAME', 'converge_schema'
LANGUAGE C VOLATILE SECURITY INVOKER;

COMMENT ON FUNCTION converge_schema(text, bool) IS
'make the catalog match the document in the current transaction, or refuse before any change';

-- Converging writes the history others' drift is measured against: only
-- roles the owner grants it to may.
REVOKE ALL ON FUNCTION converge_schema(text, bool) FROM PUBLIC;

CREATE FUNCTION converge_is_converged(doc text)
RETURNS bool
AS 'MODULE_PATHNAME', 'converge_is_converged'
LANGUAGE C VOLATILE SECURITY INVOKER;

COMMENT ON FUNCTION converge_is_converged(text) IS
'true when the catalog already matches the document';

CREATE FUNCTION converge_script(doc text, allow_data_loss bool DEFAULT false)
RETURNS text
AS 'MODULE_PATHNAME', 'converge_script'
LANGUAGE C VOLATILE SECURITY INVOKER;

COMMENT ON FUNCTION converge_script(text, bool) IS
'the plan as one SQL script for psql that converges a database without the extension whose catalog matches this one, checking its catalog and rows first; changes nothing';

CREATE FUNCTION converge_export(schemas name[] DEFAULT '{public}')
RETURNS text
AS 'MODULE_PATHNAME', 'converge_export'
LANGUAGE C VOLATILE STRICT SECURITY INVOKER;

COMMENT ON FUNCTION converge_export(name[]) IS
'the current catalog of the schemas as a document';

-- What convergence did, one row per successful converge_schema call,
-- written in the caller's transaction (a rolled-back call leaves none).
CREATE TABLE converge.applied (
	id bigserial PRIMARY KEY,
	document text NOT NULL,
	document_sha256 text NOT NULL,
	role_name name NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	xid xid8 NOT NULL DEFAULT pg_catalog.pg_current_xact_id(),
	steps jsonb NOT NULL,
	ddl_log_mark bigint NOT NULL	-- last ddl_log id when it was applied
);

-- DDL seen by the event triggers.  origin: 'converge' for the statement of a
-- convergence step, 'nested' for DDL that user code (a trigger, a function,
-- an event trigger) ran during a step, 'external' for everything else.
CREATE TABLE converge.ddl_log (
	id bigserial PRIMARY KEY,
	logged_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
	role_name name NOT NULL,
	command_tag text NOT NULL,
	object_type text,
	object_identity text,
	schema_name name,
	statement text,
	origin text NOT NULL CHECK (origin IN ('converge', 'nested', 'external'))
);

-- The history is the database's, not the extension's: pg_dump dumps both
-- tables' rows and their sequences' positions, so a restored database still
-- knows which document it was converged to and what ran since (without
-- this, converge_status() of a restored database would be all NULL).
SELECT pg_catalog.pg_extension_config_dump('converge.applied', '');
SELECT pg_catalog.pg_extension_config_dump('converge.applied_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('converge.ddl_log', '');
SELECT pg_catalog.pg_extension_config_dump('converge.ddl_log_id_seq', '');

-- Anyone may read which documents were applied; the DDL log holds
-- statements, so only roles the owner grants it to may read it.  Only
-- convergence and the triggers write either.
GRANT USAGE ON SCHEMA converge TO PUBLIC;
GRANT SELECT ON converge.applied TO PUBLIC;

-- Event trigger functions: they run as the extension's owner, so a table
-- owner without rights on the log still gets their DDL recorded, with a
-- pinned search_path; they never raise (errors become warnings).
CREATE FUNCTION converge.record_ddl() RETURNS event_trigger
AS 'MODULE_PATHNAME', 'converge_record_ddl'
LANGUAGE C SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION converge.record_drop() RETURNS event_trigger
AS 'MODULE_PATHNAME', 'converge_record_drop'
LANGUAGE C SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

REVOKE ALL ON FUNCTION converge.record_ddl() FROM PUBLIC;
REVOKE ALL ON FUNCTION converge.record_drop() FROM PUBLIC;


-- Drift since the last applied document: the DDL others ran since, and the
-- steps that would bring the catalog back to the document.
CREATE FUNCTION converge_drift()
RETURNS TABLE (
	kind text,					-- external_ddl or difference
	logged_at timestamptz,
	role_name name,
	command_tag text,
	object text,
	statement text,
	step converge_step			-- the step, for a difference
)
LANGUAGE sql STABLE SECURITY INVOKER
AS $$
	WITH last AS (
		SELECT a.document, a.ddl_log_mark FROM converge.applied a
		 ORDER BY a.id DESC LIMIT 1
	)
	SELECT 'external_ddl', l.logged_at, l.role_name, l.command_tag,
		   l.object_identity, l.statement, NULL::@extschema@.converge_step
	  FROM converge.ddl_log l, last
	 WHERE l.id OPERATOR(pg_catalog.>) last.ddl_log_mark
	   AND l.origin OPERATOR(pg_catalog.=) 'external'
	UNION ALL
	SELECT 'difference', NULL, NULL, NULL, (s).object, (s).sql, s
	  FROM last, LATERAL @extschema@.converge_plan(last.document, false, false) AS s
$$;

COMMENT ON FUNCTION converge_drift() IS
'DDL run outside convergence since the last applied document, and the steps that would undo the difference';

CREATE FUNCTION converge_status(
	OUT applied_at timestamptz,
	OUT document_sha256 text,
	OUT applied_by name,
	OUT external_ddl_since bigint,
	OUT converged bool)
LANGUAGE sql STABLE SECURITY INVOKER
AS $$
	SELECT a.applied_at, a.document_sha256, a.role_name,
		   (SELECT pg_catalog.count(*) FROM converge.ddl_log l
			 WHERE l.id OPERATOR(pg_catalog.>) a.ddl_log_mark
			   AND l.origin OPERATOR(pg_catalog.=) 'external'),
		   CASE WHEN a.document IS NOT NULL
				THEN @extschema@.converge_is_converged(a.document) END
	  FROM (SELECT * FROM converge.applied ORDER BY id DESC LIMIT 1) a
	 RIGHT JOIN (SELECT) one ON true
$$;

COMMENT ON FUNCTION converge_status() IS
'the last applied document, the DDL run outside convergence since, and whether the catalog still matches it';

-- Retention of the DDL log: delete what is older than the interval, but
-- never a row after the last applied document's mark, since
-- converge_drift() and converge_status() report those.  With nothing
-- applied yet no row is needed by drift.  Returns the rows deleted.  The
-- caller needs SELECT and DELETE on converge.ddl_log, which only the owner
-- can grant, so it is not granted to PUBLIC either.
CREATE FUNCTION converge_prune_ddl_log(older_than interval)
RETURNS bigint
LANGUAGE sql VOLATILE STRICT SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
	WITH last AS (
		SELECT a.ddl_log_mark FROM converge.applied a
		 ORDER BY a.id DESC LIMIT 1
	), gone AS (
		DELETE FROM converge.ddl_log l
		 WHERE l.logged_at < pg_catalog.now() - older_than
		   AND NOT EXISTS (SELECT FROM last WHERE l.id > last.ddl_log_mark)
		RETURNING 1
	)
	SELECT count(*) FROM gone
$$;

COMMENT ON FUNCTION converge_prune_ddl_log(interval) IS
'delete DDL log rows older than the interval, keeping every row converge_drift() still reports';

REVOKE ALL ON FUNCTION converge_prune_ddl_log(interval) FROM PUBLIC;

-- Last, so nothing of this script is recorded.
CREATE EVENT TRIGGER converge_record_ddl ON ddl_command_end
	EXECUTE FUNCTION converge.record_ddl();
CREATE EVENT TRIGGER converge_record_drop ON sql_drop
	EXECUTE FUNCTION converge.record_drop();
