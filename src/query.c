/*-------------------------------------------------------------------------
 *
 * query.c
 *	  A view's query, read by the server.
 *
 * Two queries mean the same when the server's deparser prints the same
 * text for both: the document's query is parsed and analyzed as CREATE
 * VIEW would analyze it, given the view's column names, and printed with
 * pg_get_querydef(); the stored one is the view's rule printed the same
 * way.  Spacing, keyword case, casts the server adds anyway, IN lists
 * (= ANY) and names qualified or not on the search path all fall away.
 *
 * The analysis runs in a subtransaction that is rolled back: it may take
 * locks and raise errors, and the caller decides which errors are
 * answers (a query naming a table the plan creates cannot be read yet).
 * It also says what the query reads, relation by relation and column by
 * column, and the functions it calls, so a plan can refuse a view that
 * reads what it drops.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relation.h"
#include "catalog/heap.h"
#include "catalog/namespace.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_class.h"
#include "catalog/pg_proc.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "parser/analyze.h"
#include "parser/parser.h"
#include "parser/parsetree.h"
#include "rewrite/prs2lock.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"

#include "model.h"
#include "kinds/kinds.h"

/* the one SELECT statement of a document's query */
static RawStmt *
parse_select(const char *text)
{
	List	   *parsed = raw_parser(text, RAW_PARSE_DEFAULT);

	if (list_length(parsed) != 1 ||
		!IsA(((RawStmt *) linitial(parsed))->stmt, SelectStmt))
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("\"%s\" is not exactly one SELECT statement", text)));
	return linitial(parsed);
}

/*
 * query_statement
 *		The statement of a document's query as the parser delimits it,
 *		without a closing semicolon, so that clauses can follow it.
 */
char *
query_statement(const char *text)
{
	RawStmt    *stmt = parse_select(text);

	if (stmt->stmt_len <= 0)
		return pstrdup(text + stmt->stmt_location);
	return pnstrdup(text + stmt->stmt_location, stmt->stmt_len);
}

/* what a raw query names in FROM, and the names its WITH clauses give */
typedef struct RangeVarContext
{
	List	   *range_vars;		/* of RangeVar */
	List	   *cte_names;		/* of char * */
} RangeVarContext;

static bool
collect_range_vars(Node *node, void *context)
{
	RangeVarContext *cx = context;

	if (node == NULL)
		return false;
	if (IsA(node, RangeVar))
		cx->range_vars = lappend(cx->range_vars, node);
	else if (IsA(node, CommonTableExpr))
		cx->cte_names = lappend(cx->cte_names,
								((CommonTableExpr *) node)->ctename);
	return raw_expression_tree_walker(node, collect_range_vars, context);
}

/*
 * query_called_names
 *		Every function name a document's query calls, as written.
 */
List *
query_called_names(const char *text)
{
	return expr_raw_called_names(parse_select(text)->stmt);
}

/*
 * query_column_names
 *		Every column name a document's query writes, as written.
 */
List *
query_column_names(const char *text)
{
	return expr_raw_column_refs(parse_select(text)->stmt);
}

/*
 * query_relation_names
 *		Every relation name a document's query writes (RangeVar nodes), read
 *		from the raw parse tree: what it reads before anything exists.  A
 *		name its own WITH clause gives is not a relation.
 */
List *
query_relation_names(const char *text)
{
	RangeVarContext cx = {NIL, NIL};
	List	   *names = NIL;
	ListCell   *lc;

	collect_range_vars(parse_select(text)->stmt, &cx);
	foreach(lc, cx.range_vars)
	{
		RangeVar   *rv = lfirst(lc);

		if (rv->schemaname || !string_in(cx.cte_names, rv->relname))
			names = lappend(names, rv);
	}
	return names;
}

/* ----------------------------------------------------------------
 * What a query reads
 * ----------------------------------------------------------------
 */

typedef struct ReadsContext
{
	List	   *rtables;		/* range tables of the enclosing query
								 * levels, innermost first */
	List	   *reads;			/* of ObjectAddress */
} ReadsContext;

