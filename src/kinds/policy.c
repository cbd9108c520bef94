/*-------------------------------------------------------------------------
 *
 * policy.c
 *	  Row level security of a table, and its policies, compared by meaning.
 *
 * A policy's USING and WITH CHECK expressions are cooked against the real
 * relation, under the document's column names, as CREATE POLICY cooks
 * them, and compared with the stored trees, constants folded on both
 * sides (expr_trees_match), so a policy written differently but meaning
 * the same plans nothing: the failure of tools that compare policies by
 * name, or by text, is a stale policy in production.  Roles are compared
 * as sets.  What ALTER POLICY can express (roles, and expressions that
 * stay) is altered in place; a changed command or kind, or an expression
 * the document removes, means drop and create.  A policy that reads a
 * column the plan retypes or rebuilds is dropped before and created after
 * that change, as the server refuses to retype a column a policy uses;
 * so is one that calls a function the plan drops and creates again.
 *
 * Row level security itself (ENABLE / FORCE) is a kind of its own in this
 * file: turned on once the table's policies exist, with a hazard saying
 * that rows become invisible to roles no policy admits, and how many
 * policies each command will have.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_class.h"
#include "executor/spi.h"
#include "utils/acl.h"
#include "utils/builtins.h"

#include "kinds/kinds.h"

/* a policy's command as pg_policy.polcmd holds it, and as SQL says it */
static const struct
{
	char		polcmd;
	const char *name;
	const char *sql;
}			policy_commands[] = {
	{'*', "all", "ALL"},
	{'r', "select", "SELECT"},
	{'a', "insert", "INSERT"},
	{'w', "update", "UPDATE"},
	{'d', "delete", "DELETE"},
};

static int
command_index(char polcmd)
{
	for (int i = 0; i < lengthof(policy_commands); i++)
		if (policy_commands[i].polcmd == polcmd)
			return i;
	elog(ERROR, "unexpected policy command '%c'", polcmd);
}

#define command_name(polcmd) (policy_commands[command_index(polcmd)].name)

static char *
policy_object(const ConvChange *change, const ConvPolicy *policy)
{
	return psprintf("%s.%s", table_sql(change),
					quote_identifier(policy->name));
}

/* ----------------------------------------------------------------
 * The catalog
 * ----------------------------------------------------------------
 */

static void
read_policy_row(ConvTable *table, HeapTuple tup, TupleDesc desc)
{
	ConvPolicy *policy = palloc0(sizeof(ConvPolicy));

	policy->name = get_text(tup, desc, "polname");
	policy->command = *get_text(tup, desc, "polcmd");
	policy->permissive = get_bool(tup, desc, "polpermissive");
	policy->roles = get_text_list(tup, desc, "roles");
	policy->using_expr = get_text(tup, desc, "using_expr");
	policy->using_bin = get_text(tup, desc, "using_bin");
	policy->check_expr = get_text(tup, desc, "check_expr");
	policy->check_bin = get_text(tup, desc, "check_bin");
	policy->comment = get_text(tup, desc, "comment");
	table->policies = lappend(table->policies, policy);
}

static void
read_row_security_row(ConvTable *table, HeapTuple tup, TupleDesc desc)
{
	table->row_security = get_bool(tup, desc, "relrowsecurity");
	table->force_row_security = get_bool(tup, desc, "relforcerowsecurity");
}

/* roles sorted by name, PUBLIC (role 0) as "public" */
static void
read_policies(CatalogRead *cr)
{
	read_per_table(cr,
				   "r.relrowsecurity, r.relforcerowsecurity",
				   "JOIN pg_catalog.pg_class r ON r.oid = c.oid"
				   " ORDER BY c.oid",
				   read_row_security_row);
	read_per_table(cr,
				   "p.polname, p.polcmd::pg_catalog.text AS polcmd,"
				   " p.polpermissive,"
				   " (SELECT pg_catalog.array_agg(r.name ORDER BY r.name)"
				   "    FROM pg_catalog.unnest(p.polroles) AS u(role),"
				   "         LATERAL (SELECT CASE u.role WHEN 0 THEN 'public'"
				   "                  ELSE pg_catalog.pg_get_userbyid(u.role)::pg_catalog.text"
				   "                  END AS name) r) AS roles,"
				   " pg_catalog.pg_get_expr(p.polqual, p.polrelid) AS using_expr,"
				   " p.polqual::pg_catalog.text AS using_bin,"
				   " pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) AS check_expr,"
				   " p.polwithcheck::pg_catalog.text AS check_bin,"
				   " " COMMENT_OF("p.oid", "pg_policy") " AS comment",
				   "JOIN pg_catalog.pg_policy p ON p.polrelid = c.oid"
				   " ORDER BY c.oid, p.polname",
				   read_policy_row);
}

