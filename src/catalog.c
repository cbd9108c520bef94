/*-------------------------------------------------------------------------
 *
 * catalog.c
 *	  Read the current state of the managed schemas into the model.
 *
 * One read per object kind, for all managed schemas at once, never one
 * query per object: converging a database of thousands of tables that
 * already matches must cost a handful of catalog scans.  Each kind's read
 * lives in its file (its "read" operation); this file runs them in
 * registry order, in one snapshot, and offers what they share.  Most kinds
 * run one query: result columns are read by name, and one query over every
 * managed table finds each row's table by oid.  What is read for every
 * table (its columns, indexes and constraints) is read in C instead, by
 * index scans of the catalogs in the same snapshot: as queries, their
 * joins and subqueries per row were most of a plan with nothing to do.
 * This file offers those readers a scan by oid, a table's constraints, the
 * comments of relations and constraints from one scan, and the server's
 * printing of a stored expression without its garbage.  Last, it reads
 * the current side of the dependency graph (read_dependents).
 *
 * Objects that belong to an extension and the extension's own schema are
 * never part of the model, so they can never be changed or dropped by a
 * convergence; nor is what a partition inherits from its parent (cloned
 * indexes, keys, foreign keys and triggers, inherited CHECKs), which is
 * the parent's.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/index.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_attrdef.h"
#include "catalog/pg_class.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_description.h"
#include "catalog/pg_policy.h"
#include "catalog/pg_rewrite.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/varlena.h"

#include "kinds/kinds.h"

/* the extension's own state; never converged, exported or dropped */
#define CONVERGE_STATE_SCHEMA "converge"

/*
 * catalog_schema_is_reserved
 *		Schemas a document may never manage: the system's and our own.
 */
bool
catalog_schema_is_reserved(const char *nspname)
{
	return strncmp(nspname, "pg_", 3) == 0 ||
		strcmp(nspname, "information_schema") == 0 ||
		strcmp(nspname, CONVERGE_STATE_SCHEMA) == 0;
}

/*
 * Result columns are read by name, so a query can gain a column without
 * shifting every reader.  A reader names the same twenty columns for each
 * of thousands of rows, always with the same string constants: the column
 * number found for a name is remembered by the name's address, and
 * confirmed against the row's descriptor before it is used, so a memo left
 * from an earlier query can only cost one comparison.
 */
#define COLUMN_MEMO_SIZE 64

typedef struct ColumnMemo
{
	const char *name;
	int			attno;
} ColumnMemo;

static ColumnMemo column_memo[COLUMN_MEMO_SIZE];

static int
column_number(TupleDesc tupdesc, const char *name)
{
	ColumnMemo *memo = &column_memo[((uintptr_t) name >> 3) %
									COLUMN_MEMO_SIZE];
	int			attno;

	if (memo->name == name && memo->attno <= tupdesc->natts &&
		strcmp(NameStr(TupleDescAttr(tupdesc, memo->attno - 1)->attname),
			   name) == 0)
		return memo->attno;
	attno = SPI_fnumber(tupdesc, name);
	if (attno <= 0)
		elog(ERROR, "catalog query has no column \"%s\"", name);
	memo->name = name;
	memo->attno = attno;
	return attno;
}

char *
get_text(HeapTuple tuple, TupleDesc tupdesc, const char *name)
{
	return SPI_getvalue(tuple, tupdesc, column_number(tupdesc, name));
}

Datum
get_datum(HeapTuple tuple, TupleDesc tupdesc, const char *name, bool *isnull)
{
	return SPI_getbinval(tuple, tupdesc, column_number(tupdesc, name),
						 isnull);
}

List *
text_array_to_list(Datum array)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	List	   *result = NIL;

	deconstruct_array(DatumGetArrayTypeP(array), TEXTOID, -1, false,
					  TYPALIGN_INT, &elems, &nulls, &n);
	for (int i = 0; i < n; i++)
		result = lappend(result, TextDatumGetCString(elems[i]));
	return result;
}

