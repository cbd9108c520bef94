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

#include "access/htup_details.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_index.h"
#include "commands/defrem.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/syscache.h"

#include "kinds/kinds.h"

static bool
keys_match(const ConvKey *want, const ConvKey *have, const TablePair *pair)
{
	ListCell   *wc,
			   *hc;

	if (want->primary != have->primary ||
		want->nulls_not_distinct != have->nulls_not_distinct ||
		list_length(want->columns) != list_length(have->columns))
		return false;
	forboth(wc, want->columns, hc, have->columns)
		if (strcmp(lfirst(wc), doc_name_of(pair, lfirst(hc))) != 0)
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

	return keys_match(wk, have, td->pair) &&
		!names_overlap(wk->columns, td->rebuilt);
}

/*
 * A primary key the document names is renamed to that name; otherwise an
 * existing one keeps its own.  (Other keys are matched by name, or renamed
 * by reconcile().)
 */
static void
key_kept(DiffState *ds, const ConvChange *proto, void *context, void *want,
		 void *have)
{
	ConvKey    *w = want;
	ConvKey    *h = have;

	if (w->primary && w->named && strcmp(w->name, h->name) != 0)
		add_rename_change(ds, proto, context, want, have);
	if (strings_differ(w->comment, h->comment))
		add_comment_change(ds, proto, want, have);
}

static void
diff_keys(DiffState *ds, TableDiff *td)
{
	static const Reconcile how = {.match = find_key,.same = key_same,
	.kept = key_kept,.renamed = add_rename_change};

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
plan_drop_key(ConvPlanState *ps, const ConvChange *change)
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

/* the name a key has once the plan ran */
static const char *
key_name(const ConvChange *change)
{
	ConvKey    *key = change->want;
	ConvKey    *old = change->have;

	return old && key->primary && !key->named ? old->name : key->name;
}

/*
 * A new PRIMARY KEY or UNIQUE constraint.  An existing primary key keeps
 * its name.  Rows are checked for duplicates as the plan will leave them.
 */
static void
plan_add_key(ConvPlanState *ps, const ConvChange *change)
{
	ConvKey    *key = change->want;
	ConvKey    *old = change->have;
	const char *name = key_name(change);
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

/* a key the plan keeps, over rows it rewrites or attaches */
static void
probe_kept_key(ConvPlanState *ps, ConvStep *step, const ConvChange *stub)
{
	ConvKey    *key = stub->want;

	set_duplicate_probe(ps, step, stub, quoted_names(key->columns), NULL,
						key->nulls_not_distinct);
	((ConvProbe *) llast(step->probes))->label =
		psprintf("%s %s", key->primary ? "primary key" : "unique key",
				 key->name);
}

static List *
key_reads(void *rule)
{
	return ((ConvKey *) rule)->columns;
}

static const RuleOps key_rule = {
	.list = offsetof(ConvTable, keys),
	.reads = key_reads,
	.probe = probe_kept_key,
};

static void
plan_key_comment(ConvPlanState *ps, const ConvChange *change)
{
	add_constraint_comment(ps, change, key_name(change),
						   ((ConvKey *) change->want)->comment);
}

static void
plan_rename_key(ConvPlanState *ps, const ConvChange *change)
{
	ConvKey    *key = change->want;
	ConvKey    *old = change->have;

	add_rename_constraint(ps, change, old->name, key->name,
						  key->primary ?
						  psprintf("the document names the primary key %s",
								   key->name) : NULL);
}

/* a new key's comment comes with the comment phase */
static void
plan_new_comment(ConvPlanState *ps, const ConvChange *change)
{
	if (change->action == ACTION_CREATE &&
		((ConvKey *) change->want)->comment)
		plan_key_comment(ps, change);
}

/* ----------------------------------------------------------------
 * The catalog
 * ----------------------------------------------------------------
 */

/* a table's own primary key or unique constraint; the primary key first */
static void
read_key(CatalogRead *cr, ConvTable *table, HeapTuple tup, TupleDesc desc)
{
	Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tup);
	ConvKey    *key;
	HeapTuple	index;
	bool		isnull;

	if ((con->contype != CONSTRAINT_PRIMARY &&
		 con->contype != CONSTRAINT_UNIQUE) || !con->conislocal)
		return;
	index = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(con->conindid));
	if (!HeapTupleIsValid(index))
		return;
	key = palloc0(sizeof(ConvKey));
	key->nulls_not_distinct =
		((Form_pg_index) GETSTRUCT(index))->indnullsnotdistinct;
	ReleaseSysCache(index);
	key->name = pstrdup(NameStr(con->conname));
	key->primary = con->contype == CONSTRAINT_PRIMARY;
	key->columns = attnum_names(con->conrelid,
								heap_getattr(tup, Anum_pg_constraint_conkey,
											 desc, &isnull));
	key->comment = catalog_comment(cr, ConstraintRelationId, con->oid, 0);

	/* written as "unique: true" when PostgreSQL would name it so */
	key->on_column = !key->primary && !key->nulls_not_distinct &&
		key->comment == NULL && !is_partition(table) &&
		list_length(key->columns) == 1 &&
		strcmp(key->name, makeObjectName(table->name, linitial(key->columns),
										 "key")) == 0;
	if (key->primary)
		table->keys = lcons(key, table->keys);
	else
		table->keys = lappend(table->keys, key);
}

static void
read_keys(CatalogRead *cr)
{
	read_table_constraints(cr, read_key);
}

/* ----------------------------------------------------------------
 * The document: a table's "primary_key" and "unique", a column's
 * "unique: true"
 * ----------------------------------------------------------------
 */

