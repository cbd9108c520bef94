/*-------------------------------------------------------------------------
 *
 * operator.c
 *	  Operators: created, dropped, commented; compared by what the server
 *	  resolves their functions and related operators to.
 *
 * An operator is keyed by its signature, "name(left type, right type)"
 * (NONE for the missing side of a prefix operator), which the server's
 * parser reads as DROP OPERATOR reads it.  The document names the function
 * and the estimators as CREATE OPERATOR takes them; they, the commutator
 * and the negator are resolved (a commutator or negator that is the
 * operator itself, or that the plan creates, by name) and compared with
 * pg_operator.  A difference drops the operator and creates it again:
 * views of the managed schemas that use it are rebuilt around it (the
 * dependency graph, view.c); anything else that uses it makes the step
 * refused, naming it.  A schema's operators are the document's once it says
 * "operators" for the schema.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "parser/parse_func.h"
#include "parser/parse_oper.h"
#include "parser/parse_type.h"
#include "parser/parser.h"
#include "utils/builtins.h"

#include "kinds/kinds.h"

static char *
operator_object(const char *schema, const ConvOperator *o)
{
	return psprintf("%s.%s", quote_identifier(schema), o->signature);
}

/* ----------------------------------------------------------------
 * The catalog
 * ----------------------------------------------------------------
 */

/*
 * A commutator or negator as CREATE OPERATOR takes a qualified one:
 * OPERATOR(schema.name).
 */
#define RELATED_OPERATOR(oid) \
	"(SELECT 'OPERATOR(' || pg_catalog.quote_ident(rn.nspname) || '.' ||" \
	"        r.oprname || ')'" \
	"   FROM pg_catalog.pg_operator r" \
	"   JOIN pg_catalog.pg_namespace rn ON rn.oid = r.oprnamespace" \
	"  WHERE r.oid = " oid ")"

static const char *const operators_query =
"SELECT o.oid, n.nspname, o.oprname,"
"       o.oprname || '(' ||"
"         CASE WHEN o.oprleft = 0 THEN 'NONE'"
"              ELSE pg_catalog.format_type(o.oprleft, NULL) END || ', ' ||"
"         pg_catalog.format_type(o.oprright, NULL) || ')' AS signature,"
"       o.oprleft, o.oprright,"
"       o.oprcode::pg_catalog.oid AS function_oid,"
"       o.oprcode::pg_catalog.text AS function,"
"       o.oprcom AS commutator_oid,"
"       " RELATED_OPERATOR("o.oprcom") " AS commutator,"
"       o.oprnegate AS negator_oid,"
"       " RELATED_OPERATOR("o.oprnegate") " AS negator,"
"       o.oprrest::pg_catalog.oid AS restrict_oid,"
"       CASE WHEN o.oprrest <> 0 THEN o.oprrest::pg_catalog.text END AS restrict,"
"       o.oprjoin::pg_catalog.oid AS join_oid,"
"       CASE WHEN o.oprjoin <> 0 THEN o.oprjoin::pg_catalog.text END AS join,"
"       o.oprcanhash, o.oprcanmerge,"
"       " COMMENT_OF("o.oid", "pg_operator") " AS comment,"
"       (SELECT " DEPENDENT_NAME("d")
"          FROM pg_catalog.pg_depend d"
"         WHERE d.refclassid = 'pg_catalog.pg_operator'::pg_catalog.regclass"
"           AND d.refobjid = o.oid AND d.deptype = 'n'"
"           AND NOT EXISTS (SELECT FROM pg_catalog.pg_rewrite w"
"                 JOIN pg_catalog.pg_class v ON v.oid = w.ev_class"
"                 JOIN pg_catalog.pg_namespace vn ON vn.oid = v.relnamespace"
"                WHERE d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass"
"                  AND w.oid = d.objid AND v.relkind IN ('v', 'm')"
"                  AND vn.nspname OPERATOR(pg_catalog.=) ANY ($1))"
"         ORDER BY 1 LIMIT 1) AS used_outside"
" FROM pg_catalog.pg_operator o"
" JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace"
" WHERE n.nspname OPERATOR(pg_catalog.=) ANY ($1)"
"   AND" NOT_EXTENSION_MEMBER("pg_operator", "o.oid")
" ORDER BY n.nspname, signature";

