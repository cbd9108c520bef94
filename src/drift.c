/*-------------------------------------------------------------------------
 *
 * drift.c
 *	  Record DDL as it happens, so drift from the applied document shows.
 *
 * Two event triggers (ddl_command_end and sql_drop) insert one row per
 * command or dropped object into converge.ddl_log.  Its origin is
 * 'converge' for the statement of a convergence step, 'nested' for DDL
 * that user code (a trigger, a function, an event trigger) runs while a
 * step runs, and 'external' for everything else; execute.c tells which
 * (converge_executing, converge_executing_sql).  Recording must
 * never break the DDL it records: it runs in a subtransaction and any error
 * becomes a WARNING.  A convergence's own DDL is the exception: its history
 * is part of it, so a row that cannot be written fails the convergence.
 * Objects of the extension's own schema are not recorded, nor are
 * temporary objects, objects that belong to an
 * extension, commands the server cannot name an object for (a GRANT, say:
 * pgTAP grants on its temporary tables), or what an extension's install or
 * update script does.
 *
 * The statement of a command that can carry a password or a connection
 * string is not kept: the server's parser decides, not the text (see
 * command_holds_secret()).
 *
 * Nor is what pg_restore does: the log and converge.applied are dumped with
 * the database (pg_extension_config_dump), so a restore brings back the
 * history it replays; logging the replay would report the restored schema
 * as external drift, and its rows would take the ids the restored ones
 * come back with.  (With session_replication_role = replica the server
 * fires no event trigger at all.)
 *
 * The trigger functions are SECURITY DEFINER (see the install script), so
 * the row is written with the extension owner's rights whoever ran the DDL;
 * the role recorded is the one the session acts as (GetOuterUserId()),
 * which a SECURITY DEFINER call does not change.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/event_trigger.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "parser/parser.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "model.h"

bool		converge_record_drift = true;

/* set by execute.c while it runs the steps of a plan */
bool		converge_executing = false;
const char *converge_executing_sql = NULL;

static const char *const record_commands =
"INSERT INTO converge.ddl_log (role_name, command_tag, object_type,"
"                              object_identity, schema_name, statement, origin)"
" SELECT $1, c.command_tag, c.object_type, c.object_identity, c.schema_name,"
"        $4, $2"
"   FROM pg_catalog.pg_event_trigger_ddl_commands() c"
"  WHERE c.schema_name IS DISTINCT FROM 'converge'"
"    AND NOT (c.object_type = 'schema' AND c.object_identity = 'converge')"
"    AND NOT c.in_extension AND c.object_identity IS NOT NULL"
"    AND (c.schema_name IS NULL OR c.schema_name NOT LIKE 'pg\\_temp%')";

static const char *const record_drops =
"INSERT INTO converge.ddl_log (role_name, command_tag, object_type,"
"                              object_identity, schema_name, statement, origin)"
" SELECT $1, $3, d.object_type, d.object_identity, d.schema_name, $4, $2"
"   FROM pg_catalog.pg_event_trigger_dropped_objects() d"
"  WHERE d.original AND NOT d.is_temporary"
"    AND d.schema_name IS DISTINCT FROM 'converge'";

/* does a role's option list set a password? */
static bool
sets_password(List *options)
{
	ListCell   *lc;

	foreach(lc, options)
		if (strcmp(((DefElem *) lfirst(lc))->defname, "password") == 0)
			return true;
	return false;
}

/*
 * Can this command carry a password or a connection string?  Subscriptions
 * hold a connection string; the options of foreign servers and user
 * mappings are the FDW's own and may hold anything (postgres_fdw keeps
 * passwords there).  Roles are global objects, so no event trigger fires
 * for them, but their statements can share a query string with a command
 * that does fire one.
 */
static bool
command_holds_secret(Node *stmt)
{
	switch (nodeTag(stmt))
	{
		case T_CreateSubscriptionStmt:
			return true;
		case T_AlterSubscriptionStmt:
			return ((AlterSubscriptionStmt *) stmt)->conninfo != NULL;
		case T_CreateForeignServerStmt:
			return ((CreateForeignServerStmt *) stmt)->options != NIL;
		case T_AlterForeignServerStmt:
			return ((AlterForeignServerStmt *) stmt)->options != NIL;
		case T_CreateUserMappingStmt:
			return ((CreateUserMappingStmt *) stmt)->options != NIL;
		case T_AlterUserMappingStmt:
			return ((AlterUserMappingStmt *) stmt)->options != NIL;
		case T_CreateRoleStmt:
			return sets_password(((CreateRoleStmt *) stmt)->options);
		case T_AlterRoleStmt:
			return sets_password(((AlterRoleStmt *) stmt)->options);
		default:
			return false;
	}
}

typedef struct SecretScan
{
	const char *text;
	bool		secret;
} SecretScan;

