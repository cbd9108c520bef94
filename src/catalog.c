/*-------------------------------------------------------------------------
 *
 * catalog.c
 *	  Read the current state of the managed schemas into the model.
 *
 * One query per object kind, for all managed schemas at once, never one per
 * object: converging a database of thousands of tables that already matches
 * must cost a handful of catalog scans.  The queries are ordered the same
 * way (schema, table, attnum) so columns are attached to their tables in a
 * single merge pass.
 *
 * Objects that belong to an extension, partitions (their columns are their
 * parent's) and the extension's own schema are never part of the model, so
 * they can never be changed or dropped by a convergence.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "model.h"

/* the extension's own state; never converged, exported or dropped */
#define CONVERGE_STATE_SCHEMA "converge"

/*
 * Objects an extension created belong to that extension's scripts, not to
 * the document: they are never read into the model.
 */
#define NOT_EXTENSION_MEMBER(catalog, oid) \
	" NOT EXISTS (SELECT FROM pg_catalog.pg_depend x" \
	"             WHERE x.classid = 'pg_catalog." catalog "'::pg_catalog.regclass" \
	"               AND x.objid = " oid " AND x.deptype = 'e')"

/* tables of the managed schemas, as both queries below see them */
#define MANAGED_TABLES \
	"FROM pg_catalog.pg_class c" \
	" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace" \
	" WHERE n.nspname OPERATOR(pg_catalog.=) ANY ($1)" \
	"   AND c.relkind IN ('r', 'p') AND NOT c.relispartition" \
	"   AND" NOT_EXTENSION_MEMBER("pg_class", "c.oid")

static const char *const tables_query =
"SELECT c.oid, n.nspname, c.relname,"
"       pg_catalog.obj_description(c.oid, 'pg_class') AS comment,"
"       (SELECT pg_catalog.array_agg(a.attname::text ORDER BY k.i)"
"          FROM pg_catalog.pg_index x,"
"               pg_catalog.unnest(x.indkey::pg_catalog.int2[])"
"                 WITH ORDINALITY AS k(attnum, i),"
"               pg_catalog.pg_attribute a"
"         WHERE x.indrelid = c.oid AND x.indisprimary"
"           AND a.attrelid = c.oid AND a.attnum = k.attnum) AS key_columns,"
"       c.relkind "
MANAGED_TABLES
" ORDER BY n.nspname, c.relname";

/* what the columns query joins to the managed tables */
#define COLUMNS_FROM \
	" JOIN pg_catalog.pg_attribute a ON true" \
	" JOIN pg_catalog.pg_type t ON t.oid = a.atttypid" \
	" LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation" \
	" LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace" \
	" LEFT JOIN pg_catalog.pg_attrdef d" \
	"   ON d.adrelid = a.attrelid AND d.adnum = a.attnum"

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
 * shifting every reader.
 */
static int
column_number(TupleDesc tupdesc, const char *name)
{
	int			attno = SPI_fnumber(tupdesc, name);

	if (attno <= 0)
		elog(ERROR, "catalog query has no column \"%s\"", name);
	return attno;
}

static char *
get_text(HeapTuple tuple, TupleDesc tupdesc, const char *name)
{
	return SPI_getvalue(tuple, tupdesc, column_number(tupdesc, name));
}

static Datum
get_datum(HeapTuple tuple, TupleDesc tupdesc, const char *name, bool *isnull)
{
	return SPI_getbinval(tuple, tupdesc, column_number(tupdesc, name),
						 isnull);
}

static List *
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

static ConvSchema *
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

static void
read_schemas(ConvModel *model, Datum names)
{
	Oid			argtypes[1] = {TEXTARRAYOID};
	Datum		args[1] = {names};

	converge_spi_read("SELECT n.nspname FROM pg_catalog.pg_namespace n"
					  " WHERE n.nspname OPERATOR(pg_catalog.=) ANY ($1)"
					  " ORDER BY n.nspname",
					  1, argtypes, args);
	for (uint64 i = 0; i < SPI_processed; i++)
		find_or_add_schema(model,
						   get_text(SPI_tuptable->vals[i],
									SPI_tuptable->tupdesc, "nspname"));
}