/* a privilege as aclexplode() names it, in lower case */
static const char *
privilege_name(AclMode bit)
{
	switch (bit)
	{
		case ACL_INSERT:
			return "insert";
		case ACL_SELECT:
			return "select";
		case ACL_UPDATE:
			return "update";
		case ACL_DELETE:
			return "delete";
		case ACL_TRUNCATE:
			return "truncate";
		case ACL_REFERENCES:
			return "references";
		case ACL_TRIGGER:
			return "trigger";
		case ACL_EXECUTE:
			return "execute";
		case ACL_USAGE:
			return "usage";
		case ACL_CREATE:
			return "create";
		case ACL_CREATE_TEMP:
			return "temporary";
		case ACL_CONNECT:
			return "connect";
		case ACL_SET:
			return "set";
		case ACL_ALTER_SYSTEM:
			return "alter system";
#ifdef ACL_MAINTAIN
		case ACL_MAINTAIN:
			return "maintain";
#endif
	}
	elog(ERROR, "unrecognized privilege bit: %llx", (unsigned long long) bit);
	return NULL;				/* keep compiler quiet */
}

/* one privilege of an ACL, with its grantee's oid to sort by */
typedef struct AclEntry
{
	Oid			grantee;
	ConvGrant	grant;
} AclEntry;

/* by grantee, then privilege, as the grants of an object are listed */
static int
acl_entry_cmp(const void *a, const void *b)
{
	const AclEntry *x = a;
	const AclEntry *y = b;

	if (x->grantee != y->grantee)
		return x->grantee < y->grantee ? -1 : 1;
	return strcmp(x->grant.privilege, y->grant.privilege);
}

/* a role's name, or "public", or as pg_get_userbyid() names a lost one */
char *
role_name(Oid grantee)
{
	char	   *name;

	if (grantee == ACL_ID_PUBLIC)
		return "public";
	name = GetUserNameFromId(grantee, true);
	return name ? name : psprintf("unknown (OID=%u)", grantee);
}

/*
 * The privileges an object holds, from the aclitem[] "acl" that
 * ACL_COLUMNS selects: one per privilege bit of each item, as aclexplode()
 * would list them, decoded here because three aggregate subqueries over
 * aclexplode() per object were most of the tables query.
 */
List *
get_acl(HeapTuple tuple, TupleDesc tupdesc)
{
	bool		isnull;
	Datum		datum = get_datum(tuple, tupdesc, "acl", &isnull);

	return isnull ? NIL : acl_grants(DatumGetAclP(datum));
}

/* the privileges of an ACL, as get_acl() lists them */
List *
acl_grants(Acl *acl)
{
	AclItem    *items = ACL_DAT(acl);
	AclEntry   *entries;
	int			n = 0;
	List	   *grants = NIL;

	/* the list points into the entries: they are allocated at their number */
	for (int i = 0; i < ACL_NUM(acl); i++)
		for (int bit = 0; bit < N_ACL_RIGHTS; bit++)
			if (ACLITEM_GET_PRIVS(items[i]) & (((AclMode) 1) << bit))
				n++;
	entries = palloc(sizeof(AclEntry) * Max(n, 1));
	n = 0;
	for (int i = 0; i < ACL_NUM(acl); i++)
	{
		for (int bit = 0; bit < N_ACL_RIGHTS; bit++)
		{
			AclMode		mode = ((AclMode) 1) << bit;

			if ((ACLITEM_GET_PRIVS(items[i]) & mode) == 0)
				continue;
			entries[n].grantee = items[i].ai_grantee;
			entries[n].grant.privilege = (char *) privilege_name(mode);
			entries[n].grant.grantable =
				(ACLITEM_GET_GOPTIONS(items[i]) & mode) != 0;
			n++;
		}
	}
	qsort(entries, n, sizeof(AclEntry), acl_entry_cmp);
	for (int i = 0; i < n; i++)
	{
		/* a grantee's privileges are together, and share its name */
		entries[i].grant.role = i > 0 &&
			entries[i].grantee == entries[i - 1].grantee ?
			entries[i - 1].grant.role : role_name(entries[i].grantee);
		grants = lappend(grants, &entries[i].grant);
	}
	return grants;
}

/*
 * The comments of relations, their columns and constraints: what
 * catalog_comment() finds, keyed by the object.
 */
typedef struct CommentKey
{
	Oid			classoid;
	Oid			objoid;
	int32		objsubid;
} CommentKey;

