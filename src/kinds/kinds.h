/*-------------------------------------------------------------------------
 *
 * kinds.h
 *	  The per-kind operations table, and what the stage engines offer the
 *	  kinds.
 *
 * Every object kind fills one ConvKindOps in its own file under kinds/
 * (in the manner of an index access method's handler struct) and has one
 * line in kinds/kindlist.h.  The engines walk the registry and never name
 * a kind: diff.c calls each kind's diff, plan.c orders changes by the
 * phase table and calls the kind's plan function for the action.  A kind
 * that contains others (a table its columns, constraints and indexes; a
 * domain its CHECKs) walks the registry for its members.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CONVERGE_KINDS_H
#define CONVERGE_KINDS_H

#include "model.h"

#include "access/htup.h"
#include "catalog/objectaddress.h"
#include "access/tupdesc.h"
#include "utils/hsearch.h"
#include "utils/relcache.h"
#include "utils/snapshot.h"

/* ----------------------------------------------------------------
 * What document.c offers a kind
 * ----------------------------------------------------------------
 */

/* the document as a tree of nodes that remember where they were written */
typedef enum YNodeKind
{
	YN_SCALAR,
	YN_MAPPING,
	YN_SEQUENCE
} YNodeKind;

typedef struct YNode
{
	YNodeKind	kind;
	int			line;
	int			column;
	char	   *value;			/* scalar text, NULL for a null scalar */
	bool		plain;			/* scalar was written unquoted */
	bool		flow;			/* mapping was written {in: flow, style} */
	List	   *keys;			/* mapping: key YNodes (scalars) */
	List	   *items;			/* mapping: values; sequence: items */
} YNode;

/* where a kind's objects are written: the mapping of which container */
typedef enum DocPlace
{
	DOC_NONE,					/* nowhere of its own (a domain's CHECKs) */
	DOC_ROOT,					/* the document's own mapping: "extensions" */
	DOC_SCHEMA,					/* a schema's mapping: "enums", "tables" */
	DOC_TABLE,					/* a table's mapping: "columns", "checks" */
	NUM_DOC_PLACES
} DocPlace;

/*
 * The format, as tables.  Each key names the kind of value it takes; a
 * mapping's own keys are described by a nested table.  The mapping of a
 * container (a schema, a table) also takes the keys of every kind placed
 * in it: "members" says which place that is.
 */
typedef enum ValueKind
{
	V_STRING,					/* a scalar */
	V_BOOL,						/* true or false */
	V_INT,						/* an integer */
	V_EXPR,						/* exactly one SQL expression */
	V_QUERY,					/* exactly one SELECT statement */
	V_STRINGS,					/* a sequence of scalars */
	V_STRING_MAP,				/* a mapping of scalars to scalars */
	V_MAPPING,					/* a mapping described by sub */
	V_NAMED,					/* name: a mapping described by sub */
	V_SIGNED,					/* signature: a mapping described by sub
								 * (a function's "name(types)", which may
								 * be longer than a name) */
	V_NAMED_EXPR,				/* name: an expression */
	V_NAMED_STRINGS,			/* name: a sequence of scalars */
	V_NAMED_KEY,				/* name: a sequence of columns, or a mapping
								 * described by sub */
	V_KEY						/* a sequence of columns, or a mapping
								 * described by sub */
} ValueKind;

typedef struct KeySpec
{
	const char *key;
	ValueKind	kind;
	const struct KeySpec *sub;
	DocPlace	members;		/* V_NAMED: a container of these kinds */
	bool		later;			/* set by document.c: the key's kind plans
								 * nothing yet, so a document that uses it
								 * is refused when planned */
} KeySpec;

/* what a kind's build function adds its objects to */
typedef struct DocContainer
{
	ConvModel  *model;			/* DOC_ROOT: the document being built */
	ConvSchema *schema;
	ConvTable  *table;			/* DOC_TABLE: the table being built */
} DocContainer;

extern void doc_error(int sqlerrcode, const YNode *node, const char *path,
					  const char *fmt,...) pg_attribute_printf(4, 5);
extern char *child_path(const char *path, const char *key);
extern DocPos node_pos(const YNode *node, const char *path);
extern bool doc_bool(const YNode *node, const char *path);
extern bool doc_key_bool(const YNode *node, const char *path, const char *key);
extern int64 doc_int(const YNode *node, const char *path);
extern int64 doc_key_int(const YNode *node, const char *path, const char *key);
extern void check_name(const YNode *node, const char *path);
extern void doc_renamable(ConvObject *object, const char *schema,
						  const char *name, const YNode *node,
						  const char *path);
extern const YNode *map_get(const YNode *map, const char *key);
extern char *map_string(const YNode *map, const char *key);
extern DocPos value_pos(const YNode *map, const char *key, const char *path);
extern char *doc_comment(const YNode *map);
extern List *string_list(const YNode *seq);
extern void string_map(const YNode *map, List **from, List **to);
extern List *doc_settings(const YNode *map, const char *path,
						  const char *key);
extern void build_members(DocContainer *dc, DocPlace place,
						  const YNode *node, const char *path);

/* builds the object of one "name: value" entry of a kind's mapping */
typedef void *(*EntryBuilder) (DocContainer *dc, const char *name,
							   const YNode *node, const char *path);
extern void build_entries(DocContainer *dc, const YNode *value,
						  const char *path, EntryBuilder build, List **list);

/* the named entries of a mapping, with the key path of each */
#define foreach_entry(kc, vc, map) \
	forboth(kc, (map)->keys, vc, (map)->items)
#define entry_name(kc) (((YNode *) lfirst(kc))->value)

/* ----------------------------------------------------------------
 * What catalog.c offers a kind
 * ----------------------------------------------------------------
 */

