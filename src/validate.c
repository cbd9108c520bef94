/*-------------------------------------------------------------------------
 *
 * validate.c
 *	  Check every step of a plan against the rows that exist, before any
 *	  statement of the plan runs.
 *
 * Each step that touches rows carries a probe (plan.c): the rows it
 * affects, and the rows that would make it fail or lose data.  Both are
 * counted in one scan of the table; for failing rows, up to five sample
 * keys are fetched.  A probe runs in its own subtransaction, so a
 * conversion that raises an error on some row (a cast that fails, a "using"
 * expression that divides by zero) is reported as a refusal instead of
 * aborting the check of the other steps.
 *
 * A probe evaluates only functions that cannot change anything: the
 * server's own and those of extensions, when not volatile, and the
 * document's own immutable functions.  Before it runs, its query is
 * analyzed by the server and every function it would call is looked at;
 * one that is volatile (nextval, pg_advisory_lock, a user's function the
 * document does not vouch for) leaves the probe unrun: the step's rows
 * are then not counted (rows_affected NULL, and its reason says why), and
 * the statement itself is what meets the rows when converge_schema runs.
 *
 * validate_raise() then turns all refusals into one error: the message
 * names every refused object, the detail gives each one's count and
 * samples, and the hint names the document key that fixes them.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/transam.h"
#include "catalog/dependency.h"
#include "catalog/pg_proc.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "nodes/nodeFuncs.h"
#include "parser/analyze.h"
#include "parser/parser.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/typcache.h"

#include "model.h"

#define SAMPLE_KEYS 5

typedef struct ProbeResult
{
	int64		affected;
	int64		failing;
	char	   *samples;		/* "(id)=(1), (id)=(2)", or NULL */
} ProbeResult;

/* the functions a probe may call, and the first one it may not */
typedef struct FunctionCheck
{
	List	   *trusted;		/* the document's own immutable functions */
	Oid			refused;
} FunctionCheck;

static bool calls_refused(Node *node, void *context);

static bool
function_refused(Oid funcid, void *context)
{
	FunctionCheck *fc = context;
	char		volatility = func_volatile(funcid);
	bool		allowed;

	if (funcid < FirstNormalObjectId ||
		OidIsValid(getExtensionOfObject(ProcedureRelationId, funcid)))
		allowed = volatility != PROVOLATILE_VOLATILE;
	else
		allowed = volatility == PROVOLATILE_IMMUTABLE &&
			list_member_oid(fc->trusted, funcid);
	if (!allowed)
		fc->refused = funcid;
	return !allowed;
}

/*
 * The CHECKs a cast to a domain runs, its base domains' included.  The
 * reference lives as long as the memory it is in: the type cache releases
 * it when that is reset.
 */
static bool
domain_calls_refused(Oid domain, void *context)
{
	DomainConstraintRef *ref = palloc(sizeof(DomainConstraintRef));
	ListCell   *lc;

	InitDomainConstraintRef(domain, ref, CurrentMemoryContext, false);
	foreach(lc, ref->constraints)
	{
		DomainConstraintState *c = lfirst(lc);

		if (c->constrainttype == DOM_CONSTRAINT_CHECK &&
			calls_refused((Node *) c->check_expr, context))
			return true;
	}
	return false;
}

static bool
calls_refused(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, calls_refused, context, 0);
	if (check_functions_in_node(node, function_refused, context))
		return true;
	if (IsA(node, CoerceToDomain) &&
		domain_calls_refused(((CoerceToDomain *) node)->resulttype, context))
		return true;
	return expression_tree_walker(node, calls_refused, context);
}

/*
 * The first function the probe's query would call that a probe may not,
 * as the server resolves the query; InvalidOid when there is none.
 */
static Oid
refused_function(const char *sql, List *trusted)
{
	FunctionCheck fc = {trusted, InvalidOid};
	RawStmt    *raw = linitial_node(RawStmt, raw_parser(sql,
														RAW_PARSE_DEFAULT));
	Query	   *query = parse_analyze_fixedparams(raw, sql, NULL, 0, NULL);

	(void) calls_refused((Node *) query, &fc);
	return fc.refused;
}

