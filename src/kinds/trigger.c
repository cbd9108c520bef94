/*-------------------------------------------------------------------------
 *
 * trigger.c
 *	  Triggers of a table, compared by what they do.
 *
 * A trigger is its timing, its events (UPDATE OF columns), its level, the
 * function it runs (resolved by the server) with its arguments, its WHEN
 * condition (cooked against the table's OLD and NEW rows as CREATE
 * TRIGGER cooks it, and compared as a tree), its transition tables, and
 * for a constraint trigger its deferrability; and whether it fires
 * (origin, always, replica or disabled).  A trigger that differs is
 * dropped and created again in the same transaction; one that differs only
 * in whether it fires is altered.  Triggers are created after the tables
 * and the functions they run, and dropped before a function is.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_trigger.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "nodes/makefuncs.h"
#include "parser/parse_clause.h"
#include "parser/parse_collate.h"
#include "parser/parse_func.h"
#include "parser/parse_relation.h"
#include "parser/scanner.h"
#include "parser/parser.h"
#include "utils/builtins.h"
#include "utils/formatting.h"
#include "utils/rel.h"

#include "kinds/kinds.h"

/* the events, as tgtype's bits and as the document says them */
static const struct
{
	int			bit;
	const char *name;
}			trigger_events[] = {
	{TRIGGER_TYPE_INSERT, "insert"},
	{TRIGGER_TYPE_UPDATE, "update"},
	{TRIGGER_TYPE_DELETE, "delete"},
	{TRIGGER_TYPE_TRUNCATE, "truncate"},
};

static const char *const timings[] = {"before", "after", "instead of", NULL};
static const char *const firings[] = {"origin", "always", "replica",
"disabled", NULL};
static const char firing_codes[] = {TRIGGER_FIRES_ON_ORIGIN,
	TRIGGER_FIRES_ALWAYS, TRIGGER_FIRES_ON_REPLICA, TRIGGER_DISABLED, '\0'};

static int
word_index(const char *const *words, const char *word)
{
	for (int i = 0; words[i]; i++)
		if (strcmp(words[i], word) == 0)
			return i;
	return -1;
}

/* ----------------------------------------------------------------
 * The catalog
 * ----------------------------------------------------------------
 */

/*
 * The WHEN condition of a trigger as pg_get_triggerdef() prints it: the
 * text between the parentheses after WHEN, found with the server's
 * scanner, not by searching the text.
 */
static char *
when_text(const char *definition)
{
	core_yy_extra_type extra;
	core_yyscan_t scanner;
	core_YYSTYPE lval;
	YYLTYPE		loc = 0;
	int			token;
	int			when = ScanKeywordTokens[ScanKeywordLookup("when",
														   &ScanKeywords)];
	int			depth = 0;
	int			start = -1;
	char	   *result = NULL;

	scanner = scanner_init(definition, &extra, &ScanKeywords,
						   ScanKeywordTokens);
	while ((token = core_yylex(&lval, &loc, scanner)) != 0)
	{
		if (start < 0 && token == when)
			start = 0;
		else if (start == 0 && token == '(' && depth++ == 0)
			start = loc + 1;
		else if (start > 0 && token == '(')
			depth++;
		else if (start > 0 && token == ')' && --depth == 0)
		{
			result = pnstrdup(definition + start, loc - start);
			break;
		}
	}
	scanner_finish(scanner);
	return result;
}

static List *
trigger_arguments(HeapTuple tup, TupleDesc desc)
{
	bool		isnull;
	int			nargs = DatumGetInt16(get_datum(tup, desc, "tgnargs", &isnull));
	Datum		d = get_datum(tup, desc, "tgargs", &isnull);
	bytea	   *args = isnull ? NULL : DatumGetByteaPP(d);
	char	   *p = args ? VARDATA_ANY(args) : NULL;
	List	   *result = NIL;

	for (int i = 0; i < nargs; i++)
	{
		result = lappend(result, pstrdup(p));
		p += strlen(p) + 1;
	}
	return result;
}

