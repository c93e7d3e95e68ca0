/*
 * entstate.c
 *	  The state of cp_active_entitlements.
 *
 * A state is a simplehash table of tenants in its own memory context; a
 * tenant holds one slot per (workload, SKU): the latest measurement and,
 * among measurements of that date, the largest count.  A report lists a
 * tenant's rows together, so a row usually goes to the tenant of the row
 * before (kept in last) and a few slots are searched; a tenant of many
 * slots finds them through a second table.  The total sums, per tenant, the
 * highest workload's SKUs.  Every step is a max or a sum, so the result
 * depends neither on row order nor on how rows were split between states.
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "common/int.h"
#include "utils/memutils.h"

#include "entstate.h"
#include "rules.h"

#define SH_PREFIX tenanthash
#define SH_ELEMENT_TYPE Tenant
#define SH_KEY_TYPE Datum
#define SH_KEY key
#define SH_HASH_KEY(tb, k) keytype_hash((const KeyType *) (tb)->private_data, k)
#define SH_EQUAL(tb, a, b) keytype_equal((const KeyType *) (tb)->private_data, a, b)
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) a->hash
#define SH_SCOPE extern
#define SH_DEFINE
#include "lib/simplehash.h"

/* A slot of a tenant of many slots: (ordinal, SKUW) to its position. */
typedef struct SlotIndexEntry
{
	uint64		key;
	int32		pos;
	char		status;
} SlotIndexEntry;

#define SLOT_KEY(ordinal, skuw) (((uint64) (uint32) (ordinal) << 32) | (uint32) (skuw))

#define SH_PREFIX slotindex
#define SH_ELEMENT_TYPE SlotIndexEntry
#define SH_KEY_TYPE uint64
#define SH_KEY key
#define SH_HASH_KEY(tb, k) hash_combine(murmurhash32((uint32) ((k) >> 32)), murmurhash32((uint32) (k)))
#define SH_EQUAL(tb, a, b) ((a) == (b))
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/* Slots a tenant's are searched among one by one; beyond, indexed. */
#define SLOTS_SCANNED 16

/* An empty state in a new memory context under parent. */
EntState *
ent_create(MemoryContext parent, KeyType *kt, SkuDict *skus, uint32 ntenants)
{
	MemoryContext cxt = AllocSetContextCreate(parent,
											  "cp_active_entitlements state",
											  ALLOCSET_SMALL_SIZES);
	EntState   *st = MemoryContextAllocZero(cxt, sizeof(EntState));

	st->cxt = cxt;
	st->kt = kt;
	st->skus = skus;
	st->tenants = tenanthash_create(cxt, Max(ntenants, 2), kt);
	return st;
}

/* Give back a state's memory. */
void
ent_free(EntState *st)
{
	MemoryContextDelete(st->cxt);
}

/* The tenant of key (hashed), added with a copy of the key if new. */
Tenant *
ent_tenant(EntState *st, Datum key, uint32 hash, bool *found)
{
	Tenant	   *t = tenanthash_insert_hash(st->tenants, key, hash, found);

	if (!*found)
	{
		/* until the copy is made the entry points at the caller's key */
		t->slots = NULL;
		t->nslots = 0;
		t->maxslots = 0;
		t->ordinal = (int32) st->tenants->members - 1;
		t->key = keytype_copy(st->kt, st->cxt, key);
	}
	/* an insert may have moved entries: last is only ever this one */
	st->last = t;
	return t;
}

/* Room in a tenant for nslots slots in all. */
void
ent_reserve(EntState *st, Tenant *t, int32 nslots)
{
	if (nslots <= t->maxslots)
		return;
	if ((Size) nslots > MaxAllocHugeSize / sizeof(Slot))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many workloads and SKUs for one tenant in cp_active_entitlements")));
	if (t->slots == NULL)
		t->slots = MemoryContextAllocHuge(st->cxt, nslots * sizeof(Slot));
	else
		t->slots = repalloc_huge(t->slots, nslots * sizeof(Slot));
	t->maxslots = nslots;
}

/* A new slot, its measurement the oldest possible. */
static Slot *
AppendSlot(EntState *st, Tenant *t, int32 skuw)
{
	Slot	   *s;

	if (t->nslots == t->maxslots)
		ent_reserve(st, t, t->maxslots == 0 ? 1 : (int32) Min((int64) t->maxslots * 2, PG_INT32_MAX));
	s = &t->slots[t->nslots++];
	s->skuw = skuw;
	s->users = 0;
	s->measured_on = DATEVAL_NOBEGIN;
	return s;
}

