/*
 * entitlements.c
 *	  cp_active_entitlements(tenant anyelement, workload text, sku text,
 *							 active_users bigint, is_trial boolean,
 *							 measured_on date [, rule_set text]) -> bigint
 *
 * The aggregate's support functions, the same for both forms (and for
 * cp_usage_entitlements, over uuid tenants): rows go into the state
 * (entstate.c), partial states are combined, and states travel between
 * processes in the format below.  Without rule_set, rows are evaluated
 * under the built-in set; with it, under the set the rows name
 * (aggsite.h), whose workload indexes the measurements carry.
 *
 * Format (version 2), big-endian: byte version; int32 key type; int32 key
 * collation; int32 nskus, then per SKU: int32 length, bytes; int32
 * ntenants, then per tenant: key (int32 length, then the bytes keytype.c
 * writes), int32 nslots (at least 1), then per slot: byte workload, int32
 * SKU number (0 to nskus - 1, numbered for this state), int32 date (days
 * since 2000-01-01, or infinity), int64 count.  Tenants come in the order
 * the state sorts them (entstate.c), each once; a tenant's (workload, SKU)
 * pairs each once.  (Version 1 was the same but for the order.)  The form
 * with rule_set writes version 2 | WIRE_RULE_SET_FORM, and after the key
 * collation its rule set (aggsite.c); a state whose set cannot be evaluated
 * holds no SKUs and no tenants.  Workloads are those of the built-in set
 * (0 to 4), or of the named set (under CP_MAX_WORKLOADS).
 */
#include "postgres.h"

#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"

#include "aggsite.h"
#include "entstate.h"
#include "ruleset.h"
#include "wire.h"

#define ENT_STATE_VERSION 2
#define ARG_RULE_SET 7			/* of the transition function, when it has one */
#define SLOT_WIRE_BYTES (1 + 4 + 4 + 8)
#define TENANT_MIN_WIRE_BYTES (4 + 4 + SLOT_WIRE_BYTES)

PG_FUNCTION_INFO_V1(cp_entitlements_trans);
PG_FUNCTION_INFO_V1(cp_entitlements_final);
PG_FUNCTION_INFO_V1(cp_entitlements_combine);
PG_FUNCTION_INFO_V1(cp_entitlements_serialize);
PG_FUNCTION_INFO_V1(cp_entitlements_deserialize);

/* The SKUs and spellings of the call site (the form without rule_set). */
static SkuDict *
SiteSkus(FunctionCallInfo fcinfo, AggSite *site)
{
	if (site->skus == NULL)
		site->skus = sku_dict_create(fcinfo->flinfo->fn_mcxt, ruleset_builtin());
	return site->skus;
}

/* The SKUs and spellings of a rule set at the call site. */
static SkuDict *
SetSkus(FunctionCallInfo fcinfo, SiteSet *set)
{
	if (set->skus == NULL)
		set->skus = sku_dict_create(fcinfo->flinfo->fn_mcxt, set->rs);
	return set->skus;
}

/* A text argument as PG_GETARG_TEXT_PP gives it, without a call if in place. */
static inline text *
TextArg(FunctionCallInfo fcinfo, int n)
{
	struct varlena *v = (struct varlena *) PG_GETARG_POINTER(n);

	if (VARATT_IS_EXTENDED(v) && !VARATT_IS_SHORT(v))
		return PG_GETARG_TEXT_PP(n);
	return (text *) v;
}

static pg_noinline void
NegativeCount(int64 users)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("active_users must not be negative: " INT64_FORMAT, users)));
}

/*
 * The state of a row that names a rule set: st, whose set it must be, or
 * if st is NULL a new state of that set (the name counts even when the row
 * is skipped for another reason).
 */
static EntState *
NamedState(FunctionCallInfo fcinfo, EntState *st)
{
	text	   *name = TextArg(fcinfo, ARG_RULE_SET);
	SiteSet    *set;

	if (st != NULL)
	{
		agg_rules_check(&st->head.rules, VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name));
		return st;
	}
	set = agg_site_set(fcinfo, VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name), true);
	st = ent_create(agg_context(fcinfo),
					keytype_from_arg(&agg_site(fcinfo)->keytypes, fcinfo, 1),
					SetSkus(fcinfo, set), 0);
	agg_rules_of(&st->head.rules, set);
	return st;
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
	if (PG_NARGS() > ARG_RULE_SET)
	{
		if (PG_ARGISNULL(ARG_RULE_SET))
			goto skip;
		st = NamedState(fcinfo, st);
		if (st->head.rules.problem != NULL)
			goto skip;			/* raised by the final function */
	}
	if (PG_ARGISNULL(1) | PG_ARGISNULL(2) | PG_ARGISNULL(3) |
		PG_ARGISNULL(4) | PG_ARGISNULL(5) | PG_ARGISNULL(6) ||
		PG_GETARG_BOOL(5))
		goto skip;

	site = likely(fcinfo->flinfo->fn_extra != NULL) ?
		(AggSite *) fcinfo->flinfo->fn_extra : agg_site(fcinfo);
	workload = TextArg(fcinfo, 2);
	sku = TextArg(fcinfo, 3);
	skuw = sku_lookup(st != NULL ? st->skus : SiteSkus(fcinfo, site),
					  VARDATA_ANY(workload), VARSIZE_ANY_EXHDR(workload),
					  VARDATA_ANY(sku), VARSIZE_ANY_EXHDR(sku));
	if (skuw < 0)
		goto skip;
	if (st == NULL)
		st = ent_create(agg_context(fcinfo),
						keytype_from_arg(&site->keytypes, fcinfo, 1),
						site->skus, 0);
	ent_add(st, keytype_prepare(st->head.kt, PG_GETARG_DATUM(1)), skuw,
			PG_GETARG_DATEADT(6), PG_GETARG_INT64(4));

