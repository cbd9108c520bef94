/*-------------------------------------------------------------------------
 *
 * script.c
 *	  A validated plan as one SQL script that converges a database which
 *	  cannot load the extension, with the same checks: converge_script().
 *
 * Managed hosts load no custom C.  The plan is made on a schema-only copy
 * of production that has pg_converge, and the script carries its
 * judgement to production in plain SQL, in three parts:
 *
 * 1. The catalog.  Each kind's fingerprint query (kinds.h) runs here, and
 *    the script holds its text and its result.  On the target it runs the
 *    same text and refuses, naming every object that differs, before
 *    anything changes: the steps were planned against that catalog, so on
 *    an equal one they are the steps converge_schema would run.
 * 2. The rows.  Every probe validate.c ran here is a row of data in one DO
 *    block that runs it against the target's rows and raises one error in
 *    the shape of validate_raise(): each refused step with its counts and
 *    sample keys, and the hint that names the fix.  A probe validate.c
 *    could not run (it would call a volatile function) is left to the
 *    statement, as converge_schema leaves it; a probe of a row of defaults
 *    does not depend on rows, and was decided here.
 * 3. The steps, each after a comment that names it, says why it exists
 *    and what it risks, so that the script reads as a migration to review.
 *
 * The script runs in one transaction (psql --single-transaction) and
 * refuses to run outside one: a setting made with SET LOCAL is only seen
 * inside a transaction block.  It calls nothing of pg_converge and creates
 * nothing that outlives it but what its steps make.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/cryptohash.h"
#include "common/sha2.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "kinds/kinds.h"

/* a fact longer than this is compared by its hash, to keep scripts short */
#define FACT_HASHED_OVER 200

/* differences the catalog check lists before "... and N more" */
#define DIFFERENCES_LISTED 20

/* the transaction check's setting; any two-part name the server lacks */
#define SCRIPT_SETTING "converge_script.transaction"

/* "-- " before each line of text */
static void
append_comment(StringInfo buf, const char *prefix, const char *text)
{
	const char *line = text;

	while (line)
	{
		const char *end = strchr(line, '\n');
		int			len = end ? (int) (end - line) : (int) strlen(line);

		appendStringInfo(buf, "-- %s%.*s\n", prefix, len, line);
		line = end ? end + 1 : NULL;
		prefix = "    ";
	}
}

/*
 * The fingerprint query: every kind's, over converge_managed; long facts
 * by their hash.  The same text runs here and in the script.
 */
static char *
fingerprint_query(List *schemas)
{
	StringInfoData sql;
	bool		first = true;

	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "WITH converge_managed(nspname) AS"
					 " (SELECT pg_catalog.unnest(ARRAY[%s]::pg_catalog.text[]))\n"
					 "SELECT f.kind, f.object,"
					 " CASE WHEN pg_catalog.length(f.fact) > %d"
					 " THEN 'sha256:' || pg_catalog.encode(pg_catalog.sha256("
					 "pg_catalog.convert_to(f.fact, 'UTF8')), 'hex')"
					 " ELSE COALESCE(f.fact, '') END AS fact\n"
					 "FROM (",
					 literal_list(schemas), FACT_HASHED_OVER);
	for (int kind = 0; kind < NUM_KINDS; kind++)
	{
		if (conv_kinds[kind]->fingerprint == NULL)
			continue;
		if (!first)
			appendStringInfoString(&sql, "\n      UNION ALL\n      ");
		appendStringInfoString(&sql, conv_kinds[kind]->fingerprint);
		first = false;
	}
	appendStringInfoString(&sql, ") AS f(kind, object, fact)");
	return sql.data;
}

/* the catalog as the fingerprint query reads it here, as VALUES rows */
static char *
fingerprint_rows(const char *query)
{
	StringInfoData rows;

	converge_spi_read(psprintf("%s ORDER BY 1, 2", query), 0, NULL, NULL);
	initStringInfo(&rows);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;

		appendStringInfo(&rows, "%s\t\t\t(%s, %s, %s)",
						 i ? ",\n" : "",
						 quote_literal_cstr(SPI_getvalue(tup, desc, 1)),
						 quote_literal_cstr(SPI_getvalue(tup, desc, 2)),
						 quote_literal_cstr(SPI_getvalue(tup, desc, 3)));
	}
	if (rows.len == 0)
		appendStringInfoString(&rows,
							   "\t\t\tSELECT NULL::pg_catalog.text, NULL, NULL"
							   " WHERE false");
	else
		rows.data = psprintf("\t\t\tVALUES\n%s", rows.data);
	return rows.data;
}

