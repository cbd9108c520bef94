/*-------------------------------------------------------------------------
 *
 * enum.c
 *	  Enum types: labels added in place, renamed, or the type recreated.
 *
 * An enum whose labels only grow, in an order that fits, gets ADD VALUE
 * when nothing in the same plan uses a new label.  PostgreSQL refuses to
 * use a label added with ADD VALUE before commit (seed 002), so when a
 * remap, default, CHECK or converted column would use one, or a label is
 * removed or reordered, the type is recreated: created under a temporary
 * name, every column moved to it with its renamed_values and remap
 * applied, the old type dropped and the new one renamed.  Columns reach
 * the new type through enum_text(), which the column and table kinds use
 * for their conversions and probes.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "kinds/kinds.h"

#define find_enum(enums, key) \
	((ConvEnum *) find_named((enums), (key)))

/* the string literals of an optional expression, appended to a list */
static List *
add_string_constants(List *strings, const char *expr, const DocPos *pos)
{
	if (expr == NULL)
		return strings;
	return list_concat(strings, expr_string_constants(expr, pos));
}

static List *
add_check_constants(List *strings, List *checks)
{
	ListCell   *lc;

	foreach(lc, checks)
	{
		ConvCheck  *check = lfirst(lc);

		strings = add_string_constants(strings, check->expr, &check->pos);
	}
	return strings;
}

/*
 * Every string a document can make rows hold: the literals of its
 * expressions and the targets of its remaps.  A new enum label among them
 * is used in the same transaction, which PostgreSQL refuses for a label
 * added with ADD VALUE.
 */
static List *
read_document_strings(ConvModel *want)
{
	List	   *strings = NIL;
	ListCell   *sc,
			   *tc,
			   *lc;

	foreach(sc, want->schemas)
	{
		ConvSchema *schema = lfirst(sc);

		foreach(lc, schema->enums)
			strings = list_concat(strings, ((ConvEnum *) lfirst(lc))->remap_to);
		foreach(tc, schema->tables)
		{
			ConvTable  *table = lfirst(tc);

			foreach(lc, table->columns)
			{
				ConvColumn *col = lfirst(lc);

				strings = list_concat(strings, col->remap_to);
				strings = add_string_constants(strings, col->default_expr,
											   &col->default_pos);
				strings = add_string_constants(strings, col->using_expr,
											   &col->using_pos);
				strings = add_string_constants(strings, col->generated,
											   &col->generated_pos);
			}
			strings = add_check_constants(strings, table->checks);
			foreach(lc, table->indexes)
			{
				ConvIndex  *index = lfirst(lc);

				strings = add_string_constants(strings, index->where,
											   &index->pos);
			}
		}
		foreach(tc, schema->domains)
		{
			ConvDomain *domain = lfirst(tc);

			strings = add_string_constants(strings, domain->default_expr,
										   &domain->default_pos);
			strings = add_check_constants(strings, domain->checks);
		}
	}
	return strings;
}

/*
 * The document's strings, read when an enum first gains a label: reading
 * them parses every expression of the document.
 */
typedef struct DocumentStrings
{
	bool		read;
	List	   *strings;
} DocumentStrings;

static List *
document_strings(ConvModel *want, DocumentStrings *strings)
{
	if (!strings->read)
	{
		strings->strings = read_document_strings(want);
		strings->read = true;
	}
	return strings->strings;
}

/*
 * Does the document convert a column of another type to this enum?  Rows
 * converted could hold a new label: a use of it.
 */
static bool
converts_to(DiffState *ds, ConvModel *want, const EnumPair *ep)
{
	ListCell   *sc,
			   *tc,
			   *lc;

	foreach(sc, want->schemas)
	{
		ConvSchema *schema = lfirst(sc);

		foreach(tc, schema->tables)
		{
			ConvTable  *table = lfirst(tc);
			TableEntry *entry = lookup_table(ds, schema->name, table->name);

			if (entry == NULL && table->renamed_from)
				entry = lookup_table(ds, schema->name, table->renamed_from);
			if (entry == NULL)
				continue;
			foreach(lc, table->columns)
			{
				ConvColumn *wcol = lfirst(lc);
				ConvColumn *hcol = find_column(entry->table, wcol->name);
				char	   *nspname;
				char	   *name;
				bool		array;

				if (hcol == NULL && wcol->renamed_from)
					hcol = find_column(entry->table, wcol->renamed_from);
				if (hcol == NULL || hcol->type_oid == ep->have->oid ||
					hcol->type_oid == get_array_type(ep->have->oid))
					continue;
				expr_type_name_parts(wcol, &nspname, &name, &array);
				if (strcmp(name, ep->want->name) == 0 &&
					strcmp(nspname ? nspname : schema->name,
						   ep->want->schema) == 0)
					return true;
			}
		}
	}
	return false;
}

