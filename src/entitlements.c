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
 * SKU strings are interned once per state; a slot is 24 bytes and refers to
 * its SKU by number.  Slots of all tenants live in one array, chained per
 * tenant, so a tenant costs one hash entry plus its slots.
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "common/int.h"
#include "datatype/timestamp.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/date.h"

#include "keyhash.h"
#include "rules.h"

#define ENT_STATE_VERSION 1

/* One (workload, SKU) of one tenant: its latest measurement. */
typedef struct Slot
{
	int64		users;			/* largest count at measured_on */
	DateADT		measured_on;	/* latest date seen */
	int32		skuw;			/* SKU number << 3 | workload */
	int32		next;			/* next slot of the tenant, or -1 */
} Slot;

#define SKUW(sku, w) (((sku) << 3) | (w))
#define SKUW_SKU(x) ((x) >> 3)
#define SKUW_WORKLOAD(x) ((x) & 7)

typedef struct TenantEntry
{
	Datum		key;
	uint32		hash;
	char		status;
	int32		head;			/* first slot, or -1 */
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

typedef struct EntState
{
	KeyType		kt;				/* tenant key type; owns the arena */
	tenanthash_hash *tenants;
	Slot	   *slots;
	int32		nslots;
	int32		maxslots;
	skuhash_hash *skuhash;		/* SKU text -> number */
	SkuKey	   *skus;			/* number -> SKU text (in the arena) */
	int32		nskus;
	int32		maxskus;
	int32		last_sku;		/* the SKU of the previous row, or -1 */
} EntState;

#define INITIAL_TENANTS 16
#define INITIAL_SLOTS 16
#define INITIAL_SKUS 8

PG_FUNCTION_INFO_V1(cp_entitlements_trans);
PG_FUNCTION_INFO_V1(cp_entitlements_final);
PG_FUNCTION_INFO_V1(cp_entitlements_combine);
PG_FUNCTION_INFO_V1(cp_entitlements_serialize);
PG_FUNCTION_INFO_V1(cp_entitlements_deserialize);

/* An empty state in mcxt; kt is set up by the caller. */
static EntState *
EntStateCreate(MemoryContext mcxt)
{
	EntState   *st = MemoryContextAllocZero(mcxt, sizeof(EntState));

	st->tenants = tenanthash_create(mcxt, INITIAL_TENANTS, &st->kt);
	st->skuhash = skuhash_create(mcxt, INITIAL_SKUS, NULL);
	st->maxslots = INITIAL_SLOTS;
	st->slots = MemoryContextAlloc(mcxt, st->maxslots * sizeof(Slot));
	st->maxskus = INITIAL_SKUS;
	st->skus = MemoryContextAlloc(mcxt, st->maxskus * sizeof(SkuKey));
	st->last_sku = -1;
	return st;
}

/* The number of a SKU, interning it on first sight. */
static int32
InternSku(EntState *st, const char *data, int32 len)
{
	SkuKey		key;
	SkuEntry   *e;
	bool		found;

	/* rows usually repeat the previous SKU */
	if (st->last_sku >= 0)
	{
		SkuKey	   *last = &st->skus[st->last_sku];

		if (last->len == len && memcmp(last->data, data, len) == 0)
			return st->last_sku;
	}

	key.data = data;
	key.len = len;
	e = skuhash_insert(st->skuhash, key, &found);
	if (!found)
	{
		char	   *copy = arena_alloc(&st->kt.arena, len);

		memcpy(copy, data, len);
		e->key.data = copy;
		if (st->nskus >= st->maxskus)
		{
			if (st->maxskus >= (INT32_MAX >> 3) / 2)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("too many distinct SKUs in one cp_active_entitlements group")));
			st->maxskus *= 2;
			st->skus = repalloc_huge(st->skus, st->maxskus * sizeof(SkuKey));
		}
		e->id = st->nskus;
		st->skus[st->nskus++] = e->key;
	}
	st->last_sku = e->id;
	return e->id;
}