/*
 * validate_count_sql
 *		The query that counts a probe's affected and failing rows in one
 *		scan.
 */
char *
validate_count_sql(const ConvProbe *probe)
{
	StringInfoData sql;

	initStringInfo(&sql);
	appendStringInfoString(&sql, "SELECT pg_catalog.count(*)");
	if (probe->affected)
		appendStringInfo(&sql, " FILTER (WHERE %s)", probe->affected);
	if (probe->failing)
		appendStringInfo(&sql, ", pg_catalog.count(*) FILTER (WHERE %s)",
						 probe->failing);
	else
		appendStringInfoString(&sql, ", 0::pg_catalog.int8");
	appendStringInfo(&sql, " FROM %s", probe->source);
	return sql.data;
}

/*
 * validate_sample_sql
 *		The query of a probe's sample keys: "(id)=(1), (id)=(2)".
 */
char *
validate_sample_sql(const ConvProbe *probe)
{
	return psprintf("SELECT pg_catalog.string_agg(%s || '=' ||"
					" s.converge_sample_key, ', ')"
					" FROM (SELECT converge_sample_key FROM %s WHERE %s"
					" LIMIT %d) AS s",
					quote_literal_cstr(probe->key_label), probe->source,
					probe->failing, SAMPLE_KEYS);
}

static void
run_probe(const ConvProbe *probe, const char *count_sql,
		  ProbeResult *result)
{
	bool		isnull;

	converge_spi_query(count_sql, 0, NULL, NULL);
	result->affected = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
												   SPI_tuptable->tupdesc, 1,
												   &isnull));
	result->failing = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
												  SPI_tuptable->tupdesc, 2,
												  &isnull));
	result->samples = NULL;
	if (result->failing > 0)
	{
		converge_spi_query(validate_sample_sql(probe), 0, NULL, NULL);
		result->samples = SPI_getvalue(SPI_tuptable->vals[0],
									   SPI_tuptable->tupdesc, 1);
	}
}

/*
 * Errors that mean "these rows cannot take this step": bad data, a
 * violated rule, an expression that does not fit.  Anything else (a
 * cancel, a timeout, running out of memory) is the caller's error.
 */
static bool
is_row_error(int sqlerrcode)
{
	int			category = ERRCODE_TO_CATEGORY(sqlerrcode);

	return category == ERRCODE_DATA_EXCEPTION ||
		category == ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION ||
		category == ERRCODE_SYNTAX_ERROR_OR_ACCESS_RULE_VIOLATION;
}

/*
 * Run a probe in a subtransaction that is always rolled back: a probe only
 * counts, and it calls no function that could change anything (see the
 * header), so what is left is undone.  Row level security is off inside,
 * so a policy can never hide rows from the count: where it would, the probe
 * fails and the step is refused.  Returns NULL, or the server's error
 * when the rows could not be checked; "refused" is the function that kept
 * the probe from running, or InvalidOid.
 */
typedef struct ProbeWork
{
	const ConvProbe *probe;
	ProbeResult *result;
	List	   *trusted;
	Oid			refused;
} ProbeWork;

static void
probe_work(void *arg)
{
	ProbeWork  *w = arg;
	char	   *sql = validate_count_sql(w->probe);

	(void) set_config_option("row_security", "off", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_LOCAL, true, 0, false);
	w->refused = refused_function(sql, w->trusted);
	if (!OidIsValid(w->refused))
		run_probe(w->probe, sql, w->result);
}

static ErrorData *
run_probe_guarded(const ConvProbe *probe, ProbeResult *result,
				  List *trusted, Oid *refused)
{
	ProbeWork	w = {probe, result, trusted, InvalidOid};
	ErrorData  *edata = converge_run_rolled_back(probe_work, &w);

	*refused = w.refused;
	if (edata && !is_row_error(edata->sqlerrcode))
		ReThrowError(edata);
	return edata;
}

/* the type mismatches a lenient probe meets because labels do not exist yet */
const int	validate_label_errors[NUM_LABEL_ERRORS] = {
	ERRCODE_UNDEFINED_FUNCTION,
	ERRCODE_DATATYPE_MISMATCH,
	ERRCODE_INVALID_TEXT_REPRESENTATION,
	ERRCODE_CANNOT_COERCE
};

