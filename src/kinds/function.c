/*-------------------------------------------------------------------------
 *
 * function.c
 *	  Functions and procedures: created, replaced, dropped, compared by
 *	  every attribute the catalog stores.
 *
 * A function is keyed by its signature, "name(argument types)": two
 * overloads are two objects.  The document's declaration is read by the
 * server (routine.c): parameters' modes, names and types, defaults cooked,
 * the return type; with the language, the body's text as stored, and the
 * volatility, strictness, security, leakproofness, parallel safety, cost,
 * rows and SET clauses, it is compared with pg_proc.  A change CREATE OR
 * REPLACE can make (same return type, same parameter names, no default
 * taken away) is one; any other drops the function and creates it again,
 * which the server allows only when nothing depends on it.  What the
 * document manages is rebuilt around it by the dependency graph: views
 * that read it (view.c), and triggers, CHECKs, indexes, policies, column
 * defaults and generated columns whose stored expression calls it, each
 * dropped before the function and made again after (their kinds ask
 * stored_calls_dropped()).  Any other dependent makes the step refused,
 * naming it.
 *
 * A schema's functions are the document's once it says "functions" or
 * "procedures" for the schema (an empty mapping says there are none):
 * a document written before functions were converged, or one that leaves
 * them to another tool, does not drop them.
 *
 * Functions are created before the tables, since defaults, CHECKs and
 * indexes may call them, with check_function_bodies off as pg_dump's
 * output does: a body may read tables the plan creates later.  A
 * SQL-standard body (BEGIN ATOMIC, RETURN) is read when its function is
 * created, so such a function is created with the views; it is compared
 * as the analyzed trees the server stores (routine.c).  The body
 * is never run while planning.  A SECURITY DEFINER function without a SET
 * search_path gets a warning in the step's reason: anyone who can create
 * objects on its search path can run code as its owner.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/proclang.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/varlena.h"

#include "kinds/kinds.h"

static const char *noun(const ConvFunction *f);

static char *
function_object(const char *schema, const ConvFunction *f)
{
	const char *paren = strchr(f->signature, '(');

	return psprintf("%s%s", quote_qualified_identifier(schema, f->name),
					paren ? paren : "()");
}

/* ----------------------------------------------------------------
 * The catalog
 * ----------------------------------------------------------------
 */

/*
 * A dependent of a function that the plan rebuilds around it, so not one
 * that refuses its drop: found as "object" of "from" for a pg_depend row
 * of class "catalog", a member of relation "relid" of a managed schema for
 * which "condition" holds.  Views are rebuilt by view.c; triggers, CHECKs,
 * policies, defaults and generated columns, and indexes that back no
 * constraint by their kinds, when their current expression calls a
 * function the plan drops (stored_calls_dropped).
 */
#define REBUILT_AROUND(catalog, from, object, relid, condition) \
"           AND NOT EXISTS (SELECT FROM " from \
"                 JOIN pg_catalog.pg_class r ON r.oid = " relid \
"                 JOIN pg_catalog.pg_namespace rn ON rn.oid = r.relnamespace" \
"                WHERE d.classid = 'pg_catalog." catalog "'::pg_catalog.regclass" \
"                  AND " object " = d.objid AND " condition \
"                  AND rn.nspname OPERATOR(pg_catalog.=) ANY ($1))"

/*
 * A function or procedure of a managed schema that a pg_depend row "d"
 * makes depend on another: one of the model, which the plan may replace
 * or drop too (refuse_kept_caller), not a dependent outside it.
 */
#define MANAGED_CALLER(d) \
"EXISTS (SELECT FROM pg_catalog.pg_proc cp" \
"          JOIN pg_catalog.pg_namespace cn ON cn.oid = cp.pronamespace" \
"         WHERE " d ".classid = 'pg_catalog.pg_proc'::pg_catalog.regclass" \
"           AND cp.oid = " d ".objid AND cp.prokind IN ('f', 'p')" \
"           AND cn.nspname OPERATOR(pg_catalog.=) ANY ($1)" \
"           AND" NOT_EXTENSION_MEMBER("pg_proc", "cp.oid") ")"

static const char *const functions_query =
"SELECT p.oid, n.nspname, p.proname, p.prokind = 'p' AS procedure,"
"       p.proname || '(' || pg_catalog.oidvectortypes(p.proargtypes) || ')'"
"         AS signature,"
"       pg_catalog.pg_get_function_arguments(p.oid) AS arguments,"
"       CASE WHEN p.prokind = 'f'"
"            THEN pg_catalog.pg_get_function_result(p.oid) END AS returns,"
"       l.lanname, p.prosrc, p.prosqlbody IS NOT NULL AS standard_body,"
"       CASE WHEN p.prosqlbody IS NOT NULL"
"            THEN pg_catalog.pg_get_function_sqlbody(p.oid) END AS sql_body,"
"       p.prosqlbody::pg_catalog.text AS body_bin,"
"       p.provolatile::pg_catalog.text AS volatility, p.proisstrict,"
"       p.prosecdef, p.proleakproof,"
"       p.proparallel::pg_catalog.text AS parallel,"
"       p.procost::pg_catalog.float8 AS cost,"
"       p.prorows::pg_catalog.float8 AS rows, p.proretset, p.prorettype,"
"       p.proconfig::pg_catalog.text[] AS config,"
"       pg_catalog.array_to_string(p.proargmodes, '') AS modes,"
"       p.proargnames::pg_catalog.text[] AS arg_names,"
"       COALESCE(p.proallargtypes, p.proargtypes::pg_catalog.oid[])"
"         ::pg_catalog.text[] AS arg_types,"
"       p.proargdefaults::pg_catalog.text AS defaults_bin,"
"       " COMMENT_OF("p.oid", "pg_proc") " AS comment,"
"       " ACL_COLUMNS("p.proacl", "f", "p.proowner") ","
"       (SELECT " DEPENDENT_NAME("d")
"          FROM pg_catalog.pg_depend d"
"         WHERE d.refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass"
"           AND d.refobjid = p.oid AND d.deptype = 'n'"
		   REBUILT_AROUND("pg_rewrite", "pg_catalog.pg_rewrite w", "w.oid",
						  "w.ev_class", "r.relkind IN ('v', 'm')")
		   REBUILT_AROUND("pg_trigger", "pg_catalog.pg_trigger g", "g.oid",
						  "g.tgrelid", "r.relkind IN ('r', 'p')")
		   REBUILT_AROUND("pg_constraint", "pg_catalog.pg_constraint k",
						  "k.oid", "k.conrelid",
						  "r.relkind IN ('r', 'p') AND k.contype = 'c'")
		   REBUILT_AROUND("pg_policy", "pg_catalog.pg_policy pol", "pol.oid",
						  "pol.polrelid", "r.relkind IN ('r', 'p')")
		   REBUILT_AROUND("pg_attrdef", "pg_catalog.pg_attrdef ad", "ad.oid",
						  "ad.adrelid", "r.relkind IN ('r', 'p')")
		   REBUILT_AROUND("pg_class", "pg_catalog.pg_index x", "x.indexrelid",
						  "x.indrelid", "r.relkind IN ('r', 'p')"
						  " AND NOT EXISTS (SELECT FROM pg_catalog.pg_constraint xk"
						  "  WHERE xk.conindid = x.indexrelid)")