/* one read of the catalog: every query runs in the same snapshot */
typedef struct CatalogRead
{
	ConvModel  *model;
	Datum		names;			/* text[] of the managed schemas: $1 */
	List	   *namespaces;		/* their oids, of those that exist */
	List	   *tables;			/* of ConvTable, once the tables are read,
								 * in the order of MANAGED_TABLES */
	struct HTAB *tables_by_oid;	/* TableByOid of each of tables */
	struct SPITupleTable *rows;	/* the last query's rows, freed by the next */
	Snapshot	snapshot;		/* the statement's, which the queries see:
								 * catalog scans in C use it too */
	struct HTAB *comments;		/* catalog_comment()'s, read when first
								 * asked */
	MemoryContext scratch;		/* for what printing an expression leaves */
	struct HTAB *printed;		/* catalog_expr()'s trees of no relation */
	struct HTAB *type_names;	/* catalog_type_name()'s */
} CatalogRead;

/* reads one pg_constraint row of a managed table (read_table_constraints) */
typedef void (*ConstraintReader) (CatalogRead *cr, ConvTable *table,
								  HeapTuple tup, TupleDesc desc);

/* reads one row of a per-table query into its table */
typedef void (*RowReader) (ConvTable *table, HeapTuple tup, TupleDesc desc);

extern void catalog_query(CatalogRead *cr, const char *sql);
extern void read_per_table(CatalogRead *cr, const char *select,
						   const char *rest, RowReader reader);
extern char *get_text(HeapTuple tuple, TupleDesc tupdesc, const char *name);
extern Datum get_datum(HeapTuple tuple, TupleDesc tupdesc, const char *name,
					   bool *isnull);
extern bool get_bool(HeapTuple tuple, TupleDesc tupdesc, const char *name);
extern int64 get_int64(HeapTuple tuple, TupleDesc tupdesc, const char *name);
extern List *text_array_to_list(Datum array);
extern List *get_text_list(HeapTuple tuple, TupleDesc tupdesc,
						   const char *name);
extern ConvSchema *find_or_add_schema(ConvModel *model, const char *name);
extern List *get_acl(HeapTuple tuple, TupleDesc tupdesc);
extern List *acl_grants(struct ArrayType *acl);
extern char *role_name(Oid roleid);
extern char *catalog_comment(CatalogRead *cr, Oid classoid, Oid objoid,
							 int32 objsubid);
extern struct SysScanDescData *catalog_scan(CatalogRead *cr, Relation rel,
										   Oid indexid, AttrNumber attnum,
										   Oid value);
extern void read_table_constraints(CatalogRead *cr, ConstraintReader reader);
extern char *catalog_expr(CatalogRead *cr, Datum tree, Oid relid,
						  char **stored);
extern char *catalog_index_key(CatalogRead *cr, Oid indexrelid, int k);
extern char *catalog_type_name(CatalogRead *cr, Oid typid, int32 typmod);
extern List *attnum_names(Oid relid, Datum attnums);

/*
 * An object's comment, and a column's (its table's oid and its attnum):
 * obj_description() and col_description() are SQL functions, and each call
 * of one runs a query of its own.
 */
#define DESCRIPTION_OF(oid, catalog, subid) \
	"(SELECT ds.description FROM pg_catalog.pg_description ds" \
	"  WHERE ds.objoid = " oid \
	"    AND ds.classoid = 'pg_catalog." catalog "'::pg_catalog.regclass" \
	"    AND ds.objsubid = " subid ")"
#define COMMENT_OF(oid, catalog) DESCRIPTION_OF(oid, catalog, "0")
#define COLUMN_COMMENT_OF(relid, attnum) \
	DESCRIPTION_OF(relid, "pg_class", attnum)

/*
 * An object's privileges as get_acl() reads them: its ACL, or the ACL the
 * server gives it by default (acldefault(kind, owner)) while it has none.
 */
#define ACL_COLUMNS(acl, kind, owner) \
	" COALESCE(" acl ", pg_catalog.acldefault('" kind "', " owner ")) AS acl," \
	" pg_catalog.pg_get_userbyid(" owner ") AS owner"

/*
 * Objects an extension created belong to that extension's scripts, not to
 * the document: they are never read into the model.
 */
/*
 * An attribute's collation as a document writes it, when it is not its
 * type's: the bare name where the search path finds it.  Reads a
 * (pg_attribute), t (its type), co and cn (its collation and namespace).
 */
#define ATTRIBUTE_COLLATION \
	" CASE WHEN a.attcollation <> t.typcollation THEN" \
	"  CASE WHEN pg_catalog.pg_collation_is_visible(co.oid)" \
	"   THEN co.collname::text" \
	"   ELSE pg_catalog.quote_ident(cn.nspname) || '.' ||" \
	"        pg_catalog.quote_ident(co.collname) END END" \
	"   AS collation"

#define NOT_EXTENSION_MEMBER(catalog, oid) \
	" NOT EXISTS (SELECT FROM pg_catalog.pg_depend x" \
	"             WHERE x.classid = 'pg_catalog." catalog "'::pg_catalog.regclass" \
	"               AND x.objid = " oid " AND x.deptype = 'e')"

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

/* tables of the managed schemas, as read_per_table() sees them */
#define MANAGED_TABLES \
	"FROM pg_catalog.pg_class c" \
	" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace" \
	" WHERE n.nspname OPERATOR(pg_catalog.=) ANY ($1)" \
	"   AND c.relkind IN ('r', 'p')" \
	"   AND" NOT_EXTENSION_MEMBER("pg_class", "c.oid")