typedef struct CommentEntry
{
	CommentKey	key;			/* hash key */
	char	   *comment;
} CommentEntry;

/*
 * One scan of pg_description for the comments of every relation, column
 * and constraint, rather than a lookup per object: a catalog read asks for
 * the comment of every table, column, index and constraint it reads.
 */
static HTAB *
read_comments(CatalogRead *cr)
{
	HTAB	   *comments = local_hash("pg_converge comments",
									  sizeof(CommentKey),
									  sizeof(CommentEntry), 256);
	Relation	rel = table_open(DescriptionRelationId, AccessShareLock);
	SysScanDesc scan = systable_beginscan(rel, InvalidOid, false,
										  cr->snapshot, 0, NULL);
	HeapTuple	tup;

	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_description d = (Form_pg_description) GETSTRUCT(tup);
		CommentKey	key = {d->classoid, d->objoid, d->objsubid};
		CommentEntry *entry;
		bool		isnull;
		Datum		comment;

		if (d->classoid != RelationRelationId &&
			d->classoid != ConstraintRelationId)
			continue;
		comment = heap_getattr(tup, Anum_pg_description_description,
							   RelationGetDescr(rel), &isnull);
		if (isnull)
			continue;
		entry = hash_search(comments, &key, HASH_ENTER, NULL);
		entry->comment = TextDatumGetCString(comment);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return comments;
}

/*
 * catalog_comment
 *		The comment of a relation or one of its columns (classoid
 *		pg_class, objsubid the column's number or 0), or of a constraint
 *		(pg_constraint, 0); NULL for none.
 */
char *
catalog_comment(CatalogRead *cr, Oid classoid, Oid objoid, int32 objsubid)
{
	CommentKey	key = {classoid, objoid, objsubid};
	CommentEntry *entry;

	Assert(classoid == RelationRelationId ||
		   classoid == ConstraintRelationId);
	if (cr->comments == NULL)
		cr->comments = read_comments(cr);
	entry = hash_search(cr->comments, &key, HASH_FIND, NULL);
	return entry ? entry->comment : NULL;
}

/*
 * What a server function that prints the catalog returns for three
 * arguments, copied into the caller's context: reading the stored tree
 * back and the deparse context are garbage, left in a scratch context
 * reset after each.
 */
static char *
print_in_scratch(CatalogRead *cr, PGFunction printer, Datum arg1,
				 Datum arg2, Datum arg3)
{
	MemoryContext outer = MemoryContextSwitchTo(cr->scratch);
	Datum		printed = DirectFunctionCall3(printer, arg1, arg2, arg3);
	char	   *result;

	MemoryContextSwitchTo(outer);
	result = TextDatumGetCString(printed);
	MemoryContextReset(cr->scratch);
	return result;
}

/*
 * A stored tree that reads no relation's columns prints the same wherever
 * it is stored: a default of 0 or now() is printed once for all the
 * columns that have it, and they share the printed text and the tree.
 */
typedef struct PrintedTree
{
	const char *tree;			/* hash key: the stored tree as text */
	char	   *printed;
} PrintedTree;

/*
 * catalog_expr
 *		A stored expression tree as pg_get_expr() prints it, with the
 *		columns of relid, or of no relation; *stored is the tree as text,
 *		unless stored is NULL (only with a relation).
 */
char *
catalog_expr(CatalogRead *cr, Datum tree, Oid relid, char **stored)
{
	char	   *tree_text;
	PrintedTree *entry;
	bool		found;

	if (OidIsValid(relid))
	{
		if (stored)
			*stored = TextDatumGetCString(tree);
		return print_in_scratch(cr, pg_get_expr_ext, tree,
								ObjectIdGetDatum(relid), BoolGetDatum(false));
	}
	tree_text = TextDatumGetCString(tree);
	if (cr->printed == NULL)
		cr->printed = text_hash("pg_converge printed trees",
								sizeof(PrintedTree), 64);
	entry = hash_search(cr->printed, &tree_text, HASH_ENTER, &found);
	if (found)
		pfree(tree_text);
	else
		entry->printed = print_in_scratch(cr, pg_get_expr_ext, tree,
										  ObjectIdGetDatum(InvalidOid),
										  BoolGetDatum(false));
	*stored = (char *) entry->tree;
	return entry->printed;
}

