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

#include "catalog/namespace.h"
#include "catalog/pg_attribute.h"
#include "commands/defrem.h"
#include "nodes/parsenodes.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "kinds/kinds.h"

/* bounds on what a document may be */
#define DOC_MAX_BYTES	(16 * 1024 * 1024)
#define DOC_MAX_DEPTH	32

static const KeySpec document_keys[] = {
	{"version", V_INT},
	{"search_path", V_STRINGS},
	{"schemas", V_NAMED, NULL, DOC_SCHEMA},
	{NULL}
};

/* the document itself: its own keys, then those of kinds placed in it */
static const KeySpec document_spec = {"", V_MAPPING, document_keys, DOC_ROOT};

/* state of one parse */
typedef struct DocParser
{
	yaml_parser_t parser;
	const char *text;
	ConvModel  *model;
	MemoryContext strings;		/* where scalars' text is kept: the model's,
								 * which outlives the tree */
	struct HTAB *scalars;		/* the text of each distinct scalar, kept in
								 * "strings" (scalar_text()) */
} DocParser;

/* a distinct scalar's text, in the model's context */
typedef struct ScalarText
{
	const char *text;			/* hash key */
} ScalarText;

/*
 * Raise a document error.  The message ends with the position and key path
 * so that it stands on its own.
 */
void
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

char *
child_path(const char *path, const char *key)
{
	size_t		path_len;
	size_t		key_len = strlen(key);
	char	   *joined;

	if (path == NULL || path[0] == '\0')
		return pstrdup(key);
	/* at its size: psprintf() would keep 128 bytes for each of thousands */
	path_len = strlen(path);
	joined = palloc(path_len + 1 + key_len + 1);
	memcpy(joined, path, path_len);
	joined[path_len] = '.';
	memcpy(joined + path_len + 1, key, key_len + 1);
	return joined;
}

DocPos
node_pos(const YNode *node, const char *path)
{
	DocPos		pos;

	pos.line = node->line;
	pos.column = node->column;
	pos.path = path;
	pos.key = NULL;
	return pos;
}

/*
 * doc_path
 *		A position's key path.  A value's path is joined from its mapping's
 *		and its key only when printed: a document holds hundreds of
 *		thousands of positions, and only an error message reads one.
 */
const char *
doc_path(const DocPos *pos)
{
	return pos->key ? child_path(pos->path, pos->key) : pos->path;
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
			ev->value = palloc(ev->length + 1);
			memcpy(ev->value, event.data.scalar.value, ev->length);
			ev->value[ev->length] = '\0';
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

/*
 * A scalar's text, kept in the model's context once for all the scalars
 * that hold it: a document of a thousand tables says "type", "integer"
 * and "nullable" tens of thousands of times.  The model never changes its
 * strings in place, so they can be shared.
 */
static char *
scalar_text(DocParser *dp, char *text)
{
	ScalarText *entry;
	bool		found;

	entry = hash_search(dp->scalars, &text, HASH_ENTER, &found);
	if (!found)
		entry->text = MemoryContextStrdup(dp->strings, text);
	return (char *) entry->text;
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
				node->value = scalar_text(dp,
										  pg_any_to_server(ev->value,
														   (int) ev->length,
														   PG_UTF8));
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

/* is the node a plain true or false (in *value)? */
static bool
plain_bool(const YNode *node, bool *value)
{
	if (node->kind != YN_SCALAR || node->value == NULL || !node->plain)
		return false;
	if (pg_strcasecmp(node->value, "true") == 0)
		*value = true;
	else if (pg_strcasecmp(node->value, "false") == 0)
		*value = false;
	else
		return false;
	return true;
}

bool
doc_bool(const YNode *node, const char *path)
{
	bool		value = false;

	expect_string(node, path);
	if (!plain_bool(node, &value))
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, node, path,
				  "expected true or false, found \"%s\"", node->value);
	return value;
}

/*
 * doc_key_bool
 *		doc_bool() of the value of "key" in the mapping at "path": the
 *		key's path is joined only for an error, not for each of the tens of
 *		thousands of flags a large document holds.
 */
bool
doc_key_bool(const YNode *node, const char *path, const char *key)
{
	bool		value;

	if (plain_bool(node, &value))
		return value;
	return doc_bool(node, child_path(path, key));
}

/* is the node an integer (in *value)? */
static bool
plain_int(const YNode *node, int64 *value)
{
	char	   *end;

	if (node->kind != YN_SCALAR || node->value == NULL)
		return false;
	errno = 0;
	*value = strtoi64(node->value, &end, 10);
	return errno == 0 && end != node->value && *end == '\0';
}

int64
doc_int(const YNode *node, const char *path)
{
	int64		v = 0;

	expect_string(node, path);
	if (!plain_int(node, &v))
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, node, path,
				  "expected an integer, found \"%s\"", node->value);
	return v;
}