/* ----------------------------------------------------------------
 * The document: a table's "policies" and "row_level_security"
 * ----------------------------------------------------------------
 */

static int
compare_names(const ListCell *a, const ListCell *b)
{
	return strcmp(lfirst(a), lfirst(b));
}

/*
 * The roles a policy names: they must exist, since convergence creates no
 * roles (they are the cluster's); "public" is PUBLIC.  Sorted, as the
 * catalog side is.
 */
static List *
build_roles(const YNode *node, const char *path)
{
	List	   *roles = NIL;
	ListCell   *lc;

	if (node == NULL)
		return list_make1("public");
	foreach(lc, node->items)
	{
		YNode	   *item = lfirst(lc);

		if (item->value == NULL)
			doc_error(ERRCODE_INVALID_PARAMETER_VALUE, item, path,
					  "a role name is expected");
		if (strcmp(item->value, "public") != 0 &&
			!OidIsValid(get_role_oid(item->value, true)))
			doc_error(ERRCODE_UNDEFINED_OBJECT, item, path,
					  "role \"%s\" does not exist; roles are not created by convergence",
					  item->value);
		roles = list_append_unique(roles, makeString(item->value));
	}
	foreach(lc, roles)
		lfirst(lc) = strVal(lfirst(lc));
	list_sort(roles, compare_names);
	return roles;
}

static char
build_command(const YNode *node, const char *path)
{
	const YNode *v = map_get(node, "command");

	if (v == NULL)
		return '*';
	for (int i = 0; i < lengthof(policy_commands); i++)
		if (strcmp(policy_commands[i].name, v->value) == 0)
			return policy_commands[i].polcmd;
	doc_error(ERRCODE_INVALID_PARAMETER_VALUE, v, child_path(path, "command"),
			  "command must be all, select, insert, update or delete, found \"%s\"",
			  v->value);
	return '*';
}

static void *
build_policy(DocContainer *dc, const char *name, const YNode *node,
			 const char *path)
{
	ConvPolicy *policy = palloc0(sizeof(ConvPolicy));
	const YNode *v = map_get(node, "permissive");

	policy->name = pstrdup(name);
	policy->pos = node_pos(node, path);
	policy->command = build_command(node, path);
	policy->permissive = v == NULL ||
		doc_key_bool(v, path, "permissive");
	policy->roles = build_roles(map_get(node, "roles"),
								child_path(path, "roles"));
	policy->using_expr = map_string(node, "using");
	policy->using_pos = value_pos(node, "using", path);
	policy->check_expr = map_string(node, "with_check");
	policy->check_pos = value_pos(node, "with_check", path);
	policy->comment = doc_comment(node);
	if (policy->command == 'a' && policy->using_expr)
		doc_error(ERRCODE_SYNTAX_ERROR, map_get(node, "using"),
				  child_path(path, "using"),
				  "an insert policy takes only with_check");
	if ((policy->command == 'r' || policy->command == 'd') &&
		policy->check_expr)
		doc_error(ERRCODE_SYNTAX_ERROR, map_get(node, "with_check"),
				  child_path(path, "with_check"),
				  "a %s policy takes only using",
				  command_name(policy->command));
	return policy;
}

