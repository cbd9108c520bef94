/*-------------------------------------------------------------------------
 *
 * plan.c
 *	  Turn the differences into an ordered list of steps.
 *
 * Steps run in fixed phases, like ALTER TABLE's own passes (PlanPhase):
 * schemas are created first, then renames (so every later statement can
 * use the names the document gives); then foreign keys are dropped before
 * the keys and CHECKs they could depend on, generated columns before the
 * columns they read, then tables and columns; new tables and columns are
 * added, remaps rewrite rows, existing columns are altered, generated
 * columns come back, and keys, CHECKs and foreign keys are added last, so
 * each is checked against rows in their final shape.  Comments close the
 * plan.  Within one column the order is the one the server needs: an
 * identity or default that is in the way goes first, the type changes,
 * the new default is set, NULLs are filled, NOT NULL is set, and a new
 * identity comes last.
 *
 * Each step carries its statement, why it exists, its hazards, and the
 * probe validate.c runs against existing rows before anything executes.
 * Every identifier is printed with quote_identifier; every type through
 * format_type; every document expression as exactly one parenthesized
 * expression (expr_sql).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_attribute.h"
#include "lib/stringinfo.h"
#include "nodes/parsenodes.h"
#include "parser/parse_coerce.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/ruleutils.h"
#include "utils/typcache.h"

#include "model.h"

typedef enum PlanPhase
{
	PHASE_CREATE_SCHEMA,
	PHASE_CREATE_TYPE,
	PHASE_RENAME_TABLE,
	PHASE_RENAME_COLUMN,
	PHASE_DROP_FOREIGN_KEY,
	PHASE_DROP_CONSTRAINT,
	PHASE_DROP_TABLE,
	PHASE_DROP_GENERATED,
	PHASE_DROP_COLUMN,
	PHASE_CREATE_TABLE,
	PHASE_ADD_COLUMN,
	PHASE_REMAP,
	PHASE_ALTER_COLUMN,
	PHASE_FINISH_DOMAIN,
	PHASE_FINISH_TYPE,
	PHASE_ADD_GENERATED,
	PHASE_ADD_KEY,
	PHASE_ADD_CHECK,
	PHASE_ADD_FOREIGN_KEY,
	PHASE_COMMENT,
	NUM_PHASES
} PlanPhase;

/* the FROM item validate.c reads a current table through */
/* how far into the plan validate.c sees a table's rows */
typedef enum RowStage
{
	ROWS_NOW,					/* as they are, under the document's names */
	ROWS_REMAPPED,				/* after the remap steps */
	ROWS_AFTER					/* when new rules are added: remapped,
								 * converted, added columns filled */
} RowStage;

typedef struct RowSource
{
	ConvTable  *have;
	RowStage	stage;
	char	   *source;
	char	   *key_label;
} RowSource;

typedef struct PlanState
{
	List	   *changes;
	List	   *steps;
	List	   *sources;		/* of RowSource, built on first use */
	bool		labels_change;	/* the plan renames or recreates an enum */
} PlanState;

static PlanPhase
phase_of(const ConvChange *change)
{
	switch (change->kind)
	{
		case CHANGE_CREATE_SCHEMA:
			return PHASE_CREATE_SCHEMA;
		case CHANGE_CREATE_ENUM:
		case CHANGE_RENAME_ENUM_VALUE:
		case CHANGE_ADD_ENUM_VALUE:
			return PHASE_CREATE_TYPE;
		case CHANGE_FINISH_ENUM:
		case CHANGE_DROP_ENUM:
			return PHASE_FINISH_TYPE;
		case CHANGE_ENUM_COMMENT:
			return PHASE_COMMENT;
		case CHANGE_CREATE_DOMAIN:
			return PHASE_CREATE_TYPE;
		case CHANGE_DROP_DOMAIN_CHECK:
			return PHASE_DROP_CONSTRAINT;
		case CHANGE_ALTER_DOMAIN:
		case CHANGE_ADD_DOMAIN_CHECK:
			return PHASE_ADD_CHECK;
		case CHANGE_DROP_DOMAIN:
		case CHANGE_FINISH_DOMAIN:
			return PHASE_FINISH_DOMAIN;
		case CHANGE_RENAME_TABLE:
			return PHASE_RENAME_TABLE;
		case CHANGE_RENAME_COLUMN:
			return PHASE_RENAME_COLUMN;
		case CHANGE_DROP_TABLE:
			return PHASE_DROP_TABLE;
		case CHANGE_DROP_COLUMN:
			/* a generated column goes before the columns it reads */
			return change->have_column->generated ?
				PHASE_DROP_GENERATED : PHASE_DROP_COLUMN;
		case CHANGE_DROP_EXPRESSION:
			return PHASE_DROP_GENERATED;
		case CHANGE_CREATE_TABLE:
			return PHASE_CREATE_TABLE;
		case CHANGE_ADD_COLUMN:
			/* ... and comes after their type changes */
			return change->want_column->generated ?
				PHASE_ADD_GENERATED : PHASE_ADD_COLUMN;
		case CHANGE_ALTER_COLUMN:
			return PHASE_ALTER_COLUMN;
		case CHANGE_TABLE_COMMENT:
			return PHASE_COMMENT;
		case CHANGE_DROP_CHECK:
		case CHANGE_DROP_KEY:
		case CHANGE_DROP_INDEX:
			return PHASE_DROP_CONSTRAINT;
		case CHANGE_ADD_KEY:
		case CHANGE_ADD_INDEX:
			return PHASE_ADD_KEY;
		case CHANGE_DROP_FOREIGN_KEY:
			return PHASE_DROP_FOREIGN_KEY;
		case CHANGE_ADD_FOREIGN_KEY:
			return PHASE_ADD_FOREIGN_KEY;
		case CHANGE_REMAP_COLUMN:
			return PHASE_REMAP;
		case CHANGE_ADD_CHECK:
			return PHASE_ADD_CHECK;
	}
	return PHASE_COMMENT;
}

static ConvStep *
add_step(PlanState *ps, const char *action, char *object, char *sql,
		 char *reason, int hazards)
{
	ConvStep   *step = palloc0(sizeof(ConvStep));

	step->number = list_length(ps->steps) + 1;
	step->action = action;
	step->object = object;
	step->sql = sql;
	step->reason = reason;
	step->hazards = hazards;
	step->rows_affected = 0;
	ps->steps = lappend(ps->steps, step);
	return step;
}

/* ----------------------------------------------------------------
 * Names
 * ----------------------------------------------------------------
 */

/* the table as statements of this plan name it: the document's name */
static char *
table_sql(const ConvChange *change)
{
	const char *name = change->want_table ? change->want_table->name :
		change->have_table->name;

	return quote_qualified_identifier(change->schema, name);
}

static char *
table_object(const ConvChange *change)
{
	return table_sql(change);
}

static char *
column_object(const ConvChange *change, const char *column)
{
	return psprintf("%s.%s", table_sql(change), quote_identifier(column));
}

/* quoted names, comma-separated */
static char *
name_list(List *names)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, names)
		appendStringInfo(&buf, "%s%s", buf.len ? ", " : "",
						 quote_identifier(lfirst(lc)));
	return buf.data;
}

static char *
type_sql(const ConvColumn *col, Oid collation)
{
	char	   *type;

	/* an enum the plan creates, or recreates under a new name */
	if (col->doc_enum)
	{
		ConvEnum   *e = col->doc_enum;

		return psprintf("%s%s",
						quote_qualified_identifier(e->schema,
												   e->build_name ?
												   e->build_name : e->name),
						col->doc_enum_array ? "[]" : "");
	}
	if (col->doc_domain)
		return quote_qualified_identifier(col->doc_domain->schema,
										  col->doc_domain->build_name);
	type = format_type_with_typemod(col->type_oid, col->typmod);

	if (OidIsValid(collation) && collation != get_typcollation(col->type_oid))
		return psprintf("%s COLLATE %s", type,
						generate_collation_name(collation));
	return type;
}

