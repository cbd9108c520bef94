/*-------------------------------------------------------------------------
 *
 * document.c
 *	  Parse a schema document (YAML, format version 1) into the model.
 *
 * Parsing happens in two passes.  libyaml's event stream is first built
 * into a small tree of nodes that remember their line and column; building
 * it enforces what YAML itself allows but we refuse (aliases and anchors,
 * tags, several documents, duplicate keys, deep nesting, huge input).  The
 * tree is then walked against a table that describes every key of the
 * format, so an unknown key or a value of the wrong kind is reported at its
 * own line and column with its key path.  The same walk records the keys of
 * object kinds that cannot be converged yet, so documents written for them
 * already load and are refused with a clear message only when planned.
 *
 * Every error message carries "at line L, column C (key.path)" itself, so a
 * client that shows only the message still points at the spot.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <yaml.h>

#include "catalog/pg_attribute.h"
#include "commands/defrem.h"
#include "nodes/parsenodes.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "model.h"

/* bounds on what a document may be */
#define DOC_MAX_BYTES	(16 * 1024 * 1024)
#define DOC_MAX_DEPTH	32

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

/*
 * The format, as a table.  Each key names the kind of value it takes; a
 * mapping's own keys are described by a nested table.  "later" marks keys
 * whose object kind is parsed and checked but not converged yet.
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
	V_NAMED_EXPR,				/* name: an expression */
	V_NAMED_STRINGS,			/* name: a sequence of scalars */
	V_NAMED_KEY					/* name: a sequence of columns, or a mapping
								 * described by sub */
} ValueKind;

typedef struct KeySpec
{
	const char *key;
	ValueKind	kind;
	const struct KeySpec *sub;
	bool		later;			/* object kind not converged yet */
} KeySpec;

static const KeySpec references_keys[] = {
	{"table", V_STRING, NULL, false},
	{"column", V_STRING, NULL, false},
	{"columns", V_STRINGS, NULL, false},
	{"on_delete", V_STRING, NULL, false},
	{"on_update", V_STRING, NULL, false},
	{"deferrable", V_BOOL, NULL, false},
	{"initially_deferred", V_BOOL, NULL, false},
	{NULL, 0, NULL, false}
};

static const KeySpec column_keys[] = {
	{"type", V_STRING, NULL, false},
	{"nullable", V_BOOL, NULL, false},
	{"default", V_EXPR, NULL, false},
	{"identity", V_STRING, NULL, false},
	{"generated", V_EXPR, NULL, false},
	{"collation", V_STRING, NULL, false},
	{"comment", V_STRING, NULL, false},
	{"renamed_from", V_STRING, NULL, false},
	{"using", V_EXPR, NULL, false},
	{"remap", V_STRING_MAP, NULL, false},
	{"check", V_EXPR, NULL, false},
	{"unique", V_BOOL, NULL, false},
	{"references", V_MAPPING, references_keys, false},
	{NULL, 0, NULL, false}
};

static const KeySpec unique_keys[] = {
	{"columns", V_STRINGS, NULL, false},
	{"nulls_not_distinct", V_BOOL, NULL, false},
	{NULL, 0, NULL, false}
};

static const KeySpec foreign_key_keys[] = {
	{"columns", V_STRINGS, NULL, false},
	{"references", V_MAPPING, references_keys, false},
	{"on_delete", V_STRING, NULL, false},
	{"on_update", V_STRING, NULL, false},
	{"deferrable", V_BOOL, NULL, false},
	{"initially_deferred", V_BOOL, NULL, false},
	{NULL, 0, NULL, false}
};

static const KeySpec index_keys[] = {
	{"columns", V_STRINGS, NULL, false},
	{"unique", V_BOOL, NULL, false},
	{"method", V_STRING, NULL, false},
	{"where", V_EXPR, NULL, false},
	{"include", V_STRINGS, NULL, false},
	{"nulls_not_distinct", V_BOOL, NULL, false},
	{"comment", V_STRING, NULL, true},
	{NULL, 0, NULL, false}
};

static const KeySpec rls_keys[] = {
	{"enabled", V_BOOL, NULL, false},
	{"forced", V_BOOL, NULL, false},
	{NULL, 0, NULL, false}
};

static const KeySpec policy_keys[] = {
	{"command", V_STRING, NULL, false},
	{"roles", V_STRINGS, NULL, false},
	{"using", V_EXPR, NULL, false},
	{"with_check", V_EXPR, NULL, false},
	{"permissive", V_BOOL, NULL, false},
	{NULL, 0, NULL, false}
};

static const KeySpec table_keys[] = {
	{"renamed_from", V_STRING, NULL, false},
	{"columns", V_NAMED, column_keys, false},
	{"comment", V_STRING, NULL, false},
	{"primary_key", V_STRINGS, NULL, false},
	{"unique", V_NAMED_KEY, unique_keys, false},
	{"checks", V_NAMED_EXPR, NULL, false},
	{"foreign_keys", V_NAMED, foreign_key_keys, false},
	{"indexes", V_NAMED, index_keys, false},
	{"row_level_security", V_MAPPING, rls_keys, true},
	{"policies", V_NAMED, policy_keys, true},
	{"grants", V_NAMED_STRINGS, NULL, true},
	{NULL, 0, NULL, false}
};

static const KeySpec enum_keys[] = {
	{"values", V_STRINGS, NULL, false},
	{"remap", V_STRING_MAP, NULL, false},
	{"renamed_values", V_STRING_MAP, NULL, false},
	{"comment", V_STRING, NULL, false},
	{NULL, 0, NULL, false}
};

