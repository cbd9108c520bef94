/*-------------------------------------------------------------------------
 *
 * plan.c
 *	  Turn the differences into an ordered list of steps.
 *
 * Steps run in fixed phases, like ALTER TABLE's own passes (PlanPhase):
 * schemas are created first, then renames (so every later statement can
 * use the names the document gives); then foreign keys are dropped before
 * the keys and CHECKs they could depend on, generated columns before the
 * columns they read, then tables and columns; new tables and columns are
 * added, remaps rewrite rows, existing columns are altered, generated
 * columns come back, and keys, CHECKs and foreign keys are added last, so
 * each is checked against rows in their final shape.  Comments close the
 * plan.  The phase of each kind's actions is one row of phase_table; the
 * steps of a change come from its kind's plan function for the action
 * (kinds/<kind>.c).
 *
 * This file holds what every kind's planning shares: steps, names, and the
 * probes validate.c runs against existing rows before anything executes,
 * read through FROM items that show a table's rows as the plan leaves them
 * at each stage.  Every identifier is printed with quote_identifier; every
 * type through format_type; every document expression as exactly one
 * parenthesized expression (expr_sql).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/binaryheap.h"
#include "lib/stringinfo.h"
#include "utils/hsearch.h"
#include "utils/builtins.h"

#include "kinds/kinds.h"

/* the phase of each action of each kind, as pg_dump_sort.c keeps priorities */
static const PlanPhase phase_table[NUM_KINDS][NUM_ACTIONS] = {
	[KIND_SCHEMA] = {
		[ACTION_CREATE] = PHASE_CREATE_SCHEMA,
		[ACTION_ALTER] = PHASE_CREATE_SCHEMA,
		[ACTION_COMMENT] = PHASE_COMMENT,
	},
	[KIND_EXTENSION] = {
		[ACTION_CREATE] = PHASE_CREATE_EXTENSION,
		[ACTION_ALTER] = PHASE_CREATE_EXTENSION,
		[ACTION_DROP] = PHASE_FINISH_TYPE,
	},
	[KIND_ENUM] = {
		[ACTION_CREATE] = PHASE_CREATE_TYPE,
		[ACTION_RENAME_VALUE] = PHASE_CREATE_TYPE,
		[ACTION_ADD_VALUE] = PHASE_CREATE_TYPE,
		[ACTION_REPLACE] = PHASE_FINISH_TYPE,
		[ACTION_DROP] = PHASE_FINISH_TYPE,
		[ACTION_COMMENT] = PHASE_COMMENT,
	},
	[KIND_DOMAIN] = {
		[ACTION_CREATE] = PHASE_CREATE_TYPE,
		[ACTION_ALTER] = PHASE_ADD_CHECK,
		[ACTION_REPLACE] = PHASE_FINISH_DOMAIN,
		[ACTION_DROP] = PHASE_FINISH_DOMAIN,
	},
	[KIND_DOMAIN_CHECK] = {
		[ACTION_DROP] = PHASE_DROP_CONSTRAINT,
		[ACTION_CREATE] = PHASE_ADD_CHECK,
	},
	[KIND_COMPOSITE] = {
		[ACTION_DROP] = PHASE_DROP_VIEW,
		[ACTION_CREATE] = PHASE_CREATE_TYPE,
		[ACTION_COMMENT] = PHASE_COMMENT,
	},
	[KIND_SEQUENCE] = {
		[ACTION_CREATE] = PHASE_CREATE_TYPE,
		[ACTION_RENAME] = PHASE_RENAME_TABLE,
		[ACTION_ALTER] = PHASE_ALTER_COLUMN,
		[ACTION_DROP] = PHASE_FINISH_TYPE,
	},
	[KIND_FUNCTION] = {
		[ACTION_CREATE] = PHASE_CREATE_FUNCTION,
		[ACTION_REPLACE] = PHASE_CREATE_FUNCTION,
		[ACTION_DROP] = PHASE_FINISH_TYPE,
		[ACTION_COMMENT] = PHASE_COMMENT,
	},
	[KIND_AGGREGATE] = {
		[ACTION_DROP] = PHASE_CREATE_TYPE,	/* after the views that call it */
		[ACTION_CREATE] = PHASE_CREATE_FUNCTION,
		[ACTION_REPLACE] = PHASE_CREATE_FUNCTION,
		[ACTION_COMMENT] = PHASE_COMMENT,
	},
	[KIND_OPERATOR] = {
		[ACTION_DROP] = PHASE_CREATE_TYPE,	/* after the views that use it */
		[ACTION_CREATE] = PHASE_CREATE_FUNCTION,
		[ACTION_COMMENT] = PHASE_COMMENT,
	},
	[KIND_TABLE] = {
		[ACTION_ALTER] = PHASE_ALTER_COLUMN,
		[ACTION_RENAME] = PHASE_RENAME_TABLE,
		[ACTION_DROP] = PHASE_DROP_TABLE,
		[ACTION_CREATE] = PHASE_CREATE_TABLE,
		[ACTION_COMMENT] = PHASE_COMMENT,
	},
	[KIND_COLUMN] = {
		[ACTION_RENAME] = PHASE_RENAME_COLUMN,
		[ACTION_DROP_EXPRESSION] = PHASE_DROP_GENERATED,
		[ACTION_DROP] = PHASE_DROP_COLUMN,
		[ACTION_CREATE] = PHASE_ADD_COLUMN,
		[ACTION_REMAP] = PHASE_REMAP,
		[ACTION_ALTER] = PHASE_ALTER_COLUMN,
	},
	[KIND_PARTITION] = {
		[ACTION_DROP] = PHASE_DROP_CONSTRAINT,
		[ACTION_CREATE] = PHASE_ATTACH_PARTITION,
	},
	[KIND_CHECK] = {
		[ACTION_RENAME] = PHASE_RENAME_COLUMN,
		[ACTION_DROP] = PHASE_DROP_CONSTRAINT,
		[ACTION_CREATE] = PHASE_ADD_CHECK,
		[ACTION_COMMENT] = PHASE_COMMENT,
	},
	[KIND_KEY] = {
		[ACTION_RENAME] = PHASE_RENAME_COLUMN,
		[ACTION_DROP] = PHASE_DROP_CONSTRAINT,
		[ACTION_CREATE] = PHASE_ADD_KEY,
		[ACTION_COMMENT] = PHASE_COMMENT,
	},
	[KIND_INDEX] = {
		[ACTION_ALTER] = PHASE_ADD_KEY,
		[ACTION_RENAME] = PHASE_RENAME_COLUMN,
		[ACTION_DROP] = PHASE_DROP_CONSTRAINT,
		[ACTION_CREATE] = PHASE_ADD_KEY,
		[ACTION_COMMENT] = PHASE_COMMENT,
	},
	[KIND_FOREIGN_KEY] = {
		[ACTION_RENAME] = PHASE_RENAME_COLUMN,
		[ACTION_DROP] = PHASE_DROP_FOREIGN_KEY,
		[ACTION_CREATE] = PHASE_ADD_FOREIGN_KEY,
		[ACTION_COMMENT] = PHASE_COMMENT,
	},
	[KIND_POLICY] = {
		[ACTION_DROP] = PHASE_DROP_CONSTRAINT,
		[ACTION_CREATE] = PHASE_CREATE_POLICY,
		[ACTION_ALTER] = PHASE_CREATE_POLICY,
	},
	[KIND_ROW_SECURITY] = {
		[ACTION_ALTER] = PHASE_CREATE_POLICY,
	},
	[KIND_TRIGGER] = {
		[ACTION_DROP] = PHASE_DROP_VIEW,
		[ACTION_CREATE] = PHASE_CREATE_TRIGGER,
		[ACTION_ALTER] = PHASE_CREATE_TRIGGER,
		[ACTION_COMMENT] = PHASE_COMMENT,
	},
	[KIND_GRANT] = {
		[ACTION_ALTER] = PHASE_GRANT,
	},
	[KIND_VIEW] = {
		[ACTION_DROP] = PHASE_DROP_VIEW,
		[ACTION_CREATE] = PHASE_CREATE_VIEW,
		[ACTION_REPLACE] = PHASE_CREATE_VIEW,
		[ACTION_ALTER] = PHASE_CREATE_VIEW,
	},
};

