/*-------------------------------------------------------------------------
 *
 * grant.c
 *	  Privileges on schemas, tables, columns, views and sequences, compared
 *	  as sets.
 *
 * Each kind whose objects take "grants" lists its objects with what the
 * document grants and what the object's ACL holds, the ACL the server
 * gives by default expanded (acldefault), so an object nobody granted on
 * and a document that says nothing plan nothing.  The comparison is per
 * role and privilege, so no REVOKE and GRANT pair is ever planned for a
 * privilege that stays.
 *
 * Scope: the document is the whole truth for the roles it names, on every
 * object it manages; a role it never names keeps what it has (a hosting
 * platform's own grants survive).  PUBLIC, written "public", and an
 * object's owner are managed only on the objects whose grants name them.
 * An object the plan creates again (a rebuilt view, a recreated table)
 * starts with no privileges: what the roles the document does not name
 * held is granted again, with what the document says for the others.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/formatting.h"

#include "kinds/kinds.h"

/* the privileges each kind of object takes, "all" expanding to them */
static const struct
{
	const char *type;
	const char *const privileges[9];
}			object_privileges[] = {
	{"TABLE", {"select", "insert", "update", "delete", "truncate",
			"references", "trigger", COMPAT_MAINTAIN}},
	{"COLUMN", {"select", "insert", "update", "references"}},
	{"SEQUENCE", {"usage", "select", "update"}},
	{"SCHEMA", {"usage", "create"}},
	{"TYPE", {"usage"}},
	{"DOMAIN", {"usage"}},
	{"FUNCTION", {"execute"}},
	{"PROCEDURE", {"execute"}},
	{"TABLES", {"select", "insert", "update", "delete", "truncate",
			"references", "trigger", COMPAT_MAINTAIN}},
	{"SEQUENCES", {"usage", "select", "update"}},
	{"FUNCTIONS", {"execute"}},
	{"TYPES", {"usage"}},
};

static const char *const *
privileges_of(const char *type)
{
	for (int i = 0; i < lengthof(object_privileges); i++)
		if (strcmp(object_privileges[i].type, type) == 0)
			return object_privileges[i].privileges;
	elog(ERROR, "no privileges for objects of type %s", type);
}

static bool
takes_privilege(const char *type, const char *privilege)
{
	const char *const *privileges = privileges_of(type);

	for (int i = 0; privileges[i]; i++)
		if (strcmp(privileges[i], privilege) == 0)
			return true;
	return false;
}

static char *
privilege_names(const char *type)
{
	const char *const *privileges = privileges_of(type);
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; privileges[i]; i++)
		appendStringInfo(&buf, "%s%s", i ? ", " : "", privileges[i]);
	return buf.data;
}

/*
 * What the server lets PUBLIC do with a new object of the type (acldefault):
 * use a type or domain, execute a function or procedure; NULL for others.
 */
static const char *
default_public_privilege(const char *type)
{
	if (strcmp(type, "TYPE") == 0 || strcmp(type, "DOMAIN") == 0)
		return "usage";
	if (strcmp(type, "FUNCTION") == 0 || strcmp(type, "PROCEDURE") == 0)
		return "execute";
	return NULL;
}

ConvGrant *
new_grant(const char *role, const char *privilege, bool grantable)
{
	ConvGrant  *grant = palloc(sizeof(ConvGrant));

	grant->role = pstrdup(role);
	grant->privilege = privilege ? pstrdup(privilege) : NULL;
	grant->grantable = grantable;
	return grant;
}

/* ----------------------------------------------------------------
 * The document: "grants" of a schema, table, column, view, sequence
 * ----------------------------------------------------------------
 */

#define GRANT_OPTION " with grant option"

/*
 * One privilege as written: "select", "all", or either followed by "with
 * grant option".
 */
static void
build_privilege(List **grants, const char *role, const YNode *item,
				const char *path, const char *type)
{
	char	   *privilege = pstrdup(item->value ? item->value : "");
	size_t		len = strlen(privilege);
	bool		grantable = len > strlen(GRANT_OPTION) &&
		strcmp(privilege + len - strlen(GRANT_OPTION), GRANT_OPTION) == 0;
	const char *const *all = privileges_of(type);

	if (grantable)
		privilege[len - strlen(GRANT_OPTION)] = '\0';
	if (strcmp(privilege, "all") == 0)
	{
		for (int i = 0; all[i]; i++)
			*grants = lappend(*grants, new_grant(role, all[i], grantable));
		return;
	}
	if (!takes_privilege(type, privilege))
		doc_error(ERRCODE_INVALID_GRANT_OPERATION, item, path,
				  "\"%s\" is not a privilege of a %s: write %s or all",
				  privilege, asc_tolower(type, strlen(type)),
				  privilege_names(type));
	*grants = lappend(*grants, new_grant(role, privilege, grantable));
}