static List *
read_tables(ConvModel *model, Datum names)
{
	Oid			argtypes[1] = {TEXTARRAYOID};
	Datum		args[1] = {names};
	List	   *tables = NIL;

	converge_spi_read(tables_query, 1, argtypes, args);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		ConvTable  *table = palloc0(sizeof(ConvTable));
		ConvSchema *schema;
		bool		isnull;
		Datum		keys;

		table->relid = DatumGetObjectId(get_datum(tup, desc, "oid", &isnull));
		schema = find_or_add_schema(model, get_text(tup, desc, "nspname"));
		table->name = get_text(tup, desc, "relname");
		table->comment = get_text(tup, desc, "comment");
		table->relkind = DatumGetChar(get_datum(tup, desc, "relkind", &isnull));
		keys = get_datum(tup, desc, "key_columns", &isnull);
		if (!isnull)
			table->key_columns = text_array_to_list(keys);
		schema->tables = lappend(schema->tables, table);
		tables = lappend(tables, table);
	}
	return tables;
}

/* reads one row of a per-table query into its table */
typedef void (*RowReader) (ConvTable *table, HeapTuple tup, TupleDesc desc);

/*
 * Run one query for an object kind over all managed tables and hand each
 * row to "reader" with its table.  The query's first column is the table's
 * oid, and it is ordered by schema and table name as tables_query is, so
 * rows meet their tables in one merge pass.
 */
static void
read_per_table(List *tables, Datum names, const char *select,
			   const char *rest, RowReader reader)
{
	Oid			argtypes[1] = {TEXTARRAYOID};
	Datum		args[1] = {names};
	ListCell   *next = list_head(tables);

	converge_spi_read(psprintf("SELECT c.oid AS table_oid, %s FROM"
								" (SELECT c.oid, n.nspname, c.relname %s) c"
								" %s",
								select, MANAGED_TABLES, rest),
					  1, argtypes, args);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		Oid			relid = DatumGetObjectId(get_datum(tup, desc, "table_oid",
													   &isnull));
		ListCell   *found = next;

		/* every query runs in the same snapshot: rows meet their tables */
		while (found && ((ConvTable *) lfirst(found))->relid != relid)
			found = lnext(tables, found);
		if (found == NULL)
			continue;
		next = found;
		reader(lfirst(next), tup, desc);
	}
}

static void
read_column_row(ConvTable *table, HeapTuple tup, TupleDesc desc)
{
	ConvColumn *col = palloc0(sizeof(ConvColumn));
	bool		isnull;
	char		generated;

	col->name = get_text(tup, desc, "attname");
	col->type_oid = DatumGetObjectId(get_datum(tup, desc, "atttypid", &isnull));
	col->typmod = DatumGetInt32(get_datum(tup, desc, "atttypmod", &isnull));
	col->type_name = get_text(tup, desc, "type_name");
	col->not_null = DatumGetBool(get_datum(tup, desc, "attnotnull", &isnull));
	col->identity = DatumGetChar(get_datum(tup, desc, "attidentity", &isnull));
	generated = DatumGetChar(get_datum(tup, desc, "attgenerated", &isnull));
	compat_refuse_virtual_generated(table->relid, col->name, generated);
	col->collation_oid = DatumGetObjectId(get_datum(tup, desc, "attcollation",
													&isnull));
	col->collation = get_text(tup, desc, "collation");
	if (generated)
		col->generated = get_text(tup, desc, "default_expr");
	else
		col->default_expr = get_text(tup, desc, "default_expr");
	col->default_bin = get_text(tup, desc, "default_bin");
	col->comment = get_text(tup, desc, "comment");
	col->attnum = DatumGetInt16(get_datum(tup, desc, "attnum", &isnull));
	table->columns = lappend(table->columns, col);
}

