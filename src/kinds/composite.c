/*-------------------------------------------------------------------------
 *
 * composite.c
 *	  Composite types: created, dropped, commented; their attributes
 *	  compared like columns.
 *
 * A composite type's attributes are read and resolved as a table's
 * columns are (type, typmod, collation; the document's types by the
 * server).  A type that nothing uses is dropped and created again when
 * its attributes differ; one that a column, a function or another type
 * uses is not changed under them: the step is refused, naming the user,
 * since ALTER TYPE ... CASCADE would rewrite every table that stores it.
 * A schema's composite types are the document's once it says
 * "composite_types" for the schema, as for functions: documents written
 * before they were converged do not drop them.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "kinds/kinds.h"

static char *
composite_object(const char *schema, const ConvComposite *t)
{
	return quote_qualified_identifier(schema, t->name);
}

/* ----------------------------------------------------------------
 * The catalog: the types, then every attribute of them in one query
 * ----------------------------------------------------------------
 */

static const char *const composites_query =
"SELECT t.oid, n.nspname, t.typname,"
"       " COMMENT_OF("t.oid", "pg_type") " AS comment,"
"       (SELECT " DEPENDENT_NAME("d")
"          FROM pg_catalog.pg_depend d"
"         WHERE d.refclassid = 'pg_catalog.pg_type'::pg_catalog.regclass"
"           AND d.refobjid IN (t.oid, t.typarray) AND d.deptype = 'n'"
"         ORDER BY 1 LIMIT 1) AS used_outside"
" FROM pg_catalog.pg_type t"
" JOIN pg_catalog.pg_class c ON c.oid = t.typrelid AND c.relkind = 'c'"
" JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
" WHERE n.nspname OPERATOR(pg_catalog.=) ANY ($1)"
"   AND" NOT_EXTENSION_MEMBER("pg_type", "t.oid")
" ORDER BY n.nspname, t.typname";

static const char *const attributes_query =
"SELECT ct.oid, a.attname, a.atttypid, a.atttypmod,"
"       pg_catalog.format_type(a.atttypid, a.atttypmod) AS type_name,"
"       a.attcollation," ATTRIBUTE_COLLATION
" FROM pg_catalog.pg_type ct"
" JOIN pg_catalog.pg_class c ON c.oid = ct.typrelid AND c.relkind = 'c'"
" JOIN pg_catalog.pg_namespace n ON n.oid = ct.typnamespace"
" JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid"
" JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
" LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation"
" LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace"
" WHERE n.nspname OPERATOR(pg_catalog.=) ANY ($1)"
"   AND a.attnum > 0 AND NOT a.attisdropped"
" ORDER BY ct.oid, a.attnum";

static ConvComposite *
composite_by_oid(List *composites, Oid oid)
{
	ListCell   *lc;

	foreach(lc, composites)
		if (((ConvComposite *) lfirst(lc))->oid == oid)
			return lfirst(lc);
	return NULL;
}

static void
read_attributes(CatalogRead *cr, List *composites)
{
	catalog_query(cr, attributes_query);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		ConvColumn *att = palloc0(sizeof(ConvColumn));
		ConvComposite *t;
		bool		isnull;

		t = composite_by_oid(composites,
							 DatumGetObjectId(get_datum(tup, desc, "oid",
														&isnull)));
		if (t == NULL)
			continue;
		att->name = get_text(tup, desc, "attname");
		att->type_oid = DatumGetObjectId(get_datum(tup, desc, "atttypid",
												   &isnull));
		att->typmod = DatumGetInt32(get_datum(tup, desc, "atttypmod",
											  &isnull));
		att->type_name = get_text(tup, desc, "type_name");
		att->collation_oid = DatumGetObjectId(get_datum(tup, desc,
														"attcollation",
														&isnull));
		att->collation = get_text(tup, desc, "collation");
		att->statistics = -1;
		t->attributes = lappend(t->attributes, att);
	}
}

static void
read_composites(CatalogRead *cr)
{
	List	   *composites = NIL;

	catalog_query(cr, composites_query);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		ConvComposite *t = palloc0(sizeof(ConvComposite));
		ConvSchema *schema;
		bool		isnull;

		t->oid = DatumGetObjectId(get_datum(tup, desc, "oid", &isnull));
		schema = find_or_add_schema(cr->model,
									get_text(tup, desc, "nspname"));
		t->schema = schema->name;
		t->name = get_text(tup, desc, "typname");
		t->comment = get_text(tup, desc, "comment");
		t->used_outside = get_text(tup, desc, "used_outside");
		schema->composites = lappend(schema->composites, t);
		composites = lappend(composites, t);
	}
	if (composites)
		read_attributes(cr, composites);
}

