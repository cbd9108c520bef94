/*-------------------------------------------------------------------------
 *
 * pg_converge.c
 *	  SQL-callable entry points of pg_converge.
 *
 * Each function here is a thin wrapper over the stages:
 *
 *	 document --parse--> desired model --+
 *										 +--diff--> changes --plan--> steps
 *	 pg_catalog --read--> current model -+		  --validate--> execute
 *
 * Every call owns one memory context for all of its work; results that
 * must outlive it (the tuplestore of a set-returning function) are built
 * in the per-query context.  All functions run with the caller's
 * privileges (SECURITY INVOKER) inside the caller's transaction.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/hashfn.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "model.h"

PG_MODULE_MAGIC;

/*
 * Key of the transaction-level advisory lock that serialises convergences:
 * the bytes of "converge" read as an int64.
 */
#define CONVERGE_LOCK_KEY	INT64CONST(0x636f6e7665726765)

PG_FUNCTION_INFO_V1(converge_plan);
PG_FUNCTION_INFO_V1(converge_schema);
PG_FUNCTION_INFO_V1(converge_is_converged);
PG_FUNCTION_INFO_V1(converge_script);
PG_FUNCTION_INFO_V1(converge_export);
PG_FUNCTION_INFO_V1(converge_record_ddl);
PG_FUNCTION_INFO_V1(converge_record_drop);

void		_PG_init(void);

/*
 * pg_converge.record_drift was set in this session, before the library was
 * loaded, to a value the server then refused (see _PG_init()).
 */
static bool record_drift_refused = false;

/* pg_converge.prove_plans: see prove_plan() */
static bool prove_plans = false;

static void check_converged(const char *doc);

/* the most steps the error of an unfinished convergence lists */
#define MAX_REMAINING_LISTED 10

/*
 * Until the library is loaded in a session, the server takes any value for
 * pg_converge.record_drift from anyone and keeps it as a placeholder; only
 * when the parameter is defined here does it check the role that set it,
 * and then it drops a value that role may not set with a mere WARNING.  A
 * non-superuser's "SET pg_converge.record_drift = off" would look as if it
 * had worked.  So the placeholder's value is read before the definition,
 * and if the parameter does not end up with it, the next DDL command (what
 * the setting was for) fails, saying so.
 */
static char *
record_drift_placeholder(void)
{
	const char *value = GetConfigOption("pg_converge.record_drift", true,
										false);

	return value ? pstrdup(value) : NULL;
}

void
_PG_init(void)
{
	char	   *placeholder = record_drift_placeholder();
	bool		wanted;

	DefineCustomIntVariable("pg_converge.fail_after_step",
							"Raise an error right after this plan step (0: never).",
							"For tests: proves that a failure at any step changes nothing.",
							&converge_fail_after_step,
							0, 0, INT_MAX,
							PGC_SUSET, 0,
							NULL, NULL, NULL);
	DefineCustomBoolVariable("pg_converge.prove_plans",
							 "Run every plan converge_plan calls clean, and roll it back.",
							 "For tests: raises an error where a plan with no problem fails when it runs.",
							 &prove_plans,
							 false,
							 PGC_SUSET, 0,
							 NULL, NULL, NULL);
	DefineCustomBoolVariable("pg_converge.record_drift",
							 "Record DDL in converge.ddl_log.",
							 "Off, DDL is not recorded and converge_drift() cannot show it.",
							 &converge_record_drift,
							 true,
							 PGC_SUSET, 0,
							 NULL, NULL, NULL);
	MarkGUCPrefixReserved("pg_converge");

	if (placeholder &&
		(!parse_bool(placeholder, &wanted) || wanted != converge_record_drift))
		record_drift_refused = true;
}

/* state of one call: its memory, its SPI connection, its search path */
typedef struct ConvergeCall
{
	MemoryContext cxt;
	MemoryContext oldcxt;
	int			nestlevel;
} ConvergeCall;

