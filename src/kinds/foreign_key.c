/*-------------------------------------------------------------------------
 *
 * foreign_key.c
 *	  FOREIGN KEY constraints.
 *
 * Compared once every table is paired, since they name other tables: the
 * referencing and referenced columns under the names the document gives
 * them.  A changed one, one whose referenced key the plan drops, or one
 * with a column on either side that changes type (the server could not
 * keep the constraint between the old type and the new) is dropped and
 * added again.  On a table that holds rows it is added NOT VALID and
 * validated in a second step, after the rows that would find no
 * referenced row (seed 003) are counted.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_constraint.h"
#include "commands/defrem.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "nodes/parsenodes.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "kinds/kinds.h"

/* do two lists of names, the second under current names, match? */
static bool
names_match(List *want, List *have, const TablePair *pair)
{
	ListCell   *wc,
			   *hc;

	if (list_length(want) != list_length(have))
		return false;
	forboth(wc, want, hc, have)
	{
		const char *name = pair ? doc_name_of(pair, lfirst(hc)) : lfirst(hc);

		if (strcmp(lfirst(wc), name) != 0)
			return false;
	}
	return true;
}

/*
 * Does a current foreign key mean the document's?  The referenced table
 * and its columns are compared under the names the document gives them.
 */
static bool
foreign_keys_match(DiffState *ds, const ConvForeignKey *want,
				   const ConvForeignKey *have, const TablePair *pair)
{
	TableEntry *ref = lookup_table(ds, have->ref_schema, have->ref_table);
	const TablePair *ref_pair = ref ? ref->pair : NULL;
	const char *ref_name = ref_pair ? ref_pair->want->name : have->ref_table;

	return names_match(want->columns, have->columns, pair) &&
		strcmp(want->ref_schema, have->ref_schema) == 0 &&
		strcmp(want->ref_table, ref_name) == 0 &&
		names_match(want->ref_columns, have->ref_columns, ref_pair) &&
		want->on_delete == have->on_delete &&
		want->on_update == have->on_update &&
		want->deferrable == have->deferrable &&
		want->initially_deferred == have->initially_deferred;
}

/* does the plan drop a key of this current table? */
static bool
drops_key_of(DiffState *ds, const ConvTable *have)
{
	ListCell   *lc;

	foreach(lc, table_changes(ds, have))
	{
		ConvChange *change = lfirst(lc);

		if (change->kind == KIND_KEY && change->action == ACTION_DROP)
			return true;
	}
	return false;
}

static bool
foreign_key_same(DiffState *ds, const ConvChange *proto, void *context,
				 void *want, void *have)
{
	TablePair  *pair = context;
	ConvForeignKey *wf = want;
	ConvForeignKey *hf = have;
	TableEntry *ref = lookup_table(ds, hf->ref_schema, hf->ref_table);
	TablePair  *ref_pair = find_pair(ds, wf->ref_schema, wf->ref_table);

	return foreign_keys_match(ds, wf, hf, pair) &&
		!(ref && drops_key_of(ds, ref->table)) &&
		!names_overlap(wf->columns, pair->reshaped) &&
		!(ref_pair && names_overlap(wf->ref_columns, ref_pair->reshaped));
}

/* the referenced table: as it is, or one the plan creates */
static void
foreign_key_created(DiffState *ds, ConvChange *change, void *context)
{
	ConvForeignKey *fk = change->want;

	change->of.ref_pair = find_pair(ds, fk->ref_schema, fk->ref_table);
}

/* the same columns, in any order */
static bool
same_columns(List *a, List *b)
{
	ListCell   *lc;

	if (list_length(a) != list_length(b))
		return false;
	foreach(lc, a)
		if (!string_in(b, lfirst(lc)))
			return false;
	return true;
}

/*
 * Does the document give the referenced table a key over exactly the
 * referenced columns: a primary key, a unique constraint, or a unique index
 * without a predicate?
 */
