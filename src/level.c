/*
 * level.c
 *	  cp_level, the threshold functions and the canonical names: the bridge
 *	  between SQL (the cp_market and competency_level enums, text spellings)
 *	  and the rules in rules.c.
 */
#include "postgres.h"

#include "catalog/pg_enum.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "rules.h"

PG_FUNCTION_INFO_V1(cp_level);
PG_FUNCTION_INFO_V1(cp_next_level);
PG_FUNCTION_INFO_V1(cp_required_entitlements);
PG_FUNCTION_INFO_V1(cp_required_individuals);
PG_FUNCTION_INFO_V1(cp_workload);
PG_FUNCTION_INFO_V1(cp_credential);
PG_FUNCTION_INFO_V1(cp_is_cloud_productivity);
PG_FUNCTION_INFO_V1(cp_granted_level);

/* OIDs of the enum labels, looked up once per call site. */
typedef struct EnumOids
{
	Oid			market[CP_NUM_MARKETS];
	Oid			level[CP_NUM_LEVELS];
} EnumOids;

static Oid
EnumLabelOid(Oid enumtype, const char *label)
{
	Oid			oid = GetSysCacheOid2(ENUMTYPOIDNAME, Anum_pg_enum_oid,
									  ObjectIdGetDatum(enumtype),
									  CStringGetDatum(label));

	if (!OidIsValid(oid))
		elog(ERROR, "enum %s has no label \"%s\"", format_type_be(enumtype), label);
	return oid;
}

/* The enum OIDs, from the types in the schema the function lives in. */
static EnumOids *
GetEnumOids(FunctionCallInfo fcinfo)
{
	EnumOids   *e = (EnumOids *) fcinfo->flinfo->fn_extra;

	if (e == NULL)
	{
		Oid			nsp = get_func_namespace(fcinfo->flinfo->fn_oid);
		Oid			market = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
											 CStringGetDatum("cp_market"),
											 ObjectIdGetDatum(nsp));
		Oid			level = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
											CStringGetDatum("competency_level"),
											ObjectIdGetDatum(nsp));

		if (!OidIsValid(market) || !OidIsValid(level))
			elog(ERROR, "competency types not found beside function %u",
				 fcinfo->flinfo->fn_oid);
		e = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(EnumOids));
		for (int i = 0; i < CP_NUM_MARKETS; i++)
			e->market[i] = EnumLabelOid(market, cp_market_labels[i]);
		for (int i = 0; i < CP_NUM_LEVELS; i++)
			e->level[i] = EnumLabelOid(level, cp_level_labels[i]);
		fcinfo->flinfo->fn_extra = e;
	}
	return e;
}

static CpMarket
MarketOf(EnumOids *e, Oid oid)
{
	if (oid == e->market[CP_MARKET_DEVELOPED])
		return CP_MARKET_DEVELOPED;
	if (oid == e->market[CP_MARKET_DEVELOPING])
		return CP_MARKET_DEVELOPING;
	elog(ERROR, "%u is not a cp_market value", oid);
	pg_unreachable();
}

static CpLevel
LevelOf(EnumOids *e, Oid oid)
{
	for (int i = 0; i < CP_NUM_LEVELS; i++)
	{
		if (oid == e->level[i])
			return (CpLevel) i;
	}
	elog(ERROR, "%u is not a competency_level value", oid);
	pg_unreachable();
}

/* cp_level(market, active_entitlements, qualified_individuals) */
Datum
cp_level(PG_FUNCTION_ARGS)
{
	EnumOids   *e = GetEnumOids(fcinfo);
	CpMarket	market = MarketOf(e, PG_GETARG_OID(0));
	int64		entitlements = PG_GETARG_INT64(1);
	int32		individuals = PG_GETARG_INT32(2);

	if (entitlements < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("active_entitlements must not be negative: " INT64_FORMAT,
						entitlements)));
	if (individuals < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("qualified_individuals must not be negative: %d",
						individuals)));
	PG_RETURN_OID(e->level[cp_level_for(market, entitlements, individuals)]);
}

/* cp_next_level(level): the level above, NULL above gold. */
Datum
cp_next_level(PG_FUNCTION_ARGS)
{
	EnumOids   *e = GetEnumOids(fcinfo);
	CpLevel		level = LevelOf(e, PG_GETARG_OID(0));

	if (level + 1 >= CP_NUM_LEVELS)
		PG_RETURN_NULL();
	PG_RETURN_OID(e->level[level + 1]);
}

/* cp_required_entitlements(level, market) */
Datum
cp_required_entitlements(PG_FUNCTION_ARGS)
{
	EnumOids   *e = GetEnumOids(fcinfo);

	PG_RETURN_INT64(cp_required_entitlements_for(LevelOf(e, PG_GETARG_OID(0)),
												 MarketOf(e, PG_GETARG_OID(1))));
}

/* cp_required_individuals(level) */
Datum
cp_required_individuals(PG_FUNCTION_ARGS)
{
	EnumOids   *e = GetEnumOids(fcinfo);

	PG_RETURN_INT32(cp_required_individuals_for(LevelOf(e, PG_GETARG_OID(0))));
}

/* cp_workload(text): canonical name of an eligible workload, else NULL. */
Datum
cp_workload(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	CpWorkload	w = cp_workload_lookup(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));

	if (w == CP_WORKLOAD_NONE)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(cp_workload_names[w]));
}

/* cp_credential(text): canonical name of a qualifying credential, else NULL. */
Datum
cp_credential(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	int			bits = cp_credential_lookup(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));

	for (int i = 0; i < CP_NUM_CREDENTIALS; i++)
	{
		if (bits == (1 << i))
			PG_RETURN_TEXT_P(cstring_to_text(cp_credential_names[i]));
	}
	PG_RETURN_NULL();
}

/* cp_is_cloud_productivity(text): does the name spell Cloud Productivity? */
Datum
cp_is_cloud_productivity(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);

	PG_RETURN_BOOL(cp_competency_lookup(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)));
}

/* cp_granted_level(text): the level a spelling names (silver, gold), else NULL. */
Datum
cp_granted_level(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	CpLevel		l = cp_granted_level_lookup(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));

	if (l == CP_LEVEL_NONE)
		PG_RETURN_NULL();
	PG_RETURN_OID(GetEnumOids(fcinfo)->level[l]);
}
