/*-------------------------------------------------------------------------
 *
 * domain.c
 *	  Domains: created, dropped, default and NOT NULL altered in place, or
 *	  recreated over their recreated enum.
 *
 * A domain's CHECKs are their own kind (domain_check.c), reconciled here
 * because they belong to the domain.  A domain's new rules are probed
 * against the rows of every current column of the domain (diff_finish
 * attaches them once every table is paired); a column of a table the
 * document does not manage cannot be probed, so such a step is refused.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/ruleutils.h"

#include "kinds/kinds.h"

#define find_domain(domains, key) \
	((ConvDomain *) find_named((domains), (key)))

static void domain_checks_diff(DiffState *ds, ConvDomain *want,
							   ConvDomain *have);
static void domain_check_added(DiffState *ds, ConvDomain *domain,
							   ConvCheck *check);

static ConvChange *
add_domain_change(DiffState *ds, ConvAction action, ConvDomain *want,
				  ConvDomain *have)
{
	ConvChange *change = add_change(ds, KIND_DOMAIN, action,
									want ? want->schema : have->schema,
									NULL, NULL);

	change->want = change->of.domain.want = want;
	change->have = change->of.domain.have = have;
	/* a new domain over a new domain or enum is made after it */
	if (action == ACTION_CREATE)
	{
		DomainPair *dp = diff_note(ds, want);

		if (dp->base_domain)
			change->needs = list_make1(dp->base_domain->want);
		else if (dp->base_enum)
			change->needs = list_make1(dp->base_enum->want);
	}
	return change;
}

/*
 * One domain that exists: default and NOT NULL compared as the server
 * cooks them, CHECKs as cooked trees (a changed one is dropped and added
 * again, and checked against every column of the domain first).
 */
static void
diff_domain(DiffState *ds, ConvDomain *want, ConvDomain *have)
{
	int			what = 0;

	if (want->type_oid != have->type_oid || want->typmod != have->typmod)
		what |= DOMAIN_TYPE;
	else if (want->collation_oid != have->collation_oid)
		what |= DOMAIN_COLLATION;
	else if (names_created(ds, want->default_expr, &want->default_pos) ||
			 !expr_domain_default_matches(want, have))
		what |= DOMAIN_DEFAULT;
	if (want->not_null != have->not_null)
		what |= DOMAIN_NOT_NULL;
	if (strings_differ(want->comment, have->comment))
		what |= DOMAIN_COMMENT;
	if (what)
		add_domain_change(ds, ACTION_ALTER, want, have)->what = what;
	if (what & (DOMAIN_TYPE | DOMAIN_COLLATION))
		return;
	domain_checks_diff(ds, want, have);
}

/* a domain's base type, which may be an enum of the document */
static void
resolve_domain_base(DiffState *ds, DomainPair *dp)
{
	ConvDomain *domain = dp->want;
	ConvColumn	base = {0};
	ColumnNote	note = {0};

	base.name = domain->name;
	base.type_name = domain->type_name;
	base.type_pos = domain->type_pos;
	base.typmod = -1;
	resolve_doc_type(ds, &base, domain->schema, &note);
	domain->type_oid = base.type_oid;
	domain->typmod = base.typmod;
	if (!note.doc_enum_array)
		dp->base_enum = note.doc_enum;
	dp->base_domain = note.doc_domain;
	domain->collation_oid = domain->collation ?
		expr_collation_oid(domain->collation, &domain->pos) :
		OidIsValid(domain->type_oid) ? get_typcollation(domain->type_oid) :
		InvalidOid;
}

/* pair the document's domains of a schema with the current ones */
static void
pair_domains(DiffState *ds, ConvSchema *schema, ConvSchema *current)
{
	ListCell   *lc;

	/* pair them all first: a domain may be over another one */
	foreach(lc, schema->domains)
	{
		DomainPair *dp = palloc0(sizeof(DomainPair));

		dp->want = lfirst(lc);
		dp->have = current ? find_domain(current->domains,
										 dp->want->name) : NULL;
		if (dp->have == NULL)
			dp->build_name = dp->want->name;
		ds->domains = lappend(ds->domains, dp);
		set_diff_note(ds, dp->want, dp);
	}
	foreach(lc, ds->domains)
		if (strcmp(((DomainPair *) lfirst(lc))->want->schema,
				   schema->name) == 0)
			resolve_domain_base(ds, lfirst(lc));
}