static const KeySpec domain_keys[] = {
	{"type", V_STRING, NULL, false},
	{"nullable", V_BOOL, NULL, false},
	{"default", V_EXPR, NULL, false},
	{"collation", V_STRING, NULL, false},
	{"checks", V_NAMED_EXPR, NULL, false},
	{"comment", V_STRING, NULL, false},
	{NULL, 0, NULL, false}
};

static const KeySpec sequence_keys[] = {
	{"type", V_STRING, NULL, false},
	{"start", V_INT, NULL, false},
	{"increment", V_INT, NULL, false},
	{"min_value", V_INT, NULL, false},
	{"max_value", V_INT, NULL, false},
	{"cache", V_INT, NULL, false},
	{"cycle", V_BOOL, NULL, false},
	{"owned_by", V_STRING, NULL, false},
	{"comment", V_STRING, NULL, false},
	{NULL, 0, NULL, false}
};

static const KeySpec view_keys[] = {
	{"query", V_QUERY, NULL, false},
	{"comment", V_STRING, NULL, false},
	{NULL, 0, NULL, false}
};

static const KeySpec schema_keys[] = {
	{"tables", V_NAMED, table_keys, false},
	{"enums", V_NAMED, enum_keys, false},
	{"domains", V_NAMED, domain_keys, false},
	{"sequences", V_NAMED, sequence_keys, true},
	{"views", V_NAMED, view_keys, true},
	{NULL, 0, NULL, false}
};

static const KeySpec document_keys[] = {
	{"version", V_INT, NULL, false},
	{"schemas", V_NAMED, schema_keys, false},
	{NULL, 0, NULL, false}
};

/* state of one parse */
typedef struct DocParser
{
	yaml_parser_t parser;
	const char *text;
	ConvModel  *model;
} DocParser;

static void doc_error(int sqlerrcode, const YNode *node, const char *path,
					  const char *fmt,...) pg_attribute_printf(4, 5);

/*
 * Raise a document error.  The message ends with the position and key path
 * so that it stands on its own.
 */
static void
doc_error(int sqlerrcode, const YNode *node, const char *path,
		  const char *fmt,...)
{
	StringInfoData msg;
	va_list		args;

	initStringInfo(&msg);
	for (;;)
	{
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&msg, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&msg, needed);
	}

	if (path && path[0])
		ereport(ERROR,
				(errcode(sqlerrcode),
				 errmsg("%s at line %d, column %d (%s)",
						msg.data, node->line, node->column, path)));
	else
		ereport(ERROR,
				(errcode(sqlerrcode),
				 errmsg("%s at line %d, column %d",
						msg.data, node->line, node->column)));
}

static char *
child_path(const char *path, const char *key)
{
	if (path == NULL || path[0] == '\0')
		return pstrdup(key);
	return psprintf("%s.%s", path, key);
}

static DocPos
node_pos(const YNode *node, const char *path)
{
	DocPos		pos;

	pos.line = node->line;
	pos.column = node->column;
	pos.path = path;
	return pos;
}

/* ----------------------------------------------------------------
 * Pass 1: libyaml events to a tree of YNodes
 * ----------------------------------------------------------------
 */

static void
yaml_fail(DocParser *dp)
{
	yaml_parser_t *p = &dp->parser;
	YNode		where;
	const char *problem = p->problem ? p->problem : "invalid YAML";
	int			code = ERRCODE_SYNTAX_ERROR;

	where.line = (int) p->problem_mark.line + 1;
	where.column = (int) p->problem_mark.column + 1;
	if (p->error == YAML_READER_ERROR)
	{
		/* the reader knows only a byte offset: count the lines to it */
		code = ERRCODE_CHARACTER_NOT_IN_REPERTOIRE;
		where.line = 1;
		where.column = 1;
		for (size_t i = 0; i < p->problem_offset; i++)
		{
			where.column++;
			if (dp->text[i] == '\n')
			{
				where.line++;
				where.column = 1;
			}
		}
	}
	if (p->context)
		doc_error(code, &where, NULL, "invalid YAML: %s %s",
				  problem, p->context);
	doc_error(code, &where, NULL, "invalid YAML: %s", problem);
}

/*
 * One libyaml event, copied into palloc'd memory.  libyaml's own event is
 * freed at once, so no error raised while building the tree can leak
 * libyaml's malloc'd memory.
 */
typedef struct DocEvent
{
	yaml_event_type_t type;
	int			line;
	int			column;
	char	   *anchor;			/* anchor or alias name, or NULL */
	char	   *tag;
	char	   *value;			/* scalar text */
	size_t		length;
	bool		plain;
	bool		flow;
} DocEvent;

static char *
copy_yaml_string(const yaml_char_t *s)
{
	return s ? pstrdup((const char *) s) : NULL;
}

static void
next_event(DocParser *dp, DocEvent *ev)
{
	yaml_event_t event;

	if (!yaml_parser_parse(&dp->parser, &event))
		yaml_fail(dp);
	memset(ev, 0, sizeof(DocEvent));
	ev->type = event.type;
	ev->line = (int) event.start_mark.line + 1;
	ev->column = (int) event.start_mark.column + 1;
	switch (event.type)
	{
		case YAML_SCALAR_EVENT:
			ev->anchor = copy_yaml_string(event.data.scalar.anchor);
			ev->tag = copy_yaml_string(event.data.scalar.tag);
			ev->length = event.data.scalar.length;
			ev->value = pnstrdup((const char *) event.data.scalar.value,
								 ev->length);
			ev->plain = (event.data.scalar.style == YAML_PLAIN_SCALAR_STYLE);
			break;
		case YAML_ALIAS_EVENT:
			ev->anchor = copy_yaml_string(event.data.alias.anchor);
			break;
		case YAML_MAPPING_START_EVENT:
			ev->anchor = copy_yaml_string(event.data.mapping_start.anchor);
			ev->tag = copy_yaml_string(event.data.mapping_start.tag);
			ev->flow = (event.data.mapping_start.style ==
						YAML_FLOW_MAPPING_STYLE);
			break;
		case YAML_SEQUENCE_START_EVENT:
			ev->anchor = copy_yaml_string(event.data.sequence_start.anchor);
			ev->tag = copy_yaml_string(event.data.sequence_start.tag);
			break;
		default:
			break;
	}
	yaml_event_delete(&event);
}