/* an object's "grants": its path is joined only when it has some */
List *
object_grants(const YNode *node, const char *path, const char *type)
{
	const YNode *value = map_get(node, "grants");

	return value ? grants_build(value, child_path(path, "grants"), type) : NIL;
}

/*
 * grants_build
 *		A "grants" mapping of role to privileges.  Roles are the cluster's,
 *		never created by convergence: one that does not exist is an error at
 *		its line.
 */
List *
grants_build(const YNode *value, const char *path, const char *type)
{
	List	   *grants = NIL;
	ListCell   *kc,
			   *vc;

	if (value == NULL)
		return NIL;
	foreach_entry(kc, vc, value)
	{
		const char *role = entry_name(kc);
		char	   *rpath = child_path(path, role);
		ListCell   *lc;

		if (strcmp(role, "public") != 0 &&
			!OidIsValid(get_role_oid(role, true)))
			doc_error(ERRCODE_UNDEFINED_OBJECT, lfirst(kc), rpath,
					  "role \"%s\" does not exist; roles are not created by convergence",
					  role);
		foreach(lc, ((YNode *) lfirst(vc))->items)
			build_privilege(&grants, role, lfirst(lc), rpath, type);
		/* "role: []" names the role: it is to hold nothing */
		if (((YNode *) lfirst(vc))->items == NIL)
			grants = lappend(grants, new_grant(role, NULL, false));
	}
	return grants;
}

/* ----------------------------------------------------------------
 * What kinds give: their objects' grants, wanted and held
 * ----------------------------------------------------------------
 */

GrantTarget *
add_grant_target(List **targets, const char *type, char *object,
				 const char *column, List *want, List *have,
				 const char *owner, bool recreated)
{
	GrantTarget *t = palloc0(sizeof(GrantTarget));

	t->type = type;
	t->object = object;
	t->column = column;
	t->want = want;
	t->have = have;
	t->owner = owner;
	t->recreated = recreated;
	*targets = lappend(*targets, t);
	return t;
}

/* what a SchemaGrants field at "offset" of an object holds */
#define FIELD_AT(object, offset, type) \
	(*(type *) ((char *) (object) + (offset)))

/*
 * The objects of a schema-level kind, each document one with the current
 * one it stands for (ConvKindOps.schema_grants).
 */
static void
schema_grant_targets(DiffState *ds, ConvKind kind, const SchemaGrants *sg,
					 List **targets)
{
	ListCell   *sc,
			   *lc;

	foreach(sc, ds->want_model->schemas)
	{
		ConvSchema *want = lfirst(sc);
		ConvSchema *have = find_schema(ds->have_model, want->name);
		List	   *current = have ? FIELD_AT(have, sg->list, List *) : NIL;

		foreach(lc, FIELD_AT(want, sg->list, List *))
		{
			ConvObject *w = lfirst(lc);
			void	   *h = sg->match ? sg->match(current, w) :
				find_by_name(current, w);

			add_grant_target(targets, sg->type,
							 sg->object ? sg->object(want->name, w) :
							 quote_qualified_identifier(want->name, w->name),
							 NULL, FIELD_AT(w, sg->grants, List *),
							 h ? FIELD_AT(h, sg->grants, List *) : NIL,
							 h ? FIELD_AT(h, sg->owner, char *) : NULL,
							 plan_creates(ds, kind, w));
		}
	}
}

/* ----------------------------------------------------------------
 * Comparing
 * ----------------------------------------------------------------
 */

/* what changes for one role on one object */
typedef struct GrantChange
{
	GrantTarget *target;
	const char *role;
	List	   *grant;			/* of char *: privileges to grant */
	List	   *grant_option;	/* to grant WITH GRANT OPTION */
	List	   *revoke;			/* to revoke */
	List	   *revoke_option;	/* to revoke the grant option of */
	bool		restore;		/* a role the document does not name, on an
								 * object created again */
} GrantChange;

static ConvGrant *
find_grant(List *grants, const char *role, const char *privilege)
{
	ListCell   *lc;

	foreach(lc, grants)
	{
		ConvGrant  *g = lfirst(lc);

		if (g->privilege && strcmp(g->role, role) == 0 &&
			strcmp(g->privilege, privilege) == 0)
			return g;
	}
	return NULL;
}