static bool
referenced_key_declared(const ConvForeignKey *fk, const ConvTable *ref)
{
	ListCell   *lc;

	foreach(lc, ref->keys)
		if (same_columns(((ConvKey *) lfirst(lc))->columns, fk->ref_columns))
			return true;
	foreach(lc, ref->indexes)
	{
		ConvIndex  *index = lfirst(lc);

		if (index->unique && index->where == NULL &&
			same_columns(expr_index_column_refs(index), fk->ref_columns))
			return true;
	}
	return false;
}

/*
 * A new foreign key to a table the document declares needs a key of that
 * table over the referenced columns, as the document leaves it: the server
 * refuses it otherwise, after the steps before it ran.
 */
static void
foreign_key_check_created(DiffState *ds, const ConvChange *change)
{
	ConvForeignKey *fk = change->want;
	TablePair  *ref = find_pair(ds, fk->ref_schema, fk->ref_table);

	if (ref == NULL || referenced_key_declared(fk, ref->want))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_FOREIGN_KEY),
			 errmsg("foreign key \"%s\" references %s (%s), which has no primary key or unique constraint on those columns in the document, at line %d, column %d (%s)",
					fk->name, quote_qualified_identifier(fk->ref_schema,
														 fk->ref_table),
					name_list(fk->ref_columns),
					fk->pos.line, fk->pos.column, doc_path(&fk->pos)),
			 errhint("Declare a primary key or a unique constraint on the referenced columns, or reference columns that have one.")));
}

static void
foreign_key_kept(DiffState *ds, const ConvChange *proto, void *context,
				 void *want, void *have)
{
	if (strings_differ(((ConvForeignKey *) want)->comment,
					   ((ConvForeignKey *) have)->comment))
		add_comment_change(ds, proto, want, have);
}

static void
diff_foreign_keys(DiffState *ds)
{
	static const Reconcile how = {.same = foreign_key_same,
		.created = foreign_key_created,
	.kept = foreign_key_kept,.renamed = add_rename_change};
	ListCell   *lc;

	foreach(lc, ds->pairs)
	{
		TablePair  *pair = lfirst(lc);

		reconcile_members(ds, KIND_FOREIGN_KEY, &how, pair, pair->schema,
						  pair->want, pair->have,
						  offsetof(ConvTable, foreign_keys));
	}
}

static const char *
action_sql(char action)
{
	switch (action)
	{
		case FKCONSTR_ACTION_RESTRICT:
			return "RESTRICT";
		case FKCONSTR_ACTION_CASCADE:
			return "CASCADE";
		case FKCONSTR_ACTION_SETNULL:
			return "SET NULL";
		case FKCONSTR_ACTION_SETDEFAULT:
			return "SET DEFAULT";
	}
	return "NO ACTION";
}

static char *
foreign_key_definition(const ConvForeignKey *fk)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "FOREIGN KEY (%s) REFERENCES %s (%s)",
					 name_list(fk->columns),
					 quote_qualified_identifier(fk->ref_schema, fk->ref_table),
					 name_list(fk->ref_columns));
	if (fk->on_delete != FKCONSTR_ACTION_NOACTION)
		appendStringInfo(&buf, " ON DELETE %s", action_sql(fk->on_delete));
	if (fk->on_update != FKCONSTR_ACTION_NOACTION)
		appendStringInfo(&buf, " ON UPDATE %s", action_sql(fk->on_update));
	if (fk->deferrable)
		appendStringInfoString(&buf, " DEFERRABLE");
	if (fk->initially_deferred)
		appendStringInfoString(&buf, " INITIALLY DEFERRED");
	return buf.data;
}

static void
plan_drop_foreign_key(ConvPlanState *ps, const ConvChange *change)
{
	ConvForeignKey *fk = change->have;

	add_drop_constraint(ps, change, "drop_foreign_key", fk->name,
						foreign_key_definition(fk));
}

static void
plan_rename_foreign_key(ConvPlanState *ps, const ConvChange *change)
{
	add_rename_constraint(ps, change,
						  ((ConvForeignKey *) change->have)->name,
						  ((ConvForeignKey *) change->want)->name, NULL);
}

