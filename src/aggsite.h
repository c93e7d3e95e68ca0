/*
 * aggsite.h
 *	  What the two aggregates' support functions share: the call site's
 *	  cache (fn_extra), the check that a support function is called by an
 *	  aggregate, and the start of their combine functions.
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

/* What both aggregates' states begin with, for agg_combine_begin. */
typedef struct StateHead
{
	KeyType    *kt;				/* key type, of the call site */
	bool		from_wire;		/* deserialized: combine adopts or frees it */
} StateHead;

/* Makes an empty state in aggcxt to merge the state like into. */
typedef StateHead *(*StateLike) (MemoryContext aggcxt, const StateHead *like);

extern AggSite *agg_site(FunctionCallInfo fcinfo);
extern MemoryContext agg_context(FunctionCallInfo fcinfo);
extern bool agg_combine_begin(FunctionCallInfo fcinfo, StateLike make_left,
							  StateHead **left, StateHead **right);

#endif							/* COMPETENCY_AGGSITE_H */
