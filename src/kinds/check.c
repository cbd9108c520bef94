/*-------------------------------------------------------------------------
 *
 * check.c
 *	  CHECK constraints of a table, compared by meaning.
 *
 * A document CHECK is cooked against the real relation, under the
 * document's column names, and compared with the stored tree, constants
 * folded on both sides (expr_trees_match): written differently but equal
 * means no step, since a changed CHECK costs a full scan under ACCESS
 * EXCLUSIVE.  A changed one is dropped, the column's remap rewrites the
 * rows, and it is added again, checked first against the rows as the plan
 * will leave them.  One that reads a column the plan adds, retypes or
 * rebuilds cannot be compared with the relation as it is: it is dropped
 * before and added after those changes; so is one whose stored expression
 * calls a function the plan drops (and creates again).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_constraint.h"
#include "commands/defrem.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "kinds/kinds.h"

static bool
check_same(DiffState *ds, const ConvChange *proto, void *context,
		   void *want, void *have)
{
	TableDiff  *td = context;
	ConvCheck  *wc = want;
	ConvCheck  *hc = have;

	return !names_created(ds, wc->expr, &wc->pos) &&
		expr_check_matches(wc, hc, td->pair);
}

static List *
check_reads(void *want)
{
	ConvCheck  *wc = want;

	return expr_column_refs(wc->expr, &wc->pos);
}

/* the columns an added CHECK reads: their remap runs */
static void
check_created(DiffState *ds, ConvChange *change, void *context)
{
	TableDiff  *td = context;
	ConvCheck  *wc = change->want;

	change->of.calls_created = calls_created_function(ds, wc->expr, &wc->pos);
	if (td->have)
		td->checked = list_concat(td->checked,
								  expr_column_refs(wc->expr, &wc->pos));
}

static void
check_kept(DiffState *ds, const ConvChange *proto, void *context, void *want,
		   void *have)
{
	if (strings_differ(((ConvCheck *) want)->comment,
					   ((ConvCheck *) have)->comment))
		add_comment_change(ds, proto, want, have);
}

/* the dependency graph: a CHECK that calls a function the plan drops */
static const char *
check_rebuilt(DiffState *ds, void *have)
{
	if (!plan_drops_routines(ds, false))
		return NULL;
	return stored_calls_dropped(ds, check_stored_tree(have), false);
}

static void
diff_checks(DiffState *ds, TableDiff *td)
{
	static const Reconcile how = {.same = check_same,
		.created = check_created,
	.kept = check_kept,.renamed = add_rename_change,
	.rebuilt = check_rebuilt,.reads = check_reads};

	reconcile_members(ds, KIND_CHECK, &how, td, td->schema, td->want, td->have,
					  offsetof(ConvTable, checks));
}

static void
plan_drop_check(ConvPlanState *ps, const ConvChange *change)
{
	ConvCheck  *check = change->have;

	add_drop_constraint(ps, change, "drop_check", check->name,
						psprintf("CHECK %s", check->expr));
}

/*
 * A row of the defaults a new CHECK reads must pass it: else every insert
 * that relies on them fails once the plan ran, whatever the rows are now.
 * Only for a CHECK whose every column has a default the probe can
 * evaluate (in its rolled-back subtransaction): not volatile, of a type
 * that exists, naming nothing the plan creates.
 */
static void
probe_defaults(const DiffState *ds, ConvStep *step, const ConvChange *change,
			   const ConvCheck *check)
{
	List	   *refs = expr_column_refs(check->expr, &check->pos);
	StringInfoData row;
	StringInfoData sample;
	ListCell   *lc;

	initStringInfo(&row);
	initStringInfo(&sample);
	foreach(lc, refs)
	{
		ConvColumn *col = find_named(change->want_table->columns, lfirst(lc));

		if (col == NULL || col->default_expr == NULL ||
			!OidIsValid(col->type_oid) || doc_typed(column_note(ds, col)) ||
			default_rewrites(ds, col))
			return;
		appendStringInfo(&row, "%s::%s AS %s, ", expr_sql(col->default_expr),
						 type_sql(ds, col, InvalidOid),
						 quote_identifier(col->name));
		appendStringInfo(&sample, "%s%s::pg_catalog.text",
						 sample.len ? ", " : "", quote_identifier(col->name));
	}
	if (refs == NIL)
		return;
	add_default_probe(step, change->have_table != NULL,
					  psprintf("a new row that takes the default of %s",
							   name_list(refs)),
					  psprintf("(SELECT *, '(' || pg_catalog.concat_ws(', ', %s) || ')' AS converge_sample_key FROM (SELECT %s) AS d) AS %s",
							   sample.data, pnstrdup(row.data, row.len - 2),
							   quote_identifier(change->want_table->name)),
					  psprintf("(%s)", name_list(refs)),
					  psprintf("%s IS FALSE", expr_sql(check->expr)),
					  FIX_DEFAULT_CHECK);
}