static void
read_trigger_row(ConvTable *table, HeapTuple tup, TupleDesc desc)
{
	ConvTrigger *t = palloc0(sizeof(ConvTrigger));
	bool		isnull;
	int16		type = DatumGetInt16(get_datum(tup, desc, "tgtype", &isnull));
	char	   *enabled = get_text(tup, desc, "enabled");

	t->name = get_text(tup, desc, "tgname");
	t->timing = TRIGGER_FOR_BEFORE(type) ? 0 : TRIGGER_FOR_INSTEAD(type) ? 2 : 1;
	t->events = type & (TRIGGER_TYPE_INSERT | TRIGGER_TYPE_UPDATE |
						TRIGGER_TYPE_DELETE | TRIGGER_TYPE_TRUNCATE);
	t->row = TRIGGER_FOR_ROW(type);
	t->update_of = get_text_list(tup, desc, "update_of");
	t->function_oid = DatumGetObjectId(get_datum(tup, desc, "tgfoid", &isnull));
	t->function = get_text(tup, desc, "function");
	t->arguments = trigger_arguments(tup, desc);
	t->when_bin = get_text(tup, desc, "when_bin");
	t->when = t->when_bin ? when_text(get_text(tup, desc, "definition")) : NULL;
	t->old_table = get_text(tup, desc, "tgoldtable");
	t->new_table = get_text(tup, desc, "tgnewtable");
	t->constraint = get_bool(tup, desc, "is_constraint");
	t->deferrable = get_bool(tup, desc, "tgdeferrable");
	t->initially_deferred = get_bool(tup, desc, "tginitdeferred");
	t->firing = strchr(firing_codes, *enabled) - firing_codes;
	t->comment = get_text(tup, desc, "comment");
	table->triggers = lappend(table->triggers, t);
}

static void
read_triggers(CatalogRead *cr)
{
	read_per_table(cr,
				   "g.tgname, g.tgtype, g.tgfoid,"
				   " g.tgfoid::pg_catalog.regproc::pg_catalog.text AS function,"
				   " g.tgnargs, g.tgargs, g.tgqual::pg_catalog.text AS when_bin,"
				   " pg_catalog.pg_get_triggerdef(g.oid, true) AS definition,"
				   " g.tgoldtable, g.tgnewtable, g.tgconstraint <> 0 AS is_constraint,"
				   " g.tgdeferrable, g.tginitdeferred,"
				   " g.tgenabled::pg_catalog.text AS enabled,"
				   " (SELECT pg_catalog.array_agg(a.attname::pg_catalog.text ORDER BY k.i)"
				   "    FROM pg_catalog.unnest(g.tgattr::pg_catalog.int2[])"
				   "           WITH ORDINALITY AS k(attnum, i)"
				   "    JOIN pg_catalog.pg_attribute a"
				   "      ON a.attrelid = g.tgrelid AND a.attnum = k.attnum) AS update_of,"
				   " " COMMENT_OF("g.oid", "pg_trigger") " AS comment",
				   "JOIN pg_catalog.pg_trigger g ON g.tgrelid = c.oid"
				   " WHERE NOT g.tgisinternal AND g.tgparentid = 0"
				   " ORDER BY c.oid, g.tgname",
				   read_trigger_row);
}

/* ----------------------------------------------------------------
 * The document: a table's "triggers"
 * ----------------------------------------------------------------
 */

static int
build_word(const YNode *node, const char *key, const char *path,
		   const char *const *words, int otherwise)
{
	const YNode *v = map_get(node, key);
	int			i;

	if (v == NULL)
		return otherwise;
	i = word_index(words, v->value);
	if (i < 0)
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, v, child_path(path, key),
				  "%s cannot be \"%s\"", key, v->value);
	return i;
}