/* the name a current column has in the document */
static const char *
column_alias(PlanState *ps, ConvTable *have, ConvColumn *hcol)
{
	ListCell   *lc;

	foreach(lc, ps->changes)
	{
		ConvChange *change = lfirst(lc);

		if (change->have_table == have && change->have_column == hcol &&
			change->kind == CHANGE_RENAME_COLUMN)
			return change->want_column->name;
	}
	return hcol->name;
}

static char *enum_text(const ConvColumn *want, const char *col);
static bool over_new_enum(const ConvColumn *want);

/*
 * The type a probe converts a column to.  An enum the plan creates does not
 * exist while the probes run: its values are checked as text.
 */
static char *
probe_type(const ConvColumn *col)
{
	if (col->doc_enum && (col->doc_enum->build_name ||
						  col->doc_enum->relabelled))
		return col->doc_enum_array ? "pg_catalog.text[]" : "pg_catalog.text";
	if (col->doc_domain)
		return OidIsValid(col->doc_domain->type_oid) &&
			!over_new_enum(col) ?
			format_type_with_typemod(col->doc_domain->type_oid,
									 col->doc_domain->typmod) :
			"pg_catalog.text";
	return type_sql(col, InvalidOid);
}

/* the change of kind "kind" for a current column, or NULL */
static ConvChange *
column_change(PlanState *ps, ConvColumn *hcol, ConvChangeKind kind)
{
	ListCell   *lc;

	foreach(lc, ps->changes)
	{
		ConvChange *change = lfirst(lc);

		if (change->have_column == hcol && change->kind == kind)
			return change;
	}
	return NULL;
}

static char *
remap_case(const ConvColumn *col, const char *value)
{
	StringInfoData buf;
	ListCell   *fc,
			   *tc;

	initStringInfo(&buf);
	appendStringInfo(&buf, "CASE %s", value);
	forboth(fc, col->remap_from, tc, col->remap_to)
		appendStringInfo(&buf, " WHEN %s THEN %s",
						 quote_literal_cstr(lfirst(fc)),
						 quote_literal_cstr(lfirst(tc)));
	appendStringInfo(&buf, " ELSE %s END", value);
	return buf.data;
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

/*
 * The rows as a new CHECK will see them: remapped, then converted to their
 * new types, over the plain source.
 */
static char *
staged_source(PlanState *ps, const ConvChange *change, const char *before,
			  RowStage stage)
{
	ConvTable  *have = change->have_table;
	const char *alias = quote_identifier(change->want_table->name);
	StringInfoData remapped;
	StringInfoData converted;
	ListCell   *lc,
			   *nc;

	initStringInfo(&remapped);
	initStringInfo(&converted);
	forboth(lc, have->columns, nc, have->doc_names)
	{
		ConvColumn *hcol = lfirst(lc);
		const char *name = quote_identifier(lfirst(nc));
		ConvChange *remap = column_change(ps, hcol, CHANGE_REMAP_COLUMN);
		ConvChange *alter = column_change(ps, hcol, CHANGE_ALTER_COLUMN);

		appendStringInfo(&remapped, "%s AS %s, ",
						 remap ? remap_case(remap->want_column, name) : name,
						 name);
		/* a dropped or rebuilt column is gone when new rules are added */
		if (column_change(ps, hcol, CHANGE_DROP_COLUMN))
			continue;
		if (alter && (alter->column_changes & COLUMN_TYPE))
		{
			ConvColumn *want = alter->want_column;
			const char *value = want->using_expr ? expr_sql(want->using_expr) :
				(want->doc_enum || over_new_enum(want)) ?
				enum_text(want, name) : name;

			appendStringInfo(&converted, "(%s)::%s AS %s, ", value,
							 probe_type(want), name);
		}
		else
			appendStringInfo(&converted, "%s, ", name);
	}
	/*
	 * Columns the plan adds hold what their generation expression, "using"
	 * or default gives.
	 */
	foreach(lc, ps->changes)
	{
		ConvChange *add = lfirst(lc);
		ConvColumn *col = add->want_column;
		const char *value;

		if (add->kind != CHANGE_ADD_COLUMN || add->have_table != have)
			continue;
		value = col->generated ? col->generated :
			col->using_expr ? col->using_expr : col->default_expr;
		appendStringInfo(&converted, "(%s)::%s AS %s, ",
						 value && !col->identity ? expr_sql(value) : "NULL",
						 probe_type(col),
						 quote_identifier(col->name));
	}
	if (stage == ROWS_REMAPPED)
		return psprintf("(SELECT %sconverge_sample_key FROM %s) AS %s",
						remapped.data, before, alias);
	return psprintf("(SELECT %sconverge_sample_key FROM"
					" (SELECT %sconverge_sample_key FROM %s) AS %s) AS %s",
					converted.data, remapped.data, before, alias, alias);
}

/*
 * The FROM item through which validate.c reads a current table: its
 * current columns under the document's names, and a sample key made of the
 * primary key (or ctid when there is none).  With "after", the rows as the
 * plan will have made them when its new CHECKs are added.
 */
static RowSource *
row_source(PlanState *ps, const ConvChange *change, RowStage stage)
{
	ConvTable  *have = change->have_table;
	RowSource  *rs;
	StringInfoData sql;
	StringInfoData key;
	StringInfoData label;
	ListCell   *lc;

	foreach(lc, ps->sources)
	{
		rs = lfirst(lc);
		if (rs->have == have && rs->stage == stage)
			return rs;
	}

	initStringInfo(&sql);
	initStringInfo(&key);
	initStringInfo(&label);
	appendStringInfoString(&sql, "(SELECT ");
	foreach(lc, have->columns)
	{
		ConvColumn *hcol = lfirst(lc);

		appendStringInfo(&sql, "%s AS %s, ", quote_identifier(hcol->name),
						 quote_identifier(column_alias(ps, have, hcol)));
	}
	foreach(lc, have->key_columns)
	{
		char	   *k = lfirst(lc);

		appendStringInfo(&key, "%s%s", key.len ? ", " : "",
						 quote_identifier(k));
		appendStringInfo(&label, "%s%s", label.len ? ", " : "", k);
	}
	if (have->key_columns)
		appendStringInfo(&sql,
						 "'(' || pg_catalog.concat_ws(', ', %s) || ')'",
						 key.data);
	else
		appendStringInfoString(&sql, "ctid::pg_catalog.text");
	appendStringInfo(&sql, " AS converge_sample_key FROM %s) AS %s",
					 quote_qualified_identifier(change->schema, have->name),
					 quote_identifier(change->want_table ?
									  change->want_table->name :
									  have->name));

	rs = palloc(sizeof(RowSource));
	rs->have = have;
	rs->stage = stage;
	rs->source = stage == ROWS_NOW ? sql.data :
		staged_source(ps, change, sql.data, stage);
	rs->key_label = have->key_columns ? psprintf("(%s)", label.data) :
		pstrdup("ctid");
	ps->sources = lappend(ps->sources, rs);
	return rs;
}

static ConvProbe *
set_probe_on(PlanState *ps, ConvStep *step, const ConvChange *change,
			 RowStage stage, char *affected, char *failing,
			 const char *failing_text, ConvRefusal refusal, ConvFix fix)
{
	RowSource  *rs = row_source(ps, change, stage);
	ConvProbe  *probe = palloc0(sizeof(ConvProbe));

	probe->source = rs->source;
	probe->key_label = rs->key_label;
	probe->affected = affected;
	probe->failing = failing;
	probe->failing_text = failing_text;
	probe->refusal = refusal;
	probe->fix = fix;

	/*
	 * Rows in their final shape can hold enum labels the plan renames or
	 * creates, which do not exist while the probes run.
	 */
	probe->lenient = (stage == ROWS_AFTER && ps->labels_change);
	step->probes = lappend(step->probes, probe);
	return probe;
}

static void
set_probe(PlanState *ps, ConvStep *step, const ConvChange *change,
		  char *affected, char *failing, const char *failing_text,
		  ConvRefusal refusal, ConvFix fix)
{
	set_probe_on(ps, step, change, ROWS_NOW, affected, failing, failing_text,
				 refusal, fix);
}

/* ----------------------------------------------------------------
 * Column definitions
 * ----------------------------------------------------------------
 */

static const char *
identity_sql(char identity)
{
	return identity == ATTRIBUTE_IDENTITY_ALWAYS ? "ALWAYS" : "BY DEFAULT";
}

/* name type [COLLATE] [DEFAULT | GENERATED ...] [NOT NULL] */
static char *
column_definition(const ConvColumn *col, Oid collation, bool with_not_null)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "%s %s", quote_identifier(col->name),
					 type_sql(col, collation));
	if (col->generated)
		appendStringInfo(&buf, " GENERATED ALWAYS AS %s STORED",
						 expr_sql(col->generated));
	else if (col->identity)
		appendStringInfo(&buf, " GENERATED %s AS IDENTITY",
						 identity_sql(col->identity));
	else if (col->default_expr)
		appendStringInfo(&buf, " DEFAULT %s", expr_sql(col->default_expr));
	if (with_not_null && col->not_null)
		appendStringInfoString(&buf, " NOT NULL");
	return buf.data;
}