static void
read_check_row(ConvTable *table, HeapTuple tup, TupleDesc desc)
{
	ConvCheck  *check = palloc0(sizeof(ConvCheck));
	char	   *column;
	bool		isnull;

	check->name = get_text(tup, desc, "conname");
	compat_refuse_not_enforced(table->relid, check->name,
							   DatumGetBool(get_datum(tup, desc, "enforced",
													  &isnull)));
	check->expr = get_text(tup, desc, "expr");
	check->bin = get_text(tup, desc, "bin");

	/* written on its column when PostgreSQL would name it so */
	column = get_text(tup, desc, "column_name");
	if (column &&
		strcmp(check->name, makeObjectName(table->name, column, "check")) == 0)
		check->column = column;
	table->checks = lappend(table->checks, check);
}

static void
read_key_row(ConvTable *table, HeapTuple tup, TupleDesc desc)
{
	ConvKey    *key = palloc0(sizeof(ConvKey));
	bool		isnull;

	key->name = get_text(tup, desc, "conname");
	key->primary = DatumGetBool(get_datum(tup, desc, "is_primary", &isnull));
	key->columns = text_array_to_list(get_datum(tup, desc, "columns", &isnull));
	key->nulls_not_distinct =
		DatumGetBool(get_datum(tup, desc, "nulls_not_distinct", &isnull));

	/* written as "unique: true" when PostgreSQL would name it so */
	key->on_column = !key->primary && !key->nulls_not_distinct &&
		list_length(key->columns) == 1 &&
		strcmp(key->name, makeObjectName(table->name, linitial(key->columns),
										 "key")) == 0;
	table->keys = lappend(table->keys, key);
}

static void
read_foreign_key_row(ConvTable *table, HeapTuple tup, TupleDesc desc)
{
	ConvForeignKey *fk = palloc0(sizeof(ConvForeignKey));
	bool		isnull;

	fk->name = get_text(tup, desc, "conname");
	compat_refuse_not_enforced(table->relid, fk->name,
							   DatumGetBool(get_datum(tup, desc, "enforced",
													  &isnull)));
	fk->columns = text_array_to_list(get_datum(tup, desc, "columns", &isnull));
	fk->ref_schema = get_text(tup, desc, "ref_schema");
	fk->ref_table = get_text(tup, desc, "ref_table");
	fk->ref_columns = text_array_to_list(get_datum(tup, desc, "ref_columns",
												   &isnull));
	fk->on_delete = DatumGetChar(get_datum(tup, desc, "confdeltype", &isnull));
	fk->on_update = DatumGetChar(get_datum(tup, desc, "confupdtype", &isnull));
	fk->deferrable = DatumGetBool(get_datum(tup, desc, "condeferrable",
											&isnull));
	fk->initially_deferred = DatumGetBool(get_datum(tup, desc, "condeferred",
													&isnull));

	/* written as a column's "references" when PostgreSQL would name it so */
	fk->on_column = list_length(fk->columns) == 1 &&
		strcmp(fk->name, makeObjectName(table->name, linitial(fk->columns),
										"fkey")) == 0;
	table->foreign_keys = lappend(table->foreign_keys, fk);
}

static void
read_index_row(ConvTable *table, HeapTuple tup, TupleDesc desc)
{
	ConvIndex  *index = palloc0(sizeof(ConvIndex));
	bool		isnull;
	Datum		include;

	index->name = get_text(tup, desc, "index_name");
	index->definition = get_text(tup, desc, "definition");
	index->comment = get_text(tup, desc, "comment");
	index->unique = DatumGetBool(get_datum(tup, desc, "indisunique", &isnull));
	index->method = get_text(tup, desc, "amname");
	index->elements = text_array_to_list(get_datum(tup, desc, "elements",
												   &isnull));
	index->where = get_text(tup, desc, "predicate");
	include = get_datum(tup, desc, "include", &isnull);
	if (!isnull)
		index->include = text_array_to_list(include);
	index->nulls_not_distinct =
		DatumGetBool(get_datum(tup, desc, "nulls_not_distinct", &isnull));
	table->indexes = lappend(table->indexes, index);
}