static bool
is_label_error(int sqlerrcode)
{
	for (int i = 0; i < NUM_LABEL_ERRORS; i++)
		if (sqlerrcode == validate_label_errors[i])
			return true;
	return false;
}

static char *
rows(int64 n)
{
	return psprintf(INT64_FORMAT " %s", n, n == 1 ? "row" : "rows");
}

/* one probe of a step; returns its problem, or NULL */
static char *
validate_probe(ConvStep *step, ConvProbe *probe, bool allow_data_loss,
			   List *trusted)
{
	ProbeResult result;
	ErrorData  *failure;
	Oid			refused;
	const char *label = probe->label ? psprintf("%s: ", probe->label) : "";

	failure = run_probe_guarded(probe, &result, trusted, &refused);
	if (!failure && OidIsValid(refused))
	{
		/* the statement meets the rows, when converge_schema runs it */
		probe->not_run = true;
		step->rows_affected = -1;
		step->unchecked = true;
		step->reason = psprintf("%s; rows not checked before it runs: it calls %s, which is %s",
								step->reason,
								format_procedure(refused),
								func_volatile(refused) ==
								PROVOLATILE_VOLATILE ? "volatile" :
								"not an immutable function of the document");
		return NULL;
	}
	if (failure && probe->of_defaults)
	{
		/* the default itself cannot be stored: no rows are involved */
		if (probe->refusal == REFUSE_NEVER)
		{
			step->hazards |= probe->failing_hazard;
			return NULL;
		}
		step->fix = probe->fix;
		return psprintf("%s%s", label, failure->message);
	}
	if (failure)
	{
		step->rows_affected = -1;

		/*
		 * The rows hold labels the plan renames or creates: the server
		 * checks them when the step runs, and a failure undoes the whole
		 * plan.
		 */
		if (probe->lenient && is_label_error(failure->sqlerrcode))
		{
			step->unchecked = true;
			return NULL;
		}
		step->fix = probe->fix;
		return psprintf("%sexisting rows cannot be checked: %s", label,
						failure->message);
	}

	if (step->rows_affected >= 0)
		step->rows_affected += result.affected;
	if (result.failing > 0)
		step->hazards |= probe->failing_hazard;
	if (result.failing == 0 || probe->refusal == REFUSE_NEVER)
		return NULL;
	if (probe->refusal == REFUSE_DATA_LOSS)
	{
		step->hazards |= HAZARD_DATA_LOSS;
		if (allow_data_loss)
			return NULL;
	}
	step->fix = probe->fix;
	return psprintf("%s%s %s; sample keys: %s", label, rows(result.failing),
					probe->failing_text, result.samples);
}

static void
validate_step(ConvStep *step, bool allow_data_loss, List *trusted)
{
	StringInfoData problems;
	ListCell   *lc;

	if (step->problem != NULL)
		return;
	initStringInfo(&problems);
	foreach(lc, step->probes)
	{
		char	   *problem = validate_probe(step, lfirst(lc),
											 allow_data_loss, trusted);

		if (problem)
			appendStringInfo(&problems, "%s%s", problems.len ? "; " : "",
							 problem);
	}
	if (problems.len)
		step->problem = problems.data;
}

/*
 * validate_plan
 *		Run every step's probe; fill rows_affected, hazards and problems.
 */
void
validate_plan(List *steps, bool allow_data_loss, List *trusted_functions)
{
	ListCell   *lc;

	foreach(lc, steps)
		validate_step(lfirst(lc), allow_data_loss, trusted_functions);
}

/*
 * validate_fix_hint
 *		What a refused step needs from the user, as an error's hint.
 */
