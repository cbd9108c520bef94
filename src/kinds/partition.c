/*-------------------------------------------------------------------------
 *
 * partition.c
 *	  Partitioned tables and their partitions: a table's "partition_by",
 *	  and "partition_of" with "bounds" on a partition.
 *
 * A partition is a table of the document with no columns of its own: its
 * columns are its parent's, and every change to them is the parent's
 * (ALTER TABLE recurses).  It keeps its own CHECKs, keys, indexes,
 * foreign keys, triggers, policies, grants and comment; what it inherits
 * from the parent (cloned indexes, keys, foreign keys and triggers,
 * inherited CHECKs) is the parent's and is never read into its model.
 *
 * The server decides what a key and a bound mean.  The document's
 * PARTITION BY is read by the raw parser, its columns matched by name and
 * its expressions transformed against the relation, and compared with
 * pg_partitioned_table element by element (strategy, column or tree,
 * collation, operator class).  A bound is transformed against the parent,
 * as ATTACH PARTITION transforms it, and compared with the stored tree.
 * A partition key cannot change in place: the plan refuses, naming the
 * table.  A table that becomes a partition is attached, after its rows are
 * checked against the bound (the partition constraint, deparsed from the
 * server's own get_qual_from_partbound()); a new partition of a table with
 * a default partition is checked against the rows the default one holds,
 * which the server would refuse to move.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "commands/defrem.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "parser/parse_collate.h"
#include "parser/parse_expr.h"
#include "parser/parse_utilcmd.h"
#include "parser/parser.h"
#include "partitioning/partbounds.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"

#include "kinds/kinds.h"

static ConvPartitioning *
partitioning_of(ConvTable *table)
{
	if (table->partitioning == NULL)
		table->partitioning = palloc0(sizeof(ConvPartitioning));
	return table->partitioning;
}

/* is the table a partition of another? */
bool
is_partition(const ConvTable *table)
{
	return table->partitioning && table->partitioning->parent_name;
}

/* ----------------------------------------------------------------
 * Reading the document's clauses with the server's grammar
 * ----------------------------------------------------------------
 */

typedef struct ClauseParse
{
	const char *sql;
	CreateStmt *stmt;
} ClauseParse;

static void
parse_create_work(void *arg)
{
	ClauseParse *w = arg;
	List	   *parsed = raw_parser(w->sql, RAW_PARSE_DEFAULT);

	w->stmt = NULL;
	if (list_length(parsed) == 1 &&
		IsA(((RawStmt *) linitial(parsed))->stmt, CreateStmt))
		w->stmt = (CreateStmt *) ((RawStmt *) linitial(parsed))->stmt;
	if (w->stmt && w->stmt->partspec)
		(void) compat_partition_strategy(w->stmt->partspec);
}

/*
 * The CREATE TABLE a clause is written into must hold exactly that clause:
 * "RANGE (a) WITH (fillfactor = 1)" would smuggle in another.
 */
static CreateStmt *
parse_clause(const char *sql, const char *text, const DocPos *pos,
			 const char *what)
{
	ClauseParse w = {sql, NULL};
	CreateStmt *stmt;

	run_at(pos, parse_create_work, &w);
	stmt = w.stmt;
	if (stmt == NULL || stmt->tableElts || stmt->constraints ||
		stmt->options || stmt->tablespacename || stmt->accessMethod ||
		stmt->oncommit != ONCOMMIT_NOOP || stmt->ofTypename ||
		list_length(stmt->inhRelations) > 1 ||
		(stmt->partspec != NULL) == (stmt->partbound != NULL))
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("\"%s\" is not exactly one %s at line %d, column %d (%s)",
						text, what, pos->line, pos->column, doc_path(pos))));
	return stmt;
}

static PartitionSpec *
parse_key(const char *text, const DocPos *pos)
{
	return parse_clause(psprintf("CREATE TABLE t () PARTITION BY %s",
								 expr_fragment(text)),
						text, pos, "partition key")->partspec;
}

static PartitionBoundSpec *
parse_bound(const char *text, const DocPos *pos)
{
	return parse_clause(psprintf("CREATE TABLE t PARTITION OF p %s",
								 expr_fragment(text)),
						text, pos, "partition bound")->partbound;
}