static void
build_policies(DocContainer *dc, const char *key, const YNode *value,
			   const char *path)
{
	const YNode *v;

	if (strcmp(key, "policies") == 0)
	{
		build_entries(dc, value, path, build_policy, &dc->table->policies);
		return;
	}
	v = map_get(value, "enabled");
	dc->table->row_security = v && doc_key_bool(v, path, "enabled");
	v = map_get(value, "forced");
	dc->table->force_row_security = v &&
		doc_key_bool(v, path, "forced");
}

static const KeySpec row_security_keys[] = {
	{"enabled", V_BOOL},
	{"forced", V_BOOL},
	{NULL}
};

static const KeySpec policy_keys[] = {
	{"command", V_STRING},
	{"permissive", V_BOOL},
	{"roles", V_STRINGS},
	{"using", V_EXPR},
	{"with_check", V_EXPR},
	{"comment", V_STRING},
	{NULL}
};

static const KeySpec policy_doc_keys[] = {
	{"row_level_security", V_MAPPING, row_security_keys},
	{"policies", V_NAMED, policy_keys},
	{NULL}
};

/* ----------------------------------------------------------------
 * Comparing
 * ----------------------------------------------------------------
 */

/* does a current policy expression mean the document's? */
static bool
expr_same(const char *want, const DocPos *pos, const char *have_bin,
		  const TableDiff *td)
{
	if (want == NULL || have_bin == NULL)
		return want == NULL && have_bin == NULL;
	return expr_policy_matches(want, pos, td->pair, have_bin);
}

static List *
policy_reads(void *want)
{
	ConvPolicy *p = want;
	List	   *reads = NIL;

	if (p->using_expr)
		reads = expr_column_refs(p->using_expr, &p->using_pos);
	if (p->check_expr)
		reads = list_concat(reads,
							expr_column_refs(p->check_expr, &p->check_pos));
	return reads;
}

/* does an expression name what the plan creates (a label, a sequence)? */
static bool
names_what_plan_creates(DiffState *ds, const ConvPolicy *p)
{
	return (p->using_expr &&
			names_created(ds, p->using_expr, &p->using_pos)) ||
		(p->check_expr && names_created(ds, p->check_expr, &p->check_pos));
}

/*
 * Kept when ALTER POLICY can make it the document's: the same command and
 * kind, and no expression the document removes.
 */
static bool
policy_same(DiffState *ds, const ConvChange *proto, void *context,
			void *want, void *have)
{
	ConvPolicy *w = want;
	ConvPolicy *h = have;

	return w->command == h->command && w->permissive == h->permissive &&
		(w->using_expr || !h->using_expr) &&
		(w->check_expr || !h->check_expr) &&
		!names_what_plan_creates(ds, w);
}

/* what differs in a kept policy, as POLICY_* bits */
#define POLICY_ROLES	(1 << 0)
#define POLICY_USING	(1 << 1)
#define POLICY_CHECK	(1 << 2)
#define POLICY_COMMENT	(1 << 3)

static void
policy_kept(DiffState *ds, const ConvChange *proto, void *context,
			void *want, void *have)
{
	ConvPolicy *w = want;
	ConvPolicy *h = have;
	int			what = 0;
	ConvChange *change;

	if (!strings_equal(w->roles, h->roles))
		what |= POLICY_ROLES;
	if (!expr_same(w->using_expr, &w->using_pos, h->using_bin, context))
		what |= POLICY_USING;
	if (!expr_same(w->check_expr, &w->check_pos, h->check_bin, context))
		what |= POLICY_CHECK;
	if (strings_differ(w->comment, h->comment))
		what |= POLICY_COMMENT;
	if (what == 0)
		return;
	change = add_change(ds, KIND_POLICY, ACTION_ALTER, proto->schema,
						proto->want_table, proto->have_table);
	change->want = w;
	change->have = h;
	change->what = what;
}

/*
 * A new policy on a table that exists is cooked against it now, so that a
 * column or function it names wrongly is the document's error at its line
 * rather than the failure of a step.
 */
static void
policy_created(DiffState *ds, ConvChange *change, void *context)
{
	TableDiff  *td = context;
	ConvPolicy *p = change->want;

	if (td->have == NULL || names_overlap(policy_reads(p), td->reshaped) ||
		names_what_plan_creates(ds, p))
		return;
	if (p->using_expr)
		expr_check_policy(p->using_expr, &p->using_pos, td->pair);
	if (p->check_expr)
		expr_check_policy(p->check_expr, &p->check_pos, td->pair);
}

