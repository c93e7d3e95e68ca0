/*
 * individuals.c
 *	  cp_qualified_individuals(person anyelement, credential text
 *							   [, rule_set text]) -> integer
 *
 * The state maps each person to the set of credentials seen for them, as
 * bits (the rule set's credentials by position; in the form without
 * rule_set, the built-in set's, rules.h): a simplehash table in the
 * aggregate's memory.  The final function counts persons whose bits hold
 * every credential of one of the set's paths.  A union of bit sets is
 * order-free, so partial states combine to the same answer however rows
 * were split.  The support functions are the same for both forms (and for
 * cp_credential_individuals, over bigint persons).
 *
 * Format (version 1), big-endian: byte version; int32 key type; int32 key
 * collation; int32 npersons, then per person: key (int32 length, then the
 * bytes keytype.c writes), byte credential bits.  The form with rule_set
 * writes version 1 | WIRE_RULE_SET_FORM, after the key collation its rule
 * set (aggsite.c), and each person's bits as an int64; a state whose set
 * cannot be evaluated holds no persons.
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
#include "ruleset.h"
#include "wire.h"

#define IND_STATE_VERSION 1
#define PERSON_MIN_WIRE_BYTES (4 + 1)
#define NAMED_PERSON_MIN_WIRE_BYTES (4 + 8)
#define ARG_RULE_SET 3			/* of the transition function, when it has one */

typedef struct PersonEntry
{
	Datum		key;
	uint32		hash;
	char		status;
	CpCredentials creds;
} PersonEntry;

#define SH_PREFIX personhash
#define SH_ELEMENT_TYPE PersonEntry
#include "keyhash.h"

typedef struct IndState
{
	StateHead	head;			/* key type of persons; from_wire; rule set */
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
AddCredentials(IndState *st, Datum key, uint32 hash, CpCredentials creds)
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

/*
 * The state of a row that names a rule set: st, whose set it must be, or
 * if st is NULL a new state of that set (the name counts even when the row
 * is skipped for another reason).
 */
static IndState *
NamedState(FunctionCallInfo fcinfo, MemoryContext aggcxt, IndState *st)
{
	text	   *name = PG_GETARG_TEXT_PP(ARG_RULE_SET);
	SiteSet    *set;

	if (st != NULL)
	{
		agg_rules_check(&st->head.rules, VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name));
		return st;
	}
	set = agg_site_set(fcinfo, VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name), true);
	st = IndStateCreate(aggcxt, keytype_from_arg(&agg_site(fcinfo)->keytypes, fcinfo, 1), 0);
	agg_rules_of(&st->head.rules, set);
	return st;
}

Datum
cp_individuals_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = agg_context(fcinfo);
	IndState   *st = PG_ARGISNULL(0) ? NULL : (IndState *) PG_GETARG_POINTER(0);
	const RuleSet *rs;
	text	   *cred;
	CpCredentials creds;
	Datum		key;

	if (PG_NARGS() > ARG_RULE_SET)
	{
		if (PG_ARGISNULL(ARG_RULE_SET))
			goto skip;
		st = NamedState(fcinfo, aggcxt, st);
		if (st->head.rules.problem != NULL)
			goto skip;			/* raised by the final function */
		rs = st->head.rules.rs;
	}
	else
		rs = ruleset_builtin();
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		goto skip;
	cred = PG_GETARG_TEXT_PP(2);
	creds = ruleset_credentials(rs, VARDATA_ANY(cred), VARSIZE_ANY_EXHDR(cred));
	if (creds == 0)
		goto skip;

	if (st == NULL)
		st = IndStateCreate(aggcxt,
							keytype_from_arg(&agg_site(fcinfo)->keytypes, fcinfo, 1),
							0);
	key = keytype_prepare(st->head.kt, PG_GETARG_DATUM(1));
	AddCredentials(st, key, keytype_hash(st->head.kt, key), creds);

skip:
	if (st == NULL)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(st);
}