/* ----------------------------------------------------------------
 * The document: "partition_by", "partition_of", "bounds"
 * ----------------------------------------------------------------
 */

static void
build_partitioning(DocContainer *dc, const char *key, const YNode *value,
				   const char *path)
{
	ConvPartitioning *p = partitioning_of(dc->table);
	DocPos		pos = node_pos(value, path);
	char	   *text = pstrdup(value->value);

	if (strcmp(key, "partition_by") == 0)
	{
		(void) parse_key(text, &pos);
		p->key = text;
		p->key_pos = pos;
	}
	else if (strcmp(key, "partition_of") == 0)
	{
		char	   *dot = strchr(text, '.');

		if (dc->table->columns)
			doc_error(ERRCODE_INVALID_TABLE_DEFINITION, value, path,
					  "partition \"%s\" declares columns: a partition's columns are its parent's",
					  dc->table->name);
		p->parent_schema = dot ? pnstrdup(text, dot - text) :
			pstrdup(dc->schema->name);
		p->parent_name = dot ? pstrdup(dot + 1) : text;
		p->parent_pos = pos;
	}
	else
	{
		if (p->parent_name == NULL)
			doc_error(ERRCODE_INVALID_TABLE_DEFINITION, value, path,
					  "\"bounds\" is given without \"partition_of\"");
		(void) parse_bound(text, &pos);
		p->bound = text;
		p->bound_pos = pos;
	}
}

static const KeySpec partition_doc_keys[] = {
	{"partition_by", V_STRING},
	{"partition_of", V_STRING},
	{"bounds", V_STRING},
	{NULL}
};

/* the document's partitioned table a partition names, or an error */
static ConvTable *
document_parent(const ConvModel *model, const ConvTable *table)
{
	const ConvPartitioning *p = table->partitioning;
	ConvSchema *schema = find_schema(model, p->parent_schema);
	ConvTable  *parent = schema ?
		find_named(schema->tables, p->parent_name) : NULL;

	if (parent == NULL || parent->partitioning == NULL ||
		parent->partitioning->key == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("partition \"%s\" is a partition of %s.%s, which the document does not declare as a partitioned table, at line %d, column %d (%s)",
						table->name, p->parent_schema, p->parent_name,
						p->parent_pos.line, p->parent_pos.column,
						doc_path(&p->parent_pos)),
				 errhint("Give that table a \"partition_by\".")));
	if (p->bound == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
				 errmsg("partition \"%s\" has no \"bounds\" at line %d, column %d (%s)",
						table->name, p->parent_pos.line, p->parent_pos.column,
						doc_path(&p->parent_pos)),
				 errhint("Give the values it holds: \"FOR VALUES FROM (...) TO (...)\", \"FOR VALUES IN (...)\", \"FOR VALUES WITH (MODULUS m, REMAINDER r)\" or \"DEFAULT\".")));
	return parent;
}

/*
 * A partition's columns are its parent's, without what a partition does
 * not inherit: the comments, privileges and statistics targets of its
 * columns.
 */
static List *
inherited_columns(const ConvTable *parent)
{
	List	   *columns = NIL;
	ListCell   *lc;

	foreach(lc, parent->columns)
	{
		ConvColumn *col = palloc(sizeof(ConvColumn));

		memcpy(col, lfirst(lc), sizeof(ConvColumn));
		col->comment = NULL;
		col->grants = NIL;
		col->statistics = -1;
		columns = lappend(columns, col);
	}
	return columns;
}

static int
depth_of(const ConvModel *model, ConvTable *table, int limit)
{
	int			depth = 0;

	while (is_partition(table))
	{
		table = document_parent(model, table);
		if (++depth > limit)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
					 errmsg("partition \"%s\" is, through its parents, a partition of itself",
							table->name)));
	}
	return depth;
}

/*
 * A partitioned table has no storage: the server refuses storage
 * parameters and UNLOGGED for it.
 */
static void
check_partitioned(const ConvTable *table)
{
	const DocPos *pos = &table->partitioning->key_pos;

	if (table->storage || table->unlogged)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
				 errmsg("partitioned table \"%s\" cannot be %s at line %d, column %d (%s)",
						table->name, table->unlogged ? "unlogged" :
						"given storage parameters",
						pos->line, pos->column, doc_path(pos)),
				 errhint("Give them to its partitions.")));
}

