/*
 * entitlements.c
 *	  cp_active_entitlements(tenant anyelement, workload text, sku text,
 *							 active_users bigint, is_trial boolean,
 *							 measured_on date) -> bigint
 *
 * A tenant's rows usually come together (one report: its workloads and
 * SKUs), so the state keeps the current tenant's measurements in itself.
 * Per row, the (workload, SKU) pair is named by one integer (a small cache
 * of recent spellings in front of the rules, and a SKU dictionary shared by
 * all groups of the call site), and the current tenant's few slots are
 * searched for it; a slot keeps the latest date and, among rows of that
 * date, the largest count.  A row touches the state's first cache lines and
 * the call site's cache, nothing else.  When another tenant comes, the
 * current one is appended, as one record, to the state's log.
 *
 * The log is in arrival order and may hold a tenant twice (its rows came
 * apart).  Sealing it sorts a compact index of (hash, record) and merges a
 * tenant's records: a sealed run has its tenants in hash order, each once.
 * The final function walks the log, or all sealed runs at once in hash
 * order: SKUs summed per workload, the highest workload per tenant, tenants
 * summed.  Every step is a max or a sum, so the result depends neither on
 * row order nor on how rows were split between partial states.
 *
 * Serialized states are written in hash order and read back as sealed runs;
 * combine collects them, and the final function merges them in one pass, so
 * the leader of a parallel query hashes and probes nothing after the
 * workers are done.  A log that grows large (rows of a tenant in no
 * particular order, or no usage window) is sealed and merged now and then,
 * which bounds memory by the distinct (tenant, workload, SKU) triples rather
 * than by the rows.
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "common/int.h"
#include "datatype/timestamp.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "port/pg_bswap.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/memutils.h"
#include "utils/uuid.h"

#include "keyhash.h"
#include "rules.h"

#define ENT_STATE_VERSION 1

/* A (workload, SKU) pair as one integer: SKU number << 3 | workload. */
#define SKUW(sku, w) (((sku) << 3) | (w))
#define SKUW_SKU(x) ((x) >> 3)
#define SKUW_WORKLOAD(x) ((x) & 7)
#define MAX_SKUS (PG_INT32_MAX >> 3)

/* One (workload, SKU) of a tenant: its latest measurement. */
typedef struct RunSlot
{
	int64		users;			/* largest count at measured_on */
	DateADT		measured_on;	/* latest date */
	int32		skuw;
} RunSlot;

/* A tenant of a run: its slots are distinct, in no particular order. */
typedef struct RunTenant
{
	Datum		key;
	uint32		hash;
	int32		nslots;
	RunSlot    *slots;
} RunTenant;

typedef struct Run
{
	RunTenant  *tenants;
	Size		ntenants;
	Size		maxtenants;
	Size		nslots;			/* of all tenants */
	bool		fixed;			/* tenants, keys and slots made in one piece */
	Arena		arena;			/* the tenants' keys and slots (or other keys) */
} Run;

#define MAX_RUNS 8

/* hash << 32 | record number: what sealing sorts */
#if PG_VERSION_NUM >= 140000
#define ST_SORT sort_index
#define ST_ELEMENT_TYPE uint64
#define ST_COMPARE(a, b) ((*(a) > *(b)) - (*(a) < *(b)))
#define ST_SCOPE static
#define ST_DECLARE
#define ST_DEFINE
#include "lib/sort_template.h"
#else
/* PostgreSQL 13 has no sort template: qsort, with a call per comparison */
static int
IndexCmp(const void *a, const void *b)
{
	uint64		x = *(const uint64 *) a;
	uint64		y = *(const uint64 *) b;

	return (x > y) - (x < y);
}

static void
sort_index(uint64 *idx, size_t n)
{
	qsort(idx, n, sizeof(uint64), IndexCmp);
}
#endif

typedef struct SkuKey
{
	const char *data;
	int32		len;
} SkuKey;

typedef struct SkuEntry
{
	SkuKey		key;
	uint32		hash;
	char		status;
	int32		id;
} SkuEntry;

#define SH_PREFIX skuhash
#define SH_ELEMENT_TYPE SkuEntry
#define SH_KEY_TYPE SkuKey
#define SH_KEY key
#define SH_HASH_KEY(tb, k) hash_bytes((const unsigned char *) (k).data, (k).len)
#define SH_EQUAL(tb, a, b) ((a).len == (b).len && memcmp((a).data, (b).data, (a).len) == 0)
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) a->hash
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/* SKU strings of one call site, numbered in the order first seen. */
typedef struct SkuDict
{
	MemoryContext mcxt;
	skuhash_hash *hash;			/* created on first use */
	SkuKey	   *byid;
	int32		n;
	int32		max;
	Arena		arena;
} SkuDict;

/* A recently seen spelling of (workload, SKU) and what it means. */
#define SPELLINGS 64
#define SPELLING_MAX 40
typedef struct Spelling
{
	int16		wlen;			/* -1: empty entry */
	int16		slen;
	int32		skuw;			/* -1: the workload is not eligible */
	char		workload[SPELLING_MAX];
	char		sku[SPELLING_MAX];
} Spelling;

/* What a support function keeps between calls, in its fn_extra. */
typedef struct Site
{
	KeyType    *keytypes;
	SkuDict		dict;
	Spelling	recent[SPELLINGS];
} Site;

/*
 * The log: records appended to blocks that are never moved; per record, the tenant's hash and number of slots, its key (the
 * bytes of a small fixed-size key, else a Datum: by value, or pointing into
 * the state's key arena), then its slots.
 */
typedef struct LogBlock
{
	struct LogBlock *next;		/* the block written before this one */
	Size		used;			/* bytes of records (set when it is left) */
	char		data[FLEXIBLE_ARRAY_MEMBER];
} LogBlock;

typedef struct LogRecord
{
	uint32		hash;
	int32		nslots;
	/* the key and the slots follow */
} LogRecord;

#define LOG_KEY_OFFSET MAXALIGN(sizeof(LogRecord))
#define LOG_FIRST_BLOCK 256
#define LOG_MAX_BLOCK (64 * 1024)

/* The current tenant's slots kept in the state; more go to another record. */
#define CUR_SLOTS 6

typedef struct EntState
{
	/* what every row and every record touches: one cache line */
	int32		ncur;			/* the current tenant's slots; 0: none */
	uint32		curhash;
	Datum		curkey;			/* by value, or curbytes, or in keys */
	KeyType    *kt;				/* tenant key type, shared */
	char	   *tail;			/* where the log's next record goes */
	char	   *end;			/* the end of the log's current block */
	int64		seal_left;		/* slots the log takes before it is sealed */
	union
	{
		char		bytes[16];	/* a copy of a small fixed-size key */
		int64		align;
	}			curbytes;
	RunSlot		cur[CUR_SLOTS];

	LogBlock   *blocks;			/* the log, newest block first */
	Arena	   *keys;			/* copies of keys the log refers to, if any */
	SkuDict    *dict;			/* SKU numbers, shared */
	MemoryContext mcxt;			/* where the state lives */
	Run		  **runs;			/* sealed (room for MAX_RUNS), or NULL */
	uint32		next_block;		/* size of the log's next block */
	int16		nruns;
	bool		from_wire;		/* deserialized: adopt or free it in combine */
} EntState;

