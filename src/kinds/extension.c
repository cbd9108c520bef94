/*-------------------------------------------------------------------------
 *
 * extension.c
 *	  The extensions a database has: created, updated, dropped.
 *
 * "extensions" is a key of the document itself: extensions belong to the
 * database, not to a schema.  Each is created when missing (CREATE
 * EXTENSION ... SCHEMA ... VERSION ...), before anything that could use
 * its types or functions; one the server cannot install is a document
 * error.  A version that differs is ALTER EXTENSION ... UPDATE TO.  One the
 * document no longer lists is dropped only with allow_data_loss, since it
 * can take columns' types and rows with it.  As with functions, a database
 * whose document never says "extensions" keeps the ones it has.  Objects
 * that belong to an extension stay outside the model, as everywhere.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/spi.h"
#include "utils/builtins.h"

#include "kinds/kinds.h"

/*
 * Extensions no document lists: plpgsql, which every database has, and
 * this one, which converges the document.
 */
static bool
always_there(const char *name)
{
	return strcmp(name, "plpgsql") == 0 || strcmp(name, "pg_converge") == 0;
}

/* ----------------------------------------------------------------
 * The catalog: every extension of the database, and what can be had
 * ----------------------------------------------------------------
 */

static void
read_extensions(CatalogRead *cr)
{
	catalog_query(cr,
				  "SELECT a.name, n.nspname, e.extversion,"
				  " e.oid IS NOT NULL AS installed,"
				  " a.default_version IS NOT DISTINCT FROM e.extversion"
				  "   AS default_version,"
				  " (SELECT pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid)"
				  "    FROM pg_catalog.pg_depend m"
				  "    JOIN pg_catalog.pg_depend d"
				  "      ON d.refclassid = m.classid AND d.refobjid = m.objid"
				  "   WHERE m.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass"
				  "     AND m.refobjid = e.oid AND m.deptype = 'e' AND d.deptype = 'n'"
				  "     AND d.classid IN ('pg_catalog.pg_class'::pg_catalog.regclass,"
				  "                       'pg_catalog.pg_attrdef'::pg_catalog.regclass,"
				  "                       'pg_catalog.pg_constraint'::pg_catalog.regclass,"
				  "                       'pg_catalog.pg_rewrite'::pg_catalog.regclass,"
				  "                       'pg_catalog.pg_proc'::pg_catalog.regclass,"
				  "                       'pg_catalog.pg_type'::pg_catalog.regclass,"
				  "                       'pg_catalog.pg_trigger'::pg_catalog.regclass,"
				  "                       'pg_catalog.pg_policy'::pg_catalog.regclass)"
				  "     AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend x"
				  "           WHERE x.classid = d.classid AND x.objid = d.objid"
				  "             AND x.deptype = 'e')"
				  "   ORDER BY 1 LIMIT 1) AS used_by"
				  " FROM pg_catalog.pg_available_extensions() a"
				  " LEFT JOIN pg_catalog.pg_extension e ON e.extname = a.name"
				  " LEFT JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace"
				  " ORDER BY a.name");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		ConvExtension *e = palloc0(sizeof(ConvExtension));

		e->name = get_text(tup, desc, "name");
		if (!get_bool(tup, desc, "installed"))
		{
			cr->model->available = lappend(cr->model->available, e);
			continue;
		}
		e->schema = get_text(tup, desc, "nspname");
		e->version = get_text(tup, desc, "extversion");
		e->default_version = get_bool(tup, desc, "default_version");
		e->used_by = get_text(tup, desc, "used_by");
		cr->model->extensions = lappend(cr->model->extensions, e);
	}
}

/* ----------------------------------------------------------------
 * The document: "extensions", name: {schema, version}
 * ----------------------------------------------------------------
 */

static void *
build_extension(DocContainer *dc, const char *name, const YNode *node,
				const char *path)
{
	ConvExtension *e = palloc0(sizeof(ConvExtension));

	e->name = pstrdup(name);
	e->schema = map_string(node, "schema");
	e->version = map_string(node, "version");
	e->pos = node_pos(node, path);
	return e;
}

static void
build_extensions(DocContainer *dc, const char *key, const YNode *value,
				 const char *path)
{
	dc->model->extensions_managed = true;
	build_entries(dc, value, path, build_extension, &dc->model->extensions);
}

static const KeySpec extension_keys[] = {
	{"schema", V_STRING},
	{"version", V_STRING},
	{NULL}
};

static const KeySpec extension_doc_keys[] = {
	{"extensions", V_NAMED, extension_keys},
	{NULL}
};

/* ----------------------------------------------------------------
 * Comparing
 * ----------------------------------------------------------------
 */

static ConvExtension *
find_extension(List *list, const char *name)
{
	ListCell   *lc;

	foreach(lc, list)
		if (strcmp(((ConvExtension *) lfirst(lc))->name, name) == 0)
			return lfirst(lc);
	return NULL;
}

static void
add_extension_change(DiffState *ds, ConvAction action, ConvExtension *want,
					 ConvExtension *have)
{
	ConvChange *change = add_change(ds, KIND_EXTENSION, action, NULL, NULL,
									NULL);

	change->want = want;
	change->have = have;
}

/*
 * One the server cannot install is the document's error; a schema the
 * document does not give is the extension's own choice, and a version
 * it does not give is whatever is installed.
 */