/*
 * The first block: one transaction, the server's major version, the lock
 * converge_schema takes, and the catalog the plan was made against.
 */
static void
append_catalog_check(StringInfo buf, List *schemas, int64 lock_key)
{
	char	   *query = fingerprint_query(schemas);
	char	   *made = fingerprint_rows(query);
	StringInfoData body;

	initStringInfo(&body);
	appendStringInfo(&body,
					 "\nDECLARE\n"
					 "\tdiffering bigint;\n"
					 "\tdifferences text;\n"
					 "BEGIN\n"
					 "\tIF pg_catalog.current_setting('%s', true)"
					 " IS DISTINCT FROM 'on' THEN\n"
					 "\t\tRAISE EXCEPTION 'this script must run in one transaction'\n"
					 "\t\t\tUSING ERRCODE = 'no_active_sql_transaction',\n"
					 "\t\t\t\tHINT = 'Run it with psql -v ON_ERROR_STOP=1"
					 " --single-transaction -f FILE.';\n"
					 "\tEND IF;\n",
					 SCRIPT_SETTING);
	appendStringInfo(&body,
					 "\tIF pg_catalog.current_setting('server_version_num')"
					 "::int / 10000 <> %d THEN\n"
					 "\t\tRAISE EXCEPTION 'this script was made on PostgreSQL %d,"
					 " not on the PostgreSQL %% of this server',\n"
					 "\t\t\tpg_catalog.current_setting('server_version')\n"
					 "\t\t\tUSING ERRCODE = 'object_not_in_prerequisite_state',\n"
					 "\t\t\t\tHINT = 'Make it again against a copy of this"
					 " database on a server of its major version.';\n"
					 "\tEND IF;\n"
					 "\t-- one convergence at a time, as converge_schema\n"
					 "\tPERFORM pg_catalog.pg_advisory_xact_lock(" INT64_FORMAT ");\n",
					 PG_VERSION_NUM / 10000, PG_VERSION_NUM / 10000, lock_key);
	appendStringInfo(&body,
					 "\t-- the catalog here, read by the query that read it"
					 " where the script was made\n"
					 "\tWITH here AS (\n%s\n\t),\n"
					 "\tmade(kind, object, fact) AS (\n%s\n\t),\n"
					 "\tchanged AS (\n"
					 "\t\tSELECT kind, object, made.fact AS made, here.fact AS here,\n"
					 "\t\t\tpg_catalog.row_number() OVER (ORDER BY kind, object) AS n\n"
					 "\t\tFROM made FULL JOIN here USING (kind, object)\n"
					 "\t\tWHERE made.fact IS DISTINCT FROM here.fact\n"
					 "\t)\n"
					 "\tSELECT pg_catalog.count(*),\n"
					 "\t\tpg_catalog.string_agg(kind || ' ' || object || ': ' ||\n"
					 "\t\t\tCASE WHEN made IS NULL THEN 'is here, but was not where the script was made'\n"
					 "\t\t\t\tWHEN here IS NULL THEN 'is missing'\n"
					 "\t\t\t\tWHEN pg_catalog.length(made) + pg_catalog.length(here) > %d\n"
					 "\t\t\t\t\tOR made LIKE 'sha256:%%' OR here LIKE 'sha256:%%'\n"
					 "\t\t\t\tTHEN 'differs'\n"
					 "\t\t\t\tELSE 'differs: made against \"' || made || '\", here \"' || here || '\"' END,\n"
					 "\t\t\tE'\\n' ORDER BY n) FILTER (WHERE n <= %d)\n"
					 "\tINTO differing, differences\n"
					 "\tFROM changed;\n",
					 query, made, FACT_HASHED_OVER, DIFFERENCES_LISTED);
	appendStringInfo(&body,
					 "\tIF differing > 0 THEN\n"
					 "\t\tIF differing > %d THEN\n"
					 "\t\t\tdifferences := differences || E'\\n... and ' ||"
					 " (differing - %d) || ' more.';\n"
					 "\t\tEND IF;\n"
					 "\t\tRAISE EXCEPTION 'this database is not the one the script"
					 " was made against: %% %%', differing,\n"
					 "\t\t\tCASE differing WHEN 1 THEN 'object differs'"
					 " ELSE 'objects differ' END\n"
					 "\t\t\tUSING ERRCODE = 'object_not_in_prerequisite_state',\n"
					 "\t\t\t\tDETAIL = differences,\n"
					 "\t\t\t\tHINT = 'Nothing was changed.  Make the script again"
					 " with converge_script() against a schema-only copy of this"
					 " database as it is now (pg_dump --schema-only), and run"
					 " the new script.';\n"
					 "\tEND IF;\n"
					 "END\n",
					 DIFFERENCES_LISTED, DIFFERENCES_LISTED);
	appendStringInfo(buf, "DO %s;\n",
					 dollar_quoted(body.data, "converge_catalog"));
}