/*
 * Something outside the model that depends on a type (given as a list of
 * oids): a function, a view of another schema, a column of a table the
 * document does not manage.  Columns, defaults, constraints and indexes of
 * managed tables, views of managed schemas (view.c rebuilds them) and
 * types of managed schemas are part of the model and move with it.
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
	" WHEN 'pg_catalog.pg_rewrite'::pg_catalog.regclass THEN" \
	"   (SELECT w.ev_class FROM pg_catalog.pg_rewrite w" \
	"      JOIN pg_catalog.pg_class v ON v.oid = w.ev_class" \
	"     WHERE w.oid = " d ".objid AND v.relkind IN ('v', 'm'))" \
	" END"
#define MODEL_TYPE(d) \
	"CASE " d ".classid" \
	" WHEN 'pg_catalog.pg_type'::pg_catalog.regclass THEN " d ".objid" \
	" WHEN 'pg_catalog.pg_constraint'::pg_catalog.regclass THEN" \
	"   (SELECT k.contypid FROM pg_catalog.pg_constraint k WHERE k.oid = " d ".objid)" \
	" END"
/*
 * Does the dependency "d" belong to a relation the model holds (a table,
 * view or materialized view of a managed schema)?  "managed" is a macro
 * that tests a schema name: IN_MANAGED, or FP_MANAGED where $1 is not
 * available.
 */
#define IN_MANAGED(nsp) " " nsp " OPERATOR(pg_catalog.=) ANY ($1)"
#define OF_MODEL_RELATION(d, managed) \
	" EXISTS (SELECT FROM pg_catalog.pg_class r" \
	"         JOIN pg_catalog.pg_namespace rn ON rn.oid = r.relnamespace" \
	"        WHERE" managed("rn.nspname") \
	"          AND r.relkind IN ('r', 'p', 'v', 'm')" \
	"          AND r.oid = " MODEL_RELATION(d) ")"

#define USED_OUTSIDE(oids) \
	"(SELECT pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid)" \
	"   FROM pg_catalog.pg_depend d" \
	"  WHERE d.refclassid = 'pg_catalog.pg_type'::pg_catalog.regclass" \
	"    AND d.refobjid IN (" oids ") AND d.deptype = 'n'" \
	"    AND NOT" OF_MODEL_RELATION("d", IN_MANAGED) \
	"    AND NOT EXISTS (SELECT FROM pg_catalog.pg_type ty" \
	"         JOIN pg_catalog.pg_namespace tn ON tn.oid = ty.typnamespace" \
	"        WHERE tn.nspname OPERATOR(pg_catalog.=) ANY ($1)" \
	"          AND ty.oid = " MODEL_TYPE("d") ")" \
	"  LIMIT 1)"

/* is the dependent "d" the table's own policy, or its own trigger? */
#define OWN_POLICY(d) \
	"EXISTS (SELECT FROM pg_catalog.pg_policy p" \
	"         WHERE " d ".classid = 'pg_catalog.pg_policy'::pg_catalog.regclass" \
	"           AND p.oid = " d ".objid AND p.polrelid = " d ".refobjid)"
#define OWN_TRIGGER(d) \
	"EXISTS (SELECT FROM pg_catalog.pg_trigger g" \
	"         WHERE " d ".classid = 'pg_catalog.pg_trigger'::pg_catalog.regclass" \
	"           AND g.oid = " d ".objid AND g.tgrelid = " d ".refobjid)"

/*
 * A dependency "d" on a managed table from outside the model: not a
 * relation the model holds (a view of another schema, a foreign key of a
 * table the document does not manage), and not the table's own policy or
 * trigger.  The current side of the dependency graph (catalog.c).
 */
#define OUTSIDE_MODEL(d, managed) \
	" NOT" OF_MODEL_RELATION(d, managed) \
	"   AND NOT " OWN_POLICY(d) \
	"   AND NOT " OWN_TRIGGER(d)

/* ----------------------------------------------------------------
 * What script.c offers a kind: the fingerprint
 *
 * A kind's "fingerprint" is a query of rows (kind, object, fact) about
 * every object of the kind in the managed schemas: what the plan compares
 * of it, as text that a plain catalog query prints the same in any
 * database whose objects are the same (never an oid, an attribute number,
 * or anything the rows change).  converge_script() runs the kinds'
 * queries where it makes the script, and the script runs the same text
 * where it converges, before anything else: any difference refuses it.
 * The managed schemas are the rows of converge_managed(nspname), a name
 * the script defines around the queries; "$1" is not available there.
 * ----------------------------------------------------------------
 */
#define FP_MANAGED(nsp) \
	" " nsp " OPERATOR(pg_catalog.=) ANY (SELECT m.nspname" \
	"                                      FROM converge_managed m)"

/* an object's ACL items, or those the server gives it by default */
#define ACL_ITEMS(acl, kind, owner) \
	"pg_catalog.aclexplode(COALESCE(" acl ", pg_catalog.acldefault('" kind "', " owner ")))"

/* an ACL's items (ACL_ITEMS), one word each, in a stable order */
#define FP_ACL(items) \
	"(SELECT pg_catalog.string_agg(i.item, ',' ORDER BY i.item) FROM" \
	"  (SELECT CASE e.grantee WHEN 0 THEN 'public' ELSE" \
	"          pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(e.grantee))" \
	"          END || '=' || pg_catalog.lower(e.privilege_type) ||" \
	"          CASE WHEN e.is_grantable THEN '*' ELSE '' END AS item" \
	"     FROM " items " e) i)"

/* the constraints of managed tables of some types, as the server prints them */
#define FP_CONSTRAINTS(contypes) \
	"SELECT 'constraint'," \
	" pg_catalog.format('%I.%I.%I', n.nspname, c.relname, k.conname)," \
	" pg_catalog.concat_ws(' ', pg_catalog.pg_get_constraintdef(k.oid)," \
	"   'comment=' || pg_catalog.quote_literal(" \
	"     " COMMENT_OF("k.oid", "pg_constraint") "))" \
	" FROM pg_catalog.pg_constraint k" \
	" JOIN pg_catalog.pg_class c ON c.oid = k.conrelid" \
	" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace" \
	" WHERE k.contype IN (" contypes ") AND" FP_MANAGED("n.nspname") \
	"   AND" NOT_EXTENSION_MEMBER("pg_class", "c.oid")

