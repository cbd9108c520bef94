/*-------------------------------------------------------------------------
 *
 * sequence.c
 *	  Sequences: created, altered in place, renamed, dropped, owned.
 *
 * Every option is held as the server stores it: an option the document
 * leaves out is the value CREATE SEQUENCE would give it for the type and
 * the direction, so a document written tersely and a catalog read in full
 * compare equal.  Options are changed with ALTER SEQUENCE, which never
 * moves the sequence: a converge keeps the position a live sequence has
 * reached.  Where the server would refuse new bounds because the current
 * value lies outside them, the plan refuses first, naming the value.
 *
 * OWNED BY ties a sequence to a column (what a serial column is); it is
 * set once the column exists, and a sequence newly tied to a column that
 * holds values moves past the largest of them, so that the next value
 * handed out is free.  A sequence the document does not declare is dropped
 * unless a column owns it (then it goes with that column, as the server
 * does); a dropped sequence that has handed out values loses its position,
 * which needs allow_data_loss.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"

#include "kinds/kinds.h"

/* the integer types a sequence may have, and their ranges */
static const struct
{
	const char *name;
	int64		min;
	int64		max;
}			sequence_types[] = {
	{"smallint", PG_INT16_MIN, PG_INT16_MAX},
	{"integer", PG_INT32_MIN, PG_INT32_MAX},
	{"bigint", PG_INT64_MIN, PG_INT64_MAX},
};

static int
sequence_type(const char *name)
{
	for (int i = 0; i < lengthof(sequence_types); i++)
		if (strcmp(sequence_types[i].name, name) == 0)
			return i;
	return -1;
}

static char *
sequence_object(const char *schema, const ConvSequence *seq)
{
	return quote_qualified_identifier(schema, seq->name);
}

/* ----------------------------------------------------------------
 * The catalog
 * ----------------------------------------------------------------
 */

/*
 * The sequences of the managed schemas, with the column that owns each
 * and whatever else uses it.  Identity sequences belong to their column
 * and are not read.
 */
static const char *const sequences_query =
"SELECT c.oid, n.nspname, c.relname,"
"       pg_catalog.format_type(s.seqtypid, NULL) AS type_name,"
"       s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache,"
"       s.seqcycle,"
"       " COMMENT_OF("c.oid", "pg_class") " AS comment,"
"       o.relname AS owned_table, o.attname AS owned_column,"
"       (SELECT r.relname || '.' || a.attname"
"          FROM pg_catalog.pg_depend d"
"          JOIN pg_catalog.pg_attrdef ad ON ad.oid = d.objid"
"          JOIN pg_catalog.pg_class r ON r.oid = ad.adrelid"
"          JOIN pg_catalog.pg_attribute a"
"            ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum"
"         WHERE d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass"
"           AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass"
"           AND d.refobjid = c.oid AND r.relnamespace = c.relnamespace"
"         ORDER BY 1 LIMIT 1) AS default_of,"
"       (SELECT pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid)"
"          FROM pg_catalog.pg_depend d"
"         WHERE d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass"
"           AND d.refobjid = c.oid AND d.deptype = 'n'"
"           AND NOT EXISTS (SELECT FROM pg_catalog.pg_attrdef ad"
"                 JOIN pg_catalog.pg_class r ON r.oid = ad.adrelid"
"                WHERE d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass"
"                  AND ad.oid = d.objid AND r.relnamespace = c.relnamespace"
"                  AND r.relkind IN ('r', 'p'))"
"         LIMIT 1) AS used_outside,"
"       " ACL_COLUMNS("c.relacl", "s", "c.relowner")
" FROM pg_catalog.pg_class c"
" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
" JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid"
" LEFT JOIN LATERAL (SELECT t.relname, a.attname"
"                      FROM pg_catalog.pg_depend d"
"                      JOIN pg_catalog.pg_class t ON t.oid = d.refobjid"
"                      JOIN pg_catalog.pg_attribute a"
"                        ON a.attrelid = d.refobjid"
"                       AND a.attnum = d.refobjsubid"
"                     WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass"
"                       AND d.objid = c.oid AND d.deptype = 'a'"
"                       AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass"
"                       AND t.relnamespace = c.relnamespace) o ON true"
" WHERE n.nspname OPERATOR(pg_catalog.=) ANY ($1)"
"   AND c.relkind = 'S'"
"   AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d"
"                    WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass"
"                      AND d.objid = c.oid AND d.deptype = 'i')"
"   AND" NOT_EXTENSION_MEMBER("pg_class", "c.oid")
" ORDER BY n.nspname, c.relname";

static void
read_sequences(CatalogRead *cr)
{
	catalog_query(cr, sequences_query);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		ConvSequence *seq = palloc0(sizeof(ConvSequence));
		ConvSchema *schema = find_or_add_schema(cr->model,
												get_text(tup, desc, "nspname"));
		bool		isnull;

		seq->oid = DatumGetObjectId(get_datum(tup, desc, "oid", &isnull));
		seq->schema = schema->name;
		seq->name = get_text(tup, desc, "relname");
		seq->type_name = get_text(tup, desc, "type_name");
		seq->start = get_int64(tup, desc, "seqstart");
		seq->increment = get_int64(tup, desc, "seqincrement");
		seq->min = get_int64(tup, desc, "seqmin");
		seq->max = get_int64(tup, desc, "seqmax");
		seq->cache = get_int64(tup, desc, "seqcache");
		seq->cycle = get_bool(tup, desc, "seqcycle");
		seq->comment = get_text(tup, desc, "comment");
		seq->owned_table = get_text(tup, desc, "owned_table");
		seq->owned_column = get_text(tup, desc, "owned_column");
		seq->default_of = get_text(tup, desc, "default_of");
		seq->used_outside = get_text(tup, desc, "used_outside");
		seq->grants = get_acl(tup, desc);
		seq->owner = get_text(tup, desc, "owner");
		schema->sequences = lappend(schema->sequences, seq);
	}
}

