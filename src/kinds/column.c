/*-------------------------------------------------------------------------
 *
 * column.c
 *	  Columns of a table: added, dropped, renamed, and altered in place.
 *
 * Types are compared by resolved oid, typmod and collation; defaults and
 * generation expressions as cooked trees.  Within one column the order is
 * the one the server needs: an identity or default that is in the way goes
 * first, the type changes, the new default is set, NULLs are filled, NOT
 * NULL is set, and a new identity comes last.  A type change is checked
 * against the rows first: with "using", every row must evaluate; without
 * it, the server's assignment cast must exist and must not change any
 * value.  A generated column whose expression changes, or that reads a
 * retyped column, is dropped and added again (the server cannot alter it).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/sysattr.h"
#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_attrdef.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_class.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_sequence.h"
#include "commands/defrem.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "nodes/bitmapset.h"
#include "parser/parse_coerce.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

#include "kinds/kinds.h"

/* the largest target ALTER TABLE ... SET STATISTICS accepts */
#define STATISTICS_TARGET_MAX 10000

/*
 * Columns are the models' most numerous objects, and a column is just over
 * a power of two: palloc() would keep 512 bytes for each one's 320.  They
 * are carved, zeroed, from blocks of the current memory context instead,
 * which keep them at their size and go with that context (a callback on it
 * forgets the block when it is reset or deleted).
 */
#define COLUMNS_PER_BLOCK 64

typedef struct ColumnPool
{
	MemoryContext cxt;			/* where the block is; NULL: no block */
	ConvColumn *next;
	int			left;
} ColumnPool;

static ColumnPool column_pool;

static void
forget_column_pool(void *arg)
{
	if (column_pool.cxt == (MemoryContext) arg)
		column_pool.cxt = NULL;
}

static ConvColumn *
new_column(void)
{
	if (column_pool.cxt != CurrentMemoryContext || column_pool.left == 0)
	{
		MemoryContextCallback *forget;

		if (column_pool.cxt != CurrentMemoryContext)
		{
			forget = palloc(sizeof(MemoryContextCallback));
			forget->func = forget_column_pool;
			forget->arg = CurrentMemoryContext;
			MemoryContextRegisterResetCallback(CurrentMemoryContext, forget);
		}
		column_pool.cxt = CurrentMemoryContext;
		column_pool.next = palloc0(sizeof(ConvColumn) * COLUMNS_PER_BLOCK);
		column_pool.left = COLUMNS_PER_BLOCK;
	}
	column_pool.left--;
	return column_pool.next++;
}

static int
compare_column(DiffState *ds, ConvColumn *want, Oid want_coll,
			   ConvColumn *have, const TablePair *pair)
{
	const ColumnNote *note = column_note(ds, want);
	int			changes = 0;

	/* a column of an enum or domain the plan creates moves to it */
	if (type_created(note) ||
		want->type_oid != have->type_oid || want->typmod != have->typmod ||
		want_coll != have->collation_oid)
		changes |= COLUMN_TYPE;

	if ((want->generated == NULL) != (have->generated == NULL))
		changes |= COLUMN_GENERATED;
	else if (want->generated &&
			 ((changes & COLUMN_TYPE) ||
			  !expr_generated_matches(want, have, pair)))
		changes |= COLUMN_GENERATED;

	/*
	 * A default is cooked for its column's type, so one that survives a
	 * type change is dropped before it and set again after it.
	 */
	/*
	 * A default of an enum whose labels are renamed in place cannot be read
	 * before the rename: set it again after.
	 */
	if (names_created(ds, want->default_expr, &want->default_pos) &&
		want->generated == NULL && have->generated == NULL)
		changes |= COLUMN_DEFAULT;
	else if (want->generated == NULL && have->generated == NULL)
	{
		if ((changes & COLUMN_TYPE) &&
			(want->default_expr != NULL || have->default_bin != NULL))
		{
			/*
			 * Cooked for the new type, one it cannot take is refused now;
			 * an enum or domain the plan creates has no labels to cook yet.
			 */
			if (!type_created(note))
				(void) default_rewrites(ds, want);
			changes |= COLUMN_DEFAULT;
		}
		else if (!(changes & COLUMN_TYPE) &&
				 !expr_default_matches(want, have))
			changes |= COLUMN_DEFAULT;
	}
	else if (want->generated == NULL && want->default_expr)
		changes |= COLUMN_DEFAULT;

	/*
	 * A default that calls a function the plan drops to create again goes
	 * before it, and is set again once the function is created again.
	 */
	if (have->generated == NULL &&
		stored_calls_dropped(ds, have->default_bin, false))
		changes |= COLUMN_DEFAULT | COLUMN_DEFAULT_EARLY;

	if (want->not_null != have->not_null)
		changes |= COLUMN_NOT_NULL;
	if (want->identity != have->identity)
		changes |= COLUMN_IDENTITY;
	else if (want->identity &&
			 (want->identity_options || !(changes & COLUMN_TYPE)) &&
			 identity_options_differ(want, want->type_oid, have))
		changes |= COLUMN_IDENTITY_OPTIONS;
	if (strings_differ(want->comment, have->comment))
		changes |= COLUMN_COMMENT;
	if (want->statistics != have->statistics)
		changes |= COLUMN_STATISTICS;
	return changes;
}

/*
 * The current column a document column stands for: same name, or the one
 * it was renamed from.
 */
static ConvColumn *
match_column(ConvTable *want, ConvTable *have, ConvColumn *wcol,
			 List *claimed)
{
	ConvColumn *hcol = find_column(have, wcol->name);

	if (hcol == NULL && wcol->renamed_from &&
		find_column(want, wcol->renamed_from) == NULL)
	{
		hcol = find_column(have, wcol->renamed_from);
		if (hcol && list_member_ptr(claimed, hcol))
			hcol = NULL;
	}
	return hcol;
}

/*
 * Pair the columns first, so expressions can be read under new names: the
 * current table learns its document name and its columns' document names.
 */
static void
match_columns(TableDiff *td)
{
	ConvTable  *have = td->have;
	List	   *claimed = NIL;
	ListCell   *lc,
			   *mc;

	foreach(lc, td->want->columns)
	{
		ConvColumn *hcol = match_column(td->want, have, lfirst(lc), claimed);

		td->matches = lappend(td->matches, hcol);
		if (hcol)
			claimed = lappend(claimed, hcol);
	}
	foreach(lc, have->columns)
	{
		ConvColumn *hcol = lfirst(lc);
		const char *name = hcol->name;
		ListCell   *wc;

		forboth(mc, td->matches, wc, td->want->columns)
			if (lfirst(mc) == hcol)
				name = ((ConvColumn *) lfirst(wc))->name;
		td->pair->have_names = lappend(td->pair->have_names, (char *) name);
		if (strcmp(name, hcol->name) != 0)
			td->pair->renames_columns = true;
	}
}

/*
 * The server cannot change a generation expression, nor the type of a
 * column a generated column reads: such a generated column is dropped and
 * added again around the other changes.
 */
static void
find_rebuilt(DiffState *ds, TableDiff *td, Bitmapset *retyped)
{
	ListCell   *lc,
			   *mc;
	int			i = 0;

	forboth(lc, td->want->columns, mc, td->matches)
	{
		ConvColumn *wcol = lfirst(lc);
		ConvColumn *hcol = lfirst(mc);

		if (hcol && wcol->generated &&
			((td->what[i] & COLUMN_GENERATED) ||
			 (hcol->generated &&
			  (bms_overlap(retyped,
						   expr_attnums(stringToNode(hcol->default_bin))) ||
			   stored_calls_dropped(ds, hcol->default_bin, false)))))
		{
			td->rebuild[i] = true;
			td->rebuilt = lappend(td->rebuilt, wcol->name);
		}
		i++;
	}
}

/*
 * columns_compare
 *		Match a current table's columns with the document's, find what
 *		differs in each, and which columns change shape.
 */
