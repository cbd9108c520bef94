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
 * validate_raise() then turns all refusals into one error: the message
 * names every refused object, the detail gives each one's count and
 * samples, and the hint names the document key that fixes them.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "model.h"

#define SAMPLE_KEYS 5

typedef struct ProbeResult
{
	int64		affected;
	int64		failing;
	char	   *samples;		/* "(id)=(1), (id)=(2)", or NULL */
} ProbeResult;

static void
run_probe(const ConvProbe *probe, ProbeResult *result)
{
	StringInfoData sql;
	bool		isnull;

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

	converge_spi_query(sql.data, 0, NULL, NULL);
	result->affected = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
												   SPI_tuptable->tupdesc, 1,
												   &isnull));
	result->failing = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
												  SPI_tuptable->tupdesc, 2,
												  &isnull));
	result->samples = NULL;
	if (result->failing > 0)
	{
		StringInfoData samples;

		resetStringInfo(&sql);
		appendStringInfo(&sql,
						 "SELECT converge_sample_key FROM %s WHERE %s LIMIT %d",
						 probe->source, probe->failing, SAMPLE_KEYS);
		converge_spi_query(sql.data, 0, NULL, NULL);
		initStringInfo(&samples);
		for (uint64 i = 0; i < SPI_processed; i++)
			appendStringInfo(&samples, "%s%s=%s", i ? ", " : "",
							 probe->key_label,
							 SPI_getvalue(SPI_tuptable->vals[i],
										  SPI_tuptable->tupdesc, 1));
		result->samples = samples.data;
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
 * counts, and whatever a "using" or default expression does while it is
 * evaluated (nextval, say) is undone.  Row level security is off inside,
 * so a policy can never hide rows from the count: where it would, the probe
 * fails and the step is refused.  Returns NULL, or the server's error
 * when the rows could not be checked.
 */
typedef struct ProbeWork
{
	const ConvProbe *probe;
	ProbeResult *result;
} ProbeWork;

static void
probe_work(void *arg)
{
	ProbeWork  *w = arg;

	(void) set_config_option("row_security", "off", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_LOCAL, true, 0, false);
	run_probe(w->probe, w->result);
}

static ErrorData *
run_probe_guarded(const ConvProbe *probe, ProbeResult *result)
{
	ProbeWork	w = {probe, result};
	ErrorData  *edata = converge_run_rolled_back(probe_work, &w);

	if (edata && !is_row_error(edata->sqlerrcode))
		ReThrowError(edata);
	return edata;
}

/* a type mismatch a lenient probe meets because labels do not exist yet */
static bool
is_label_error(int sqlerrcode)
{
	return sqlerrcode == ERRCODE_UNDEFINED_FUNCTION ||
		sqlerrcode == ERRCODE_DATATYPE_MISMATCH ||
		sqlerrcode == ERRCODE_INVALID_TEXT_REPRESENTATION ||
		sqlerrcode == ERRCODE_CANNOT_COERCE;
}

static char *
rows(int64 n)
{
	return psprintf(INT64_FORMAT " %s", n, n == 1 ? "row" : "rows");
}

/* one probe of a step; returns its problem, or NULL */
static char *
validate_probe(ConvStep *step, const ConvProbe *probe, bool allow_data_loss)
{
	ProbeResult result;
	ErrorData  *failure;
	const char *label = probe->label ? psprintf("%s: ", probe->label) : "";

	failure = run_probe_guarded(probe, &result);
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
			return NULL;
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
validate_step(ConvStep *step, bool allow_data_loss)
{
	StringInfoData problems;
	ListCell   *lc;

	if (step->problem != NULL)
		return;
	initStringInfo(&problems);
	foreach(lc, step->probes)
	{
		char	   *problem = validate_probe(step, lfirst(lc),
											 allow_data_loss);

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
validate_plan(List *steps, bool allow_data_loss)
{
	ListCell   *lc;

	foreach(lc, steps)
		validate_step(lfirst(lc), allow_data_loss);
}

static const char *
fix_hint(ConvFix fix)
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
		case FIX_NONE:
			break;
	}
	return NULL;
}

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
	bool		rows_block = false;
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
		rows_block |= (step->fix != FIX_DEPENDENT && step->fix != FIX_LABEL &&
					   step->fix != FIX_SEQUENCE &&
					   step->fix != FIX_DEFAULT_CHECK &&
					   step->fix != FIX_DEFAULT_DOMAIN);
	}
	if (refused == 0)
		return;

	for (int fix = FIX_NONE + 1; fix <= FIX_LAST; fix++)
		if (fixes[fix])
			appendStringInfo(&hint, "%s%s", hint.len ? "  " : "",
							 fix_hint((ConvFix) fix));

	/*
	 * Say what blocks: rows, the document itself, a sequence's position, or
	 * what the document does not manage.
	 */
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 rows_block ?
			 errmsg("existing rows block convergence of %s", objects.data) :
			 fixes[FIX_LABEL] || fixes[FIX_DEFAULT_CHECK] ||
			 fixes[FIX_DEFAULT_DOMAIN] ?
			 errmsg("the document's own declarations block convergence of %s",
					objects.data) :
			 fixes[FIX_SEQUENCE] && !fixes[FIX_DEPENDENT] ?
			 errmsg("sequence positions block convergence of %s",
					objects.data) :
			 errmsg("objects the document does not manage block convergence of %s",
					objects.data),
			 errdetail("%s", detail.data),
			 hint.len ? errhint("%s", hint.data) : 0));
}
