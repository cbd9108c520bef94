/*-------------------------------------------------------------------------
 *
 * table.c
 *	  Tables: created, dropped, renamed, commented; the container of
 *	  columns, constraints and indexes.
 *
 * A document table is paired with the current table of its name, or the
 * one it was renamed from.  The columns are matched first (column.c), so
 * that the members (every kind with a diff_member: CHECKs, keys, indexes)
 * can be compared under the document's names and know which columns
 * change shape; then the columns' own changes are made.  A current table
 * of a managed schema that the document does not declare is dropped, its
 * foreign keys first (another dropped table may be the one they
 * reference), and only when it holds no rows or allow_data_loss is given.
 *
 * Storage parameters ("with") are compared by what the server makes of
 * them, heap_reloptions() of both sides, and by which ones are named: a
 * parameter written with its default value is still written, as
 * pg_dump would show it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/reloptions.h"
#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "nodes/makefuncs.h"
#include "utils/array.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "kinds/kinds.h"

static bool
schema_declares(const ConvSchema *schema, const char *table)
{
	ListCell   *lc;

	foreach(lc, schema->tables)
		if (strcmp(((ConvTable *) lfirst(lc))->name, table) == 0)
			return true;
	return false;
}

/* every kind that is a member of a table compares its objects */
static void
diff_members(DiffState *ds, TableDiff *td)
{
	for (int kind = 0; kind < NUM_KINDS; kind++)
		if (conv_kinds[kind]->diff_member)
			conv_kinds[kind]->diff_member(ds, td);
}

/* the current table a document table stands for, claimed; or NULL */
static TableEntry *
claim_table(DiffState *ds, ConvSchema *schema, ConvTable *want)
{
	TableEntry *entry = lookup_table(ds, schema->name, want->name);

	/* as for columns: no rename from a name the document still declares */
	if (entry == NULL && want->renamed_from &&
		!schema_declares(schema, want->renamed_from))
	{
		entry = lookup_table(ds, schema->name, want->renamed_from);
		if (entry && entry->pair == NULL)
			add_change(ds, KIND_TABLE, ACTION_RENAME, schema->name, want,
					   entry->table);
		else
			entry = NULL;
	}
	return entry;
}

/* ----------------------------------------------------------------
 * Storage parameters
 * ----------------------------------------------------------------
 */

static char *
setting_name(const char *setting)
{
	return pnstrdup(setting, strchr(setting, '=') - setting);
}

/* the parameters as heap_reloptions() reads them, NULL for none */
static bytea *
storage_options(List *settings, bool validate)
{
	Datum	   *items;
	int			i = 0;
	ListCell   *lc;

	if (settings == NIL)
		return NULL;
	items = palloc(sizeof(Datum) * list_length(settings));
	foreach(lc, settings)
		items[i++] = CStringGetTextDatum(lfirst(lc));
	return heap_reloptions(RELKIND_RELATION,
						   PointerGetDatum(construct_array(items, i, TEXTOID,
														   -1, false,
														   TYPALIGN_INT)),
						   validate);
}

static void
validate_storage_work(void *arg)
{
	(void) storage_options(arg, true);
}

static bool
storage_named(List *settings, const char *name)
{
	ListCell   *lc;

	foreach(lc, settings)
		if (strcmp(setting_name(lfirst(lc)), name) == 0)
			return true;
	return false;
}

static bool
storage_differs(List *want, List *have)
{
	bytea	   *w;
	bytea	   *h;
	ListCell   *lc;

	if (list_length(want) != list_length(have))
		return true;
	foreach(lc, want)
		if (!storage_named(have, setting_name(lfirst(lc))))
			return true;
	w = storage_options(want, false);
	h = storage_options(have, false);
	if (w == NULL || h == NULL)
		return w != h;
	return VARSIZE(w) != VARSIZE(h) || memcmp(w, h, VARSIZE(w)) != 0;
}

