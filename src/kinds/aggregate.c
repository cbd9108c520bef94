/*-------------------------------------------------------------------------
 *
 * aggregate.c
 *	  Aggregates: created, replaced, dropped, compared by what the server
 *	  resolves their functions and state type to.
 *
 * An aggregate is keyed by its signature, like a function.  The document
 * names its functions and state type as CREATE AGGREGATE takes them; the
 * declaration is written as that statement and handed to the server's
 * raw parser, and the names are resolved as CREATE AGGREGATE resolves
 * them (the transition function by the state type and the arguments, the
 * final function by the state type, the combine function by two).  The
 * comparison is of the resolved objects, the initial condition as stored
 * and the parallel safety.  A transition function the same plan creates
 * cannot be resolved before it runs: such an aggregate is created again.
 *
 * CREATE OR REPLACE AGGREGATE keeps what depends on the aggregate when
 * its result type stays; otherwise it is dropped and created, and views
 * that call it are rebuilt around it (the dependency graph, view.c).
 * Ordered-set, hypothetical-set and moving aggregates, and those with
 * serialization functions, a sort operator or extra final arguments, are
 * not converged yet: export and planning say so.  A schema's aggregates
 * are the document's once it says "aggregates" for the schema.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_proc.h"
#include "commands/defrem.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "parser/parse_func.h"
#include "parser/parse_type.h"
#include "parser/parser.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"

#include "kinds/kinds.h"

static char *
aggregate_object(const char *schema, const void *object)
{
	const ConvAggregate *a = object;

	return psprintf("%s(%s)", quote_qualified_identifier(schema, a->name),
					a->arguments);
}

/* ----------------------------------------------------------------
 * The catalog
 * ----------------------------------------------------------------
 */

static const char *const aggregates_query =
"SELECT p.oid, n.nspname, p.proname,"
"       pg_catalog.pg_get_function_identity_arguments(p.oid) AS arguments,"
"       p.proargtypes::pg_catalog.oid[]::pg_catalog.text[] AS arg_types,"
"       a.aggtransfn::pg_catalog.oid AS sfunc_oid,"
"       a.aggtransfn::pg_catalog.text AS sfunc,"
"       a.aggtranstype AS stype_oid,"
"       pg_catalog.format_type(a.aggtranstype, NULL) AS stype,"
"       a.aggfinalfn::pg_catalog.oid AS finalfunc_oid,"
"       CASE WHEN a.aggfinalfn <> 0"
"            THEN a.aggfinalfn::pg_catalog.text END AS finalfunc,"
"       a.aggcombinefn::pg_catalog.oid AS combinefunc_oid,"
"       CASE WHEN a.aggcombinefn <> 0"
"            THEN a.aggcombinefn::pg_catalog.text END AS combinefunc,"
"       a.agginitval AS initcond, p.prorettype AS result_oid,"
"       p.proparallel::pg_catalog.text AS parallel,"
"       CASE WHEN a.aggkind <> 'n' THEN 'an ordered-set or hypothetical-set kind'"
"            WHEN a.aggmtransfn <> 0 THEN 'a moving-aggregate mode'"
"            WHEN a.aggserialfn <> 0 THEN 'serialization functions'"
"            WHEN a.aggsortop <> 0 THEN 'a sort operator'"
"            WHEN a.aggfinalextra THEN 'extra final function arguments'"
"            WHEN a.aggfinalmodify <> 'r' THEN 'a final function that modifies its state'"
"       END AS unsupported,"
"       " COMMENT_OF("p.oid", "pg_proc") " AS comment,"
"       " ACL_COLUMNS("p.proacl", "f", "p.proowner") ","
"       (SELECT " DEPENDENT_NAME("d")
"          FROM pg_catalog.pg_depend d"
"         WHERE d.refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass"
"           AND d.refobjid = p.oid AND d.deptype = 'n'"
"           AND NOT EXISTS (SELECT FROM pg_catalog.pg_rewrite w"
"                 JOIN pg_catalog.pg_class v ON v.oid = w.ev_class"
"                 JOIN pg_catalog.pg_namespace vn ON vn.oid = v.relnamespace"
"                WHERE d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass"
"                  AND w.oid = d.objid AND v.relkind IN ('v', 'm')"
"                  AND vn.nspname OPERATOR(pg_catalog.=) ANY ($1))"
"         ORDER BY 1 LIMIT 1) AS used_outside"
" FROM pg_catalog.pg_aggregate a"
" JOIN pg_catalog.pg_proc p ON p.oid = a.aggfnoid"
" JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
" WHERE n.nspname OPERATOR(pg_catalog.=) ANY ($1)"
"   AND" NOT_EXTENSION_MEMBER("pg_proc", "p.oid")
" ORDER BY n.nspname, p.proname, arguments";

