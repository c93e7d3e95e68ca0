/*
 * keyhash.c
 *	  Keys of any hashable type for the aggregates' hash tables.
 *
 * Types whose default btree operator class declares that equality is
 * bitwise ("equalimage": integers, uuid, text under a deterministic
 * collation, ...) are hashed and compared by their bytes, with no function
 * call per row.  Any other type goes through its hash opclass and equality
 * operator under the aggregate's collation.
 *
 * In serialized states the key type is recorded once (type and collation
 * OIDs) and each key travels in the type's binary send/receive format.
 */
#include "postgres.h"

#include "access/nbtree.h"
#include "catalog/pg_am.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "common/hashfn.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/typcache.h"
#include "utils/uuid.h"

#include "keyhash.h"

/* Does the type's default btree opclass promise bitwise equality? */
static bool
TypeHasImageEquality(Oid typid, Oid collation)
{
	Oid			opclass = GetDefaultOpClass(typid, BTREE_AM_OID);
	Oid			opfamily;
	Oid			opcintype;
	Oid			proc;

	if (!OidIsValid(opclass))
		return false;
	opfamily = get_opclass_family(opclass);
	opcintype = get_opclass_input_type(opclass);
	proc = get_opfamily_proc(opfamily, opcintype, opcintype, BTEQUALIMAGE_PROC);
	if (!OidIsValid(proc))
		return false;
	return DatumGetBool(OidFunctionCall1Coll(proc, collation,
											 ObjectIdGetDatum(opcintype)));
}

/* Set up kt for keys of type typid (a base type) under collation. */
static void
KeytypeInit(KeyType *kt, Oid typid, Oid collation, MemoryContext mcxt)
{
	TypeCacheEntry *tce;

	kt->typid = typid;
	kt->collation = collation;
	get_typlenbyval(typid, &kt->typlen, &kt->typbyval);
	switch (typid)
	{
		case INT4OID:
			kt->wire = KEY_WIRE_INT4;
			break;
		case INT8OID:
			kt->wire = KEY_WIRE_INT8;
			break;
		case UUIDOID:
			kt->wire = KEY_WIRE_UUID;
			break;
		default:
			kt->wire = KEY_WIRE_SEND_RECV;
	}

	if (TypeHasImageEquality(typid, collation))
	{
		kt->image_eq = true;
		return;
	}

	tce = lookup_type_cache(typid, TYPECACHE_HASH_PROC | TYPECACHE_EQ_OPR);
	if (!OidIsValid(tce->hash_proc) || !OidIsValid(tce->eq_opr))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("could not identify a hash function for type %s",
						format_type_be(typid)),
				 errhint("The key of a competency aggregate must be of a hashable type, such as uuid, text, bigint or integer.")));
	fmgr_info_cxt(tce->hash_proc, &kt->hash_fn, mcxt);
	fmgr_info_cxt(get_opcode(tce->eq_opr), &kt->eq_fn, mcxt);
}

/* The KeyType of (typid, collation) in a call site's list, or NULL. */
static KeyType *
KeytypeCached(KeyType *cache, Oid typid, Oid collation)
{
	for (KeyType *kt = cache; kt != NULL; kt = kt->next)
	{
		if (kt->typid == typid && kt->collation == collation)
			return kt;
	}
	return NULL;
}

/*
 * The KeyType of keys of type typid (or its base type) under collation,
 * from the list at *cache, added there (allocated in mcxt) if new.
 */
KeyType *
keytype_get(KeyType **cache, MemoryContext mcxt, Oid typid, Oid collation)
{
	KeyType    *kt;
	Oid			base;

	if ((kt = KeytypeCached(*cache, typid, collation)) != NULL)
		return kt;
	base = getBaseType(typid);
	if (base != typid && (kt = KeytypeCached(*cache, base, collation)) != NULL)
		return kt;

	kt = MemoryContextAllocZero(mcxt, sizeof(KeyType));
	KeytypeInit(kt, base, collation, mcxt);
	kt->next = *cache;
	*cache = kt;
	return kt;
}

/* The KeyType of the actual type of a polymorphic argument. */
KeyType *
keytype_from_arg(KeyType **cache, FunctionCallInfo fcinfo, int argno)
{
	Oid			typid = get_fn_expr_argtype(fcinfo->flinfo, argno);

	if (!OidIsValid(typid))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("could not determine the data type of the key argument")));

	/*
	 * The aggregate's collation comes from all its text arguments; it only
	 * matters, and is only recorded, for a key type that takes one.
	 */
	return keytype_get(cache, fcinfo->flinfo->fn_mcxt, typid,
					   type_is_collatable(typid) ? PG_GET_COLLATION() : InvalidOid);
}

/* States can only be combined when their keys are of one type. */
void
keytype_check_same(const KeyType *a, const KeyType *b)
{
	if (a->typid != b->typid)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("cannot combine competency aggregate states with keys of type %s and %s",
						format_type_be(a->typid), format_type_be(b->typid))));
	if (a->collation != b->collation)
		ereport(ERROR,
				(errcode(ERRCODE_COLLATION_MISMATCH),
				 errmsg("cannot combine competency aggregate states with keys under collations %u and %u",
						a->collation, b->collation)));
}