/*
 * The search path of every call: pg_catalog, then the document's
 * "search_path" (public when it has none), then pg_temp.  Never the
 * caller's: a caller who put a schema of look-alike operators or
 * functions first would have them run inside the extension's own catalog
 * queries, and an overload in any schema of the caller's path that matched
 * a call exactly would be picked over the one the document meant.  So the
 * document means the same whoever applies it.  pg_temp goes last, where the
 * server would otherwise search it first for relations and types.
 */
static void
pin_search_path(List *schemas)
{
	StringInfoData path;
	ListCell   *lc;

	initStringInfo(&path);
	appendStringInfoString(&path, "pg_catalog");
	if (schemas == NIL)
		appendStringInfoString(&path, ", public");
	foreach(lc, schemas)
		appendStringInfo(&path, ", %s", quote_identifier(lfirst(lc)));
	appendStringInfoString(&path, ", pg_temp");
	(void) set_config_option("search_path", path.data,
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
}

/*
 * Dates and intervals the server prints into a document (a default, a
 * partition's bounds) must read back the same whatever the settings of
 * the session that applies it: ISO, as pg_dump writes them.
 */
static void
pin_output_styles(void)
{
	(void) set_config_option("datestyle", "ISO", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("intervalstyle", "postgres", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
}

static void
call_begin(ConvergeCall *call)
{
	call->cxt = AllocSetContextCreate(CurrentMemoryContext, "pg_converge",
									  ALLOCSET_DEFAULT_SIZES);
	call->oldcxt = MemoryContextSwitchTo(call->cxt);
	call->nestlevel = NewGUCNestLevel();
	pin_search_path(NIL);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	MemoryContextSwitchTo(call->cxt);
}

/*
 * What the call holds at its end is about the most it held: nothing it
 * allocates is freed before then.  make bench reads it at DEBUG1.
 */
static void
call_end(ConvergeCall *call)
{
	ereport(DEBUG1,
			(errmsg_internal("pg_converge: the call holds %zu kB",
							 (MemoryContextMemAllocated(call->cxt, true) +
							  MemoryContextMemAllocated(TopTransactionContext,
														true)) / 1024)));
	SPI_finish();
	AtEOXact_GUC(true, call->nestlevel);
	MemoryContextSwitchTo(call->oldcxt);
	MemoryContextDelete(call->cxt);
}

/*
 * local_hash
 *		A hash table whose keys are compared as bytes, in the current memory
 *		context, so it goes with the call (hash_create puts a table given
 *		no context in TopMemoryContext, for the backend's life).
 */
HTAB *
local_hash(const char *name, Size keysize, Size entrysize, long nelem)
{
	HASHCTL		ctl = {0};

	ctl.keysize = keysize;
	ctl.entrysize = entrysize;
	ctl.hcxt = CurrentMemoryContext;
	return hash_create(name, nelem, &ctl,
					   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

static uint32
text_key_hash(const void *key, Size keysize)
{
	const char *text = *(const char *const *) key;

	return hash_bytes((const unsigned char *) text, strlen(text));
}

static int
text_key_match(const void *a, const void *b, Size keysize)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/*
 * text_hash
 *		A local_hash() whose key, the entry's first member, is a pointer to
 *		a string, compared by the string's content.
 */
HTAB *
text_hash(const char *name, Size entrysize, long nelem)
{
	HASHCTL		ctl = {0};

	ctl.keysize = sizeof(char *);
	ctl.entrysize = entrysize;
	ctl.hash = text_key_hash;
	ctl.match = text_key_match;
	ctl.hcxt = CurrentMemoryContext;
	return hash_create(name, nelem, &ctl,
					   HASH_ELEM | HASH_FUNCTION | HASH_COMPARE |
					   HASH_CONTEXT);
}

static char *
document_arg(FunctionCallInfo fcinfo)
{
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("schema document must not be null")));
	return text_to_cstring(PG_GETARG_TEXT_PP(0));
}

/*
 * The steps that make the catalog match the document, not yet validated;
 * when "trusted" is given, the functions of the document its probes may
 * evaluate (function_trusted_oids()); when "schemas" is, the schemas the
 * document manages.
 */
static List *
plan_document(const char *doc, List **trusted, List **schemas)
{
	ConvModel  *want = document_parse(doc);
	List	   *names = NIL;
	struct DiffState *diff;
	List	   *steps;
	ListCell   *lc;

	pin_search_path(want->search_path);

	foreach(lc, want->schemas)
		names = lappend(names, ((ConvSchema *) lfirst(lc))->name);
	diff = diff_models(want, catalog_read(names));
	steps = plan_build(diff);
	if (trusted)
		*trusted = function_trusted_oids(diff);
	if (schemas)
		*schemas = names;
	return steps;
}

/*
 * The steps of the document, checked against the rows: or one error for
 * every step that they refuse.
 */
static List *
validated_plan(const char *doc, bool allow_data_loss, List **schemas)
{
	List	   *trusted;
	List	   *steps = plan_document(doc, &trusted, schemas);

	validate_plan(steps, allow_data_loss, trusted);
	validate_raise(steps);
	return steps;
}

static Datum
hazards_array(int hazards)
{
	Datum		elems[NUM_HAZARDS];
	int			n = 0;

	for (int i = 0; i < NUM_HAZARDS; i++)
		if (hazards & (1 << i))
			elems[n++] = CStringGetTextDatum(hazard_names[i]);
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false,
										   TYPALIGN_INT));
}

/* return the steps as rows of converge_step */
static void
return_steps(FunctionCallInfo fcinfo, List *steps)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ListCell   *lc;

	InitMaterializedSRF(fcinfo, 0);
	foreach(lc, steps)
	{
		ConvStep   *step = lfirst(lc);
		Datum		values[8];
		bool		nulls[8] = {false};

		values[0] = Int32GetDatum(step->number);
		values[1] = CStringGetTextDatum(step->action);
		values[2] = CStringGetTextDatum(step->object);
		values[3] = CStringGetTextDatum(step->sql);
		values[4] = CStringGetTextDatum(step->reason);
		values[5] = hazards_array(step->hazards);
		values[6] = Int64GetDatum(step->rows_affected);
		nulls[6] = (step->rows_affected < 0);
		if (step->problem)
			values[7] = CStringGetTextDatum(step->problem);
		else
			nulls[7] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc,
							 values, nulls);
	}
}