/* ----------------------------------------------------------------
 * The document: a schema's "sequences"
 * ----------------------------------------------------------------
 */

/* the options a mapping writes, and which they are (IDENTITY_* bits) */
static const struct
{
	const char *key;
	int			bit;
}			option_keys[] = {
	{"start", IDENTITY_START},
	{"increment", IDENTITY_INCREMENT},
	{"min", IDENTITY_MIN},
	{"max", IDENTITY_MAX},
	{"cache", IDENTITY_CACHE},
	{"cycle", IDENTITY_CYCLE},
};

static void
read_options(ConvSequence *seq, const YNode *node, const char *path)
{
	for (int i = 0; i < lengthof(option_keys); i++)
	{
		const YNode *v = map_get(node, option_keys[i].key);
		char	   *vpath = child_path(path, option_keys[i].key);

		if (v == NULL)
			continue;
		seq->given |= option_keys[i].bit;
		switch (option_keys[i].bit)
		{
			case IDENTITY_START:
				seq->start = doc_int(v, vpath);
				break;
			case IDENTITY_INCREMENT:
				seq->increment = doc_int(v, vpath);
				if (seq->increment == 0)
					doc_error(ERRCODE_INVALID_PARAMETER_VALUE, v, vpath,
							  "sequence increment must not be zero");
				break;
			case IDENTITY_MIN:
				seq->min = doc_int(v, vpath);
				break;
			case IDENTITY_MAX:
				seq->max = doc_int(v, vpath);
				break;
			case IDENTITY_CACHE:
				seq->cache = doc_int(v, vpath);
				break;
			case IDENTITY_CYCLE:
				seq->cycle = doc_bool(v, vpath);
				break;
		}
	}
}

/*
 * The options CREATE SEQUENCE would store for those "from" leaves out: an
 * ascending sequence runs from 1 to the type's maximum, a descending one
 * from the type's minimum to -1, and starts at the end it runs from.
 * Bounds the server would refuse are refused here, at the document's
 * line; "what" names the sequence in that message.
 */
static void
fill_options(ConvSequence *seq, const ConvSequence *from, int type,
			 const char *what)
{
	int			given = from ? from->given : 0;
	bool		up;

	seq->type_name = (char *) sequence_types[type].name;
	seq->increment = (given & IDENTITY_INCREMENT) ? from->increment : 1;
	up = seq->increment > 0;
	seq->min = (given & IDENTITY_MIN) ? from->min :
		up ? 1 : sequence_types[type].min;
	seq->max = (given & IDENTITY_MAX) ? from->max :
		up ? sequence_types[type].max : -1;
	seq->start = (given & IDENTITY_START) ? from->start :
		up ? seq->min : seq->max;
	seq->cache = (given & IDENTITY_CACHE) ? from->cache : 1;
	seq->cycle = (given & IDENTITY_CYCLE) && from->cycle;
	if (seq->min < sequence_types[type].min ||
		seq->max > sequence_types[type].max || seq->min >= seq->max ||
		seq->start < seq->min || seq->start > seq->max || seq->cache < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s needs min < max within %s, start between them and cache of at least 1 at line %d, column %d (%s)",
						what, seq->type_name, seq->pos.line, seq->pos.column,
						doc_path(&seq->pos))));
}

/* "table.column" of the same schema, as OWNED BY takes it */
static void
build_owned_by(ConvSequence *seq, const YNode *node, const char *path)
{
	const YNode *v = map_get(node, "owned_by");
	char	   *dot;

	if (v == NULL)
		return;
	dot = strchr(v->value, '.');
	if (dot == NULL || dot == v->value || dot[1] == '\0' ||
		strchr(dot + 1, '.') != NULL)
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, v,
				  child_path(path, "owned_by"),
				  "owned_by must be \"table.column\" of the sequence's schema, found \"%s\"",
				  v->value);
	seq->owned_table = pnstrdup(v->value, dot - v->value);
	seq->owned_column = pstrdup(dot + 1);
}

/* a declared sequence's type, and its options as the server stores them */
static void
build_options(ConvSequence *seq, const YNode *node, const char *path)
{
	ConvSequence written = {0};
	int			type;

	seq->type_name = map_string(node, "type");
	if (seq->type_name == NULL)
		seq->type_name = "bigint";
	type = sequence_type(seq->type_name);
	if (type < 0)
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, map_get(node, "type"),
				  child_path(path, "type"),
				  "sequence type must be smallint, integer or bigint, found \"%s\"",
				  seq->type_name);
	read_options(&written, node, path);
	fill_options(seq, &written, type,
				 psprintf("sequence \"%s\"", seq->name));
}

static void *
build_sequence(DocContainer *dc, const char *name, const YNode *node,
			   const char *path)
{
	ConvSequence *seq = palloc0(sizeof(ConvSequence));

	doc_renamable((ConvObject *) seq, dc->schema->name, name, node, path);
	seq->comment = doc_comment(node);
	build_options(seq, node, path);
	build_owned_by(seq, node, path);
	seq->grants = object_grants(node, path, "SEQUENCE");
	return seq;
}

