/*-------------------------------------------------------------------------
 *
 * expr.c
 *	  Types and expressions of a document, resolved by the server.
 *
 * Nothing here looks at SQL text.  A document's type is resolved with the
 * server's own type-name parser to an oid and typmod; a default or
 * generation expression is parsed by the raw parser, must be exactly one
 * expression, and is then cooked exactly as CREATE TABLE would cook it
 * (cookDefault) and compared with the stored tree with equal().  Two
 * defaults that the server folds to the same constant, such as 0 and '0'
 * for an integer column, also match; so do CHECKs, whose stored form for a
 * varchar IN list casts its constants to text.
 *
 * The one edit made to a document's text, aiming casts at an enum the plan
 * recreates (expr_retype), splices at the positions the raw parser and
 * the server's scanner report, never by searching the text.
 *
 * Errors raised by the server while doing so are re-raised with the
 * document position appended, so the message points at the YAML.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "access/transam.h"
#include "catalog/heap.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "parser/parse_utilcmd.h"
#include "storage/lmgr.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_clause.h"
#include "parser/parse_coerce.h"
#include "parser/parse_collate.h"
#include "parser/parse_expr.h"
#include "parser/parse_node.h"
#include "parser/parse_relation.h"
#include "parser/parse_type.h"
#include "parser/parser.h"
#include "parser/scanner.h"
#include "parser/scansup.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/regproc.h"
#include "utils/ruleutils.h"

#include "model.h"
#include "kinds/kinds.h"


/*
 * expr_scratch_begin, expr_scratch_end
 *		Parsing and transforming an expression leaves garbage several times
 *		the size of its text (the scanner's buffers, raw and cooked trees,
 *		parse states): over a schema's thousands of expressions it would
 *		grow with the schema.  Work whose result is a scalar runs between
 *		these two, in a context of its own that the second deletes.
 */
MemoryContext
expr_scratch_begin(void)
{
	return MemoryContextSwitchTo(AllocSetContextCreate(CurrentMemoryContext,
													   "pg_converge expression",
													   ALLOCSET_DEFAULT_SIZES));
}

void
expr_scratch_end(MemoryContext outer)
{
	MemoryContextDelete(MemoryContextSwitchTo(outer));
}

/* expr_scratch_end() for work whose result is a list of names */
static List *
scratch_end_names(MemoryContext outer, List *names)
{
	MemoryContext scratch = MemoryContextSwitchTo(outer);
	List	   *copy = NIL;
	ListCell   *lc;

	foreach(lc, names)
		copy = lappend(copy, pstrdup(lfirst(lc)));
	MemoryContextDelete(scratch);
	return copy;
}

/*
 * expr_raise_at
 *		Raise an error the server raised again, with the document position
 *		appended to the message.
 */
void
expr_raise_at(ErrorData *edata, const DocPos *pos)
{
	/* a name not found may be in a schema the document's path lacks */
	bool		name_missing = (edata->sqlerrcode == ERRCODE_UNDEFINED_FUNCTION ||
								edata->sqlerrcode == ERRCODE_UNDEFINED_TABLE ||
								edata->sqlerrcode == ERRCODE_UNDEFINED_OBJECT);

	ereport(ERROR,
			(errcode(edata->sqlerrcode),
			 errmsg("%s at line %d, column %d (%s)", edata->message,
					pos->line, pos->column, doc_path(pos)),
			 edata->detail ? errdetail("%s", edata->detail) :
			 name_missing ?
			 errdetail("Names the document does not qualify are looked up on the search path \"%s\", which the document's \"search_path\" key sets.",
					   namespace_search_path) : 0,
			 edata->hint ? errhint("%s", edata->hint) : 0));
}

/*
 * Run "work"; if the server raises an error, raise it again with the
 * document position appended to the message.
 */
void
run_at(const DocPos *pos, ServerWork work, void *arg)
{
	MemoryContext oldcxt = CurrentMemoryContext;

	PG_TRY();
	{
		work(arg);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		expr_raise_at(edata, pos);
	}
	PG_END_TRY();
}

typedef struct ParseWork
{
	const char *text;
	const char *what;
	Node	   *result;
} ParseWork;

static void
parse_expression_work(void *arg)
{
	ParseWork  *w = arg;
	List	   *parsed;
	SelectStmt *select;
	ResTarget  *target;

	parsed = raw_parser(w->text, RAW_PARSE_PLPGSQL_EXPR);
	if (list_length(parsed) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("\"%s\" is not exactly one expression", w->text)));
	select = (SelectStmt *) ((RawStmt *) linitial(parsed))->stmt;
	if (!IsA(select, SelectStmt) ||
		list_length(select->targetList) != 1 ||
		select->distinctClause || select->fromClause ||
		select->whereClause || select->groupClause ||
		select->havingClause || select->windowClause ||
		select->sortClause || select->limitCount ||
		select->limitOffset || select->lockingClause)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("\"%s\" is not exactly one expression", w->text)));
	target = linitial_node(ResTarget, select->targetList);
	if (target->name != NULL ||
		(IsA(target->val, ColumnRef) &&
		 IsA(llast(((ColumnRef *) target->val)->fields), A_Star)))
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("\"%s\" is not exactly one expression", w->text)));
	w->result = target->val;
}

static void
parse_query_work(void *arg)
{
	ParseWork  *w = arg;
	List	   *parsed = raw_parser(w->text, RAW_PARSE_DEFAULT);

	if (list_length(parsed) != 1 ||
		!IsA(((RawStmt *) linitial(parsed))->stmt, SelectStmt))
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("\"%s\" is not exactly one SELECT statement",
						w->text)));
	w->result = (Node *) linitial(parsed);
}

/*
 * While a document is built, the raw tree of each expression text it
 * parsed: the key check, the subquery refusal and the column references
 * each parse the same expression.  Keyed by the text.
 */
typedef struct ParsedText
{
	const char *text;			/* hash key */
	Node	   *raw;
} ParsedText;

static HTAB *parsed_texts = NULL;
static MemoryContext parsed_texts_cxt = NULL;

static void
forget_parsed_texts(void *arg)
{
	parsed_texts = NULL;
	parsed_texts_cxt = NULL;
}

/*
 * expr_remember_parses
 *		Remember the raw tree of every expression parsed from now until
 *		"cxt", where they are kept, is reset or deleted.
 */
void
expr_remember_parses(MemoryContext cxt)
{
	MemoryContext outer = MemoryContextSwitchTo(cxt);
	MemoryContextCallback *callback = palloc(sizeof(MemoryContextCallback));

	parsed_texts = text_hash("pg_converge parsed expressions",
							 sizeof(ParsedText), 256);
	parsed_texts_cxt = cxt;
	callback->func = forget_parsed_texts;
	callback->arg = NULL;
	MemoryContextRegisterResetCallback(cxt, callback);
	MemoryContextSwitchTo(outer);
}

/* the raw parse tree of a document expression, the caller's to change */
static Node *
parse_expression(const char *text, const DocPos *pos)
{
	ParseWork	w = {text, "expression", NULL};
	ParsedText *parsed;
	MemoryContext outer;

	if (parsed_texts != NULL &&
		(parsed = hash_search(parsed_texts, &text, HASH_FIND, NULL)) != NULL)
		return copyObject(parsed->raw);
	run_at(pos, parse_expression_work, &w);
	if (parsed_texts == NULL)
		return w.result;
	outer = MemoryContextSwitchTo(parsed_texts_cxt);
	parsed = hash_search(parsed_texts, &text, HASH_ENTER, NULL);
	parsed->text = pstrdup(text);
	parsed->raw = copyObject(w.result);
	MemoryContextSwitchTo(outer);
	return w.result;
}

static bool
collect_column_refs(Node *node, void *context)
{
	List	  **names = context;

	if (node == NULL)
		return false;
	if (IsA(node, ColumnRef))
	{
		Node	   *last = llast(((ColumnRef *) node)->fields);

		if (IsA(last, String) && !list_member(*names, last))
			*names = lappend(*names, last);
		return false;
	}
	return raw_expression_tree_walker(node, collect_column_refs, context);
}