/*
 * The phase a change runs in.  A kind may move one of its changes (a
 * generated column goes before the columns it reads, and after them).
 */
static PlanPhase
phase_of(const ConvChange *change)
{
	const ConvKindOps *ops = conv_kinds[change->kind];
	PlanPhase	phase = phase_table[change->kind][change->action];

	if (ops->phase)
		phase = ops->phase(change, phase);
	if (phase == PHASE_NONE || ops->plan[change->action] == NULL)
		elog(ERROR, "%s cannot be planned for action %d", ops->name,
			 (int) change->action);
	return phase;
}

/*
 * The changes of the phase of each object, by pointer: those that make a
 * document object, and those that change or drop a current one.
 */
typedef struct MakerEntry
{
	const void *object;			/* the hash key */
	List	   *changes;		/* of int: their places in the phase */
} MakerEntry;

static HTAB *
index_makers(List *changes)
{
	HTAB	   *makers = local_hash("pg_converge makers", sizeof(void *),
									sizeof(MakerEntry),
									Max(list_length(changes), 16));
	ListCell   *lc;

	foreach(lc, changes)
	{
		const ConvChange *change = lfirst(lc);
		const void *objects[2] = {change->want, change->have};

		for (int i = 0; i < 2; i++)
		{
			MakerEntry *entry;
			bool		found;

			if (objects[i] == NULL)
				continue;
			entry = hash_search(makers, &objects[i], HASH_ENTER, &found);
			if (!found)
				entry->changes = NIL;
			entry->changes = lappend_int(entry->changes,
										 foreach_current_index(lc));
		}
	}
	return makers;
}

