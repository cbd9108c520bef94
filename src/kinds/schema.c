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
plan_create_schema(PlanState *ps, const ConvChange *change)
{
	add_step(ps, "create_schema", pstrdup(quote_identifier(change->schema)),
			 psprintf("CREATE SCHEMA %s", quote_identifier(change->schema)),
			 pstrdup("schema is listed in the document and does not exist"),
			 0);
}

const ConvKindOps schema_kind = {
	.name = "schema",
	.diff = diff_schemas,
	.plan = {
		[ACTION_CREATE] = plan_create_schema,
	},
	.plural = "schemas",
};
