/*-------------------------------------------------------------------------
 *
 * schema.c
 *	  Schemas: the document lists the schemas it manages.
 *
 * A listed schema that does not exist is created.  A schema is never
 * dropped: leaving it out of the document means "not managed", not
 * "remove it".
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/spi.h"
#include "utils/builtins.h"

#include "kinds/kinds.h"

static void
diff_schemas(DiffState *ds)
{
	ListCell   *sc;

	foreach(sc, ds->want_model->schemas)
	{
		ConvSchema *schema = lfirst(sc);

		if (find_schema(ds->have_model, schema->name) == NULL)
			add_change(ds, KIND_SCHEMA, ACTION_CREATE, schema->name, NULL,
					   NULL);
	}
}

static void
plan_create_schema(ConvPlanState *ps, const ConvChange *change)
{
	add_step(ps, "create_schema", pstrdup(quote_identifier(change->schema)),
			 psprintf("CREATE SCHEMA %s", quote_identifier(change->schema)),
			 pstrdup("schema is listed in the document and does not exist"),
			 0);
}

/* ----------------------------------------------------------------
 * The catalog
 * ----------------------------------------------------------------
 */

static void
read_schemas(CatalogRead *cr)
{
	catalog_query(cr,
				  "SELECT n.nspname, "
				  ACL_COLUMNS("n.nspacl", "n", "n.nspowner")
				  " FROM pg_catalog.pg_namespace n"
				  " WHERE n.nspname OPERATOR(pg_catalog.=) ANY ($1)"
				  " ORDER BY n.nspname");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		ConvSchema *schema = find_or_add_schema(cr->model,
												get_text(tup, desc, "nspname"));

		schema->grants = get_acl(tup, desc);
		schema->owner = get_text(tup, desc, "owner");
	}
}

/* ----------------------------------------------------------------
 * The document: a schema's "grants"; export
 * ----------------------------------------------------------------
 */

static void
build_schema_grants(DocContainer *dc, const char *key, const YNode *value,
					const char *path)
{
	dc->schema->grants = grants_build(value, path, "SCHEMA");
}

static const KeySpec schema_doc_keys[] = {
	{"grants", V_NAMED_STRINGS},
	{NULL}
};

static void
emit_schema_grants(Emitter *em, const ConvSchema *schema,
				   const ConvTable *table)
{
	grants_emit(em, schema->grants, schema->owner, "SCHEMA");
}

static void
schema_grant_targets(DiffState *ds, List **targets)
{
	ListCell   *sc;

	foreach(sc, ds->want_model->schemas)
	{
		ConvSchema *want = lfirst(sc);
		ConvSchema *have = find_schema(ds->have_model, want->name);

		add_grant_target(targets, "SCHEMA",
						 pstrdup(quote_identifier(want->name)), NULL,
						 want->grants, have ? have->grants : NIL,
						 have ? have->owner : NULL, have == NULL);
	}
}

const ConvKindOps schema_kind = {
	.name = "schema",
	.diff = diff_schemas,
	.plan = {
		[ACTION_CREATE] = plan_create_schema,
	},
	.plural = "schemas",
	.read = read_schemas,
	.doc_place = DOC_SCHEMA,
	.doc_keys = schema_doc_keys,
	.build = build_schema_grants,
	.emit = emit_schema_grants,
	.grant_targets = schema_grant_targets,
};