static void
build_sequences(DocContainer *dc, const char *key, const YNode *value,
				const char *path)
{
	build_entries(dc, value, path, build_sequence, &dc->schema->sequences);
}

/* a column's "sequence": the options of its identity sequence */
const KeySpec identity_option_keys[] = {
	{"start", V_INT},
	{"increment", V_INT},
	{"min", V_INT},
	{"max", V_INT},
	{"cache", V_INT},
	{"cycle", V_BOOL},
	{NULL}
};

static const KeySpec sequence_keys[] = {
	{"type", V_STRING},
	{"start", V_INT},
	{"increment", V_INT},
	{"min", V_INT},
	{"max", V_INT},
	{"cache", V_INT},
	{"cycle", V_BOOL},
	{"owned_by", V_STRING},
	{"comment", V_STRING},
	{"renamed_from", V_STRING},
	{"grants", V_NAMED_STRINGS},
	{NULL}
};

static const KeySpec sequence_doc_keys[] = {
	{"sequences", V_NAMED, sequence_keys},
	{NULL}
};

/* ----------------------------------------------------------------
 * serial, bigserial, smallserial
 * ----------------------------------------------------------------
 */

/* PostgreSQL's shorthands, and the integer type each stands for */
static const struct
{
	const char *serial;
	int			type;			/* in sequence_types */
}			serial_types[] = {
	{"smallserial", 0},
	{"serial", 1},
	{"bigserial", 2},
};

static int
serial_type(const char *name)
{
	for (int i = 0; i < lengthof(serial_types); i++)
		if (strcmp(serial_types[i].serial, name) == 0)
			return serial_types[i].type;
	return -1;
}

/*
 * serial_expand
 *		A column written "type: serial" (or bigserial, smallserial) is what
 *		CREATE TABLE makes of it: an integer column, NOT NULL, whose default
 *		is nextval() of a sequence named <table>_<column>_seq, of the same
 *		type and owned by the column.  The sequence joins the schema's.
 */
void
serial_expand(DocContainer *dc, ConvColumn *col, const YNode *node,
			  const char *path)
{
	int			type = serial_type(col->type_name);
	ConvSequence *seq;
	const char *other;

	if (type < 0)
		return;
	other = map_get(node, "default") ? "default" :
		map_get(node, "identity") ? "identity" :
		map_get(node, "generated") ? "generated" :
		map_get(node, "nullable") ? "nullable" : NULL;
	if (other)
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, map_get(node, other),
				  child_path(path, other),
				  "%s column \"%s\" cannot say \"%s\": the type says it",
				  col->type_name, col->name, other);
	seq = palloc0(sizeof(ConvSequence));
	seq->name = psprintf("%s_%s_seq", dc->table->name, col->name);
	if (strlen(seq->name) >= NAMEDATALEN ||
		find_named(dc->schema->sequences, seq->name))
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, map_get(node, "type"),
				  child_path(path, "type"),
				  "%s column \"%s\" needs the sequence name \"%s\", which is %s",
				  col->type_name, col->name, seq->name,
				  strlen(seq->name) >= NAMEDATALEN ? "too long" :
				  "declared already");
	seq->schema = dc->schema->name;
	seq->pos = col->type_pos;
	fill_options(seq, NULL, type, NULL);
	seq->owned_table = dc->table->name;
	seq->owned_column = col->name;
	dc->schema->sequences = lappend(dc->schema->sequences, seq);

	col->type_name = seq->type_name;
	col->not_null = true;
	col->default_expr =
		psprintf("nextval(%s::regclass)",
				 quote_literal_cstr(quote_qualified_identifier(seq->schema,
															   seq->name)));
	col->default_pos = col->type_pos;
}

/*
 * The sequence of a current column that is exactly what "serial" makes
 * (so export can write the shorthand), or NULL.
 */
static const ConvSequence *
serial_sequence(const ConvSchema *schema, const ConvTable *table,
				const ConvColumn *col)
{
	ConvSequence *seq;
	int			type;

	if (col->default_bin == NULL || !col->not_null || col->identity)
		return NULL;
	seq = find_named(schema->sequences,
					 psprintf("%s_%s_seq", table->name, col->name));
	if (seq == NULL || seq->owned_table == NULL ||
		strcmp(seq->owned_table, table->name) != 0 ||
		strcmp(seq->owned_column, col->name) != 0 ||
		strcmp(seq->type_name, col->type_name) != 0 || seq->comment)
		return NULL;
	type = sequence_type(seq->type_name);
	if (type < 0 || seq->increment != 1 || seq->min != 1 || seq->start != 1 ||
		seq->cache != 1 || seq->cycle || seq->max != sequence_types[type].max)
		return NULL;
	return expr_is_nextval(col->default_bin, seq->oid) ? seq : NULL;
}

/*
 * serial_name
 *		"serial", "bigserial" or "smallserial" when a current column is
 *		exactly what that shorthand makes, else NULL.
 */
const char *
serial_name(const ConvSchema *schema, const ConvTable *table,
			const ConvColumn *col)
{
	const ConvSequence *seq = serial_sequence(schema, table, col);

	if (seq == NULL)
		return NULL;
	for (int i = 0; i < lengthof(serial_types); i++)
		if (serial_types[i].type == sequence_type(seq->type_name))
			return serial_types[i].serial;
	return NULL;
}

/* ----------------------------------------------------------------
 * Comparing
 * ----------------------------------------------------------------
 */

