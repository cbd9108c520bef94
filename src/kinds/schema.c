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
				  "SELECT n.nspname FROM pg_catalog.pg_namespace n"
					  " WHERE n.nspname OPERATOR(pg_catalog.=) ANY ($1)"
					  " ORDER BY n.nspname");
	for (uint64 i = 0; i < SPI_processed; i++)
		find_or_add_schema(cr->model,
						   get_text(SPI_tuptable->vals[i],
									SPI_tuptable->tupdesc, "nspname"));
}

const ConvKindOps schema_kind = {
	.name = "schema",
	.diff = diff_schemas,
	.plan = {
		[ACTION_CREATE] = plan_create_schema,
	},
	.plural = "schemas",
	.read = read_schemas,
};