static YNode *
event_node(const DocEvent *ev, YNodeKind kind)
{
	YNode	   *node = palloc0(sizeof(YNode));

	node->kind = kind;
	node->line = ev->line;
	node->column = ev->column;
	return node;
}

/* refuse what could make a small document expand or mean something else */
static void
check_event_properties(const DocEvent *ev, const YNode *node)
{
	if (ev->anchor)
		doc_error(ERRCODE_FEATURE_NOT_SUPPORTED, node, NULL,
				  "YAML anchors are not allowed (\"&%s\")", ev->anchor);
	if (ev->tag)
		doc_error(ERRCODE_FEATURE_NOT_SUPPORTED, node, NULL,
				  "YAML tags are not allowed (\"%s\")", ev->tag);
}

static bool
scalar_is_null(const DocEvent *ev)
{
	const char *v = ev->value;

	if (!ev->plain)
		return false;
	return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
		strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

/* build the node that starts with "ev", consuming the events up to its end */
static YNode *
build_node(DocParser *dp, const DocEvent *ev, int depth)
{
	YNode	   *node;

	CHECK_FOR_INTERRUPTS();
	switch (ev->type)
	{
		case YAML_SCALAR_EVENT:
			node = event_node(ev, YN_SCALAR);
			check_event_properties(ev, node);
			node->plain = ev->plain;
			/* libyaml reads UTF-8; the model holds the server's encoding */
			if (!scalar_is_null(ev))
				node->value = pg_any_to_server(ev->value, (int) ev->length,
											   PG_UTF8);
			return node;

		case YAML_ALIAS_EVENT:
			node = event_node(ev, YN_SCALAR);
			doc_error(ERRCODE_FEATURE_NOT_SUPPORTED, node, NULL,
					  "YAML aliases are not allowed (\"*%s\")", ev->anchor);
			break;

		case YAML_MAPPING_START_EVENT:
		case YAML_SEQUENCE_START_EVENT:
			{
				bool		mapping = (ev->type == YAML_MAPPING_START_EVENT);
				yaml_event_type_t end_type = mapping ?
				YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT;

				node = event_node(ev, mapping ? YN_MAPPING : YN_SEQUENCE);
				node->flow = ev->flow;
				check_event_properties(ev, node);
				if (depth >= DOC_MAX_DEPTH)
					doc_error(ERRCODE_PROGRAM_LIMIT_EXCEEDED, node, NULL,
							  "document nesting is deeper than %d levels",
							  DOC_MAX_DEPTH);
				for (;;)
				{
					DocEvent	child;
					YNode	   *item;

					next_event(dp, &child);
					if (child.type == end_type)
						break;
					item = build_node(dp, &child, depth + 1);

					if (mapping)
					{
						DocEvent	val;

						if (item->kind != YN_SCALAR || item->value == NULL)
							doc_error(ERRCODE_INVALID_PARAMETER_VALUE, item,
									  NULL, "mapping keys must be strings");
						next_event(dp, &val);
						node->keys = lappend(node->keys, item);
						node->items = lappend(node->items,
											  build_node(dp, &val, depth + 1));
					}
					else
						node->items = lappend(node->items, item);
				}
				return node;
			}

		default:
			elog(ERROR, "unexpected YAML event %d", (int) ev->type);
	}
	return NULL;				/* keep compiler quiet */
}

/* Parse the whole stream; exactly one document is allowed. */
static YNode *
build_tree(DocParser *dp)
{
	DocEvent	ev;
	YNode	   *root = NULL;

	for (;;)
	{
		next_event(dp, &ev);
		if (ev.type == YAML_STREAM_END_EVENT)
			break;
		if (ev.type == YAML_STREAM_START_EVENT ||
			ev.type == YAML_DOCUMENT_END_EVENT)
			continue;
		if (ev.type != YAML_DOCUMENT_START_EVENT)
			elog(ERROR, "unexpected YAML event %d", (int) ev.type);
		if (root != NULL)
			doc_error(ERRCODE_INVALID_PARAMETER_VALUE,
					  event_node(&ev, YN_SCALAR), NULL,
					  "a schema document must hold exactly one YAML document");
		next_event(dp, &ev);
		root = build_node(dp, &ev, 0);
	}
	return root;
}

/* ----------------------------------------------------------------
 * Pass 2: check the tree against the format
 * ----------------------------------------------------------------
 */

static const char *
kind_name(YNodeKind kind)
{
	switch (kind)
	{
		case YN_SCALAR:
			return "a scalar";
		case YN_MAPPING:
			return "a mapping";
		case YN_SEQUENCE:
			return "a sequence";
	}
	return "?";
}

static void
expect_kind(const YNode *node, const char *path, YNodeKind kind)
{
	if (node->kind != kind)
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, node, path,
				  "expected %s, found %s", kind_name(kind),
				  kind_name(node->kind));
}

static void
expect_string(const YNode *node, const char *path)
{
	expect_kind(node, path, YN_SCALAR);
	if (node->value == NULL)
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, node, path,
				  "expected a value, found null");
}

static bool
doc_bool(const YNode *node, const char *path)
{
	expect_string(node, path);
	if (node->plain)
	{
		if (pg_strcasecmp(node->value, "true") == 0)
			return true;
		if (pg_strcasecmp(node->value, "false") == 0)
			return false;
	}
	doc_error(ERRCODE_INVALID_PARAMETER_VALUE, node, path,
			  "expected true or false, found \"%s\"", node->value);
	return false;				/* keep compiler quiet */
}