/*
 * One key of an index as a document writes it: the column or expression as
 * the server prints it, then a collation other than the column's, an
 * operator class other than the default, and the ordering.
 */
#define INDEX_KEY \
	"pg_catalog.pg_get_indexdef(x.indexrelid, k, true)" \
	" || CASE WHEN x.indcollation[k - 1] <> 0" \
	"          AND x.indcollation[k - 1] <> CASE WHEN x.indkey[k - 1] <> 0" \
	"              THEN (SELECT a.attcollation FROM pg_catalog.pg_attribute a" \
	"                     WHERE a.attrelid = x.indrelid" \
	"                       AND a.attnum = x.indkey[k - 1])" \
	"              ELSE (SELECT ty.typcollation FROM pg_catalog.pg_attribute ia" \
	"                      JOIN pg_catalog.pg_type ty ON ty.oid = ia.atttypid" \
	"                     WHERE ia.attrelid = x.indexrelid AND ia.attnum = k) END" \
	"     THEN ' COLLATE ' || (SELECT CASE" \
	"              WHEN pg_catalog.pg_collation_is_visible(co.oid)" \
	"              THEN pg_catalog.quote_ident(co.collname)" \
	"              ELSE pg_catalog.quote_ident(cn.nspname) || '.' ||" \
	"                   pg_catalog.quote_ident(co.collname) END" \
	"            FROM pg_catalog.pg_collation co" \
	"            JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace" \
	"           WHERE co.oid = x.indcollation[k - 1]) ELSE '' END" \
	" || CASE WHEN NOT oc.opcdefault OR ko.options IS NOT NULL" \
	"     THEN ' ' || CASE WHEN pg_catalog.pg_opclass_is_visible(oc.oid)" \
	"                 THEN pg_catalog.quote_ident(oc.opcname)" \
	"                 ELSE pg_catalog.quote_ident(ocn.nspname) || '.' ||" \
	"                      pg_catalog.quote_ident(oc.opcname) END" \
	"     ELSE '' END" \
	" || COALESCE(' (' || pg_catalog.array_to_string(ko.options, ', ') || ')', '')" \
	" || CASE WHEN x.indoption[k - 1] & 1 = 1 THEN ' DESC' ELSE '' END" \
	" || CASE WHEN x.indoption[k - 1] & 3 = 1 THEN ' NULLS LAST'" \
	"         WHEN x.indoption[k - 1] & 3 = 2 THEN ' NULLS FIRST' ELSE '' END"

/* the names of a constraint's columns, in key order */
#define KEY_NAMES(keys, rel) \
	"(SELECT pg_catalog.array_agg(a.attname::text ORDER BY u.i)" \
	"   FROM pg_catalog.unnest(" keys ") WITH ORDINALITY AS u(attnum, i)," \
	"        pg_catalog.pg_attribute a" \
	"  WHERE a.attrelid = " rel " AND a.attnum = u.attnum)"

/* NULLS NOT DISTINCT (every supported version has it: see compat.h) */
#define NULLS_NOT_DISTINCT "x.indnullsnotdistinct"

/*
 * Something outside the model that depends on a type (given as a list of
 * oids): a function, a view, a column of a table the document does not
 * manage.  Columns, defaults, constraints and indexes of managed tables,
 * and types of managed schemas, are part of the model and move with it.
 */
