/*-------------------------------------------------------------------------
 *
 * diff.c
 *	  Compare the desired model with the current one.
 *
 * The result is an unordered list of ConvChange: what differs, never how
 * to get there (that is plan.c's business).  Everything compared here is
 * compared as the server understands it: types by resolved oid and typmod,
 * collations by oid, defaults and generation expressions as cooked trees
 * (expr.c), CHECKs against the real relation under the document's column
 * names, keys and foreign keys by their columns under those names.  A
 * document object that names a "renamed_from" matches the current object
 * of that name when its own name does not exist yet and the document does
 * not declare the old name, so a rename is never a drop and a create.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/sysattr.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "lib/stringinfo.h"
#include "nodes/bitmapset.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "model.h"

/* current tables by qualified name, with whether the document claims them */
typedef struct TableKey
{
	NameData	schema;
	NameData	table;
} TableKey;

typedef struct TableEntry
{
	TableKey	key;
	ConvTable  *table;
	bool		claimed;
} TableEntry;

/* a document table and the current table it stands for, if any */
typedef struct TablePair
{
	const char *schema;
	ConvTable  *want;
	ConvTable  *have;			/* NULL when the plan creates it */
} TablePair;

/* a document enum and the current one of its name, if any */
typedef struct EnumPair
{
	ConvEnum   *want;
	ConvEnum   *have;
} EnumPair;

/* a document domain and the current one of its name, if any */
typedef struct DomainPair
{
	ConvDomain *want;
	ConvDomain *have;
} DomainPair;

typedef struct DiffState
{
	HTAB	   *tables;
	List	   *pairs;			/* of TablePair */
	List	   *enums;			/* of EnumPair */
	List	   *domains;		/* of DomainPair */
	List	   *new_labels;		/* labels enums get by RENAME VALUE: an
								 * expression naming one cannot be read
								 * before the rename */
	List	   *changes;
} DiffState;

static void
make_key(TableKey *key, const char *schema, const char *table)
{
	memset(key, 0, sizeof(TableKey));
	namestrcpy(&key->schema, schema);
	namestrcpy(&key->table, table);
}