/*
 * A domain over an enum the plan recreates is recreated too, over the new
 * enum.  Its CHECKs come back once the new enum has its name: a CHECK
 * written 'x'::schema.enum would bind to the old one.  The columns' rows
 * were checked against them as they moved.
 */
static void
recreate_domain(DiffState *ds, DomainPair *dp)
{
	ListCell   *cc;

	dp->build_name = free_type_name(dp->want->schema, dp->want->name);
	add_domain_change(ds, ACTION_CREATE, dp->want, dp->have);
	add_domain_change(ds, ACTION_REPLACE, dp->want, dp->have);
	foreach(cc, dp->want->checks)
		domain_check_added(ds, dp->want, lfirst(cc));
}

/* a domain over another dropped domain is dropped before it */
static void
drop_undeclared(DiffState *ds, ConvSchema *schema, ConvSchema *current)
{
	ListCell   *lc;

	for (int pass = 0; pass < 2; pass++)
		foreach(lc, current->domains)
		{
			ConvDomain *d = lfirst(lc);
			bool		over_dropped = false;
			ListCell   *bc;

			if (find_domain(schema->domains, d->name) != NULL)
				continue;
			foreach(bc, current->domains)
				if (((ConvDomain *) lfirst(bc))->oid == d->type_oid &&
					find_domain(schema->domains,
								((ConvDomain *) lfirst(bc))->name) == NULL)
					over_dropped = true;
			if (over_dropped == (pass == 0))
				add_domain_change(ds, ACTION_DROP, NULL, d);
		}
}

static void
diff_schema_domains(DiffState *ds, ConvSchema *schema, ConvSchema *current)
{
	ListCell   *lc;

	pair_domains(ds, schema, current);

	/* (a new domain over a new domain is planned after it: its needs) */
	foreach(lc, ds->domains)
	{
		DomainPair *dp = lfirst(lc);

		if (strcmp(dp->want->schema, schema->name) == 0 && dp->have == NULL)
			add_domain_change(ds, ACTION_CREATE, dp->want, NULL);
	}
	foreach(lc, ds->domains)
	{
		DomainPair *dp = lfirst(lc);

		if (strcmp(dp->want->schema, schema->name) != 0 || dp->have == NULL)
			continue;
		if (dp->base_enum && dp->base_enum->build_name)
			recreate_domain(ds, dp);
		else
			diff_domain(ds, dp->want, dp->have);
	}
	if (current)
		drop_undeclared(ds, schema, current);
}

static void
diff_domains(DiffState *ds)
{
	ListCell   *sc;

	foreach(sc, ds->want_model->schemas)
	{
		ConvSchema *schema = lfirst(sc);

		diff_schema_domains(ds, schema,
							find_schema(ds->have_model, schema->name));
	}
}

/* does this change put a new rule on the rows of the domain's columns? */
static bool
probes_users(const ConvChange *change)
{
	return change->of.domain.have &&
		((change->kind == KIND_DOMAIN_CHECK &&
		  change->action == ACTION_CREATE) ||
		 (change->kind == KIND_DOMAIN && change->action == ACTION_ALTER));
}

static ConvChange *
domain_user(TablePair *pair, ConvColumn *want, ConvColumn *have)
{
	ConvChange *user = palloc0(sizeof(ConvChange));

	user->kind = KIND_COLUMN;
	user->action = have ? ACTION_ALTER : ACTION_CREATE;
	user->schema = pair->schema;
	user->want_table = pair->want;
	user->have_table = pair->have;
	user->pair = pair;
	user->want = want;
	user->have = have;
	return user;
}

/* is this document column one the table has now (under any name)? */
static bool
column_exists(const ConvTable *have, const ConvColumn *want)
{
	return have &&
		(find_named(have->columns, want->name) ||
		 (want->renamed_from &&
		  find_named(have->columns, want->renamed_from)));
}

/*
 * The current columns of each domain a step changes, so the step can be
 * checked against their rows; and the columns of it the plan adds, whose
 * defaults the new rule must accept too.
 */
static void
attach_domain_users(DiffState *ds)
{
	ListCell   *lc,
			   *pc,
			   *cc;

	foreach(lc, ds->changes)
	{
		ConvChange *change = lfirst(lc);
		Oid			domain;

		if (!probes_users(change))
			continue;
		domain = change->of.domain.have->oid;
		foreach(pc, ds->pairs)
		{
			TablePair  *pair = lfirst(pc);

			foreach(cc, pair->have ? pair->have->columns : NIL)
				if (((ConvColumn *) lfirst(cc))->type_oid == domain)
					change->users = lappend(change->users,
											domain_user(pair, NULL,
														lfirst(cc)));
			foreach(cc, pair->want->columns)
				if (((ConvColumn *) lfirst(cc))->type_oid == domain &&
					!column_exists(pair->have, lfirst(cc)))
					change->of.domain.new_users =
						lappend(change->of.domain.new_users,
								domain_user(pair, lfirst(cc), NULL));
		}
	}
}