/* the earliest change first: the heap's "largest" is the smallest place */
static int
earlier_first(Datum a, Datum b, void *arg)
{
	return DatumGetInt32(b) - DatumGetInt32(a);
}

/* what is left when no change is ready: they need each other */
static void
raise_cycle(List *changes, const int *waiting)
{
	StringInfoData objects;
	const DocPos *first = NULL;
	ListCell   *lc;

	initStringInfo(&objects);
	foreach(lc, changes)
	{
		const ConvChange *change = lfirst(lc);
		const ConvKindOps *ops = conv_kinds[change->kind];
		const DocPos *pos;

		if (waiting[foreach_current_index(lc)] == 0)
			continue;
		pos = ops->position(change);
		if (first == NULL)
			first = pos;
		appendStringInfo(&objects, "%s%s at line %d, column %d (%s)",
						 objects.len ? "; " : "", ops->name, pos->line,
						 pos->column, doc_path(pos));
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
			 errmsg("objects of the document need each other in a cycle at line %d, column %d (%s)",
					first->line, first->column, doc_path(first)),
			 errdetail("Each of these needs another made first: %s.",
					   objects.data),
			 errhint("Break the cycle: one of them must be built on something else.")));
}

/*
 * The dependency graph within a phase: the changes in the order they
 * came, except that each goes after the changes of the phase that make
 * what it needs (ConvChange.needs).  Kahn's algorithm, taking the
 * earliest ready change first, so changes that need nothing of each other
 * keep their order.
 */
static List *
order_phase(List *changes)
{
	int			n = list_length(changes);
	int		   *waiting = palloc0(sizeof(int) * Max(n, 1));
	List	  **unblocks = palloc0(sizeof(List *) * Max(n, 1));
	HTAB	   *makers = NULL;
	binaryheap *ready;
	List	   *ordered = NIL;
	ListCell   *lc,
			   *nc,
			   *mc;

	foreach(lc, changes)
	{
		const ConvChange *change = lfirst(lc);

		foreach(nc, change->needs)
		{
			const void *need = lfirst(nc);
			MakerEntry *entry;

			if (makers == NULL)
				makers = index_makers(changes);
			entry = hash_search(makers, &need, HASH_FIND, NULL);
			foreach(mc, entry ? entry->changes : NIL)
			{
				if (lfirst_int(mc) == foreach_current_index(lc))
					continue;
				unblocks[lfirst_int(mc)] =
					lappend_int(unblocks[lfirst_int(mc)],
								foreach_current_index(lc));
				waiting[foreach_current_index(lc)]++;
			}
		}
	}
	if (makers == NULL)
		return changes;

	ready = binaryheap_allocate(n, earlier_first, NULL);
	for (int i = 0; i < n; i++)
		if (waiting[i] == 0)
			binaryheap_add_unordered(ready, Int32GetDatum(i));
	binaryheap_build(ready);
	while (!binaryheap_empty(ready))
	{
		int			i = DatumGetInt32(binaryheap_remove_first(ready));

		ordered = lappend(ordered, list_nth(changes, i));
		foreach(mc, unblocks[i])
			if (--waiting[lfirst_int(mc)] == 0)
				binaryheap_add(ready, Int32GetDatum(lfirst_int(mc)));
	}
	if (list_length(ordered) < n)
		raise_cycle(changes, waiting);
	return ordered;
}

