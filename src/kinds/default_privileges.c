/*-------------------------------------------------------------------------
 *
 * default_privileges.c
 *	  The privileges a role's future objects in a schema get (ALTER DEFAULT
 *	  PRIVILEGES FOR ROLE ... IN SCHEMA ...).
 *
 * A schema's "default_privileges" maps the role whose objects they are to
 * the kinds of objects (tables, sequences, functions, types) and, for
 * each, the privileges as "grants" write them.  They are compared as grants
 * are (grant.c), with the same scope: for each role the document lists
 * here, the document is the whole truth about the grantees it names
 * anywhere; a role it does not list keeps its default privileges.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/spi.h"
#include "utils/acl.h"
#include "utils/builtins.h"

#include "kinds/kinds.h"

/* the kinds of objects, as the document, the catalog and the SQL say them */
static const struct
{
	const char *key;
	char		objtype;		/* pg_default_acl.defaclobjtype */
	const char *sql;			/* ON TABLES; privileges as grant.c knows
								 * them */
}			object_kinds[] = {
	{"tables", 'r', "TABLES"},
	{"sequences", 'S', "SEQUENCES"},
	{"functions", 'f', "FUNCTIONS"},
	{"types", 'T', "TYPES"},
};

static int
object_kind_of(const char *key, char objtype)
{
	for (int i = 0; i < lengthof(object_kinds); i++)
		if ((key && strcmp(object_kinds[i].key, key) == 0) ||
			(!key && object_kinds[i].objtype == objtype))
			return i;
	elog(ERROR, "unexpected default privileges object type '%c'", objtype);
}

/* ----------------------------------------------------------------
 * The catalog
 * ----------------------------------------------------------------
 */

static void
read_default_privileges(CatalogRead *cr)
{
	catalog_query(cr,
				  "SELECT n.nspname, d.defaclobjtype::pg_catalog.text AS objtype,"
				  " pg_catalog.pg_get_userbyid(d.defaclrole) AS role, "
				  ACL_COLUMNS("d.defaclacl", "r", "d.defaclrole")
				  " FROM pg_catalog.pg_default_acl d"
				  " LEFT JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace"
				  " WHERE d.defaclnamespace = 0"
				  "    OR n.nspname OPERATOR(pg_catalog.=) ANY ($1)"
				  " ORDER BY n.nspname NULLS FIRST, role, objtype");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		char	   *nspname = get_text(tup, desc, "nspname");
		List	  **list = nspname ?
			&find_or_add_schema(cr->model, nspname)->default_privileges :
			&cr->model->default_privileges;
		ConvDefaultPrivileges *dp = palloc0(sizeof(ConvDefaultPrivileges));

		dp->role = get_text(tup, desc, "role");
		dp->objects = object_kinds[object_kind_of(NULL, *get_text(tup, desc,
																  "objtype"))].key;
		dp->grants = get_acl(tup, desc);
		*list = lappend(*list, dp);
	}
}

/* ----------------------------------------------------------------
 * The document: a schema's "default_privileges"
 * ----------------------------------------------------------------
 */

static void
build_default_privileges(DocContainer *dc, const char *key,
						 const YNode *value, const char *path)
{
	ListCell   *kc,
			   *vc;

	if (dc->schema == NULL)
		dc->model->default_privileges_managed = true;
	foreach_entry(kc, vc, value)
	{
		const char *role = entry_name(kc);
		char	   *rpath = child_path(path, role);
		const YNode *objects = lfirst(vc);
		ListCell   *ok,
				   *ov;

		if (!OidIsValid(get_role_oid(role, true)))
			doc_error(ERRCODE_UNDEFINED_OBJECT, lfirst(kc), rpath,
					  "role \"%s\" does not exist; roles are not created by convergence",
					  role);
		foreach_entry(ok, ov, objects)
		{
			ConvDefaultPrivileges *dp = palloc0(sizeof(ConvDefaultPrivileges));
			int			k = object_kind_of(entry_name(ok), '\0');

			dp->role = pstrdup(role);
			dp->objects = object_kinds[k].key;
			dp->grants = grants_build(lfirst(ov),
									  child_path(rpath, entry_name(ok)),
									  object_kinds[k].sql);
			if (dc->schema)
				dc->schema->default_privileges =
					lappend(dc->schema->default_privileges, dp);
			else
				dc->model->default_privileges =
					lappend(dc->model->default_privileges, dp);
		}
	}
}