static void
add_read(ReadsContext *cx, Oid classid, Oid objid, int32 subid)
{
	ObjectAddress *read;
	ListCell   *lc;

	foreach(lc, cx->reads)
	{
		read = lfirst(lc);
		if (read->classId == classid && read->objectId == objid &&
			read->objectSubId == subid)
			return;
	}
	read = palloc(sizeof(ObjectAddress));
	ObjectAddressSubSet(*read, classid, objid, subid);
	cx->reads = lappend(cx->reads, read);
}

/* a function the query calls is read too: the plan may drop it */
static bool
add_function_read(Oid func_id, void *context)
{
	add_read(context, ProcedureRelationId, func_id, 0);
	return false;
}

static bool
collect_reads(Node *node, void *context)
{
	ReadsContext *cx = context;

	if (node == NULL)
		return false;
	if (IsA(node, Var))
	{
		Var		   *var = (Var *) node;
		RangeTblEntry *rte = rt_fetch(var->varno,
									  list_nth(cx->rtables,
											   var->varlevelsup));

		if (rte->rtekind == RTE_RELATION)
			add_read(cx, RelationRelationId, rte->relid, var->varattno);
		return false;
	}
	if (IsA(node, RangeTblEntry))
	{
		RangeTblEntry *rte = (RangeTblEntry *) node;

		if (rte->rtekind == RTE_RELATION)
			add_read(cx, RelationRelationId, rte->relid, 0);
		return false;
	}
	if (IsA(node, Query))
	{
		bool		result;

		cx->rtables = lcons(((Query *) node)->rtable, cx->rtables);
		result = query_tree_walker((Query *) node, collect_reads, cx,
								   QTW_EXAMINE_RTES_BEFORE);
		cx->rtables = list_delete_first(cx->rtables);
		return result;
	}
	(void) check_functions_in_node(node, add_function_read, cx);
	return expression_tree_walker(node, collect_reads, cx);
}

/* ----------------------------------------------------------------
 * The meaning of a query
 * ----------------------------------------------------------------
 */

/* the view's column names given to the query's output, as CREATE VIEW does */
static void
name_columns(Query *query, List *names)
{
	ListCell   *nc = list_head(names);
	ListCell   *lc;

	foreach(lc, query->targetList)
	{
		TargetEntry *tle = lfirst(lc);

		if (tle->resjunk || nc == NULL)
			continue;
		tle->resname = pstrdup(lfirst(nc));
		nc = lnext(names, nc);
	}
	if (nc != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("the view has more column names than its query has columns")));
}

/* the query's columns, which CREATE VIEW needs named apart */
static List *
output_columns(Query *query)
{
	List	   *columns = NIL;
	ListCell   *lc,
			   *sc;

	foreach(lc, query->targetList)
	{
		TargetEntry *tle = lfirst(lc);
		ViewColumn *col;

		if (tle->resjunk)
			continue;
		foreach(sc, columns)
			if (strcmp(((ViewColumn *) lfirst(sc))->name, tle->resname) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_COLUMN),
						 errmsg("column \"%s\" specified more than once",
								tle->resname),
						 errhint("A view's columns need names of their own: give one of them another with AS.")));
		col = palloc(sizeof(ViewColumn));
		col->name = tle->resname;
		col->type = exprType((Node *) tle->expr);
		col->typmod = exprTypmod((Node *) tle->expr);
		col->collation = exprCollation((Node *) tle->expr);
		columns = lappend(columns, col);
	}
	return columns;
}

typedef struct MeaningWork
{
	const ConvView *view;
	Oid			existing;
	ViewMeaning *meaning;
} MeaningWork;

