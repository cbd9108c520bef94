/*-------------------------------------------------------------------------
 *
 * index.c
 *	  Indexes that back no constraint.
 *
 * The document's index and pg_get_indexdef()'s are both parsed and
 * transformed by the server against the relation and compared as trees
 * (expr.c).  Like a CHECK, one that reads a column the plan adds, retypes
 * or rebuilds, or calls a function it drops, is dropped before and created
 * after those changes.  A unique one is checked for duplicate rows first.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_class.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "kinds/kinds.h"

static bool
index_same(DiffState *ds, const ConvChange *proto, void *context,
		   void *want, void *have)
{
	TableDiff  *td = context;
	ConvIndex  *wi = want;
	ConvIndex  *hi = have;

	return !names_created(ds, wi->where, &wi->pos) &&
		expr_index_matches(wi, hi, td->pair);
}

static void
index_kept(DiffState *ds, const ConvChange *proto, void *context,
		   void *want, void *have)
{
	ConvIndex  *w = want;
	ConvIndex  *h = have;

	if (!strings_equal(w->statistics, h->statistics))
		add_kept_change(ds, proto, ACTION_ALTER, want, have);
	if (strings_differ(w->comment, h->comment))
		add_comment_change(ds, proto, want, have);
}

/* the dependency graph: an index whose expressions call a dropped function */
static const char *
index_rebuilt(DiffState *ds, void *have)
{
	ConvIndex  *index = have;
	const char *why = stored_calls_dropped(ds, index->exprs_bin, false);

	return why ? why :
		stored_calls_dropped(ds, index->predicate_bin, false);
}

static List *
index_reads(void *want)
{
	return expr_index_column_refs(want);
}

static void
diff_indexes(DiffState *ds, TableDiff *td)
{
	static const Reconcile how = {.same = index_same,.kept = index_kept,
		.renamed = add_rename_change,.rebuilt = index_rebuilt,
	.reads = index_reads};

	reconcile_members(ds, KIND_INDEX, &how, td, td->schema, td->want, td->have,
					  offsetof(ConvTable, indexes));
}

/*
 * An index's expression keys and predicate, as CREATE INDEX takes them.  A
 * materialized view's columns come from its query, which the document does
 * not type: the server checks those when the plan creates them.
 */
static void
index_check_created(DiffState *ds, const ConvChange *change)
{
	if (change->want_table->relkind != RELKIND_MATVIEW)
		expr_check_index_position(change->want, change->want_table,
								  ds->created_names);
}

static void
plan_drop_index(ConvPlanState *ps, const ConvChange *change)
{
	ConvIndex  *index = change->have;

	add_step(ps, "drop_index",
			 quote_qualified_identifier(change->schema, index->name),
			 psprintf("DROP INDEX %s",
					  quote_qualified_identifier(change->schema, index->name)),
			 psprintf("%s %s", index_definition(index),
					  dropped_because(ps, change)),
			 HAZARD_ACCESS_EXCLUSIVE);
}

/* the statistics target of one key, by ALTER INDEX */
static void
add_key_statistics(ConvPlanState *ps, const char *schema,
				   const ConvIndex *index, const char *key,
				   const char *target)
{
	add_step(ps, "set_statistics",
			 quote_qualified_identifier(schema, index->name),
			 psprintf("ALTER INDEX %s ALTER COLUMN %s SET STATISTICS %s",
					  quote_qualified_identifier(schema, index->name), key,
					  target),
			 psprintf("statistics of key %s: %s", key,
					  strcmp(target, "-1") == 0 ? "the default" : target),
			 0);
}

/*
 * The targets the document gives, and the default again for the keys
 * that had one it no longer gives.  "key=target" splits at the '=': the
 * catalog query and the document both write it so.
 */
static void
set_index_statistics(ConvPlanState *ps, const ConvChange *change,
					 const ConvIndex *h)
{
	ConvIndex  *w = change->want;
	ListCell   *lc;

	foreach(lc, w->statistics)
	{
		char	   *eq = strchr(lfirst(lc), '=');

		if (h == NULL || !string_in(h->statistics, lfirst(lc)))
			add_key_statistics(ps, change->schema, w,
							   pnstrdup(lfirst(lc), eq - (char *) lfirst(lc)),
							   eq + 1);
	}
	foreach(lc, h ? h->statistics : NIL)
	{
		char	   *key = pnstrdup(lfirst(lc),
								   strchr(lfirst(lc), '=') - (char *) lfirst(lc));
		ListCell   *wc;
		bool		given = false;

		foreach(wc, w->statistics)
			given |= strncmp(lfirst(wc), psprintf("%s=", key),
							 strlen(key) + 1) == 0;
		if (!given)
			add_key_statistics(ps, change->schema, w, key, "-1");
	}
}

