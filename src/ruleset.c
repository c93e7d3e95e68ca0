/*
 * ruleset.c
 *	  Rule sets: the built-in one described from the compiled rules, the
 *	  others read through cp_rule_set_spec, both made into the same lookup
 *	  tables; and the cache of the scalar functions.
 *
 * cp_rule_set_spec(rule_set text) returns a cp_rule_spec: problem and
 * sqlstate (a set that cannot be evaluated: 42704, no such set, or 55000,
 * incomplete), then the canonical workloads, every accepted spelling and
 * canonical name with the 1-based workload each names, the canonical
 * credentials, the paths as (path number, 1-based credential) pairs, and
 * the thresholds (silver developed, silver developing, gold developed,
 * gold developing).  It is found in the extension's schema and called
 * through fmgr, so that it runs as SECURITY DEFINER: callers need no grant
 * on the rule tables.  What it returns is checked; a description that
 * breaks the promises above is an internal error, and a set larger than
 * this implementation evaluates is a problem of the set (54000).
 *
 * A row's workload or credential is looked up folded (rules.c's folding) in an open-addressing table of the set's folded names: one hash
 * and, mostly, one comparison, however many names the set has.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/indexing.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "common/hashfn.h"
#include "nodes/makefuncs.h"
#include "parser/parse_func.h"
#include "storage/proc.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/typcache.h"

#include "ruleset.h"

#define EXTENSION_NAME "competency"
#define SPEC_FUNCTION "cp_rule_set_spec"
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

/* The description of a set, from the compiled rules or cp_rule_set_spec. */
typedef struct RuleSpec
{
	int			nworkloads;
	const char *const *workloads;
	int			nspellings;
	const char *const *spellings;
	int		   *spelling_workloads; /* 0-based */
	int			ncredentials;
	const char *const *credentials;
	int			npaths;
	CpCredentials *paths;
	CpThresholds thresholds;
} RuleSpec;

/* The attributes of cp_rule_spec, in order. */
enum
{
	SPEC_PROBLEM,
	SPEC_SQLSTATE,
	SPEC_WORKLOADS,
	SPEC_SPELLINGS,
	SPEC_SPELLING_WORKLOADS,
	SPEC_CREDENTIALS,
	SPEC_PATHS,
	SPEC_PATH_CREDENTIALS,
	SPEC_MIN_ENTITLEMENTS,
	SPEC_MIN_INDIVIDUALS,
	SPEC_NATTS
};

static const Oid spec_types[SPEC_NATTS] = {
	TEXTOID, TEXTOID, TEXTARRAYOID, TEXTARRAYOID, INT4ARRAYOID,
	TEXTARRAYOID, INT4ARRAYOID, INT4ARRAYOID, INT8ARRAYOID, INT4ARRAYOID
};

/* The thresholds' order in min_entitlements and min_individuals. */
#define SPEC_NUM_THRESHOLDS 4
static const CpLevel spec_levels[SPEC_NUM_THRESHOLDS] = {
	CP_LEVEL_SILVER, CP_LEVEL_SILVER, CP_LEVEL_GOLD, CP_LEVEL_GOLD
};
static const CpMarket spec_markets[SPEC_NUM_THRESHOLDS] = {
	CP_MARKET_DEVELOPED, CP_MARKET_DEVELOPING, CP_MARKET_DEVELOPED, CP_MARKET_DEVELOPING
};

/* What cp_rule_set_spec returned breaks its promises. */
#define SPEC_ERROR(set, ...) \
	ereport(ERROR, \
			(errcode(ERRCODE_INTERNAL_ERROR), \
			 errmsg("%s returned a malformed description of rule set \"%s\"", \
					SPEC_FUNCTION, (set)), \
			 errdetail(__VA_ARGS__)))

/* The snapshot a scalar function's sets were read under. */
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

/* A set a scalar function's call site read. */
typedef struct CachedSet
{
	const RuleSet *rs;
	int			len;			/* of its name */
	struct CachedSet *next;
} CachedSet;

static const RuleSet *builtin = NULL;

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
			SPEC_ERROR(rs->name, "The name \"%.32s...\" is longer than %d bytes.",
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
		SPEC_ERROR(rs->name, "The spelling \"%.32s...\" is longer than %d bytes.",
				   s, CP_MAX_NAME_BYTES);
	had = FoldTableAdd(rs->workload_tab, mcxt, s, w, &len);
	if (len <= 0)
		SPEC_ERROR(rs->name, "The workload name or spelling \"%s\" folds to nothing.", s);
	if (had >= 0 && had != w)
		SPEC_ERROR(rs->name, "\"%s\" names both workload \"%s\" and \"%s\".",
				   s, rs->workloads[had], rs->workloads[w]);
}