/*
 * catalog_index_key
 *		Key "k" (from 1) of an index as pg_get_indexdef(index, k, true)
 *		prints it.
 */
char *
catalog_index_key(CatalogRead *cr, Oid indexrelid, int k)
{
	return print_in_scratch(cr, pg_get_indexdef_ext,
							ObjectIdGetDatum(indexrelid), Int32GetDatum(k),
							BoolGetDatum(true));
}

/* a type and modifier, and the name format_type() gives them */
typedef struct PrintedType
{
	Oid			typid;			/* hash key: both */
	int32		typmod;
	char	   *name;
} PrintedType;

/*
 * catalog_type_name
 *		A column's type as format_type() prints it.  The columns of a
 *		thousand tables have a dozen types: each is printed once and its
 *		name shared, where format_type() would give every column a buffer
 *		of its own.
 */
char *
catalog_type_name(CatalogRead *cr, Oid typid, int32 typmod)
{
	PrintedType key = {typid, typmod};
	PrintedType *entry;
	bool		found;

	if (cr->type_names == NULL)
		cr->type_names = local_hash("pg_converge type names",
									offsetof(PrintedType, name),
									sizeof(PrintedType), 64);
	entry = hash_search(cr->type_names, &key, HASH_ENTER, &found);
	if (!found)
		entry->name = format_type_extended(typid, typmod,
										   FORMAT_TYPE_TYPEMOD_GIVEN |
										   FORMAT_TYPE_ALLOW_INVALID);
	return entry->name;
}

/*
 * catalog_scan
 *		An index scan of the catalog "rel" for its rows whose column
 *		"attnum", the first of index "indexid", is the oid "value", in the
 *		catalog read's snapshot.
 */
SysScanDesc
catalog_scan(CatalogRead *cr, Relation rel, Oid indexid, AttrNumber attnum,
			 Oid value)
{
	ScanKeyData key;

	ScanKeyInit(&key, attnum, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(value));
	return systable_beginscan(rel, indexid, true, cr->snapshot, 1, &key);
}

/*
 * read_table_constraints
 *		Hand every constraint of every managed table to "reader", a table's
 *		in the order of their names, from an index scan of pg_constraint
 *		per table in the catalog read's snapshot.
 */
void
read_table_constraints(CatalogRead *cr, ConstraintReader reader)
{
	Relation	rel = table_open(ConstraintRelationId, AccessShareLock);
	ListCell   *lc;

	foreach(lc, cr->tables)
	{
		ConvTable  *table = lfirst(lc);
		SysScanDesc scan = catalog_scan(cr, rel,
										ConstraintRelidTypidNameIndexId,
										Anum_pg_constraint_conrelid,
										table->oid);
		HeapTuple	tup;

		while (HeapTupleIsValid(tup = systable_getnext(scan)))
			reader(cr, table, tup, RelationGetDescr(rel));
		systable_endscan(scan);
	}
	table_close(rel, AccessShareLock);
}

/*
 * attnum_names
 *		The names of a relation's columns given by number (an int2[] such
 *		as a constraint's conkey), from the syscache.
 */
List *
attnum_names(Oid relid, Datum attnums)
{
	Datum	   *elems;
	int			n;
	List	   *names = NIL;

	deconstruct_array(DatumGetArrayTypeP(attnums), INT2OID, sizeof(int16),
					  true, TYPALIGN_SHORT, &elems, NULL, &n);
	for (int i = 0; i < n; i++)
		names = lappend(names, get_attname(relid, DatumGetInt16(elems[i]),
										   false));
	return names;
}

bool
get_bool(HeapTuple tuple, TupleDesc tupdesc, const char *name)
{
	bool		isnull;

	return DatumGetBool(get_datum(tuple, tupdesc, name, &isnull));
}

int64
get_int64(HeapTuple tuple, TupleDesc tupdesc, const char *name)
{
	bool		isnull;

	return DatumGetInt64(get_datum(tuple, tupdesc, name, &isnull));
}

/* a text[] result column as a list; NIL for NULL */
List *
get_text_list(HeapTuple tuple, TupleDesc tupdesc, const char *name)
{
	bool		isnull;
	Datum		array = get_datum(tuple, tupdesc, name, &isnull);

	return isnull ? NIL : text_array_to_list(array);
}