static void
diff_extensions(DiffState *ds)
{
	ListCell   *lc;

	if (!ds->want_model->extensions_managed)
		return;
	foreach(lc, ds->want_model->extensions)
	{
		ConvExtension *w = lfirst(lc);
		ConvExtension *h = find_extension(ds->have_model->extensions,
										  w->name);

		if (h == NULL && !find_extension(ds->have_model->available, w->name))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("extension \"%s\" is not available on this server at line %d, column %d (%s)",
							w->name, w->pos.line, w->pos.column,
							doc_path(&w->pos)),
					 errhint("Install its package on the server, or leave it out of the document.")));
		if (h == NULL)
		{
			add_extension_change(ds, ACTION_CREATE, w, NULL);
			ds->unknown_types = true;
		}
		else if (w->schema && strcmp(w->schema, h->schema) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("extension \"%s\" is in schema \"%s\", not \"%s\", at line %d, column %d (%s)",
							w->name, h->schema, w->schema, w->pos.line,
							w->pos.column, doc_path(&w->pos)),
					 errhint("Move it with ALTER EXTENSION ... SET SCHEMA, or write the schema it is in.")));
		else if (w->version && strcmp(w->version, h->version) != 0)
			add_extension_change(ds, ACTION_ALTER, w, h);
	}
	foreach(lc, ds->have_model->extensions)
	{
		ConvExtension *h = lfirst(lc);

		if (!always_there(h->name) &&
			!find_extension(ds->want_model->extensions, h->name))
			add_extension_change(ds, ACTION_DROP, NULL, h);
	}
}

/* ----------------------------------------------------------------
 * Planning
 * ----------------------------------------------------------------
 */

static void
plan_create_extension(ConvPlanState *ps, const ConvChange *change)
{
	ConvExtension *e = change->want;
	StringInfoData sql;

	initStringInfo(&sql);
	appendStringInfo(&sql, "CREATE EXTENSION %s", quote_identifier(e->name));
	if (e->schema)
		appendStringInfo(&sql, " SCHEMA %s", quote_identifier(e->schema));
	if (e->version)
		appendStringInfo(&sql, " VERSION %s", quote_literal_cstr(e->version));
	add_step(ps, "create_extension", pstrdup(quote_identifier(e->name)),
			 sql.data,
			 pstrdup("extension is listed in the document and not installed"),
			 0);
}

static void
plan_update_extension(ConvPlanState *ps, const ConvChange *change)
{
	ConvExtension *w = change->want;
	ConvExtension *h = change->have;

	add_step(ps, "update_extension", pstrdup(quote_identifier(w->name)),
			 psprintf("ALTER EXTENSION %s UPDATE TO %s",
					  quote_identifier(w->name),
					  quote_literal_cstr(w->version)),
			 psprintf("version %s -> %s", h->version, w->version), 0);
}

/*
 * Dropping an extension can take columns' types, and with them rows:
 * it needs allow_data_loss whatever it holds, and is refused while a
 * column, default, constraint, view, function, type, trigger or policy
 * outside it uses one of its objects (DROP EXTENSION would refuse too).
 */
static void
plan_drop_extension(ConvPlanState *ps, const ConvChange *change)
{
	ConvExtension *e = change->have;
	ConvStep   *step;
	ConvProbe  *probe = palloc0(sizeof(ConvProbe));

	step = add_step(ps, "drop_extension", pstrdup(quote_identifier(e->name)),
					psprintf("DROP EXTENSION %s", quote_identifier(e->name)),
					pstrdup("extension is not listed in the document"),
					HAZARD_DATA_LOSS);
	probe->source = psprintf("(SELECT %s::pg_catalog.text AS converge_sample_key) AS s",
							 quote_literal_cstr(e->name));
	probe->key_label = "extension";
	probe->failing = "true";
	probe->failing_text = "(the extension, and whatever uses its objects) would be dropped";
	probe->refusal = REFUSE_DATA_LOSS;
	probe->fix = FIX_ALLOW_DATA_LOSS;
	step->probes = lappend(step->probes, probe);
	refuse_if_used(step, e->used_by, "extension", "dropped");
}

/* ----------------------------------------------------------------
 * Export
 * ----------------------------------------------------------------
 */

static void
emit_extension(Emitter *em, const ConvSchema *schema, const void *object)
{
	const ConvExtension *e = object;

	emit_scalar(em, e->name, false);
	begin_mapping(em, true);
	if (e->schema)
		emit_pair(em, "schema", e->schema);
	if (e->version && !e->default_version)
		emit_pair(em, "version", e->version);
	end_mapping(em);
}

static void
emit_extensions(Emitter *em, const ConvSchema *schema, const ConvTable *table)
{
	List	   *listed = NIL;
	ListCell   *lc;

	foreach(lc, emitted_model(em)->extensions)
		if (!always_there(((ConvExtension *) lfirst(lc))->name))
			listed = lappend(listed, lfirst(lc));
	emit_entries(em, "extensions", NULL, listed, emit_extension);
}

/*
 * The script's fingerprint: every extension but this one, which the
 * database the script converges does not have.
 */
static const char *const extensions_fingerprint =
"SELECT 'extension', pg_catalog.quote_ident(e.extname),"
" pg_catalog.concat_ws(' ', 'version=' || e.extversion,"
"                      'schema=' || pg_catalog.quote_ident(n.nspname))"
" FROM pg_catalog.pg_extension e"
" JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace"
" WHERE e.extname <> 'pg_converge'";

const ConvKindOps extension_kind = {
	.name = "extension",
	.diff = diff_extensions,
	.plan = {
		[ACTION_CREATE] = plan_create_extension,
		[ACTION_ALTER] = plan_update_extension,
		[ACTION_DROP] = plan_drop_extension,
	},
	.doc_place = DOC_ROOT,
	.doc_keys = extension_doc_keys,
	.build = build_extensions,
	.read = read_extensions,
	.fingerprint = extensions_fingerprint,
	.emit = emit_extensions,
	.plural = "extensions",
};