static char *
comment_sql(const char *kind, const char *object, const char *comment)
{
	return psprintf("COMMENT ON %s %s IS %s", kind, object,
					comment ? quote_literal_cstr(comment) : "NULL");
}

static void
add_column_comment(PlanState *ps, const ConvChange *change,
				   const ConvColumn *col)
{
	char	   *object = column_object(change, col->name);

	add_step(ps, "comment_column", object,
			 comment_sql("COLUMN", object, col->comment),
			 pstrdup("comment differs from the document"), 0);
}

static void
add_table_comment(PlanState *ps, const ConvChange *change)
{
	add_step(ps, "comment_table", table_object(change),
			 comment_sql("TABLE", table_sql(change),
						 change->want_table->comment),
			 pstrdup("comment differs from the document"), 0);
}

/* ----------------------------------------------------------------
 * Steps, one function per kind of change
 * ----------------------------------------------------------------
 */

static void
plan_create_table(PlanState *ps, const ConvChange *change)
{
	ConvTable  *want = change->want_table;
	StringInfoData sql;
	ListCell   *lc;

	initStringInfo(&sql);
	appendStringInfo(&sql, "CREATE TABLE %s (", table_sql(change));
	foreach(lc, want->columns)
	{
		ConvColumn *col = lfirst(lc);

		/* cooking the default here refuses a bad one before any DDL */
		(void) expr_is_volatile_default(col);
		appendStringInfo(&sql, "%s%s", foreach_current_index(lc) ? ", " : "",
						 column_definition(col, col->collation ?
										   expr_collation_oid(col->collation,
															  &col->collation_pos) :
										   InvalidOid, true));
	}
	appendStringInfoChar(&sql, ')');
	add_step(ps, "create_table", table_object(change), sql.data,
			 pstrdup("table is declared in the document and does not exist"),
			 0);
}

