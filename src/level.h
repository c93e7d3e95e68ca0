/*
 * level.h
 *	  What the SQL functions of level.c and whatif.c share: the competency's
 *	  enums (cp_market, competency_level) as their labels' OIDs, and the
 *	  check of cp_level's figures.
 */
#ifndef COMPETENCY_LEVEL_H
#define COMPETENCY_LEVEL_H

#include "fmgr.h"

#include "rules.h"

/* OIDs of the enum labels, looked up once per call site. */
typedef struct EnumOids
{
	Oid			market[CP_NUM_MARKETS];
	Oid			level[CP_NUM_LEVELS];
} EnumOids;

extern EnumOids *cp_enum_oids(FunctionCallInfo fcinfo);
extern CpMarket cp_market_of(const EnumOids *e, Oid oid);
extern CpLevel cp_level_of(const EnumOids *e, Oid oid);
extern void cp_check_figures(int64 entitlements, int32 individuals);

#endif							/* COMPETENCY_LEVEL_H */