const char *
validate_fix_hint(ConvFix fix)
{
	switch (fix)
	{
		case FIX_ALLOW_DATA_LOSS:
			return "Pass allow_data_loss => true to accept the loss, or keep the object in the document.";
		case FIX_DEFAULT_OR_USING:
			return "Declare a \"default\" or a \"using\" expression for the column to fill the rows that are NULL.";
		case FIX_USING:
			return "Declare a \"using\" expression that converts the existing values.";
		case FIX_DUPLICATES:
			return "Remove or change the duplicate rows first: a document cannot say which of them to keep.";
		case FIX_ORPHANS:
			return "Insert the referenced rows first, or give the column a \"default\" or \"using\" that exists in the referenced table.";
		case FIX_ROWS:
			return "Change the rows that break the rule first.";
		case FIX_REWRITE:
			return "Change the \"remap\", \"using\" or \"default\" that rewrites the rows so they keep the rule, or change those rows first.";
		case FIX_LABEL:
			return "Name only values the enum declares in the document, or add the value to the enum.";
		case FIX_REMAP:
			return "Declare a \"remap\" on the column that maps the refused values to allowed ones, or fix those rows first.";
		case FIX_DEPENDENT:
			return "Drop or change the dependent object first (the document does not manage it), or keep the object as it is in the document.";
		case FIX_SEQUENCE:
			return "Move the sequence into its new bounds first with setval(), or declare bounds that hold its current value.";
		case FIX_DEFAULT_CHECK:
			return "Change the \"default\" to a value the CHECK accepts, or the CHECK.";
		case FIX_DEFAULT_DOMAIN:
			return "Change the \"default\" to a value the column's domain accepts, or the domain.";
		case FIX_DETACH:
			return "Detach the partition by hand (ALTER TABLE ... DETACH PARTITION), declare the indexes and constraints it then holds, and converge again; or drop it with allow_data_loss.";
		case FIX_NONE:
			break;
	}
	return NULL;
}

/*
 * validate_blocker
 *		What blocks a step refused with this fix: rows, the document itself,
 *		what the document does not manage, or a sequence's position.  The
 *		error names the first of them that any refused step has.
 */
ConvBlocker
validate_blocker(ConvFix fix)
{
	switch (fix)
	{
		case FIX_LABEL:
		case FIX_DEFAULT_CHECK:
		case FIX_DEFAULT_DOMAIN:
		case FIX_DETACH:
			return BLOCKED_BY_DOCUMENT;
		case FIX_DEPENDENT:
			return BLOCKED_BY_DEPENDENT;
		case FIX_SEQUENCE:
			return BLOCKED_BY_SEQUENCE;
		default:
			return BLOCKED_BY_ROWS;
	}
}

/* the message of a refusal, with the refused objects for its %s */
const char *const validate_blocker_message[] = {
	[BLOCKED_BY_ROWS] = "existing rows block convergence of %s",
	[BLOCKED_BY_DOCUMENT] = "the document's own declarations block convergence of %s",
	[BLOCKED_BY_DEPENDENT] = "objects the document does not manage block convergence of %s",
	[BLOCKED_BY_SEQUENCE] = "sequence positions block convergence of %s",
};

/*
 * validate_raise
 *		One error for every refused step of a validated plan, or nothing.
 */
void
validate_raise(List *steps)
{
	StringInfoData objects;
	StringInfoData detail;
	StringInfoData hint;
	bool		fixes[FIX_LAST + 1] = {false};
	ConvBlocker blocker = BLOCKED_BY_SEQUENCE;
	int			refused = 0;
	ListCell   *lc;

	initStringInfo(&objects);
	initStringInfo(&detail);
	initStringInfo(&hint);
	foreach(lc, steps)
	{
		ConvStep   *step = lfirst(lc);

		if (step->problem == NULL)
			continue;
		refused++;
		appendStringInfo(&objects, "%s%s", objects.len ? ", " : "",
						 step->object);
		appendStringInfo(&detail, "%sStep %d (%s %s): %s.",
						 detail.len ? "\n" : "", step->number, step->action,
						 step->object, step->problem);
		fixes[step->fix] = true;
		blocker = Min(blocker, validate_blocker(step->fix));
	}
	if (refused == 0)
		return;

	for (int fix = FIX_NONE + 1; fix <= FIX_LAST; fix++)
		if (fixes[fix])
			appendStringInfo(&hint, "%s%s", hint.len ? "  " : "",
							 validate_fix_hint((ConvFix) fix));

	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg(validate_blocker_message[blocker], objects.data),
			 errdetail("%s", detail.data),
			 hint.len ? errhint("%s", hint.data) : 0));
}
