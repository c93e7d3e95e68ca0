/*
 * individuals.c
 *	  cp_qualified_individuals(person anyelement, credential text) -> integer
 *
 * The state maps each person to the set of qualifying credentials seen for
 * them, as bits (rules.h): a simplehash table in the aggregate's memory.  The final function counts persons whose bits satisfy either
 * path.  A union of bit sets is order-free, so partial states combine to the
 * same answer however rows were split.
 *
 * Format (version 1), big-endian: byte version; int32 key type; int32 key
 * collation; int32 npersons, then per person: key (int32 length, then the
 * bytes keytype.c writes), byte credential bits.
 */
#include "postgres.h"

#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/memutils.h"

#include "aggsite.h"
#include "competency.h"
#include "keytype.h"
#include "rules.h"
#include "wire.h"

#define IND_STATE_VERSION 1
#define PERSON_MIN_WIRE_BYTES (4 + 1)

typedef struct PersonEntry
{
	Datum		key;
	uint32		hash;
	char		status;
	uint8		creds;			/* CP_CRED_* bits */
} PersonEntry;

#define SH_PREFIX personhash
#define SH_ELEMENT_TYPE PersonEntry
#include "keyhash.h"

typedef struct IndState
{
	StateHead	head;			/* key type of persons; from_wire */
	MemoryContext cxt;			/* where the state lives */
	personhash_hash *persons;
	Size		keybytes;		/* bytes of the keys' copies */
} IndState;

PG_FUNCTION_INFO_V1(cp_individuals_trans);
PG_FUNCTION_INFO_V1(cp_individuals_final);
PG_FUNCTION_INFO_V1(cp_individuals_combine);
PG_FUNCTION_INFO_V1(cp_individuals_serialize);
PG_FUNCTION_INFO_V1(cp_individuals_deserialize);

/* An empty state in cxt. */
static IndState *
IndStateCreate(MemoryContext cxt, KeyType *kt, uint32 npersons)
{
	IndState   *st = MemoryContextAllocZero(cxt, sizeof(IndState));

	st->cxt = cxt;
	st->head.kt = kt;
	st->persons = personhash_create(cxt, Max(npersons, 2), kt);
	return st;
}

/* Give back a state's memory. */
static void
IndStateFree(IndState *st)
{
	if (!st->head.kt->typbyval)
	{
		personhash_iterator it;
		PersonEntry *p;

		personhash_start_iterate(st->persons, &it);
		while ((p = personhash_iterate(st->persons, &it)) != NULL)
			pfree(DatumGetPointer(p->key));
	}
	personhash_destroy(st->persons);
	pfree(st);
}

/* OR credential bits into a person's entry; returns whether it is new. */
static bool
AddCredentials(IndState *st, Datum key, uint32 hash, uint8 creds)
{
	bool		found;
	PersonEntry *p = personhash_insert_hash(st->persons, key, hash, &found);

	if (!found)
	{
		p->creds = 0;
		if (!st->head.kt->typbyval)
			st->keybytes += datumGetSize(key, false, st->head.kt->typlen);
		cp_check_state_size((Size) st->persons->size * sizeof(PersonEntry) + st->keybytes,
							"cp_qualified_individuals");
		p->key = keytype_copy(st->head.kt, st->cxt, key);
	}
	p->creds |= creds;
	return !found;
}

Datum
cp_individuals_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = agg_context(fcinfo);
	IndState   *st = PG_ARGISNULL(0) ? NULL : (IndState *) PG_GETARG_POINTER(0);
	text	   *cred;
	int			bits;
	Datum		key;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		goto skip;
	cred = PG_GETARG_TEXT_PP(2);
	bits = cp_credential_lookup(VARDATA_ANY(cred), VARSIZE_ANY_EXHDR(cred));
	if (bits == 0)
		goto skip;

	if (st == NULL)
		st = IndStateCreate(aggcxt,
							keytype_from_arg(&agg_site(fcinfo)->keytypes, fcinfo, 1),
							0);
	key = keytype_prepare(st->head.kt, PG_GETARG_DATUM(1));
	AddCredentials(st, key, keytype_hash(st->head.kt, key), (uint8) bits);

