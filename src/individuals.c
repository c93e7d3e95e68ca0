/*
 * individuals.c
 *	  cp_qualified_individuals(person anyelement, credential text) -> integer
 *
 * The state maps each person to the set of qualifying credentials seen for
 * them, as bits (rules.h).  The final function counts persons whose bits
 * satisfy either path.  Union of bit sets is order-free, so partial states
 * combine to the same answer however rows were split.
 */
#include "postgres.h"

#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"

#include "keyhash.h"
#include "rules.h"

#define IND_STATE_VERSION 1

typedef struct PersonEntry
{
	Datum		key;
	uint32		hash;
	char		status;
	uint8		creds;			/* CP_CRED_* bits */
} PersonEntry;

#define SH_PREFIX personhash
#define SH_ELEMENT_TYPE PersonEntry
#define SH_KEY_TYPE Datum
#define SH_KEY key
#define SH_HASH_KEY(tb, k) keytype_hash((const KeyType *) (tb)->private_data, k)
#define SH_EQUAL(tb, a, b) keytype_equal((const KeyType *) (tb)->private_data, a, b)
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) a->hash
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

typedef struct IndState
{
	KeyType    *kt;				/* person key type, shared */
	MemoryContext mcxt;			/* where the state lives */
	bool		from_wire;		/* deserialized: adopt or free it in combine */
	Arena		arena;			/* key copies */
	personhash_hash *persons;
} IndState;

#define INITIAL_PERSONS 4

PG_FUNCTION_INFO_V1(cp_individuals_trans);
PG_FUNCTION_INFO_V1(cp_individuals_final);
PG_FUNCTION_INFO_V1(cp_individuals_combine);
PG_FUNCTION_INFO_V1(cp_individuals_serialize);
PG_FUNCTION_INFO_V1(cp_individuals_deserialize);

/* The key types looked up at this call site, kept in fn_extra. */
static KeyType **
KeyCache(FunctionCallInfo fcinfo)
{
	return (KeyType **) &fcinfo->flinfo->fn_extra;
}

static IndState *
IndStateCreate(MemoryContext mcxt, KeyType *kt)
{
	IndState   *st = MemoryContextAllocZero(mcxt, sizeof(IndState));

	st->kt = kt;
	st->mcxt = mcxt;
	arena_init(&st->arena, mcxt);
	st->persons = personhash_create(mcxt, INITIAL_PERSONS, kt);
	return st;
}

/* Give back the memory of a state merged into another. */
static void
IndStateFree(IndState *st)
{
	personhash_destroy(st->persons);
	arena_free(&st->arena);
	pfree(st);
}

/* OR credential bits into a person's entry; returns the entry. */
static PersonEntry *
AddCredentials(IndState *st, Datum key, uint32 hash, uint8 creds)
{
	bool		found;
	PersonEntry *p = personhash_insert_hash(st->persons, key, hash, &found);

	if (!found)
	{
		p->key = keytype_copy(st->kt, &st->arena, key);
		p->creds = 0;
	}
	p->creds |= creds;
	return p;
}

Datum
cp_individuals_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	IndState   *st;
	text	   *cred;
	int			bits;

	REQUIRE_AGG_CONTEXT(fcinfo, &aggcxt);
	st = PG_ARGISNULL(0) ? NULL : (IndState *) PG_GETARG_POINTER(0);

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		goto skip;
	cred = PG_GETARG_TEXT_PP(2);
	bits = cp_credential_lookup(VARDATA_ANY(cred), VARSIZE_ANY_EXHDR(cred));
	if (bits == 0)
		goto skip;

	if (st == NULL)
		st = IndStateCreate(aggcxt, keytype_from_arg(KeyCache(fcinfo), fcinfo, 1));
	{
		Datum		key = keytype_prepare(st->kt, PG_GETARG_DATUM(1));

		AddCredentials(st, key, keytype_hash(st->kt, key), (uint8) bits);
	}

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

	REQUIRE_AGG_CONTEXT(fcinfo, NULL);
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

