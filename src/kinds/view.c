/*-------------------------------------------------------------------------
 *
 * view.c
 *	  Views and materialized views: compared by meaning, rebuilt around
 *	  the changes under them.
 *
 * A view's query is compared through the server (query.c): the document's
 * query is analyzed against the database and printed by the deparser, and
 * so is the stored one, so two queries written differently that mean the
 * same are equal.  A changed view is replaced in place (CREATE OR REPLACE
 * VIEW) when the server allows it, that is when its columns keep their
 * names and types; otherwise, and always for a materialized view, it is
 * dropped and created again.
 *
 * This kind is where the dependency graph decides what is rebuilt.  Every
 * change whose kind says it reshapes an object (ConvKindOps.reshapes: a
 * column retyped, renamed or dropped, a table renamed or dropped, a type
 * recreated) is matched against what each current view reads (pg_depend);
 * a view that reads one is dropped before the change and created after
 * it, and so is, in turn, every view that reads a view dropped that way.
 * Drops run dependents first, creates dependencies first (a depth-first
 * walk over the views' reads), and two document views that read each
 * other are an error naming both.  A view the document does not declare
 * in a managed schema is dropped: views hold no rows, and a materialized
 * view's rows are computed again from its query.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_class.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/catcache.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "kinds/kinds.h"

static char *
view_object(const char *schema, const ConvView *view)
{
	return quote_qualified_identifier(schema, view->name);
}

static const char *
view_noun(const ConvView *view)
{
	return view->materialized ? "materialized view" : "view";
}

/* ----------------------------------------------------------------
 * The catalog
 * ----------------------------------------------------------------
 */

#define VIEW_OPTION(name) \
	"(SELECT o.option_value FROM pg_catalog.pg_options_to_table(c.reloptions) o" \
	"  WHERE o.option_name = '" name "')"

/*
 * The views of the managed schemas, with what each one's rule depends on
 * (as "classid objid objsubid") and the first thing outside the model that
 * depends on it.  Views of managed schemas are part of the model.
 */
static const char *const views_query =
"SELECT c.oid, n.nspname, c.relname, c.relkind = 'm' AS materialized,"
"       pg_catalog.pg_get_viewdef(c.oid, true) AS query,"
"       c.relispopulated AS with_data,"
"       " COMMENT_OF("c.oid", "pg_class") " AS comment,"
"       COALESCE(" VIEW_OPTION("security_barrier") "::pg_catalog.bool, false)"
"         AS security_barrier,"
"       COALESCE(" VIEW_OPTION("security_invoker") "::pg_catalog.bool, false)"
"         AS security_invoker,"
"       " VIEW_OPTION("check_option") " AS check_option,"
"       " ACL_COLUMNS("c.relacl", "r", "c.relowner") ","
"       (SELECT pg_catalog.array_agg(a.attname::pg_catalog.text"
"                                    ORDER BY a.attnum)"
"          FROM pg_catalog.pg_attribute a"
"         WHERE a.attrelid = c.oid AND a.attnum > 0) AS columns,"
"       (SELECT pg_catalog.array_agg(pg_catalog.concat_ws(' ', d.refclassid,"
"                                    d.refobjid, d.refobjsubid))"
"          FROM pg_catalog.pg_rewrite w"
"          JOIN pg_catalog.pg_depend d"
"            ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass"
"           AND d.objid = w.oid AND d.deptype = 'n'"
"         WHERE w.ev_class = c.oid"
"           AND NOT (d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass"
"                    AND d.refobjid = c.oid)) AS reads,"
"       (SELECT " DEPENDENT_NAME("d")
"          FROM pg_catalog.pg_depend d"
"         WHERE d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass"
"           AND d.refobjid = c.oid AND d.deptype = 'n'"
"           AND NOT EXISTS (SELECT FROM pg_catalog.pg_rewrite w"
"                 JOIN pg_catalog.pg_class v ON v.oid = w.ev_class"
"                 JOIN pg_catalog.pg_namespace vn ON vn.oid = v.relnamespace"
"                WHERE d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass"
"                  AND w.oid = d.objid AND v.relkind IN ('v', 'm')"
"                  AND vn.nspname OPERATOR(pg_catalog.=) ANY ($1))"
"         ORDER BY 1 LIMIT 1) AS used_outside"
" FROM pg_catalog.pg_class c"
" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
" WHERE n.nspname OPERATOR(pg_catalog.=) ANY ($1)"
"   AND c.relkind IN ('v', 'm')"
"   AND" NOT_EXTENSION_MEMBER("pg_class", "c.oid")
" ORDER BY n.nspname, c.relname";

static List *
read_addresses(HeapTuple tup, TupleDesc desc)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, get_text_list(tup, desc, "reads"))
	{
		ObjectAddress *read = palloc(sizeof(ObjectAddress));

		if (sscanf(lfirst(lc), "%u %u %d", &read->classId, &read->objectId,
				   &read->objectSubId) != 3)
			elog(ERROR, "unexpected dependency \"%s\"", (char *) lfirst(lc));
		result = lappend(result, read);
	}
	return result;
}