static void
plan_index_statistics(ConvPlanState *ps, const ConvChange *change)
{
	set_index_statistics(ps, change, change->have);
}

/*
 * Rows, as the plan leaves them, that share the keys of a unique index:
 * its keys and predicate as the server prints them.  False when they
 * cannot be printed under the document's names.
 */
static bool
probe_duplicates(ConvPlanState *ps, ConvStep *step, const ConvChange *change)
{
	ConvIndex  *index = change->want;
	char	   *where;
	List	   *keys = expr_index_keys_sql(index, change->pair, &where);

	if (keys == NIL)
		return false;
	set_duplicate_probe(ps, step, change, keys, where,
						index->nulls_not_distinct);
	return true;
}

/*
 * A new index.  A unique one is checked for duplicate rows first; it is
 * built under a SHARE lock (writes wait, reads go on).
 */
static void
plan_add_index(ConvPlanState *ps, const ConvChange *change)
{
	ConvIndex  *index = change->want;
	ConvIndex  *old = change->have;
	ConvStep   *step;

	step = add_step(ps, "add_index",
					quote_qualified_identifier(change->schema, index->name),
					expr_index_sql(index, index->name, table_sql(change)),
					old ?
					made_again_because(change,
									   psprintf("%s is replaced",
												index_definition(old))) :
					pstrdup("index is declared in the document and does not exist"),
					change->have_table ? HAZARD_FULL_SCAN : 0);
	set_index_statistics(ps, change, NULL);
	if (change->have_table == NULL)
		return;
	if (!index->unique)
		set_probe_on(ps, step, change, ROWS_AFTER, NULL, NULL, NULL,
					 REFUSE_NEVER, FIX_NONE);
	else if (!probe_duplicates(ps, step, change))
		leave_unchecked(step, "a key expression reads a column the plan renames");
}

/* a unique index the plan keeps, over rows it rewrites or attaches */
static void
probe_kept_index(ConvPlanState *ps, ConvStep *step, const ConvChange *stub)
{
	ConvIndex  *index = stub->want;

	if (!index->unique)
		return;
	if (probe_duplicates(ps, step, stub))
		((ConvProbe *) llast(step->probes))->label =
			psprintf("unique index %s", index->name);
	else
		leave_unchecked(step, psprintf("a key expression of index %s reads a column the plan renames",
									   index->name));
}

static const RuleOps index_rule = {
	.list = offsetof(ConvTable, indexes),
	.reads = index_reads,
	.probe = probe_kept_index,
};

/* ALTER INDEX ... RENAME takes a SHARE UPDATE EXCLUSIVE lock only */
static void
plan_rename_index(ConvPlanState *ps, const ConvChange *change)
{
	ConvIndex  *index = change->want;
	ConvIndex  *old = change->have;

	add_step(ps, "rename_index",
			 quote_qualified_identifier(change->schema, index->name),
			 psprintf("ALTER INDEX %s RENAME TO %s",
					  quote_qualified_identifier(change->schema, old->name),
					  quote_identifier(index->name)),
			 psprintf("%s means what the document's %s means", old->name,
					  index->name),
			 0);
}

static void
plan_index_comment(ConvPlanState *ps, const ConvChange *change)
{
	ConvIndex  *index = change->want;

	add_comment(ps, "comment_index", "INDEX",
				quote_qualified_identifier(change->schema, index->name),
				index->comment);
}

/* a new index's comment comes with the comment phase */
static void
plan_new_comment(ConvPlanState *ps, const ConvChange *change)
{
	if (change->action == ACTION_CREATE &&
		((ConvIndex *) change->want)->comment)
		plan_index_comment(ps, change);
}

/* ----------------------------------------------------------------
 * The catalog
 * ----------------------------------------------------------------
 */

/* one row of a query that selects INDEX_COLUMNS */
ConvIndex *
index_read_row(HeapTuple tup, TupleDesc desc)
{
	ConvIndex  *index = palloc0(sizeof(ConvIndex));
	bool		isnull;

	index->name = get_text(tup, desc, "index_name");
	index->oid = DatumGetObjectId(get_datum(tup, desc, "index_oid", &isnull));
	index->comment = get_text(tup, desc, "comment");
	index->unique = DatumGetBool(get_datum(tup, desc, "indisunique", &isnull));
	index->method = get_text(tup, desc, "amname");
	index->elements = text_array_to_list(get_datum(tup, desc, "elements",
												   &isnull));
	index->where = get_text(tup, desc, "predicate");
	index->exprs_bin = get_text(tup, desc, "exprs_bin");
	index->predicate_bin = get_text(tup, desc, "predicate_bin");
	index->include = get_text_list(tup, desc, "include");
	index->nulls_not_distinct =
		DatumGetBool(get_datum(tup, desc, "nulls_not_distinct", &isnull));
	index->statistics = get_text_list(tup, desc, "statistics");
	return index;
}

