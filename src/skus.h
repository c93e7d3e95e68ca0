/*
 * skus.h
 *	  The SKUs and (workload, SKU) spellings met at one call site of
 *	  cp_active_entitlements under one rule set, shared by all its groups'
 *	  states of that set: a row's workload and SKU become one small
 *	  integer, compared without strings.
 */
#ifndef COMPETENCY_SKUS_H
#define COMPETENCY_SKUS_H

#include "postgres.h"

#include "ruleset.h"

/*
 * A (workload, SKU) pair as one int32, a SKUW: the SKU number above the
 * workload's SKUW_WORKLOAD_BITS bits (the workload's index in its rule
 * set).  SKU numbers stay under MAX_SKUS, so a SKUW is never negative (-1
 * means "not eligible").  Serialized states carry the workload and the SKU
 * apart, so these bits are no part of any format.
 */
#define SKUW_WORKLOAD_BITS 6
#define SKUW_WORKLOAD_MASK ((1 << SKUW_WORKLOAD_BITS) - 1)
#define SKUW(sku, w) (((sku) << SKUW_WORKLOAD_BITS) | (w))
#define SKUW_SKU(x) ((x) >> SKUW_WORKLOAD_BITS)
#define SKUW_WORKLOAD(x) ((x) & SKUW_WORKLOAD_MASK)
#define MAX_SKUS (PG_INT32_MAX >> SKUW_WORKLOAD_BITS)

StaticAssertDecl(CP_MAX_WORKLOADS <= 1 << SKUW_WORKLOAD_BITS,
				 "every workload of a rule set fits the bits a SKUW keeps for it");
StaticAssertDecl(((int64) MAX_SKUS << SKUW_WORKLOAD_BITS |
				  SKUW_WORKLOAD_MASK) <= PG_INT32_MAX,
				 "the SKUW of every SKU number and workload is a non-negative int32");

typedef struct SkuDict SkuDict;

extern SkuDict *sku_dict_create(MemoryContext mcxt, const RuleSet *rs);
extern int32 sku_lookup(SkuDict *d, const char *workload, int wlen,
						const char *sku, int slen);
extern int32 sku_intern(SkuDict *d, const char *sku, int len);
extern int32 sku_count(const SkuDict *d);
extern const char *sku_name(const SkuDict *d, int32 sku, int *len);

/* Numbering one state's SKUs 0, 1, ... while it is written or read. */
extern void sku_local_begin(SkuDict *d);
extern int32 sku_local(SkuDict *d, int32 sku, bool *is_new);

#endif							/* COMPETENCY_SKUS_H */