static bool
contains_sublink(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, SubLink))
		return true;
	return raw_expression_tree_walker(node, contains_sublink, context);
}

/*
 * expr_refuse_subquery
 *		The server refuses a subquery in a CHECK, a default, a generation
 *		expression, an index key or predicate, and a trigger's WHEN, when
 *		the statement runs; the document is refused at the expression's
 *		position, before a probe could run the subquery.  "what" is the
 *		position as the server's message names it.
 */
void
expr_refuse_subquery(const char *text, const DocPos *pos, const char *what)
{
	if (text && expr_has_subquery(text, pos))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot use subquery in %s at line %d, column %d (%s)",
						what, pos->line, pos->column, doc_path(pos))));
}

/* expr_has_subquery: does a document expression hold a subquery? */
bool
expr_has_subquery(const char *text, const DocPos *pos)
{
	MemoryContext outer = expr_scratch_begin();
	bool		found = contains_sublink(parse_expression(text, pos), NULL);

	expr_scratch_end(outer);
	return found;
}

/*
 * expr_column_refs
 *		The column names a document expression mentions, read from its raw
 *		parse tree: for expressions that cannot be cooked against the
 *		relation as it is (a column it reads is added or changes type).
 */
List *
expr_column_refs(const char *text, const DocPos *pos)
{
	MemoryContext outer = expr_scratch_begin();

	return scratch_end_names(outer,
							 expr_raw_column_refs(parse_expression(text,
																   pos)));
}

/*
 * expr_check_single
 *		Refuse text that is not exactly one expression (or, for what =
 *		"query", exactly one SELECT).  Nothing is executed.
 */
void
expr_check_single(const char *text, const DocPos *pos, const char *what)
{
	ParseWork	w = {text, what, NULL};
	MemoryContext outer = expr_scratch_begin();

	if (strcmp(what, "query") == 0)
		run_at(pos, parse_query_work, &w);
	else
		(void) parse_expression(text, pos);
	expr_scratch_end(outer);
}

static void
resolve_type_work(void *arg)
{
	ConvColumn *col = arg;

	compat_parseTypeString(col->type_name, &col->type_oid, &col->typmod,
						   false);
}

static void
find_type_work(void *arg)
{
	ConvColumn *col = arg;

	compat_parseTypeString(col->type_name, &col->type_oid, &col->typmod,
						   true);
}

/*
 * expr_find_type
 *		Resolve a document column's type if it exists; false if it does not
 *		(it may be an enum the plan creates).  A type name that does not
 *		parse is still an error.
 */
bool
expr_find_type(ConvColumn *col)
{
	if (!OidIsValid(col->type_oid))
	{
		MemoryContext outer = expr_scratch_begin();

		run_at(&col->type_pos, find_type_work, col);
		expr_scratch_end(outer);
	}
	return OidIsValid(col->type_oid);
}

typedef struct TypeNameWork
{
	const char *text;
	char	   *schema;
	char	   *name;
	bool		array;
} TypeNameWork;

/* a name of too many parts is refused here, at the type's position */
static void
type_name_work(void *arg)
{
	TypeNameWork *w = arg;
	TypeName   *type = compat_typeStringToTypeName(w->text);

	DeconstructQualifiedName(type->names, &w->schema, &w->name);
	w->array = (type->arrayBounds != NIL);
}

/*
 * expr_type_name_parts
 *		The schema (or NULL), name and array-ness of a type as written.
 */
void
expr_type_name_parts(const ConvColumn *col, char **schema, char **name,
					 bool *array)
{
	TypeNameWork w = {col->type_name};
	MemoryContext outer = expr_scratch_begin();
	MemoryContext scratch;

	run_at(&col->type_pos, type_name_work, &w);
	scratch = MemoryContextSwitchTo(outer);
	*schema = w.schema ? pstrdup(w.schema) : NULL;
	*name = pstrdup(w.name);
	*array = w.array;
	MemoryContextDelete(scratch);
}

static bool
collect_string_constants(Node *node, void *context)
{
	List	  **strings = context;

	if (node == NULL)
		return false;
	if (IsA(node, A_Const) && !((A_Const *) node)->isnull &&
		IsA(&((A_Const *) node)->val, String))
	{
		*strings = lappend(*strings,
						   strVal(&((A_Const *) node)->val));
		return false;
	}
	return raw_expression_tree_walker(node, collect_string_constants,
									  context);
}

/*
 * expr_string_constants
 *		The string literals of a document expression: a new enum label
 *		named in one is a use of that label.
 */
List *
expr_string_constants(const char *text, const DocPos *pos)
{
	MemoryContext outer = expr_scratch_begin();
	List	   *strings = NIL;

	(void) collect_string_constants(parse_expression(text, pos), &strings);
	return scratch_end_names(outer, strings);
}

static bool
collect_called_names(Node *node, void *context)
{
	List	  **names = context;

	if (node == NULL)
		return false;
	if (IsA(node, FuncCall))
	{
		/*
		 * The parts as written, joined: a name of too many parts is the
		 * server's to refuse, where its position is known.
		 */
		StringInfoData name;
		ListCell   *lc;

		initStringInfo(&name);
		foreach(lc, ((FuncCall *) node)->funcname)
			appendStringInfo(&name, "%s%s", name.len ? "." : "",
							 strVal(lfirst(lc)));
		*names = lappend(*names, name.data);
	}
	return raw_expression_tree_walker(node, collect_called_names, context);
}

/*
 * expr_raw_column_refs
 *		The column names a raw parse tree mentions (the last part of each
 *		column reference).
 */
List *
expr_raw_column_refs(Node *raw)
{
	List	   *names = NIL;
	List	   *result = NIL;
	ListCell   *lc;

	(void) collect_column_refs(raw, &names);
	foreach(lc, names)
		result = lappend(result, strVal(lfirst(lc)));
	return result;
}

/*
 * expr_raw_called_names
 *		The functions a raw parse tree calls, by name as written.
 */
List *
expr_raw_called_names(Node *raw)
{
	List	   *names = NIL;

	(void) collect_called_names(raw, &names);
	return names;
}

/*
 * expr_called_names
 *		The functions a document expression calls, by name as written
 *		("name" or "schema.name").
 */
List *
expr_called_names(const char *text, const DocPos *pos)
{
	MemoryContext outer = expr_scratch_begin();
	List	   *names = NIL;

	(void) collect_called_names(parse_expression(text, pos), &names);
	return scratch_end_names(outer, names);
}

/*
 * expr_resolve_type
 *		Resolve a document column's type to the oid and typmod the server
 *		would store.
 */
void
expr_resolve_type(ConvColumn *col)
{
	MemoryContext outer;

	if (OidIsValid(col->type_oid))
		return;
	outer = expr_scratch_begin();
	run_at(&col->type_pos, resolve_type_work, col);
	expr_scratch_end(outer);
}

typedef struct CollationWork
{
	const char *name;
	Oid			result;
} CollationWork;

static void
collation_work(void *arg)
{
	CollationWork *w = arg;

	/* a plain name first ("C", "en_US"), then schema-qualified SQL */
	w->result = get_collation_oid(list_make1(makeString(pstrdup(w->name))),
								  true);
	if (!OidIsValid(w->result))
		w->result =
			get_collation_oid(compat_stringToQualifiedNameList(w->name),
							  false);
}

/*
 * expr_collation_oid
 *		The collation a document names, written as a plain name ("C") or a
 *		schema-qualified SQL name.
 */
Oid
expr_collation_oid(const char *name, const DocPos *pos)
{
	CollationWork w = {name, InvalidOid};
	MemoryContext outer = expr_scratch_begin();

	run_at(pos, collation_work, &w);
	expr_scratch_end(outer);
	return w.result;
}

/*
 * A parse state whose range table holds the relation under the names the
 * document gives it and its columns, so a document expression that names
 * a column renamed in the same document still cooks to the stored Vars.
 */