static void
plan_add_column(PlanState *ps, const ConvChange *change)
{
	ConvColumn *col = change->want_column;
	char	   *object = column_object(change, col->name);
	char	   *table = table_sql(change);
	bool		backfill = (col->using_expr != NULL);
	int			hazards = HAZARD_ACCESS_EXCLUSIVE;
	ConvStep   *step;

	if (col->generated || col->identity || expr_is_volatile_default(col))
		hazards |= HAZARD_TABLE_REWRITE;

	step = add_step(ps, "add_column", object,
					psprintf("ALTER TABLE %s ADD COLUMN %s", table,
							 column_definition(col, change->want_collation,
											   !backfill)),
					pstrdup("column is declared in the document and does not exist"),
					hazards);

	if (backfill)
	{
		char	   *value = psprintf("(%s)::%s", expr_sql(col->using_expr),
									 type_sql(col, InvalidOid));

		step = add_step(ps, "fill_column", object,
						psprintf("UPDATE %s SET %s = %s", table,
								 quote_identifier(col->name),
								 expr_sql(col->using_expr)),
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
}

static char *
describe_default(const char *expr)
{
	return expr ? pstrdup(expr) : pstrdup("(none)");
}

/* the domain at the bottom of a chain of domains the plan creates */
static const ConvDomain *
domain_base(const ConvDomain *d)
{
	while (!OidIsValid(d->type_oid) && d->base_domain)
		d = d->base_domain;
	return d;
}

/* is the column's new type a domain over an enum the plan creates? */
static bool
over_new_enum(const ConvColumn *want)
{
	return want->doc_domain && want->doc_domain->base_enum &&
		want->doc_domain->base_enum->build_name;
}

/*
 * A column's value as text, with the labels the enum renames or remaps,
 * and the column's own remap, already mapped.
 */
static char *
enum_text(const ConvColumn *want, const char *col)
{
	ConvEnum   *e = want->doc_enum ? want->doc_enum :
		want->doc_domain->base_enum;
	List	   *from = list_concat_copy(list_concat_copy(e->renamed_from,
														 e->remap_from),
										want->remap_from);
	List	   *to = list_concat_copy(list_concat_copy(e->renamed_to,
													   e->remap_to),
									  want->remap_to);
	char	   *value;
	StringInfoData buf;
	ListCell   *fc,
			   *tc;

	/* arrays: each label replaced in place (USING allows no subquery) */
	if (want->doc_enum_array)
	{
		value = psprintf("(%s)::pg_catalog.text[]", col);
		forboth(fc, from, tc, to)
			value = psprintf("pg_catalog.array_replace(%s, %s, %s)", value,
							 quote_literal_cstr(lfirst(fc)),
							 quote_literal_cstr(lfirst(tc)));
		return value;
	}
	value = psprintf("(%s)::pg_catalog.text", col);
	if (from == NIL)
		return value;
	initStringInfo(&buf);
	appendStringInfo(&buf, "CASE %s", value);
	forboth(fc, from, tc, to)
		appendStringInfo(&buf, " WHEN %s THEN %s",
						 quote_literal_cstr(lfirst(fc)),
						 quote_literal_cstr(lfirst(tc)));
	appendStringInfo(&buf, " ELSE %s END", value);
	return buf.data;
}

/* how a column's rows move to an enum (or an array of it) */
static char *
enum_conversion(const ConvColumn *want, const char *col)
{
	return psprintf("(%s)::%s", enum_text(want, col),
					type_sql(want, InvalidOid));
}

/* rows whose value, mapped, is none of the enum's labels */
static char *
enum_misfits(const ConvColumn *want, const char *col)
{
	ConvEnum   *e = want->doc_enum ? want->doc_enum :
		want->doc_domain->base_enum;
	StringInfoData labels;
	ListCell   *lc;

	initStringInfo(&labels);
	foreach(lc, e->values)
		appendStringInfo(&labels, "%s%s", labels.len ? ", " : "",
						 quote_literal_cstr(lfirst(lc)));
	if (want->doc_enum_array)
		return psprintf("EXISTS (SELECT FROM pg_catalog.unnest(%s) AS v(v)"
						" WHERE v NOT IN (%s))", enum_text(want, col),
						labels.data);
	return psprintf("(%s) NOT IN (%s)", enum_text(want, col), labels.data);
}

/*
 * Rows whose value would break a CHECK or NOT NULL of a domain: each CHECK
 * is evaluated with VALUE bound to the column.
 */
static char *
domain_misfits(const ConvDomain *d, const char *col)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	if (d->not_null)
		appendStringInfo(&buf, "%s IS NULL", col);
	foreach(lc, d->checks)
		appendStringInfo(&buf, "%s(SELECT %s FROM (SELECT %s AS value) AS converge_v) IS FALSE",
						 buf.len ? " OR " : "",
						 expr_sql(((ConvCheck *) lfirst(lc))->expr), col);
	return buf.len ? buf.data : pstrdup("false");
}

/*
 * ALTER COLUMN ... TYPE, with the check that existing rows convert: with
 * "using", every row must evaluate; without it, the server's assignment
 * cast must exist and must not change any value.
 */
static void
plan_alter_type(PlanState *ps, const ConvChange *change, const char *table,
				const char *object)
{
	ConvColumn *want = change->want_column;
	ConvColumn *have = change->have_column;
	const char *col = quote_identifier(want->name);
	char	   *new_type = type_sql(want, change->want_collation);
	char	   *plain_new = type_sql(want, InvalidOid);
	char	   *old_type = format_type_with_typemod(have->type_oid, have->typmod);
	StringInfoData sql;
	ConvStep   *step;

	initStringInfo(&sql);
	appendStringInfo(&sql, "ALTER TABLE %s ALTER COLUMN %s TYPE %s",
					 table, col, new_type);
	if (want->using_expr)
		appendStringInfo(&sql, " USING %s", expr_sql(want->using_expr));
	else if (want->doc_enum || over_new_enum(want))
		appendStringInfo(&sql, " USING %s", enum_conversion(want, col));

	step = add_step(ps, "alter_column_type", pstrdup(object), sql.data,
					psprintf("type: %s%s -> %s", old_type,
							 have->collation ?
							 psprintf(" COLLATE %s", have->collation) : "",
							 new_type),
					HAZARD_ACCESS_EXCLUSIVE | HAZARD_TABLE_REWRITE |
					HAZARD_FULL_SCAN);

	/* rows meet the conversion after the remap steps */
	if (want->doc_domain && !want->using_expr && !over_new_enum(want) &&
		OidIsValid(domain_base(want->doc_domain)->type_oid) &&
		!can_coerce_type(1, &have->type_oid,
						 &domain_base(want->doc_domain)->type_oid,
						 COERCION_ASSIGNMENT))
	{
		const ConvDomain *base = domain_base(want->doc_domain);

		step->problem = psprintf("there is no automatic conversion from %s to %s",
								 old_type,
								 format_type_with_typemod(base->type_oid,
														  base->typmod));
		step->fix = FIX_USING;
		step->rows_affected = -1;
	}
	else if (want->doc_domain && !want->using_expr)
	{
		/* a recreated enum under the domain: values are checked as text */
		bool		over_enum = over_new_enum(want);
		ListCell   *lc;

		set_probe(ps, step, change, NULL,
				  domain_misfits(want->doc_domain,
								 over_enum ? enum_text(want, col) : col),
				  "would break a rule of the domain", REFUSE_ALWAYS,
				  FIX_ROWS);
		if (over_enum)
			set_probe(ps, step, change, NULL, enum_misfits(want, col),
					  "would hold a value the enum does not have",
					  REFUSE_ALWAYS, FIX_REMAP);
		foreach(lc, step->probes)
			((ConvProbe *) lfirst(lc))->lenient |= over_enum;
	}
	else if (want->doc_enum && !want->using_expr)
		set_probe(ps, step, change, NULL, enum_misfits(want, col),
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
 * Move a column's identity sequence past the largest value rows hold.  The
 * sequence is found through its identity dependency: a column that was a
 * serial still owns its old sequence, which pg_get_serial_sequence() may
 * return instead.
 */
static char *
identity_sync_sql(const char *table, const char *column)
{
	char	   *rel = quote_literal_cstr(table);

	return psprintf("SELECT pg_catalog.setval(d.objid::pg_catalog.regclass, m.v)"
					" FROM (SELECT pg_catalog.max(%s) AS v FROM %s) AS m,"
					" pg_catalog.pg_depend d"
					" WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass"
					" AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass"
					" AND d.refobjid = %s::pg_catalog.regclass"
					" AND d.refobjsubid = (SELECT a.attnum FROM pg_catalog.pg_attribute a"
					" WHERE a.attrelid = %s::pg_catalog.regclass AND a.attname = %s)"
					" AND d.deptype = 'i' AND m.v IS NOT NULL",
					quote_identifier(column), table, rel, rel,
					quote_literal_cstr(column));
}

static void
plan_alter_column(PlanState *ps, const ConvChange *change)
{
	ConvColumn *want = change->want_column;
	ConvColumn *have = change->have_column;
	int			what = change->column_changes;
	char	   *object = column_object(change, want->name);
	char	   *table = table_sql(change);
	const char *col = quote_identifier(want->name);
	char	   *alter = psprintf("ALTER TABLE %s ALTER COLUMN %s", table, col);
	bool		type_using = (what & COLUMN_TYPE) && want->using_expr;
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
			add_step(ps, "drop_identity", pstrdup(object),
					 psprintf("%s DROP IDENTITY", alter),
					 pstrdup("identity is not declared in the document"),
					 HAZARD_ACCESS_EXCLUSIVE);
	}


	if ((what & COLUMN_DEFAULT) && have->default_expr)
		add_step(ps, "drop_default", pstrdup(object),
				 psprintf("%s DROP DEFAULT", alter),
				 psprintf("default: %s -> %s", have->default_expr,
						  describe_default(want->default_expr)),
				 HAZARD_ACCESS_EXCLUSIVE);

	if (what & COLUMN_TYPE)
		plan_alter_type(ps, change, table, object);

	if ((what & COLUMN_DEFAULT) && want->default_expr)
		add_step(ps, "set_default", pstrdup(object),
				 psprintf("%s SET DEFAULT %s", alter,
						  expr_sql(want->default_expr)),
				 psprintf("default: %s -> %s",
						  describe_default(have->default_expr),
						  want->default_expr),
				 HAZARD_ACCESS_EXCLUSIVE);

	if ((what & COLUMN_NOT_NULL) && want->not_null)
	{
		const char *fill = NULL;

		if (type_using)
			fill = NULL;		/* the USING clause already set every row */
		else if (want->using_expr)
			fill = expr_sql(want->using_expr);
		else if (want->default_expr)
			fill = "DEFAULT";

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
	else if ((what & COLUMN_NOT_NULL) && !want->identity)
		add_step(ps, "drop_not_null", pstrdup(object),
				 psprintf("%s DROP NOT NULL", alter),
				 pstrdup("nullable: false -> true"),
				 HAZARD_ACCESS_EXCLUSIVE);

	if ((what & COLUMN_IDENTITY) && want->identity && !have->identity)
	{
		add_step(ps, "add_identity", pstrdup(object),
				 psprintf("%s ADD GENERATED %s AS IDENTITY", alter,
						  identity_sql(want->identity)),
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
}

/*
 * How a dropped constraint or index is explained: another change of kind
 * add_kind puts it back changed, or the document no longer has it.
 */
static const char *
dropped_because(PlanState *ps, ConvChangeKind add_kind, const void *current)
{
	ListCell   *lc;

	foreach(lc, ps->changes)
	{
		ConvChange *change = lfirst(lc);

		if (change->kind == add_kind &&
			(change->have_check == current || change->have_key == current ||
			 change->have_fkey == current || change->have_index == current))
			return "is replaced";
	}
	return "is not declared in the document";
}

static char *
check_object(const ConvChange *change, const ConvCheck *check)
{
	return psprintf("%s.%s", table_sql(change), quote_identifier(check->name));
}

static void
plan_drop_check(PlanState *ps, const ConvChange *change)
{
	ConvCheck  *check = change->have_check;

	add_step(ps, "drop_check", check_object(change, check),
			 psprintf("ALTER TABLE %s DROP CONSTRAINT %s", table_sql(change),
					  quote_identifier(check->name)),
			 psprintf("CHECK %s %s", check->expr,
					  dropped_because(ps, CHANGE_ADD_CHECK, check)),
			 HAZARD_ACCESS_EXCLUSIVE);
}

static void
plan_remap(PlanState *ps, const ConvChange *change)
{
	ConvColumn *col = change->want_column;
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
}

static void
plan_add_check(PlanState *ps, const ConvChange *change)
{
	ConvCheck  *check = change->want_check;
	ConvStep   *step;
	char	   *reason;

	/*
	 * The new rule as written: it may name columns or labels the relation
	 * does not have before the plan runs.
	 */
	if (change->have_check)
		reason = psprintf("CHECK %s -> CHECK (%s)", change->have_check->expr,
						  check->expr);
	else
		reason = pstrdup("CHECK is declared in the document and does not exist");

	step = add_step(ps, "add_check", check_object(change, check),
					psprintf("ALTER TABLE %s ADD CONSTRAINT %s CHECK %s",
							 table_sql(change), quote_identifier(check->name),
							 expr_sql(check->expr)),
					reason,
					change->have_table ?
					HAZARD_ACCESS_EXCLUSIVE | HAZARD_FULL_SCAN : 0);
	if (change->have_table)
		set_probe_on(ps, step, change, ROWS_AFTER, NULL,
					 psprintf("%s IS FALSE", expr_sql(check->expr)),
					 "would violate the CHECK", REFUSE_ALWAYS, FIX_REMAP);
}

/*
 * A column the document no longer declares, or one rebuilt because the
 * server cannot change a generation expression in place.  Only stored
 * values can be lost: a generated column's are derived.
 */
static void
plan_drop_column(PlanState *ps, const ConvChange *change)
{
	ConvColumn *have = change->have_column;
	ConvColumn *want = change->want_column;
	const char *name = want ? want->name : have->name;	/* renamed by now */
	const char *col = quote_identifier(name);
	ConvStep   *step;

	step = add_step(ps, "drop_column", column_object(change, name),
					psprintf("ALTER TABLE %s DROP COLUMN %s",
							 table_sql(change), col),
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
}

static char *
key_definition(const ConvKey *key)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoString(&buf, key->primary ? "PRIMARY KEY" : "UNIQUE");
	if (key->nulls_not_distinct)
		appendStringInfoString(&buf, " NULLS NOT DISTINCT");
	appendStringInfo(&buf, " (%s)", name_list(key->columns));
	return buf.data;
}

static void
plan_drop_key(PlanState *ps, const ConvChange *change)
{
	ConvKey    *key = change->have_key;

	add_step(ps, "drop_key", psprintf("%s.%s", table_sql(change),
									  quote_identifier(key->name)),
			 psprintf("ALTER TABLE %s DROP CONSTRAINT %s", table_sql(change),
					  quote_identifier(key->name)),
			 psprintf("%s %s", key_definition(key),
					  dropped_because(ps, CHANGE_ADD_KEY, key)),
			 HAZARD_ACCESS_EXCLUSIVE);
}

/*
 * Rows, as the plan will leave them, that share a key: "keys" are SQL
 * expressions over the rows (quoted column names, or an index's printed
 * expressions), "where" an index predicate or NULL.  A key with a NULL
 * never collides, unless NULLS NOT DISTINCT: then NULLs are equal too.
 */
static char *key_aliases(int n);

static void
set_duplicate_probe(PlanState *ps, ConvStep *step, const ConvChange *change,
					List *keys, const char *where, bool nulls_not_distinct)
{
	RowSource  *rs = row_source(ps, change, ROWS_AFTER);
	StringInfoData cols;
	StringInfoData positions;
	char	   *dups;
	char	   *failing;
	ListCell   *lc;

	initStringInfo(&cols);
	initStringInfo(&positions);
	foreach(lc, keys)
	{
		appendStringInfo(&cols, "%s%s", cols.len ? ", " : "",
						 (char *) lfirst(lc));
		appendStringInfo(&positions, "%s%d", positions.len ? ", " : "",
						 foreach_current_index(lc) + 1);
	}
	dups = psprintf("SELECT %s FROM %s%s%s GROUP BY %s"
					" HAVING pg_catalog.count(*) > 1",
					cols.data, rs->source, where ? " WHERE " : "",
					where ? where : "", positions.data);

	if (nulls_not_distinct)
	{
		StringInfoData same;

		initStringInfo(&same);
		foreach(lc, keys)
			appendStringInfo(&same, "%sd.k%d IS NOT DISTINCT FROM (%s)",
							 same.len ? " AND " : "",
							 foreach_current_index(lc) + 1,
							 (char *) lfirst(lc));
		failing = psprintf("EXISTS (SELECT FROM (%s) AS d(%s) WHERE %s)",
						   dups, key_aliases(list_length(keys)), same.data);
	}
	else
		failing = psprintf("(%s) IN (%s)", cols.data, dups);
	if (where)
		failing = psprintf("(%s) AND %s", where, failing);

	set_probe_on(ps, step, change, ROWS_AFTER, NULL, failing,
				 "would hold a duplicate key", REFUSE_ALWAYS, FIX_DUPLICATES);
}

/* k1, k2, ...: names for the keys of a duplicate group */
static char *
key_aliases(int n)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 1; i <= n; i++)
		appendStringInfo(&buf, "%sk%d", i > 1 ? ", " : "", i);
	return buf.data;
}

/* quoted column names, one list item each */
static List *
quoted_names(List *names)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, names)
		result = lappend(result, (char *) quote_identifier(lfirst(lc)));
	return result;
}

/*
 * A new PRIMARY KEY or UNIQUE constraint.  An existing primary key keeps
 * its name.  Rows are checked for duplicates as the plan will leave them.
 */
static void
plan_add_key(PlanState *ps, const ConvChange *change)
{
	ConvKey    *key = change->want_key;
	const char *name = change->have_key && key->primary ?
		change->have_key->name : key->name;
	ConvStep   *step;

	step = add_step(ps, "add_key", psprintf("%s.%s", table_sql(change),
											quote_identifier(name)),
					psprintf("ALTER TABLE %s ADD CONSTRAINT %s %s",
							 table_sql(change), quote_identifier(name),
							 key_definition(key)),
					change->have_key ?
					psprintf("%s -> %s", key_definition(change->have_key),
							 key_definition(key)) :
					psprintf("%s is declared in the document and does not exist",
							 key->primary ? "PRIMARY KEY" : "UNIQUE"),
					change->have_table ?
					HAZARD_ACCESS_EXCLUSIVE | HAZARD_FULL_SCAN : 0);
	if (change->have_table)
		set_duplicate_probe(ps, step, change, quoted_names(key->columns),
							NULL, key->nulls_not_distinct);
}

static const char *
action_sql(char action)
{
	switch (action)
	{
		case FKCONSTR_ACTION_RESTRICT:
			return "RESTRICT";
		case FKCONSTR_ACTION_CASCADE:
			return "CASCADE";
		case FKCONSTR_ACTION_SETNULL:
			return "SET NULL";
		case FKCONSTR_ACTION_SETDEFAULT:
			return "SET DEFAULT";
	}
	return "NO ACTION";
}

static char *
foreign_key_definition(const ConvForeignKey *fk)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "FOREIGN KEY (%s) REFERENCES %s (%s)",
					 name_list(fk->columns),
					 quote_qualified_identifier(fk->ref_schema, fk->ref_table),
					 name_list(fk->ref_columns));
	if (fk->on_delete != FKCONSTR_ACTION_NOACTION)
		appendStringInfo(&buf, " ON DELETE %s", action_sql(fk->on_delete));
	if (fk->on_update != FKCONSTR_ACTION_NOACTION)
		appendStringInfo(&buf, " ON UPDATE %s", action_sql(fk->on_update));
	if (fk->deferrable)
		appendStringInfoString(&buf, " DEFERRABLE");
	if (fk->initially_deferred)
		appendStringInfoString(&buf, " INITIALLY DEFERRED");
	return buf.data;
}