/* keytype_hash for the types keyhash.h does not hash itself. */
uint32
keytype_hash_other(const KeyType *kt, Datum key)
{
	if (!kt->image_eq)
		return DatumGetUInt32(FunctionCall1Coll((FmgrInfo *) &kt->hash_fn,
												kt->collation, key));
	Assert(!kt->typbyval);
	if (kt->typlen > 0)
		return hash_bytes((const unsigned char *) DatumGetPointer(key),
						  kt->typlen);
	if (kt->typlen == -1)
		return hash_bytes((const unsigned char *) VARDATA_ANY(DatumGetPointer(key)),
						  VARSIZE_ANY_EXHDR(DatumGetPointer(key)));
	/* cstring */
	return hash_bytes((const unsigned char *) DatumGetCString(key),
					  strlen(DatumGetCString(key)));
}

/* Equality of two prepared (detoasted) keys. */
bool
keytype_equal(const KeyType *kt, Datum a, Datum b)
{
	if (!kt->image_eq)
		return DatumGetBool(FunctionCall2Coll((FmgrInfo *) &kt->eq_fn,
											  kt->collation, a, b));
	if (kt->typbyval)
		return a == b;
	if (kt->typlen > 0)
		return memcmp(DatumGetPointer(a), DatumGetPointer(b), kt->typlen) == 0;
	if (kt->typlen == -1)
	{
		Size		la = VARSIZE_ANY_EXHDR(DatumGetPointer(a));

		return la == VARSIZE_ANY_EXHDR(DatumGetPointer(b)) &&
			memcmp(VARDATA_ANY(DatumGetPointer(a)),
				   VARDATA_ANY(DatumGetPointer(b)), la) == 0;
	}
	return strcmp(DatumGetCString(a), DatumGetCString(b)) == 0;
}

/* A copy of a prepared key in an arena. */
Datum
keytype_copy(const KeyType *kt, Arena *arena, Datum key)
{
	Size		size;
	void	   *copy;

	if (kt->typbyval)
		return key;
	size = datumGetSize(key, false, kt->typlen);
	copy = arena_alloc(arena, size);
	memcpy(copy, DatumGetPointer(key), size);
	return PointerGetDatum(copy);
}

#define ARENA_FIRST_BLOCK 256
#define ARENA_MAX_BLOCK (64 * 1024)

void
arena_init(Arena *a, MemoryContext mcxt)
{
	a->mcxt = mcxt;
	a->cur = NULL;
	a->left = 0;
	a->next_block = ARENA_FIRST_BLOCK;
	a->total = 0;
	a->blocks = NULL;
}

/* size bytes, MAXALIGNed, from the current block or a new one. */
void *
arena_alloc(Arena *a, Size size)
{
	void	   *p;

	/* never NULL, even for zero bytes from a fresh arena (an empty SKU) */
	size = MAXALIGN(size);
	if (size > a->left || a->cur == NULL)
	{
		Size		block = Max(a->next_block, size + sizeof(void *));
		char	   *b = MemoryContextAllocHuge(a->mcxt, block);

		*(void **) b = a->blocks;
		a->blocks = b;
		a->cur = b + sizeof(void *);
		a->left = block - sizeof(void *);
		a->total += block;
		if (a->next_block < ARENA_MAX_BLOCK)
			a->next_block *= 2;
	}
	p = a->cur;
	a->cur += size;
	a->left -= size;
	return p;
}

/* Give the arena's blocks back; it is empty and usable again after. */
void
arena_free(Arena *a)
{
	while (a->blocks != NULL)
	{
		void	   *next = *(void **) a->blocks;

		pfree(a->blocks);
		a->blocks = next;
	}
	arena_init(a, a->mcxt);
}

void
keytype_send_header(const KeyType *kt, StringInfo buf)
{
	pq_sendint32(buf, kt->typid);
	pq_sendint32(buf, kt->collation);
}

/* Read the key type of a serialized state; validate it exists and works. */
KeyType *
keytype_recv_header(KeyType **cache, MemoryContext mcxt, StringInfo buf)
{
	Oid			typid = (Oid) state_getint32(buf, "key type");
	Oid			collation = (Oid) state_getint32(buf, "key collation");
	KeyType    *kt;

	/*
	 * A key type already cached here is a base type that exists, under a
	 * collation that exists and that it takes: the checks below passed.
	 */
	if ((kt = KeytypeCached(*cache, typid, collation)) != NULL)
		return kt;
	if (!SearchSysCacheExists1(TYPEOID, ObjectIdGetDatum(typid)))
		STATE_ERROR("The key type %u does not exist.", typid);
	if (OidIsValid(collation) &&
		!SearchSysCacheExists1(COLLOID, ObjectIdGetDatum(collation)))
		STATE_ERROR("The key collation %u does not exist.", collation);
	if (getBaseType(typid) != typid)
		STATE_ERROR("The key type %u is a domain.", typid);
	if (OidIsValid(collation) && !type_is_collatable(typid))
		STATE_ERROR("The key type %s takes no collation, but the state names collation %u.",
					format_type_be(typid), collation);
	return keytype_get(cache, mcxt, typid, collation);
}

