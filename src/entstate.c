/*
 * entstate.c
 *	  The state of cp_active_entitlements.
 *
 * A state is an array of measurements in the aggregate's memory: a row
 * appends one, whatever order rows come in (a parallel hash join hands a
 * partner's rows over in no order of tenant).  When the array is full and
 * a thousand or more were added since, and before it is read, it is
 * compacted: the measurements added since the last
 * time are sorted, by tenant and then (workload, SKU), merged with the
 * sorted ones, and reduced to one per (tenant, workload, SKU): the latest,
 * and of one date the largest count.  So memory follows the distinct
 * (tenant, workload, SKU) triples, not the rows, and a running window's
 * every row costs one merge, as array_agg's costs one copy.
 *
 * The total then sums, per tenant, the highest workload's SKUs.  Every step
 * is a max or a sum, so the result depends neither on row order nor on how
 * rows were split between states.
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "common/int.h"
#include "utils/datum.h"
#include "utils/memutils.h"

#include "competency.h"
#include "entstate.h"

#define INITIAL_MEASURES 16
#define COMPACT_AFTER 1024		/* measures added before a full array is compacted */

/* Keys other than small, bitwise-equal ones, numbered in arrival order. */
typedef struct KeyEntry
{
	Datum		key;			/* a copy in the state */
	uint32		hash;
	char		status;
	int32		id;
} KeyEntry;

#define SH_PREFIX keytab
#define SH_ELEMENT_TYPE KeyEntry
#include "keyhash.h"

static void Compact(EntState *st, int32 max);

/* Is a key of the type kept in the measure itself? */
static inline bool
KeyInMeasure(const KeyType *kt)
{
	return kt->image_eq &&
		(kt->typbyval || (kt->typlen > 0 && kt->typlen <= TENANT_KEY_BYTES));
}

/*
 * Tenants in the order states are sorted and written in: a key kept in the
 * measure by its zero-filled words, any other by its number.
 */
static inline int
TenantCmp(bool in_measure, const TenantKey *a, const TenantKey *b)
{
	if (in_measure)
	{
		if (a->words[0] != b->words[0])
			return a->words[0] < b->words[0] ? -1 : 1;
		return (a->words[1] > b->words[1]) - (a->words[1] < b->words[1]);
	}
	return (a->id > b->id) - (a->id < b->id);
}

int
ent_tenant_cmp(const EntState *st, const TenantKey *a, const TenantKey *b)
{
	return TenantCmp(KeyInMeasure(st->head.kt), a, b);
}

static inline int
MeasureCmp(const Measure *a, const Measure *b, EntState *st)
{
	int			c = TenantCmp(st->in_measure, &a->tenant, &b->tenant);

	if (c != 0)
		return c;
	return (a->skuw > b->skuw) - (a->skuw < b->skuw);
}

/* sort_measures(m, n, st): measures in MeasureCmp order. */
#define ST_SORT sort_measures
#define ST_ELEMENT_TYPE Measure
#define ST_COMPARE_ARG_TYPE EntState
#define ST_COMPARE(a, b, arg) MeasureCmp(a, b, arg)
#define ST_SCOPE static
#define ST_DECLARE
#define ST_DEFINE
#include "lib/sort_template.h"

/*
 * 54000 if the state, with room for max measures, would pass
 * competency.max_state_memory.
 */
static void
CheckMemory(const EntState *st, int64 max)
{
	Size		bytes = (Size) max * sizeof(Measure) +
		(Size) st->maxkeys * sizeof(Datum) + st->keybytes;

	if (st->keytab != NULL)
		bytes += (Size) st->keytab->size * sizeof(KeyEntry);
	cp_check_state_size(bytes, "cp_active_entitlements");
}

/* An empty state in cxt, with room for nmeasures. */
EntState *
ent_create(MemoryContext cxt, KeyType *kt, SkuDict *skus, int32 nmeasures)
{
	EntState   *st = MemoryContextAllocZero(cxt, sizeof(EntState));

	st->cxt = cxt;
	st->head.kt = kt;
	st->skus = skus;
	st->in_measure = KeyInMeasure(kt);
	st->max = Max(nmeasures, INITIAL_MEASURES);
	CheckMemory(st, st->max);
	st->m = MemoryContextAllocHuge(cxt, st->max * sizeof(Measure));
	return st;
}

/* Give back a state's memory. */
void
ent_free(EntState *st)
{
	if (st->keytab != NULL)
	{
		if (!st->head.kt->typbyval)
		{
			for (int32 i = 0; i < st->nkeys; i++)
				pfree(DatumGetPointer(st->keys[i]));
		}
		keytab_destroy(st->keytab);
		pfree(st->keys);
	}
	pfree(st->m);
	pfree(st);
}

