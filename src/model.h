/*-------------------------------------------------------------------------
 *
 * model.h
 *	  The schema model shared by both sides of a convergence.
 *
 * The desired state (parsed from the YAML document) and the current state
 * (read from pg_catalog) are held in the same structures, so the diff
 * compares like with like.  Fields that only one side fills are marked.
 *
 * Everything here is palloc'd in the memory context of the SQL call that
 * builds it and lives no longer than that call.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CONVERGE_MODEL_H
#define CONVERGE_MODEL_H

#include "postgres.h"

#include "fmgr.h"
#include "nodes/bitmapset.h"
#include "nodes/nodes.h"
#include "nodes/pg_list.h"
#include "parser/parse_node.h"

#include "compat.h"

/* Where a document item was written, for error messages. */
typedef struct DocPos
{
	int			line;			/* 1-based; 0 when not from a document */
	int			column;			/* 1-based */
	const char *path;			/* key path, e.g. schemas.public.tables.t,
								 * or its parent while "key" is set */
	const char *key;			/* the path's last key, joined to it only
								 * when printed (doc_path) */
} DocPos;

extern const char *doc_path(const DocPos *pos);

/*
 * What every object of the model starts with, so that code which only
 * names, finds or places objects handles every kind alike: a pointer to
 * any of them is a ConvObject *.  (The kind is not repeated here: it is
 * the list an object sits in, and the change that carries it.)
 */
#define CONV_OBJECT_HEADER \
	char	   *schema;			/* NULL for a member of a table, and a \
								 * schema */ \
	char	   *name; \
	char	   *renamed_from;	/* document only */ \
	Oid			oid;			/* catalog only */ \
	DocPos		pos

typedef struct ConvObject
{
	CONV_OBJECT_HEADER;
} ConvObject;

/*
 * One privilege one role holds on an object: what a document's "grants"
 * says, or one item of the object's ACL (aclexplode()).  "public" is
 * PUBLIC.
 */
typedef struct ConvGrant
{
	char	   *role;
	char	   *privilege;		/* lower case: select, usage, ... */
	bool		grantable;		/* WITH GRANT OPTION */
} ConvGrant;

/*
 * The privileges objects a role creates in a schema will get: ALTER
 * DEFAULT PRIVILEGES FOR ROLE role IN SCHEMA ... ON objects.
 */
typedef struct ConvDefaultPrivileges
{
	char	   *role;			/* whose new objects */
	const char *objects;		/* "tables", "sequences", "functions",
								 * "types" */
	List	   *grants;			/* of ConvGrant */
} ConvDefaultPrivileges;

/* an enum type */
typedef struct ConvEnum
{
	CONV_OBJECT_HEADER;
	List	   *values;			/* labels, in order */
	List	   *remap_from;		/* document only: labels that disappear ... */
	List	   *remap_to;		/* ... and the labels their rows take */
	List	   *old_labels;		/* document only: labels renamed ... */
	List	   *new_labels;		/* ... to these, rows keeping their meaning */
	char	   *comment;
	char	   *used_outside;	/* catalog only: a relation outside the model
								 * that uses the type, or NULL */
	List	   *grants;			/* of ConvGrant */
	char	   *owner;			/* catalog only */
} ConvEnum;

/*
 * An operator, keyed by "name(left type, right type)".  Functions and
 * operators are named as written; the oids are the catalog's, or what the
 * server resolves the document's names to.
 */
typedef struct ConvOperator
{
	CONV_OBJECT_HEADER;
	char	   *signature;
	char	   *function;
	char	   *commutator;
	char	   *negator;
	char	   *restrict_fn;
	char	   *join_fn;
	bool		hashes;
	bool		merges;
	char	   *comment;
	Oid			left_oid;		/* InvalidOid: a prefix operator */
	Oid			right_oid;
	Oid			function_oid;
	Oid			commutator_oid;
	Oid			negator_oid;
	Oid			restrict_oid;
	Oid			join_oid;
	char	   *used_outside;	/* catalog only */
	List	   *commutator_names;	/* document only: the names as written */
	List	   *negator_names;
} ConvOperator;

/* a composite type; its attributes are read and resolved as columns */
typedef struct ConvComposite
{
	CONV_OBJECT_HEADER;
	List	   *attributes;		/* of ConvColumn: name, type, collation */
	char	   *comment;
	char	   *used_outside;	/* catalog only: what uses the type */
} ConvComposite;

/* a domain */
typedef struct ConvDomain
{
	CONV_OBJECT_HEADER;
	char	   *type_name;		/* base type, as written or format_type() */
	Oid			type_oid;		/* catalog; the document's resolved by diff */
	int32		typmod;
	char	   *collation;
	Oid			collation_oid;	/* resolved: the document's by diff.c */
	bool		not_null;
	char	   *default_expr;
	char	   *default_bin;	/* catalog only */
	List	   *checks;			/* of ConvCheck */
	char	   *comment;
	char	   *used_outside;	/* catalog only: something outside the model
								 * that depends on the domain, or NULL */
	char	   *rows_outside;	/* catalog only: a table outside the model
								 * with a column of the domain, or NULL */
	List	   *grants;			/* of ConvGrant */
	char	   *owner;			/* catalog only */
	DocPos		type_pos;
	DocPos		default_pos;
} ConvDomain;

