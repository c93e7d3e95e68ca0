/*
 * skus.h
 *	  The SKUs and (workload, SKU) spellings met at one call site of
 *	  cp_active_entitlements, shared by all its groups' states: a row's
 *	  workload and SKU become one small integer, compared without strings.
 */
#ifndef COMPETENCY_SKUS_H
#define COMPETENCY_SKUS_H

#include "postgres.h"

/* A (workload, SKU) pair as one integer: SKU number << 3 | workload. */
#define SKUW(sku, w) (((sku) << 3) | (w))
#define SKUW_SKU(x) ((x) >> 3)
#define SKUW_WORKLOAD(x) ((x) & 7)
#define MAX_SKUS (PG_INT32_MAX >> 3)

typedef struct SkuDict SkuDict;

extern SkuDict *sku_dict_create(MemoryContext mcxt);
extern int32 sku_lookup(SkuDict *d, const char *workload, int wlen,
						const char *sku, int slen);
extern int32 sku_intern(SkuDict *d, const char *sku, int len);
extern int32 sku_count(const SkuDict *d);
extern const char *sku_name(const SkuDict *d, int32 sku, int *len);

/* Numbering one state's SKUs 0, 1, ... while it is written or read. */
extern void sku_local_begin(SkuDict *d);
extern int32 sku_local(SkuDict *d, int32 sku, bool *is_new);

#endif							/* COMPETENCY_SKUS_H */