/*
 * The clauses of the options that differ from "have", or, when it is NULL,
 * of those "only" names (IDENTITY_* bits), each clause after "sep".
 */
static char *
option_clauses(const ConvSequence *w, const ConvSequence *h, int only,
			   const char *sep)
{
	StringInfoData buf;

#define OPTION_CLAUSE(bit, differs) \
	(h ? (differs) : (only & (bit)) != 0)

	initStringInfo(&buf);
	if (OPTION_CLAUSE(IDENTITY_INCREMENT, w->increment != h->increment))
		appendStringInfo(&buf, "%sINCREMENT BY " INT64_FORMAT, sep,
						 w->increment);
	if (OPTION_CLAUSE(IDENTITY_MIN, w->min != h->min))
		appendStringInfo(&buf, "%sMINVALUE " INT64_FORMAT, sep, w->min);
	if (OPTION_CLAUSE(IDENTITY_MAX, w->max != h->max))
		appendStringInfo(&buf, "%sMAXVALUE " INT64_FORMAT, sep, w->max);
	if (OPTION_CLAUSE(IDENTITY_START, w->start != h->start))
		appendStringInfo(&buf, "%sSTART WITH " INT64_FORMAT, sep, w->start);
	if (OPTION_CLAUSE(IDENTITY_CACHE, w->cache != h->cache))
		appendStringInfo(&buf, "%sCACHE " INT64_FORMAT, sep, w->cache);
	if (OPTION_CLAUSE(IDENTITY_CYCLE, w->cycle != h->cycle))
		appendStringInfo(&buf, "%s%s", sep, w->cycle ? "CYCLE" : "NO CYCLE");
#undef OPTION_CLAUSE
	return buf.data;
}

#define ALL_OPTIONS (IDENTITY_START | IDENTITY_INCREMENT | IDENTITY_MIN | \
					 IDENTITY_MAX | IDENTITY_CACHE | IDENTITY_CYCLE)

/* do two sequences' options (their type aside) differ? */
static bool
options_differ_from(const ConvSequence *a, const ConvSequence *b)
{
	return *option_clauses(a, b, 0, "") != '\0';
}


/*
 * Reconcile.match: the same name, or the name the other was renamed from
 * (either list may be searched for the other side's object).
 */
static void *
sequence_match(List *items, const void *object)
{
	const ConvSequence *o = object;
	ListCell   *lc;
	void	   *renamed = NULL;

	foreach(lc, items)
	{
		ConvSequence *item = lfirst(lc);

		if (strcmp(item->name, o->name) == 0)
			return item;
		if ((item->renamed_from && strcmp(item->renamed_from, o->name) == 0) ||
			(o->renamed_from && strcmp(o->renamed_from, item->name) == 0))
			renamed = item;
	}
	return renamed;
}

/* every difference is changed in place: a sequence is never recreated */
static bool
sequence_same(DiffState *ds, const ConvChange *proto, void *context,
			  void *want, void *have)
{
	return true;
}

static bool
options_differ(const ConvSequence *w, const ConvSequence *h)
{
	return strcmp(w->type_name, h->type_name) != 0 ||
		options_differ_from(w, h);
}

/*
 * Is the current owner the column the document names?  The current table
 * and column are compared under the names the document gives them, so a
 * rename of either in the same plan keeps the sequence where it is.
 */
static bool
owner_differs(DiffState *ds, const char *schema, const ConvSequence *w,
			  const ConvSequence *h)
{
	TableEntry *entry;

	if (w->owned_table == NULL || h->owned_table == NULL)
		return w->owned_table != h->owned_table;
	entry = lookup_table(ds, schema, h->owned_table);
	if (entry == NULL || entry->pair == NULL)
		return true;
	return strcmp(entry->pair->want->name, w->owned_table) != 0 ||
		strcmp(doc_name_of(entry->pair, h->owned_column),
			   w->owned_column) != 0;
}

/*
 * have_table is the owning table as it is, when the document's owner
 * already exists: its rows decide where the sequence continues.
 */
static void
add_sequence_change(DiffState *ds, const ConvChange *proto,
					ConvAction action, ConvSequence *want,
					ConvSequence *have, int what)
{
	TablePair  *owner = want->owned_table ?
		find_pair(ds, proto->schema, want->owned_table) : NULL;
	ConvChange *change = add_change(ds, KIND_SEQUENCE, action, proto->schema,
									NULL, owner ? owner->have : NULL);

	change->want = want;
	change->have = have;
	change->what = what;
	change->pair = owner;
}

static void
sequence_kept(DiffState *ds, const ConvChange *proto, void *context,
			  void *want, void *have)
{
	ConvSequence *w = want;
	ConvSequence *h = have;
	int			what = 0;

	if (strcmp(w->name, h->name) != 0)
		add_sequence_change(ds, proto, ACTION_RENAME, w, h, 0);
	if (options_differ(w, h))
		what |= SEQUENCE_OPTIONS;
	if (owner_differs(ds, proto->schema, w, h))
		what |= SEQUENCE_OWNED;
	if (strings_differ(w->comment, h->comment))
		what |= SEQUENCE_COMMENT;
	if (what)
		add_sequence_change(ds, proto, ACTION_ALTER, w, h, what);
}

/*
 * The current column whose identity sequence has a name, or NULL: an
 * identity column becoming a serial one has its sequence's name, until the
 * identity is dropped.  Identity sequences are their columns' and not read
 * as sequences of their own.
 */
