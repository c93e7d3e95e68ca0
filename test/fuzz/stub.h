/*
 * stub.h
 *	  The harness's side of the backend stub (stub.c): error trapping,
 *	  per-iteration memory contexts, and the few knobs a test sets.
 *
 * stub.c implements, against the real PostgreSQL 15 server headers, just
 * enough of the backend for src/keyhash.c, src/entitlements.c,
 * src/individuals.c and src/rules.c to compile and link unchanged.
 */
#ifndef COMPETENCY_FUZZ_STUB_H
#define COMPETENCY_FUZZ_STUB_H

#include "postgres.h"

#include <setjmp.h>

/*
 * Where errfinish() jumps for an ERROR.  A harness points this at its own
 * sigjmp_buf around every call into the code under test; an ERROR raised
 * while it is NULL (or a FATAL/PANIC) is a bug and aborts.
 */
extern sigjmp_buf *stub_error_jmp;

/* The last ERROR raised, formatted. */
typedef struct StubError
{
	int			elevel;
	int			sqlerrcode;
	char		message[512];
	char		detail[512];
	char		hint[256];
	const char *filename;
	int			lineno;
	const char *funcname;
} StubError;

extern StubError stub_last_error;

/* "XX000"-style text of a packed SQLSTATE; returns a static buffer. */
extern const char *stub_sqlstate(int sqlerrcode);

/* A new memory context (parent may be NULL for a top-level one). */
extern MemoryContext stub_context_create(MemoryContext parent,
										 const char *name);

/* The context AggCheckCallContext hands out. */
extern void stub_set_agg_context(MemoryContext cxt);

/* The type get_fn_expr_argtype() reports for any argument. */
extern void stub_set_argtype(Oid typid);

/*
 * Abort (a bug: an absurd allocation) when the bytes live in all contexts
 * would exceed limit; 0 means no limit.  Requests over MaxAllocSize (or
 * MaxAllocHugeSize) raise the server's ERROR instead, as palloc does.
 */
extern void stub_set_alloc_limit(Size limit);
extern Size stub_live_bytes(void);
extern Size stub_peak_bytes(void);
extern void stub_reset_peak(void);

/*
 * Emulated catalog.  Types: int4 (23), int8 (20), uuid (2950), text (25) and
 * one domain over int4 (STUB_DOMAIN_OID), every other type OID "does not
 * exist".  Collations: default (100), "C" (950), "POSIX" (951), and
 * STUB_CI_COLLATION_OID, a nondeterministic case-insensitive collation (as
 * CREATE COLLATION ... deterministic = false would make), so that text keys
 * can take the hash-function/equality-operator path of keyhash.c as well.
 */
#define STUB_DOMAIN_OID			16385
#define STUB_CI_COLLATION_OID	16384

#endif							/* COMPETENCY_FUZZ_STUB_H */
