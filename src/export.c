/*-------------------------------------------------------------------------
 *
 * export.c
 *	  Write a model as a schema document (YAML), with libyaml's emitter.
 *
 * The document written here is the one the parser reads, so that
 * converge_plan(converge_export()) is empty: types as format_type() prints
 * them, defaults and generation expressions as the server deparses them,
 * collations only where they differ from the type's, nullable only where
 * it is false.  The emitter does all quoting; a value that would read back
 * as a YAML null is written double-quoted.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <yaml.h>

#include "catalog/pg_attribute.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "nodes/parsenodes.h"

#include "kinds/kinds.h"

struct Emitter
{
	yaml_emitter_t emitter;
	StringInfoData out;
	const ConvModel *model;
};

/* the model being written, for what the document itself holds */
const ConvModel *
emitted_model(Emitter *em)
{
	return em->model;
}

static int
write_output(void *data, unsigned char *buffer, size_t size)
{
	StringInfo	out = data;

	appendBinaryStringInfo(out, (char *) buffer, (int) size);
	return 1;
}

static void
emit(Emitter *em, yaml_event_t *event)
{
	if (!yaml_emitter_emit(&em->emitter, event))
		elog(ERROR, "could not write YAML: %s",
			 em->emitter.problem ? em->emitter.problem : "unknown error");
}

static bool
reads_as_null(const char *value)
{
	return value[0] == '\0' || strcmp(value, "~") == 0 ||
		pg_strcasecmp(value, "null") == 0;
}

void
emit_scalar(Emitter *em, const char *value, bool quoted)
{
	yaml_event_t event;
	char	   *utf8 = pg_server_to_any(value, strlen(value), PG_UTF8);

	if (reads_as_null(utf8))
		quoted = true;
	yaml_scalar_event_initialize(&event, NULL, NULL, (yaml_char_t *) utf8,
								 (int) strlen(utf8), 1, 1,
								 quoted ? YAML_DOUBLE_QUOTED_SCALAR_STYLE :
								 YAML_ANY_SCALAR_STYLE);
	emit(em, &event);
}

/* text of several lines (a query) as a literal block, when YAML allows */
void
emit_text(Emitter *em, const char *text)
{
	yaml_event_t event;
	char	   *utf8 = pg_server_to_any(text, strlen(text), PG_UTF8);

	yaml_scalar_event_initialize(&event, NULL, NULL, (yaml_char_t *) utf8,
								 (int) strlen(utf8), 1, 1,
								 YAML_LITERAL_SCALAR_STYLE);
	emit(em, &event);
}

void
emit_pair(Emitter *em, const char *key, const char *value)
{
	emit_scalar(em, key, false);
	emit_scalar(em, value, false);
}

/* "name=value" settings as a flow mapping under key; nothing if none */
void
emit_settings(Emitter *em, const char *key, List *settings)
{
	ListCell   *lc;

	if (settings == NIL)
		return;
	emit_scalar(em, key, false);
	begin_mapping(em, true);
	foreach(lc, settings)
	{
		const char *setting = lfirst(lc);
		const char *eq = strchr(setting, '=');

		emit_pair(em, pnstrdup(setting, eq - setting), eq + 1);
	}
	end_mapping(em);
}

void
begin_mapping(Emitter *em, bool flow)
{
	yaml_event_t event;

	yaml_mapping_start_event_initialize(&event, NULL, NULL, 1,
										flow ? YAML_FLOW_MAPPING_STYLE :
										YAML_BLOCK_MAPPING_STYLE);
	emit(em, &event);
}

void
end_mapping(Emitter *em)
{
	yaml_event_t event;

	yaml_mapping_end_event_initialize(&event);
	emit(em, &event);
}

void
emit_strings(Emitter *em, List *strings)
{
	yaml_event_t event;
	ListCell   *lc;

	yaml_sequence_start_event_initialize(&event, NULL, NULL, 1,
										 YAML_FLOW_SEQUENCE_STYLE);
	emit(em, &event);
	foreach(lc, strings)
		emit_scalar(em, lfirst(lc), false);
	yaml_sequence_end_event_initialize(&event);
	emit(em, &event);
}

/*
 * emit_members
 *		Every kind placed in a container writes its keys, in registry order.
 */
void
emit_members(Emitter *em, DocPlace place, const ConvSchema *schema,
			 const ConvTable *table)
{
	for (int kind = 0; kind < NUM_KINDS; kind++)
		if (conv_kinds[kind]->doc_place == place && conv_kinds[kind]->emit)
			conv_kinds[kind]->emit(em, schema, table);
}

/*
 * emit_entries
 *		A kind's key and the mapping of its objects' entries, when it has
 *		any.
 */
void
emit_entries(Emitter *em, const char *key, const ConvSchema *schema,
			 List *objects, EntryEmitter emit_one)
{
	ListCell   *lc;

	if (objects == NIL)
		return;
	emit_scalar(em, key, false);
	begin_mapping(em, false);
	foreach(lc, objects)
		emit_one(em, schema, lfirst(lc));
	end_mapping(em);
}

static void
emit_document(Emitter *em, const ConvModel *model)
{
	yaml_event_t event;
	ListCell   *sc;

	yaml_stream_start_event_initialize(&event, YAML_UTF8_ENCODING);
	emit(em, &event);
	yaml_document_start_event_initialize(&event, NULL, NULL, NULL, 1);
	emit(em, &event);

	begin_mapping(em, false);
	emit_pair(em, "version", "1");
	em->model = model;
	emit_members(em, DOC_ROOT, NULL, NULL);
	emit_scalar(em, "schemas", false);
	begin_mapping(em, false);
	foreach(sc, model->schemas)
	{
		ConvSchema *schema = lfirst(sc);

		emit_scalar(em, schema->name, false);
		begin_mapping(em, false);
		emit_members(em, DOC_SCHEMA, schema, NULL);
		end_mapping(em);
	}
	end_mapping(em);
	end_mapping(em);

	yaml_document_end_event_initialize(&event, 1);
	emit(em, &event);
	yaml_stream_end_event_initialize(&event);
	emit(em, &event);
}

/*
 * export_document
 *		The model as a schema document, in the server's encoding.
 */
char *
export_document(ConvModel *model)
{
	Emitter		em;

	initStringInfo(&em.out);
	if (!yaml_emitter_initialize(&em.emitter))
		elog(ERROR, "could not initialize YAML emitter");
	yaml_emitter_set_output(&em.emitter, write_output, &em.out);
	yaml_emitter_set_unicode(&em.emitter, 1);
	yaml_emitter_set_width(&em.emitter, -1);
	yaml_emitter_set_indent(&em.emitter, 2);

	/* libyaml allocates with malloc: release it on the way out */
	PG_TRY();
	{
		emit_document(&em, model);
	}
	PG_FINALLY();
	{
		yaml_emitter_delete(&em.emitter);
	}
	PG_END_TRY();

	return pg_any_to_server(em.out.data, em.out.len, PG_UTF8);
}