"           AND NOT " MANAGED_CALLER("d")
"         ORDER BY 1 LIMIT 1) AS used_outside,"
"       ARRAY(SELECT d.objid FROM pg_catalog.pg_depend d"
"              WHERE d.refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass"
"                AND d.refobjid = p.oid AND d.deptype = 'n'"
"                AND " MANAGED_CALLER("d")
"              ORDER BY d.objid)::pg_catalog.text[] AS callers"
" FROM pg_catalog.pg_proc p"
" JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
" JOIN pg_catalog.pg_language l ON l.oid = p.prolang"
" WHERE n.nspname OPERATOR(pg_catalog.=) ANY ($1)"
"   AND p.prokind IN ('f', 'p')"
"   AND" NOT_EXTENSION_MEMBER("pg_proc", "p.oid")
" ORDER BY n.nspname, signature";

static List *
oid_list(List *texts)
{
	List	   *oids = NIL;
	ListCell   *lc;

	foreach(lc, texts)
		oids = lappend_oid(oids, (Oid) strtoul(lfirst(lc), NULL, 10));
	return oids;
}

static void
read_function_row(ConvSchema *schema, HeapTuple tup, TupleDesc desc)
{
	ConvFunction *f = palloc0(sizeof(ConvFunction));
	bool		isnull;

	f->oid = DatumGetObjectId(get_datum(tup, desc, "oid", &isnull));
	f->schema = schema->name;
	f->name = get_text(tup, desc, "proname");
	f->procedure = get_bool(tup, desc, "procedure");
	f->signature = get_text(tup, desc, "signature");
	f->arguments = get_text(tup, desc, "arguments");
	f->returns = get_text(tup, desc, "returns");
	f->language = get_text(tup, desc, "lanname");
	f->standard_body = get_bool(tup, desc, "standard_body");
	f->body = get_text(tup, desc, f->standard_body ? "sql_body" : "prosrc");
	f->body_bin = get_text(tup, desc, "body_bin");
	f->volatility = *get_text(tup, desc, "volatility");
	f->strict = get_bool(tup, desc, "proisstrict");
	f->security_definer = get_bool(tup, desc, "prosecdef");
	f->leakproof = get_bool(tup, desc, "proleakproof");
	f->parallel = *get_text(tup, desc, "parallel");
	f->cost = DatumGetFloat8(get_datum(tup, desc, "cost", &isnull));
	f->rows = DatumGetFloat8(get_datum(tup, desc, "rows", &isnull));
	f->retset = get_bool(tup, desc, "proretset");
	f->result = DatumGetObjectId(get_datum(tup, desc, "prorettype", &isnull));
	f->set = get_text_list(tup, desc, "config");
	f->modes = get_text(tup, desc, "modes");
	f->arg_names = get_text_list(tup, desc, "arg_names");
	f->arg_types = oid_list(get_text_list(tup, desc, "arg_types"));
	f->defaults_bin = get_text(tup, desc, "defaults_bin");
	f->comment = get_text(tup, desc, "comment");
	f->grants = get_acl(tup, desc);
	f->owner = get_text(tup, desc, "owner");
	f->used_outside = get_text(tup, desc, "used_outside");
	schema->functions = lappend(schema->functions, f);
}

/* the function read with this oid; the callers are read with it */
static ConvFunction *
function_by_oid(List *functions, Oid oid)
{
	ListCell   *lc;

	foreach(lc, functions)
		if (((ConvFunction *) lfirst(lc))->oid == oid)
			return lfirst(lc);
	return NULL;
}

static void
read_functions(CatalogRead *cr)
{
	List	   *functions = NIL;
	List	   *callers = NIL;
	ListCell   *fc,
			   *cc,
			   *oc;

	catalog_query(cr, functions_query);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		ConvSchema *schema = find_or_add_schema(cr->model,
												get_text(tup, desc, "nspname"));

		read_function_row(schema, tup, desc);
		functions = lappend(functions, llast(schema->functions));
		callers = lappend(callers,
						  oid_list(get_text_list(tup, desc, "callers")));
	}
	/* few functions have callers: a scan for each caller is enough */
	forboth(fc, functions, cc, callers)
	{
		ConvFunction *f = lfirst(fc);

		foreach(oc, (List *) lfirst(cc))
			f->callers = lappend(f->callers,
								 function_by_oid(functions, lfirst_oid(oc)));
	}
}

/* ----------------------------------------------------------------
 * The document: a schema's "functions" and "procedures"
 * ----------------------------------------------------------------
 */

static char
one_of(const YNode *node, const char *key, const char *path,
	   const char *const *words, const char *letters, char otherwise)
{
	const YNode *v = map_get(node, key);

	if (v == NULL)
		return otherwise;
	for (int i = 0; words[i]; i++)
		if (strcmp(words[i], v->value) == 0)
			return letters[i];
	doc_error(ERRCODE_INVALID_PARAMETER_VALUE, v, child_path(path, key),
			  "%s must be %s, %s or %s, found \"%s\"", key, words[0],
			  words[1], words[2], v->value);
	return otherwise;
}