static void
meaning_work(void *arg)
{
	MeaningWork *w = arg;
	ReadsContext cx = {NIL, NIL};
	Query	   *query;

	query = parse_analyze_fixedparams(parse_select(w->view->query),
									  w->view->query, NULL, 0, NULL);
	if (query->commandType != CMD_SELECT || query->utilityStmt != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("a view's query must be a SELECT without INTO")));
	name_columns(query, w->view->columns);
	collect_reads((Node *) query, &cx);
	w->meaning->reads = cx.reads;
	w->meaning->columns = output_columns(query);
	if (OidIsValid(w->existing))
	{
		Relation	rel = relation_open(w->existing, AccessShareLock);

		compat_view_rtable(query, rel);
		relation_close(rel, AccessShareLock);
	}
	w->meaning->deparsed = pg_get_querydef(query, true);
}

/*
 * query_view_meaning
 *		What the server makes of a document view's query: its text as the
 *		deparser prints it (shaped like the stored query of the view
 *		"existing", when there is one), its columns and what it reads.
 *		Returns the error analysis raised, or NULL; nothing the analysis
 *		did is kept.
 */
ErrorData *
query_view_meaning(const ConvView *view, Oid existing, ViewMeaning *meaning)
{
	MeaningWork w = {view, existing, meaning};

	return converge_run_rolled_back(meaning_work, &w);
}

/* ----------------------------------------------------------------
 * A query over relations as the plan leaves them
 * ----------------------------------------------------------------
 */

typedef struct ShapeContext
{
	List	   *shapes;			/* of RowShape */
	List	   *cte_names;		/* names the query's WITH clauses give */
	List	   *ctes;			/* of CommonTableExpr, one per shape used */
	List	   *seen_as;		/* names the replaced relations go by */
	bool		faithful;
} ShapeContext;

/* the WITH item standing for a shape, made on first use */
static char *
shape_cte(ShapeContext *cx, int index)
{
	RowShape   *shape = list_nth(cx->shapes, index);
	char	   *name = psprintf("converge_shape_%d", index + 1);
	CommonTableExpr *cte;
	ListCell   *lc;

	foreach(lc, cx->ctes)
		if (strcmp(((CommonTableExpr *) lfirst(lc))->ctename, name) == 0)
			return name;
	cte = makeNode(CommonTableExpr);
	cte->ctename = name;
	cte->ctequery = parse_select(shape->select)->stmt;
	cte->location = -1;
	cx->ctes = lappend(cx->ctes, cte);
	return name;
}

/* a relation the query names, shaped: read through its WITH item */
static bool
replace_shaped(Node *node, void *context)
{
	ShapeContext *cx = context;

	if (node == NULL)
		return false;
	if (IsA(node, RangeVar))
	{
		RangeVar   *rv = (RangeVar *) node;
		Oid			relid;
		ListCell   *lc;

		if (rv->schemaname == NULL && string_in(cx->cte_names, rv->relname))
			return false;
		relid = RangeVarGetRelid(rv, NoLock, true);
		foreach(lc, cx->shapes)
		{
			if (((RowShape *) lfirst(lc))->relid != relid)
				continue;
			if (rv->alias == NULL)
				rv->alias = makeAlias(rv->relname, NIL);
			cx->seen_as = lappend(cx->seen_as, rv->alias->aliasname);
			rv->catalogname = NULL;
			rv->schemaname = NULL;
			rv->relname = shape_cte(cx, foreach_current_index(lc));
			break;
		}
		return false;
	}
	return raw_expression_tree_walker(node, replace_shaped, context);
}

/*
 * A WITH item stands for a relation only in its columns: a whole-row
 * reference (a column reference that is just the relation's name), a
 * system column, TABLESAMPLE or FOR UPDATE would mean something else.
 */
static bool
find_unfaithful(Node *node, void *context)
{
	ShapeContext *cx = context;

	if (node == NULL)
		return false;
	if (IsA(node, RangeTableSample) ||
		(IsA(node, SelectStmt) && ((SelectStmt *) node)->lockingClause))
		cx->faithful = false;
	else if (IsA(node, ColumnRef))
	{
		List	   *fields = ((ColumnRef *) node)->fields;
		Node	   *last = llast(fields);

		if ((list_length(fields) == 1 && IsA(last, String) &&
			 string_in(cx->seen_as, strVal(last))) ||
			(IsA(last, String) &&
			 SystemAttributeByName(strVal(last)) != NULL))
			cx->faithful = false;
		return false;
	}
	return raw_expression_tree_walker(node, find_unfaithful, context);
}

