/*
 * aggsite.c
 *	  The call-site cache and the context check both aggregates use.
 */
#include "postgres.h"

#include "utils/regproc.h"

#include "aggsite.h"

/* The call site's cache in fn_extra, made on first use. */
AggSite *
agg_site(FunctionCallInfo fcinfo)
{
	AggSite    *site = (AggSite *) fcinfo->flinfo->fn_extra;

	if (site == NULL)
	{
		site = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(AggSite));
		fcinfo->flinfo->fn_extra = site;
	}
	return site;
}

/*
 * The aggregate's memory context.  Support functions take "internal", so
 * SQL can reach them only with a NULL state; anything but a call from an
 * aggregate is refused.
 */
MemoryContext
agg_context(FunctionCallInfo fcinfo)
{
	MemoryContext aggcxt;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("function %s can only be called by an aggregate",
						format_procedure(fcinfo->flinfo->fn_oid))));
	return aggcxt;
}