/*
 * The server refuses a primary key or unique constraint of a partitioned
 * table, or of any table above it, that lacks a column of its partition
 * key, or any when the key holds an expression: the document is refused
 * before a plan is made.
 */
static void
check_keys_cover(const ConvModel *model, ConvTable *table)
{
	PartitionSpec *spec = parse_key(table->partitioning->key,
									&table->partitioning->key_pos);
	ListCell   *kc,
			   *ec;

	for (ConvTable *t = table; t;
		 t = is_partition(t) ? document_parent(model, t) : NULL)
		foreach(kc, t->keys)
		{
			ConvKey    *key = lfirst(kc);

			foreach(ec, spec->partParams)
			{
				PartitionElem *elem = lfirst(ec);

				if (elem->name && string_in(key->columns, elem->name))
					continue;
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
						 errmsg("%s of table \"%s\" lacks %s of the partition key of \"%s\", at line %d, column %d (%s)",
								key->primary ? "primary key" :
								psprintf("unique constraint \"%s\"", key->name),
								t->name,
								elem->name ?
								psprintf("column \"%s\"", elem->name) :
								"an expression",
								table->name, key->pos.line, key->pos.column,
								doc_path(&key->pos)),
						 errhint("A key of a partitioned table holds every column of its partition key, and of its partitions' keys; a key with an expression cannot be unique.")));
			}
		}
}

/*
 * partitions_link
 *		Check the document's partitions against their parents, and its
 *		partitioned tables; returns the depth of the deepest partition.
 */
int
partitions_link(const ConvModel *model)
{
	int			ntables = 0;
	int			deepest = 0;
	ListCell   *sc,
			   *tc;

	foreach(sc, model->schemas)
		ntables += list_length(((ConvSchema *) lfirst(sc))->tables);
	foreach(sc, model->schemas)
		foreach(tc, ((ConvSchema *) lfirst(sc))->tables)
		{
			ConvTable  *table = lfirst(tc);

			if (!is_partition(table))
				continue;
			deepest = Max(deepest, depth_of(model, table, ntables));
		}
	foreach(sc, model->schemas)
		foreach(tc, ((ConvSchema *) lfirst(sc))->tables)
		{
			ConvTable  *table = lfirst(tc);

			if (table->partitioning && table->partitioning->key)
			{
				check_partitioned(table);
				check_keys_cover(model, table);
			}
		}
	return deepest;
}

/* how many parents above a document table: 0 unless a partition */
int
partition_depth(const ConvModel *model, ConvTable *table)
{
	return depth_of(model, table, INT_MAX);
}

/* a document partition, once its parent is compared, takes its columns */
void
partition_take_columns(const ConvModel *model, ConvTable *table)
{
	if (is_partition(table) && table->columns == NIL)
		table->columns = inherited_columns(document_parent(model, table));
}

/* ----------------------------------------------------------------
 * Comparing with the catalog
 * ----------------------------------------------------------------
 */

typedef struct KeyWork
{
	const TablePair *pair;
	PartitionSpec *spec;
	bool		same;
} KeyWork;

/*
 * One element of the document's key against the stored one: the column
 * (an expression that is only a column counts as it, as the server reads
 * it), or the expression's tree; the collation; the operator class.
 * "exprs" are the stored expressions not yet matched.
 */