/* is every label the two lists share in the same relative order? */
static bool
same_order(List *a, List *b)
{
	int			last = -1;
	ListCell   *lc;

	foreach(lc, a)
	{
		int			pos = 0;
		ListCell   *mc;

		foreach(mc, b)
		{
			if (strcmp(lfirst(lc), lfirst(mc)) == 0)
				break;
			pos++;
		}
		if (pos == list_length(b))
			continue;
		if (pos < last)
			return false;
		last = pos;
	}
	return true;
}

static ConvChange *
add_enum_change(DiffState *ds, ConvAction action, const EnumPair *ep)
{
	ConvChange *change = add_change(ds, KIND_ENUM, action,
									ep->want ? ep->want->schema :
									ep->have->schema, NULL, NULL);

	change->want = ep->want;
	change->have = ep->have;
	return change;
}

/*
 * One enum that exists.  Labels renamed by the document keep their rows;
 * labels only added, in an order that fits, and used by nothing in this
 * plan are added in place.  Anything else (a label removed, an order
 * changed, a new label that a remap, default, CHECK or converted column
 * would use in this same transaction) recreates the type under a new name
 * and moves every column to it.
 */
static void
diff_enum(DiffState *ds, ConvModel *want, EnumPair *ep,
		  DocumentStrings *strings)
{
	List	   *labels;
	List	   *renames = NIL;
	List	   *added = NIL;
	bool		used = false;
	ListCell   *lc,
			   *mc;

	labels = list_copy(ep->have->values);

	/* apply renames whose old label exists and new one does not yet */
	forboth(lc, ep->want->old_labels, mc, ep->want->new_labels)
	{
		ListCell   *l;

		if (!string_in(labels, lfirst(lc)) || string_in(labels, lfirst(mc)))
			continue;
		foreach(l, labels)
			if (strcmp(lfirst(l), lfirst(lc)) == 0)
				lfirst(l) = lfirst(mc);
		renames = lappend(renames, list_make2(lfirst(lc), lfirst(mc)));
	}

	foreach(lc, ep->want->values)
		if (!string_in(labels, lfirst(lc)))
		{
			added = lappend(added, lfirst(lc));
			used |= string_in(document_strings(want, strings), lfirst(lc));
		}
	if (added && converts_to(ds, want, ep))
		used = true;

	if (list_length(labels) + list_length(added) ==
		list_length(ep->want->values) && same_order(labels, ep->want->values) &&
		!used)
	{
		ep->relabelled = (renames != NIL);
		foreach(lc, renames)
			ds->created_names = lappend(ds->created_names,
									 lsecond((List *) lfirst(lc)));
		foreach(lc, renames)
		{
			ConvChange *change = add_enum_change(ds,
												 ACTION_RENAME_VALUE, ep);

			change->of.value.label = linitial((List *) lfirst(lc));
			change->of.value.other_label = lsecond((List *) lfirst(lc));
		}
		/*
		 * Labels are added in document order, each AFTER the one before it
		 * (which exists by then); a new first label goes BEFORE the first
		 * label that already exists, or, in an empty enum, at the end.
		 */
		foreach(lc, ep->want->values)
		{
			ConvChange *change;
			int			i = foreach_current_index(lc);

			if (!string_in(added, lfirst(lc)))
				continue;
			change = add_enum_change(ds, ACTION_ADD_VALUE, ep);
			change->of.value.label = lfirst(lc);
			if (i > 0)
				change->of.value.other_label = list_nth(ep->want->values,
														i - 1);
			else
			{
				ListCell   *nc;

				change->of.value.before = true;
				foreach(nc, ep->want->values)
					if (string_in(labels, lfirst(nc)))
					{
						change->of.value.other_label = lfirst(nc);
						break;
					}
			}
		}
		return;
	}

	ep->build_name = free_type_name(ep->want->schema, ep->want->name);
	add_enum_change(ds, ACTION_CREATE, ep);
	add_enum_change(ds, ACTION_REPLACE, ep);
}