/*
 * The rows a new foreign key must find: the referenced table as the plan
 * will leave it, or nothing when the plan creates it.
 */
static char *
referenced_rows(ConvPlanState *ps, const ConvChange *change)
{
	ConvForeignKey *fk = change->want;
	ConvChange	ref;
	StringInfoData notnull;
	ListCell   *lc;

	initStringInfo(&notnull);
	foreach(lc, fk->ref_columns)
		appendStringInfo(&notnull, "%s%s IS NOT NULL",
						 notnull.len ? " AND " : "",
						 quote_identifier(lfirst(lc)));

	memset(&ref, 0, sizeof(ref));
	ref.kind = KIND_COLUMN;
	ref.action = ACTION_ALTER;
	ref.schema = fk->ref_schema;
	ref.pair = change->of.ref_pair;
	if (ref.pair && ref.pair->have)
	{
		ref.want_table = ref.pair->want;
		ref.have_table = ref.pair->have;
		return psprintf("SELECT %s FROM %s WHERE %s",
						name_list(fk->ref_columns),
						row_source(ps, &ref, ROWS_AFTER)->source, notnull.data);
	}
	if (ref.pair)
		return psprintf("SELECT %s WHERE false", name_list(fk->ref_columns));
	return psprintf("SELECT %s FROM %s WHERE %s",
					name_list(fk->ref_columns),
					quote_qualified_identifier(fk->ref_schema, fk->ref_table),
					notnull.data);
}

/*
 * A new foreign key.  On a table that holds rows it is added NOT VALID and
 * validated in a second step, so the long scan runs under a lock that lets
 * reads and writes go on; rows that would find no referenced row are
 * counted before anything runs (seed 003: a new column's default must exist
 * in the referenced table).
 */
static void
plan_add_foreign_key(ConvPlanState *ps, const ConvChange *change)
{
	ConvForeignKey *fk = change->want;
	ConvForeignKey *old = change->have;
	char	   *object = member_object(change, fk->name);
	bool		has_rows = (change->have_table != NULL);

	/* PostgreSQL 15 cannot add a NOT VALID foreign key to a partitioned table */
	bool		not_valid = has_rows && change->have_table->relkind != 'p';
	ConvStep   *step;

	step = add_step(ps, "add_foreign_key", object,
					psprintf("ALTER TABLE %s ADD CONSTRAINT %s %s%s",
							 table_sql(change), quote_identifier(fk->name),
							 foreign_key_definition(fk),
							 not_valid ? " NOT VALID" : ""),
					old ?
					psprintf("%s -> %s", foreign_key_definition(old),
							 foreign_key_definition(fk)) :
					pstrdup("FOREIGN KEY is declared in the document and does not exist"),
					has_rows && !not_valid ? HAZARD_FULL_SCAN : 0);
	if (!has_rows)
		return;
	if (not_valid)
		step = add_step(ps, "validate_foreign_key", pstrdup(object),
						psprintf("ALTER TABLE %s VALIDATE CONSTRAINT %s",
								 table_sql(change),
								 quote_identifier(fk->name)),
						pstrdup("every existing row must find its referenced row"),
						HAZARD_FULL_SCAN);
	foreign_key_probe(ps, step, change);
}

/*
 * foreign_key_probe
 *		The rows of change->have_table, as the plan leaves them, that would
 *		find no referenced row for the foreign key change->want.
 */
void
foreign_key_probe(ConvPlanState *ps, ConvStep *step, const ConvChange *change)
{
	ConvForeignKey *fk = change->want;
	StringInfoData anynull;
	StringInfoData matched;
	ListCell   *lc;

	initStringInfo(&anynull);
	initStringInfo(&matched);
	foreach(lc, fk->columns)
	{
		const char *c = quote_identifier(lfirst(lc));

		appendStringInfo(&anynull, "%s%s IS NULL", anynull.len ? " OR " : "",
						 c);
		appendStringInfo(&matched, "%sconverge_ref.%s = %s.%s",
						 matched.len ? " AND " : "", c,
						 quote_identifier(change->want_table->name), c);
	}
	set_probe_on(ps, step, change, ROWS_AFTER, NULL,
				 psprintf("NOT (%s) AND NOT EXISTS (SELECT FROM (%s) AS converge_ref (%s) WHERE %s)",
						  anynull.data, referenced_rows(ps, change),
						  name_list(fk->columns), matched.data),
				 "would reference a missing row", REFUSE_ALWAYS, FIX_ORPHANS);
}

