/*-------------------------------------------------------------------------
 *
 * compat.h
 *	  What differs between the PostgreSQL major versions pg_converge builds
 *	  against (15 and later), in one place.
 *
 * The rest of the code calls the compat_* names below and never tests
 * PG_VERSION_NUM itself, so supporting a new major version means editing
 * this file only.  model.h includes it, so every stage sees it.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CONVERGE_COMPAT_H
#define CONVERGE_COMPAT_H

#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_constraint.h"
#include "nodes/bitmapset.h"
#include "nodes/parsenodes.h"
#include "parser/parse_type.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/snapshot.h"

#if PG_VERSION_NUM < 150000
#error "pg_converge needs PostgreSQL 15 or later"
#endif

#if PG_VERSION_NUM >= 180000
#include "access/genam.h"
#include "access/table.h"
#include "utils/fmgroids.h"
#endif

#if PG_VERSION_NUM >= 160000
#include "nodes/miscnodes.h"
#else
#include "nodes/makefuncs.h"
#include "parser/parse_relation.h"
#include "rewrite/rewriteManip.h"
#include "utils/rel.h"
#endif

/*
 * PostgreSQL 16 replaced the missing_ok flag of parseTypeString() with a
 * soft-error context, and gave typeStringToTypeName() and
 * stringToQualifiedNameList() one as well.  We keep the old meaning: only
 * "type does not exist" is forgiven with missing_ok (the Oid is then
 * InvalidOid); a name that does not parse, a shell type or a bad typmod is
 * still an error.
 */
static inline void
compat_parseTypeString(const char *str, Oid *typeid_p, int32 *typmod_p,
					   bool missing_ok)
{
#if PG_VERSION_NUM >= 160000
	ErrorSaveContext escontext = {.type = T_ErrorSaveContext,
	.details_wanted = true};

	*typeid_p = InvalidOid;
	if (!parseTypeString(str, typeid_p, typmod_p,
						 missing_ok ? (Node *) &escontext : NULL))
	{
		if (escontext.error_data->sqlerrcode != ERRCODE_UNDEFINED_OBJECT)
			ThrowErrorData(escontext.error_data);
		*typeid_p = InvalidOid;
	}
#else
	parseTypeString(str, typeid_p, typmod_p, missing_ok);
#endif
}

#if PG_VERSION_NUM >= 160000
#define compat_typeStringToTypeName(str) typeStringToTypeName((str), NULL)
#define compat_stringToQualifiedNameList(str) \
	stringToQualifiedNameList((str), NULL)
#else
#define compat_typeStringToTypeName(str) typeStringToTypeName(str)
#define compat_stringToQualifiedNameList(str) stringToQualifiedNameList(str)
#endif

/*
 * PostgreSQL 18 has virtual generated columns, computed when read, and makes
 * them what GENERATED ALWAYS AS (...) means without STORED.  The model only
 * knows stored ones (plans always write STORED), so a virtual one in a
 * managed schema is refused by name rather than mistaken for a stored one,
 * which a plan would then "fix" by dropping and re-adding the column.
 */
static inline void
compat_refuse_virtual_generated(Oid relid, const char *column,
								char attgenerated)
{
#if PG_VERSION_NUM >= 180000
	if (attgenerated == ATTRIBUTE_GENERATED_VIRTUAL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("column \"%s\" of table \"%s.%s\" is a virtual generated column",
						column,
						get_namespace_name(get_rel_namespace(relid)),
						get_rel_name(relid)),
				 errdetail("pg_converge converges stored generated columns only."),
				 errhint("Make the column STORED, or leave its schema out of the document.")));
#else
	(void) relid;
	(void) column;
	(void) attgenerated;
#endif
}

/*
 * The columns of a table whose NOT NULL is a NOT VALID constraint, by
 * number.  PostgreSQL 18 can hold one, which sets attnotnull while rows may
 * still be NULL: such a column is not NOT NULL to the model, so the plan
 * sets it (the server then validates the constraint) after checking the
 * rows.  Earlier versions have none.
 */