/* doc_int() of the value of "key" in the mapping at "path" (doc_key_bool) */
int64
doc_key_int(const YNode *node, const char *path, const char *key)
{
	int64		v;

	if (plain_int(node, &v))
		return v;
	return doc_int(node, child_path(path, key));
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
 * The keys of one object of a container kind (a schema, a table): its own,
 * then those of every kind placed in it, in registry order.  Built once
 * per backend; the keys of a kind that plans nothing are marked "later".
 */
static const KeySpec *
object_keys(const KeySpec *spec)
{
	static const KeySpec *combined[NUM_DOC_PLACES];
	KeySpec    *keys;
	int			n = 0;

	if (spec->members == DOC_NONE)
		return spec->sub;
	if (combined[spec->members])
		return combined[spec->members];
	for (const KeySpec *ks = spec->sub; ks && ks->key; ks++)
		n++;
	for (int kind = 0; kind < NUM_KINDS; kind++)
		for (const KeySpec *ks = conv_kinds[kind]->doc_keys;
			 conv_kinds[kind]->doc_place == spec->members && ks->key; ks++)
			n++;
	keys = MemoryContextAllocZero(TopMemoryContext, sizeof(KeySpec) * (n + 1));
	n = 0;
	for (const KeySpec *ks = spec->sub; ks && ks->key; ks++)
		keys[n++] = *ks;
	for (int kind = 0; kind < NUM_KINDS; kind++)
	{
		const ConvKindOps *ops = conv_kinds[kind];

		for (const KeySpec *ks = ops->doc_keys;
			 ops->doc_place == spec->members && ks->key; ks++)
		{
			keys[n] = *ks;
			keys[n++].later = !kind_plans(ops);
		}
	}
	combined[spec->members] = keys;
	return keys;
}

/*
 * Names are refused rather than truncated as the server would truncate
 * them: a document that says one name while the catalog holds another
 * would never converge.
 */
void
check_name(const YNode *node, const char *path)
{
	if (strlen(node->value) >= NAMEDATALEN)
		doc_error(ERRCODE_NAME_TOO_LONG, node, path,
				  "name \"%s\" is longer than %d bytes", node->value,
				  NAMEDATALEN - 1);
}

/*
 * doc_renamable
 *		The header of a document object that may say the name it had
 *		(tables, columns, sequences): its schema (NULL for a member of a
 *		table), its name, where it was written, and "renamed_from".
 */
void
doc_renamable(ConvObject *object, const char *schema, const char *name,
			  const YNode *node, const char *path)
{
	object->schema = (char *) schema;
	object->name = pstrdup(name);
	object->pos = node_pos(node, path);
	object->renamed_from = map_string(node, "renamed_from");
	if (object->renamed_from)
		check_name(map_get(node, "renamed_from"),
				   child_path(path, "renamed_from"));
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
			/* the model outlives the check's memory */
			MemoryContext scratch =
				MemoryContextSwitchTo(GetMemoryChunkContext(dp->model));
			DocPos	   *pos = palloc(sizeof(DocPos));

			*pos = node_pos(key, pstrdup(kpath));
			dp->model->unsupported = lappend(dp->model->unsupported, pos);
			MemoryContextSwitchTo(scratch);
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
		case V_KEY:
			if (node->kind == YN_SEQUENCE)
				check_strings(node, path);
			else
				check_mapping(dp, node, path, spec->sub);
			break;
		case V_NAMED:
		case V_SIGNED:
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

				if (spec->kind != V_SIGNED)
					check_name(lfirst(kc), npath);

				if (spec->kind == V_NAMED || spec->kind == V_SIGNED)
					check_mapping(dp, val, npath, object_keys(spec));
				else if (spec->kind == V_NAMED_EXPR && val->kind == YN_MAPPING &&
						 spec->sub)
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

const YNode *
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

/* a scalar's text is the model's own (DocParser.strings): not copied */
char *
map_string(const YNode *map, const char *key)
{
	const YNode *v = map_get(map, key);

	return v ? v->value : NULL;
}

/* the position of a key's value, or of the mapping when it is absent */
DocPos
value_pos(const YNode *map, const char *key, const char *path)
{
	const YNode *v = map_get(map, key);
	DocPos		pos = node_pos(v ? v : map, path);

	pos.key = key;
	return pos;
}

/*
 * An object's "comment".  An empty one is no comment: COMMENT ... IS ''
 * removes the comment, so the catalog never holds one, and "comment: ''"
 * compared as a string would be planned again on every call.
 */
char *
doc_comment(const YNode *map)
{
	char	   *comment = map_string(map, "comment");

	return comment && comment[0] != '\0' ? comment : NULL;
}

List *
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

/* the two sides of a string mapping, as lists */
void
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

/*
 * A mapping of settings ("set" of a function, "with" of a table), the
 * value of "key" in the mapping at "path", as the catalog keeps them:
 * "name=value" strings, in the document's order.
 */
List *
doc_settings(const YNode *map, const char *path, const char *key)
{
	List	   *settings = NIL;
	ListCell   *kc,
			   *vc;

	if (map == NULL)
		return NIL;
	path = child_path(path, key);
	forboth(kc, map->keys, vc, map->items)
	{
		YNode	   *key = lfirst(kc);
		YNode	   *value = lfirst(vc);

		if (value->value == NULL)
			doc_error(ERRCODE_INVALID_PARAMETER_VALUE, value,
					  child_path(path, key->value),
					  "setting \"%s\" has no value", key->value);
		settings = lappend(settings, psprintf("%s=%s", key->value,
											  value->value));
	}
	return settings;
}

/*
 * build_members
 *		Every kind placed in a container builds its objects from its keys,
 *		in registry order.
 */
void
build_members(DocContainer *dc, DocPlace place, const YNode *node,
			  const char *path)
{
	for (int kind = 0; kind < NUM_KINDS; kind++)
	{
		const ConvKindOps *ops = conv_kinds[kind];

		if (ops->doc_place != place || ops->build == NULL)
			continue;
		for (const KeySpec *ks = ops->doc_keys; ks->key; ks++)
		{
			const YNode *value = map_get(node, ks->key);

			if (value)
				ops->build(dc, ks->key, value, child_path(path, ks->key));
		}
	}
}

/*
 * build_entries
 *		Each "name: value" entry of a kind's mapping, built into an object
 *		appended to the container's list.
 */
void
build_entries(DocContainer *dc, const YNode *value, const char *path,
			  EntryBuilder build, List **list)
{
	ListCell   *kc,
			   *vc;

	foreach_entry(kc, vc, value)
		*list = lappend(*list, build(dc, entry_name(kc), lfirst(vc),
									 child_path(path, entry_name(kc))));
}

/* one name in a schema's namespace of relations, for check_relation_names */
typedef struct RelationName
{
	const char *name;
	const char *what;
	const DocPos *pos;
} RelationName;

static int
relation_name_order(const void *a, const void *b)
{
	return strcmp(((const RelationName *) a)->name,
				  ((const RelationName *) b)->name);
}

static void
add_relation_name(List **names, const char *name, const char *what,
				  const DocPos *pos)
{
	RelationName *rn = palloc(sizeof(RelationName));

	rn->name = name;
	rn->what = what;
	rn->pos = pos;
	*names = lappend(*names, rn);
}

static void
add_index_names(List **names, List *indexes)
{
	ListCell   *lc;

	foreach(lc, indexes)
		add_relation_name(names, ((ConvIndex *) lfirst(lc))->name, "an index",
						  &((ConvIndex *) lfirst(lc))->pos);
}

/*
 * Tables, views, sequences and indexes share one namespace per schema:
 * the server would refuse the second CREATE of a name while the plan runs
 * ("relation already exists").  Sorted, so twice is a neighbour.
 */
static void
check_relation_names(const ConvSchema *schema)
{
	List	   *names = NIL;
	ListCell   *lc;
	RelationName *sorted;
	int			n;

	foreach(lc, schema->tables)
	{
		ConvTable  *t = lfirst(lc);

		add_relation_name(&names, t->name, "a table", &t->pos);
		add_index_names(&names, t->indexes);
	}
	foreach(lc, schema->views)
	{
		ConvView   *v = lfirst(lc);

		add_relation_name(&names, v->name, "a view", &v->pos);
		add_index_names(&names, v->indexes);
	}
	foreach(lc, schema->sequences)
		add_relation_name(&names, ((ConvSequence *) lfirst(lc))->name,
						  "a sequence", &((ConvSequence *) lfirst(lc))->pos);
	n = list_length(names);
	sorted = palloc(sizeof(RelationName) * Max(n, 1));
	foreach(lc, names)
		sorted[foreach_current_index(lc)] = *(RelationName *) lfirst(lc);
	qsort(sorted, n, sizeof(RelationName), relation_name_order);
	for (int i = 1; i < n; i++)
		if (strcmp(sorted[i - 1].name, sorted[i].name) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_TABLE),
					 errmsg("schema \"%s\" declares the name \"%s\" twice: for %s at line %d, column %d (%s) and for %s at line %d, column %d (%s)",
							schema->name, sorted[i].name,
							sorted[i - 1].what, sorted[i - 1].pos->line,
							sorted[i - 1].pos->column,
							doc_path(sorted[i - 1].pos),
							sorted[i].what, sorted[i].pos->line,
							sorted[i].pos->column, doc_path(sorted[i].pos)),
					 errhint("Tables, views, sequences and indexes of a schema share one namespace: rename one of them.")));
}