/* an object's owner, privileges and comment, for a fact's concat_ws() */
#define FP_OWNED(acl, kind, owner, oid, catalog) \
	" 'owner=' || pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(" owner "))," \
	" 'acl=' || " FP_ACL(ACL_ITEMS(acl, kind, owner)) "," \
	" 'comment=' || pg_catalog.quote_literal(" COMMENT_OF(oid, catalog) ")"

/* ----------------------------------------------------------------
 * What export.c offers a kind
 * ----------------------------------------------------------------
 */

typedef struct Emitter Emitter;

extern void emit_scalar(Emitter *em, const char *value, bool quoted);
extern void emit_pair(Emitter *em, const char *key, const char *value);
extern void emit_strings(Emitter *em, List *strings);
extern void emit_settings(Emitter *em, const char *key, List *settings);
extern void emit_text(Emitter *em, const char *text);
extern void begin_mapping(Emitter *em, bool flow);
extern void end_mapping(Emitter *em);
extern void emit_members(Emitter *em, DocPlace place,
						 const ConvSchema *schema, const ConvTable *table);
extern const ConvModel *emitted_model(Emitter *em);

/* writes the "name: value" entry of one object */
typedef void (*EntryEmitter) (Emitter *em, const ConvSchema *schema,
							  const void *object);
extern void emit_entries(Emitter *em, const char *key,
						 const ConvSchema *schema, List *objects,
						 EntryEmitter emit_one);

/* ----------------------------------------------------------------
 * What diff.c offers a kind
 * ----------------------------------------------------------------
 */

/*
 * What the diff decides about document objects is a fact of this diff, not
 * of the document: it lives in the DiffState, keyed by the document object
 * (diff_note()), and the plan reads it there (ConvPlanState.diff).  The two
 * models are only read.
 */

/* a document enum, the current one of its name, if any, and its fate */
typedef struct EnumPair
{
	ConvEnum   *want;
	ConvEnum   *have;
	char	   *build_name;		/* the name the plan creates it under, when
								 * it does */
	bool		relabelled;		/* labels are renamed in place */
} EnumPair;

/* a document domain, the current one of its name, if any, and its fate */
typedef struct DomainPair
{
	ConvDomain *want;
	ConvDomain *have;
	EnumPair   *base_enum;		/* the base type is this document enum */
	struct DomainPair *base_domain; /* the base is this domain the plan
									 * creates */
	char	   *build_name;		/* the name the plan creates it under, when
								 * it does */
} DomainPair;

/*
 * A document column (or composite attribute) whose type or default needs
 * what the plan creates.
 */
typedef struct ColumnNote
{
	EnumPair   *doc_enum;		/* its type is this enum (or an array of it) */
	bool		doc_enum_array;
	DomainPair *doc_domain;		/* its type is this domain, which the plan
								 * creates or recreates */
	bool		default_pending;	/* the default names something the plan
									 * creates (a sequence), so it cannot be
									 * cooked before the plan runs */
} ColumnNote;

typedef struct DiffState
{
	ConvModel  *want_model;
	ConvModel  *have_model;
	HTAB	   *tables;			/* current tables by qualified name */
	List	   *pairs;			/* of TablePair */
	HTAB	   *pairs_by_name;	/* the same, by the document's names */
	List	   *enums;			/* of EnumPair */
	List	   *domains;		/* of DomainPair */
	bool		unknown_types;	/* the plan creates extensions: a type the
								 * server cannot find yet may be theirs */
	List	   *created_names;	/* what the plan brings into being that an
								 * expression names in a string constant
								 * (labels enums get by RENAME VALUE, new
								 * sequences): it cannot be read before */
	List	   *created_functions;	/* those of created_names that are
									 * functions */
	List	   *changes;
	/* what the changes drop, read as they grow (diff.c, read_dropped()) */
	int			changes_read;	/* how many of "changes" have been read */
	List	   *routines_dropped;	/* functions and aggregates (of Oid), */
	List	   *routine_reasons;	/* and why (of char *) */
	List	   *routines_recreated; /* those of them created again */
	List	   *types_dropped;	/* types dropped for good (of Oid), */
	List	   *type_reasons;	/* and why */
	HTAB	   *resolved_types; /* ResolvedType by schema and type text */
	HTAB	   *changes_by_table;	/* TableChanges: "changes" by have_table */
	HTAB	   *creates;		/* the document objects "changes" create, */
	int			creates_read;	/* read from the first this many */
	HTAB	   *body_calls;		/* function.c: BodyCalls of the document's
								 * SQL-standard bodies */
	HTAB	   *notes;			/* diff_note(): what the diff decided about
								 * document objects */
} DiffState;

/*
 * A table while its members are compared (have is NULL when the plan
 * creates it): for each document column, the current one it stands for
 * and the COLUMN_* bits that differ; the document names of the columns
 * the plan adds, retypes or rebuilds (whatever reads them is dropped
 * before and added after), of those it rebuilds, and of those the new
 * CHECKs read (a column's remap runs only for them).
 */
typedef struct TableDiff
{
	TablePair  *pair;
	const char *schema;
	ConvTable  *want;
	ConvTable  *have;
	List	   *matches;		/* of ConvColumn, NULL where none */
	int		   *what;
	bool	   *rebuild;
	List	   *reshaped;
	List	   *rebuilt;
	List	   *checked;
	bool		partition_stays;	/* a partition kept where it is: its
									 * columns change with its parent's */
} TableDiff;

/* a current table by qualified name, and whether the document claims it */
typedef struct TableKey
{
	NameData	schema;
	NameData	table;
} TableKey;

