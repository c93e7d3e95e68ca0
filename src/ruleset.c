/*
 * ruleset.c
 *	  Rule sets: made from a description (RuleSpec) into lookup tables, the
 *	  built-in one from the compiled rules, and what a row's workload or
 *	  credential names under a set.
 *
 * A row's workload or credential is looked up folded (rules.c's folding) in
 * an open-addressing table of the set's folded names: one hash and, mostly,
 * one comparison, however many names the set has.  A description that
 * breaks its promises (a name that folds to nothing, one that names two
 * workloads, two credentials that fold alike) is an internal error; a set
 * larger than this implementation evaluates is a problem of the set
 * (54000), raised when it is evaluated.
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "utils/memutils.h"

#include "ruleset.h"

#define EXAM_PREFIX "exam"
#define EXAM_PREFIX_LEN 4
/* the longest folded text a lookup compares, "exam" prefix included */
#define MAX_FOLDED (CP_MAX_NAME_BYTES + EXAM_PREFIX_LEN)

/* A folded name and what it names. */
typedef struct FoldEntry
{
	const char *key;			/* NULL: a free slot */
	int32		len;
	int32		value;
} FoldEntry;

struct FoldTable
{
	uint32		mask;			/* slots - 1, slots a power of two */
	int			maxlen;			/* the longest key */
	FoldEntry	slots[FLEXIBLE_ARRAY_MEMBER];
};

typedef struct FoldTable FoldTable;

const RuleSet *cp_builtin_rule_set = NULL;

/* ---------- lookup tables of folded names ---------- */

/* An empty table in mcxt for n names. */
static FoldTable *
FoldTableCreate(MemoryContext mcxt, int n)
{
	uint32		slots = 8;
	FoldTable  *t;

	while (slots < (uint32) n * 2)
		slots *= 2;
	t = MemoryContextAllocZero(mcxt, offsetof(FoldTable, slots) +
							   slots * sizeof(FoldEntry));
	t->mask = slots - 1;
	return t;
}

/*
 * The hash of a folded key: of its length and its first, middle and last
 * bytes.  A row is looked up once or twice, in a table of a few dozen
 * names, so a cheap hash beats a thorough one (a collision costs a
 * comparison).
 */
static inline uint32
FoldHash(const char *key, int len)
{
	uint32		h = (uint32) len;

	if (len > 0)
	{
		h = h * 31 + (unsigned char) key[0];
		h = h * 31 + (unsigned char) key[len / 2];
		h = h * 31 + (unsigned char) key[len - 1];
	}
	return murmurhash32(h);
}

/* The slot of a folded key: its entry, or the free slot it would take. */
static inline FoldEntry *
FoldTableSlot(const FoldTable *t, const char *key, int len)
{
	uint32		i = FoldHash(key, len) & t->mask;

	for (;; i = (i + 1) & t->mask)
	{
		const FoldEntry *e = &t->slots[i];

		if (e->key == NULL ||
			(e->len == len && memcmp(e->key, key, len) == 0))
			return (FoldEntry *) e;
	}
}

/* The value of a folded key, or -1. */
static inline int
FoldTableGet(const FoldTable *t, const char *key, int len)
{
	const FoldEntry *e = FoldTableSlot(t, key, len);

	return e->key != NULL ? e->value : -1;
}

/*
 * Add the folded form of s (not empty: *len says) as naming value.
 * Returns the value the folded form named already, or -1 if it is new.
 */
static int
FoldTableAdd(FoldTable *t, MemoryContext mcxt, const char *s, int value,
			 int *len)
{
	size_t		slen = strlen(s);
	char	   *folded = MemoryContextAlloc(mcxt, slen + 1);
	FoldEntry  *e;

	*len = cp_fold_text(s, slen, folded, slen + 1);
	if (*len <= 0)
		return -1;
	e = FoldTableSlot(t, folded, *len);
	if (e->key != NULL)
	{
		pfree(folded);
		return e->value;
	}
	e->key = folded;
	e->len = *len;
	e->value = value;
	t->maxlen = Max(t->maxlen, *len);
	return -1;
}

/* ---------- a set from its description ---------- */

/* A set named name in mcxt, empty. */
static RuleSet *
NewRuleSet(MemoryContext mcxt, const char *name, int len)
{
	RuleSet    *rs = MemoryContextAllocZero(mcxt, sizeof(RuleSet));
	char	   *copy = MemoryContextAlloc(mcxt, len + 1);

	memcpy(copy, name, len);
	copy[len] = '\0';
	rs->name = copy;
	return rs;
}

/* rs, which cannot be evaluated, and why. */
static const RuleSet *
ProblemSet(RuleSet *rs, MemoryContext mcxt, RuleProblemKind kind,
		   const char *message)
{
	RuleProblem *p = MemoryContextAlloc(mcxt, sizeof(RuleProblem));

	p->kind = kind;
	p->message = MemoryContextStrdup(mcxt, message);
	rs->problem = p;
	return rs;
}