/* The number of a key the state keeps in its table, added if new. */
static int32
KeyId(EntState *st, Datum key, bool *is_new)
{
	KeyEntry   *e;
	bool		found;

	if (st->keytab == NULL)
	{
		st->keytab = keytab_create(st->cxt, 8, st->head.kt);
		st->maxkeys = 8;
		st->keys = MemoryContextAlloc(st->cxt, st->maxkeys * sizeof(Datum));
	}
	e = keytab_insert(st->keytab, key, &found);
	*is_new = !found;
	if (!found)
	{
		if (st->nkeys == st->maxkeys)
		{
			if (st->maxkeys > PG_INT32_MAX / 2)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("too many tenants for one cp_active_entitlements state")));
			st->maxkeys *= 2;
			st->keys = repalloc_huge(st->keys, st->maxkeys * sizeof(Datum));
		}
		if (!st->head.kt->typbyval)
			st->keybytes += datumGetSize(key, false, st->head.kt->typlen);
		CheckMemory(st, st->max);
		/* until the copy is made the entry points at the caller's key */
		e->key = keytype_copy(st->head.kt, st->cxt, key);
		e->id = st->nkeys;
		st->keys[st->nkeys++] = e->key;
	}
	return e->id;
}

/* How a measure names the tenant of key (*is_new: a new key of the table). */
TenantKey
ent_tenant_key(EntState *st, Datum key, bool *is_new)
{
	TenantKey	k;

	*is_new = false;
	if (KeyInMeasure(st->head.kt))
	{
		memset(k.bytes, 0, sizeof(k.bytes));
		if (st->head.kt->typbyval)
			memcpy(k.bytes, &key, sizeof(Datum));
		else
			memcpy(k.bytes, DatumGetPointer(key), st->head.kt->typlen);
	}
	else
		k.id = KeyId(st, key, is_new);
	return k;
}

/* The key a measure names, for a moment (it may point into the measure). */
Datum
ent_key_datum(const EntState *st, const TenantKey *k)
{
	Datum		d;

	if (!KeyInMeasure(st->head.kt))
		return st->keys[k->id];
	if (!st->head.kt->typbyval)
		return PointerGetDatum(k->bytes);
	memcpy(&d, k->bytes, sizeof(Datum));
	return d;
}

/* n measures as an array's length, if one state may hold so many. */
static int32
CheckRoom(int64 n)
{
	if (n > PG_INT32_MAX || (Size) n > MaxAllocHugeSize / sizeof(Measure))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many measurements for one cp_active_entitlements state")));
	return (int32) n;
}

/* Room for n measures in all. */
static void
Reserve(EntState *st, int64 n)
{
	if (n <= st->max)
		return;
	CheckMemory(st, n);
	st->max = CheckRoom(n);
	st->m = repalloc_huge(st->m, (Size) st->max * sizeof(Measure));
}

/* Room for twice the measures. */
static void
Grow(EntState *st)
{
	Reserve(st, (int64) st->max * 2);
}

/* Append a measure as it is (reading a state). */
void
ent_append(EntState *st, const Measure *m)
{
	if (st->n == st->max)
		Grow(st);
	st->m[st->n++] = *m;
}

/*
 * Append a measure.  A full array is compacted if enough was added since
 * the last time (so that sorting pays), into an array of twice the room,
 * given back if the measures now fill a quarter of it or less; otherwise
 * it grows.
 */
static void
Add(EntState *st, const Measure *m)
{
	if (st->n == st->max)
	{
		if (st->n - st->nsorted >= COMPACT_AFTER)
		{
			Compact(st, CheckRoom((int64) st->max * 2));
			if (st->n <= st->max / 4)
			{
				st->max /= 2;
				st->m = repalloc_huge(st->m, (Size) st->max * sizeof(Measure));
			}
		}
		else
			Grow(st);
	}
	st->m[st->n++] = *m;
}

/* One row: a measurement of key's (workload, SKU). */
void
ent_add(EntState *st, Datum key, int32 skuw, DateADT date, int64 users)
{
	Measure		m;
	bool		is_new;

	m.tenant = ent_tenant_key(st, key, &is_new);
	m.skuw = skuw;
	m.measured_on = date;
	m.users = users;
	Add(st, &m);
}

/* Keep the later measurement, and of one date the larger count. */
static inline void
KeepLatest(Measure *into, const Measure *m)
{
	if (m->measured_on > into->measured_on ||
		(m->measured_on == into->measured_on && m->users > into->users))
	{
		into->measured_on = m->measured_on;
		into->users = m->users;
	}
}

/* Append m to out[0..*n), reduced with the last one if of its triple. */
static inline void
Emit(EntState *st, Measure *out, int32 *n, const Measure *m)
{
	if (*n > 0 && MeasureCmp(&out[*n - 1], m, st) == 0)
		KeepLatest(&out[*n - 1], m);
	else
		out[(*n)++] = *m;
}

/*
 * Sort the measures added since the last time, merge and reduce all into an
 * array of room for max measures (no less than the present room).
 */