typedef struct TableEntry
{
	TableKey	key;
	ConvTable  *table;
	TablePair  *pair;			/* its document table's; NULL: unclaimed */
} TableEntry;

/* a document table by qualified name */
typedef struct PairEntry
{
	TableKey	key;
	TablePair  *pair;
} PairEntry;

/*
 * How reconcile() treats one kind's objects.  "context" is what the caller
 * passed to reconcile(): a TableDiff for the members of a table.
 */
typedef struct Reconcile
{
	/* the object in "items" standing for "object"; NULL: by name */
	void	   *(*match) (List *items, const void *object);
	/* does the current object already mean the document's? */
	bool		(*same) (DiffState *ds, const ConvChange *proto,
						 void *context, void *want, void *have);
	/* a create change was made: fill what is particular to the kind */
	void		(*created) (DiffState *ds, ConvChange *change, void *context);
	/* the current object is kept: change what differs in place */
	void		(*kept) (DiffState *ds, const ConvChange *proto, void *context,
						 void *want, void *have);

	/*
	 * A current object the document does not name means what a document
	 * object of another name means (its column was renamed, so was it):
	 * rename it rather than build it again.  NULL: drop and create.
	 */
	void		(*renamed) (DiffState *ds, const ConvChange *proto,
							void *context, void *want, void *have);

	/*
	 * The dependency graph: why the current object must be dropped and
	 * made again whatever the document says of it (it calls a function
	 * the plan drops), or NULL.  The drop and create carry it as
	 * ConvChange.because.
	 */
	const char *(*rebuilt) (DiffState *ds, void *have);

	/*
	 * The dependency graph, for the members of a table (context is its
	 * TableDiff): the document names of the table's columns the wanted
	 * object reads.  One that reads a column the plan adds, retypes or
	 * rebuilds (TableDiff.reshaped) is dropped before that change and
	 * created after it, whatever the document says of it.
	 */
	List	   *(*reads) (void *want);
} Reconcile;

extern ConvChange *add_change(DiffState *ds, ConvKind kind,
							  ConvAction action, const char *schema,
							  ConvTable *want_table, ConvTable *have_table);
extern void reconcile(DiffState *ds, const ConvChange *proto,
					  const Reconcile *how, void *context, List *want,
					  List *have);
extern void reconcile_members(DiffState *ds, ConvKind kind,
							  const Reconcile *how, void *context,
							  const char *schema, ConvTable *want,
							  ConvTable *have, size_t list);
extern void *find_named(List *items, const char *name);
extern void add_kept_change(DiffState *ds, const ConvChange *proto,
							ConvAction action, void *want, void *have);
extern void add_rename_change(DiffState *ds, const ConvChange *proto,
							  void *context, void *want, void *have);
extern void *find_by_name(List *items, const void *object);
extern TableEntry *lookup_table(DiffState *ds, const char *schema,
								const char *table);
extern TablePair *add_pair(DiffState *ds, const char *schema,
						   ConvTable *want, TableEntry *entry);
extern List *table_changes(DiffState *ds, const ConvTable *have);
extern TablePair *find_pair(DiffState *ds, const char *schema,
							const char *table);
extern bool names_overlap(List *a, List *b);

/* one document object of a schema-level kind, and a current one it drops */
typedef void (*SchemaObjectDiff) (DiffState *ds, ConvSchema *schema,
								  void *want, List *have, List **kept);
typedef void (*SchemaObjectDrop) (DiffState *ds, ConvSchema *schema,
								  void *have);
extern void diff_schema_objects(DiffState *ds, size_t managed, size_t list,
								SchemaObjectDiff diff_one,
								SchemaObjectDrop drop);
extern bool string_in(List *strings, const char *s);
extern bool names_created(DiffState *ds, const char *text,
							const DocPos *pos);
extern void mark_pending_defaults(DiffState *ds);
extern bool calls_created_function(DiffState *ds, const char *text,
								   const DocPos *pos);
extern bool plan_creates(DiffState *ds, ConvKind kind, const void *want);
extern const char *routine_dropped(DiffState *ds, Oid routine,
								   bool for_good_too);
extern bool plan_drops_routines(DiffState *ds, bool for_good_too);
extern const char *check_stored_tree(const ConvCheck *check);
extern const char *stored_calls_dropped(DiffState *ds, const char *bin,
										bool for_good_too);
extern bool strings_differ(const char *a, const char *b);
extern bool strings_equal(List *a, List *b);
extern bool function_created(DiffState *ds, const char *written);
extern void add_comment_change(DiffState *ds, const ConvChange *proto,
							   void *want, void *have);
extern const char *doc_name_of(const TablePair *pair, const char *name);
extern char *free_type_name(const char *schema, const char *name);
extern void resolve_doc_type(DiffState *ds, ConvColumn *col,
							 const char *schema, ColumnNote *note);
extern void *diff_note(const DiffState *ds, const void *object);
extern void set_diff_note(DiffState *ds, const void *object, void *note);
extern const ColumnNote *column_note(const DiffState *ds,
									 const ConvColumn *col);
extern bool doc_typed(const ColumnNote *note);
extern bool type_created(const ColumnNote *note);
extern bool default_rewrites(const DiffState *ds, const ConvColumn *col);
extern Oid	resolve_column(DiffState *ds, ConvColumn *col,
						   const char *schema);

#define find_schema(model, key) \
	((ConvSchema *) find_named((model)->schemas, (key)))
#define find_column(table, key) \
	((ConvColumn *) find_named((table)->columns, (key)))

/* ----------------------------------------------------------------
 * What plan.c offers a kind
 * ----------------------------------------------------------------
 */

/*
 * The phases steps run in, like ALTER TABLE's own passes: plan.c's
 * phase_table gives each action of each kind its phase.
 */