StaticAssertDecl(offsetof(EntState, cur) <= 64,
				 "the fields every row touches fit one cache line");
StaticAssertDecl(sizeof(EntState) <= 256,
				 "a state takes the smallest chunk that holds it");

#define SEAL_SLOTS 65536

/* Receives a state's tenants, one at a time, with their merged slots. */
typedef struct TenantSink TenantSink;
struct TenantSink
{
	void		(*put) (TenantSink *sink, const KeyType *kt, Datum key,
						uint32 hash, const RunSlot *slots, int32 n);
};

PG_FUNCTION_INFO_V1(cp_entitlements_trans);
PG_FUNCTION_INFO_V1(cp_entitlements_final);
PG_FUNCTION_INFO_V1(cp_entitlements_combine);
PG_FUNCTION_INFO_V1(cp_entitlements_serialize);
PG_FUNCTION_INFO_V1(cp_entitlements_deserialize);

static pg_noinline Site *
NewSite(FunctionCallInfo fcinfo)
{
	Site	   *site = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(Site));

	site->dict.mcxt = fcinfo->flinfo->fn_mcxt;
	arena_init(&site->dict.arena, fcinfo->flinfo->fn_mcxt);
	for (int i = 0; i < SPELLINGS; i++)
		site->recent[i].wlen = -1;
	fcinfo->flinfo->fn_extra = site;
	return site;
}

static inline Site *
GetSite(FunctionCallInfo fcinfo)
{
	Site	   *site = (Site *) fcinfo->flinfo->fn_extra;

	return likely(site != NULL) ? site : NewSite(fcinfo);
}

/* The number of a SKU string in a dictionary, interning it if new. */
static int32
InternSku(SkuDict *dict, const char *data, int32 len)
{
	SkuKey		key;
	SkuEntry   *e;
	bool		found;

	if (dict->hash == NULL)
	{
		dict->hash = skuhash_create(dict->mcxt, 16, NULL);
		dict->max = 16;
		dict->byid = MemoryContextAlloc(dict->mcxt, dict->max * sizeof(SkuKey));
	}
	key.data = data;
	key.len = len;
	e = skuhash_insert(dict->hash, key, &found);
	if (!found)
	{
		char	   *copy = arena_alloc(&dict->arena, len);

		memcpy(copy, data, len);
		e->key.data = copy;
		if (dict->n >= dict->max)
		{
			if (dict->max >= MAX_SKUS / 2)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("too many distinct SKUs for cp_active_entitlements")));
			dict->max *= 2;
			dict->byid = repalloc_huge(dict->byid, dict->max * sizeof(SkuKey));
		}
		e->id = dict->n;
		dict->byid[dict->n++] = e->key;
	}
	return e->id;
}

/* A cheap hash of a spelling, to pick its entry in the cache. */
static inline uint32
SpellingHash(const char *w, int wlen, const char *s, int slen)
{
	uint32		h = (uint32) wlen * 0x9E3779B1u ^ (uint32) slen * 0x85EBCA77u;

	if (wlen > 0)
		h ^= ((uint32) (unsigned char) w[0] << 8 | (unsigned char) w[wlen - 1]) * 0xC2B2AE3Du;
	if (slen > 0)
		h ^= ((uint32) (unsigned char) s[0] << 16 | (unsigned char) s[slen - 1]) * 0x27D4EB2Fu;
	return h ^ (h >> 15);
}

/*
 * Equality of n bytes, n small: words loaded from both ends (never past
 * either end), so short strings compare without a call.
 */
static inline bool
ShortEqual(const char *a, const char *b, int n)
{
	uint64		x,
				y,
				u,
				v;
	uint32		p,
				q,
				r,
				s;

	if (n >= 8)
	{
		if (n > 16)
			return memcmp(a, b, n) == 0;
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		memcpy(&u, a + n - 8, 8);
		memcpy(&v, b + n - 8, 8);
		return ((x ^ y) | (u ^ v)) == 0;
	}
	if (n >= 4)
	{
		memcpy(&p, a, 4);
		memcpy(&q, b, 4);
		memcpy(&r, a + n - 4, 4);
		memcpy(&s, b + n - 4, 4);
		return ((p ^ q) | (r ^ s)) == 0;
	}
	for (int i = 0; i < n; i++)
	{
		if (a[i] != b[i])
			return false;
	}
	return true;
}

/*
 * The (workload, SKU) pair a row names, as SKUW(sku number, workload), or -1
 * when the workload is not eligible.
 */
static pg_noinline int32
LookupSpellingSlow(Site *site, Spelling *sp, const char *w, int wlen,
				   const char *s, int slen)
{
	CpWorkload	workload;
	int32		skuw;

	workload = cp_workload_lookup(w, wlen);
	skuw = workload == CP_WORKLOAD_NONE ? -1 :
		SKUW(InternSku(&site->dict, s, slen), workload);
	if (wlen <= SPELLING_MAX && slen <= SPELLING_MAX)
	{
		sp->wlen = wlen;
		sp->slen = slen;
		memcpy(sp->workload, w, wlen);
		memcpy(sp->sku, s, slen);
		sp->skuw = skuw;
	}
	return skuw;
}

static inline int32
LookupSpelling(Site *site, const char *w, int wlen, const char *s, int slen)
{
	Spelling   *sp = &site->recent[SpellingHash(w, wlen, s, slen) % SPELLINGS];

	if (likely(sp->wlen == wlen && sp->slen == slen &&
			   ShortEqual(sp->workload, w, wlen) && ShortEqual(sp->sku, s, slen)))
		return sp->skuw;
	return LookupSpellingSlow(site, sp, w, wlen, s, slen);
}

/*
 * The bytes of a text argument (PG_GETARG_TEXT_PP and VARDATA_ANY), with
 * the usual inline value read without a call.
 */
static inline const char *
TextBytes(Datum d, int *len)
{
	struct varlena *v = (struct varlena *) DatumGetPointer(d);

	if (likely(VARATT_IS_1B(v) && !VARATT_IS_1B_E(v)))
	{
		*len = VARSIZE_1B(v) - VARHDRSZ_SHORT;
		return VARDATA_1B(v);
	}
	if (!VARATT_IS_4B_U(v))
		v = pg_detoast_datum_packed(v);
	*len = VARSIZE_ANY_EXHDR(v);
	return VARDATA_ANY(v);
}