static const char *
identity_named(DiffState *ds, const char *schema, const char *name)
{
	ConvSchema *have = find_schema(ds->have_model, schema);
	ListCell   *tc,
			   *cc;

	foreach(tc, have ? have->tables : NIL)
		foreach(cc, ((ConvTable *) lfirst(tc))->columns)
		{
			ConvColumn *col = lfirst(cc);

			if (col->identity_options &&
				strcmp(col->identity_options->name, name) == 0)
				return psprintf("%s.%s", ((ConvTable *) lfirst(tc))->name,
								col->name);
		}
	return NULL;
}

/*
 * A new sequence is owned once its column exists; one whose name an
 * identity sequence holds renames that out of the way first.
 */
static void
sequence_created(DiffState *ds, ConvChange *change, void *context)
{
	ConvSequence *seq = change->want;

	change->because = identity_named(ds, change->schema, seq->name);
	if (seq->owned_table)
		add_sequence_change(ds, change, ACTION_ALTER, seq, NULL,
							SEQUENCE_OWNED);
}

/*
 * The owning column must be one the document declares: OWNED BY names it
 * after the tables are built.
 */
static void
check_owner(const ConvSchema *schema, const ConvSequence *seq)
{
	ConvTable  *table = NULL;
	ListCell   *lc;

	if (seq->owned_table == NULL)
		return;
	foreach(lc, schema->tables)
		if (strcmp(((ConvTable *) lfirst(lc))->name, seq->owned_table) == 0)
			table = lfirst(lc);
	if (table == NULL || find_column(table, seq->owned_column) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("sequence \"%s\" is owned by %s.%s, which the document does not declare, at line %d, column %d (%s)",
						seq->name, seq->owned_table, seq->owned_column,
						seq->pos.line, seq->pos.column, doc_path(&seq->pos))));
}

/*
 * Before the tables are compared: the sequences the plan creates, whose
 * names a default (nextval('s')) cannot resolve yet, and the defaults that
 * name them.
 */
static void
note_new_sequences(DiffState *ds)
{
	List	   *names = NIL;
	ListCell   *sc,
			   *lc;

	foreach(sc, ds->want_model->schemas)
	{
		ConvSchema *want = lfirst(sc);
		ConvSchema *have = find_schema(ds->have_model, want->name);

		foreach(lc, want->sequences)
		{
			ConvSequence *seq = lfirst(lc);

			if (have && find_named(have->sequences, seq->name))
				continue;
			names = lappend(names, seq->name);
			names = lappend(names, psprintf("%s.%s", want->name, seq->name));
		}
	}
	if (names == NIL)
		return;
	ds->created_names = list_concat(ds->created_names, names);
	mark_pending_defaults(ds);
}

/*
 * A current default that uses a sequence the document drops must be
 * changed or dropped by the same plan, or the drop would fail: the
 * document contradicts itself, and says so at the default's line.
 */
static void
check_default_dropped(DiffState *ds, const char *schema,
					  const ConvSequence *seq)
{
	char	   *dot = strchr(seq->default_of, '.');
	TableEntry *entry;
	ConvColumn *have;
	ConvColumn *want;
	TablePair  *pair;
	ListCell   *lc;

	entry = lookup_table(ds, schema,
						 pnstrdup(seq->default_of, dot - seq->default_of));
	if (entry == NULL || entry->pair == NULL)
		return;
	pair = entry->pair;
	have = find_column(entry->table, dot + 1);
	want = find_column(pair->want, doc_name_of(pair, dot + 1));
	if (want == NULL || want->default_expr == NULL)
		return;
	foreach(lc, ds->changes)
	{
		ConvChange *change = lfirst(lc);

		if (change->kind == KIND_COLUMN && change->have == have &&
			(change->action == ACTION_DROP ||
			 (change->action == ACTION_ALTER &&
			  (change->what & COLUMN_DEFAULT))))
			return;
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("default of column \"%s\" uses sequence \"%s\", which the document does not declare, at line %d, column %d (%s)",
					want->name, seq->name, want->default_pos.line,
					want->default_pos.column, doc_path(&want->default_pos)),
			 errhint("Declare the sequence under \"sequences\", or give the column another default.")));
}

/*
 * A sequence a column owns that the document leaves out, where the column
 * becomes an identity (a serial column converted): the identity takes its
 * position (sync_identity), and the sequence is dropped after.
 */
static void
hand_over(DiffState *ds, const char *schema, ConvSequence *seq)
{
	TableEntry *entry = lookup_table(ds, schema, seq->owned_table);
	TablePair  *pair;
	ConvColumn *have;
	ConvColumn *want;
	ConvChange *change;

	if (entry == NULL || entry->pair == NULL)
		return;
	pair = entry->pair;
	have = find_column(entry->table, seq->owned_column);
	want = have ? find_column(pair->want, doc_name_of(pair, have->name)) :
		NULL;
	if (want == NULL || !want->identity || have->identity)
		return;
	change = add_change(ds, KIND_SEQUENCE, ACTION_DROP, schema, NULL, NULL);
	change->have = seq;
	change->because = psprintf("its position passes to the identity of %s.%s",
							   pair->want->name, want->name);
}

/*
 * Sequences are compared once the tables are paired (an owner is compared
 * under the document's names).  A sequence a column owns goes with that
 * column: it is never dropped on its own.
 */