static void
Compact(EntState *st, int32 max)
{
	Measure    *out;
	int32		i = 0;
	int32		j = st->nsorted;
	int32		n = 0;

	Assert(max >= st->max);
	if (st->nsorted == st->n && max == st->max)
		return;
	if (max > st->max)
		CheckMemory(st, (int64) st->max + max);
	sort_measures(st->m + st->nsorted, st->n - st->nsorted, st);
	/* with no sorted ones, reduce in place: out never passes the input */
	out = st->nsorted == 0 && max == st->max ? st->m :
		MemoryContextAllocHuge(st->cxt, (Size) max * sizeof(Measure));
	while (i < st->nsorted || j < st->n)
	{
		if (j == st->n || (i < st->nsorted && MeasureCmp(&st->m[i], &st->m[j], st) <= 0))
			Emit(st, out, &n, &st->m[i++]);
		else
			Emit(st, out, &n, &st->m[j++]);
	}
	if (out != st->m)
	{
		pfree(st->m);
		st->m = out;
		st->max = max;
	}
	st->n = st->nsorted = n;
}

/* Sort the measures added since the last time, merge and reduce all. */
void
ent_compact(EntState *st)
{
	Compact(st, st->max);
}

/* The end of the run of measures of m[i]'s tenant (the state compacted). */
int32
ent_tenant_end(const EntState *st, int32 i)
{
	int32		j = i + 1;

	while (j < st->n && TenantCmp(st->in_measure, &st->m[i].tenant, &st->m[j].tenant) == 0)
		j++;
	return j;
}

/*
 * Sort the measures from m[from] on, one tenant's, by (workload, SKU);
 * false if two are of one (workload, SKU).
 */
bool
ent_sort_tenant(EntState *st, int32 from)
{
	sort_measures(st->m + from, st->n - from, st);
	for (int32 i = from + 1; i < st->n; i++)
	{
		if (st->m[i].skuw == st->m[i - 1].skuw)
			return false;
	}
	return true;
}

/* SKUW of src's SKU dictionary in dst's, through map (-1: not yet). */
static int32
MapSkuw(const EntState *dst, const EntState *src, int32 *map, int32 skuw)
{
	int32		sku = SKUW_SKU(skuw);

	if (map == NULL)
		return skuw;
	if (map[sku] < 0)
	{
		int			len;
		const char *name = sku_name(src->skus, sku, &len);

		map[sku] = sku_intern(dst->skus, name, len);
	}
	return SKUW(map[sku], SKUW_WORKLOAD(skuw));
}

/* A map from numbers of one table to another's, all unknown (-1). */
static int32 *
NewMap(int32 n)
{
	int32	   *map = palloc(Max(n, 1) * sizeof(int32));

	memset(map, -1, n * sizeof(int32));
	return map;
}

/*
 * Merge src into dst, whose keys the caller checked are of the same type
 * (keytype_check_same); their SKUs may differ.
 */
void
ent_merge(EntState *dst, const EntState *src)
{
	int32	   *skus = NULL;
	int32	   *ids = NULL;

	if (dst->skus != src->skus)
		skus = NewMap(sku_count(src->skus));
	if (!KeyInMeasure(src->head.kt))
		ids = NewMap(src->nkeys);
	Reserve(dst, (int64) dst->n + src->n);
	if (skus == NULL && ids == NULL)
	{
		/* the same numbering: the measures as they are */
		memcpy(dst->m + dst->n, src->m, src->n * sizeof(Measure));
		dst->n += src->n;
		return;
	}
	for (int32 i = 0; i < src->n; i++)
	{
		Measure		m = src->m[i];

		if (ids != NULL)
		{
			bool		is_new;

			if (ids[m.tenant.id] < 0)
				ids[m.tenant.id] = KeyId(dst, src->keys[m.tenant.id], &is_new);
			m.tenant.id = ids[m.tenant.id];
		}
		m.skuw = MapSkuw(dst, src, skus, m.skuw);
		Add(dst, &m);
	}
	if (skus != NULL)
		pfree(skus);
	if (ids != NULL)
		pfree(ids);
}

static pg_noinline void
Overflow(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("active entitlements out of range for type bigint")));
}

/*
 * The highest workload of the tenant of measures m[from, to): its SKUs
 * summed per workload.  Only the workloads met are summed (a set may have
 * up to 1 << SKUW_WORKLOAD_BITS of them; a tenant has a few).
 */
static int64
TenantBest(const Measure *m, int32 from, int32 to)
{
	int64		sum[1 << SKUW_WORKLOAD_BITS];
	uint64		met = 0;
	int64		best = 0;

	StaticAssertStmt(SKUW_WORKLOAD_BITS <= 6, "a workload's bit fits a uint64");
	for (int32 j = from; j < to; j++)
	{
		int			w = SKUW_WORKLOAD(m[j].skuw);

		if ((met & ((uint64) 1 << w)) == 0)
		{
			met |= (uint64) 1 << w;
			sum[w] = 0;
		}
		if (pg_add_s64_overflow(sum[w], m[j].users, &sum[w]))
			Overflow();
		best = Max(best, sum[w]);
	}
	return best;
}

/*
 * The state's active entitlements: per tenant, its SKUs summed per
 * workload and the highest workload; tenants summed.
 */
int64
ent_total(EntState *st)
{
	int64		total = 0;

	ent_compact(st);
	for (int32 i = 0, end; i < st->n; i = end)
	{
		end = ent_tenant_end(st, i);
		if (pg_add_s64_overflow(total, TenantBest(st->m, i, end), &total))
			Overflow();
	}
	return total;
}