static bool
element_matches(ParseState *pstate, const ConvTable *have, int i,
				PartitionElem *elem, List **exprs)
{
	const ConvPartitioning *h = have->partitioning;
	char	   *hcol = list_nth(h->key_columns, i);
	bool		hash = h->strategy == PARTITION_STRATEGY_HASH;
	Node	   *e = elem->expr;
	Oid			collation;
	Oid			opclass;

	if (elem->name)
	{
		ColumnRef  *ref = makeNode(ColumnRef);

		ref->fields = list_make1(makeString(elem->name));
		ref->location = -1;
		e = (Node *) ref;
	}
	e = transformExpr(pstate, e, EXPR_KIND_PARTITION_EXPRESSION);
	assign_expr_collations(pstate, e);
	collation = elem->collation ?
		get_collation_oid(elem->collation, false) : exprCollation(e);
	opclass = ResolveOpClass(elem->opclass, exprType(e),
							 hash ? "hash" : "btree",
							 hash ? HASH_AM_OID : BTREE_AM_OID);
	if (collation != atooid(list_nth(h->key_collations, i)) ||
		opclass != atooid(list_nth(h->key_classes, i)))
		return false;
	while (IsA(e, CollateExpr))
		e = (Node *) ((CollateExpr *) e)->arg;
	if (IsA(e, Var) && ((Var *) e)->varattno > 0)
		return hcol[0] != '\0' &&
			((Var *) e)->varattno == get_attnum(have->oid, hcol);
	if (hcol[0] != '\0' || *exprs == NIL)
		return false;
	if (!expr_trees_match(e, linitial(*exprs)))
		return false;
	*exprs = list_delete_first(*exprs);
	return true;
}

static void
key_work(void *arg)
{
	KeyWork    *w = arg;
	const ConvPartitioning *h = w->pair->have->partitioning;
	List	   *exprs = h->key_exprs ? stringToNode(h->key_exprs) : NIL;
	Relation	rel;
	ParseState *pstate = expr_relation_parsestate(w->pair, &rel);
	ListCell   *lc;

	w->same = compat_partition_strategy(w->spec) == h->strategy &&
		list_length(w->spec->partParams) == list_length(h->key_columns);
	foreach(lc, w->spec->partParams)
		if (w->same)
			w->same = element_matches(pstate, w->pair->have,
									  foreach_current_index(lc), lfirst(lc),
									  &exprs);
	table_close(rel, NoLock);
	free_parsestate(pstate);
}

/* does the current table have the partition key the document gives? */
static bool
key_matches(const TablePair *pair)
{
	const ConvTable *want = pair->want;
	const ConvTable *have = pair->have;
	const char *wkey = want->partitioning ? want->partitioning->key : NULL;
	const char *hkey = have->partitioning ? have->partitioning->key : NULL;
	KeyWork		w = {pair, NULL, false};
	MemoryContext outer;

	if (wkey == NULL || hkey == NULL)
		return wkey == hkey;
	outer = expr_scratch_begin();
	w.spec = parse_key(wkey, &want->partitioning->key_pos);
	run_at(&want->partitioning->key_pos, key_work, &w);
	expr_scratch_end(outer);
	return w.same;
}

typedef struct BoundWork
{
	Oid			parent;
	PartitionBoundSpec *spec;
} BoundWork;

static void
bound_work(void *arg)
{
	BoundWork  *w = arg;
	Relation	parent = table_open(w->parent, AccessShareLock);
	ParseState *pstate = make_parsestate(NULL);

	w->spec = transformPartitionBound(pstate, parent, w->spec);
	free_parsestate(pstate);
	table_close(parent, NoLock);
}

/* the document's bound as the server stores it for the current "parent" */
static PartitionBoundSpec *
transformed_bound(const ConvPartitioning *want, Oid parent)
{
	BoundWork	w = {parent, parse_bound(want->bound, &want->bound_pos)};

	run_at(&want->bound_pos, bound_work, &w);
	return w.spec;
}

/* ----------------------------------------------------------------
 * Comparing: the key, and where a partition belongs
 * ----------------------------------------------------------------
 */

/* the current relation a document table stands for, if the plan keeps one */
static Oid
current_relid(DiffState *ds, const char *schema, const char *name)
{
	TablePair  *pair = find_pair(ds, schema, name);

	return pair && pair->have ? pair->have->oid : InvalidOid;
}

/*
 * Is a current partition the document's partition of the same parent,
 * with the same bound?
 */
static bool
partition_stays(DiffState *ds, const ConvTable *want, const ConvTable *have)
{
	const ConvPartitioning *w = want->partitioning;
	const ConvPartitioning *h = have->partitioning;

	return is_partition(want) && is_partition(have) &&
		current_relid(ds, w->parent_schema, w->parent_name) ==
		h->parent_relid &&
		equal(transformed_bound(w, h->parent_relid),
			  stringToNode(h->bound_bin));
}