static int
build_events(const YNode *node, const char *path)
{
	const YNode *v = map_get(node, "events");
	ListCell   *lc;
	int			events = 0;

	if (v == NULL || v->items == NIL)
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, node, path,
				  "a trigger needs its events");
	foreach(lc, v->items)
	{
		YNode	   *item = lfirst(lc);
		int			i;

		for (i = 0; i < lengthof(trigger_events); i++)
			if (strcmp(trigger_events[i].name, item->value) == 0)
				break;
		if (i == lengthof(trigger_events))
			doc_error(ERRCODE_INVALID_PARAMETER_VALUE, item,
					  child_path(path, "events"),
					  "an event is insert, update, delete or truncate, not \"%s\"",
					  item->value);
		events |= trigger_events[i].bit;
	}
	return events;
}

static bool
flag(const YNode *node, const char *key, const char *path)
{
	const YNode *v = map_get(node, key);

	return v && doc_key_bool(v, path, key);
}

static void *
build_trigger(DocContainer *dc, const char *name, const YNode *node,
			  const char *path)
{
	ConvTrigger *t = palloc0(sizeof(ConvTrigger));
	const YNode *refs = map_get(node, "referencing");

	t->name = pstrdup(name);
	t->pos = node_pos(node, path);
	t->timing = build_word(node, "timing", path, timings, -1);
	if (t->timing < 0)
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, node, path,
				  "trigger \"%s\" needs its timing: before, after or instead of",
				  name);
	t->events = build_events(node, path);
	t->update_of = string_list(map_get(node, "update_of"));
	t->row = build_word(node, "for_each", path,
						(const char *const[]) {"statement", "row", NULL}, 0);
	t->function = map_string(node, "function");
	if (t->function == NULL)
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, node, path,
				  "trigger \"%s\" needs its function", name);
	t->arguments = string_list(map_get(node, "arguments"));
	t->when = map_string(node, "when");
	t->when_pos = value_pos(node, "when", path);
	expr_refuse_subquery(t->when, &t->when_pos, "trigger WHEN condition");
	t->old_table = refs ? map_string(refs, "old_table") : NULL;
	t->new_table = refs ? map_string(refs, "new_table") : NULL;
	t->constraint = flag(node, "constraint", path);
	t->deferrable = flag(node, "deferrable", path) ||
		flag(node, "initially_deferred", path);
	t->initially_deferred = flag(node, "initially_deferred", path);
	t->firing = build_word(node, "enabled", path, firings, 0);
	t->comment = doc_comment(node);
	return t;
}

static void
build_triggers(DocContainer *dc, const char *key, const YNode *value,
			   const char *path)
{
	build_entries(dc, value, path, build_trigger, &dc->table->triggers);
}

static const KeySpec referencing_keys[] = {
	{"old_table", V_STRING},
	{"new_table", V_STRING},
	{NULL}
};

static const KeySpec trigger_keys[] = {
	{"timing", V_STRING},
	{"events", V_STRINGS},
	{"update_of", V_STRINGS},
	{"for_each", V_STRING},
	{"function", V_STRING},
	{"arguments", V_STRINGS},
	{"when", V_EXPR},
	{"referencing", V_MAPPING, referencing_keys},
	{"constraint", V_BOOL},
	{"deferrable", V_BOOL},
	{"initially_deferred", V_BOOL},
	{"enabled", V_STRING},
	{"comment", V_STRING},
	{NULL}
};

static const KeySpec trigger_doc_keys[] = {
	{"triggers", V_NAMED, trigger_keys},
	{NULL}
};

/* ----------------------------------------------------------------
 * Comparing
 * ----------------------------------------------------------------
 */

/* the function a document trigger names, as the server resolves it now */
static Oid
trigger_function(const ConvTrigger *t)
{
	List	   *names = stringToQualifiedNameList(t->function
#if PG_VERSION_NUM >= 160000
												  , NULL
#endif
		);

	return LookupFuncName(names, 0, NULL, true);
}