/* a sequence */
typedef struct ConvSequence
{
	CONV_OBJECT_HEADER;
	char	   *type_name;		/* smallint, integer or bigint */
	int64		start;			/* every option as the server stores it: */
	int64		increment;		/* the document's defaults are the server's */
	int64		min;
	int64		max;
	int64		cache;
	bool		cycle;
	char	   *owned_table;	/* OWNED BY table.column, both NULL for */
	char	   *owned_column;	/* none */
	char	   *comment;
	char	   *used_outside;	/* catalog only: something outside the model
								 * that depends on it, or NULL */
	char	   *default_of;		/* catalog only: a managed column whose
								 * default uses it, as table.column */
	int			given;			/* document, identity options: which of
								 * them were written (IDENTITY_*); the
								 * rest follow the column's type */
	List	   *grants;			/* of ConvGrant */
	char	   *owner;			/* catalog only */
} ConvSequence;

/* the options of an identity sequence a document wrote */
#define IDENTITY_START		(1 << 0)
#define IDENTITY_INCREMENT	(1 << 1)
#define IDENTITY_MIN		(1 << 2)
#define IDENTITY_MAX		(1 << 3)
#define IDENTITY_CACHE		(1 << 4)
#define IDENTITY_CYCLE		(1 << 5)

typedef struct ConvColumn
{
	CONV_OBJECT_HEADER;
	char	   *type_name;		/* as written, or format_type() output */
	Oid			type_oid;		/* catalog only; the document's is resolved
								 * by expr.c when it is compared */
	int32		typmod;
	char	   *collation;		/* explicit collation name, NULL for the
								 * type's default */
	Oid			collation_oid;	/* catalog only: attcollation */
	bool		not_null;
	char	   *default_expr;	/* SQL text; deparsed on the catalog side */
	char	   *default_bin;	/* catalog only: adbin, nodeToString() form */
	char		identity;		/* '\0', ATTRIBUTE_IDENTITY_ALWAYS or
								 * ATTRIBUTE_IDENTITY_BY_DEFAULT */
	struct ConvSequence *identity_options;	/* its sequence's options, as
											 * the document writes them
											 * (NULL: none written) or the
											 * catalog holds them */
	char	   *generated;		/* GENERATED ALWAYS AS (...) STORED text */
	char	   *comment;
	int			statistics;		/* SET STATISTICS target; -1: the default */
	char	   *using_expr;		/* document only: how rows reach the new shape */
	List	   *remap_from;		/* document only: values rows may hold ... */
	List	   *remap_to;		/* ... and what they become */
	List	   *grants;			/* of ConvGrant: column privileges */
	int16		attnum;			/* catalog only */
	char	   *used_outside;	/* catalog only: something outside the model
								 * that depends on the column, or NULL */
	char	   *retype_blocker; /* catalog only: such a dependent the server
								 * cannot carry through a type change */
	DocPos		type_pos;
	DocPos		default_pos;
	DocPos		generated_pos;
	DocPos		using_pos;
	DocPos		collation_pos;
} ConvColumn;

/* a CHECK constraint of a table */
typedef struct ConvCheck
{
	CONV_OBJECT_HEADER;
	char	   *expr;			/* SQL text; pg_get_expr() on the catalog side */
	char	   *bin;			/* catalog only: conbin, nodeToString() form */
	char	   *column;			/* declared on this column (document), or
								 * named as PostgreSQL names such a check
								 * (catalog) */
	char	   *comment;
} ConvCheck;

/* a PRIMARY KEY or UNIQUE constraint of a table */
typedef struct ConvKey
{
	CONV_OBJECT_HEADER;
	bool		primary;
	List	   *columns;		/* column names, in key order */
	bool		nulls_not_distinct;
	bool		on_column;		/* written as a column's "unique: true" */
	bool		named;			/* document: a primary key's name given */
	char	   *comment;
} ConvKey;

/* a FOREIGN KEY constraint of a table */
typedef struct ConvForeignKey
{
	CONV_OBJECT_HEADER;
	List	   *columns;		/* referencing column names */
	char	   *ref_schema;
	char	   *ref_table;
	List	   *ref_columns;
	char		on_delete;		/* FKCONSTR_ACTION_* */
	char		on_update;
	bool		deferrable;
	bool		initially_deferred;
	bool		on_column;		/* written as a column's "references" */
	char	   *comment;
} ConvForeignKey;