#define MODEL_RELATION(d) \
	"CASE " d ".classid" \
	" WHEN 'pg_catalog.pg_class'::pg_catalog.regclass THEN COALESCE(" \
	"   (SELECT x.indrelid FROM pg_catalog.pg_index x" \
	"     WHERE x.indexrelid = " d ".objid), " d ".objid)" \
	" WHEN 'pg_catalog.pg_constraint'::pg_catalog.regclass THEN" \
	"   (SELECT k.conrelid FROM pg_catalog.pg_constraint k WHERE k.oid = " d ".objid)" \
	" WHEN 'pg_catalog.pg_attrdef'::pg_catalog.regclass THEN" \
	"   (SELECT ad.adrelid FROM pg_catalog.pg_attrdef ad WHERE ad.oid = " d ".objid)" \
	" END"
#define MODEL_TYPE(d) \
	"CASE " d ".classid" \
	" WHEN 'pg_catalog.pg_type'::pg_catalog.regclass THEN " d ".objid" \
	" WHEN 'pg_catalog.pg_constraint'::pg_catalog.regclass THEN" \
	"   (SELECT k.contypid FROM pg_catalog.pg_constraint k WHERE k.oid = " d ".objid)" \
	" END"
#define USED_OUTSIDE(oids) \
	"(SELECT pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid)" \
	"   FROM pg_catalog.pg_depend d" \
	"  WHERE d.refclassid = 'pg_catalog.pg_type'::pg_catalog.regclass" \
	"    AND d.refobjid IN (" oids ") AND d.deptype = 'n'" \
	"    AND NOT EXISTS (SELECT FROM pg_catalog.pg_class r" \
	"         JOIN pg_catalog.pg_namespace rn ON rn.oid = r.relnamespace" \
	"        WHERE rn.nspname OPERATOR(pg_catalog.=) ANY ($1)" \
	"          AND r.relkind IN ('r', 'p')" \
	"          AND r.oid = " MODEL_RELATION("d") ")" \
	"    AND NOT EXISTS (SELECT FROM pg_catalog.pg_type ty" \
	"         JOIN pg_catalog.pg_namespace tn ON tn.oid = ty.typnamespace" \
	"        WHERE tn.nspname OPERATOR(pg_catalog.=) ANY ($1)" \
	"          AND ty.oid = " MODEL_TYPE("d") ")" \
	"  LIMIT 1)"

/*
 * Enums of the managed schemas, with a relation or domain outside the model
 * that uses each (such an enum cannot be recreated by a plan).
 */
static void
read_enums(ConvModel *model, Datum names)
{
	Oid			argtypes[1] = {TEXTARRAYOID};
	Datum		args[1] = {names};

	converge_spi_read("SELECT t.oid, n.nspname, t.typname,"
					  " (SELECT pg_catalog.array_agg(e.enumlabel::text"
					  "                              ORDER BY e.enumsortorder)"
					  "    FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid)"
					  "   AS labels,"
					  " pg_catalog.obj_description(t.oid, 'pg_type') AS comment,"
					  " " USED_OUTSIDE("t.oid, t.typarray") " AS used_outside"
					  " FROM pg_catalog.pg_type t"
					  " JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
					  " WHERE n.nspname OPERATOR(pg_catalog.=) ANY ($1)"
					  "   AND t.typtype = 'e'"
					  "   AND" NOT_EXTENSION_MEMBER("pg_type", "t.oid")
					  " ORDER BY n.nspname, t.typname",
					  1, argtypes, args);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		ConvEnum   *e = palloc0(sizeof(ConvEnum));
		ConvSchema *schema = find_or_add_schema(model,
												get_text(tup, desc, "nspname"));
		bool		isnull;
		Datum		values;

		e->oid = DatumGetObjectId(get_datum(tup, desc, "oid", &isnull));
		e->schema = schema->name;
		e->name = get_text(tup, desc, "typname");
		values = get_datum(tup, desc, "labels", &isnull);
		if (!isnull)
			e->values = text_array_to_list(values);
		e->comment = get_text(tup, desc, "comment");
		e->used_outside = get_text(tup, desc, "used_outside");
		schema->enums = lappend(schema->enums, e);
	}
}