/* a probe as a row of the rows check's VALUES */
static void
append_probe_row(StringInfo buf, const ConvStep *step, const ConvProbe *probe,
				 bool allow_data_loss)
{
	bool		refuses = probe->refusal == REFUSE_ALWAYS ||
		(probe->refusal == REFUSE_DATA_LOSS && !allow_data_loss);
	bool		tells = probe->refusal == REFUSE_DATA_LOSS && allow_data_loss;
	const char *hint = validate_fix_hint(probe->fix);

	appendStringInfo(buf, "%s\t\t\t(%d, %s, %s, %s,\n\t\t\t %s,\n\t\t\t %s,\n"
					 "\t\t\t %s, %s, %s, %s, %d, %d, %s)",
					 buf->len ? ",\n" : "",
					 step->number,
					 quote_literal_cstr(step->action),
					 quote_literal_cstr(step->object),
					 quote_literal_cstr(probe->label ?
										psprintf("%s: ", probe->label) : ""),
					 quote_literal_cstr(validate_count_sql(probe)),
					 probe->failing ?
					 quote_literal_cstr(validate_sample_sql(probe)) : "NULL",
					 quote_literal_cstr(probe->failing_text ?
										probe->failing_text : ""),
					 refuses ? "true" : "false",
					 tells ? "true" : "false",
					 probe->lenient ? "true" : "false",
					 (int) probe->fix,
					 (int) validate_blocker(probe->fix),
					 hint ? quote_literal_cstr(hint) : "NULL");
}

/* the probes the script runs, as VALUES rows; "" when there is none */
static char *
probe_rows(List *steps, bool allow_data_loss)
{
	StringInfoData rows;
	ListCell   *lc;

	initStringInfo(&rows);
	foreach(lc, steps)
	{
		ConvStep   *step = lfirst(lc);
		ListCell   *pc;

		foreach(pc, step->probes)
		{
			ConvProbe  *probe = lfirst(pc);

			if (probe->not_run || probe->of_defaults)
				continue;
			append_probe_row(&rows, step, probe, allow_data_loss);
		}
	}
	return rows.data;
}

/*
 * The PL/pgSQL that runs one probe and keeps its problem, in two parts
 * around the SQLSTATEs of validate_label_errors.  The conditions it
 * catches are the classes of validate.c's is_row_error().
 */