/* ----------------------------------------------------------------
 * Steps
 * ----------------------------------------------------------------
 */

/* the domain at the bottom of a chain of domains the plan creates */
const ConvDomain *
domain_base(const DomainPair *dp)
{
	while (!OidIsValid(dp->want->type_oid) && dp->base_domain)
		dp = dp->base_domain;
	return dp->want;
}

/*
 * Rows whose value would break a CHECK or NOT NULL of a domain: each CHECK
 * is evaluated with VALUE bound to the column.
 */
char *
domain_misfits(const ConvDomain *d, const char *col)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	if (d->not_null)
		appendStringInfo(&buf, "%s IS NULL", col);
	foreach(lc, d->checks)
		appendStringInfo(&buf, "%s(SELECT %s FROM (SELECT %s AS value) AS converge_v) IS FALSE",
						 buf.len ? " OR " : "",
						 expr_sql(((ConvCheck *) lfirst(lc))->expr), col);
	return buf.len ? buf.data : pstrdup("false");
}

static char *
domain_object(const ConvDomain *d)
{
	return quote_qualified_identifier(d->schema, d->name);
}

/* the document's name of the current column a domain user stands for */
static const char *
user_column_name(const ConvChange *user)
{
	return doc_name_of(user->pair, ((const ConvColumn *) user->have)->name);
}

/* one probe per current column of the domain */
static void
probe_domain_users(ConvPlanState *ps, ConvStep *step, const ConvChange *change,
				   char *(*failing) (const ConvChange *change,
									 const char *col),
				   const char *failing_text)
{
	ListCell   *lc;

	foreach(lc, change->users)
	{
		ConvChange *user = lfirst(lc);
		const char *name = user_column_name(user);
		ConvProbe  *probe;

		probe = set_probe_on(ps, step, user, ROWS_NOW, NULL,
							 failing(change, quote_identifier(name)),
							 failing_text, REFUSE_ALWAYS, FIX_ROWS);
		probe->label = psprintf("%s.%s", table_sql(user),
								quote_identifier(name));
	}
}

/* a domain rule the rows of a table outside the document would have to meet */
static void
refuse_unchecked_rows(ConvStep *step, const ConvDomain *have)
{
	if (have->rows_outside == NULL || step->problem)
		return;
	step->problem = psprintf("table %s has a column of the domain and is not managed by the document, so its rows cannot be checked",
							 have->rows_outside);
	step->rows_affected = -1;
}

static char *
domain_check_misfits(const ConvChange *change, const char *col)
{
	return psprintf("(SELECT %s FROM (SELECT %s AS value) AS converge_v) IS FALSE",
					expr_sql(((ConvCheck *) change->want)->expr), col);
}

static char *
domain_null_misfits(const ConvChange *change, const char *col)
{
	return psprintf("%s IS NULL", col);
}

static void
plan_create_domain(ConvPlanState *ps, const ConvChange *change)
{
	ConvDomain *d = change->want;
	DomainPair *dp = diff_note(ps->diff, d);
	ConvStep   *step;
	StringInfoData sql;
	ListCell   *lc;

	initStringInfo(&sql);
	appendStringInfo(&sql, "CREATE DOMAIN %s AS %s",
					 quote_qualified_identifier(d->schema, dp->build_name),
					 dp->base_enum && dp->base_enum->build_name ?
					 quote_qualified_identifier(dp->base_enum->want->schema,
												dp->base_enum->build_name) :
					 dp->base_domain ?
					 quote_qualified_identifier(dp->base_domain->want->schema,
												dp->base_domain->build_name) :
					 format_type_with_typemod(d->type_oid, d->typmod));
	if (d->collation)
		appendStringInfo(&sql, " COLLATE %s",
						 generate_collation_name(d->collation_oid));
	/* casts to an enum the plan recreates reach its temporary name */
	if (d->default_expr)
		appendStringInfo(&sql, " DEFAULT %s",
						 enum_retyped(dp->base_enum, d->default_expr,
									  &d->default_pos));
	if (d->not_null)
		appendStringInfoString(&sql, " NOT NULL");
	/* a recreated domain gets its CHECKs after the renames (diff.c) */
	foreach(lc, change->of.domain.have ? NIL : d->checks)
	{
		ConvCheck  *check = lfirst(lc);

		appendStringInfo(&sql, " CONSTRAINT %s CHECK %s",
						 quote_identifier(check->name),
						 enum_retyped(dp->base_enum, check->expr,
									  &check->pos));
	}
	step = add_step(ps, "create_domain", domain_object(d), sql.data,
					change->of.domain.have ?
					pstrdup("recreated over its recreated enum") :
					pstrdup("domain is declared in the document and does not exist"),
					0);
	if (change->of.domain.have)
		refuse_if_used(step, change->of.domain.have->used_outside, "domain",
					   "recreated");
	enum_refuse_label(step, enum_label_problem(dp->base_enum, "default",
											   d->default_expr,
											   &d->default_pos, true,
											   false));
	if (d->comment && change->of.domain.have == NULL)
		add_comment(ps, "comment_domain", "DOMAIN", domain_object(d),
					d->comment);
}