/* Domains of the managed schemas, with their CHECKs. */
static void
read_domains(ConvModel *model, Datum names)
{
	Oid			argtypes[1] = {TEXTARRAYOID};
	Datum		args[1] = {names};

	converge_spi_read("SELECT t.oid, n.nspname, t.typname, t.typbasetype,"
					  " t.typtypmod,"
					  " pg_catalog.format_type(t.typbasetype, t.typtypmod)"
					  "   AS base_type_name,"
					  " t.typnotnull,"
					  " pg_catalog.pg_get_expr(t.typdefaultbin, 0) AS typdefault,"
					  " t.typdefaultbin::text AS default_bin,"
					  " CASE WHEN t.typcollation <> b.typcollation"
					  "      THEN co.collname::text END AS collation,"
					  " pg_catalog.obj_description(t.oid, 'pg_type') AS comment,"
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
					  USED_OUTSIDE("t.oid, t.typarray") " AS used_outside,"
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
					  " ORDER BY n.nspname, t.typname",
					  1, argtypes, args);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		ConvDomain *d = palloc0(sizeof(ConvDomain));
		ConvSchema *schema = find_or_add_schema(model,
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

/*
 * What a dependent of a managed table is called in a refusal: a view by
 * its name, anything else as the server describes it.
 */
#define DEPENDENT_NAME(d) \
	"COALESCE((SELECT CASE r.relkind WHEN 'v' THEN 'view '" \
	"                                WHEN 'm' THEN 'materialized view ' END" \
	"                 || r.oid::pg_catalog.regclass::text" \
	"            FROM pg_catalog.pg_rewrite w" \
	"            JOIN pg_catalog.pg_class r ON r.oid = w.ev_class" \
	"           WHERE " d ".classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass" \
	"             AND w.oid = " d ".objid AND r.relkind IN ('v', 'm'))," \
	" pg_catalog.pg_describe_object(" d ".classid, " d ".objid, " d ".objsubid))"

/*
 * Does the dependent belong to the table it depends on (its own policy,
 * trigger or rule), so that dropping the table drops it too?
 */
#define DEPENDENT_OWNED(d) \
	"(EXISTS (SELECT FROM pg_catalog.pg_policy p" \
	"          WHERE " d ".classid = 'pg_catalog.pg_policy'::pg_catalog.regclass" \
	"            AND p.oid = " d ".objid AND p.polrelid = " d ".refobjid)" \
	" OR EXISTS (SELECT FROM pg_catalog.pg_trigger g" \
	"          WHERE " d ".classid = 'pg_catalog.pg_trigger'::pg_catalog.regclass" \
	"            AND g.oid = " d ".objid AND g.tgrelid = " d ".refobjid)" \
	" OR EXISTS (SELECT FROM pg_catalog.pg_rewrite w" \
	"          WHERE " d ".classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass" \
	"            AND w.oid = " d ".objid AND w.ev_class = " d ".refobjid))"

/*
 * One row of the current side of the dependency graph: something outside
 * the model (a view, a policy, a trigger, a function, a foreign key of a
 * table the document does not manage) that a normal dependency ties to a
 * managed table or one of its columns.  The server refuses to drop what it
 * depends on, and to change the type of a column it reads unless it is a
 * constraint the server rebuilds itself.
 */
static void
read_dependent_row(ConvTable *table, HeapTuple tup, TupleDesc desc)
{
	bool		isnull;
	int16		attnum = DatumGetInt16(get_datum(tup, desc, "attnum", &isnull));
	char	   *name = get_text(tup, desc, "dependent");
	bool		rebuilt = DatumGetBool(get_datum(tup, desc, "rebuilt",
												 &isnull));
	bool		owned = DatumGetBool(get_datum(tup, desc, "owned", &isnull));
	ListCell   *lc;

	if (!owned && table->used_outside == NULL)
		table->used_outside = name;
	foreach(lc, table->columns)
	{
		ConvColumn *col = lfirst(lc);

		if (col->attnum != attnum)
			continue;
		if (col->used_outside == NULL)
			col->used_outside = name;
		if (!rebuilt && col->retype_blocker == NULL)
			col->retype_blocker = name;
	}
}

/*
 * The current side of the dependency graph: for every managed table, what
 * outside the model depends on it or its columns (read_dependent_row).
 */
static void
read_dependents(List *tables, Datum names)
{
	read_per_table(tables, names,
				   "d.refobjsubid::pg_catalog.int2 AS attnum, "
				   DEPENDENT_NAME("d") " AS dependent,"
				   " d.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass"
				   "   AS rebuilt, "
				   DEPENDENT_OWNED("d") " AS owned",
				   "JOIN pg_catalog.pg_depend d"
				   "  ON d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass"
				   " AND d.refobjid = c.oid AND d.deptype = 'n'"
				   " WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_class r"
				   "         JOIN pg_catalog.pg_namespace rn"
				   "           ON rn.oid = r.relnamespace"
				   "        WHERE rn.nspname OPERATOR(pg_catalog.=) ANY ($1)"
				   "          AND r.relkind IN ('r', 'p')"
				   "          AND r.oid = " MODEL_RELATION("d") ")"
				   " ORDER BY c.nspname, c.relname, dependent",
				   read_dependent_row);
}

static void read_model(ConvModel *model, Datum names);

/*
 * catalog_read
 *		The current model of the named schemas.  Schemas that do not exist
 *		are simply absent.
 */
ConvModel *
catalog_read(List *schema_names)
{
	ConvModel  *model = palloc0(sizeof(ConvModel));
	Datum		names = schema_name_array(schema_names);
	int			nestlevel = NewGUCNestLevel();

	/*
	 * The catalog queries are cheap but look expensive to the planner (set
	 * returning functions in subqueries): JIT would compile them on every
	 * call and cost ten times the queries themselves.
	 */
	(void) set_config_option("jit", "off", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	read_model(model, names);
	AtEOXact_GUC(true, nestlevel);
	return model;
}

static void
read_model(ConvModel *model, Datum names)
{
	List	   *tables;

	read_schemas(model, names);
	read_enums(model, names);
	read_domains(model, names);
	tables = read_tables(model, names);
	if (tables == NIL)
		return;

	/* one query per object kind, for every managed table at once */
	read_per_table(tables, names,
				   "a.attname, a.atttypid, a.atttypmod,"
				   " pg_catalog.format_type(a.atttypid, a.atttypmod) AS type_name,"
				   " " COMPAT_ATTNOTNULL " AS attnotnull, a.attidentity,"
				   " a.attgenerated, a.attcollation,"
				   " CASE WHEN a.attcollation <> t.typcollation THEN"
				   "  CASE WHEN pg_catalog.pg_collation_is_visible(co.oid)"
				   "   THEN co.collname::text"
				   "   ELSE pg_catalog.quote_ident(cn.nspname) || '.' ||"
				   "        pg_catalog.quote_ident(co.collname) END END"
				   "   AS collation,"
				   " pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS default_expr,"
				   " d.adbin::text AS default_bin,"
				   " pg_catalog.col_description(a.attrelid, a.attnum) AS comment,"
				   " a.attnum",
				   COLUMNS_FROM
				   " WHERE a.attrelid = c.oid AND a.attnum > 0"
				   "   AND NOT a.attisdropped"
				   " ORDER BY c.nspname, c.relname, a.attnum",
				   read_column_row);
	read_per_table(tables, names,
				   "k.conname, pg_catalog.pg_get_expr(k.conbin, k.conrelid) AS expr,"
				   " k.conbin::text AS bin,"
				   " (SELECT a.attname FROM pg_catalog.pg_attribute a"
				   "   WHERE a.attrelid = k.conrelid AND a.attnum = k.conkey[1]"
				   "     AND pg_catalog.cardinality(k.conkey) = 1) AS column_name, "
				   COMPAT_CONENFORCED " AS enforced",
				   "JOIN pg_catalog.pg_constraint k ON k.conrelid = c.oid"
				   " WHERE k.contype = 'c' AND k.conislocal"
				   " ORDER BY c.nspname, c.relname, k.conname",
				   read_check_row);
	read_per_table(tables, names,
				   "k.conname, k.contype = 'p' AS is_primary, "
				   KEY_NAMES("k.conkey", "k.conrelid") " AS columns, "
				   NULLS_NOT_DISTINCT " AS nulls_not_distinct",
				   "JOIN pg_catalog.pg_constraint k ON k.conrelid = c.oid"
				   " JOIN pg_catalog.pg_index x ON x.indexrelid = k.conindid"
				   " WHERE k.contype IN ('p', 'u') AND k.conislocal"
				   " ORDER BY c.nspname, c.relname, k.contype, k.conname",
				   read_key_row);
	read_per_table(tables, names,
				   "k.conname, " KEY_NAMES("k.conkey", "k.conrelid") " AS columns,"
				   " rn.nspname AS ref_schema, r.relname AS ref_table, "
				   KEY_NAMES("k.confkey", "k.confrelid") " AS ref_columns,"
				   " k.confdeltype, k.confupdtype, k.condeferrable,"
				   " k.condeferred, " COMPAT_CONENFORCED " AS enforced",
				   "JOIN pg_catalog.pg_constraint k ON k.conrelid = c.oid"
				   " JOIN pg_catalog.pg_class r ON r.oid = k.confrelid"
				   " JOIN pg_catalog.pg_namespace rn ON rn.oid = r.relnamespace"
				   " WHERE k.contype = 'f' AND k.conislocal"
				   "   AND k.conparentid = 0"
				   " ORDER BY c.nspname, c.relname, k.conname",
				   read_foreign_key_row);
	read_per_table(tables, names,
				   "i.relname AS index_name,"
				   " pg_catalog.obj_description(i.oid, 'pg_class') AS comment,"
				   " pg_catalog.pg_get_indexdef(x.indexrelid) AS definition,"
				   " x.indisunique, am.amname,"
				   " (SELECT pg_catalog.array_agg(" INDEX_KEY " ORDER BY k)"
				   "    FROM pg_catalog.generate_series(1, x.indnkeyatts) AS k"
				   "    JOIN pg_catalog.pg_opclass oc ON oc.oid = x.indclass[k - 1]"
				   "    JOIN pg_catalog.pg_namespace ocn ON ocn.oid = oc.opcnamespace"
				   "    LEFT JOIN LATERAL (SELECT ia.attoptions AS options"
				   "                         FROM pg_catalog.pg_attribute ia"
				   "                        WHERE ia.attrelid = x.indexrelid"
				   "                          AND ia.attnum = k) ko ON true)"
				   "   AS elements,"
				   " pg_catalog.pg_get_expr(x.indpred, x.indrelid) AS predicate,"
				   " (SELECT pg_catalog.array_agg(a.attname::text ORDER BY k)"
				   "    FROM pg_catalog.generate_series(x.indnkeyatts + 1,"
				   "                                    x.indnatts) AS k,"
				   "         pg_catalog.pg_attribute a"
				   "   WHERE a.attrelid = x.indrelid AND a.attnum = x.indkey[k - 1])"
				   "   AS include, "
				   NULLS_NOT_DISTINCT " AS nulls_not_distinct",
				   "JOIN pg_catalog.pg_index x ON x.indrelid = c.oid"
				   " JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid"
				   " JOIN pg_catalog.pg_am am ON am.oid = i.relam"
				   " WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_constraint k"
				   "                    WHERE k.conindid = x.indexrelid"
				   "                      AND k.conrelid = c.oid"
				   "                      AND k.contype IN ('p', 'u', 'x'))"
				   " ORDER BY c.nspname, c.relname, i.relname",
				   read_index_row);
	read_dependents(tables, names);
}