/*
 * One catalog query of the read, with the managed schemas as $1.  Its rows
 * are read into the model before the next query runs, which frees them:
 * what the read holds does not grow with the number of its queries.
 */
void
catalog_query(CatalogRead *cr, const char *sql)
{
	Oid			argtypes[1] = {TEXTARRAYOID};
	Datum		args[1] = {cr->names};

	SPI_freetuptable(cr->rows);
	converge_spi_read(sql, 1, argtypes, args);
	cr->rows = SPI_tuptable;
}

static Datum
schema_name_array(List *schema_names)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(list_length(schema_names), 1));
	int			n = 0;
	ListCell   *lc;

	foreach(lc, schema_names)
		elems[n++] = CStringGetTextDatum((char *) lfirst(lc));
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false,
										   TYPALIGN_INT));
}

ConvSchema *
find_or_add_schema(ConvModel *model, const char *name)
{
	ListCell   *lc;
	ConvSchema *schema;

	foreach(lc, model->schemas)
	{
		schema = lfirst(lc);
		if (strcmp(schema->name, name) == 0)
			return schema;
	}
	schema = palloc0(sizeof(ConvSchema));
	schema->name = pstrdup(name);
	model->schemas = lappend(model->schemas, schema);
	return schema;
}

typedef struct TableByOid
{
	Oid			relid;			/* hash key */
	ConvTable  *table;
} TableByOid;

static HTAB *
hash_tables_by_oid(List *tables)
{
	HTAB	   *hash = local_hash("pg_converge tables by oid", sizeof(Oid),
									 sizeof(TableByOid), list_length(tables));
	ListCell   *lc;

	foreach(lc, tables)
	{
		ConvTable  *table = lfirst(lc);
		TableByOid *entry = hash_search(hash, &table->oid, HASH_ENTER, NULL);

		entry->table = table;
	}
	return hash;
}

/*
 * Run one query for an object kind over all managed tables and hand each
 * row to "reader" with its table, found by the query's first column, the
 * table's oid.  "rest" orders the rows by that oid first, then as the
 * table's objects are listed: sorting wide rows on a key stored after
 * their variable-length columns (a table's name) costs more than the rest
 * of the query.
 */
void
read_per_table(CatalogRead *cr, const char *select, const char *rest,
			   RowReader reader)
{
	if (cr->tables == NIL)
		return;
	if (cr->tables_by_oid == NULL)
		cr->tables_by_oid = hash_tables_by_oid(cr->tables);
	catalog_query(cr, psprintf("SELECT c.oid AS table_oid, %s FROM"
							   " (SELECT c.oid, n.nspname, c.relname %s) c"
							   " %s",
							   select, MANAGED_TABLES, rest));
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		Oid			relid = DatumGetObjectId(get_datum(tup, desc, "table_oid",
													   &isnull));
		TableByOid *entry = hash_search(cr->tables_by_oid, &relid, HASH_FIND,
										NULL);

		/* every query runs in the same snapshot: rows meet their tables */
		if (entry != NULL)
			reader(entry->table, tup, desc);
	}
}

/*
 * The table a row of a catalog that belongs to one (pg_attrdef,
 * pg_rewrite, pg_policy, pg_trigger) belongs to, found by the row's oid;
 * InvalidOid if there is no such row.  Each of these catalogs keeps the
 * row's oid in its first column.
 */
static Oid
owning_relation(CatalogRead *cr, Oid catalog, Oid oid_index,
				AttrNumber relation_column, Oid objid)
{
	Relation	rel = table_open(catalog, AccessShareLock);
	SysScanDesc scan = catalog_scan(cr, rel, oid_index, 1, objid);
	HeapTuple	tup = systable_getnext(scan);
	Oid			relid = InvalidOid;
	bool		isnull;

	if (HeapTupleIsValid(tup))
		relid = DatumGetObjectId(heap_getattr(tup, relation_column,
											  RelationGetDescr(rel),
											  &isnull));
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return relid;
}