static Oid
get_oid(HeapTuple tup, TupleDesc desc, const char *name)
{
	bool		isnull;

	return DatumGetObjectId(get_datum(tup, desc, name, &isnull));
}

static void
read_operator_row(ConvSchema *schema, HeapTuple tup, TupleDesc desc)
{
	ConvOperator *o = palloc0(sizeof(ConvOperator));

	o->oid = get_oid(tup, desc, "oid");
	o->schema = schema->name;
	o->name = get_text(tup, desc, "oprname");
	o->signature = get_text(tup, desc, "signature");
	o->left_oid = get_oid(tup, desc, "oprleft");
	o->right_oid = get_oid(tup, desc, "oprright");
	o->function = get_text(tup, desc, "function");
	o->function_oid = get_oid(tup, desc, "function_oid");
	o->commutator = get_text(tup, desc, "commutator");
	o->commutator_oid = get_oid(tup, desc, "commutator_oid");
	o->negator = get_text(tup, desc, "negator");
	o->negator_oid = get_oid(tup, desc, "negator_oid");
	o->restrict_fn = get_text(tup, desc, "restrict");
	o->restrict_oid = get_oid(tup, desc, "restrict_oid");
	o->join_fn = get_text(tup, desc, "join");
	o->join_oid = get_oid(tup, desc, "join_oid");
	o->hashes = get_bool(tup, desc, "oprcanhash");
	o->merges = get_bool(tup, desc, "oprcanmerge");
	o->comment = get_text(tup, desc, "comment");
	o->used_outside = get_text(tup, desc, "used_outside");
	schema->operators = lappend(schema->operators, o);
}

static void
read_operators(CatalogRead *cr)
{
	catalog_query(cr, operators_query);
	for (uint64 i = 0; i < SPI_processed; i++)
		read_operator_row(find_or_add_schema(cr->model,
											 get_text(SPI_tuptable->vals[i],
													  SPI_tuptable->tupdesc,
													  "nspname")),
						  SPI_tuptable->vals[i], SPI_tuptable->tupdesc);
}

/* ----------------------------------------------------------------
 * The document: a schema's "operators"
 * ----------------------------------------------------------------
 */

static void *
build_operator(DocContainer *dc, const char *signature, const YNode *node,
			   const char *path)
{
	ConvOperator *o = palloc0(sizeof(ConvOperator));
	const char *paren = strchr(signature, '(');
	const YNode *v;

	if (paren == NULL || paren == signature ||
		signature[strlen(signature) - 1] != ')')
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, node, path,
				  "\"%s\" is not an operator signature: write name(left type, right type)",
				  signature);
	o->schema = dc->schema->name;
	o->signature = pstrdup(signature);
	o->name = pnstrdup(signature, paren - signature);
	o->pos = node_pos(node, path);
	o->function = map_string(node, "function");
	if (o->function == NULL)
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, node, path,
				  "operator \"%s\" needs \"function\"", signature);
	o->commutator = map_string(node, "commutator");
	o->negator = map_string(node, "negator");
	o->restrict_fn = map_string(node, "restrict");
	o->join_fn = map_string(node, "join");
	v = map_get(node, "hashes");
	o->hashes = v && doc_key_bool(v, path, "hashes");
	v = map_get(node, "merges");
	o->merges = v && doc_key_bool(v, path, "merges");
	o->comment = doc_comment(node);
	return o;
}

static void
build_operators(DocContainer *dc, const char *key, const YNode *value,
				const char *path)
{
	dc->schema->operators_managed = true;
	build_entries(dc, value, path, build_operator, &dc->schema->operators);
}

