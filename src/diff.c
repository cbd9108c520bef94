/*-------------------------------------------------------------------------
 *
 * diff.c
 *	  Compare the desired model with the current one.
 *
 * The result is an unordered list of ConvChange: what differs, never how
 * to get there (that is plan.c's business).  This file is the engine: it
 * walks the registry of kinds (kinds/kindlist.h), and each kind compares
 * its own objects in kinds/<kind>.c.  What every kind shares lives here:
 * reconcile(), which pairs wanted and current objects by name and yields
 * create and drop changes; the current tables by qualified name; and how
 * a document column's type resolves against the enums and domains the
 * same plan creates.
 *
 * Everything is compared as the server understands it: types by resolved
 * oid and typmod, collations by oid, expressions as cooked trees (expr.c).
 * A document object that names a "renamed_from" matches the current
 * object of that name when its own name does not exist yet and the
 * document does not declare the old name, so a rename is never a drop and
 * a create.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "kinds/kinds.h"

static void
make_key(TableKey *key, const char *schema, const char *table)
{
	memset(key, 0, sizeof(TableKey));
	namestrcpy(&key->schema, schema);
	namestrcpy(&key->table, table);
}

static HTAB *
table_hash(const char *name, Size entrysize)
{
	return local_hash(name, sizeof(TableKey), entrysize, 256);
}

static HTAB *
index_tables(ConvModel *have)
{
	HTAB	   *htab = table_hash("pg_converge current tables",
								  sizeof(TableEntry));
	ListCell   *sc,
			   *tc;

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
			entry->pair = NULL;
		}
	}
	return htab;
}

TableEntry *
lookup_table(DiffState *ds, const char *schema, const char *table)
{
	TableKey	key;

	make_key(&key, schema, table);
	return hash_search(ds->tables, &key, HASH_FIND, NULL);
}

/*
 * add_pair
 *		Record that the document table "want" stands for the current table
 *		of "entry" (NULL: the plan creates it); the entry is claimed.
 */
TablePair *
add_pair(DiffState *ds, const char *schema, ConvTable *want,
		 TableEntry *entry)
{
	TablePair  *pair = palloc0(sizeof(TablePair));
	TableKey	key;
	PairEntry  *found;

	pair->schema = schema;
	pair->want = want;
	if (entry)
	{
		pair->have = entry->table;
		entry->pair = pair;
	}
	ds->pairs = lappend(ds->pairs, pair);
	make_key(&key, schema, want->name);
	found = hash_search(ds->pairs_by_name, &key, HASH_ENTER, NULL);
	found->pair = pair;
	return pair;
}

/* the pair of a document table, by the document's names */
TablePair *
find_pair(DiffState *ds, const char *schema, const char *table)
{
	TableKey	key;
	PairEntry  *found;

	make_key(&key, schema, table);
	found = hash_search(ds->pairs_by_name, &key, HASH_FIND, NULL);
	return found ? found->pair : NULL;
}

/* the changes made so far of one current table's objects */
typedef struct TableChanges
{
	const ConvTable *have;		/* hash key */
	List	   *changes;
} TableChanges;

/*
 * Append a change to the diff's list, and to its table's: what asks for
 * the changes of one table must not scan every change of the schema.
 */
static void
append_change(DiffState *ds, ConvChange *change)
{
	TableChanges *entry;
	bool		found;

	ds->changes = lappend(ds->changes, change);
	if (change->have_table == NULL)
		return;
	if (ds->changes_by_table == NULL)
		ds->changes_by_table = local_hash("pg_converge changes by table",
										  sizeof(ConvTable *),
										  sizeof(TableChanges), 256);
	entry = hash_search(ds->changes_by_table, &change->have_table,
						HASH_ENTER, &found);
	if (!found)
		entry->changes = NIL;
	entry->changes = lappend(entry->changes, change);
}

/* the changes made so far of the objects of a current table */
List *
table_changes(DiffState *ds, const ConvTable *have)
{
	TableChanges *entry;

	if (have == NULL || ds->changes_by_table == NULL)
		return NIL;
	entry = hash_search(ds->changes_by_table, &have, HASH_FIND, NULL);
	return entry ? entry->changes : NIL;
}