/* The set named name (len bytes), in mcxt, which cannot be evaluated. */
const RuleSet *
ruleset_with_problem(const char *name, int len, RuleProblemKind kind,
					 const char *message, MemoryContext mcxt)
{
	return ProblemSet(NewRuleSet(mcxt, name, len), mcxt, kind, message);
}

/* Why a set of these sizes is beyond this implementation, or NULL. */
static const char *
TooLarge(const char *set, int nworkloads, int ncredentials, int npaths)
{
	const char *what = NULL;
	int			n = 0;
	int			max = 0;

	if (nworkloads > CP_MAX_WORKLOADS)
		what = "workloads", n = nworkloads, max = CP_MAX_WORKLOADS;
	else if (ncredentials > CP_MAX_CREDENTIALS)
		what = "credentials", n = ncredentials, max = CP_MAX_CREDENTIALS;
	else if (npaths > CP_MAX_PATHS)
		what = "paths", n = npaths, max = CP_MAX_PATHS;
	if (what == NULL)
		return NULL;
	return psprintf("rule set \"%s\" has %d %s, more than the %d competency can evaluate",
					set, n, what, max);
}

/* Copies of n names in mcxt; each must fit CP_MAX_NAME_BYTES. */
static const char **
CopyNames(const RuleSet *rs, MemoryContext mcxt, const char *const *names,
		  int n)
{
	const char **copy = MemoryContextAlloc(mcxt, Max(n, 1) * sizeof(char *));

	for (int i = 0; i < n; i++)
	{
		if (strlen(names[i]) > CP_MAX_NAME_BYTES)
			RULE_SPEC_ERROR(rs->name, "The name \"%.32s...\" is longer than %d bytes.",
					   names[i], CP_MAX_NAME_BYTES);
		copy[i] = MemoryContextStrdup(mcxt, names[i]);
	}
	return copy;
}

/* Add s, a name or spelling of workload w: it must name no other workload. */
static void
AddWorkloadName(RuleSet *rs, MemoryContext mcxt, const char *s, int w)
{
	int			len;
	int			had;

	if (strlen(s) > CP_MAX_NAME_BYTES)
		RULE_SPEC_ERROR(rs->name, "The spelling \"%.32s...\" is longer than %d bytes.",
				   s, CP_MAX_NAME_BYTES);
	had = FoldTableAdd(rs->workload_tab, mcxt, s, w, &len);
	if (len <= 0)
		RULE_SPEC_ERROR(rs->name, "The workload name or spelling \"%s\" folds to nothing.", s);
	if (had >= 0 && had != w)
		RULE_SPEC_ERROR(rs->name, "\"%s\" names both workload \"%s\" and \"%s\".",
				   s, rs->workloads[had], rs->workloads[w]);
}

/* Add credential c: no other may fold alike. */
static void
AddCredentialName(RuleSet *rs, MemoryContext mcxt, int c)
{
	int			len;
	int			had = FoldTableAdd(rs->credential_tab, mcxt, rs->credentials[c], c, &len);

	if (len <= 0)
		RULE_SPEC_ERROR(rs->name, "The credential \"%s\" folds to nothing.",
				   rs->credentials[c]);
	if (had >= 0)
		RULE_SPEC_ERROR(rs->name, "The credentials \"%s\" and \"%s\" fold alike.",
				   rs->credentials[had], rs->credentials[c]);
}

/* The set a description describes, in mcxt (with its problem if too large). */
const RuleSet *
ruleset_build(const RuleSpec *spec, const char *name, int len, MemoryContext mcxt)
{
	RuleSet    *rs = NewRuleSet(mcxt, name, len);
	const char *too_large = TooLarge(rs->name, spec->nworkloads,
									 spec->ncredentials, spec->npaths);

	if (too_large != NULL)
		return ProblemSet(rs, mcxt, RULE_PROBLEM_TOO_LARGE, too_large);
	rs->nworkloads = spec->nworkloads;
	rs->workloads = CopyNames(rs, mcxt, spec->workloads, spec->nworkloads);
	rs->workload_tab = FoldTableCreate(mcxt, spec->nworkloads + spec->nspellings);
	for (int w = 0; w < spec->nworkloads; w++)
		AddWorkloadName(rs, mcxt, rs->workloads[w], w);
	for (int i = 0; i < spec->nspellings; i++)
		AddWorkloadName(rs, mcxt, spec->spellings[i], spec->spelling_workloads[i]);

	rs->ncredentials = spec->ncredentials;
	rs->credentials = CopyNames(rs, mcxt, spec->credentials, spec->ncredentials);
	rs->credential_tab = FoldTableCreate(mcxt, spec->ncredentials);
	for (int c = 0; c < spec->ncredentials; c++)
		AddCredentialName(rs, mcxt, c);

	rs->npaths = spec->npaths;
	rs->paths = MemoryContextAlloc(mcxt, Max(spec->npaths, 1) * sizeof(CpCredentials));
	memcpy(rs->paths, spec->paths, spec->npaths * sizeof(CpCredentials));
	rs->thresholds = spec->thresholds;
	return rs;
}

/* ---------- the built-in set ---------- */