typedef struct ProveWork
{
	List	   *steps;
	const char *doc;
	const char *script;			/* converge_script()'s, or NULL */
} ProveWork;

static void
prove_work(void *arg)
{
	ProveWork  *w = arg;

	if (w->script)
		converge_spi_query(w->script, 0, NULL, NULL);
	else
		execute_plan(w->steps);
	if (w->steps != NIL)
		check_converged(w->doc);
}

static void
prove_run(ProveWork *w)
{
	ErrorData  *edata = converge_run_rolled_back(prove_work, w);

	if (edata == NULL)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INTERNAL_ERROR),
			 errmsg("converge_plan reported no problem, but %s fails when it runs: %s",
					w->script ? "its script" : "the plan", edata->message),
			 edata->detail || edata->context ?
			 errdetail("%s%s%s", edata->detail ? edata->detail : "",
					   edata->detail && edata->context ? "\n" : "",
					   edata->context ? edata->context : "") : 0,
			 errhint("This is a bug in pg_converge: the plan should have named the problem.")));
}

/*
 * With pg_converge.prove_plans on, a plan that converge_plan calls clean
 * (no problem, and every step's rows checked) is run, with the self-check
 * converge_schema makes after it, in a subtransaction that is always
 * rolled back; then its converge_script() is run the same way, with the
 * same self-check after it.  If either fails, converge_plan raises the
 * failure, with its detail and the step it failed in.  "No problem in the
 * plan implies the convergence succeeds", with the extension and without
 * it, is then checked for every plan a test suite builds (test/suites
 * runs the regression suites again with it on).  Only for tests:
 * sequences advanced while the plan runs stay advanced.
 */