/* the indexes of the materialized views */
static void
read_matview_indexes(CatalogRead *cr, List *views)
{
	IndexReader *reader = index_reader_begin(cr);
	ListCell   *lc;

	foreach(lc, views)
	{
		ConvView   *view = lfirst(lc);

		if (view->materialized)
			view->indexes = index_reader_read(reader, view->oid);
	}
	index_reader_end(reader);
}

static void
read_views(CatalogRead *cr)
{
	List	   *views = NIL;

	catalog_query(cr, views_query);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		ConvView   *view = palloc0(sizeof(ConvView));
		ConvSchema *schema = find_or_add_schema(cr->model,
												get_text(tup, desc, "nspname"));
		bool		isnull;

		view->oid = DatumGetObjectId(get_datum(tup, desc, "oid", &isnull));
		view->schema = schema->name;
		view->name = get_text(tup, desc, "relname");
		view->materialized = get_bool(tup, desc, "materialized");
		view->query = get_text(tup, desc, "query");
		view->with_data = get_bool(tup, desc, "with_data");
		view->comment = get_text(tup, desc, "comment");
		view->security_barrier = get_bool(tup, desc, "security_barrier");
		view->security_invoker = get_bool(tup, desc, "security_invoker");
		view->check_option = get_text(tup, desc, "check_option");
		view->columns = get_text_list(tup, desc, "columns");
		view->reads = read_addresses(tup, desc);
		view->used_outside = get_text(tup, desc, "used_outside");
		view->grants = get_acl(tup, desc);
		view->owner = get_text(tup, desc, "owner");
		schema->views = lappend(schema->views, view);
		views = lappend(views, view);
	}
	read_matview_indexes(cr, views);
}

/* ----------------------------------------------------------------
 * The document: a schema's "views" and "materialized_views"
 * ----------------------------------------------------------------
 */

static ConvView *
build_view_common(DocContainer *dc, const char *name, const YNode *node,
				  const char *path, bool materialized)
{
	ConvView   *view = palloc0(sizeof(ConvView));
	const YNode *columns = map_get(node, "columns");
	ListCell   *lc;

	foreach(lc, dc->schema->tables)
		if (strcmp(((ConvTable *) lfirst(lc))->name, name) == 0)
			doc_error(ERRCODE_DUPLICATE_TABLE, node, path,
					  "schema \"%s\" declares \"%s\" both as a table and as a view",
					  dc->schema->name, name);
	if (find_named(dc->schema->views, name))
		doc_error(ERRCODE_DUPLICATE_TABLE, node, path,
				  "schema \"%s\" declares the view \"%s\" twice",
				  dc->schema->name, name);
	view->name = pstrdup(name);
	view->schema = dc->schema->name;
	view->materialized = materialized;
	view->pos = node_pos(node, path);
	view->query = map_string(node, "query");
	if (view->query == NULL)
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, node, path,
				  "%s \"%s\" needs a query", view_noun(view), name);
	view->query_pos = value_pos(node, "query", path);
	view->columns = columns ? string_list(columns) : NIL;
	view->comment = doc_comment(node);
	view->grants = object_grants(node, path, "TABLE");
	return view;
}

static void *
build_view(DocContainer *dc, const char *name, const YNode *node,
		   const char *path)
{
	ConvView   *view = build_view_common(dc, name, node, path, false);
	const YNode *check = map_get(node, "check_option");

	view->security_barrier = map_get(node, "security_barrier") &&
		doc_bool(map_get(node, "security_barrier"),
				 child_path(path, "security_barrier"));
	view->security_invoker = map_get(node, "security_invoker") &&
		doc_bool(map_get(node, "security_invoker"),
				 child_path(path, "security_invoker"));
	view->check_option = check ? check->value : NULL;
	if (check && strcmp(check->value, "local") != 0 &&
		strcmp(check->value, "cascaded") != 0)
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, check,
				  child_path(path, "check_option"),
				  "check_option must be local or cascaded, found \"%s\"",
				  check->value);
	return view;
}

static void *
build_materialized_view(DocContainer *dc, const char *name,
						const YNode *node, const char *path)
{
	ConvView   *view = build_view_common(dc, name, node, path, true);
	const YNode *with_data = map_get(node, "with_data");
	const YNode *indexes = map_get(node, "indexes");

	view->with_data = with_data == NULL ||
		doc_key_bool(with_data, path, "with_data");
	if (indexes)
		build_entries(dc, indexes, child_path(path, "indexes"), build_index_entry,
					  &view->indexes);
	return view;
}

static void
build_views(DocContainer *dc, const char *key, const YNode *value,
			const char *path)
{
	build_entries(dc, value, path,
				  strcmp(key, "views") == 0 ? build_view :
				  build_materialized_view, &dc->schema->views);
}

static const KeySpec view_keys[] = {
	{"query", V_QUERY},
	{"columns", V_STRINGS},
	{"security_barrier", V_BOOL},
	{"security_invoker", V_BOOL},
	{"check_option", V_STRING},
	{"grants", V_NAMED_STRINGS},
	{"comment", V_STRING},
	{NULL}
};

static const KeySpec materialized_view_keys[] = {
	{"query", V_QUERY},
	{"columns", V_STRINGS},
	{"with_data", V_BOOL},
	{"indexes", V_NAMED, index_keys},
	{"grants", V_NAMED_STRINGS},
	{"comment", V_STRING},
	{NULL}
};

