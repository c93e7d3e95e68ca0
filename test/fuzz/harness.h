/*
 * harness.h
 *	  Shared between the fuzz target/replay driver (fuzz_state.c) and the
 *	  seed generator (gen_corpus.c).
 *
 * An input is one selector byte and then a serialized state:
 *	 bit 0 of the selector: 0 = cp_active_entitlements, 1 =
 *		 cp_qualified_individuals;
 *	 bit 1: pass the state as a bytea with a 1-byte (short) varlena header
 *		 when it is short enough, as a value read from a tuple may be;
 *	 the other bits are ignored.
 */
#ifndef COMPETENCY_FUZZ_HARNESS_H
#define COMPETENCY_FUZZ_HARNESS_H

#include "postgres.h"

#include "fmgr.h"

#define SEL_INDIVIDUALS	0x01
#define SEL_SHORT_HEADER	0x02

typedef Datum (*AggFn) (PG_FUNCTION_ARGS);

typedef struct Agg
{
	const char *name;
	AggFn		trans;
	AggFn		final;
	AggFn		combine;
	AggFn		serialize;
	AggFn		deserialize;
	bool		final_int32;	/* else int64 */
} Agg;

extern const Agg harness_aggs[2];

/* Call fn; false (and stub_last_error set) if it raised an ERROR. */
extern bool harness_call(AggFn fn, FmgrInfo *flinfo, Oid collation, int nargs,
						 const Datum *args, const bool *nulls,
						 Datum *result, bool *resnull);

/* A zeroed FmgrInfo whose fn_mcxt is mcxt. */
extern void harness_flinfo(FmgrInfo *fl, MemoryContext mcxt);

/* Per-run contexts: set up, and tear down with everything in them. */
typedef struct HarnessRun
{
	MemoryContext root;
	MemoryContext aggcxt;		/* AggCheckCallContext's */
	MemoryContext fncxt;		/* every FmgrInfo's fn_mcxt */
	MemoryContext tmpcxt;		/* CurrentMemoryContext */
} HarnessRun;

extern void harness_begin(HarnessRun *run, Size input_size);
extern void harness_end(HarnessRun *run);

/* Seed generation (gen_corpus.c); returns a process exit status. */
extern int	generate_corpus(const char *dir);

#endif							/* COMPETENCY_FUZZ_HARNESS_H */
