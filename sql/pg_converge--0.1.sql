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

CREATE FUNCTION converge_plan(doc text, allow_data_loss bool DEFAULT false)
RETURNS SETOF converge_step
AS 'MODULE_PATHNAME', 'converge_plan'
LANGUAGE C VOLATILE SECURITY INVOKER;

COMMENT ON FUNCTION converge_plan(text, bool) IS
'the ordered steps that would make the catalog match the document, checked against existing rows; changes nothing';

CREATE FUNCTION converge_schema(doc text, allow_data_loss bool DEFAULT false)
RETURNS SETOF converge_step
AS 'MODULE_PATHNAME', 'converge_schema'
LANGUAGE C VOLATILE SECURITY INVOKER;

COMMENT ON FUNCTION converge_schema(text, bool) IS
'make the catalog match the document in the current transaction, or refuse before any change';

CREATE FUNCTION converge_is_converged(doc text)
RETURNS bool
AS 'MODULE_PATHNAME', 'converge_is_converged'
LANGUAGE C VOLATILE SECURITY INVOKER;

COMMENT ON FUNCTION converge_is_converged(text) IS
'true when the catalog already matches the document';

CREATE FUNCTION converge_export(schemas name[] DEFAULT '{public}')
RETURNS text
AS 'MODULE_PATHNAME', 'converge_export'
LANGUAGE C VOLATILE STRICT SECURITY INVOKER;

COMMENT ON FUNCTION converge_export(name[]) IS
'the current catalog of the schemas as a document';