/*
 * A current index as the server prints it (pg_get_indexdef()), read when
 * the plan first needs it: for an index it drops or replaces, or whose
 * keys the document writes otherwise.  Printing an index opens its table,
 * and a plan with nothing to do needs none of them.  The text is kept
 * with the index, in the model's context.
 */
const char *
index_definition(const ConvIndex *index)
{
	if (index->definition == NULL)
	{
		MemoryContext outer =
			MemoryContextSwitchTo(GetMemoryChunkContext((void *) index));

		((ConvIndex *) index)->definition =
			TextDatumGetCString(DirectFunctionCall1(pg_get_indexdef,
													ObjectIdGetDatum(index->oid)));
		MemoryContextSwitchTo(outer);
	}
	return index->definition;
}

static void
read_index_row(ConvTable *table, HeapTuple tup, TupleDesc desc)
{
	table->indexes = lappend(table->indexes, index_read_row(tup, desc));
}

static void
read_indexes(CatalogRead *cr)
{
	read_per_table(cr,
				   INDEX_COLUMNS,
				   "JOIN pg_catalog.pg_index x ON x.indrelid = c.oid"
				   " JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid"
				   " JOIN pg_catalog.pg_am am ON am.oid = i.relam"
				   " WHERE NOT i.relispartition"
				   "   AND NOT EXISTS (SELECT FROM pg_catalog.pg_constraint k"
				   "                    WHERE k.conindid = x.indexrelid"
				   "                      AND k.conrelid = c.oid"
				   "                      AND k.contype IN ('p', 'u', 'x'))"
				   " ORDER BY c.oid, i.relname",
				   read_index_row);
}

/* ----------------------------------------------------------------
 * The document: a table's "indexes"
 * ----------------------------------------------------------------
 */

/*
 * "statistics: {key: target}": the planner's statistics target of an
 * expression key (ALTER INDEX ... ALTER COLUMN key SET STATISTICS), as
 * the catalog lists them, "key=target" by key.
 */
static List *
build_index_statistics(const ConvIndex *index, const YNode *map,
					   const char *path)
{
	int			nkeys = list_length(index->elements);
	int		   *targets;
	List	   *result = NIL;
	ListCell   *kc,
			   *vc;

	if (map == NULL)
		return NIL;
	targets = palloc(sizeof(int) * nkeys);
	for (int i = 0; i < nkeys; i++)
		targets[i] = -1;
	foreach_entry(kc, vc, map)
	{
		YNode	   *key = lfirst(kc);
		char	   *keypath = child_path(path, key->value);
		int64		n = doc_int(key, keypath);
		int64		target = doc_int(lfirst(vc), keypath);

		if (n < 1 || n > nkeys || !expr_index_key_is_expression(index, n))
			doc_error(ERRCODE_INVALID_PARAMETER_VALUE, key, keypath,
					  "index \"%s\" has no expression key %s: only an expression key has a statistics target",
					  index->name, key->value);
		if (target < 0 || target > 10000)
			doc_error(ERRCODE_INVALID_PARAMETER_VALUE, lfirst(vc), keypath,
					  "statistics must be between 0 and 10000, found %s",
					  ((YNode *) lfirst(vc))->value);
		targets[n - 1] = (int) target;
	}
	for (int i = 0; i < nkeys; i++)
		if (targets[i] >= 0)
			result = lappend(result, psprintf("%d=%d", i + 1, targets[i]));
	return result;
}

void *
build_index_entry(DocContainer *dc, const char *name, const YNode *node,
			const char *path)
{
	ConvIndex  *index = palloc0(sizeof(ConvIndex));
	const YNode *v;
	ListCell   *lc;

	index->name = pstrdup(name);
	index->pos = node_pos(node, path);
	v = map_get(node, "columns");
	if (v == NULL || v->items == NIL)
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, node, path,
				  "index \"%s\" has no columns", name);
	foreach(lc, v->items)
	{
		YNode	   *elem = lfirst(lc);
		DocPos		pos = node_pos(elem, child_path(path, "columns"));

		expr_check_index_element(elem->value, &pos);
		index->elements = lappend(index->elements, elem->value);
	}
	v = map_get(node, "unique");
	index->unique = v && doc_bool(v, child_path(path, "unique"));
	v = map_get(node, "nulls_not_distinct");
	index->nulls_not_distinct = v &&
		doc_bool(v, child_path(path, "nulls_not_distinct"));
	index->method = map_string(node, "method");
	index->where = map_string(node, "where");
	if (index->where)
	{
		DocPos		where_pos = value_pos(node, "where", path);

		expr_refuse_subquery(index->where, &where_pos, "index predicate");
	}
	index->include = string_list(map_get(node, "include"));
	index->comment = doc_comment(node);
	index->statistics = build_index_statistics(index,
											   map_get(node, "statistics"),
											   child_path(path,
														  "statistics"));
	return index;
}