ConvStep *
add_step(ConvPlanState *ps, const char *action, char *object, char *sql,
		 char *reason, int hazards)
{
	ConvStep   *step = palloc0(sizeof(ConvStep));

	step->number = list_length(ps->steps) + 1;
	step->action = action;
	step->object = object;
	step->sql = sql;
	step->reason = reason;
	step->hazards = hazards;
	step->rows_affected = 0;
	ps->steps = lappend(ps->steps, step);
	return step;
}

/* ----------------------------------------------------------------
 * Names
 * ----------------------------------------------------------------
 */

/* the table as statements of this plan name it: the document's name */
char *
table_sql(const ConvChange *change)
{
	const char *name = change->want_table ? change->want_table->name :
		change->have_table->name;

	return quote_qualified_identifier(change->schema, name);
}

char *
column_object(const ConvChange *change, const char *column)
{
	return psprintf("%s.%s", table_sql(change), quote_identifier(column));
}

/* an object of a table: a column, constraint */
char *
member_object(const ConvChange *change, const char *name)
{
	return psprintf("%s.%s", table_sql(change), quote_identifier(name));
}

const char *const hazard_names[NUM_HAZARDS] = {
	"data_loss", "table_rewrite", "access_exclusive_lock", "full_scan",
	"rows_hidden", "default_rejected"
};

/* quoted names, comma-separated */
char *
name_list(List *names)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, names)
		appendStringInfo(&buf, "%s%s", buf.len ? ", " : "",
						 quote_identifier(lfirst(lc)));
	return buf.data;
}

/*
 * dollar_quoted
 *		"body" in a dollar quote it does not contain: $tag$, else $tag_1$,
 *		$tag_2$, ...  A function's body or a CHECK can hold any quote.
 */
char *
dollar_quoted(const char *body, const char *tag)
{
	char	   *quote = psprintf("$%s$", tag);

	for (int n = 1; strstr(body, quote) != NULL; n++)
		quote = psprintf("$%s_%d$", tag, n);
	return psprintf("%s%s%s", quote, body, quote);
}

/* quoted literals, comma-separated */
char *
literal_list(List *values)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, values)
		appendStringInfo(&buf, "%s%s", buf.len ? ", " : "",
						 quote_literal_cstr(lfirst(lc)));
	return buf.data;
}

static char *
comment_sql(const char *kind, const char *object, const char *comment)
{
	return psprintf("COMMENT ON %s %s IS %s", kind, object,
					comment ? quote_literal_cstr(comment) : "NULL");
}

/* COMMENT ON CONSTRAINT of a table */
void
add_constraint_comment(ConvPlanState *ps, const ConvChange *change,
					   const char *name, const char *comment)
{
	add_step(ps, "comment_constraint", member_object(change, name),
			 psprintf("COMMENT ON CONSTRAINT %s ON %s IS %s",
					  quote_identifier(name), table_sql(change),
					  comment ? quote_literal_cstr(comment) : "NULL"),
			 pstrdup("comment differs from the document"), 0);
}

/* COMMENT ON <kind> <object>: the object's comment differs */
void
add_comment(ConvPlanState *ps, const char *action, const char *kind,
			char *object, const char *comment)
{
	add_step(ps, action, object, comment_sql(kind, object, comment),
			 pstrdup("comment differs from the document"), 0);
}

/* the changes of a kind and action of one current object or table */
typedef struct ChangeKey
{
	const void *object;
	ConvKind	kind;
	ConvAction	action;
} ChangeKey;

typedef struct ChangeEntry
{
	ChangeKey	key;
	List	   *changes;		/* in the order of the plan's list */
} ChangeEntry;

static void
make_change_key(ChangeKey *key, const void *object, ConvKind kind,
				ConvAction action)
{
	/* hashed as bytes: the padding too */
	memset(key, 0, sizeof(ChangeKey));
	key->object = object;
	key->kind = kind;
	key->action = action;
}

/*
 * The plan's changes by kind, action and current object (or, "by_table",
 * the current table of its objects): a plan of thousands of changes asks
 * for one of them per column.
 */
