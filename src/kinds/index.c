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

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_index.h"
#include "catalog/pg_opclass.h"
#include "commands/defrem.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"

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

/*
 * Indexes are read in C, not by a query: the indexes query printed every
 * key with a subquery per key and ran four more per index, a seventh of
 * a plan with nothing to do.  The catalogs are opened once for all the
 * relations read and scanned in the statement's snapshot, as the other
 * catalog queries see it; what the server prints (an expression key, a
 * predicate) is still printed by the server.
 */
struct IndexReader
{
	CatalogRead *cr;
	Relation	indexes;
	Relation	attributes;
	Relation	constraints;
};

/* what a key of an index says about itself: its pg_attribute row */
typedef struct IndexAttribute
{
	Oid			typid;
	int			statistics;
	char	   *options;		/* "a=1, b=2", or NULL */
} IndexAttribute;

/*
 * An operator class as the server names it (bare where the search path
 * finds it), or NULL for a default one without options.
 */
static char *
opclass_name(Oid opclass, const char *options)
{
	HeapTuple	tup = SearchSysCache1(CLAOID, ObjectIdGetDatum(opclass));
	bool		is_default;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for operator class %u", opclass);
	is_default = ((Form_pg_opclass) GETSTRUCT(tup))->opcdefault;
	ReleaseSysCache(tup);
	return is_default && options == NULL ? NULL :
		generate_opclass_name(opclass);
}

/* a key's operator class options, as array_to_string(attoptions, ', ') */
static char *
options_text(Datum options)
{
	StringInfoData text;
	ListCell   *lc;

	initStringInfo(&text);
	foreach(lc, text_array_to_list(options))
		appendStringInfo(&text, "%s%s", text.len > 0 ? ", " : "",
						 (char *) lfirst(lc));
	return text.data;
}

/* the collation of a table's column */
static Oid
column_collation(Oid relid, AttrNumber attnum)
{
	Oid			typid;
	int32		typmod;
	Oid			collation;

	get_atttypetypmodcoll(relid, attnum, &typid, &typmod, &collation);
	return collation;
}

/* an index's own attributes, by number from 1, up to natts */
static IndexAttribute *
index_attributes(IndexReader *reader, Oid indexrelid, int natts)
{
	IndexAttribute *atts = palloc0(sizeof(IndexAttribute) * (natts + 1));
	SysScanDesc scan = catalog_scan(reader->cr, reader->attributes,
									AttributeRelidNumIndexId,
									Anum_pg_attribute_attrelid, indexrelid);
	HeapTuple	tup;

	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_attribute att = (Form_pg_attribute) GETSTRUCT(tup);
		TupleDesc	desc = RelationGetDescr(reader->attributes);
		bool		isnull;
		Datum		options;

		if (att->attnum < 1 || att->attnum > natts)
			continue;
		atts[att->attnum].typid = att->atttypid;
		atts[att->attnum].statistics = compat_attstattarget(tup, desc);
		options = heap_getattr(tup, Anum_pg_attribute_attoptions, desc,
							   &isnull);
		if (!isnull)
			atts[att->attnum].options = options_text(options);
	}
	systable_endscan(scan);
	return atts;
}

/* an int2vector or oidvector column of pg_index */
static void *
index_vector(IndexReader *reader, HeapTuple tup, int attnum)
{
	bool		isnull;
	Datum		vector = heap_getattr(tup, attnum,
									  RelationGetDescr(reader->indexes),
									  &isnull);

	Assert(!isnull);
	return DatumGetPointer(vector);
}

/*
 * Key k (from 1) as a document writes it: the column or expression as the
 * server prints it, then a collation other than the column's, an operator
 * class other than the default, and the ordering.
 */