ParseState *
expr_relation_parsestate(const TablePair *pair, Relation *rel)
{
	ParseState *pstate = make_parsestate(NULL);
	ParseNamespaceItem *nsitem;
	Alias	   *alias = NULL;
	ListCell   *lc;

	*rel = table_open(pair->have->oid, AccessShareLock);
	if (pair->have_names)
	{
		alias = makeAlias(pair->want->name, NIL);
		foreach(lc, pair->have_names)
			alias->colnames = lappend(alias->colnames,
									  makeString(lfirst(lc)));
	}
	nsitem = addRangeTableEntryForRelation(pstate, *rel, AccessShareLock,
										   alias, false, true);
	addNSItemToQuery(pstate, nsitem, true, true, true);
	return pstate;
}

typedef struct CookWork
{
	const ConvColumn *col;		/* for a default or generation expression */
	const TablePair *pair;		/* relation for Vars, or NULL */
	char		generated;
	Node	   *raw;
	Node	   *result;
	ParseExprKind kind;			/* else: a CHECK's or a policy's */
} CookWork;

static void
cook_work(void *arg)
{
	CookWork   *w = arg;
	ParseState *pstate;
	Relation	rel = NULL;

	if (w->pair)
		pstate = expr_relation_parsestate(w->pair, &rel);
	else
		pstate = make_parsestate(NULL);

	if (w->col)
		w->result = cookDefault(pstate, w->raw, w->col->type_oid,
								w->col->typmod, w->col->name, w->generated);
	else
	{
		/* as the server cooks a CHECK constraint or a policy */
		Node	   *expr = transformExpr(pstate, w->raw, w->kind);

		expr = coerce_to_boolean(pstate, expr,
								 w->kind == EXPR_KIND_POLICY ?
								 "POLICY" : "CHECK");
		assign_expr_collations(pstate, expr);
		w->result = expr;
	}
	if (rel)
		table_close(rel, NoLock);
	free_parsestate(pstate);
}

/* cook a document expression the way the server stores it */
static Node *
cook(const ConvColumn *col, const char *text, const DocPos *pos,
	 const TablePair *pair, char generated)
{
	CookWork	w = {col, pair, generated, NULL, NULL,
	EXPR_KIND_CHECK_CONSTRAINT};

	w.raw = parse_expression(text, pos);
	run_at(pos, cook_work, &w);
	return w.result;
}

/* a cooked default that is a null constant is no default at all */
static bool
is_null_default(Node *expr)
{
	return expr == NULL || (IsA(expr, Const) && ((Const *) expr)->constisnull);
}

/* what calls_function() looks for: a function "checker" says yes to */
typedef struct FunctionSearch
{
	check_function_callback checker;
	void	   *context;
} FunctionSearch;

static bool
calls_function_walker(Node *node, void *context)
{
	FunctionSearch *search = context;

	if (node == NULL)
		return false;
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, calls_function_walker,
								 context, 0);
	if (check_functions_in_node(node, search->checker, search->context))
		return true;
	return expression_tree_walker(node, calls_function_walker, context);
}

/* does a cooked tree, subqueries included, call a function "checker" takes? */
static bool
calls_function(Node *node, check_function_callback checker, void *context)
{
	FunctionSearch search = {checker, context};

	return calls_function_walker(node, &search);
}

static bool
is_user_function(Oid func_id, void *context)
{
	(void) context;
	return func_id >= FirstNormalObjectId;
}

/* the first function of a list a tree calls (expr_stored_call) */
typedef struct ListedCall
{
	List	   *functions;
	Oid			found;
} ListedCall;

static bool
is_listed_function(Oid func_id, void *context)
{
	ListedCall *call = context;

	if (!list_member_oid(call->functions, func_id))
		return false;
	call->found = func_id;
	return true;
}

/*
 * expr_stored_call
 *		The first of "functions" that a stored expression (pg_node_tree
 *		text, NULL for none) calls, or InvalidOid: what depends on a
 *		function the plan drops.
 */
Oid
expr_stored_call(const char *bin, List *functions)
{
	ListedCall	call = {functions, InvalidOid};

	if (bin && functions)
		(void) calls_function(stringToNode(bin), is_listed_function, &call);
	return call.found;
}

/*
 * Does the tree read anything but constants: a column, a domain's VALUE?
 * (A CaseTestExpr reads what the node around it gives it, as an array cast
 * gives it each element, so it does not count.)
 */
static bool
reads_value(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Var) || IsA(node, CoerceToDomainValue) ||
		IsA(node, Param) || IsA(node, Query))
		return true;
	return expression_tree_walker(node, reads_value, context);
}

/* may the server fold this tree to a constant while planning? */
static bool
foldable(Node *node)
{
	return !reads_value(node, NULL) &&
		!contain_volatile_functions(node) &&
		!calls_function(node, is_user_function, NULL);
}

/*
 * Fold each largest subtree that reads only constants and calls only the
 * server's own functions, none of them volatile.  What reads a column is
 * left as the server stored it: "NOT (a IS NULL)" is not "a IS NOT NULL"
 * for a row-typed column, and the server keeps them apart, so this does
 * too.  A user's function deep inside a CHECK does not keep the constants
 * beside it from being compared by value.
 */
static Node *
fold_builtin_mutator(Node *node, void *context)
{
	if (node == NULL)
		return NULL;
	if (IsA(node, Query))
		return (Node *) query_tree_mutator((Query *) node,
										   fold_builtin_mutator, context, 0);
	if (foldable(node))
		return eval_const_expressions(NULL, node);
	return expression_tree_mutator(node, fold_builtin_mutator, context);
}

/*
 * A folded constant's typmod only says what its value was coerced to; the
 * value itself, already coerced, is what a rule compares with:
 * 1000.4::numeric(10,0) is the constant 1000, as (1000)::numeric is.
 */
static bool
forget_const_typmod(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Const))
	{
		((Const *) node)->consttypmod = -1;
		return false;
	}
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, forget_const_typmod,
								 context, 0);
	return expression_tree_walker(node, forget_const_typmod, context);
}

/*
 * A copy of "tree" with its constants folded as above.  Folding evaluates
 * built-in functions on the constants of the tree, and some fail on them
 * ("x < 1/0"): such a tree is compared as it is, since planning must not
 * fail on a rule the server accepted.  The subtransaction lets the error be
 * caught; nothing of it is kept.
 */
typedef struct FoldWork
{
	Node	   *tree;
	Node	   *result;
} FoldWork;

static void
fold_work(void *arg)
{
	FoldWork   *w = arg;

	w->result = fold_builtin_mutator(w->tree, NULL);
	fix_opfuncids(w->result);
}

static Node *
fold_builtin(Node *tree)
{
	Node	   *copy = copyObject(tree);
	FoldWork	w = {copy, NULL};
	ErrorData  *edata = converge_run_rolled_back(fold_work, &w);
	Node	   *result = w.result;

	if (edata != NULL)
	{
		if (ERRCODE_TO_CATEGORY(edata->sqlerrcode) != ERRCODE_DATA_EXCEPTION)
			ReThrowError(edata);
		result = copy;
	}
	(void) forget_const_typmod(result, NULL);
	return result;
}

/* subtrees in the order of their text, as nodeToString() prints them */
static int
by_node_text(const ListCell *a, const ListCell *b)
{
	return strcmp(nodeToString(lfirst(a)), nodeToString(lfirst(b)));
}

/*
 * Operands whose order does not change the result, put in one order: the
 * two sides of an operator that has a commutator (a = b and b = a, written
 * in the order of their text; a < b and b > a, written with the operator
 * of lower oid, as the catalog pairs them), and the arms of AND and OR.
 */