typedef enum PlanPhase
{
	PHASE_NONE,					/* the kind does not plan this action */
	PHASE_CREATE_SCHEMA,
	PHASE_CREATE_EXTENSION,
	PHASE_DROP_VIEW,
	PHASE_CREATE_TYPE,
	PHASE_CREATE_FUNCTION,
	PHASE_RENAME_TABLE,
	PHASE_RENAME_COLUMN,
	PHASE_DROP_FOREIGN_KEY,
	PHASE_DROP_CONSTRAINT,
	PHASE_DROP_TABLE,
	PHASE_DROP_GENERATED,
	PHASE_DROP_COLUMN,
	PHASE_RECREATE_FUNCTION,	/* once what calls the old one is gone */
	PHASE_CREATE_TABLE,
	PHASE_ADD_COLUMN,
	PHASE_REMAP,
	PHASE_ALTER_COLUMN,
	PHASE_ATTACH_PARTITION,
	PHASE_FINISH_DOMAIN,
	PHASE_FINISH_TYPE,
	PHASE_ADD_GENERATED,
	PHASE_ADD_KEY,
	PHASE_ADD_CHECK,
	PHASE_ADD_FOREIGN_KEY,
	PHASE_CREATE_VIEW,
	PHASE_CREATE_POLICY,
	PHASE_CREATE_TRIGGER,
	PHASE_GRANT,
	PHASE_COMMENT,
	NUM_PHASES
} PlanPhase;

/* how far into the plan validate.c sees a table's rows */
typedef enum RowStage
{
	ROWS_NOW,					/* as they are, under the document's names */
	ROWS_REMAPPED,				/* after the remap steps */
	ROWS_AFTER					/* when new rules are added: remapped,
								 * converted, added columns filled */
} RowStage;

/* the FROM item validate.c reads a current table through */
typedef struct RowSource
{
	ConvTable  *have;
	RowStage	stage;
	char	   *source;
	char	   *key_label;
} RowSource;

typedef struct ConvPlanState
{
	DiffState  *diff;			/* the changes, and what the diff decided */
	struct HTAB *by_object;		/* ChangeEntry: changes by kind, action and
								 * current object, built on first use */
	struct HTAB *by_table;		/* the same by current table */
	List	   *steps;
	List	   *sources;		/* of RowSource, built on first use */
	bool		values_change;	/* a change makes values rows may hold that
								 * do not exist while probes run (makes_values) */
} ConvPlanState;

extern ConvStep *add_step(ConvPlanState *ps, const char *action, char *object,
						  char *sql, char *reason, int hazards);
extern ConvChange *find_change(ConvPlanState *ps, ConvKind kind,
							   ConvAction action, const void *have);
extern char *made_again_because(const ConvChange *change, char *reason);
extern const char *dropped_because(ConvPlanState *ps,
								   const ConvChange *change);
extern void add_rename_constraint(ConvPlanState *ps, const ConvChange *change,
								  const char *from, const char *to,
								  char *reason);
extern void add_default_probe(ConvStep *step, bool exists, char *label,
							  char *source, char *key_label, char *failing,
							  ConvFix fix);
extern void add_drop_constraint(ConvPlanState *ps, const ConvChange *change,
								const char *action, const char *name,
								const char *definition);
extern RowSource *row_source(ConvPlanState *ps, const ConvChange *change,
							 RowStage stage);
extern ConvProbe *set_probe_on(ConvPlanState *ps, ConvStep *step,
							   const ConvChange *change, RowStage stage,
							   char *affected, char *failing,
							   const char *failing_text,
							   ConvRefusal refusal, ConvFix fix);
extern void set_probe(ConvPlanState *ps, ConvStep *step,
					  const ConvChange *change, char *affected,
					  char *failing, const char *failing_text,
					  ConvRefusal refusal, ConvFix fix);
extern void set_duplicate_probe(ConvPlanState *ps, ConvStep *step,
								const ConvChange *change, List *keys,
								const char *where, bool nulls_not_distinct);
extern void leave_unchecked(ConvStep *step, const char *why);
extern void refuse_if_used(ConvStep *step, const char *user,
						   const char *kind, const char *verb);
extern char *table_sql(const ConvChange *change);
extern char *column_object(const ConvChange *change, const char *column);
extern char *member_object(const ConvChange *change, const char *name);
extern char *name_list(List *names);
extern void add_column_statistics(ConvPlanState *ps, const ConvChange *change,
								  const ConvColumn *col);
extern char *literal_list(List *values);
extern char *dollar_quoted(const char *body, const char *tag);
extern void add_comment(ConvPlanState *ps, const char *action,
						const char *kind, char *object, const char *comment);
extern void add_constraint_comment(ConvPlanState *ps,
								   const ConvChange *change, const char *name,
								   const char *comment);
extern char *mapped_value(const char *value, const List *from,
						  const List *to);
extern char *remap_case(const ConvColumn *col, const char *value);

/* kinds/check.c, key.c, foreign_key.c: what a column's shorthands make */
extern ConvCheck *new_check(char *name, const YNode *expr, const char *path);
extern ConvKey *new_key(char *name, bool primary, List *columns,
						const YNode *node, const char *path);
extern ConvForeignKey *new_foreign_key(char *name, const char *schema,
									   List *columns, const YNode *refs,
									   const YNode *outer, List *ref_columns,
									   const char *path);
extern const KeySpec reference_keys[];
extern char *referenced_table(const char *schema, const ConvForeignKey *fk);
extern void foreign_key_probe(ConvPlanState *ps, ConvStep *step,
							  const ConvChange *change);
extern void emit_fk_actions(Emitter *em, const ConvForeignKey *fk);

