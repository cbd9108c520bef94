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
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "utils/resowner.h"

#include "model.h"

int			converge_fail_after_step = 0;

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
	/* the event triggers mark what runs now as convergence's own */
	converge_executing = true;
	PG_TRY();
	{
		run_steps(steps);
	}
	PG_FINALLY();
	{
		converge_executing = false;
		converge_executing_sql = NULL;
	}
	PG_END_TRY();
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

		converge_executing_sql = step->sql;
		converge_spi_query(step->sql, 0, NULL, NULL);
		converge_executing_sql = NULL;

		error_context_stack = callback.previous;

		if (step->number == converge_fail_after_step)
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("failing after step %d as pg_converge.fail_after_step asks",
							step->number)));
	}
}