static char *
index_key(IndexReader *reader, Form_pg_index x, int k, IndexAttribute *att,
		  Oid collation, Oid opclass, int16 option)
{
	AttrNumber	attnum = x->indkey.values[k - 1];
	StringInfoData key;
	char	   *name;
	char	   *result;

	initStringInfo(&key);
	if (attnum != 0)
		appendStringInfoString(&key,
							   quote_identifier(get_attname(x->indrelid,
															attnum, false)));
	else
		appendStringInfoString(&key,
							   catalog_index_key(reader->cr, x->indexrelid,
												 k));
	if (OidIsValid(collation) &&
		collation != (attnum != 0 ?
					  column_collation(x->indrelid, attnum) :
					  get_typcollation(att->typid)))
		appendStringInfo(&key, " COLLATE %s",
						 generate_collation_name(collation));
	if ((name = opclass_name(opclass, att->options)) != NULL)
		appendStringInfo(&key, " %s", name);
	if (att->options)
		appendStringInfo(&key, " (%s)", att->options);
	if (option & INDOPTION_DESC)
		appendStringInfoString(&key, " DESC");
	if ((option & (INDOPTION_DESC | INDOPTION_NULLS_FIRST)) == INDOPTION_DESC)
		appendStringInfoString(&key, " NULLS LAST");
	else if ((option & (INDOPTION_DESC | INDOPTION_NULLS_FIRST)) ==
			 INDOPTION_NULLS_FIRST)
		appendStringInfoString(&key, " NULLS FIRST");
	/* the model keeps the key: not the buffer it was built in */
	result = pstrdup(key.data);
	pfree(key.data);
	return result;
}

/* an index's keys, INCLUDE columns and statistics targets */
static void
read_index_keys(IndexReader *reader, ConvIndex *index, HeapTuple tup)
{
	Form_pg_index x = (Form_pg_index) GETSTRUCT(tup);
	IndexAttribute *atts = index_attributes(reader, x->indexrelid,
											x->indnatts);
	oidvector  *collations = index_vector(reader, tup,
										  Anum_pg_index_indcollation);
	oidvector  *opclasses = index_vector(reader, tup, Anum_pg_index_indclass);
	int2vector *options = index_vector(reader, tup, Anum_pg_index_indoption);

	for (int k = 1; k <= x->indnkeyatts; k++)
		index->elements = lappend(index->elements,
								  index_key(reader, x, k, &atts[k],
											collations->values[k - 1],
											opclasses->values[k - 1],
											options->values[k - 1]));
	for (int k = x->indnkeyatts + 1; k <= x->indnatts; k++)
		index->include = lappend(index->include,
								 get_attname(x->indrelid,
											 x->indkey.values[k - 1], false));
	for (int k = 1; k <= x->indnatts; k++)
		if (atts[k].statistics >= 0)
			index->statistics = lappend(index->statistics,
										psprintf("%d=%d", k,
												 atts[k].statistics));
}

/* does pg_index's column attnum hold a stored tree (in *tree)? */
static bool
index_tree(IndexReader *reader, HeapTuple tup, int attnum, Datum *tree)
{
	bool		isnull;

	*tree = heap_getattr(tup, attnum, RelationGetDescr(reader->indexes),
						 &isnull);
	return !isnull;
}

/* one index, from its pg_index row; NULL for a partition's */
static ConvIndex *
read_index(IndexReader *reader, HeapTuple tup)
{
	Form_pg_index x = (Form_pg_index) GETSTRUCT(tup);
	HeapTuple	reltup = SearchSysCache1(RELOID,
										 ObjectIdGetDatum(x->indexrelid));
	Form_pg_class rel;
	ConvIndex  *index;
	Datum		tree;

	if (!HeapTupleIsValid(reltup))
		elog(ERROR, "cache lookup failed for relation %u", x->indexrelid);
	rel = (Form_pg_class) GETSTRUCT(reltup);
	if (rel->relispartition)
	{
		ReleaseSysCache(reltup);
		return NULL;
	}
	index = palloc0(sizeof(ConvIndex));
	index->oid = x->indexrelid;
	index->name = pstrdup(NameStr(rel->relname));
	index->method = get_am_name(rel->relam);
	ReleaseSysCache(reltup);
	index->comment = catalog_comment(reader->cr, RelationRelationId,
									 x->indexrelid, 0);
	index->unique = x->indisunique;
	index->nulls_not_distinct = x->indnullsnotdistinct;
	read_index_keys(reader, index, tup);
	if (index_tree(reader, tup, Anum_pg_index_indexprs, &tree))
		index->exprs_bin = TextDatumGetCString(tree);
	if (index_tree(reader, tup, Anum_pg_index_indpred, &tree))
		index->where = catalog_expr(reader->cr, tree, x->indrelid,
									&index->predicate_bin);
	return index;
}