static int64
doc_int(const YNode *node, const char *path)
{
	char	   *end;
	int64		v;

	expect_string(node, path);
	errno = 0;
	v = strtoi64(node->value, &end, 10);
	if (errno != 0 || end == node->value || *end != '\0')
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, node, path,
				  "expected an integer, found \"%s\"", node->value);
	return v;
}

static const KeySpec *
find_key(const KeySpec *spec, const char *key)
{
	for (; spec->key; spec++)
		if (strcmp(spec->key, key) == 0)
			return spec;
	return NULL;
}

static char *
key_list(const KeySpec *spec)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (; spec->key; spec++)
		appendStringInfo(&buf, "%s%s", buf.len ? ", " : "", spec->key);
	return buf.data;
}

static void check_value(DocParser *dp, const YNode *node, const char *path,
						const KeySpec *spec);

/*
 * Names are refused rather than truncated as the server would truncate
 * them: a document that says one name while the catalog holds another
 * would never converge.
 */
static void
check_name(const YNode *node, const char *path)
{
	if (strlen(node->value) >= NAMEDATALEN)
		doc_error(ERRCODE_NAME_TOO_LONG, node, path,
				  "name \"%s\" is longer than %d bytes", node->value,
				  NAMEDATALEN - 1);
}

/* keys of a mapping in text order, first occurrence first among equals */
static int
key_order(const void *a, const void *b)
{
	const YNode *ka = *(YNode *const *) a;
	const YNode *kb = *(YNode *const *) b;
	int			cmp = strcmp(ka->value, kb->value);

	if (cmp != 0)
		return cmp;
	if (ka->line != kb->line)
		return ka->line - kb->line;
	return ka->column - kb->column;
}

/* duplicate keys, found by sorting so a huge mapping costs n log n */
static void
check_duplicates(const YNode *node, const char *path)
{
	int			n = list_length(node->keys);
	YNode	  **keys;
	ListCell   *lc;

	if (n < 2)
		return;
	keys = palloc(sizeof(YNode *) * n);
	foreach(lc, node->keys)
		keys[foreach_current_index(lc)] = lfirst(lc);
	qsort(keys, n, sizeof(YNode *), key_order);
	for (int i = 1; i < n; i++)
	{
		if (strcmp(keys[i - 1]->value, keys[i]->value) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("duplicate key \"%s\" at line %d, column %d (%s)",
							keys[i]->value, keys[i]->line, keys[i]->column,
							child_path(path, keys[i]->value)),
					 errdetail("The key is first given at line %d, column %d.",
							   keys[i - 1]->line, keys[i - 1]->column)));
	}
	pfree(keys);
}

/* a mapping whose keys are described by spec */
static void
check_mapping(DocParser *dp, const YNode *node, const char *path,
			  const KeySpec *spec)
{
	ListCell   *kc,
			   *vc;

	expect_kind(node, path, YN_MAPPING);
	check_duplicates(node, path);
	forboth(kc, node->keys, vc, node->items)
	{
		YNode	   *key = lfirst(kc);
		YNode	   *val = lfirst(vc);
		char	   *kpath = child_path(path, key->value);
		const KeySpec *ks = find_key(spec, key->value);

		/*
		 * In a flow mapping a comma ends a plain value, so an unquoted
		 * numeric(12,2) turns its tail into a key: say so.
		 */
		if (ks == NULL && node->flow && val->kind == YN_SCALAR &&
			val->value == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unrecognized key \"%s\" at line %d, column %d (%s)",
							key->value, key->line, key->column, kpath),
					 errhint("Inside { } a comma ends a value: quote values that contain commas, as in type: \"numeric(12,2)\".")));
		if (ks == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unrecognized key \"%s\" at line %d, column %d (%s)",
							key->value, key->line, key->column, kpath),
					 errhint("Valid keys here are: %s.", key_list(spec))));
		if (ks->later)
		{
			DocPos	   *pos = palloc(sizeof(DocPos));

			*pos = node_pos(key, kpath);
			dp->model->unsupported = lappend(dp->model->unsupported, pos);
		}
		check_value(dp, val, kpath, ks);
	}
}

static void
check_strings(const YNode *node, const char *path)
{
	ListCell   *lc;

	expect_kind(node, path, YN_SEQUENCE);
	foreach(lc, node->items)
		expect_string(lfirst(lc), path);
}

static void
check_value(DocParser *dp, const YNode *node, const char *path,
			const KeySpec *spec)
{
	ListCell   *kc,
			   *vc;
	DocPos		pos;

	/* a null scalar means "not given" for every optional key */
	if (node->kind == YN_SCALAR && node->value == NULL)
		return;

	switch (spec->kind)
	{
		case V_STRING:
			expect_string(node, path);
			break;
		case V_BOOL:
			(void) doc_bool(node, path);
			break;
		case V_INT:
			(void) doc_int(node, path);
			break;
		case V_EXPR:
			expect_string(node, path);
			pos = node_pos(node, path);
			expr_check_single(node->value, &pos, "expression");
			break;
		case V_QUERY:
			expect_string(node, path);
			pos = node_pos(node, path);
			expr_check_single(node->value, &pos, "query");
			break;
		case V_STRINGS:
			check_strings(node, path);
			break;
		case V_STRING_MAP:
			expect_kind(node, path, YN_MAPPING);
			check_duplicates(node, path);
			forboth(kc, node->keys, vc, node->items)
				expect_string(lfirst(vc),
							  child_path(path, ((YNode *) lfirst(kc))->value));
			break;
		case V_MAPPING:
			check_mapping(dp, node, path, spec->sub);
			break;
		case V_NAMED:
		case V_NAMED_EXPR:
		case V_NAMED_STRINGS:
		case V_NAMED_KEY:
			expect_kind(node, path, YN_MAPPING);
			check_duplicates(node, path);
			forboth(kc, node->keys, vc, node->items)
			{
				YNode	   *val = lfirst(vc);
				char	   *npath = child_path(path,
											   ((YNode *) lfirst(kc))->value);

				check_name(lfirst(kc), npath);

				if (spec->kind == V_NAMED)
					check_mapping(dp, val, npath, spec->sub);
				else if (spec->kind == V_NAMED_EXPR)
				{
					expect_string(val, npath);
					pos = node_pos(val, npath);
					expr_check_single(val->value, &pos, "expression");
				}
				else if (spec->kind == V_NAMED_STRINGS ||
						 val->kind == YN_SEQUENCE)
					check_strings(val, npath);
				else
					check_mapping(dp, val, npath, spec->sub);
			}
			break;
	}
}