static HTAB *
index_tables(ConvModel *have)
{
	HASHCTL		ctl;
	HTAB	   *htab;
	ListCell   *sc,
			   *tc;

	ctl.keysize = sizeof(TableKey);
	ctl.entrysize = sizeof(TableEntry);
	ctl.hcxt = CurrentMemoryContext;
	htab = hash_create("pg_converge current tables", 256, &ctl,
					   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	foreach(sc, have->schemas)
	{
		ConvSchema *schema = lfirst(sc);

		foreach(tc, schema->tables)
		{
			ConvTable  *table = lfirst(tc);
			TableKey	key;
			TableEntry *entry;

			make_key(&key, schema->name, table->name);
			entry = hash_search(htab, &key, HASH_ENTER, NULL);
			entry->table = table;
			entry->claimed = false;
		}
	}
	return htab;
}

static TableEntry *
lookup_table(DiffState *ds, const char *schema, const char *table)
{
	TableKey	key;

	make_key(&key, schema, table);
	return hash_search(ds->tables, &key, HASH_FIND, NULL);
}

static ConvChange *
add_change(DiffState *ds, ConvChangeKind kind, const char *schema,
		   ConvTable *want, ConvTable *have)
{
	ConvChange *change = palloc0(sizeof(ConvChange));

	change->kind = kind;
	change->schema = schema;
	change->want_table = want;
	change->have_table = have;
	ds->changes = lappend(ds->changes, change);
	return change;
}

/*
 * The item of a list of model objects whose name (a char * member at
 * name_offset) is "name", or NULL.
 */
static void *
find_named(List *items, size_t name_offset, const char *name)
{
	ListCell   *lc;

	foreach(lc, items)
		if (strcmp(*(char **) ((char *) lfirst(lc) + name_offset), name) == 0)
			return lfirst(lc);
	return NULL;
}

#define find_schema(model, key) \
	((ConvSchema *) find_named((model)->schemas, \
							   offsetof(ConvSchema, name), (key)))
#define find_column(table, key) \
	((ConvColumn *) find_named((table)->columns, \
							   offsetof(ConvColumn, name), (key)))
#define find_check(checks, key) \
	((ConvCheck *) find_named((checks), offsetof(ConvCheck, name), (key)))
#define find_index(indexes, key) \
	((ConvIndex *) find_named((indexes), offsetof(ConvIndex, name), (key)))
#define find_foreign_key(fkeys, key) \
	((ConvForeignKey *) find_named((fkeys), \
								   offsetof(ConvForeignKey, name), (key)))
#define find_enum(enums, key) \
	((ConvEnum *) find_named((enums), offsetof(ConvEnum, name), (key)))
#define find_domain(domains, key) \
	((ConvDomain *) find_named((domains), offsetof(ConvDomain, name), (key)))

static bool
strings_differ(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a != b;
	return strcmp(a, b) != 0;
}

/*
 * Resolve what the server needs to know about a document column: its type
 * and collation.  Errors point at the document.
 */
/*
 * A document column whose type is a document enum: by the current type's
 * oid, or, when no such type exists yet, by name (the table's schema
 * first).
 */
static void
find_doc_enum(DiffState *ds, ConvColumn *col, const char *schema)
{
	ListCell   *lc;
	char	   *nspname;
	char	   *name;
	bool		array;

	/*
	 * An unqualified name that the document declares in the column's own
	 * schema means that type, whatever the search path finds first.
	 */
	expr_type_name_parts(col, &nspname, &name, &array);
	if (nspname == NULL)
	{
		foreach(lc, ds->enums)
		{
			EnumPair   *ep = lfirst(lc);

			if (strcmp(ep->want->schema, schema) != 0 ||
				strcmp(ep->want->name, name) != 0)
				continue;
			col->doc_enum = ep->want;
			col->doc_enum_array = array;
			if (ep->have && ep->want->build_name == NULL)
			{
				col->type_oid = array ? get_array_type(ep->have->oid) :
					ep->have->oid;
				col->typmod = -1;
			}
			return;
		}
		foreach(lc, ds->domains)
		{
			DomainPair *dp = lfirst(lc);

			if (array || strcmp(dp->want->schema, schema) != 0 ||
				strcmp(dp->want->name, name) != 0)
				continue;
			if (dp->have && dp->want->build_name == NULL)
			{
				col->type_oid = dp->have->oid;
				col->typmod = -1;
			}
			else
				col->doc_domain = dp->want;
			return;
		}
	}

	if (expr_find_type(col))
	{
		foreach(lc, ds->domains)
		{
			DomainPair *dp = lfirst(lc);

			if (dp->have && col->type_oid == dp->have->oid &&
				dp->want->build_name)
				col->doc_domain = dp->want;
		}
		foreach(lc, ds->enums)
		{
			EnumPair   *ep = lfirst(lc);

			if (ep->have && col->type_oid == ep->have->oid)
				col->doc_enum = ep->want;
			else if (ep->have &&
					 col->type_oid == get_array_type(ep->have->oid))
			{
				col->doc_enum = ep->want;
				col->doc_enum_array = true;
			}
		}
	}
	else
	{
		foreach(lc, ds->enums)
		{
			EnumPair   *ep = lfirst(lc);

			if (strcmp(ep->want->name, name) != 0 ||
				(nspname && strcmp(ep->want->schema, nspname) != 0))
				continue;
			if (col->doc_enum == NULL ||
				strcmp(ep->want->schema, schema) == 0)
			{
				col->doc_enum = ep->want;
				col->doc_enum_array = array;
				/* an enum kept in place is the type it is now */
				if (ep->have && ep->want->build_name == NULL)
				{
					col->type_oid = array ? get_array_type(ep->have->oid) :
						ep->have->oid;
					col->typmod = -1;
				}
			}
		}
		foreach(lc, ds->domains)
		{
			DomainPair *dp = lfirst(lc);

			if (col->doc_enum || strcmp(dp->want->name, name) != 0 ||
				(nspname && strcmp(dp->want->schema, nspname) != 0) || array)
				continue;
			if (dp->have && dp->want->build_name == NULL)
			{
				col->type_oid = dp->have->oid;
				col->typmod = -1;
			}
			else
				col->doc_domain = dp->want;
		}
		if (col->doc_enum == NULL && col->doc_domain == NULL &&
			!OidIsValid(col->type_oid))
			expr_resolve_type(col);		/* raises "does not exist" */
	}
}

static Oid
resolve_column(DiffState *ds, ConvColumn *col, const char *schema)
{
	Oid			typcoll;

	find_doc_enum(ds, col, schema);
	typcoll = OidIsValid(col->type_oid) ?
		get_typcollation(col->type_oid) : InvalidOid;
	if (col->collation == NULL)
		return typcoll;
	if (!OidIsValid(typcoll))
	{
		DocPos		pos = col->collation_pos;

		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("collations are not supported by type %s at line %d, column %d (%s)",
						OidIsValid(col->type_oid) ?
						format_type_with_typemod(col->type_oid, col->typmod) :
						col->type_name,
						pos.line, pos.column, pos.path)));
	}
	return expr_collation_oid(col->collation, &col->collation_pos);
}

static bool names_overlap(List *a, List *b);

/* does a document expression name a label a rename creates? */
static bool
names_new_label(DiffState *ds, const char *text, const DocPos *pos)
{
	return ds->new_labels && text &&
		names_overlap(expr_string_constants(text, pos), ds->new_labels);
}

