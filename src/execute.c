/*-------------------------------------------------------------------------
 *
 * execute.c
 *	  Run the steps of a validated plan, and every other SPI statement.
 *
 * Steps run through SPI in the caller's transaction, one after the other;
 * nothing here commits.  If a step fails, the error carries a context line
 * naming the step and its statement, and the caller's transaction (or the
 * subtransaction of the PL/pgSQL block that called us) undoes every step
 * already run.
 *
 * pg_converge.fail_after_step makes the executor raise an error right
 * after step k, so tests can prove that a failure at any point leaves the
 * catalog and the rows exactly as they were.
 *
 * While a step runs, user code can run DDL too: a trigger fired by an
 * UPDATE step, a function in a default, an event trigger.  The drift log
 * must tell the step's own statement (origin 'converge') from what such
 * code ran (origin 'nested', with its own statement), and the event
 * trigger cannot tell them apart by itself: it sees a parse tree, not the
 * statement.  So while a plan runs, a ProcessUtility hook keeps, for the
 * innermost utility command, whether it is the step's own statement
 * (converge_executing) and the text of what runs (converge_executing_sql).
 * The hook is installed by the first plan a session runs: the library is
 * loaded by then, and outside a plan it only passes commands on.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "tcop/utility.h"
#include "utils/guc.h"
#include "utils/resowner.h"

#include "model.h"

int			converge_fail_after_step = 0;

static ProcessUtility_hook_type prev_utility_hook = NULL;
static bool utility_hook_installed = false;

/* the step that runs, NULL outside a plan; see track_utility() */
static ConvStep *running_step = NULL;
static int	utility_depth = 0;	/* utility commands entered in the step */
static bool own_statement_seen = false;

static void
spi_run(const char *sql, int nargs, Oid *argtypes, Datum *args,
		bool read_only)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	int			rc;

	rc = SPI_execute_with_args(sql, nargs, argtypes, args, NULL, read_only,
							   0);
	MemoryContextSwitchTo(oldcxt);
	if (rc < 0)
		elog(ERROR, "SPI_execute failed for \"%s\": %s", sql,
			 SPI_result_code_string(rc));
}

/*
 * converge_spi_query
 *		Run one statement through SPI.  SPI leaves its own procedure context
 *		current after a call; put the caller's back.
 */
void
converge_spi_query(const char *sql, int nargs, Oid *argtypes, Datum *args)
{
	spi_run(sql, nargs, argtypes, args, false);
}

/*
 * converge_spi_read
 *		Run one catalog query in the caller's snapshot: read-only SPI takes
 *		no new snapshot per query, so every query of one catalog read sees
 *		the same catalog, even while other sessions change it.
 */
void
converge_spi_read(const char *sql, int nargs, Oid *argtypes, Datum *args)
{
	spi_run(sql, nargs, argtypes, args, true);
}

/*
 * converge_run_rolled_back
 *		Run work(arg) in a subtransaction that is always rolled back: nothing
 *		it does is kept, whatever it calls.  Returns the error it raised,
 *		copied into the caller's memory context, or NULL; the caller decides
 *		which errors are answers and rethrows the others.
 */
ErrorData *
converge_run_rolled_back(void (*work) (void *arg), void *arg)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	ErrorData  *volatile edata = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcxt);
	PG_TRY();
	{
		work(arg);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
	}
	PG_END_TRY();

	RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(oldcxt);
	CurrentResourceOwner = oldowner;
	return edata;
}

static void run_steps(List *steps);

/* the text of one statement of a (possibly multi-statement) query string */
static char *
statement_text(PlannedStmt *pstmt, const char *query)
{
	int			location = pstmt->stmt_location;
	int			len = pstmt->stmt_len;

	if (location < 0)
		return pstrdup(query);
	if (len <= 0)
		len = strlen(query + location);
	return pnstrdup(query + location, len);
}

/*
 * Say what the command about to run is to the event triggers: the step's
 * own statement is the first utility command a step enters at the top
 * (SPI hands it the step's text); anything else is user code's.  A
 * subcommand (the sequence of a serial column, say) is part of its
 * command and changes nothing.
 */
static void
converge_utility_hook(PlannedStmt *pstmt, const char *queryString,
					  bool readOnlyTree, ProcessUtilityContext context,
					  ParamListInfo params, QueryEnvironment *queryEnv,
					  DestReceiver *dest, QueryCompletion *qc)
{
	volatile bool tracked = (running_step != NULL &&
							 context != PROCESS_UTILITY_SUBCOMMAND);
	volatile bool save_executing = converge_executing;
	const char *volatile save_sql = converge_executing_sql;

	if (tracked)
	{
		if (!own_statement_seen && utility_depth == 0 &&
			strcmp(queryString, running_step->sql) == 0)
		{
			own_statement_seen = true;
			converge_executing = true;
			converge_executing_sql = running_step->sql;
		}
		else
		{
			converge_executing = false;
			converge_executing_sql = statement_text(pstmt, queryString);
		}
		utility_depth++;
	}
	PG_TRY();
	{
		if (prev_utility_hook)
			prev_utility_hook(pstmt, queryString, readOnlyTree, context,
							  params, queryEnv, dest, qc);
		else
			standard_ProcessUtility(pstmt, queryString, readOnlyTree,
									context, params, queryEnv, dest, qc);
	}
	PG_FINALLY();
	{
		if (tracked)
		{
			utility_depth--;
			converge_executing = save_executing;
			converge_executing_sql = save_sql;
		}
	}
	PG_END_TRY();
}

static void
step_error_context(void *arg)
{
	ConvStep   *step = arg;

	errcontext("pg_converge step %d (%s %s): %s", step->number, step->action,
			   step->object, step->sql);
}

/*
 * execute_plan
 *		Run every step, in order.
 */
void
execute_plan(List *steps)
{
	/* a plan run by user code during a step (a trigger) nests in this one */
	ConvStep   *volatile save_step = running_step;
	volatile int save_depth = utility_depth;
	volatile bool save_seen = own_statement_seen;

	if (!utility_hook_installed)
	{
		prev_utility_hook = ProcessUtility_hook;
		ProcessUtility_hook = converge_utility_hook;
		utility_hook_installed = true;
	}
	utility_depth = 0;
	PG_TRY();
	{
		run_steps(steps);
	}
	PG_FINALLY();
	{
		running_step = save_step;
		utility_depth = save_depth;
		own_statement_seen = save_seen;
	}
	PG_END_TRY();
}

static void
run_step(ConvStep *step)
{
	int			nestlevel;

	if (!step->defer_body_check)
	{
		converge_spi_query(step->sql, 0, NULL, NULL);
		return;
	}
	nestlevel = NewGUCNestLevel();
	(void) set_config_option("check_function_bodies", "off", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	converge_spi_query(step->sql, 0, NULL, NULL);
	AtEOXact_GUC(true, nestlevel);
}

static void
run_steps(List *steps)
{
	ErrorContextCallback callback;
	ListCell   *lc;

	foreach(lc, steps)
	{
		ConvStep   *step = lfirst(lc);

		callback.callback = step_error_context;
		callback.arg = step;
		callback.previous = error_context_stack;
		error_context_stack = &callback;

		running_step = step;
		own_statement_seen = false;
		run_step(step);
		running_step = NULL;

		error_context_stack = callback.previous;

		if (step->number == converge_fail_after_step)
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("failing after step %d as pg_converge.fail_after_step asks",
							step->number)));
	}
}