/* kinds/partition.c: partitioned tables and their partitions */
extern bool is_partition(const ConvTable *table);
extern int	partitions_link(const ConvModel *model);
extern int	partition_depth(const ConvModel *model, ConvTable *table);
extern void partition_take_columns(const ConvModel *model, ConvTable *table);
extern void partition_placed(DiffState *ds, ConvChange *change);
extern bool partition_dropped_with_parent(DiffState *ds,
										  const ConvTable *have);
extern char *partition_key_sql(const ConvTable *want);
extern char *partition_of_sql(const ConvChange *change);
extern void partition_probe(ConvPlanState *ps, ConvStep *step,
							const ConvChange *change, bool attach);

/* kinds/column.c: a table's columns, and their types as SQL */
extern void columns_compare(DiffState *ds, TableDiff *td);
extern void columns_diff(DiffState *ds, TableDiff *td);
extern char *type_sql(const DiffState *ds, const ConvColumn *col,
					  Oid collation);
extern char *column_definition(const DiffState *ds, const ConvColumn *col,
							   Oid collation, bool with_not_null);
extern char *probe_type(const DiffState *ds, const ConvColumn *col);
extern const char *column_fill(const ConvChange *change);
extern void check_generated_position(DiffState *ds, const ConvColumn *col,
									 const ConvTable *table);
extern void probe_domain_default(const DiffState *ds, ConvStep *step,
								 const ConvColumn *col, bool exists);
extern void add_column_comment(ConvPlanState *ps, const ConvChange *change,
							   const ConvColumn *col);

/*
 * kinds/grant.c: privileges.  A kind whose objects take "grants" says, for
 * each object the document declares, what the document grants and what
 * the object holds (ConvKindOps.grant_targets); grant.c compares them.
 */
typedef struct GrantTarget
{
	const char *type;			/* as GRANT ... ON takes it: TABLE, SCHEMA */
	char	   *object;			/* qualified and quoted */
	const char *column;			/* column privileges: the column */
	List	   *want;			/* of ConvGrant: the document's */
	List	   *have;			/* of ConvGrant: what the object holds */
	const char *owner;			/* the current owner, or NULL */
	bool		recreated;		/* the plan creates it (again): it starts
								 * with no privileges but its owner's */
	const char *prefix;			/* before GRANT and REVOKE: default
								 * privileges' ALTER DEFAULT PRIVILEGES */
	const char *prefix_object;	/* default privileges: what the plan's steps
								 * name (object is NULL) */
	const char *public_default; /* what PUBLIC holds before any grant, when
								 * not the type's (global defaults) */
} GrantTarget;

extern List *grants_build(const YNode *value, const char *path,
						  const char *type);
extern List *object_grants(const YNode *node, const char *path,
						   const char *type);
extern void grants_emit(Emitter *em, List *grants, const char *owner,
						const char *type, bool public_expected);
/*
 * Where the objects of a schema-level kind keep their privileges, for
 * grant.c to pair each document object with the current one it stands for
 * and compare what they hold.
 */
typedef struct SchemaGrants
{
	const char *type;			/* as GRANT ... ON takes it */
	size_t		list;			/* offsetof(ConvSchema, <the kind's list>) */
	size_t		grants;			/* offsetof(<the kind's struct>, grants) */
	size_t		owner;			/* offsetof(<the kind's struct>, owner) */
	/* the current object standing for a document one; NULL: by name */
	void	   *(*match) (List *items, const void *object);
	/* how GRANT names an object; NULL: schema.name */
	char	   *(*object) (const char *schema, const void *object);
} SchemaGrants;

extern GrantTarget *add_grant_target(List **targets, const char *type,
									 char *object, const char *column,
									 List *want, List *have,
									 const char *owner, bool recreated);
extern bool grants_emit_map(Emitter *em, List *grants, const char *owner,
							const char *type, const char *key);
extern ConvGrant *new_grant(const char *role, const char *privilege,
							bool grantable);

/* kinds/index.c: the indexes of a materialized view are indexes too */
extern const KeySpec index_keys[];
extern void *build_index_entry(DocContainer *dc, const char *name,
						 const YNode *node, const char *path);
typedef struct IndexReader IndexReader;
extern IndexReader *index_reader_begin(CatalogRead *cr);
extern List *index_reader_read(IndexReader *reader, Oid relid);
extern void index_reader_end(IndexReader *reader);
extern const char *index_definition(const ConvIndex *index);
extern void index_emit(Emitter *em, List *indexes);

/* kinds/sequence.c: the serial shorthands, identity sequences' options */
extern const KeySpec identity_option_keys[];
extern void identity_build(ConvColumn *col, const YNode *node,
						   const char *path);
extern bool identity_options_differ(const ConvColumn *want, Oid typid,
									const ConvColumn *have);
extern char *identity_options_sql(const ConvColumn *want, Oid typid,
								  const ConvColumn *have);
extern void identity_refuse_out_of_bounds(ConvStep *step,
										  const ConvColumn *want, Oid typid,
										  const ConvColumn *have);
extern void identity_emit(Emitter *em, const ConvColumn *col);
extern void serial_expand(DocContainer *dc, ConvColumn *col, const YNode *node,
						  const char *path);
extern const char *serial_name(const ConvSchema *schema,
							   const ConvTable *table, const ConvColumn *col);

/* kinds/enum.c: how rows move to an enum the plan creates */
extern bool over_new_enum(const DiffState *ds, const ConvColumn *want);
extern bool enum_converts(const DiffState *ds, const ConvColumn *want);
extern char *enum_text(const DiffState *ds, const ConvColumn *want,
					   const char *col);
extern char *enum_misfits(const DiffState *ds, const ConvColumn *want,
						  const char *col);
extern char *enum_retyped(const EnumPair *ep, const char *text,
						  const DocPos *pos);
extern char *enum_column_expr(const DiffState *ds, const ConvColumn *want,
							  const char *text, const DocPos *pos);