/* Add credential c: no other may fold alike. */
static void
AddCredentialName(RuleSet *rs, MemoryContext mcxt, int c)
{
	int			len;
	int			had = FoldTableAdd(rs->credential_tab, mcxt, rs->credentials[c], c, &len);

	if (len <= 0)
		SPEC_ERROR(rs->name, "The credential \"%s\" folds to nothing.",
				   rs->credentials[c]);
	if (had >= 0)
		SPEC_ERROR(rs->name, "The credentials \"%s\" and \"%s\" fold alike.",
				   rs->credentials[had], rs->credentials[c]);
}

/* The set a description describes, in mcxt (with its problem if too large). */
static const RuleSet *
BuildRuleSet(const RuleSpec *spec, const char *name, int len, MemoryContext mcxt)
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

/*
 * The built-in set, made once per process from the compiled rules (which
 * never change, so it is kept across queries).
 */
const RuleSet *
ruleset_builtin(void)
{
	if (unlikely(builtin == NULL))
	{
		RuleSpec	spec;

		BuiltinSpec(&spec);
		builtin = BuildRuleSet(&spec, CP_BUILTIN_RULE_SET,
							   strlen(CP_BUILTIN_RULE_SET), TopMemoryContext);
		Assert(builtin->problem == NULL);
	}
	return builtin;
}

/* Is this the built-in set's name? */
static inline bool
IsBuiltinName(const char *name, int len)
{
	return len == sizeof(CP_BUILTIN_RULE_SET) - 1 &&
		memcmp(name, CP_BUILTIN_RULE_SET, len) == 0;
}

/* ---------- a set read through cp_rule_set_spec ---------- */

/* The schema of an extension (commands/extension.c keeps its own static). */
static Oid
ExtensionSchema(Oid extoid)
{
	Relation	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	Oid			nsp = InvalidOid;

	ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(extoid));
	scan = systable_beginscan(rel, ExtensionOidIndexId, true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
		nsp = ((Form_pg_extension) GETSTRUCT(tup))->extnamespace;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	if (!OidIsValid(nsp))
		elog(ERROR, "extension %u has no schema", extoid);
	return nsp;
}

/* cp_rule_set_spec(text) of the extension's schema, ready to call, in mcxt. */
static FmgrInfo *
SpecFunction(MemoryContext mcxt)
{
	Oid			nsp = ExtensionSchema(get_extension_oid(EXTENSION_NAME, false));
	Oid			argtype = TEXTOID;
	Oid			fn;
	FmgrInfo   *finfo;

	fn = LookupFuncName(list_make2(makeString(get_namespace_name(nsp)),
								   makeString(SPEC_FUNCTION)),
						1, &argtype, false);
	finfo = MemoryContextAllocZero(mcxt, sizeof(FmgrInfo));
	fmgr_info_cxt(fn, finfo, mcxt);
	return finfo;
}

/* Check that the row is a cp_rule_spec: its attributes, of their types. */
static void
CheckSpecType(TupleDesc desc, const char *set)
{
	if (desc->natts != SPEC_NATTS)
		SPEC_ERROR(set, "It has %d attributes, not %d.", desc->natts, SPEC_NATTS);
	for (int i = 0; i < SPEC_NATTS; i++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, i);

		if (a->attisdropped || a->atttypid != spec_types[i])
			SPEC_ERROR(set, "Its attribute %d is of type %s, not %s.", i + 1,
					   format_type_be(a->atttypid), format_type_be(spec_types[i]));
	}
}

/* The elements of a one-dimensional array attribute, none NULL. */
static Datum *
SpecArray(Datum d, bool isnull, Oid elemtype, const char *set,
		  const char *what, int *n)
{
	ArrayType  *a;
	Datum	   *elems;
	bool	   *nulls;
	int16		typlen;
	bool		typbyval;
	char		typalign;

	if (isnull)
		SPEC_ERROR(set, "Its %s are NULL.", what);
	a = DatumGetArrayTypeP(d);
	if (ARR_NDIM(a) > 1)
		SPEC_ERROR(set, "Its %s are an array of %d dimensions.", what, ARR_NDIM(a));
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	deconstruct_array(a, elemtype, typlen, typbyval, typalign, &elems, &nulls, n);
	for (int i = 0; i < *n; i++)
	{
		if (nulls[i])
			SPEC_ERROR(set, "Its %s hold a NULL.", what);
	}
	return elems;
}