static Oid
get_oid(HeapTuple tup, TupleDesc desc, const char *name)
{
	bool		isnull;

	return DatumGetObjectId(get_datum(tup, desc, name, &isnull));
}

static void
read_aggregate_row(ConvSchema *schema, HeapTuple tup, TupleDesc desc)
{
	ConvAggregate *a = palloc0(sizeof(ConvAggregate));
	ListCell   *lc;

	a->oid = get_oid(tup, desc, "oid");
	a->schema = schema->name;
	a->name = get_text(tup, desc, "proname");
	a->arguments = get_text(tup, desc, "arguments");
	a->signature = psprintf("%s(%s)", a->name, a->arguments);
	foreach(lc, get_text_list(tup, desc, "arg_types"))
		a->arg_types = lappend_oid(a->arg_types,
								   (Oid) strtoul(lfirst(lc), NULL, 10));
	a->sfunc = get_text(tup, desc, "sfunc");
	a->sfunc_oid = get_oid(tup, desc, "sfunc_oid");
	a->stype = get_text(tup, desc, "stype");
	a->stype_oid = get_oid(tup, desc, "stype_oid");
	a->finalfunc = get_text(tup, desc, "finalfunc");
	a->finalfunc_oid = get_oid(tup, desc, "finalfunc_oid");
	a->combinefunc = get_text(tup, desc, "combinefunc");
	a->combinefunc_oid = get_oid(tup, desc, "combinefunc_oid");
	a->initcond = get_text(tup, desc, "initcond");
	a->result_oid = get_oid(tup, desc, "result_oid");
	a->parallel = *get_text(tup, desc, "parallel");
	a->unsupported = get_text(tup, desc, "unsupported");
	a->comment = get_text(tup, desc, "comment");
	a->grants = get_acl(tup, desc);
	a->owner = get_text(tup, desc, "owner");
	a->used_outside = get_text(tup, desc, "used_outside");
	schema->aggregates = lappend(schema->aggregates, a);
}

static void
read_aggregates(CatalogRead *cr)
{
	catalog_query(cr, aggregates_query);
	for (uint64 i = 0; i < SPI_processed; i++)
		read_aggregate_row(find_or_add_schema(cr->model,
											  get_text(SPI_tuptable->vals[i],
													   SPI_tuptable->tupdesc,
													   "nspname")),
						   SPI_tuptable->vals[i], SPI_tuptable->tupdesc);
}

/* ----------------------------------------------------------------
 * The document: a schema's "aggregates"
 * ----------------------------------------------------------------
 */

static const char *const parallel_words[] = {"safe", "restricted",
"unsafe", NULL};
static const char parallel_letters[] = {PROPARALLEL_SAFE,
	PROPARALLEL_RESTRICTED, PROPARALLEL_UNSAFE};

static char
build_parallel(const YNode *node, const char *path)
{
	const YNode *v = map_get(node, "parallel");

	if (v == NULL)
		return PROPARALLEL_UNSAFE;
	for (int i = 0; parallel_words[i]; i++)
		if (strcmp(parallel_words[i], v->value) == 0)
			return parallel_letters[i];
	doc_error(ERRCODE_INVALID_PARAMETER_VALUE, v, child_path(path, "parallel"),
			  "parallel must be safe, restricted or unsafe, found \"%s\"",
			  v->value);
	return PROPARALLEL_UNSAFE;
}