static void
plan_alter_domain(ConvPlanState *ps, const ConvChange *change)
{
	ConvDomain *want = change->want;
	ConvDomain *have = change->have;
	char	   *object = domain_object(want);
	char	   *alter = psprintf("ALTER DOMAIN %s", object);
	int			what = change->what;
	ConvStep   *step;

	if (what & DOMAIN_TYPE)
	{
		step = add_step(ps, "alter_domain_type", object,
						psprintf("-- %s AS %s", object,
								 format_type_with_typemod(want->type_oid,
														  want->typmod)),
						psprintf("type: %s -> %s", have->type_name,
								 format_type_with_typemod(want->type_oid,
														  want->typmod)),
						0);
		step->problem = pstrdup("changing the base type of a domain is not supported yet");
		step->rows_affected = -1;
	}
	if (what & DOMAIN_COLLATION)
	{
		step = add_step(ps, "alter_domain_collation", object,
						psprintf("-- %s COLLATE %s", object,
								 want->collation ? want->collation :
								 "(default)"),
						pstrdup("collation differs from the document"), 0);
		step->problem = pstrdup("changing the collation of a domain is not supported yet");
		step->rows_affected = -1;
	}
	if (what & DOMAIN_DEFAULT)
		add_step(ps, want->default_expr ? "set_domain_default" :
				 "drop_domain_default", object,
				 want->default_expr ?
				 psprintf("%s SET DEFAULT %s", alter,
						  expr_sql(want->default_expr)) :
				 psprintf("%s DROP DEFAULT", alter),
				 psprintf("default: %s -> %s",
						  have->default_expr ? have->default_expr : "(none)",
						  want->default_expr ? want->default_expr : "(none)"),
				 0);
	if ((what & DOMAIN_NOT_NULL) && want->not_null)
	{
		step = add_step(ps, "set_domain_not_null", object,
						psprintf("%s SET NOT NULL", alter),
						pstrdup("nullable: true -> false"), HAZARD_FULL_SCAN);
		probe_domain_users(ps, step, change, domain_null_misfits,
						   "would violate NOT NULL");
		refuse_unchecked_rows(step, have);
	}
	else if (what & DOMAIN_NOT_NULL)
		add_step(ps, "drop_domain_not_null", object,
				 psprintf("%s DROP NOT NULL", alter),
				 pstrdup("nullable: false -> true"), 0);
	if (what & DOMAIN_COMMENT)
		add_comment(ps, "comment_domain", "DOMAIN", object,
					want->comment);
}


static void
plan_finish_domain(ConvPlanState *ps, const ConvChange *change)
{
	ConvDomain *d = change->want;
	DomainPair *dp = diff_note(ps->diff, d);

	add_step(ps, "drop_domain", domain_object(d),
			 psprintf("DROP DOMAIN %s", domain_object(d)),
			 pstrdup("every column has moved to the recreated domain"), 0);
	add_step(ps, "rename_domain", domain_object(d),
			 psprintf("ALTER DOMAIN %s RENAME TO %s",
					  quote_qualified_identifier(d->schema, dp->build_name),
					  quote_identifier(d->name)),
			 pstrdup("the recreated domain takes the name"), 0);
	if (d->comment)
		add_comment(ps, "comment_domain", "DOMAIN", domain_object(d),
					d->comment);
}

