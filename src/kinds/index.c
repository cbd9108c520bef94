/*-------------------------------------------------------------------------
 *
 * index.c
 *	  Indexes that back no constraint.
 *
 * The document's index and pg_get_indexdef()'s are both parsed and
 * transformed by the server against the relation and compared as trees
 * (expr.c).  Like a CHECK, one that reads a column the plan adds, retypes
 * or rebuilds is dropped before and created after those changes.  A
 * unique one is checked for duplicate rows first.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"

#include "kinds/kinds.h"

static bool
index_same(DiffState *ds, const ConvChange *proto, void *context,
		   void *want, void *have)
{
	TableDiff  *td = context;
	ConvIndex  *wi = want;

	return !names_overlap(expr_index_column_refs(wi), td->reshaped) &&
		!names_new_label(ds, wi->where, &wi->pos) &&
		expr_index_matches(wi, have, td->have);
}

static void
diff_indexes(DiffState *ds, TableDiff *td)
{
	static const Reconcile how = {.same = index_same};

	reconcile_members(ds, KIND_INDEX, &how, td, td->schema, td->want, td->have,
					  offsetof(ConvTable, indexes));
}

static void
plan_drop_index(PlanState *ps, const ConvChange *change)
{
	ConvIndex  *index = change->have;

	add_step(ps, "drop_index",
			 quote_qualified_identifier(change->schema, index->name),
			 psprintf("DROP INDEX %s",
					  quote_qualified_identifier(change->schema, index->name)),
			 psprintf("%s %s", index->definition,
					  dropped_because(ps, KIND_INDEX, index)),
			 HAZARD_ACCESS_EXCLUSIVE);
}

/*
 * A new index.  A unique one is checked for duplicate rows first, over its
 * keys and predicate as the server prints them; it is built under a SHARE
 * lock (writes wait, reads go on).
 */
static void
plan_add_index(PlanState *ps, const ConvChange *change)
{
	ConvIndex  *index = change->want;
	ConvIndex  *old = change->have;
	ConvStep   *step;
	List	   *keys;
	char	   *where = NULL;

	step = add_step(ps, "add_index",
					quote_qualified_identifier(change->schema, index->name),
					expr_index_sql(index, index->name, table_sql(change)),
					old ?
					psprintf("%s is replaced", old->definition) :
					pstrdup("index is declared in the document and does not exist"),
					change->have_table ? HAZARD_FULL_SCAN : 0);
	if (change->have_table == NULL)
		return;
	keys = index->unique ?
		expr_index_keys_sql(index, change->have_table, &where) : NIL;
	if (keys)
		set_duplicate_probe(ps, step, change, keys, where,
							index->nulls_not_distinct);
	else
		set_probe_on(ps, step, change, ROWS_AFTER, NULL, NULL, NULL,
					 REFUSE_NEVER, FIX_NONE);
}

const ConvKindOps index_kind = {
	.name = "index",
	.diff_member = diff_indexes,
	.plan = {
		[ACTION_CREATE] = plan_add_index,
		[ACTION_DROP] = plan_drop_index,
	},
};