/* ----------------------------------------------------------------
 * Pass 3: the checked tree to the model
 * ----------------------------------------------------------------
 */

static const YNode *
map_get(const YNode *map, const char *key)
{
	ListCell   *kc,
			   *vc;

	if (map == NULL || map->kind != YN_MAPPING)
		return NULL;
	forboth(kc, map->keys, vc, map->items)
	{
		YNode	   *k = lfirst(kc);
		YNode	   *v = lfirst(vc);

		if (strcmp(k->value, key) == 0)
			return (v->kind == YN_SCALAR && v->value == NULL) ? NULL : v;
	}
	return NULL;
}

static char *
map_string(const YNode *map, const char *key)
{
	const YNode *v = map_get(map, key);

	return v ? pstrdup(v->value) : NULL;
}

/* the position of a key's value, or of the mapping when it is absent */
static DocPos
value_pos(const YNode *map, const char *key, const char *path)
{
	const YNode *v = map_get(map, key);

	return node_pos(v ? v : map, child_path(path, key));
}

static ConvCheck *
new_check(char *name, const YNode *expr, const char *path)
{
	ConvCheck  *check = palloc0(sizeof(ConvCheck));

	check->name = name;
	check->expr = pstrdup(expr->value);
	check->pos = node_pos(expr, path);
	return check;
}

static List *
string_list(const YNode *seq)
{
	List	   *result = NIL;
	ListCell   *lc;

	if (seq == NULL)
		return NIL;
	foreach(lc, seq->items)
		result = lappend(result, ((YNode *) lfirst(lc))->value);
	return result;
}

static ConvKey *
new_key(char *name, bool primary, List *columns, const YNode *node,
		const char *path)
{
	ConvKey    *key = palloc0(sizeof(ConvKey));

	key->name = name;
	key->primary = primary;
	key->columns = columns;
	key->pos = node_pos(node, path);
	return key;
}

static char
fk_action(const YNode *node, const char *path)
{
	static const struct
	{
		const char *name;
		char		action;
	}			actions[] = {
		{"no action", FKCONSTR_ACTION_NOACTION},
		{"restrict", FKCONSTR_ACTION_RESTRICT},
		{"cascade", FKCONSTR_ACTION_CASCADE},
		{"set null", FKCONSTR_ACTION_SETNULL},
		{"set default", FKCONSTR_ACTION_SETDEFAULT},
	};

	if (node == NULL)
		return FKCONSTR_ACTION_NOACTION;
	for (int i = 0; i < (int) lengthof(actions); i++)
		if (pg_strcasecmp(node->value, actions[i].name) == 0)
			return actions[i].action;
	doc_error(ERRCODE_INVALID_PARAMETER_VALUE, node, path,
			  "unrecognized referential action \"%s\"", node->value);
	return FKCONSTR_ACTION_NOACTION;	/* keep compiler quiet */
}

/* the value of "key" in the first of two mappings that has it */
static const YNode *
either_get(const YNode *a, const YNode *b, const char *key)
{
	const YNode *v = map_get(a, key);

	return v ? v : map_get(b, key);
}

/*
 * A foreign key: "refs" is the references mapping, "outer" the mapping
 * around it that may hold the actions too (table foreign_keys).
 */
static ConvForeignKey *
new_foreign_key(char *name, const char *schema, List *columns,
				const YNode *refs, const YNode *outer, List *ref_columns,
				const char *path)
{
	ConvForeignKey *fk = palloc0(sizeof(ConvForeignKey));
	const YNode *table = map_get(refs, "table");
	const YNode *v;
	char	   *dot;

	fk->name = name;
	fk->columns = columns;
	fk->ref_columns = ref_columns;
	fk->pos = node_pos(refs, path);
	if (table == NULL)
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, refs, path,
				  "references needs a \"table\"");
	/* "schema.table", or a table of the same schema */
	dot = strchr(table->value, '.');
	fk->ref_schema = dot ? pnstrdup(table->value, dot - table->value) :
		pstrdup(schema);
	fk->ref_table = pstrdup(dot ? dot + 1 : table->value);
	fk->on_delete = fk_action(either_get(refs, outer, "on_delete"),
							  child_path(path, "on_delete"));
	fk->on_update = fk_action(either_get(refs, outer, "on_update"),
							  child_path(path, "on_update"));
	v = either_get(refs, outer, "deferrable");
	fk->deferrable = v && doc_bool(v, child_path(path, "deferrable"));
	v = either_get(refs, outer, "initially_deferred");
	fk->initially_deferred = v &&
		doc_bool(v, child_path(path, "initially_deferred"));
	if (fk->initially_deferred)
		fk->deferrable = true;
	if (list_length(fk->columns) != list_length(fk->ref_columns) ||
		fk->columns == NIL)
		doc_error(ERRCODE_INVALID_FOREIGN_KEY, refs, path,
				  "foreign key \"%s\" needs as many referenced columns as columns",
				  name);
	return fk;
}