static HTAB *
index_changes(List *changes, bool by_table)
{
	HTAB	   *index = local_hash("pg_converge changes", sizeof(ChangeKey),
								   sizeof(ChangeEntry),
								   Max(list_length(changes), 16));
	ListCell   *lc;

	foreach(lc, changes)
	{
		ConvChange *change = lfirst(lc);
		ChangeKey	key;
		ChangeEntry *entry;
		bool		found;

		make_change_key(&key, by_table ? change->have_table : change->have,
						change->kind, change->action);
		entry = hash_search(index, &key, HASH_ENTER, &found);
		if (!found)
			entry->changes = NIL;
		entry->changes = lappend(entry->changes, change);
	}
	return index;
}

static List *
indexed_changes(HTAB *index, const void *object, ConvKind kind,
				ConvAction action)
{
	ChangeKey	key;
	ChangeEntry *entry;

	make_change_key(&key, object, kind, action);
	entry = hash_search(index, &key, HASH_FIND, NULL);
	return entry ? entry->changes : NIL;
}

/* the change of a kind and action whose current object is "have" */
ConvChange *
find_change(ConvPlanState *ps, ConvKind kind, ConvAction action,
			const void *have)
{
	List	   *found;

	if (ps->by_object == NULL)
		ps->by_object = index_changes(ps->diff->changes, false);
	found = indexed_changes(ps->by_object, have, kind, action);
	return found ? linitial(found) : NULL;
}

/*
 * How a dropped object is explained: it goes before what it calls (the
 * dependency graph, ConvChange.because), a change of its kind puts it
 * back changed, or the document no longer has it.
 */
const char *
dropped_because(ConvPlanState *ps, const ConvChange *change)
{
	if (change->because)
		return psprintf("goes first, because %s", change->because);
	return find_change(ps, change->kind, ACTION_CREATE, change->have) ?
		"is replaced" : "is not declared in the document";
}

/* how an object made again is explained: "reason", or the graph's why */
char *
made_again_because(const ConvChange *change, char *reason)
{
	return change->because ?
		psprintf("made again, because %s", change->because) : reason;
}

/* ALTER TABLE ... DROP CONSTRAINT, explained by the constraint's definition */
void
add_drop_constraint(ConvPlanState *ps, const ConvChange *change,
					const char *action, const char *name,
					const char *definition)
{
	add_step(ps, action, member_object(change, name),
			 psprintf("ALTER TABLE %s DROP CONSTRAINT %s", table_sql(change),
					  quote_identifier(name)),
			 psprintf("%s %s", definition,
					  dropped_because(ps, change)),
			 HAZARD_ACCESS_EXCLUSIVE);
}

/*
 * ALTER TABLE ... RENAME CONSTRAINT: the definition stays, the name becomes
 * the document's; the server locks the table as for any rename.
 */
void
add_rename_constraint(ConvPlanState *ps, const ConvChange *change,
					  const char *from, const char *to, char *reason)
{
	add_step(ps, "rename_constraint", member_object(change, to),
			 psprintf("ALTER TABLE %s RENAME CONSTRAINT %s TO %s",
					  table_sql(change), quote_identifier(from),
					  quote_identifier(to)),
			 reason ? reason :
			 psprintf("%s means what the document's %s means", from, to),
			 HAZARD_ACCESS_EXCLUSIVE);
}

/*
 * The step's rows cannot be read before it runs: its statement checks
 * them, and a failure there undoes the whole plan.
 */
void
leave_unchecked(ConvStep *step, const char *why)
{
	step->unchecked = true;
	step->rows_affected = -1;
	step->reason = psprintf("%s; rows not checked before it runs: %s",
							step->reason, why);
}

/*
 * Something outside the document depends on the object: the step would
 * fail, or change what the document does not own.
 */
void
refuse_if_used(ConvStep *step, const char *user, const char *kind,
			   const char *verb)
{
	if (user == NULL || step->problem)
		return;
	step->problem = psprintf("%s uses the %s and is not managed by the document, so the %s cannot be %s",
							 user, kind, kind, verb);
	step->rows_affected = -1;
	step->fix = FIX_DEPENDENT;
}

/* ----------------------------------------------------------------
 * Rows as the plan leaves them
 * ----------------------------------------------------------------
 */

/* a value with each string of "from" mapped to the one of "to" */
char *
mapped_value(const char *value, const List *from, const List *to)
{
	StringInfoData buf;
	const ListCell *fc,
			   *tc;

	initStringInfo(&buf);
	appendStringInfo(&buf, "CASE %s", value);
	forboth(fc, from, tc, to)
		appendStringInfo(&buf, " WHEN %s THEN %s",
						 quote_literal_cstr(lfirst(fc)),
						 quote_literal_cstr(lfirst(tc)));
	appendStringInfo(&buf, " ELSE %s END", value);
	return buf.data;
}

