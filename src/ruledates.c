/*
 * ruledates.c
 *	  Which rule set is in force on a date, and whether a set counts an
 *	  association kind: functions an evaluation calls for every row, so that
 *	  each call site reads the rule tables once while the statement's
 *	  snapshot stays the same (through the extension's SECURITY DEFINER
 *	  functions cp_rule_sets_dated() and cp_rule_kinds(text): callers need
 *	  no grant on the tables) and answers every other row from what it read.
 *	  The built-in set's kinds are the compiled ones: every kind but
 *	  fast_track.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_enum.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "nodes/supportnodes.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "rulespec.h"

PG_FUNCTION_INFO_V1(cp_rule_set_on);
PG_FUNCTION_INFO_V1(cp_kind_counted);
PG_FUNCTION_INFO_V1(cp_kind_counted_support);

/* The kind the built-in set does not count. */
#define UNCOUNTED_KIND "fast_track"

/* ---------- the set in force ---------- */

/* A call site's dated sets, by effective_from ascending. */
typedef struct DatedSets
{
	MemoryContext cxt;			/* the sets; emptied when the snapshot changes */
	RuleSetStamp stamp;			/* the snapshot they were read under */
	FmgrInfo   *dated_fn;		/* cp_rule_sets_dated() */
	int			n;
	DateADT    *from;
	text	  **name;
	DateADT		last_d;			/* the date of the last call ... */
	text	   *last;			/* ... and its answer (NULL: none yet) */
} DatedSets;

/* Read every dated set through cp_rule_sets_dated() into sets->cxt. */
static void
LoadDatedSets(DatedSets *sets, MemoryContext fn_mcxt)
{
	Datum		d;
	HeapTupleHeader row;
	bool		isnull;
	ArrayType  *dates;
	ArrayType  *names;
	Datum	   *dv;
	Datum	   *nv;
	int			nd;
	int			nn;
	MemoryContext old;

	if (sets->dated_fn == NULL)
		sets->dated_fn = rulespec_extension_function("cp_rule_sets_dated", 0, NULL, fn_mcxt);
	d = FunctionCall0Coll(sets->dated_fn, InvalidOid);
	row = DatumGetHeapTupleHeader(d);
	dates = DatumGetArrayTypeP(GetAttributeByNum(row, 1, &isnull));
	Assert(!isnull);
	names = DatumGetArrayTypeP(GetAttributeByNum(row, 2, &isnull));
	Assert(!isnull);
	deconstruct_array(dates, DATEOID, sizeof(DateADT), true, TYPALIGN_INT, &dv, NULL, &nd);
	deconstruct_array(names, TEXTOID, -1, false, TYPALIGN_INT, &nv, NULL, &nn);
	if (nd != nn)
		elog(ERROR, "cp_rule_sets_dated() returned %d dates and %d names", nd, nn);

	old = MemoryContextSwitchTo(sets->cxt);
	sets->n = nd;
	sets->from = palloc(sizeof(DateADT) * Max(nd, 1));
	sets->name = palloc(sizeof(text *) * Max(nd, 1));
	for (int i = 0; i < nd; i++)
	{
		sets->from[i] = DatumGetDateADT(dv[i]);
		sets->name[i] = DatumGetTextPCopy(nv[i]);
		if (i > 0 && sets->from[i] <= sets->from[i - 1])
			elog(ERROR, "cp_rule_sets_dated() returned its dates out of order");
	}
	MemoryContextSwitchTo(old);
}

/*
 * cp_rule_set_on(d): the name of the set with the greatest effective_from
 * not after d; drafts (no effective_from) never.  NULL d: 22023.  The
 * answer is the call site's own copy of the name, not one per row (an
 * evaluation asks for every usage row): it stays until the site is called
 * under another snapshot, and whatever keeps a value past its row copies
 * it, as every executor node and PL/pgSQL do.
 */
Datum
cp_rule_set_on(PG_FUNCTION_ARGS)
{
	DatedSets  *sets = fcinfo->flinfo->fn_extra;
	RuleSetStamp now;
	DateADT		d;
	int			lo;
	int			hi;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the date of cp_rule_set_on must not be NULL")));
	d = PG_GETARG_DATEADT(0);

	if (sets == NULL)
	{
		sets = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(DatedSets));
		sets->cxt = AllocSetContextCreate(fcinfo->flinfo->fn_mcxt, "competency dated rule sets",
										  ALLOCSET_SMALL_SIZES);
		fcinfo->flinfo->fn_extra = sets;
	}
	rulespec_stamp_take(&now);
	if (!rulespec_stamp_same(&now, &sets->stamp))
	{
		MemoryContextReset(sets->cxt);
		sets->n = 0;
		sets->last = NULL;
		LoadDatedSets(sets, fcinfo->flinfo->fn_mcxt);
		sets->stamp = now;
	}
	else if (sets->last != NULL && d == sets->last_d)
		PG_RETURN_TEXT_P(sets->last);	/* an evaluation asks once a row */

	/* the last set whose effective_from is not after d */
	lo = 0;
	hi = sets->n;
	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (sets->from[mid] <= d)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		PG_RETURN_NULL();		/* only when the built-in set's row is gone */
	sets->last_d = d;
	sets->last = sets->name[lo - 1];
	PG_RETURN_TEXT_P(sets->last);
}

/* ---------- the kinds a set counts ---------- */