skip:
	if (st == NULL)
	{
		(void) agg_context(fcinfo);
		PG_RETURN_NULL();
	}
	PG_RETURN_POINTER(st);
}

/* The total; the problem of a state's rule set, if one is recorded. */
Datum
cp_entitlements_final(PG_FUNCTION_ARGS)
{
	EntState   *st;

	(void) agg_context(fcinfo);
	if (PG_ARGISNULL(0))
		PG_RETURN_INT64(0);
	st = (EntState *) PG_GETARG_POINTER(0);
	if (st->head.rules.problem != NULL)
		ruleset_raise(st->head.rules.problem);
	PG_RETURN_INT64(ent_total(st));
}

/* An empty state to merge like into, of its key type and SKU numbers. */
static StateHead *
EntStateLike(MemoryContext aggcxt, const StateHead *like)
{
	const EntState *right = (const EntState *) like;

	return &ent_create(aggcxt, right->head.kt, right->skus, right->n)->head;
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
	StateHead  *left;
	StateHead  *right;

	if (agg_combine_begin(fcinfo, EntStateLike, &left, &right))
	{
		ent_merge((EntState *) left, (const EntState *) right);
		if (right->from_wire)
			ent_free((EntState *) right);
	}
	if (left == NULL)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(left);
}

/* Number the state's SKUs in the order its measures meet them. */
static int32 *
NumberSkus(EntState *st, int32 *nlocal)
{
	int32	   *order = palloc(Max(sku_count(st->skus), 1) * sizeof(int32));

	*nlocal = 0;
	sku_local_begin(st->skus);
	for (int32 i = 0; i < st->n; i++)
	{
		bool		is_new;
		int32		sku = SKUW_SKU(st->m[i].skuw);

		(void) sku_local(st->skus, sku, &is_new);
		if (is_new)
			order[(*nlocal)++] = sku;
	}
	return order;
}

/* Append the tenant of measures m[from, to): key, count, measurements. */
static void
WriteTenant(EntState *st, StringInfo buf, int32 from, int32 to)
{
	keytype_send(st->head.kt, buf, ent_key_datum(st, &st->m[from].tenant));
	pq_sendint32(buf, to - from);
	enlargeStringInfo(buf, (to - from) * SLOT_WIRE_BYTES);
	for (int32 i = from; i < to; i++)
	{
		const Measure *m = &st->m[i];
		bool		is_new;

		pq_writeint8(buf, (uint8) SKUW_WORKLOAD(m->skuw));
		pq_writeint32(buf, (uint32) sku_local(st->skus, SKUW_SKU(m->skuw), &is_new));
		pq_writeint32(buf, (uint32) m->measured_on);
		pq_writeint64(buf, (uint64) m->users);
	}
}

/* Append the state's SKUs and tenants, in the order the state sorts them. */
static void
WriteMeasures(EntState *st, StringInfo buf)
{
	StringInfoData tenants;
	int32	   *order;
	int32		nlocal;
	int32		ntenants = 0;

	ent_compact(st);
	order = NumberSkus(st, &nlocal);
	initStringInfo(&tenants);
	for (int32 i = 0, end; i < st->n; i = end)
	{
		end = ent_tenant_end(st, i);
		WriteTenant(st, &tenants, i, end);
		ntenants++;
	}
	pq_sendint32(buf, nlocal);
	for (int32 i = 0; i < nlocal; i++)
	{
		int			len;
		const char *name = sku_name(st->skus, order[i], &len);

		pq_sendint32(buf, len);
		pq_sendbytes(buf, name, len);
	}
	pq_sendint32(buf, ntenants);
	pq_sendbytes(buf, tenants.data, tenants.len);
	pfree(tenants.data);
	pfree(order);
}

/*
 * The state in the format above; of a rule set that cannot be evaluated,
 * only the set (the final function raises its problem whatever else).
 */