/* ----------------------------------------------------------------
 * The document: a schema's "composite_types"
 * ----------------------------------------------------------------
 */

static void *
build_attribute(DocContainer *dc, const char *name, const YNode *node,
				const char *path)
{
	ConvColumn *att = palloc0(sizeof(ConvColumn));

	att->name = pstrdup(name);
	att->pos = node_pos(node, path);
	att->type_name = map_string(node, "type");
	att->type_pos = value_pos(node, "type", path);
	if (att->type_name == NULL)
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, node, path,
				  "attribute \"%s\" has no type", name);
	att->typmod = -1;
	att->statistics = -1;
	att->collation = map_string(node, "collation");
	att->collation_pos = value_pos(node, "collation", path);
	return att;
}

static void *
build_composite(DocContainer *dc, const char *name, const YNode *node,
				const char *path)
{
	ConvComposite *t = palloc0(sizeof(ConvComposite));

	t->schema = dc->schema->name;
	t->name = pstrdup(name);
	t->pos = node_pos(node, path);
	t->comment = doc_comment(node);
	if (map_get(node, "attributes"))
		build_entries(dc, map_get(node, "attributes"),
					  child_path(path, "attributes"), build_attribute,
					  &t->attributes);
	return t;
}

static void
build_composites(DocContainer *dc, const char *key, const YNode *value,
				 const char *path)
{
	dc->schema->composites_managed = true;
	build_entries(dc, value, path, build_composite, &dc->schema->composites);
}

static const KeySpec attribute_keys[] = {
	{"type", V_STRING},
	{"collation", V_STRING},
	{NULL}
};

static const KeySpec composite_keys[] = {
	{"attributes", V_NAMED, attribute_keys},
	{"comment", V_STRING},
	{NULL}
};

static const KeySpec composite_doc_keys[] = {
	{"composite_types", V_NAMED, composite_keys},
	{NULL}
};

/* ----------------------------------------------------------------
 * Comparing
 * ----------------------------------------------------------------
 */

/* same names, types, typmods and collations, in the same order */
static bool
attributes_differ(const DiffState *ds, const ConvComposite *w,
				  const ConvComposite *h)
{
	ListCell   *wc,
			   *hc;

	if (list_length(w->attributes) != list_length(h->attributes))
		return true;
	forboth(wc, w->attributes, hc, h->attributes)
	{
		ConvColumn *wa = lfirst(wc);
		ConvColumn *ha = lfirst(hc);
		const ColumnNote *note = column_note(ds, wa);

		/* of a type the plan creates or recreates, as for a column */
		if (strcmp(wa->name, ha->name) != 0 ||
			wa->collation_oid != ha->collation_oid ||
			type_created(note) ||
			wa->type_oid != ha->type_oid || wa->typmod != ha->typmod)
			return true;
	}
	return false;
}

static ConvChange *
add_composite_change(DiffState *ds, const char *schema, ConvAction action,
					 ConvComposite *want, ConvComposite *have)
{
	ConvChange *change = add_change(ds, KIND_COMPOSITE, action, schema,
									NULL, NULL);

	change->want = want;
	change->have = have;
	return change;
}

/* a column or attribute of the type, named so whatever the search path */
static void
name_qualified(ConvColumn *col, const char *schema, const ConvComposite *t,
			   bool array)
{
	col->type_name = psprintf("%s%s", composite_object(schema, t),
							  array ? "[]" : "");
}

/*
 * The document's composite type an attribute names: in the schema the
 * name gives, or unqualified, in the type's own schema; or NULL.
 */
static ConvComposite *
named_composite(DiffState *ds, const ConvColumn *att, const char *schema,
				bool *array)
{
	char	   *nspname;
	char	   *name;
	ConvSchema *s;

	expr_type_name_parts(att, &nspname, &name, array);
	s = find_schema(ds->want_model, nspname ? nspname : schema);
	return s ? find_named(s->composites, name) : NULL;
}