static void *
build_aggregate(DocContainer *dc, const char *signature, const YNode *node,
				const char *path)
{
	ConvAggregate *a = palloc0(sizeof(ConvAggregate));
	const char *paren = strchr(signature, '(');

	if (paren == NULL || signature[strlen(signature) - 1] != ')')
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, node, path,
				  "\"%s\" is not a signature: write name(argument types)",
				  signature);
	a->schema = dc->schema->name;
	a->signature = pstrdup(signature);
	a->name = pnstrdup(signature, paren - signature);
	a->arguments = pnstrdup(paren + 1, strlen(paren) - 2);
	a->pos = node_pos(node, path);
	a->sfunc = map_string(node, "sfunc");
	a->stype = map_string(node, "stype");
	if (a->sfunc == NULL || a->stype == NULL)
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, node, path,
				  "aggregate \"%s\" needs \"sfunc\" and \"stype\"", signature);
	a->finalfunc = map_string(node, "finalfunc");
	a->combinefunc = map_string(node, "combinefunc");
	a->initcond = map_string(node, "initcond");
	a->parallel = build_parallel(node, path);
	a->comment = doc_comment(node);
	a->grants = object_grants(node, path, "FUNCTION");
	return a;
}

static void
build_aggregates(DocContainer *dc, const char *key, const YNode *value,
				 const char *path)
{
	dc->schema->aggregates_managed = true;
	build_entries(dc, value, path, build_aggregate, &dc->schema->aggregates);
}

static const KeySpec aggregate_keys[] = {
	{"sfunc", V_STRING},
	{"stype", V_STRING},
	{"finalfunc", V_STRING},
	{"combinefunc", V_STRING},
	{"initcond", V_STRING},
	{"parallel", V_STRING},
	{"grants", V_NAMED_STRINGS},
	{"comment", V_STRING},
	{NULL}
};

static const KeySpec aggregate_doc_keys[] = {
	{"aggregates", V_SIGNED, aggregate_keys},
	{NULL}
};

/* ----------------------------------------------------------------
 * What the server makes of a declaration
 * ----------------------------------------------------------------
 */

static char *
create_sql(const char *schema, const ConvAggregate *a, bool replace)
{
	StringInfoData sql;

	initStringInfo(&sql);
	appendStringInfo(&sql, "CREATE %sAGGREGATE %s (SFUNC = %s, STYPE = %s",
					 replace ? "OR REPLACE " : "",
					 aggregate_object(schema, a), a->sfunc, a->stype);
	if (a->finalfunc)
		appendStringInfo(&sql, ", FINALFUNC = %s", a->finalfunc);
	if (a->combinefunc)
		appendStringInfo(&sql, ", COMBINEFUNC = %s", a->combinefunc);
	if (a->initcond)
		appendStringInfo(&sql, ", INITCOND = %s",
						 quote_literal_cstr(a->initcond));
	if (a->parallel != PROPARALLEL_UNSAFE)
		appendStringInfo(&sql, ", PARALLEL = %s",
						 a->parallel == PROPARALLEL_SAFE ? "SAFE" :
						 "RESTRICTED");
	appendStringInfoChar(&sql, ')');
	return sql.data;
}

static Oid
lookup_function(List *names, int nargs, const Oid *types)
{
	return names ? LookupFuncName(names, nargs, types, true) : InvalidOid;
}

/* the state type first, then the arguments: the transition function's */
static int
resolve_arguments(ConvAggregate *a, DefineStmt *stmt, Oid *types)
{
	int			nargs = 1;
	ListCell   *lc;

	foreach(lc, stmt->args ? (List *) linitial(stmt->args) : NIL)
	{
		FunctionParameter *p = lfirst(lc);

		if (nargs >= FUNC_MAX_ARGS)
			ereport(ERROR,
					(errcode(ERRCODE_TOO_MANY_ARGUMENTS),
					 errmsg("aggregates cannot have more than %d arguments",
							FUNC_MAX_ARGS - 1)));
		types[nargs] = typenameTypeId(NULL, p->argType);
		a->arg_types = lappend_oid(a->arg_types, types[nargs++]);
	}
	return nargs;
}

