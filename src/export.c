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

#include "model.h"

typedef struct Emitter
{
	yaml_emitter_t emitter;
	StringInfoData out;
} Emitter;

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

static void
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

static void
emit_pair(Emitter *em, const char *key, const char *value)
{
	emit_scalar(em, key, false);
	emit_scalar(em, value, false);
}

static void
begin_mapping(Emitter *em, bool flow)
{
	yaml_event_t event;

	yaml_mapping_start_event_initialize(&event, NULL, NULL, 1,
										flow ? YAML_FLOW_MAPPING_STYLE :
										YAML_BLOCK_MAPPING_STYLE);
	emit(em, &event);
}

static void
end_mapping(Emitter *em)
{
	yaml_event_t event;

	yaml_mapping_end_event_initialize(&event);
	emit(em, &event);
}

/* the CHECK written on this column, if there is one */
static const ConvCheck *
column_check(const ConvTable *table, const ConvColumn *col)
{
	ListCell   *lc;

	foreach(lc, table->checks)
	{
		ConvCheck  *check = lfirst(lc);

		if (check->column && strcmp(check->column, col->name) == 0)
			return check;
	}
	return NULL;
}

static bool
column_is_unique(const ConvTable *table, const ConvColumn *col)
{
	ListCell   *lc;

	foreach(lc, table->keys)
	{
		ConvKey    *key = lfirst(lc);

		if (key->on_column && strcmp(linitial(key->columns), col->name) == 0)
			return true;
	}
	return false;
}

static void
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

static void
emit_keys(Emitter *em, const ConvTable *table)
{
	bool		named = false;
	ListCell   *lc;

	foreach(lc, table->keys)
	{
		ConvKey    *key = lfirst(lc);

		if (key->primary)
		{
			emit_scalar(em, "primary_key", false);
			emit_strings(em, key->columns);
		}
		else if (!key->on_column)
			named = true;
	}
	if (!named)
		return;
	emit_scalar(em, "unique", false);
	begin_mapping(em, false);
	foreach(lc, table->keys)
	{
		ConvKey    *key = lfirst(lc);

		if (key->primary || key->on_column)
			continue;
		emit_scalar(em, key->name, false);
		if (key->nulls_not_distinct)
		{
			begin_mapping(em, true);
			emit_scalar(em, "columns", false);
			emit_strings(em, key->columns);
			emit_pair(em, "nulls_not_distinct", "true");
			end_mapping(em);
		}
		else
			emit_strings(em, key->columns);
	}
	end_mapping(em);
}

static const char *
action_name(char action)
{
	switch (action)
	{
		case FKCONSTR_ACTION_RESTRICT:
			return "restrict";
		case FKCONSTR_ACTION_CASCADE:
			return "cascade";
		case FKCONSTR_ACTION_SETNULL:
			return "set null";
		case FKCONSTR_ACTION_SETDEFAULT:
			return "set default";
	}
	return NULL;
}

static char *
referenced_table(const char *schema, const ConvForeignKey *fk)
{
	if (strcmp(fk->ref_schema, schema) == 0)
		return fk->ref_table;
	return psprintf("%s.%s", fk->ref_schema, fk->ref_table);
}

static void
emit_fk_actions(Emitter *em, const ConvForeignKey *fk)
{
	if (action_name(fk->on_delete))
		emit_pair(em, "on_delete", action_name(fk->on_delete));
	if (action_name(fk->on_update))
		emit_pair(em, "on_update", action_name(fk->on_update));
	if (fk->deferrable)
		emit_pair(em, "deferrable", "true");
	if (fk->initially_deferred)
		emit_pair(em, "initially_deferred", "true");
}

static const ConvForeignKey *
column_reference(const ConvTable *table, const ConvColumn *col)
{
	ListCell   *lc;

	foreach(lc, table->foreign_keys)
	{
		ConvForeignKey *fk = lfirst(lc);

		if (fk->on_column && strcmp(linitial(fk->columns), col->name) == 0)
			return fk;
	}
	return NULL;
}

static void
emit_foreign_keys(Emitter *em, const char *schema, const ConvTable *table)
{
	bool		any = false;
	ListCell   *lc;

	foreach(lc, table->foreign_keys)
		any |= !((ConvForeignKey *) lfirst(lc))->on_column;
	if (!any)
		return;
	emit_scalar(em, "foreign_keys", false);
	begin_mapping(em, false);
	foreach(lc, table->foreign_keys)
	{
		ConvForeignKey *fk = lfirst(lc);

		if (fk->on_column)
			continue;
		emit_scalar(em, fk->name, false);
		begin_mapping(em, true);
		emit_scalar(em, "columns", false);
		emit_strings(em, fk->columns);
		emit_scalar(em, "references", false);
		begin_mapping(em, true);
		emit_pair(em, "table", referenced_table(schema, fk));
		emit_scalar(em, "columns", false);
		emit_strings(em, fk->ref_columns);
		end_mapping(em);
		emit_fk_actions(em, fk);
		end_mapping(em);
	}
	end_mapping(em);
}

static void
emit_indexes(Emitter *em, const ConvTable *table)
{
	ListCell   *lc;

	if (table->indexes == NIL)
		return;
	emit_scalar(em, "indexes", false);
	begin_mapping(em, false);
	foreach(lc, table->indexes)
	{
		ConvIndex  *index = lfirst(lc);

		emit_scalar(em, index->name, false);
		begin_mapping(em, true);
		emit_scalar(em, "columns", false);
		emit_strings(em, index->elements);
		if (index->unique)
			emit_pair(em, "unique", "true");
		if (strcmp(index->method, "btree") != 0)
			emit_pair(em, "method", index->method);
		if (index->include)
		{
			emit_scalar(em, "include", false);
			emit_strings(em, index->include);
		}
		if (index->nulls_not_distinct)
			emit_pair(em, "nulls_not_distinct", "true");
		if (index->where)
			emit_pair(em, "where", index->where);
		if (index->comment)
			emit_pair(em, "comment", index->comment);
		end_mapping(em);
	}
	end_mapping(em);
}