ConvChange *
add_change(DiffState *ds, ConvKind kind, ConvAction action,
		   const char *schema, ConvTable *want_table, ConvTable *have_table)
{
	ConvChange *change = palloc0(sizeof(ConvChange));

	change->kind = kind;
	change->action = action;
	change->schema = schema;
	change->want_table = want_table;
	change->have_table = have_table;
	if (want_table)
		change->pair = find_pair(ds, schema, want_table->name);
	append_change(ds, change);
	return change;
}

/* the object in a list of model objects that is called "name", or NULL */
void *
find_named(List *items, const char *name)
{
	ListCell   *lc;

	foreach(lc, items)
		if (strcmp(((ConvObject *) lfirst(lc))->name, name) == 0)
			return lfirst(lc);
	return NULL;
}

/* Reconcile.match by name */
void *
find_by_name(List *items, const void *object)
{
	return find_named(items, ((const ConvObject *) object)->name);
}

static ConvChange *
add_like(DiffState *ds, const ConvChange *proto, ConvAction action)
{
	ConvChange *change = palloc(sizeof(ConvChange));

	*change = *proto;
	change->action = action;
	append_change(ds, change);
	return change;
}

/*
 * Is the current object one the dependency graph rebuilds (Reconcile.rebuilt)?
 * Why, or NULL.
 */
static const char *
rebuilt_because(DiffState *ds, const Reconcile *how, void *have)
{
	return have && how->rebuilt ? how->rebuilt(ds, have) : NULL;
}

/*
 * Does the current object mean what the wanted one means, and can it stay
 * while the plan changes what it reads?
 */
static bool
stays_same(DiffState *ds, const ConvChange *proto, const Reconcile *how,
		   void *context, void *w, void *h)
{
	List	   *reshaped = how->reads ? ((TableDiff *) context)->reshaped : NIL;

	/* what an object reads is parsed only when a column was reshaped */
	if (reshaped != NIL && names_overlap(how->reads(w), reshaped))
		return false;
	return how->same(ds, proto, context, w, h);
}

/*
 * A current object that no wanted object names and that means what "w"
 * means, not already taken by another rename, nor rebuilt; or NULL.
 */
static void *
find_renamed(DiffState *ds, const ConvChange *proto, const Reconcile *how,
			 void *context, void *w, List *want, List *have, List *taken)
{
	void	   *(*match) (List *, const void *) =
		how->match ? how->match : find_by_name;
	ListCell   *lc;

	foreach(lc, have)
	{
		void	   *h = lfirst(lc);

		if (match(want, h) == NULL && !list_member_ptr(taken, h) &&
			rebuilt_because(ds, how, h) == NULL &&
			stays_same(ds, proto, how, context, w, h))
			return h;
	}
	return NULL;
}

/*
 * reconcile
 *		Pair the wanted and the current objects of one kind and append the
 *		changes: a wanted object without a current one is created, unless a
 *		current one the document does not name means the same (renamed);
 *		one whose current object does not mean the same is dropped and
 *		created again; a current object the document does not declare is
 *		dropped.  "proto" holds the kind, schema and owner every change
 *		gets.
 */
void
reconcile(DiffState *ds, const ConvChange *proto, const Reconcile *how,
		  void *context, List *want, List *have)
{
	void	   *(*match) (List *, const void *) =
		how->match ? how->match : find_by_name;
	List	   *taken = NIL;
	ListCell   *lc;

	foreach(lc, want)
	{
		void	   *w = lfirst(lc);
		void	   *h = match(have, w);
		const char *because = rebuilt_because(ds, how, h);
		ConvChange *change;

		if (h && because == NULL && stays_same(ds, proto, how, context, w, h))
		{
			if (how->kept)
				how->kept(ds, proto, context, w, h);
			continue;
		}
		if (h == NULL && how->renamed &&
			(h = find_renamed(ds, proto, how, context, w, want, have,
							  taken)) != NULL)
		{
			taken = lappend(taken, h);
			how->renamed(ds, proto, context, w, h);
			if (how->kept)
				how->kept(ds, proto, context, w, h);
			continue;
		}
		if (h)
		{
			change = add_like(ds, proto, ACTION_DROP);
			change->have = h;
			change->because = because;
		}
		change = add_like(ds, proto, ACTION_CREATE);
		change->want = w;
		change->have = h;
		change->because = because;
		if (how->created)
			how->created(ds, change, context);
	}
	foreach(lc, have)
		if (match(want, lfirst(lc)) == NULL &&
			!list_member_ptr(taken, lfirst(lc)))
			add_like(ds, proto, ACTION_DROP)->have = lfirst(lc);
}