static void
prove_plan(List *steps, const char *doc, List *schemas, bool allow_data_loss)
{
	ProveWork	w = {steps, doc, NULL};
	ListCell   *lc;

	foreach(lc, steps)
		if (((ConvStep *) lfirst(lc))->problem != NULL ||
			((ConvStep *) lfirst(lc))->unchecked)
			return;
	if (converge_fail_after_step != 0)
		return;
	prove_run(&w);
	pin_output_styles();
	w.script = script_build(steps, schemas, doc, allow_data_loss, false,
							CONVERGE_LOCK_KEY);
	prove_run(&w);
}

/*
 * converge_plan(doc text, allow_data_loss bool, check_rows bool)
 *		returns setof converge_step
 *
 * The steps converge_schema would run, each checked against the existing
 * rows.  A step that converge_schema would refuse says why in "problem".
 * Changes nothing.  Without check_rows no expression of the document is
 * evaluated: converge_drift() plans a stored document that way, since its
 * caller may not be the role that wrote it.
 */
Datum
converge_plan(PG_FUNCTION_ARGS)
{
	char	   *doc = document_arg(fcinfo);
	bool		allow_data_loss = PG_GETARG_BOOL(1);
	bool		check_rows = PG_GETARG_BOOL(2);
	ConvergeCall call;
	List	   *steps;
	List	   *trusted;

	List	   *schemas;

	call_begin(&call);
	steps = plan_document(doc, &trusted, &schemas);
	if (check_rows)
		validate_plan(steps, allow_data_loss, trusted);
	if (check_rows && prove_plans)
		prove_plan(steps, doc, schemas, allow_data_loss);
	return_steps(fcinfo, steps);
	call_end(&call);
	return (Datum) 0;
}

/* the steps as jsonb text, for converge.applied */
static char *
steps_json(List *steps)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '[');
	foreach(lc, steps)
	{
		ConvStep   *step = lfirst(lc);

		appendStringInfo(&buf, "%s{\"step\": %d, \"action\": ",
						 foreach_current_index(lc) ? ", " : "", step->number);
		escape_json(&buf, step->action);
		appendStringInfoString(&buf, ", \"object\": ");
		escape_json(&buf, step->object);
		appendStringInfoString(&buf, ", \"sql\": ");
		escape_json(&buf, step->sql);
		appendStringInfo(&buf, ", \"rows_affected\": " INT64_FORMAT "}",
						 step->rows_affected);
	}
	appendStringInfoChar(&buf, ']');
	return buf.data;
}

/*
 * Record a successful convergence in converge.applied, in the caller's
 * transaction.  The row is written with the rights of the extension's
 * owner, since the caller need not be able to write the history.
 */
