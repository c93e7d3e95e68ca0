/*
 * aggsite.c
 *	  The call-site cache, the context check and the start of combine that
 *	  both aggregates use.
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

/*
 * The start of a combine function, the same for both aggregates: *left and
 * *right are its states (NULL for NULL).  Returns false when there is
 * nothing to merge, *left being the result (NULL for NULL): the right state
 * is NULL, or the left one is and the right one was deserialized, so
 * belongs to this aggregate and is adopted as it is.  Otherwise returns
 * true: *left is a state (made by make_left if it was NULL) whose keys are
 * of the right state's type, to merge the right one into.
 */
bool
agg_combine_begin(FunctionCallInfo fcinfo, StateLike make_left,
				  StateHead **left, StateHead **right)
{
	MemoryContext aggcxt = agg_context(fcinfo);

	*left = PG_ARGISNULL(0) ? NULL : (StateHead *) PG_GETARG_POINTER(0);
	*right = PG_ARGISNULL(1) ? NULL : (StateHead *) PG_GETARG_POINTER(1);
	if (*right == NULL)
		return false;
	if (*left == NULL)
	{
		if ((*right)->from_wire)
		{
			(*right)->from_wire = false;
			*left = *right;
			return false;
		}
		*left = make_left(aggcxt, *right);
	}
	keytype_check_same((*left)->kt, (*right)->kt);
	return true;
}