/*
 * A policy of a table the plan creates is read against the document's
 * table; one with a subquery (which may read a table the plan creates
 * too) or naming what the plan creates is left to CREATE POLICY.
 */
static void
check_new_policy_expr(const char *text, const DocPos *pos,
					  const ConvTable *table)
{
	if (text && !expr_has_subquery(text, pos))
		expr_check_position(text, pos, table, EXPR_KIND_POLICY);
}

static void
policy_check_created(DiffState *ds, const ConvChange *change)
{
	ConvPolicy *p = change->want;

	if (change->have_table || names_what_plan_creates(ds, p))
		return;
	check_new_policy_expr(p->using_expr, &p->using_pos, change->want_table);
	check_new_policy_expr(p->check_expr, &p->check_pos, change->want_table);
}

/*
 * The dependency graph: a policy that calls a function the plan drops,
 * even for good, since ALTER POLICY would run after the function is gone.
 */
static const char *
policy_rebuilt(DiffState *ds, void *have)
{
	ConvPolicy *p = have;
	const char *why = stored_calls_dropped(ds, p->using_bin, true);

	return why ? why : stored_calls_dropped(ds, p->check_bin, true);
}

static void
diff_policies(DiffState *ds, TableDiff *td)
{
	static const Reconcile how = {
		.same = policy_same,
		.created = policy_created,
		.kept = policy_kept,
		.rebuilt = policy_rebuilt,
		.reads = policy_reads,
	};

	reconcile_members(ds, KIND_POLICY, &how, td, td->schema, td->want,
					  td->have, offsetof(ConvTable, policies));
}

/* ----------------------------------------------------------------
 * Planning
 * ----------------------------------------------------------------
 */

static char *
roles_sql(List *roles)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, roles)
		appendStringInfo(&buf, "%s%s", buf.len ? ", " : "",
						 strcmp(lfirst(lc), "public") == 0 ? "PUBLIC" :
						 quote_identifier(lfirst(lc)));
	return buf.data;
}

static void
plan_create_policy(ConvPlanState *ps, const ConvChange *change)
{
	ConvPolicy *p = change->want;
	StringInfoData sql;

	initStringInfo(&sql);
	appendStringInfo(&sql, "CREATE POLICY %s ON %s",
					 quote_identifier(p->name), table_sql(change));
	if (!p->permissive)
		appendStringInfoString(&sql, " AS RESTRICTIVE");
	if (p->command != '*')
		appendStringInfo(&sql, " FOR %s",
						 policy_commands[command_index(p->command)].sql);
	appendStringInfo(&sql, " TO %s", roles_sql(p->roles));
	if (p->using_expr)
		appendStringInfo(&sql, " USING %s", expr_sql(p->using_expr));
	if (p->check_expr)
		appendStringInfo(&sql, " WITH CHECK %s", expr_sql(p->check_expr));
	add_step(ps, "create_policy", policy_object(change, p), sql.data,
			 change->have ?
			 made_again_because(change, pstrdup("the policy's command, kind or expressions differ from the document")) :
			 pstrdup("policy is declared in the document and does not exist"),
			 0);
}