static void
plan_drop_domain(ConvPlanState *ps, const ConvChange *change)
{
	ConvDomain *have = change->have;
	ConvStep   *step;

	step = add_step(ps, "drop_domain", domain_object(have),
					psprintf("DROP DOMAIN %s", domain_object(have)),
					pstrdup("domain is not declared in the document"), 0);
	refuse_if_used(step, have->used_outside, "domain", "dropped");
}

/* ----------------------------------------------------------------
 * The catalog
 * ----------------------------------------------------------------
 */

/* Domains of the managed schemas, with their CHECKs. */
static void
read_domains(CatalogRead *cr)
{
	catalog_query(cr,
				  "SELECT t.oid, n.nspname, t.typname, t.typbasetype,"
					  " t.typtypmod,"
					  " pg_catalog.format_type(t.typbasetype, t.typtypmod)"
					  "   AS base_type_name,"
					  " t.typnotnull,"
					  " pg_catalog.pg_get_expr(t.typdefaultbin, 0) AS typdefault,"
					  " t.typdefaultbin::text AS default_bin,"
					  " CASE WHEN t.typcollation <> b.typcollation"
					  "      THEN co.collname::text END AS collation,"
					  " " COMMENT_OF("t.oid", "pg_type") " AS comment,"
					  " (SELECT pg_catalog.array_agg(k.conname::text ORDER BY k.conname)"
					  "    FROM pg_catalog.pg_constraint k WHERE k.contypid = t.oid"
					  "     AND k.contype = 'c') AS check_names,"
					  " (SELECT pg_catalog.array_agg(pg_catalog.pg_get_expr(k.conbin, 0)"
					  "                              ORDER BY k.conname)"
					  "    FROM pg_catalog.pg_constraint k WHERE k.contypid = t.oid"
					  "     AND k.contype = 'c') AS check_exprs,"
					  " (SELECT pg_catalog.array_agg(k.conbin::text ORDER BY k.conname)"
					  "    FROM pg_catalog.pg_constraint k WHERE k.contypid = t.oid"
					  "     AND k.contype = 'c') AS check_bins,"
					  " t.typcollation, "
					  USED_OUTSIDE("t.oid, t.typarray") " AS used_outside, "
					  ACL_COLUMNS("t.typacl", "T", "t.typowner") ","
					  " (SELECT r.oid::pg_catalog.regclass::text"
					  "    FROM pg_catalog.pg_attribute a"
					  "    JOIN pg_catalog.pg_class r ON r.oid = a.attrelid"
					  "    JOIN pg_catalog.pg_namespace rn ON rn.oid = r.relnamespace"
					  "   WHERE a.atttypid = t.oid AND NOT a.attisdropped"
					  "     AND r.relkind IN ('r', 'p', 'm')"
					  "     AND NOT rn.nspname OPERATOR(pg_catalog.=) ANY ($1)"
					  "   LIMIT 1) AS rows_outside"
					  " FROM pg_catalog.pg_type t"
					  " JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
					  " JOIN pg_catalog.pg_type b ON b.oid = t.typbasetype"
					  " LEFT JOIN pg_catalog.pg_collation co ON co.oid = t.typcollation"
					  " WHERE n.nspname OPERATOR(pg_catalog.=) ANY ($1)"
					  "   AND t.typtype = 'd'"
					  "   AND" NOT_EXTENSION_MEMBER("pg_type", "t.oid")
					  " ORDER BY n.nspname, t.typname");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		ConvDomain *d = palloc0(sizeof(ConvDomain));
		ConvSchema *schema = find_or_add_schema(cr->model,
												get_text(tup, desc, "nspname"));
		bool		isnull;
		Datum		names_d;

		d->oid = DatumGetObjectId(get_datum(tup, desc, "oid", &isnull));
		d->schema = schema->name;
		d->name = get_text(tup, desc, "typname");
		d->type_oid = DatumGetObjectId(get_datum(tup, desc, "typbasetype",
												 &isnull));
		d->typmod = DatumGetInt32(get_datum(tup, desc, "typtypmod", &isnull));
		d->type_name = get_text(tup, desc, "base_type_name");
		d->not_null = DatumGetBool(get_datum(tup, desc, "typnotnull", &isnull));
		d->default_expr = get_text(tup, desc, "typdefault");
		d->default_bin = get_text(tup, desc, "default_bin");
		d->collation = get_text(tup, desc, "collation");
		d->comment = get_text(tup, desc, "comment");
		d->collation_oid = DatumGetObjectId(get_datum(tup, desc, "typcollation",
													  &isnull));
		d->used_outside = get_text(tup, desc, "used_outside");
		d->rows_outside = get_text(tup, desc, "rows_outside");
		d->grants = get_acl(tup, desc);
		d->owner = get_text(tup, desc, "owner");
		names_d = get_datum(tup, desc, "check_names", &isnull);
		if (!isnull)
		{
			ListCell   *nc,
					   *ec,
					   *bc;
			List	   *exprs =
				text_array_to_list(get_datum(tup, desc, "check_exprs", &isnull));
			List	   *bins =
				text_array_to_list(get_datum(tup, desc, "check_bins", &isnull));
			List	   *cnames = text_array_to_list(names_d);

			forthree(nc, cnames, ec, exprs, bc, bins)
			{
				ConvCheck  *check = palloc0(sizeof(ConvCheck));

				check->name = lfirst(nc);
				check->expr = lfirst(ec);
				check->bin = lfirst(bc);
				d->checks = lappend(d->checks, check);
			}
		}
		schema->domains = lappend(schema->domains, d);
	}
}