static double
option_number(const YNode *node, const char *key, const char *path)
{
	const YNode *v = map_get(node, key);

	return v ? (double) doc_key_int(v, path, key) : 0;
}

static void *
build_function_common(DocContainer *dc, const char *signature,
					  const YNode *node, const char *path, bool procedure)
{
	static const char *const volatilities[] = {"immutable", "stable",
	"volatile", NULL};
	static const char *const parallels[] = {"safe", "restricted",
	"unsafe", NULL};
	ConvFunction *f = palloc0(sizeof(ConvFunction));
	const char *paren = strchr(signature, '(');
	const YNode *v;

	if (paren == NULL || signature[strlen(signature) - 1] != ')')
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, node, path,
				  "\"%s\" is not a signature: write name(argument types)",
				  signature);
	f->schema = dc->schema->name;
	f->procedure = procedure;
	f->signature = pstrdup(signature);
	f->name = pnstrdup(signature, paren - signature);
	f->pos = node_pos(node, path);
	f->arguments = map_string(node, "arguments");
	if (f->arguments == NULL)
		f->arguments = pnstrdup(paren + 1, strlen(paren) - 2);
	f->returns = map_string(node, "returns");
	if (!procedure && f->returns == NULL)
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, node, path,
				  "function \"%s\" needs \"returns\"", signature);
	f->language = map_string(node, "language");
	if (f->language == NULL)
		f->language = "sql";
	f->body = map_string(node, "body");
	if (f->body == NULL)
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, node, path,
				  "\"%s\" needs a body", signature);
	f->standard_body = strcmp(f->language, "sql") == 0 &&
		routine_body_is_standard(f->body);
	f->volatility = one_of(node, "volatility", path, volatilities, "isv",
						   'v');
	f->parallel = one_of(node, "parallel", path, parallels, "sru", 'u');
	v = map_get(node, "strict");
	f->strict = v && doc_key_bool(v, path, "strict");
	v = map_get(node, "security_definer");
	f->security_definer = v && doc_key_bool(v, path, "security_definer");
	v = map_get(node, "leakproof");
	f->leakproof = v && doc_key_bool(v, path, "leakproof");
	f->cost = option_number(node, "cost", path);
	f->rows = option_number(node, "rows", path);
	f->set = doc_settings(map_get(node, "set"), path, "set");
	f->comment = doc_comment(node);
	f->grants = object_grants(node, path, "FUNCTION");
	return f;
}

static void *
build_function(DocContainer *dc, const char *name, const YNode *node,
			   const char *path)
{
	return build_function_common(dc, name, node, path, false);
}

static void *
build_procedure(DocContainer *dc, const char *name, const YNode *node,
				const char *path)
{
	return build_function_common(dc, name, node, path, true);
}

static void
build_functions(DocContainer *dc, const char *key, const YNode *value,
				const char *path)
{
	dc->schema->functions_managed = true;
	build_entries(dc, value, path,
				  strcmp(key, "functions") == 0 ? build_function :
				  build_procedure, &dc->schema->functions);
}

static const KeySpec function_keys[] = {
	{"arguments", V_STRING},
	{"returns", V_STRING},
	{"language", V_STRING},
	{"body", V_STRING},
	{"volatility", V_STRING},
	{"strict", V_BOOL},
	{"security_definer", V_BOOL},
	{"leakproof", V_BOOL},
	{"parallel", V_STRING},
	{"cost", V_INT},
	{"rows", V_INT},
	{"set", V_STRING_MAP},
	{"grants", V_NAMED_STRINGS},
	{"comment", V_STRING},
	{NULL}
};

static const KeySpec function_doc_keys[] = {
	{"functions", V_SIGNED, function_keys},
	{"procedures", V_SIGNED, function_keys},
	{NULL}
};

/* ----------------------------------------------------------------
 * Planning SQL
 * ----------------------------------------------------------------
 */

/*
 * "name TO value" of one "name=value" as proconfig holds it; a list
 * setting (search_path) item by item, as the server splits it, the way
 * pg_get_functiondef() prints it.
 */
static char *
set_clause(const char *item)
{
	const char *eq = strchr(item, '=');
	char	   *name = pnstrdup(item, eq - item);
	StringInfoData buf;
	List	   *values;
	ListCell   *lc;

	initStringInfo(&buf);
	appendStringInfo(&buf, "%s TO ", quote_identifier(name));
	if (!(GetConfigOptionFlags(name, true) & GUC_LIST_QUOTE))
	{
		appendStringInfoString(&buf, quote_literal_cstr(eq + 1));
		return buf.data;
	}
	if (!SplitGUCList(pstrdup(eq + 1), ',', &values))
		elog(ERROR, "invalid list in setting \"%s\"", item);
	foreach(lc, values)
		appendStringInfo(&buf, "%s%s", foreach_current_index(lc) ? ", " : "",
						 quote_literal_cstr(lfirst(lc)));
	return buf.data;
}

/* the CREATE [OR REPLACE] statement of a document function */
static char *
create_sql(const char *schema, const ConvFunction *f, bool replace)
{
	static const char *const volatilities[] = {"IMMUTABLE", "STABLE",
	"VOLATILE"};
	static const char *const parallels[] = {"SAFE", "RESTRICTED", "UNSAFE"};
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE %s%s %s(%s)", replace ? "OR REPLACE " : "",
					 f->procedure ? "PROCEDURE" : "FUNCTION",
					 quote_qualified_identifier(schema, f->name),
					 f->arguments);
	if (!f->procedure)
		appendStringInfo(&buf, " RETURNS %s", f->returns);
	appendStringInfo(&buf, " LANGUAGE %s", quote_identifier(f->language));
	if (!f->procedure)
	{
		appendStringInfo(&buf, " %s",
						 volatilities[strchr("isv", f->volatility) - "isv"]);
		if (f->strict)
			appendStringInfoString(&buf, " STRICT");
		if (f->leakproof)
			appendStringInfoString(&buf, " LEAKPROOF");
		appendStringInfo(&buf, " PARALLEL %s",
						 parallels[strchr("sru", f->parallel) - "sru"]);
		if (f->cost > 0)
			appendStringInfo(&buf, " COST %g", f->cost);
		if (f->rows > 0)
			appendStringInfo(&buf, " ROWS %g", f->rows);
	}
	if (f->security_definer)
		appendStringInfoString(&buf, " SECURITY DEFINER");
	foreach(lc, f->set)
		appendStringInfo(&buf, " SET %s", set_clause(lfirst(lc)));
	if (f->standard_body)
		appendStringInfo(&buf, " %s", expr_fragment(f->body));
	else
		appendStringInfo(&buf, " AS %s", dollar_quoted(f->body, "body"));
	return buf.data;
}