/* an index that backs no constraint */
typedef struct ConvIndex
{
	CONV_OBJECT_HEADER;
	bool		unique;
	char	   *method;			/* NULL for the default, btree */
	List	   *elements;		/* SQL text of each key: "lower(email)",
								 * "created_at DESC" */
	char	   *where;			/* predicate of a partial index, or NULL */
	List	   *include;		/* INCLUDE column names */
	bool		nulls_not_distinct;
	List	   *statistics;		/* "key=target" of the expression keys
								 * given a statistics target, by key */
	char	   *definition;		/* catalog only: pg_get_indexdef(), read
								 * when first needed (index_definition) */
	char	   *exprs_bin;		/* catalog only: indexprs, indpred */
	char	   *predicate_bin;
	char	   *comment;
} ConvIndex;

/* a function or procedure */
typedef struct ConvFunction
{
	CONV_OBJECT_HEADER;
	bool		procedure;
	char	   *signature;		/* name(argument types), as written in the
								 * document or as the catalog prints it */
	char	   *arguments;		/* the parameter list as CREATE writes it */
	char	   *returns;		/* NULL for a procedure */
	char	   *language;
	char	   *body;			/* the text of the body, prosrc */
	char		volatility;		/* i, s, v */
	bool		strict;
	bool		security_definer;
	bool		leakproof;
	char		parallel;		/* s, r, u */
	double		cost;			/* 0: the language's default */
	double		rows;			/* 0: the default */
	List	   *set;			/* of "name=value", as proconfig holds them */
	char	   *comment;
	List	   *grants;			/* of ConvGrant */
	char	   *owner;			/* catalog only */
	char	   *modes;			/* catalog only: proargmodes, one each */
	List	   *arg_names;		/* catalog only */
	List	   *arg_types;		/* catalog only: of Oid */
	Oid			result;			/* catalog only */
	bool		retset;			/* catalog only */
	char	   *defaults_bin;	/* catalog only: proargdefaults */
	bool		standard_body;	/* BEGIN ATOMIC or RETURN, not a string */
	char	   *body_bin;		/* catalog only: prosqlbody */
	char	   *used_outside;	/* catalog only */
	List	   *callers;		/* catalog only: the functions of managed
								 * schemas whose SQL-standard bodies call
								 * it (of ConvFunction) */
} ConvFunction;

/*
 * An aggregate: keyed, like a function, by its signature.  Functions are
 * named as written in the document ("sfunc: public._group_concat") and
 * resolved by the server for the comparison; the catalog's are printed
 * by regproc and format_type.
 */
typedef struct ConvAggregate
{
	CONV_OBJECT_HEADER;
	char	   *signature;		/* "name(argument types)" */
	char	   *arguments;		/* the argument types, as in the signature */
	char	   *sfunc;
	char	   *stype;
	char	   *finalfunc;
	char	   *combinefunc;
	char	   *initcond;
	char		parallel;		/* PROPARALLEL_* */
	char	   *comment;
	List	   *grants;			/* of ConvGrant */
	char	   *owner;			/* catalog only */
	List	   *arg_types;		/* of Oid: the catalog's, or the document's
								 * resolved by the server */
	Oid			sfunc_oid;		/* likewise; InvalidOid when the document
								 * names one the plan creates */
	Oid			stype_oid;
	Oid			finalfunc_oid;
	Oid			combinefunc_oid;
	Oid			result_oid;
	bool		pending;		/* document: names a function the plan
								 * creates, so it cannot be resolved yet */
	char	   *unsupported;	/* catalog only: an attribute not converged */
	char	   *used_outside;	/* catalog only */
} ConvAggregate;

/* a trigger of a table */
typedef struct ConvTrigger
{
	CONV_OBJECT_HEADER;
	int			timing;			/* 0 before, 1 after, 2 instead of */
	int			events;			/* TRIGGER_TYPE_INSERT | ... bits */
	bool		row;			/* FOR EACH ROW */
	List	   *update_of;		/* UPDATE OF columns */
	char	   *function;		/* as written, or regproc's text */
	Oid			function_oid;	/* catalog only */
	List	   *arguments;		/* strings */
	char	   *when;			/* WHEN condition's text */
	char	   *when_bin;		/* catalog only: tgqual */
	char	   *old_table;		/* REFERENCING OLD TABLE AS */
	char	   *new_table;		/* REFERENCING NEW TABLE AS */
	bool		constraint;		/* CREATE CONSTRAINT TRIGGER */
	bool		deferrable;
	bool		initially_deferred;
	int			firing;			/* 0 origin, 1 always, 2 replica, 3 disabled */
	char	   *comment;
	DocPos		when_pos;
} ConvTrigger;

/* a row level security policy of a table */
typedef struct ConvPolicy
{
	CONV_OBJECT_HEADER;
	char		command;		/* as pg_policy.polcmd: '*', r, a, w, d */
	bool		permissive;
	List	   *roles;			/* role names, "public" for PUBLIC, sorted */
	char	   *using_expr;		/* SQL text; pg_get_expr() on the catalog */
	char	   *using_bin;		/* catalog only: polqual */
	char	   *check_expr;		/* WITH CHECK */
	char	   *check_bin;		/* catalog only: polwithcheck */
	char	   *comment;
	DocPos		using_pos;
	DocPos		check_pos;
} ConvPolicy;