static const KeySpec operator_keys[] = {
	{"function", V_STRING},
	{"commutator", V_STRING},
	{"negator", V_STRING},
	{"restrict", V_STRING},
	{"join", V_STRING},
	{"hashes", V_BOOL},
	{"merges", V_BOOL},
	{"comment", V_STRING},
	{NULL}
};

static const KeySpec operator_doc_keys[] = {
	{"operators", V_SIGNED, operator_keys},
	{NULL}
};

/* ----------------------------------------------------------------
 * What the server makes of a declaration
 * ----------------------------------------------------------------
 */

static char *
type_or_none(Oid type)
{
	return OidIsValid(type) ? format_type_be_qualified(type) : "NONE";
}

static char *
create_sql(const char *schema, const ConvOperator *o)
{
	StringInfoData sql;

	initStringInfo(&sql);
	appendStringInfo(&sql, "CREATE OPERATOR %s.%s (FUNCTION = %s",
					 quote_identifier(schema), o->name, o->function);
	if (OidIsValid(o->left_oid))
		appendStringInfo(&sql, ", LEFTARG = %s",
						 format_type_be_qualified(o->left_oid));
	appendStringInfo(&sql, ", RIGHTARG = %s",
					 format_type_be_qualified(o->right_oid));
	if (o->commutator)
		appendStringInfo(&sql, ", COMMUTATOR = %s", o->commutator);
	if (o->negator)
		appendStringInfo(&sql, ", NEGATOR = %s", o->negator);
	if (o->restrict_fn)
		appendStringInfo(&sql, ", RESTRICT = %s", o->restrict_fn);
	if (o->join_fn)
		appendStringInfo(&sql, ", JOIN = %s", o->join_fn);
	if (o->hashes)
		appendStringInfoString(&sql, ", HASHES");
	if (o->merges)
		appendStringInfoString(&sql, ", MERGES");
	appendStringInfoChar(&sql, ')');
	return sql.data;
}

/* the signature's types, read as DROP OPERATOR reads them */
static void
resolve_signature(ConvOperator *o)
{
	List	   *parsed = raw_parser(psprintf("DROP OPERATOR %s",
											 operator_object(o->schema, o)),
									RAW_PARSE_DEFAULT);
	DropStmt   *drop = (DropStmt *) ((RawStmt *) linitial(parsed))->stmt;
	ObjectWithArgs *owa;
	TypeName   *left;

	if (list_length(parsed) != 1 || !IsA(drop, DropStmt) ||
		drop->removeType != OBJECT_OPERATOR ||
		list_length(drop->objects) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("\"%s\" is not one operator signature",
						o->signature)));
	owa = linitial(drop->objects);
	left = linitial(owa->objargs);
	o->left_oid = left ? typenameTypeId(NULL, left) : InvalidOid;
	o->right_oid = typenameTypeId(NULL, lsecond(owa->objargs));
}