static Node *
canonical_mutator(Node *node, void *context)
{
	if (node == NULL)
		return NULL;
	if (IsA(node, Query))
		return (Node *) query_tree_mutator((Query *) node, canonical_mutator,
										   context, 0);
	node = expression_tree_mutator(node, canonical_mutator, context);
	if (IsA(node, OpExpr) && list_length(((OpExpr *) node)->args) == 2)
	{
		OpExpr	   *op = (OpExpr *) node;
		Oid			commutator = get_commutator(op->opno);
		Node	   *left = linitial(op->args);
		Node	   *right = lsecond(op->args);

		if (OidIsValid(commutator) &&
			(commutator < op->opno ||
			 (commutator == op->opno &&
			  strcmp(nodeToString(left), nodeToString(right)) > 0)))
		{
			op->args = list_make2(right, left);
			op->opno = commutator;
			op->opfuncid = get_opcode(commutator);
		}
	}
	else if (IsA(node, BoolExpr) && ((BoolExpr *) node)->boolop != NOT_EXPR)
		list_sort(((BoolExpr *) node)->args, by_node_text);
	return node;
}

/*
 * A tree with its commutable operands in one order (canonical_mutator).
 * The round trip through nodeToString() drops the parse locations, so
 * that only what the tree means decides the order.
 */
static Node *
canonical_order(Node *tree)
{
	return canonical_mutator(stringToNode(nodeToString(tree)), NULL);
}

/*
 * expr_trees_match
 *		Equal trees, or equal once the server has folded their constants:
 *		'a'::varchar cast to text is the constant 'a'::text, ARRAY[1, 2] is
 *		'{1,2}'.  Folding runs functions: only the server's own and never a
 *		volatile one, never one a document (or whoever wrote the stored
 *		expression) could have defined, since the caller may be a superuser
 *		planning someone else's document (converge_drift does).  Folded
 *		constants are compared as stored bytes, so 1.5 and 1.50 still
 *		differ, as they print differently.  The operands of commutable
 *		operators, AND and OR are compared in one order: user_id = uid()
 *		is uid() = user_id.
 */
bool
expr_trees_match(Node *a, Node *b)
{
	if (equal(a, b))
		return true;
	return equal(canonical_order(fold_builtin(a)),
				 canonical_order(fold_builtin(b)));
}

/*
 * Is the document's text what the server prints for the stored expression
 * (pg_get_expr(), under the search path the document is read with)?  Then
 * it reads back to it, as pg_dump's output does, and the comparison needs
 * no parse: the usual case of a plan that finds nothing to do.  Not where
 * the document renames a column of the table: the names the server prints
 * are then the current ones, which may mean other columns in the document.
 */
static bool
printed_as_stored(const char *text, const char *printed,
				  const TablePair *pair)
{
	return text != NULL && printed != NULL &&
		(pair == NULL || !pair->renames_columns) &&
		strcmp(text, printed) == 0;
}

/* does a cooked document expression mean the stored one? */
static bool
cooked_matches(Node *cooked, const char *stored_bin)
{
	return expr_trees_match(cooked, stringToNode(stored_bin));
}

static bool
default_matches(const ConvColumn *want, const ConvColumn *have)
{
	Node	   *cooked = NULL;
	Node	   *stored;

	if (want->default_expr)
		cooked = cook(want, want->default_expr, &want->default_pos,
					  NULL, '\0');
	if (is_null_default(cooked))
		return have->default_bin == NULL;
	if (have->default_bin == NULL)
		return false;
	stored = stringToNode(have->default_bin);
	if (expr_trees_match(cooked, stored))
		return true;

	/*
	 * A default that outlived an ALTER COLUMN TYPE keeps the tree it was
	 * cooked to then (a relabel without collation, say); the server prints
	 * it as it prints the fresh one.
	 */
	return strcmp(deparse_expression(cooked, NIL, false, false),
				  deparse_expression(stored, NIL, false, false)) == 0;
}

/*
 * expr_default_matches
 *		Does the document's default for a column mean what the stored one
 *		means?  "want" must have its type resolved.
 */
bool
expr_default_matches(const ConvColumn *want, const ConvColumn *have)
{
	MemoryContext outer;
	bool		same;

	/* a default reads no column: the names it prints are not the table's */
	if (printed_as_stored(want->default_expr, have->default_expr, NULL))
		return true;
	outer = expr_scratch_begin();
	same = default_matches(want, have);
	expr_scratch_end(outer);
	return same;
}

/*
 * expr_generated_matches
 *		Same for a stored generated column; the expression is cooked against
 *		the real relation.
 */
bool
expr_generated_matches(const ConvColumn *want, const ConvColumn *have,
					   const TablePair *pair)
{
	MemoryContext outer;
	Node	   *cooked;
	bool		same;

	if (printed_as_stored(want->generated, have->generated, pair))
		return true;
	outer = expr_scratch_begin();
	cooked = cook(want, want->generated, &want->generated_pos, pair,
				  ATTRIBUTE_GENERATED_STORED);
	same = cooked_matches(cooked, have->default_bin);
	expr_scratch_end(outer);
	return same;
}

/*
 * A parse state whose one relation is the table as the document declares
 * it: a row of typed NULLs under the table's name and its columns' names,
 * so an expression over columns the plan adds or retypes transforms as it
 * will against the relation when its statement runs.  NULL while a column
 * has a type the plan creates.
 */
static ParseState *
document_parsestate(const ConvTable *table)
{
	ParseState *pstate;
	ParseNamespaceItem *nsitem;
	Alias	   *alias = makeAlias(table->name, NIL);
	List	   *nulls = NIL;
	List	   *types = NIL;
	List	   *typmods = NIL;
	List	   *collations = NIL;
	ListCell   *lc;

	foreach(lc, table->columns)
	{
		const ConvColumn *col = lfirst(lc);
		Oid			collation;

		if (!OidIsValid(col->type_oid))
			return NULL;
		collation = get_typcollation(col->type_oid);
		nulls = lappend(nulls, makeNullConst(col->type_oid, col->typmod,
											 collation));
		types = lappend_oid(types, col->type_oid);
		typmods = lappend_int(typmods, col->typmod);
		collations = lappend_oid(collations, collation);
		alias->colnames = lappend(alias->colnames, makeString(col->name));
	}
	pstate = make_parsestate(NULL);
	nsitem = addRangeTableEntryForValues(pstate, list_make1(nulls), types,
										 typmods, collations, alias, false,
										 true);
	addNSItemToQuery(pstate, nsitem, true, true, true);
	return pstate;
}

typedef struct PositionWork
{
	const ConvTable *table;
	Node	   *raw;
	ParseExprKind kind;
} PositionWork;

/*
 * Transform as the statement will, so the server refuses what it refuses
 * in the position; where only immutable functions may run, refuse others
 * with the server's own words (its check runs on the planned expression).
 */
static void
position_work(void *arg)
{
	PositionWork *w = arg;
	ParseState *pstate = document_parsestate(w->table);
	Node	   *expr;

	if (pstate == NULL)
		return;
	expr = transformExpr(pstate, w->raw, w->kind);
	free_parsestate(pstate);
	if (w->kind != EXPR_KIND_GENERATED_COLUMN &&
		w->kind != EXPR_KIND_INDEX_EXPRESSION &&
		w->kind != EXPR_KIND_INDEX_PREDICATE)
		return;
	if (contain_mutable_functions((Node *) expression_planner((Expr *) expr)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 w->kind == EXPR_KIND_GENERATED_COLUMN ?
				 errmsg("generation expression is not immutable") :
				 w->kind == EXPR_KIND_INDEX_EXPRESSION ?
				 errmsg("functions in index expression must be marked IMMUTABLE") :
				 errmsg("functions in index predicate must be marked IMMUTABLE")));
}

/*
 * expr_check_position
 *		Refuse, at its document position, a document expression the server
 *		would refuse where "kind" says it stands: a subquery, an aggregate,
 *		a window or set-returning function, and in a generation expression
 *		or an index anything but immutable functions.  Nothing is evaluated:
 *		this runs before any probe would evaluate the expression.
 */
void
expr_check_position(const char *text, const DocPos *pos,
					const ConvTable *table, ParseExprKind kind)
{
	PositionWork w = {table, NULL, kind};
	MemoryContext outer = expr_scratch_begin();

	w.raw = parse_expression(text, pos);
	run_at(pos, position_work, &w);
	expr_scratch_end(outer);
}