/* One set's kinds, as the enum's OIDs. */
typedef struct SetKinds
{
	struct SetKinds *next;
	int			len;
	char	   *name;
	int			n;
	Oid		   *kinds;
} SetKinds;

typedef struct KindCache
{
	MemoryContext cxt;			/* the sets' kinds; emptied when the snapshot changes */
	RuleSetStamp stamp;
	FmgrInfo   *kinds_fn;		/* cp_rule_kinds(text) */
	Oid			uncounted;		/* the built-in set's uncounted kind */
	SetKinds   *sets;
} KindCache;

/* The kinds of the set name (len bytes), read once while the snapshot stays. */
static const SetKinds *
CachedKinds(KindCache *cache, MemoryContext fn_mcxt, text *name)
{
	int			len = VARSIZE_ANY_EXHDR(name);
	const char *s = VARDATA_ANY(name);
	RuleSetStamp now;
	SetKinds   *k;
	Oid			argtype = TEXTOID;
	ArrayType  *arr;
	Datum	   *kv;
	int			n;
	MemoryContext old;

	rulespec_stamp_take(&now);
	if (!rulespec_stamp_same(&now, &cache->stamp))
	{
		MemoryContextReset(cache->cxt);
		cache->sets = NULL;
		cache->stamp = now;
	}
	for (k = cache->sets; k != NULL; k = k->next)
	{
		if (k->len == len && memcmp(k->name, s, len) == 0)
			return k;
	}
	if (cache->kinds_fn == NULL)
		cache->kinds_fn = rulespec_extension_function("cp_rule_kinds", 1, &argtype, fn_mcxt);
	/* refuses a set that cannot be evaluated (42704, 55000) */
	arr = DatumGetArrayTypeP(FunctionCall1Coll(cache->kinds_fn, InvalidOid,
											   PointerGetDatum(name)));
	deconstruct_array(arr, ARR_ELEMTYPE(arr), sizeof(Oid), true, TYPALIGN_INT, &kv, NULL, &n);

	old = MemoryContextSwitchTo(cache->cxt);
	k = palloc(sizeof(SetKinds));
	k->len = len;
	k->name = pnstrdup(s, len);
	k->n = n;
	k->kinds = palloc(sizeof(Oid) * Max(n, 1));
	for (int i = 0; i < n; i++)
		k->kinds[i] = DatumGetObjectId(kv[i]);
	k->next = cache->sets;
	cache->sets = k;
	MemoryContextSwitchTo(old);
	return k;
}

/*
 * cp_kind_counted(kind, rule_set): does the set count associations of the
 * kind?  The built-in set counts every kind but fast_track, reading no
 * table; a set that cannot be evaluated: 42704 or 55000 (from
 * cp_rule_kinds).  STRICT: NULL for a NULL kind or set (no set is applied).
 */
Datum
cp_kind_counted(PG_FUNCTION_ARGS)
{
	KindCache  *cache = fcinfo->flinfo->fn_extra;
	text	   *name;
	Oid			kind;
	const SetKinds *k;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();		/* STRICT as declared; never trust it blindly */
	kind = PG_GETARG_OID(0);
	name = PG_GETARG_TEXT_PP(1);

	if (cache == NULL)
	{
		Oid			enumtype = get_fn_expr_argtype(fcinfo->flinfo, 0);

		if (!OidIsValid(enumtype))
			elog(ERROR, "cp_kind_counted: the kind's type is not known");
		cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(KindCache));
		cache->cxt = AllocSetContextCreate(fcinfo->flinfo->fn_mcxt, "competency rule set kinds",
										   ALLOCSET_SMALL_SIZES);
		cache->uncounted = GetSysCacheOid2(ENUMTYPOIDNAME, Anum_pg_enum_oid,
										   ObjectIdGetDatum(enumtype),
										   CStringGetDatum(UNCOUNTED_KIND));
		if (!OidIsValid(cache->uncounted))
			elog(ERROR, "cp_kind_counted: the kind type has no label %s", UNCOUNTED_KIND);
		fcinfo->flinfo->fn_extra = cache;
	}

	if (VARSIZE_ANY_EXHDR(name) == strlen(CP_BUILTIN_RULE_SET) &&
		memcmp(VARDATA_ANY(name), CP_BUILTIN_RULE_SET, strlen(CP_BUILTIN_RULE_SET)) == 0)
		PG_RETURN_BOOL(kind != cache->uncounted);

	k = CachedKinds(cache, fcinfo->flinfo->fn_mcxt, name);
	for (int i = 0; i < k->n; i++)
	{
		if (k->kinds[i] == kind)
			PG_RETURN_BOOL(true);
	}
	PG_RETURN_BOOL(false);
}

/*
 * The planner's estimate of cp_kind_counted(kind, rule_set) as a condition.
 * Without one PostgreSQL keeps a third of the rows of any function, so a
 * hash join over the associations an evaluation counts would be sized for a
 * third of them and would grow its buckets and batches while it runs.  An
 * association of a kind its set does not count is the exception (the
 * built-in set leaves out fast_track alone), so the estimate is every row.
 */
Datum
cp_kind_counted_support(PG_FUNCTION_ARGS)
{
	Node	   *req = (Node *) PG_GETARG_POINTER(0);

	if (IsA(req, SupportRequestSelectivity))
	{
		((SupportRequestSelectivity *) req)->selectivity = 1.0;
		PG_RETURN_POINTER(req);
	}
	PG_RETURN_POINTER(NULL);
}