static void
plan_drop_foreign_key(PlanState *ps, const ConvChange *change)
{
	ConvForeignKey *fk = change->have_fkey;

	add_step(ps, "drop_foreign_key",
			 psprintf("%s.%s", table_sql(change), quote_identifier(fk->name)),
			 psprintf("ALTER TABLE %s DROP CONSTRAINT %s", table_sql(change),
					  quote_identifier(fk->name)),
			 psprintf("%s %s", foreign_key_definition(fk),
					  dropped_because(ps, CHANGE_ADD_FOREIGN_KEY, fk)),
			 HAZARD_ACCESS_EXCLUSIVE);
}

/*
 * The rows a new foreign key must find: the referenced table as the plan
 * will leave it, or nothing when the plan creates it.
 */
static char *
referenced_rows(PlanState *ps, const ConvChange *change)
{
	ConvForeignKey *fk = change->want_fkey;
	ConvChange	ref;
	StringInfoData notnull;
	ListCell   *lc;

	initStringInfo(&notnull);
	foreach(lc, fk->ref_columns)
		appendStringInfo(&notnull, "%s%s IS NOT NULL",
						 notnull.len ? " AND " : "",
						 quote_identifier(lfirst(lc)));

	memset(&ref, 0, sizeof(ref));
	ref.kind = CHANGE_ALTER_COLUMN;
	ref.schema = fk->ref_schema;
	ref.have_table = change->ref_have;
	if (change->ref_have)
	{
		ConvTable	doc = *change->ref_have;

		doc.name = change->ref_have->doc_name ? change->ref_have->doc_name :
			change->ref_have->name;
		ref.want_table = &doc;
		return psprintf("SELECT %s FROM %s WHERE %s",
						name_list(fk->ref_columns),
						row_source(ps, &ref, ROWS_AFTER)->source, notnull.data);
	}
	if (change->ref_created)
		return psprintf("SELECT %s WHERE false", name_list(fk->ref_columns));
	return psprintf("SELECT %s FROM %s WHERE %s",
					name_list(fk->ref_columns),
					quote_qualified_identifier(fk->ref_schema, fk->ref_table),
					notnull.data);
}