/* Equality of two prepared keys, without a call for the common types. */
static inline bool
KeyEqual(const KeyType *kt, Datum a, Datum b)
{
	if (a == b)
		return true;			/* the same value, or the same copy */
	if (kt->image_eq)
	{
		if (kt->typbyval)
			return false;
		if (kt->typlen == 16)
			return memcmp(DatumGetPointer(a), DatumGetPointer(b), 16) == 0;
	}
	return keytype_equal(kt, a, b);
}

/* Keys kept, while current, in the state itself (uuid, among others). */
#define KEY_INLINE(kt) \
	(!(kt)->typbyval && (kt)->image_eq && (kt)->typlen > 0 && \
	 (kt)->typlen <= (int) sizeof(((EntState *) 0)->curbytes.bytes))

/* The bytes a key takes in a log record. */
#define LOG_KEY_BYTES(kt) (KEY_INLINE(kt) ? MAXALIGN((kt)->typlen) : sizeof(Datum))

/* An empty state in mcxt. */
static EntState *
EntStateCreate(MemoryContext mcxt, KeyType *kt, SkuDict *dict)
{
	EntState   *st = MemoryContextAllocZero(mcxt, sizeof(EntState));

	st->kt = kt;
	st->dict = dict;
	st->mcxt = mcxt;
	st->next_block = LOG_FIRST_BLOCK;
	st->seal_left = SEAL_SLOTS;
	return st;
}

/* An empty run in mcxt with room for ntenants (it grows if need be). */
static Run *
RunCreate(MemoryContext mcxt, Size ntenants)
{
	Run		   *r = MemoryContextAllocZero(mcxt, sizeof(Run));

	r->maxtenants = Max(ntenants, 1);
	r->tenants = MemoryContextAllocHuge(mcxt, r->maxtenants * sizeof(RunTenant));
	arena_init(&r->arena, mcxt);
	return r;
}

static void
RunFree(Run *r)
{
	arena_free(&r->arena);
	if (!r->fixed)
		pfree(r->tenants);
	pfree(r);
}

/*
 * A run in one piece of memory for ntenants, each with keybytes of key
 * (none: keys by value, or copied into the arena) and room for nslots slots
 * in all; *keys and *slots point at those areas.
 */
static Run *
RunCreateFixed(MemoryContext mcxt, Size ntenants, Size keybytes, Size nslots,
			   char **keys, RunSlot **slots)
{
	Size		size = MAXALIGN(sizeof(Run)) + ntenants * sizeof(RunTenant) +
		ntenants * keybytes + nslots * sizeof(RunSlot);
	char	   *p = MemoryContextAllocHuge(mcxt, size);
	Run		   *r = (Run *) p;

	memset(r, 0, sizeof(Run));
	p += MAXALIGN(sizeof(Run));
	r->tenants = (RunTenant *) p;
	r->maxtenants = ntenants;
	r->fixed = true;
	p += ntenants * sizeof(RunTenant);
	*keys = keybytes > 0 ? p : NULL;
	p += ntenants * keybytes;
	*slots = (RunSlot *) p;
	arena_init(&r->arena, mcxt);
	return r;
}

/* Add a sealed run to the state (which has room for it). */
static void
AddRun(EntState *st, Run *r)
{
	Assert(st->nruns < MAX_RUNS);
	if (st->runs == NULL)
		st->runs = MemoryContextAlloc(st->mcxt, MAX_RUNS * sizeof(Run *));
	st->runs[st->nruns++] = r;
}

/* A new tenant at the end of r; its fields are the caller's to set. */
static inline RunTenant *
RunAddTenant(Run *r)
{
	if (r->ntenants == r->maxtenants)
	{
		if (r->fixed)
			elog(ERROR, "a run made for %zu tenants got more", r->maxtenants);
		if (r->maxtenants >= MaxAllocHugeSize / sizeof(RunTenant) / 2)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many tenants in one cp_active_entitlements group")));
		r->maxtenants *= 2;
		r->tenants = repalloc_huge(r->tenants, r->maxtenants * sizeof(RunTenant));
	}
	return &r->tenants[r->ntenants++];
}

/* Forget the log (and the current tenant, whose key may be in keys). */
static void
LogReset(EntState *st)
{
	while (st->blocks != NULL)
	{
		LogBlock   *next = st->blocks->next;

		pfree(st->blocks);
		st->blocks = next;
	}
	st->tail = st->end = NULL;
	st->next_block = LOG_FIRST_BLOCK;
	st->ncur = 0;
	if (st->keys != NULL)
		arena_free(st->keys);
}

/* Give back the memory of a state merged into another. */
static void
EntStateFree(EntState *st)
{
	LogReset(st);
	if (st->keys != NULL)
		pfree(st->keys);
	for (int i = 0; i < st->nruns; i++)
		RunFree(st->runs[i]);
	if (st->runs != NULL)
		pfree(st->runs);
	pfree(st);
}

static void
CountOverflow(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("active entitlements out of range for type bigint")));
}

static inline void
AddCount(int64 *sum, int64 n)
{
	if (pg_add_s64_overflow(*sum, n, sum))
		CountOverflow();
}

/* Slots by SKUW; a handful usually, so insertion sort. */
static int
RunSlotCmp(const void *a, const void *b)
{
	int32		x = ((const RunSlot *) a)->skuw;
	int32		y = ((const RunSlot *) b)->skuw;

	return (x > y) - (x < y);
}

static void
SortSlots(RunSlot *s, Size n)
{
	if (n > 16)
	{
		qsort(s, n, sizeof(RunSlot), RunSlotCmp);
		return;
	}
	for (Size i = 1; i < n; i++)
	{
		RunSlot		x = s[i];
		Size		j = i;

		for (; j > 0 && s[j - 1].skuw > x.skuw; j--)
			s[j] = s[j - 1];
		s[j] = x;
	}
}

/* Keep in a the later of its measurement and (users, date); at one date, the larger. */
static inline void
KeepLatest(RunSlot *a, int64 users, DateADT date)
{
	if (date > a->measured_on ||
		(date == a->measured_on && users > a->users))
	{
		a->measured_on = date;
		a->users = users;
	}
}

/* Slots sorted by SKUW, repeats merged into one; returns the new count. */
static int32
ReduceSlots(RunSlot *s, int32 n)
{
	int32		out = 0;

	for (int32 i = 0; i < n; i++)
	{
		if (out > 0 && s[out - 1].skuw == s[i].skuw)
			KeepLatest(&s[out - 1], s[i].users, s[i].measured_on);
		else
			s[out++] = s[i];
	}
	return out;
}

/* A tenant's highest workload, from its distinct slots. */
static int64
HighestWorkload(const RunSlot *s, int32 n)
{
	int64		per_workload[CP_NUM_WORKLOADS] = {0};
	int64		highest = 0;

	for (int32 i = 0; i < n; i++)
		AddCount(&per_workload[SKUW_WORKLOAD(s[i].skuw)], s[i].users);
	for (int w = 0; w < CP_NUM_WORKLOADS; w++)
		highest = Max(highest, per_workload[w]);
	return highest;
}