void
columns_compare(DiffState *ds, TableDiff *td)
{
	int			ncols = Max(list_length(td->want->columns), 1);
	Bitmapset  *retyped = NULL;
	ListCell   *lc,
			   *mc;
	int			i = 0;

	td->what = palloc0(sizeof(int) * ncols);
	td->rebuild = palloc0(sizeof(bool) * ncols);
	match_columns(td);
	forboth(lc, td->want->columns, mc, td->matches)
	{
		ConvColumn *wcol = lfirst(lc);
		ConvColumn *hcol = lfirst(mc);

		if (hcol == NULL)
			td->reshaped = lappend(td->reshaped, wcol->name);
		else
		{
			td->what[i] = compare_column(ds, wcol,
										 resolve_column(ds, wcol, td->schema),
										 hcol, td->pair);
			if (td->what[i] & COLUMN_TYPE)
			{
				retyped = bms_add_member(retyped, hcol->attnum -
										 FirstLowInvalidHeapAttributeNumber);
				td->reshaped = lappend(td->reshaped, wcol->name);
			}
		}
		i++;
	}
	find_rebuilt(ds, td, retyped);
	td->reshaped = list_concat(td->reshaped, td->rebuilt);
	td->pair->reshaped = td->reshaped;
}

/*
 * A generation expression, as the server cooks one: no subquery or
 * aggregate, only immutable functions (ADD COLUMN and CREATE TABLE).
 */
void
check_generated_position(DiffState *ds, const ConvColumn *col,
						 const ConvTable *table)
{
	if (col->generated &&
		!names_created(ds, col->generated, &col->generated_pos))
		expr_check_position(col->generated, &col->generated_pos, table,
							EXPR_KIND_GENERATED_COLUMN);
}

static void
column_check_created(DiffState *ds, const ConvChange *change)
{
	check_generated_position(ds, change->want, change->want_table);
}

static ConvChange *
add_column_change(DiffState *ds, TableDiff *td, ConvAction action,
				  ConvColumn *want, ConvColumn *have)
{
	ConvChange *change = add_change(ds, KIND_COLUMN, action, td->schema,
									td->want, td->have);

	change->want = want;
	change->have = have;
	return change;
}

/*
 * The changes of one kept column: a rename, a rebuild, or what differs in
 * place; and its remap, when a CHECK that reads it changes or its type
 * does (a column moving to an enum is remapped in the conversion itself).
 */
static void
diff_kept_column(DiffState *ds, TableDiff *td, ConvColumn *wcol,
				 ConvColumn *hcol, int i)
{
	Oid			coll = resolve_column(ds, wcol, td->schema);
	int			what = td->what[i];
	ConvChange *change;

	if (strcmp(hcol->name, wcol->name) != 0)
		add_column_change(ds, td, ACTION_RENAME, wcol, hcol);
	if (td->rebuild[i])
	{
		const char *because = stored_calls_dropped(ds, hcol->default_bin,
												   false);

		add_column_change(ds, td, ACTION_DROP, wcol, hcol)->because = because;
		change = add_column_change(ds, td, ACTION_CREATE, wcol, NULL);
		change->of.collation = coll;
		change->because = because;
		return;
	}

	/*
	 * A generated column becomes a plain one before other changes; a
	 * default goes before a function it calls is dropped.
	 */
	if (what & COLUMN_GENERATED)
	{
		add_column_change(ds, td, ACTION_DROP_EXPRESSION, wcol, hcol);
		what &= ~COLUMN_GENERATED;
	}
	if (what & COLUMN_DEFAULT_EARLY)
	{
		add_column_change(ds, td, ACTION_DROP_EXPRESSION, wcol,
						  hcol)->because =
			stored_calls_dropped(ds, hcol->default_bin, false);
		if (wcol->default_expr == NULL)
			what &= ~(COLUMN_DEFAULT | COLUMN_DEFAULT_EARLY);
	}
	if (what != 0)
	{
		change = add_column_change(ds, td, ACTION_ALTER, wcol, hcol);
		change->of.collation = coll;
		change->what = what;
	}
	if (wcol->remap_from && !column_note(ds, wcol)->doc_enum &&
		(names_overlap(td->checked, list_make1(wcol->name)) ||
		 (what & COLUMN_TYPE)))
		add_column_change(ds, td, ACTION_REMAP, wcol, hcol);
}

/*
 * columns_diff
 *		The changes of a current table's columns, once its members have
 *		been compared: added, kept, and dropped columns.
 */
void
columns_diff(DiffState *ds, TableDiff *td)
{
	ListCell   *lc,
			   *mc;
	int			i = 0;

	forboth(lc, td->want->columns, mc, td->matches)
	{
		ConvColumn *wcol = lfirst(lc);
		ConvColumn *hcol = lfirst(mc);

		if (hcol == NULL)
			add_column_change(ds, td, ACTION_CREATE, wcol, NULL)->
				of.collation = resolve_column(ds, wcol, td->schema);
		else
			diff_kept_column(ds, td, wcol, hcol, i);
		i++;
	}
	foreach(lc, td->have->columns)
		if (!list_member_ptr(td->matches, lfirst(lc)))
			add_column_change(ds, td, ACTION_DROP, NULL, lfirst(lc));
}

/* ----------------------------------------------------------------
 * Steps
 * ----------------------------------------------------------------
 */

char *
type_sql(const DiffState *ds, const ConvColumn *col, Oid collation)
{
	const ColumnNote *note = column_note(ds, col);
	char	   *type;

	/* an enum the plan creates, or recreates under a new name */
	if (note->doc_enum)
	{
		const EnumPair *ep = note->doc_enum;

		return psprintf("%s%s",
						quote_qualified_identifier(ep->want->schema,
												   ep->build_name ?
												   ep->build_name :
												   ep->want->name),
						note->doc_enum_array ? "[]" : "");
	}
	if (note->doc_domain)
		return quote_qualified_identifier(note->doc_domain->want->schema,
										  note->doc_domain->build_name);
	/* a type an extension the plan creates brings: as the document says */
	if (!OidIsValid(col->type_oid))
		return col->type_name;
	type = format_type_with_typemod(col->type_oid, col->typmod);

	if (OidIsValid(collation) && collation != get_typcollation(col->type_oid))
		return psprintf("%s COLLATE %s", type,
						generate_collation_name(collation));
	return type;
}

/*
 * The type a probe converts a column to.  An enum the plan creates does not
 * exist while the probes run: its values are checked as text.
 */
char *
probe_type(const DiffState *ds, const ConvColumn *col)
{
	const ColumnNote *note = column_note(ds, col);

	if (note->doc_enum && (note->doc_enum->build_name ||
						   note->doc_enum->relabelled))
		return note->doc_enum_array ? "pg_catalog.text[]" : "pg_catalog.text";
	if (note->doc_domain)
	{
		const ConvDomain *d = note->doc_domain->want;

		return OidIsValid(d->type_oid) && !over_new_enum(ds, col) ?
			format_type_with_typemod(d->type_oid, d->typmod) :
			"pg_catalog.text";
	}
	return type_sql(ds, col, InvalidOid);
}

static char *
remap_values(const ConvColumn *col)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, col->remap_from)
		appendStringInfo(&buf, "%s%s", buf.len ? ", " : "",
						 quote_literal_cstr(lfirst(lc)));
	return buf.data;
}

static char *
remap_pairs(const ConvColumn *col)
{
	StringInfoData buf;
	ListCell   *fc,
			   *tc;

	initStringInfo(&buf);
	forboth(fc, col->remap_from, tc, col->remap_to)
		appendStringInfo(&buf, "%s%s -> %s", buf.len ? ", " : "",
						 (char *) lfirst(fc), (char *) lfirst(tc));
	return buf.data;
}

static const char *
identity_sql(char identity)
{
	return identity == ATTRIBUTE_IDENTITY_ALWAYS ? "ALWAYS" : "BY DEFAULT";
}

