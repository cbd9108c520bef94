/*-------------------------------------------------------------------------
 *
 * policy.c
 *	  Row level security and policies: parsed, not converged yet.
 *
 * A table may declare them so that a document can be written ahead of the
 * version that converges them; the kind plans nothing, so such a document
 * is refused when planned, naming every key.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "kinds/kinds.h"

static const KeySpec rls_keys[] = {
	{"enabled", V_BOOL},
	{"forced", V_BOOL},
	{NULL}
};

static const KeySpec policy_keys[] = {
	{"command", V_STRING},
	{"roles", V_STRINGS},
	{"using", V_EXPR},
	{"with_check", V_EXPR},
	{"permissive", V_BOOL},
	{NULL}
};

static const KeySpec policy_doc_keys[] = {
	{"row_level_security", V_MAPPING, rls_keys},
	{"policies", V_NAMED, policy_keys},
	{NULL}
};

const ConvKindOps policy_kind = {
	.name = "policy",
	.doc_place = DOC_TABLE,
	.doc_keys = policy_doc_keys,
};
