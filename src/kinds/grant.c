/*-------------------------------------------------------------------------
 *
 * grant.c
 *	  Grants on a table: parsed, not converged yet.
 *
 * A table may declare them so that a document can be written ahead of the
 * version that converges them; the kind plans nothing, so such a document
 * is refused when planned, naming every key.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "kinds/kinds.h"

static const KeySpec grant_doc_keys[] = {
	{"grants", V_NAMED_STRINGS},
	{NULL}
};

const ConvKindOps grant_kind = {
	.name = "grant",
	.doc_place = DOC_TABLE,
	.doc_keys = grant_doc_keys,
};