/* the UPDATE OF columns of a current trigger, under the document's names */
static List *
doc_columns(const TablePair *pair, List *columns)
{
	List	   *names = NIL;
	ListCell   *lc;

	foreach(lc, columns)
		names = lappend(names, (char *) doc_name_of(pair, lfirst(lc)));
	return names;
}

static bool
trigger_same(DiffState *ds, const ConvChange *proto, void *context,
			 void *want, void *have)
{
	TableDiff  *td = context;
	ConvTrigger *w = want;
	ConvTrigger *h = have;

	if (w->timing != h->timing || w->events != h->events ||
		w->row != h->row || w->constraint != h->constraint ||
		w->deferrable != h->deferrable ||
		w->initially_deferred != h->initially_deferred ||
		!strings_equal(w->update_of, doc_columns(td->pair, h->update_of)) ||
		!strings_equal(w->arguments, h->arguments) ||
		strings_differ(w->old_table, h->old_table) ||
		strings_differ(w->new_table, h->new_table) ||
		trigger_function(w) != h->function_oid)
		return false;
	if (w->when == NULL || h->when_bin == NULL)
		return w->when == NULL && h->when_bin == NULL;
	return !names_created(ds, w->when, &w->when_pos) &&
		expr_trigger_when_matches(w->when, &w->when_pos, td->have,
								  h->when_bin);
}

#define TRIGGER_FIRING	(1 << 0)

static void
trigger_kept(DiffState *ds, const ConvChange *proto, void *context,
			 void *want, void *have)
{
	ConvTrigger *w = want;
	ConvTrigger *h = have;
	ConvChange *change;

	if (w->firing != h->firing)
	{
		change = add_change(ds, KIND_TRIGGER, ACTION_ALTER, proto->schema,
							proto->want_table, proto->have_table);
		change->want = w;
		change->have = h;
		change->what = TRIGGER_FIRING;
	}
	if (strings_differ(w->comment, h->comment))
		add_comment_change(ds, proto, want, have);
}

/*
 * A new trigger's function must exist, or be one the plan creates: the
 * server resolves its name on the document's search_path when it runs.
 */
static void
trigger_created(DiffState *ds, ConvChange *change, void *context)
{
	ConvTrigger *t = change->want;

	if (OidIsValid(trigger_function(t)) ||
		string_in(ds->created_names, t->function))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_FUNCTION),
			 errmsg("trigger \"%s\" runs %s(), which does not exist and which the document does not declare, at line %d, column %d (%s)",
					t->name, t->function, t->pos.line, t->pos.column,
					doc_path(&t->pos)),
			 errhint("Declare the function under \"functions\", or qualify its name with its schema.")));
}

/*
 * The dependency graph: a trigger whose function, or a function its WHEN
 * calls, the plan drops to create again.
 */
static const char *
trigger_rebuilt(DiffState *ds, void *have)
{
	ConvTrigger *t = have;
	const char *why = routine_dropped(ds, t->function_oid, false);

	return why ? why : stored_calls_dropped(ds, t->when_bin, false);
}

/* the columns of UPDATE OF, and those WHEN reads */
static List *
trigger_reads(void *want)
{
	ConvTrigger *w = want;

	if (w->when == NULL)
		return w->update_of;
	return list_concat_copy(w->update_of,
							expr_column_refs(w->when, &w->when_pos));
}

static void
diff_triggers(DiffState *ds, TableDiff *td)
{
	static const Reconcile how = {
		.same = trigger_same,
		.created = trigger_created,
		.kept = trigger_kept,
		.rebuilt = trigger_rebuilt,
		.reads = trigger_reads,
	};

	reconcile_members(ds, KIND_TRIGGER, &how, td, td->schema, td->want,
					  td->have, offsetof(ConvTable, triggers));
}

/* ----------------------------------------------------------------
 * Planning
 * ----------------------------------------------------------------
 */