/* ----------------------------------------------------------------
 * The document: a schema's "domains", with their CHECKs
 * ----------------------------------------------------------------
 */

static void *
build_domain(DocContainer *dc, const char *name, const YNode *node,
			 const char *path)
{
	ConvDomain *d = palloc0(sizeof(ConvDomain));
	const YNode *checks = map_get(node, "checks");
	const YNode *v;
	ListCell   *kc,
			   *vc;

	d->schema = dc->schema->name;
	d->name = pstrdup(name);
	d->pos = node_pos(node, path);
	d->type_name = map_string(node, "type");
	d->type_pos = value_pos(node, "type", path);
	if (d->type_name == NULL)
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, node, path,
				  "domain \"%s\" has no type", name);
	d->typmod = -1;
	d->collation = map_string(node, "collation");
	d->default_expr = map_string(node, "default");
	d->default_pos = value_pos(node, "default", path);
	expr_refuse_subquery(d->default_expr, &d->default_pos,
						 "DEFAULT expression");
	d->comment = doc_comment(node);
	d->grants = object_grants(node, path, "DOMAIN");
	v = map_get(node, "nullable");
	d->not_null = v ? !doc_key_bool(v, path, "nullable") : false;
	if (checks)
		foreach_entry(kc, vc, checks)
			d->checks = lappend(d->checks,
								new_check(pstrdup(entry_name(kc)), lfirst(vc),
										  child_path(child_path(path, "checks"),
													 entry_name(kc))));
	return d;
}

static void
build_domains(DocContainer *dc, const char *key, const YNode *value,
			  const char *path)
{
	build_entries(dc, value, path, build_domain, &dc->schema->domains);
}

static const KeySpec domain_keys[] = {
	{"type", V_STRING},
	{"nullable", V_BOOL},
	{"default", V_EXPR},
	{"collation", V_STRING},
	{"checks", V_NAMED_EXPR},
	{"grants", V_NAMED_STRINGS},
	{"comment", V_STRING},
	{NULL}
};

static const KeySpec domain_doc_keys[] = {
	{"domains", V_NAMED, domain_keys},
	{NULL}
};

/* ----------------------------------------------------------------
 * Export
 * ----------------------------------------------------------------
 */

static void
emit_domain(Emitter *em, const ConvSchema *schema, const void *object)
{
	const ConvDomain *d = object;
	ListCell   *cc;

	emit_scalar(em, d->name, false);
	begin_mapping(em, true);
	emit_pair(em, "type", d->type_name);
	if (d->not_null)
		emit_pair(em, "nullable", "false");
	if (d->default_expr)
		emit_pair(em, "default", d->default_expr);
	if (d->collation)
		emit_pair(em, "collation", d->collation);
	if (d->checks)
	{
		emit_scalar(em, "checks", false);
		begin_mapping(em, true);
		foreach(cc, d->checks)
			emit_pair(em, ((ConvCheck *) lfirst(cc))->name,
					  ((ConvCheck *) lfirst(cc))->expr);
		end_mapping(em);
	}
	grants_emit(em, d->grants, d->owner, "DOMAIN", true);
	if (d->comment)
		emit_pair(em, "comment", d->comment);
	end_mapping(em);
}

static void
emit_domains(Emitter *em, const ConvSchema *schema, const ConvTable *table)
{
	emit_entries(em, "domains", schema, schema->domains, emit_domain);
}

