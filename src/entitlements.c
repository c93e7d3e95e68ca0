/*
 * entitlements.c
 *	  cp_active_entitlements(tenant anyelement, workload text, sku text,
 *							 active_users bigint, is_trial boolean,
 *							 measured_on date) -> bigint
 *
 * One pass over the rows.  The state keeps, per tenant, one slot per
 * (workload, SKU) holding the latest measurement seen and, among rows of that
 * date, the largest count.  The final function sums SKUs per workload, takes
 * the highest workload per tenant and sums tenants.  Every step is a max or a
 * sum, so the result depends neither on row order nor on how rows were split
 * between partial states.
 *
 * Per row the work is one probe of a small cache of recent (workload, SKU)
 * spellings, one probe of the tenant hash table and a walk over the tenant's
 * few slots.  SKU strings are interned once per call site, in a dictionary
 * all the groups' states share; a slot is 24 bytes, bump-allocated, and names
 * its (workload, SKU) pair by one integer.
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "common/int.h"
#include "datatype/timestamp.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/memutils.h"

#include "keyhash.h"
#include "rules.h"

#define ENT_STATE_VERSION 1

/* One (workload, SKU) of one tenant: its latest measurement. */
typedef struct Slot
{
	int64		users;			/* largest count at measured_on */
	DateADT		measured_on;	/* latest date seen */
	int32		skuw;			/* SKU number << 3 | workload */
	struct Slot *next;			/* next slot of the tenant */
} Slot;

#define SKUW(sku, w) (((sku) << 3) | (w))
#define SKUW_SKU(x) ((x) >> 3)
#define SKUW_WORKLOAD(x) ((x) & 7)
#define MAX_SKUS (PG_INT32_MAX >> 3)

typedef struct TenantEntry
{
	Datum		key;
	uint32		hash;
	char		status;
	Slot	   *head;
} TenantEntry;

#define SH_PREFIX tenanthash
#define SH_ELEMENT_TYPE TenantEntry
#define SH_KEY_TYPE Datum
#define SH_KEY key
#define SH_HASH_KEY(tb, k) keytype_hash((const KeyType *) (tb)->private_data, k)
#define SH_EQUAL(tb, a, b) keytype_equal((const KeyType *) (tb)->private_data, a, b)
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) a->hash
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

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

typedef struct EntState
{
	KeyType    *kt;				/* tenant key type, shared */
	SkuDict    *dict;			/* SKU numbers, shared */
	MemoryContext mcxt;			/* where the state lives */
	bool		from_wire;		/* deserialized: adopt or free it in combine */
	Arena		arena;			/* key copies and slots */
	tenanthash_hash *tenants;
	TenantEntry *last;			/* the previous row's tenant ... */
	uint32		last_members;	/* ... valid while no tenant was added */
} EntState;

#define INITIAL_TENANTS 4

PG_FUNCTION_INFO_V1(cp_entitlements_trans);
PG_FUNCTION_INFO_V1(cp_entitlements_final);
PG_FUNCTION_INFO_V1(cp_entitlements_combine);
PG_FUNCTION_INFO_V1(cp_entitlements_serialize);
PG_FUNCTION_INFO_V1(cp_entitlements_deserialize);

static Site *
GetSite(FunctionCallInfo fcinfo)
{
	Site	   *site = (Site *) fcinfo->flinfo->fn_extra;

	if (site == NULL)
	{
		site = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(Site));
		site->dict.mcxt = fcinfo->flinfo->fn_mcxt;
		arena_init(&site->dict.arena, fcinfo->flinfo->fn_mcxt);
		for (int i = 0; i < SPELLINGS; i++)
			site->recent[i].wlen = -1;
		fcinfo->flinfo->fn_extra = site;
	}
	return site;
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
 * The (workload, SKU) pair a row names, as SKUW(sku number, workload), or -1
 * when the workload is not eligible.
 */