static List *string_list(const YNode *seq);

static ConvColumn *
build_column(ConvTable *table, const char *schema, const char *name,
			 const YNode *node, const char *path)
{
	ConvColumn *col = palloc0(sizeof(ConvColumn));
	const YNode *v;
	ListCell   *kc,
			   *vc;

	col->name = pstrdup(name);
	col->pos = node_pos(node, path);
	col->renamed_from = map_string(node, "renamed_from");
	if (col->renamed_from)
		check_name(map_get(node, "renamed_from"),
				   child_path(path, "renamed_from"));
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
	col->using_expr = map_string(node, "using");
	col->using_pos = value_pos(node, "using", path);
	col->comment = map_string(node, "comment");

	v = map_get(node, "remap");
	if (v)
		forboth(kc, v->keys, vc, v->items)
		{
			col->remap_from = lappend(col->remap_from,
									  ((YNode *) lfirst(kc))->value);
			col->remap_to = lappend(col->remap_to,
									((YNode *) lfirst(vc))->value);
		}

	/*
	 * An unnamed column CHECK gets the name PostgreSQL would give it: after
	 * the one column it reads, or after the table when it reads several.
	 */
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

	/* an unnamed column reference gets the name PostgreSQL would give it */
	v = map_get(node, "references");
	if (v)
	{
		const YNode *rc = map_get(v, "column");
		char	   *rpath = child_path(path, "references");
		ConvForeignKey *fk;

		if (rc == NULL)
			doc_error(ERRCODE_INVALID_PARAMETER_VALUE, v, rpath,
					  "references needs a \"column\"");
		fk = new_foreign_key(makeObjectName(table->name, name, "fkey"),
							 schema, list_make1(col->name), v,
							 NULL, list_make1(rc->value), rpath);
		fk->on_column = true;
		table->foreign_keys = lappend(table->foreign_keys, fk);
	}

	/* unique: true gets the name PostgreSQL would give it */
	v = map_get(node, "unique");
	if (v && doc_bool(v, child_path(path, "unique")))
	{
		ConvKey    *key = new_key(makeObjectName(table->name, name, "key"),
								  false, list_make1(col->name), v,
								  child_path(path, "unique"));

		key->on_column = true;
		table->keys = lappend(table->keys, key);
	}

	v = map_get(node, "identity");
	if (v)
	{
		char	   *ipath = child_path(path, "identity");

		if (strcmp(v->value, "always") == 0)
			col->identity = ATTRIBUTE_IDENTITY_ALWAYS;
		else if (strcmp(v->value, "by default") == 0)
			col->identity = ATTRIBUTE_IDENTITY_BY_DEFAULT;
		else
			doc_error(ERRCODE_INVALID_PARAMETER_VALUE, v, ipath,
					  "identity must be \"always\" or \"by default\", found \"%s\"",
					  v->value);
	}

	v = map_get(node, "nullable");
	col->not_null = v ? !doc_bool(v, child_path(path, "nullable")) : false;

	/* an identity column is NOT NULL by definition */
	if (col->identity)
	{
		if (v && !col->not_null)
			doc_error(ERRCODE_INVALID_PARAMETER_VALUE, v,
					  child_path(path, "nullable"),
					  "identity column \"%s\" cannot be nullable", name);
		col->not_null = true;
	}
	if (col->identity && col->default_expr)
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, map_get(node, "default"),
				  child_path(path, "default"),
				  "identity column \"%s\" cannot have a default", name);
	if (col->generated && (col->default_expr || col->identity))
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, map_get(node, "generated"),
				  child_path(path, "generated"),
				  "generated column \"%s\" cannot have a default or an identity",
				  name);
	return col;
}

/*
 * Every key column must be declared; primary key columns are NOT NULL, as
 * the server makes them.
 */
static void
check_key_columns(ConvTable *table)
{
	ListCell   *kc,
			   *cc;

	foreach(kc, table->keys)
	{
		ConvKey    *key = lfirst(kc);

		if (key->columns == NIL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("key \"%s\" has no columns at line %d, column %d (%s)",
							key->name, key->pos.line, key->pos.column,
							key->pos.path)));
		foreach(cc, key->columns)
		{
			char	   *name = lfirst(cc);
			ConvColumn *col = NULL;
			ListCell   *lc;

			foreach(lc, table->columns)
				if (strcmp(((ConvColumn *) lfirst(lc))->name, name) == 0)
					col = lfirst(lc);
			if (col == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_COLUMN),
						 errmsg("key \"%s\" names column \"%s\", which the table does not declare, at line %d, column %d (%s)",
								key->name, name, key->pos.line,
								key->pos.column, key->pos.path)));
			if (key->primary)
				col->not_null = true;
		}
	}
}

static ConvIndex *
build_index(const char *name, const YNode *node, const char *path)
{
	ConvIndex  *index = palloc0(sizeof(ConvIndex));
	const YNode *v;
	ListCell   *lc;

	index->name = pstrdup(name);
	index->pos = node_pos(node, path);
	v = map_get(node, "columns");
	if (v == NULL || v->items == NIL)
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, node, path,
				  "index \"%s\" has no columns", name);
	foreach(lc, v->items)
	{
		YNode	   *elem = lfirst(lc);
		DocPos		pos = node_pos(elem, child_path(path, "columns"));

		expr_check_index_element(elem->value, &pos);
		index->elements = lappend(index->elements, elem->value);
	}
	v = map_get(node, "unique");
	index->unique = v && doc_bool(v, child_path(path, "unique"));
	v = map_get(node, "nulls_not_distinct");
	index->nulls_not_distinct = v &&
		doc_bool(v, child_path(path, "nulls_not_distinct"));
	index->method = map_string(node, "method");
	index->where = map_string(node, "where");
	index->include = string_list(map_get(node, "include"));
	return index;
}