static const KeySpec view_doc_keys[] = {
	{"views", V_NAMED, view_keys},
	{"materialized_views", V_NAMED, materialized_view_keys},
	{NULL}
};

/* ----------------------------------------------------------------
 * The dependency graph
 * ----------------------------------------------------------------
 */

/* an object a change of the plan reshapes, and how */
typedef struct Reshaped
{
	ObjectAddress object;
	const char *why;			/* "column s.t.c changes type" */
	bool		gone;			/* its name does not exist after the plan */
} Reshaped;

/* what becomes of one view */
typedef enum ViewFate
{
	FATE_KEEP,					/* as it is, or changed in place */
	FATE_REPLACE,				/* CREATE OR REPLACE VIEW */
	FATE_REBUILD,				/* dropped before, created after */
	FATE_CREATE,
	FATE_DROP
} ViewFate;

typedef struct ViewItem
{
	const char *schema;
	ConvView   *want;
	ConvView   *have;
	ViewFate	fate;
	const char *because;		/* why it is replaced, rebuilt or dropped */
	int			what;			/* KEEP, REPLACE: VIEW_* bits to change */
	bool		visiting;		/* the depth-first walks */
	bool		emitted;
} ViewItem;

/* a reshaped object covers what reads it, or one of its columns */
static bool
covers(const ObjectAddress *reshaped, const ObjectAddress *read)
{
	return reshaped->classId == read->classId &&
		reshaped->objectId == read->objectId &&
		(reshaped->objectSubId == 0 ||
		 reshaped->objectSubId == read->objectSubId);
}

/* the first of "reshaped" that one of "reads" depends on, or NULL */
static Reshaped *
first_reshaped(List *reads, List *reshaped, bool gone_only)
{
	ListCell   *rc,
			   *sc;

	foreach(rc, reads)
		foreach(sc, reshaped)
		{
			Reshaped   *s = lfirst(sc);

			if ((s->gone || !gone_only) && covers(&s->object, lfirst(rc)))
				return s;
		}
	return NULL;
}

static List *
add_reshaped(List *reshaped, Oid classid, Oid objid, const char *why,
			 bool gone)
{
	Reshaped   *s = palloc0(sizeof(Reshaped));

	ObjectAddressSet(s->object, classid, objid);
	s->why = why;
	s->gone = gone;
	return lappend(reshaped, s);
}

/* every object the other kinds' changes reshape (ConvKindOps.reshapes) */
static List *
reshaped_by_changes(DiffState *ds)
{
	List	   *reshaped = NIL;
	ListCell   *lc;

	foreach(lc, ds->changes)
	{
		ConvChange *change = lfirst(lc);
		const ConvKindOps *ops = conv_kinds[change->kind];
		Reshaped   *s = palloc0(sizeof(Reshaped));

		if (ops->reshapes &&
			(s->why = ops->reshapes(change, &s->object, &s->gone)) != NULL)
			reshaped = lappend(reshaped, s);
	}
	return reshaped;
}

/* ----------------------------------------------------------------
 * Comparing
 * ----------------------------------------------------------------
 */

static List *
collect_items(DiffState *ds)
{
	List	   *items = NIL;
	ListCell   *sc,
			   *lc;

	foreach(sc, ds->want_model->schemas)
	{
		ConvSchema *want = lfirst(sc);
		ConvSchema *have = find_schema(ds->have_model, want->name);

		foreach(lc, want->views)
		{
			ViewItem   *item = palloc0(sizeof(ViewItem));

			item->schema = want->name;
			item->want = lfirst(lc);
			item->have = have ?
				find_named(have->views, item->want->name) : NULL;
			item->fate = item->have ? FATE_KEEP : FATE_CREATE;
			items = lappend(items, item);
		}
		foreach(lc, have ? have->views : NIL)
		{
			ViewItem   *item = palloc0(sizeof(ViewItem));

			if (find_named(want->views, ((ConvView *) lfirst(lc))->name))
				continue;
			item->schema = want->name;
			item->have = lfirst(lc);
			item->fate = FATE_DROP;
			items = lappend(items, item);
		}
	}
	return items;
}

/*
 * Does a query call a function by a name that no function has and that
 * the plan does not create?  (A function of the name may take the column
 * types the plan gives.)
 */
static bool
calls_unknown_function(DiffState *ds, const ConvView *view)
{
	ListCell   *lc;

	foreach(lc, query_called_names(view->query))
	{
		const char *name = lfirst(lc);
		const char *dot = strrchr(name, '.');
		CatCList   *procs;
		bool		known;

		if (string_in(ds->created_functions, name))
			continue;
		procs = SearchSysCacheList1(PROCNAMEARGSNSP,
									CStringGetDatum(dot ? dot + 1 : name));
		known = procs->n_members > 0;
		ReleaseSysCacheList(procs);
		if (!known)
			return true;
	}
	return false;
}

/*
 * Does the document declare a relation of this name that does not exist
 * now (the plan creates it, or renames one to it)?  In the named schema,
 * or in any schema when the name is not qualified.
 */