static int32
LookupSpelling(Site *site, const char *w, int wlen, const char *s, int slen)
{
	Spelling   *sp = &site->recent[SpellingHash(w, wlen, s, slen) % SPELLINGS];
	CpWorkload	workload;
	int32		skuw;

	if (sp->wlen == wlen && sp->slen == slen &&
		memcmp(sp->workload, w, wlen) == 0 && memcmp(sp->sku, s, slen) == 0)
		return sp->skuw;

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

/* An empty state in mcxt. */
static EntState *
EntStateCreate(MemoryContext mcxt, KeyType *kt, SkuDict *dict)
{
	EntState   *st = MemoryContextAllocZero(mcxt, sizeof(EntState));

	st->kt = kt;
	st->dict = dict;
	st->mcxt = mcxt;
	arena_init(&st->arena, mcxt);
	st->tenants = tenanthash_create(mcxt, INITIAL_TENANTS, kt);
	return st;
}

/* Give back the memory of a state merged into another. */
static void
EntStateFree(EntState *st)
{
	tenanthash_destroy(st->tenants);
	arena_free(&st->arena);
	pfree(st);
}

/*
 * Record one measurement of a (workload, SKU) for a tenant; returns false
 * when it only updated a slot the tenant had.
 */
static bool
AddMeasurement(EntState *st, TenantEntry *t, int32 skuw, DateADT date,
			   int64 users)
{
	Slot	   *s;

	for (s = t->head; s != NULL; s = s->next)
	{
		if (s->skuw != skuw)
			continue;
		if (date > s->measured_on)
		{
			s->measured_on = date;
			s->users = users;
		}
		else if (date == s->measured_on && users > s->users)
			s->users = users;
		return false;
	}

	s = arena_alloc(&st->arena, sizeof(Slot));
	s->skuw = skuw;
	s->measured_on = date;
	s->users = users;
	s->next = t->head;
	t->head = s;
	return true;
}

/* The entry of a prepared key, created (with a copy of the key) if new. */
static inline TenantEntry *
TenantFor(EntState *st, Datum key, uint32 hash, bool *found)
{
	TenantEntry *t = tenanthash_insert_hash(st->tenants, key, hash, found);

	if (!*found)
	{
		t->key = keytype_copy(st->kt, &st->arena, key);
		t->head = NULL;
	}
	return t;
}

Datum
cp_entitlements_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	EntState   *st;
	Site	   *site;
	text	   *workload;
	text	   *sku;
	int32		skuw;
	Datum		key;
	int64		users = 0;
	bool		found;

	REQUIRE_AGG_CONTEXT(fcinfo, &aggcxt);
	st = PG_ARGISNULL(0) ? NULL : (EntState *) PG_GETARG_POINTER(0);

	/* checked before anything is skipped: the outcome never hangs on order */
	if (!PG_ARGISNULL(4))
	{
		users = PG_GETARG_INT64(4);
		if (users < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("active_users must not be negative: " INT64_FORMAT,
							users)));
	}
	for (int i = 1; i <= 6; i++)
	{
		if (PG_ARGISNULL(i))
			goto skip;
	}
	if (PG_GETARG_BOOL(5))
		goto skip;

	site = GetSite(fcinfo);
	workload = PG_GETARG_TEXT_PP(2);
	sku = PG_GETARG_TEXT_PP(3);
	skuw = LookupSpelling(site, VARDATA_ANY(workload), VARSIZE_ANY_EXHDR(workload),
						  VARDATA_ANY(sku), VARSIZE_ANY_EXHDR(sku));
	if (skuw < 0)
		goto skip;

	if (st == NULL)
		st = EntStateCreate(aggcxt, keytype_from_arg(&site->keytypes, fcinfo, 1),
							&site->dict);
	key = keytype_prepare(st->kt, PG_GETARG_DATUM(1));

	/*
	 * A tenant's rows usually come together (one report, several workloads
	 * and SKUs).  Entries move only when a tenant is added, so the previous
	 * row's entry is still where it was if the table has as many members.
	 */
	if (st->last == NULL || st->last_members != st->tenants->members ||
		!keytype_equal(st->kt, st->last->key, key))
	{
		st->last = TenantFor(st, key, keytype_hash(st->kt, key), &found);
		st->last_members = st->tenants->members;
	}
	AddMeasurement(st, st->last, skuw, PG_GETARG_DATEADT(6), users);