/* the current default partition of "parent", other than "table" */
static ConvTable *
default_partition(DiffState *ds, Oid parent, const ConvTable *table,
				  const char **schema)
{
	ListCell   *sc,
			   *tc;

	foreach(sc, ds->have_model->schemas)
		foreach(tc, ((ConvSchema *) lfirst(sc))->tables)
		{
			ConvTable  *t = lfirst(tc);

			if (t != table && is_partition(t) &&
				t->partitioning->parent_relid == parent &&
				((PartitionBoundSpec *)
				 stringToNode(t->partitioning->bound_bin))->is_default)
			{
				*schema = ((ConvSchema *) lfirst(sc))->name;
				return t;
			}
		}
	return NULL;
}

/*
 * partition_placed
 *		A change that makes a table a partition (it creates or attaches
 *		it) learns the parent, as the plan's statements name it, and the
 *		rows the server will check: the current parent's default
 *		partition, which must not hold rows of the new bound.
 */
void
partition_placed(DiffState *ds, ConvChange *change)
{
	const ConvPartitioning *w = change->want_table->partitioning;
	Oid			parent = current_relid(ds, w->parent_schema, w->parent_name);
	ConvChange *stub;
	ConvTable  *other;
	const char *schema;

	change->of.partition.parent = quote_qualified_identifier(w->parent_schema,
															 w->parent_name);
	change->of.partition.parent_relid = parent;
	if (!OidIsValid(parent))
		return;
	other = default_partition(ds, parent, change->have_table, &schema);
	if (other == NULL || transformed_bound(w, parent)->is_default)
		return;
	stub = palloc0(sizeof(ConvChange));
	stub->schema = schema;
	stub->have_table = other;
	stub->pair = lookup_table(ds, schema, other->name)->pair;
	change->of.partition.default_partition = stub;
}

/* the name the plan's statements give a current table: the document's */
static char *
planned_name(DiffState *ds, Oid relid, const char *schema, const char *name)
{
	ListCell   *lc;

	foreach(lc, ds->pairs)
	{
		TablePair  *pair = lfirst(lc);

		if (pair->have && pair->have->oid == relid)
			return quote_qualified_identifier(pair->schema, pair->want->name);
	}
	return quote_qualified_identifier(schema, name);
}

/*
 * The server cannot change a table's partitioning in place; a DBA makes a
 * new table and moves the rows, which a document cannot say how to do.
 */
static void
refuse_key_change(const TableDiff *td)
{
	const ConvPartitioning *w = td->want->partitioning;
	const ConvPartitioning *h = td->have->partitioning;
	const DocPos *pos = w && w->key ? &w->key_pos : &td->want->pos;

	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("table \"%s\" is %s and cannot be %s in place, at line %d, column %d (%s)",
					td->want->name,
					h && h->key ? psprintf("partitioned by %s", h->key) :
					"not partitioned",
					w && w->key ? psprintf("partitioned by %s", w->key) :
					"made a table without partitions",
					pos->line, pos->column, doc_path(pos)),
			 errhint("Keep the table's partitioning in the document, or declare a new table and move the rows into it.")));
}

/*
 * partition_dropped_with_parent
 *		Does a current partition go with its parent, which the document no
 *		longer declares either?  DROP TABLE of the parent drops it.
 */
bool
partition_dropped_with_parent(DiffState *ds, const ConvTable *have)
{
	ListCell   *sc,
			   *tc;

	if (!is_partition(have))
		return false;
	foreach(sc, ds->have_model->schemas)
		foreach(tc, ((ConvSchema *) lfirst(sc))->tables)
		{
			ConvTable  *t = lfirst(tc);

			if (t->oid == have->partitioning->parent_relid)
				return lookup_table(ds, ((ConvSchema *) lfirst(sc))->name,
									t->name)->pair == NULL;
		}
	return false;
}

static void
diff_partitioning(DiffState *ds, TableDiff *td)
{
	const ConvPartitioning *h;
	bool		stays;
	ConvChange *change;

	if (td->have == NULL)
		return;
	h = td->have->partitioning;
	if (!key_matches(td->pair))
		refuse_key_change(td);
	stays = partition_stays(ds, td->want, td->have);
	td->partition_stays = stays;
	if (is_partition(td->have) && !stays)
	{
		change = add_change(ds, KIND_PARTITION, ACTION_DROP, td->schema,
							td->want, td->have);
		change->of.partition.parent = planned_name(ds, h->parent_relid,
												   h->parent_schema,
												   h->parent_name);
	}
	if (is_partition(td->want) && !stays)
		partition_placed(ds, add_change(ds, KIND_PARTITION, ACTION_CREATE,
										td->schema, td->want, td->have));
}