/* "wanted" and "held" privileges of one role, as changes */
static void
compare_role(GrantChange *gc, List *wanted, List *held)
{
	ListCell   *lc;

	foreach(lc, wanted)
	{
		ConvGrant  *w = lfirst(lc);
		ConvGrant  *h;

		if (w->privilege == NULL || strcmp(w->role, gc->role) != 0)
			continue;
		h = find_grant(held, gc->role, w->privilege);
		if (w->grantable && (h == NULL || !h->grantable))
			gc->grant_option = lappend(gc->grant_option, w->privilege);
		else if (h == NULL)
			gc->grant = lappend(gc->grant, w->privilege);
		else if (h->grantable && !w->grantable)
			gc->revoke_option = lappend(gc->revoke_option, w->privilege);
	}
	foreach(lc, held)
	{
		ConvGrant  *h = lfirst(lc);

		if (strcmp(h->role, gc->role) == 0 &&
			find_grant(wanted, gc->role, h->privilege) == NULL)
			gc->revoke = lappend(gc->revoke, h->privilege);
	}
}

static bool
names_role(List *grants, const char *role)
{
	ListCell   *lc;

	foreach(lc, grants)
		if (strcmp(((ConvGrant *) lfirst(lc))->role, role) == 0)
			return true;
	return false;
}

/*
 * Is a role's privileges on this object the document's to say?  A role
 * its grants name; any role the document names elsewhere, except PUBLIC
 * and the owner, which it manages only where it names them.
 */
static bool
managed_role(const GrantTarget *t, List *named, const char *role)
{
	if (names_role(t->want, role))
		return true;
	if (strcmp(role, "public") == 0 ||
		(t->owner && strcmp(role, t->owner) == 0) ||
		(t->recreated && strcmp(role, GetUserNameFromId(GetUserId(), false)) == 0))
		return false;
	return string_in(named, role);
}

/* a role's comparison, kept as a change if it changes anything */
static bool
add_grant_change(DiffState *ds, const GrantChange *gc)
{
	ConvChange *change;

	if (gc->grant == NIL && gc->grant_option == NIL && gc->revoke == NIL &&
		gc->revoke_option == NIL)
		return false;
	change = add_change(ds, KIND_GRANT, ACTION_ALTER, NULL, NULL, NULL);
	change->want = palloc(sizeof(GrantChange));
	memcpy(change->want, gc, sizeof(GrantChange));
	return true;
}

/* the roles "grants" name, added to "roles" where it does not hold them */
static List *
add_roles(List *roles, List *grants)
{
	ListCell   *lc;

	foreach(lc, grants)
	{
		const char *role = ((ConvGrant *) lfirst(lc))->role;

		if (!string_in(roles, role))
			roles = lappend(roles, (char *) role);
	}
	return roles;
}

/*
 * What an object the plan creates holds before any GRANT, its owner aside:
 * PUBLIC's USAGE of a type or domain.
 */
static List *
fresh_grants(const GrantTarget *t)
{
	const char *public_privilege = t->public_default ? t->public_default :
		default_public_privilege(t->type);

	if (public_privilege)
		return list_make1(new_grant("public", public_privilege, false));
	return NIL;
}

/*
 * One object: every role whose privileges are the document's to say, and,
 * on an object the plan creates again, every other role that held any.
 * True if any role's privileges change.  The comparison of an object that
 * keeps its privileges, as almost all do, leaves nothing: a thousand
 * tables have fourteen thousand objects to compare.
 */
static bool
diff_target(DiffState *ds, GrantTarget *t, List *named)
{
	List	   *roles = add_roles(add_roles(NIL, t->want), t->have);
	List	   *held = t->recreated ? fresh_grants(t) : t->have;
	bool		changed = false;
	ListCell   *lc;

	foreach(lc, named)
		if (!string_in(roles, lfirst(lc)))
			roles = lappend(roles, lfirst(lc));
	foreach(lc, roles)
	{
		GrantChange gc = {t, lfirst(lc)};

		if (managed_role(t, named, gc.role))
			compare_role(&gc, t->want, held);
		else if (t->recreated &&
				 (t->owner == NULL || strcmp(gc.role, t->owner) != 0))
		{
			gc.restore = true;
			compare_role(&gc, t->have, held);
		}
		changed |= add_grant_change(ds, &gc);
	}
	list_free(roles);
	return changed;
}