static bool
plan_makes_relation(DiffState *ds, const RangeVar *rv)
{
	ListCell   *sc;

	foreach(sc, ds->want_model->schemas)
	{
		ConvSchema *schema = lfirst(sc);
		Oid			nsp = get_namespace_oid(schema->name, true);

		if (rv->schemaname && strcmp(rv->schemaname, schema->name) != 0)
			continue;
		if (!find_named(schema->tables, rv->relname) &&
			!find_named(schema->views, rv->relname) &&
			!find_named(schema->sequences, rv->relname))
			continue;
		if (!OidIsValid(nsp) ||
			!OidIsValid(get_relname_relid(rv->relname, nsp)))
			return true;
	}
	return false;
}

/*
 * Does a query read a relation that neither exists nor is made by the
 * plan, by the name it is written with ("unknown"), or one that does not
 * exist now and is made by the plan ("made")?
 */
static void
query_relations(DiffState *ds, const ConvView *view, bool *unknown,
				bool *made)
{
	ListCell   *lc;

	*unknown = *made = false;
	foreach(lc, query_relation_names(view->query))
	{
		RangeVar   *rv = lfirst(lc);

		if (OidIsValid(RangeVarGetRelid(rv, NoLock, true)))
			continue;
		if (plan_makes_relation(ds, rv))
			*made = true;
		else
			*unknown = true;
	}
}

/* a view of the document, by the name a query writes */
static bool
declares_view(DiffState *ds, const RangeVar *rv)
{
	ListCell   *sc;

	foreach(sc, ds->want_model->schemas)
	{
		ConvSchema *schema = lfirst(sc);

		if ((rv->schemaname == NULL ||
			 strcmp(rv->schemaname, schema->name) == 0) &&
			find_named(schema->views, rv->relname))
			return true;
	}
	return false;
}

/*
 * Can a column a query names, which its relations do not have now, be one
 * the plan makes?  One it adds or renames a column to, or one of a view
 * the document declares (the plan may make it with new columns).
 */
static bool
plan_makes_column(DiffState *ds, const ConvView *view)
{
	List	   *columns = query_column_names(view->query);
	ListCell   *lc;

	foreach(lc, ds->changes)
	{
		ConvChange *change = lfirst(lc);

		if (change->kind == KIND_COLUMN &&
			(change->action == ACTION_CREATE ||
			 change->action == ACTION_RENAME) &&
			string_in(columns, ((ConvColumn *) change->want)->name))
			return true;
	}
	foreach(lc, query_relation_names(view->query))
		if (declares_view(ds, lfirst(lc)))
			return true;
	return false;
}

/*
 * Can a query that does not analyze now be one the plan makes valid?  It
 * may name a relation or a column the plan makes; or, when it calls a
 * function of a name that exists or that the plan creates, or names some
 * other object, what the plan changes may be what it needs.  Anything else
 * is the document's error.
 */
static bool
plan_explains(DiffState *ds, List *items, const ViewItem *self,
			  const ErrorData *edata)
{
	bool		unknown;
	bool		made;
	ListCell   *lc;

	switch (edata->sqlerrcode)
	{
		case ERRCODE_UNDEFINED_TABLE:
			query_relations(ds, self->want, &unknown, &made);
			return made && !unknown;
		case ERRCODE_UNDEFINED_COLUMN:
			return plan_makes_column(ds, self->want);
		case ERRCODE_UNDEFINED_FUNCTION:
			if (calls_unknown_function(ds, self->want))
				return false;
			break;
		case ERRCODE_UNDEFINED_OBJECT:
			break;
		default:
			return false;
	}
	foreach(lc, ds->changes)
		if (((ConvChange *) lfirst(lc))->action != ACTION_DROP)
			return true;
	foreach(lc, items)
		if (lfirst(lc) != self &&
			((ViewItem *) lfirst(lc))->fate == FATE_CREATE)
			return true;
	return false;
}

/* a document query may not read what the plan drops or renames away */
static void
refuse_gone_reads(const ViewItem *item, const ViewMeaning *meaning,
				  List *reshaped)
{
	Reshaped   *s = first_reshaped(meaning->reads, reshaped, true);
	const DocPos *pos = &item->want->query_pos;

	if (s)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("the query of %s \"%s\" reads what this plan removes at line %d, column %d (%s)",
						view_noun(item->want), item->want->name,
						pos->line, pos->column, doc_path(pos)),
				 errdetail("In this plan, %s.", s->why),
				 errhint("Write the query for the schema the document declares.")));
}

/*
 * The table of "relid" as the plan leaves it: a SELECT of its columns under
 * their document names and types; NULL when a type is one the plan creates
 * (it cannot be named yet).
 */
static char *
table_shape(DiffState *ds, Oid relid)
{
	StringInfoData select;
	ListCell   *lc,
			   *cc;

	initStringInfo(&select);
	foreach(lc, ds->pairs)
	{
		TablePair  *pair = lfirst(lc);

		if (pair->have == NULL || pair->have->oid != relid)
			continue;
		foreach(cc, pair->want->columns)
		{
			ConvColumn *col = lfirst(cc);

			if (!OidIsValid(col->type_oid))
				return NULL;
			appendStringInfo(&select, "%sNULL::%s AS %s",
							 select.len ? ", " : "SELECT ",
							 format_type_with_typemod(col->type_oid,
													  col->typmod),
							 quote_identifier(col->name));
		}
	}
	return select.len ? select.data : NULL;
}