static void
build_indexes(DocContainer *dc, const char *key, const YNode *value,
			  const char *path)
{
	build_entries(dc, value, path, build_index_entry, &dc->table->indexes);
}

const KeySpec index_keys[] = {
	{"columns", V_STRINGS},
	{"unique", V_BOOL},
	{"method", V_STRING},
	{"where", V_EXPR},
	{"include", V_STRINGS},
	{"nulls_not_distinct", V_BOOL},
	{"statistics", V_STRING_MAP},
	{"comment", V_STRING},
	{NULL}
};

static const KeySpec index_doc_keys[] = {
	{"indexes", V_NAMED, index_keys},
	{NULL}
};

/* ----------------------------------------------------------------
 * Export
 * ----------------------------------------------------------------
 */

/* an "indexes" mapping: a table's, or a materialized view's */
void
index_emit(Emitter *em, List *indexes)
{
	ListCell   *lc;

	if (indexes == NIL)
		return;
	emit_scalar(em, "indexes", false);
	begin_mapping(em, false);
	foreach(lc, indexes)
	{
		ConvIndex  *index = lfirst(lc);

		emit_scalar(em, index->name, false);
		begin_mapping(em, true);
		emit_scalar(em, "columns", false);
		emit_strings(em, index->elements);
		if (index->unique)
			emit_pair(em, "unique", "true");
		if (strcmp(index->method, "btree") != 0)
			emit_pair(em, "method", index->method);
		if (index->include)
		{
			emit_scalar(em, "include", false);
			emit_strings(em, index->include);
		}
		if (index->nulls_not_distinct)
			emit_pair(em, "nulls_not_distinct", "true");
		if (index->where)
			emit_pair(em, "where", index->where);
		emit_settings(em, "statistics", index->statistics);
		if (index->comment)
			emit_pair(em, "comment", index->comment);
		end_mapping(em);
	}
	end_mapping(em);
}

static void
emit_indexes(Emitter *em, const ConvSchema *schema, const ConvTable *table)
{
	index_emit(em, table->indexes);
}

/*
 * An index of a materialized view is created once the view is: the view
 * kind pairs them, with a table of the view's name standing for it.
 */
static PlanPhase
index_phase(const ConvChange *change, PlanPhase phase)
{
	if (change->action == ACTION_CREATE && change->want_table &&
		change->want_table->relkind == RELKIND_MATVIEW)
		return PHASE_CREATE_VIEW;
	return phase;
}

/* the script's fingerprint: an index as the server prints it */
static const char *const indexes_fingerprint =
"SELECT 'index', pg_catalog.format('%I.%I', n.nspname, i.relname),"
" pg_catalog.concat_ws(' ', pg_catalog.pg_get_indexdef(x.indexrelid),"
"   CASE WHEN x.indisclustered THEN 'clustered' END,"
"   (SELECT 'statistics ' || pg_catalog.string_agg(sa.attname || '=' ||"
"           sa.attstattarget, ', ' ORDER BY sa.attnum)"
"      FROM pg_catalog.pg_attribute sa"
"     WHERE sa.attrelid = x.indexrelid"
"       AND COALESCE(sa.attstattarget::pg_catalog.int4, -1) >= 0),"
"   'comment=' || pg_catalog.quote_literal("
"     " COMMENT_OF("i.oid", "pg_class") "))"
" FROM pg_catalog.pg_index x"
" JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid"
" JOIN pg_catalog.pg_class c ON c.oid = x.indrelid"
" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
" WHERE c.relkind IN ('r', 'p', 'm') AND" FP_MANAGED("n.nspname")
"   AND" NOT_EXTENSION_MEMBER("pg_class", "c.oid");

const ConvKindOps index_kind = {
	.name = "index",
	.diff_member = diff_indexes,
	.check_created = index_check_created,
	.plan = {
		[ACTION_CREATE] = plan_add_index,
		[ACTION_DROP] = plan_drop_index,
		[ACTION_COMMENT] = plan_index_comment,
		[ACTION_RENAME] = plan_rename_index,
		[ACTION_ALTER] = plan_index_statistics,
	},
	.plan_comments = plan_new_comment,
	.rule = &index_rule,
	.phase = index_phase,
	.doc_place = DOC_TABLE,
	.doc_keys = index_doc_keys,
	.build = build_indexes,
	.plural = "indexes",
	.read = read_indexes,
	.fingerprint = indexes_fingerprint,
	.emit = emit_indexes,
};