/* ----------------------------------------------------------------
 * Comparing
 * ----------------------------------------------------------------
 */

/* what a kept function needs */
#define FUNCTION_REPLACE	(1 << 0)	/* CREATE OR REPLACE */
#define FUNCTION_RECREATE	(1 << 1)	/* DROP and CREATE */
#define FUNCTION_COMMENT	(1 << 2)
#define FUNCTION_LATE		(1 << 3)	/* created after the tables */
#define FUNCTION_AFTER_CALLERS (1 << 4) /* dropped for good after its
										 * callers are replaced */

/* the parameters' modes, each 'i' where pg_proc keeps none */
static char *
have_modes(const ConvFunction *h)
{
	char	   *modes;

	if (h->modes)
		return h->modes;
	modes = palloc0(list_length(h->arg_types) + 1);
	memset(modes, FUNC_PARAM_IN, list_length(h->arg_types));
	return modes;
}

static List *
have_names(const ConvFunction *h)
{
	List	   *names = NIL;

	if (h->arg_names)
		return h->arg_names;
	for (int i = 0; i < list_length(h->arg_types); i++)
		names = lappend(names, "");
	return names;
}

/* the types of the input parameters: what a signature names */
static List *
input_types(const char *modes, List *types)
{
	List	   *inputs = NIL;
	ListCell   *lc;

	foreach(lc, types)
		if (strchr("ibv", modes[foreach_current_index(lc)]))
			inputs = lappend_oid(inputs, lfirst_oid(lc));
	return inputs;
}

/* the cost the server gives a function of the language when none is said */
static double
default_cost(const char *language)
{
	return strcmp(language, "c") == 0 || strcmp(language, "internal") == 0 ?
		1 : 100;
}

static bool
options_differ(const ConvFunction *w, const ConvFunction *h)
{
	double		cost = w->cost > 0 ? w->cost : default_cost(w->language);
	double		rows = w->rows > 0 ? w->rows : (h->retset ? 1000 : 0);

	return strcmp(w->language, h->language) != 0 ||
		w->standard_body != h->standard_body ||
		(!w->standard_body && strcmp(w->body, h->body) != 0) ||
		w->volatility != h->volatility || w->strict != h->strict ||
		w->security_definer != h->security_definer ||
		w->leakproof != h->leakproof || w->parallel != h->parallel ||
		(!w->procedure && (cost != h->cost || rows != h->rows)) ||
		!strings_equal(w->set, h->set);
}

/*
 * What it takes to make the current function the document's: nothing, a
 * comment, CREATE OR REPLACE, or, where the server refuses to replace (a
 * new return type, renamed parameters, a default taken away), a new one.
 */
static int
compare_function(const ConvFunction *w, const RoutineMeaning *m,
				 const ConvFunction *h)
{
	int			what = 0;
	List	   *have_defaults = h->defaults_bin ?
		(List *) stringToNode(h->defaults_bin) : NIL;

	if (m->result != h->result || m->retset != h->retset ||
		strcmp(m->modes, have_modes(h)) != 0 ||
		!strings_equal(m->names, have_names(h)) ||
		list_length(m->defaults) < list_length(have_defaults) ||
		!equal(m->types, h->arg_types))
		what |= FUNCTION_RECREATE;
	else if (!routine_defaults_match(m->defaults, h->defaults_bin) ||
			 options_differ(w, h) ||
			 (w->standard_body &&
			  (m->body == NULL || !routine_bodies_match(m->body, h->body_bin))))
		what |= FUNCTION_REPLACE;
	if (strings_differ(w->comment, h->comment))
		what |= FUNCTION_COMMENT;
	return what;
}

/* the current function of the same name and input types, if any */
static ConvFunction *
current_function(List *have, const ConvFunction *w, const RoutineMeaning *m)
{
	List	   *inputs = input_types(m->modes, m->types);
	ListCell   *lc;

	foreach(lc, have)
	{
		ConvFunction *h = lfirst(lc);

		if (strcmp(h->name, w->name) == 0 && h->procedure == w->procedure &&
			equal(input_types(have_modes(h), h->arg_types), inputs))
			return h;
	}
	return NULL;
}

/*
 * Do the called names (as written: "name" or "schema.name") name this
 * function, qualified, or bare when a bare name finds its schema?
 */
static bool
names_function(List *called, const char *schema, const char *name,
			   bool bare)
{
	return string_in(called, psprintf("%s.%s", schema, name)) ||
		(bare && string_in(called, name));
}

/* is the schema on the document's search path, where bare names look? */
static bool
on_document_path(DiffState *ds, const char *schema)
{
	List	   *path = ds->want_model->search_path;

	return path ? string_in(path, schema) : strcmp(schema, "public") == 0;
}

/* a document function's body and the names it calls */
typedef struct BodyCalls
{
	const ConvFunction *function;	/* hash key */
	List	   *names;
} BodyCalls;

/*
 * The names a document function's SQL-standard body calls, parsed once
 * per diff: the dependency graph asks for them when the function is
 * compared, and again for each function the plan drops.
 */