/* The compiled rules (rules.c), described as cp_rule_set_spec would. */
static void
BuiltinSpec(RuleSpec *spec)
{
	int			n = 0;
	const char **spellings;

	while (cp_workload_spellings[n].folded != NULL)
		n++;
	spec->nworkloads = CP_NUM_WORKLOADS;
	spec->workloads = cp_workload_names;
	spec->nspellings = n;
	spellings = palloc(n * sizeof(char *));
	spec->spelling_workloads = palloc(n * sizeof(int));
	for (int i = 0; i < n; i++)
	{
		spellings[i] = cp_workload_spellings[i].folded;
		spec->spelling_workloads[i] = cp_workload_spellings[i].value;
	}
	spec->spellings = spellings;
	spec->ncredentials = CP_NUM_CREDENTIALS;
	spec->credentials = cp_credential_names;
	spec->npaths = CP_NUM_PATHS;
	spec->paths = palloc(CP_NUM_PATHS * sizeof(CpCredentials));
	for (int i = 0; i < CP_NUM_PATHS; i++)
		spec->paths[i] = (CpCredentials) cp_credential_paths[i];
	spec->thresholds = cp_builtin_thresholds;
}

/* Make the built-in set, in memory kept for the life of the process. */
const RuleSet *
ruleset_make_builtin(void)
{
	if (cp_builtin_rule_set == NULL)
	{
		RuleSpec	spec;

		BuiltinSpec(&spec);
		cp_builtin_rule_set = ruleset_build(&spec, CP_BUILTIN_RULE_SET,
										   strlen(CP_BUILTIN_RULE_SET),
										   TopMemoryContext);
		Assert(cp_builtin_rule_set->problem == NULL);
	}
	return cp_builtin_rule_set;
}

/* ---------- evaluating ---------- */

/* Raise the error a set's problem is. */
void
ruleset_raise(const RuleProblem *problem)
{
	static const int codes[RULE_PROBLEM_LAST + 1] = {
		[RULE_PROBLEM_UNDEFINED] = ERRCODE_UNDEFINED_OBJECT,
		[RULE_PROBLEM_INCOMPLETE] = ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
		[RULE_PROBLEM_TOO_LARGE] = ERRCODE_PROGRAM_LIMIT_EXCEEDED
	};

	Assert(problem->kind > RULE_PROBLEM_NONE && problem->kind <= RULE_PROBLEM_LAST);
	ereport(ERROR,
			(errcode(codes[problem->kind]),
			 errmsg("%s", problem->message)));
	pg_unreachable();
}

/* The set's problem, raised, if it cannot be evaluated. */
void
ruleset_require(const RuleSet *rs)
{
	if (rs->problem != NULL)
		ruleset_raise(rs->problem);
}

/* The workload a row's workload names under the set, or -1. */
int
ruleset_workload(const RuleSet *rs, const char *s, size_t len)
{
	char		buf[MAX_FOLDED];
	int			n = cp_fold_text(s, len, buf, rs->workload_tab->maxlen);

	return n > 0 ? FoldTableGet(rs->workload_tab, buf, n) : -1;
}

/*
 * The credential (its bit number) a row's credential names under the set,
 * or -1: its folded form is a credential's, or "exam" and then one's (the
 * first when a set holds both "X" and "exam X": cp_credential's answer).
 */
int
ruleset_credential(const RuleSet *rs, const char *s, size_t len)
{
	char		buf[MAX_FOLDED];
	int			n = cp_fold_text(s, len, buf, rs->credential_tab->maxlen + EXAM_PREFIX_LEN);
	int			c;

	if (n <= 0)
		return -1;
	c = FoldTableGet(rs->credential_tab, buf, n);
	if (c < 0 && n > EXAM_PREFIX_LEN && memcmp(buf, EXAM_PREFIX, EXAM_PREFIX_LEN) == 0)
		c = FoldTableGet(rs->credential_tab, buf + EXAM_PREFIX_LEN, n - EXAM_PREFIX_LEN);
	return c;
}

/*
 * Every credential of the set a row's credential is: the one its folded
 * form names, and the one it names without a leading "exam" (a set may
 * hold both "X" and "exam X"); 0 for none.
 */
CpCredentials
ruleset_credentials(const RuleSet *rs, const char *s, size_t len)
{
	char		buf[MAX_FOLDED];
	int			n = cp_fold_text(s, len, buf, rs->credential_tab->maxlen + EXAM_PREFIX_LEN);
	CpCredentials creds = 0;
	int			c;

	if (n <= 0)
		return 0;
	c = FoldTableGet(rs->credential_tab, buf, n);
	if (c >= 0)
		creds |= (CpCredentials) 1 << c;
	if (n > EXAM_PREFIX_LEN && memcmp(buf, EXAM_PREFIX, EXAM_PREFIX_LEN) == 0)
	{
		c = FoldTableGet(rs->credential_tab, buf + EXAM_PREFIX_LEN, n - EXAM_PREFIX_LEN);
		if (c >= 0)
			creds |= (CpCredentials) 1 << c;
	}
	return creds;
}