static const char *const run_probe_plpgsql =
"\tLOOP\n"
"\t\tproblem := NULL;\n"
"\t\tBEGIN\n"
"\t\t\tEXECUTE p.count_sql INTO affected, failing;\n"
"\t\t\tIF failing > 0 AND (p.refuses OR p.tells) THEN\n"
"\t\t\t\tEXECUTE p.sample_sql INTO samples;\n"
"\t\t\t\tproblem := pg_catalog.format('%s%s %s %s; sample keys: %s',\n"
"\t\t\t\t\tp.label, failing, CASE failing WHEN 1 THEN 'row' ELSE 'rows' END,\n"
"\t\t\t\t\tp.failing_text, samples);\n"
"\t\t\tEND IF;\n"
"\t\t\t-- a loss allow_data_loss accepts is said, not refused\n"
"\t\t\tIF p.tells AND problem IS NOT NULL THEN\n"
"\t\t\t\tRAISE NOTICE 'step % (% %) runs with allow_data_loss: %',\n"
"\t\t\t\t\tp.step, p.action, p.object, problem;\n"
"\t\t\t\tproblem := NULL;\n"
"\t\t\tEND IF;\n"
"\t\tEXCEPTION\n"
"\t\t\tWHEN data_exception OR integrity_constraint_violation OR\n"
"\t\t\t\tsyntax_error_or_access_rule_violation THEN\n"
"\t\t\t\t-- rows holding labels the plan makes: the statement checks them\n"
"\t\t\t\tIF NOT (p.lenient AND SQLSTATE IN (";
static const char *const run_probe_plpgsql_end =
")) THEN\n"
"\t\t\t\t\tproblem := p.label || 'existing rows cannot be checked: ' ||\n"
"\t\t\t\t\t\tSQLERRM;\n"
"\t\t\t\tEND IF;\n"
"\t\tEND;\n"
"\t\tIF problem IS NOT NULL THEN\n"
"\t\t\tfound_step := found_step || p.step;\n"
"\t\t\tfound_action := found_action || p.action;\n"
"\t\t\tfound_object := found_object || p.object;\n"
"\t\t\tfound_problem := found_problem || problem;\n"
"\t\t\tfound_fix := found_fix || p.fix;\n"
"\t\t\tfound_blocker := found_blocker || p.blocker;\n"
"\t\t\tfound_hint := found_hint || p.hint;\n"
"\t\tEND IF;\n"
"\tEND LOOP;\n"
"\tPERFORM pg_catalog.set_config('row_security', saved_row_security, true);\n";

/* the PL/pgSQL that gathers what was found as validate_raise() does */
static const char *const gather_plpgsql =
"\tIF pg_catalog.cardinality(found_step) = 0 THEN\n"
"\t\tRETURN;\n"
"\tEND IF;\n"
"\tWITH refused AS (\n"
"\t\tSELECT u.step, u.action, u.object,\n"
"\t\t\tpg_catalog.string_agg(u.problem, '; ' ORDER BY u.n) AS problems,\n"
"\t\t\t(pg_catalog.array_agg(u.fix ORDER BY u.n DESC))[1] AS fix,\n"
"\t\t\t(pg_catalog.array_agg(u.blocker ORDER BY u.n DESC))[1] AS blocker,\n"
"\t\t\t(pg_catalog.array_agg(u.hint ORDER BY u.n DESC))[1] AS hint\n"
"\t\tFROM ROWS FROM (pg_catalog.unnest(found_step),\n"
"\t\t\tpg_catalog.unnest(found_action), pg_catalog.unnest(found_object),\n"
"\t\t\tpg_catalog.unnest(found_problem), pg_catalog.unnest(found_fix),\n"
"\t\t\tpg_catalog.unnest(found_blocker), pg_catalog.unnest(found_hint))\n"
"\t\t\tWITH ORDINALITY AS u(step, action, object, problem, fix, blocker,\n"
"\t\t\t\thint, n)\n"
"\t\tGROUP BY u.step, u.action, u.object\n"
"\t)\n"
"\tSELECT pg_catalog.string_agg(r.object, ', ' ORDER BY r.step),\n"
"\t\tpg_catalog.string_agg(pg_catalog.format('Step %s (%s %s): %s.', r.step,\n"
"\t\t\tr.action, r.object, r.problems), E'\\n' ORDER BY r.step),\n"
"\t\tpg_catalog.min(r.blocker),\n"
"\t\t(SELECT pg_catalog.string_agg(h.hint, '  ' ORDER BY h.fix)\n"
"\t\t   FROM (SELECT DISTINCT x.fix, x.hint FROM refused x) h)\n"
"\tINTO objects, detail, blocker, hint\n"
"\tFROM refused r;\n";

/* the messages of validate_raise(), by blocker, as a PL/pgSQL array */
static char *
blocker_messages(void)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "ARRAY[");
	for (int b = BLOCKED_BY_ROWS; b <= BLOCKED_BY_SEQUENCE; b++)
		appendStringInfo(&buf, "%s%s", b ? ", " : "",
						 quote_literal_cstr(validate_blocker_message[b]));
	appendStringInfoChar(&buf, ']');
	return buf.data;
}

/*
 * The second block: every probe against the rows here, before any step;
 * one error for all that refuse.  The probes are data, the code that runs
 * them is written once.
 */