/*
 * Once every kind is compared: the rules of the parent, as the parent
 * keeps them (a new or changed one is added to the parent after the
 * attach, and reaches the partition then), that each attached table
 * meets.
 */
static void
find_parent_rules(DiffState *ds)
{
	ListCell   *lc;

	foreach(lc, ds->changes)
	{
		ConvChange *change = lfirst(lc);
		const ConvPartitioning *w;
		TablePair  *parent;

		if (change->kind != KIND_PARTITION || change->action != ACTION_CREATE)
			continue;
		w = change->want_table->partitioning;
		parent = find_pair(ds, w->parent_schema, w->parent_name);
		if (parent->have == NULL)
			continue;
		add_rule_stubs(ds, change, parent->want, NIL);
	}
}

/* ----------------------------------------------------------------
 * Steps
 * ----------------------------------------------------------------
 */

/* " PARTITION BY ..." for a table's CREATE, or "" */
char *
partition_key_sql(const ConvTable *want)
{
	if (want->partitioning == NULL || want->partitioning->key == NULL)
		return "";
	return psprintf(" PARTITION BY %s",
					expr_fragment(want->partitioning->key));
}

/* "PARTITION OF parent bound" for a partition's CREATE */
char *
partition_of_sql(const ConvChange *change)
{
	return psprintf("PARTITION OF %s %s", change->of.partition.parent,
					expr_fragment(change->want_table->partitioning->bound));
}

typedef struct QualWork
{
	Oid			parent;
	const ConvPartitioning *want;
	char	   *qual;
} QualWork;

/* the partition constraint of a bound, as the server derives it */
static void
qual_work(void *arg)
{
	QualWork   *w = arg;
	PartitionBoundSpec *spec = transformed_bound(w->want, w->parent);
	Relation	parent = table_open(w->parent, AccessShareLock);
	List	   *qual = get_qual_from_partbound(parent, spec);
	List	   *names = deparse_context_for(RelationGetRelationName(parent),
											w->parent);

	w->qual = deparse_expression((Node *) make_ands_explicit(qual), names,
								 false, false);
	table_close(parent, NoLock);
}

/*
 * partition_probe
 *		The rows a partition made by "change" meets: those of an attached
 *		table outside its bound, which the server refuses to attach, and
 *		those of the parent's default partition inside it, which the server
 *		refuses to leave there.
 */
void
partition_probe(ConvPlanState *ps, ConvStep *step, const ConvChange *change,
				bool attach)
{
	QualWork	w = {change->of.partition.parent_relid,
					 change->want_table->partitioning};
	const ConvChange *other = change->of.partition.default_partition;

	if (!OidIsValid(w.parent))
	{
		if (attach)
			leave_unchecked(step, "the plan creates the partitioned table");
		return;
	}
	run_at(&w.want->bound_pos, qual_work, &w);
	if (attach)
		set_probe(ps, step, change, NULL, psprintf("(%s) IS FALSE", w.qual),
				  "would lie outside the partition's bounds", REFUSE_ALWAYS,
				  FIX_ROWS);
	if (other)
		set_probe(ps, step, other, psprintf("(%s) IS TRUE", w.qual),
				  psprintf("(%s) IS TRUE", w.qual),
				  psprintf("of the default partition %s belong in the new partition",
						   quote_qualified_identifier(other->schema,
													  other->have_table->name)),
				  REFUSE_ALWAYS, FIX_ROWS);
}

/*
 * The parent's CHECKs, which ATTACH PARTITION requires the table to have
 * already, each checked against its rows.
 */