/* Persons who qualify under the state's rule set (raising its problem). */
Datum
cp_individuals_final(PG_FUNCTION_ARGS)
{
	IndState   *st;
	const RuleSet *rs;
	personhash_iterator it;
	PersonEntry *p;
	int64		n = 0;

	(void) agg_context(fcinfo);
	if (PG_ARGISNULL(0))
		PG_RETURN_INT32(0);
	st = (IndState *) PG_GETARG_POINTER(0);
	rs = agg_rules_final(fcinfo, &st->head.rules);

	personhash_start_iterate(st->persons, &it);
	while ((p = personhash_iterate(st->persons, &it)) != NULL)
	{
		if (ruleset_qualifies(rs, p->creds))
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

/*
 * The state in the format above; of a rule set that cannot be evaluated,
 * only the set (the final function raises its problem whatever else).
 */
Datum
cp_individuals_serialize(PG_FUNCTION_ARGS)
{
	IndState   *st;
	StringInfoData buf;
	personhash_iterator it;
	PersonEntry *p;
	bool		named;

	(void) agg_context(fcinfo);
	st = (IndState *) PG_GETARG_POINTER(0);
	named = st->head.rules.name != NULL;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, named ? IND_STATE_VERSION | WIRE_RULE_SET_FORM : IND_STATE_VERSION);
	keytype_send_header(st->head.kt, &buf);
	if (named)
		agg_rules_send(&buf, &st->head.rules);
	if (st->head.rules.problem != NULL)
	{
		pq_sendint32(&buf, 0);	/* persons */
		PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
	}
	pq_sendint32(&buf, (int32) st->persons->members);
	personhash_start_iterate(st->persons, &it);
	while ((p = personhash_iterate(st->persons, &it)) != NULL)
	{
		keytype_send(st->head.kt, &buf, p->key);
		if (named)
			pq_sendint64(&buf, p->creds);
		else
			pq_sendbyte(&buf, (uint8) p->creds);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* A person's credential bits: of the built-in set's, or any but none. */
static CpCredentials
ReadCredentials(StringInfo buf, bool named, int32 i)
{
	CpCredentials creds;

	if (named)
	{
		if (buf->len - buf->cursor < 8)
			STATE_ERROR("The state ends before its credentials.");
		creds = (CpCredentials) pq_getmsgint64(buf);
	}
	else
		creds = (CpCredentials) wire_getbyte(buf, "credentials");
	if (creds == 0 || (!named && (creds & ~(CpCredentials) CP_CRED_ALL) != 0))
		STATE_ERROR("Person %d has invalid credential bits " UINT64_FORMAT ".",
					i, (uint64) creds);
	return creds;
}

/* Read a state of either form (the built-in set, or a named one). */
Datum
cp_individuals_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = agg_context(fcinfo);
	AggSite    *site = agg_site(fcinfo);
	StringInfoData buf;
	IndState   *st;
	KeyType    *kt;
	StateRules	rules = {0};
	bool		named;
	int32		n;

	wire_open(&buf, PG_GETARG_BYTEA_PP(0));
	named = wire_check_version(&buf, IND_STATE_VERSION);
	kt = keytype_recv_header(&site->keytypes, fcinfo->flinfo->fn_mcxt, &buf);
	if (named)
		(void) agg_rules_recv(fcinfo, &buf, &rules);
	n = wire_getcount(&buf, named ? NAMED_PERSON_MIN_WIRE_BYTES : PERSON_MIN_WIRE_BYTES,
					  "persons");
	if (rules.problem != NULL && n > 0)
		STATE_ERROR("A state whose rule set cannot be evaluated holds persons.");
	st = IndStateCreate(aggcxt, kt, n);
	st->head.from_wire = true;
	st->head.rules = rules;
	for (int32 i = 0; i < n; i++)
	{
		Datum		key = keytype_recv(kt, &buf);
		CpCredentials creds = ReadCredentials(&buf, named, i);

		if (!AddCredentials(st, key, keytype_hash(kt, key), creds))
			STATE_ERROR("Person %d repeats an earlier person.", i);
	}
	wire_getend(&buf);
	PG_RETURN_POINTER(st);
}