/* A growable array of slots, for one tenant's merged measurements. */
typedef struct Scratch
{
	RunSlot    *s;
	Size		n;
	Size		max;
} Scratch;

static void
ScratchAdd(Scratch *sc, const RunSlot *s, int32 n)
{
	if (sc->n + n > sc->max)
	{
		sc->max = Max(Max(sc->max * 2, 64), sc->n + n);
		sc->s = sc->s ? repalloc_huge(sc->s, sc->max * sizeof(RunSlot)) :
			MemoryContextAllocHuge(CurrentMemoryContext, sc->max * sizeof(RunSlot));
	}
	memcpy(sc->s + sc->n, s, n * sizeof(RunSlot));
	sc->n += n;
}

static void
ScratchFree(Scratch *sc)
{
	if (sc->s != NULL)
		pfree(sc->s);
}

/*
 * Tenants of one hash (usually one tenant, perhaps in several records; or
 * keys that collide): hand sink each distinct key once, its records' slots
 * merged.  Consumed entries of t[] are set to NULL.
 */
static void
PutGroup(const KeyType *kt, RunTenant **t, Size m, uint32 hash,
		 Scratch *sc, TenantSink *sink)
{
	for (Size i = 0; i < m; i++)
	{
		bool		merged = false;

		if (t[i] == NULL)
			continue;
		for (Size j = i + 1; j < m; j++)
		{
			if (t[j] == NULL || !KeyEqual(kt, t[i]->key, t[j]->key))
				continue;
			if (!merged)
			{
				sc->n = 0;
				ScratchAdd(sc, t[i]->slots, t[i]->nslots);
				merged = true;
			}
			ScratchAdd(sc, t[j]->slots, t[j]->nslots);
			t[j] = NULL;
		}
		if (!merged)
			sink->put(sink, kt, t[i]->key, hash, t[i]->slots, t[i]->nslots);
		else
		{
			SortSlots(sc->s, sc->n);
			sink->put(sink, kt, t[i]->key, hash, sc->s,
					  ReduceSlots(sc->s, (int32) sc->n));
		}
		t[i] = NULL;
	}
}

/* A growable array of tenant pointers, for the groups of one hash. */
typedef struct Group
{
	RunTenant **t;
	Size		n;
	Size		max;
} Group;

static inline void
GroupAdd(Group *g, RunTenant *t)
{
	if (g->n == g->max)
	{
		g->max = Max(g->max * 2, 16);
		g->t = g->t ? repalloc_huge(g->t, g->max * sizeof(RunTenant *)) :
			MemoryContextAllocHuge(CurrentMemoryContext, g->max * sizeof(RunTenant *));
	}
	g->t[g->n++] = t;
}

/* A log record as a tenant (pointing into the record). */
static inline void
LogTenant(const KeyType *kt, LogRecord *rec, RunTenant *t)
{
	char	   *k = (char *) rec + LOG_KEY_OFFSET;

	t->key = KEY_INLINE(kt) ? PointerGetDatum(k) : *(Datum *) k;
	t->hash = rec->hash;
	t->nslots = rec->nslots;
	t->slots = (RunSlot *) (k + LOG_KEY_BYTES(kt));
}

/* Loop with rec over every record of the log, newest block first. */
#define FOREACH_LOG_RECORD(st, rec) \
	for (LogBlock *blk_ = (st)->blocks; blk_ != NULL; blk_ = blk_->next) \
		for (char *p_ = blk_->data, *e_ = blk_->data + \
			 (blk_ == (st)->blocks ? (Size) ((st)->tail - blk_->data) : blk_->used); \
			 p_ < e_ && ((rec) = (LogRecord *) p_) != NULL; \
			 p_ += LOG_KEY_OFFSET + LOG_KEY_BYTES((st)->kt) + \
				 (rec)->nslots * sizeof(RunSlot))

/*
 * Hand sink the tenants of the log in hash order, each once.  The log
 * itself is left as it is.
 */