/*
 * expr_check_matches
 *		Does a document CHECK expression, cooked as the server would store
 *		it for the current relation, mean the current CHECK's?
 */
bool
expr_check_matches(const ConvCheck *want, const ConvCheck *have,
				   const TablePair *pair)
{
	MemoryContext outer;
	bool		same;

	if (printed_as_stored(want->expr, have->expr, pair))
		return true;
	outer = expr_scratch_begin();
	same = cooked_matches(cook(NULL, want->expr, &want->pos, pair, '\0'),
						  check_stored_tree(have));
	expr_scratch_end(outer);
	return same;
}

/* a policy's USING or WITH CHECK expression as CREATE POLICY stores it */
static Node *
cook_policy(const char *text, const DocPos *pos, const TablePair *pair)
{
	CookWork	w = {NULL, pair, '\0', NULL, NULL, EXPR_KIND_POLICY};

	w.raw = parse_expression(text, pos);
	run_at(pos, cook_work, &w);
	return w.result;
}

/*
 * expr_policy_matches
 *		Does a document policy expression mean the stored one?
 */
bool
expr_policy_matches(const char *text, const DocPos *pos,
					const TablePair *pair, const char *stored_bin)
{
	MemoryContext outer = expr_scratch_begin();
	bool		same = cooked_matches(cook_policy(text, pos, pair),
									  stored_bin);

	expr_scratch_end(outer);
	return same;
}

/*
 * expr_check_policy
 *		Refuse, at its position, a document policy expression that CREATE
 *		POLICY would refuse for the current relation.
 */
void
expr_check_policy(const char *text, const DocPos *pos, const TablePair *pair)
{
	MemoryContext outer = expr_scratch_begin();

	(void) cook_policy(text, pos, pair);
	expr_scratch_end(outer);
}

typedef struct TriggerWhenWork
{
	const ConvTable *table;
	Node	   *raw;
	Node	   *result;
} TriggerWhenWork;

/* OLD is the first range table entry and NEW the second, as CREATE
 * TRIGGER has them, so the Vars match the stored tree */
static void
trigger_when_work(void *arg)
{
	TriggerWhenWork *w = arg;
	ParseState *pstate = make_parsestate(NULL);
	Relation	rel = table_open(w->table->oid, AccessShareLock);
	static const char *const aliases[] = {"old", "new"};

	for (int i = 0; i < lengthof(aliases); i++)
		addNSItemToQuery(pstate,
						 addRangeTableEntryForRelation(pstate, rel,
													   AccessShareLock,
													   makeAlias(aliases[i],
																 NIL),
													   false, false),
						 false, true, true);
	w->result = transformWhereClause(pstate, w->raw, EXPR_KIND_TRIGGER_WHEN,
									 "WHEN");
	assign_expr_collations(pstate, w->result);
	table_close(rel, NoLock);
	free_parsestate(pstate);
}

/*
 * expr_trigger_when_matches
 *		Does a trigger's WHEN condition, as CREATE TRIGGER would store it
 *		for the current relation, mean the stored one?
 */
bool
expr_trigger_when_matches(const char *text, const DocPos *pos,
						  const ConvTable *table, const char *stored_bin)
{
	TriggerWhenWork w = {table, NULL, NULL};
	MemoryContext outer = expr_scratch_begin();
	bool		same;

	w.raw = parse_expression(text, pos);
	run_at(pos, trigger_when_work, &w);
	same = cooked_matches(w.result, stored_bin);
	expr_scratch_end(outer);
	return same;
}

/*
 * expr_attnums
 *		The columns a cooked expression of one relation reads.
 */
Bitmapset *
expr_attnums(Node *expr)
{
	Bitmapset  *attnums = NULL;

	pull_varattnos(expr, 1, &attnums);
	return attnums;
}

/*
 * expr_is_volatile_default
 *		Would adding this column with its default rewrite the table?  The
 *		diff's default_rewrites() first answers for a default naming what
 *		the plan creates, which cannot be cooked yet.
 */
bool
expr_is_volatile_default(const ConvColumn *col)
{
	MemoryContext outer;
	Node	   *cooked;
	bool		volatile_default;

	/* a type the plan creates cannot cook anything yet */
	if (col->default_expr == NULL || !OidIsValid(col->type_oid))
		return false;
	outer = expr_scratch_begin();
	cooked = cook(col, col->default_expr, &col->default_pos, NULL, '\0');
	volatile_default = !is_null_default(cooked) &&
		contain_volatile_functions(cooked);
	expr_scratch_end(outer);
	return volatile_default;
}

/*
 * expr_sql
 *		A document expression as it is put into a statement.
 *
 * The text has been proven to be exactly one expression, so parentheses
 * around it keep it one.  A trailing "--" comment would swallow the closing
 * parenthesis, so such text gets a line break before it.
 */
char *
expr_sql(const char *text)
{
	if (strstr(text, "--") != NULL)
		return psprintf("(%s\n)", text);
	return psprintf("(%s)", text);
}

/* ----------------------------------------------------------------
 * Casts to a type the plan recreates
 * ----------------------------------------------------------------
 */

typedef struct TypeRefs
{
	const char *schema;
	const char *name;
	List	   *casts;			/* of TypeCast: every cast to the type */
	List	   *names;			/* of TypeName: every mention of it */
} TypeRefs;

/* does a type as written name schema.name?  Unqualified: any schema */
static bool
names_type(TypeName *type, const TypeRefs *refs)
{
	char	   *nspname;
	char	   *name;

	if (type->names == NIL || type->pct_type)
		return false;
	DeconstructQualifiedName(type->names, &nspname, &name);
	return strcmp(name, refs->name) == 0 &&
		(nspname == NULL || strcmp(nspname, refs->schema) == 0);
}

static bool
collect_type_refs(Node *node, void *context)
{
	TypeRefs   *refs = context;

	if (node == NULL)
		return false;
	if (IsA(node, TypeName) && names_type((TypeName *) node, refs))
		refs->names = lappend(refs->names, node);
	if (IsA(node, TypeCast) &&
		names_type(((TypeCast *) node)->typeName, refs))
		refs->casts = lappend(refs->casts, node);
	return raw_expression_tree_walker(node, collect_type_refs, context);
}

static int
by_location(const ListCell *a, const ListCell *b)
{
	return ((TypeName *) lfirst(a))->location -
		((TypeName *) lfirst(b))->location;
}

/*
 * Where a type name written at "start" ends: the server's scanner reads
 * name tokens joined by dots, so quoted and keyword names end where the
 * server says.
 */
static int
type_name_end(const char *text, int start)
{
	core_yy_extra_type extra;
	core_yyscan_t scanner;
	core_YYSTYPE lval;
	YYLTYPE		loc = 0;
	int			end = strlen(text);
	int			token;

	scanner = scanner_init(text + start, &extra, &ScanKeywords,
						   ScanKeywordTokens);
	(void) core_yylex(&lval, &loc, scanner);	/* the first name */
	while ((token = core_yylex(&lval, &loc, scanner)) == '.')
		(void) core_yylex(&lval, &loc, scanner);
	if (token != 0)
		end = start + loc;
	scanner_finish(scanner);
	while (end > start && scanner_isspace(text[end - 1]))
		end--;
	return end;
}

/*
 * expr_retype
 *		The text of a document expression with every mention of the type
 *		schema.name (unqualified: of that name) replaced by "to", array
 *		brackets kept; NULL when it mentions no such type.  A cast to an
 *		enum the plan recreates must reach the temporary type while the old
 *		one still has the name: the stored expression then follows the new
 *		type through its rename.  The positions are the raw parser's, so
 *		string literals and comments are never touched.
 */
char *
expr_retype(const char *text, const DocPos *pos, const char *schema,
			const char *name, const char *to)
{
	TypeRefs	refs = {schema, name, NIL, NIL};
	StringInfoData buf;
	int			done = 0;
	ListCell   *lc;

	if (text == NULL)
		return NULL;
	(void) collect_type_refs(parse_expression(text, pos), &refs);
	if (refs.names == NIL)
		return NULL;
	list_sort(refs.names, by_location);
	initStringInfo(&buf);
	foreach(lc, refs.names)
	{
		int			start = ((TypeName *) lfirst(lc))->location;

		if (start < done)
			continue;
		appendBinaryStringInfo(&buf, text + done, start - done);
		appendStringInfoString(&buf, to);
		done = type_name_end(text, start);
	}
	appendStringInfoString(&buf, text + done);
	return buf.data;
}