static int
compare_column(DiffState *ds, ConvColumn *want, Oid want_coll,
			   ConvColumn *have, ConvTable *have_table)
{
	int			changes = 0;

	/* a column of an enum or domain the plan creates moves to it */
	if ((want->doc_enum && want->doc_enum->build_name) || want->doc_domain ||
		want->type_oid != have->type_oid || want->typmod != have->typmod ||
		want_coll != have->collation_oid)
		changes |= COLUMN_TYPE;

	if ((want->generated == NULL) != (have->generated == NULL))
		changes |= COLUMN_GENERATED;
	else if (want->generated &&
			 ((changes & COLUMN_TYPE) ||
			  !expr_generated_matches(want, have, have_table)))
		changes |= COLUMN_GENERATED;

	/*
	 * A default is cooked for its column's type, so one that survives a
	 * type change is dropped before it and set again after it.
	 */
	/*
	 * A default of an enum whose labels are renamed in place cannot be read
	 * before the rename: set it again after.
	 */
	if (names_new_label(ds, want->default_expr, &want->default_pos) &&
		want->generated == NULL && have->generated == NULL)
		changes |= COLUMN_DEFAULT;
	else if (want->generated == NULL && have->generated == NULL)
	{
		if ((changes & COLUMN_TYPE) &&
			(want->default_expr != NULL || have->default_bin != NULL))
			changes |= COLUMN_DEFAULT;
		else if (!(changes & COLUMN_TYPE) &&
				 !expr_default_matches(want, have))
			changes |= COLUMN_DEFAULT;
	}
	else if (want->generated == NULL && want->default_expr)
		changes |= COLUMN_DEFAULT;

	if (want->not_null != have->not_null)
		changes |= COLUMN_NOT_NULL;
	if (want->identity != have->identity)
		changes |= COLUMN_IDENTITY;
	if (strings_differ(want->comment, have->comment))
		changes |= COLUMN_COMMENT;
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

static bool
names_overlap(List *a, List *b)
{
	ListCell   *lc,
			   *mc;

	foreach(lc, a)
		foreach(mc, b)
			if (strcmp(lfirst(lc), lfirst(mc)) == 0)
				return true;
	return false;
}

/*
 * CHECK constraints of a table that exists.  A changed one is dropped and
 * added again.  One that reads a column the plan adds, retypes or rebuilds
 * cannot be compared with the relation as it is: it is dropped before and
 * added after those changes.  Returns the columns the added CHECKs read,
 * since a column's "remap" runs only when a CHECK on it changes.
 */
static List *
diff_checks(DiffState *ds, const char *schema, ConvTable *want,
			ConvTable *have, List *reshaped)
{
	List	   *read = NIL;
	ListCell   *lc;

	foreach(lc, want->checks)
	{
		ConvCheck  *wc = lfirst(lc);
		ConvCheck  *hc = find_check(have->checks, wc->name);
		List	   *refs = expr_column_refs(wc->expr, &wc->pos);
		ConvChange *change;

		if (hc && !names_overlap(refs, reshaped) &&
			!names_new_label(ds, wc->expr, &wc->pos) &&
			equal(expr_cook_check(wc, have), stringToNode(hc->bin)))
			continue;
		if (hc)
		{
			change = add_change(ds, CHANGE_DROP_CHECK, schema, want, have);
			change->have_check = hc;
		}
		change = add_change(ds, CHANGE_ADD_CHECK, schema, want, have);
		change->want_check = wc;
		change->have_check = hc;
		read = list_concat(read, refs);
	}
	foreach(lc, have->checks)
	{
		ConvCheck  *hc = lfirst(lc);

		if (find_check(want->checks, hc->name) == NULL)
		{
			ConvChange *change = add_change(ds, CHANGE_DROP_CHECK, schema,
											want, have);

			change->have_check = hc;
		}
	}
	return read;
}

/* the document's name of a current column */
static const char *
doc_name_of(const ConvTable *have, const char *name)
{
	ListCell   *lc,
			   *nc;

	forboth(lc, have->columns, nc, have->doc_names)
		if (strcmp(((ConvColumn *) lfirst(lc))->name, name) == 0)
			return lfirst(nc);
	return name;
}

static bool
keys_match(const ConvKey *want, const ConvKey *have, const ConvTable *table)
{
	ListCell   *wc,
			   *hc;

	if (want->nulls_not_distinct != have->nulls_not_distinct ||
		list_length(want->columns) != list_length(have->columns))
		return false;
	forboth(wc, want->columns, hc, have->columns)
		if (strcmp(lfirst(wc), doc_name_of(table, lfirst(hc))) != 0)
			return false;
	return true;
}

/* the current key a document key stands for: the primary key, or by name */
static ConvKey *
find_key(List *keys, const ConvKey *key)
{
	ListCell   *lc;

	foreach(lc, keys)
	{
		ConvKey    *k = lfirst(lc);

		if (key->primary ? k->primary : (!k->primary &&
										  strcmp(k->name, key->name) == 0))
			return k;
	}
	return NULL;
}

/* PRIMARY KEY and UNIQUE constraints: a changed one is dropped and added */
static void
diff_keys(DiffState *ds, const char *schema, ConvTable *want,
		  ConvTable *have, List *rebuilt)
{
	ListCell   *lc;

	foreach(lc, want->keys)
	{
		ConvKey    *wk = lfirst(lc);
		ConvKey    *hk = find_key(have->keys, wk);
		ConvChange *change;

		/* dropping a rebuilt column drops its keys: add them again */
		if (hk && keys_match(wk, hk, have) &&
			!names_overlap(wk->columns, rebuilt))
			continue;
		if (hk)
		{
			change = add_change(ds, CHANGE_DROP_KEY, schema, want, have);
			change->have_key = hk;
		}
		change = add_change(ds, CHANGE_ADD_KEY, schema, want, have);
		change->want_key = wk;
		change->have_key = hk;
	}
	foreach(lc, have->keys)
	{
		ConvKey    *hk = lfirst(lc);

		if (find_key(want->keys, hk) == NULL)
		{
			ConvChange *change = add_change(ds, CHANGE_DROP_KEY, schema,
											want, have);

			change->have_key = hk;
		}
	}
}

/*
 * Indexes that back no constraint.  Like a CHECK, one that reads a column
 * the plan adds, retypes or rebuilds is dropped before and created after.
 */
static void
diff_indexes(DiffState *ds, const char *schema, ConvTable *want,
			 ConvTable *have, List *reshaped)
{
	ListCell   *lc;

	foreach(lc, want->indexes)
	{
		ConvIndex  *wi = lfirst(lc);
		ConvIndex  *hi = find_index(have->indexes, wi->name);
		ConvChange *change;

		if (hi && !names_overlap(expr_index_column_refs(wi), reshaped) &&
			!names_new_label(ds, wi->where, &wi->pos) &&
			expr_index_matches(wi, hi, have))
			continue;
		if (hi)
		{
			change = add_change(ds, CHANGE_DROP_INDEX, schema, want, have);
			change->have_index = hi;
		}
		change = add_change(ds, CHANGE_ADD_INDEX, schema, want, have);
		change->want_index = wi;
		change->have_index = hi;
	}
	foreach(lc, have->indexes)
	{
		ConvIndex  *hi = lfirst(lc);

		if (find_index(want->indexes, hi->name) == NULL)
		{
			ConvChange *change = add_change(ds, CHANGE_DROP_INDEX, schema,
											want, have);

			change->have_index = hi;
		}
	}
}

static void
diff_columns(DiffState *ds, const char *schema, ConvTable *want,
			 ConvTable *have)
{
	List	   *claimed = NIL;
	List	   *matches = NIL;
	List	   *reshaped = NIL;	/* columns added, retyped or rebuilt */
	List	   *rebuilt_names = NIL;
	List	   *checked;
	int			ncols = list_length(want->columns);
	int		   *what = palloc0(sizeof(int) * Max(ncols, 1));
	bool	   *rebuilt = palloc0(sizeof(bool) * Max(ncols, 1));
	Bitmapset  *retyped = NULL;
	int			i;
	ListCell   *lc,
			   *mc;

	/* first the matching, so expressions can be read under new names */
	foreach(lc, want->columns)
	{
		ConvColumn *hcol = match_column(want, have, lfirst(lc), claimed);

		matches = lappend(matches, hcol);
		if (hcol)
			claimed = lappend(claimed, hcol);
	}
	have->doc_name = want->name;
	foreach(lc, have->columns)
	{
		ConvColumn *hcol = lfirst(lc);
		const char *name = hcol->name;

		forboth(mc, matches, lc, want->columns)
			if (lfirst(mc) == hcol)
				name = ((ConvColumn *) lfirst(lc))->name;
		have->doc_names = lappend(have->doc_names, (char *) name);
	}

	/* what differs in each kept column; which columns change shape */
	i = 0;
	forboth(lc, want->columns, mc, matches)
	{
		ConvColumn *wcol = lfirst(lc);
		ConvColumn *hcol = lfirst(mc);

		if (hcol == NULL)
			reshaped = lappend(reshaped, wcol->name);
		else
		{
			what[i] = compare_column(ds, wcol,
									 resolve_column(ds, wcol, schema),
									 hcol, have);
			if (what[i] & COLUMN_TYPE)
			{
				retyped = bms_add_member(retyped, hcol->attnum -
										 FirstLowInvalidHeapAttributeNumber);
				reshaped = lappend(reshaped, wcol->name);
			}
		}
		i++;
	}

	/*
	 * The server cannot change a generation expression, nor the type of a
	 * column a generated column reads: such a generated column is dropped
	 * and added again around the other changes.
	 */
	i = 0;
	forboth(lc, want->columns, mc, matches)
	{
		ConvColumn *wcol = lfirst(lc);
		ConvColumn *hcol = lfirst(mc);

		if (hcol && wcol->generated &&
			((what[i] & COLUMN_GENERATED) ||
			 (hcol->generated &&
			  bms_overlap(retyped,
						  expr_attnums(stringToNode(hcol->default_bin))))))
		{
			rebuilt[i] = true;
			rebuilt_names = lappend(rebuilt_names, wcol->name);
		}
		i++;
	}
	reshaped = list_concat(reshaped, rebuilt_names);
	have->reshaped = reshaped;

	checked = diff_checks(ds, schema, want, have, reshaped);
	diff_keys(ds, schema, want, have, rebuilt_names);
	diff_indexes(ds, schema, want, have, reshaped);

	i = 0;
	forboth(lc, want->columns, mc, matches)
	{
		ConvColumn *wcol = lfirst(lc);
		ConvColumn *hcol = lfirst(mc);
		Oid			coll = resolve_column(ds, wcol, schema);
		ConvChange *change;
		int			changes = what[i];
		bool		rebuild = rebuilt[i];

		i++;
		if (hcol == NULL)
		{
			change = add_change(ds, CHANGE_ADD_COLUMN, schema, want, have);
			change->want_column = wcol;
			change->want_collation = coll;
			continue;
		}
		if (strcmp(hcol->name, wcol->name) != 0)
		{
			change = add_change(ds, CHANGE_RENAME_COLUMN, schema, want, have);
			change->want_column = wcol;
			change->have_column = hcol;
		}
		if (rebuild)
		{
			change = add_change(ds, CHANGE_DROP_COLUMN, schema, want, have);
			change->have_column = hcol;
			change->want_column = wcol;
			change = add_change(ds, CHANGE_ADD_COLUMN, schema, want, have);
			change->want_column = wcol;
			change->want_collation = coll;
			continue;
		}

		/* a generated column becomes a plain one before other changes */
		if (changes & COLUMN_GENERATED)
		{
			change = add_change(ds, CHANGE_DROP_EXPRESSION, schema, want, have);
			change->want_column = wcol;
			change->have_column = hcol;
			changes &= ~COLUMN_GENERATED;
		}

		change = palloc0(sizeof(ConvChange));
		change->kind = CHANGE_ALTER_COLUMN;
		change->schema = schema;
		change->want_table = want;
		change->have_table = have;
		change->want_column = wcol;
		change->have_column = hcol;
		change->want_collation = coll;
		change->column_changes = changes;
		if (changes != 0)
			ds->changes = lappend(ds->changes, change);

		/*
		 * Rows reach a changed CHECK or type through the remap; a column
		 * moving to an enum is remapped in the conversion itself.
		 */
		if (wcol->remap_from && !wcol->doc_enum &&
			(names_overlap(checked, list_make1(wcol->name)) ||
			 (changes & COLUMN_TYPE)))
		{
			change = add_change(ds, CHANGE_REMAP_COLUMN, schema, want, have);
			change->want_column = wcol;
			change->have_column = hcol;
		}
	}

	foreach(lc, have->columns)
	{
		ConvColumn *hcol = lfirst(lc);

		if (!list_member_ptr(claimed, hcol))
		{
			ConvChange *change = add_change(ds, CHANGE_DROP_COLUMN, schema,
											want, have);

			change->have_column = hcol;
		}
	}

	if (strings_differ(want->comment, have->comment))
		add_change(ds, CHANGE_TABLE_COMMENT, schema, want, have);
}

static bool
schema_declares(const ConvSchema *schema, const char *table)
{
	ListCell   *lc;

	foreach(lc, schema->tables)
		if (strcmp(((ConvTable *) lfirst(lc))->name, table) == 0)
			return true;
	return false;
}

static void
diff_table(DiffState *ds, ConvSchema *schema, ConvTable *want)
{
	TableEntry *entry = lookup_table(ds, schema->name, want->name);
	TablePair  *pair;
	ListCell   *lc;

	/* as for columns: no rename from a name the document still declares */
	if (entry == NULL && want->renamed_from &&
		!schema_declares(schema, want->renamed_from))
	{
		entry = lookup_table(ds, schema->name, want->renamed_from);
		if (entry && !entry->claimed)
			add_change(ds, CHANGE_RENAME_TABLE, schema->name, want,
					   entry->table);
		else
			entry = NULL;
	}
	pair = palloc(sizeof(TablePair));
	pair->schema = schema->name;
	pair->want = want;
	pair->have = entry ? entry->table : NULL;
	ds->pairs = lappend(ds->pairs, pair);

	if (entry == NULL)
	{
		add_change(ds, CHANGE_CREATE_TABLE, schema->name, want, NULL);
		foreach(lc, want->columns)
			(void) resolve_column(ds, lfirst(lc), schema->name);
		foreach(lc, want->keys)
		{
			ConvChange *change = add_change(ds, CHANGE_ADD_KEY,
											schema->name, want, NULL);

			change->want_key = lfirst(lc);
		}
		foreach(lc, want->checks)
		{
			ConvChange *change = add_change(ds, CHANGE_ADD_CHECK,
											schema->name, want, NULL);

			change->want_check = lfirst(lc);
		}
		foreach(lc, want->indexes)
		{
			ConvChange *change = add_change(ds, CHANGE_ADD_INDEX,
											schema->name, want, NULL);

			change->want_index = lfirst(lc);
		}
		return;
	}
	entry->claimed = true;
	diff_columns(ds, schema->name, want, entry->table);
}

static void
refuse_unsupported(ConvModel *want)
{
	DocPos	   *first;
	StringInfoData others;
	ListCell   *lc;

	if (want->unsupported == NIL)
		return;
	first = linitial(want->unsupported);
	initStringInfo(&others);
	for_each_from(lc, want->unsupported, 1)
	{
		DocPos	   *pos = lfirst(lc);

		appendStringInfo(&others, "%s%s (line %d)", others.len ? ", " : "",
						 pos->path, pos->line);
	}
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("\"%s\" cannot be converged yet at line %d, column %d (%s)",
					strrchr(first->path, '.') + 1, first->line, first->column,
					first->path),
			 others.len ? errdetail("These keys cannot be converged yet either: %s.",
									others.data) : 0,
			 errhint("This version converges schemas, enums, domains, tables, columns, constraints and indexes; remove the other keys from the document.")));
}