static char *
events_sql(const ConvTrigger *t)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < lengthof(trigger_events); i++)
	{
		if (!(t->events & trigger_events[i].bit))
			continue;
		appendStringInfo(&buf, "%s%s", buf.len ? " OR " : "",
						 asc_toupper(trigger_events[i].name,
									 strlen(trigger_events[i].name)));
		if (trigger_events[i].bit == TRIGGER_TYPE_UPDATE && t->update_of)
			appendStringInfo(&buf, " OF %s", name_list(t->update_of));
	}
	return buf.data;
}

static char *
create_trigger_sql(const ConvChange *change, const ConvTrigger *t)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE %sTRIGGER %s %s %s ON %s",
					 t->constraint ? "CONSTRAINT " : "",
					 quote_identifier(t->name),
					 asc_toupper(timings[t->timing], strlen(timings[t->timing])),
					 events_sql(t), table_sql(change));
	if (t->deferrable)
		appendStringInfo(&buf, " DEFERRABLE INITIALLY %s",
						 t->initially_deferred ? "DEFERRED" : "IMMEDIATE");
	if (t->old_table || t->new_table)
		appendStringInfo(&buf, " REFERENCING%s%s%s%s",
						 t->old_table ? " OLD TABLE AS " : "",
						 t->old_table ? quote_identifier(t->old_table) : "",
						 t->new_table ? " NEW TABLE AS " : "",
						 t->new_table ? quote_identifier(t->new_table) : "");
	appendStringInfo(&buf, " FOR EACH %s", t->row ? "ROW" : "STATEMENT");
	if (t->when)
		appendStringInfo(&buf, " WHEN %s", expr_sql(t->when));
	appendStringInfo(&buf, " EXECUTE FUNCTION %s(%s)", t->function,
					 literal_list(t->arguments));
	return buf.data;
}

/* ALTER TABLE ... ENABLE [ALWAYS | REPLICA] / DISABLE TRIGGER */
static void
plan_firing(ConvPlanState *ps, const ConvChange *change, const ConvTrigger *t)
{
	static const char *const clauses[] = {"ENABLE", "ENABLE ALWAYS",
	"ENABLE REPLICA", "DISABLE"};

	add_step(ps, "alter_trigger", member_object(change, t->name),
			 psprintf("ALTER TABLE %s %s TRIGGER %s", table_sql(change),
					  clauses[t->firing], quote_identifier(t->name)),
			 psprintf("the document says it fires: %s", firings[t->firing]),
			 0);
}

static void
plan_create_trigger(ConvPlanState *ps, const ConvChange *change)
{
	ConvTrigger *t = change->want;

	add_step(ps, "create_trigger", member_object(change, t->name),
			 create_trigger_sql(change, t),
			 change->have ?
			 made_again_because(change,
								pstrdup("the trigger differs from the document")) :
			 pstrdup("trigger is declared in the document and does not exist"),
			 0);
	if (t->firing != 0)
		plan_firing(ps, change, t);
}

static void
plan_alter_trigger(ConvPlanState *ps, const ConvChange *change)
{
	plan_firing(ps, change, change->want);
}

static void
plan_drop_trigger(ConvPlanState *ps, const ConvChange *change)
{
	ConvTrigger *t = change->have;

	add_step(ps, "drop_trigger", member_object(change, t->name),
			 psprintf("DROP TRIGGER %s ON %s", quote_identifier(t->name),
					  table_sql(change)),
			 psprintf("trigger %s", dropped_because(ps, change)), 0);
}

static void
plan_trigger_comment(ConvPlanState *ps, const ConvChange *change)
{
	ConvTrigger *t = change->want;

	add_step(ps, "comment_trigger", member_object(change, t->name),
			 psprintf("COMMENT ON TRIGGER %s ON %s IS %s",
					  quote_identifier(t->name), table_sql(change),
					  t->comment ? quote_literal_cstr(t->comment) : "NULL"),
			 pstrdup("comment differs from the document"), 0);
}