static void
add_parent_checks(ConvPlanState *ps, const ConvChange *change)
{
	ListCell   *lc;

	foreach(lc, change->users)
	{
		ConvChange *stub = lfirst(lc);
		ConvCheck  *check = stub->want;
		ConvStep   *step;

		if (stub->kind != KIND_CHECK)
			continue;
		step = add_step(ps, "add_check", member_object(change, check->name),
						psprintf("ALTER TABLE %s ADD CONSTRAINT %s CHECK %s",
								 table_sql(change),
								 quote_identifier(check->name),
								 expr_sql(check->expr)),
						psprintf("the table becomes a partition of %s, whose CHECK it must have first",
								 change->of.partition.parent),
						HAZARD_ACCESS_EXCLUSIVE | HAZARD_FULL_SCAN);
		set_probe_on(ps, step, stub, ROWS_AFTER, NULL,
					 psprintf("%s IS FALSE", expr_sql(check->expr)),
					 "would violate the CHECK", REFUSE_ALWAYS, FIX_ROWS);
	}
}

/*
 * The parent's keys, indexes and foreign keys, which the attach builds on
 * the table (its CHECKs come before, add_parent_checks()).
 */
static void
probe_parent_keys(ConvPlanState *ps, ConvStep *step, const ConvChange *change)
{
	List	   *built = NIL;
	ListCell   *lc;

	foreach(lc, change->users)
		if (((ConvChange *) lfirst(lc))->kind != KIND_CHECK)
			built = lappend(built, lfirst(lc));
	probe_kept_rules(ps, step, built, FIX_NONE);
}

static void
plan_attach(ConvPlanState *ps, const ConvChange *change)
{
	const ConvPartitioning *w = change->want_table->partitioning;
	ConvStep   *step;

	add_parent_checks(ps, change);
	step = add_step(ps, "attach_partition", table_sql(change),
					psprintf("ALTER TABLE %s ATTACH PARTITION %s %s",
							 change->of.partition.parent, table_sql(change),
							 expr_fragment(w->bound)),
					psprintf("partition_of: %s, bounds: %s",
							 change->of.partition.parent, w->bound),
					HAZARD_FULL_SCAN | HAZARD_ACCESS_EXCLUSIVE);
	partition_probe(ps, step, change, true);
	probe_parent_keys(ps, step, change);
}

/*
 * What a partition holds from its parent (cloned indexes and keys,
 * inherited CHECKs, cloned foreign keys) becomes its own when it is
 * detached, and the document, which never lists it, would then drop it:
 * such a partition is detached by hand, and the document declares what
 * it then holds.
 */
static void
plan_detach(ConvPlanState *ps, const ConvChange *change)
{
	const ConvPartitioning *h = change->have_table->partitioning;
	const ConvPartitioning *w = change->want_table->partitioning;
	ConvStep   *step;

	step = add_step(ps, "detach_partition", table_sql(change),
					psprintf("ALTER TABLE %s DETACH PARTITION %s",
							 change->of.partition.parent, table_sql(change)),
					is_partition(change->want_table) ?
					psprintf("the document declares it a partition of %s with bounds %s",
							 quote_qualified_identifier(w->parent_schema,
														w->parent_name),
							 w->bound) :
					pstrdup("the document declares it a table of its own"),
					HAZARD_ACCESS_EXCLUSIVE);
	if (h->inherited)
	{
		step->problem = psprintf("detaching it from %s would make its %s its own, which the document does not declare",
								 change->of.partition.parent, h->inherited);
		step->fix = FIX_DETACH;
		step->rows_affected = -1;
	}
}

/* ----------------------------------------------------------------
 * The catalog
 * ----------------------------------------------------------------
 */

static void
read_partitioning_row(ConvTable *table, HeapTuple tup, TupleDesc desc)
{
	ConvPartitioning *p = partitioning_of(table);
	bool		isnull;
	Datum		strategy = get_datum(tup, desc, "partstrat", &isnull);

	p->key = get_text(tup, desc, "partition_key");
	p->strategy = isnull ? '\0' : DatumGetChar(strategy);
	p->key_columns = get_text_list(tup, desc, "key_columns");
	p->key_exprs = get_text(tup, desc, "key_exprs");
	p->key_classes = get_text_list(tup, desc, "key_classes");
	p->key_collations = get_text_list(tup, desc, "key_collations");
	p->parent_schema = get_text(tup, desc, "parent_schema");
	p->parent_name = get_text(tup, desc, "parent_name");
	p->parent_relid = DatumGetObjectId(get_datum(tup, desc, "parent_relid",
												 &isnull));
	p->bound = get_text(tup, desc, "bound");
	p->bound_bin = get_text(tup, desc, "bound_bin");
	p->inherited = get_text(tup, desc, "inherited");
}

