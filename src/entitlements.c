/*
 * entitlements.c
 *	  cp_active_entitlements(tenant anyelement, workload text, sku text,
 *							 active_users bigint, is_trial boolean,
 *							 measured_on date) -> bigint
 *
 * The aggregate's support functions: rows go into the state (entstate.c),
 * partial states are combined, and states travel between processes in the
 * format below.
 *
 * Format (version 1), big-endian: byte version; int32 key type; int32 key
 * collation; int32 nskus, then per SKU: int32 length, bytes; int32
 * ntenants, then per tenant: key (int32 length, then the bytes keytype.c
 * writes), int32 nslots (at least 1), then per slot: byte workload, int32
 * SKU number (0 to nskus - 1, numbered for this state), int32 date (days
 * since 2000-01-01, or infinity), int64 count.
 */
#include "postgres.h"

#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"

#include "entstate.h"
#include "rules.h"
#include "wire.h"

#define ENT_STATE_VERSION 1
#define SLOT_WIRE_BYTES (1 + 4 + 4 + 8)
#define TENANT_MIN_WIRE_BYTES (4 + 4 + SLOT_WIRE_BYTES)

PG_FUNCTION_INFO_V1(cp_entitlements_trans);
PG_FUNCTION_INFO_V1(cp_entitlements_final);
PG_FUNCTION_INFO_V1(cp_entitlements_combine);
PG_FUNCTION_INFO_V1(cp_entitlements_serialize);
PG_FUNCTION_INFO_V1(cp_entitlements_deserialize);

/* The SKUs and spellings of the call site. */
static SkuDict *
SiteSkus(FunctionCallInfo fcinfo, AggSite *site)
{
	if (site->skus == NULL)
		site->skus = sku_dict_create(fcinfo->flinfo->fn_mcxt);
	return site->skus;
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
	AggSite    *site;
	text	   *workload;
	text	   *sku;
	int32		skuw;

	/* checked before anything is skipped: the outcome never hangs on order */
	if (!PG_ARGISNULL(4) && unlikely(PG_GETARG_INT64(4) < 0))
		NegativeCount(PG_GETARG_INT64(4));
	if (PG_ARGISNULL(1) | PG_ARGISNULL(2) | PG_ARGISNULL(3) |
		PG_ARGISNULL(4) | PG_ARGISNULL(5) | PG_ARGISNULL(6) ||
		PG_GETARG_BOOL(5))
		goto skip;

	site = agg_site(fcinfo);
	workload = PG_GETARG_TEXT_PP(2);
	sku = PG_GETARG_TEXT_PP(3);
	skuw = sku_lookup(SiteSkus(fcinfo, site),
					  VARDATA_ANY(workload), VARSIZE_ANY_EXHDR(workload),
					  VARDATA_ANY(sku), VARSIZE_ANY_EXHDR(sku));
	if (skuw < 0)
		goto skip;
	if (st == NULL)
		st = ent_create(agg_context(fcinfo),
						keytype_from_arg(&site->keytypes, fcinfo, 1),
						site->skus, 0);
	ent_add(st, keytype_prepare(st->kt, PG_GETARG_DATUM(1)), skuw,
			PG_GETARG_DATEADT(6), PG_GETARG_INT64(4));

skip:
	if (st == NULL)
	{
		(void) agg_context(fcinfo);
		PG_RETURN_NULL();
	}
	PG_RETURN_POINTER(st);
}

Datum
cp_entitlements_final(PG_FUNCTION_ARGS)
{
	(void) agg_context(fcinfo);
	if (PG_ARGISNULL(0))
		PG_RETURN_INT64(0);
	PG_RETURN_INT64(ent_total((EntState *) PG_GETARG_POINTER(0)));
}

/*
 * Merges the right state into the left.  A deserialized state belongs to
 * this aggregate: it is adopted as the left state, or freed once merged.
 * Any other right state belongs to its own node and is only read; a left
 * state made for it takes its key type and SKU numbers.
 */
Datum
cp_entitlements_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = agg_context(fcinfo);
	EntState   *left = PG_ARGISNULL(0) ? NULL : (EntState *) PG_GETARG_POINTER(0);
	EntState   *right = PG_ARGISNULL(1) ? NULL : (EntState *) PG_GETARG_POINTER(1);

	if (right == NULL)
	{
		if (left == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(left);
	}
	if (left == NULL)
	{
		if (right->from_wire)
		{
			right->from_wire = false;
			PG_RETURN_POINTER(right);
		}
		left = ent_create(aggcxt, right->kt, right->skus, right->tenants->members);
	}
	ent_merge(left, right);
	if (right->from_wire)
		ent_free(right);
	PG_RETURN_POINTER(left);
}

/* Number the state's SKUs in the order its slots meet them. */
static int32 *
NumberSkus(EntState *st, int32 *nlocal)
{
	int32	   *order = palloc(Max(sku_count(st->skus), 1) * sizeof(int32));
	tenanthash_iterator it;
	Tenant	   *t;

	*nlocal = 0;
	sku_local_begin(st->skus);
	tenanthash_start_iterate(st->tenants, &it);
	while ((t = tenanthash_iterate(st->tenants, &it)) != NULL)
	{
		Slot	   *s;

		foreach_slot(st, t, s)
		{
			bool		is_new;
			int32		sku = SKUW_SKU(s->skuw);

			(void) sku_local(st->skus, sku, &is_new);
			if (is_new)
				order[(*nlocal)++] = sku;
		}
	}
	return order;
}