/* a constraint's table, or InvalidOid for a domain's */
static Oid
constraint_relation(Oid conoid)
{
	HeapTuple	tup = SearchSysCache1(CONSTROID, ObjectIdGetDatum(conoid));
	Oid			relid = InvalidOid;

	if (HeapTupleIsValid(tup))
	{
		relid = ((Form_pg_constraint) GETSTRUCT(tup))->conrelid;
		ReleaseSysCache(tup);
	}
	return relid;
}

/* a relation's name as regclass prints it: qualified unless visible */
static char *
regclass_name(Oid relid)
{
	return DatumGetCString(DirectFunctionCall1(regclassout,
											   ObjectIdGetDatum(relid)));
}

/*
 * The relation a dependent is part of: a relation itself, an index's,
 * constraint's, default's, rule's, policy's or trigger's table; else
 * InvalidOid.
 */
static Oid
dependent_relation(CatalogRead *cr, Form_pg_depend dep)
{
	Oid			relid;

	switch (dep->classid)
	{
		case RelationRelationId:
			relid = IndexGetRelation(dep->objid, true);
			return OidIsValid(relid) ? relid : dep->objid;
		case ConstraintRelationId:
			return constraint_relation(dep->objid);
		case AttrDefaultRelationId:
			return owning_relation(cr, AttrDefaultRelationId,
								   AttrDefaultOidIndexId,
								   Anum_pg_attrdef_adrelid, dep->objid);
		case RewriteRelationId:
			return owning_relation(cr, RewriteRelationId, RewriteOidIndexId,
								   Anum_pg_rewrite_ev_class, dep->objid);
		case PolicyRelationId:
			return owning_relation(cr, PolicyRelationId, PolicyOidIndexId,
								   Anum_pg_policy_polrelid, dep->objid);
		case TriggerRelationId:
			return owning_relation(cr, TriggerRelationId, TriggerOidIndexId,
								   Anum_pg_trigger_tgrelid, dep->objid);
		default:
			return InvalidOid;
	}
}

/* is "relid" a table, view or materialized view of a managed schema? */
static bool
model_relation(CatalogRead *cr, Oid relid)
{
	char		relkind = get_rel_relkind(relid);

	return (relkind == RELKIND_RELATION ||
			relkind == RELKIND_PARTITIONED_TABLE ||
			relkind == RELKIND_VIEW || relkind == RELKIND_MATVIEW) &&
		list_member_oid(cr->namespaces, get_rel_namespace(relid));
}

/*
 * A dependent of a managed table, if it is outside the model: not part of
 * a relation the model holds (a view of another schema, a foreign key of a
 * table the document does not manage, a function), and not the table's own
 * policy or trigger.
 */
typedef struct Dependent
{
	char	   *name;			/* a view by its name, else as the server
								 * describes it */
	AttrNumber	attnum;			/* the column it reads, or 0 */
	bool		rebuilt;		/* a constraint, which the server rebuilds */
	bool		owned;			/* the table's own rule, dropped with it */
} Dependent;

static Dependent *
outside_dependent(CatalogRead *cr, Oid table, Form_pg_depend dep)
{
	Oid			relid = dependent_relation(cr, dep);
	char		relkind = get_rel_relkind(relid);
	bool		view_rule = dep->classid == RewriteRelationId &&
		(relkind == RELKIND_VIEW || relkind == RELKIND_MATVIEW);
	ObjectAddress address = {dep->classid, dep->objid, dep->objsubid};
	Dependent  *d;

	/* a policy or trigger is the model's on its own table only */
	if (dep->classid == PolicyRelationId || dep->classid == TriggerRelationId)
	{
		if (relid == table)
			return NULL;
	}
	else if ((dep->classid != RewriteRelationId || view_rule) &&
			 model_relation(cr, relid))
		return NULL;
	d = palloc0(sizeof(Dependent));
	d->attnum = dep->refobjsubid;
	d->rebuilt = dep->classid == ConstraintRelationId;
	d->owned = dep->classid == RewriteRelationId && relid == table;
	if (view_rule)
		d->name = psprintf("%s %s", relkind == RELKIND_VIEW ? "view" :
						   "materialized view", regclass_name(relid));
	else
		d->name = getObjectDescription(&address, false);
	return d;
}