/*
 * How a table takes part in partitioning: its own partition key (the
 * document's text, pg_get_partkeydef() in the catalog), and the table it
 * is a partition of with its bound (the document's text; the catalog's
 * pg_get_expr() and the stored tree).
 */
typedef struct ConvPartitioning
{
	char	   *key;			/* "RANGE (a)", or NULL */
	DocPos		key_pos;
	char	   *parent_schema;	/* the partitioned table, or NULL */
	char	   *parent_name;
	DocPos		parent_pos;
	char	   *bound;			/* "FOR VALUES ...", "DEFAULT" */
	char	   *bound_bin;		/* catalog only: relpartbound */
	DocPos		bound_pos;
	Oid			parent_relid;	/* catalog only */
	char		strategy;		/* catalog only: partstrat */
	List	   *key_columns;	/* catalog only: per key, its column's name,
								 * "" for an expression */
	char	   *key_exprs;		/* catalog only: partexprs */
	List	   *key_classes;	/* catalog only: operator class oids, text */
	List	   *key_collations; /* catalog only: collation oids, text */
	char	   *inherited;		/* catalog only: the indexes and constraints
								 * a partition has from its parent, named */
} ConvPartitioning;

typedef struct ConvTable
{
	CONV_OBJECT_HEADER;
	List	   *columns;		/* of ConvColumn, in document / attnum order */
	char	   *comment;
	char		relkind;		/* catalog only */
	List	   *checks;			/* of ConvCheck */
	List	   *keys;			/* of ConvKey, the primary key first */
	List	   *foreign_keys;	/* of ConvForeignKey */
	List	   *indexes;		/* of ConvIndex */
	List	   *policies;		/* of ConvPolicy */
	List	   *triggers;		/* of ConvTrigger */
	bool		unlogged;		/* UNLOGGED: not written to the WAL */
	List	   *storage;		/* storage parameters, "name=value" */
	List	   *grants;			/* of ConvGrant */
	char	   *owner;			/* catalog only */
	bool		row_security;	/* ENABLE ROW LEVEL SECURITY */
	bool		force_row_security; /* FORCE ROW LEVEL SECURITY */
	List	   *key_columns;	/* catalog only: primary key column names,
								 * used to show sample rows */
	char	   *used_outside;	/* catalog only: something outside the model
								 * (a view, a function, a foreign key of an
								 * unmanaged table) that depends on it */
	ConvPartitioning *partitioning; /* partition_by, partition_of; NULL for
									 * neither (kinds/partition.c) */
} ConvTable;

/*
 * A view or materialized view.  The query is held as written in the
 * document and as pg_get_viewdef() prints it on the catalog side; the two
 * are compared through the server's deparser (expr_view_meaning).
 */
typedef struct ConvView
{
	CONV_OBJECT_HEADER;
	bool		materialized;
	char	   *query;
	List	   *columns;		/* names given to the columns; the catalog's
								 * always, the document's when written */
	bool		security_barrier;
	bool		security_invoker;
	char	   *check_option;	/* "local", "cascaded" or NULL */
	bool		with_data;		/* materialized: filled when created */
	List	   *indexes;		/* materialized: of ConvIndex */
	List	   *grants;			/* of ConvGrant */
	char	   *owner;			/* catalog only */
	char	   *comment;
	List	   *reads;			/* catalog only: of ObjectAddress, what the
								 * view's rule depends on */
	char	   *used_outside;	/* catalog only: something outside the model
								 * that depends on the view, or NULL */
	DocPos		query_pos;
} ConvView;

typedef struct ConvSchema
{
	CONV_OBJECT_HEADER;
	List	   *tables;			/* of ConvTable */
	List	   *enums;			/* of ConvEnum */
	List	   *domains;		/* of ConvDomain */
	List	   *sequences;		/* of ConvSequence */
	List	   *views;			/* of ConvView, materialized ones too */
	List	   *functions;		/* of ConvFunction, procedures too */
	List	   *aggregates;		/* of ConvAggregate */
	List	   *composites;		/* of ConvComposite */
	List	   *operators;		/* of ConvOperator */
	bool		operators_managed;	/* document only: it says "operators" */
	bool		composites_managed; /* document only: it says
									 * "composite_types" */
	bool		aggregates_managed; /* document only: it says "aggregates" */
	bool		functions_managed;	/* document only: it says "functions"
									 * or "procedures", so the schema's
									 * functions are the document's */
	List	   *grants;			/* of ConvGrant */
	List	   *default_privileges; /* of ConvDefaultPrivileges */
	char	   *comment;		/* compared only when the document gives
								 * one */
	bool		explicit_acl;	/* catalog only: privileges were set */
	char	   *owner;			/* compared only when the document gives
								 * one */
} ConvSchema;

