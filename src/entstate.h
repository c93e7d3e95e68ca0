/*
 * entstate.h
 *	  The state of cp_active_entitlements: a hash table of tenants, each with
 *	  the latest measurement of every (workload, SKU) seen for it.
 */
#ifndef COMPETENCY_ENTSTATE_H
#define COMPETENCY_ENTSTATE_H

#include "utils/date.h"

#include "keytype.h"
#include "skus.h"

/* The latest measurement of one (workload, SKU) of a tenant. */
typedef struct Slot
{
	int64		users;			/* largest count at measured_on */
	DateADT		measured_on;	/* latest date seen */
	int32		skuw;			/* SKUW(SKU number, workload) */
} Slot;

typedef struct Tenant
{
	Datum		key;			/* by value, or a copy in the state */
	Slot	   *slots;
	uint32		hash;
	int32		ordinal;		/* the tenant's number in its state */
	int32		nslots;
	int32		maxslots;		/* room in slots */
	char		status;
} Tenant;

#define SH_PREFIX tenanthash
#define SH_ELEMENT_TYPE Tenant
#define SH_KEY_TYPE Datum
#define SH_SCOPE extern
#define SH_DECLARE
#include "lib/simplehash.h"

struct slotindex_hash;

typedef struct EntState
{
	MemoryContext cxt;			/* everything of the state but its SKUs */
	KeyType    *kt;				/* tenant key type, of the call site */
	SkuDict    *skus;			/* SKU numbers, of the call site */
	tenanthash_hash *tenants;
	Tenant	   *last;			/* the tenant the last row went to */
	struct slotindex_hash *bigslots;	/* slots of tenants of many */
	bool		from_wire;		/* deserialized: combine adopts or frees it */
} EntState;

extern EntState *ent_create(MemoryContext parent, KeyType *kt, SkuDict *skus,
							uint32 ntenants);
extern void ent_free(EntState *st);
extern void ent_add(EntState *st, Datum key, int32 skuw, DateADT date,
					int64 users);
extern Tenant *ent_tenant(EntState *st, Datum key, uint32 hash, bool *found);
extern Slot *ent_slot(EntState *st, Tenant *t, int32 skuw, bool *found);
extern void ent_reserve(EntState *st, Tenant *t, int32 nslots);
extern void ent_merge(EntState *dst, const EntState *src);
extern int64 ent_total(const EntState *st);

/* Keep the later measurement, and of one date the larger count. */
static inline void
ent_keep_latest(Slot *s, int64 users, DateADT date)
{
	if (date > s->measured_on)
	{
		s->measured_on = date;
		s->users = users;
	}
	else if (date == s->measured_on && users > s->users)
		s->users = users;
}

#endif							/* COMPETENCY_ENTSTATE_H */
