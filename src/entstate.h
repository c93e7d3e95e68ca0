/*
 * entstate.h
 *	  The state of cp_active_entitlements: the measurements it was given,
 *	  kept sorted and reduced to the latest of each (tenant, workload, SKU)
 *	  when it grows and before it is read.
 */
#ifndef COMPETENCY_ENTSTATE_H
#define COMPETENCY_ENTSTATE_H

#include "utils/date.h"

#include "aggsite.h"
#include "keytype.h"
#include "skus.h"

/*
 * A tenant as a measurement names it: the bytes of a small key that is equal
 * only when bitwise equal (uuid, integers), else the number of the key in
 * the state's table of keys.  Either sorts tenants the same way in every
 * process.
 */
#define TENANT_KEY_BYTES 16
typedef union TenantKey
{
	char		bytes[TENANT_KEY_BYTES];	/* the key, zero-filled */
	uint64		words[2];		/* the same, to compare */
	int32		id;
} TenantKey;

StaticAssertDecl(sizeof(uint64) * 2 == TENANT_KEY_BYTES,
				 "a tenant key kept in a measure compares as its two words");
StaticAssertDecl(sizeof(Datum) <= TENANT_KEY_BYTES,
				 "a key passed by value fits a tenant key");

/* A measurement: of a tenant's (workload, SKU), its date and count. */
typedef struct Measure
{
	TenantKey	tenant;
	int32		skuw;			/* SKUW(SKU number, workload) */
	DateADT		measured_on;
	int64		users;
} Measure;

struct keytab_hash;

typedef struct EntState
{
	StateHead	head;			/* key type of tenants; from_wire */
	MemoryContext cxt;			/* where the state lives */
	SkuDict    *skus;			/* SKU numbers, of the call site */
	Measure    *m;				/* [0, nsorted) sorted and reduced */
	int32		n;
	int32		nsorted;
	int32		max;
	/* keys that are not kept in measures, by number */
	struct keytab_hash *keytab;
	Datum	   *keys;
	int32		nkeys;
	int32		maxkeys;
	Size		keybytes;		/* bytes of the keys' copies */
	bool		in_measure;		/* keys kept in measures (else numbered) */
} EntState;

extern EntState *ent_create(MemoryContext cxt, KeyType *kt, SkuDict *skus,
							int32 nmeasures);
extern void ent_free(EntState *st);
extern void ent_add(EntState *st, Datum key, int32 skuw, DateADT date,
					int64 users);
extern void ent_merge(EntState *dst, const EntState *src);
extern void ent_compact(EntState *st);
extern int64 ent_total(EntState *st);

/* Reading and writing states: tenants in order, a run of measures each. */
extern TenantKey ent_tenant_key(EntState *st, Datum key, bool *is_new);
extern Datum ent_key_datum(const EntState *st, const TenantKey *k);
extern int	ent_tenant_cmp(const EntState *st, const TenantKey *a,
						   const TenantKey *b);
extern int32 ent_tenant_end(const EntState *st, int32 i);
extern void ent_append(EntState *st, const Measure *m);
extern bool ent_sort_tenant(EntState *st, int32 from);

#endif							/* COMPETENCY_ENTSTATE_H */