skip:
	if (st == NULL)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(st);
}

static void
CountOverflow(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("active entitlements out of range for type bigint")));
}

Datum
cp_entitlements_final(PG_FUNCTION_ARGS)
{
	EntState   *st;
	tenanthash_iterator it;
	TenantEntry *t;
	int64		total = 0;

	REQUIRE_AGG_CONTEXT(fcinfo, NULL);
	if (PG_ARGISNULL(0))
		PG_RETURN_INT64(0);
	st = (EntState *) PG_GETARG_POINTER(0);

	tenanthash_start_iterate(st->tenants, &it);
	while ((t = tenanthash_iterate(st->tenants, &it)) != NULL)
	{
		int64		per_workload[CP_NUM_WORKLOADS] = {0};
		int64		highest = 0;

		for (Slot *s = t->head; s != NULL; s = s->next)
		{
			int64	   *sum = &per_workload[SKUW_WORKLOAD(s->skuw)];

			if (pg_add_s64_overflow(*sum, s->users, sum))
				CountOverflow();
		}
		for (int w = 0; w < CP_NUM_WORKLOADS; w++)
			highest = Max(highest, per_workload[w]);
		if (pg_add_s64_overflow(total, highest, &total))
			CountOverflow();
	}
	PG_RETURN_INT64(total);
}