static void
emit_column(Emitter *em, const char *schema, const ConvTable *table,
			const ConvColumn *col)
{
	const ConvCheck *check = column_check(table, col);
	const ConvForeignKey *fk = column_reference(table, col);

	emit_scalar(em, col->name, false);
	begin_mapping(em, true);
	emit_pair(em, "type", col->type_name);
	if (col->not_null && !col->identity)
		emit_pair(em, "nullable", "false");
	if (col->default_expr)
		emit_pair(em, "default", col->default_expr);
	if (col->identity)
		emit_pair(em, "identity",
				  col->identity == ATTRIBUTE_IDENTITY_ALWAYS ?
				  "always" : "by default");
	if (col->generated)
		emit_pair(em, "generated", col->generated);
	if (col->collation)
		emit_pair(em, "collation", col->collation);
	if (check)
		emit_pair(em, "check", check->expr);
	if (column_is_unique(table, col))
		emit_pair(em, "unique", "true");
	if (fk)
	{
		emit_scalar(em, "references", false);
		begin_mapping(em, true);
		emit_pair(em, "table", referenced_table(schema, fk));
		emit_pair(em, "column", linitial(fk->ref_columns));
		emit_fk_actions(em, fk);
		end_mapping(em);
	}
	if (col->comment)
		emit_pair(em, "comment", col->comment);
	end_mapping(em);
}

static bool
table_has_named_checks(const ConvTable *table)
{
	ListCell   *lc;

	foreach(lc, table->checks)
		if (((ConvCheck *) lfirst(lc))->column == NULL)
			return true;
	return false;
}

static void
emit_table(Emitter *em, const char *schema, const ConvTable *table)
{
	ListCell   *lc;

	emit_scalar(em, table->name, false);
	begin_mapping(em, false);
	if (table->comment)
		emit_pair(em, "comment", table->comment);
	emit_scalar(em, "columns", false);
	begin_mapping(em, false);
	foreach(lc, table->columns)
		emit_column(em, schema, table, lfirst(lc));
	end_mapping(em);
	emit_keys(em, table);
	emit_foreign_keys(em, schema, table);
	emit_indexes(em, table);
	if (table_has_named_checks(table))
	{
		emit_scalar(em, "checks", false);
		begin_mapping(em, false);
		foreach(lc, table->checks)
		{
			ConvCheck  *check = lfirst(lc);

			if (check->column == NULL)
				emit_pair(em, check->name, check->expr);
		}
		end_mapping(em);
	}
	end_mapping(em);
}

static void
emit_domains(Emitter *em, List *domains)
{
	ListCell   *lc,
			   *cc;

	emit_scalar(em, "domains", false);
	begin_mapping(em, false);
	foreach(lc, domains)
	{
		ConvDomain *d = lfirst(lc);

		emit_scalar(em, d->name, false);
		begin_mapping(em, true);
		emit_pair(em, "type", d->type_name);
		if (d->not_null)
			emit_pair(em, "nullable", "false");
		if (d->default_expr)
			emit_pair(em, "default", d->default_expr);
		if (d->collation)
			emit_pair(em, "collation", d->collation);
		if (d->checks)
		{
			emit_scalar(em, "checks", false);
			begin_mapping(em, true);
			foreach(cc, d->checks)
				emit_pair(em, ((ConvCheck *) lfirst(cc))->name,
						  ((ConvCheck *) lfirst(cc))->expr);
			end_mapping(em);
		}
		if (d->comment)
			emit_pair(em, "comment", d->comment);
		end_mapping(em);
	}
	end_mapping(em);
}

static void
emit_document(Emitter *em, const ConvModel *model)
{
	yaml_event_t event;
	ListCell   *sc,
			   *tc;

	yaml_stream_start_event_initialize(&event, YAML_UTF8_ENCODING);
	emit(em, &event);
	yaml_document_start_event_initialize(&event, NULL, NULL, NULL, 1);
	emit(em, &event);

	begin_mapping(em, false);
	emit_pair(em, "version", "1");
	emit_scalar(em, "schemas", false);
	begin_mapping(em, false);
	foreach(sc, model->schemas)
	{
		ConvSchema *schema = lfirst(sc);

		emit_scalar(em, schema->name, false);
		begin_mapping(em, schema->tables == NIL && schema->enums == NIL &&
					  schema->domains == NIL);
		if (schema->enums)
		{
			emit_scalar(em, "enums", false);
			begin_mapping(em, false);
			foreach(tc, schema->enums)
			{
				ConvEnum   *e = lfirst(tc);

				emit_scalar(em, e->name, false);
				begin_mapping(em, true);
				emit_scalar(em, "values", false);
				emit_strings(em, e->values);
				if (e->comment)
					emit_pair(em, "comment", e->comment);
				end_mapping(em);
			}
			end_mapping(em);
		}
		if (schema->domains)
			emit_domains(em, schema->domains);
		if (schema->tables)
		{
			emit_scalar(em, "tables", false);
			begin_mapping(em, false);
			foreach(tc, schema->tables)
				emit_table(em, schema->name, lfirst(tc));
			end_mapping(em);
		}
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