/* a kept object changes in place: a change like "proto" of "action" */
void
add_kept_change(DiffState *ds, const ConvChange *proto, ConvAction action,
				void *want, void *have)
{
	ConvChange *change = add_like(ds, proto, action);

	change->want = want;
	change->have = have;
}

/* Reconcile.renamed: an ACTION_RENAME change from the current name */
void
add_rename_change(DiffState *ds, const ConvChange *proto, void *context,
				  void *want, void *have)
{
	add_kept_change(ds, proto, ACTION_RENAME, want, have);
}

/*
 * reconcile_members
 *		reconcile() for the objects of one kind that a table holds in the
 *		list at "list" (offsetof(ConvTable, checks), say); "have" is NULL
 *		for a table the plan creates.
 */
void
reconcile_members(DiffState *ds, ConvKind kind, const Reconcile *how,
				  void *context, const char *schema, ConvTable *want,
				  ConvTable *have, size_t list)
{
	ConvChange	proto = {.kind = kind};

	proto.schema = schema;
	proto.want_table = want;
	proto.have_table = have;
	proto.pair = find_pair(ds, schema, want->name);
	reconcile(ds, &proto, how, context, *(List **) ((char *) want + list),
			  have ? *(List **) ((char *) have + list) : NIL);
}

/* a kept object whose comment differs: an ACTION_COMMENT change */
void
add_comment_change(DiffState *ds, const ConvChange *proto, void *want,
				   void *have)
{
	add_kept_change(ds, proto, ACTION_COMMENT, want, have);
}

/* has a change of the same rows already a stub for "rule"? */
static bool
rule_stubbed(DiffState *ds, const ConvTable *rows, const void *rule)
{
	ListCell   *lc,
			   *sc;

	foreach(lc, table_changes(ds, rows))
	{
		ConvChange *change = lfirst(lc);

		foreach(sc, change->users)
			if (((ConvChange *) lfirst(sc))->want == rule)
				return true;
	}
	return false;
}

/*
 * add_rule_stubs
 *		A stub in change->users for each rule of "owner" (a document table)
 *		that the rows of change->have_table meet as the plan leaves them:
 *		those the plan keeps (one it creates checks the rows itself) that
 *		read one of "columns" (NIL: every rule), each once for the rows.
 */
void
add_rule_stubs(DiffState *ds, ConvChange *change, const ConvTable *owner,
			   List *columns)
{
	for (int kind = 0; kind < NUM_KINDS; kind++)
	{
		const RuleOps *rule = conv_kinds[kind]->rule;
		ListCell   *lc;

		if (rule == NULL)
			continue;
		foreach(lc, *(List **) ((const char *) owner + rule->list))
		{
			ConvChange *stub;

			if (plan_creates(ds, kind, lfirst(lc)) ||
				(columns && !names_overlap(rule->reads(lfirst(lc)), columns)) ||
				rule_stubbed(ds, change->have_table, lfirst(lc)))
				continue;
			stub = palloc0(sizeof(ConvChange));
			stub->kind = kind;
			stub->action = ACTION_CREATE;
			stub->schema = change->schema;
			stub->want = lfirst(lc);
			stub->want_table = change->want_table;
			stub->have_table = change->have_table;
			stub->pair = change->pair;
			if (rule->stubbed)
				rule->stubbed(ds, stub);
			change->users = lappend(change->users, stub);
		}
	}
}

bool
strings_differ(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a != b;
	return strcmp(a, b) != 0;
}

/* does the plan create a function of the name written, qualified or not? */
bool
function_created(DiffState *ds, const char *written)
{
	const char *dot = strrchr(written, '.');

	return string_in(ds->created_names, written) ||
		(dot && string_in(ds->created_names, dot + 1));
}

/*
 * diff_schema_objects
 *		The walk of a schema-level kind: in each schema whose document
 *		manages the kind ("managed", the offset of a bool in ConvSchema),
 *		compare each document object (the list at offset "list") with the
 *		current ones, "diff_one" appending those it keeps to "kept", and
 *		hand each current one not kept to "drop".
 */