static void
append_rows_check(StringInfo buf, List *steps, bool allow_data_loss)
{
	char	   *rows = probe_rows(steps, allow_data_loss);
	StringInfoData body;

	if (rows[0] == '\0')
	{
		appendStringInfoString(buf, "-- (no step touches existing rows)\n");
		return;
	}
	initStringInfo(&body);
	appendStringInfoString(&body,
						   "\nDECLARE\n"
						   "\tp record;\n"
						   "\taffected bigint;\n"
						   "\tfailing bigint;\n"
						   "\tsamples text;\n"
						   "\tproblem text;\n"
						   "\tfound_step int[] := '{}';\n"
						   "\tfound_action text[] := '{}';\n"
						   "\tfound_object text[] := '{}';\n"
						   "\tfound_problem text[] := '{}';\n"
						   "\tfound_fix int[] := '{}';\n"
						   "\tfound_blocker int[] := '{}';\n"
						   "\tfound_hint text[] := '{}';\n"
						   "\tobjects text;\n"
						   "\tdetail text;\n"
						   "\tblocker int;\n"
						   "\thint text;\n"
						   "\tsaved_row_security text :="
						   " pg_catalog.current_setting('row_security');\n"
						   "BEGIN\n"
						   "\t-- a policy never hides rows from a check: where"
						   " it would, the check fails\n"
						   "\tPERFORM pg_catalog.set_config('row_security',"
						   " 'off', true);\n"
						   "\tFOR p IN SELECT * FROM (\n");
	appendStringInfo(&body,
					 "\t\tVALUES\n%s\n"
					 "\t) AS probe(step, action, object, label, count_sql,"
					 " sample_sql,\n"
					 "\t\tfailing_text, refuses, tells, lenient, fix, blocker,"
					 " hint)\n",
					 rows);
	appendStringInfoString(&body, run_probe_plpgsql);
	for (int i = 0; i < NUM_LABEL_ERRORS; i++)
		appendStringInfo(&body, "%s'%s'", i ? ", " : "",
						 unpack_sql_state(validate_label_errors[i]));
	appendStringInfoString(&body, run_probe_plpgsql_end);
	appendStringInfoString(&body, gather_plpgsql);
	appendStringInfo(&body,
					 "\tRAISE EXCEPTION USING\n"
					 "\t\tERRCODE = 'object_not_in_prerequisite_state',\n"
					 "\t\tMESSAGE = pg_catalog.format((%s)[blocker + 1],\n"
					 "\t\t\tobjects),\n"
					 "\t\tDETAIL = detail, HINT = COALESCE(hint, '');\n"
					 "END\n",
					 blocker_messages());
	appendStringInfo(buf, "DO %s;\n",
					 dollar_quoted(body.data, "converge_rows"));
}

/* hazards as converge_plan shows them */
static char *
hazard_words(int hazards)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < NUM_HAZARDS; i++)
		if (hazards & (1 << i))
			appendStringInfo(&buf, "%s%s", buf.len ? ", " : "",
							 hazard_names[i]);
	return buf.data;
}

/* does any probe of the step count rows it would lose? */
static bool
may_lose_rows(const ConvStep *step)
{
	ListCell   *lc;

	foreach(lc, step->probes)
		if (((ConvProbe *) lfirst(lc))->refusal == REFUSE_DATA_LOSS)
			return true;
	return false;
}

/* the third part: each step after a comment naming it */
static void
append_steps(StringInfo buf, List *steps)
{
	ListCell   *lc;

	foreach(lc, steps)
	{
		ConvStep   *step = lfirst(lc);
		bool		loses = may_lose_rows(step);
		char	   *hazards = hazard_words(loses ?
										   step->hazards & ~HAZARD_DATA_LOSS :
										   step->hazards);
		size_t		len = strlen(step->sql);

		appendStringInfo(buf, "\n-- Step %d: %s %s\n", step->number,
						 step->action, step->object);
		append_comment(buf, "reason: ", step->reason);

		/*
		 * Rows here are a copy's, if any: the data a step loses is
		 * production's, counted by the rows check.
		 */
		if (hazards[0] || loses)
			appendStringInfo(buf, "-- hazards: %s%s%s\n",
							 loses ? "data_loss of the rows it holds" : "",
							 loses && hazards[0] ? ", " : "", hazards);
		if (step->defer_body_check)
			appendStringInfoString(buf,
								   "-- a body may read what later steps make:"
								   " checked when it runs\n"
								   "SET LOCAL check_function_bodies = off;\n");
		appendStringInfoString(buf, step->sql);
		if (len == 0 || step->sql[len - 1] != ';')
			appendStringInfoChar(buf, ';');
		appendStringInfoChar(buf, '\n');
		if (step->defer_body_check)
			appendStringInfoString(buf,
								   "SET LOCAL check_function_bodies = on;\n");
	}
}