/* " WITH (name = 'value', ...)", or "" */
static char *
storage_clause(const char *prefix, List *settings)
{
	StringInfoData buf;
	ListCell   *lc;

	if (settings == NIL)
		return "";
	initStringInfo(&buf);
	appendStringInfo(&buf, "%s(", prefix);
	foreach(lc, settings)
	{
		const char *setting = lfirst(lc);

		appendStringInfo(&buf, "%s%s = %s",
						 foreach_current_index(lc) ? ", " : "",
						 quote_identifier(setting_name(setting)),
						 quote_literal_cstr(strchr(setting, '=') + 1));
	}
	appendStringInfoChar(&buf, ')');
	return buf.data;
}

static void
diff_table(DiffState *ds, ConvSchema *schema, ConvTable *want)
{
	TableEntry *entry = claim_table(ds, schema, want);
	TablePair  *pair = add_pair(ds, schema->name, want, entry);
	TableDiff	td = {0};
	ListCell   *lc;

	td.pair = pair;
	td.schema = schema->name;
	td.want = want;
	td.have = pair->have;

	partition_take_columns(ds->want_model, want);
	if (entry == NULL)
	{
		ConvChange *change = add_change(ds, KIND_TABLE, ACTION_CREATE,
										schema->name, want, NULL);

		if (is_partition(want))
			partition_placed(ds, change);
		foreach(lc, want->columns)
			(void) resolve_column(ds, lfirst(lc), schema->name);
		diff_members(ds, &td);
		return;
	}
	columns_compare(ds, &td);
	diff_members(ds, &td);
	/* a partition's columns change with its parent's */
	if (!td.partition_stays)
		columns_diff(ds, &td);
	if (strings_differ(want->comment, td.have->comment))
		add_change(ds, KIND_TABLE, ACTION_COMMENT, schema->name, want,
				   td.have);
	if (want->unlogged != td.have->unlogged ||
		storage_differs(want->storage, td.have->storage))
		add_change(ds, KIND_TABLE, ACTION_ALTER, schema->name, want,
				   td.have);
}

static void
table_check_created(DiffState *ds, const ConvChange *change)
{
	ListCell   *lc;

	foreach(lc, change->want_table->columns)
		check_generated_position(ds, lfirst(lc), change->want_table);
}

/* parents before their partitions, which take their columns */
static void
diff_tables(DiffState *ds)
{
	int			deepest = partitions_link(ds->want_model);
	ListCell   *sc,
			   *tc;

	for (int depth = 0; depth <= deepest; depth++)
		foreach(sc, ds->want_model->schemas)
		{
			ConvSchema *schema = lfirst(sc);

			foreach(tc, schema->tables)
				if (partition_depth(ds->want_model, lfirst(tc)) == depth)
					diff_table(ds, schema, lfirst(tc));
		}
}

/* what the document no longer declares in the schemas it manages */
static void
drop_undeclared(DiffState *ds)
{
	ListCell   *sc,
			   *tc,
			   *fc;

	foreach(sc, ds->have_model->schemas)
	{
		ConvSchema *schema = lfirst(sc);

		foreach(tc, schema->tables)
		{
			TableEntry *entry = lookup_table(ds, schema->name,
											 ((ConvTable *) lfirst(tc))->name);

			if (entry->pair || partition_dropped_with_parent(ds, entry->table))
				continue;
			foreach(fc, entry->table->foreign_keys)
				add_change(ds, KIND_FOREIGN_KEY, ACTION_DROP, schema->name,
						   NULL, entry->table)->have = lfirst(fc);
			add_change(ds, KIND_TABLE, ACTION_DROP, schema->name, NULL,
					   entry->table);
		}
	}
}

/* ----------------------------------------------------------------
 * Steps
 * ----------------------------------------------------------------
 */

/*
 * SET UNLOGGED or LOGGED rewrites the table (and, to LOGGED, writes all of
 * it to the WAL); an unlogged table is emptied by a crash.
 */