/* a foreign key the plan keeps, over rows it rewrites or attaches */
static void
probe_kept_foreign_key(ConvPlanState *ps, ConvStep *step,
					   const ConvChange *stub)
{
	foreign_key_probe(ps, step, stub);
	((ConvProbe *) llast(step->probes))->label =
		psprintf("foreign key %s", ((ConvForeignKey *) stub->want)->name);
}

static void
foreign_key_stubbed(DiffState *ds, ConvChange *stub)
{
	foreign_key_created(ds, stub, NULL);
}

static List *
foreign_key_reads(void *rule)
{
	return ((ConvForeignKey *) rule)->columns;
}

static const RuleOps foreign_key_rule = {
	.list = offsetof(ConvTable, foreign_keys),
	.reads = foreign_key_reads,
	.stubbed = foreign_key_stubbed,
	.probe = probe_kept_foreign_key,
};

static void
plan_foreign_key_comment(ConvPlanState *ps, const ConvChange *change)
{
	ConvForeignKey *fk = change->want;

	add_constraint_comment(ps, change, fk->name, fk->comment);
}

/* a new foreign key's comment comes with the comment phase */
static void
plan_new_comment(ConvPlanState *ps, const ConvChange *change)
{
	if (change->action == ACTION_CREATE &&
		((ConvForeignKey *) change->want)->comment)
		plan_foreign_key_comment(ps, change);
}

/* ----------------------------------------------------------------
 * The catalog
 * ----------------------------------------------------------------
 */

/*
 * A table's own foreign key; on a partition, not one its partitioned
 * table's foreign key made.
 */
static void
read_foreign_key(CatalogRead *cr, ConvTable *table, HeapTuple tup,
				 TupleDesc desc)
{
	Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tup);
	ConvForeignKey *fk;
	bool		isnull;

	if (con->contype != CONSTRAINT_FOREIGN || !con->conislocal ||
		OidIsValid(con->conparentid))
		return;
	fk = palloc0(sizeof(ConvForeignKey));
	fk->name = pstrdup(NameStr(con->conname));
	compat_refuse_not_enforced(table->oid, fk->name, compat_conenforced(con));
	fk->columns = attnum_names(con->conrelid,
							   heap_getattr(tup, Anum_pg_constraint_conkey,
											desc, &isnull));
	fk->ref_schema = get_namespace_name(get_rel_namespace(con->confrelid));
	fk->ref_table = get_rel_name(con->confrelid);
	fk->ref_columns = attnum_names(con->confrelid,
								   heap_getattr(tup, Anum_pg_constraint_confkey,
												desc, &isnull));
	fk->on_delete = con->confdeltype;
	fk->on_update = con->confupdtype;
	fk->deferrable = con->condeferrable;
	fk->initially_deferred = con->condeferred;
	fk->comment = catalog_comment(cr, ConstraintRelationId, con->oid, 0);

	/* written as a column's "references" when PostgreSQL would name it so */
	fk->on_column = list_length(fk->columns) == 1 && fk->comment == NULL &&
		!is_partition(table) &&
		strcmp(fk->name, makeObjectName(table->name, linitial(fk->columns),
										"fkey")) == 0;
	table->foreign_keys = lappend(table->foreign_keys, fk);
}

static void
read_foreign_keys(CatalogRead *cr)
{
	read_table_constraints(cr, read_foreign_key);
}

/* ----------------------------------------------------------------
 * The document: a table's "foreign_keys", a column's "references"
 * ----------------------------------------------------------------
 */

