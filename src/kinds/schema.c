/*-------------------------------------------------------------------------
 *
 * schema.c
 *	  Schemas: the document lists the schemas it manages.
 *
 * A listed schema that does not exist is created.  A schema is never
 * dropped: leaving it out of the document means "not managed", not
 * "remove it".  Its owner is managed only when the document names one:
 * the export names it where converging would not give it that owner
 * (public, which initdb gives to pg_database_owner; a schema owned by
 * another role than the one exporting, and so presumably converging).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"

#include "kinds/kinds.h"

static void
diff_schemas(DiffState *ds)
{
	ListCell   *sc;

	foreach(sc, ds->want_model->schemas)
	{
		ConvSchema *schema = lfirst(sc);

		ConvSchema *have = find_schema(ds->have_model, schema->name);
		ConvChange *change;

		if (have == NULL)
			add_change(ds, KIND_SCHEMA, ACTION_CREATE, schema->name, NULL,
					   NULL);
		if (schema->owner &&
			strcmp(schema->owner, have ? have->owner :
				   GetUserNameFromId(GetUserId(), false)) != 0)
			add_change(ds, KIND_SCHEMA, ACTION_ALTER, schema->name, NULL,
					   NULL)->want = schema;
		if (schema->comment &&
			strings_differ(*schema->comment ? schema->comment : NULL,
						   have ? have->comment : NULL))
		{
			change = add_change(ds, KIND_SCHEMA, ACTION_COMMENT, schema->name,
								NULL, NULL);
			change->want = schema;
		}
	}
}

/* a schema's comment is compared only when the document gives one */
static void
plan_schema_comment(ConvPlanState *ps, const ConvChange *change)
{
	const char *comment = ((ConvSchema *) change->want)->comment;

	add_comment(ps, "comment_schema", "SCHEMA",
				pstrdup(quote_identifier(change->schema)),
				*comment ? comment : NULL);
}

static void
plan_create_schema(ConvPlanState *ps, const ConvChange *change)
{
	add_step(ps, "create_schema", pstrdup(quote_identifier(change->schema)),
			 psprintf("CREATE SCHEMA %s", quote_identifier(change->schema)),
			 pstrdup("schema is listed in the document and does not exist"),
			 0);
}

/*
 * The server moves the owner's privileges to the new owner; a role that
 * may not make the change (not the owner, or not a member of the new one)
 * is refused by the statement, and the whole convergence with it.
 */
static void
plan_schema_owner(ConvPlanState *ps, const ConvChange *change)
{
	const char *owner = ((ConvSchema *) change->want)->owner;

	add_step(ps, "set_schema_owner", pstrdup(quote_identifier(change->schema)),
			 psprintf("ALTER SCHEMA %s OWNER TO %s",
					  quote_identifier(change->schema),
					  quote_identifier(owner)),
			 psprintf("owner: %s", owner), 0);
}

/* ----------------------------------------------------------------
 * The catalog
 * ----------------------------------------------------------------
 */

static void
read_schemas(CatalogRead *cr)
{
	catalog_query(cr,
				  "SELECT n.nspname,"
				  " " COMMENT_OF("n.oid", "pg_namespace") " AS comment,"
				  " n.nspacl IS NOT NULL AS explicit_acl, "
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
		schema->comment = get_text(tup, desc, "comment");
		schema->explicit_acl = get_bool(tup, desc, "explicit_acl");
	}
}

/* ----------------------------------------------------------------
 * The document: a schema's "grants"; export
 * ----------------------------------------------------------------
 */

static void
build_schema(DocContainer *dc, const char *key, const YNode *value,
			 const char *path)
{
	if (strcmp(key, "comment") == 0)
		dc->schema->comment = value->value ? value->value : "";
	else if (strcmp(key, "owner") == 0)
	{
		if (!OidIsValid(get_role_oid(value->value, true)))
			doc_error(ERRCODE_UNDEFINED_OBJECT, value, path,
					  "role \"%s\" does not exist; roles are not created by convergence",
					  value->value);
		dc->schema->owner = value->value;
	}
	else
		dc->schema->grants = grants_build(value, path, "SCHEMA");
}

static const KeySpec schema_doc_keys[] = {
	{"comment", V_STRING},
	{"owner", V_STRING},
	{"grants", V_NAMED_STRINGS},
	{NULL}
};

/* would converging give the schema another owner than it has? */
static bool
owner_expected(const ConvSchema *schema)
{
	return strcmp(schema->owner, strcmp(schema->name, "public") == 0 ?
				  "pg_database_owner" :
				  GetUserNameFromId(GetUserId(), false)) == 0;
}

static void
emit_schema(Emitter *em, const ConvSchema *schema, const ConvTable *table)
{
	if (schema->comment)
		emit_pair(em, "comment", schema->comment);
	if (!owner_expected(schema))
		emit_pair(em, "owner", schema->owner);
	grants_emit(em, schema->grants, schema->owner, "SCHEMA",
				schema->explicit_acl);
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

/* the script's fingerprint: a schema's owner, privileges and comment */
static const char *const schemas_fingerprint =
"SELECT 'schema', pg_catalog.quote_ident(n.nspname),"
" pg_catalog.concat_ws(' ',"
FP_OWNED("n.nspacl", "n", "n.nspowner", "n.oid", "pg_namespace") ")"
" FROM pg_catalog.pg_namespace n"
" WHERE" FP_MANAGED("n.nspname");

const ConvKindOps schema_kind = {
	.name = "schema",
	.diff = diff_schemas,
	.plan = {
		[ACTION_CREATE] = plan_create_schema,
		[ACTION_COMMENT] = plan_schema_comment,
		[ACTION_ALTER] = plan_schema_owner,
	},
	.plural = "schemas",
	.read = read_schemas,
	.fingerprint = schemas_fingerprint,
	.doc_place = DOC_SCHEMA,
	.doc_keys = schema_doc_keys,
	.build = build_schema,
	.emit = emit_schema,
	.grant_targets = schema_grant_targets,
};