Datum
cp_entitlements_serialize(PG_FUNCTION_ARGS)
{
	EntState   *st;
	StringInfoData buf;

	(void) agg_context(fcinfo);
	st = (EntState *) PG_GETARG_POINTER(0);
	pq_begintypsend(&buf);
	if (st->head.rules.name == NULL)
		pq_sendbyte(&buf, ENT_STATE_VERSION);
	else
		pq_sendbyte(&buf, ENT_STATE_VERSION | WIRE_RULE_SET_FORM);
	keytype_send_header(st->head.kt, &buf);
	if (st->head.rules.name != NULL)
		agg_rules_send(&buf, &st->head.rules);
	if (st->head.rules.problem == NULL)
		WriteMeasures(st, &buf);
	else
	{
		pq_sendint32(&buf, 0);	/* SKUs */
		pq_sendint32(&buf, 0);	/* tenants */
	}
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

/*
 * Read tenant number i into st, checking every field; *prev is the tenant
 * before, which it must follow in the order serialize writes them in.
 */
static void
ReadTenant(EntState *st, StringInfo buf, const int32 *skus, int32 nskus,
		   int32 i, TenantKey *prev, int nworkloads)
{
	bool		is_new;
	TenantKey	k = ent_tenant_key(st, keytype_recv(st->head.kt, buf), &is_new);
	int32		nslots = wire_getcount(buf, SLOT_WIRE_BYTES, "measurements");
	int32		from = st->n;

	if (i > 0 && ent_tenant_cmp(st, prev, &k) >= 0)
		STATE_ERROR("Tenant %d repeats an earlier tenant or is out of order.", i);
	if (nslots == 0)
		STATE_ERROR("Tenant %d has no measurements.", i);
	*prev = k;
	for (int32 j = 0; j < nslots; j++)
	{
		Measure		m;
		int			w = pq_getmsgbyte(buf);
		int32		sku = (int32) pq_getmsgint(buf, 4);

		m.tenant = k;
		m.measured_on = (DateADT) pq_getmsgint(buf, 4);
		m.users = pq_getmsgint64(buf);
		if (w >= nworkloads)
			STATE_ERROR("Workload %d is not an eligible workload.", w);
		if (sku < 0 || sku >= nskus)
			STATE_ERROR("SKU number %d is not among the %d SKUs.", sku, nskus);
		if (!DATE_NOT_FINITE(m.measured_on) && !IS_VALID_DATE(m.measured_on))
			STATE_ERROR("Date %d is out of range.", m.measured_on);
		if (m.users < 0)
			STATE_ERROR("A count of " INT64_FORMAT " is negative.", m.users);
		m.skuw = SKUW(skus[sku], w);
		ent_append(st, &m);
	}
	if (!ent_sort_tenant(st, from))
		STATE_ERROR("Tenant %d has two measurements of one workload and SKU.", i);
}

/*
 * Read a state of either form: the built-in set's workloads and the call
 * site's SKU dictionary, or its rule set's (its name; workloads under the
 * limit) and that set's dictionary at the call site.
 */
Datum
cp_entitlements_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = agg_context(fcinfo);
	AggSite    *site = agg_site(fcinfo);
	StringInfoData buf;
	KeyType    *kt;
	StateRules	rules = {0};
	SkuDict    *dict;
	EntState   *st;
	int32	   *skus;
	int32		nskus;
	int32		ntenants;
	TenantKey	prev;
	bool		named;

	wire_open(&buf, PG_GETARG_BYTEA_PP(0));
	named = wire_check_version(&buf, ENT_STATE_VERSION);
	kt = keytype_recv_header(&site->keytypes, fcinfo->flinfo->fn_mcxt, &buf);
	dict = named ? SetSkus(fcinfo, agg_rules_recv(fcinfo, &buf, &rules)) :
		SiteSkus(fcinfo, site);
	skus = ReadSkus(&buf, dict, &nskus);
	ntenants = wire_getcount(&buf, TENANT_MIN_WIRE_BYTES, "tenants");
	if (rules.problem != NULL && (nskus > 0 || ntenants > 0))
		STATE_ERROR("A state whose rule set cannot be evaluated holds measurements.");
	/* the bytes left bound the measurements */
	st = ent_create(aggcxt, kt, dict, (buf.len - buf.cursor) / SLOT_WIRE_BYTES);
	st->head.from_wire = true;
	st->head.rules = rules;
	for (int32 i = 0; i < ntenants; i++)
		ReadTenant(st, &buf, skus, nskus, i, &prev,
				   named ? CP_MAX_WORKLOADS : CP_NUM_WORKLOADS);
	wire_getend(&buf);
	/* tenants in order, each's measures sorted: the whole is */
	st->nsorted = st->n;
	pfree(skus);
	PG_RETURN_POINTER(st);
}