static void
scan_statements(void *arg)
{
	SecretScan *scan = arg;
	ListCell   *lc;

	foreach(lc, raw_parser(scan->text, RAW_PARSE_DEFAULT))
		if (command_holds_secret(((RawStmt *) lfirst(lc))->stmt))
			scan->secret = true;
}

/*
 * Does the text about to be logged hold a statement that can carry a
 * secret?  The text is what the client sent, which may be several
 * statements: each is parsed, by the server's own parser, and a text that
 * does not parse is not kept either.  A script of many commands sent as
 * one string fires the trigger once per command, so the answer for the
 * last text is remembered rather than parsing the script again each time.
 */
static bool
text_holds_secret(const char *text)
{
	static char *last_text = NULL;
	static bool last_secret = false;
	SecretScan	scan = {text, false};
	ErrorData  *edata;

	if (last_text && strcmp(last_text, text) == 0)
		return last_secret;
	edata = converge_run_rolled_back(scan_statements, &scan);
	if (edata)
		FreeErrorData(edata);
	if (last_text)
		pfree(last_text);
	last_text = MemoryContextStrdup(TopMemoryContext, text);
	last_secret = (edata != NULL || scan.secret);
	return last_secret;
}

/*
 * The statement to log for this command, or NULL when it is not kept:
 * a step's own statement (not the whole call, which holds the document),
 * the statement user code ran during a step, or otherwise the query the
 * client sent.
 */
static const char *
logged_statement(Node *parsetree)
{
	const char *text;

	if (converge_executing)
		return converge_executing_sql;
	text = converge_executing_sql ? converge_executing_sql :
		debug_query_string;
	if (text == NULL || command_holds_secret(parsetree) ||
		text_holds_secret(text))
		return NULL;
	return text;
}

/*
 * Insert the rows; the statement is planned once per backend, since it
 * runs after every DDL command.
 */
static void
insert_log_rows(bool drops, EventTriggerData *trigdata)
{
	static SPIPlanPtr plans[2] = {NULL, NULL};
	Oid			argtypes[4] = {NAMEOID, TEXTOID, TEXTOID, TEXTOID};
	Datum		args[4];
	char		nulls[4] = {' ', ' ', ' ', ' '};
	NameData	role;
	const char *statement = logged_statement(trigdata->parsetree);

	namestrcpy(&role, GetUserNameFromId(GetOuterUserId(), false));
	args[0] = NameGetDatum(&role);
	args[1] = CStringGetTextDatum(converge_executing ? "converge" :
								  converge_executing_sql ? "nested" :
								  "external");
	args[2] = CStringGetTextDatum(GetCommandTagName(trigdata->tag));
	if (statement)
		args[3] = CStringGetTextDatum(statement);
	else
		nulls[3] = 'n';

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (plans[drops] == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(drops ? record_drops : record_commands,
									   4, argtypes);

		if (plan == NULL || SPI_keepplan(plan) != 0)
			elog(ERROR, "could not prepare the insert into converge.ddl_log");
		plans[drops] = plan;
	}
	if (SPI_execute_plan(plans[drops], args, nulls, false, 0) < 0)
		elog(ERROR, "could not insert into converge.ddl_log");
	SPI_finish();
}

/*
 * Is this session pg_restore replaying a dump?  pg_restore names itself in
 * application_name, which any role can set: trust it only from a
 * superuser, who could turn pg_converge.record_drift off anyway, so no one
 * can hide DDL from the log who could not already.  The role is the one
 * recorded (the trigger functions run as the extension's owner).
 */
static bool
session_is_restore(void)
{
	return application_name != NULL &&
		strcmp(application_name, "pg_restore") == 0 &&
		superuser_arg(GetOuterUserId());
}

/*
 * drift_record
 *		Body of both event triggers: log what the command did, or warn.
 */
void
drift_record(FunctionCallInfo fcinfo, bool drops)
{
	EventTriggerData *trigdata;
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_EVENT_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function can only be called as an event trigger")));
	/* an extension's own script is not drift, nor is a restore */
	if (!converge_record_drift || creating_extension || session_is_restore())
		return;
	trigdata = (EventTriggerData *) fcinfo->context;

	/*
	 * A convergence is all or nothing, its history included: a row of it
	 * that cannot be written fails the convergence.  That also spares it a
	 * subtransaction per statement, whose end scans every relation the
	 * transaction has created so far (quadratic in a large convergence).
	 */
	if (converge_executing || converge_executing_sql)
	{
		insert_log_rows(drops, trigdata);
		return;
	}
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcxt);
	PG_TRY();
	{
		insert_log_rows(drops, trigdata);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
		ereport(WARNING,
				(errmsg("pg_converge could not record %s: %s",
						GetCommandTagName(trigdata->tag), edata->message),
				 errhint("The command itself went through; converge_drift() will not show it.")));
	}
	PG_END_TRY();
}