static void
KeytypeIoReady(KeyType *kt)
{
	Oid			sendproc;
	Oid			recvproc;
	bool		isvarlena;

	if (kt->io_ready)
		return;
	getTypeBinaryOutputInfo(kt->typid, &sendproc, &isvarlena);
	getTypeBinaryInputInfo(kt->typid, &recvproc, &kt->recv_ioparam);
	fmgr_info_cxt(sendproc, &kt->send_fn, GetMemoryChunkContext(kt));
	fmgr_info_cxt(recvproc, &kt->recv_fn, GetMemoryChunkContext(kt));
	kt->io_ready = true;
}

/*
 * Append a key: int32 length, then the type's binary send format.  For int4,
 * int8 and uuid that format is written directly: 4 or 8 bytes big-endian, or
 * the 16 bytes of the uuid, exactly what int4send, int8send and uuid_send
 * produce.
 */
void
keytype_send(KeyType *kt, StringInfo buf, Datum key)
{
	bytea	   *b;

	switch (kt->wire)
	{
		case KEY_WIRE_INT4:
			pq_sendint32(buf, 4);
			pq_sendint32(buf, DatumGetInt32(key));
			return;
		case KEY_WIRE_INT8:
			pq_sendint32(buf, 8);
			pq_sendint64(buf, DatumGetInt64(key));
			return;
		case KEY_WIRE_UUID:
			pq_sendint32(buf, UUID_LEN);
			pq_sendbytes(buf, (const char *) DatumGetUUIDP(key)->data, UUID_LEN);
			return;
		case KEY_WIRE_SEND_RECV:
			break;
	}
	KeytypeIoReady(kt);
	b = SendFunctionCall(&kt->send_fn, key);
	pq_sendint32(buf, VARSIZE(b) - VARHDRSZ);
	pq_sendbytes(buf, VARDATA(b), VARSIZE(b) - VARHDRSZ);
	pfree(b);
}

/*
 * Read a key written by keytype_send.  The result is prepared for hashing,
 * allocated in the current context or pointing into buf: copy it to keep it.
 */
Datum
keytype_recv(KeyType *kt, StringInfo buf)
{
	int32		len = state_getint32(buf, "key length");
	StringInfoData one;
	Datum		key;

	if (len < 0 || len > buf->len - buf->cursor)
		STATE_ERROR("A key length of %d does not fit the %d bytes left.",
					len, buf->len - buf->cursor);
	switch (kt->wire)
	{
		case KEY_WIRE_INT4:
			if (len != 4)
				STATE_ERROR("An integer key has %d bytes.", len);
			return Int32GetDatum((int32) pq_getmsgint(buf, 4));
		case KEY_WIRE_INT8:
			if (len != 8)
				STATE_ERROR("A bigint key has %d bytes.", len);
			return Int64GetDatum(pq_getmsgint64(buf));
		case KEY_WIRE_UUID:
			if (len != UUID_LEN)
				STATE_ERROR("A uuid key has %d bytes.", len);
			key = PointerGetDatum(buf->data + buf->cursor);
			buf->cursor += UUID_LEN;
			return key;
		case KEY_WIRE_SEND_RECV:
			break;
	}

	KeytypeIoReady(kt);
	/* receive functions want a NUL-terminated buffer of exactly the key */
	initStringInfo(&one);
	appendBinaryStringInfo(&one, buf->data + buf->cursor, len);
	buf->cursor += len;
	key = ReceiveFunctionCall(&kt->recv_fn, &one, kt->recv_ioparam, -1);
	if (one.cursor != one.len)
		STATE_ERROR("A key of type %s has %d unread bytes.",
					format_type_be(kt->typid), one.len - one.cursor);
	pfree(one.data);
	return keytype_prepare(kt, key);
}

/* Bounds-checked readers for serialized states. */
int32
state_getint32(StringInfo buf, const char *what)
{
	if (buf->len - buf->cursor < 4)
		STATE_ERROR("The state ends before its %s.", what);
	return (int32) pq_getmsgint(buf, 4);
}

int64
state_getint64(StringInfo buf, const char *what)
{
	if (buf->len - buf->cursor < 8)
		STATE_ERROR("The state ends before its %s.", what);
	return pq_getmsgint64(buf);
}

int
state_getbyte(StringInfo buf, const char *what)
{
	if (buf->len - buf->cursor < 1)
		STATE_ERROR("The state ends before its %s.", what);
	return pq_getmsgbyte(buf);
}

/* A count of items, each at least min_item_bytes long, that must fit. */
int32
state_getcount(StringInfo buf, int min_item_bytes, const char *what)
{
	int32		n = state_getint32(buf, what);

	if (n < 0 || (int64) n * min_item_bytes > buf->len - buf->cursor)
		STATE_ERROR("A count of %d %s does not fit the %d bytes left.",
					n, what, buf->len - buf->cursor);
	return n;
}

void
state_getend(StringInfo buf)
{
	if (buf->cursor != buf->len)
		STATE_ERROR("%d bytes follow the end of the state.",
					buf->len - buf->cursor);
}