static void
plan_set_logged(ConvPlanState *ps, const ConvChange *change)
{
	ConvStep   *step;
	bool		unlogged = change->want_table->unlogged;

	step = add_step(ps, unlogged ? "set_unlogged" : "set_logged",
					table_sql(change),
					psprintf("ALTER TABLE %s SET %s", table_sql(change),
							 unlogged ? "UNLOGGED" : "LOGGED"),
					unlogged ?
					pstrdup("unlogged: true: the table is not written to the WAL, and a crash empties it") :
					pstrdup("unlogged: false: the table is written to the WAL again"),
					HAZARD_TABLE_REWRITE | HAZARD_ACCESS_EXCLUSIVE |
					HAZARD_FULL_SCAN);
	set_probe_on(ps, step, change, ROWS_NOW, NULL, NULL, NULL,
				 REFUSE_NEVER, FIX_NONE);
}

/*
 * Every parameter the document gives is set, those it no longer gives are
 * reset; the lock is the one ALTER TABLE takes for these parameters.
 */
static void
plan_set_storage(ConvPlanState *ps, const ConvChange *change)
{
	List	   *want = change->want_table->storage;
	List	   *names = NIL;
	List	   *reset = NIL;
	StringInfoData sql;
	ListCell   *lc;

	foreach(lc, want)
		names = lappend(names, makeDefElem(setting_name(lfirst(lc)), NULL,
										   -1));
	foreach(lc, change->have_table->storage)
	{
		char	   *name = setting_name(lfirst(lc));

		if (!storage_named(want, name))
		{
			reset = lappend(reset, name);
			names = lappend(names, makeDefElem(name, NULL, -1));
		}
	}
	initStringInfo(&sql);
	appendStringInfo(&sql, "ALTER TABLE %s%s", table_sql(change),
					 storage_clause(" SET ", want));
	if (reset != NIL)
		appendStringInfo(&sql, "%s RESET (%s)", want ? "," : "",
						 name_list(reset));
	add_step(ps, "set_storage", table_sql(change), sql.data,
			 psprintf("with: %s%s%s", storage_clause("", want),
					  want && reset ? "; reset " : reset ? "reset " : "",
					  reset ? name_list(reset) : ""),
			 AlterTableGetRelOptionsLockLevel(names) >= AccessExclusiveLock ?
			 HAZARD_ACCESS_EXCLUSIVE : 0);
}

static void
plan_alter_table(ConvPlanState *ps, const ConvChange *change)
{
	if (change->want_table->unlogged != change->have_table->unlogged)
		plan_set_logged(ps, change);
	if (storage_differs(change->want_table->storage,
						change->have_table->storage))
		plan_set_storage(ps, change);
}

/* "(column, ...)" of a new table */
static char *
column_list_sql(const DiffState *ds, const ConvTable *want)
{
	StringInfoData sql;
	ListCell   *lc;

	initStringInfo(&sql);
	appendStringInfoChar(&sql, '(');
	foreach(lc, want->columns)
	{
		ConvColumn *col = lfirst(lc);

		/* cooking the default here refuses a bad one before any DDL */
		(void) default_rewrites(ds, col);
		appendStringInfo(&sql, "%s%s", foreach_current_index(lc) ? ", " : "",
						 column_definition(ds, col, col->collation ?
										   expr_collation_oid(col->collation,
															  &col->collation_pos) :
										   InvalidOid, true));
	}
	appendStringInfoChar(&sql, ')');
	return sql.data;
}

/* a partition's columns are its parent's: it names only the parent */
static void
plan_create_table(ConvPlanState *ps, const ConvChange *change)
{
	ConvTable  *want = change->want_table;
	ConvStep   *step;
	ListCell   *lc;

	step = add_step(ps, "create_table", table_sql(change),
					psprintf("CREATE %sTABLE %s %s%s%s",
							 want->unlogged ? "UNLOGGED " : "",
							 table_sql(change),
							 is_partition(want) ? partition_of_sql(change) :
							 column_list_sql(ps->diff, want),
							 partition_key_sql(want),
							 storage_clause(" WITH ", want->storage)),
					pstrdup("table is declared in the document and does not exist"),
					0);
	if (is_partition(want))
	{
		partition_probe(ps, step, change, false);
		return;
	}
	foreach(lc, want->columns)
	{
		ConvColumn *col = lfirst(lc);

		probe_domain_default(ps->diff, step, col, false);
		if (col->statistics >= 0)
			add_column_statistics(ps, change, col);
	}
}