static void
aggregate_work(void *arg)
{
	ConvAggregate *a = arg;
	List	   *parsed = raw_parser(create_sql(a->schema, a, false),
									RAW_PARSE_DEFAULT);
	DefineStmt *stmt = (DefineStmt *) ((RawStmt *) linitial(parsed))->stmt;
	List	   *sfunc = NIL;
	List	   *finalfunc = NIL;
	List	   *combinefunc = NIL;
	Oid			types[FUNC_MAX_ARGS];
	int			nargs;
	ListCell   *lc;

	if (list_length(parsed) != 1 || !IsA(stmt, DefineStmt))
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("the declaration is not one aggregate")));
	foreach(lc, stmt->definition)
	{
		DefElem    *d = lfirst(lc);

		if (strcmp(d->defname, "sfunc") == 0)
			sfunc = defGetQualifiedName(d);
		else if (strcmp(d->defname, "stype") == 0)
			types[0] = typenameTypeId(NULL, defGetTypeName(d));
		else if (strcmp(d->defname, "finalfunc") == 0)
			finalfunc = defGetQualifiedName(d);
		else if (strcmp(d->defname, "combinefunc") == 0)
			combinefunc = defGetQualifiedName(d);
	}
	a->stype_oid = types[0];
	nargs = resolve_arguments(a, stmt, types);
	a->sfunc_oid = lookup_function(sfunc, nargs, types);
	a->finalfunc_oid = lookup_function(finalfunc, 1, types);
	types[1] = types[0];
	a->combinefunc_oid = lookup_function(combinefunc, 2, types);
	a->result_oid = OidIsValid(a->finalfunc_oid) ?
		get_func_rettype(a->finalfunc_oid) : a->stype_oid;
	a->pending = !OidIsValid(a->sfunc_oid) ||
		(finalfunc && !OidIsValid(a->finalfunc_oid)) ||
		(combinefunc && !OidIsValid(a->combinefunc_oid));
}

/* a function the aggregate names that neither exists nor is created */
static void
refuse_missing(DiffState *ds, const ConvAggregate *a, const char *key,
			   const char *written, Oid found)
{
	if (written == NULL || OidIsValid(found) || function_created(ds, written))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_FUNCTION),
			 errmsg("%s %s of aggregate \"%s\" does not exist for its argument types, and the document does not declare it, at line %d, column %d (%s)",
					key, written, a->signature, a->pos.line, a->pos.column,
					doc_path(&a->pos)),
			 errhint("Declare it under \"functions\" with the argument types CREATE AGGREGATE looks for: the state type first, then the aggregate's arguments for sfunc; the state type for finalfunc; two of it for combinefunc.")));
}

/*
 * Resolve a document aggregate.  A type that does not exist is the
 * document's error; a function, unless the plan creates one of its name.
 */
static void
resolve_aggregate(DiffState *ds, ConvAggregate *a)
{
	ErrorData  *edata = converge_run_rolled_back(aggregate_work, a);

	if (edata)
		expr_raise_at(edata, &a->pos);
	refuse_missing(ds, a, "sfunc", a->sfunc, a->sfunc_oid);
	refuse_missing(ds, a, "finalfunc", a->finalfunc, a->finalfunc_oid);
	refuse_missing(ds, a, "combinefunc", a->combinefunc, a->combinefunc_oid);
}

/* ----------------------------------------------------------------
 * Comparing
 * ----------------------------------------------------------------
 */

static void *
current_aggregate(List *have, const void *object)
{
	const ConvAggregate *w = object;
	ListCell   *lc;

	foreach(lc, have)
	{
		ConvAggregate *h = lfirst(lc);

		if (strcmp(h->name, w->name) == 0 && equal(h->arg_types, w->arg_types))
			return h;
	}
	return NULL;
}

static bool
aggregates_differ(const ConvAggregate *w, const ConvAggregate *h)
{
	return w->pending || w->sfunc_oid != h->sfunc_oid ||
		w->stype_oid != h->stype_oid ||
		w->finalfunc_oid != h->finalfunc_oid ||
		w->combinefunc_oid != h->combinefunc_oid ||
		strings_differ(w->initcond, h->initcond) ||
		w->parallel != h->parallel;
}

static void
add_aggregate_change(DiffState *ds, const char *schema, ConvAction action,
					 ConvAggregate *want, ConvAggregate *have)
{
	ConvChange *change = add_change(ds, KIND_AGGREGATE, action, schema, NULL,
									NULL);

	change->want = want;
	change->have = have;
}

static void
refuse_unsupported(const char *schema, const ConvAggregate *h)
{
	if (h->unsupported)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("aggregate %s has %s, which pg_converge does not converge yet",
						aggregate_object(schema, h), h->unsupported),
				 errhint("Leave its schema's \"aggregates\" out of the document, and manage it by hand.")));
}