/* the elements of an array literal, as text */
static List *
array_literal_labels(const char *literal)
{
	ArrayType  *array;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	List	   *labels = NIL;

	array = DatumGetArrayTypeP(OidInputFunctionCall(F_ARRAY_IN,
													(char *) literal,
													TEXTOID, -1));
	deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &n);
	for (int i = 0; i < n; i++)
		if (!nulls[i])
			labels = lappend(labels, TextDatumGetCString(elems[i]));
	return labels;
}

/* the labels a string literal holds, as one label or an array literal */
static List *
literal_labels(Node *node, bool array)
{
	A_Const    *value = (A_Const *) node;

	if (!IsA(value, A_Const) || value->isnull || !IsA(&value->val, String))
		return NIL;
	if (array)
		return array_literal_labels(strVal(&value->val));
	return list_make1(strVal(&value->val));
}

/*
 * expr_type_labels
 *		The labels a document expression writes as constants of the type
 *		schema.name (or of its array type): 'x'::t, '{x,y}'::t[], and the
 *		expression itself when it is a bare literal and "bare" says it is
 *		read as the type (a column's default).  Nothing is evaluated.
 */
List *
expr_type_labels(const char *text, const DocPos *pos, const char *schema,
				 const char *name, bool bare, bool bare_array)
{
	TypeRefs	refs = {schema, name, NIL, NIL};
	Node	   *tree;
	List	   *labels = NIL;
	ListCell   *lc;

	if (text == NULL)
		return NIL;
	tree = parse_expression(text, pos);
	(void) collect_type_refs(tree, &refs);
	foreach(lc, refs.casts)
	{
		TypeCast   *cast = lfirst(lc);

		labels = list_concat(labels,
							 literal_labels(cast->arg,
											cast->typeName->arrayBounds != NIL));
	}
	if (bare)
		labels = list_concat(labels, literal_labels(tree, bare_array));
	return labels;
}

/* ----------------------------------------------------------------
 * Indexes
 * ----------------------------------------------------------------
 */

typedef struct IndexParseWork
{
	const char *sql;
	IndexStmt  *result;
} IndexParseWork;

static void
parse_index_work(void *arg)
{
	IndexParseWork *w = arg;
	List	   *parsed = raw_parser(w->sql, RAW_PARSE_DEFAULT);

	if (list_length(parsed) != 1 ||
		!IsA(((RawStmt *) linitial(parsed))->stmt, IndexStmt))
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("\"%s\" is not exactly one index", w->sql)));
	w->result = (IndexStmt *) ((RawStmt *) linitial(parsed))->stmt;
}

static IndexStmt *
parse_index(const char *sql, const DocPos *pos)
{
	IndexParseWork w = {sql, NULL};

	run_at(pos, parse_index_work, &w);
	return w.result;
}

/*
 * expr_fragment
 *		A document fragment as a statement embeds it: with a line break
 *		when it holds a "--" comment, which would swallow what follows.
 */
const char *
expr_fragment(const char *text)
{
	return strstr(text, "--") ? psprintf("%s\n", text) : text;
}

/*
 * expr_check_index_element
 *		Refuse an index key that is not exactly one key ("a) WHERE (true"
 *		would smuggle in a clause).
 */
void
expr_check_index_element(const char *text, const DocPos *pos)
{
	MemoryContext outer = expr_scratch_begin();
	IndexStmt  *stmt = parse_index(psprintf("CREATE INDEX i ON t (%s)",
											expr_fragment(text)), pos);

	if (list_length(stmt->indexParams) != 1 || stmt->whereClause ||
		stmt->indexIncludingParams || stmt->options || stmt->tableSpace ||
		stmt->accessMethod == NULL ||
		strcmp(stmt->accessMethod, DEFAULT_INDEX_TYPE) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("\"%s\" is not exactly one index key at line %d, column %d (%s)",
						text, pos->line, pos->column, doc_path(pos))));
	if (contains_sublink(((IndexElem *) linitial(stmt->indexParams))->expr,
						 NULL))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot use subquery in index expression at line %d, column %d (%s)",
						pos->line, pos->column, doc_path(pos))));
	expr_scratch_end(outer);
}

/*
 * expr_index_sql
 *		The CREATE INDEX statement of a document index on "table".  It is
 *		parsed back and must have exactly the keys, INCLUDE columns and
 *		predicate the document gives.
 */
char *
expr_index_sql(const ConvIndex *index, const char *name, const char *table)
{
	StringInfoData sql;
	IndexStmt  *stmt;
	ListCell   *lc;

	initStringInfo(&sql);
	appendStringInfo(&sql, "CREATE %sINDEX %s ON %s",
					 index->unique ? "UNIQUE " : "", quote_identifier(name),
					 table);
	if (index->method)
		appendStringInfo(&sql, " USING %s", quote_identifier(index->method));
	appendStringInfoString(&sql, " (");
	foreach(lc, index->elements)
		appendStringInfo(&sql, "%s%s", foreach_current_index(lc) ? ", " : "",
						 expr_fragment(lfirst(lc)));
	appendStringInfoChar(&sql, ')');
	if (index->include)
	{
		appendStringInfoString(&sql, " INCLUDE (");
		foreach(lc, index->include)
			appendStringInfo(&sql, "%s%s",
							 foreach_current_index(lc) ? ", " : "",
							 quote_identifier(lfirst(lc)));
		appendStringInfoChar(&sql, ')');
	}
	if (index->nulls_not_distinct)
		appendStringInfoString(&sql, " NULLS NOT DISTINCT");
	if (index->where)
		appendStringInfo(&sql, " WHERE %s", expr_sql(index->where));

	stmt = parse_index(sql.data, &index->pos);
	if (list_length(stmt->indexParams) != list_length(index->elements) ||
		list_length(stmt->indexIncludingParams) != list_length(index->include) ||
		(stmt->whereClause != NULL) != (index->where != NULL))
		elog(ERROR, "index \"%s\" did not parse back as written", name);
	return sql.data;
}

typedef struct RenameRefs
{
	const TablePair *pair;		/* current table with its document names */
} RenameRefs;


static bool
rename_refs_walker(Node *node, void *context)
{
	RenameRefs *r = context;

	if (node == NULL)
		return false;
	if (IsA(node, ColumnRef))
	{
		ListCell   *last = list_last_cell(((ColumnRef *) node)->fields);

		if (IsA(lfirst(last), String))
			lfirst(last) = makeString((char *) current_name_of(r->pair,
												   strVal(lfirst(last))));
		return false;
	}
	return raw_expression_tree_walker(node, rename_refs_walker, context);
}

/* an index's raw tree, under the current column names of "table" */
static void
rename_index_refs(IndexStmt *stmt, const TablePair *pair)
{
	RenameRefs	r = {pair};
	List	   *elems = list_concat_copy(stmt->indexParams,
										 stmt->indexIncludingParams);
	ListCell   *lc;

	if (pair->have_names == NIL)
		return;
	foreach(lc, elems)
	{
		IndexElem  *elem = lfirst(lc);

		if (elem->name)
			elem->name = (char *) current_name_of(pair, elem->name);
		(void) rename_refs_walker(elem->expr, &r);
	}
	(void) rename_refs_walker(stmt->whereClause, &r);
}

/*
 * A key written "(column)" or "(column COLLATE c)" is the column's key, as
 * DefineIndex stores it (its collation is kept by the caller).
 */
static void
bare_column_key(IndexElem *elem, Oid relid)
{
	Node	   *bare = elem->expr;

	while (IsA(bare, CollateExpr))
		bare = (Node *) ((CollateExpr *) bare)->arg;
	if (IsA(bare, Var) && ((Var *) bare)->varattno > 0)
	{
		elem->name = get_attname(relid, ((Var *) bare)->varattno, false);
		elem->expr = NULL;
		elem->indexcolname = NULL;	/* transformIndexStmt's, for exprs */
	}
}