skip:
	if (st == NULL)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(st);
}

Datum
cp_individuals_final(PG_FUNCTION_ARGS)
{
	IndState   *st;
	personhash_iterator it;
	PersonEntry *p;
	int64		n = 0;

	(void) agg_context(fcinfo);
	if (PG_ARGISNULL(0))
		PG_RETURN_INT32(0);
	st = (IndState *) PG_GETARG_POINTER(0);

	personhash_start_iterate(st->persons, &it);
	while ((p = personhash_iterate(st->persons, &it)) != NULL)
	{
		if (cp_credentials_qualify(p->creds))
			n++;
	}
	if (n > PG_INT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("qualified individuals out of range for type integer")));
	PG_RETURN_INT32((int32) n);
}

/* An empty state to merge like into, of its key type. */
static StateHead *
IndStateLike(MemoryContext aggcxt, const StateHead *like)
{
	const IndState *right = (const IndState *) like;

	return &IndStateCreate(aggcxt, right->head.kt, right->persons->members)->head;
}

/*
 * Merges the right state into the left.  A deserialized state belongs to
 * this aggregate: it is adopted as the left state, or freed once merged.
 * Any other right state belongs to its own node and is only read.
 */
Datum
cp_individuals_combine(PG_FUNCTION_ARGS)
{
	StateHead  *left;
	StateHead  *right;

	if (agg_combine_begin(fcinfo, IndStateLike, &left, &right))
	{
		IndState   *into = (IndState *) left;
		IndState   *from = (IndState *) right;
		personhash_iterator it;
		PersonEntry *p;

		personhash_start_iterate(from->persons, &it);
		while ((p = personhash_iterate(from->persons, &it)) != NULL)
			AddCredentials(into, p->key, p->hash, p->creds);
		if (from->head.from_wire)
			IndStateFree(from);
	}
	if (left == NULL)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(left);
}

Datum
cp_individuals_serialize(PG_FUNCTION_ARGS)
{
	IndState   *st;
	StringInfoData buf;
	personhash_iterator it;
	PersonEntry *p;

	(void) agg_context(fcinfo);
	st = (IndState *) PG_GETARG_POINTER(0);

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, IND_STATE_VERSION);
	keytype_send_header(st->head.kt, &buf);
	pq_sendint32(&buf, (int32) st->persons->members);
	personhash_start_iterate(st->persons, &it);
	while ((p = personhash_iterate(st->persons, &it)) != NULL)
	{
		keytype_send(st->head.kt, &buf, p->key);
		pq_sendbyte(&buf, p->creds);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

Datum
cp_individuals_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = agg_context(fcinfo);
	AggSite    *site = agg_site(fcinfo);
	StringInfoData buf;
	IndState   *st;
	KeyType    *kt;
	int32		n;

	wire_open(&buf, PG_GETARG_BYTEA_PP(0));
	wire_check_version(&buf, IND_STATE_VERSION);
	kt = keytype_recv_header(&site->keytypes, fcinfo->flinfo->fn_mcxt, &buf);
	n = wire_getcount(&buf, PERSON_MIN_WIRE_BYTES, "persons");
	st = IndStateCreate(aggcxt, kt, n);
	st->head.from_wire = true;
	for (int32 i = 0; i < n; i++)
	{
		Datum		key = keytype_recv(kt, &buf);
		int			creds = wire_getbyte(&buf, "credentials");

		if (creds == 0 || (creds & ~CP_CRED_ALL) != 0)
			STATE_ERROR("Person %d has invalid credential bits %d.", i, creds);
		if (!AddCredentials(st, key, keytype_hash(kt, key), (uint8) creds))
			STATE_ERROR("Person %d repeats an earlier person.", i);
	}
	wire_getend(&buf);
	PG_RETURN_POINTER(st);
}
