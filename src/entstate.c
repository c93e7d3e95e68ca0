/*
 * entstate.c
 *	  The state of cp_active_entitlements.
 *
 * A state is a simplehash table of tenants in the aggregate's memory; a
 * tenant has one slot per (workload, SKU): the latest measurement and,
 * among measurements of that date, the largest count.  The slots of all a
 * state's tenants are in one array, each tenant's a list, so a new tenant
 * or slot costs no allocation of its own.  A report lists a tenant's rows
 * together, so a row usually goes to the tenant of the row before (kept in
 * last) and a few slots are searched; a tenant of many slots finds them
 * through a second table.  The total sums, per tenant, the
 * highest workload's SKUs.  Every step is a max or a sum, so the result
 * depends neither on row order nor on how rows were split between states.
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "common/int.h"
#include "utils/memutils.h"

#include "entstate.h"
#include "rules.h"

/* Is the key type's key kept in the entry? */
static inline bool
KeyInEntry(const KeyType *kt)
{
	return kt->image_eq && !kt->typbyval && kt->typlen > 0 &&
		kt->typlen <= TENANT_KEY_BYTES;
}

/* The key of a Datum, for probing (not copied: see ent_tenant). */
static inline TenantKey
MakeKey(const KeyType *kt, Datum d)
{
	TenantKey	k;

	if (KeyInEntry(kt))
		memcpy(k.bytes, DatumGetPointer(d), kt->typlen);
	else
		k.datum = d;
	return k;
}

static inline bool
KeysEqual(const KeyType *kt, const TenantKey *a, const TenantKey *b)
{
	if (KeyInEntry(kt) && kt->typlen == TENANT_KEY_BYTES)
		return memcmp(a->bytes, b->bytes, TENANT_KEY_BYTES) == 0;
	if (KeyInEntry(kt))
		return memcmp(a->bytes, b->bytes, kt->typlen) == 0;
	if (kt->image_eq && kt->typbyval)
		return a->datum == b->datum;
	return keytype_equal(kt, a->datum, b->datum);
}

static inline uint32
KeyHash(const KeyType *kt, TenantKey k)
{
	if (KeyInEntry(kt) && kt->typlen == TENANT_KEY_BYTES)
	{
		uint32		w[4];

		memcpy(w, k.bytes, sizeof(w));
		return hash_combine(hash_combine(murmurhash32(w[0]), murmurhash32(w[1])),
							hash_combine(murmurhash32(w[2]), murmurhash32(w[3])));
	}
	if (KeyInEntry(kt))
		return hash_bytes((const unsigned char *) k.bytes, kt->typlen);
	return keytype_hash(kt, k.datum);
}

#define SH_PREFIX tenanthash
#define SH_ELEMENT_TYPE Tenant
#define SH_KEY_TYPE TenantKey
#define SH_KEY key
#define SH_HASH_KEY(tb, k) KeyHash((const KeyType *) (tb)->private_data, k)
#define SH_EQUAL(tb, a, b) KeysEqual((const KeyType *) (tb)->private_data, &(a), &(b))
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

/* Room made at first: a state's tenants and slots. */
#define INITIAL_TENANTS 8
#define INITIAL_SLOTS 32

/* An empty state in cxt. */
EntState *
ent_create(MemoryContext cxt, KeyType *kt, SkuDict *skus, uint32 ntenants)
{
	EntState   *st = MemoryContextAllocZero(cxt, sizeof(EntState));

	st->cxt = cxt;
	st->kt = kt;
	st->skus = skus;
	st->tenants = tenanthash_create(cxt, Max(ntenants, INITIAL_TENANTS), kt);
	return st;
}

/* Give back a state's memory. */
void
ent_free(EntState *st)
{
	if (!KeyInEntry(st->kt) && !st->kt->typbyval)
	{
		tenanthash_iterator it;
		Tenant	   *t;

		tenanthash_start_iterate(st->tenants, &it);
		while ((t = tenanthash_iterate(st->tenants, &it)) != NULL)
			pfree(DatumGetPointer(t->key.datum));
	}
	tenanthash_destroy(st->tenants);
	if (st->bigslots != NULL)
		slotindex_destroy(st->bigslots);
	if (st->slots != NULL)
		pfree(st->slots);
	pfree(st);
}

/* The Datum of a tenant's key (pointing into the entry for a uuid). */
Datum
ent_key(const EntState *st, const Tenant *t)
{
	return KeyInEntry(st->kt) ? PointerGetDatum(t->key.bytes) : t->key.datum;
}