static void
plan_alter_policy(ConvPlanState *ps, const ConvChange *change)
{
	ConvPolicy *w = change->want;
	StringInfoData sql;
	StringInfoData reason;

	if (change->what & (POLICY_ROLES | POLICY_USING | POLICY_CHECK))
	{
		initStringInfo(&sql);
		initStringInfo(&reason);
		appendStringInfo(&sql, "ALTER POLICY %s ON %s",
						 quote_identifier(w->name), table_sql(change));
		if (change->what & POLICY_ROLES)
			appendStringInfo(&sql, " TO %s", roles_sql(w->roles));
		if (change->what & POLICY_USING)
			appendStringInfo(&sql, " USING %s", expr_sql(w->using_expr));
		if (change->what & POLICY_CHECK)
			appendStringInfo(&sql, " WITH CHECK %s", expr_sql(w->check_expr));
		if (change->what & POLICY_ROLES)
			appendStringInfoString(&reason, ", roles");
		if (change->what & POLICY_USING)
			appendStringInfoString(&reason, ", using");
		if (change->what & POLICY_CHECK)
			appendStringInfoString(&reason, ", with_check");
		add_step(ps, "alter_policy", policy_object(change, w), sql.data,
				 psprintf("%s: not what the document says", reason.data + 2),
				 0);
	}
	if (change->what & POLICY_COMMENT)
		add_step(ps, "comment_policy", policy_object(change, w),
				 psprintf("COMMENT ON POLICY %s ON %s IS %s",
						  quote_identifier(w->name), table_sql(change),
						  w->comment ? quote_literal_cstr(w->comment) :
						  "NULL"),
				 pstrdup("comment differs from the document"), 0);
}

static void
plan_drop_policy(ConvPlanState *ps, const ConvChange *change)
{
	ConvPolicy *p = change->have;

	add_step(ps, "drop_policy", policy_object(change, p),
			 psprintf("DROP POLICY %s ON %s", quote_identifier(p->name),
					  table_sql(change)),
			 psprintf("policy %s", dropped_because(ps, change)), 0);
}

/* a new policy's comment comes with the comment phase */
static void
plan_new_comment(ConvPlanState *ps, const ConvChange *change)
{
	ConvPolicy *p = change->want;
	ConvChange	alter = *change;

	if (change->action != ACTION_CREATE || p->comment == NULL)
		return;
	alter.what = POLICY_COMMENT;
	plan_alter_policy(ps, &alter);
}

/* ----------------------------------------------------------------
 * Export
 * ----------------------------------------------------------------
 */

static void
emit_policy(Emitter *em, const ConvPolicy *p)
{
	emit_scalar(em, p->name, false);
	begin_mapping(em, true);
	if (p->command != '*')
		emit_pair(em, "command", command_name(p->command));
	if (!p->permissive)
		emit_pair(em, "permissive", "false");
	if (list_length(p->roles) != 1 ||
		strcmp(linitial(p->roles), "public") != 0)
	{
		emit_scalar(em, "roles", false);
		emit_strings(em, p->roles);
	}
	if (p->using_expr)
		emit_pair(em, "using", p->using_expr);
	if (p->check_expr)
		emit_pair(em, "with_check", p->check_expr);
	if (p->comment)
		emit_pair(em, "comment", p->comment);
	end_mapping(em);
}

static void
emit_policies(Emitter *em, const ConvSchema *schema, const ConvTable *table)
{
	ListCell   *lc;

	if (table->row_security)
	{
		emit_scalar(em, "row_level_security", false);
		begin_mapping(em, true);
		emit_pair(em, "enabled", "true");
		if (table->force_row_security)
			emit_pair(em, "forced", "true");
		end_mapping(em);
	}
	if (table->policies == NIL)
		return;
	emit_scalar(em, "policies", false);
	begin_mapping(em, false);
	foreach(lc, table->policies)
		emit_policy(em, lfirst(lc));
	end_mapping(em);
}

/* the script's fingerprint: a policy's command, roles and expressions */
static const char *const policies_fingerprint =
"SELECT 'policy',"
" pg_catalog.format('%I.%I.%I', n.nspname, c.relname, p.polname),"
" pg_catalog.concat_ws(' ', p.polcmd, p.polpermissive,"
"   (SELECT pg_catalog.string_agg(r.name, ',' ORDER BY r.name)"
"      FROM (SELECT CASE u.role WHEN 0 THEN 'public' ELSE"
"                   pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(u.role))"
"                   END AS name"
"              FROM pg_catalog.unnest(p.polroles) AS u(role)) r),"
"   'using ' || pg_catalog.pg_get_expr(p.polqual, p.polrelid),"
"   'check ' || pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid),"
"   'comment=' || pg_catalog.quote_literal("
"     " COMMENT_OF("p.oid", "pg_policy") "))"
" FROM pg_catalog.pg_policy p"
" JOIN pg_catalog.pg_class c ON c.oid = p.polrelid"
" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
" WHERE" FP_MANAGED("n.nspname")
"   AND" NOT_EXTENSION_MEMBER("pg_class", "c.oid");