/* an extension of the database */
typedef struct ConvExtension
{
	CONV_OBJECT_HEADER;
	char	   *version;		/* NULL: the default version */
	bool		default_version;	/* catalog: the version installed is the
									 * one CREATE EXTENSION would pick */
	char	   *used_by;		/* catalog: something outside it that
								 * depends on one of its objects */
} ConvExtension;

typedef struct ConvModel
{
	List	   *schemas;		/* of ConvSchema, in document order */
	List	   *extensions;		/* of ConvExtension */
	List	   *available;		/* catalog only: of ConvExtension, those the
								 * server could install */
	List	   *default_privileges; /* of ConvDefaultPrivileges: those of
									 * every schema (FOR ROLE only) */
	bool		default_privileges_managed; /* document only: it says
											 * "default_privileges" */
	bool		extensions_managed; /* document only: it says "extensions" */
	List	   *unsupported;	/* document only: DocPos of each declaration
								 * whose object kind cannot be converged yet */
	List	   *search_path;	/* document only: the schema names of its
								 * "search_path" key, NIL without one */
} ConvModel;

/*
 * What validate.c checks against existing rows before any DDL runs.  plan.c
 * fills one per step that touches rows.  "source" is a FROM item over the
 * relation as it is *before* the plan runs, exposing its columns under the
 * names the document gives them (so a "using" expression written for the
 * new shape can be evaluated), plus a column converge_sample_key that
 * identifies a row in messages.
 */
typedef enum ConvRefusal
{
	REFUSE_NEVER = 0,			/* failing rows are counted, nothing more */
	REFUSE_DATA_LOSS,			/* failing rows lose data: allow_data_loss */
	REFUSE_ALWAYS				/* failing rows make the step impossible */
} ConvRefusal;

/* what a refused step needs from the user */
typedef enum ConvFix
{
	FIX_NONE = 0,
	FIX_ALLOW_DATA_LOSS,		/* pass allow_data_loss => true */
	FIX_DEFAULT_OR_USING,		/* declare default or using */
	FIX_USING,					/* declare using */
	FIX_REMAP,					/* declare remap, or fix the rows */
	FIX_DUPLICATES,				/* fix the duplicate rows */
	FIX_ORPHANS,				/* fix the rows, or the default */
	FIX_ROWS,					/* fix the rows */
	FIX_REWRITE,				/* change what rewrites the rows, or them */
	FIX_LABEL,					/* name only labels the enum declares */
	FIX_DEPENDENT,				/* change what the document does not manage */
	FIX_SEQUENCE,				/* move the sequence, or keep its bounds */
	FIX_DEFAULT_CHECK,			/* a default the new CHECK refuses */
	FIX_DEFAULT_DOMAIN,			/* a default the column's domain refuses */
	FIX_DETACH					/* detach by hand, declare what it holds */
} ConvFix;

#define FIX_LAST FIX_DETACH

typedef struct ConvProbe
{
	char	   *label;			/* what the rows are, when a step has several
								 * probes (e.g. each column of a domain) */
	char	   *source;
	char	   *key_label;		/* what converge_sample_key shows, "(id)" */
	char	   *affected;		/* rows the step touches; NULL for all */
	char	   *failing;		/* rows that are a problem; NULL for none */
	const char *failing_text;	/* follows "N rows", e.g. "would be lost" */
	ConvRefusal refusal;
	ConvFix		fix;
	int			failing_hazard; /* with REFUSE_NEVER: the hazard failing
								 * rows give the step */
	bool		lenient;		/* rows may hold labels the plan changes: a
								 * type mismatch means "cannot check before
								 * the run", not a refusal */
	bool		of_defaults;	/* no rows: a row of defaults, whose error
								 * is the default's, not the rows' */
	bool		not_run;		/* set by validate.c: it would call what a
								 * probe may not, so the statement meets
								 * the rows */
} ConvProbe;

/* what blocks a refused step, first first; see validate_blocker() */
typedef enum ConvBlocker
{
	BLOCKED_BY_ROWS,
	BLOCKED_BY_DOCUMENT,
	BLOCKED_BY_DEPENDENT,
	BLOCKED_BY_SEQUENCE
} ConvBlocker;

/*
 * The object kinds (kinds/kindlist.h) and what a change does to an object
 * of one.  Each kind's operations live in kinds/<kind>.c.
 */
typedef enum ConvKind
{
#define CONV_KIND(symbol, ops) symbol,
#include "kinds/kindlist.h"
#undef CONV_KIND
	NUM_KINDS
} ConvKind;