static void
operator_work(void *arg)
{
	static const Oid restrict_args[] = {INTERNALOID, OIDOID, INTERNALOID,
	INT4OID};
	static const Oid join_args[] = {INTERNALOID, OIDOID, INTERNALOID,
	INT2OID, INTERNALOID};
	ConvOperator *o = arg;
	Oid			args[2];
	List	   *parsed;
	DefineStmt *stmt;
	ListCell   *lc;

	resolve_signature(o);
	args[0] = OidIsValid(o->left_oid) ? o->left_oid : o->right_oid;
	args[1] = o->right_oid;
	parsed = raw_parser(create_sql(o->schema, o), RAW_PARSE_DEFAULT);
	stmt = (DefineStmt *) ((RawStmt *) linitial(parsed))->stmt;
	if (list_length(parsed) != 1 || !IsA(stmt, DefineStmt))
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("the declaration is not one operator")));
	foreach(lc, stmt->definition)
	{
		DefElem    *d = lfirst(lc);
		List	   *names = strcmp(d->defname, "hashes") == 0 ||
			strcmp(d->defname, "merges") == 0 ||
			strcmp(d->defname, "leftarg") == 0 ||
			strcmp(d->defname, "rightarg") == 0 ? NIL :
			defGetQualifiedName(d);

		if (strcmp(d->defname, "function") == 0)
			o->function_oid = LookupFuncName(names,
											 OidIsValid(o->left_oid) ? 2 : 1,
											 OidIsValid(o->left_oid) ?
											 args : args + 1, true);
		else if (strcmp(d->defname, "commutator") == 0)
		{
			o->commutator_names = names;
			o->commutator_oid = LookupOperName(NULL, names, o->right_oid,
											   o->left_oid, true, -1);
		}
		else if (strcmp(d->defname, "negator") == 0)
		{
			o->negator_names = names;
			o->negator_oid = LookupOperName(NULL, names, o->left_oid,
											o->right_oid, true, -1);
		}
		else if (strcmp(d->defname, "restrict") == 0)
			o->restrict_oid = LookupFuncName(names, 4, restrict_args, true);
		else if (strcmp(d->defname, "join") == 0)
			o->join_oid = LookupFuncName(names, 5, join_args, true);
	}
}

static void
signature_work(void *arg)
{
	resolve_signature(arg);
}

/* does the document declare the operator "names" of these types? */
static bool
operator_declared(DiffState *ds, List *names, Oid left, Oid right)
{
	char	   *schema;
	char	   *name;
	ListCell   *sc,
			   *lc;

	DeconstructQualifiedName(names, &schema, &name);
	foreach(sc, ds->want_model->schemas)
	{
		ConvSchema *s = lfirst(sc);

		if (strcmp(s->name, schema) != 0)
			continue;
		foreach(lc, s->operators)
		{
			ConvOperator *d = lfirst(lc);

			run_at(&d->pos, signature_work, d);
			if (strcmp(d->name, name) == 0 && d->left_oid == left &&
				d->right_oid == right)
				return true;
		}
	}
	return false;
}

/*
 * A commutator or negator that does not exist: CREATE OPERATOR would make
 * a shell of it, an operator the document does not hold, so the plan would
 * never converge.  It must be one the document declares, under a schema
 * (unqualified, the server would make the shell in the first schema of the
 * search path, which is pg_catalog inside a convergence).
 */
static void
refuse_shell(DiffState *ds, const ConvOperator *o, const char *what,
			 const char *written, List *names, Oid left, Oid right)
{
	if (list_length(names) > 1 && operator_declared(ds, names, left, right))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_FUNCTION),
			 errmsg("%s %s of operator \"%s\" does not exist for its argument types, and the document does not declare it, at line %d, column %d (%s)",
					what, written, o->signature, o->pos.line, o->pos.column,
					doc_path(&o->pos)),
			 errhint("Declare it under \"operators\" and name it with its schema, OPERATOR(schema.name): the server would make a shell operator the document does not hold.")));
}

/*
 * Resolve a document operator.  A function that does not exist is the
 * document's error unless the plan creates one of its name; a commutator
 * or negator that does not exist yet must be one the document declares
 * (the plan creates both, the second filling the shell the first made).
 */
static void
resolve_operator(DiffState *ds, ConvOperator *o)
{
	ErrorData  *edata = converge_run_rolled_back(operator_work, o);

	if (edata)
		expr_raise_at(edata, &o->pos);
	if (o->commutator && !OidIsValid(o->commutator_oid))
		refuse_shell(ds, o, "commutator", o->commutator, o->commutator_names,
					 o->right_oid, o->left_oid);
	if (o->negator && !OidIsValid(o->negator_oid))
		refuse_shell(ds, o, "negator", o->negator, o->negator_names,
					 o->left_oid, o->right_oid);
	if (!OidIsValid(o->function_oid) && !function_created(ds, o->function))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("function %s of operator \"%s\" does not exist for its argument types, and the document does not declare it, at line %d, column %d (%s)",
						o->function, o->signature, o->pos.line,
						o->pos.column, doc_path(&o->pos)),
				 errhint("Declare it under \"functions\" with the operator's argument types.")));
}