static void
read_partitioning(CatalogRead *cr)
{
	read_per_table(cr,
				   "pt.partstrat, CASE WHEN pt.partrelid IS NOT NULL"
				   "  THEN pg_catalog.pg_get_partkeydef(c.oid) END AS partition_key,"
				   " (SELECT pg_catalog.array_agg(COALESCE(a.attname::pg_catalog.text, '')"
				   "                              ORDER BY k.i)"
				   "    FROM pg_catalog.unnest(pt.partattrs::pg_catalog.int2[])"
				   "           WITH ORDINALITY AS k(attnum, i)"
				   "    LEFT JOIN pg_catalog.pg_attribute a"
				   "      ON a.attrelid = c.oid AND a.attnum = k.attnum) AS key_columns,"
				   " pt.partexprs::pg_catalog.text AS key_exprs,"
				   " pt.partclass::pg_catalog.oid[]::pg_catalog.text[] AS key_classes,"
				   " pt.partcollation::pg_catalog.oid[]::pg_catalog.text[]"
				   "   AS key_collations,"
				   " pn.nspname AS parent_schema, p.relname AS parent_name,"
				   " p.oid AS parent_relid,"
				   " pg_catalog.pg_get_expr(r.relpartbound, r.oid) AS bound,"
				   " r.relpartbound::pg_catalog.text AS bound_bin,"
				   " (SELECT pg_catalog.string_agg(x.what, ', ' ORDER BY x.what)"
				   "    FROM (SELECT 'index ' || pg_catalog.quote_ident(i.relname)"
				   "            FROM pg_catalog.pg_index ix"
				   "            JOIN pg_catalog.pg_class i ON i.oid = ix.indexrelid"
				   "           WHERE ix.indrelid = c.oid AND i.relispartition"
				   "          UNION ALL"
				   "          SELECT 'constraint ' || pg_catalog.quote_ident(k.conname)"
				   "            FROM pg_catalog.pg_constraint k"
				   "           WHERE k.conrelid = c.oid AND k.contype IN ('c', 'f')"
				   "             AND (NOT k.conislocal OR k.conparentid <> 0))"
				   "         AS x(what)) AS inherited",
				   "JOIN pg_catalog.pg_class r ON r.oid = c.oid"
				   " LEFT JOIN pg_catalog.pg_partitioned_table pt"
				   "   ON pt.partrelid = c.oid"
				   " LEFT JOIN pg_catalog.pg_inherits h"
				   "   ON h.inhrelid = c.oid AND r.relispartition"
				   " LEFT JOIN pg_catalog.pg_class p ON p.oid = h.inhparent"
				   " LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace"
				   " WHERE pt.partrelid IS NOT NULL OR r.relispartition"
				   " ORDER BY c.oid",
				   read_partitioning_row);
}

/* ----------------------------------------------------------------
 * Export
 * ----------------------------------------------------------------
 */

static void
emit_partitioning(Emitter *em, const ConvSchema *schema,
				  const ConvTable *table)
{
	const ConvPartitioning *p = table->partitioning;

	if (p == NULL)
		return;
	if (p->key)
		emit_pair(em, "partition_by", p->key);
	if (p->parent_name == NULL)
		return;
	emit_pair(em, "partition_of",
			  strcmp(p->parent_schema, schema->name) == 0 ? p->parent_name :
			  psprintf("%s.%s", p->parent_schema, p->parent_name));
	emit_pair(em, "bounds", p->bound);
}

const ConvKindOps partition_kind = {
	.name = "partition",
	.diff_member = diff_partitioning,
	.diff_finish = find_parent_rules,
	.plan = {
		[ACTION_CREATE] = plan_attach,
		[ACTION_DROP] = plan_detach,
	},
	.doc_place = DOC_TABLE,
	.doc_keys = partition_doc_keys,
	.build = build_partitioning,
	.read = read_partitioning,
	.emit = emit_partitioning,
	.plural = "partitions",
};