static TablePair *
find_pair(DiffState *ds, const char *schema, const char *table)
{
	ListCell   *lc;

	foreach(lc, ds->pairs)
	{
		TablePair  *pair = lfirst(lc);

		if (strcmp(pair->schema, schema) == 0 &&
			strcmp(pair->want->name, table) == 0)
			return pair;
	}
	return NULL;
}

/* do two lists of names, the second under current names, match? */
static bool
names_match(List *want, List *have, const ConvTable *have_table)
{
	ListCell   *wc,
			   *hc;

	if (list_length(want) != list_length(have))
		return false;
	forboth(wc, want, hc, have)
	{
		const char *name = have_table ? doc_name_of(have_table, lfirst(hc)) :
			lfirst(hc);

		if (strcmp(lfirst(wc), name) != 0)
			return false;
	}
	return true;
}

/*
 * Does a current foreign key mean the document's?  The referenced table
 * and its columns are compared under the names the document gives them.
 */
static bool
foreign_keys_match(DiffState *ds, const ConvForeignKey *want,
				   const ConvForeignKey *have, const ConvTable *table)
{
	TableEntry *ref = lookup_table(ds, have->ref_schema, have->ref_table);
	const ConvTable *ref_table = (ref && ref->claimed) ? ref->table : NULL;
	const char *ref_name = ref_table ? ref_table->doc_name : have->ref_table;

	return names_match(want->columns, have->columns, table) &&
		strcmp(want->ref_schema, have->ref_schema) == 0 &&
		strcmp(want->ref_table, ref_name) == 0 &&
		names_match(want->ref_columns, have->ref_columns, ref_table) &&
		want->on_delete == have->on_delete &&
		want->on_update == have->on_update &&
		want->deferrable == have->deferrable &&
		want->initially_deferred == have->initially_deferred;
}