static void
diff_enums(DiffState *ds)
{
	ConvModel  *want = ds->want_model;
	ConvModel  *have = ds->have_model;
	DocumentStrings strings = {false, NIL};
	ListCell   *sc,
			   *lc;

	foreach(sc, want->schemas)
	{
		ConvSchema *schema = lfirst(sc);
		ConvSchema *current = find_schema(have, schema->name);

		foreach(lc, schema->enums)
		{
			EnumPair   *ep = palloc0(sizeof(EnumPair));

			ep->want = lfirst(lc);
			ep->have = current ? find_enum(current->enums,
												ep->want->name) : NULL;
			ds->enums = lappend(ds->enums, ep);
			set_diff_note(ds, ep->want, ep);
		}
		if (current == NULL)
			continue;
		foreach(lc, current->enums)
		{
			ConvEnum   *he = lfirst(lc);

			if (find_enum(schema->enums, he->name) == NULL)
			{
				EnumPair	gone = {.have = he};

				add_enum_change(ds, ACTION_DROP, &gone);
			}
		}
	}

	foreach(lc, ds->enums)
	{
		EnumPair   *ep = lfirst(lc);

		if (ep->have == NULL)
		{
			ep->build_name = ep->want->name;
			add_enum_change(ds, ACTION_CREATE, ep);
			continue;
		}
		diff_enum(ds, want, ep, &strings);
		/* a recreated enum gets its comment when it takes the name */
		if (ep->build_name == NULL &&
			strings_differ(ep->want->comment, ep->have->comment))
			add_enum_change(ds, ACTION_COMMENT, ep);
	}
}

/* ----------------------------------------------------------------
 * Steps
 * ----------------------------------------------------------------
 */

/* is the column's new type a domain over an enum the plan creates? */
bool
over_new_enum(const DiffState *ds, const ConvColumn *want)
{
	const ColumnNote *note = column_note(ds, want);

	return note->doc_domain && note->doc_domain->base_enum &&
		note->doc_domain->base_enum->build_name;
}

/*
 * Do the column's rows move to a document enum, or to a domain over one the
 * plan recreates?  They are converted through their text (enum_text).
 */
bool
enum_converts(const DiffState *ds, const ConvColumn *want)
{
	return column_note(ds, want)->doc_enum != NULL ||
		over_new_enum(ds, want);
}

/* the document enum a column's type is, or is a domain over */
static const EnumPair *
column_enum(const ColumnNote *note)
{
	return note->doc_enum ? note->doc_enum : note->doc_domain->base_enum;
}

/* rows whose value (text, or text[]) is none of the enum's labels */
static char *
misfits(const ConvEnum *e, bool array, const char *value)
{
	StringInfoData labels;
	ListCell   *lc;

	initStringInfo(&labels);
	foreach(lc, e->values)
		appendStringInfo(&labels, "%s%s", labels.len ? ", " : "",
						 quote_literal_cstr(lfirst(lc)));
	if (array)
		return psprintf("EXISTS (SELECT FROM pg_catalog.unnest(%s) AS v(v)"
						" WHERE v NOT IN (%s))", value, labels.data);
	return psprintf("(%s) NOT IN (%s)", value, labels.data);
}

/* rows whose value, mapped, is none of the enum's labels */
char *
enum_misfits(const DiffState *ds, const ConvColumn *want, const char *col)
{
	const ColumnNote *note = column_note(ds, want);

	return misfits(column_enum(note)->want, note->doc_enum_array,
				   enum_text(ds, want, col));
}

static char *
enum_object(const ConvEnum *e)
{
	return quote_qualified_identifier(e->schema, e->name);
}

/* is the enum one the plan recreates under a temporary name? */
static bool
recreated(const EnumPair *ep)
{
	return ep && ep->build_name && strcmp(ep->build_name, ep->want->name) != 0;
}