typedef enum ConvAction
{
	ACTION_CREATE,				/* new, or the replacement of a changed one */
	ACTION_ALTER,				/* changed in place */
	ACTION_RENAME,				/* renamed_from */
	ACTION_DROP,
	ACTION_REPLACE,				/* the replacement takes the old one's name */
	ACTION_COMMENT,
	ACTION_REMAP,				/* column: rows rewritten by its remap */
	ACTION_DROP_EXPRESSION,		/* column: stops being generated, or its
								 * default goes early */
	ACTION_ADD_VALUE,			/* enum: a label added in place */
	ACTION_RENAME_VALUE,		/* enum: a label renamed in place */
	NUM_ACTIONS
} ConvAction;

/* what differs in an ACTION_ALTER of a domain */
#define DOMAIN_TYPE			(1 << 0)
#define DOMAIN_DEFAULT		(1 << 1)
#define DOMAIN_NOT_NULL		(1 << 2)
#define DOMAIN_COMMENT		(1 << 3)
#define DOMAIN_COLLATION	(1 << 4)

/* what differs in an ACTION_ALTER of a sequence */
#define SEQUENCE_OPTIONS	(1 << 0)
#define SEQUENCE_OWNED		(1 << 1)
#define SEQUENCE_COMMENT	(1 << 2)

/* what differs in an ACTION_ALTER of a view */
#define VIEW_OPTIONS		(1 << 0)
#define VIEW_COMMENT		(1 << 1)

/* what differs in an ACTION_ALTER of a column */
#define COLUMN_TYPE			(1 << 0)	/* type, typmod or collation */
#define COLUMN_DEFAULT		(1 << 1)
#define COLUMN_NOT_NULL		(1 << 2)
#define COLUMN_IDENTITY		(1 << 3)
#define COLUMN_GENERATED	(1 << 4)
#define COLUMN_COMMENT		(1 << 5)
#define COLUMN_IDENTITY_OPTIONS (1 << 6)
#define COLUMN_STATISTICS	(1 << 7)
#define COLUMN_DEFAULT_EARLY	(1 << 8)	/* its current default goes
											 * before a function it calls
											 * (ACTION_DROP_EXPRESSION) */

/*
 * A document table and the current table it stands for, if any: the diff's
 * record of the pairing, which the changes of the table's objects carry.
 */
typedef struct TablePair
{
	const char *schema;
	ConvTable  *want;
	ConvTable  *have;			/* NULL when the plan creates it */
	List	   *have_names;		/* the document's name of each of have's
								 * columns, in attnum order: expressions
								 * over the current relation read it under
								 * these */
	bool		renames_columns;	/* a current column has another name
									 * in the document */
	List	   *reshaped;		/* the document names of the columns the
								 * plan adds, retypes or rebuilds; what reads
								 * them is made again after them */
} TablePair;

/*
 * One difference between the models, found by diff.c and turned into steps
 * by plan.c: an action on one object of one kind.  Pointers refer into the
 * two models.
 */
typedef struct ConvChange
{
	ConvKind	kind;
	ConvAction	action;
	const char *schema;			/* schema the object lives in */
	void	   *want;			/* the document's object; NULL for drops */
	void	   *have;			/* the current object; NULL for creates */
	ConvTable  *want_table;		/* objects of a table: the table in the */
	ConvTable  *have_table;		/* document, and as it is (NULL if new) */
	TablePair  *pair;			/* and their pairing (NULL for the table's
								 * own drop and rename) */
	int			what;			/* ALTER: the kind's bits (COLUMN_*, ...) */
	List	   *users;			/* what the step's rows must still meet: a
								 * domain's columns (a column change stub
								 * each), a partition's parent's CHECKs,
								 * keys and foreign keys */
	const char *because;		/* why the dependency graph makes it again
								 * (a view replaced, a default set early) */
	List	   *needs;			/* the dependency graph within a phase: the
								 * document objects whose changes of the
								 * same phase must run before this one (a
								 * domain's base domain, the functions a
								 * SQL-standard body calls), or current
								 * ones (a dropped function's callers) */

	/*
	 * What one kind adds, read by that kind's own file (kinds/partition.c
	 * places a table the plan creates as a partition too).
	 */
	union
	{
		Oid			collation;	/* column: want's resolved collation */
		struct
		{
			ConvDomain *want;	/* a domain, or the domain of a CHECK, */
			ConvDomain *have;	/* in the document and as it is */
			List	   *new_users;	/* a stub for each column of it the
									 * plan adds, so its default can be
									 * probed */
		}			domain;
		struct
		{
			const char *label;	/* ADD/RENAME_VALUE: the label */
			const char *other_label;	/* ADD: its neighbour; RENAME: the
										 * new label */
			bool		before; /* ADD: BEFORE the neighbour */
		}			value;		/* enum */
		TablePair  *ref_pair;	/* foreign key: the referenced table, if
								 * the document manages it */
		bool		calls_created;	/* CHECK made: it calls a function the
									 * plan creates, so only ADD CONSTRAINT
									 * can read its rows */
		struct
		{
			const char *parent; /* its parent, as the plan's statements
								 * name it */
			Oid			parent_relid;	/* made: the current parent, or
										 * InvalidOid when the plan creates
										 * it */
			struct ConvChange *default_partition;	/* made: a stub for the
													 * parent's current
													 * default partition */
		}			partition;
	}			of;
} ConvChange;