static char
fk_action(const YNode *node, const char *path, const char *key)
{
	static const struct
	{
		const char *name;
		char		action;
	}			actions[] = {
		{"no action", FKCONSTR_ACTION_NOACTION},
		{"restrict", FKCONSTR_ACTION_RESTRICT},
		{"cascade", FKCONSTR_ACTION_CASCADE},
		{"set null", FKCONSTR_ACTION_SETNULL},
		{"set default", FKCONSTR_ACTION_SETDEFAULT},
	};

	if (node == NULL)
		return FKCONSTR_ACTION_NOACTION;
	for (int i = 0; i < lengthof(actions); i++)
		if (pg_strcasecmp(node->value, actions[i].name) == 0)
			return actions[i].action;
	doc_error(ERRCODE_INVALID_PARAMETER_VALUE, node, child_path(path, key),
			  "unrecognized referential action \"%s\"", node->value);
	return FKCONSTR_ACTION_NOACTION;	/* keep compiler quiet */
}

/* the value of "key" in the first of two mappings that has it */
static const YNode *
either_get(const YNode *a, const YNode *b, const char *key)
{
	const YNode *v = map_get(a, key);

	return v ? v : map_get(b, key);
}

/*
 * A foreign key: "refs" is the references mapping, "outer" the mapping
 * around it that may hold the actions too (table foreign_keys).
 */
ConvForeignKey *
new_foreign_key(char *name, const char *schema, List *columns,
				const YNode *refs, const YNode *outer, List *ref_columns,
				const char *path)
{
	ConvForeignKey *fk = palloc0(sizeof(ConvForeignKey));
	const YNode *table = map_get(refs, "table");
	const YNode *v;
	char	   *dot;

	fk->name = name;
	fk->columns = columns;
	fk->ref_columns = ref_columns;
	fk->pos = node_pos(refs, path);
	if (table == NULL)
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, refs, path,
				  "references needs a \"table\"");
	/* "schema.table", or a table of the same schema */
	dot = strchr(table->value, '.');
	fk->ref_schema = dot ? pnstrdup(table->value, dot - table->value) :
		pstrdup(schema);
	fk->ref_table = pstrdup(dot ? dot + 1 : table->value);
	fk->on_delete = fk_action(either_get(refs, outer, "on_delete"), path,
							  "on_delete");
	fk->on_update = fk_action(either_get(refs, outer, "on_update"), path,
							  "on_update");
	v = either_get(refs, outer, "deferrable");
	fk->deferrable = v && doc_key_bool(v, path, "deferrable");
	v = either_get(refs, outer, "initially_deferred");
	fk->initially_deferred = v &&
		doc_key_bool(v, path, "initially_deferred");
	if (fk->initially_deferred)
		fk->deferrable = true;
	if (list_length(fk->columns) != list_length(fk->ref_columns) ||
		fk->columns == NIL)
		doc_error(ERRCODE_INVALID_FOREIGN_KEY, refs, path,
				  "foreign key \"%s\" needs as many referenced columns as columns",
				  name);
	return fk;
}

static void *
build_foreign_key(DocContainer *dc, const char *name, const YNode *node,
				  const char *path)
{
	const YNode *refs = map_get(node, "references");
	const YNode *cols = map_get(node, "columns");
	const YNode *rcols = refs ? map_get(refs, "columns") : NULL;
	ConvForeignKey *fk;

	if (refs == NULL || cols == NULL || rcols == NULL)
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, node, path,
				  "foreign key \"%s\" needs columns and references with table and columns",
				  name);
	fk = new_foreign_key(pstrdup(name), dc->schema->name, string_list(cols),
						 refs, node, string_list(rcols), path);
	fk->comment = doc_comment(node);
	return fk;
}

static void
build_foreign_keys(DocContainer *dc, const char *key, const YNode *value,
				   const char *path)
{
	build_entries(dc, value, path, build_foreign_key,
				  &dc->table->foreign_keys);
}