static void
diff_sequences(DiffState *ds)
{
	static const Reconcile how = {
		.match = sequence_match,
		.same = sequence_same,
		.created = sequence_created,
		.kept = sequence_kept,
	};
	ListCell   *sc;

	foreach(sc, ds->want_model->schemas)
	{
		ConvSchema *want = lfirst(sc);
		ConvSchema *have = find_schema(ds->have_model, want->name);
		ConvChange	proto = {.kind = KIND_SEQUENCE};
		List	   *current = NIL;
		ListCell   *lc;

		foreach(lc, want->sequences)
			check_owner(want, lfirst(lc));
		foreach(lc, have ? have->sequences : NIL)
		{
			ConvSequence *seq = lfirst(lc);

			if (seq->owned_table == NULL ||
				sequence_match(want->sequences, seq) != NULL)
				current = lappend(current, seq);
			else
				hand_over(ds, want->name, seq);
		}
		proto.schema = want->name;
		reconcile(ds, &proto, &how, NULL, want->sequences, current);
		foreach(lc, current)
		{
			ConvSequence *seq = lfirst(lc);

			if (seq->default_of && sequence_match(want->sequences, seq) == NULL)
				check_default_dropped(ds, want->name, seq);
		}
	}
}

/* ----------------------------------------------------------------
 * Planning
 * ----------------------------------------------------------------
 */

/* the type and option clauses that differ from "have" (all when NULL) */
static char *
options_sql(const ConvSequence *w, const ConvSequence *h)
{
	bool		retyped = h == NULL || strcmp(w->type_name, h->type_name) != 0;

	return psprintf("%s%s", retyped ? psprintf(" AS %s", w->type_name) : "",
					option_clauses(w, h, ALL_OPTIONS, " "));
}

static void
plan_create_sequence(ConvPlanState *ps, const ConvChange *change)
{
	ConvSequence *seq = change->want;
	char	   *object = sequence_object(change->schema, seq);

	if (change->because)
		add_step(ps, "rename_identity_sequence", pstrdup(object),
				 psprintf("ALTER SEQUENCE %s RENAME TO %s", object,
						  quote_identifier(psprintf("%s_converge",
													seq->name))),
				 psprintf("the identity sequence of %s has the name until the identity is dropped",
						  change->because),
				 0);
	add_step(ps, "create_sequence", object,
			 psprintf("CREATE SEQUENCE %s%s", object, options_sql(seq, NULL)),
			 pstrdup("sequence is declared in the document and does not exist"),
			 0);
}

/*
 * The last value a current sequence handed out; false while it handed out
 * none.  Read only for a sequence whose bounds change, not with the rest
 * of the catalog: reading it opens the sequence.
 */
static bool
sequence_reached(const ConvSequence *h, int64 *last)
{
	LOCAL_FCINFO(fcinfo, 1);
	Datum		value;

	InitFunctionCallInfoData(*fcinfo, NULL, 1, InvalidOid, NULL, NULL);
	fcinfo->args[0].value = ObjectIdGetDatum(h->oid);
	fcinfo->args[0].isnull = false;
	value = pg_sequence_last_value(fcinfo);
	if (fcinfo->isnull)
		return false;
	*last = DatumGetInt64(value);
	return true;
}

/*
 * New bounds must hold the value the sequence has reached: the server
 * checks it too, but only when the statement runs.
 */
static void
refuse_out_of_bounds(ConvStep *step, const ConvSequence *w,
					 const ConvSequence *h)
{
	int64		last;

	if (!sequence_reached(h, &last))
		return;
	if (last >= w->min && last <= w->max)
		return;
	step->problem = psprintf("the sequence has reached " INT64_FORMAT
							 ", outside the bounds the document declares ("
							 INT64_FORMAT " to " INT64_FORMAT ")",
							 last, w->min, w->max);
	step->fix = FIX_SEQUENCE;
}

/*
 * A sequence newly tied to a column moves past the largest value the
 * column holds, unless it is already past it: the next value it hands out
 * must be free.  Only an ascending sequence behind an integer column.
 */
static void
plan_sync(ConvPlanState *ps, const ConvChange *change, const char *object)
{
	ConvSequence *seq = change->want;
	char	   *table = quote_qualified_identifier(change->schema,
												   seq->owned_table);
	ConvStep   *step;

	if (seq->increment < 0)
		return;
	step = add_step(ps, "sync_sequence", pstrdup(object),
					psprintf("SELECT pg_catalog.setval(%s, m.v)"
							 " FROM (SELECT pg_catalog.max(%s)::pg_catalog.int8"
							 " AS v FROM %s) AS m"
							 " WHERE m.v >= COALESCE(pg_catalog.pg_sequence_last_value(%s), "
							 INT64_FORMAT ")",
							 quote_literal_cstr(object),
							 quote_identifier(seq->owned_column), table,
							 quote_literal_cstr(object), seq->start),
					psprintf("the sequence continues after the largest value of %s.%s",
							 seq->owned_table, seq->owned_column),
					HAZARD_FULL_SCAN);
	step->rows_affected = -1;
}

static void
plan_alter_sequence(ConvPlanState *ps, const ConvChange *change)
{
	ConvSequence *w = change->want;
	ConvSequence *h = change->have;
	char	   *object = sequence_object(change->schema, w);
	ConvStep   *step;

	if (change->what & SEQUENCE_OPTIONS)
	{
		step = add_step(ps, "alter_sequence", pstrdup(object),
						psprintf("ALTER SEQUENCE %s%s", object,
								 options_sql(w, h)),
						pstrdup("options differ from the document; the position is kept"),
						0);
		refuse_out_of_bounds(step, w, h);
	}
	if (change->what & SEQUENCE_OWNED)
	{
		add_step(ps, "own_sequence", pstrdup(object),
				 psprintf("ALTER SEQUENCE %s OWNED BY %s", object,
						  w->owned_table ?
						  psprintf("%s.%s",
								   quote_qualified_identifier(change->schema,
															  w->owned_table),
								   quote_identifier(w->owned_column)) :
						  "NONE"),
				 w->owned_table ?
				 psprintf("sequence belongs to %s.%s", w->owned_table,
						  w->owned_column) :
				 pstrdup("sequence belongs to no column in the document"),
				 0);
		if (w->owned_table && change->have_table)
			plan_sync(ps, change, object);
	}
	if (change->what & SEQUENCE_COMMENT)
		add_comment(ps, "comment_sequence", "SEQUENCE", object, w->comment);
}