/* the enum, recreated by the plan, that a column's type is or is over */
static const EnumPair *
recreated_enum(const ColumnNote *note)
{
	const EnumPair *ep = note->doc_enum;

	if (ep == NULL && note->doc_domain)
		ep = note->doc_domain->base_enum;
	return recreated(ep) ? ep : NULL;
}

/*
 * enum_retyped
 *		A document expression as SQL, with every cast to the enum "e" (when
 *		the plan recreates it) aimed at the temporary type instead: that is
 *		the type the column has while the expression is set, and the stored
 *		expression follows it through its rename.  converge_export() writes
 *		such casts ('active'::status), and so do people.
 */
char *
enum_retyped(const EnumPair *ep, const char *text, const DocPos *pos)
{
	char	   *retyped = NULL;

	if (recreated(ep))
		retyped = expr_retype(text, pos, ep->want->schema, ep->want->name,
							  quote_qualified_identifier(ep->want->schema,
														 ep->build_name));
	return expr_sql(retyped ? retyped : text);
}

/* enum_retyped for the enum a column moves to */
char *
enum_column_expr(const DiffState *ds, const ConvColumn *want,
				 const char *text, const DocPos *pos)
{
	return enum_retyped(recreated_enum(column_note(ds, want)), text, pos);
}

/*
 * enum_label_problem
 *		Why an expression set on the enum "e" the plan recreates would fail:
 *		a constant of the enum (or the bare literal of a default) that is
 *		not one of its new labels.  Found from the document alone, so the
 *		plan refuses it before any DDL, where the server would refuse it
 *		midway.
 */
char *
enum_label_problem(const EnumPair *ep, const char *what, const char *text,
				   const DocPos *pos, bool bare, bool bare_array)
{
	const ConvEnum *e;
	ListCell   *lc;

	if (!recreated(ep))
		return NULL;
	e = ep->want;
	foreach(lc, expr_type_labels(text, pos, e->schema, e->name, bare,
								 bare_array))
		if (!string_in(e->values, lfirst(lc)))
			return psprintf("%s names %s, which is not a value of enum %s as the document declares it (%s)",
							what, quote_literal_cstr(lfirst(lc)),
							enum_object(e), literal_list(e->values));
	return NULL;
}

/*
 * enum_using_text
 *		A column's "using", when the column moves to an enum the plan
 *		recreates, as text: the new type does not exist while the probes
 *		run, so the using's casts to the enum are read as casts to text and
 *		its values are checked against the labels the new type will have.
 *		NULL when the column has no such using.
 */
char *
enum_using_text(const DiffState *ds, const ConvColumn *want)
{
	const ColumnNote *note = column_note(ds, want);
	const EnumPair *ep = recreated_enum(note);
	char	   *text;

	if (ep == NULL || want->using_expr == NULL)
		return NULL;
	text = expr_retype(want->using_expr, &want->using_pos, ep->want->schema,
					   ep->want->name, "pg_catalog.text");
	return psprintf("(%s)::pg_catalog.text%s",
					expr_sql(text ? text : want->using_expr),
					note->doc_enum_array ? "[]" : "");
}

/* rows whose "using" yields none of the recreated enum's labels */
char *
enum_using_misfits(const DiffState *ds, const ConvColumn *want)
{
	const ColumnNote *note = column_note(ds, want);

	return misfits(recreated_enum(note)->want, note->doc_enum_array,
				   enum_using_text(ds, want));
}

/* refuse a step for a label the recreated enum will not have */
void
enum_refuse_label(ConvStep *step, char *problem)
{
	if (problem == NULL || step->problem)
		return;
	step->problem = problem;
	step->fix = FIX_LABEL;
	step->rows_affected = -1;
}

/* enum_label_problem for a column's default */
char *
enum_default_problem(const DiffState *ds, const ConvColumn *want)
{
	const ColumnNote *note = column_note(ds, want);

	return enum_label_problem(recreated_enum(note), "default",
							  want->default_expr, &want->default_pos,
							  true, note->doc_enum_array);
}

/*
 * A new enum, or the replacement of one the plan recreates: created under
 * a temporary name, every column moves to it, and only then it takes the
 * old one's name.  PostgreSQL refuses to use a label added with ADD VALUE
 * before commit, even for a type created in the same transaction; a
 * created type's labels are usable at once.
 */