Datum
cp_individuals_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	IndState   *left;
	IndState   *right;
	personhash_iterator it;
	PersonEntry *p;

	REQUIRE_AGG_CONTEXT(fcinfo, &aggcxt);
	left = PG_ARGISNULL(0) ? NULL : (IndState *) PG_GETARG_POINTER(0);
	right = PG_ARGISNULL(1) ? NULL : (IndState *) PG_GETARG_POINTER(1);

	if (right == NULL)
	{
		if (left == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(left);
	}
	if (left == NULL)
	{
		/* a deserialized state lives in this aggregate's memory: adopt it */
		if (right->from_wire)
		{
			right->from_wire = false;
			PG_RETURN_POINTER(right);
		}
		left = IndStateCreate(aggcxt, right->kt);
	}
	else
		keytype_check_same(left->kt, right->kt);

	personhash_start_iterate(right->persons, &it);
	while ((p = personhash_iterate(right->persons, &it)) != NULL)
		AddCredentials(left, p->key, p->hash, p->creds);
	if (right->from_wire)
		IndStateFree(right);
	PG_RETURN_POINTER(left);
}

/*
 * Format, big-endian: byte version; int32 key type; int32 key collation;
 * int32 npersons, then per person: key (int32 length, send format), byte
 * credential bits.
 */
#define PERSON_MIN_WIRE_BYTES (4 + 1)

Datum
cp_individuals_serialize(PG_FUNCTION_ARGS)
{
	IndState   *st;
	StringInfoData buf;
	personhash_iterator it;
	PersonEntry *p;

	REQUIRE_AGG_CONTEXT(fcinfo, NULL);
	st = (IndState *) PG_GETARG_POINTER(0);

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, IND_STATE_VERSION);
	keytype_send_header(st->kt, &buf);
	if (st->persons->members > PG_INT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many persons in one cp_qualified_individuals state to serialize")));
	pq_sendint32(&buf, (int32) st->persons->members);
	personhash_start_iterate(st->persons, &it);
	while ((p = personhash_iterate(st->persons, &it)) != NULL)
	{
		keytype_send(st->kt, &buf, p->key);
		pq_sendbyte(&buf, p->creds);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

Datum
cp_individuals_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	bytea	   *b;
	StringInfoData buf;
	IndState   *st;
	KeyType    *kt;
	int			version;
	int32		n;

	REQUIRE_AGG_CONTEXT(fcinfo, &aggcxt);
	b = PG_GETARG_BYTEA_PP(0);
	buf.data = VARDATA_ANY(b);
	buf.len = VARSIZE_ANY_EXHDR(b);
	buf.maxlen = buf.len;
	buf.cursor = 0;

	version = state_getbyte(&buf, "version");
	if (version != IND_STATE_VERSION)
		STATE_ERROR("The state has format version %d; this library reads version %d.",
					version, IND_STATE_VERSION);
	kt = keytype_recv_header(KeyCache(fcinfo), fcinfo->flinfo->fn_mcxt, &buf);
	st = IndStateCreate(aggcxt, kt);
	st->from_wire = true;

	n = state_getcount(&buf, PERSON_MIN_WIRE_BYTES, "persons");
	for (int32 i = 0; i < n; i++)
	{
		Datum		key = keytype_recv(kt, &buf);
		int			creds = state_getbyte(&buf, "credentials");
		uint32		before = st->persons->members;

		if (creds == 0 || (creds & ~CP_CRED_ALL) != 0)
			STATE_ERROR("Person %d has invalid credential bits %d.", i, creds);
		AddCredentials(st, key, keytype_hash(kt, key), (uint8) creds);
		if (st->persons->members == before)
			STATE_ERROR("Person %d repeats an earlier person.", i);
	}
	state_getend(&buf);
	PG_RETURN_POINTER(st);
}