/* does a composite type of that schema and name exist now? */
static bool
composite_exists(DiffState *ds, const ConvComposite *t)
{
	ConvSchema *current = find_schema(ds->have_model, t->schema);

	return current && find_named(current->composites, t->name) != NULL;
}

/*
 * Resolve the attributes as columns.  One of a composite type of the
 * document is named qualified, whatever the search path; one of such a
 * type that does not exist yet is taken as written, and the type is made
 * after it (returned: what the type's creation needs).
 */
static List *
resolve_attributes(DiffState *ds, ConvComposite *t)
{
	List	   *needs = NIL;
	ListCell   *lc;

	foreach(lc, t->attributes)
	{
		ConvColumn *att = lfirst(lc);
		bool		array;
		ConvComposite *named = named_composite(ds, att, t->schema, &array);

		if (named)
			name_qualified(att, named->schema, named, array);
		if (named && !composite_exists(ds, named))
			needs = lappend(needs, named);
		else
			att->collation_oid = resolve_column(ds, att, t->schema);
	}
	return needs;
}

/*
 * A column of the type's schema that names it unqualified: the type is
 * the table's schema's, as for enums and domains, so the statement that
 * creates the column must name it so whatever the search path.
 */
static void
qualify_users(ConvSchema *schema, const ConvComposite *t)
{
	ListCell   *tc,
			   *cc;

	foreach(tc, schema->tables)
		foreach(cc, ((ConvTable *) lfirst(tc))->columns)
		{
			ConvColumn *col = lfirst(cc);
			char	   *nspname;
			char	   *name;
			bool		array;

			expr_type_name_parts(col, &nspname, &name, &array);
			if (nspname == NULL && strcmp(name, t->name) == 0)
				name_qualified(col, schema->name, t, array);
		}
}

static void
diff_composite(DiffState *ds, ConvSchema *want_schema, void *want,
			   List *have, List **kept)
{
	const char *schema = want_schema->name;
	ConvComposite *w = want;
	ConvComposite *h = find_named(have, w->name);
	List	   *needs;

	qualify_users(want_schema, w);
	needs = resolve_attributes(ds, w);
	if (h == NULL)
	{
		add_composite_change(ds, schema, ACTION_CREATE, w, NULL)->needs =
			needs;
		return;
	}
	*kept = lappend(*kept, h);
	if (attributes_differ(ds, w, h))
	{
		add_composite_change(ds, schema, ACTION_DROP, w, h);
		add_composite_change(ds, schema, ACTION_CREATE, w, h)->needs = needs;
	}
	else if (strings_differ(w->comment, h->comment))
		add_composite_change(ds, schema, ACTION_COMMENT, w, h);
}


static void
drop_composite(DiffState *ds, ConvSchema *schema, void *have)
{
	add_composite_change(ds, schema->name, ACTION_DROP, NULL, have);
}

/*
 * Every managed schema's composite types.  A column of a type the plan
 * creates cannot be resolved before it runs: it is taken as written (and
 * qualified, above).
 */
static void
diff_composites(DiffState *ds)
{
	ListCell   *lc;

	diff_schema_objects(ds, offsetof(ConvSchema, composites_managed),
						offsetof(ConvSchema, composites), diff_composite,
						drop_composite);
	foreach(lc, ds->changes)
		if (((ConvChange *) lfirst(lc))->kind == KIND_COMPOSITE &&
			((ConvChange *) lfirst(lc))->action == ACTION_CREATE)
			ds->unknown_types = true;
}

/* ----------------------------------------------------------------
 * Planning
 * ----------------------------------------------------------------
 */

static void
plan_create_composite(ConvPlanState *ps, const ConvChange *change)
{
	ConvComposite *t = change->want;
	StringInfoData sql;
	ListCell   *lc;

	initStringInfo(&sql);
	appendStringInfo(&sql, "CREATE TYPE %s AS (",
					 composite_object(change->schema, t));
	foreach(lc, t->attributes)
	{
		ConvColumn *att = lfirst(lc);

		appendStringInfo(&sql, "%s%s %s",
						 foreach_current_index(lc) ? ", " : "",
						 quote_identifier(att->name),
						 type_sql(ps->diff, att, att->collation_oid));
	}
	appendStringInfoChar(&sql, ')');
	add_step(ps, "create_composite_type", composite_object(change->schema, t),
			 sql.data,
			 change->have ?
			 pstrdup("its attributes differ from the document: created again") :
			 pstrdup("composite type is declared in the document and does not exist"),
			 0);
	if (t->comment)
		add_comment(ps, "comment_composite_type", "TYPE",
					composite_object(change->schema, t), t->comment);
}