/*
 * A new foreign key.  On a table that holds rows it is added NOT VALID and
 * validated in a second step, so the long scan runs under a lock that lets
 * reads and writes go on; rows that would find no referenced row are
 * counted before anything runs (seed 003: a new column's default must exist
 * in the referenced table).
 */
static void
plan_add_foreign_key(PlanState *ps, const ConvChange *change)
{
	ConvForeignKey *fk = change->want_fkey;
	char	   *object = psprintf("%s.%s", table_sql(change),
								  quote_identifier(fk->name));
	bool		has_rows = (change->have_table != NULL);

	/* PostgreSQL 15 cannot add a NOT VALID foreign key to a partitioned table */
	bool		not_valid = has_rows && change->have_table->relkind != 'p';
	StringInfoData anynull;
	StringInfoData matched;
	ConvStep   *step;
	ListCell   *lc;

	step = add_step(ps, "add_foreign_key", object,
					psprintf("ALTER TABLE %s ADD CONSTRAINT %s %s%s",
							 table_sql(change), quote_identifier(fk->name),
							 foreign_key_definition(fk),
							 not_valid ? " NOT VALID" : ""),
					change->have_fkey ?
					psprintf("%s -> %s",
							 foreign_key_definition(change->have_fkey),
							 foreign_key_definition(fk)) :
					pstrdup("FOREIGN KEY is declared in the document and does not exist"),
					has_rows && !not_valid ? HAZARD_FULL_SCAN : 0);
	if (!has_rows)
		return;

	initStringInfo(&anynull);
	initStringInfo(&matched);
	foreach(lc, fk->columns)
	{
		const char *c = quote_identifier(lfirst(lc));

		appendStringInfo(&anynull, "%s%s IS NULL", anynull.len ? " OR " : "",
						 c);
		appendStringInfo(&matched, "%sconverge_ref.%s = %s.%s",
						 matched.len ? " AND " : "", c,
						 quote_identifier(change->want_table->name), c);
	}
	if (not_valid)
		step = add_step(ps, "validate_foreign_key", pstrdup(object),
						psprintf("ALTER TABLE %s VALIDATE CONSTRAINT %s",
								 table_sql(change),
								 quote_identifier(fk->name)),
						pstrdup("every existing row must find its referenced row"),
						HAZARD_FULL_SCAN);
	set_probe_on(ps, step, change, ROWS_AFTER, NULL,
				 psprintf("NOT (%s) AND NOT EXISTS (SELECT FROM (%s) AS converge_ref (%s) WHERE %s)",
						  anynull.data, referenced_rows(ps, change),
						  name_list(fk->columns), matched.data),
				 "would reference a missing row", REFUSE_ALWAYS, FIX_ORPHANS);
}

static void
plan_drop_index(PlanState *ps, const ConvChange *change)
{
	ConvIndex  *index = change->have_index;

	add_step(ps, "drop_index",
			 quote_qualified_identifier(change->schema, index->name),
			 psprintf("DROP INDEX %s",
					  quote_qualified_identifier(change->schema, index->name)),
			 psprintf("%s %s", index->definition,
					  dropped_because(ps, CHANGE_ADD_INDEX, index)),
			 HAZARD_ACCESS_EXCLUSIVE);
}

/*
 * A new index.  A unique one is checked for duplicate rows first, over its
 * keys and predicate as the server prints them; it is built under a SHARE
 * lock (writes wait, reads go on).
 */
static void
plan_add_index(PlanState *ps, const ConvChange *change)
{
	ConvIndex  *index = change->want_index;
	ConvStep   *step;
	List	   *keys;
	char	   *where = NULL;

	step = add_step(ps, "add_index",
					quote_qualified_identifier(change->schema, index->name),
					expr_index_sql(index, index->name, table_sql(change)),
					change->have_index ?
					psprintf("%s is replaced", change->have_index->definition) :
					pstrdup("index is declared in the document and does not exist"),
					change->have_table ? HAZARD_FULL_SCAN : 0);
	if (change->have_table == NULL)
		return;
	keys = index->unique ?
		expr_index_keys_sql(index, change->have_table, &where) : NIL;
	if (keys)
		set_duplicate_probe(ps, step, change, keys, where,
							index->nulls_not_distinct);
	else
		set_probe_on(ps, step, change, ROWS_AFTER, NULL, NULL, NULL,
					 REFUSE_NEVER, FIX_NONE);
}

/*
 * Something outside the document depends on the type: the step would fail,
 * or change what the document does not own.
 */
static void
refuse_if_used(ConvStep *step, const char *user, const char *kind,
			   const char *verb)
{
	if (user == NULL || step->problem)
		return;
	step->problem = psprintf("%s uses the %s and is not managed by the document, so the %s cannot be %s",
							 user, kind, kind, verb);
	step->rows_affected = -1;
}

static char *
enum_object(const ConvEnum *e)
{
	return quote_qualified_identifier(e->schema, e->name);
}

static char *
label_list(List *labels)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, labels)
		appendStringInfo(&buf, "%s%s", buf.len ? ", " : "",
						 quote_literal_cstr(lfirst(lc)));
	return buf.data;
}

/*
 * A new enum, or the replacement of one the plan recreates: created under
 * a temporary name, every column moves to it, and only then it takes the
 * old one's name.  PostgreSQL refuses to use a label added with ADD VALUE
 * before commit, even for a type created in the same transaction; a
 * created type's labels are usable at once.
 */
static void
plan_create_enum(PlanState *ps, const ConvChange *change)
{
	ConvEnum   *e = change->want_enum;
	ConvStep   *step;

	step = add_step(ps, "create_enum", enum_object(e),
					psprintf("CREATE TYPE %s AS ENUM (%s)",
							 quote_qualified_identifier(e->schema,
														e->build_name),
							 label_list(e->values)),
					change->have_enum ?
					psprintf("values (%s) -> (%s): recreated, since the change is not an addition nothing in this plan uses",
							 label_list(change->have_enum->values),
							 label_list(e->values)) :
					pstrdup("enum is declared in the document and does not exist"),
					0);
	if (change->have_enum)
		refuse_if_used(step, change->have_enum->used_outside, "enum",
					   "recreated");
	if (change->want_enum->comment && change->have_enum == NULL)
		add_step(ps, "comment_enum", enum_object(e),
				 comment_sql("TYPE", enum_object(e), e->comment),
				 pstrdup("comment differs from the document"), 0);
}

static void
plan_finish_enum(PlanState *ps, const ConvChange *change)
{
	ConvEnum   *e = change->want_enum;

	add_step(ps, "drop_enum", enum_object(e),
			 psprintf("DROP TYPE %s", enum_object(e)),
			 pstrdup("every column has moved to the recreated enum"),
			 HAZARD_ACCESS_EXCLUSIVE);
	add_step(ps, "rename_enum", enum_object(e),
			 psprintf("ALTER TYPE %s RENAME TO %s",
					  quote_qualified_identifier(e->schema, e->build_name),
					  quote_identifier(e->name)),
			 pstrdup("the recreated enum takes the name"),
			 HAZARD_ACCESS_EXCLUSIVE);
	if (e->comment)
		add_step(ps, "comment_enum", enum_object(e),
				 comment_sql("TYPE", enum_object(e), e->comment),
				 pstrdup("comment differs from the document"), 0);
}

static char *
domain_object(const ConvDomain *d)
{
	return quote_qualified_identifier(d->schema, d->name);
}