/* Record one measurement of a (workload, SKU) for a tenant. */
static void
AddMeasurement(EntState *st, TenantEntry *t, int32 skuw, DateADT date,
			   int64 users)
{
	Slot	   *s;

	for (int32 i = t->head; i >= 0; i = st->slots[i].next)
	{
		s = &st->slots[i];
		if (s->skuw != skuw)
			continue;
		if (date > s->measured_on)
		{
			s->measured_on = date;
			s->users = users;
		}
		else if (date == s->measured_on && users > s->users)
			s->users = users;
		return;
	}

	if (st->nslots >= st->maxslots)
	{
		if ((Size) st->maxslots * 2 * sizeof(Slot) > MaxAllocHugeSize ||
			st->maxslots >= INT32_MAX / 2)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many measurements in one cp_active_entitlements group")));
		st->maxslots *= 2;
		st->slots = repalloc_huge(st->slots, st->maxslots * sizeof(Slot));
	}
	s = &st->slots[st->nslots];
	s->skuw = skuw;
	s->measured_on = date;
	s->users = users;
	s->next = t->head;
	t->head = st->nslots++;
}

/* The entry of a prepared key, created (with a copy of the key) if new. */
static inline TenantEntry *
TenantFor(EntState *st, Datum key, uint32 hash)
{
	bool		found;
	TenantEntry *t = tenanthash_insert_hash(st->tenants, key, hash, &found);

	if (!found)
	{
		t->key = keytype_copy(&st->kt, key);
		t->head = -1;
	}
	return t;
}

Datum
cp_entitlements_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	EntState   *st;
	text	   *workload;
	text	   *sku;
	CpWorkload	w;
	Datum		key;
	int64		users = 0;

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

	workload = PG_GETARG_TEXT_PP(2);
	w = cp_workload_lookup(VARDATA_ANY(workload), VARSIZE_ANY_EXHDR(workload));
	if (w == CP_WORKLOAD_NONE)
		goto skip;

	if (st == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(aggcxt);

		st = EntStateCreate(aggcxt);
		keytype_init_from_arg(&st->kt, fcinfo, 1, aggcxt);
		MemoryContextSwitchTo(old);
	}

	sku = PG_GETARG_TEXT_PP(3);
	key = keytype_prepare(&st->kt, PG_GETARG_DATUM(1));
	AddMeasurement(st,
				   TenantFor(st, key, keytype_hash(&st->kt, key)),
				   SKUW(InternSku(st, VARDATA_ANY(sku), VARSIZE_ANY_EXHDR(sku)), w),
				   PG_GETARG_DATEADT(6), users);

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

		for (int32 i = t->head; i >= 0; i = st->slots[i].next)
		{
			Slot	   *s = &st->slots[i];
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
	int32	   *skumap = palloc(Max(src->nskus, 1) * sizeof(int32));
	tenanthash_iterator it;
	TenantEntry *t;

	for (int32 i = 0; i < src->nskus; i++)
		skumap[i] = InternSku(dst, src->skus[i].data, src->skus[i].len);

	tenanthash_start_iterate(src->tenants, &it);
	while ((t = tenanthash_iterate(src->tenants, &it)) != NULL)
	{
		TenantEntry *d = TenantFor(dst, t->key, t->hash);

		for (int32 i = t->head; i >= 0; i = src->slots[i].next)
		{
			Slot	   *s = &src->slots[i];

			AddMeasurement(dst, d,
						   SKUW(skumap[SKUW_SKU(s->skuw)], SKUW_WORKLOAD(s->skuw)),
						   s->measured_on, s->users);
		}
	}
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
		MemoryContext old = MemoryContextSwitchTo(aggcxt);

		left = EntStateCreate(aggcxt);
		keytype_init(&left->kt, right->kt.typid, right->kt.collation, aggcxt);
		MemoryContextSwitchTo(old);
	}
	else
		keytype_check_same(&left->kt, &right->kt);

	MergeStates(left, right);
	PG_RETURN_POINTER(left);
}