/* Index a tenant's slots, which have just become many. */
static void
IndexSlots(EntState *st, Tenant *t)
{
	if (st->bigslots == NULL)
		st->bigslots = slotindex_create(st->cxt, 64, NULL);
	for (int32 i = 0; i < t->nslots; i++)
	{
		bool		found;

		slotindex_insert(st->bigslots, SLOT_KEY(t->ordinal, t->slots[i].skuw),
						 &found)->pos = i;
	}
}

/*
 * The tenant's slot of a (workload, SKU), added if new (*found false: its
 * measurement is then the oldest possible, for the caller to overwrite).
 */
Slot *
ent_slot(EntState *st, Tenant *t, int32 skuw, bool *found)
{
	SlotIndexEntry *e;
	Slot	   *s;

	if (t->nslots < SLOTS_SCANNED)
	{
		for (int32 i = 0; i < t->nslots; i++)
		{
			if (t->slots[i].skuw == skuw)
			{
				*found = true;
				return &t->slots[i];
			}
		}
		*found = false;
		s = AppendSlot(st, t, skuw);
		if (t->nslots == SLOTS_SCANNED)
			IndexSlots(st, t);
		return s;
	}
	e = slotindex_insert(st->bigslots, SLOT_KEY(t->ordinal, skuw), found);
	if (*found)
		return &t->slots[e->pos];
	e->pos = t->nslots;
	return AppendSlot(st, t, skuw);
}

/* One row: a measurement of key's (workload, SKU). */
void
ent_add(EntState *st, Datum key, int32 skuw, DateADT date, int64 users)
{
	Tenant	   *t = st->last;
	Slot	   *s;
	bool		found;

	if (t == NULL || !keytype_equal(st->kt, t->key, key))
		t = ent_tenant(st, key, keytype_hash(st->kt, key), &found);
	s = ent_slot(st, t, skuw, &found);
	ent_keep_latest(s, users, date);
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

/* Merge src into dst (of the same key type; their SKUs may differ). */
void
ent_merge(EntState *dst, const EntState *src)
{
	int32	   *map = NULL;
	tenanthash_iterator it;
	Tenant	   *from;

	keytype_check_same(dst->kt, src->kt);
	if (dst->skus != src->skus)
	{
		map = palloc(Max(sku_count(src->skus), 1) * sizeof(int32));
		memset(map, -1, sku_count(src->skus) * sizeof(int32));
	}
	tenanthash_start_iterate(src->tenants, &it);
	while ((from = tenanthash_iterate(src->tenants, &it)) != NULL)
	{
		bool		found;
		Tenant	   *to = ent_tenant(dst, from->key, from->hash, &found);

		for (int32 i = 0; i < from->nslots; i++)
		{
			const Slot *s = &from->slots[i];
			Slot	   *d = ent_slot(dst, to, MapSkuw(dst, src, map, s->skuw), &found);

			ent_keep_latest(d, s->users, s->measured_on);
		}
	}
	if (map != NULL)
		pfree(map);
}

static pg_noinline void
Overflow(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("active entitlements out of range for type bigint")));
}

/* A tenant's figure: per workload its SKUs summed; the highest workload. */
static int64
TenantFigure(const Tenant *t)
{
	int64		sum[CP_NUM_WORKLOADS] = {0};
	int64		best = 0;

	for (int32 i = 0; i < t->nslots; i++)
	{
		int			w = SKUW_WORKLOAD(t->slots[i].skuw);

		if (pg_add_s64_overflow(sum[w], t->slots[i].users, &sum[w]))
			Overflow();
	}
	for (int w = 0; w < CP_NUM_WORKLOADS; w++)
		best = Max(best, sum[w]);
	return best;
}

/* The state's active entitlements: its tenants' figures summed. */
int64
ent_total(const EntState *st)
{
	tenanthash_iterator it;
	Tenant	   *t;
	int64		total = 0;

	tenanthash_start_iterate(st->tenants, &it);
	while ((t = tenanthash_iterate(st->tenants, &it)) != NULL)
	{
		if (pg_add_s64_overflow(total, TenantFigure(t), &total))
			Overflow();
	}
	return total;
}