static inline Bitmapset *
compat_not_valid_not_nulls(Oid relid, Snapshot snapshot)
{
	Bitmapset  *attnums = NULL;
#if PG_VERSION_NUM >= 180000
	Relation	rel = table_open(ConstraintRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;

	ScanKeyInit(&key, Anum_pg_constraint_conrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(rel, ConstraintRelidTypidNameIndexId, true,
							  snapshot, 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tup);

		if (con->contype == CONSTRAINT_NOTNULL && !con->convalidated)
			attnums = bms_add_member(attnums, extractNotNullColumn(tup));
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
#else
	(void) relid;
	(void) snapshot;
#endif
	return attnums;
}

/*
 * A column's statistics target, -1 for the default: PostgreSQL 17 made
 * attstattarget a nullable int2, NULL for the default.
 */
static inline int
compat_attstattarget(HeapTuple tup, TupleDesc desc)
{
#if PG_VERSION_NUM >= 170000
	bool		isnull;
	Datum		target = heap_getattr(tup, Anum_pg_attribute_attstattarget,
									  desc, &isnull);

	return isnull ? -1 : DatumGetInt16(target);
#else
	(void) desc;
	return ((Form_pg_attribute) GETSTRUCT(tup))->attstattarget;
#endif
}

/*
 * SQL for "constraint k (pg_constraint) is enforced".  PostgreSQL 18 can
 * hold CHECK and FOREIGN KEY constraints NOT ENFORCED, which rows need not
 * satisfy.  The model's constraints are enforced: taking one for the other
 * would call a table converged whose rows break the constraint, so such a
 * constraint is refused by name.
 */
static inline bool
compat_conenforced(Form_pg_constraint con)
{
#if PG_VERSION_NUM >= 180000
	return con->conenforced;
#else
	(void) con;
	return true;
#endif
}

static inline void
compat_refuse_not_enforced(Oid relid, const char *name, bool enforced)
{
	if (!enforced)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("constraint \"%s\" of table \"%s.%s\" is NOT ENFORCED",
						name,
						get_namespace_name(get_rel_namespace(relid)),
						get_rel_name(relid)),
				 errdetail("pg_converge converges enforced constraints only."),
				 errhint("Make the constraint enforced, or leave its schema out of the document.")));
}

/*
 * Before PostgreSQL 16 a view's stored query began with two range table
 * entries for the view itself, "old" and "new", that nothing reads but
 * that make the deparser qualify every column.  A document's query is
 * given the same two before it is deparsed, so that the two texts compare.
 */
static inline void
compat_view_rtable(Query *query, Relation view)
{
#if PG_VERSION_NUM < 160000
	static const char *const aliases[] = {"old", "new"};
	ParseState *pstate = make_parsestate(NULL);
	List	   *both = NIL;

	for (int i = 0; i < lengthof(aliases); i++)
		both = lappend(both,
					   addRangeTableEntryForRelation(pstate, view,
													 AccessShareLock,
													 makeAlias(aliases[i],
															   NIL),
													 false, false)->p_rte);
	OffsetVarNodes((Node *) query, 2, 0);
	query->rtable = list_concat(both, query->rtable);
#else
	(void) query;
	(void) view;
#endif
}

/* PostgreSQL 17's MAINTAIN privilege on tables, as a list item or none */
#if PG_VERSION_NUM >= 170000
#define COMPAT_MAINTAIN "maintain"
#else
#define COMPAT_MAINTAIN NULL
#endif

/*
 * A raw PARTITION BY clause's strategy as pg_partitioned_table.partstrat
 * holds it ('r', 'l', 'h'): PostgreSQL 16 made the grammar resolve it,
 * and refuse a name that is none of them; 15 keeps the word as written,
 * and is refused here in 16's words.
 */
static inline char
compat_partition_strategy(const PartitionSpec *spec)
{
#if PG_VERSION_NUM >= 160000
	return (char) spec->strategy;
#else
	if (strcmp(spec->strategy, "range") == 0)
		return PARTITION_STRATEGY_RANGE;
	if (strcmp(spec->strategy, "list") == 0)
		return PARTITION_STRATEGY_LIST;
	if (strcmp(spec->strategy, "hash") == 0)
		return PARTITION_STRATEGY_HASH;
	ereport(ERROR,
			(errcode(ERRCODE_SYNTAX_ERROR),
			 errmsg("unrecognized partitioning strategy \"%s\"",
					spec->strategy)));
	pg_unreachable();
#endif
}

#endif							/* CONVERGE_COMPAT_H */
