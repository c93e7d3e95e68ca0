/*
 * skus.c
 *	  A call site's SKU strings, numbered in the order first seen, and the
 *	  (workload, SKU) spellings of its rows with what they mean under a
 *	  rule set.  Both are simplehash tables in the call site's memory; the
 *	  set's lookup (ruleset.c) runs once per distinct spelling.
 */
#include "postgres.h"

#include "common/hashfn.h"

#include "ruleset.h"
#include "skus.h"

typedef struct Bytes
{
	const char *data;
	int32		len;
} Bytes;

/* A SKU string and its number. */
typedef struct SkuEntry
{
	Bytes		key;
	uint32		hash;
	char		status;
	int32		sku;
} SkuEntry;

#define SH_PREFIX skuhash
#define SH_ELEMENT_TYPE SkuEntry
#define SH_KEY_TYPE Bytes
#define SH_KEY key
#define SH_HASH_KEY(tb, k) hash_bytes((const unsigned char *) (k).data, (k).len)
#define SH_EQUAL(tb, a, b) ((a).len == (b).len && memcmp((a).data, (b).data, (a).len) == 0)
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) a->hash
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/* A row's (workload, SKU) as written, and its SKUW (-1: not eligible). */
typedef struct SpellingKey
{
	Bytes		workload;
	Bytes		sku;
} SpellingKey;

typedef struct SpellingEntry
{
	SpellingKey key;
	uint32		hash;
	char		status;
	int32		skuw;
} SpellingEntry;

/* A string's length and its first, middle and last bytes, as one word. */
static inline uint32
Ends(Bytes b)
{
	uint32		h = (uint32) b.len;

	if (b.len > 0)
	{
		h = h * 31 + (unsigned char) b.data[0];
		h = h * 31 + (unsigned char) b.data[b.len / 2];
		h = h * 31 + (unsigned char) b.data[b.len - 1];
	}
	return h;
}

/*
 * A row's spelling is hashed by a few bytes and the length of its strings:
 * the table is looked up once a row, and a call site meets few spellings,
 * so a cheap hash beats a thorough one (a collision costs a comparison).
 */
static inline uint32
SpellingHash(SpellingKey k)
{
	return hash_combine(murmurhash32(Ends(k.workload)), murmurhash32(Ends(k.sku)));
}

#define BYTES_EQ(a, b) ((a).len == (b).len && memcmp((a).data, (b).data, (a).len) == 0)
#define SH_PREFIX spellhash
#define SH_ELEMENT_TYPE SpellingEntry
#define SH_KEY_TYPE SpellingKey
#define SH_KEY key
#define SH_HASH_KEY(tb, k) SpellingHash(k)
#define SH_EQUAL(tb, a, b) (BYTES_EQ((a).workload, (b).workload) && BYTES_EQ((a).sku, (b).sku))
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) a->hash
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

struct SkuDict
{
	MemoryContext mcxt;
	const RuleSet *rs;			/* what spellings mean (NULL: only numbers) */
	skuhash_hash *skus;
	spellhash_hash *spellings;
	Bytes	   *names;			/* SKU strings by number */
	uint32	   *mark;			/* by number: epoch of its local number */
	int32	   *local;			/* by number: its number in one state */
	int32		n;
	int32		max;
	int32		nlocal;
	uint32		epoch;
};

/*
 * An empty dictionary in mcxt, of the spellings of rule set rs (NULL for a
 * dictionary that only numbers SKUs: deserialized states').
 */
SkuDict *
sku_dict_create(MemoryContext mcxt, const RuleSet *rs)
{
	SkuDict    *d = MemoryContextAllocZero(mcxt, sizeof(SkuDict));

	d->mcxt = mcxt;
	d->rs = rs;
	d->skus = skuhash_create(mcxt, 16, NULL);
	d->spellings = spellhash_create(mcxt, 16, NULL);
	d->max = 16;
	d->names = MemoryContextAlloc(mcxt, d->max * sizeof(Bytes));
	d->mark = MemoryContextAllocZero(mcxt, d->max * sizeof(uint32));
	d->local = MemoryContextAlloc(mcxt, d->max * sizeof(int32));
	return d;
}

/* A copy of len bytes in the dictionary's memory. */
static Bytes
CopyBytes(SkuDict *d, const char *data, int32 len)
{
	Bytes		b;
	char	   *copy = MemoryContextAlloc(d->mcxt, len + 1);

	memcpy(copy, data, len);
	copy[len] = '\0';
	b.data = copy;
	b.len = len;
	return b;
}

/* The number of a SKU string, numbering it if new. */
int32
sku_intern(SkuDict *d, const char *sku, int len)
{
	Bytes		key = {sku, len};
	bool		found;
	SkuEntry   *e = skuhash_insert(d->skus, key, &found);

	if (found)
		return e->sku;
	if (d->n == d->max)
	{
		if (d->max >= MAX_SKUS / 2)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many distinct SKUs for cp_active_entitlements")));
		d->max *= 2;
		d->names = repalloc_huge(d->names, d->max * sizeof(Bytes));
		d->mark = repalloc_huge(d->mark, d->max * sizeof(uint32));
		d->local = repalloc_huge(d->local, d->max * sizeof(int32));
		memset(d->mark + d->n, 0, (d->max - d->n) * sizeof(uint32));
	}
	e->key = CopyBytes(d, sku, len);
	e->sku = d->n;
	d->names[d->n] = e->key;
	return d->n++;
}

/*
 * What a row's workload and SKU name under the dictionary's rule set:
 * SKUW(SKU number, workload), or -1 when the workload is not eligible.
 */
int32
sku_lookup(SkuDict *d, const char *workload, int wlen, const char *sku, int slen)
{
	SpellingKey key = {{workload, wlen}, {sku, slen}};
	bool		found;
	SpellingEntry *e = spellhash_lookup(d->spellings, key);
	int			w;

	if (likely(e != NULL))
		return e->skuw;
	e = spellhash_insert(d->spellings, key, &found);
	/* the entry keeps copies: the row's strings are transient */
	e->key.workload = CopyBytes(d, workload, wlen);
	e->key.sku = CopyBytes(d, sku, slen);
	e->skuw = -1;
	Assert(d->rs != NULL);
	w = ruleset_workload(d->rs, workload, wlen);
	if (w >= 0)
		e->skuw = SKUW(sku_intern(d, sku, slen), w);
	return e->skuw;
}

int32
sku_count(const SkuDict *d)
{
	return d->n;
}

const char *
sku_name(const SkuDict *d, int32 sku, int *len)
{
	*len = d->names[sku].len;
	return d->names[sku].data;
}

void
sku_local_begin(SkuDict *d)
{
	if (++d->epoch == 0)
	{
		memset(d->mark, 0, d->max * sizeof(uint32));
		d->epoch = 1;
	}
	d->nlocal = 0;
}

/* The SKU's number in the state being written or read, new ones in turn. */
int32
sku_local(SkuDict *d, int32 sku, bool *is_new)
{
	*is_new = d->mark[sku] != d->epoch;
	if (*is_new)
	{
		d->mark[sku] = d->epoch;
		d->local[sku] = d->nlocal++;
	}
	return d->local[sku];
}