/* Merge every tenant of src into dst (both states have one key type). */
static void
MergeStates(EntState *dst, EntState *src)
{
	int32	   *skumap = NULL;
	tenanthash_iterator it;
	TenantEntry *t;
	bool		found;

	/* SKU numbers differ when the states come from different call sites */
	if (dst->dict != src->dict && src->dict->n > 0)
	{
		skumap = palloc(src->dict->n * sizeof(int32));
		for (int32 i = 0; i < src->dict->n; i++)
			skumap[i] = -1;
	}

	tenanthash_start_iterate(src->tenants, &it);
	while ((t = tenanthash_iterate(src->tenants, &it)) != NULL)
	{
		TenantEntry *d = TenantFor(dst, t->key, t->hash, &found);

		for (Slot *s = t->head; s != NULL; s = s->next)
		{
			int32		skuw = s->skuw;

			if (skumap != NULL)
			{
				int32		sku = SKUW_SKU(skuw);

				if (skumap[sku] < 0)
					skumap[sku] = InternSku(dst->dict, src->dict->byid[sku].data,
											src->dict->byid[sku].len);
				skuw = SKUW(skumap[sku], SKUW_WORKLOAD(skuw));
			}
			AddMeasurement(dst, d, skuw, s->measured_on, s->users);
		}
	}
	if (skumap != NULL)
		pfree(skumap);
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

	MergeStates(left, right);
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
 */
#define SLOT_WIRE_BYTES (1 + 4 + 4 + 8)
#define TENANT_MIN_WIRE_BYTES (4 + 4 + SLOT_WIRE_BYTES)

Datum
cp_entitlements_serialize(PG_FUNCTION_ARGS)
{
	EntState   *st;
	StringInfoData buf;
	tenanthash_iterator it;
	TenantEntry *t;
	int32	   *local;
	int32	   *order;
	int32		nlocal = 0;

	REQUIRE_AGG_CONTEXT(fcinfo, NULL);
	st = (EntState *) PG_GETARG_POINTER(0);
	if (st->tenants->members > PG_INT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many tenants in one cp_active_entitlements state to serialize")));

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, ENT_STATE_VERSION);
	keytype_send_header(st->kt, &buf);

	/* the SKUs this state uses, numbered in order of first use */
	local = palloc(Max(st->dict->n, 1) * sizeof(int32));
	order = palloc(Max(st->dict->n, 1) * sizeof(int32));
	for (int32 i = 0; i < st->dict->n; i++)
		local[i] = -1;
	tenanthash_start_iterate(st->tenants, &it);
	while ((t = tenanthash_iterate(st->tenants, &it)) != NULL)
	{
		for (Slot *s = t->head; s != NULL; s = s->next)
		{
			if (local[SKUW_SKU(s->skuw)] < 0)
			{
				order[nlocal] = SKUW_SKU(s->skuw);
				local[SKUW_SKU(s->skuw)] = nlocal++;
			}
		}
	}
	pq_sendint32(&buf, nlocal);
	for (int32 l = 0; l < nlocal; l++)
	{
		pq_sendint32(&buf, st->dict->byid[order[l]].len);
		pq_sendbytes(&buf, st->dict->byid[order[l]].data, st->dict->byid[order[l]].len);
	}

	pq_sendint32(&buf, (int32) st->tenants->members);
	tenanthash_start_iterate(st->tenants, &it);
	while ((t = tenanthash_iterate(st->tenants, &it)) != NULL)
	{
		int32		n = 0;

		keytype_send(st->kt, &buf, t->key);
		for (Slot *s = t->head; s != NULL; s = s->next)
			n++;
		pq_sendint32(&buf, n);
		for (Slot *s = t->head; s != NULL; s = s->next)
		{
			pq_sendbyte(&buf, SKUW_WORKLOAD(s->skuw));
			pq_sendint32(&buf, local[SKUW_SKU(s->skuw)]);
			pq_sendint32(&buf, s->measured_on);
			pq_sendint64(&buf, s->users);
		}
	}
	pfree(local);
	pfree(order);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

Datum
cp_entitlements_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	Site	   *site;
	bytea	   *b;
	StringInfoData buf;
	EntState   *st;
	KeyType    *kt;
	int			version;
	int32		nskus;
	int32	   *skus;
	int32		ntenants;

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
	 * The state lives in the aggregate's memory: combine adopts it as it is,
	 * or merges it into another state and frees it.
	 */
	st = EntStateCreate(aggcxt, kt, &site->dict);
	st->from_wire = true;

	ntenants = state_getcount(&buf, TENANT_MIN_WIRE_BYTES, "tenants");
	for (int32 i = 0; i < ntenants; i++)
	{
		Datum		key = keytype_recv(kt, &buf);
		TenantEntry *t;
		int32		nslots;
		bool		found;

		t = TenantFor(st, key, keytype_hash(kt, key), &found);
		if (found)
			STATE_ERROR("Tenant %d repeats an earlier tenant.", i);

		nslots = state_getcount(&buf, SLOT_WIRE_BYTES, "measurements");
		if (nslots == 0)
			STATE_ERROR("Tenant %d has no measurements.", i);
		for (int32 j = 0; j < nslots; j++)
		{
			int			w = state_getbyte(&buf, "workload");
			int32		sku = state_getint32(&buf, "SKU number");
			DateADT		date = (DateADT) state_getint32(&buf, "date");
			int64		users = state_getint64(&buf, "count");

			if (w < 0 || w >= CP_NUM_WORKLOADS)
				STATE_ERROR("Workload %d is not an eligible workload.", w);
			if (sku < 0 || sku >= nskus)
				STATE_ERROR("SKU number %d is not among the %d SKUs.", sku, nskus);
			if (!DATE_NOT_FINITE(date) && !IS_VALID_DATE(date))
				STATE_ERROR("Date %d is out of range.", date);
			if (users < 0)
				STATE_ERROR("A count of " INT64_FORMAT " is negative.", users);
			if (!AddMeasurement(st, t, SKUW(skus[sku], w), date, users))
				STATE_ERROR("Tenant %d has two measurements of one workload and SKU.", i);
		}
	}
	state_getend(&buf);
	pfree(skus);
	PG_RETURN_POINTER(st);
}