void
diff_schema_objects(DiffState *ds, size_t managed, size_t list,
					SchemaObjectDiff diff_one, SchemaObjectDrop drop)
{
	ListCell   *sc,
			   *lc;

	foreach(sc, ds->want_model->schemas)
	{
		ConvSchema *want = lfirst(sc);
		ConvSchema *have = find_schema(ds->have_model, want->name);
		List	   *current = have ? *(List **) ((char *) have + list) : NIL;
		List	   *kept = NIL;

		if (!*(bool *) ((char *) want + managed))
			continue;
		foreach(lc, *(List **) ((char *) want + list))
			diff_one(ds, want, lfirst(lc), current, &kept);
		foreach(lc, current)
			if (!list_member_ptr(kept, lfirst(lc)))
				drop(ds, want, lfirst(lc));
	}
}

/* the same strings in the same order */
bool
strings_equal(List *a, List *b)
{
	ListCell   *lc,
			   *mc;

	if (list_length(a) != list_length(b))
		return false;
	forboth(lc, a, mc, b)
		if (strcmp(lfirst(lc), lfirst(mc)) != 0)
		return false;
	return true;
}

bool
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

bool
string_in(List *strings, const char *s)
{
	ListCell   *lc;

	foreach(lc, strings)
		if (strcmp(lfirst(lc), s) == 0)
			return true;
	return false;
}

/*
 * Does a document expression name something the plan creates: in a
 * string constant (a sequence given to nextval, an enum label), or as a
 * function it calls?
 */
bool
names_created(DiffState *ds, const char *text, const DocPos *pos)
{
	return ds->created_names && text &&
		expr_names_any(text, pos, ds->created_names);
}

/*
 * What the plan's changes drop (ConvKindOps.reshapes): the functions and
 * aggregates, to create them again or for good, and the types dropped for
 * good.  Read as ds->changes grows, each change once, so whatever kind
 * asks first, and however often, sees every change made so far.
 */
static void
read_dropped(DiffState *ds)
{
	for (; ds->changes_read < list_length(ds->changes); ds->changes_read++)
	{
		ConvChange *change = list_nth(ds->changes, ds->changes_read);
		const ConvKindOps *ops = conv_kinds[change->kind];
		ObjectAddress object;
		bool		gone;
		const char *why;

		if (ops->reshapes == NULL ||
			(why = ops->reshapes(change, &object, &gone)) == NULL)
			continue;
		if (object.classId == ProcedureRelationId)
		{
			ds->routines_dropped = lappend_oid(ds->routines_dropped,
											   object.objectId);
			ds->routine_reasons = lappend(ds->routine_reasons, (char *) why);
			if (!gone)
				ds->routines_recreated =
					lappend_oid(ds->routines_recreated, object.objectId);
		}
		else if (object.classId == TypeRelationId && gone)
		{
			ds->types_dropped = lappend_oid(ds->types_dropped,
											object.objectId);
			ds->type_reasons = lappend(ds->type_reasons, (char *) why);
		}
	}
}

/*
 * plan_drops_routines
 *		Does the plan drop functions or procedures (for good too, or only
 *		to create them again), so that a stored tree may call one?
 */
bool
plan_drops_routines(DiffState *ds, bool for_good_too)
{
	read_dropped(ds);
	return (for_good_too ? ds->routines_dropped :
			ds->routines_recreated) != NIL;
}

/* a document object a change creates, by kind */
typedef struct CreatedKey
{
	const void *want;
	ConvKind	kind;
} CreatedKey;

/*
 * plan_creates
 *		Does the plan create (or create again) this document object?  The
 *		changes are indexed as they grow, each once, as read_dropped reads
 *		them: a schema's rules each ask.
 */
bool
plan_creates(DiffState *ds, ConvKind kind, const void *want)
{
	CreatedKey	key;

	if (ds->creates == NULL)
		ds->creates = local_hash("pg_converge created objects",
								 sizeof(CreatedKey), sizeof(CreatedKey), 256);
	for (; ds->creates_read < list_length(ds->changes); ds->creates_read++)
	{
		ConvChange *change = list_nth(ds->changes, ds->creates_read);

		if (change->action != ACTION_CREATE || change->want == NULL)
			continue;
		memset(&key, 0, sizeof(key));
		key.want = change->want;
		key.kind = change->kind;
		(void) hash_search(ds->creates, &key, HASH_ENTER, NULL);
	}
	memset(&key, 0, sizeof(key));
	key.want = want;
	key.kind = kind;
	return hash_search(ds->creates, &key, HASH_FIND, NULL) != NULL;
}