/* every declared domain; one the plan creates (again) starts with defaults */
static const SchemaGrants domain_grants = {
	.type = "DOMAIN",
	.list = offsetof(ConvSchema, domains),
	.grants = offsetof(ConvDomain, grants),
	.owner = offsetof(ConvDomain, owner),
};

/* the dependency graph: a domain recreated or dropped */
static const char *
domain_reshapes(const ConvChange *change, ObjectAddress *object, bool *gone)
{
	ConvDomain *have = change->have;

	if (change->action != ACTION_REPLACE && change->action != ACTION_DROP)
		return NULL;
	ObjectAddressSet(*object, TypeRelationId, have->oid);
	*gone = change->action == ACTION_DROP;
	return psprintf("domain %s is %s",
					quote_qualified_identifier(have->schema, have->name),
					change->action == ACTION_DROP ? "dropped" : "recreated");
}

/* the dependency graph: a domain is made after its base, if the plan makes it */
static const DocPos *
domain_position(const ConvChange *change)
{
	return &((ConvDomain *) change->want)->pos;
}

/* the script's fingerprint: a domain and its CHECKs */
static const char *const domains_fingerprint =
"SELECT 'type', pg_catalog.format('%I.%I', n.nspname, t.typname),"
" pg_catalog.concat_ws(' ', 'domain',"
"   pg_catalog.format_type(t.typbasetype, t.typtypmod),"
"   'collation=' || (SELECT pg_catalog.quote_ident(co.collname)"
"                      FROM pg_catalog.pg_collation co"
"                     WHERE co.oid = t.typcollation),"
"   CASE WHEN t.typnotnull THEN 'not null' END,"
"   'default=' || t.typdefault,"
"   (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(k.conname) || ' ' ||"
"           pg_catalog.pg_get_constraintdef(k.oid) || COALESCE(' comment=' ||"
"           pg_catalog.quote_literal(" COMMENT_OF("k.oid", "pg_constraint")
"             ), ''), ', ' ORDER BY k.conname)"
"      FROM pg_catalog.pg_constraint k WHERE k.contypid = t.oid),"
FP_OWNED("t.typacl", "T", "t.typowner", "t.oid", "pg_type") ")"
" FROM pg_catalog.pg_type t"
" JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
" WHERE t.typtype = 'd' AND" FP_MANAGED("n.nspname")
"   AND" NOT_EXTENSION_MEMBER("pg_type", "t.oid");

const ConvKindOps domain_kind = {
	.name = "domain",
	.reshapes = domain_reshapes,
	.position = domain_position,
	.diff = diff_domains,
	.diff_finish = attach_domain_users,
	.plan = {
		[ACTION_CREATE] = plan_create_domain,
		[ACTION_ALTER] = plan_alter_domain,
		[ACTION_REPLACE] = plan_finish_domain,
		[ACTION_DROP] = plan_drop_domain,
	},
	.doc_place = DOC_SCHEMA,
	.doc_keys = domain_doc_keys,
	.build = build_domains,
	.plural = "domains",
	.read = read_domains,
	.fingerprint = domains_fingerprint,
	.emit = emit_domains,
	.schema_grants = &domain_grants,
};

/* ----------------------------------------------------------------
 * The CHECKs of a domain, a kind of their own
 * ----------------------------------------------------------------
 */

static bool
domain_checks_same(DiffState *ds, const ConvChange *proto, void *context,
				   void *want, void *have)
{
	ConvCheck  *wc = want;

	return !names_created(ds, wc->expr, &wc->pos) &&
		expr_domain_check_matches(wc, proto->of.domain.want,
								  ((ConvCheck *) have)->bin);
}

static void
domain_checks_diff(DiffState *ds, ConvDomain *want, ConvDomain *have)
{
	static const Reconcile how = {.same = domain_checks_same};
	ConvChange	proto = {.kind = KIND_DOMAIN_CHECK};

	proto.schema = want->schema;
	proto.of.domain.want = want;
	proto.of.domain.have = have;
	reconcile(ds, &proto, &how, NULL, want->checks, have->checks);
}

/* a CHECK of a domain the plan recreates, added once it has its name */
static void
domain_check_added(DiffState *ds, ConvDomain *domain, ConvCheck *check)
{
	ConvChange *change = add_change(ds, KIND_DOMAIN_CHECK, ACTION_CREATE,
									domain->schema, NULL, NULL);

	change->of.domain.want = domain;
	change->want = check;
}