static void
record_applied(const char *doc, List *steps)
{
	Oid			argtypes[3] = {TEXTOID, NAMEOID, TEXTOID};
	Datum		args[3];
	NameData	role;
	Oid			save_userid;
	int			save_sec_context;
	HeapTuple	tup;
	Oid			owner;

	tup = SearchSysCache1(NAMESPACEOID,
						  ObjectIdGetDatum(get_namespace_oid("converge",
															 false)));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for schema converge");
	owner = ((Form_pg_namespace) GETSTRUCT(tup))->nspowner;
	ReleaseSysCache(tup);

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	namestrcpy(&role, GetUserNameFromId(save_userid, false));
	args[0] = CStringGetTextDatum(doc);
	args[1] = NameGetDatum(&role);
	args[2] = CStringGetTextDatum(steps_json(steps));

	SetUserIdAndSecContext(owner, save_sec_context |
						   SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	PG_TRY();
	{
		converge_spi_query("INSERT INTO converge.applied"
						   " (document, document_sha256, role_name, steps,"
						   "  ddl_log_mark)"
						   " SELECT $1, pg_catalog.encode(pg_catalog.sha256("
						   "   pg_catalog.convert_to($1, 'UTF8')), 'hex'),"
						   "   $2, $3::pg_catalog.jsonb,"
						   "   COALESCE((SELECT pg_catalog.max(l.id)"
						   "               FROM converge.ddl_log l), 0)",
						   3, argtypes, args);
	}
	PG_FINALLY();
	{
		SetUserIdAndSecContext(save_userid, save_sec_context);
	}
	PG_END_TRY();
}

/*
 * Converged or nothing: once the last step has run, read the catalog again
 * and plan the document once more, in the same transaction.  Any step left
 * means the plan did not do what it said (a bug, or user code that a step
 * ran and that changed the schema back): raise, so the caller's
 * transaction undoes every step instead of committing a half-converged
 * schema that the next call would plan again.
 *
 * The catalog is read in a copy of the statement's snapshot that sees this
 * transaction's own changes: catalog queries are read-only SPI, which
 * would otherwise read the catalog as it was when the call began.
 */
static void
check_converged(const char *doc)
{
	List	   *remaining;
	StringInfoData detail;
	ListCell   *lc;

	CommandCounterIncrement();
	PushCopiedSnapshot(GetActiveSnapshot());
	UpdateActiveSnapshotCommandId();
	remaining = plan_document(doc, NULL, NULL);
	PopActiveSnapshot();
	if (remaining == NIL)
		return;

	initStringInfo(&detail);
	foreach(lc, remaining)
	{
		ConvStep   *step = lfirst(lc);

		if (foreach_current_index(lc) == MAX_REMAINING_LISTED)
		{
			appendStringInfo(&detail, "\n... and %d more.",
							 list_length(remaining) - MAX_REMAINING_LISTED);
			break;
		}
		appendStringInfo(&detail, "%sstep %d (%s %s): %s",
						 detail.len ? "\n" : "", step->number, step->action,
						 step->object, step->sql);
	}
	ereport(ERROR,
			(errcode(ERRCODE_INTERNAL_ERROR),
			 errmsg_plural("the schema did not converge: %d step remains after the last step ran",
						   "the schema did not converge: %d steps remain after the last step ran",
						   list_length(remaining), list_length(remaining)),
			 errdetail("Planned again, the document still needs:\n%s\nEvery step run is undone.",
					   detail.data),
			 errhint("This is a bug in pg_converge, unless a trigger or function that a step ran changed the schema; please report it with the document.")));
}

/*
 * converge_schema(doc text, allow_data_loss bool) returns setof converge_step
 *
 * Make the catalog match the document in the caller's transaction, or
 * refuse with one error before any statement runs, or, if the catalog does
 * not match the document after the last step, with one error after it
 * (check_converged()).
 */
Datum
converge_schema(PG_FUNCTION_ARGS)
{
	char	   *doc = document_arg(fcinfo);
	bool		allow_data_loss = PG_GETARG_BOOL(1);
	ConvergeCall call;
	List	   *steps;

	/* one convergence at a time; read the catalog only once we hold it */
	DirectFunctionCall1(pg_advisory_xact_lock_int8,
						Int64GetDatum(CONVERGE_LOCK_KEY));

	call_begin(&call);
	steps = validated_plan(doc, allow_data_loss, NULL);
	execute_plan(steps);
	/* a plan of no step ran nothing: planning again would say the same */
	if (steps != NIL)
		check_converged(doc);
	record_applied(doc, steps);
	return_steps(fcinfo, steps);
	call_end(&call);
	return (Datum) 0;
}

/*
 * converge_script(doc text, allow_data_loss bool) returns text
 *
 * The validated plan as one SQL script for psql that converges a database
 * without the extension, whose catalog is this one's: see script.c.
 * Refuses, as converge_schema would, a plan the rows here refuse.  Dates
 * and intervals are printed ISO, as the script reads them.  Changes
 * nothing.
 */
Datum
converge_script(PG_FUNCTION_ARGS)
{
	char	   *doc = document_arg(fcinfo);
	bool		allow_data_loss = PG_GETARG_BOOL(1);
	ConvergeCall call;
	List	   *steps;
	List	   *schemas;
	char	   *script;
	text	   *result;

	call_begin(&call);
	pin_output_styles();
	steps = validated_plan(doc, allow_data_loss, &schemas);
	script = script_build(steps, schemas, doc, allow_data_loss, true,
						  CONVERGE_LOCK_KEY);
	MemoryContextSwitchTo(call.oldcxt);
	result = cstring_to_text(script);
	call_end(&call);
	PG_RETURN_TEXT_P(result);
}

/*
 * converge_is_converged(doc text) returns bool
 */
Datum
converge_is_converged(PG_FUNCTION_ARGS)
{
	char	   *doc = document_arg(fcinfo);
	ConvergeCall call;
	bool		converged;

	call_begin(&call);
	converged = (plan_document(doc, NULL, NULL) == NIL);
	call_end(&call);
	PG_RETURN_BOOL(converged);
}

/*
 * The refusal of a pg_converge.record_drift that was set before the library
 * was loaded (see _PG_init()): the one time recording fails a command.
 * Said once; the parameter holds its real value from then on.
 */
static void
raise_record_drift_refused(void)
{
	if (!record_drift_refused)
		return;
	record_drift_refused = false;
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to set parameter \"pg_converge.record_drift\""),
			 errdetail("It was set in this session before pg_converge was loaded, when the server could not check it; DDL is still recorded."),
			 errhint("Only a superuser, or a role granted SET on the parameter, can turn recording off.")));
}