/*
 * The indexes that stand for the relation's primary key, unique and
 * exclusion constraints: key.c reads those as the constraints.
 */
static List *
constraint_indexes(IndexReader *reader, Oid relid)
{
	SysScanDesc scan = catalog_scan(reader->cr, reader->constraints,
									ConstraintRelidTypidNameIndexId,
									Anum_pg_constraint_conrelid, relid);
	HeapTuple	tup;
	List	   *oids = NIL;

	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tup);

		if (con->contype == CONSTRAINT_PRIMARY ||
			con->contype == CONSTRAINT_UNIQUE ||
			con->contype == CONSTRAINT_EXCLUSION)
			oids = lappend_oid(oids, con->conindid);
	}
	systable_endscan(scan);
	return oids;
}

static int
index_name_cmp(const ListCell *a, const ListCell *b)
{
	return strcmp(((ConvIndex *) lfirst(a))->name,
				  ((ConvIndex *) lfirst(b))->name);
}

/*
 * index_reader_begin
 *		Open the catalogs index_reader_read() scans, for any number of
 *		relations; index_reader_end() closes them.
 */
IndexReader *
index_reader_begin(CatalogRead *cr)
{
	IndexReader *reader = palloc(sizeof(IndexReader));

	reader->cr = cr;
	reader->indexes = table_open(IndexRelationId, AccessShareLock);
	reader->attributes = table_open(AttributeRelationId, AccessShareLock);
	reader->constraints = table_open(ConstraintRelationId, AccessShareLock);
	return reader;
}

void
index_reader_end(IndexReader *reader)
{
	table_close(reader->constraints, AccessShareLock);
	table_close(reader->attributes, AccessShareLock);
	table_close(reader->indexes, AccessShareLock);
	pfree(reader);
}

/*
 * index_reader_read
 *		A relation's indexes by name, but for those of its constraints and
 *		those that are partitions of a partitioned table's index.
 */
List *
index_reader_read(IndexReader *reader, Oid relid)
{
	List	   *skip = constraint_indexes(reader, relid);
	List	   *indexes = NIL;
	SysScanDesc scan = catalog_scan(reader->cr, reader->indexes,
									IndexIndrelidIndexId,
									Anum_pg_index_indrelid, relid);
	HeapTuple	tup;

	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		ConvIndex  *index;

		if (list_member_oid(skip, ((Form_pg_index) GETSTRUCT(tup))->indexrelid))
			continue;
		if ((index = read_index(reader, tup)) != NULL)
			indexes = lappend(indexes, index);
	}
	systable_endscan(scan);
	list_sort(indexes, index_name_cmp);
	list_free(skip);
	return indexes;
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
read_indexes(CatalogRead *cr)
{
	IndexReader *reader = index_reader_begin(cr);
	ListCell   *lc;

	foreach(lc, cr->tables)
	{
		ConvTable  *table = lfirst(lc);

		table->indexes = index_reader_read(reader, table->oid);
	}
	index_reader_end(reader);
}

/* ----------------------------------------------------------------
 * The document: a table's "indexes"
 * ----------------------------------------------------------------
 */

/*
 * "statistics: {key: target}" of the index at "path": the planner's
 * statistics target of an expression key (ALTER INDEX ... ALTER COLUMN key
 * SET STATISTICS), as the catalog lists them, "key=target" by key.
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
	path = child_path(path, "statistics");
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
		DocPos		pos = node_pos(elem, path);

		pos.key = "columns";
		expr_check_index_element(elem->value, &pos);
		index->elements = lappend(index->elements, elem->value);
	}
	v = map_get(node, "unique");
	index->unique = v && doc_key_bool(v, path, "unique");
	v = map_get(node, "nulls_not_distinct");
	index->nulls_not_distinct = v &&
		doc_key_bool(v, path, "nulls_not_distinct");
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
											   path);
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