/* ----------------------------------------------------------------
 * Comparing
 * ----------------------------------------------------------------
 */

static ConvOperator *
current_operator(List *have, const ConvOperator *w)
{
	ListCell   *lc;

	foreach(lc, have)
	{
		ConvOperator *h = lfirst(lc);

		if (strcmp(h->name, w->name) == 0 && h->left_oid == w->left_oid &&
			h->right_oid == w->right_oid)
			return h;
	}
	return NULL;
}

/* an unresolved commutator or negator is new: the operator differs */
static bool
operators_differ(const ConvOperator *w, const ConvOperator *h)
{
	return !OidIsValid(w->function_oid) ||
		w->function_oid != h->function_oid ||
		(w->commutator != NULL) != OidIsValid(h->commutator_oid) ||
		w->commutator_oid != h->commutator_oid ||
		(w->negator != NULL) != OidIsValid(h->negator_oid) ||
		w->negator_oid != h->negator_oid ||
		w->restrict_oid != h->restrict_oid || w->join_oid != h->join_oid ||
		w->hashes != h->hashes || w->merges != h->merges;
}

static void
add_operator_change(DiffState *ds, const char *schema, ConvAction action,
					ConvOperator *want, ConvOperator *have)
{
	ConvChange *change = add_change(ds, KIND_OPERATOR, action, schema, NULL,
									NULL);

	change->want = want;
	change->have = have;
}

static void
diff_operator(DiffState *ds, ConvSchema *want_schema, void *want,
			  List *have, List **kept)
{
	const char *schema = want_schema->name;
	ConvOperator *w = want;
	ConvOperator *h;

	resolve_operator(ds, w);
	h = current_operator(have, w);
	if (h == NULL)
	{
		add_operator_change(ds, schema, ACTION_CREATE, w, NULL);
		return;
	}
	*kept = lappend(*kept, h);
	if (operators_differ(w, h))
	{
		add_operator_change(ds, schema, ACTION_DROP, w, h);
		add_operator_change(ds, schema, ACTION_CREATE, w, h);
	}
	else if (strings_differ(w->comment, h->comment))
		add_operator_change(ds, schema, ACTION_COMMENT, w, h);
}

static void
drop_operator(DiffState *ds, ConvSchema *schema, void *have)
{
	add_operator_change(ds, schema->name, ACTION_DROP, NULL, have);
}

static void
diff_operators(DiffState *ds)
{
	diff_schema_objects(ds, offsetof(ConvSchema, operators_managed),
						offsetof(ConvSchema, operators), diff_operator,
						drop_operator);
}

/* the dependency graph: an operator dropped, or dropped and created */
static const char *
operator_reshapes(const ConvChange *change, ObjectAddress *object,
				  bool *gone)
{
	ConvOperator *have = change->have;

	if (change->action != ACTION_DROP)
		return NULL;
	ObjectAddressSet(*object, OperatorRelationId, have->oid);
	*gone = change->want == NULL;
	return psprintf("operator %s is %s",
					operator_object(change->schema, have),
					*gone ? "dropped" : "created again");
}

/* ----------------------------------------------------------------
 * Planning
 * ----------------------------------------------------------------
 */

/* "schema.name (left, right)", as DROP and COMMENT take an operator */
static char *
operator_sql(const char *schema, const ConvOperator *o)
{
	return psprintf("%s.%s (%s, %s)", quote_identifier(schema), o->name,
					type_or_none(o->left_oid),
					format_type_be_qualified(o->right_oid));
}

static void
plan_create_operator(ConvPlanState *ps, const ConvChange *change)
{
	ConvOperator *o = change->want;

	add_step(ps, "create_operator", operator_object(change->schema, o),
			 create_sql(change->schema, o),
			 change->have ?
			 pstrdup("the operator differs from the document: created again") :
			 pstrdup("operator is declared in the document and does not exist"),
			 0);
	if (o->comment)
		add_comment(ps, "comment_operator", "OPERATOR",
					operator_sql(change->schema, o), o->comment);
}