/* does the plan drop a key of this current table? */
static bool
drops_key_of(DiffState *ds, const ConvTable *have)
{
	ListCell   *lc;

	foreach(lc, ds->changes)
	{
		ConvChange *change = lfirst(lc);

		if (change->kind == CHANGE_DROP_KEY && change->have_table == have)
			return true;
	}
	return false;
}

static void
add_foreign_key(DiffState *ds, TablePair *pair, ConvForeignKey *fk,
				ConvForeignKey *replaces)
{
	ConvChange *change = add_change(ds, CHANGE_ADD_FOREIGN_KEY, pair->schema,
									pair->want, pair->have);
	TablePair  *ref = find_pair(ds, fk->ref_schema, fk->ref_table);

	change->want_fkey = fk;
	change->have_fkey = replaces;
	change->ref_have = ref ? ref->have : NULL;
	change->ref_created = ref && ref->have == NULL;
}

/*
 * Foreign keys, once every table is matched: they name other tables.  A
 * changed one, or one whose referenced key the plan drops, is dropped and
 * added again.
 */
static void
diff_foreign_keys(DiffState *ds, TablePair *pair)
{
	ListCell   *lc;

	foreach(lc, pair->want->foreign_keys)
	{
		ConvForeignKey *wf = lfirst(lc);
		ConvForeignKey *hf = pair->have ?
			find_foreign_key(pair->have->foreign_keys, wf->name) : NULL;
		TableEntry *ref = hf ? lookup_table(ds, hf->ref_schema,
											hf->ref_table) : NULL;

		TablePair  *ref_pair = find_pair(ds, wf->ref_schema, wf->ref_table);

		/*
		 * Kept as it is only when it matches, its referenced key stays, and
		 * no column on either side changes type (the server could not keep
		 * the constraint between the old type and the new).
		 */
		if (hf && foreign_keys_match(ds, wf, hf, pair->have) &&
			!(ref && drops_key_of(ds, ref->table)) &&
			!names_overlap(wf->columns, pair->have->reshaped) &&
			!(ref_pair && ref_pair->have &&
			  names_overlap(wf->ref_columns, ref_pair->have->reshaped)))
			continue;
		if (hf)
		{
			ConvChange *change = add_change(ds, CHANGE_DROP_FOREIGN_KEY,
											pair->schema, pair->want,
											pair->have);

			change->have_fkey = hf;
		}
		add_foreign_key(ds, pair, wf, hf);
	}
	if (pair->have == NULL)
		return;
	foreach(lc, pair->have->foreign_keys)
	{
		ConvForeignKey *hf = lfirst(lc);

		if (find_foreign_key(pair->want->foreign_keys, hf->name) == NULL)
		{
			ConvChange *change = add_change(ds, CHANGE_DROP_FOREIGN_KEY,
											pair->schema, pair->want,
											pair->have);

			change->have_fkey = hf;
		}
	}
}