static ConvTable *
build_table(const char *schema, const char *name, const YNode *node,
			const char *path)
{
	ConvTable  *table = palloc0(sizeof(ConvTable));
	const YNode *columns = map_get(node, "columns");
	const YNode *checks = map_get(node, "checks");
	const YNode *pkey = map_get(node, "primary_key");
	const YNode *unique = map_get(node, "unique");
	const YNode *fkeys = map_get(node, "foreign_keys");
	const YNode *indexes = map_get(node, "indexes");
	ListCell   *kc,
			   *vc;

	table->name = pstrdup(name);
	table->pos = node_pos(node, path);
	table->renamed_from = map_string(node, "renamed_from");
	if (table->renamed_from)
		check_name(map_get(node, "renamed_from"),
				   child_path(path, "renamed_from"));
	table->comment = map_string(node, "comment");
	if (columns)
	{
		char	   *cpath = child_path(path, "columns");

		forboth(kc, columns->keys, vc, columns->items)
		{
			const char *cname = ((YNode *) lfirst(kc))->value;

			table->columns = lappend(table->columns,
									 build_column(table, schema, cname, lfirst(vc),
												  child_path(cpath, cname)));
		}
	}
	if (pkey)
		table->keys = lcons(new_key(makeObjectName(name, NULL, "pkey"), true,
									string_list(pkey), pkey,
									child_path(path, "primary_key")),
							table->keys);
	if (unique)
	{
		char	   *upath = child_path(path, "unique");

		forboth(kc, unique->keys, vc, unique->items)
		{
			YNode	   *v = lfirst(vc);
			char	   *uname = ((YNode *) lfirst(kc))->value;
			ConvKey    *key;

			if (v->kind == YN_SEQUENCE)
				key = new_key(pstrdup(uname), false, string_list(v), v,
							  child_path(upath, uname));
			else
			{
				const YNode *nnd = map_get(v, "nulls_not_distinct");

				key = new_key(pstrdup(uname), false,
							  string_list(map_get(v, "columns")), v,
							  child_path(upath, uname));
				key->nulls_not_distinct = nnd &&
					doc_bool(nnd, child_path(key->pos.path,
											 "nulls_not_distinct"));
			}
			table->keys = lappend(table->keys, key);
		}
	}
	if (fkeys)
	{
		char	   *fpath = child_path(path, "foreign_keys");

		forboth(kc, fkeys->keys, vc, fkeys->items)
		{
			YNode	   *v = lfirst(vc);
			char	   *fname = ((YNode *) lfirst(kc))->value;
			char	   *kpath = child_path(fpath, fname);
			const YNode *refs = map_get(v, "references");
			const YNode *cols = map_get(v, "columns");
			const YNode *rcols = refs ? map_get(refs, "columns") : NULL;

			if (refs == NULL || cols == NULL || rcols == NULL)
				doc_error(ERRCODE_INVALID_PARAMETER_VALUE, v, kpath,
						  "foreign key \"%s\" needs columns and references with table and columns",
						  fname);
			table->foreign_keys =
				lappend(table->foreign_keys,
						new_foreign_key(pstrdup(fname), schema,
										string_list(cols), refs, v,
										string_list(rcols), kpath));
		}
	}
	if (indexes)
	{
		char	   *ipath = child_path(path, "indexes");

		forboth(kc, indexes->keys, vc, indexes->items)
			table->indexes = lappend(table->indexes,
									 build_index(((YNode *) lfirst(kc))->value,
												 lfirst(vc),
												 child_path(ipath,
															((YNode *) lfirst(kc))->value)));
	}
	check_key_columns(table);
	if (checks)
	{
		char	   *cpath = child_path(path, "checks");

		forboth(kc, checks->keys, vc, checks->items)
		{
			char	   *cname = ((YNode *) lfirst(kc))->value;

			table->checks = lappend(table->checks,
									new_check(pstrdup(cname), lfirst(vc),
											  child_path(cpath, cname)));
		}
	}
	return table;
}

/* the two sides of a string mapping, as lists */
static void
string_map(const YNode *map, List **from, List **to)
{
	ListCell   *kc,
			   *vc;

	if (map == NULL)
		return;
	forboth(kc, map->keys, vc, map->items)
	{
		*from = lappend(*from, ((YNode *) lfirst(kc))->value);
		*to = lappend(*to, ((YNode *) lfirst(vc))->value);
	}
}

static bool
string_member(List *strings, const char *s)
{
	ListCell   *lc;

	foreach(lc, strings)
		if (strcmp(lfirst(lc), s) == 0)
			return true;
	return false;
}

static ConvEnum *
build_enum(const char *name, const YNode *node, const char *path)
{
	ConvEnum   *e = palloc0(sizeof(ConvEnum));
	const YNode *values = map_get(node, "values");
	ListCell   *lc;

	e->name = pstrdup(name);
	e->pos = node_pos(node, path);
	e->comment = map_string(node, "comment");
	if (values == NULL || values->items == NIL)
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, node, path,
				  "enum \"%s\" has no values", name);
	foreach(lc, values->items)
	{
		YNode	   *v = lfirst(lc);

		if (string_member(e->values, v->value))
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
	string_map(map_get(node, "renamed_values"), &e->renamed_from,
			   &e->renamed_to);

	/* rows must land on values the enum keeps */
	foreach(lc, list_concat_copy(e->remap_to, e->renamed_to))
		if (!string_member(e->values, lfirst(lc)))
			doc_error(ERRCODE_INVALID_PARAMETER_VALUE, node, path,
					  "enum \"%s\" maps rows to \"%s\", which is not one of its values",
					  name, (char *) lfirst(lc));
	return e;
}