/* A text[] attribute as C strings. */
static const char **
SpecNames(Datum d, bool isnull, const char *set, const char *what, int *n)
{
	Datum	   *elems = SpecArray(d, isnull, TEXTOID, set, what, n);
	const char **names = palloc(Max(*n, 1) * sizeof(char *));

	for (int i = 0; i < *n; i++)
		names[i] = TextDatumGetCString(elems[i]);
	return names;
}

/* An int4[] attribute of 1-based positions among n, made 0-based. */
static int *
SpecPositions(Datum d, bool isnull, int n, const char *set, const char *what,
			  int *count)
{
	Datum	   *elems = SpecArray(d, isnull, INT4OID, set, what, count);
	int		   *pos = palloc(Max(*count, 1) * sizeof(int));

	for (int i = 0; i < *count; i++)
	{
		pos[i] = DatumGetInt32(elems[i]) - 1;
		if (pos[i] < 0 || pos[i] >= n)
			SPEC_ERROR(set, "Its %s hold %d, not a position from 1 to %d.",
					   what, pos[i] + 1, n);
	}
	return pos;
}

/* The workloads and spellings of a description. */
static void
SpecWorkloads(RuleSpec *spec, const Datum *v, const bool *nulls, const char *set)
{
	int			n;

	spec->workloads = SpecNames(v[SPEC_WORKLOADS], nulls[SPEC_WORKLOADS], set,
								"workloads", &spec->nworkloads);
	spec->spellings = SpecNames(v[SPEC_SPELLINGS], nulls[SPEC_SPELLINGS], set,
								"spellings", &spec->nspellings);
	if (spec->nworkloads > CP_MAX_WORKLOADS)
		return;					/* too large: nothing more is read */
	spec->spelling_workloads = SpecPositions(v[SPEC_SPELLING_WORKLOADS],
											 nulls[SPEC_SPELLING_WORKLOADS],
											 spec->nworkloads, set,
											 "spelling_workloads", &n);
	if (n != spec->nspellings)
		SPEC_ERROR(set, "It has %d spellings but %d spelling_workloads.",
				   spec->nspellings, n);
}

static int
CompareInt32(const void *a, const void *b)
{
	int32		x = *(const int32 *) a;
	int32		y = *(const int32 *) b;

	return (x > y) - (x < y);
}

/* How many distinct numbers n path numbers hold (each must be 1 or more). */
static int
CountPaths(const Datum *numbers, int n, const char *set)
{
	int32	   *sorted = palloc(Max(n, 1) * sizeof(int32));
	int			npaths = 0;

	for (int i = 0; i < n; i++)
	{
		sorted[i] = DatumGetInt32(numbers[i]);
		if (sorted[i] < 1)
			SPEC_ERROR(set, "It has path number %d.", sorted[i]);
	}
	qsort(sorted, n, sizeof(int32), CompareInt32);
	for (int i = 0; i < n; i++)
	{
		if (i == 0 || sorted[i] != sorted[i - 1])
			npaths++;
	}
	pfree(sorted);
	return npaths;
}

/* The credentials and paths of a description. */
static void
SpecPaths(RuleSpec *spec, const Datum *v, const bool *nulls, const char *set)
{
	int			npairs;
	int			n;
	Datum	   *numbers;
	int		   *creds;
	int32	   *seen;

	spec->credentials = SpecNames(v[SPEC_CREDENTIALS], nulls[SPEC_CREDENTIALS],
								  set, "credentials", &spec->ncredentials);
	numbers = SpecArray(v[SPEC_PATHS], nulls[SPEC_PATHS], INT4OID, set,
						"paths", &npairs);
	spec->npaths = CountPaths(numbers, npairs, set);
	if (spec->ncredentials > CP_MAX_CREDENTIALS || spec->npaths > CP_MAX_PATHS)
		return;					/* too large: nothing more is read */
	creds = SpecPositions(v[SPEC_PATH_CREDENTIALS], nulls[SPEC_PATH_CREDENTIALS],
						  spec->ncredentials, set, "path_credentials", &n);
	if (n != npairs)
		SPEC_ERROR(set, "It has %d paths but %d path_credentials.", npairs, n);
	/* each path's credentials, paths in the order first met */
	spec->paths = palloc0(Max(spec->npaths, 1) * sizeof(CpCredentials));
	seen = palloc(Max(spec->npaths, 1) * sizeof(int32));
	n = 0;
	for (int i = 0; i < npairs; i++)
	{
		int			p = 0;

		while (p < n && seen[p] != DatumGetInt32(numbers[i]))
			p++;
		if (p == n)
			seen[n++] = DatumGetInt32(numbers[i]);
		spec->paths[p] |= (CpCredentials) 1 << creds[i];
	}
}