static void
plan_create_enum(ConvPlanState *ps, const ConvChange *change)
{
	ConvEnum   *e = change->want;
	ConvEnum   *have = change->have;
	EnumPair   *ep = diff_note(ps->diff, e);
	ConvStep   *step;

	step = add_step(ps, "create_enum", enum_object(e),
					psprintf("CREATE TYPE %s AS ENUM (%s)",
							 quote_qualified_identifier(e->schema,
														ep->build_name),
							 literal_list(e->values)),
					have ?
					psprintf("values (%s) -> (%s): recreated, since the change is not an addition nothing in this plan uses",
							 literal_list(have->values),
							 literal_list(e->values)) :
					pstrdup("enum is declared in the document and does not exist"),
					0);
	if (have)
		refuse_if_used(step, have->used_outside, "enum", "recreated");
	if (e->comment && have == NULL)
		add_comment(ps, "comment_enum", "TYPE", enum_object(e),
					e->comment);
}

static void
plan_finish_enum(ConvPlanState *ps, const ConvChange *change)
{
	ConvEnum   *e = change->want;
	EnumPair   *ep = diff_note(ps->diff, e);

	add_step(ps, "drop_enum", enum_object(e),
			 psprintf("DROP TYPE %s", enum_object(e)),
			 pstrdup("every column has moved to the recreated enum"),
			 HAZARD_ACCESS_EXCLUSIVE);
	add_step(ps, "rename_enum", enum_object(e),
			 psprintf("ALTER TYPE %s RENAME TO %s",
					  quote_qualified_identifier(e->schema, ep->build_name),
					  quote_identifier(e->name)),
			 pstrdup("the recreated enum takes the name"),
			 HAZARD_ACCESS_EXCLUSIVE);
	if (e->comment)
		add_comment(ps, "comment_enum", "TYPE", enum_object(e),
					e->comment);
}

/*
 * A column's value as text, with the labels the enum renames or remaps,
 * and the column's own remap, already mapped.
 */
char *
enum_text(const DiffState *ds, const ConvColumn *want, const char *col)
{
	const ColumnNote *note = column_note(ds, want);
	const ConvEnum *e = column_enum(note)->want;
	List	   *from = list_concat_copy(list_concat_copy(e->old_labels,
														 e->remap_from),
										want->remap_from);
	List	   *to = list_concat_copy(list_concat_copy(e->new_labels,
													   e->remap_to),
									  want->remap_to);
	char	   *value;
	ListCell   *fc,
			   *tc;

	/* arrays: each label replaced in place (USING allows no subquery) */
	if (note->doc_enum_array)
	{
		value = psprintf("(%s)::pg_catalog.text[]", col);
		forboth(fc, from, tc, to)
			value = psprintf("pg_catalog.array_replace(%s, %s, %s)", value,
							 quote_literal_cstr(lfirst(fc)),
							 quote_literal_cstr(lfirst(tc)));
		return value;
	}
	value = psprintf("(%s)::pg_catalog.text", col);
	return from ? mapped_value(value, from, to) : value;
}


static void
plan_drop_enum(ConvPlanState *ps, const ConvChange *change)
{
	ConvEnum   *have = change->have;
	ConvStep   *step;

	step = add_step(ps, "drop_enum", enum_object(have),
					psprintf("DROP TYPE %s", enum_object(have)),
					pstrdup("enum is not declared in the document"),
					HAZARD_ACCESS_EXCLUSIVE);
	refuse_if_used(step, have->used_outside, "enum", "dropped");
}

static void
plan_rename_value(ConvPlanState *ps, const ConvChange *change)
{
	ConvEnum   *e = change->want;

	add_step(ps, "rename_enum_value", enum_object(e),
			 psprintf("ALTER TYPE %s RENAME VALUE %s TO %s", enum_object(e),
					  quote_literal_cstr(change->of.value.label),
					  quote_literal_cstr(change->of.value.other_label)),
			 psprintf("renamed_values: %s -> %s", change->of.value.label,
					  change->of.value.other_label),
			 HAZARD_ACCESS_EXCLUSIVE);
}