static void
ScanLog(EntState *st, TenantSink *sink)
{
	Size		n = 0;
	Size		max = 0;
	uint64	   *idx;
	LogRecord **recs;
	LogRecord  *rec;
	RunTenant  *group = NULL;
	RunTenant **gptr = NULL;
	Size		gmax = 0;
	Scratch		sc = {0};

	if (st->blocks == NULL)
		return;
	/* as many records as the log's bytes can hold */
	for (LogBlock *b = st->blocks; b != NULL; b = b->next)
		max += b == st->blocks ? (Size) (st->tail - b->data) : b->used;
	max = Max(max / (LOG_KEY_OFFSET + LOG_KEY_BYTES(st->kt) + sizeof(RunSlot)), 1);
	idx = MemoryContextAllocHuge(CurrentMemoryContext, max * sizeof(uint64));
	recs = MemoryContextAllocHuge(CurrentMemoryContext, max * sizeof(LogRecord *));
	FOREACH_LOG_RECORD(st, rec)
	{
		if (n == PG_UINT32_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many tenants in one cp_active_entitlements group")));
		Assert(n < max);
		idx[n] = (uint64) rec->hash << 32 | (uint32) n;
		recs[n++] = rec;
	}
	sort_index(idx, n);

	for (Size i = 0; i < n;)
	{
		uint32		hash = (uint32) (idx[i] >> 32);
		Size		end = i + 1;
		RunTenant	t;

		while (end < n && (uint32) (idx[end] >> 32) == hash)
			end++;
		if (end == i + 1)
		{
			LogTenant(st->kt, recs[(uint32) idx[i]], &t);
			sink->put(sink, st->kt, t.key, hash, t.slots, t.nslots);
		}
		else
		{
			/* one tenant in several records, or keys of one hash */
			Size		m = end - i;

			if (m > gmax)
			{
				gmax = Max(m, 16);
				if (group != NULL)
				{
					pfree(group);
					pfree(gptr);
				}
				group = MemoryContextAllocHuge(CurrentMemoryContext, gmax * sizeof(RunTenant));
				gptr = MemoryContextAllocHuge(CurrentMemoryContext, gmax * sizeof(RunTenant *));
			}
			for (Size k = 0; k < m; k++)
			{
				LogTenant(st->kt, recs[(uint32) idx[i + k]], &group[k]);
				gptr[k] = &group[k];
			}
			PutGroup(st->kt, gptr, m, hash, &sc, sink);
		}
		i = end;
	}
	pfree(idx);
	pfree(recs);
	if (group != NULL)
	{
		pfree(group);
		pfree(gptr);
	}
	ScratchFree(&sc);
}

/*
 * Hand sink the tenants of all the state's sealed runs, merged in hash
 * order: a tenant in several runs comes once, with its slots merged.
 */
static void
MergeRuns(EntState *st, TenantSink *sink)
{
	Size		pos[MAX_RUNS] = {0};
	Scratch		sc = {0};
	Group		g = {0};

	if (st->nruns == 1)
	{
		Run		   *r = st->runs[0];

		for (Size i = 0; i < r->ntenants; i++)
			sink->put(sink, st->kt, r->tenants[i].key, r->tenants[i].hash,
					  r->tenants[i].slots, r->tenants[i].nslots);
		return;
	}

	for (;;)
	{
		uint32		h = 0;
		bool		any = false;

		for (int r = 0; r < st->nruns; r++)
		{
			if (pos[r] < st->runs[r]->ntenants &&
				(!any || st->runs[r]->tenants[pos[r]].hash < h))
			{
				h = st->runs[r]->tenants[pos[r]].hash;
				any = true;
			}
		}
		if (!any)
			break;

		g.n = 0;
		for (int r = 0; r < st->nruns; r++)
		{
			Run		   *run = st->runs[r];

			for (; pos[r] < run->ntenants && run->tenants[pos[r]].hash == h; pos[r]++)
				GroupAdd(&g, &run->tenants[pos[r]]);
		}
		if (g.n == 1)
			sink->put(sink, st->kt, g.t[0]->key, h, g.t[0]->slots, g.t[0]->nslots);
		else
			PutGroup(st->kt, g.t, g.n, h, &sc, sink);
	}
	if (g.t != NULL)
		pfree(g.t);
	ScratchFree(&sc);
}

/* A sink that sums the tenants' highest workloads. */
typedef struct TotalSink
{
	TenantSink	base;
	int64		total;
} TotalSink;

static void
TotalPut(TenantSink *sink, const KeyType *kt, Datum key, uint32 hash,
		 const RunSlot *slots, int32 n)
{
	(void) kt;
	(void) key;
	(void) hash;
	AddCount(&((TotalSink *) sink)->total, HighestWorkload(slots, n));
}

/* A sink that writes the tenants into a new sealed run. */
typedef struct RunSink
{
	TenantSink	base;
	Run		   *run;
} RunSink;

static void
RunPut(TenantSink *sink, const KeyType *kt, Datum key, uint32 hash,
	   const RunSlot *slots, int32 n)
{
	Run		   *r = ((RunSink *) sink)->run;
	RunTenant  *t = RunAddTenant(r);

	t->key = keytype_copy(kt, &r->arena, key);
	t->hash = hash;
	t->nslots = n;
	t->slots = arena_alloc(&r->arena, n * sizeof(RunSlot));
	memcpy(t->slots, slots, n * sizeof(RunSlot));
	r->nslots += n;
}

/* Merge the sealed runs into one. */
static void
MergeSealed(EntState *st)
{
	RunSink		sink;
	Size		upper = 0;

	if (st->nruns <= 1)
		return;
	for (int r = 0; r < st->nruns; r++)
		upper += st->runs[r]->ntenants;
	sink.base.put = RunPut;
	sink.run = RunCreate(st->mcxt, upper);
	MergeRuns(st, &sink.base);
	for (int r = 0; r < st->nruns; r++)
		RunFree(st->runs[r]);
	st->runs[0] = sink.run;
	st->nruns = 1;
}

/* Seal the log: it becomes one more sealed run, and is emptied. */
static void
SealLog(EntState *st)
{
	RunSink		sink;

	if (st->blocks == NULL)
		return;
	if (st->nruns == MAX_RUNS)
		MergeSealed(st);
	sink.base.put = RunPut;
	sink.run = RunCreate(st->mcxt, 64);
	ScanLog(st, &sink.base);
	AddRun(st, sink.run);
	LogReset(st);
}

/* Room for a record of size bytes at the log's tail: a new block. */
static pg_noinline void
LogNewBlock(EntState *st, Size size)
{
	Size		bsize = Max(st->next_block, offsetof(LogBlock, data) + size);
	LogBlock   *b = MemoryContextAllocHuge(st->mcxt, bsize);

	if (st->blocks != NULL)
		st->blocks->used = st->tail - st->blocks->data;
	b->next = st->blocks;
	b->used = 0;
	st->blocks = b;
	st->tail = b->data;
	st->end = (char *) b + bsize;
	if (st->next_block < LOG_MAX_BLOCK)
		st->next_block *= 2;
}

/* Bound the memory: merge what is there into one sealed run. */
static pg_noinline void
Compact(EntState *st)
{
	SealLog(st);
	MergeSealed(st);
	/* compact again only once as much more has come */
	st->seal_left = SEAL_SLOTS;
	if (st->nruns > 0)
		st->seal_left = Max(SEAL_SLOTS, 2 * (int64) st->runs[0]->nslots);
}

/* Append the current tenant, as one record, to the log. */
static inline void
FlushCurrent(EntState *st)
{
	const KeyType *kt = st->kt;
	Size		keybytes = LOG_KEY_BYTES(kt);
	Size		size = LOG_KEY_OFFSET + keybytes + st->ncur * sizeof(RunSlot);
	LogRecord  *rec;
	char	   *k;

	if (st->ncur == 0)
		return;
	if ((Size) (st->end - st->tail) < size)
		LogNewBlock(st, size);
	rec = (LogRecord *) st->tail;
	st->tail += size;
	rec->hash = st->curhash;
	rec->nslots = st->ncur;
	k = (char *) rec + LOG_KEY_OFFSET;
	if (KEY_INLINE(kt))
		memcpy(k, st->curbytes.bytes, keybytes);
	else
		*(Datum *) k = st->curkey;
	memcpy(k + keybytes, st->cur, st->ncur * sizeof(RunSlot));
	st->seal_left -= st->ncur;
	st->ncur = 0;
	if (st->seal_left <= 0)
		Compact(st);
}

/*
 * Hand sink every tenant the state holds, in hash order, each once with its
 * slots merged.  The state keeps what it holds (the current tenant is filed
 * in the log, and the log sealed if there are runs to merge it with).
 */
static void
ForEachTenant(EntState *st, TenantSink *sink)
{
	if (st->blocks == NULL && st->nruns == 0)
	{
		/* one tenant, never filed: no log to make */
		if (st->ncur > 0)
			sink->put(sink, st->kt, st->curkey, st->curhash, st->cur, st->ncur);
		return;
	}
	FlushCurrent(st);
	if (st->nruns == 0)
		ScanLog(st, sink);
	else
	{
		SealLog(st);
		MergeRuns(st, sink);
	}
}

/* Start a current tenant with a prepared key. */
static inline void
StartCurrent(EntState *st, Datum key)
{
	const KeyType *kt = st->kt;

	if (kt->typbyval)
		st->curkey = key;
	else if (KEY_INLINE(kt))
	{
		memset(st->curbytes.bytes, 0, sizeof(st->curbytes.bytes));
		memcpy(st->curbytes.bytes, DatumGetPointer(key), kt->typlen);
		st->curkey = PointerGetDatum(st->curbytes.bytes);
	}
	else
	{
		if (st->keys == NULL)
		{
			st->keys = MemoryContextAlloc(st->mcxt, sizeof(Arena));
			arena_init(st->keys, st->mcxt);
		}
		st->curkey = keytype_copy(kt, st->keys, key);
	}
	st->curhash = keytype_hash(kt, st->curkey);
	st->ncur = 0;
}

/* Is a prepared key the current tenant's? */
static inline bool
IsCurrent(const EntState *st, Datum key)
{
	const KeyType *kt = st->kt;

	if (st->ncur == 0)
		return false;
	if (KEY_INLINE(kt))
	{
		if (kt->typlen == 16)
			return memcmp(st->curbytes.bytes, DatumGetPointer(key), 16) == 0;
		return memcmp(st->curbytes.bytes, DatumGetPointer(key), kt->typlen) == 0;
	}
	return KeyEqual(kt, st->curkey, key);
}

/* Record one measurement of a (workload, SKU) of a tenant (a prepared key). */
static pg_attribute_always_inline void
AddRow(EntState *st, Datum key, int32 skuw, DateADT date, int64 users)
{
	RunSlot    *s;

	if (IsCurrent(st, key))
	{
		for (int32 i = 0; i < st->ncur; i++)
		{
			if (st->cur[i].skuw == skuw)
			{
				KeepLatest(&st->cur[i], users, date);
				return;
			}
		}
		if (st->ncur == CUR_SLOTS)
		{
			/* a tenant of many SKUs: carry on in another record */
			FlushCurrent(st);
			StartCurrent(st, key);
		}
	}
	else
	{
		FlushCurrent(st);
		StartCurrent(st, key);
	}
	s = &st->cur[st->ncur++];
	s->users = users;
	s->measured_on = date;
	s->skuw = skuw;
}

/* The first row of a group: look up the key type, make the state. */
static pg_noinline EntState *
FirstRow(FunctionCallInfo fcinfo, Site *site)
{
	MemoryContext aggcxt;

	REQUIRE_AGG_CONTEXT(fcinfo, &aggcxt);
	return EntStateCreate(aggcxt, keytype_from_arg(&site->keytypes, fcinfo, 1),
						  &site->dict);
}

static pg_noinline void
NegativeCount(int64 users)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("active_users must not be negative: " INT64_FORMAT, users)));
}