/* the document's name of a current column */
static const char *
doc_column_name(const ConvTable *have, const ConvColumn *hcol)
{
	ListCell   *lc,
			   *nc;

	forboth(lc, have->columns, nc, have->doc_names)
		if (lfirst(lc) == hcol)
			return lfirst(nc);
	return hcol->name;
}

/* one probe per current column of the domain */
static void
probe_domain_users(PlanState *ps, ConvStep *step, const ConvChange *change,
				   char *(*failing) (const ConvChange *change,
									 const char *col),
				   const char *failing_text)
{
	ListCell   *lc;

	foreach(lc, change->domain_users)
	{
		ConvChange *user = lfirst(lc);
		const char *name = doc_column_name(user->have_table,
										   user->have_column);
		ConvProbe  *probe;

		probe = set_probe_on(ps, step, user, ROWS_NOW, NULL,
							 failing(change, quote_identifier(name)),
							 failing_text, REFUSE_ALWAYS, FIX_ROWS);
		probe->label = psprintf("%s.%s", table_sql(user),
								quote_identifier(name));
	}
}

/* a domain rule the rows of a table outside the document would have to meet */
static void
refuse_unchecked_rows(ConvStep *step, const ConvDomain *have)
{
	if (have->rows_outside == NULL || step->problem)
		return;
	step->problem = psprintf("table %s has a column of the domain and is not managed by the document, so its rows cannot be checked",
							 have->rows_outside);
	step->rows_affected = -1;
}

static char *
domain_check_misfits(const ConvChange *change, const char *col)
{
	return psprintf("(SELECT %s FROM (SELECT %s AS value) AS converge_v) IS FALSE",
					expr_sql(change->want_check->expr), col);
}

static char *
domain_null_misfits(const ConvChange *change, const char *col)
{
	(void) change;
	return psprintf("%s IS NULL", col);
}

static void
plan_create_domain(PlanState *ps, const ConvChange *change)
{
	ConvDomain *d = change->want_domain;
	ConvStep   *step;
	StringInfoData sql;
	ListCell   *lc;

	initStringInfo(&sql);
	appendStringInfo(&sql, "CREATE DOMAIN %s AS %s",
					 quote_qualified_identifier(d->schema, d->build_name),
					 d->base_enum && d->base_enum->build_name ?
					 quote_qualified_identifier(d->base_enum->schema,
												d->base_enum->build_name) :
					 d->base_domain ?
					 quote_qualified_identifier(d->base_domain->schema,
												d->base_domain->build_name) :
					 format_type_with_typemod(d->type_oid, d->typmod));
	if (d->collation)
		appendStringInfo(&sql, " COLLATE %s",
						 generate_collation_name(d->collation_oid));
	if (d->default_expr)
		appendStringInfo(&sql, " DEFAULT %s", expr_sql(d->default_expr));
	if (d->not_null)
		appendStringInfoString(&sql, " NOT NULL");
	/* a recreated domain gets its CHECKs after the renames (diff.c) */
	foreach(lc, change->have_domain ? NIL : d->checks)
	{
		ConvCheck  *check = lfirst(lc);

		appendStringInfo(&sql, " CONSTRAINT %s CHECK %s",
						 quote_identifier(check->name), expr_sql(check->expr));
	}
	step = add_step(ps, "create_domain", domain_object(d), sql.data,
					change->have_domain ?
					pstrdup("recreated over its recreated enum") :
					pstrdup("domain is declared in the document and does not exist"),
					0);
	if (change->have_domain)
		refuse_if_used(step, change->have_domain->used_outside, "domain",
					   "recreated");
	if (d->comment && change->have_domain == NULL)
		add_step(ps, "comment_domain", domain_object(d),
				 comment_sql("DOMAIN", domain_object(d), d->comment),
				 pstrdup("comment differs from the document"), 0);
}

static void
plan_alter_domain(PlanState *ps, const ConvChange *change)
{
	ConvDomain *want = change->want_domain;
	ConvDomain *have = change->have_domain;
	char	   *object = domain_object(want);
	char	   *alter = psprintf("ALTER DOMAIN %s", object);
	int			what = change->column_changes;
	ConvStep   *step;

	if (what & DOMAIN_TYPE)
	{
		step = add_step(ps, "alter_domain_type", object,
						psprintf("-- %s AS %s", object,
								 format_type_with_typemod(want->type_oid,
														  want->typmod)),
						psprintf("type: %s -> %s", have->type_name,
								 format_type_with_typemod(want->type_oid,
														  want->typmod)),
						0);
		step->problem = pstrdup("changing the base type of a domain is not supported yet");
		step->rows_affected = -1;
	}
	if (what & DOMAIN_COLLATION)
	{
		step = add_step(ps, "alter_domain_collation", object,
						psprintf("-- %s COLLATE %s", object,
								 want->collation ? want->collation :
								 "(default)"),
						pstrdup("collation differs from the document"), 0);
		step->problem = pstrdup("changing the collation of a domain is not supported yet");
		step->rows_affected = -1;
	}
	if (what & DOMAIN_DEFAULT)
		add_step(ps, want->default_expr ? "set_domain_default" :
				 "drop_domain_default", object,
				 want->default_expr ?
				 psprintf("%s SET DEFAULT %s", alter,
						  expr_sql(want->default_expr)) :
				 psprintf("%s DROP DEFAULT", alter),
				 psprintf("default: %s -> %s",
						  have->default_expr ? have->default_expr : "(none)",
						  want->default_expr ? want->default_expr : "(none)"),
				 0);
	if ((what & DOMAIN_NOT_NULL) && want->not_null)
	{
		step = add_step(ps, "set_domain_not_null", object,
						psprintf("%s SET NOT NULL", alter),
						pstrdup("nullable: true -> false"), HAZARD_FULL_SCAN);
		probe_domain_users(ps, step, change, domain_null_misfits,
						   "would violate NOT NULL");
		refuse_unchecked_rows(step, have);
	}
	else if (what & DOMAIN_NOT_NULL)
		add_step(ps, "drop_domain_not_null", object,
				 psprintf("%s DROP NOT NULL", alter),
				 pstrdup("nullable: false -> true"), 0);
	if (what & DOMAIN_COMMENT)
		add_step(ps, "comment_domain", object,
				 comment_sql("DOMAIN", object, want->comment),
				 pstrdup("comment differs from the document"), 0);
}