/* hazards a step carries, shown as text[] */
#define HAZARD_DATA_LOSS		(1 << 0)
#define HAZARD_TABLE_REWRITE	(1 << 1)
#define HAZARD_ACCESS_EXCLUSIVE	(1 << 2)
#define HAZARD_FULL_SCAN		(1 << 3)
#define HAZARD_ROWS_HIDDEN		(1 << 4)
#define HAZARD_DEFAULT_REJECTED	(1 << 5)	/* an insert that takes the
											 * defaults breaks the CHECK */
#define NUM_HAZARDS				6

/* each hazard's name, as converge_step.hazards shows it (plan.c) */
extern const char *const hazard_names[NUM_HAZARDS];

typedef struct ConvStep
{
	int			number;
	const char *action;
	char	   *object;			/* qualified identity, e.g. shop.t.c */
	char	   *sql;
	char	   *reason;
	int			hazards;
	int64		rows_affected;	/* -1 when not applicable */
	List	   *probes;			/* of ConvProbe; none when the step touches
								 * no existing rows */
	bool		defer_body_check;	/* run with check_function_bodies off,
									 * as pg_dump's output is: a body may
									 * read what later steps create */
	/* filled by validate.c */
	char	   *problem;		/* why the step is refused, or NULL */
	ConvFix		fix;
	bool		unchecked;		/* rows not checked before it runs: only
								 * its statement can tell */
} ConvStep;

/* document.c */
extern ConvModel *document_parse(const char *text);

/* catalog.c */
extern ConvModel *catalog_read(List *schema_names);
extern bool catalog_schema_is_reserved(const char *nspname);

/* a column of a view's query, as the server types it */
typedef struct ViewColumn
{
	char	   *name;
	Oid			type;
	int32		typmod;
	Oid			collation;
} ViewColumn;

/* what the server makes of a document view's query (query.c) */
typedef struct ViewMeaning
{
	char	   *deparsed;		/* pg_get_querydef() of the analyzed query */
	List	   *columns;		/* of ViewColumn */
	List	   *reads;			/* of ObjectAddress: relations, columns */
} ViewMeaning;

/*
 * A relation as a plan leaves it, for query_analyzes_as(): "select" is a
 * SELECT of one row of its columns, under their names and new types.
 */
typedef struct RowShape
{
	Oid			relid;
	char	   *select;
} RowShape;

/* what the server makes of a function's declaration (routine.c) */
typedef struct RoutineMeaning
{
	char	   *modes;			/* one proargmodes character per parameter */
	List	   *names;			/* "" where a parameter has none */
	List	   *types;			/* of Oid */
	List	   *defaults;		/* cooked */
	Oid			result;
	bool		retset;
	char	   *body;			/* a SQL-standard body as the server stores
								 * it (prosqlbody); NULL when unknown */
} RoutineMeaning;

/* routine.c */
extern ErrorData *routine_meaning(const char *create_sql,
								  RoutineMeaning *meaning);
extern ErrorData *routine_body_meaning(const char *create_sql,
									   RoutineMeaning *meaning);
extern bool routine_body_is_standard(const char *body);
extern List *routine_body_called_names(const char *create_sql);
extern bool routine_bodies_match(const char *want, const char *have);
extern bool routine_defaults_match(List *want, const char *have_bin);

/* query.c */
extern char *query_statement(const char *text);
extern List *query_relation_names(const char *text);
extern List *query_called_names(const char *text);
extern List *query_column_names(const char *text);
extern ErrorData *query_view_meaning(const ConvView *view, Oid existing,
									 ViewMeaning *meaning);
extern ErrorData *query_analyzes_as(const ConvView *view, List *shapes);
extern char *query_stored_meaning(Oid viewoid);
extern bool query_replaceable(const ViewMeaning *meaning, Oid viewoid);

/* expr.c */
extern MemoryContext expr_scratch_begin(void);
extern void expr_scratch_end(MemoryContext outer);
extern void expr_raise_at(ErrorData *edata, const DocPos *pos);
typedef void (*ServerWork) (void *arg);
extern void run_at(const DocPos *pos, ServerWork work, void *arg);
extern void expr_check_single(const char *text, const DocPos *pos,
							  const char *what);
extern void expr_remember_parses(MemoryContext cxt);
extern void expr_refuse_subquery(const char *text, const DocPos *pos,
								 const char *what);
extern bool expr_has_subquery(const char *text, const DocPos *pos);
extern void expr_check_position(const char *text, const DocPos *pos,
								const ConvTable *table, ParseExprKind kind);
extern const char *expr_fragment(const char *text);
extern ParseState *expr_relation_parsestate(const TablePair *pair,
											Relation *rel);
