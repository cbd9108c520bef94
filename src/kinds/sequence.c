/*-------------------------------------------------------------------------
 *
 * sequence.c
 *	  Sequences.
 *
 * (being written)
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "kinds/kinds.h"

static const KeySpec sequence_keys[] = {
	{"type", V_STRING},
	{"start", V_INT},
	{"increment", V_INT},
	{"min_value", V_INT},
	{"max_value", V_INT},
	{"cache", V_INT},
	{"cycle", V_BOOL},
	{"owned_by", V_STRING},
	{"comment", V_STRING},
	{NULL}
};

static const KeySpec sequence_doc_keys[] = {
	{"sequences", V_NAMED, sequence_keys},
	{NULL}
};

const ConvKindOps sequence_kind = {
	.name = "sequence",
	.doc_place = DOC_SCHEMA,
	.doc_keys = sequence_doc_keys,
};