static List *
body_called_names(DiffState *ds, const char *schema, const ConvFunction *w)
{
	BodyCalls  *entry;
	List	   *names;

	if (ds->body_calls == NULL)
		ds->body_calls = local_hash("pg_converge body calls",
									sizeof(ConvFunction *),
									sizeof(BodyCalls), 64);
	entry = hash_search(ds->body_calls, &w, HASH_FIND, NULL);
	if (entry)
		return entry->names;
	/* parsed before the entry is made: a parse error leaves none */
	names = routine_body_called_names(create_sql(schema, w, false));
	entry = hash_search(ds->body_calls, &w, HASH_ENTER, NULL);
	entry->names = names;
	return names;
}

/*
 * The document's functions a SQL-standard body calls: by the name the raw
 * body writes, in the schema it names or, unqualified, in a schema of the
 * document's search path; every overload of that name.  Its function is
 * made after those of them the same phase makes (the dependency graph
 * within a phase).
 */
static List *
document_callees(DiffState *ds, const char *schema, const ConvFunction *w)
{
	List	   *called = body_called_names(ds, schema, w);
	List	   *callees = NIL;
	ListCell   *sc,
			   *fc;

	foreach(sc, ds->want_model->schemas)
	{
		ConvSchema *s = lfirst(sc);

		foreach(fc, s->functions)
		{
			ConvFunction *f = lfirst(fc);

			if (f != w &&
				names_function(called, s->name, f->name,
							   on_document_path(ds, s->name)))
				callees = lappend(callees, f);
		}
	}
	return callees;
}

/* does one of the document's functions not exist under its name yet? */
static bool
any_missing(DiffState *ds, List *functions)
{
	ListCell   *lc;

	foreach(lc, functions)
	{
		ConvFunction *f = lfirst(lc);
		ConvSchema *current = find_schema(ds->have_model, f->schema);

		if (current == NULL ||
			find_named(current->functions, f->name) == NULL)
			return true;
	}
	return false;
}

static ConvChange *
add_function_change(DiffState *ds, const char *schema, ConvAction action,
					ConvFunction *want, ConvFunction *have)
{
	ConvChange *change = add_change(ds, KIND_FUNCTION, action, schema, NULL,
									NULL);

	change->want = want;
	change->have = have;
	return change;
}

/*
 * Does the document declare a table or view that does not exist?  The
 * tables are compared after the functions, so this asks the document.
 */
static bool
document_creates_relations(DiffState *ds)
{
	ListCell   *sc,
			   *lc;

	foreach(sc, ds->want_model->schemas)
	{
		ConvSchema *schema = lfirst(sc);
		ConvSchema *have = find_schema(ds->have_model, schema->name);

		foreach(lc, schema->tables)
		{
			ConvTable  *t = lfirst(lc);

			if (lookup_table(ds, schema->name, t->name) == NULL &&
				(t->renamed_from == NULL ||
				 lookup_table(ds, schema->name, t->renamed_from) == NULL))
				return true;
		}
		foreach(lc, schema->views)
			if (have == NULL ||
				find_named(have->views,
						   ((ConvView *) lfirst(lc))->name) == NULL)
				return true;
	}
	return false;
}

/*
 * Does the plan create a type a declaration may name (an enum, a domain,
 * a composite type, a table's row type, or a schema holding one), or a
 * relation a SQL-standard body may read?  Then what the server cannot
 * find yet may be one.
 */
static bool
plan_creates_types(DiffState *ds)
{
	ListCell   *lc;

	foreach(lc, ds->changes)
	{
		ConvChange *change = lfirst(lc);

		if (change->action == ACTION_CREATE &&
			(change->kind == KIND_SCHEMA || change->kind == KIND_ENUM ||
			 change->kind == KIND_DOMAIN || change->kind == KIND_COMPOSITE))
			return true;
	}
	return document_creates_relations(ds);
}

/*
 * A SQL-standard body is analyzed when its function is created: one that
 * reads what the plan creates, or calls a function of the document that
 * does not exist yet, cannot be compared before, and is made again (late,
 * with the views, after the functions it calls) rather than left as it is.
 */
static void
standard_body_meaning(DiffState *ds, const char *schema, ConvFunction *w,
					  List *callees, RoutineMeaning *m)
{
	RoutineMeaning body = {0};
	ErrorData  *edata = routine_body_meaning(create_sql(schema, w, false),
											 &body);

	if (edata && !plan_creates_types(ds) &&
		!(edata->sqlerrcode == ERRCODE_UNDEFINED_FUNCTION &&
		  any_missing(ds, callees)))
		expr_raise_at(edata, &w->pos);
	m->body = body.body;
}

/*
 * CREATE FUNCTION finds the language when it runs: one that does not exist
 * now, and that no extension the plan creates may bring, is the
 * document's error.
 */
static void
check_language(DiffState *ds, const ConvFunction *f)
{
	if (ds->unknown_types || OidIsValid(get_language_oid(f->language, true)))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("language \"%s\" of %s \"%s\" does not exist, at line %d, column %d (%s)",
					f->language, noun(f), f->signature, f->pos.line,
					f->pos.column, doc_path(&f->pos)),
			 errhint("Name a language the server has (sql, plpgsql), or declare the extension that brings it under \"extensions\".")));
}

/* one document function: new, kept, changed in place or made anew */
static void
diff_function(DiffState *ds, ConvSchema *want_schema, void *want,
			  List *have, List **kept)
{
	const char *schema = want_schema->name;
	ConvFunction *w = want;
	RoutineMeaning m = {0};
	ErrorData  *edata = routine_meaning(create_sql(schema, w, false), &m);
	List	   *callees = NIL;
	ConvChange *change;
	ConvFunction *h;
	int			what;

	check_language(ds, w);
	if (edata && ((edata->sqlerrcode != ERRCODE_UNDEFINED_OBJECT &&
				   edata->sqlerrcode != ERRCODE_UNDEFINED_SCHEMA) ||
				  !plan_creates_types(ds)))
		expr_raise_at(edata, &w->pos);
	if (!edata && w->standard_body)
	{
		callees = document_callees(ds, schema, w);
		standard_body_meaning(ds, schema, w, callees, &m);
	}
	h = edata ? NULL : current_function(have, w, &m);
	if (h)
		set_diff_note(ds, w, h);
	if (h == NULL)
	{
		/* naming a type the plan creates: once the tables exist */
		change = add_function_change(ds, schema, ACTION_CREATE, w, NULL);
		change->what = edata ? FUNCTION_LATE : 0;
		change->needs = callees;
		return;
	}
	*kept = lappend(*kept, h);
	what = compare_function(w, &m, h);
	if (what & FUNCTION_RECREATE)
	{
		/* a drop with the document's function is one made anew */
		add_function_change(ds, schema, ACTION_DROP, w, h)->needs = h->callers;
		add_function_change(ds, schema, ACTION_CREATE, w, h)->needs = callees;
		return;
	}
	if (what & FUNCTION_REPLACE)
		add_function_change(ds, schema, ACTION_REPLACE, w, h)->needs = callees;
	if (what & FUNCTION_COMMENT)
		add_function_change(ds, schema, ACTION_COMMENT, w, h);
}