static void
plan_add_value(ConvPlanState *ps, const ConvChange *change)
{
	ConvEnum   *e = change->want;

	add_step(ps, "add_enum_value", enum_object(e),
			 change->of.value.other_label ?
			 psprintf("ALTER TYPE %s ADD VALUE %s %s %s", enum_object(e),
					  quote_literal_cstr(change->of.value.label),
					  change->of.value.before ? "BEFORE" : "AFTER",
					  quote_literal_cstr(change->of.value.other_label)) :
			 psprintf("ALTER TYPE %s ADD VALUE %s", enum_object(e),
					  quote_literal_cstr(change->of.value.label)),
			 psprintf("value %s is new and nothing in this plan uses it",
					  change->of.value.label),
			 0);
}

static void
plan_enum_comment(ConvPlanState *ps, const ConvChange *change)
{
	ConvEnum   *e = change->want;

	add_comment(ps, "comment_enum", "TYPE", enum_object(e),
				e->comment);
}

/* ----------------------------------------------------------------
 * The catalog
 * ----------------------------------------------------------------
 */

/*
 * Enums of the managed schemas, with a relation or domain outside the model
 * that uses each (such an enum cannot be recreated by a plan).
 */
static void
read_enums(CatalogRead *cr)
{
	catalog_query(cr,
				  "SELECT t.oid, n.nspname, t.typname,"
					  " (SELECT pg_catalog.array_agg(e.enumlabel::text"
					  "                              ORDER BY e.enumsortorder)"
					  "    FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid)"
					  "   AS labels,"
					  " " COMMENT_OF("t.oid", "pg_type") " AS comment,"
					  " " USED_OUTSIDE("t.oid, t.typarray") " AS used_outside, "
					  ACL_COLUMNS("t.typacl", "T", "t.typowner")
					  " FROM pg_catalog.pg_type t"
					  " JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
					  " WHERE n.nspname OPERATOR(pg_catalog.=) ANY ($1)"
					  "   AND t.typtype = 'e'"
					  "   AND" NOT_EXTENSION_MEMBER("pg_type", "t.oid")
					  " ORDER BY n.nspname, t.typname");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		ConvEnum   *e = palloc0(sizeof(ConvEnum));
		ConvSchema *schema = find_or_add_schema(cr->model,
												get_text(tup, desc, "nspname"));
		bool		isnull;

		e->oid = DatumGetObjectId(get_datum(tup, desc, "oid", &isnull));
		e->schema = schema->name;
		e->name = get_text(tup, desc, "typname");
		e->values = get_text_list(tup, desc, "labels");
		e->comment = get_text(tup, desc, "comment");
		e->used_outside = get_text(tup, desc, "used_outside");
		e->grants = get_acl(tup, desc);
		e->owner = get_text(tup, desc, "owner");
		schema->enums = lappend(schema->enums, e);
	}
}

/* ----------------------------------------------------------------
 * The document: a schema's "enums"
 * ----------------------------------------------------------------
 */

static void *
build_enum(DocContainer *dc, const char *name, const YNode *node,
		   const char *path)
{
	ConvEnum   *e = palloc0(sizeof(ConvEnum));
	const YNode *values = map_get(node, "values");
	ListCell   *lc;

	e->schema = dc->schema->name;
	e->name = pstrdup(name);
	e->pos = node_pos(node, path);
	e->comment = doc_comment(node);
	if (values == NULL || values->items == NIL)
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, node, path,
				  "enum \"%s\" has no values", name);
	foreach(lc, values->items)
	{
		YNode	   *v = lfirst(lc);

		if (string_in(e->values, v->value))
			doc_error(ERRCODE_INVALID_PARAMETER_VALUE, v,
					  child_path(path, "values"),
					  "enum \"%s\" lists value \"%s\" twice", name, v->value);
		if (strlen(v->value) >= NAMEDATALEN)
			doc_error(ERRCODE_NAME_TOO_LONG, v, child_path(path, "values"),
					  "enum value \"%s\" is longer than %d bytes", v->value,
					  NAMEDATALEN - 1);
		e->values = lappend(e->values, v->value);
	}
	string_map(map_get(node, "remap"), &e->remap_from, &e->remap_to);
	string_map(map_get(node, "renamed_values"), &e->old_labels,
			   &e->new_labels);
	e->grants = object_grants(node, path, "TYPE");

	/* rows must land on values the enum keeps */
	foreach(lc, list_concat_copy(e->remap_to, e->new_labels))
		if (!string_in(e->values, lfirst(lc)))
			doc_error(ERRCODE_INVALID_PARAMETER_VALUE, node, path,
					  "enum \"%s\" maps rows to \"%s\", which is not one of its values",
					  name, (char *) lfirst(lc));
	return e;
}