/* Append a tenant: key, slot count, slots. */
static void
WriteTenant(EntState *st, StringInfo buf, const Tenant *t)
{
	Slot	   *s;

	keytype_send(st->kt, buf, ent_key(st, t));
	pq_sendint32(buf, t->nslots);
	enlargeStringInfo(buf, t->nslots * SLOT_WIRE_BYTES);
	foreach_slot(st, t, s)
	{
		bool		is_new;

		pq_writeint8(buf, (uint8) SKUW_WORKLOAD(s->skuw));
		pq_writeint32(buf, (uint32) sku_local(st->skus, SKUW_SKU(s->skuw), &is_new));
		pq_writeint32(buf, (uint32) s->measured_on);
		pq_writeint64(buf, (uint64) s->users);
	}
}

Datum
cp_entitlements_serialize(PG_FUNCTION_ARGS)
{
	EntState   *st;
	StringInfoData buf;
	int32	   *order;
	int32		nlocal;
	tenanthash_iterator it;
	Tenant	   *t;

	(void) agg_context(fcinfo);
	st = (EntState *) PG_GETARG_POINTER(0);
	order = NumberSkus(st, &nlocal);

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, ENT_STATE_VERSION);
	keytype_send_header(st->kt, &buf);
	pq_sendint32(&buf, nlocal);
	for (int32 i = 0; i < nlocal; i++)
	{
		int			len;
		const char *name = sku_name(st->skus, order[i], &len);

		pq_sendint32(&buf, len);
		pq_sendbytes(&buf, name, len);
	}
	pq_sendint32(&buf, (int32) st->tenants->members);
	tenanthash_start_iterate(st->tenants, &it);
	while ((t = tenanthash_iterate(st->tenants, &it)) != NULL)
		WriteTenant(st, &buf, t);
	pfree(order);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* The state's SKU strings, as numbers of the call site's dictionary. */
static int32 *
ReadSkus(StringInfo buf, SkuDict *skus, int32 *nskus)
{
	int32		n = wire_getcount(buf, 4, "SKUs");
	int32	   *map = palloc(Max(n, 1) * sizeof(int32));

	sku_local_begin(skus);
	for (int32 i = 0; i < n; i++)
	{
		int32		len = wire_getlength(buf, "SKU");
		bool		is_new;

		map[i] = sku_intern(skus, buf->data + buf->cursor, len);
		buf->cursor += len;
		(void) sku_local(skus, map[i], &is_new);
		if (!is_new)
			STATE_ERROR("SKU %d repeats an earlier SKU.", i);
	}
	*nskus = n;
	return map;
}

/* Read tenant number i into st, checking every field. */
static void
ReadTenant(EntState *st, StringInfo buf, const int32 *skus, int32 nskus, int32 i)
{
	Datum		key = keytype_recv(st->kt, buf);
	bool		found;
	Tenant	   *t = ent_tenant(st, key, ent_hash(st, key), &found);
	int32		nslots = wire_getcount(buf, SLOT_WIRE_BYTES, "measurements");

	if (found)
		STATE_ERROR("Tenant %d repeats an earlier tenant.", i);
	if (nslots == 0)
		STATE_ERROR("Tenant %d has no measurements.", i);
	for (int32 j = 0; j < nslots; j++)
	{
		int			w = pq_getmsgbyte(buf);
		int32		sku = (int32) pq_getmsgint(buf, 4);
		DateADT		date = (DateADT) pq_getmsgint(buf, 4);
		int64		users = pq_getmsgint64(buf);
		Slot	   *s;

		if (w >= CP_NUM_WORKLOADS)
			STATE_ERROR("Workload %d is not an eligible workload.", w);
		if (sku < 0 || sku >= nskus)
			STATE_ERROR("SKU number %d is not among the %d SKUs.", sku, nskus);
		if (!DATE_NOT_FINITE(date) && !IS_VALID_DATE(date))
			STATE_ERROR("Date %d is out of range.", date);
		if (users < 0)
			STATE_ERROR("A count of " INT64_FORMAT " is negative.", users);
		s = ent_slot(st, t, SKUW(skus[sku], w), &found);
		if (found)
			STATE_ERROR("Tenant %d has two measurements of one workload and SKU.", i);
		s->measured_on = date;
		s->users = users;
	}
}

Datum
cp_entitlements_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = agg_context(fcinfo);
	AggSite    *site = agg_site(fcinfo);
	StringInfoData buf;
	KeyType    *kt;
	EntState   *st;
	int32	   *skus;
	int32		nskus;
	int32		ntenants;

	wire_open(&buf, PG_GETARG_BYTEA_PP(0));
	wire_check_version(&buf, ENT_STATE_VERSION);
	kt = keytype_recv_header(&site->keytypes, fcinfo->flinfo->fn_mcxt, &buf);
	skus = ReadSkus(&buf, SiteSkus(fcinfo, site), &nskus);
	ntenants = wire_getcount(&buf, TENANT_MIN_WIRE_BYTES, "tenants");
	st = ent_create(aggcxt, kt, site->skus, ntenants);
	st->from_wire = true;
	for (int32 i = 0; i < ntenants; i++)
		ReadTenant(st, &buf, skus, nskus, i);
	wire_getend(&buf);
	pfree(skus);
	PG_RETURN_POINTER(st);
}