/*
 * function_trusted_oids
 *		The document's own immutable functions that exist, immutable now
 *		too: the code the document vouches for, which a probe may evaluate
 *		(validate.c evaluates no other function of a user's).
 */
List *
function_trusted_oids(const DiffState *diff)
{
	List	   *oids = NIL;
	ListCell   *sc,
			   *lc;

	foreach(sc, diff->want_model->schemas)
		foreach(lc, ((ConvSchema *) lfirst(sc))->functions)
	{
		ConvFunction *f = lfirst(lc);
		ConvFunction *current = diff_note(diff, f);

		if (current && f->volatility == PROVOLATILE_IMMUTABLE &&
			current->volatility == PROVOLATILE_IMMUTABLE)
			oids = lappend_oid(oids, current->oid);
	}
	return oids;
}

/*
 * The functions the plan creates, or creates again, by name: what calls
 * them cannot be cooked (names_created), nor its rows read with them
 * (calls_created_function), before it runs.
 */
static void
note_created_functions(DiffState *ds)
{
	ListCell   *lc;

	foreach(lc, ds->changes)
	{
		ConvChange *change = lfirst(lc);
		ConvFunction *f = change->want;

		if (change->kind != KIND_FUNCTION || change->action != ACTION_CREATE)
			continue;
		ds->created_functions = lappend(ds->created_functions, f->name);
		ds->created_functions = lappend(ds->created_functions,
										psprintf("%s.%s", change->schema,
												 f->name));
	}
	ds->created_names = list_concat(ds->created_names, ds->created_functions);
	mark_pending_defaults(ds);
}

/*
 * A function the document drops (no function of its name stays in its
 * schema) must not be one its own expressions call, unqualified in its
 * schema or qualified anywhere: the document contradicts itself, and says
 * so at the expression.
 */
static void
refuse_call(List *called, const char *what, const DocPos *pos,
			const char *schema, const ConvFunction *f, bool same_schema)
{
	if (!names_function(called, schema, f->name, same_schema))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_FUNCTION),
			 errmsg("%s calls %s %s, which the document does not declare, at line %d, column %d (%s)",
					what, noun(f), function_object(schema, f),
					pos->line, pos->column, doc_path(pos)),
			 errhint("Declare it under \"functions\", or write the expression without it.")));
}

static void
refuse_text_call(const char *text, const char *what, const DocPos *pos,
				 const char *schema, const ConvFunction *f, bool same_schema)
{
	if (text)
		refuse_call(expr_called_names(text, pos), what, pos, schema, f,
					same_schema);
}

/* the expressions of one document table */
static void
refuse_table_calls(const ConvTable *t, const char *schema,
				   const ConvFunction *f, bool same_schema)
{
	ListCell   *lc;

	foreach(lc, t->columns)
	{
		ConvColumn *col = lfirst(lc);

		refuse_text_call(col->default_expr,
						 psprintf("default of column \"%s\"", col->name),
						 &col->default_pos, schema, f, same_schema);
		refuse_text_call(col->generated,
						 psprintf("generated column \"%s\"", col->name),
						 &col->generated_pos, schema, f, same_schema);
	}
	foreach(lc, t->checks)
	{
		ConvCheck  *c = lfirst(lc);

		refuse_text_call(c->expr, psprintf("CHECK \"%s\"", c->name),
						 &c->pos, schema, f, same_schema);
	}
	foreach(lc, t->indexes)
	{
		ConvIndex  *i = lfirst(lc);

		refuse_call(expr_index_called_names(i),
					psprintf("index \"%s\"", i->name), &i->pos, schema, f,
					same_schema);
	}
	foreach(lc, t->policies)
	{
		ConvPolicy *p = lfirst(lc);
		char	   *what = psprintf("policy \"%s\"", p->name);

		refuse_text_call(p->using_expr, what, &p->using_pos, schema, f,
						 same_schema);
		refuse_text_call(p->check_expr, what, &p->check_pos, schema, f,
						 same_schema);
	}
	foreach(lc, t->triggers)
	{
		ConvTrigger *g = lfirst(lc);

		refuse_call(list_make1(g->function),
					psprintf("trigger \"%s\"", g->name), &g->pos, schema, f,
					same_schema);
	}
}

/* the SQL-standard bodies of one document schema's functions */
static void
refuse_body_calls(DiffState *ds, const ConvSchema *s, const char *schema,
				  const ConvFunction *f, bool same_schema)
{
	ListCell   *lc;

	foreach(lc, s->functions)
	{
		ConvFunction *w = lfirst(lc);

		if (w->standard_body)
			refuse_call(body_called_names(ds, s->name, w),
						psprintf("%s \"%s\"", noun(w), w->signature),
						&w->pos, schema, f, same_schema);
	}
}

static void
refuse_called(DiffState *ds, const ConvSchema *schema, const ConvFunction *f)
{
	ListCell   *sc,
			   *tc;

	if (find_named(schema->functions, f->name))
		return;
	foreach(sc, ds->want_model->schemas)
	{
		ConvSchema *s = lfirst(sc);

		foreach(tc, s->tables)
			refuse_table_calls(lfirst(tc), schema->name, f, s == schema);
		refuse_body_calls(ds, s, schema->name, f, s == schema);
	}
}