Datum
cp_entitlements_trans(PG_FUNCTION_ARGS)
{
	EntState   *st = PG_ARGISNULL(0) ? NULL : (EntState *) PG_GETARG_POINTER(0);
	Site	   *site;
	const char *w;
	const char *s;
	int			wlen;
	int			slen;
	int32		skuw;
	int64		users = 0;

	/* checked before anything is skipped: the outcome never hangs on order */
	if (!PG_ARGISNULL(4))
	{
		users = PG_GETARG_INT64(4);
		if (unlikely(users < 0))
			NegativeCount(users);
	}
	if (PG_ARGISNULL(1) | PG_ARGISNULL(2) | PG_ARGISNULL(3) |
		PG_ARGISNULL(4) | PG_ARGISNULL(5) | PG_ARGISNULL(6))
		goto skip;
	if (PG_GETARG_BOOL(5))
		goto skip;

	site = GetSite(fcinfo);
	w = TextBytes(PG_GETARG_DATUM(2), &wlen);
	s = TextBytes(PG_GETARG_DATUM(3), &slen);
	skuw = LookupSpelling(site, w, wlen, s, slen);
	if (skuw < 0)
		goto skip;

	if (st == NULL)
		st = FirstRow(fcinfo, site);
	AddRow(st, keytype_prepare(st->kt, PG_GETARG_DATUM(1)), skuw,
		   PG_GETARG_DATEADT(6), users);

skip:
	if (st == NULL)
	{
		/* no state yet: only an aggregate may call this */
		REQUIRE_AGG_CONTEXT(fcinfo, NULL);
		PG_RETURN_NULL();
	}
	PG_RETURN_POINTER(st);
}

Datum
cp_entitlements_final(PG_FUNCTION_ARGS)
{
	EntState   *st;
	TotalSink	sink;

	REQUIRE_AGG_CONTEXT(fcinfo, NULL);
	if (PG_ARGISNULL(0))
		PG_RETURN_INT64(0);
	st = (EntState *) PG_GETARG_POINTER(0);

	/*
	 * The final function may be called again, with more rows added in
	 * between (window aggregates): what it does to the state (the current
	 * tenant filed, the log sealed) leaves it holding what it held.
	 */
	sink.base.put = TotalPut;
	sink.total = 0;
	ForEachTenant(st, &sink.base);
	PG_RETURN_INT64(sink.total);
}

/*
 * SKU numbers of one dictionary as numbers of another, interned on first
 * use; the identity when both are the same (states of one call site).
 */
typedef struct SkuMap
{
	SkuDict    *from;
	SkuDict    *to;
	int32	   *map;
} SkuMap;

static void
SkuMapInit(SkuMap *m, SkuDict *to, SkuDict *from)
{
	m->from = from;
	m->to = to;
	m->map = NULL;
	if (to != from && from->n > 0)
	{
		m->map = palloc(from->n * sizeof(int32));
		for (int32 i = 0; i < from->n; i++)
			m->map[i] = -1;
	}
}

static inline int32
SkuMapGet(SkuMap *m, int32 skuw)
{
	int32		sku = SKUW_SKU(skuw);

	if (m->map == NULL)
		return skuw;
	if (m->map[sku] < 0)
		m->map[sku] = InternSku(m->to, m->from->byid[sku].data,
								m->from->byid[sku].len);
	return SKUW(m->map[sku], SKUW_WORKLOAD(skuw));
}

/* Add the slots of one tenant of another state (its key prepared). */
static void
CopyTenant(EntState *dst, SkuMap *map, Datum key, const RunSlot *s, int32 n)
{
	for (int32 k = 0; k < n; k++)
		AddRow(dst, key, SkuMapGet(map, s[k].skuw), s[k].measured_on, s[k].users);
}

/* Add everything src holds to dst (keys and SKUs copied). */
static void
CopyState(EntState *dst, EntState *src)
{
	SkuMap		map;

	LogRecord  *rec;

	SkuMapInit(&map, dst->dict, src->dict);
	if (src->ncur > 0)
		CopyTenant(dst, &map, src->curkey, src->cur, src->ncur);
	FOREACH_LOG_RECORD(src, rec)
	{
		RunTenant	t;

		LogTenant(src->kt, rec, &t);
		CopyTenant(dst, &map, t.key, t.slots, t.nslots);
	}
	for (int r = 0; r < src->nruns; r++)
	{
		Run		   *run = src->runs[r];

		for (Size i = 0; i < run->ntenants; i++)
			CopyTenant(dst, &map, run->tenants[i].key, run->tenants[i].slots,
					   run->tenants[i].nslots);
	}
	if (map.map != NULL)
		pfree(map.map);
}