static ConvDomain *
build_domain(const char *schema, const char *name, const YNode *node,
			 const char *path)
{
	ConvDomain *d = palloc0(sizeof(ConvDomain));
	const YNode *checks = map_get(node, "checks");
	const YNode *v;
	ListCell   *kc,
			   *vc;

	d->schema = pstrdup(schema);
	d->name = pstrdup(name);
	d->pos = node_pos(node, path);
	d->type_name = map_string(node, "type");
	d->type_pos = value_pos(node, "type", path);
	if (d->type_name == NULL)
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, node, path,
				  "domain \"%s\" has no type", name);
	d->typmod = -1;
	d->collation = map_string(node, "collation");
	d->default_expr = map_string(node, "default");
	d->default_pos = value_pos(node, "default", path);
	d->comment = map_string(node, "comment");
	v = map_get(node, "nullable");
	d->not_null = v ? !doc_bool(v, child_path(path, "nullable")) : false;
	if (checks)
	{
		char	   *cpath = child_path(path, "checks");

		forboth(kc, checks->keys, vc, checks->items)
		{
			char	   *cname = ((YNode *) lfirst(kc))->value;

			d->checks = lappend(d->checks,
								new_check(pstrdup(cname), lfirst(vc),
										  child_path(cpath, cname)));
		}
	}
	return d;
}

static ConvSchema *
build_schema(const char *name, const YNode *node, const char *path)
{
	ConvSchema *schema = palloc0(sizeof(ConvSchema));
	const YNode *tables = map_get(node, "tables");
	const YNode *enums = map_get(node, "enums");
	const YNode *domains = map_get(node, "domains");
	ListCell   *kc,
			   *vc;

	schema->name = pstrdup(name);
	schema->pos = node_pos(node, path);
	if (catalog_schema_is_reserved(name))
		doc_error(ERRCODE_INVALID_SCHEMA_NAME, node, path,
				  "schema \"%s\" cannot be managed by a document", name);
	if (enums)
	{
		char	   *epath = child_path(path, "enums");

		forboth(kc, enums->keys, vc, enums->items)
		{
			const char *ename = ((YNode *) lfirst(kc))->value;

			ConvEnum   *e = build_enum(ename, lfirst(vc),
										   child_path(epath, ename));

			e->schema = schema->name;
			schema->enums = lappend(schema->enums, e);
		}
	}
	if (domains)
	{
		char	   *dpath = child_path(path, "domains");

		forboth(kc, domains->keys, vc, domains->items)
		{
			const char *dname = ((YNode *) lfirst(kc))->value;

			schema->domains = lappend(schema->domains,
									  build_domain(name, dname, lfirst(vc),
												   child_path(dpath, dname)));
		}
	}
	if (tables)
	{
		char	   *tpath = child_path(path, "tables");

		forboth(kc, tables->keys, vc, tables->items)
		{
			const char *tname = ((YNode *) lfirst(kc))->value;

			schema->tables = lappend(schema->tables,
									 build_table(name, tname, lfirst(vc),
												 child_path(tpath, tname)));
		}
	}
	return schema;
}

static void
build_model(DocParser *dp, const YNode *root)
{
	const YNode *version;
	const YNode *schemas;
	ListCell   *kc,
			   *vc;

	version = map_get(root, "version");
	if (version == NULL)
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, root, NULL,
				  "schema document has no \"version\" key");
	if (doc_int(version, "version") != 1)
		doc_error(ERRCODE_FEATURE_NOT_SUPPORTED, version, "version",
				  "unsupported document version %s; this pg_converge reads version 1",
				  version->value);

	schemas = map_get(root, "schemas");
	if (schemas == NULL)
		return;
	forboth(kc, schemas->keys, vc, schemas->items)
	{
		const char *sname = ((YNode *) lfirst(kc))->value;

		dp->model->schemas = lappend(dp->model->schemas,
									 build_schema(sname, lfirst(vc),
												  child_path("schemas", sname)));
	}
}

/*
 * document_parse
 *		Parse and check a schema document; errors carry line and column.
 */
ConvModel *
document_parse(const char *text)
{
	DocParser	dp;
	size_t		len = strlen(text);
	YNode	   *volatile root = NULL;	/* set in PG_TRY, read after */
	YNode		start = {.kind = YN_SCALAR, .line = 1, .column = 1};

	if (len > DOC_MAX_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("schema document is too large (%zu bytes)", len),
				 errdetail("The limit is %d bytes.", DOC_MAX_BYTES)));
	/* SQL_ASCII bytes go to libyaml as they are: it reports bad UTF-8 */
	if (GetDatabaseEncoding() != PG_UTF8 &&
		GetDatabaseEncoding() != PG_SQL_ASCII)
		text = (const char *) pg_do_encoding_conversion((unsigned char *) text,
														len,
														GetDatabaseEncoding(),
														PG_UTF8);

	dp.text = text;
	dp.model = palloc0(sizeof(ConvModel));
	if (!yaml_parser_initialize(&dp.parser))
		elog(ERROR, "could not initialize YAML parser");
	yaml_parser_set_encoding(&dp.parser, YAML_UTF8_ENCODING);
	yaml_parser_set_input_string(&dp.parser, (const unsigned char *) text,
								 strlen(text));

	/* libyaml allocates with malloc: release it on the way out */
	PG_TRY();
	{
		root = build_tree(&dp);
	}
	PG_FINALLY();
	{
		yaml_parser_delete(&dp.parser);
	}
	PG_END_TRY();

	if (root == NULL)
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, &start, NULL,
				  "schema document is empty");
	expect_kind(root, "", YN_MAPPING);
	check_mapping(&dp, root, "", document_keys);
	build_model(&dp, root);
	return dp.model;
}