/* the value of a column after its remap */
char *
remap_case(const ConvColumn *col, const char *value)
{
	return mapped_value(value, col->remap_from, col->remap_to);
}

/*
 * A column a change alters, as new rules see it: converted to its new
 * type, its NULLs filled when it becomes NOT NULL.
 */
static void
append_altered(const DiffState *ds, StringInfo buf, const ConvChange *alter,
			   const char *name)
{
	ConvColumn *want = alter->want;
	const char *fill = column_fill(alter);
	const char *value = name;
	const char *type = NULL;

	if (alter->what & COLUMN_TYPE)
	{
		value = want->using_expr ? expr_sql(want->using_expr) :
			enum_converts(ds, want) ?
			enum_text(ds, want, name) : name;
		type = probe_type(ds, want);
	}
	if (fill && type)
		appendStringInfo(buf, "COALESCE((%s)::%s, (%s)::%s) AS %s, ", value,
						 type, expr_sql(fill), type, name);
	else if (fill)
		appendStringInfo(buf, "COALESCE(%s, (%s)) AS %s, ", value,
						 expr_sql(fill), name);
	else if (type)
		appendStringInfo(buf, "(%s)::%s AS %s, ", value, type, name);
	else
		appendStringInfo(buf, "%s, ", value);
}

/*
 * The rows as a new CHECK will see them: remapped, then converted to their
 * new types and filled, over the plain source.
 */
static char *
staged_source(ConvPlanState *ps, const ConvChange *change, const char *before,
			  RowStage stage)
{
	ConvTable  *have = change->have_table;
	const char *alias = quote_identifier(change->want_table->name);
	StringInfoData remapped;
	StringInfoData converted;
	ListCell   *lc,
			   *nc;

	initStringInfo(&remapped);
	initStringInfo(&converted);
	forboth(lc, have->columns, nc, change->pair->have_names)
	{
		ConvColumn *hcol = lfirst(lc);
		const char *name = quote_identifier(lfirst(nc));
		ConvChange *remap = find_change(ps, KIND_COLUMN, ACTION_REMAP, hcol);
		ConvChange *alter = find_change(ps, KIND_COLUMN, ACTION_ALTER, hcol);

		appendStringInfo(&remapped, "%s AS %s, ",
						 remap ? remap_case(remap->want, name) : name,
						 name);
		/* a dropped or rebuilt column is gone when new rules are added */
		if (find_change(ps, KIND_COLUMN, ACTION_DROP, hcol))
			continue;
		if (alter)
			append_altered(ps->diff, &converted, alter, name);
		else
			appendStringInfo(&converted, "%s, ", name);
	}
	/*
	 * Columns the plan adds hold what their generation expression, "using"
	 * or default gives.
	 */
	if (ps->by_table == NULL)
		ps->by_table = index_changes(ps->diff->changes, true);
	foreach(lc, indexed_changes(ps->by_table, have, KIND_COLUMN,
								ACTION_CREATE))
	{
		ConvChange *add = lfirst(lc);
		ConvColumn *col = add->want;
		const char *value;

		value = col->generated ? col->generated :
			col->using_expr ? col->using_expr : col->default_expr;
		appendStringInfo(&converted, "(%s)::%s AS %s, ",
						 value && !col->identity ? expr_sql(value) : "NULL",
						 probe_type(ps->diff, col),
						 quote_identifier(col->name));
	}
	if (stage == ROWS_REMAPPED)
		return psprintf("(SELECT %sconverge_sample_key FROM %s) AS %s",
						remapped.data, before, alias);
	return psprintf("(SELECT %sconverge_sample_key FROM"
					" (SELECT %sconverge_sample_key FROM %s) AS %s) AS %s",
					converted.data, remapped.data, before, alias, alias);
}

/*
 * The FROM item through which validate.c reads a current table: its
 * current columns under the document's names, and a sample key made of the
 * primary key (or ctid when there is none).  With "after", the rows as the
 * plan will have made them when its new CHECKs are added.
 */