/* name type [COLLATE] [DEFAULT | GENERATED ...] [NOT NULL] */
char *
column_definition(const DiffState *ds, const ConvColumn *col, Oid collation,
				  bool with_not_null)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "%s %s", quote_identifier(col->name),
					 type_sql(ds, col, collation));
	if (col->generated)
		appendStringInfo(&buf, " GENERATED ALWAYS AS %s STORED",
						 expr_sql(col->generated));
	else if (col->identity)
		appendStringInfo(&buf, " GENERATED %s AS IDENTITY%s",
						 identity_sql(col->identity),
						 identity_options_sql(col, col->type_oid, NULL));
	else if (col->default_expr)
		appendStringInfo(&buf, " DEFAULT %s",
						 enum_column_expr(ds, col, col->default_expr,
										  &col->default_pos));
	if (with_not_null && col->not_null)
		appendStringInfoString(&buf, " NOT NULL");
	return buf.data;
}

void
add_column_comment(ConvPlanState *ps, const ConvChange *change,
				   const ConvColumn *col)
{
	char	   *object = column_object(change, col->name);

	add_comment(ps, "comment_column", "COLUMN", object,
				col->comment);
}

/*
 * The planner's statistics target for the column: ANALYZE reads it, and
 * the server takes only a SHARE UPDATE EXCLUSIVE lock to set it.
 */
void
add_column_statistics(ConvPlanState *ps, const ConvChange *change,
					  const ConvColumn *col)
{
	add_step(ps, "set_statistics", column_object(change, col->name),
			 psprintf("ALTER TABLE %s ALTER COLUMN %s SET STATISTICS %d",
					  table_sql(change), quote_identifier(col->name),
					  col->statistics),
			 col->statistics < 0 ? pstrdup("statistics: the default") :
			 psprintf("statistics: %d", col->statistics),
			 0);
}

/*
 * A column of a domain that has constraints: its default must pass them,
 * or ADD COLUMN fails on a table with rows and every insert that takes
 * the default fails.  The probe's cast to the domain runs its CHECKs and
 * NOT NULL, as the server's own coercion of the default does (num_nulls
 * only makes the planner keep the cast, which it would drop unread).  Only a
 * domain that exists and stays (the plan neither creates nor rebuilds
 * it) is probed, with a default that is not volatile.
 */
void
probe_domain_default(const DiffState *ds, ConvStep *step,
					 const ConvColumn *col, bool exists)
{
	if (col->default_expr == NULL || col->generated || col->identity ||
		!OidIsValid(col->type_oid) || column_note(ds, col)->doc_domain ||
		get_typtype(col->type_oid) != TYPTYPE_DOMAIN ||
		!DomainHasConstraints(col->type_oid) ||
		default_rewrites(ds, col))
		return;
	add_default_probe(step, exists,
					  psprintf("a new row that takes the default of %s",
							   quote_identifier(col->name)),
					  psprintf("(SELECT (%s)::%s AS converge_value, %s AS converge_sample_key) AS d",
							   expr_sql(col->default_expr),
							   type_sql(ds, col, InvalidOid),
							   quote_literal_cstr(col->default_expr)),
					  "default",
					  "pg_catalog.num_nulls(converge_value) < 0",
					  FIX_DEFAULT_DOMAIN);
}

static void
plan_add_column(ConvPlanState *ps, const ConvChange *change)
{
	const DiffState *ds = ps->diff;
	ConvColumn *col = change->want;
	char	   *object = column_object(change, col->name);
	char	   *table = table_sql(change);
	bool		backfill = (col->using_expr != NULL);
	int			hazards = HAZARD_ACCESS_EXCLUSIVE;
	ConvStep   *step;

	if (col->generated || col->identity || default_rewrites(ds, col))
		hazards |= HAZARD_TABLE_REWRITE;

	step = add_step(ps, "add_column", object,
					psprintf("ALTER TABLE %s ADD COLUMN %s", table,
							 column_definition(ds, col,
											   change->of.collation,
											   !backfill)),
					made_again_because(change,
									   pstrdup("column is declared in the document and does not exist")),
					hazards);
	if (!col->generated && !col->identity)
		enum_refuse_label(step, enum_default_problem(ds, col));
	probe_domain_default(ds, step, col, true);

	if (backfill)
	{
		char	   *using = enum_column_expr(ds, col, col->using_expr,
											 &col->using_pos);
		char	   *value = enum_using_text(ds, col) ?
			enum_using_text(ds, col) :
			psprintf("(%s)::%s", using, type_sql(ds, col, InvalidOid));

		step = add_step(ps, "fill_column", object,
						psprintf("UPDATE %s SET %s = %s", table,
								 quote_identifier(col->name), using),
						psprintf("using: %s", col->using_expr),
						HAZARD_FULL_SCAN);
		set_probe(ps, step, change, NULL,
				  psprintf("%s IS NULL", value),
				  "would be NULL after \"using\"",
				  col->not_null ? REFUSE_ALWAYS : REFUSE_NEVER, FIX_USING);
		if (col->not_null)
			add_step(ps, "set_not_null", object,
					 psprintf("ALTER TABLE %s ALTER COLUMN %s SET NOT NULL",
							  table, quote_identifier(col->name)),
					 pstrdup("nullable: false"),
					 HAZARD_ACCESS_EXCLUSIVE | HAZARD_FULL_SCAN);
	}
	else if (col->not_null && !col->default_expr && !col->identity &&
			 !col->generated)
		set_probe(ps, step, change, NULL, pstrdup("true"),
				  "would be NULL in the new NOT NULL column, which has no default",
				  REFUSE_ALWAYS, FIX_DEFAULT_OR_USING);
	else if (col->default_expr || col->identity || col->generated)
		set_probe(ps, step, change, NULL, NULL, NULL, REFUSE_NEVER, FIX_NONE);

	if (col->comment)
		add_column_comment(ps, change, col);
	if (col->statistics >= 0)
		add_column_statistics(ps, change, col);
}

static char *
describe_default(const char *expr)
{
	return expr ? pstrdup(expr) : pstrdup("(none)");
}

/* how a column's rows move to an enum (or an array of it) */
static char *
enum_conversion(const DiffState *ds, const ConvColumn *want, const char *col)
{
	return psprintf("(%s)::%s", enum_text(ds, want, col),
					type_sql(ds, want, InvalidOid));
}

/*
 * The check that existing rows convert: with "using", every row must
 * evaluate; into a domain or an enum, every value must fit; otherwise the
 * server's assignment cast must exist and must not change any value.  Rows
 * meet the conversion after the remap steps.
 */