static const KeySpec object_keys[] = {
	{"tables", V_NAMED_STRINGS},
	{"sequences", V_NAMED_STRINGS},
	{"functions", V_NAMED_STRINGS},
	{"types", V_NAMED_STRINGS},
	{NULL}
};

static const KeySpec default_privileges_doc_keys[] = {
	{"default_privileges", V_NAMED, object_keys},
	{NULL}
};

/* ----------------------------------------------------------------
 * Comparing: as grants
 * ----------------------------------------------------------------
 */

static ConvDefaultPrivileges *
find_default_privileges(List *list, const char *role, const char *objects)
{
	ListCell   *lc;

	foreach(lc, list)
	{
		ConvDefaultPrivileges *dp = lfirst(lc);

		if (strcmp(dp->role, role) == 0 && strcmp(dp->objects, objects) == 0)
			return dp;
	}
	return NULL;
}

static List *
roles_of(List *grants)
{
	List	   *roles = NIL;
	ListCell   *lc;

	foreach(lc, grants)
		roles = lappend(roles, ((ConvGrant *) lfirst(lc))->role);
	return roles;
}

static bool
lists_role(List *list, const char *role)
{
	ListCell   *lc;

	foreach(lc, list)
		if (strcmp(((ConvDefaultPrivileges *) lfirst(lc))->role, role) == 0)
			return true;
	return false;
}

/*
 * What PUBLIC may do with a role's new objects before any default
 * privileges say otherwise: execute its functions, use its types.
 */
static const char *
public_default(const char *objects)
{
	if (strcmp(objects, "functions") == 0)
		return "execute";
	if (strcmp(objects, "types") == 0)
		return "usage";
	return NULL;
}

/*
 * A schema's default privileges add to what the role's objects get; the
 * document's own (schema NULL) say all of it, the role's and PUBLIC's
 * included, starting from what the server gives.
 */
static void
add_target(List **targets, const char *schema, const char *role,
		   const char *objects, List *want, List *have, bool exists)
{
	int			k = object_kind_of(objects, '\0');
	GrantTarget *t = add_grant_target(targets, object_kinds[k].sql, NULL,
									  NULL, want, have,
									  schema ? NULL : role,
									  schema == NULL && !exists);

	t->prefix = psprintf("ALTER DEFAULT PRIVILEGES FOR ROLE %s%s%s ",
						 quote_identifier(role),
						 schema ? " IN SCHEMA " : "",
						 schema ? quote_identifier(schema) : "");
	t->prefix_object = psprintf("%s%s%s", schema ? quote_identifier(schema) : "",
								schema ? "." : "", quote_identifier(role));
	if (schema == NULL)
		t->public_default = public_default(objects);
}

/*
 * For each role a document lists: every kind of objects it or the catalog
 * has default privileges for.
 */
static void
list_targets(List **targets, const char *schema, List *want, List *current)
{
	ListCell   *lc;

	foreach(lc, want)
	{
		ConvDefaultPrivileges *dp = lfirst(lc);
		ConvDefaultPrivileges *h = find_default_privileges(current, dp->role,
														   dp->objects);

		add_target(targets, schema, dp->role, dp->objects, dp->grants,
				   h ? h->grants : NIL, h != NULL);
	}
	foreach(lc, current)
	{
		ConvDefaultPrivileges *h = lfirst(lc);

		if (lists_role(want, h->role) &&
			!find_default_privileges(want, h->role, h->objects))
			add_target(targets, schema, h->role, h->objects, NIL, h->grants,
					   true);
	}
}