/* ----------------------------------------------------------------
 * Enums
 * ----------------------------------------------------------------
 */

static bool
string_in(List *strings, const char *s)
{
	ListCell   *lc;

	foreach(lc, strings)
		if (strcmp(lfirst(lc), s) == 0)
			return true;
	return false;
}

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
document_strings(ConvModel *want)
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

/*
 * A name for the replacement of a recreated type that no type (nor table,
 * whose row type has its name) in the schema has: <name>_converge, then
 * <name>_converge1, ...
 */
static char *
free_type_name(const char *schema, const char *name)
{
	Oid			nspid = get_namespace_oid(schema, false);

	for (int i = 0;; i++)
	{
		char	   *candidate = makeObjectName(name, NULL,
											   i ? psprintf("converge%d", i) :
											   "converge");

		if (!OidIsValid(GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
										PointerGetDatum(candidate),
										ObjectIdGetDatum(nspid))))
			return candidate;
	}
}

static ConvChange *
add_enum_change(DiffState *ds, ConvChangeKind kind, const EnumPair *ep)
{
	ConvChange *change = add_change(ds, kind, ep->want ? ep->want->schema :
									ep->have->schema, NULL, NULL);

	change->want_enum = ep->want;
	change->have_enum = ep->have;
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
diff_enum(DiffState *ds, ConvModel *want, EnumPair *ep, List *strings)
{
	List	   *labels;
	List	   *renames = NIL;
	List	   *added = NIL;
	bool		used = false;
	ListCell   *lc,
			   *mc;

	labels = list_copy(ep->have->values);

	/* apply renames whose old label exists and new one does not yet */
	forboth(lc, ep->want->renamed_from, mc, ep->want->renamed_to)
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
			used |= string_in(strings, lfirst(lc));
		}
	if (added && converts_to(ds, want, ep))
		used = true;

	if (list_length(labels) + list_length(added) ==
		list_length(ep->want->values) && same_order(labels, ep->want->values) &&
		!used)
	{
		ep->want->relabelled = (renames != NIL);
		foreach(lc, renames)
			ds->new_labels = lappend(ds->new_labels,
									 lsecond((List *) lfirst(lc)));
		foreach(lc, renames)
		{
			ConvChange *change = add_enum_change(ds, CHANGE_RENAME_ENUM_VALUE,
												 ep);

			change->enum_value = linitial((List *) lfirst(lc));
			change->enum_other = lsecond((List *) lfirst(lc));
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
			change = add_enum_change(ds, CHANGE_ADD_ENUM_VALUE, ep);
			change->enum_value = lfirst(lc);
			if (i > 0)
				change->enum_other = list_nth(ep->want->values, i - 1);
			else
			{
				ListCell   *nc;

				change->enum_before = true;
				foreach(nc, ep->want->values)
					if (string_in(labels, lfirst(nc)))
					{
						change->enum_other = lfirst(nc);
						break;
					}
			}
		}
		return;
	}

	ep->want->build_name = free_type_name(ep->want->schema, ep->want->name);
	add_enum_change(ds, CHANGE_CREATE_ENUM, ep);
	add_enum_change(ds, CHANGE_FINISH_ENUM, ep);
}