static ConvSchema *
build_schema(const char *name, const YNode *node, const char *path)
{
	DocContainer dc = {0};

	if (catalog_schema_is_reserved(name))
		doc_error(ERRCODE_INVALID_SCHEMA_NAME, node, path,
				  "schema \"%s\" cannot be managed by a document", name);
	dc.schema = palloc0(sizeof(ConvSchema));
	dc.schema->name = pstrdup(name);
	dc.schema->pos = node_pos(node, path);
	build_members(&dc, DOC_SCHEMA, node, path);
	check_relation_names(dc.schema);
	return dc.schema;
}

/*
 * The document's "search_path": the schemas, after pg_catalog, where its
 * expressions, types and queries find what they do not qualify, whatever
 * the caller's own search_path (see pin_search_path()).  A schema that
 * neither exists nor is declared here would be skipped by the server in
 * silence, and a name meant for it found elsewhere: an error.
 */
static void
build_search_path(ConvModel *model, const YNode *root)
{
	const YNode *seq = map_get(root, "search_path");
	ListCell   *lc;

	if (seq == NULL)
		return;
	foreach(lc, seq->items)
	{
		const YNode *item = lfirst(lc);
		bool		declared = false;
		ListCell   *sc;

		foreach(sc, model->schemas)
			declared |= strcmp(((ConvSchema *) lfirst(sc))->name,
							   item->value) == 0;
		if (!declared && !OidIsValid(get_namespace_oid(item->value, true)))
			doc_error(ERRCODE_UNDEFINED_SCHEMA, item, "search_path",
					  "schema \"%s\" does not exist and the document does not declare it",
					  item->value);
		model->search_path = lappend(model->search_path, item->value);
	}
}