static void
plan_rename_sequence(ConvPlanState *ps, const ConvChange *change)
{
	ConvSequence *w = change->want;
	ConvSequence *h = change->have;

	add_step(ps, "rename_sequence", sequence_object(change->schema, w),
			 psprintf("ALTER SEQUENCE %s RENAME TO %s",
					  sequence_object(change->schema, h),
					  quote_identifier(w->name)),
			 psprintf("renamed from %s", h->name), 0);
}

/*
 * A sequence that has handed out values loses its position when dropped:
 * the probe reads the sequence's one row.
 */
static void
plan_drop_sequence(ConvPlanState *ps, const ConvChange *change)
{
	ConvSequence *seq = change->have;
	char	   *object = sequence_object(change->schema, seq);
	ConvStep   *step;
	ConvProbe  *probe = palloc0(sizeof(ConvProbe));

	step = add_step(ps, "drop_sequence", object,
					psprintf("DROP SEQUENCE %s", object),
					change->because ? pstrdup(change->because) :
					pstrdup("sequence is not declared in the document"), 0);
	refuse_if_used(step, seq->used_outside, "sequence", "dropped");
	if (change->because)
		return;
	probe->source = psprintf("(SELECT last_value::pg_catalog.text"
							 " AS converge_sample_key, is_called FROM %s) AS s",
							 object);
	probe->key_label = "last_value";
	probe->failing = "is_called";
	probe->failing_text = "(the position the sequence has reached) would be lost";
	probe->refusal = REFUSE_DATA_LOSS;
	probe->fix = FIX_ALLOW_DATA_LOSS;
	step->probes = lappend(step->probes, probe);
}

static void
plan_new_comment(ConvPlanState *ps, const ConvChange *change)
{
	ConvSequence *seq = change->want;

	if (change->action == ACTION_CREATE && seq->comment)
		add_comment(ps, "comment_sequence", "SEQUENCE",
					sequence_object(change->schema, seq), seq->comment);
}

/* ----------------------------------------------------------------
 * Export
 * ----------------------------------------------------------------
 */

static void
emit_int(Emitter *em, const char *key, int64 value)
{
	emit_pair(em, key, psprintf(INT64_FORMAT, value));
}

/* the options that differ from what CREATE SEQUENCE gives the type */
static void
emit_options(Emitter *em, const ConvSequence *seq, int type)
{
	bool		up = seq->increment > 0;
	int64		min = up ? 1 : sequence_types[type].min;
	int64		max = up ? sequence_types[type].max : -1;

	if (seq->increment != 1)
		emit_int(em, "increment", seq->increment);
	if (seq->min != min)
		emit_int(em, "min", seq->min);
	if (seq->max != max)
		emit_int(em, "max", seq->max);
	if (seq->start != (up ? seq->min : seq->max))
		emit_int(em, "start", seq->start);
	if (seq->cache != 1)
		emit_int(em, "cache", seq->cache);
	if (seq->cycle)
		emit_pair(em, "cycle", "true");
}

/* only what differs from what CREATE SEQUENCE would store */
static void
emit_sequence(Emitter *em, const ConvSchema *schema, const void *object)
{
	const ConvSequence *seq = object;
	int			type = sequence_type(seq->type_name);

	emit_scalar(em, seq->name, false);
	begin_mapping(em, true);
	if (type != 2)
		emit_pair(em, "type", seq->type_name);
	emit_options(em, seq, type);
	if (seq->owned_table)
		emit_pair(em, "owned_by", psprintf("%s.%s", seq->owned_table,
										   seq->owned_column));
	grants_emit(em, seq->grants, seq->owner, "SEQUENCE", false);
	if (seq->comment)
		emit_pair(em, "comment", seq->comment);
	end_mapping(em);
}

/* every sequence but those a serial column stands for */
static void
emit_sequences(Emitter *em, const ConvSchema *schema, const ConvTable *table)
{
	List	   *declared = NIL;
	ListCell   *lc;

	foreach(lc, schema->sequences)
	{
		ConvSequence *seq = lfirst(lc);
		ConvTable  *owner = seq->owned_table ?
			find_named(schema->tables, seq->owned_table) : NULL;
		ConvColumn *col = owner ? find_column(owner, seq->owned_column) : NULL;

		if (col == NULL || serial_sequence(schema, owner, col) != seq)
			declared = lappend(declared, seq);
	}
	emit_entries(em, "sequences", schema, declared, emit_sequence);
}

/* ----------------------------------------------------------------
 * The sequence of an identity column
 * ----------------------------------------------------------------
 */

/* an identity column's integer type, in sequence_types */
static int
integer_type(Oid typid)
{
	return typid == INT2OID ? 0 : typid == INT4OID ? 1 : 2;
}