/*
 * The parts of a transformed index that make its meaning, with defaults
 * written out: ASC, NULLS LAST for ASC and NULLS FIRST for DESC, btree, and
 * each key's operator class and collation as resolved oids, so a key that
 * names the default ones means the same as one that does not.
 */
static void
normalize_index(IndexStmt *stmt, Oid relid)
{
	Oid			amoid;
	ListCell   *lc;

	if (stmt->accessMethod == NULL)
		stmt->accessMethod = DEFAULT_INDEX_TYPE;
	amoid = get_am_oid(stmt->accessMethod, false);
	foreach(lc, stmt->indexParams)
	{
		IndexElem  *elem = lfirst(lc);
		Oid			type;
		Oid			collation;

		if (elem->ordering == SORTBY_DEFAULT)
			elem->ordering = SORTBY_ASC;
		if (elem->nulls_ordering == SORTBY_NULLS_DEFAULT)
			elem->nulls_ordering = elem->ordering == SORTBY_DESC ?
				SORTBY_NULLS_FIRST : SORTBY_NULLS_LAST;

		if (elem->name)
		{
			int32		typmod;
			AttrNumber	attnum = get_attnum(relid, elem->name);

			if (attnum == InvalidAttrNumber)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_COLUMN),
						 errmsg("column \"%s\" does not exist", elem->name)));
			get_atttypetypmodcoll(relid, attnum, &type, &typmod, &collation);
		}
		else
		{
			type = exprType(elem->expr);
			collation = exprCollation(elem->expr);
			bare_column_key(elem, relid);
		}
		if (elem->collation)
			collation = get_collation_oid(elem->collation, false);
		/* operator class options as name=value text, however written */
		if (elem->opclassopts)
		{
			List	   *opts = NIL;
			ListCell   *oc;

			foreach(oc, elem->opclassopts)
			{
				DefElem    *def = lfirst(oc);

				opts = lappend(opts, makeString(psprintf("%s=%s", def->defname,
														 defGetString(def))));
			}
			elem->opclassopts = opts;
		}
		elem->opclass = list_make1(makeString(psprintf("%u",
													   ResolveOpClass(elem->opclass,
																	  type,
																	  stmt->accessMethod,
																	  amoid))));
		elem->collation = list_make1(makeString(psprintf("%u", collation)));
	}
}

typedef struct IndexTransformWork
{
	IndexStmt  *stmt;
	Oid			relid;
	const char *sql;
} IndexTransformWork;

/* a key naming no column, an unknown operator class: at the index's line */
static void
transform_index_work(void *arg)
{
	IndexTransformWork *w = arg;

	LockRelationOid(w->relid, AccessShareLock);
	w->stmt = transformIndexStmt(w->relid, w->stmt, w->sql);
	normalize_index(w->stmt, w->relid);
}

static IndexStmt *
transformed_index(const char *sql, const DocPos *pos, const TablePair *pair,
				  bool document)
{
	IndexTransformWork w;

	w.stmt = parse_index(sql, pos);
	w.relid = pair->have->oid;
	w.sql = sql;
	if (document)
		rename_index_refs(w.stmt, pair);
	run_at(pos, transform_index_work, &w);
	return w.stmt;
}

/*
 * Does a raw expression name one of "names": in a string constant (a
 * sequence given to nextval, an enum label) or as a function it calls?
 */
static bool
raw_names_any(Node *raw, List *names)
{
	List	   *found = NIL;
	ListCell   *lc,
			   *mc;

	(void) collect_string_constants(raw, &found);
	(void) collect_called_names(raw, &found);
	foreach(lc, found)
		foreach(mc, names)
			if (strcmp(lfirst(lc), lfirst(mc)) == 0)
				return true;
	return false;
}

/*
 * expr_names_any
 *		raw_names_any() for a document expression: does it name one of
 *		"names" (what the plan creates)?
 */
bool
expr_names_any(const char *text, const DocPos *pos, List *names)
{
	MemoryContext outer = expr_scratch_begin();
	bool		found = raw_names_any(parse_expression(text, pos), names);

	expr_scratch_end(outer);
	return found;
}

static void
check_index_position(const ConvIndex *index, const ConvTable *table,
					 List *created)
{
	IndexStmt  *stmt = parse_index(expr_index_sql(index, "i", "t"),
								   &index->pos);
	List	   *exprs = NIL;
	ListCell   *lc;

	foreach(lc, list_concat_copy(stmt->indexParams,
								 stmt->indexIncludingParams))
	{
		IndexElem  *elem = lfirst(lc);

		if (elem->expr)
			exprs = lappend(exprs, elem->expr);
		else if (!find_column(table, elem->name))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" does not exist at line %d, column %d (%s)",
							elem->name, index->pos.line, index->pos.column,
							doc_path(&index->pos))));
	}
	foreach(lc, exprs)
		if (raw_names_any(lfirst(lc), created))
			return;
	if (stmt->whereClause && raw_names_any(stmt->whereClause, created))
		return;
	foreach(lc, exprs)
	{
		PositionWork w = {table, lfirst(lc), EXPR_KIND_INDEX_EXPRESSION};

		run_at(&index->pos, position_work, &w);
	}
	if (stmt->whereClause)
	{
		PositionWork w = {table, stmt->whereClause,
		EXPR_KIND_INDEX_PREDICATE};

		run_at(&index->pos, position_work, &w);
	}
}

/*
 * expr_check_index_position
 *		expr_check_position() for each expression key and the predicate of
 *		a document index on "table"; not while one of them names something
 *		in "created" (what the plan creates: the functions do not exist).
 */
void
expr_check_index_position(const ConvIndex *index, const ConvTable *table,
						  List *created)
{
	MemoryContext outer = expr_scratch_begin();

	check_index_position(index, table, created);
	expr_scratch_end(outer);
}

/*
 * printed_as_stored() for an index: every key, the predicate and the rest
 * as the catalog read prints them (an export writes them so).
 */
static bool
index_printed_as_stored(const ConvIndex *want, const ConvIndex *have,
						const TablePair *pair)
{
	ListCell   *wc,
			   *hc;

	if (want->unique != have->unique ||
		want->nulls_not_distinct != have->nulls_not_distinct ||
		strcmp(want->method ? want->method : DEFAULT_INDEX_TYPE,
			   have->method) != 0 ||
		(want->where != NULL) != (have->where != NULL) ||
		(want->where && !printed_as_stored(want->where, have->where, pair)) ||
		list_length(want->elements) != list_length(have->elements) ||
		list_length(want->include) != list_length(have->include))
		return false;
	forboth(wc, want->elements, hc, have->elements)
		if (!printed_as_stored(lfirst(wc), lfirst(hc), pair))
			return false;
	forboth(wc, want->include, hc, have->include)
		if (!printed_as_stored(lfirst(wc), lfirst(hc), pair))
			return false;
	return true;
}

/*
 * expr_index_matches
 *		Does a current index mean what the document's does?  Both are
 *		parsed and transformed against the relation by the server, the
 *		current one from pg_get_indexdef(), and compared as trees.
 */
bool
expr_index_matches(const ConvIndex *want, const ConvIndex *have,
				   const TablePair *pair)
{
	MemoryContext outer;
	IndexStmt  *w;
	IndexStmt  *h;
	bool		same;

	if (index_printed_as_stored(want, have, pair))
		return true;
	outer = expr_scratch_begin();
	w = transformed_index(expr_index_sql(want, want->name, "converge_t"),
						  &want->pos, pair, true);
	h = transformed_index(index_definition(have), &want->pos, pair, false);
	same = strcmp(w->accessMethod, h->accessMethod) == 0 &&
		w->unique == h->unique &&
		w->nulls_not_distinct == h->nulls_not_distinct &&
		equal(w->indexParams, h->indexParams) &&
		equal(w->indexIncludingParams, h->indexIncludingParams) &&
		equal(w->whereClause, h->whereClause);
	expr_scratch_end(outer);
	return same;
}

