/*
 * aggsite.h
 *	  What the two aggregates' support functions share: the call site's
 *	  cache (fn_extra) and the check that a support function is called by
 *	  an aggregate.
 */
#ifndef COMPETENCY_AGGSITE_H
#define COMPETENCY_AGGSITE_H

#include "fmgr.h"

#include "keytype.h"
#include "skus.h"

/*
 * What a support function keeps between calls in its fn_extra: the key
 * types met at the call site and, for cp_active_entitlements, the SKUs and
 * spellings seen there.  Every group's state at the call site shares them.
 */
typedef struct AggSite
{
	KeyType    *keytypes;
	SkuDict    *skus;
} AggSite;

extern AggSite *agg_site(FunctionCallInfo fcinfo);
extern MemoryContext agg_context(FunctionCallInfo fcinfo);

#endif							/* COMPETENCY_AGGSITE_H */