static void
plan_drop_composite(ConvPlanState *ps, const ConvChange *change)
{
	ConvComposite *h = change->have;
	ConvStep   *step;

	step = add_step(ps, "drop_composite_type",
					composite_object(change->schema, h),
					psprintf("DROP TYPE %s",
							 composite_object(change->schema, h)),
					change->want ?
					pstrdup("its attributes differ from the document: dropped, then created again") :
					pstrdup("composite type is not declared in the document"),
					0);
	if (h->used_outside)
	{
		step->problem = psprintf("%s uses it: a composite type in use is not changed or dropped under what stores or calls it",
								 h->used_outside);
		step->rows_affected = -1;
		step->fix = FIX_DEPENDENT;
	}
}

static void
plan_composite_comment(ConvPlanState *ps, const ConvChange *change)
{
	ConvComposite *t = change->want;

	add_comment(ps, "comment_composite_type", "TYPE",
				composite_object(change->schema, t), t->comment);
}

/* ----------------------------------------------------------------
 * Export
 * ----------------------------------------------------------------
 */

static void
emit_composite(Emitter *em, const ConvSchema *schema, const void *object)
{
	const ConvComposite *t = object;
	ListCell   *lc;

	emit_scalar(em, t->name, false);
	begin_mapping(em, false);
	emit_scalar(em, "attributes", false);
	begin_mapping(em, false);
	foreach(lc, t->attributes)
	{
		ConvColumn *att = lfirst(lc);

		emit_scalar(em, att->name, false);
		begin_mapping(em, true);
		emit_pair(em, "type", att->type_name);
		if (att->collation)
			emit_pair(em, "collation", att->collation);
		end_mapping(em);
	}
	end_mapping(em);
	if (t->comment)
		emit_pair(em, "comment", t->comment);
	end_mapping(em);
}

static void
emit_composites(Emitter *em, const ConvSchema *schema, const ConvTable *table)
{
	emit_entries(em, "composite_types", schema, schema->composites,
				 emit_composite);
}

/* where a composite type is written, to name it in a cycle of types */
static const DocPos *
composite_position(const ConvChange *change)
{
	return &((ConvComposite *) change->want)->pos;
}

/* the script's fingerprint: a composite type's attributes in order */
static const char *const composites_fingerprint =
"SELECT 'type', pg_catalog.format('%I.%I', n.nspname, t.typname),"
" pg_catalog.concat_ws(' ', 'composite',"
"   (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname) || ' ' ||"
"           pg_catalog.format_type(a.atttypid, a.atttypmod) ||"
"           COALESCE(' collate ' || (SELECT pg_catalog.quote_ident(co.collname)"
"                                      FROM pg_catalog.pg_collation co"
"                                     WHERE co.oid = a.attcollation), '') ||"
"           COALESCE(' comment=' || pg_catalog.quote_literal("
"             " COLUMN_COMMENT_OF("a.attrelid", "a.attnum") "), ''),"
"           ', ' ORDER BY a.attnum)"
"      FROM pg_catalog.pg_attribute a"
"     WHERE a.attrelid = t.typrelid AND a.attnum > 0"
"       AND NOT a.attisdropped),"
FP_OWNED("t.typacl", "T", "t.typowner", "t.oid", "pg_type") ")"
" FROM pg_catalog.pg_type t"
" JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
" JOIN pg_catalog.pg_class c ON c.oid = t.typrelid AND c.relkind = 'c'"
" WHERE t.typtype = 'c' AND" FP_MANAGED("n.nspname")
"   AND" NOT_EXTENSION_MEMBER("pg_type", "t.oid");

const ConvKindOps composite_kind = {
	.name = "composite type",
	.diff = diff_composites,
	.plan = {
		[ACTION_CREATE] = plan_create_composite,
		[ACTION_DROP] = plan_drop_composite,
		[ACTION_COMMENT] = plan_composite_comment,
	},
	.position = composite_position,
	.doc_place = DOC_SCHEMA,
	.doc_keys = composite_doc_keys,
	.build = build_composites,
	.read = read_composites,
	.fingerprint = composites_fingerprint,
	.emit = emit_composites,
	.plural = "composite types",
};
