/*-------------------------------------------------------------------------
 *
 * routine.c
 *	  A function's or procedure's declaration, read by the server.
 *
 * The document's declaration is written out as the CREATE FUNCTION (or
 * PROCEDURE) statement a plan would run and handed to the server's raw
 * parser; what the parser makes of it (each parameter's mode, name and
 * type, the defaults, the return type) is resolved as CREATE FUNCTION
 * resolves it: types by name on the document's search_path, defaults cooked
 * and coerced to their parameter's type; a SQL-standard body (BEGIN ATOMIC,
 * RETURN) is analyzed as CREATE FUNCTION analyzes it, its statements
 * transformed against the parameters and compared as trees with the
 * stored ones.  Nothing is created: a function is compared, attribute by
 * attribute, with the catalog's.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/functions.h"
#include "nodes/makefuncs.h"
#include "parser/analyze.h"
#include "parser/parse_coerce.h"
#include "parser/parse_collate.h"
#include "parser/parse_expr.h"
#include "parser/parse_node.h"
#include "parser/parse_type.h"
#include "parser/parser.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/syscache.h"

#include "model.h"

/* a parameter's mode as pg_proc.proargmodes holds it */
static char
parameter_mode(FunctionParameterMode mode)
{
	if (mode == FUNC_PARAM_OUT || mode == FUNC_PARAM_INOUT ||
		mode == FUNC_PARAM_VARIADIC || mode == FUNC_PARAM_TABLE)
		return (char) mode;
	return FUNC_PARAM_IN;
}

static Oid
resolve_type(TypeName *name, int32 *typmod)
{
	Type		type = LookupTypeName(NULL, name, typmod, false);
	Oid			oid;

	if (type == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("type \"%s\" does not exist", TypeNameToString(name))));
	oid = typeTypeId(type);
	ReleaseSysCache(type);
	return oid;
}

/* a default as CREATE FUNCTION stores it: cooked, of its parameter's type */
static Node *
cook_default(Node *raw, Oid type)
{
	ParseState *pstate = make_parsestate(NULL);
	Node	   *expr = transformExpr(pstate, raw, EXPR_KIND_FUNCTION_DEFAULT);

	expr = coerce_to_specific_type(pstate, expr, type, "DEFAULT");
	assign_expr_collations(pstate, expr);
	free_parsestate(pstate);
	return expr;
}

static void
read_parameters(RoutineMeaning *m, List *parameters)
{
	StringInfoData modes;
	ListCell   *lc;

	initStringInfo(&modes);
	foreach(lc, parameters)
	{
		FunctionParameter *p = lfirst(lc);
		int32		typmod;
		Oid			type = resolve_type(p->argType, &typmod);

		appendStringInfoChar(&modes, parameter_mode(p->mode));
		m->names = lappend(m->names, pstrdup(p->name ? p->name : ""));
		m->types = lappend_oid(m->types, type);
		if (p->defexpr)
			m->defaults = lappend(m->defaults, cook_default(p->defexpr, type));
	}
	m->modes = modes.data;
}

typedef struct RoutineWork
{
	const char *sql;
	RoutineMeaning *meaning;
} RoutineWork;

/* the one CREATE FUNCTION or PROCEDURE statement a declaration is */
static CreateFunctionStmt *
parse_declaration(const char *sql)
{
	List	   *parsed = raw_parser(sql, RAW_PARSE_DEFAULT);

	if (list_length(parsed) != 1 ||
		!IsA(((RawStmt *) linitial(parsed))->stmt, CreateFunctionStmt))
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("the declaration is not one function")));
	return (CreateFunctionStmt *) ((RawStmt *) linitial(parsed))->stmt;
}

/* the parameters and the result of a parsed declaration */
static void
read_declaration(RoutineMeaning *m, const CreateFunctionStmt *stmt)
{
	read_parameters(m, stmt->parameters);
	if (stmt->returnType)
	{
		int32		typmod;

		m->result = resolve_type(stmt->returnType, &typmod);
		m->retset = stmt->returnType->setof;
	}
	else
		m->result = VOIDOID;
}

static void
routine_work(void *arg)
{
	RoutineWork *w = arg;

	read_declaration(w->meaning, parse_declaration(w->sql));
}

/*
 * routine_meaning
 *		What the server makes of a declaration written as its CREATE
 *		statement: parameters and return type resolved, defaults cooked.
 *		Returns the error it raised (a type the plan creates cannot be
 *		resolved before), or NULL; nothing is kept.
 */
ErrorData *
routine_meaning(const char *create_sql, RoutineMeaning *meaning)
{
	RoutineWork w = {create_sql, meaning};

	return converge_run_rolled_back(routine_work, &w);
}