static void
probe_conversion(ConvPlanState *ps, ConvStep *step, const ConvChange *change,
				 const char *old_type)
{
	const DiffState *ds = ps->diff;
	ConvColumn *want = change->want;
	const ColumnNote *note = column_note(ds, want);
	const DomainPair *doc_domain = note->doc_domain;
	ConvColumn *have = change->have;
	const char *col = quote_identifier(want->name);
	char	   *plain_new = type_sql(ds, want, InvalidOid);

	if (doc_domain && !want->using_expr && !over_new_enum(ds, want) &&
		OidIsValid(domain_base(doc_domain)->type_oid) &&
		!can_coerce_type(1, &have->type_oid,
						 &domain_base(doc_domain)->type_oid,
						 COERCION_ASSIGNMENT))
	{
		const ConvDomain *base = domain_base(doc_domain);

		step->problem = psprintf("there is no automatic conversion from %s to %s",
								 old_type,
								 format_type_with_typemod(base->type_oid,
														  base->typmod));
		step->fix = FIX_USING;
		step->rows_affected = -1;
	}
	else if (doc_domain && !want->using_expr)
	{
		/* a recreated enum under the domain: values are checked as text */
		bool		over_enum = over_new_enum(ds, want);
		ListCell   *lc;

		set_probe(ps, step, change, NULL,
				  domain_misfits(doc_domain->want,
								 over_enum ? enum_text(ds, want, col) : col),
				  "would break a rule of the domain", REFUSE_ALWAYS,
				  FIX_ROWS);
		if (over_enum)
			set_probe(ps, step, change, NULL, enum_misfits(ds, want, col),
					  "would hold a value the enum does not have",
					  REFUSE_ALWAYS, FIX_REMAP);
		foreach(lc, step->probes)
			((ConvProbe *) lfirst(lc))->lenient |= over_enum;
	}
	else if (enum_using_text(ds, want))
	{
		/* into an enum the plan recreates: the using's values as text */
		set_probe_on(ps, step, change, ROWS_REMAPPED, NULL,
					 enum_using_misfits(ds, want),
					 "would hold a value the enum does not have after \"using\"",
					 REFUSE_ALWAYS, FIX_USING);
		set_probe_on(ps, step, change, ROWS_REMAPPED, pstrdup("false"),
					 psprintf("%s IS NULL", enum_using_text(ds, want)),
					 "would be NULL after \"using\"",
					 want->not_null ? REFUSE_ALWAYS : REFUSE_NEVER, FIX_USING);
	}
	else if (note->doc_enum && !want->using_expr)
		set_probe(ps, step, change, NULL, enum_misfits(ds, want, col),
				  "would hold a value the enum does not have",
				  REFUSE_ALWAYS, FIX_REMAP);
	else if (want->using_expr)
		set_probe_on(ps, step, change, ROWS_REMAPPED, NULL,
					 psprintf("(%s)::%s IS NULL", expr_sql(want->using_expr),
							  plain_new),
					 "would be NULL after \"using\"",
					 want->not_null ? REFUSE_ALWAYS : REFUSE_NEVER, FIX_USING);
	else if (!can_coerce_type(1, &have->type_oid, &want->type_oid,
							  COERCION_ASSIGNMENT))
	{
		step->problem = psprintf("there is no automatic conversion from %s to %s",
								 old_type, plain_new);
		step->fix = FIX_USING;
		step->rows_affected = -1;
	}
	else
	{
		/*
		 * A value is lost when the round trip through the new type does not
		 * give it back.  Values are compared with the old type's equality,
		 * else the new type's (json to jsonb only normalises), else as text.
		 */
		const char *as = "pg_catalog.text";

		if (OidIsValid(lookup_type_cache(have->type_oid,
										 TYPECACHE_EQ_OPR)->eq_opr))
			as = old_type;
		else if (OidIsValid(lookup_type_cache(want->type_oid,
											  TYPECACHE_EQ_OPR)->eq_opr))
			as = plain_new;

		set_probe_on(ps, step, change, ROWS_REMAPPED, NULL,
					 psprintf("%s IS NOT NULL AND (((%s)::%s)::%s)::%s"
							  " IS DISTINCT FROM (%s)::%s",
							  col, col, plain_new, old_type, as, col, as),
					 "would change value in the conversion",
					 REFUSE_ALWAYS, FIX_USING);
	}
}

/*
 * ALTER COLUMN ... TYPE: the rows must convert, and as converted still
 * meet the rules the table keeps (its keys are rebuilt on the new values).
 */
static void
plan_alter_type(ConvPlanState *ps, const ConvChange *change, const char *table,
				const char *object)
{
	const DiffState *ds = ps->diff;
	ConvColumn *want = change->want;
	ConvColumn *have = change->have;
	const char *col = quote_identifier(want->name);
	char	   *new_type = type_sql(ds, want, change->of.collation);
	char	   *old_type = format_type_with_typemod(have->type_oid, have->typmod);
	StringInfoData sql;
	ConvStep   *step;

	/* here "using" is ALTER TABLE's transform, not an UPDATE's value */
	expr_refuse_subquery(want->using_expr, &want->using_pos,
						 "transform expression");
	initStringInfo(&sql);
	appendStringInfo(&sql, "ALTER TABLE %s ALTER COLUMN %s TYPE %s",
					 table, col, new_type);
	if (want->using_expr)
		appendStringInfo(&sql, " USING %s",
						 enum_column_expr(ds, want, want->using_expr,
										  &want->using_pos));
	else if (enum_converts(ds, want))
		appendStringInfo(&sql, " USING %s", enum_conversion(ds, want, col));

	step = add_step(ps, "alter_column_type", pstrdup(object), sql.data,
					psprintf("type: %s%s -> %s", old_type,
							 have->collation ?
							 psprintf(" COLLATE %s", have->collation) : "",
							 new_type),
					HAZARD_ACCESS_EXCLUSIVE | HAZARD_TABLE_REWRITE |
					HAZARD_FULL_SCAN);

	probe_conversion(ps, step, change, old_type);
	probe_kept_rules(ps, step, change->users, FIX_REWRITE);
	refuse_if_used(step, have->retype_blocker, "column", "given a new type");
}

/*
 * Move a column's identity sequence past the largest value rows hold, and
 * past the position of any sequence the column owns: a serial column
 * becoming an identity keeps handing out the values it would have.  The
 * identity sequence is found through its identity dependency, the owned
 * ones through OWNED BY's.
 */
static char *
identity_sync_sql(const char *table, const char *column)
{
	char	   *rel = quote_literal_cstr(table);
	char	   *attnum = psprintf("(SELECT a.attnum FROM pg_catalog.pg_attribute a"
								  " WHERE a.attrelid = %s::pg_catalog.regclass"
								  " AND a.attname = %s)",
								  rel, quote_literal_cstr(column));

	return psprintf("SELECT pg_catalog.setval(d.objid::pg_catalog.regclass,"
					" GREATEST(m.v, o.v))"
					" FROM (SELECT pg_catalog.max(%s) AS v FROM %s) AS m,"
					" (SELECT pg_catalog.max(pg_catalog.pg_sequence_last_value(s.oid)) AS v"
					" FROM pg_catalog.pg_depend x"
					" JOIN pg_catalog.pg_class s ON s.oid = x.objid AND s.relkind = 'S'"
					" WHERE x.classid = 'pg_catalog.pg_class'::pg_catalog.regclass"
					" AND x.refobjid = %s::pg_catalog.regclass"
					" AND x.refobjsubid = %s AND x.deptype = 'a') AS o,"
					" pg_catalog.pg_depend d"
					" WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass"
					" AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass"
					" AND d.refobjid = %s::pg_catalog.regclass"
					" AND d.refobjsubid = %s"
					" AND d.deptype = 'i' AND GREATEST(m.v, o.v) IS NOT NULL",
					quote_identifier(column), table, rel, attnum, rel, attnum);
}

/*
 * An identity column becoming one with a default from a sequence the plan
 * creates (a serial column): that sequence takes the identity sequence's
 * position before the identity, and its sequence, go.
 */
static void
plan_carry_position(ConvPlanState *ps, const ConvChange *change,
					const char *object)
{
	ConvColumn *want = change->want;
	List	   *names = expr_string_constants(want->default_expr,
											  &want->default_pos);

	if (!column_note(ps->diff, want)->default_pending || names == NIL)
		return;
	add_step(ps, "carry_position", pstrdup(object),
			 psprintf("SELECT pg_catalog.setval(%s::pg_catalog.regclass, p.v)"
					  " FROM (SELECT pg_catalog.pg_sequence_last_value("
					  "pg_catalog.pg_get_serial_sequence(%s, %s)) AS v) AS p"
					  " WHERE p.v IS NOT NULL",
					  quote_literal_cstr(linitial(names)),
					  quote_literal_cstr(table_sql(change)),
					  quote_literal_cstr(want->name)),
			 psprintf("%s continues where the identity sequence stopped",
					  (char *) linitial(names)),
			 0);
}

/*
 * column_fill
 *		What fills the NULLs of a column a change makes NOT NULL, as the
 *		document writes it: "using", else the default; NULL when nothing
 *		does (or a type change's USING already sets every row).
 */