/*
 * Why the plan drops a function or aggregate and creates it again (or,
 * "for_good_too", drops it at all); NULL when it keeps it.
 */
const char *
routine_dropped(DiffState *ds, Oid routine, bool for_good_too)
{
	ListCell   *oc,
			   *wc;

	read_dropped(ds);
	if (!for_good_too && !list_member_oid(ds->routines_recreated, routine))
		return NULL;
	forboth(oc, ds->routines_dropped, wc, ds->routine_reasons)
		if (lfirst_oid(oc) == routine)
			return lfirst(wc);
	return NULL;
}

/*
 * The dependency graph for a current CHECK, index, policy, trigger or
 * default: its stored expression calls a routine the plan drops to create
 * it again (or, "for_good_too", at all).  Why, or NULL.  Such an object
 * goes before the routine does and, if the document keeps it, is made
 * again after the routine is.  One that calls a routine dropped for good
 * differs from the document anyway, or the document contradicts itself
 * (refused where the function is dropped).
 */
const char *
stored_calls_dropped(DiffState *ds, const char *bin, bool for_good_too)
{
	Oid			routine;

	read_dropped(ds);
	routine = expr_stored_call(bin, for_good_too ? ds->routines_dropped :
							   ds->routines_recreated);
	return OidIsValid(routine) ? routine_dropped(ds, routine, true) : NULL;
}

/*
 * Does a document expression call a function the plan creates, or creates
 * again?  Its rows cannot be read with it before the plan runs.
 */
bool
calls_created_function(DiffState *ds, const char *text, const DocPos *pos)
{
	ListCell   *lc;

	if (ds->created_functions == NIL || text == NULL)
		return false;
	foreach(lc, expr_called_names(text, pos))
		if (string_in(ds->created_functions, lfirst(lc)))
			return true;
	return false;
}

/* ----------------------------------------------------------------
 * What the diff decides about document objects (kinds.h: EnumPair)
 * ----------------------------------------------------------------
 */

typedef struct NoteEntry
{
	const void *object;
	void	   *note;
} NoteEntry;

/* what the diff noted about a document object, or NULL */
void *
diff_note(const DiffState *ds, const void *object)
{
	NoteEntry  *entry;

	if (ds->notes == NULL)
		return NULL;
	entry = hash_search(ds->notes, &object, HASH_FIND, NULL);
	return entry ? entry->note : NULL;
}

void
set_diff_note(DiffState *ds, const void *object, void *note)
{
	NoteEntry  *entry;

	/* with the diff, whatever scratch context the caller is in */
	if (ds->notes == NULL)
	{
		MemoryContext cxt =
			MemoryContextSwitchTo(GetMemoryChunkContext(ds));

		ds->notes = local_hash("pg_converge diff notes",
							   sizeof(const void *), sizeof(NoteEntry), 64);
		MemoryContextSwitchTo(cxt);
	}
	entry = hash_search(ds->notes, &object, HASH_ENTER, NULL);
	entry->note = note;
}

/* what the diff noted about a column: nothing, for most */
const ColumnNote *
column_note(const DiffState *ds, const ConvColumn *col)
{
	static const ColumnNote nothing = {0};
	const ColumnNote *note = diff_note(ds, col);

	return note ? note : &nothing;
}

/* is the column's type a document enum or domain? */
bool
doc_typed(const ColumnNote *note)
{
	return note->doc_enum != NULL || note->doc_domain != NULL;
}

/* does the plan create (or recreate) the column's type? */
bool
type_created(const ColumnNote *note)
{
	return (note->doc_enum && note->doc_enum->build_name) ||
		note->doc_domain != NULL;
}

/* store a column's note, unless there is nothing to note */
static void
note_column(DiffState *ds, const ConvColumn *col, const ColumnNote *note)
{
	ColumnNote *stored = diff_note(ds, col);

	if (stored == NULL)
	{
		if (!doc_typed(note) && !note->default_pending)
			return;
		stored = MemoryContextAlloc(GetMemoryChunkContext(ds),
									sizeof(ColumnNote));
		set_diff_note(ds, col, stored);
	}
	*stored = *note;
}