RowSource *
row_source(ConvPlanState *ps, const ConvChange *change, RowStage stage)
{
	ConvTable  *have = change->have_table;
	RowSource  *rs;
	StringInfoData sql;
	StringInfoData key;
	StringInfoData label;
	ListCell   *lc;

	foreach(lc, ps->sources)
	{
		rs = lfirst(lc);
		if (rs->have == have && rs->stage == stage)
			return rs;
	}

	initStringInfo(&sql);
	initStringInfo(&key);
	initStringInfo(&label);
	appendStringInfoString(&sql, "(SELECT ");
	foreach(lc, have->columns)
	{
		ConvColumn *hcol = lfirst(lc);

		appendStringInfo(&sql, "%s AS %s, ", quote_identifier(hcol->name),
						 quote_identifier(change->pair ?
										  doc_name_of(change->pair,
													  hcol->name) :
										  hcol->name));
	}
	foreach(lc, have->key_columns)
	{
		char	   *k = lfirst(lc);

		appendStringInfo(&key, "%s%s", key.len ? ", " : "",
						 quote_identifier(k));
		appendStringInfo(&label, "%s%s", label.len ? ", " : "", k);
	}
	if (have->key_columns)
		appendStringInfo(&sql,
						 "'(' || pg_catalog.concat_ws(', ', %s) || ')'",
						 key.data);
	else
		appendStringInfoString(&sql, "ctid::pg_catalog.text");
	appendStringInfo(&sql, " AS converge_sample_key FROM %s) AS %s",
					 quote_qualified_identifier(change->schema, have->name),
					 quote_identifier(change->want_table ?
									  change->want_table->name :
									  have->name));

	rs = palloc(sizeof(RowSource));
	rs->have = have;
	rs->stage = stage;
	rs->source = stage == ROWS_NOW ? sql.data :
		staged_source(ps, change, sql.data, stage);
	rs->key_label = have->key_columns ? psprintf("(%s)", label.data) :
		pstrdup("ctid");
	ps->sources = lappend(ps->sources, rs);
	return rs;
}

ConvProbe *
set_probe_on(ConvPlanState *ps, ConvStep *step, const ConvChange *change,
			 RowStage stage, char *affected, char *failing,
			 const char *failing_text, ConvRefusal refusal, ConvFix fix)
{
	RowSource  *rs = row_source(ps, change, stage);
	ConvProbe  *probe = palloc0(sizeof(ConvProbe));

	probe->source = rs->source;
	probe->key_label = rs->key_label;
	probe->affected = affected;
	probe->failing = failing;
	probe->failing_text = failing_text;
	probe->refusal = refusal;
	probe->fix = fix;

	/*
	 * Rows in their final shape can hold values (enum labels) the plan
	 * renames or creates, which do not exist while the probes run.
	 */
	probe->lenient = (stage == ROWS_AFTER && ps->values_change);
	step->probes = lappend(step->probes, probe);
	return probe;
}

/*
 * A probe of no rows: one row of defaults ("source", a FROM item with
 * converge_sample_key) that the rules must accept ("failing" finds the
 * row they reject, or an error evaluating it, such as a domain's CHECK,
 * says so), or every insert that takes them fails once the plan ran.  On
 * an object that exists the document is changing it into that state:
 * refused.  On one the plan creates it may be rebuilding a schema that
 * works that way in production (the application always gives the value):
 * the hazard default_rejected, not a refusal.
 */
void
add_default_probe(ConvStep *step, bool exists, char *label, char *source,
				  char *key_label, char *failing, ConvFix fix)
{
	ConvProbe  *probe = palloc0(sizeof(ConvProbe));

	probe->label = label;
	probe->source = source;
	probe->key_label = key_label;
	probe->affected = "false";
	probe->failing = failing;
	probe->failing_text = "would violate the CHECK";
	probe->refusal = exists ? REFUSE_ALWAYS : REFUSE_NEVER;
	probe->failing_hazard = HAZARD_DEFAULT_REJECTED;
	probe->fix = fix;
	probe->of_defaults = true;
	step->probes = lappend(step->probes, probe);
}

void
set_probe(ConvPlanState *ps, ConvStep *step, const ConvChange *change,
		  char *affected, char *failing, const char *failing_text,
		  ConvRefusal refusal, ConvFix fix)
{
	set_probe_on(ps, step, change, ROWS_NOW, affected, failing, failing_text,
				 refusal, fix);
}

/* k1, k2, ...: names for the keys of a duplicate group */
static char *
key_aliases(int n)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 1; i <= n; i++)
		appendStringInfo(&buf, "%sk%d", i > 1 ? ", " : "", i);
	return buf.data;
}


/*
 * Rows, as the plan will leave them, that share a key: "keys" are SQL
 * expressions over the rows (quoted column names, or an index's printed
 * expressions), "where" an index predicate or NULL.  A key with a NULL
 * never collides, unless NULLS NOT DISTINCT: then NULLs are equal too.
 */
