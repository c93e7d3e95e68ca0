/*
 * rulespec.h
 *	  Reading a rule set by its name: the built-in one, or the one the
 *	  extension's SQL function cp_rule_set_spec describes under the
 *	  statement's snapshot.
 */
#ifndef COMPETENCY_RULESPEC_H
#define COMPETENCY_RULESPEC_H

#include "fmgr.h"

#include "ruleset.h"

/*
 * The snapshot a call site's rule data were read under: data read under one
 * stamp hold while the statement reads under the same one (once a query,
 * and again after any change, the transaction's own or a rollback's).
 */
typedef struct RuleSetStamp
{
	bool		valid;
	LocalTransactionId lxid;
	SubTransactionId subxid;
	TransactionId xmin;
	TransactionId xmax;
	CommandId	curcid;
	uint64		completed;
} RuleSetStamp;

/* Rule sets a scalar function's call site read, while the snapshot stays. */
typedef struct RuleSetCache
{
	MemoryContext cxt;			/* the sets; emptied when the snapshot changes */
	FmgrInfo   *spec_fn;		/* cp_rule_set_spec */
	struct CachedSet *sets;
	struct RuleSetStamp *stamp; /* the snapshot they were read under */
} RuleSetCache;

extern void rulespec_stamp_take(RuleSetStamp *s);
extern bool rulespec_stamp_same(const RuleSetStamp *a, const RuleSetStamp *b);
extern FmgrInfo *rulespec_extension_function(const char *name, int nargs,
											 const Oid *argtypes, MemoryContext mcxt);
extern const RuleSet *ruleset_load(const char *name, int len,
								   MemoryContext setcxt, FmgrInfo **spec_fn,
								   MemoryContext fncxt);
extern const RuleSet *ruleset_cached(RuleSetCache *cache, MemoryContext fn_mcxt,
									 const char *name, int len);

#endif							/* COMPETENCY_RULESPEC_H */