extern void expr_check_index_position(const ConvIndex *index,
									  const ConvTable *table,
									  List *created);
extern List *expr_column_refs(const char *text, const DocPos *pos);
extern List *expr_string_constants(const char *text, const DocPos *pos);
extern List *expr_called_names(const char *text, const DocPos *pos);
extern List *expr_raw_called_names(Node *raw);
extern List *expr_raw_column_refs(Node *raw);
extern Oid	expr_stored_call(const char *bin, List *functions);
extern List *expr_index_called_names(const ConvIndex *index);
extern bool expr_names_any(const char *text, const DocPos *pos, List *names);
extern bool expr_find_type(ConvColumn *col);
extern void expr_type_name_parts(const ConvColumn *col, char **schema,
								 char **name, bool *array);
extern void expr_resolve_type(ConvColumn *col);
extern Oid	expr_collation_oid(const char *name, const DocPos *pos);
extern bool expr_default_matches(const ConvColumn *want,
								 const ConvColumn *have);
extern bool expr_generated_matches(const ConvColumn *want,
								   const ConvColumn *have,
								   const TablePair *pair);
extern bool expr_trees_match(Node *a, Node *b);
extern bool expr_check_matches(const ConvCheck *want, const ConvCheck *have,
							   const TablePair *pair);
extern bool expr_policy_matches(const char *text, const DocPos *pos,
								const TablePair *pair,
								const char *stored_bin);
extern void expr_check_policy(const char *text, const DocPos *pos,
							  const TablePair *pair);
extern bool expr_trigger_when_matches(const char *text, const DocPos *pos,
									  const ConvTable *table,
									  const char *stored_bin);
extern bool expr_domain_check_matches(const ConvCheck *check,
									  const ConvDomain *domain,
									  const char *stored_bin);
extern bool expr_domain_default_matches(const ConvDomain *want,
										const ConvDomain *have);
extern void expr_check_index_element(const char *text, const DocPos *pos);
extern char *expr_index_sql(const ConvIndex *index, const char *name,
							const char *table);
extern bool expr_index_matches(const ConvIndex *want, const ConvIndex *have,
							   const TablePair *pair);
extern bool expr_index_key_is_expression(const ConvIndex *index, int n);
extern List *expr_index_column_refs(const ConvIndex *index);
extern List *expr_index_keys_sql(const ConvIndex *index,
								 const TablePair *pair, char **where);
extern Bitmapset *expr_attnums(Node *expr);
extern char *expr_sql(const char *text);
extern char *expr_retype(const char *text, const DocPos *pos,
						 const char *schema, const char *name,
						 const char *to);
extern List *expr_type_labels(const char *text, const DocPos *pos,
							  const char *schema, const char *name,
							  bool bare, bool bare_array);
extern bool expr_is_volatile_default(const ConvColumn *col);
extern bool expr_is_nextval(const char *default_bin, Oid seqoid);

/* pg_converge.c */
extern struct HTAB *local_hash(const char *name, Size keysize,
							   Size entrysize, long nelem);
extern struct HTAB *text_hash(const char *name, Size entrysize, long nelem);

/* diff.c */
extern struct DiffState *diff_models(ConvModel *want, ConvModel *have);
extern const char *current_name_of(const TablePair *pair, const char *name);

/* plan.c */
extern List *plan_build(struct DiffState *diff);

/* validate.c */
extern void validate_plan(List *steps, bool allow_data_loss,
						  List *trusted_functions);
#define NUM_LABEL_ERRORS 4
extern const int validate_label_errors[NUM_LABEL_ERRORS];
extern char *validate_count_sql(const ConvProbe *probe);
extern char *validate_sample_sql(const ConvProbe *probe);
extern const char *validate_fix_hint(ConvFix fix);
extern ConvBlocker validate_blocker(ConvFix fix);
extern const char *const validate_blocker_message[];

/* script.c */
extern char *script_build(List *steps, List *schemas, const char *doc,
						  bool allow_data_loss, bool for_psql,
						  int64 lock_key);

/* kinds/function.c */
extern List *function_trusted_oids(const struct DiffState *diff);
extern void validate_raise(List *steps);

/* execute.c */
extern int	converge_fail_after_step;
extern void converge_spi_query(const char *sql, int nargs, Oid *argtypes,
							   Datum *args);
extern void converge_spi_read(const char *sql, int nargs, Oid *argtypes,
							  Datum *args);
extern ErrorData *converge_run_rolled_back(void (*work) (void *arg),
										   void *arg);
extern void execute_plan(List *steps);

/* drift.c */
extern bool converge_record_drift;
extern bool converge_executing;
extern const char *converge_executing_sql;
extern void drift_record(FunctionCallInfo fcinfo, bool drops);

/* export.c */
extern char *export_document(ConvModel *model);

#endif							/* CONVERGE_MODEL_H */