static void
plan_new_comment(ConvPlanState *ps, const ConvChange *change)
{
	if (change->action == ACTION_CREATE &&
		((ConvTrigger *) change->want)->comment)
		plan_trigger_comment(ps, change);
}

/* ----------------------------------------------------------------
 * Export
 * ----------------------------------------------------------------
 */

static void
emit_trigger(Emitter *em, const ConvTrigger *t)
{
	List	   *events = NIL;

	for (int i = 0; i < lengthof(trigger_events); i++)
		if (t->events & trigger_events[i].bit)
			events = lappend(events, (char *) trigger_events[i].name);
	emit_scalar(em, t->name, false);
	begin_mapping(em, true);
	emit_pair(em, "timing", timings[t->timing]);
	emit_scalar(em, "events", false);
	emit_strings(em, events);
	if (t->update_of)
	{
		emit_scalar(em, "update_of", false);
		emit_strings(em, t->update_of);
	}
	if (t->row)
		emit_pair(em, "for_each", "row");
	emit_pair(em, "function", t->function);
	if (t->arguments)
	{
		emit_scalar(em, "arguments", false);
		emit_strings(em, t->arguments);
	}
	if (t->when)
		emit_pair(em, "when", t->when);
	if (t->old_table || t->new_table)
	{
		emit_scalar(em, "referencing", false);
		begin_mapping(em, true);
		if (t->old_table)
			emit_pair(em, "old_table", t->old_table);
		if (t->new_table)
			emit_pair(em, "new_table", t->new_table);
		end_mapping(em);
	}
	if (t->constraint)
		emit_pair(em, "constraint", "true");
	if (t->deferrable)
		emit_pair(em, "deferrable", "true");
	if (t->initially_deferred)
		emit_pair(em, "initially_deferred", "true");
	if (t->firing != 0)
		emit_pair(em, "enabled", firings[t->firing]);
	if (t->comment)
		emit_pair(em, "comment", t->comment);
	end_mapping(em);
}

static void
emit_triggers(Emitter *em, const ConvSchema *schema, const ConvTable *table)
{
	ListCell   *lc;

	if (table->triggers == NIL)
		return;
	emit_scalar(em, "triggers", false);
	begin_mapping(em, false);
	foreach(lc, table->triggers)
		emit_trigger(em, lfirst(lc));
	end_mapping(em);
}

/* the script's fingerprint: a trigger as the server prints it */
static const char *const triggers_fingerprint =
"SELECT 'trigger',"
" pg_catalog.format('%I.%I.%I', n.nspname, c.relname, g.tgname),"
" pg_catalog.concat_ws(' ', pg_catalog.pg_get_triggerdef(g.oid),"
"   'enabled=' || g.tgenabled::pg_catalog.text,"
"   'comment=' || pg_catalog.quote_literal("
"     " COMMENT_OF("g.oid", "pg_trigger") "))"
" FROM pg_catalog.pg_trigger g"
" JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid"
" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
" WHERE NOT g.tgisinternal AND" FP_MANAGED("n.nspname")
"   AND" NOT_EXTENSION_MEMBER("pg_class", "c.oid");

const ConvKindOps trigger_kind = {
	.name = "trigger",
	.diff_member = diff_triggers,
	.plan = {
		[ACTION_CREATE] = plan_create_trigger,
		[ACTION_ALTER] = plan_alter_trigger,
		[ACTION_DROP] = plan_drop_trigger,
		[ACTION_COMMENT] = plan_trigger_comment,
	},
	.plan_comments = plan_new_comment,
	.doc_place = DOC_TABLE,
	.doc_keys = trigger_doc_keys,
	.build = build_triggers,
	.read = read_triggers,
	.fingerprint = triggers_fingerprint,
	.emit = emit_triggers,
	.plural = "triggers",
};