const char *
column_fill(const ConvChange *change)
{
	ConvColumn *want = change->want;

	if (change->kind != KIND_COLUMN || change->action != ACTION_ALTER ||
		!(change->what & COLUMN_NOT_NULL) || !want->not_null ||
		((change->what & COLUMN_TYPE) && want->using_expr))
		return NULL;
	return want->using_expr ? want->using_expr : want->default_expr;
}

/* NOT NULL set (NULLs filled first by "using" or the default) or dropped */
static void
plan_not_null(ConvPlanState *ps, const ConvChange *change, const char *object,
			  const char *alter)
{
	ConvColumn *want = change->want;
	char	   *table = table_sql(change);
	const char *col = quote_identifier(want->name);
	bool		type_using = (change->what & COLUMN_TYPE) && want->using_expr;
	ConvStep   *step;

	if (want->not_null)
	{
		/* the USING clause of a type change already set every row */
		const char *fill = column_fill(change) == NULL ? NULL :
			want->using_expr ?
			enum_column_expr(ps->diff, want, want->using_expr,
							 &want->using_pos) :
			"DEFAULT";

		if (fill)
		{
			step = add_step(ps, "fill_nulls", pstrdup(object),
							psprintf("UPDATE %s SET %s = %s WHERE %s IS NULL",
									 table, col, fill, col),
							psprintf("%s fills rows that are NULL",
									 want->using_expr ? "using" : "default"),
							HAZARD_FULL_SCAN);
			set_probe(ps, step, change, psprintf("%s IS NULL", col),
					  want->using_expr ?
					  psprintf("%s IS NULL AND %s IS NULL", col, fill) : NULL,
					  "would still be NULL after \"using\"",
					  REFUSE_ALWAYS, FIX_USING);
			if (!(change->what & COLUMN_TYPE))
				probe_kept_rules(ps, step, change->users, FIX_REWRITE);
		}
		step = add_step(ps, "set_not_null", pstrdup(object),
						psprintf("%s SET NOT NULL", alter),
						pstrdup("nullable: true -> false"),
						HAZARD_ACCESS_EXCLUSIVE | HAZARD_FULL_SCAN);
		if (!fill && !type_using)
			set_probe(ps, step, change, NULL, psprintf("%s IS NULL", col),
					  "would violate NOT NULL",
					  REFUSE_ALWAYS, FIX_DEFAULT_OR_USING);
	}
	else if (!want->identity)
		add_step(ps, "drop_not_null", pstrdup(object),
				 psprintf("%s DROP NOT NULL", alter),
				 pstrdup("nullable: false -> true"),
				 HAZARD_ACCESS_EXCLUSIVE);

}

static void
plan_alter_column(ConvPlanState *ps, const ConvChange *change)
{
	ConvColumn *want = change->want;
	ConvColumn *have = change->have;
	int			what = change->what;
	char	   *object = column_object(change, want->name);
	char	   *table = table_sql(change);
	const char *col = quote_identifier(want->name);
	char	   *alter = psprintf("ALTER TABLE %s ALTER COLUMN %s", table, col);
	ConvStep   *step;

	if ((what & COLUMN_IDENTITY) && have->identity)
	{
		if (want->identity)
			add_step(ps, "set_identity", pstrdup(object),
					 psprintf("%s SET GENERATED %s", alter,
							  identity_sql(want->identity)),
					 psprintf("identity: %s",
							  want->identity == ATTRIBUTE_IDENTITY_ALWAYS ?
							  "always" : "by default"),
					 HAZARD_ACCESS_EXCLUSIVE);
		else
		{
			plan_carry_position(ps, change, object);
			add_step(ps, "drop_identity", pstrdup(object),
					 psprintf("%s DROP IDENTITY", alter),
					 pstrdup("identity is not declared in the document"),
					 HAZARD_ACCESS_EXCLUSIVE);
		}
	}

	if ((what & COLUMN_DEFAULT) && !(what & COLUMN_DEFAULT_EARLY) &&
		have->default_expr)
		add_step(ps, "drop_default", pstrdup(object),
				 psprintf("%s DROP DEFAULT", alter),
				 psprintf("default: %s -> %s", have->default_expr,
						  describe_default(want->default_expr)),
				 HAZARD_ACCESS_EXCLUSIVE);

	if (what & COLUMN_TYPE)
		plan_alter_type(ps, change, table, object);

	if (what & COLUMN_IDENTITY_OPTIONS)
	{
		step = add_step(ps, "alter_identity", pstrdup(object),
						psprintf("%s%s", alter,
								 identity_options_sql(want, want->type_oid,
													  have)),
						pstrdup("identity sequence options differ from the document; the position is kept"),
						0);
		identity_refuse_out_of_bounds(step, want, want->type_oid, have);
	}

	if ((what & COLUMN_DEFAULT) && want->default_expr)
	{
		step = add_step(ps, "set_default", pstrdup(object),
						psprintf("%s SET DEFAULT %s", alter,
								 enum_column_expr(ps->diff, want,
												  want->default_expr,
												  &want->default_pos)),
						(what & COLUMN_DEFAULT_EARLY) ?
						psprintf("default %s is set again", want->default_expr) :
						psprintf("default: %s -> %s",
								 describe_default(have->default_expr),
								 want->default_expr),
						HAZARD_ACCESS_EXCLUSIVE);
		enum_refuse_label(step, enum_default_problem(ps->diff, want));
		probe_domain_default(ps->diff, step, want, true);
	}

	if (what & COLUMN_NOT_NULL)
		plan_not_null(ps, change, object, alter);

	if ((what & COLUMN_IDENTITY) && want->identity && !have->identity)
	{
		add_step(ps, "add_identity", pstrdup(object),
				 psprintf("%s ADD GENERATED %s AS IDENTITY%s", alter,
						  identity_sql(want->identity),
						  identity_options_sql(want, want->type_oid, NULL)),
				 psprintf("identity: %s",
						  want->identity == ATTRIBUTE_IDENTITY_ALWAYS ?
						  "always" : "by default"),
				 HAZARD_ACCESS_EXCLUSIVE);
		/* the new sequence must not hand out values rows already hold */
		step = add_step(ps, "sync_identity", pstrdup(object),
						identity_sync_sql(table, want->name),
						pstrdup("the identity sequence continues after the largest existing value"),
						HAZARD_FULL_SCAN);
		set_probe(ps, step, change, NULL, NULL, NULL, REFUSE_NEVER, FIX_NONE);
	}

	if (what & COLUMN_COMMENT)
		add_column_comment(ps, change, want);
	if (what & COLUMN_STATISTICS)
		add_column_statistics(ps, change, want);
}

static void
plan_remap(ConvPlanState *ps, const ConvChange *change)
{
	ConvColumn *col = change->want;
	const char *name = quote_identifier(col->name);
	char	   *in = psprintf("%s IN (%s)", name, remap_values(col));
	ConvStep   *step;

	step = add_step(ps, "remap_values", column_object(change, col->name),
					psprintf("UPDATE %s SET %s = %s WHERE %s",
							 table_sql(change), name,
							 remap_case(col, name), in),
					psprintf("a CHECK or the type of %s changes; remap: %s",
							 col->name, remap_pairs(col)),
					HAZARD_FULL_SCAN);
	set_probe(ps, step, change, in, NULL, NULL, REFUSE_NEVER, FIX_NONE);
	probe_kept_rules(ps, step, change->users, FIX_REWRITE);
}

/*
 * A column the document no longer declares, or one rebuilt because the
 * server cannot change a generation expression in place.  Only stored
 * values can be lost: a generated column's are derived.
 */