static void
build_model(DocParser *dp, const YNode *root)
{
	DocContainer dc = {0};
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

	dc.model = dp->model;
	build_members(&dc, DOC_ROOT, root, "");
	schemas = map_get(root, "schemas");
	if (schemas != NULL)
	{
		forboth(kc, schemas->keys, vc, schemas->items)
		{
			const char *sname = ((YNode *) lfirst(kc))->value;

			dp->model->schemas =
				lappend(dp->model->schemas,
						build_schema(sname, lfirst(vc),
									 child_path("schemas", sname)));
		}
	}
	build_search_path(dp->model, root);
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
	YNode	   *volatile root = NULL;
	YNode		start = {YN_SCALAR, 1, 1};
	MemoryContext tree;
	MemoryContext scratch;

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
	dp.strings = CurrentMemoryContext;
	if (!yaml_parser_initialize(&dp.parser))
		elog(ERROR, "could not initialize YAML parser");
	yaml_parser_set_encoding(&dp.parser, YAML_UTF8_ENCODING);
	yaml_parser_set_input_string(&dp.parser, (const unsigned char *) text,
								 strlen(text));

	/*
	 * The tree's nodes are garbage once the model is built (it keeps their
	 * text, not them); libyaml allocates with malloc, so release it on the
	 * way out.
	 */
	tree = AllocSetContextCreate(CurrentMemoryContext,
								 "pg_converge document tree",
								 ALLOCSET_DEFAULT_SIZES);
	expr_remember_parses(tree);
	MemoryContextSwitchTo(tree);
	dp.scalars = text_hash("pg_converge document scalars",
						   sizeof(ScalarText), 1024);
	PG_TRY();
	{
		root = build_tree(&dp);
	}
	PG_FINALLY();
	{
		yaml_parser_delete(&dp.parser);
	}
	PG_END_TRY();
	MemoryContextSwitchTo(dp.strings);

	if (root == NULL)
		doc_error(ERRCODE_INVALID_PARAMETER_VALUE, &start, NULL,
				  "schema document is empty");
	expect_kind(root, "", YN_MAPPING);
	/* the check's key paths are garbage once it passed */
	scratch = expr_scratch_begin();
	check_mapping(&dp, root, "", object_keys(&document_spec));
	expr_scratch_end(scratch);
	build_model(&dp, root);
	MemoryContextDelete(tree);
	return dp.model;
}
