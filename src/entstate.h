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

/*
 * The latest measurement of one (workload, SKU) of a tenant.  A state keeps
 * all its tenants' slots in one array; a tenant's are a list through next.
 */
typedef struct Slot
{
	int64		users;			/* largest count at measured_on */
	DateADT		measured_on;	/* latest date seen */
	int32		skuw;			/* SKUW(SKU number, workload) */
	int32		next;			/* the tenant's next slot, or -1 */
} Slot;

/*
 * A tenant's key: a small fixed-size key (a uuid) is kept in the entry
 * itself, any other as a Datum (by value, or pointing to a copy in the
 * state).  ent_key() gives the Datum of either.
 */
#define TENANT_KEY_BYTES 16
typedef union TenantKey
{
	Datum		datum;
	char		bytes[TENANT_KEY_BYTES];
} TenantKey;

typedef struct Tenant
{
	TenantKey	key;
	int32		first;			/* its newest slot, or -1 */
	int32		nslots;
	int32		ordinal;		/* the tenant's number in its state */
	char		status;
} Tenant;

/* Walk a tenant's slots (s: Slot *). */
#define foreach_slot(st, t, s) \
	for (int32 slot_i_ = (t)->first; \
		 slot_i_ >= 0 && ((s) = &(st)->slots[slot_i_], true); \
		 slot_i_ = (s)->next)

#define SH_PREFIX tenanthash
#define SH_ELEMENT_TYPE Tenant
#define SH_KEY_TYPE TenantKey
#define SH_SCOPE extern
#define SH_DECLARE
#include "lib/simplehash.h"

struct slotindex_hash;

typedef struct EntState
{
	MemoryContext cxt;			/* where the state lives (its SKUs excepted) */
	KeyType    *kt;				/* tenant key type, of the call site */
	SkuDict    *skus;			/* SKU numbers, of the call site */
	tenanthash_hash *tenants;
	Tenant	   *last;			/* the tenant the last row went to */
	Slot	   *slots;			/* every tenant's slots */
	int32		nslots;
	int32		maxslots;
	struct slotindex_hash *bigslots;	/* slots of tenants of many */
	bool		from_wire;		/* deserialized: combine adopts or frees it */
} EntState;

extern EntState *ent_create(MemoryContext cxt, KeyType *kt, SkuDict *skus,
							uint32 ntenants);
extern void ent_free(EntState *st);
extern void ent_add(EntState *st, Datum key, int32 skuw, DateADT date,
					int64 users);
extern Tenant *ent_tenant(EntState *st, Datum key, uint32 hash, bool *found);
extern Datum ent_key(const EntState *st, const Tenant *t);
extern uint32 ent_hash(const EntState *st, Datum key);
extern Slot *ent_slot(EntState *st, Tenant *t, int32 skuw, bool *found);
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