/*
 * expr_index_key_is_expression
 *		Is key n (from 1) of a document index an expression, not a column?
 *		Only such a key takes a statistics target.
 */
bool
expr_index_key_is_expression(const ConvIndex *index, int n)
{
	MemoryContext outer = expr_scratch_begin();
	IndexStmt  *stmt = parse_index(expr_index_sql(index, index->name,
												  "converge_t"),
								   &index->pos);
	bool		expression;

	expression = n >= 1 && n <= list_length(stmt->indexParams) &&
		((IndexElem *) list_nth(stmt->indexParams, n - 1))->expr != NULL;
	expr_scratch_end(outer);
	return expression;
}

/*
 * expr_index_column_refs
 *		The column names a document index mentions.
 */
List *
expr_index_column_refs(const ConvIndex *index)
{
	MemoryContext outer = expr_scratch_begin();
	IndexStmt  *stmt = parse_index(expr_index_sql(index, index->name,
												  "converge_t"),
								   &index->pos);
	List	   *names = NIL;
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, list_concat_copy(stmt->indexParams,
								 stmt->indexIncludingParams))
	{
		IndexElem  *elem = lfirst(lc);

		if (elem->name)
			result = lappend(result, elem->name);
		(void) collect_column_refs(elem->expr, &names);
	}
	(void) collect_column_refs(stmt->whereClause, &names);
	foreach(lc, names)
		result = lappend(result, strVal(lfirst(lc)));
	return scratch_end_names(outer, result);
}

/*
 * expr_index_called_names
 *		The functions a document index's keys and predicate call, as
 *		written ("name" or "schema.name").
 */
List *
expr_index_called_names(const ConvIndex *index)
{
	MemoryContext outer = expr_scratch_begin();
	IndexStmt  *stmt = parse_index(expr_index_sql(index, index->name,
												  "converge_t"),
								   &index->pos);
	List	   *names = NIL;
	ListCell   *lc;

	foreach(lc, stmt->indexParams)
		(void) collect_called_names(((IndexElem *) lfirst(lc))->expr, &names);
	(void) collect_called_names(stmt->whereClause, &names);
	return scratch_end_names(outer, names);
}

/* ----------------------------------------------------------------
 * Domains
 * ----------------------------------------------------------------
 */

/* VALUE in a domain CHECK is the value being checked, as the server has it */
static Node *
domain_value_hook(ParseState *pstate, ColumnRef *cref)
{
	const ConvDomain *d = pstate->p_ref_hook_state;
	CoerceToDomainValue *value;

	if (list_length(cref->fields) != 1 ||
		pg_strcasecmp(strVal(linitial(cref->fields)), "value") != 0)
		return NULL;
	value = makeNode(CoerceToDomainValue);
	value->typeId = d->type_oid;
	value->typeMod = d->typmod;
	value->collation = get_typcollation(d->type_oid);
	value->location = cref->location;
	return (Node *) value;
}

typedef struct DomainCookWork
{
	const ConvDomain *domain;
	Node	   *raw;
	Node	   *result;
} DomainCookWork;

static void
cook_domain_check_work(void *arg)
{
	DomainCookWork *w = arg;
	ParseState *pstate = make_parsestate(NULL);
	Node	   *expr;

	pstate->p_pre_columnref_hook = domain_value_hook;
	pstate->p_ref_hook_state = (void *) w->domain;
	expr = transformExpr(pstate, w->raw, EXPR_KIND_DOMAIN_CHECK);
	expr = coerce_to_boolean(pstate, expr, "CHECK");
	assign_expr_collations(pstate, expr);
	w->result = expr;
	free_parsestate(pstate);
}

/*
 * expr_domain_check_matches
 *		Does a document domain CHECK, as the server would store it, mean
 *		the stored one?
 */
bool
expr_domain_check_matches(const ConvCheck *check, const ConvDomain *domain,
						  const char *stored_bin)
{
	DomainCookWork w = {domain, NULL, NULL};
	MemoryContext outer = expr_scratch_begin();
	bool		same;

	w.raw = parse_expression(check->expr, &check->pos);
	run_at(&check->pos, cook_domain_check_work, &w);
	same = cooked_matches(w.result, stored_bin);
	expr_scratch_end(outer);
	return same;
}

/*
 * expr_domain_default_matches
 *		A domain's default is cooked for its base type, as CREATE DOMAIN
 *		cooks it.
 */
bool
expr_domain_default_matches(const ConvDomain *want, const ConvDomain *have)
{
	ConvColumn	w = {0};
	ConvColumn	h = {0};

	w.name = want->name;
	w.type_oid = want->type_oid;
	w.typmod = want->typmod;
	w.default_expr = want->default_expr;
	w.default_pos = want->default_pos;
	h.default_bin = have->default_bin;
	return expr_default_matches(&w, &h);
}

/*
 * expr_is_nextval
 *		Is a stored default exactly nextval() of the sequence seqoid, as a
 *		serial column's is (cast implicitly to an integer narrower than
 *		nextval's bigint)?
 */
bool
expr_is_nextval(const char *default_bin, Oid seqoid)
{
	Node	   *expr = strip_implicit_coercions(stringToNode(default_bin));
	FuncExpr   *func;
	Const	   *arg;

	if (!IsA(expr, FuncExpr))
		return false;
	func = (FuncExpr *) expr;
	if (func->funcid != F_NEXTVAL || list_length(func->args) != 1 ||
		!IsA(linitial(func->args), Const))
		return false;
	arg = linitial(func->args);
	return arg->consttype == REGCLASSOID && !arg->constisnull &&
		DatumGetObjectId(arg->constvalue) == seqoid;
}

/* does the index read a column the plan renames? */
static bool
index_reads_renamed(const ConvIndex *index, const TablePair *pair)
{
	List	   *refs = expr_index_column_refs(index);
	ListCell   *cc,
			   *nc;

	forboth(cc, pair->have->columns, nc, pair->have_names)
		if (strcmp(((ConvColumn *) lfirst(cc))->name, lfirst(nc)) != 0 &&
			string_in(refs, lfirst(nc)))
			return true;
	return false;
}

/*
 * Keys that are plain columns, under their document names; NIL when one is
 * an expression, or the index has a predicate.
 */
static List *
plain_index_keys(IndexStmt *stmt)
{
	List	   *keys = NIL;
	ListCell   *lc;

	if (stmt->whereClause)
		return NIL;
	foreach(lc, stmt->indexParams)
	{
		IndexElem  *elem = lfirst(lc);

		if (elem->name == NULL)
			return NIL;
		keys = lappend(keys, (char *) quote_identifier(elem->name));
	}
	return keys;
}

/*
 * expr_index_keys_sql
 *		The keys (and predicate) of a document index as the server prints
 *		them for the current relation, to look for rows that would collide
 *		in a new unique index; over a column the plan renames, keys that
 *		are plain columns under their document names.  NIL when the keys
 *		cannot be printed under the document's names (an expression that
 *		reads a renamed column).
 */
List *
expr_index_keys_sql(const ConvIndex *index, const TablePair *pair,
					char **where)
{
	const char *sql = expr_index_sql(index, index->name, "converge_t");
	IndexStmt  *stmt;
	List	   *context;
	List	   *keys = NIL;
	ListCell   *lc;

	*where = NULL;
	if (index_reads_renamed(index, pair))
		return plain_index_keys(parse_index(sql, &index->pos));

	stmt = transformed_index(sql, &index->pos, pair, true);
	context = deparse_context_for(pair->have->name, pair->have->oid);
	foreach(lc, stmt->indexParams)
	{
		IndexElem  *elem = lfirst(lc);

		keys = lappend(keys, elem->name ?
					   (char *) quote_identifier(elem->name) :
					   deparse_expression(elem->expr, context, false, false));
	}
	*where = stmt->whereClause ?
		deparse_expression(stmt->whereClause, context, false, false) : NULL;
	return keys;
}