/*
 * converge.record_ddl() and converge.record_drop(): the event triggers
 */
Datum
converge_record_ddl(PG_FUNCTION_ARGS)
{
	raise_record_drift_refused();
	drift_record(fcinfo, false);
	PG_RETURN_NULL();
}

Datum
converge_record_drop(PG_FUNCTION_ARGS)
{
	raise_record_drift_refused();
	drift_record(fcinfo, true);
	PG_RETURN_NULL();
}

/*
 * converge_export(schemas name[]) returns text
 *
 * The current catalog of the named schemas as a document.
 */
Datum
converge_export(PG_FUNCTION_ARGS)
{
	ArrayType  *array = PG_GETARG_ARRAYTYPE_P(0);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	List	   *names = NIL;
	ConvergeCall call;
	char	   *doc;
	text	   *result;

	deconstruct_array(array, NAMEOID, NAMEDATALEN, false, TYPALIGN_CHAR,
					  &elems, &nulls, &n);
	for (int i = 0; i < n; i++)
	{
		char	   *name;

		if (nulls[i])
			continue;
		name = NameStr(*DatumGetName(elems[i]));
		if (catalog_schema_is_reserved(name))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_SCHEMA_NAME),
					 errmsg("schema \"%s\" cannot be exported", name),
					 errdetail("System schemas and the extension's own schema are never part of a document.")));

		/*
		 * A misspelt or missing schema would otherwise export as nothing,
		 * silently: the document would lack what the caller asked for.
		 */
		(void) get_namespace_oid(name, false);
		names = lappend(names, name);
	}

	call_begin(&call);
	pin_output_styles();
	doc = export_document(catalog_read(names));
	MemoryContextSwitchTo(call.oldcxt);
	result = cstring_to_text(doc);
	call_end(&call);
	PG_RETURN_TEXT_P(result);
}