static void
diff_enums(DiffState *ds, ConvModel *want, ConvModel *have)
{
	List	   *strings = document_strings(want);
	ListCell   *sc,
			   *lc;

	foreach(sc, want->schemas)
	{
		ConvSchema *schema = lfirst(sc);
		ConvSchema *current = find_schema(have, schema->name);

		foreach(lc, schema->enums)
		{
			EnumPair   *ep = palloc(sizeof(EnumPair));

			ep->want = lfirst(lc);
			ep->have = current ? find_enum(current->enums, ep->want->name) : NULL;
			ds->enums = lappend(ds->enums, ep);
		}
		if (current == NULL)
			continue;
		foreach(lc, current->enums)
		{
			ConvEnum   *he = lfirst(lc);

			if (find_enum(schema->enums, he->name) == NULL)
			{
				EnumPair	gone = {NULL, he};

				add_enum_change(ds, CHANGE_DROP_ENUM, &gone);
			}
		}
	}

	foreach(lc, ds->enums)
	{
		EnumPair   *ep = lfirst(lc);

		if (ep->have == NULL)
		{
			ep->want->build_name = ep->want->name;
			add_enum_change(ds, CHANGE_CREATE_ENUM, ep);
			continue;
		}
		diff_enum(ds, want, ep, strings);
		/* a recreated enum gets its comment when it takes the name */
		if (ep->want->build_name == NULL &&
			strings_differ(ep->want->comment, ep->have->comment))
			add_enum_change(ds, CHANGE_ENUM_COMMENT, ep);
	}
}

/* ----------------------------------------------------------------
 * Domains
 * ----------------------------------------------------------------
 */

static ConvChange *
add_domain_change(DiffState *ds, ConvChangeKind kind, ConvDomain *want,
				  ConvDomain *have)
{
	ConvChange *change = add_change(ds, kind, want ? want->schema :
									have->schema, NULL, NULL);

	change->want_domain = want;
	change->have_domain = have;
	return change;
}

/*
 * One domain that exists: default and NOT NULL compared as the server
 * cooks them, CHECKs as cooked trees (a changed one is dropped and added
 * again, and checked against every column of the domain first).
 */
static void
diff_domain(DiffState *ds, ConvDomain *want, ConvDomain *have)
{
	int			what = 0;
	ListCell   *lc;

	if (want->type_oid != have->type_oid || want->typmod != have->typmod)
		what |= DOMAIN_TYPE;
	else if (want->collation_oid != have->collation_oid)
		what |= DOMAIN_COLLATION;
	else if (names_new_label(ds, want->default_expr, &want->default_pos) ||
			 !expr_domain_default_matches(want, have))
		what |= DOMAIN_DEFAULT;
	if (want->not_null != have->not_null)
		what |= DOMAIN_NOT_NULL;
	if (strings_differ(want->comment, have->comment))
		what |= DOMAIN_COMMENT;
	if (what)
		add_domain_change(ds, CHANGE_ALTER_DOMAIN, want,
						  have)->column_changes = what;
	if (what & (DOMAIN_TYPE | DOMAIN_COLLATION))
		return;

	foreach(lc, want->checks)
	{
		ConvCheck  *wc = lfirst(lc);
		ConvCheck  *hc = find_check(have->checks, wc->name);
		ConvChange *change;

		if (hc && !names_new_label(ds, wc->expr, &wc->pos) &&
			equal(expr_cook_domain_check(wc, want), stringToNode(hc->bin)))
			continue;
		if (hc)
			add_domain_change(ds, CHANGE_DROP_DOMAIN_CHECK, want,
							  have)->have_check = hc;
		change = add_domain_change(ds, CHANGE_ADD_DOMAIN_CHECK, want, have);
		change->want_check = wc;
		change->have_check = hc;
	}
	foreach(lc, have->checks)
		if (find_check(want->checks, ((ConvCheck *) lfirst(lc))->name) == NULL)
			add_domain_change(ds, CHANGE_DROP_DOMAIN_CHECK, want,
							  have)->have_check = lfirst(lc);
}

/* a domain's base type, which may be an enum of the document */
static void
resolve_domain_base(DiffState *ds, ConvDomain *domain)
{
	ConvColumn	base = {0};

	base.name = domain->name;
	base.type_name = domain->type_name;
	base.type_pos = domain->type_pos;
	base.typmod = -1;
	find_doc_enum(ds, &base, domain->schema);
	domain->type_oid = base.type_oid;
	domain->typmod = base.typmod;
	if (!base.doc_enum_array)
		domain->base_enum = base.doc_enum;
	domain->base_domain = base.doc_domain;
	domain->collation_oid = domain->collation ?
		expr_collation_oid(domain->collation, &domain->pos) :
		OidIsValid(domain->type_oid) ? get_typcollation(domain->type_oid) :
		InvalidOid;
}