static void
plan_drop_column(ConvPlanState *ps, const ConvChange *change)
{
	ConvColumn *have = change->have;
	ConvColumn *want = change->want;
	const char *name = want ? want->name : have->name;	/* renamed by now */
	const char *col = quote_identifier(name);
	ConvStep   *step;

	step = add_step(ps, "drop_column", column_object(change, name),
					psprintf("ALTER TABLE %s DROP COLUMN %s",
							 table_sql(change), col),
					want && change->because ?
					psprintf("generated column %s", dropped_because(ps, change)) :
					want ?
					psprintf("generated: %s -> %s",
							 have->generated ? have->generated : "(none)",
							 want->generated) :
					pstrdup("column is not declared in the document"),
					HAZARD_ACCESS_EXCLUSIVE);
	if (!have->generated)
		set_probe(ps, step, change, psprintf("%s IS NOT NULL", col),
				  psprintf("%s IS NOT NULL", col),
				  "would lose a value", REFUSE_DATA_LOSS,
				  FIX_ALLOW_DATA_LOSS);
	refuse_if_used(step, have->used_outside, "column", "dropped");
}

static void
plan_rename_column(ConvPlanState *ps, const ConvChange *change)
{
	ConvColumn *want = change->want;
	ConvColumn *have = change->have;

	add_step(ps, "rename_column", column_object(change, want->name),
			 psprintf("ALTER TABLE %s RENAME COLUMN %s TO %s",
					  table_sql(change), quote_identifier(have->name),
					  quote_identifier(want->name)),
			 psprintf("renamed_from: %s", have->name),
			 HAZARD_ACCESS_EXCLUSIVE);
}

/*
 * A generated column's expression, or a default that calls a function the
 * plan drops (ConvChange.because says which), goes before other changes.
 */
static void
plan_drop_expression(ConvPlanState *ps, const ConvChange *change)
{
	ConvColumn *want = change->want;
	ConvColumn *have = change->have;
	char	   *alter = psprintf("ALTER TABLE %s ALTER COLUMN %s",
								 table_sql(change),
								 quote_identifier(want->name));

	if (have->generated == NULL)
		add_step(ps, "drop_default", column_object(change, want->name),
				 psprintf("%s DROP DEFAULT", alter),
				 psprintf("default %s goes first, because %s%s",
						  have->default_expr, change->because,
						  want->default_expr ? "; it is set again after" : ""),
				 HAZARD_ACCESS_EXCLUSIVE);
	else
		add_step(ps, "drop_expression", column_object(change, want->name),
				 psprintf("%s DROP EXPRESSION", alter),
				 psprintf("generated: %s -> (none)", have->generated),
				 HAZARD_ACCESS_EXCLUSIVE);
}

/*
 * A generated column is dropped before the columns it reads, and added
 * after their type changes.
 */
static PlanPhase
column_phase(const ConvChange *change, PlanPhase phase)
{
	if (change->action == ACTION_DROP &&
		((ConvColumn *) change->have)->generated)
		return PHASE_DROP_GENERATED;
	if (change->action == ACTION_CREATE &&
		((ConvColumn *) change->want)->generated)
		return PHASE_ADD_GENERATED;
	return phase;
}

/* ----------------------------------------------------------------
 * The catalog
 * ----------------------------------------------------------------
 */

/*
 * The columns of every managed table are read in C, not by a query: the
 * columns query joined five catalogs and ran three subqueries for each of
 * thousands of columns, and was a third of a plan with nothing to do.
 * The catalogs are opened once and scanned in the statement's snapshot,
 * the one the other catalog queries see.
 */
typedef struct ColumnScan
{
	CatalogRead *cr;
	Relation	attributes;
	Relation	defaults;
	Relation	depends;
} ColumnScan;

/*
 * A column's collation when it is not its type's, as the document writes
 * it: by name where the search path finds it, else qualified.
 */
static char *
attribute_collation(Oid collation, Oid typid)
{
	if (!OidIsValid(collation) || collation == get_typcollation(typid))
		return NULL;
	return CollationIsVisible(collation) ? get_collation_name(collation) :
		generate_collation_name(collation);
}

/*
 * A column's default or generation expression, as pg_get_expr() prints
 * it, and its stored tree.  A default reads no column, so it is printed
 * without its relation, which pg_get_expr() would otherwise open again for
 * every column; a generation expression reads columns.
 */
static void
read_default(ColumnScan *cs, Oid relid, ConvColumn *col, bool generated)
{
	ScanKeyData keys[2];
	SysScanDesc scan;
	HeapTuple	tup;

	ScanKeyInit(&keys[0], Anum_pg_attrdef_adrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	ScanKeyInit(&keys[1], Anum_pg_attrdef_adnum, BTEqualStrategyNumber,
				F_INT2EQ, Int16GetDatum(col->attnum));
	scan = systable_beginscan(cs->defaults, AttrDefaultIndexId, true,
							  cs->cr->snapshot, 2, keys);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		bool		isnull;
		Datum		bin = heap_getattr(tup, Anum_pg_attrdef_adbin,
									   RelationGetDescr(cs->defaults),
									   &isnull);
		char	   *expr = catalog_expr(cs->cr, bin,
										generated ? relid : InvalidOid,
										&col->default_bin);

		if (generated)
			col->generated = expr;
		else
			col->default_expr = expr;
	}
	systable_endscan(scan);
}

/* the options of an identity column's sequence */
static ConvSequence *
read_identity_options(ColumnScan *cs, Oid relid, AttrNumber attnum)
{
	ScanKeyData keys[3];
	SysScanDesc scan;
	HeapTuple	tup;
	ConvSequence *seq = NULL;

	ScanKeyInit(&keys[0], Anum_pg_depend_refclassid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(RelationRelationId));
	ScanKeyInit(&keys[1], Anum_pg_depend_refobjid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	ScanKeyInit(&keys[2], Anum_pg_depend_refobjsubid, BTEqualStrategyNumber,
				F_INT4EQ, Int32GetDatum(attnum));
	scan = systable_beginscan(cs->depends, DependReferenceIndexId, true,
							  cs->cr->snapshot, 3, keys);
	while (seq == NULL && HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_depend dep = (Form_pg_depend) GETSTRUCT(tup);
		HeapTuple	seqtup;
		Form_pg_sequence options;

		if (dep->classid != RelationRelationId ||
			dep->deptype != DEPENDENCY_INTERNAL)
			continue;
		seqtup = SearchSysCache1(SEQRELID, ObjectIdGetDatum(dep->objid));
		if (!HeapTupleIsValid(seqtup))
			continue;
		options = (Form_pg_sequence) GETSTRUCT(seqtup);
		seq = palloc0(sizeof(ConvSequence));
		seq->oid = dep->objid;
		seq->name = get_rel_name(dep->objid);
		seq->start = options->seqstart;
		seq->increment = options->seqincrement;
		seq->min = options->seqmin;
		seq->max = options->seqmax;
		seq->cache = options->seqcache;
		seq->cycle = options->seqcycle;
		ReleaseSysCache(seqtup);
	}
	systable_endscan(scan);
	return seq;
}

/* one attribute of a managed table */
static ConvColumn *
read_column(ColumnScan *cs, ConvTable *table, HeapTuple tup,
			Bitmapset *not_valid)
{
	Form_pg_attribute att = (Form_pg_attribute) GETSTRUCT(tup);
	ConvColumn *col = new_column();
	bool		isnull;
	Datum		acl;

	col->name = pstrdup(NameStr(att->attname));
	col->attnum = att->attnum;
	col->type_oid = att->atttypid;
	col->typmod = att->atttypmod;
	col->type_name = catalog_type_name(cs->cr, att->atttypid,
									   att->atttypmod);
	col->not_null = att->attnotnull &&
		!bms_is_member(att->attnum, not_valid);
	col->identity = att->attidentity;
	compat_refuse_virtual_generated(table->oid, col->name, att->attgenerated);
	col->collation_oid = att->attcollation;
	col->collation = attribute_collation(att->attcollation, att->atttypid);
	if (att->atthasdef)
		read_default(cs, table->oid, col, att->attgenerated != '\0');
	col->comment = catalog_comment(cs->cr, RelationRelationId, table->oid,
								   att->attnum);
	col->statistics = compat_attstattarget(tup,
										   RelationGetDescr(cs->attributes));
	acl = heap_getattr(tup, Anum_pg_attribute_attacl,
					   RelationGetDescr(cs->attributes), &isnull);
	if (!isnull)
		col->grants = acl_grants(DatumGetAclP(acl));
	if (att->attidentity != '\0')
		col->identity_options = read_identity_options(cs, table->oid,
													  att->attnum);
	return col;
}

/* a table's columns, in their order */
static void
read_table_columns(ColumnScan *cs, ConvTable *table)
{
	Bitmapset  *not_valid = compat_not_valid_not_nulls(table->oid,
													   cs->cr->snapshot);
	ScanKeyData keys[2];
	SysScanDesc scan;
	HeapTuple	tup;

	ScanKeyInit(&keys[0], Anum_pg_attribute_attrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(table->oid));
	ScanKeyInit(&keys[1], Anum_pg_attribute_attnum, BTGreaterStrategyNumber,
				F_INT2GT, Int16GetDatum(0));
	scan = systable_beginscan(cs->attributes, AttributeRelidNumIndexId, true,
							  cs->cr->snapshot, 2, keys);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		if (((Form_pg_attribute) GETSTRUCT(tup))->attisdropped)
			continue;
		table->columns = lappend(table->columns,
								 read_column(cs, table, tup, not_valid));
	}
	systable_endscan(scan);
}