/* a document column's identity options as the server would store them */
static ConvSequence *
identity_resolved(const ConvColumn *col, Oid typid)
{
	ConvSequence *seq = palloc0(sizeof(ConvSequence));

	seq->pos = col->identity_options ? col->identity_options->pos :
		col->pos;
	fill_options(seq, col->identity_options, integer_type(typid),
				 psprintf("the identity sequence of column \"%s\"",
						  col->name));
	return seq;
}

/*
 * identity_build
 *		A column's "sequence": the options of its identity sequence, those
 *		left out following the column's type as the server's do.
 */
void
identity_build(ConvColumn *col, const YNode *node, const char *path)
{
	const YNode *v = map_get(node, "sequence");
	char	   *vpath;

	if (v == NULL)
		return;
	vpath = child_path(path, "sequence");
	if (!col->identity)
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, v, vpath,
				  "column \"%s\" has sequence options but no identity",
				  col->name);
	col->identity_options = palloc0(sizeof(ConvSequence));
	col->identity_options->pos = node_pos(v, vpath);
	read_options(col->identity_options, v, vpath);
}

/*
 * identity_options_differ
 *		Does a current identity sequence hold other options than the
 *		document's column (of the resolved type typid) says?
 */
bool
identity_options_differ(const ConvColumn *want, Oid typid,
						const ConvColumn *have)
{
	ConvSequence *w = identity_resolved(want, typid);

	return have->identity_options &&
		options_differ_from(w, have->identity_options);
}

/*
 * identity_options_sql
 *		For a new identity: " (START WITH ...)" with the options the document
 *		writes, or nothing.  For a current one (have): the SET clauses of
 *		ALTER COLUMN for the options that differ.
 */
char *
identity_options_sql(const ConvColumn *want, Oid typid,
					 const ConvColumn *have)
{
	ConvSequence *w = identity_resolved(want, typid);

	if (have)
		return option_clauses(w, have->identity_options, 0, " SET ");
	if (want->identity_options == NULL)
		return "";
	return psprintf(" (%s)", option_clauses(w, NULL,
											want->identity_options->given,
											" ") + 1);
}

/*
 * identity_refuse_out_of_bounds
 *		New bounds must hold the value the identity sequence has reached.
 */
void
identity_refuse_out_of_bounds(ConvStep *step, const ConvColumn *want,
							  Oid typid, const ConvColumn *have)
{
	refuse_out_of_bounds(step, identity_resolved(want, typid),
						 have->identity_options);
}

/* a current identity column's options, where they differ from the type's */
void
identity_emit(Emitter *em, const ConvColumn *col)
{
	ConvColumn	plain = {0};

	plain.name = col->name;
	plain.pos = col->pos;
	if (col->identity_options == NULL ||
		!options_differ_from(col->identity_options,
							 identity_resolved(&plain, col->type_oid)))
		return;
	emit_scalar(em, "sequence", false);
	begin_mapping(em, true);
	emit_options(em, col->identity_options, integer_type(col->type_oid));
	end_mapping(em);
}

/*
 * Every declared sequence; one a serial column stands for has its owner's
 * privileges only, unless declared.
 */
static const SchemaGrants sequence_grants = {
	.type = "SEQUENCE",
	.list = offsetof(ConvSchema, sequences),
	.grants = offsetof(ConvSequence, grants),
	.owner = offsetof(ConvSequence, owner),
	.match = sequence_match,
};

/*
 * The script's fingerprint: a sequence's options and owner, never its
 * position, which the rows move (a bounds change probes it instead).
 */
static const char *const sequences_fingerprint =
"SELECT 'sequence', pg_catalog.format('%I.%I', n.nspname, c.relname),"
" pg_catalog.concat_ws(' ', pg_catalog.format_type(s.seqtypid, NULL),"
"   c.relpersistence, 'start=' || s.seqstart, 'increment=' || s.seqincrement,"
"   'min=' || s.seqmin, 'max=' || s.seqmax, 'cache=' || s.seqcache,"
"   CASE WHEN s.seqcycle THEN 'cycle' END,"
"   (SELECT 'owned by ' || d.deptype::pg_catalog.text || ' ' ||"
"           pg_catalog.format('%I.%I.%I', tn.nspname, t.relname, a.attname)"
"      FROM pg_catalog.pg_depend d"
"      JOIN pg_catalog.pg_class t ON t.oid = d.refobjid"
"      JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace"
"      JOIN pg_catalog.pg_attribute a"
"        ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid"
"     WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass"
"       AND d.objid = c.oid AND d.deptype IN ('a', 'i')"
"       AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass),"
FP_OWNED("c.relacl", "s", "c.relowner", "c.oid", "pg_class") ")"
" FROM pg_catalog.pg_class c"
" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
" JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid"
" WHERE" FP_MANAGED("n.nspname")
"   AND" NOT_EXTENSION_MEMBER("pg_class", "c.oid");

const ConvKindOps sequence_kind = {
	.name = "sequence",
	.diff = note_new_sequences,
	.diff_finish = diff_sequences,
	.plan = {
		[ACTION_CREATE] = plan_create_sequence,
		[ACTION_ALTER] = plan_alter_sequence,
		[ACTION_RENAME] = plan_rename_sequence,
		[ACTION_DROP] = plan_drop_sequence,
	},
	.plan_comments = plan_new_comment,
	.doc_place = DOC_SCHEMA,
	.doc_keys = sequence_doc_keys,
	.build = build_sequences,
	.read = read_sequences,
	.fingerprint = sequences_fingerprint,
	.emit = emit_sequences,
	.schema_grants = &sequence_grants,
	.plural = "sequences",
};
