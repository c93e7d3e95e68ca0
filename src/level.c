/*
 * level.c
 *	  cp_level, the threshold functions and the canonical names: the bridge
 *	  between SQL (the cp_market and competency_level enums, text spellings)
 *	  and the rules in rules.c; and cp_fold, the folding spellings are
 *	  compared by.
 */
#include "postgres.h"

#include "catalog/pg_enum.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "level.h"
#include "rules.h"

PG_FUNCTION_INFO_V1(cp_level);
PG_FUNCTION_INFO_V1(cp_next_level);
PG_FUNCTION_INFO_V1(cp_required_entitlements);
PG_FUNCTION_INFO_V1(cp_required_individuals);
PG_FUNCTION_INFO_V1(cp_workload);
PG_FUNCTION_INFO_V1(cp_credential);
PG_FUNCTION_INFO_V1(cp_is_cloud_productivity);
PG_FUNCTION_INFO_V1(cp_granted_level);
PG_FUNCTION_INFO_V1(cp_fold);

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
EnumOids *
cp_enum_oids(FunctionCallInfo fcinfo)
{
	Oid			nsp = get_func_namespace(fcinfo->flinfo->fn_oid);
	Oid			market = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
										 CStringGetDatum("cp_market"),
										 ObjectIdGetDatum(nsp));
	Oid			level = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
										CStringGetDatum("competency_level"),
										ObjectIdGetDatum(nsp));
	EnumOids   *e;

	if (!OidIsValid(market) || !OidIsValid(level))
		elog(ERROR, "competency types not found beside function %u",
			 fcinfo->flinfo->fn_oid);
	e = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(EnumOids));
	for (int i = 0; i < CP_NUM_MARKETS; i++)
		e->market[i] = EnumLabelOid(market, cp_market_labels[i]);
	for (int i = 0; i < CP_NUM_LEVELS; i++)
		e->level[i] = EnumLabelOid(level, cp_level_labels[i]);
	return e;
}

/* The enum OIDs, kept in the call site's fn_extra. */
static EnumOids *
GetEnumOids(FunctionCallInfo fcinfo)
{
	if (fcinfo->flinfo->fn_extra == NULL)
		fcinfo->flinfo->fn_extra = cp_enum_oids(fcinfo);
	return (EnumOids *) fcinfo->flinfo->fn_extra;
}

CpMarket
cp_market_of(const EnumOids *e, Oid oid)
{
	if (oid == e->market[CP_MARKET_DEVELOPED])
		return CP_MARKET_DEVELOPED;
	if (oid == e->market[CP_MARKET_DEVELOPING])
		return CP_MARKET_DEVELOPING;
	elog(ERROR, "%u is not a cp_market value", oid);
	pg_unreachable();
}

CpLevel
cp_level_of(const EnumOids *e, Oid oid)
{
	for (int i = 0; i < CP_NUM_LEVELS; i++)
	{
		if (oid == e->level[i])
			return (CpLevel) i;
	}
	elog(ERROR, "%u is not a competency_level value", oid);
	pg_unreachable();
}

/* 22023 for a negative figure given to cp_level. */
void
cp_check_figures(int64 entitlements, int32 individuals)
{
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
}

/* cp_level(market, active_entitlements, qualified_individuals) */
Datum
cp_level(PG_FUNCTION_ARGS)
{
	EnumOids   *e = GetEnumOids(fcinfo);
	CpMarket	market = cp_market_of(e, PG_GETARG_OID(0));
	int64		entitlements = PG_GETARG_INT64(1);
	int32		individuals = PG_GETARG_INT32(2);

	cp_check_figures(entitlements, individuals);
	PG_RETURN_OID(e->level[cp_level_for(market, entitlements, individuals)]);
}

/* cp_next_level(level): the level above, NULL above gold. */
Datum
cp_next_level(PG_FUNCTION_ARGS)
{
	EnumOids   *e = GetEnumOids(fcinfo);
	CpLevel		level = cp_level_of(e, PG_GETARG_OID(0));

	if (level + 1 >= CP_NUM_LEVELS)
		PG_RETURN_NULL();
	PG_RETURN_OID(e->level[level + 1]);
}

/* cp_required_entitlements(level, market) */
Datum
cp_required_entitlements(PG_FUNCTION_ARGS)
{
	EnumOids   *e = GetEnumOids(fcinfo);

	PG_RETURN_INT64(cp_required_entitlements_for(cp_level_of(e, PG_GETARG_OID(0)),
												 cp_market_of(e, PG_GETARG_OID(1))));
}

/* cp_required_individuals(level) */
Datum
cp_required_individuals(PG_FUNCTION_ARGS)
{
	EnumOids   *e = GetEnumOids(fcinfo);

	PG_RETURN_INT32(cp_required_individuals_for(cp_level_of(e, PG_GETARG_OID(0))));
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

/* cp_fold(text): the text folded as spellings are compared (any length). */
Datum
cp_fold(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	int			len = VARSIZE_ANY_EXHDR(t);
	text	   *folded = (text *) palloc(VARHDRSZ + len);
	int			n = cp_fold_text(VARDATA_ANY(t), len, VARDATA(folded), len);

	Assert(n >= 0);
	SET_VARSIZE(folded, VARHDRSZ + n);
	PG_RETURN_TEXT_P(folded);
}