/* a function, operator or cast that does not fit the new types */
static bool
is_type_error(int sqlerrcode)
{
	return sqlerrcode == ERRCODE_UNDEFINED_FUNCTION ||
		sqlerrcode == ERRCODE_AMBIGUOUS_FUNCTION ||
		sqlerrcode == ERRCODE_DATATYPE_MISMATCH ||
		sqlerrcode == ERRCODE_CANNOT_COERCE ||
		sqlerrcode == ERRCODE_INDETERMINATE_DATATYPE;
}

/*
 * A query that analyzes against the columns as they are must also analyze
 * against the types the plan gives them (a function of the old type no
 * longer matches): the tables it reads whose columns change type are put
 * in as the plan leaves them.
 */
static void
refuse_retyped_reads(DiffState *ds, const ViewItem *item,
					 const ViewMeaning *meaning, List *reshaped)
{
	const DocPos *pos = &item->want->query_pos;
	List	   *shapes = NIL;
	List	   *relids = NIL;
	const char *why = NULL;
	ErrorData  *edata;
	ListCell   *lc;

	foreach(lc, reshaped)
	{
		Reshaped   *s = lfirst(lc);
		Oid			relid = s->object.objectId;
		RowShape   *shape;

		if (s->gone || s->object.classId != RelationRelationId ||
			s->object.objectSubId == 0 ||
			first_reshaped(meaning->reads, list_make1(s), false) == NULL ||
			list_member_oid(relids, relid))
			continue;
		relids = lappend_oid(relids, relid);
		why = why ? why : s->why;
		shape = palloc(sizeof(RowShape));
		shape->relid = relid;
		shape->select = table_shape(ds, relid);
		if (shape->select)
			shapes = lappend(shapes, shape);
	}
	if (shapes == NIL ||
		(edata = query_analyzes_as(item->want, shapes)) == NULL ||
		!is_type_error(edata->sqlerrcode))
		return;
	ereport(ERROR,
			(errcode(edata->sqlerrcode),
			 errmsg("the query of %s \"%s\" does not analyze once %s at line %d, column %d (%s)",
					view_noun(item->want), item->want->name, why,
					pos->line, pos->column, doc_path(pos)),
			 errdetail("With the types the document declares: %s.",
					   edata->message),
			 errhint("Write the query for the types the document declares.")));
}

static bool
options_differ(const ConvView *w, const ConvView *h)
{
	return w->security_barrier != h->security_barrier ||
		w->security_invoker != h->security_invoker ||
		strings_differ(w->check_option, h->check_option);
}

/*
 * What the server makes of a declared view's query, shaped like the view
 * it replaces.  A query that does not analyze now is the document's error
 * unless the plan may make it valid (returns false then); one that reads
 * what the plan removes is an error in any case.
 */
static bool
analyze_view(DiffState *ds, List *items, ViewItem *item, List *reshaped,
			 ViewMeaning *meaning)
{
	ErrorData  *edata = query_view_meaning(item->want,
										   item->have ? item->have->oid :
										   InvalidOid, meaning);

	if (edata && !plan_explains(ds, items, item, edata))
		expr_raise_at(edata, &item->want->query_pos);
	if (edata)
		return false;
	refuse_gone_reads(item, meaning, reshaped);
	refuse_retyped_reads(ds, item, meaning, reshaped);
	return true;
}

/*
 * A view that exists, is declared, and reads nothing the plan reshapes:
 * is its query the document's?
 */
static void
compare_view(ViewItem *item, const ViewMeaning *meaning)
{
	ConvView   *w = item->want;
	ConvView   *h = item->have;

	if (strcmp(meaning->deparsed, query_stored_meaning(h->oid)) != 0)
	{
		item->because = "its query differs from the document";
		item->fate = !w->materialized && query_replaceable(meaning, h->oid) ?
			FATE_REPLACE : FATE_REBUILD;
	}
	if (item->fate == FATE_KEEP && options_differ(w, h))
		item->what |= VIEW_OPTIONS;
	if (item->fate != FATE_REBUILD && strings_differ(w->comment, h->comment))
		item->what |= VIEW_COMMENT;
}

/*
 * What becomes of each declared view that exists: rebuilt when it reads
 * what the plan reshapes or changes kind, else compared.
 */
static void
decide_fates(DiffState *ds, List *items, List *reshaped)
{
	ListCell   *lc;

	foreach(lc, items)
	{
		ViewItem   *item = lfirst(lc);
		ViewMeaning meaning = {0};
		bool		analyzed;
		Reshaped   *s;

		if (item->want == NULL)
			continue;
		analyzed = analyze_view(ds, items, item, reshaped, &meaning);
		if (item->fate != FATE_KEEP)
			continue;
		if (item->want->materialized != item->have->materialized)
		{
			item->fate = FATE_REBUILD;
			item->because = item->want->materialized ?
				"it becomes a materialized view" : "it becomes a view";
		}
		else if ((s = first_reshaped(item->have->reads, reshaped, false)))
		{
			item->fate = FATE_REBUILD;
			item->because = s->why;
		}
		else if (!analyzed)
		{
			item->fate = FATE_REBUILD;
			item->because = "its query names what this plan creates or renames";
		}
		else
			compare_view(item, &meaning);
	}
}