static void
plan_rename_table(ConvPlanState *ps, const ConvChange *change)
{
	add_step(ps, "rename_table", table_sql(change),
			 psprintf("ALTER TABLE %s RENAME TO %s",
					  quote_qualified_identifier(change->schema,
												 change->have_table->name),
					  quote_identifier(change->want_table->name)),
			 psprintf("renamed_from: %s", change->have_table->name),
			 HAZARD_ACCESS_EXCLUSIVE);
}

static void
plan_drop_table(ConvPlanState *ps, const ConvChange *change)
{
	ConvStep   *step;

	step = add_step(ps, "drop_table", table_sql(change),
					psprintf("DROP TABLE %s", table_sql(change)),
					pstrdup("table is not declared in the document"),
					HAZARD_ACCESS_EXCLUSIVE);
	set_probe(ps, step, change, NULL, pstrdup("true"), "would be lost",
			  REFUSE_DATA_LOSS, FIX_ALLOW_DATA_LOSS);
	refuse_if_used(step, change->have_table->used_outside, "table",
				   "dropped");
}

static void
add_table_comment(ConvPlanState *ps, const ConvChange *change)
{
	add_comment(ps, "comment_table", "TABLE", table_sql(change),
				change->want_table->comment);
}

/*
 * Comments of new objects come with the comment phase, after every object
 * they could name exists.
 */
static void
plan_new_comments(ConvPlanState *ps, const ConvChange *change)
{
	ListCell   *lc;

	if (change->kind != KIND_TABLE || change->action != ACTION_CREATE)
		return;
	if (change->want_table->comment)
		add_table_comment(ps, change);
	foreach(lc, change->want_table->columns)
	{
		ConvColumn *col = lfirst(lc);

		if (col->comment)
			add_column_comment(ps, change, col);
	}
}

/* ----------------------------------------------------------------
 * The catalog
 * ----------------------------------------------------------------
 */

/*
 * The managed tables are read in C, as their columns, indexes and
 * constraints are: the tables query's subqueries per table (comment,
 * primary key columns, default privileges) cost as much as reading them.
 */

/*
 * The relations that belong to an extension: an extension's scripts own
 * them, never the document.
 */
static List *
extension_members(CatalogRead *cr)
{
	Relation	rel = table_open(DependRelationId, AccessShareLock);
	SysScanDesc scan = catalog_scan(cr, rel, DependReferenceIndexId,
									Anum_pg_depend_refclassid,
									ExtensionRelationId);
	HeapTuple	tup;
	List	   *members = NIL;

	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_depend dep = (Form_pg_depend) GETSTRUCT(tup);

		if (dep->classid == RelationRelationId &&
			dep->deptype == DEPENDENCY_EXTENSION)
			members = lappend_oid(members, dep->objid);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return members;
}

/* a table's primary key columns, in the key's order */
static List *
primary_key_columns(CatalogRead *cr, Relation indexes, Oid relid)
{
	SysScanDesc scan = catalog_scan(cr, indexes, IndexIndrelidIndexId,
									Anum_pg_index_indrelid, relid);
	HeapTuple	tup;
	List	   *columns = NIL;

	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_index x = (Form_pg_index) GETSTRUCT(tup);

		if (!x->indisprimary)
			continue;
		for (int k = 0; k < x->indnatts; k++)
			columns = lappend(columns,
							  get_attname(relid, x->indkey.values[k], false));
	}
	systable_endscan(scan);
	return columns;
}