/* the parameters a SQL-standard body reads, as CREATE FUNCTION sets them up */
static SQLFunctionParseInfoPtr
body_parameters(const char *name, const RoutineMeaning *m)
{
	SQLFunctionParseInfoPtr pinfo = palloc0(sizeof(SQLFunctionParseInfo));
	ListCell   *tc,
			   *nc;
	int			n = 0;

	pinfo->fname = pstrdup(name);
	pinfo->argtypes = palloc0(sizeof(Oid) * Max(list_length(m->types), 1));
	pinfo->argnames = palloc0(sizeof(char *) * Max(list_length(m->types), 1));
	forboth(tc, m->types, nc, m->names)
	{
		if (!strchr("ibv", m->modes[foreach_current_index(tc)]))
			continue;
		pinfo->argtypes[n] = lfirst_oid(tc);
		pinfo->argnames[n++] = *(char *) lfirst(nc) ? lfirst(nc) : NULL;
	}
	pinfo->nargs = n;
	pinfo->collation = InvalidOid;
	return pinfo;
}

/* one statement of a SQL-standard body, transformed as the server does */
static Query *
body_statement(const char *sql, SQLFunctionParseInfoPtr pinfo, Node *stmt)
{
	ParseState *pstate = make_parsestate(NULL);
	Query	   *query;

	pstate->p_sourcetext = sql;
	sql_fn_parser_setup(pstate, pinfo);
	query = transformStmt(pstate, stmt);
	if (query->commandType == CMD_UTILITY)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s is not yet supported in unquoted SQL function body",
						GetCommandTagName(CreateCommandTag(query->utilityStmt)))));
	free_parsestate(pstate);
	return query;
}

static void
body_work(void *arg)
{
	RoutineWork *w = arg;
	CreateFunctionStmt *stmt = parse_declaration(w->sql);
	SQLFunctionParseInfoPtr pinfo;
	Node	   *body;

	read_declaration(w->meaning, stmt);
	pinfo = body_parameters(strVal(llast(stmt->funcname)), w->meaning);
	if (IsA(stmt->sql_body, List))
	{
		List	   *queries = NIL;
		ListCell   *lc;

		foreach(lc, linitial_node(List, (List *) stmt->sql_body))
			queries = lappend(queries, body_statement(w->sql, pinfo,
													  lfirst(lc)));
		body = (Node *) list_make1(queries);
	}
	else
		body = (Node *) body_statement(w->sql, pinfo, stmt->sql_body);
	w->meaning->body = nodeToString(body);
}

/*
 * routine_body_meaning
 *		What the server stores of a SQL-standard body (BEGIN ATOMIC or
 *		RETURN), besides what routine_meaning() reads: its statements
 *		analyzed against the parameters and the catalog as it is.  Returns
 *		the error it raised (a table the plan creates cannot be read
 *		before), or NULL.
 */
ErrorData *
routine_body_meaning(const char *create_sql, RoutineMeaning *meaning)
{
	RoutineWork w = {create_sql, meaning};

	return converge_run_rolled_back(body_work, &w);
}

/*
 * routine_body_called_names
 *		The functions a SQL-standard body calls, by name as written
 *		("name" or "schema.name"), read from its raw parse tree: what it
 *		needs before anything exists.
 */
List *
routine_body_called_names(const char *create_sql)
{
	Node	   *body = parse_declaration(create_sql)->sql_body;

	if (body == NULL)
		return NIL;
	if (IsA(body, ReturnStmt))
		return expr_raw_called_names(((ReturnStmt *) body)->returnval);
	return expr_raw_called_names(linitial(castNode(List, body)));
}

static void
standard_body_work(void *arg)
{
	(void) raw_parser(arg, RAW_PARSE_DEFAULT);
}

/*
 * routine_body_is_standard
 *		Is a body a SQL-standard one?  The grammar says: one that can stand
 *		after a CREATE FUNCTION's options, where a body in a string cannot.
 */
bool
routine_body_is_standard(const char *body)
{
	return converge_run_rolled_back(standard_body_work,
									psprintf("CREATE FUNCTION f() RETURNS void LANGUAGE sql %s",
											 body)) == NULL;
}

/* a statement's place in the text it was read from is no part of it */
static Node *
without_positions(const char *bin)
{
	Node	   *body = stringToNode(bin);
	List	   *queries = IsA(body, List) ? linitial_node(List, (List *) body) :
		list_make1(body);
	ListCell   *lc;

	foreach(lc, queries)
	{
		((Query *) lfirst(lc))->stmt_location = -1;
		((Query *) lfirst(lc))->stmt_len = 0;
	}
	return body;
}

/*
 * routine_bodies_match
 *		Do two SQL-standard bodies (prosqlbody form) mean the same?
 */
bool
routine_bodies_match(const char *want, const char *have)
{
	return equal(without_positions(want), without_positions(have));
}

/*
 * routine_defaults_match
 *		Do the document's cooked defaults mean the stored ones
 *		(pg_proc.proargdefaults, nodeToString() form)?
 */
bool
routine_defaults_match(List *want, const char *have_bin)
{
	List	   *have = have_bin ? (List *) stringToNode(have_bin) : NIL;
	ListCell   *wc,
			   *hc;

	if (list_length(want) != list_length(have))
		return false;
	forboth(wc, want, hc, have)
		if (!expr_trees_match(lfirst(wc), lfirst(hc)))
			return false;
	return true;
}