Datum
cp_entitlements_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	EntState   *left;
	EntState   *right;

	REQUIRE_AGG_CONTEXT(fcinfo, &aggcxt);
	left = PG_ARGISNULL(0) ? NULL : (EntState *) PG_GETARG_POINTER(0);
	right = PG_ARGISNULL(1) ? NULL : (EntState *) PG_GETARG_POINTER(1);

	if (right == NULL)
	{
		if (left == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(left);
	}
	if (left == NULL)
	{
		/* a deserialized state lives in this aggregate's memory: adopt it */
		if (right->from_wire)
		{
			right->from_wire = false;
			PG_RETURN_POINTER(right);
		}
		left = EntStateCreate(aggcxt, right->kt, right->dict);
	}
	else
		keytype_check_same(left->kt, right->kt);

	if (right->from_wire && right->dict == left->dict)
	{
		/* sealed runs of one call site are only collected; final merges */
		for (int r = 0; r < right->nruns; r++)
		{
			if (left->nruns == MAX_RUNS)
				MergeSealed(left);
			AddRun(left, right->runs[r]);
		}
		right->nruns = 0;
	}
	else
		CopyState(left, right);
	if (right->from_wire)
		EntStateFree(right);
	PG_RETURN_POINTER(left);
}

/*
 * Format, big-endian throughout:
 *	 byte version; int32 key type; int32 key collation;
 *	 int32 nskus, then per SKU: int32 length, bytes;
 *	 int32 ntenants, then per tenant: key (int32 length, send format),
 *		 int32 nslots, then per slot: byte workload, int32 SKU number (into
 *		 the list above), int32 date, int64 count.
 * Tenants are written in the order of their hashes, so that a reader on a
 * platform that hashes alike takes the state as a sealed run as it comes;
 * a reader accepts them in any order.
 */
#define SLOT_WIRE_BYTES (1 + 4 + 4 + 8)
#define TENANT_MIN_WIRE_BYTES (4 + 4 + SLOT_WIRE_BYTES)

/* A sink that writes tenants in the format above, numbering SKUs anew. */
typedef struct WireSink
{
	TenantSink	base;
	StringInfoData buf;			/* the tenants */
	Size		ntenants;
	int32	   *local;			/* dictionary number -> number in the state */
	int32	   *order;			/* number in the state -> dictionary number */
	int32		nlocal;
} WireSink;

static void
WirePut(TenantSink *sink, const KeyType *kt, Datum key, uint32 hash,
		const RunSlot *slots, int32 n)
{
	WireSink   *w = (WireSink *) sink;

	(void) hash;
	if (w->ntenants == PG_INT32_MAX ||
		(Size) w->buf.len + 8 + (Size) n * SLOT_WIRE_BYTES >= MaxAllocSize / 2)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a cp_active_entitlements state is too large to serialize")));
	w->ntenants++;
	if (kt->wire == KEY_WIRE_UUID)
	{
		enlargeStringInfo(&w->buf, 4 + UUID_LEN + 4 + n * SLOT_WIRE_BYTES);
		pq_writeint32(&w->buf, UUID_LEN);
		memcpy(w->buf.data + w->buf.len, DatumGetPointer(key), UUID_LEN);
		w->buf.len += UUID_LEN;
		pq_writeint32(&w->buf, n);
	}
	else
	{
		keytype_send((KeyType *) kt, &w->buf, key);
		pq_sendint32(&w->buf, n);
		enlargeStringInfo(&w->buf, n * SLOT_WIRE_BYTES);
	}
	for (int32 k = 0; k < n; k++)
	{
		int32		sku = SKUW_SKU(slots[k].skuw);

		if (w->local[sku] < 0)
		{
			w->order[w->nlocal] = sku;
			w->local[sku] = w->nlocal++;
		}
		pq_writeint8(&w->buf, (uint8) SKUW_WORKLOAD(slots[k].skuw));
		pq_writeint32(&w->buf, (uint32) w->local[sku]);
		pq_writeint32(&w->buf, (uint32) slots[k].measured_on);
		pq_writeint64(&w->buf, (uint64) slots[k].users);
	}
}