/* a CHECK's expression, as ADD CONSTRAINT will cook it */
static void
check_check_created(DiffState *ds, const ConvChange *change)
{
	ConvCheck  *check = change->want;

	if (!names_created(ds, check->expr, &check->pos))
		expr_check_position(check->expr, &check->pos, change->want_table,
							EXPR_KIND_CHECK_CONSTRAINT);
}

static void
plan_add_check(ConvPlanState *ps, const ConvChange *change)
{
	ConvCheck  *check = change->want;
	ConvCheck  *old = change->have;
	ConvStep   *step;
	char	   *reason;

	/*
	 * The new rule as written: it may name columns or labels the relation
	 * does not have before the plan runs.
	 */
	if (old)
		reason = made_again_because(change,
									psprintf("CHECK %s -> CHECK (%s)",
											 old->expr, check->expr));
	else
		reason = pstrdup("CHECK is declared in the document and does not exist");

	step = add_step(ps, "add_check", member_object(change, check->name),
					psprintf("ALTER TABLE %s ADD CONSTRAINT %s CHECK %s",
							 table_sql(change), quote_identifier(check->name),
							 expr_sql(check->expr)),
					reason,
					change->have_table ?
					HAZARD_ACCESS_EXCLUSIVE | HAZARD_FULL_SCAN : 0);
	if (change->have_table && change->of.calls_created)
		leave_unchecked(step, "it calls a function the plan creates");
	else if (change->have_table)
		set_probe_on(ps, step, change, ROWS_AFTER, NULL,
					 psprintf("%s IS FALSE", expr_sql(check->expr)),
					 "would violate the CHECK", REFUSE_ALWAYS, FIX_REMAP);
	if (!change->of.calls_created)
		probe_defaults(ps->diff, step, change, check);
}

/* a CHECK the plan keeps, over rows it rewrites */
static void
probe_kept_check(ConvPlanState *ps, ConvStep *step, const ConvChange *stub)
{
	ConvCheck  *check = stub->want;

	set_probe_on(ps, step, stub, ROWS_AFTER, NULL,
				 psprintf("%s IS FALSE", expr_sql(check->expr)),
				 "would violate the CHECK", REFUSE_ALWAYS,
				 FIX_REMAP)->label = psprintf("CHECK %s", check->name);
}

static const RuleOps check_rule = {
	.list = offsetof(ConvTable, checks),
	.reads = check_reads,
	.probe = probe_kept_check,
};

static void
plan_rename_check(ConvPlanState *ps, const ConvChange *change)
{
	add_rename_constraint(ps, change, ((ConvCheck *) change->have)->name,
						  ((ConvCheck *) change->want)->name, NULL);
}

static void
plan_check_comment(ConvPlanState *ps, const ConvChange *change)
{
	ConvCheck  *check = change->want;

	add_constraint_comment(ps, change, check->name, check->comment);
}

/* a new CHECK's comment comes with the comment phase */
static void
plan_new_comment(ConvPlanState *ps, const ConvChange *change)
{
	if (change->action == ACTION_CREATE &&
		((ConvCheck *) change->want)->comment)
		plan_check_comment(ps, change);
}

/* ----------------------------------------------------------------
 * The catalog
 * ----------------------------------------------------------------
 */

/* the one column a constraint reads, or NULL */
static char *
single_column(HeapTuple tup, TupleDesc desc, Oid relid)
{
	bool		isnull;
	Datum		attnums = heap_getattr(tup, Anum_pg_constraint_conkey, desc,
									   &isnull);
	List	   *names = isnull ? NIL : attnum_names(relid, attnums);

	return list_length(names) == 1 ? linitial(names) : NULL;
}

/* a table's own CHECK (not one it inherits), as the server prints it */
static void
read_check(CatalogRead *cr, ConvTable *table, HeapTuple tup, TupleDesc desc)
{
	Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tup);
	ConvCheck  *check;
	char	   *column;
	bool		isnull;
	Datum		bin;

	if (con->contype != CONSTRAINT_CHECK || !con->conislocal ||
		con->coninhcount != 0)
		return;
	check = palloc0(sizeof(ConvCheck));
	check->name = pstrdup(NameStr(con->conname));
	compat_refuse_not_enforced(table->oid, check->name,
							   compat_conenforced(con));
	bin = heap_getattr(tup, Anum_pg_constraint_conbin, desc, &isnull);
	check->oid = con->oid;
	check->expr = catalog_expr(cr, bin, con->conrelid, NULL);
	check->comment = catalog_comment(cr, ConstraintRelationId, con->oid, 0);

	/*
	 * written on its column when PostgreSQL would name it so, unless the
	 * table is a partition, which writes no columns
	 */
	column = single_column(tup, desc, con->conrelid);
	if (column && check->comment == NULL && !is_partition(table) &&
		strcmp(check->name, makeObjectName(table->name, column, "check")) == 0)
		check->column = column;
	table->checks = lappend(table->checks, check);
}