/* The thresholds of a description. */
static void
SpecThresholds(RuleSpec *spec, const Datum *v, const bool *nulls, const char *set)
{
	int			ne;
	int			ni;
	Datum	   *ent = SpecArray(v[SPEC_MIN_ENTITLEMENTS], nulls[SPEC_MIN_ENTITLEMENTS],
								INT8OID, set, "min_entitlements", &ne);
	Datum	   *ind = SpecArray(v[SPEC_MIN_INDIVIDUALS], nulls[SPEC_MIN_INDIVIDUALS],
								INT4OID, set, "min_individuals", &ni);
	CpThresholds *t = &spec->thresholds;

	if (ne != SPEC_NUM_THRESHOLDS || ni != SPEC_NUM_THRESHOLDS)
		SPEC_ERROR(set, "It has %d min_entitlements and %d min_individuals, not %d of each.",
				   ne, ni, SPEC_NUM_THRESHOLDS);
	memset(t, 0, sizeof(CpThresholds));
	for (int i = 0; i < SPEC_NUM_THRESHOLDS; i++)
	{
		t->entitlements[spec_levels[i]][spec_markets[i]] = DatumGetInt64(ent[i]);
		t->individuals[spec_levels[i]][spec_markets[i]] = DatumGetInt32(ind[i]);
		if (DatumGetInt64(ent[i]) < 0 || DatumGetInt32(ind[i]) < 0)
			SPEC_ERROR(set, "Its threshold %d is negative.", i + 1);
	}
	for (int l = CP_LEVEL_SILVER; l < CP_NUM_LEVELS; l++)
	{
		if (t->individuals[l][CP_MARKET_DEVELOPED] != t->individuals[l][CP_MARKET_DEVELOPING])
			SPEC_ERROR(set, "Its markets require different numbers of individuals for %s.",
					   cp_level_labels[l]);
	}
}

/* The problem a description reports, by its SQLSTATE. */
static RuleProblemKind
SpecProblemKind(Datum sqlstate, bool isnull, const char *set)
{
	char	   *s = isnull ? "" : TextDatumGetCString(sqlstate);

	if (strcmp(s, "42704") == 0)
		return RULE_PROBLEM_UNDEFINED;
	if (strcmp(s, "55000") == 0)
		return RULE_PROBLEM_INCOMPLETE;
	SPEC_ERROR(set, "Its problem has SQLSTATE \"%s\", not 42704 or 55000.", s);
	pg_unreachable();
}

/* The set cp_rule_set_spec described, in mcxt. */
static const RuleSet *
SetFromSpec(Datum result, const char *name, int len, MemoryContext mcxt)
{
	HeapTupleHeader td = DatumGetHeapTupleHeader(result);
	TupleDesc	desc = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(td),
											  HeapTupleHeaderGetTypMod(td));
	HeapTupleData tup;
	Datum		v[SPEC_NATTS];
	bool		nulls[SPEC_NATTS];
	const char *set = pnstrdup(name, len);
	RuleSpec	spec;

	CheckSpecType(desc, set);
	tup.t_len = HeapTupleHeaderGetDatumLength(td);
	ItemPointerSetInvalid(&tup.t_self);
	tup.t_tableOid = InvalidOid;
	tup.t_data = td;
	heap_deform_tuple(&tup, desc, v, nulls);
	ReleaseTupleDesc(desc);

	if (!nulls[SPEC_PROBLEM])
		return ProblemSet(NewRuleSet(mcxt, name, len), mcxt,
						  SpecProblemKind(v[SPEC_SQLSTATE], nulls[SPEC_SQLSTATE], set),
						  TextDatumGetCString(v[SPEC_PROBLEM]));
	memset(&spec, 0, sizeof(spec));
	SpecWorkloads(&spec, v, nulls, set);
	SpecPaths(&spec, v, nulls, set);
	if (spec.nworkloads <= CP_MAX_WORKLOADS && spec.ncredentials <= CP_MAX_CREDENTIALS &&
		spec.npaths <= CP_MAX_PATHS)
		SpecThresholds(&spec, v, nulls, set);
	return BuildRuleSet(&spec, name, len, mcxt);
}