static void
plan_change(PlanState *ps, const ConvChange *change)
{
	ConvStep   *step;

	switch (change->kind)
	{
		case CHANGE_CREATE_ENUM:
			plan_create_enum(ps, change);
			break;
		case CHANGE_CREATE_DOMAIN:
			plan_create_domain(ps, change);
			break;
		case CHANGE_ALTER_DOMAIN:
			plan_alter_domain(ps, change);
			break;
		case CHANGE_DROP_DOMAIN_CHECK:
			add_step(ps, "drop_domain_check",
					 psprintf("%s.%s", domain_object(change->have_domain),
							  quote_identifier(change->have_check->name)),
					 psprintf("ALTER DOMAIN %s DROP CONSTRAINT %s",
							  domain_object(change->have_domain),
							  quote_identifier(change->have_check->name)),
					 psprintf("CHECK %s %s", change->have_check->expr,
							  dropped_because(ps, CHANGE_ADD_DOMAIN_CHECK,
											  change->have_check)),
					 0);
			break;
		case CHANGE_ADD_DOMAIN_CHECK:
			{
				step = add_step(ps, "add_domain_check",
								psprintf("%s.%s",
										 domain_object(change->want_domain),
										 quote_identifier(change->want_check->name)),
								psprintf("ALTER DOMAIN %s ADD CONSTRAINT %s CHECK %s",
										 domain_object(change->want_domain),
										 quote_identifier(change->want_check->name),
										 expr_sql(change->want_check->expr)),
								change->have_check ?
								psprintf("CHECK %s -> CHECK (%s)",
										 change->have_check->expr,
										 change->want_check->expr) :
								pstrdup("CHECK is declared in the document and does not exist"),
								HAZARD_FULL_SCAN);
				probe_domain_users(ps, step, change, domain_check_misfits,
								   "would violate the CHECK");
				if (change->have_domain)
					refuse_unchecked_rows(step, change->have_domain);
			}
			break;
		case CHANGE_FINISH_DOMAIN:
			{
				ConvDomain *d = change->want_domain;

				add_step(ps, "drop_domain", domain_object(d),
						 psprintf("DROP DOMAIN %s", domain_object(d)),
						 pstrdup("every column has moved to the recreated domain"),
						 0);
				add_step(ps, "rename_domain", domain_object(d),
						 psprintf("ALTER DOMAIN %s RENAME TO %s",
								  quote_qualified_identifier(d->schema,
															 d->build_name),
								  quote_identifier(d->name)),
						 pstrdup("the recreated domain takes the name"), 0);
				if (d->comment)
					add_step(ps, "comment_domain", domain_object(d),
							 comment_sql("DOMAIN", domain_object(d),
										 d->comment),
							 pstrdup("comment differs from the document"), 0);
			}
			break;
		case CHANGE_DROP_DOMAIN:
			step = add_step(ps, "drop_domain",
							domain_object(change->have_domain),
							psprintf("DROP DOMAIN %s",
									 domain_object(change->have_domain)),
							pstrdup("domain is not declared in the document"),
							0);
			refuse_if_used(step, change->have_domain->used_outside, "domain",
						   "dropped");
			break;
		case CHANGE_RENAME_ENUM_VALUE:
			add_step(ps, "rename_enum_value", enum_object(change->want_enum),
					 psprintf("ALTER TYPE %s RENAME VALUE %s TO %s",
							  enum_object(change->want_enum),
							  quote_literal_cstr(change->enum_value),
							  quote_literal_cstr(change->enum_other)),
					 psprintf("renamed_values: %s -> %s", change->enum_value,
							  change->enum_other),
					 HAZARD_ACCESS_EXCLUSIVE);
			break;
		case CHANGE_ADD_ENUM_VALUE:
			add_step(ps, "add_enum_value", enum_object(change->want_enum),
					 change->enum_other ?
					 psprintf("ALTER TYPE %s ADD VALUE %s %s %s",
							  enum_object(change->want_enum),
							  quote_literal_cstr(change->enum_value),
							  change->enum_before ? "BEFORE" : "AFTER",
							  quote_literal_cstr(change->enum_other)) :
					 psprintf("ALTER TYPE %s ADD VALUE %s",
							  enum_object(change->want_enum),
							  quote_literal_cstr(change->enum_value)),
					 psprintf("value %s is new and nothing in this plan uses it",
							  change->enum_value),
					 0);
			break;
		case CHANGE_FINISH_ENUM:
			plan_finish_enum(ps, change);
			break;
		case CHANGE_DROP_ENUM:
			step = add_step(ps, "drop_enum", enum_object(change->have_enum),
							psprintf("DROP TYPE %s",
									 enum_object(change->have_enum)),
							pstrdup("enum is not declared in the document"),
							HAZARD_ACCESS_EXCLUSIVE);
			refuse_if_used(step, change->have_enum->used_outside, "enum",
						   "dropped");
			break;
		case CHANGE_ENUM_COMMENT:
			add_step(ps, "comment_enum", enum_object(change->want_enum),
					 comment_sql("TYPE", enum_object(change->want_enum),
								 change->want_enum->comment),
					 pstrdup("comment differs from the document"), 0);
			break;
		case CHANGE_CREATE_SCHEMA:
			add_step(ps, "create_schema", pstrdup(quote_identifier(change->schema)),
					 psprintf("CREATE SCHEMA %s",
							  quote_identifier(change->schema)),
					 pstrdup("schema is listed in the document and does not exist"),
					 0);
			break;
		case CHANGE_RENAME_TABLE:
			add_step(ps, "rename_table", table_object(change),
					 psprintf("ALTER TABLE %s RENAME TO %s",
							  quote_qualified_identifier(change->schema,
														 change->have_table->name),
							  quote_identifier(change->want_table->name)),
					 psprintf("renamed_from: %s", change->have_table->name),
					 HAZARD_ACCESS_EXCLUSIVE);
			break;
		case CHANGE_RENAME_COLUMN:
			add_step(ps, "rename_column",
					 column_object(change, change->want_column->name),
					 psprintf("ALTER TABLE %s RENAME COLUMN %s TO %s",
							  table_sql(change),
							  quote_identifier(change->have_column->name),
							  quote_identifier(change->want_column->name)),
					 psprintf("renamed_from: %s", change->have_column->name),
					 HAZARD_ACCESS_EXCLUSIVE);
			break;
		case CHANGE_DROP_TABLE:
			step = add_step(ps, "drop_table", table_object(change),
							psprintf("DROP TABLE %s", table_sql(change)),
							pstrdup("table is not declared in the document"),
							HAZARD_ACCESS_EXCLUSIVE);
			set_probe(ps, step, change, NULL, pstrdup("true"),
					  "would be lost", REFUSE_DATA_LOSS,
					  FIX_ALLOW_DATA_LOSS);
			break;
		case CHANGE_DROP_COLUMN:
			plan_drop_column(ps, change);
			break;
		case CHANGE_DROP_EXPRESSION:
			add_step(ps, "drop_expression",
					 column_object(change, change->want_column->name),
					 psprintf("ALTER TABLE %s ALTER COLUMN %s DROP EXPRESSION",
							  table_sql(change),
							  quote_identifier(change->want_column->name)),
					 psprintf("generated: %s -> (none)",
							  change->have_column->generated),
					 HAZARD_ACCESS_EXCLUSIVE);
			break;
		case CHANGE_CREATE_TABLE:
			plan_create_table(ps, change);
			break;
		case CHANGE_ADD_COLUMN:
			plan_add_column(ps, change);
			break;
		case CHANGE_ALTER_COLUMN:
			plan_alter_column(ps, change);
			break;
		case CHANGE_DROP_CHECK:
			plan_drop_check(ps, change);
			break;
		case CHANGE_REMAP_COLUMN:
			plan_remap(ps, change);
			break;
		case CHANGE_ADD_CHECK:
			plan_add_check(ps, change);
			break;
		case CHANGE_DROP_KEY:
			plan_drop_key(ps, change);
			break;
		case CHANGE_DROP_INDEX:
			plan_drop_index(ps, change);
			break;
		case CHANGE_ADD_INDEX:
			plan_add_index(ps, change);
			break;
		case CHANGE_DROP_FOREIGN_KEY:
			plan_drop_foreign_key(ps, change);
			break;
		case CHANGE_ADD_FOREIGN_KEY:
			plan_add_foreign_key(ps, change);
			break;
		case CHANGE_ADD_KEY:
			plan_add_key(ps, change);
			break;
		case CHANGE_TABLE_COMMENT:
			add_table_comment(ps, change);
			break;
	}
}

/*
 * Comments of new objects come with the comment phase, after every object
 * they could name exists.
 */
static void
plan_new_comments(PlanState *ps, const ConvChange *change)
{
	ListCell   *lc;

	if (change->kind != CHANGE_CREATE_TABLE)
		return;
	if (change->want_table->comment)
		add_table_comment(ps, change);
	foreach(lc, change->want_table->columns)
	{
		ConvColumn *col = lfirst(lc);

		if (col->comment)
			add_column_comment(ps, change, col);
	}
}

/*
 * plan_build
 *		The ordered steps for a list of changes.
 */
List *
plan_build(List *changes)
{
	PlanState	ps = {changes, NIL, NIL, false};
	ListCell   *lc;

	foreach(lc, changes)
	{
		ConvChange *change = lfirst(lc);

		if (change->kind == CHANGE_RENAME_ENUM_VALUE ||
			(change->kind == CHANGE_CREATE_ENUM && change->have_enum))
			ps.labels_change = true;
	}

	for (PlanPhase phase = 0; phase < NUM_PHASES; phase++)
	{
		foreach(lc, changes)
		{
			ConvChange *change = lfirst(lc);

			if (phase_of(change) == phase)
				plan_change(&ps, change);
			if (phase == PHASE_COMMENT)
				plan_new_comments(&ps, change);
		}
	}
	return ps.steps;
}