/* does "reader" (as it is) read "item" (as it is)? */
static bool
reads_view(const ViewItem *reader, const ViewItem *item)
{
	ListCell   *lc;

	foreach(lc, reader->have->reads)
	{
		ObjectAddress *read = lfirst(lc);

		if (read->classId == RelationRelationId &&
			read->objectId == item->have->oid)
			return true;
	}
	return false;
}

static bool
dropped_first(const ViewItem *item)
{
	return item->have &&
		(item->fate == FATE_REBUILD || item->fate == FATE_DROP);
}

/*
 * A view dropped (for good or to be rebuilt) takes every view that reads
 * it along: those are rebuilt too, until nothing more is.
 */
static void
rebuild_readers(List *items)
{
	bool		more = true;

	while (more)
	{
		ListCell   *lc,
				   *oc;

		more = false;
		foreach(lc, items)
		{
			ViewItem   *item = lfirst(lc);

			if (!dropped_first(item))
				continue;
			foreach(oc, items)
			{
				ViewItem   *other = lfirst(oc);

				if ((other->fate != FATE_KEEP &&
					 other->fate != FATE_REPLACE) ||
					!reads_view(other, item))
					continue;
				other->fate = FATE_REBUILD;
				other->what = 0;
				other->because = psprintf("it reads %s %s, which is %s",
										  view_noun(item->have),
										  view_object(item->schema,
													  item->have),
										  item->fate == FATE_DROP ?
										  "dropped" : "rebuilt");
				more = true;
			}
		}
	}
}

/* ----------------------------------------------------------------
 * Ordering: the depth-first walks
 * ----------------------------------------------------------------
 */

static void
add_view_change(DiffState *ds, ViewItem *item, ConvAction action)
{
	ConvChange *change = add_change(ds, KIND_VIEW, action, item->schema,
									NULL, NULL);

	change->want = item->want;
	change->have = item->have;
	change->because = item->because;
	change->what = item->what;
}

/* drops: every view that reads a view goes before it */
static void
emit_drop(DiffState *ds, List *items, ViewItem *item)
{
	ListCell   *lc;

	if (item->emitted)
		return;
	item->emitted = true;
	foreach(lc, items)
	{
		ViewItem   *reader = lfirst(lc);

		if (reader != item && dropped_first(reader) &&
			reads_view(reader, item))
			emit_drop(ds, items, reader);
	}
	add_view_change(ds, item, ACTION_DROP);
}

/* the document view a relation name in a query stands for, if any */
static ViewItem *
named_view(List *items, const char *schema, const RangeVar *rv)
{
	ListCell   *lc;
	ViewItem   *found = NULL;

	foreach(lc, items)
	{
		ViewItem   *item = lfirst(lc);

		if (item->want == NULL || strcmp(item->want->name, rv->relname) != 0)
			continue;
		if (rv->schemaname ? strcmp(rv->schemaname, item->schema) == 0 :
			(found == NULL || strcmp(item->schema, schema) == 0))
			found = item;
	}
	return found;
}

/* creates: every view a view reads (in the document) goes before it */
static void
emit_create(DiffState *ds, List *items, ViewItem *item)
{
	ListCell   *lc;

	if (item->emitted)
		return;
	if (item->visiting)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("view \"%s\" reads itself through other views at line %d, column %d (%s)",
						item->want->name, item->want->pos.line,
						item->want->pos.column, doc_path(&item->want->pos)),
				 errhint("Views cannot read each other in a cycle.")));
	item->visiting = true;
	foreach(lc, query_relation_names(item->want->query))
	{
		ViewItem   *read = named_view(items, item->schema, lfirst(lc));

		if (read && read != item &&
			(read->fate == FATE_CREATE || read->fate == FATE_REBUILD ||
			 read->fate == FATE_REPLACE))
			emit_create(ds, items, read);
	}
	item->visiting = false;
	item->emitted = true;
	add_view_change(ds, item, item->fate == FATE_REPLACE ? ACTION_REPLACE :
					ACTION_CREATE);
}

static void
emit_changes(DiffState *ds, List *items)
{
	ListCell   *lc;

	foreach(lc, items)
		if (dropped_first(lfirst(lc)))
			emit_drop(ds, items, lfirst(lc));
	foreach(lc, items)
		((ViewItem *) lfirst(lc))->emitted = false;
	foreach(lc, items)
	{
		ViewItem   *item = lfirst(lc);

		if (item->fate == FATE_CREATE || item->fate == FATE_REBUILD ||
			item->fate == FATE_REPLACE)
			emit_create(ds, items, item);
		if ((item->fate == FATE_KEEP || item->fate == FATE_REPLACE) &&
			item->what)
			add_view_change(ds, item, ACTION_ALTER);
	}
}

/*
 * A table of the view's name standing for a materialized view, so that
 * its indexes are planned and compared by the index kind, against the view
 * itself (relid) when it exists.
 */