/*
 * default_rewrites
 *		Would adding this column with its default rewrite the table?  A
 *		default naming a sequence the plan creates is nextval(): volatile,
 *		and not to be cooked yet.  A type the plan creates cannot cook
 *		anything yet.
 */
bool
default_rewrites(const DiffState *ds, const ConvColumn *col)
{
	if (col->default_expr == NULL || !OidIsValid(col->type_oid))
		return false;
	if (column_note(ds, col)->default_pending)
		return true;
	return expr_is_volatile_default(col);
}

/*
 * The defaults that name what the plan creates cannot be cooked before it
 * runs (ColumnNote.default_pending): marked once each kind that creates
 * such names has added them.
 */
void
mark_pending_defaults(DiffState *ds)
{
	ListCell   *sc,
			   *tc,
			   *lc;

	foreach(sc, ds->want_model->schemas)
		foreach(tc, ((ConvSchema *) lfirst(sc))->tables)
			foreach(lc, ((ConvTable *) lfirst(tc))->columns)
			{
				ConvColumn *col = lfirst(lc);
				ColumnNote	note = *column_note(ds, col);

				note.default_pending = col->default_expr &&
					names_created(ds, col->default_expr, &col->default_pos);
				note_column(ds, col, &note);
			}
}

/* the current name of the column the document calls "name" */
const char *
current_name_of(const TablePair *pair, const char *name)
{
	ListCell   *lc,
			   *nc;

	forboth(lc, pair->have->columns, nc, pair->have_names)
		if (strcmp(lfirst(nc), name) == 0)
			return ((ConvColumn *) lfirst(lc))->name;
	return name;
}

/* the document's name of a current column */
const char *
doc_name_of(const TablePair *pair, const char *name)
{
	ListCell   *lc,
			   *nc;

	forboth(lc, pair->have->columns, nc, pair->have_names)
		if (strcmp(((ConvColumn *) lfirst(lc))->name, name) == 0)
			return lfirst(nc);
	return name;
}

/*
 * A name for the replacement of a recreated type that no type (nor table,
 * whose row type has its name) in the schema has: <name>_converge, then
 * <name>_converge1, ...
 */
char *
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

/* ----------------------------------------------------------------
 * Document columns whose type the plan creates
 * ----------------------------------------------------------------
 */

/* the column's type is the document enum of a pair */
static void
use_doc_enum(ConvColumn *col, ColumnNote *note, EnumPair *ep, bool array)
{
	note->doc_enum = ep;
	note->doc_enum_array = array;
	/* an enum kept in place is the type it is now */
	if (ep->have && ep->build_name == NULL)
	{
		col->type_oid = array ? get_array_type(ep->have->oid) : ep->have->oid;
		col->typmod = -1;
	}
}

/* the column's type is the document domain of a pair */
static void
use_doc_domain(ConvColumn *col, ColumnNote *note, DomainPair *dp)
{
	if (dp->have && dp->build_name == NULL)
	{
		col->type_oid = dp->have->oid;
		col->typmod = -1;
	}
	else
		note->doc_domain = dp;
}

/*
 * An unqualified name that the document declares in the column's own
 * schema means that type, whatever the search path finds first.
 */
static bool
resolve_in_schema(DiffState *ds, ConvColumn *col, ColumnNote *note,
				  const char *schema, const char *name, bool array)
{
	ListCell   *lc;

	foreach(lc, ds->enums)
	{
		EnumPair   *ep = lfirst(lc);

		if (strcmp(ep->want->schema, schema) == 0 &&
			strcmp(ep->want->name, name) == 0)
		{
			use_doc_enum(col, note, ep, array);
			return true;
		}
	}
	foreach(lc, ds->domains)
	{
		DomainPair *dp = lfirst(lc);

		if (!array && strcmp(dp->want->schema, schema) == 0 &&
			strcmp(dp->want->name, name) == 0)
		{
			use_doc_domain(col, note, dp);
			return true;
		}
	}
	return false;
}

/*
 * A column whose type is one the plan drops (an enum or domain of a
 * managed schema the document no longer declares): the document
 * contradicts itself.
 */