static void
plan_drop_operator(ConvPlanState *ps, const ConvChange *change)
{
	ConvOperator *h = change->have;
	ConvStep   *step;

	step = add_step(ps, "drop_operator", operator_object(change->schema, h),
					psprintf("DROP OPERATOR %s",
							 operator_sql(change->schema, h)),
					change->want ?
					pstrdup("the operator differs from the document: dropped, then created again") :
					pstrdup("operator is not declared in the document"),
					0);
	refuse_if_used(step, h->used_outside, "operator",
				   change->want ? "created again" : "dropped");
}

static void
plan_operator_comment(ConvPlanState *ps, const ConvChange *change)
{
	ConvOperator *o = change->want;

	add_comment(ps, "comment_operator", "OPERATOR",
				operator_sql(change->schema, o), o->comment);
}

/* ----------------------------------------------------------------
 * Export
 * ----------------------------------------------------------------
 */

static void
emit_operator(Emitter *em, const ConvSchema *schema, const void *object)
{
	const ConvOperator *o = object;

	emit_scalar(em, o->signature, false);
	begin_mapping(em, true);
	emit_pair(em, "function", o->function);
	if (o->commutator)
		emit_pair(em, "commutator", o->commutator);
	if (o->negator)
		emit_pair(em, "negator", o->negator);
	if (o->restrict_fn)
		emit_pair(em, "restrict", o->restrict_fn);
	if (o->join_fn)
		emit_pair(em, "join", o->join_fn);
	if (o->hashes)
		emit_pair(em, "hashes", "true");
	if (o->merges)
		emit_pair(em, "merges", "true");
	if (o->comment)
		emit_pair(em, "comment", o->comment);
	end_mapping(em);
}

static void
emit_operators(Emitter *em, const ConvSchema *schema, const ConvTable *table)
{
	emit_entries(em, "operators", schema, schema->operators, emit_operator);
}

/* the script's fingerprint: an operator's function and properties */
static const char *const operators_fingerprint =
"SELECT 'operator', pg_catalog.format('%I.%s(%s, %s)', n.nspname, o.oprname,"
"   pg_catalog.format_type(o.oprleft, NULL),"
"   pg_catalog.format_type(o.oprright, NULL)),"
" pg_catalog.concat_ws(' ', o.oprcode::pg_catalog.regprocedure::pg_catalog.text,"
"   o.oprcom::pg_catalog.regoperator::pg_catalog.text,"
"   o.oprnegate::pg_catalog.regoperator::pg_catalog.text,"
"   o.oprrest::pg_catalog.regproc::pg_catalog.text,"
"   o.oprjoin::pg_catalog.regproc::pg_catalog.text,"
"   o.oprcanhash, o.oprcanmerge,"
"   'owner=' || pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(o.oprowner)),"
"   'comment=' || pg_catalog.quote_literal("
"     " COMMENT_OF("o.oid", "pg_operator") "))"
" FROM pg_catalog.pg_operator o"
" JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace"
" WHERE" FP_MANAGED("n.nspname")
"   AND" NOT_EXTENSION_MEMBER("pg_operator", "o.oid");

const ConvKindOps operator_kind = {
	.name = "operator",
	.diff = diff_operators,
	.reshapes = operator_reshapes,
	.plan = {
		[ACTION_CREATE] = plan_create_operator,
		[ACTION_DROP] = plan_drop_operator,
		[ACTION_COMMENT] = plan_operator_comment,
	},
	.doc_place = DOC_SCHEMA,
	.doc_keys = operator_doc_keys,
	.build = build_operators,
	.read = read_operators,
	.fingerprint = operators_fingerprint,
	.emit = emit_operators,
	.plural = "operators",
};