static ConvTable *
standing_table(const ConvView *view, Oid relid)
{
	ConvTable  *table = palloc0(sizeof(ConvTable));

	table->schema = view->schema;
	table->name = view->name;
	table->oid = relid;
	table->relkind = RELKIND_MATVIEW;
	return table;
}

static bool
matview_index_same(DiffState *ds, const ConvChange *proto, void *context,
				   void *want, void *have)
{
	return expr_index_matches(want, have, context);
}

static void
matview_index_kept(DiffState *ds, const ConvChange *proto, void *context,
				   void *want, void *have)
{
	ConvChange *change;

	if (!strings_differ(((ConvIndex *) want)->comment,
						((ConvIndex *) have)->comment))
		return;
	change = add_change(ds, KIND_INDEX, ACTION_COMMENT, proto->schema,
						proto->want_table, NULL);
	change->want = want;
	change->have = have;
}

/*
 * The indexes of a materialized view: all created with it when it is
 * created or rebuilt (a drop takes them along), else compared with its
 * current ones.
 */
static void
diff_matview_indexes(DiffState *ds, const ViewItem *item)
{
	static const Reconcile how = {
		.same = matview_index_same,
		.kept = matview_index_kept,
	};
	bool		kept = item->fate == FATE_KEEP;
	ConvChange	proto = {.kind = KIND_INDEX, .schema = item->schema};
	TablePair	pair = {.schema = item->schema};

	pair.want = standing_table(item->want, InvalidOid);
	if (kept)
		pair.have = standing_table(item->want, item->have->oid);
	proto.want_table = pair.want;
	reconcile(ds, &proto, &how, &pair, item->want->indexes,
			  kept ? item->have->indexes : NIL);
}

/*
 * Views are compared last, once every other kind's changes are known:
 * they decide which views are rebuilt.
 */
static void
diff_views(DiffState *ds)
{
	List	   *items = collect_items(ds);
	List	   *reshaped = reshaped_by_changes(ds);
	ListCell   *lc;

	foreach(lc, items)
	{
		ViewItem   *item = lfirst(lc);

		if (item->fate == FATE_DROP)
			reshaped = add_reshaped(reshaped, RelationRelationId,
									item->have->oid,
									psprintf("%s %s is dropped",
											 view_noun(item->have),
											 view_object(item->schema,
														 item->have)),
									true);
	}
	decide_fates(ds, items, reshaped);
	rebuild_readers(items);
	emit_changes(ds, items);
	foreach(lc, items)
	{
		ViewItem   *item = lfirst(lc);

		if (item->want && item->want->materialized)
			diff_matview_indexes(ds, item);
	}
}

/* ----------------------------------------------------------------
 * Planning
 * ----------------------------------------------------------------
 */

static char *
options_sql(const ConvView *view)
{
	StringInfoData buf;

	initStringInfo(&buf);
	if (view->security_barrier)
		appendStringInfoString(&buf, ", security_barrier = true");
	if (view->security_invoker)
		appendStringInfoString(&buf, ", security_invoker = true");
	if (view->check_option)
		appendStringInfo(&buf, ", check_option = %s", view->check_option);
	return buf.len ? psprintf(" WITH (%s)", buf.data + 2) : "";
}

static char *
create_sql(const ConvChange *change, bool replace)
{
	ConvView   *view = change->want;
	char	   *columns = view->columns ?
		psprintf(" (%s)", name_list(view->columns)) : "";

	if (view->materialized)
		return psprintf("CREATE MATERIALIZED VIEW %s%s AS %s WITH %sDATA",
						view_object(change->schema, view), columns,
						query_statement(view->query),
						view->with_data ? "" : "NO ");
	return psprintf("CREATE %sVIEW %s%s%s AS %s", replace ? "OR REPLACE " : "",
					view_object(change->schema, view), columns,
					options_sql(view), query_statement(view->query));
}

static void
plan_create_view(ConvPlanState *ps, const ConvChange *change)
{
	ConvView   *view = change->want;
	ConvStep   *step;

	step = add_step(ps, view->materialized ? "create_materialized_view" :
					"create_view",
					view_object(change->schema, view),
					create_sql(change, false),
					change->because ?
					psprintf("rebuilt because %s", change->because) :
					psprintf("%s is declared in the document and does not exist",
							 view_noun(view)),
					view->materialized && view->with_data ?
					HAZARD_FULL_SCAN : 0);
	if (view->materialized && view->with_data)
		step->rows_affected = -1;
}

static void
plan_replace_view(ConvPlanState *ps, const ConvChange *change)
{
	add_step(ps, "replace_view",
			 view_object(change->schema, change->want),
			 create_sql(change, true), pstrdup(change->because), 0);
}

static void
plan_drop_view(ConvPlanState *ps, const ConvChange *change)
{
	ConvView   *view = change->have;
	ConvStep   *step;

	step = add_step(ps, view->materialized ? "drop_materialized_view" :
					"drop_view",
					view_object(change->schema, view),
					psprintf("DROP %s %s",
							 view->materialized ? "MATERIALIZED VIEW" : "VIEW",
							 view_object(change->schema, view)),
					change->want ?
					psprintf("dropped to be rebuilt, because %s",
							 change->because) :
					psprintf("%s is not declared in the document",
							 view_noun(view)),
					view->materialized ? HAZARD_FULL_SCAN : 0);
	refuse_if_used(step, view->used_outside, view_noun(view), "dropped");
}