/* the document's sha256, to tie the script to what it was made from */
static char *
document_sha256(const char *doc)
{
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	char	   *hex = palloc(PG_SHA256_DIGEST_LENGTH * 2 + 1);

	if (pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, (const uint8 *) doc, strlen(doc)) < 0 ||
		pg_cryptohash_final(ctx, digest, sizeof(digest)) < 0)
		elog(ERROR, "could not compute the document's SHA-256");
	pg_cryptohash_free(ctx);
	hex_encode((const char *) digest, sizeof(digest), hex);
	hex[PG_SHA256_DIGEST_LENGTH * 2] = '\0';
	return hex;
}

static void
append_header(StringInfo buf, List *steps, List *schemas, const char *doc,
			  bool allow_data_loss, bool for_psql)
{
	appendStringInfo(buf,
					 "-- pg_converge script: makes the schemas %s match a document.\n"
					 "-- Made by converge_script() on PostgreSQL %s, allow_data_loss %s;\n"
					 "-- the document's sha256 is %s.\n"
					 "--\n"
					 "-- Run it with psql, in one transaction, stopping at the first error:\n"
					 "--     psql -v ON_ERROR_STOP=1 --single-transaction -f FILE\n"
					 "-- It refuses to run outside one transaction.  It needs nothing\n"
					 "-- but PostgreSQL: it calls no function of pg_converge and leaves\n"
					 "-- nothing behind but what its steps make.  It writes no history:\n"
					 "-- converge.applied and the drift log exist only where the\n"
					 "-- extension is installed.\n"
					 "--\n"
					 "-- 1. The catalog: the objects of the schemas must be the ones\n"
					 "--    the script was made against, or it stops before any change.\n"
					 "-- 2. The rows: every check converge_schema makes before its first\n"
					 "--    step runs here, and any problem stops the script with one\n"
					 "--    error, before any change.\n"
					 "-- 3. The %d %s.\n",
					 name_list(schemas), PG_VERSION, allow_data_loss ? "true" : "false",
					 document_sha256(doc), list_length(steps),
					 list_length(steps) == 1 ? "step" : "steps");
	if (for_psql)
		appendStringInfoString(buf, "\\set ON_ERROR_STOP on\n");
}

/*
 * script_build
 *		The script of a validated plan made against the current catalog of
 *		"schemas"; for_psql adds what only psql reads.
 */
char *
script_build(List *steps, List *schemas, const char *doc,
			 bool allow_data_loss, bool for_psql, int64 lock_key)
{
	StringInfoData buf;

	initStringInfo(&buf);
	append_header(&buf, steps, schemas, doc, allow_data_loss, for_psql);
	appendStringInfo(&buf,
					 "\n-- as converge_schema runs: the document's search path,"
					 " ISO dates, no JIT\n"
					 "-- for the catalog queries\n"
					 "SET LOCAL %s = 'on';\n"
					 "SET LOCAL search_path = %s;\n"
					 "SET LOCAL datestyle = 'ISO';\n"
					 "SET LOCAL intervalstyle = 'postgres';\n"
					 "SET LOCAL jit = off;\n",
					 SCRIPT_SETTING,
					 GetConfigOption("search_path", false, false));
	appendStringInfoString(&buf,
						   "\n-- 1. The catalog this script was made against\n");
	append_catalog_check(&buf, schemas, lock_key);
	appendStringInfoString(&buf,
						   "\n-- 2. The rows, checked before any step runs\n");
	append_rows_check(&buf, steps, allow_data_loss);
	appendStringInfoString(&buf, "\n-- 3. The steps\n");
	append_steps(&buf, steps);
	return buf.data;
}