/* cp_rule_set_spec(name), which must not be NULL. */
static Datum
CallSpec(FmgrInfo *fn, const char *name, int len)
{
	LOCAL_FCINFO(fcinfo, 1);
	Datum		result;

	InitFunctionCallInfoData(*fcinfo, fn, 1, DEFAULT_COLLATION_OID, NULL, NULL);
	fcinfo->args[0].value = PointerGetDatum(cstring_to_text_with_len(name, len));
	fcinfo->args[0].isnull = false;
	result = FunctionCallInvoke(fcinfo);
	if (fcinfo->isnull)
		SPEC_ERROR(pnstrdup(name, len), "It is NULL.");
	return result;
}

/*
 * The set named name (len bytes), in setcxt: the built-in one, or the one
 * cp_rule_set_spec describes now, with its problem if it cannot be
 * evaluated.  *spec_fn is cp_rule_set_spec, looked up (in fncxt) if NULL.
 */
const RuleSet *
ruleset_load(const char *name, int len, MemoryContext setcxt,
			 FmgrInfo **spec_fn, MemoryContext fncxt)
{
	if (IsBuiltinName(name, len))
		return ruleset_builtin();
	if (*spec_fn == NULL)
		*spec_fn = SpecFunction(fncxt);
	return SetFromSpec(CallSpec(*spec_fn, name, len), name, len, setcxt);
}

/* ---------- the scalar functions' cache ---------- */

/* The snapshot the statement reads under now (not valid: none). */
static void
TakeStamp(RuleSetStamp *s)
{
	Snapshot	snap;

	memset(s, 0, sizeof(RuleSetStamp));
	if (!ActiveSnapshotSet())
		return;
	snap = GetActiveSnapshot();
	s->valid = true;
	s->lxid = MyProc->lxid;
	s->subxid = GetCurrentSubTransactionId();
	s->xmin = snap->xmin;
	s->xmax = snap->xmax;
	s->curcid = snap->curcid;
	s->completed = snap->snapXactCompletionCount;
}

/* Do two stamps name snapshots that see the same rows? */
static bool
SameStamp(const RuleSetStamp *a, const RuleSetStamp *b)
{
	return a->valid && b->valid && a->lxid == b->lxid && a->subxid == b->subxid &&
		a->xmin == b->xmin && a->xmax == b->xmax && a->curcid == b->curcid &&
		a->completed == b->completed;
}

/*
 * The set named name, for a scalar function's call site: read once while
 * the statement's snapshot stays the same (so once a query, and again in a
 * PL/pgSQL loop that evaluates the same expression after a change), from
 * a context of the site's (fn_mcxt) that is emptied when it changes.
 */
const RuleSet *
ruleset_cached(RuleSetCache *cache, MemoryContext fn_mcxt, const char *name,
			   int len)
{
	RuleSetStamp now;
	CachedSet  *c;

	if (IsBuiltinName(name, len))
		return ruleset_builtin();
	if (cache->cxt == NULL)
	{
		cache->cxt = AllocSetContextCreate(fn_mcxt, "competency rule sets",
										   ALLOCSET_SMALL_SIZES);
		cache->stamp = MemoryContextAllocZero(fn_mcxt, sizeof(RuleSetStamp));
	}
	TakeStamp(&now);
	if (!SameStamp(&now, cache->stamp))
	{
		MemoryContextReset(cache->cxt);
		cache->sets = NULL;
		*cache->stamp = now;
	}
	for (c = cache->sets; c != NULL; c = c->next)
	{
		if (c->len == len && memcmp(c->rs->name, name, len) == 0)
			return c->rs;
	}
	c = MemoryContextAlloc(cache->cxt, sizeof(CachedSet));
	c->rs = ruleset_load(name, len, cache->cxt, &cache->spec_fn, fn_mcxt);
	c->len = len;
	c->next = cache->sets;
	cache->sets = c;
	return c->rs;
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
 * or -1: its folded form is a credential's, or "exam" and then one's.
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