static void
refuse_dropped_type(DiffState *ds, const ConvColumn *col)
{
	Oid			element = get_element_type(col->type_oid);
	Oid			type = OidIsValid(element) ? element : col->type_oid;
	ListCell   *oc,
			   *wc;

	read_dropped(ds);
	forboth(oc, ds->types_dropped, wc, ds->type_reasons)
	{
		const char *why = lfirst(wc);

		if (lfirst_oid(oc) == type)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("column \"%s\" is of type %s, which the document does not declare, at line %d, column %d (%s)",
							col->name, format_type_be(type),
							col->type_pos.line, col->type_pos.column,
							doc_path(&col->type_pos)),
					 errdetail("In this plan, %s.", why),
					 errhint("Declare the type in the document, or give the column another type.")));
	}
}

static void
resolve_by_oid(DiffState *ds, ConvColumn *col, ColumnNote *note)
{
	ListCell   *lc;

	foreach(lc, ds->domains)
	{
		DomainPair *dp = lfirst(lc);

		if (dp->have && col->type_oid == dp->have->oid && dp->build_name)
			note->doc_domain = dp;
	}
	foreach(lc, ds->enums)
	{
		EnumPair   *ep = lfirst(lc);

		if (ep->have && col->type_oid == ep->have->oid)
			note->doc_enum = ep;
		else if (ep->have && col->type_oid == get_array_type(ep->have->oid))
		{
			note->doc_enum = ep;
			note->doc_enum_array = true;
		}
	}
	refuse_dropped_type(ds, col);
}

/* a type that does not exist yet: a document enum or domain by name */
static void
resolve_by_name(DiffState *ds, ConvColumn *col, ColumnNote *note,
				const char *schema, const char *nspname, const char *name,
				bool array)
{
	ListCell   *lc;

	foreach(lc, ds->enums)
	{
		EnumPair   *ep = lfirst(lc);

		if (strcmp(ep->want->name, name) != 0 ||
			(nspname && strcmp(ep->want->schema, nspname) != 0))
			continue;
		if (note->doc_enum == NULL || strcmp(ep->want->schema, schema) == 0)
			use_doc_enum(col, note, ep, array);
	}
	foreach(lc, ds->domains)
	{
		DomainPair *dp = lfirst(lc);

		if (note->doc_enum || strcmp(dp->want->name, name) != 0 ||
			(nspname && strcmp(dp->want->schema, nspname) != 0) || array)
			continue;
		use_doc_domain(col, note, dp);
	}
	if (doc_typed(note) || OidIsValid(col->type_oid))
		return;
	/* an extension the plan creates may bring it: written as given */
	if (ds->unknown_types)
	{
		note->default_pending = col->default_expr != NULL;
		return;
	}
	expr_resolve_type(col);		/* raises "does not exist" */
}

/*
 * A column type's text as resolved in a schema.  A schema's columns repeat
 * a handful of types, and resolving one parses its text twice: each text
 * is resolved once per diff, by its first column, and the columns after
 * it take the result (so an error still points at the first).
 */
#define RESOLVED_TYPE_TEXT 128

typedef struct ResolvedTypeKey
{
	char		schema[NAMEDATALEN];
	char		text[RESOLVED_TYPE_TEXT];
} ResolvedTypeKey;

typedef struct ResolvedType
{
	ResolvedTypeKey key;
	Oid			type_oid;
	int32		typmod;
	EnumPair   *doc_enum;
	bool		doc_enum_array;
	DomainPair *doc_domain;
	bool		by_oid;			/* an existing type (refuse_dropped_type) */
} ResolvedType;

/* the resolution of the column's type text in schema; NULL if too long */
static ResolvedType *
resolved_type(DiffState *ds, const ConvColumn *col, const char *schema,
			  HASHACTION action)
{
	ResolvedTypeKey key = {0};

	if (strlen(col->type_name) >= RESOLVED_TYPE_TEXT)
		return NULL;
	if (ds->resolved_types == NULL)
		ds->resolved_types = local_hash("pg_converge resolved types",
										sizeof(ResolvedTypeKey),
										sizeof(ResolvedType), 64);
	strlcpy(key.schema, schema, NAMEDATALEN);
	strlcpy(key.text, col->type_name, RESOLVED_TYPE_TEXT);
	return hash_search(ds->resolved_types, &key, action, NULL);
}

/*
 * resolve_doc_type
 *		A document column whose type is a document enum or domain: by the
 *		current type's oid, or, when no such type exists yet, by name (the
 *		table's schema first).  What it finds is added to "note".
 */