/* every role the document's grants name, PUBLIC aside */
static List *
named_roles(List *targets)
{
	List	   *named = NIL;
	ListCell   *tc,
			   *lc;

	foreach(tc, targets)
		foreach(lc, ((GrantTarget *) lfirst(tc))->want)
		{
			ConvGrant  *g = lfirst(lc);

			if (strcmp(g->role, "public") != 0 && !string_in(named, g->role))
				named = lappend(named, g->role);
		}
	return named;
}

/* once every kind has been compared: what each object is to hold */
static void
diff_grants(DiffState *ds)
{
	List	   *targets = NIL;
	List	   *named;
	ListCell   *lc;

	for (int kind = 0; kind < NUM_KINDS; kind++)
	{
		if (conv_kinds[kind]->schema_grants)
			schema_grant_targets(ds, kind, conv_kinds[kind]->schema_grants,
								 &targets);
		if (conv_kinds[kind]->grant_targets)
			conv_kinds[kind]->grant_targets(ds, &targets);
	}
	named = named_roles(targets);
	foreach(lc, targets)
		if (!diff_target(ds, lfirst(lc), named))
			pfree(lfirst(lc));
	list_free(targets);
	list_free(named);
}

/* ----------------------------------------------------------------
 * Planning
 * ----------------------------------------------------------------
 */

static const char *
role_sql(const char *role)
{
	return strcmp(role, "public") == 0 ? "PUBLIC" : quote_identifier(role);
}

/* "SELECT, UPDATE" or, for a column, "SELECT (c), UPDATE (c)" */
static char *
privileges_sql(const GrantTarget *t, List *privileges)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, privileges)
	{
		const char *p = lfirst(lc);

		appendStringInfo(&buf, "%s%s", buf.len ? ", " : "",
						 asc_toupper(p, strlen(p)));
		if (t->column)
			appendStringInfo(&buf, " (%s)", quote_identifier(t->column));
	}
	return buf.data;
}

static char *
target_object(const GrantTarget *t)
{
	if (t->object == NULL)
		return psprintf("%s.%s", t->prefix_object, asc_tolower(t->type,
															  strlen(t->type)));
	return t->column ? psprintf("%s.%s", t->object,
								quote_identifier(t->column)) :
		pstrdup(t->object);
}

/*
 * One statement: "GRANT <privileges> ON <object> TO <role>", after the
 * target's prefix (ALTER DEFAULT PRIVILEGES ...) when it has one.
 */
static void
add_grant_step(ConvPlanState *ps, const GrantChange *gc, const char *action,
			   const char *format, List *privileges, const char *reason)
{
	const GrantTarget *t = gc->target;
	const char *type = t->column ? "TABLE" : t->type;
	char	   *on = t->object ? psprintf("%s %s", type, t->object) :
		pstrdup(type);

	if (privileges == NIL)
		return;
	add_step(ps, action, target_object(t),
			 psprintf("%s%s", t->prefix ? t->prefix : "",
					  psprintf(format, privileges_sql(t, privileges), on,
							   role_sql(gc->role))),
			 psprintf(reason, gc->role), 0);
}

static void
plan_grant(ConvPlanState *ps, const ConvChange *change)
{
	const GrantChange *gc = change->want;
	const char *granted = gc->restore ?
		"%s held them before the object was created again" :
		"the document grants them to %s";

	add_grant_step(ps, gc, "revoke", "REVOKE %s ON %s FROM %s",
				   gc->revoke, "the document does not grant them to %s");
	add_grant_step(ps, gc, "revoke", "REVOKE GRANT OPTION FOR %s ON %s FROM %s",
				   gc->revoke_option,
				   "the document does not let %s grant them to others");
	add_grant_step(ps, gc, "grant", "GRANT %s ON %s TO %s",
				   gc->grant, granted);
	add_grant_step(ps, gc, "grant", "GRANT %s ON %s TO %s WITH GRANT OPTION",
				   gc->grant_option, granted);
}

/* ----------------------------------------------------------------
 * Export
 * ----------------------------------------------------------------
 */

/* does "role" hold exactly every privilege of the type, none grantable? */
static bool
holds_all(List *grants, const char *role, const char *type, bool grantable)
{
	const char *const *all = privileges_of(type);
	int			held = 0;
	ListCell   *lc;

	foreach(lc, grants)
	{
		ConvGrant  *g = lfirst(lc);

		if (strcmp(g->role, role) == 0)
		{
			if (g->grantable != grantable)
				return false;
			held++;
		}
	}
	for (int i = 0; all[i]; i++)
		if (find_grant(grants, role, all[i]) == NULL)
			return false;
	return held > 0;
}

/*
 * grants_emit_map
 *		Privileges as a mapping of role to privileges, but for an owner
 *		holding what an owner holds by default.  False when that leaves
 *		nothing to write.
 */