/* a dependent's name on the table, and on the column it reads */
static void
note_dependent(ConvTable *table, const Dependent *d)
{
	ListCell   *lc;

	if (!d->owned && table->used_outside == NULL)
		table->used_outside = d->name;
	foreach(lc, table->columns)
	{
		ConvColumn *col = lfirst(lc);

		if (col->attnum != d->attnum)
			continue;
		if (col->used_outside == NULL)
			col->used_outside = d->name;
		if (!d->rebuilt && col->retype_blocker == NULL)
			col->retype_blocker = d->name;
	}
}

static int
dependent_name_cmp(const ListCell *a, const ListCell *b)
{
	const char *x = ((Dependent *) lfirst(a))->name;
	const char *y = ((Dependent *) lfirst(b))->name;

	return varstr_cmp(x, strlen(x), y, strlen(y), DEFAULT_COLLATION_OID);
}

/*
 * What outside the model depends on a managed table or its columns, by
 * name.  The server refuses to drop what it depends on, and to change the
 * type of a column it reads unless it is a constraint the server rebuilds
 * itself.
 */
static void
read_table_dependents(CatalogRead *cr, Relation depends, ConvTable *table)
{
	ScanKeyData keys[2];
	SysScanDesc scan;
	List	   *dependents = NIL;
	HeapTuple	tup;
	ListCell   *lc;

	ScanKeyInit(&keys[0], Anum_pg_depend_refclassid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(RelationRelationId));
	ScanKeyInit(&keys[1], Anum_pg_depend_refobjid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(table->oid));
	scan = systable_beginscan(depends, DependReferenceIndexId, true,
							  cr->snapshot, 2, keys);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_depend dep = (Form_pg_depend) GETSTRUCT(tup);
		Dependent  *d;

		if (dep->deptype == DEPENDENCY_NORMAL &&
			(d = outside_dependent(cr, table->oid, dep)) != NULL)
			dependents = lappend(dependents, d);
	}
	systable_endscan(scan);
	list_sort(dependents, dependent_name_cmp);
	foreach(lc, dependents)
		note_dependent(table, lfirst(lc));
}

/*
 * The current side of the dependency graph: for every managed table, what
 * outside the model depends on it or its columns.
 */
static void
read_dependents(CatalogRead *cr)
{
	Relation	depends = table_open(DependRelationId, AccessShareLock);
	ListCell   *lc;

	foreach(lc, cr->tables)
		read_table_dependents(cr, depends, lfirst(lc));
	table_close(depends, AccessShareLock);
}

/*
 * catalog_read
 *		The current model of the named schemas.  Schemas that do not exist
 *		are simply absent.
 */
ConvModel *
catalog_read(List *schema_names)
{
	CatalogRead cr = {0};
	int			nestlevel = NewGUCNestLevel();
	ListCell   *lc;

	/*
	 * The catalog queries are cheap but look expensive to the planner (set
	 * returning functions in subqueries): JIT would compile them on every
	 * call and cost ten times the queries themselves.
	 */
	(void) set_config_option("jit", "off", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	cr.model = palloc0(sizeof(ConvModel));
	cr.names = schema_name_array(schema_names);
	foreach(lc, schema_names)
	{
		Oid			nspoid = get_namespace_oid(lfirst(lc), true);

		if (OidIsValid(nspoid))
			cr.namespaces = lappend_oid(cr.namespaces, nspoid);
	}
	cr.snapshot = GetActiveSnapshot();
	cr.scratch = AllocSetContextCreate(CurrentMemoryContext,
									   "pg_converge catalog scratch",
									   ALLOCSET_DEFAULT_SIZES);
	for (int kind = 0; kind < NUM_KINDS; kind++)
		if (conv_kinds[kind]->read)
			conv_kinds[kind]->read(&cr);
	read_dependents(&cr);
	SPI_freetuptable(cr.rows);
	if (cr.tables_by_oid)
		hash_destroy(cr.tables_by_oid);
	if (cr.comments)
		hash_destroy(cr.comments);
	if (cr.printed)
		hash_destroy(cr.printed);
	if (cr.type_names)
		hash_destroy(cr.type_names);
	MemoryContextDelete(cr.scratch);
	AtEOXact_GUC(true, nestlevel);
	return cr.model;
}