/*
 * A function dropped for good whose callers (functions of the model whose
 * SQL-standard bodies call it) the plan replaces goes after them, with the
 * views: the server refuses to drop it while they call it.
 */
static void
drop_function(DiffState *ds, ConvSchema *schema, void *have)
{
	ConvFunction *f = have;
	ConvChange *change;

	refuse_called(ds, schema, f);
	change = add_function_change(ds, schema->name, ACTION_DROP, NULL, f);
	if (f->callers)
	{
		change->what = FUNCTION_AFTER_CALLERS;
		change->needs = f->callers;
	}
}

/*
 * Every schema's functions, where the document manages them (it says
 * "functions" or "procedures"); those it does not declare go.
 */
static void
diff_functions(DiffState *ds)
{
	diff_schema_objects(ds, offsetof(ConvSchema, functions_managed),
						offsetof(ConvSchema, functions), diff_function,
						drop_function);
	note_created_functions(ds);
}

/* the dependency graph: a function dropped, or dropped and created */
static const char *
function_reshapes(const ConvChange *change, ObjectAddress *object,
				  bool *gone)
{
	ConvFunction *have = change->have;

	if (change->action != ACTION_DROP)
		return NULL;
	ObjectAddressSet(*object, ProcedureRelationId, have->oid);
	*gone = change->want == NULL;
	return psprintf("%s %s is %s", have->procedure ? "procedure" : "function",
					function_object(change->schema, have),
					*gone ? "dropped" : "created again");
}

/* ----------------------------------------------------------------
 * Planning
 * ----------------------------------------------------------------
 */

static const char *
noun(const ConvFunction *f)
{
	return f->procedure ? "procedure" : "function";
}

/* the hijack a SECURITY DEFINER function without its own search_path is */
static char *
with_warning(const ConvFunction *f, char *reason)
{
	ListCell   *lc;

	if (!f->security_definer)
		return reason;
	foreach(lc, f->set)
		if (strncmp(lfirst(lc), "search_path=", 12) == 0)
			return reason;
	return psprintf("%s; warning: SECURITY DEFINER without SET search_path runs as its owner whatever objects the caller's search_path puts first",
					reason);
}

static void
plan_create_function(ConvPlanState *ps, const ConvChange *change)
{
	ConvFunction *f = change->want;
	ConvStep   *step;

	step = add_step(ps, f->procedure ? "create_procedure" : "create_function",
					function_object(change->schema, f),
					create_sql(change->schema, f, false),
					with_warning(f, change->have ?
								 psprintf("the %s's return type or parameters differ from the document; CREATE OR REPLACE cannot change them",
										  noun(f)) :
								 psprintf("%s is declared in the document and does not exist",
										  noun(f))),
					0);
	step->defer_body_check = true;
}

static void
plan_replace_function(ConvPlanState *ps, const ConvChange *change)
{
	ConvFunction *f = change->want;
	ConvStep   *step;

	step = add_step(ps, f->procedure ? "replace_procedure" : "replace_function",
					function_object(change->schema, f),
					create_sql(change->schema, f, true),
					with_warning(f, psprintf("the %s differs from the document",
											 noun(f))),
					0);
	step->defer_body_check = true;
}

/*
 * Can the plan drop this function while a caller of the model calls it?
 * Only once the caller is gone or no longer calls it: dropped (to be made
 * again, before a function made again: both go in the same phase, the
 * caller first), or replaced, or made again, by a document that calls the
 * function nowhere (refuse_called), before a function dropped for good.
 */
static bool
caller_goes_first(ConvPlanState *ps, const ConvChange *change,
				  ConvFunction *caller)
{
	ConvChange *drop = find_change(ps, KIND_FUNCTION, ACTION_DROP, caller);

	if (change->want)
		return drop && drop->want;
	return drop || find_change(ps, KIND_FUNCTION, ACTION_REPLACE, caller);
}

/* a caller of the model that still calls the function when it is dropped */
static void
refuse_kept_caller(ConvPlanState *ps, ConvStep *step,
				   const ConvChange *change)
{
	ConvFunction *f = change->have;
	ListCell   *lc;

	foreach(lc, f->callers)
	{
		ConvFunction *caller = lfirst(lc);

		if (step->problem || caller_goes_first(ps, change, caller))
			continue;
		step->problem = psprintf("%s %s calls the %s, and the plan does not %s it first, so the %s cannot be %s",
								 noun(caller),
								 function_object(caller->schema, caller),
								 noun(f),
								 change->want ? "drop" : "drop or replace",
								 noun(f),
								 change->want ? "created again" : "dropped");
		step->rows_affected = -1;
		step->fix = FIX_DEPENDENT;
	}
}

static void
plan_drop_function(ConvPlanState *ps, const ConvChange *change)
{
	ConvFunction *f = change->have;
	char	   *object = function_object(change->schema, f);
	ConvStep   *step;

	step = add_step(ps, f->procedure ? "drop_procedure" : "drop_function",
					pstrdup(object),
					psprintf("DROP %s %s", f->procedure ? "PROCEDURE" : "FUNCTION",
							 object),
					change->want ?
					psprintf("dropped to be created again: CREATE OR REPLACE cannot change its return type or parameters") :
					psprintf("%s is not declared in the document", noun(f)),
					0);
	refuse_if_used(step, f->used_outside, noun(f),
				   change->want ? "created again" : "dropped");
	refuse_kept_caller(ps, step, change);
}

static void
plan_function_comment(ConvPlanState *ps, const ConvChange *change)
{
	ConvFunction *f = change->want;

	add_comment(ps, "comment_function", f->procedure ? "PROCEDURE" : "FUNCTION",
				function_object(change->schema, f), f->comment);
}

/* a new function's comment comes with the comment phase */
static void
plan_new_comment(ConvPlanState *ps, const ConvChange *change)
{
	if (change->action == ACTION_CREATE &&
		((ConvFunction *) change->want)->comment)
		plan_function_comment(ps, change);
}

/* ----------------------------------------------------------------
 * Export
 * ----------------------------------------------------------------
 */

static void
emit_number(Emitter *em, const char *key, double value)
{
	emit_pair(em, key, psprintf("%g", value));
}

