/*
 * replay.c
 *	  For the state replay and the fuzzer only (test/fuzz): a transition
 *	  function that hands each row's bytea to an aggregate's real
 *	  deserialize function and combines the result into the group's state
 *	  with its real combine function, both called through fmgr from inside
 *	  a real aggregate (fcinfo->context is the caller's AggState), exactly
 *	  as the leader of a parallel query calls them on its workers' states.
 *	  Built by test/fuzz/replay.sh into a temporary directory and loaded
 *	  from there by path; never installed.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(replay_trans);

/*
 * Call sites of the deserialize function: a state deserialized at one site
 * shares that site's caches (the SKU dictionary of cp_active_entitlements)
 * with every other state deserialized there, and none with another site's.
 */
#define REPLAY_SITES 2

/* What a replay_trans call site keeps in its fn_extra. */
typedef struct ReplaySite
{
	Oid			deserialize;
	Oid			combine;
	FmgrInfo	deserialize_fn[REPLAY_SITES];
	FmgrInfo	combine_fn;
} ReplaySite;

/* The functions of this call site, looked up on its first row. */
static ReplaySite *
GetReplaySite(FunctionCallInfo fcinfo, Oid deserialize, Oid combine)
{
	ReplaySite *rs = (ReplaySite *) fcinfo->flinfo->fn_extra;
	MemoryContext mcxt = fcinfo->flinfo->fn_mcxt;

	if (rs != NULL)
	{
		if (rs->deserialize != deserialize || rs->combine != combine)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("replay_trans: the support functions must be the same on every row")));
		return rs;
	}
	rs = MemoryContextAllocZero(mcxt, sizeof(ReplaySite));
	rs->deserialize = deserialize;
	rs->combine = combine;
	for (int i = 0; i < REPLAY_SITES; i++)
		fmgr_info_cxt(deserialize, &rs->deserialize_fn[i], mcxt);
	fmgr_info_cxt(combine, &rs->combine_fn, mcxt);
	fcinfo->flinfo->fn_extra = rs;
	return rs;
}

/*
 * replay_trans(state internal, serialized bytea, site int4,
 *				deserialize regprocedure, combine regprocedure) -> internal
 *
 * state := combine(state, deserialize(serialized)), deserialize being
 * called at the given site (0 or 1).  A NULL serialized state leaves the
 * state as it is, as in a real aggregate (deserialize is strict).
 */
Datum
replay_trans(PG_FUNCTION_ARGS)
{
	ReplaySite *rs;
	int32		site;
	Datum		partial;
	Datum		result;

	if (!AggCheckCallContext(fcinfo, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("replay_trans can only be called by an aggregate")));
	if (PG_ARGISNULL(2) || PG_ARGISNULL(3) || PG_ARGISNULL(4))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("replay_trans: site, deserialize and combine must not be NULL")));
	site = PG_GETARG_INT32(2);
	if (site < 0 || site >= REPLAY_SITES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("replay_trans: site %d is not between 0 and %d",
						site, REPLAY_SITES - 1)));
	rs = GetReplaySite(fcinfo, PG_GETARG_OID(3), PG_GETARG_OID(4));

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}

	/* deserialize(bytea, internal): the second argument is a dummy */
	{
		LOCAL_FCINFO(dfcinfo, 2);

		InitFunctionCallInfoData(*dfcinfo, &rs->deserialize_fn[site], 2,
								 InvalidOid, fcinfo->context, NULL);
		dfcinfo->args[0].value = PG_GETARG_DATUM(1);
		dfcinfo->args[0].isnull = false;
		dfcinfo->args[1].value = (Datum) 0;
		dfcinfo->args[1].isnull = false;
		partial = FunctionCallInvoke(dfcinfo);
		if (dfcinfo->isnull)
			elog(ERROR, "replay_trans: deserialize returned NULL");
	}

	/* combine(internal, internal), not strict */
	{
		LOCAL_FCINFO(cfcinfo, 2);

		InitFunctionCallInfoData(*cfcinfo, &rs->combine_fn, 2,
								 InvalidOid, fcinfo->context, NULL);
		cfcinfo->args[0].value = PG_ARGISNULL(0) ? (Datum) 0 : PG_GETARG_DATUM(0);
		cfcinfo->args[0].isnull = PG_ARGISNULL(0);
		cfcinfo->args[1].value = partial;
		cfcinfo->args[1].isnull = false;
		result = FunctionCallInvoke(cfcinfo);
		if (cfcinfo->isnull)
			PG_RETURN_NULL();
	}
	PG_RETURN_DATUM(result);
}