/*
 * Format, big-endian throughout:
 *	 byte version; int32 key type; int32 key collation;
 *	 int32 nskus, then per SKU: int32 length, bytes;
 *	 int32 ntenants, then per tenant: key (int32 length, send format),
 *		 int32 nslots, then per slot: byte workload, int32 SKU number,
 *		 int32 date, int64 count.
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

	REQUIRE_AGG_CONTEXT(fcinfo, NULL);
	st = (EntState *) PG_GETARG_POINTER(0);

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, ENT_STATE_VERSION);
	keytype_send_header(&st->kt, &buf);
	pq_sendint32(&buf, st->nskus);
	for (int32 i = 0; i < st->nskus; i++)
	{
		pq_sendint32(&buf, st->skus[i].len);
		pq_sendbytes(&buf, st->skus[i].data, st->skus[i].len);
	}
	if (st->tenants->members > PG_INT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many tenants in one cp_active_entitlements state to serialize")));
	pq_sendint32(&buf, (int32) st->tenants->members);
	tenanthash_start_iterate(st->tenants, &it);
	while ((t = tenanthash_iterate(st->tenants, &it)) != NULL)
	{
		int32		n = 0;

		keytype_send(&st->kt, &buf, t->key);
		for (int32 i = t->head; i >= 0; i = st->slots[i].next)
			n++;
		pq_sendint32(&buf, n);
		for (int32 i = t->head; i >= 0; i = st->slots[i].next)
		{
			Slot	   *s = &st->slots[i];

			pq_sendbyte(&buf, SKUW_WORKLOAD(s->skuw));
			pq_sendint32(&buf, SKUW_SKU(s->skuw));
			pq_sendint32(&buf, s->measured_on);
			pq_sendint64(&buf, s->users);
		}
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

Datum
cp_entitlements_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *b;
	StringInfoData buf;
	EntState   *st;
	int			version;
	int32		nskus;
	int32		ntenants;

	REQUIRE_AGG_CONTEXT(fcinfo, NULL);
	b = PG_GETARG_BYTEA_PP(0);
	buf.data = VARDATA_ANY(b);
	buf.len = VARSIZE_ANY_EXHDR(b);
	buf.maxlen = buf.len;
	buf.cursor = 0;

	version = state_getbyte(&buf, "version");
	if (version != ENT_STATE_VERSION)
		STATE_ERROR("The state has format version %d; this library reads version %d.",
					version, ENT_STATE_VERSION);
	st = EntStateCreate(CurrentMemoryContext);
	keytype_recv_header(&st->kt, &buf, CurrentMemoryContext);

	nskus = state_getcount(&buf, 4, "SKUs");
	for (int32 i = 0; i < nskus; i++)
	{
		int32		len = state_getint32(&buf, "SKU length");

		if (len < 0 || len > buf.len - buf.cursor)
			STATE_ERROR("A SKU length of %d does not fit the %d bytes left.",
						len, buf.len - buf.cursor);
		if (InternSku(st, buf.data + buf.cursor, len) != i)
			STATE_ERROR("SKU %d repeats an earlier SKU.", i);
		buf.cursor += len;
	}

	ntenants = state_getcount(&buf, TENANT_MIN_WIRE_BYTES, "tenants");
	for (int32 i = 0; i < ntenants; i++)
	{
		Datum		key = keytype_recv(&st->kt, &buf);
		uint32		hash = keytype_hash(&st->kt, key);
		TenantEntry *t;
		int32		nslots;
		bool		found;

		t = tenanthash_insert_hash(st->tenants, key, hash, &found);
		if (found)
			STATE_ERROR("Tenant %d repeats an earlier tenant.", i);
		t->key = keytype_copy(&st->kt, key);
		t->head = -1;

		nslots = state_getcount(&buf, SLOT_WIRE_BYTES, "measurements");
		if (nslots == 0)
			STATE_ERROR("Tenant %d has no measurements.", i);
		for (int32 j = 0; j < nslots; j++)
		{
			int			w = state_getbyte(&buf, "workload");
			int32		sku = state_getint32(&buf, "SKU number");
			DateADT		date = (DateADT) state_getint32(&buf, "date");
			int64		users = state_getint64(&buf, "count");
			int32		before = st->nslots;

			if (w < 0 || w >= CP_NUM_WORKLOADS)
				STATE_ERROR("Workload %d is not an eligible workload.", w);
			if (sku < 0 || sku >= nskus)
				STATE_ERROR("SKU number %d is not among the %d SKUs.", sku, nskus);
			if (!DATE_NOT_FINITE(date) && !IS_VALID_DATE(date))
				STATE_ERROR("Date %d is out of range.", date);
			if (users < 0)
				STATE_ERROR("A count of " INT64_FORMAT " is negative.", users);
			AddMeasurement(st, t, SKUW(sku, w), date, users);
			if (st->nslots == before)
				STATE_ERROR("Tenant %d has two measurements of one workload and SKU.", i);
		}
	}
	state_getend(&buf);
	st->last_sku = -1;
	PG_RETURN_POINTER(st);
}
