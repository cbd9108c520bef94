/*-------------------------------------------------------------------------
 *
 * view.c
 *	  Views: parsed, not converged yet.
 *
 * A document may declare views so that it can be written ahead of the
 * version that converges them; the kind plans nothing, so such a document
 * is refused when planned, naming every key.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "kinds/kinds.h"

static const KeySpec view_keys[] = {
	{"query", V_QUERY},
	{"comment", V_STRING},
	{NULL}
};

static const KeySpec view_doc_keys[] = {
	{"views", V_NAMED, view_keys},
	{NULL}
};

const ConvKindOps view_kind = {
	.name = "view",
	.doc_place = DOC_SCHEMA,
	.doc_keys = view_doc_keys,
};
