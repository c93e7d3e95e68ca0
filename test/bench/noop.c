/*
 * noop.c
 *	  For make bench only: an aggregate with cp_active_entitlements'
 *	  arguments and an internal state that does nothing with its rows.  It
 *	  goes through the executor exactly as cp_active_entitlements does
 *	  (arguments evaluated per row, a call with the state, partial states
 *	  serialized by the workers and combined by the leader), so its time is
 *	  what any aggregate with this signature costs before doing any work.
 *	  Built by test/bench/bench.sh into a temporary directory; never
 *	  installed.
 */
#include "postgres.h"

#include "fmgr.h"
#include "libpq/pqformat.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(bench_noop_trans);
PG_FUNCTION_INFO_V1(bench_noop_final);
PG_FUNCTION_INFO_V1(bench_noop_combine);
PG_FUNCTION_INFO_V1(bench_noop_serialize);
PG_FUNCTION_INFO_V1(bench_noop_deserialize);

/* A state in the aggregate's memory, made on the first row. */
static int64 *
NewState(FunctionCallInfo fcinfo)
{
	MemoryContext aggcxt;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "bench_noop: not called by an aggregate");
	return MemoryContextAllocZero(aggcxt, sizeof(int64));
}

Datum
bench_noop_trans(PG_FUNCTION_ARGS)
{
	if (!PG_ARGISNULL(0))
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	PG_RETURN_POINTER(NewState(fcinfo));
}

Datum
bench_noop_final(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(0);
}

Datum
bench_noop_combine(PG_FUNCTION_ARGS)
{
	if (!PG_ARGISNULL(0))
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	if (!PG_ARGISNULL(1))
		PG_RETURN_POINTER(PG_GETARG_POINTER(1));
	PG_RETURN_NULL();
}

Datum
bench_noop_serialize(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint64(&buf, *(int64 *) PG_GETARG_POINTER(0));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

Datum
bench_noop_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	int64	   *st = NewState(fcinfo);

	if (VARSIZE_ANY_EXHDR(b) == sizeof(int64))
		memcpy(st, VARDATA_ANY(b), sizeof(int64));
	PG_RETURN_POINTER(st);
}