/*
 * check_stored_tree
 *		A current CHECK's stored tree as text (conbin).  A table's CHECK
 *		reads it from the catalog when a difference first needs it: a plan
 *		with nothing to do compares printed texts only, and the trees of
 *		thousands of CHECKs were a fifth of the catalog's model.  It is kept
 *		with the CHECK, in the model's context.
 */
const char *
check_stored_tree(const ConvCheck *check)
{
	HeapTuple	tup;
	bool		isnull;
	Datum		bin;
	MemoryContext outer;

	if (check->bin != NULL || !OidIsValid(check->oid))
		return check->bin;
	tup = SearchSysCache1(CONSTROID, ObjectIdGetDatum(check->oid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for constraint %u", check->oid);
	bin = SysCacheGetAttr(CONSTROID, tup, Anum_pg_constraint_conbin, &isnull);
	outer = MemoryContextSwitchTo(GetMemoryChunkContext((void *) check));
	((ConvCheck *) check)->bin = isnull ? NULL : TextDatumGetCString(bin);
	MemoryContextSwitchTo(outer);
	ReleaseSysCache(tup);
	return check->bin;
}

static void
read_checks(CatalogRead *cr)
{
	read_table_constraints(cr, read_check);
}

/* ----------------------------------------------------------------
 * The document: a table's "checks", and a column's "check"
 * ----------------------------------------------------------------
 */

ConvCheck *
new_check(char *name, const YNode *expr, const char *path)
{
	ConvCheck  *check = palloc0(sizeof(ConvCheck));

	check->name = name;
	check->expr = pstrdup(expr->value);
	check->pos = node_pos(expr, path);
	expr_refuse_subquery(check->expr, &check->pos, "check constraint");
	return check;
}

/* "name: expression", or "name: {check: expression, comment: ...}" */
static void *
build_check(DocContainer *dc, const char *name, const YNode *node,
			const char *path)
{
	ConvCheck  *check;

	if (node->kind != YN_MAPPING)
		return new_check(pstrdup(name), node, path);
	if (map_get(node, "check") == NULL)
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, node, path,
				  "CHECK \"%s\" needs its \"check\" expression", name);
	check = new_check(pstrdup(name), map_get(node, "check"),
					  child_path(path, "check"));
	check->comment = doc_comment(node);
	return check;
}

static void
build_checks(DocContainer *dc, const char *key, const YNode *value,
			 const char *path)
{
	build_entries(dc, value, path, build_check, &dc->table->checks);
}

static const KeySpec check_entry_keys[] = {
	{"check", V_EXPR},
	{"comment", V_STRING},
	{NULL}
};

static const KeySpec check_keys[] = {
	{"checks", V_NAMED_EXPR, check_entry_keys},
	{NULL}
};

/* ----------------------------------------------------------------
 * Export
 * ----------------------------------------------------------------
 */

static bool
table_has_named_checks(const ConvTable *table)
{
	ListCell   *lc;

	foreach(lc, table->checks)
		if (((ConvCheck *) lfirst(lc))->column == NULL)
			return true;
	return false;
}

static void
emit_checks(Emitter *em, const ConvSchema *schema, const ConvTable *table)
{
	ListCell   *lc;

	if (!table_has_named_checks(table))
		return;
	emit_scalar(em, "checks", false);
	begin_mapping(em, false);
	foreach(lc, table->checks)
	{
		ConvCheck  *check = lfirst(lc);

		if (check->column || check->comment == NULL)
		{
			if (check->column == NULL)
				emit_pair(em, check->name, check->expr);
			continue;
		}
		emit_scalar(em, check->name, false);
		begin_mapping(em, true);
		emit_pair(em, "check", check->expr);
		emit_pair(em, "comment", check->comment);
		end_mapping(em);
	}
	end_mapping(em);
}

/* the script's fingerprint: a CHECK as the server prints it */
static const char *const checks_fingerprint = FP_CONSTRAINTS("'c'");

const ConvKindOps check_kind = {
	.name = "CHECK",
	.diff_member = diff_checks,
	.check_created = check_check_created,
	.plan = {
		[ACTION_CREATE] = plan_add_check,
		[ACTION_DROP] = plan_drop_check,
		[ACTION_COMMENT] = plan_check_comment,
		[ACTION_RENAME] = plan_rename_check,
	},
	.plan_comments = plan_new_comment,
	.rule = &check_rule,
	.doc_place = DOC_TABLE,
	.doc_keys = check_keys,
	.build = build_checks,
	.plural = "constraints",
	.read = read_checks,
	.fingerprint = checks_fingerprint,
	.emit = emit_checks,
};