/* one managed table from its pg_class row */
static ConvTable *
read_table(CatalogRead *cr, Relation classes, Relation indexes,
		   HeapTuple tup)
{
	Form_pg_class rel = (Form_pg_class) GETSTRUCT(tup);
	ConvTable  *table = palloc0(sizeof(ConvTable));
	TupleDesc	desc = RelationGetDescr(classes);
	bool		isnull;
	Datum		datum;

	table->oid = rel->oid;
	table->name = pstrdup(NameStr(rel->relname));
	table->schema = get_namespace_name(rel->relnamespace);
	table->comment = catalog_comment(cr, RelationRelationId, rel->oid, 0);
	table->relkind = rel->relkind;
	table->key_columns = primary_key_columns(cr, indexes, rel->oid);
	table->unlogged = rel->relpersistence == RELPERSISTENCE_UNLOGGED;
	datum = heap_getattr(tup, Anum_pg_class_reloptions, desc, &isnull);
	if (!isnull)
		table->storage = text_array_to_list(datum);
	datum = heap_getattr(tup, Anum_pg_class_relacl, desc, &isnull);
	table->grants = acl_grants(isnull ?
							   acldefault(OBJECT_TABLE, rel->relowner) :
							   DatumGetAclP(datum));
	table->owner = role_name(rel->relowner);
	return table;
}

static int
table_name_cmp(const ListCell *a, const ListCell *b)
{
	ConvTable  *ta = lfirst(a);
	ConvTable  *tb = lfirst(b);
	int			c = strcmp(ta->schema, tb->schema);

	return c != 0 ? c : strcmp(ta->name, tb->name);
}

/* the tables of the managed schemas, by schema and name */
static void
read_tables(CatalogRead *cr)
{
	List	   *members = extension_members(cr);
	Relation	classes = table_open(RelationRelationId, AccessShareLock);
	Relation	indexes = table_open(IndexRelationId, AccessShareLock);
	SysScanDesc scan;
	HeapTuple	tup;
	ListCell   *lc;

	scan = systable_beginscan(classes, InvalidOid, false, cr->snapshot, 0,
							  NULL);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_class rel = (Form_pg_class) GETSTRUCT(tup);

		if ((rel->relkind == RELKIND_RELATION ||
			 rel->relkind == RELKIND_PARTITIONED_TABLE) &&
			list_member_oid(cr->namespaces, rel->relnamespace) &&
			!list_member_oid(members, rel->oid))
			cr->tables = lappend(cr->tables,
								 read_table(cr, classes, indexes, tup));
	}
	systable_endscan(scan);
	table_close(indexes, AccessShareLock);
	table_close(classes, AccessShareLock);
	list_sort(cr->tables, table_name_cmp);
	foreach(lc, cr->tables)
	{
		ConvTable  *table = lfirst(lc);
		ConvSchema *schema = find_or_add_schema(cr->model, table->schema);

		table->schema = schema->name;
		schema->tables = lappend(schema->tables, table);
	}
}

/* ----------------------------------------------------------------
 * The document: a schema's "tables"
 * ----------------------------------------------------------------
 */

/* a table's own keys; its members' (columns, constraints) come from theirs */
static void *
build_table(DocContainer *dc, const char *name, const YNode *node,
			const char *path)
{
	DocContainer members = {dc->model, dc->schema};
	ConvTable  *table = palloc0(sizeof(ConvTable));

	doc_renamable((ConvObject *) table, dc->schema->name, name, node, path);
	table->comment = doc_comment(node);
	table->unlogged = map_get(node, "unlogged") &&
		doc_key_bool(map_get(node, "unlogged"), path, "unlogged");
	table->storage = doc_settings(map_get(node, "with"), path, "with");
	if (table->storage)
	{
		DocPos		pos = value_pos(node, "with", path);

		run_at(&pos, validate_storage_work, table->storage);
	}
	members.table = table;
	build_members(&members, DOC_TABLE, node, path);
	return table;
}

static void
build_tables(DocContainer *dc, const char *key, const YNode *value,
			 const char *path)
{
	build_entries(dc, value, path, build_table, &dc->schema->tables);
}

static const KeySpec table_own_keys[] = {
	{"renamed_from", V_STRING},
	{"unlogged", V_BOOL},
	{"with", V_STRING_MAP},
	{"comment", V_STRING},
	{NULL}
};

static const KeySpec table_doc_keys[] = {
	{"tables", V_NAMED, table_own_keys, DOC_TABLE},
	{NULL}
};

