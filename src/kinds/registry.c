/*-------------------------------------------------------------------------
 *
 * registry.c
 *	  The registry of object kinds: kindlist.h's lines as an array.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "kinds/kinds.h"

const ConvKindOps *const conv_kinds[NUM_KINDS] = {
#define CONV_KIND(symbol, ops) [symbol] = &ops,
#include "kinds/kindlist.h"
#undef CONV_KIND
};

bool
kind_plans(const ConvKindOps *ops)
{
	/* privileges are planned by the grant kind */
	if (ops->schema_grants || ops->grant_targets)
		return true;
	for (int action = 0; action < NUM_ACTIONS; action++)
		if (ops->plan[action])
			return true;
	return false;
}