extern char *enum_label_problem(const EnumPair *ep, const char *what,
								const char *text, const DocPos *pos,
								bool bare, bool bare_array);
extern char *enum_default_problem(const DiffState *ds,
								  const ConvColumn *want);
extern void enum_refuse_label(ConvStep *step, char *problem);
extern char *enum_using_text(const DiffState *ds, const ConvColumn *want);
extern char *enum_using_misfits(const DiffState *ds, const ConvColumn *want);

/* kinds/domain.c: what rows must meet to move into a domain */
extern const ConvDomain *domain_base(const DomainPair *dp);
extern char *domain_misfits(const ConvDomain *d, const char *col);

/* ----------------------------------------------------------------
 * The operations of one kind
 * ----------------------------------------------------------------
 */

typedef void (*PlanFunction) (ConvPlanState *ps, const ConvChange *change);

/*
 * A member of a table that its rows must satisfy: a CHECK, a key, an index,
 * a foreign key.  A rule the plan creates checks the rows itself; the rows
 * of a table the plan attaches as a partition, and rows it rewrites in
 * place (a remap, a NULL fill, a conversion to a new type), also meet the
 * rules it keeps.  add_rule_stubs() makes a stub change for each of those
 * (ConvChange.users of the attach or rewrite), and probe_kept_rules() adds
 * their probes to the step that changes the rows.
 */
typedef struct RuleOps
{
	size_t		list;			/* where ConvTable keeps them */
	List	   *(*reads) (void *rule);	/* document names of the columns it
										 * reads */
	/* a stub was made: fill what is particular to the kind, or NULL */
	void		(*stubbed) (DiffState *ds, ConvChange *stub);
	/* the rows, as the plan leaves them, the rule rejects; labelled */
	void		(*probe) (ConvPlanState *ps, ConvStep *step,
						  const ConvChange *stub);
} RuleOps;

extern void add_rule_stubs(DiffState *ds, ConvChange *change,
						   const ConvTable *owner, List *columns);
extern void probe_kept_rules(ConvPlanState *ps, ConvStep *step,
							 List *stubs, ConvFix fix);

typedef struct ConvKindOps
{
	const char *name;			/* in messages: "foreign key" */

	/*
	 * Compare the whole models and append changes; NULL for the members of
	 * another kind, which that kind's diff reaches.
	 */
	void		(*diff) (DiffState *ds);

	/*
	 * A member of a table (a constraint, an index): compared once the
	 * columns are matched, before their own changes are made.
	 */
	void		(*diff_member) (DiffState *ds, TableDiff *td);

	/* once every kind has been compared */
	void		(*diff_finish) (DiffState *ds);

	/*
	 * A change that creates an object, once every type is resolved:
	 * refuse, at the document position, an expression the server would
	 * refuse in the statement that creates it (an aggregate in a CHECK, a
	 * volatile function in an index), before any probe evaluates it.
	 */
	void		(*check_created) (DiffState *ds, const ConvChange *change);

	/* the steps of one change, per action; NULL: not converged yet */
	PlanFunction plan[NUM_ACTIONS];

	/* in the comment phase: comments of an object the plan creates */
	PlanFunction plan_comments;

	/* a member of a table its rows must satisfy; NULL: not a rule */
	const RuleOps *rule;

	/*
	 * The dependency graph: the current object a change retypes, rebuilds,
	 * renames or drops, described for a step's reason ("column s.t.c
	 * changes type"); NULL when it leaves what depends on it alone.  A
	 * view that reads the object is dropped before the change and created
	 * after it.  "gone": the object's name does not exist afterwards.
	 */
	const char *(*reshapes) (const ConvChange *change, ObjectAddress *object,
							 bool *gone);

	/*
	 * Does the change make values rows may hold that do not exist before
	 * it runs (an enum's renamed or recreated labels)?  Probes of rows in
	 * their final shape are then lenient about them.
	 */
	bool		(*makes_values) (const ConvChange *change);

	/* the phase of a change, when the action alone does not decide it */
	PlanPhase	(*phase) (const ConvChange *change, PlanPhase phase);

	/*
	 * Where the object of a change is written, to name it in a cycle of
	 * the dependency graph within a phase (ConvChange.needs).
	 */
	const DocPos *(*position) (const ConvChange *change);

	/*
	 * The document: the keys the kind adds to the mapping of its place
	 * (NULL-terminated), and how the value of one of them becomes objects
	 * of the container.  A kind with no plan function is parsed and
	 * refused when planned.
	 */
	DocPlace	doc_place;
	const KeySpec *doc_keys;
	void		(*build) (DocContainer *dc, const char *key,
						  const YNode *value, const char *path);

	/* the catalog: one query for every object of the kind */
	void		(*read) (CatalogRead *cr);

	/* the facts a script checks before it runs; NULL: its container's */
	const char *fingerprint;

	/* export: the kind's keys in its container's mapping */
	void		(*emit) (Emitter *em, const ConvSchema *schema,
						 const ConvTable *table);

	/*
	 * The objects of the kind that take "grants" (kinds/grant.c): a
	 * schema-level kind says where they are (schema_grants), another kind
	 * lists them itself (grant_targets).
	 */
	const SchemaGrants *schema_grants;
	void		(*grant_targets) (DiffState *ds, List **targets);

	/* what "this version converges ..." calls the kind; NULL: not named */
	const char *plural;
} ConvKindOps;

/* does the kind plan anything (else it is parsed and refused)? */
extern bool kind_plans(const ConvKindOps *ops);

#define CONV_KIND(symbol, ops) extern const ConvKindOps ops;
#include "kinds/kindlist.h"
#undef CONV_KIND

extern const ConvKindOps *const conv_kinds[NUM_KINDS];

#endif							/* CONVERGE_KINDS_H */