/* ----------------------------------------------------------------
 * Export
 * ----------------------------------------------------------------
 */

static void
emit_table(Emitter *em, const ConvSchema *schema, const void *object)
{
	const ConvTable *table = object;

	emit_scalar(em, table->name, false);
	begin_mapping(em, false);
	if (table->unlogged)
		emit_pair(em, "unlogged", "true");
	emit_settings(em, "with", table->storage);
	if (table->comment)
		emit_pair(em, "comment", table->comment);
	emit_members(em, DOC_TABLE, schema, table);
	end_mapping(em);
}

static void
emit_tables(Emitter *em, const ConvSchema *schema, const ConvTable *table)
{
	emit_entries(em, "tables", schema, schema->tables, emit_table);
}

/* the dependency graph: a table renamed or dropped */
static const char *
table_reshapes(const ConvChange *change, ObjectAddress *object, bool *gone)
{
	if (change->action != ACTION_RENAME && change->action != ACTION_DROP)
		return NULL;
	ObjectAddressSet(*object, RelationRelationId, change->have_table->oid);
	*gone = true;
	return psprintf("table %s %s",
					quote_qualified_identifier(change->schema,
											   change->have_table->name),
					change->action == ACTION_DROP ? "is dropped" :
					psprintf("is renamed to %s",
							 quote_identifier(change->want_table->name)));
}

/*
 * The script's fingerprint: a table's shape, and what outside the model
 * depends on it (which makes a step refused, or fail).
 */
static const char *const tables_fingerprint =
"SELECT 'table', pg_catalog.format('%I.%I', n.nspname, c.relname),"
" pg_catalog.concat_ws(' ', c.relkind, c.relpersistence,"
"   'with=' || c.reloptions::pg_catalog.text,"
"   CASE WHEN c.relrowsecurity THEN 'row security' END,"
"   CASE WHEN c.relforcerowsecurity THEN 'forced' END,"
"   'replica identity=' || c.relreplident::pg_catalog.text,"
"   'partition by ' || pg_catalog.pg_get_partkeydef(c.oid),"
"   (SELECT 'of ' || pg_catalog.format('%I.%I', pn.nspname, p.relname) ||"
"           COALESCE(' ' || pg_catalog.pg_get_expr(c.relpartbound, c.oid), '')"
"      FROM pg_catalog.pg_inherits i"
"      JOIN pg_catalog.pg_class p ON p.oid = i.inhparent"
"      JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace"
"     WHERE i.inhrelid = c.oid),"
"   (SELECT 'used by ' || pg_catalog.string_agg(u.name, ', ' ORDER BY u.name)"
"      FROM (SELECT DISTINCT " DEPENDENT_NAME("d") " AS name"
"              FROM pg_catalog.pg_depend d"
"             WHERE d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass"
"               AND d.refobjid = c.oid AND d.deptype = 'n'"
"               AND" OUTSIDE_MODEL("d", FP_MANAGED) ") u),"
FP_OWNED("c.relacl", "r", "c.relowner", "c.oid", "pg_class") ")"
" FROM pg_catalog.pg_class c"
" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
" WHERE c.relkind IN ('r', 'p') AND" FP_MANAGED("n.nspname")
"   AND" NOT_EXTENSION_MEMBER("pg_class", "c.oid");

const ConvKindOps table_kind = {
	.name = "table",
	.check_created = table_check_created,
	.reshapes = table_reshapes,
	.diff = diff_tables,
	.diff_finish = drop_undeclared,
	.plan = {
		[ACTION_CREATE] = plan_create_table,
		[ACTION_RENAME] = plan_rename_table,
		[ACTION_DROP] = plan_drop_table,
		[ACTION_COMMENT] = add_table_comment,
		[ACTION_ALTER] = plan_alter_table,
	},
	.plan_comments = plan_new_comments,
	.doc_place = DOC_SCHEMA,
	.doc_keys = table_doc_keys,
	.build = build_tables,
	.plural = "tables",
	.read = read_tables,
	.fingerprint = tables_fingerprint,
	.emit = emit_tables,
};