static char *
domain_check_object(const ConvDomain *d, const ConvCheck *check)
{
	return psprintf("%s.%s", domain_object(d),
					quote_identifier(check->name));
}

static void
plan_drop_domain_check(ConvPlanState *ps, const ConvChange *change)
{
	ConvCheck  *check = change->have;

	add_step(ps, "drop_domain_check",
			 domain_check_object(change->of.domain.have, check),
			 psprintf("ALTER DOMAIN %s DROP CONSTRAINT %s",
					  domain_object(change->of.domain.have),
					  quote_identifier(check->name)),
			 psprintf("CHECK %s %s", check->expr,
					  dropped_because(ps, change)),
			 0);
}

/*
 * The domain's default, and those of the document columns of its current
 * users and of the columns of it the plan adds, must pass its new CHECK
 * (as a table CHECK's columns' defaults must): evaluated in the base
 * type, when it exists and the default is not volatile.  "exists": the
 * default is one of an object that exists (a refusal), or of a table the
 * plan creates (the hazard default_rejected).
 */
static void
probe_default_value(const DiffState *ds, ConvStep *step,
					const ConvChange *change, const char *label,
					const char *default_expr, DocPos pos, bool exists)
{
	ConvDomain *d = change->of.domain.want;
	DomainPair *dp = diff_note(ds, d);
	ConvColumn	value = {0};

	value.name = d->name;
	value.type_oid = d->type_oid;
	value.typmod = d->typmod;
	value.default_expr = (char *) default_expr;
	value.default_pos = pos;
	if (default_expr == NULL || dp->base_enum || dp->base_domain ||
		!OidIsValid(d->type_oid) || expr_is_volatile_default(&value))
		return;
	add_default_probe(step, exists,
					  psprintf("a new value that takes the default of %s",
							   label),
					  psprintf("(SELECT %s::%s AS value, %s AS converge_sample_key) AS converge_v",
							   expr_sql(default_expr),
							   format_type_with_typemod(d->type_oid,
														d->typmod),
							   quote_literal_cstr(default_expr)),
					  "default",
					  psprintf("%s IS FALSE",
							   expr_sql(((ConvCheck *) change->want)->expr)),
					  FIX_DEFAULT_CHECK);
}

static void
probe_domain_defaults(const DiffState *ds, ConvStep *step,
					  const ConvChange *change)
{
	ConvDomain *d = change->of.domain.want;
	ListCell   *lc;

	probe_default_value(ds, step, change, domain_object(d), d->default_expr,
						d->default_pos, change->of.domain.have != NULL);
	foreach(lc, change->users)
	{
		ConvChange *user = lfirst(lc);
		const char *name = user_column_name(user);
		ConvColumn *col = find_named(user->want_table->columns, name);

		if (col)
			probe_default_value(ds, step, change,
								psprintf("%s.%s", table_sql(user),
										 quote_identifier(name)),
								col->default_expr, col->default_pos, true);
	}
	foreach(lc, change->of.domain.new_users)
	{
		ConvChange *user = lfirst(lc);
		ConvColumn *col = user->want;

		probe_default_value(ds, step, change,
							psprintf("%s.%s", table_sql(user),
									 quote_identifier(col->name)),
							col->default_expr, col->default_pos,
							user->have_table != NULL);
	}
}

static void
plan_add_domain_check(ConvPlanState *ps, const ConvChange *change)
{
	ConvCheck  *check = change->want;
	ConvCheck  *old = change->have;
	ConvStep   *step;

	step = add_step(ps, "add_domain_check",
					domain_check_object(change->of.domain.want, check),
					psprintf("ALTER DOMAIN %s ADD CONSTRAINT %s CHECK %s",
							 domain_object(change->of.domain.want),
							 quote_identifier(check->name),
							 expr_sql(check->expr)),
					old ?
					psprintf("CHECK %s -> CHECK (%s)", old->expr,
							 check->expr) :
					pstrdup("CHECK is declared in the document and does not exist"),
					HAZARD_FULL_SCAN);
	probe_domain_users(ps, step, change, domain_check_misfits,
					   "would violate the CHECK");
	probe_domain_defaults(ps->diff, step, change);
	if (change->of.domain.have)
		refuse_unchecked_rows(step, change->of.domain.have);
}

const ConvKindOps domain_check_kind = {
	.name = "domain CHECK",
	.plan = {
		[ACTION_CREATE] = plan_add_domain_check,
		[ACTION_DROP] = plan_drop_domain_check,
	},
};