void
resolve_doc_type(DiffState *ds, ConvColumn *col, const char *schema,
				 ColumnNote *note)
{
	ResolvedType *known = resolved_type(ds, col, schema, HASH_FIND);
	bool		fresh = !OidIsValid(col->type_oid);
	bool		by_oid = false;
	char	   *nspname;
	char	   *name;
	bool		array;

	if (known && (fresh || col->type_oid == known->type_oid))
	{
		col->type_oid = known->type_oid;
		col->typmod = known->typmod;
		note->doc_enum = known->doc_enum;
		note->doc_enum_array = known->doc_enum_array;
		note->doc_domain = known->doc_domain;
		if (known->by_oid)
			refuse_dropped_type(ds, col);
		return;
	}
	expr_type_name_parts(col, &nspname, &name, &array);
	if (nspname != NULL ||
		!resolve_in_schema(ds, col, note, schema, name, array))
	{
		by_oid = expr_find_type(col);
		if (by_oid)
			resolve_by_oid(ds, col, note);
		else
			resolve_by_name(ds, col, note, schema, nspname, name, array);
	}
	/* a type an extension may bring is looked up for each column */
	if (!fresh || (!OidIsValid(col->type_oid) && !doc_typed(note)))
		return;
	known = resolved_type(ds, col, schema, HASH_ENTER);
	if (known == NULL)
		return;
	known->type_oid = col->type_oid;
	known->typmod = col->typmod;
	known->doc_enum = note->doc_enum;
	known->doc_enum_array = note->doc_enum_array;
	known->doc_domain = note->doc_domain;
	known->by_oid = by_oid;
}

/*
 * Resolve what the server needs to know about a document column: its type
 * and collation.  Errors point at the document.
 */
Oid
resolve_column(DiffState *ds, ConvColumn *col, const char *schema)
{
	ColumnNote	note = *column_note(ds, col);
	Oid			typcoll;

	resolve_doc_type(ds, col, schema, &note);
	note_column(ds, col, &note);
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
						pos.line, pos.column, doc_path(&pos))));
	}
	return expr_collation_oid(col->collation, &col->collation_pos);
}

/* ----------------------------------------------------------------
 * The engine
 * ----------------------------------------------------------------
 */

/* "schemas, enums, ... and indexes": the kinds that plan something */
static char *
kinds_converged(void)
{
	StringInfoData buf;
	const char *last = NULL;

	initStringInfo(&buf);
	for (int kind = 0; kind < NUM_KINDS; kind++)
	{
		const ConvKindOps *ops = conv_kinds[kind];

		if (ops->plural == NULL || !kind_plans(ops))
			continue;
		if (last)
			appendStringInfo(&buf, "%s%s", buf.len ? ", " : "", last);
		last = ops->plural;
	}
	appendStringInfo(&buf, " and %s", last);
	return buf.data;
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
						 doc_path(pos), pos->line);
	}
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("\"%s\" cannot be converged yet at line %d, column %d (%s)",
					strrchr(doc_path(first), '.') + 1, first->line,
					first->column,
					doc_path(first)),
			 others.len ? errdetail("These keys cannot be converged yet either: %s.",
									others.data) : 0,
			 errhint("This version converges %s; remove the other keys from the document.",
					 kinds_converged())));
}

/*
 * diff_models
 *		The changes that make "have" look like "want", and what the diff
 *		decided on the way (diff_note()).  Only schemas the document lists
 *		are looked at; "have" must have been read for them.
 */
DiffState *
diff_models(ConvModel *want, ConvModel *have)
{
	DiffState  *ds = palloc0(sizeof(DiffState));
	ListCell   *lc;

	refuse_unsupported(want);
	ds->want_model = want;
	ds->have_model = have;
	ds->tables = index_tables(have);
	ds->pairs_by_name = table_hash("pg_converge document tables",
								   sizeof(PairEntry));

	for (int kind = 0; kind < NUM_KINDS; kind++)
		if (conv_kinds[kind]->diff)
			conv_kinds[kind]->diff(ds);
	for (int kind = 0; kind < NUM_KINDS; kind++)
		if (conv_kinds[kind]->diff_finish)
			conv_kinds[kind]->diff_finish(ds);
	foreach(lc, ds->changes)
	{
		ConvChange *change = lfirst(lc);

		if (change->action == ACTION_CREATE &&
			conv_kinds[change->kind]->check_created)
			conv_kinds[change->kind]->check_created(ds, change);
	}
	return ds;
}