static void
read_columns(CatalogRead *cr)
{
	ColumnScan	cs;
	ListCell   *lc;

	cs.cr = cr;
	cs.attributes = table_open(AttributeRelationId, AccessShareLock);
	cs.defaults = table_open(AttrDefaultRelationId, AccessShareLock);
	cs.depends = table_open(DependRelationId, AccessShareLock);
	foreach(lc, cr->tables)
		read_table_columns(&cs, lfirst(lc));
	table_close(cs.depends, AccessShareLock);
	table_close(cs.defaults, AccessShareLock);
	table_close(cs.attributes, AccessShareLock);
}

/* ----------------------------------------------------------------
 * The document: a table's "columns"
 * ----------------------------------------------------------------
 */

/*
 * A column's shorthands for constraints of its own: "check", "references"
 * and "unique: true", named as PostgreSQL would name them (an unnamed
 * CHECK after the one column it reads, or after the table when it reads
 * several).
 */
static void
build_column_constraints(ConvTable *table, const char *schema,
						 ConvColumn *col, const YNode *node, const char *path)
{
	const YNode *v;

	v = map_get(node, "check");
	if (v)
	{
		char	   *cpath = child_path(path, "check");
		DocPos		cpos = node_pos(v, cpath);
		List	   *refs = expr_column_refs(v->value, &cpos);
		ConvCheck  *check;

		check = new_check(makeObjectName(table->name,
										 list_length(refs) == 1 ?
										 linitial(refs) : NULL,
										 "check"),
						  v, cpath);
		check->column = col->name;
		table->checks = lappend(table->checks, check);
	}

	v = map_get(node, "references");
	if (v)
	{
		const YNode *rc = map_get(v, "column");
		char	   *rpath = child_path(path, "references");
		ConvForeignKey *fk;

		if (rc == NULL)
			doc_error(ERRCODE_INVALID_PARAMETER_VALUE, v, rpath,
					  "references needs a \"column\"");
		fk = new_foreign_key(makeObjectName(table->name, col->name, "fkey"),
							 schema, list_make1(col->name), v,
							 NULL, list_make1(rc->value), rpath);
		fk->on_column = true;
		table->foreign_keys = lappend(table->foreign_keys, fk);
	}

	v = map_get(node, "unique");
	if (v && doc_key_bool(v, path, "unique"))
	{
		ConvKey    *key = new_key(makeObjectName(table->name, col->name,
												 "key"),
								  false, list_make1(col->name), v,
								  child_path(path, "unique"));

		key->on_column = true;
		table->keys = lappend(table->keys, key);
	}
}

/*
 * Identity, nullability, default and generation, and what may not go
 * together: an identity column is NOT NULL by definition.
 */
static void
build_column_value(ConvColumn *col, const YNode *node, const char *path)
{
	const YNode *v = map_get(node, "identity");

	if (v)
	{
		if (strcmp(v->value, "always") == 0)
			col->identity = ATTRIBUTE_IDENTITY_ALWAYS;
		else if (strcmp(v->value, "by default") == 0)
			col->identity = ATTRIBUTE_IDENTITY_BY_DEFAULT;
		else
			doc_error(ERRCODE_INVALID_PARAMETER_VALUE, v,
					  child_path(path, "identity"),
					  "identity must be \"always\" or \"by default\", found \"%s\"",
					  v->value);
	}

	v = map_get(node, "nullable");
	col->not_null = v ? !doc_key_bool(v, path, "nullable") : false;
	if (col->identity)
	{
		if (v && !col->not_null)
			doc_error(ERRCODE_INVALID_PARAMETER_VALUE, v,
					  child_path(path, "nullable"),
					  "identity column \"%s\" cannot be nullable", col->name);
		col->not_null = true;
	}
	if (col->identity && col->default_expr)
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, map_get(node, "default"),
				  child_path(path, "default"),
				  "identity column \"%s\" cannot have a default", col->name);
	if (col->generated && (col->default_expr || col->identity))
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, map_get(node, "generated"),
				  child_path(path, "generated"),
				  "generated column \"%s\" cannot have a default or an identity",
				  col->name);
}

/* "statistics": what SET STATISTICS takes, -1 for the default */
static int
build_statistics(const YNode *node, const char *path)
{
	const YNode *v = map_get(node, "statistics");
	int64		target;

	if (v == NULL)
		return -1;
	target = doc_key_int(v, path, "statistics");
	if (target < -1 || target > STATISTICS_TARGET_MAX)
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, v,
				  child_path(path, "statistics"),
				  "statistics must be between -1 and %d, found %s",
				  STATISTICS_TARGET_MAX, v->value);
	return (int) target;
}

static void *
build_column(DocContainer *dc, const char *name, const YNode *node,
			 const char *path)
{
	ConvColumn *col = new_column();

	doc_renamable((ConvObject *) col, NULL, name, node, path);
	col->type_name = map_string(node, "type");
	col->type_pos = value_pos(node, "type", path);
	if (col->type_name == NULL)
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, node, path,
				  "column \"%s\" has no type", name);
	col->typmod = -1;
	col->collation = map_string(node, "collation");
	col->collation_pos = value_pos(node, "collation", path);
	col->default_expr = map_string(node, "default");
	col->default_pos = value_pos(node, "default", path);
	col->generated = map_string(node, "generated");
	col->generated_pos = value_pos(node, "generated", path);
	expr_refuse_subquery(col->default_expr, &col->default_pos,
						 "DEFAULT expression");
	expr_refuse_subquery(col->generated, &col->generated_pos,
						 "column generation expression");
	col->using_expr = map_string(node, "using");
	col->using_pos = value_pos(node, "using", path);
	col->comment = doc_comment(node);
	col->statistics = build_statistics(node, path);
	string_map(map_get(node, "remap"), &col->remap_from, &col->remap_to);
	build_column_constraints(dc->table, dc->schema->name, col, node, path);
	build_column_value(col, node, path);
	identity_build(col, node, path);
	serial_expand(dc, col, node, path);
	col->grants = object_grants(node, path, "COLUMN");
	return col;
}

static void
build_columns(DocContainer *dc, const char *key, const YNode *value,
			  const char *path)
{
	build_entries(dc, value, path, build_column, &dc->table->columns);
}

static const KeySpec column_keys[] = {
	{"type", V_STRING},
	{"nullable", V_BOOL},
	{"default", V_EXPR},
	{"identity", V_STRING},
	{"sequence", V_MAPPING, identity_option_keys},
	{"generated", V_EXPR},
	{"collation", V_STRING},
	{"comment", V_STRING},
	{"statistics", V_INT},
	{"renamed_from", V_STRING},
	{"using", V_EXPR},
	{"remap", V_STRING_MAP},
	{"check", V_EXPR},
	{"unique", V_BOOL},
	{"references", V_MAPPING, reference_keys},
	{"grants", V_NAMED_STRINGS},
	{NULL}
};

