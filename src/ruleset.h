/*
 * ruleset.h
 *	  A rule set: the competency's rules under a name, in one form whether
 *	  they are the compiled ones (the built-in set, rules.c) or a set kept in
 *	  the extension's tables (read by rulespec.c): the canonical workloads
 *	  and the spellings that name them, the credentials and the paths that
 *	  qualify a person, and what each level requires.
 */
#ifndef COMPETENCY_RULESET_H
#define COMPETENCY_RULESET_H

#include "rules.h"

/* The compiled rules' name: evaluated without reading any table. */
#define CP_BUILTIN_RULE_SET "2017-07"

/* The SQL function that describes any other set (rulespec.c). */
#define CP_RULE_SPEC_FUNCTION "cp_rule_set_spec"

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

/*
 * A set as described to be made (ruleset_build): the description
 * cp_rule_set_spec returns, as C strings, positions from 0 and each path
 * as the bits of its credentials.
 */
typedef struct RuleSpec
{
	int			nworkloads;
	const char *const *workloads;
	int			nspellings;
	const char *const *spellings;
	int		   *spelling_workloads;
	int			ncredentials;
	const char *const *credentials;
	int			npaths;
	CpCredentials *paths;
	CpThresholds thresholds;
} RuleSpec;

/* A description of a set that breaks cp_rule_set_spec's promises. */
#define RULE_SPEC_ERROR(set, ...) \
	ereport(ERROR, \
			(errcode(ERRCODE_INTERNAL_ERROR), \
			 errmsg("%s returned a malformed description of rule set \"%s\"", \
					CP_RULE_SPEC_FUNCTION, (set)), \
			 errdetail(__VA_ARGS__)))

/* The built-in set, once made (ruleset_builtin). */
extern const RuleSet *cp_builtin_rule_set;

extern const RuleSet *ruleset_make_builtin(void);
extern const RuleSet *ruleset_build(const RuleSpec *spec, const char *name,
									int len, MemoryContext mcxt);
extern const RuleSet *ruleset_with_problem(const char *name, int len,
										   RuleProblemKind kind,
										   const char *message,
										   MemoryContext mcxt);
extern void ruleset_require(const RuleSet *rs);
extern void ruleset_raise(const RuleProblem *problem) pg_attribute_noreturn();

extern int	ruleset_workload(const RuleSet *rs, const char *s, size_t len);
extern int	ruleset_credential(const RuleSet *rs, const char *s, size_t len);
extern CpCredentials ruleset_credentials(const RuleSet *rs, const char *s, size_t len);

/* Is this (len bytes) the built-in set's name? */
static inline bool
ruleset_is_builtin(const char *name, int len)
{
	return len == sizeof(CP_BUILTIN_RULE_SET) - 1 &&
		memcmp(name, CP_BUILTIN_RULE_SET, len) == 0;
}

/*
 * The built-in set, made once per process from the compiled rules (which
 * never change, so it is kept across queries).  Inline: the forms without
 * rule_set ask for it on every row.
 */
static inline const RuleSet *
ruleset_builtin(void)
{
	if (likely(cp_builtin_rule_set != NULL))
		return cp_builtin_rule_set;
	return ruleset_make_builtin();
}

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