ConvKey *
new_key(char *name, bool primary, List *columns, const YNode *node,
		const char *path)
{
	ConvKey    *key = palloc0(sizeof(ConvKey));

	key->name = name;
	key->primary = primary;
	key->columns = columns;
	key->pos = node_pos(node, path);
	return key;
}

/*
 * Every key column must be declared; primary key columns are NOT NULL, as
 * the server makes them.
 */
static void
check_key_columns(ConvTable *table, ConvKey *key)
{
	ListCell   *cc;

	if (key->columns == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("key \"%s\" has no columns at line %d, column %d (%s)",
						key->name, key->pos.line, key->pos.column,
						doc_path(&key->pos))));
	foreach(cc, key->columns)
	{
		char	   *name = lfirst(cc);
		ConvColumn *col = find_column(table, name);

		if (col == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("key \"%s\" names column \"%s\", which the table does not declare, at line %d, column %d (%s)",
							key->name, name, key->pos.line,
							key->pos.column, doc_path(&key->pos))));
		if (key->primary)
			col->not_null = true;
	}
}

/* one entry of "unique": a list of columns, or a mapping with options */
static void *
build_unique(DocContainer *dc, const char *name, const YNode *node,
			 const char *path)
{
	ConvKey    *key;
	const YNode *nnd;

	if (node->kind == YN_SEQUENCE)
		key = new_key(pstrdup(name), false, string_list(node), node, path);
	else
	{
		key = new_key(pstrdup(name), false,
					  string_list(map_get(node, "columns")), node, path);
		nnd = map_get(node, "nulls_not_distinct");
		key->nulls_not_distinct = nnd &&
			doc_key_bool(nnd, path, "nulls_not_distinct");
		key->comment = doc_comment(node);
	}
	check_key_columns(dc->table, key);
	return key;
}

static void
build_keys(DocContainer *dc, const char *key, const YNode *value,
		   const char *path)
{
	ConvTable  *table = dc->table;
	ConvKey    *pkey;

	if (strcmp(key, "unique") == 0)
	{
		build_entries(dc, value, path, build_unique, &table->keys);
		return;
	}
	pkey = new_key(makeObjectName(table->name, NULL, "pkey"), true,
				   string_list(value->kind == YN_SEQUENCE ? value :
							   map_get(value, "columns")), value, path);
	if (value->kind == YN_MAPPING)
	{
		pkey->comment = doc_comment(value);
		if (map_get(value, "name"))
		{
			check_name(map_get(value, "name"), child_path(path, "name"));
			pkey->name = map_string(value, "name");
			pkey->named = true;
		}
	}
	check_key_columns(table, pkey);
	table->keys = lcons(pkey, table->keys);
}

static const KeySpec unique_keys[] = {
	{"columns", V_STRINGS},
	{"nulls_not_distinct", V_BOOL},
	{"comment", V_STRING},
	{NULL}
};

static const KeySpec primary_key_keys[] = {
	{"columns", V_STRINGS},
	{"name", V_STRING},
	{"comment", V_STRING},
	{NULL}
};

static const KeySpec key_keys[] = {
	{"primary_key", V_KEY, primary_key_keys},
	{"unique", V_NAMED_KEY, unique_keys},
	{NULL}
};

/* ----------------------------------------------------------------
 * Export
 * ----------------------------------------------------------------
 */

/* a key's columns, as a mapping when it says more than its columns */
static void
emit_key_value(Emitter *em, const ConvKey *key, const char *name)
{
	if (!key->nulls_not_distinct && key->comment == NULL && name == NULL)
	{
		emit_strings(em, key->columns);
		return;
	}
	begin_mapping(em, true);
	emit_scalar(em, "columns", false);
	emit_strings(em, key->columns);
	if (name)
		emit_pair(em, "name", name);
	if (key->nulls_not_distinct)
		emit_pair(em, "nulls_not_distinct", "true");
	if (key->comment)
		emit_pair(em, "comment", key->comment);
	end_mapping(em);
}

static void
emit_keys(Emitter *em, const ConvSchema *schema, const ConvTable *table)
{
	bool		named = false;
	ListCell   *lc;

	foreach(lc, table->keys)
	{
		ConvKey    *key = lfirst(lc);

		if (key->primary)
		{
			emit_scalar(em, "primary_key", false);
			emit_key_value(em, key,
						   strcmp(key->name,
								  makeObjectName(table->name, NULL,
												 "pkey")) != 0 ?
						   key->name : NULL);
		}
		else if (!key->on_column)
			named = true;
	}
	if (!named)
		return;
	emit_scalar(em, "unique", false);
	begin_mapping(em, false);
	foreach(lc, table->keys)
	{
		ConvKey    *key = lfirst(lc);

		if (key->primary || key->on_column)
			continue;
		emit_scalar(em, key->name, false);
		emit_key_value(em, key, NULL);
	}
	end_mapping(em);
}

/* the script's fingerprint: a key as the server prints it */
static const char *const keys_fingerprint = FP_CONSTRAINTS("'p', 'u', 'x'");

const ConvKindOps key_kind = {
	.name = "key",
	.diff_member = diff_keys,
	.plan = {
		[ACTION_CREATE] = plan_add_key,
		[ACTION_DROP] = plan_drop_key,
		[ACTION_COMMENT] = plan_key_comment,
		[ACTION_RENAME] = plan_rename_key,
	},
	.plan_comments = plan_new_comment,
	.rule = &key_rule,
	.doc_place = DOC_TABLE,
	.doc_keys = key_keys,
	.build = build_keys,
	.read = read_keys,
	.fingerprint = keys_fingerprint,
	.emit = emit_keys,
};