static void
diff_domains(DiffState *ds, ConvModel *want, ConvModel *have)
{
	ListCell   *sc,
			   *lc;

	foreach(sc, want->schemas)
	{
		ConvSchema *schema = lfirst(sc);
		ConvSchema *current = find_schema(have, schema->name);

		/* pair them all first: a domain may be over another one */
		foreach(lc, schema->domains)
		{
			DomainPair *dp = palloc(sizeof(DomainPair));

			dp->want = lfirst(lc);
			dp->have = current ? find_domain(current->domains,
											 dp->want->name) : NULL;
			if (dp->have == NULL)
				dp->want->build_name = dp->want->name;
			ds->domains = lappend(ds->domains, dp);
		}
		foreach(lc, ds->domains)
			if (strcmp(((DomainPair *) lfirst(lc))->want->schema,
					   schema->name) == 0)
				resolve_domain_base(ds, ((DomainPair *) lfirst(lc))->want);

		/* new domains over new domains come after their base */
		for (int pass = 0; pass < 2; pass++)
			foreach(lc, ds->domains)
			{
				DomainPair *dp = lfirst(lc);

				if (strcmp(dp->want->schema, schema->name) != 0 ||
					dp->have != NULL ||
					(dp->want->base_domain != NULL) != (pass == 1))
					continue;
				add_domain_change(ds, CHANGE_CREATE_DOMAIN, dp->want, NULL);
			}
		foreach(lc, ds->domains)
		{
			DomainPair *dp = lfirst(lc);

			if (strcmp(dp->want->schema, schema->name) != 0 ||
				dp->have == NULL)
				continue;
			if (dp->want->base_enum && dp->want->base_enum->build_name)
			{
				ListCell   *cc;

				/* its enum is recreated: so is the domain, over the new one */
				dp->want->build_name = free_type_name(dp->want->schema,
													  dp->want->name);
				add_domain_change(ds, CHANGE_CREATE_DOMAIN, dp->want,
								  dp->have);
				add_domain_change(ds, CHANGE_FINISH_DOMAIN, dp->want,
								  dp->have);

				/*
				 * Its CHECKs come back once the new enum has its name: a
				 * CHECK written 'x'::schema.enum would bind to the old one.
				 * The columns' rows were checked against them as they moved.
				 */
				foreach(cc, dp->want->checks)
					add_domain_change(ds, CHANGE_ADD_DOMAIN_CHECK, dp->want,
									  NULL)->want_check = lfirst(cc);
			}
			else
				diff_domain(ds, dp->want, dp->have);
		}
		if (current == NULL)
			continue;

		/* a domain over another dropped domain is dropped before it */
		for (int pass = 0; pass < 2; pass++)
			foreach(lc, current->domains)
			{
				ConvDomain *d = lfirst(lc);
				bool		over_dropped = false;
				ListCell   *bc;

				if (find_domain(schema->domains, d->name) != NULL)
					continue;
				foreach(bc, current->domains)
					if (((ConvDomain *) lfirst(bc))->oid == d->type_oid &&
						find_domain(schema->domains,
									((ConvDomain *) lfirst(bc))->name) == NULL)
						over_dropped = true;
				if (over_dropped == (pass == 0))
					add_domain_change(ds, CHANGE_DROP_DOMAIN, NULL, d);
			}
	}
}

/*
 * The current columns of each domain a step changes, so the step can be
 * checked against their rows.
 */
static void
attach_domain_users(DiffState *ds)
{
	ListCell   *lc,
			   *pc,
			   *cc;

	foreach(lc, ds->changes)
	{
		ConvChange *change = lfirst(lc);

		if ((change->kind != CHANGE_ADD_DOMAIN_CHECK &&
			 change->kind != CHANGE_ALTER_DOMAIN) ||
			change->have_domain == NULL)
			continue;
		foreach(pc, ds->pairs)
		{
			TablePair  *pair = lfirst(pc);

			if (pair->have == NULL)
				continue;
			foreach(cc, pair->have->columns)
			{
				ConvColumn *hcol = lfirst(cc);
				ConvChange *user;

				if (hcol->type_oid != change->have_domain->oid)
					continue;
				user = palloc0(sizeof(ConvChange));
				user->kind = CHANGE_ALTER_COLUMN;
				user->schema = pair->schema;
				user->want_table = pair->want;
				user->have_table = pair->have;
				user->have_column = hcol;
				change->domain_users = lappend(change->domain_users, user);
			}
		}
	}
}

/*
 * diff_models
 *		The changes that make "have" look like "want".  Only schemas the
 *		document lists are looked at; "have" must have been read for them.
 */
List *
diff_models(ConvModel *want, ConvModel *have)
{
	DiffState	ds;
	ListCell   *sc,
			   *tc;

	refuse_unsupported(want);
	ds.tables = index_tables(have);
	ds.pairs = NIL;
	ds.enums = NIL;
	ds.new_labels = NIL;
	ds.changes = NIL;

	/* types first: columns resolve their types against the plan's */
	ds.domains = NIL;
	diff_enums(&ds, want, have);
	diff_domains(&ds, want, have);

	foreach(sc, want->schemas)
	{
		ConvSchema *schema = lfirst(sc);

		if (find_schema(have, schema->name) == NULL)
			add_change(&ds, CHANGE_CREATE_SCHEMA, schema->name, NULL, NULL);

		foreach(tc, schema->tables)
			diff_table(&ds, schema, lfirst(tc));
	}

	foreach(sc, ds.pairs)
		diff_foreign_keys(&ds, lfirst(sc));
	attach_domain_users(&ds);

	/* what the document no longer declares in the schemas it manages */
	foreach(sc, have->schemas)
	{
		ConvSchema *schema = lfirst(sc);

		foreach(tc, schema->tables)
		{
			TableEntry *entry = lookup_table(&ds, schema->name,
											 ((ConvTable *) lfirst(tc))->name);

			if (!entry->claimed)
			{
				ListCell   *fc;

				/* its foreign keys go first: another dropped table may be
				 * the one they reference */
				foreach(fc, entry->table->foreign_keys)
					add_change(&ds, CHANGE_DROP_FOREIGN_KEY, schema->name,
							   NULL, entry->table)->have_fkey = lfirst(fc);
				add_change(&ds, CHANGE_DROP_TABLE, schema->name, NULL,
						   entry->table);
			}
		}
	}
	return ds.changes;
}