bool
grants_emit_map(Emitter *em, List *grants, const char *owner,
				const char *type, const char *key)
{
	List	   *roles = NIL;
	ListCell   *lc;

	foreach(lc, grants)
	{
		ConvGrant  *g = lfirst(lc);

		if (!string_in(roles, g->role) &&
			!(owner && strcmp(g->role, owner) == 0 &&
			  holds_all(grants, owner, type, false)))
			roles = lappend(roles, g->role);
	}
	if (roles == NIL)
		return false;
	if (key)
		emit_scalar(em, key, false);
	begin_mapping(em, true);
	foreach(lc, roles)
	{
		const char *role = lfirst(lc);
		List	   *privileges = NIL;
		ListCell   *gc;

		foreach(gc, grants)
		{
			ConvGrant  *g = lfirst(gc);

			if (g->privilege && strcmp(g->role, role) == 0)
				privileges = lappend(privileges,
									 g->grantable ?
									 psprintf("%s" GRANT_OPTION, g->privilege) :
									 g->privilege);
		}
		if (privileges_of(type)[1] == NULL)
			;					/* one privilege: its name says more */
		else if (holds_all(grants, role, type, false))
			privileges = list_make1("all");
		else if (holds_all(grants, role, type, true))
			privileges = list_make1("all" GRANT_OPTION);
		emit_scalar(em, role, false);
		emit_strings(em, privileges);
	}
	end_mapping(em);
	return true;
}

/*
 * grants_emit
 *		An object's "grants".  "public_expected": the object would let
 *		PUBLIC in (a type's, a function's default, or a schema whose ACL was
 *		set): where PUBLIC holds nothing, it is written "public: []".  A
 *		type's or function's privileges that are just the default are not
 *		written.
 */
void
grants_emit(Emitter *em, List *grants, const char *owner, const char *type,
			bool public_expected)
{
	const char *public_privilege = default_public_privilege(type);
	bool		public_none = true;
	ListCell   *lc;

	foreach(lc, grants)
		if (strcmp(((ConvGrant *) lfirst(lc))->role, "public") == 0)
			public_none = false;
	if (public_privilege && !public_none && list_length(grants) == 2 &&
		owner && find_grant(grants, owner, public_privilege) &&
		find_grant(grants, "public", public_privilege))
		return;
	if (public_expected && public_none)
		grants = lappend(list_copy(grants), new_grant("public", NULL, false));
	(void) grants_emit_map(em, grants, owner, type, "grants");
}

/* ----------------------------------------------------------------
 * A table's "grants"
 * ----------------------------------------------------------------
 */

static void
build_table_grants(DocContainer *dc, const char *key, const YNode *value,
				   const char *path)
{
	dc->table->grants = grants_build(value, path, "TABLE");
}

static void
emit_table_grants(Emitter *em, const ConvSchema *schema,
				  const ConvTable *table)
{
	grants_emit(em, table->grants, table->owner, "TABLE", false);
}

/* the document's tables, and each one's columns */
static void
table_grant_targets(DiffState *ds, List **targets)
{
	ListCell   *lc,
			   *cc;

	foreach(lc, ds->pairs)
	{
		TablePair  *pair = lfirst(lc);
		char	   *object = quote_qualified_identifier(pair->schema,
														pair->want->name);
		const char *owner = pair->have ? pair->have->owner : NULL;

		add_grant_target(targets, "TABLE", object, NULL, pair->want->grants,
						 pair->have ? pair->have->grants : NIL, owner,
						 pair->have == NULL);

		/* the document cannot say what a partition's columns grant */
		if (is_partition(pair->want))
			continue;
		foreach(cc, pair->want->columns)
		{
			ConvColumn *col = lfirst(cc);
			ConvColumn *have = NULL;

			if (pair->have)
				have = find_column(pair->have,
								   current_name_of(pair, col->name));
			add_grant_target(targets, "COLUMN", object, col->name,
							 col->grants, have ? have->grants : NIL, owner,
							 have == NULL);
		}
	}
}

static const KeySpec grant_doc_keys[] = {
	{"grants", V_NAMED_STRINGS},
	{NULL}
};

const ConvKindOps grant_kind = {
	.name = "grant",
	.diff_finish = diff_grants,
	.plan = {
		[ACTION_ALTER] = plan_grant,
	},
	.doc_place = DOC_TABLE,
	.doc_keys = grant_doc_keys,
	.build = build_table_grants,
	.emit = emit_table_grants,
	.grant_targets = table_grant_targets,
	.plural = "grants",
};