/* The hash ent_tenant wants for a key. */
uint32
ent_hash(const EntState *st, Datum key)
{
	return KeyHash(st->kt, MakeKey(st->kt, key));
}

/* The tenant of key (hashed), added with a copy of the key if new. */
Tenant *
ent_tenant(EntState *st, Datum key, uint32 hash, bool *found)
{
	Tenant	   *t = tenanthash_insert_hash(st->tenants, MakeKey(st->kt, key),
										   hash, found);

	if (!*found)
	{
		t->first = -1;
		t->nslots = 0;
		t->ordinal = (int32) st->tenants->members - 1;
		/* until the copy is made the entry points at the caller's key */
		if (!KeyInEntry(st->kt))
			t->key.datum = keytype_copy(st->kt, st->cxt, key);
	}
	/* an insert may have moved entries: last is only ever this one */
	st->last = t;
	return t;
}

/* A new slot of the tenant, its measurement the oldest possible. */
static Slot *
AddSlot(EntState *st, Tenant *t, int32 skuw)
{
	Slot	   *s;

	if (st->nslots == st->maxslots)
	{
		Size		n = st->maxslots == 0 ? INITIAL_SLOTS : (Size) st->maxslots * 2;

		if (n > PG_INT32_MAX || n > MaxAllocHugeSize / sizeof(Slot))
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many measurements for one cp_active_entitlements state")));
		st->slots = st->slots == NULL ?
			MemoryContextAllocHuge(st->cxt, n * sizeof(Slot)) :
			repalloc_huge(st->slots, n * sizeof(Slot));
		st->maxslots = (int32) n;
	}
	s = &st->slots[st->nslots];
	s->skuw = skuw;
	s->users = 0;
	s->measured_on = DATEVAL_NOBEGIN;
	s->next = t->first;
	t->first = st->nslots++;
	t->nslots++;
	return s;
}

/* Index a tenant's slots, which have just become many. */
static void
IndexSlots(EntState *st, Tenant *t)
{
	Slot	   *s;

	if (st->bigslots == NULL)
		st->bigslots = slotindex_create(st->cxt, 64, NULL);
	foreach_slot(st, t, s)
	{
		bool		found;

		slotindex_insert(st->bigslots, SLOT_KEY(t->ordinal, s->skuw),
						 &found)->pos = (int32) (s - st->slots);
	}
}

/*
 * The tenant's slot of a (workload, SKU), added if new (*found false: its
 * measurement is then the oldest possible, for the caller to overwrite).
 * The pointer is good until the state's next new slot.
 */
Slot *
ent_slot(EntState *st, Tenant *t, int32 skuw, bool *found)
{
	SlotIndexEntry *e;
	Slot	   *s;

	if (t->nslots < SLOTS_SCANNED)
	{
		foreach_slot(st, t, s)
		{
			if (s->skuw == skuw)
			{
				*found = true;
				return s;
			}
		}
		*found = false;
		s = AddSlot(st, t, skuw);
		if (t->nslots == SLOTS_SCANNED)
			IndexSlots(st, t);
		return s;
	}
	e = slotindex_insert(st->bigslots, SLOT_KEY(t->ordinal, skuw), found);
	if (*found)
		return &st->slots[e->pos];
	e->pos = st->nslots;
	return AddSlot(st, t, skuw);
}

/* One row: a measurement of key's (workload, SKU). */
void
ent_add(EntState *st, Datum key, int32 skuw, DateADT date, int64 users)
{
	Tenant	   *t = st->last;
	TenantKey	probe = MakeKey(st->kt, key);
	Slot	   *s;
	bool		found;

	if (t == NULL || !KeysEqual(st->kt, &t->key, &probe))
		t = ent_tenant(st, key, KeyHash(st->kt, probe), &found);
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
		Tenant	   *to = ent_tenant(dst, ent_key(src, from),
									KeyHash(src->kt, from->key), &found);

		Slot	   *s;

		foreach_slot(src, from, s)
		{
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
TenantFigure(const EntState *st, const Tenant *t)
{
	int64		sum[CP_NUM_WORKLOADS] = {0};
	int64		best = 0;
	Slot	   *s;

	foreach_slot(st, t, s)
	{
		int			w = SKUW_WORKLOAD(s->skuw);

		if (pg_add_s64_overflow(sum[w], s->users, &sum[w]))
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
		if (pg_add_s64_overflow(total, TenantFigure(st, t), &total))
			Overflow();
	}
	return total;
}