static void
build_enums(DocContainer *dc, const char *key, const YNode *value,
			const char *path)
{
	build_entries(dc, value, path, build_enum, &dc->schema->enums);
}

static const KeySpec enum_keys[] = {
	{"values", V_STRINGS},
	{"remap", V_STRING_MAP},
	{"renamed_values", V_STRING_MAP},
	{"grants", V_NAMED_STRINGS},
	{"comment", V_STRING},
	{NULL}
};

static const KeySpec enum_doc_keys[] = {
	{"enums", V_NAMED, enum_keys},
	{NULL}
};

/* ----------------------------------------------------------------
 * Export
 * ----------------------------------------------------------------
 */

static void
emit_enum(Emitter *em, const ConvSchema *schema, const void *object)
{
	const ConvEnum *e = object;

	emit_scalar(em, e->name, false);
	begin_mapping(em, true);
	emit_scalar(em, "values", false);
	emit_strings(em, e->values);
	grants_emit(em, e->grants, e->owner, "TYPE", true);
	if (e->comment)
		emit_pair(em, "comment", e->comment);
	end_mapping(em);
}

static void
emit_enums(Emitter *em, const ConvSchema *schema, const ConvTable *table)
{
	emit_entries(em, "enums", schema, schema->enums, emit_enum);
}

/* every declared enum; one the plan creates (again) starts with defaults */
static const SchemaGrants enum_grants = {
	.type = "TYPE",
	.list = offsetof(ConvSchema, enums),
	.grants = offsetof(ConvEnum, grants),
	.owner = offsetof(ConvEnum, owner),
};

/* labels renamed in place, or a recreated enum's, exist only once it ran */
static bool
enum_makes_values(const ConvChange *change)
{
	return change->action == ACTION_RENAME_VALUE ||
		(change->action == ACTION_CREATE && change->have);
}

/* the dependency graph: an enum recreated or dropped */
static const char *
enum_reshapes(const ConvChange *change, ObjectAddress *object, bool *gone)
{
	ConvEnum   *have = change->have;

	if (change->action != ACTION_REPLACE && change->action != ACTION_DROP)
		return NULL;
	ObjectAddressSet(*object, TypeRelationId, have->oid);
	*gone = change->action == ACTION_DROP;
	return psprintf("enum %s is %s",
					quote_qualified_identifier(have->schema, have->name),
					change->action == ACTION_DROP ? "dropped" : "recreated");
}

/* the script's fingerprint: an enum's labels in order */
static const char *const enums_fingerprint =
"SELECT 'type', pg_catalog.format('%I.%I', n.nspname, t.typname),"
" pg_catalog.concat_ws(' ', 'enum',"
"   (SELECT pg_catalog.array_agg(e.enumlabel ORDER BY e.enumsortorder)"
"      FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid)::pg_catalog.text,"
FP_OWNED("t.typacl", "T", "t.typowner", "t.oid", "pg_type") ")"
" FROM pg_catalog.pg_type t"
" JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
" WHERE t.typtype = 'e' AND" FP_MANAGED("n.nspname")
"   AND" NOT_EXTENSION_MEMBER("pg_type", "t.oid");

const ConvKindOps enum_kind = {
	.name = "enum",
	.reshapes = enum_reshapes,
	.makes_values = enum_makes_values,
	.diff = diff_enums,
	.plan = {
		[ACTION_CREATE] = plan_create_enum,
		[ACTION_RENAME_VALUE] = plan_rename_value,
		[ACTION_ADD_VALUE] = plan_add_value,
		[ACTION_REPLACE] = plan_finish_enum,
		[ACTION_DROP] = plan_drop_enum,
		[ACTION_COMMENT] = plan_enum_comment,
	},
	.doc_place = DOC_SCHEMA,
	.doc_keys = enum_doc_keys,
	.build = build_enums,
	.plural = "enums",
	.read = read_enums,
	.fingerprint = enums_fingerprint,
	.emit = emit_enums,
	.schema_grants = &enum_grants,
};
