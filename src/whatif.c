/*
 * whatif.c
 *	  The what-if functions: cp_level, cp_required_entitlements,
 *	  cp_required_individuals, cp_workload and cp_credential under a rule
 *	  set named by their last argument.
 *
 * Whatever their other arguments, each refuses first a NULL rule set
 * (22023), then one that does not exist (42704), is incomplete (55000) or
 * is larger than competency evaluates (54000); then, as the forms without
 * rule_set, a NULL argument gives NULL.  A set is read once while the
 * statement's snapshot stays the same (ruleset.c); the built-in set is the
 * compiled rules, so its answers are those of the forms without rule_set.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

#include "level.h"
#include "rulespec.h"

PG_FUNCTION_INFO_V1(cp_level_rule_set);
PG_FUNCTION_INFO_V1(cp_required_entitlements_rule_set);
PG_FUNCTION_INFO_V1(cp_required_individuals_rule_set);
PG_FUNCTION_INFO_V1(cp_workload_rule_set);
PG_FUNCTION_INFO_V1(cp_credential_rule_set);

/* What a what-if function's call site keeps in its fn_extra. */
typedef struct WhatIfSite
{
	EnumOids   *enums;			/* looked up when first needed */
	RuleSetCache sets;
} WhatIfSite;

static WhatIfSite *
GetSite(FunctionCallInfo fcinfo)
{
	if (fcinfo->flinfo->fn_extra == NULL)
		fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt,
														  sizeof(WhatIfSite));
	return (WhatIfSite *) fcinfo->flinfo->fn_extra;
}

static EnumOids *
GetEnums(FunctionCallInfo fcinfo)
{
	WhatIfSite *site = GetSite(fcinfo);

	if (site->enums == NULL)
		site->enums = cp_enum_oids(fcinfo);
	return site->enums;
}

/* The rule set argument argno names, which must be one to evaluate under. */
static const RuleSet *
RuleSetArg(FunctionCallInfo fcinfo, int argno)
{
	text	   *name;
	const RuleSet *rs;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("rule_set must not be NULL")));
	name = PG_GETARG_TEXT_PP(argno);
	rs = ruleset_cached(&GetSite(fcinfo)->sets, fcinfo->flinfo->fn_mcxt,
						VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name));
	ruleset_require(rs);
	return rs;
}

/* cp_level(market, active_entitlements, qualified_individuals, rule_set) */
Datum
cp_level_rule_set(PG_FUNCTION_ARGS)
{
	const RuleSet *rs = RuleSetArg(fcinfo, 3);
	EnumOids   *e;
	int64		entitlements;
	int32		individuals;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_NULL();
	e = GetEnums(fcinfo);
	entitlements = PG_GETARG_INT64(1);
	individuals = PG_GETARG_INT32(2);
	cp_check_figures(entitlements, individuals);
	PG_RETURN_OID(e->level[cp_level_meeting(&rs->thresholds,
											cp_market_of(e, PG_GETARG_OID(0)),
											entitlements, individuals)]);
}

/* cp_required_entitlements(level, market, rule_set); none requires 0 */
Datum
cp_required_entitlements_rule_set(PG_FUNCTION_ARGS)
{
	const RuleSet *rs = RuleSetArg(fcinfo, 2);
	EnumOids   *e;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	e = GetEnums(fcinfo);
	PG_RETURN_INT64(rs->thresholds.entitlements[cp_level_of(e, PG_GETARG_OID(0))]
					[cp_market_of(e, PG_GETARG_OID(1))]);
}

/* cp_required_individuals(level, rule_set): the same in both markets */
Datum
cp_required_individuals_rule_set(PG_FUNCTION_ARGS)
{
	const RuleSet *rs = RuleSetArg(fcinfo, 1);

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_INT32(rs->thresholds.individuals[cp_level_of(GetEnums(fcinfo), PG_GETARG_OID(0))]
					[CP_MARKET_DEVELOPED]);
}

/* cp_workload(spelling, rule_set): the set's canonical name, else NULL */
Datum
cp_workload_rule_set(PG_FUNCTION_ARGS)
{
	const RuleSet *rs = RuleSetArg(fcinfo, 1);
	text	   *t;
	int			w;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	t = PG_GETARG_TEXT_PP(0);
	w = ruleset_workload(rs, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	if (w < 0)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(rs->workloads[w]));
}

/* cp_credential(spelling, rule_set): the set's canonical name, else NULL */
Datum
cp_credential_rule_set(PG_FUNCTION_ARGS)
{
	const RuleSet *rs = RuleSetArg(fcinfo, 1);
	text	   *t;
	int			c;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	t = PG_GETARG_TEXT_PP(0);
	c = ruleset_credential(rs, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	if (c < 0)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(rs->credentials[c]));
}