typedef struct ShapeWork
{
	const ConvView *view;
	List	   *shapes;
} ShapeWork;

static void
shape_work(void *arg)
{
	ShapeWork  *w = arg;
	RawStmt    *raw = parse_select(w->view->query);
	SelectStmt *select = (SelectStmt *) raw->stmt;
	RangeVarContext names = {NIL, NIL};
	ShapeContext cx = {w->shapes, NIL, NIL, NIL, true};

	collect_range_vars((Node *) select, &names);
	cx.cte_names = names.cte_names;
	(void) replace_shaped((Node *) select, &cx);
	(void) find_unfaithful((Node *) select, &cx);
	if (cx.ctes == NIL || !cx.faithful)
		return;
	if (select->withClause == NULL)
	{
		select->withClause = makeNode(WithClause);
		select->withClause->location = -1;
	}
	/* first, so the query's own WITH items can read them too */
	select->withClause->ctes = list_concat(cx.ctes,
										   select->withClause->ctes);
	(void) parse_analyze_fixedparams(raw, w->view->query, NULL, 0, NULL);
}

/*
 * query_analyzes_as
 *		Does a document view's query analyze once the plan has reshaped
 *		the relations of "shapes" (changed the types of their columns)?
 *		Each relation the query names that has a shape is read through a
 *		WITH item of the shape's columns instead.  Returns the error the
 *		analysis raised, or NULL; also NULL when the query reads such a
 *		relation in a way its columns do not stand for (a whole-row
 *		reference, a system column).
 */
ErrorData *
query_analyzes_as(const ConvView *view, List *shapes)
{
	ShapeWork	w = {view, shapes};

	return converge_run_rolled_back(shape_work, &w);
}

/*
 * query_stored_meaning
 *		A view's stored query printed as query_view_meaning() prints a
 *		document's, under the view's column names as they are now.
 */
char *
query_stored_meaning(Oid viewoid)
{
	Relation	rel = relation_open(viewoid, AccessShareLock);
	Query	   *query;
	ListCell   *lc;
	int			attno = 0;
	char	   *text;

	if (rel->rd_rules == NULL || rel->rd_rules->numLocks != 1)
		elog(ERROR, "view \"%s\" has no single rule",
			 RelationGetRelationName(rel));
	query = copyObject(linitial(rel->rd_rules->rules[0]->actions));
	foreach(lc, query->targetList)
	{
		TargetEntry *tle = lfirst(lc);

		if (!tle->resjunk)
			tle->resname = pstrdup(NameStr(TupleDescAttr(rel->rd_att,
														 attno++)->attname));
	}
	text = pg_get_querydef(query, true);
	relation_close(rel, AccessShareLock);
	return text;
}

/*
 * query_replaceable
 *		Would CREATE OR REPLACE VIEW accept the new query for the view: its
 *		columns keep their names, types and collations, in order, and new
 *		ones only follow them?
 */
bool
query_replaceable(const ViewMeaning *meaning, Oid viewoid)
{
	Relation	rel = relation_open(viewoid, AccessShareLock);
	TupleDesc	desc = RelationGetDescr(rel);
	bool		result = list_length(meaning->columns) >= desc->natts;
	ListCell   *lc;

	foreach(lc, meaning->columns)
	{
		ViewColumn *col = lfirst(lc);
		Form_pg_attribute att;

		if (!result || foreach_current_index(lc) >= desc->natts)
			break;
		att = TupleDescAttr(desc, foreach_current_index(lc));
		result = strcmp(NameStr(att->attname), col->name) == 0 &&
			att->atttypid == col->type && att->atttypmod == col->typmod &&
			att->attcollation == col->collation;
	}
	relation_close(rel, AccessShareLock);
	return result;
}