static void
plan_alter_view(ConvPlanState *ps, const ConvChange *change)
{
	ConvView   *w = change->want;
	ConvView   *h = change->have;
	char	   *object = view_object(change->schema, w);

	if (change->what & VIEW_OPTIONS)
		add_step(ps, "alter_view", pstrdup(object),
				 psprintf("ALTER VIEW %s SET (security_barrier = %s, security_invoker = %s%s%s)",
						  object, w->security_barrier ? "true" : "false",
						  w->security_invoker ? "true" : "false",
						  w->check_option ? ", check_option = " : "",
						  w->check_option ? w->check_option : ""),
				 pstrdup("options differ from the document"), 0);
	if ((change->what & VIEW_OPTIONS) && h->check_option &&
		w->check_option == NULL)
		add_step(ps, "alter_view", pstrdup(object),
				 psprintf("ALTER VIEW %s RESET (check_option)", object),
				 pstrdup("the document declares no check option"), 0);
	if (change->what & VIEW_COMMENT)
		add_comment(ps, "comment_view", w->materialized ?
					"MATERIALIZED VIEW" : "VIEW", pstrdup(object),
					w->comment);
}

static void
plan_new_comment(ConvPlanState *ps, const ConvChange *change)
{
	ConvView   *view = change->want;

	if (change->action == ACTION_CREATE && view->comment)
		add_comment(ps, "comment_view", view->materialized ?
					"MATERIALIZED VIEW" : "VIEW",
					view_object(change->schema, view), view->comment);
}

/* ----------------------------------------------------------------
 * Export
 * ----------------------------------------------------------------
 */

static void
emit_view(Emitter *em, const ConvSchema *schema, const void *object)
{
	const ConvView *view = object;

	emit_scalar(em, view->name, false);
	begin_mapping(em, false);
	emit_scalar(em, "query", false);
	emit_text(em, view->query);
	if (view->security_barrier)
		emit_pair(em, "security_barrier", "true");
	if (view->security_invoker)
		emit_pair(em, "security_invoker", "true");
	if (view->check_option)
		emit_pair(em, "check_option", view->check_option);
	if (view->materialized && !view->with_data)
		emit_pair(em, "with_data", "false");
	index_emit(em, view->indexes);
	grants_emit(em, view->grants, view->owner, "TABLE", false);
	if (view->comment)
		emit_pair(em, "comment", view->comment);
	end_mapping(em);
}

static void
emit_views(Emitter *em, const ConvSchema *schema, const ConvTable *table)
{
	List	   *views = NIL;
	List	   *materialized = NIL;
	ListCell   *lc;

	foreach(lc, schema->views)
	{
		ConvView   *view = lfirst(lc);

		if (view->materialized)
			materialized = lappend(materialized, view);
		else
			views = lappend(views, view);
	}
	emit_entries(em, "views", schema, views, emit_view);
	emit_entries(em, "materialized_views", schema, materialized, emit_view);
}

/* every declared view; one the plan creates, or again, starts bare */
static const SchemaGrants view_grants = {
	.type = "TABLE",
	.list = offsetof(ConvSchema, views),
	.grants = offsetof(ConvView, grants),
	.owner = offsetof(ConvView, owner),
};

/* the script's fingerprint: a view's query as the server prints it */
static const char *const views_fingerprint =
"SELECT 'view', pg_catalog.format('%I.%I', n.nspname, c.relname),"
" pg_catalog.concat_ws(' ', c.relkind, pg_catalog.pg_get_viewdef(c.oid),"
"   'with=' || c.reloptions::pg_catalog.text,"
"   (SELECT 'columns ' || pg_catalog.string_agg("
"           pg_catalog.quote_ident(a.attname) || '=' || pg_catalog.quote_literal("
"             " COLUMN_COMMENT_OF("c.oid", "a.attnum") "), ', '"
"           ORDER BY a.attnum)"
"      FROM pg_catalog.pg_attribute a"
"     WHERE a.attrelid = c.oid AND a.attnum > 0"
"       AND " COLUMN_COMMENT_OF("c.oid", "a.attnum") " IS NOT NULL),"
FP_OWNED("c.relacl", "r", "c.relowner", "c.oid", "pg_class") ")"
" FROM pg_catalog.pg_class c"
" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
" WHERE c.relkind IN ('v', 'm') AND" FP_MANAGED("n.nspname")
"   AND" NOT_EXTENSION_MEMBER("pg_class", "c.oid");

const ConvKindOps view_kind = {
	.name = "view",
	.diff_finish = diff_views,
	.plan = {
		[ACTION_CREATE] = plan_create_view,
		[ACTION_REPLACE] = plan_replace_view,
		[ACTION_ALTER] = plan_alter_view,
		[ACTION_DROP] = plan_drop_view,
	},
	.plan_comments = plan_new_comment,
	.doc_place = DOC_SCHEMA,
	.doc_keys = view_doc_keys,
	.build = build_views,
	.read = read_views,
	.fingerprint = views_fingerprint,
	.emit = emit_views,
	.schema_grants = &view_grants,
	.plural = "views",
};