const ConvKindOps policy_kind = {
	.name = "policy",
	.diff_member = diff_policies,
	.check_created = policy_check_created,
	.plan = {
		[ACTION_CREATE] = plan_create_policy,
		[ACTION_ALTER] = plan_alter_policy,
		[ACTION_DROP] = plan_drop_policy,
	},
	.plan_comments = plan_new_comment,
	.doc_place = DOC_TABLE,
	.doc_keys = policy_doc_keys,
	.build = build_policies,
	.read = read_policies,
	.fingerprint = policies_fingerprint,
	.emit = emit_policies,
	.plural = "policies",
};

/* ----------------------------------------------------------------
 * Row level security: ENABLE and FORCE
 * ----------------------------------------------------------------
 */

#define ROW_SECURITY_ENABLED	(1 << 0)
#define ROW_SECURITY_FORCED		(1 << 1)

static void
diff_row_security(DiffState *ds, TableDiff *td)
{
	bool		enabled = td->have ? td->have->row_security : false;
	bool		forced = td->have ? td->have->force_row_security : false;
	ConvChange *change;

	if (td->want->row_security == enabled &&
		td->want->force_row_security == forced)
		return;
	change = add_change(ds, KIND_ROW_SECURITY, ACTION_ALTER, td->schema,
						td->want, td->have);
	change->what = (td->want->row_security != enabled ?
					ROW_SECURITY_ENABLED : 0) |
		(td->want->force_row_security != forced ? ROW_SECURITY_FORCED : 0);
}

/*
 * How many of the document's policies admit rows for each command (a
 * policy FOR ALL counts for every one): what roles will see once row
 * level security is on.
 */
static char *
policy_counts(const ConvTable *table)
{
	int			counts[lengthof(policy_commands)] = {0};
	StringInfoData buf;
	ListCell   *lc;

	foreach(lc, table->policies)
	{
		ConvPolicy *p = lfirst(lc);

		for (int i = 1; i < lengthof(policy_commands); i++)
			if (p->permissive &&
				(p->command == '*' || p->command == policy_commands[i].polcmd))
				counts[i]++;
	}
	initStringInfo(&buf);
	for (int i = 1; i < lengthof(policy_commands); i++)
		appendStringInfo(&buf, "%s%d for %s", i > 1 ? ", " : "", counts[i],
						 policy_commands[i].name);
	return buf.data;
}

static void
plan_row_security(ConvPlanState *ps, const ConvChange *change)
{
	ConvTable  *want = change->want_table;
	char	   *table = table_sql(change);

	if (change->what & ROW_SECURITY_ENABLED)
		add_step(ps, want->row_security ? "enable_row_security" :
				 "disable_row_security", pstrdup(table),
				 psprintf("ALTER TABLE %s %s ROW LEVEL SECURITY", table,
						  want->row_security ? "ENABLE" : "DISABLE"),
				 want->row_security ?
				 psprintf("rows are visible only through policies: permissive policies %s",
						  policy_counts(want)) :
				 pstrdup("row level security is not declared in the document: every role with privileges on the table sees every row"),
				 want->row_security && change->have_table ?
				 HAZARD_ROWS_HIDDEN : 0);
	if (change->what & ROW_SECURITY_FORCED)
		add_step(ps, want->force_row_security ? "force_row_security" :
				 "no_force_row_security", pstrdup(table),
				 psprintf("ALTER TABLE %s %sFORCE ROW LEVEL SECURITY", table,
						  want->force_row_security ? "" : "NO "),
				 want->force_row_security ?
				 pstrdup("the table's owner is held to the policies too") :
				 pstrdup("the table's owner bypasses the policies"),
				 want->force_row_security && change->have_table ?
				 HAZARD_ROWS_HIDDEN : 0);
}

const ConvKindOps row_security_kind = {
	.name = "row level security",
	.diff_member = diff_row_security,
	.plan = {
		[ACTION_ALTER] = plan_row_security,
	},
};
