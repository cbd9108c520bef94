/*-------------------------------------------------------------------------
 *
 * key.c
 *	  PRIMARY KEY and UNIQUE constraints of a table.
 *
 * Keys are compared by their columns under the document's names; the
 * primary key matches the primary key whatever it is called (an existing
 * one keeps its name).  A changed key is dropped and added again, checked
 * first for rows that would share a key as the plan leaves them.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/builtins.h"

#include "kinds/kinds.h"

static bool
keys_match(const ConvKey *want, const ConvKey *have, const ConvTable *table)
{
	ListCell   *wc,
			   *hc;

	if (want->nulls_not_distinct != have->nulls_not_distinct ||
		list_length(want->columns) != list_length(have->columns))
		return false;
	forboth(wc, want->columns, hc, have->columns)
		if (strcmp(lfirst(wc), doc_name_of(table, lfirst(hc))) != 0)
			return false;
	return true;
}

/* the current key a document key stands for: the primary key, or by name */
static void *
find_key(List *keys, const void *object)
{
	const ConvKey *key = object;
	ListCell   *lc;

	foreach(lc, keys)
	{
		ConvKey    *k = lfirst(lc);

		if (key->primary ? k->primary : (!k->primary &&
										  strcmp(k->name, key->name) == 0))
			return k;
	}
	return NULL;
}

/* dropping a rebuilt column drops its keys: they are added again */
static bool
key_same(DiffState *ds, const ConvChange *proto, void *context, void *want,
		 void *have)
{
	TableDiff  *td = context;
	ConvKey    *wk = want;

	return keys_match(wk, have, td->have) &&
		!names_overlap(wk->columns, td->rebuilt);
}

static void
diff_keys(DiffState *ds, TableDiff *td)
{
	static const Reconcile how = {.match = find_key,.same = key_same};

	reconcile_members(ds, KIND_KEY, &how, td, td->schema, td->want, td->have,
					  offsetof(ConvTable, keys));
}

static char *
key_definition(const ConvKey *key)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoString(&buf, key->primary ? "PRIMARY KEY" : "UNIQUE");
	if (key->nulls_not_distinct)
		appendStringInfoString(&buf, " NULLS NOT DISTINCT");
	appendStringInfo(&buf, " (%s)", name_list(key->columns));
	return buf.data;
}

static void
plan_drop_key(PlanState *ps, const ConvChange *change)
{
	ConvKey    *key = change->have;

	add_drop_constraint(ps, change, "drop_key", key->name,
						key_definition(key));
}

/* quoted column names, one list item each */
static List *
quoted_names(List *names)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, names)
		result = lappend(result, (char *) quote_identifier(lfirst(lc)));
	return result;
}

/*
 * A new PRIMARY KEY or UNIQUE constraint.  An existing primary key keeps
 * its name.  Rows are checked for duplicates as the plan will leave them.
 */
static void
plan_add_key(PlanState *ps, const ConvChange *change)
{
	ConvKey    *key = change->want;
	ConvKey    *old = change->have;
	const char *name = old && key->primary ? old->name : key->name;
	ConvStep   *step;

	step = add_step(ps, "add_key", member_object(change, name),
					psprintf("ALTER TABLE %s ADD CONSTRAINT %s %s",
							 table_sql(change), quote_identifier(name),
							 key_definition(key)),
					old ?
					psprintf("%s -> %s", key_definition(old),
							 key_definition(key)) :
					psprintf("%s is declared in the document and does not exist",
							 key->primary ? "PRIMARY KEY" : "UNIQUE"),
					change->have_table ?
					HAZARD_ACCESS_EXCLUSIVE | HAZARD_FULL_SCAN : 0);
	if (change->have_table)
		set_duplicate_probe(ps, step, change, quoted_names(key->columns),
							NULL, key->nulls_not_distinct);
}

const ConvKindOps key_kind = {
	.name = "key",
	.diff_member = diff_keys,
	.plan = {
		[ACTION_CREATE] = plan_add_key,
		[ACTION_DROP] = plan_drop_key,
	},
};
