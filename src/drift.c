/*-------------------------------------------------------------------------
 *
 * drift.c
 *	  Record DDL as it happens, so drift from the applied document shows.
 *
 * Two event triggers (ddl_command_end and sql_drop) insert one row per
 * command or dropped object into converge.ddl_log, marked 'converge' when
 * the executor is running a plan and 'external' otherwise.  Recording must
 * never break the DDL it records: it runs in a subtransaction and any error
 * becomes a WARNING.  Objects of the extension's own schema are not
 * recorded, nor are temporary objects, objects that belong to an
 * extension, commands the server cannot name an object for (a GRANT, say:
 * pgTAP grants on its temporary tables), or what an extension's install or
 * update script does.
 *
 * The statement of a command that can carry a password (user mappings,
 * foreign servers) is not kept.
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
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
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
"        CASE WHEN c.command_tag LIKE '%USER MAPPING' OR c.command_tag LIKE '%SERVER'"
"             THEN NULL ELSE COALESCE($4, pg_catalog.current_query()) END, $2"
"   FROM pg_catalog.pg_event_trigger_ddl_commands() c"
"  WHERE c.schema_name IS DISTINCT FROM 'converge'"
"    AND NOT (c.object_type = 'schema' AND c.object_identity = 'converge')"
"    AND NOT c.in_extension AND c.object_identity IS NOT NULL"
"    AND (c.schema_name IS NULL OR c.schema_name NOT LIKE 'pg\\_temp%')";

static const char *const record_drops =
"INSERT INTO converge.ddl_log (role_name, command_tag, object_type,"
"                              object_identity, schema_name, statement, origin)"
" SELECT $1, $3, d.object_type, d.object_identity, d.schema_name,"
"        COALESCE($4, pg_catalog.current_query()), $2"
"   FROM pg_catalog.pg_event_trigger_dropped_objects() d"
"  WHERE d.original AND NOT d.is_temporary"
"    AND d.schema_name IS DISTINCT FROM 'converge'";

/*
 * Insert the rows; the statement is planned once per backend, since it
 * runs after every DDL command.
 */
static void
insert_log_rows(bool drops, const char *tag)
{
	static SPIPlanPtr plans[2] = {NULL, NULL};
	Oid			argtypes[4] = {NAMEOID, TEXTOID, TEXTOID, TEXTOID};
	Datum		args[4];
	char		nulls[4] = {' ', ' ', ' ', ' '};
	NameData	role;

	namestrcpy(&role, GetUserNameFromId(GetOuterUserId(), false));
	args[0] = NameGetDatum(&role);
	args[1] = CStringGetTextDatum(converge_executing ? "converge" : "external");
	args[2] = CStringGetTextDatum(tag);

	/*
	 * Convergence's own command is the step's statement, not the whole
	 * call (which holds the document).
	 */
	if (converge_executing_sql)
		args[3] = CStringGetTextDatum(converge_executing_sql);
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

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcxt);
	PG_TRY();
	{
		insert_log_rows(drops, GetCommandTagName(trigdata->tag));
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
