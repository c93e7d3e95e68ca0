/*
 * rulespec.c
 *	  Reading a rule set: the built-in one is the compiled rules; any other
 *	  is what the extension's SQL function cp_rule_set_spec describes, read
 *	  under the statement's snapshot.  An aggregate's call site reads each
 *	  set once for its query (aggsite.c); a scalar function's, while the
 *	  statement's snapshot stays the same (RuleSetCache).
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
 * breaks these promises is an internal error.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
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

#include "rulespec.h"

#define EXTENSION_NAME "competency"

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

/* A set a scalar function's call site read. */
typedef struct CachedSet
{
	const RuleSet *rs;
	int			len;			/* of its name */
	struct CachedSet *next;
} CachedSet;

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

/*
 * The extension's function name(argtypes), found in the extension's schema,
 * ready to call through fmgr (so that a SECURITY DEFINER one runs with the
 * extension's rights), in mcxt.
 */
FmgrInfo *
rulespec_extension_function(const char *name, int nargs, const Oid *argtypes,
							MemoryContext mcxt)
{
	Oid			nsp = ExtensionSchema(get_extension_oid(EXTENSION_NAME, false));
	Oid			fn;
	FmgrInfo   *finfo;

	fn = LookupFuncName(list_make2(makeString(get_namespace_name(nsp)),
								   makeString(pstrdup(name))),
						nargs, argtypes, false);
	finfo = MemoryContextAllocZero(mcxt, sizeof(FmgrInfo));
	fmgr_info_cxt(fn, finfo, mcxt);
	return finfo;
}

/* cp_rule_set_spec(text), ready to call, in mcxt. */
static FmgrInfo *
SpecFunction(MemoryContext mcxt)
{
	Oid			argtype = TEXTOID;

	return rulespec_extension_function(CP_RULE_SPEC_FUNCTION, 1, &argtype, mcxt);
}

/* Check that the row is a cp_rule_spec: its attributes, of their types. */
static void
CheckSpecType(TupleDesc desc, const char *set)
{
	if (desc->natts != SPEC_NATTS)
		RULE_SPEC_ERROR(set, "It has %d attributes, not %d.", desc->natts, SPEC_NATTS);
	for (int i = 0; i < SPEC_NATTS; i++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, i);

		if (a->attisdropped || a->atttypid != spec_types[i])
			RULE_SPEC_ERROR(set, "Its attribute %d is of type %s, not %s.", i + 1,
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
		RULE_SPEC_ERROR(set, "Its %s are NULL.", what);
	a = DatumGetArrayTypeP(d);
	if (ARR_NDIM(a) > 1)
		RULE_SPEC_ERROR(set, "Its %s are an array of %d dimensions.", what, ARR_NDIM(a));
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	deconstruct_array(a, elemtype, typlen, typbyval, typalign, &elems, &nulls, n);
	for (int i = 0; i < *n; i++)
	{
		if (nulls[i])
			RULE_SPEC_ERROR(set, "Its %s hold a NULL.", what);
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
			RULE_SPEC_ERROR(set, "Its %s hold %d, not a position from 1 to %d.",
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
		RULE_SPEC_ERROR(set, "It has %d spellings but %d spelling_workloads.",
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
			RULE_SPEC_ERROR(set, "It has path number %d.", sorted[i]);
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
		RULE_SPEC_ERROR(set, "It has %d paths but %d path_credentials.", npairs, n);
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
		RULE_SPEC_ERROR(set, "It has %d min_entitlements and %d min_individuals, not %d of each.",
				   ne, ni, SPEC_NUM_THRESHOLDS);
	memset(t, 0, sizeof(CpThresholds));
	for (int i = 0; i < SPEC_NUM_THRESHOLDS; i++)
	{
		t->entitlements[spec_levels[i]][spec_markets[i]] = DatumGetInt64(ent[i]);
		t->individuals[spec_levels[i]][spec_markets[i]] = DatumGetInt32(ind[i]);
		if (DatumGetInt64(ent[i]) < 0 || DatumGetInt32(ind[i]) < 0)
			RULE_SPEC_ERROR(set, "Its threshold %d is negative.", i + 1);
	}
	for (int l = CP_LEVEL_SILVER; l < CP_NUM_LEVELS; l++)
	{
		if (t->individuals[l][CP_MARKET_DEVELOPED] != t->individuals[l][CP_MARKET_DEVELOPING])
			RULE_SPEC_ERROR(set, "Its markets require different numbers of individuals for %s.",
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
	RULE_SPEC_ERROR(set, "Its problem has SQLSTATE \"%s\", not 42704 or 55000.", s);
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
		return ruleset_with_problem(name, len,
									SpecProblemKind(v[SPEC_SQLSTATE], nulls[SPEC_SQLSTATE], set),
									TextDatumGetCString(v[SPEC_PROBLEM]), mcxt);
	memset(&spec, 0, sizeof(spec));
	SpecWorkloads(&spec, v, nulls, set);
	SpecPaths(&spec, v, nulls, set);
	if (spec.nworkloads <= CP_MAX_WORKLOADS && spec.ncredentials <= CP_MAX_CREDENTIALS &&
		spec.npaths <= CP_MAX_PATHS)
		SpecThresholds(&spec, v, nulls, set);
	return ruleset_build(&spec, name, len, mcxt);
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
		RULE_SPEC_ERROR(pnstrdup(name, len), "It is NULL.");
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
	if (ruleset_is_builtin(name, len))
		return ruleset_builtin();
	if (*spec_fn == NULL)
		*spec_fn = SpecFunction(fncxt);
	return SetFromSpec(CallSpec(*spec_fn, name, len), name, len, setcxt);
}

/* ---------- the scalar functions' cache ---------- */

/* The snapshot the statement reads under now (not valid: none). */
void
rulespec_stamp_take(RuleSetStamp *s)
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
bool
rulespec_stamp_same(const RuleSetStamp *a, const RuleSetStamp *b)
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

	if (ruleset_is_builtin(name, len))
		return ruleset_builtin();
	if (cache->cxt == NULL)
	{
		cache->cxt = AllocSetContextCreate(fn_mcxt, "competency rule sets",
										   ALLOCSET_SMALL_SIZES);
		cache->stamp = MemoryContextAllocZero(fn_mcxt, sizeof(RuleSetStamp));
	}
	rulespec_stamp_take(&now);
	if (!rulespec_stamp_same(&now, cache->stamp))
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
