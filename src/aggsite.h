/*
 * aggsite.h
 *	  What the two aggregates' support functions share: the call site's
 *	  cache (fn_extra), the check that a support function is called by an
 *	  aggregate, the rule set a state evaluates under (the forms with a
 *	  rule_set argument), and the start of their combine functions.
 */
#ifndef COMPETENCY_AGGSITE_H
#define COMPETENCY_AGGSITE_H

#include "fmgr.h"
#include "lib/stringinfo.h"

#include "keytype.h"
#include "rulespec.h"
#include "skus.h"

/*
 * A rule set named at a call site: read when a row first names it there
 * (deserialize, which only needs the name, never reads it), with the SKU
 * dictionary of its states.
 */
typedef struct SiteSet
{
	char	   *name;			/* NUL-terminated */
	int			len;
	const RuleSet *rs;			/* NULL until read */
	SkuDict    *skus;			/* cp_active_entitlements: made on first use */
	struct SiteSet *next;
} SiteSet;

/*
 * What a support function keeps between calls in its fn_extra, for the
 * query: the key types met at the call site; for cp_active_entitlements
 * without rule_set, the SKUs and spellings seen there (under the built-in
 * set); the rule sets named there, each read once.  Every group's state at
 * the call site shares them.
 */
typedef struct AggSite
{
	KeyType    *keytypes;
	SkuDict    *skus;
	SiteSet    *sets;
	FmgrInfo   *spec_fn;		/* cp_rule_set_spec, once a set is read */
} AggSite;

/*
 * The rule set of a state.  The forms without rule_set have no name and
 * evaluate under the built-in set; those with it, under the set their rows
 * name (a state is made by the first row naming one; every later row must
 * name the same).  A set that cannot be evaluated is recorded, and raised
 * by the final function: a later row naming another set is 22023 first.
 */
typedef struct StateRules
{
	const char *name;			/* NULL: the form without rule_set */
	int			len;
	const RuleSet *rs;			/* the set, once read in this process */
	const RuleProblem *problem; /* NULL: none recorded */
} StateRules;

/* What both aggregates' states begin with. */
typedef struct StateHead
{
	KeyType    *kt;				/* key type, of the call site */
	bool		from_wire;		/* deserialized: combine adopts or frees it */
	StateRules	rules;
} StateHead;

/* Makes an empty state in aggcxt to merge the state like into. */
typedef StateHead *(*StateLike) (MemoryContext aggcxt, const StateHead *like);

extern AggSite *agg_site(FunctionCallInfo fcinfo);
extern MemoryContext agg_context(FunctionCallInfo fcinfo);
extern bool agg_combine_begin(FunctionCallInfo fcinfo, StateLike make_left,
							  StateHead **left, StateHead **right);

extern SiteSet *agg_site_set(FunctionCallInfo fcinfo, const char *name,
							 int len, bool read);
extern void agg_rules_of(StateRules *rules, const SiteSet *set);
extern void agg_rules_differ(const StateRules *rules, const char *name,
							 int len) pg_attribute_noreturn();
extern const RuleSet *agg_rules_final(FunctionCallInfo fcinfo,
									  const StateRules *rules);
extern void agg_rules_send(StringInfo buf, const StateRules *rules);
extern SiteSet *agg_rules_recv(FunctionCallInfo fcinfo, StringInfo buf,
							   StateRules *rules);

/* 22023 unless a row's rule set (name, len bytes) is the state's. */
static inline void
agg_rules_check(const StateRules *rules, const char *name, int len)
{
	if (unlikely(len != rules->len || memcmp(name, rules->name, len) != 0))
		agg_rules_differ(rules, name, len);
}

#endif							/* COMPETENCY_AGGSITE_H */