static void
default_privileges_targets(DiffState *ds, List **targets)
{
	ListCell   *sc;

	foreach(sc, ds->want_model->schemas)
	{
		ConvSchema *want = lfirst(sc);
		ConvSchema *have = find_schema(ds->have_model, want->name);

		list_targets(targets, want->name, want->default_privileges,
					 have ? have->default_privileges : NIL);
	}
}

static void
global_targets(DiffState *ds, List **targets)
{
	if (ds->want_model->default_privileges_managed)
		list_targets(targets, NULL, ds->want_model->default_privileges,
					 ds->have_model->default_privileges);
}

/* ----------------------------------------------------------------
 * Export
 * ----------------------------------------------------------------
 */

/*
 * A role's default privileges.  The document's own name the role (their
 * owner), which is left out where it holds everything, and PUBLIC, written
 * "public: []" where it may no longer execute or use what is new.
 */
static void
emit_list(Emitter *em, List *list, bool global)
{
	List	   *roles = NIL;
	ListCell   *lc;

	foreach(lc, list)
		if (!string_in(roles, ((ConvDefaultPrivileges *) lfirst(lc))->role))
			roles = lappend(roles, ((ConvDefaultPrivileges *) lfirst(lc))->role);
	if (roles == NIL)
		return;
	emit_scalar(em, "default_privileges", false);
	begin_mapping(em, false);
	foreach(lc, roles)
	{
		ListCell   *dc;

		emit_scalar(em, lfirst(lc), false);
		begin_mapping(em, false);
		foreach(dc, list)
		{
			ConvDefaultPrivileges *dp = lfirst(dc);
			List	   *grants = dp->grants;
			const char *pub = global ? public_default(dp->objects) : NULL;

			if (strcmp(dp->role, lfirst(lc)) != 0)
				continue;
			if (pub && !string_in(roles_of(grants), "public"))
				grants = lappend(list_copy(grants),
								 new_grant("public", NULL, false));
			(void) grants_emit_map(em, grants, global ? dp->role : NULL,
								   object_kinds[object_kind_of(dp->objects, '\0')].sql,
								   dp->objects);
		}
		end_mapping(em);
	}
	end_mapping(em);
}

static void
emit_default_privileges(Emitter *em, const ConvSchema *schema,
						const ConvTable *table)
{
	emit_list(em, schema->default_privileges, false);
}

static void
emit_global(Emitter *em, const ConvSchema *schema, const ConvTable *table)
{
	emit_list(em, emitted_model(em)->default_privileges, true);
}

/*
 * The script's fingerprint: what objects a role creates will get, in a
 * managed schema or everywhere.
 */
static const char *const default_privileges_fingerprint =
"SELECT 'default privileges',"
" pg_catalog.format('%I in %s on %s',"
"   pg_catalog.pg_get_userbyid(d.defaclrole),"
"   COALESCE(pg_catalog.quote_ident(n.nspname), 'every schema'),"
"   d.defaclobjtype),"
" 'acl=' || " FP_ACL("pg_catalog.aclexplode(d.defaclacl)")
" FROM pg_catalog.pg_default_acl d"
" LEFT JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace"
" WHERE d.defaclnamespace = 0 OR" FP_MANAGED("n.nspname");

const ConvKindOps default_privileges_kind = {
	.name = "default privileges",
	.doc_place = DOC_SCHEMA,
	.doc_keys = default_privileges_doc_keys,
	.build = build_default_privileges,
	.read = read_default_privileges,
	.fingerprint = default_privileges_fingerprint,
	.emit = emit_default_privileges,
	.grant_targets = default_privileges_targets,
	.plural = "default privileges",
};

/* the document's own: every schema's, FOR ROLE only */
const ConvKindOps global_default_privileges_kind = {
	.name = "default privileges",
	.doc_place = DOC_ROOT,
	.doc_keys = default_privileges_doc_keys,
	.build = build_default_privileges,
	.emit = emit_global,
	.grant_targets = global_targets,
};
