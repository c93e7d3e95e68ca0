/*
 * ruleset.h
 *	  A rule set: the competency's rules under a name, in one form whether
 *	  they are the compiled ones (the built-in set, rules.c) or a set kept in
 *	  the extension's tables and read through its SQL function
 *	  cp_rule_set_spec: the canonical workloads and the spellings that name
 *	  them, the credentials and the paths that qualify a person, and what
 *	  each level requires.
 *
 * A set read from tables is read when a query first needs it, under the
 * statement's snapshot, and kept for that query only: by the call site that
 * read it (aggregates), or while the snapshot stays the same (RuleSetCache).
 */
#ifndef COMPETENCY_RULESET_H
#define COMPETENCY_RULESET_H

#include "fmgr.h"

#include "rules.h"

/* The compiled rules' name: evaluated without reading any table. */
#define CP_BUILTIN_RULE_SET "2017-07"

/* The most this implementation evaluates; a larger set is 54000. */
#define CP_MAX_WORKLOADS 64
#define CP_MAX_CREDENTIALS 64
#define CP_MAX_PATHS 64

/* The longest canonical name or spelling a set may hold, in bytes. */
#define CP_MAX_NAME_BYTES 256

/* A person's credentials: bit i for the set's credential i. */
typedef uint64 CpCredentials;

StaticAssertDecl(CP_MAX_CREDENTIALS <= sizeof(CpCredentials) * 8,
				 "every credential of a set has a bit");
StaticAssertDecl(CP_NUM_WORKLOADS <= CP_MAX_WORKLOADS &&
				 CP_NUM_CREDENTIALS <= CP_MAX_CREDENTIALS &&
				 CP_NUM_PATHS <= CP_MAX_PATHS,
				 "the built-in set is within the limits");

/* Why a set cannot be evaluated (numbered as serialized states carry it). */
typedef enum RuleProblemKind
{
	RULE_PROBLEM_NONE = 0,
	RULE_PROBLEM_UNDEFINED = 1, /* no such set: 42704 */
	RULE_PROBLEM_INCOMPLETE = 2,	/* 55000 */
	RULE_PROBLEM_TOO_LARGE = 3	/* beyond the limits above: 54000 */
} RuleProblemKind;

#define RULE_PROBLEM_LAST RULE_PROBLEM_TOO_LARGE

typedef struct RuleProblem
{
	RuleProblemKind kind;
	const char *message;		/* the error's message, naming the set */
} RuleProblem;

struct FoldTable;

typedef struct RuleSet
{
	const char *name;
	const RuleProblem *problem; /* NULL if the set can be evaluated */
	int			nworkloads;
	const char **workloads;		/* canonical names, by index */
	int			ncredentials;
	const char **credentials;	/* canonical names, by bit */
	int			npaths;
	CpCredentials *paths;		/* the credentials of each path */
	CpThresholds thresholds;
	struct FoldTable *workload_tab; /* folded spelling or name: workload */
	struct FoldTable *credential_tab;	/* folded name: credential bit */
} RuleSet;

/* Rule sets a scalar function's call site read, while the snapshot stays. */
typedef struct RuleSetCache
{
	MemoryContext cxt;			/* the sets; emptied when the snapshot changes */
	FmgrInfo   *spec_fn;		/* cp_rule_set_spec */
	struct CachedSet *sets;
	struct RuleSetStamp *stamp; /* the snapshot they were read under */
} RuleSetCache;

extern const RuleSet *ruleset_builtin(void);
extern const RuleSet *ruleset_load(const char *name, int len,
								   MemoryContext setcxt, FmgrInfo **spec_fn,
								   MemoryContext fncxt);
extern const RuleSet *ruleset_cached(RuleSetCache *cache, MemoryContext fn_mcxt,
									 const char *name, int len);
extern void ruleset_require(const RuleSet *rs);
extern void ruleset_raise(const RuleProblem *problem) pg_attribute_noreturn();

extern int	ruleset_workload(const RuleSet *rs, const char *s, size_t len);
extern int	ruleset_credential(const RuleSet *rs, const char *s, size_t len);

/* Does a person holding these credentials qualify (every one of a path)? */
static inline bool
ruleset_qualifies(const RuleSet *rs, CpCredentials creds)
{
	for (int i = 0; i < rs->npaths; i++)
	{
		if ((creds & rs->paths[i]) == rs->paths[i])
			return true;
	}
	return false;
}

#endif							/* COMPETENCY_RULESET_H */