/* one document aggregate: new, kept, replaced or made anew */
static void
diff_aggregate(DiffState *ds, ConvSchema *want_schema, void *want,
			   List *have, List **kept)
{
	const char *schema = want_schema->name;
	ConvAggregate *w = want;
	ConvAggregate *h;

	resolve_aggregate(ds, w);
	h = current_aggregate(have, w);
	if (h == NULL)
	{
		add_aggregate_change(ds, schema, ACTION_CREATE, w, NULL);
		return;
	}
	*kept = lappend(*kept, h);
	refuse_unsupported(schema, h);
	if (aggregates_differ(w, h))
	{
		if (!w->pending && w->result_oid == h->result_oid)
			add_aggregate_change(ds, schema, ACTION_REPLACE, w, h);
		else
		{
			add_aggregate_change(ds, schema, ACTION_DROP, w, h);
			add_aggregate_change(ds, schema, ACTION_CREATE, w, h);
		}
	}
	if (strings_differ(w->comment, h->comment))
		add_aggregate_change(ds, schema, ACTION_COMMENT, w, h);
}

static void
drop_aggregate(DiffState *ds, ConvSchema *schema, void *have)
{
	add_aggregate_change(ds, schema->name, ACTION_DROP, NULL, have);
}

/* every managed schema's aggregates; those the document omits go */
static void
diff_aggregates(DiffState *ds)
{
	diff_schema_objects(ds, offsetof(ConvSchema, aggregates_managed),
						offsetof(ConvSchema, aggregates), diff_aggregate,
						drop_aggregate);
}

/* the dependency graph: an aggregate dropped, or dropped and created */
static const char *
aggregate_reshapes(const ConvChange *change, ObjectAddress *object,
				   bool *gone)
{
	ConvAggregate *have = change->have;

	if (change->action != ACTION_DROP)
		return NULL;
	ObjectAddressSet(*object, ProcedureRelationId, have->oid);
	*gone = change->want == NULL;
	return psprintf("aggregate %s is %s",
					aggregate_object(change->schema, have),
					*gone ? "dropped" : "created again");
}

/* ----------------------------------------------------------------
 * Planning
 * ----------------------------------------------------------------
 */

static void
plan_create_aggregate(ConvPlanState *ps, const ConvChange *change)
{
	ConvAggregate *a = change->want;

	add_step(ps, "create_aggregate", aggregate_object(change->schema, a),
			 create_sql(change->schema, a, false),
			 change->have ?
			 pstrdup("the aggregate differs from the document in a way CREATE OR REPLACE cannot make: created again") :
			 pstrdup("aggregate is declared in the document and does not exist"),
			 0);
	if (a->comment && change->have == NULL)
		add_comment(ps, "comment_aggregate", "AGGREGATE",
					aggregate_object(change->schema, a), a->comment);
}

static void
plan_replace_aggregate(ConvPlanState *ps, const ConvChange *change)
{
	ConvAggregate *a = change->want;

	add_step(ps, "replace_aggregate", aggregate_object(change->schema, a),
			 create_sql(change->schema, a, true),
			 pstrdup("the aggregate's functions, state type, initial condition or parallel safety differ from the document"),
			 0);
}

static void
plan_drop_aggregate(ConvPlanState *ps, const ConvChange *change)
{
	ConvAggregate *h = change->have;
	ConvStep   *step;

	step = add_step(ps, "drop_aggregate", aggregate_object(change->schema, h),
					psprintf("DROP AGGREGATE %s",
							 aggregate_object(change->schema, h)),
					change->want ?
					pstrdup("its result type changes: dropped, then created again") :
					pstrdup("aggregate is not declared in the document"),
					0);
	refuse_if_used(step, h->used_outside, "aggregate",
				   change->want ? "created again" : "dropped");
}

static void
plan_aggregate_comment(ConvPlanState *ps, const ConvChange *change)
{
	ConvAggregate *a = change->want;

	add_comment(ps, "comment_aggregate", "AGGREGATE",
				aggregate_object(change->schema, a), a->comment);
}

/* ----------------------------------------------------------------
 * Export
 * ----------------------------------------------------------------
 */