/* only what differs from what CREATE FUNCTION gives when it is not said */
static void
emit_options(Emitter *em, const ConvFunction *f)
{
	static const char *const volatilities[] = {"immutable", "stable",
	"volatile"};
	static const char *const parallels[] = {"safe", "restricted", "unsafe"};

	if (f->volatility != 'v')
		emit_pair(em, "volatility",
				  volatilities[strchr("isv", f->volatility) - "isv"]);
	if (f->strict)
		emit_pair(em, "strict", "true");
	if (f->security_definer)
		emit_pair(em, "security_definer", "true");
	if (f->leakproof)
		emit_pair(em, "leakproof", "true");
	if (f->parallel != 'u')
		emit_pair(em, "parallel", parallels[strchr("sru", f->parallel) - "sru"]);
	if (!f->procedure && f->cost != default_cost(f->language))
		emit_number(em, "cost", f->cost);
	if (!f->procedure && f->rows != (f->retset ? 1000 : 0))
		emit_number(em, "rows", f->rows);
}

static void
emit_function(Emitter *em, const ConvSchema *schema, const void *object)
{
	const ConvFunction *f = object;
	const char *paren = strchr(f->signature, '(');

	emit_scalar(em, f->signature, false);
	begin_mapping(em, false);
	if (strncmp(f->arguments, paren + 1, strlen(paren) - 2) != 0 ||
		strlen(f->arguments) != strlen(paren) - 2)
		emit_pair(em, "arguments", f->arguments);
	if (f->returns)
		emit_pair(em, "returns", f->returns);
	emit_pair(em, "language", f->language);
	emit_options(em, f);
	emit_settings(em, "set", f->set);
	grants_emit(em, f->grants, f->owner,
				f->procedure ? "PROCEDURE" : "FUNCTION", true);
	if (f->comment)
		emit_pair(em, "comment", f->comment);
	emit_scalar(em, "body", false);
	emit_text(em, f->body);
	end_mapping(em);
}

static void
emit_functions(Emitter *em, const ConvSchema *schema, const ConvTable *table)
{
	List	   *functions = NIL;
	List	   *procedures = NIL;
	ListCell   *lc;

	foreach(lc, schema->functions)
	{
		ConvFunction *f = lfirst(lc);

		if (f->procedure)
			procedures = lappend(procedures, f);
		else
			functions = lappend(functions, f);
	}
	emit_entries(em, "functions", schema, functions, emit_function);
	emit_entries(em, "procedures", schema, procedures, emit_function);
}

/* every declared function; a new one starts with PUBLIC's EXECUTE */
static void
function_grant_targets(DiffState *ds, List **targets)
{
	ListCell   *lc;

	foreach(lc, ds->want_model->schemas)
	{
		ConvSchema *want = lfirst(lc);
		ListCell   *fc;

		foreach(fc, want->functions)
		{
			ConvFunction *f = lfirst(fc);
			ConvFunction *current = diff_note(ds, f);

			add_grant_target(targets, f->procedure ? "PROCEDURE" : "FUNCTION",
							 function_object(want->name, f), NULL, f->grants,
							 current ? current->grants : NIL,
							 current ? current->owner : NULL,
							 plan_creates(ds, KIND_FUNCTION, f));
		}
	}
}

/*
 * A function dropped to be created again goes once the CHECKs, indexes,
 * policies, defaults, generated columns, triggers and views that call it
 * are gone (each of those kinds drops them before then), and is created
 * again right after, before the tables that may call it; one dropped for
 * good goes late, once nothing the plan changes calls it.  A new one whose
 * declaration names a type the plan creates (a table's row type) comes
 * once the tables exist, before the views.
 */
static PlanPhase
function_phase(const ConvChange *change, PlanPhase phase)
{
	if (change->action == ACTION_DROP && change->want)
		return PHASE_RECREATE_FUNCTION;
	if (change->action == ACTION_DROP &&
		(change->what & FUNCTION_AFTER_CALLERS))
		return PHASE_CREATE_VIEW;
	if (change->action == ACTION_CREATE && (change->what & FUNCTION_LATE))
		return PHASE_CREATE_VIEW;
	/* a SQL-standard body reads what it names when it is created */
	if ((change->action == ACTION_CREATE ||
		 change->action == ACTION_REPLACE) &&
		((ConvFunction *) change->want)->standard_body)
		return PHASE_CREATE_VIEW;
	if (change->action == ACTION_CREATE && change->have)
		return PHASE_RECREATE_FUNCTION;
	return phase;
}

/* where a function is written, to name it in a cycle of calls */
static const DocPos *
function_position(const ConvChange *change)
{
	return &((ConvFunction *) change->want)->pos;
}

/* the script's fingerprint: a function as the server prints it */
static const char *const functions_fingerprint =
"SELECT 'function', pg_catalog.format('%I.%I(%s)', n.nspname, p.proname,"
"   pg_catalog.pg_get_function_identity_arguments(p.oid)),"
" pg_catalog.concat_ws(' ', pg_catalog.pg_get_functiondef(p.oid),"
FP_OWNED("p.proacl", "f", "p.proowner", "p.oid", "pg_proc") ")"
" FROM pg_catalog.pg_proc p"
" JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
" WHERE p.prokind <> 'a' AND" FP_MANAGED("n.nspname")
"   AND" NOT_EXTENSION_MEMBER("pg_proc", "p.oid");

const ConvKindOps function_kind = {
	.name = "function",
	.diff = diff_functions,
	.plan = {
		[ACTION_CREATE] = plan_create_function,
		[ACTION_REPLACE] = plan_replace_function,
		[ACTION_DROP] = plan_drop_function,
		[ACTION_COMMENT] = plan_function_comment,
	},
	.plan_comments = plan_new_comment,
	.phase = function_phase,
	.position = function_position,
	.reshapes = function_reshapes,
	.doc_place = DOC_SCHEMA,
	.doc_keys = function_doc_keys,
	.build = build_functions,
	.read = read_functions,
	.fingerprint = functions_fingerprint,
	.emit = emit_functions,
	.grant_targets = function_grant_targets,
	.plural = "functions",
};