const KeySpec reference_keys[] = {
	{"table", V_STRING},
	{"column", V_STRING},
	{"columns", V_STRINGS},
	{"on_delete", V_STRING},
	{"on_update", V_STRING},
	{"deferrable", V_BOOL},
	{"initially_deferred", V_BOOL},
	{NULL}
};

static const KeySpec foreign_key_keys[] = {
	{"columns", V_STRINGS},
	{"references", V_MAPPING, reference_keys},
	{"on_delete", V_STRING},
	{"on_update", V_STRING},
	{"deferrable", V_BOOL},
	{"initially_deferred", V_BOOL},
	{"comment", V_STRING},
	{NULL}
};

static const KeySpec foreign_key_doc_keys[] = {
	{"foreign_keys", V_NAMED, foreign_key_keys},
	{NULL}
};

/* ----------------------------------------------------------------
 * Export
 * ----------------------------------------------------------------
 */

static const char *
action_name(char action)
{
	switch (action)
	{
		case FKCONSTR_ACTION_RESTRICT:
			return "restrict";
		case FKCONSTR_ACTION_CASCADE:
			return "cascade";
		case FKCONSTR_ACTION_SETNULL:
			return "set null";
		case FKCONSTR_ACTION_SETDEFAULT:
			return "set default";
	}
	return NULL;
}

char *
referenced_table(const char *schema, const ConvForeignKey *fk)
{
	if (strcmp(fk->ref_schema, schema) == 0)
		return fk->ref_table;
	return psprintf("%s.%s", fk->ref_schema, fk->ref_table);
}

void
emit_fk_actions(Emitter *em, const ConvForeignKey *fk)
{
	if (action_name(fk->on_delete))
		emit_pair(em, "on_delete", action_name(fk->on_delete));
	if (action_name(fk->on_update))
		emit_pair(em, "on_update", action_name(fk->on_update));
	if (fk->deferrable)
		emit_pair(em, "deferrable", "true");
	if (fk->initially_deferred)
		emit_pair(em, "initially_deferred", "true");
}

static void
emit_foreign_keys(Emitter *em, const ConvSchema *schema,
				  const ConvTable *table)
{
	bool		any = false;
	ListCell   *lc;

	foreach(lc, table->foreign_keys)
		any |= !((ConvForeignKey *) lfirst(lc))->on_column;
	if (!any)
		return;
	emit_scalar(em, "foreign_keys", false);
	begin_mapping(em, false);
	foreach(lc, table->foreign_keys)
	{
		ConvForeignKey *fk = lfirst(lc);

		if (fk->on_column)
			continue;
		emit_scalar(em, fk->name, false);
		begin_mapping(em, true);
		emit_scalar(em, "columns", false);
		emit_strings(em, fk->columns);
		emit_scalar(em, "references", false);
		begin_mapping(em, true);
		emit_pair(em, "table", referenced_table(schema->name, fk));
		emit_scalar(em, "columns", false);
		emit_strings(em, fk->ref_columns);
		end_mapping(em);
		emit_fk_actions(em, fk);
		if (fk->comment)
			emit_pair(em, "comment", fk->comment);
		end_mapping(em);
	}
	end_mapping(em);
}

/* the script's fingerprint: a foreign key as the server prints it */
static const char *const foreign_keys_fingerprint = FP_CONSTRAINTS("'f'");

const ConvKindOps foreign_key_kind = {
	.name = "foreign key",
	.diff = diff_foreign_keys,
	.check_created = foreign_key_check_created,
	.plan = {
		[ACTION_CREATE] = plan_add_foreign_key,
		[ACTION_DROP] = plan_drop_foreign_key,
		[ACTION_COMMENT] = plan_foreign_key_comment,
		[ACTION_RENAME] = plan_rename_foreign_key,
	},
	.plan_comments = plan_new_comment,
	.rule = &foreign_key_rule,
	.doc_place = DOC_TABLE,
	.doc_keys = foreign_key_doc_keys,
	.build = build_foreign_keys,
	.read = read_foreign_keys,
	.fingerprint = foreign_keys_fingerprint,
	.emit = emit_foreign_keys,
};