static const KeySpec column_doc_keys[] = {
	{"columns", V_NAMED, column_keys},
	{NULL}
};

/* ----------------------------------------------------------------
 * Export
 * ----------------------------------------------------------------
 */

/* the CHECK written on this column, if there is one */
static const ConvCheck *
column_check(const ConvTable *table, const ConvColumn *col)
{
	ListCell   *lc;

	foreach(lc, table->checks)
	{
		ConvCheck  *check = lfirst(lc);

		if (check->column && strcmp(check->column, col->name) == 0)
			return check;
	}
	return NULL;
}

static bool
column_is_unique(const ConvTable *table, const ConvColumn *col)
{
	ListCell   *lc;

	foreach(lc, table->keys)
	{
		ConvKey    *key = lfirst(lc);

		if (key->on_column && strcmp(linitial(key->columns), col->name) == 0)
			return true;
	}
	return false;
}

static const ConvForeignKey *
column_reference(const ConvTable *table, const ConvColumn *col)
{
	ListCell   *lc;

	foreach(lc, table->foreign_keys)
	{
		ConvForeignKey *fk = lfirst(lc);

		if (fk->on_column && strcmp(linitial(fk->columns), col->name) == 0)
			return fk;
	}
	return NULL;
}

static void
emit_column(Emitter *em, const ConvSchema *schema, const ConvTable *table,
			const ConvColumn *col)
{
	const ConvCheck *check = column_check(table, col);
	const ConvForeignKey *fk = column_reference(table, col);
	const char *serial = serial_name(schema, table, col);

	emit_scalar(em, col->name, false);
	begin_mapping(em, true);
	emit_pair(em, "type", serial ? serial : col->type_name);
	if (col->not_null && !col->identity && !serial)
		emit_pair(em, "nullable", "false");
	if (col->default_expr && !serial)
		emit_pair(em, "default", col->default_expr);
	if (col->identity)
	{
		emit_pair(em, "identity",
				  col->identity == ATTRIBUTE_IDENTITY_ALWAYS ?
				  "always" : "by default");
		identity_emit(em, col);
	}
	if (col->generated)
		emit_pair(em, "generated", col->generated);
	if (col->collation)
		emit_pair(em, "collation", col->collation);
	if (check)
		emit_pair(em, "check", check->expr);
	if (column_is_unique(table, col))
		emit_pair(em, "unique", "true");
	if (fk)
	{
		emit_scalar(em, "references", false);
		begin_mapping(em, true);
		emit_pair(em, "table", referenced_table(schema->name, fk));
		emit_pair(em, "column", linitial(fk->ref_columns));
		emit_fk_actions(em, fk);
		end_mapping(em);
	}
	grants_emit(em, col->grants, NULL, "COLUMN", false);
	if (col->statistics >= 0)
		emit_pair(em, "statistics", psprintf("%d", col->statistics));
	if (col->comment)
		emit_pair(em, "comment", col->comment);
	end_mapping(em);
}

static void
emit_columns(Emitter *em, const ConvSchema *schema, const ConvTable *table)
{
	ListCell   *lc;

	/* a partition's columns are its parent's */
	if (is_partition(table))
		return;
	emit_scalar(em, "columns", false);
	begin_mapping(em, false);
	foreach(lc, table->columns)
		emit_column(em, schema, table, lfirst(lc));
	end_mapping(em);
}

/*
 * Rows rewritten in place, by a remap, a NULL fill or a conversion to a
 * new type, must still meet the rules of their table the plan keeps (a
 * unique key the remap makes duplicate, a CHECK the default breaks).
 */
static void
find_rewritten_rules(DiffState *ds)
{
	ListCell   *lc;

	foreach(lc, ds->changes)
	{
		ConvChange *change = lfirst(lc);

		if (change->kind == KIND_COLUMN && change->have_table &&
			(change->action == ACTION_REMAP || column_fill(change) != NULL ||
			 (change->action == ACTION_ALTER &&
			  (change->what & COLUMN_TYPE))))
			add_rule_stubs(ds, change, change->want_table,
						   list_make1(((ConvColumn *) change->want)->name));
	}
}

/*
 * The dependency graph: a column retyped, renamed or dropped is one that
 * whatever reads it must be rebuilt around.
 */
static const char *
column_reshapes(const ConvChange *change, ObjectAddress *object, bool *gone)
{
	ConvColumn *have = change->have;
	const char *how;

	if (change->action == ACTION_ALTER && (change->what & COLUMN_TYPE))
		how = "changes type";
	else if (change->action == ACTION_RENAME)
		how = psprintf("is renamed to %s",
					   quote_identifier(((ConvColumn *) change->want)->name));
	else if (change->action == ACTION_DROP)
		how = "is dropped";
	else
		return NULL;
	ObjectAddressSubSet(*object, RelationRelationId,
						change->have_table->oid, have->attnum);
	*gone = change->action != ACTION_ALTER;
	return psprintf("column %s.%s %s",
					quote_qualified_identifier(change->schema,
											   change->have_table->name),
					quote_identifier(have->name), how);
}

/*
 * The script's fingerprint: a column's type, default, rules and settings.
 * Never its attribute number: a table that lost a column numbers the rest
 * differently from its copy.
 */
static const char *const columns_fingerprint =
"SELECT 'column', pg_catalog.format('%I.%I.%I', n.nspname, c.relname, a.attname),"
" pg_catalog.concat_ws(' ', pg_catalog.format_type(a.atttypid, a.atttypmod),"
"   'collate ' || (SELECT pg_catalog.quote_ident(co.collname)"
"                    FROM pg_catalog.pg_collation co"
"                   WHERE co.oid = a.attcollation),"
"   CASE WHEN a.attnotnull THEN 'not null' END,"
"   CASE a.attgenerated WHEN '' THEN 'default ' ELSE 'generated ' END ||"
"     pg_catalog.pg_get_expr(ad.adbin, ad.adrelid),"
"   'identity ' || NULLIF(a.attidentity::pg_catalog.text, ''),"
"   'statistics ' || NULLIF(COALESCE(a.attstattarget::pg_catalog.int4, -1), -1),"
"   'storage ' || a.attstorage::pg_catalog.text,"
"   'compression ' || NULLIF(a.attcompression::pg_catalog.text, ''),"
"   'acl=' || " FP_ACL("pg_catalog.aclexplode(a.attacl)") ","
"   'comment=' || pg_catalog.quote_literal("
"     " COLUMN_COMMENT_OF("c.oid", "a.attnum") "))"
" FROM pg_catalog.pg_class c"
" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
" JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid"
" LEFT JOIN pg_catalog.pg_attrdef ad"
"   ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum"
" WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped"
"   AND" FP_MANAGED("n.nspname")
"   AND" NOT_EXTENSION_MEMBER("pg_class", "c.oid");

const ConvKindOps column_kind = {
	.name = "column",
	.diff_finish = find_rewritten_rules,
	.check_created = column_check_created,
	.reshapes = column_reshapes,
	.plan = {
		[ACTION_CREATE] = plan_add_column,
		[ACTION_ALTER] = plan_alter_column,
		[ACTION_RENAME] = plan_rename_column,
		[ACTION_DROP] = plan_drop_column,
		[ACTION_REMAP] = plan_remap,
		[ACTION_DROP_EXPRESSION] = plan_drop_expression,
	},
	.phase = column_phase,
	.doc_place = DOC_TABLE,
	.doc_keys = column_doc_keys,
	.build = build_columns,
	.plural = "columns",
	.read = read_columns,
	.fingerprint = columns_fingerprint,
	.emit = emit_columns,
};