Datum
cp_entitlements_serialize(PG_FUNCTION_ARGS)
{
	EntState   *st;
	WireSink	w;
	StringInfoData buf;
	Size		size;

	REQUIRE_AGG_CONTEXT(fcinfo, NULL);
	st = (EntState *) PG_GETARG_POINTER(0);

	w.base.put = WirePut;
	initStringInfo(&w.buf);
	w.ntenants = 0;
	w.local = palloc(Max(st->dict->n, 1) * sizeof(int32));
	w.order = palloc(Max(st->dict->n, 1) * sizeof(int32));
	w.nlocal = 0;
	for (int32 i = 0; i < st->dict->n; i++)
		w.local[i] = -1;

	ForEachTenant(st, &w.base);

	size = 1 + 8 + 4 + 4 + (Size) w.buf.len;
	for (int32 l = 0; l < w.nlocal; l++)
		size += 4 + st->dict->byid[w.order[l]].len;
	if (size >= MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a cp_active_entitlements state is too large to serialize")));
	pq_begintypsend(&buf);
	enlargeStringInfo(&buf, (int) size);
	pq_sendbyte(&buf, ENT_STATE_VERSION);
	keytype_send_header(st->kt, &buf);
	pq_sendint32(&buf, w.nlocal);
	for (int32 l = 0; l < w.nlocal; l++)
	{
		pq_sendint32(&buf, st->dict->byid[w.order[l]].len);
		pq_sendbytes(&buf, st->dict->byid[w.order[l]].data, st->dict->byid[w.order[l]].len);
	}
	pq_sendint32(&buf, (int32) w.ntenants);
	pq_sendbytes(&buf, w.buf.data, w.buf.len);
	pfree(w.buf.data);
	pfree(w.local);
	pfree(w.order);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

static int
RunTenantCmp(const void *a, const void *b)
{
	uint32		x = ((const RunTenant *) a)->hash;
	uint32		y = ((const RunTenant *) b)->hash;

	return (x > y) - (x < y);
}

/* Big-endian fields of a slot whose bytes are known to be there. */
static inline uint32
Wire32(const char *p)
{
	uint32		v;

	memcpy(&v, p, 4);
	return pg_ntoh32(v);
}

static inline uint64
Wire64(const char *p)
{
	uint64		v;

	memcpy(&v, p, 8);
	return pg_ntoh64(v);
}

/*
 * The number of slots of the ntenants tenants at buf's cursor, as far as
 * their counts fit the bytes: what to allocate before reading them (which
 * then checks every count and reports what does not fit).
 */
static Size
CountWireSlots(const StringInfoData *buf, int32 ntenants)
{
	const char *p = buf->data + buf->cursor;
	const char *end = buf->data + buf->len;
	Size		nslots = 0;

	for (int32 i = 0; i < ntenants; i++)
	{
		int32		len;
		int32		n;

		if (end - p < 4)
			break;
		len = (int32) Wire32(p);
		if (len < 0 || end - p - 4 < (int64) len + 4)
			break;
		p += 4 + len;
		n = (int32) Wire32(p);
		if (n < 0 || (end - p - 4) / SLOT_WIRE_BYTES < n)
			break;
		p += 4 + (Size) n * SLOT_WIRE_BYTES;
		nslots += n;
	}
	return nslots;
}

Datum
cp_entitlements_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	Site	   *site;
	bytea	   *b;
	StringInfoData buf;
	EntState   *st;
	Run		   *run;
	KeyType    *kt;
	int			version;
	int32		nskus;
	int32	   *skus;
	int32		ntenants;
	bool		in_order = true;
	RunSlot    *slots;
	Size		room;
	char	   *keys = NULL;

	REQUIRE_AGG_CONTEXT(fcinfo, &aggcxt);
	site = GetSite(fcinfo);
	b = PG_GETARG_BYTEA_PP(0);
	buf.data = VARDATA_ANY(b);
	buf.len = VARSIZE_ANY_EXHDR(b);
	buf.maxlen = buf.len;
	buf.cursor = 0;

	version = state_getbyte(&buf, "version");
	if (version != ENT_STATE_VERSION)
		STATE_ERROR("The state has format version %d; this library reads version %d.",
					version, ENT_STATE_VERSION);
	kt = keytype_recv_header(&site->keytypes, fcinfo->flinfo->fn_mcxt, &buf);

	/* the state's SKUs, as numbers of this call site's dictionary */
	nskus = state_getcount(&buf, 4, "SKUs");
	skus = palloc(Max(nskus, 1) * sizeof(int32));
	for (int32 i = 0; i < nskus; i++)
	{
		int32		len = state_getint32(&buf, "SKU length");

		if (len < 0 || len > buf.len - buf.cursor)
			STATE_ERROR("A SKU length of %d does not fit the %d bytes left.",
						len, buf.len - buf.cursor);
		skus[i] = InternSku(&site->dict, buf.data + buf.cursor, len);
		buf.cursor += len;
	}
	{
		bool	   *seen = palloc0(Max(site->dict.n, 1) * sizeof(bool));

		for (int32 i = 0; i < nskus; i++)
		{
			if (seen[skus[i]])
				STATE_ERROR("SKU %d repeats an earlier SKU.", i);
			seen[skus[i]] = true;
		}
		pfree(seen);
	}

	/*
	 * The state becomes one sealed run in the aggregate's memory: combine
	 * adopts it or collects it with others, or copies it and frees it.
	 * Every count is checked against the bytes left before anything is
	 * allocated for it.
	 */
	st = EntStateCreate(aggcxt, kt, &site->dict);
	st->from_wire = true;
	ntenants = state_getcount(&buf, TENANT_MIN_WIRE_BYTES, "tenants");
	/* room for the slots the tenants say they have, and fixed-size keys */
	room = CountWireSlots(&buf, ntenants);
	run = RunCreateFixed(aggcxt, ntenants,
						 !kt->typbyval && kt->typlen > 0 ? MAXALIGN(kt->typlen) : 0,
						 room, &keys, &slots);
	AddRun(st, run);
	for (int32 i = 0; i < ntenants; i++)
	{
		RunTenant  *t = RunAddTenant(run);
		RunSlot    *s = slots + run->nslots;
		int32		nslots;
		const char *p;

		if (kt->wire == KEY_WIRE_UUID &&
			buf.len - buf.cursor >= 4 + UUID_LEN &&
			Wire32(buf.data + buf.cursor) == UUID_LEN)
		{
			/* the common key, read without a call */
			memcpy(keys, buf.data + buf.cursor + 4, UUID_LEN);
			buf.cursor += 4 + UUID_LEN;
			t->key = PointerGetDatum(keys);
		}
		else
		{
			Datum		key = keytype_recv(kt, &buf);

			if (keys != NULL)
			{
				memcpy(keys, DatumGetPointer(key), kt->typlen);
				t->key = PointerGetDatum(keys);
			}
			else
				t->key = keytype_copy(kt, &run->arena, key);
		}
		if (keys != NULL)
			keys += MAXALIGN(kt->typlen);
		t->hash = keytype_hash(kt, t->key);
		t->nslots = 0;
		t->slots = s;
		if (i > 0 && t->hash < t[-1].hash)
			in_order = false;

		nslots = state_getcount(&buf, SLOT_WIRE_BYTES, "measurements");
		if (nslots == 0)
			STATE_ERROR("Tenant %d has no measurements.", i);
		if (run->nslots + nslots > room)
			elog(ERROR, "serialized state has more slots than counted");
		p = buf.data + buf.cursor;
		for (int32 j = 0; j < nslots; j++, p += SLOT_WIRE_BYTES)
		{
			int			w = (unsigned char) p[0];
			int32		sku = (int32) Wire32(p + 1);
			DateADT		date = (DateADT) Wire32(p + 5);
			int64		users = (int64) Wire64(p + 9);

			if (w >= CP_NUM_WORKLOADS)
				STATE_ERROR("Workload %d is not an eligible workload.", w);
			if (sku < 0 || sku >= nskus)
				STATE_ERROR("SKU number %d is not among the %d SKUs.", sku, nskus);
			if (!DATE_NOT_FINITE(date) && !IS_VALID_DATE(date))
				STATE_ERROR("Date %d is out of range.", date);
			if (users < 0)
				STATE_ERROR("A count of " INT64_FORMAT " is negative.", users);
			s[j].users = users;
			s[j].measured_on = date;
			s[j].skuw = SKUW(skus[sku], w);
			/* a tenant has a few slots: look for a repeat among them */
			for (int32 k = 0; k < j && nslots <= 16; k++)
			{
				if (s[k].skuw == s[j].skuw)
					STATE_ERROR("Tenant %d has two measurements of one workload and SKU.", i);
			}
		}
		buf.cursor += nslots * SLOT_WIRE_BYTES;
		if (nslots > 16)
		{
			SortSlots(s, nslots);
			for (int32 j = 1; j < nslots; j++)
			{
				if (s[j].skuw == s[j - 1].skuw)
					STATE_ERROR("Tenant %d has two measurements of one workload and SKU.", i);
			}
		}
		t->nslots = nslots;
		run->nslots += nslots;
	}
	state_getend(&buf);
	pfree(skus);

	/* states from elsewhere may come in any order; equal keys hash alike */
	if (!in_order)
		qsort(run->tenants, ntenants, sizeof(RunTenant), RunTenantCmp);
	for (int32 i = 0; i < ntenants; i++)
	{
		for (int32 j = i + 1; j < ntenants && run->tenants[j].hash == run->tenants[i].hash; j++)
		{
			if (KeyEqual(kt, run->tenants[i].key, run->tenants[j].key))
				STATE_ERROR("A tenant appears twice.");
		}
	}
	PG_RETURN_POINTER(st);
}