static void
emit_aggregate(Emitter *em, const ConvSchema *schema, const void *object)
{
	const ConvAggregate *a = object;

	refuse_unsupported(schema->name, a);
	emit_scalar(em, a->signature, false);
	begin_mapping(em, true);
	emit_pair(em, "sfunc", a->sfunc);
	emit_pair(em, "stype", a->stype);
	if (a->finalfunc)
		emit_pair(em, "finalfunc", a->finalfunc);
	if (a->combinefunc)
		emit_pair(em, "combinefunc", a->combinefunc);
	if (a->initcond)
		emit_pair(em, "initcond", a->initcond);
	for (int i = 0; parallel_words[i]; i++)
		if (a->parallel == parallel_letters[i] &&
			a->parallel != PROPARALLEL_UNSAFE)
			emit_pair(em, "parallel", parallel_words[i]);
	grants_emit(em, a->grants, a->owner, "FUNCTION", true);
	if (a->comment)
		emit_pair(em, "comment", a->comment);
	end_mapping(em);
}

/*
 * Every declared aggregate: granted as the function it is (GRANT ... ON
 * FUNCTION takes an aggregate); a new one starts with PUBLIC's EXECUTE.
 */
static const SchemaGrants aggregate_grants = {
	.type = "FUNCTION",
	.list = offsetof(ConvSchema, aggregates),
	.grants = offsetof(ConvAggregate, grants),
	.owner = offsetof(ConvAggregate, owner),
	.match = current_aggregate,
	.object = aggregate_object,
};

static void
emit_aggregates(Emitter *em, const ConvSchema *schema, const ConvTable *table)
{
	emit_entries(em, "aggregates", schema, schema->aggregates,
				 emit_aggregate);
}

/* the script's fingerprint: an aggregate's functions and states */
static const char *const aggregates_fingerprint =
"SELECT 'aggregate', pg_catalog.format('%I.%I(%s)', n.nspname, p.proname,"
"   pg_catalog.pg_get_function_identity_arguments(p.oid)),"
" pg_catalog.concat_ws(' ', a.aggkind, a.aggnumdirectargs,"
"   a.aggtransfn::pg_catalog.regprocedure::pg_catalog.text,"
"   a.aggfinalfn::pg_catalog.regproc::pg_catalog.text,"
"   a.aggcombinefn::pg_catalog.regproc::pg_catalog.text,"
"   a.aggserialfn::pg_catalog.regproc::pg_catalog.text,"
"   a.aggdeserialfn::pg_catalog.regproc::pg_catalog.text,"
"   a.aggmtransfn::pg_catalog.regproc::pg_catalog.text,"
"   a.aggminvtransfn::pg_catalog.regproc::pg_catalog.text,"
"   a.aggmfinalfn::pg_catalog.regproc::pg_catalog.text,"
"   a.aggfinalextra, a.aggmfinalextra, a.aggfinalmodify, a.aggmfinalmodify,"
"   a.aggsortop::pg_catalog.regoperator::pg_catalog.text,"
"   pg_catalog.format_type(a.aggtranstype, NULL), a.aggtransspace,"
"   pg_catalog.format_type(a.aggmtranstype, NULL), a.aggmtransspace,"
"   'init=' || pg_catalog.quote_literal(a.agginitval),"
"   'minit=' || pg_catalog.quote_literal(a.aggminitval), p.proparallel,"
"   pg_catalog.format_type(p.prorettype, NULL),"
FP_OWNED("p.proacl", "f", "p.proowner", "p.oid", "pg_proc") ")"
" FROM pg_catalog.pg_proc p"
" JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
" JOIN pg_catalog.pg_aggregate a ON a.aggfnoid = p.oid"
" WHERE" FP_MANAGED("n.nspname")
"   AND" NOT_EXTENSION_MEMBER("pg_proc", "p.oid");

const ConvKindOps aggregate_kind = {
	.name = "aggregate",
	.diff = diff_aggregates,
	.plan = {
		[ACTION_CREATE] = plan_create_aggregate,
		[ACTION_REPLACE] = plan_replace_aggregate,
		[ACTION_DROP] = plan_drop_aggregate,
		[ACTION_COMMENT] = plan_aggregate_comment,
	},
	.reshapes = aggregate_reshapes,
	.schema_grants = &aggregate_grants,
	.doc_place = DOC_SCHEMA,
	.doc_keys = aggregate_doc_keys,
	.build = build_aggregates,
	.read = read_aggregates,
	.fingerprint = aggregates_fingerprint,
	.emit = emit_aggregates,
	.plural = "aggregates",
};