void
set_duplicate_probe(ConvPlanState *ps, ConvStep *step, const ConvChange *change,
					List *keys, const char *where, bool nulls_not_distinct)
{
	RowSource  *rs = row_source(ps, change, ROWS_AFTER);
	StringInfoData cols;
	StringInfoData positions;
	char	   *dups;
	char	   *failing;
	ListCell   *lc;

	initStringInfo(&cols);
	initStringInfo(&positions);
	foreach(lc, keys)
	{
		appendStringInfo(&cols, "%s%s", cols.len ? ", " : "",
						 (char *) lfirst(lc));
		appendStringInfo(&positions, "%s%d", positions.len ? ", " : "",
						 foreach_current_index(lc) + 1);
	}
	dups = psprintf("SELECT %s FROM %s%s%s GROUP BY %s"
					" HAVING pg_catalog.count(*) > 1",
					cols.data, rs->source, where ? " WHERE " : "",
					where ? where : "", positions.data);

	if (nulls_not_distinct)
	{
		StringInfoData same;

		initStringInfo(&same);
		foreach(lc, keys)
			appendStringInfo(&same, "%sd.k%d IS NOT DISTINCT FROM (%s)",
							 same.len ? " AND " : "",
							 foreach_current_index(lc) + 1,
							 (char *) lfirst(lc));
		failing = psprintf("EXISTS (SELECT FROM (%s) AS d(%s) WHERE %s)",
						   dups, key_aliases(list_length(keys)), same.data);
	}
	else
		failing = psprintf("(%s) IN (%s)", cols.data, dups);
	if (where)
		failing = psprintf("(%s) AND %s", where, failing);

	set_probe_on(ps, step, change, ROWS_AFTER, NULL, failing,
				 "would hold a duplicate key", REFUSE_ALWAYS, FIX_DUPLICATES);
}

/*
 * probe_kept_rules
 *		The probes of the rules the rows of a step meet ("stubs", made by
 *		add_rule_stubs()), with "fix" for their hint unless FIX_NONE.  They
 *		count no rows: the step's own probe says how many it touches.
 */
void
probe_kept_rules(ConvPlanState *ps, ConvStep *step, List *stubs, ConvFix fix)
{
	ListCell   *lc,
			   *pc;

	foreach(lc, stubs)
	{
		ConvChange *stub = lfirst(lc);
		int			before = list_length(step->probes);

		conv_kinds[stub->kind]->rule->probe(ps, step, stub);
		for_each_from(pc, step->probes, before)
		{
			ConvProbe  *probe = lfirst(pc);

			probe->affected = "false";
			if (fix != FIX_NONE)
				probe->fix = fix;
		}
	}
}

/* the steps of one change: its kind's function for the action */
static void
plan_change(ConvPlanState *ps, const ConvChange *change)
{
	conv_kinds[change->kind]->plan[change->action] (ps, change);
}

/*
 * plan_build
 *		The ordered steps for a diff's changes.
 */
List *
plan_build(DiffState *diff)
{
	List	   *changes = diff->changes;
	ConvPlanState ps = {.diff = diff};
	PlanPhase  *phases = palloc(sizeof(PlanPhase) *
								Max(list_length(changes), 1));
	ListCell   *lc;

	foreach(lc, changes)
	{
		ConvChange *change = lfirst(lc);

		phases[foreach_current_index(lc)] = phase_of(change);
		if (conv_kinds[change->kind]->makes_values &&
			conv_kinds[change->kind]->makes_values(change))
			ps.values_change = true;
	}

	for (int phase = 0; phase < PHASE_COMMENT; phase++)
	{
		List	   *in_phase = NIL;

		foreach(lc, changes)
			if (phases[foreach_current_index(lc)] == phase)
				in_phase = lappend(in_phase, lfirst(lc));
		foreach(lc, order_phase(in_phase))
			plan_change(&ps, lfirst(lc));
	}
	/* comments need nothing of each other: each with its object's others */
	foreach(lc, changes)
	{
		ConvChange *change = lfirst(lc);
		const ConvKindOps *ops = conv_kinds[change->kind];

		if (phases[foreach_current_index(lc)] == PHASE_COMMENT)
			plan_change(&ps, change);
		if (ops->plan_comments)
			ops->plan_comments(&ps, change);
	}
	return ps.steps;
}
