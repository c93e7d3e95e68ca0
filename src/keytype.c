/*
 * keytype.c
 *	  Keys of any hashable type for the aggregates' hash tables.
 *
 * Types whose default btree operator class declares that equality is
 * bitwise ("equalimage": integers, uuid, text under a deterministic
 * collation, ...) are hashed and compared by their bytes, with no function
 * call.  Any other type goes through its hash opclass and equality operator
 * under the aggregate's collation.
 *
 * In serialized states the key type is recorded once (type and collation
 * OIDs) and each key travels as an int32 length and the bytes of the type's
 * binary send format or, for a type without send and receive functions
 * (aclitem, some extensions' types), of its text output: which one depends
 * only on the type, so every process of a plan agrees.  Text, varchar and
 * char keys travel as their bytes in the database encoding (their send
 * functions would convert them to the client's, which may not hold them).
 * Whatever goes wrong reading a key or its type is a malformed state
 * (22P03), whichever function noticed.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/nbtree.h"
#include "catalog/pg_am.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/typcache.h"
#include "utils/uuid.h"

#include "keytype.h"
#include "wire.h"

/* Does the type's default btree opclass promise bitwise equality? */
static bool
TypeHasImageEquality(Oid typid, Oid collation)
{
	Oid			opclass = GetDefaultOpClass(typid, BTREE_AM_OID);
	Oid			opcintype;
	Oid			proc;

	if (!OidIsValid(opclass))
		return false;
	opcintype = get_opclass_input_type(opclass);
	proc = get_opfamily_proc(get_opclass_family(opclass), opcintype,
							 opcintype, BTEQUALIMAGE_PROC);
	if (!OidIsValid(proc))
		return false;
	return DatumGetBool(OidFunctionCall1Coll(proc, collation,
											 ObjectIdGetDatum(opcintype)));
}

/* How keys of the type travel: its bytes, its send format, or its text. */
static KeyWire
TypeWire(Oid typid)
{
	HeapTuple	tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
	Form_pg_type t;
	KeyWire		wire;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for type %u", typid);
	t = (Form_pg_type) GETSTRUCT(tup);
	if (t->typsend == F_TEXTSEND || t->typsend == F_VARCHARSEND ||
		t->typsend == F_BPCHARSEND)
		wire = KEY_WIRE_TEXT_BYTES;
	else if (OidIsValid(t->typsend) && OidIsValid(t->typreceive))
		wire = KEY_WIRE_BINARY;
	else
		wire = KEY_WIRE_TEXT_IO;
	ReleaseSysCache(tup);
	return wire;
}

/*
 * Turn the error being raised while a state is read into a malformed-state
 * error, unless it is no fault of the state (cancel, resources, internal).
 */
static void
RethrowAsStateError(MemoryContext cxt, const char *what)
{
	ErrorData  *e;
	int			category;

	MemoryContextSwitchTo(cxt);
	e = CopyErrorData();
	category = ERRCODE_TO_CATEGORY(e->sqlerrcode);
	if (category == ERRCODE_OPERATOR_INTERVENTION ||
		category == ERRCODE_INSUFFICIENT_RESOURCES ||
		category == ERRCODE_SYSTEM_ERROR ||
		category == ERRCODE_INTERNAL_ERROR)
		ReThrowError(e);
	FlushErrorState();
	STATE_ERROR("%s: %s", what, e->message);
}

/* Set up kt for keys of type typid (a base type) under collation. */
static void
KeytypeInit(KeyType *kt, Oid typid, Oid collation, MemoryContext mcxt)
{
	TypeCacheEntry *tce;

	kt->typid = typid;
	kt->collation = collation;
	get_typlenbyval(typid, &kt->typlen, &kt->typbyval);
	kt->wire = TypeWire(typid);
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

/*
 * The KeyType of the actual type of a polymorphic argument.  The collation
 * is the call's, derived by PostgreSQL from all of its text arguments; it
 * only matters, and is only recorded, for a key type that takes one.
 */
KeyType *
keytype_from_arg(KeyType **cache, FunctionCallInfo fcinfo, int argno)
{
	Oid			typid = get_fn_expr_argtype(fcinfo->flinfo, argno);

	if (!OidIsValid(typid))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("could not determine the data type of the key argument")));
	return keytype_get(cache, fcinfo->flinfo->fn_mcxt, typid,
					   type_is_collatable(typid) ? PG_GET_COLLATION() : InvalidOid);
}

/* The name of a collation for a message. */
static const char *
CollationName(Oid collation)
{
	char	   *name = OidIsValid(collation) ? get_collation_name(collation) : NULL;

	return name != NULL ? quote_identifier(name) : "none";
}

/* States can only be combined when their keys are of one type. */
void
keytype_check_same(const KeyType *a, const KeyType *b)
{
	if (a->typid != b->typid)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("cannot combine competency aggregate states with keys of types %s and %s",
						format_type_be(a->typid), format_type_be(b->typid))));
	if (a->collation != b->collation)
		ereport(ERROR,
				(errcode(ERRCODE_COLLATION_MISMATCH),
				 errmsg("cannot combine competency aggregate states with keys under collations %s and %s",
						CollationName(a->collation), CollationName(b->collation))));
}

/* keytype_hash for the keys it does not hash inline. */
uint32
keytype_hash_call(const KeyType *kt, Datum key)
{
	if (!kt->image_eq)
		return DatumGetUInt32(FunctionCall1Coll((FmgrInfo *) &kt->hash_fn,
												kt->collation, key));
	if (kt->typlen > 0)
		return hash_bytes((const unsigned char *) DatumGetPointer(key),
						  kt->typlen);
	if (kt->typlen == -1)
		return hash_bytes((const unsigned char *) VARDATA_ANY(DatumGetPointer(key)),
						  VARSIZE_ANY_EXHDR(DatumGetPointer(key)));
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

/* A copy of a prepared key in mcxt (the key itself if passed by value). */
Datum
keytype_copy(const KeyType *kt, MemoryContext mcxt, Datum key)
{
	Size		size;
	void	   *copy;

	if (kt->typbyval)
		return key;
	size = datumGetSize(key, false, kt->typlen);
	copy = MemoryContextAlloc(mcxt, size);
	memcpy(copy, DatumGetPointer(key), size);
	return PointerGetDatum(copy);
}

void
keytype_send_header(const KeyType *kt, StringInfo buf)
{
	pq_sendint32(buf, kt->typid);
	pq_sendint32(buf, kt->collation);
}

/* Read the key type of a serialized state; check it exists and works. */
KeyType *
keytype_recv_header(KeyType **cache, MemoryContext mcxt, StringInfo buf)
{
	Oid			typid = (Oid) wire_getint32(buf, "key type");
	Oid			collation = (Oid) wire_getint32(buf, "key collation");
	KeyType    *kt;

	/* a key type cached here passed the checks below */
	if ((kt = KeytypeCached(*cache, typid, collation)) != NULL)
		return kt;
	if (!SearchSysCacheExists1(TYPEOID, ObjectIdGetDatum(typid)))
		STATE_ERROR("The key type %u does not exist.", typid);
	if (OidIsValid(collation) &&
		!SearchSysCacheExists1(COLLOID, ObjectIdGetDatum(collation)))
		STATE_ERROR("The key collation %u does not exist.", collation);
	if (getBaseType(typid) != typid)
		STATE_ERROR("The key type %s is a domain.", format_type_be(typid));
	if (OidIsValid(collation) && !type_is_collatable(typid))
		STATE_ERROR("The key type %s takes no collation, but the state names collation %s.",
					format_type_be(typid), CollationName(collation));
	if (!OidIsValid(collation) && type_is_collatable(typid))
		STATE_ERROR("The key type %s takes a collation, but the state names none.",
					format_type_be(typid));
	{
		MemoryContext cxt = CurrentMemoryContext;
		KeyType    *volatile got = NULL;

		PG_TRY();
		{
			got = keytype_get(cache, mcxt, typid, collation);
		}
		PG_CATCH();
		{
			RethrowAsStateError(cxt, "The key type cannot be a key");
		}
		PG_END_TRY();
		return got;
	}
}

/* Look up the functions that write and read keys of kt. */
static void
KeytypeIoReady(KeyType *kt)
{
	MemoryContext mcxt = GetMemoryChunkContext(kt);
	Oid			out;
	Oid			in;
	bool		isvarlena;

	if (kt->io_ready)
		return;
	if (kt->wire == KEY_WIRE_BINARY)
	{
		getTypeBinaryOutputInfo(kt->typid, &out, &isvarlena);
		getTypeBinaryInputInfo(kt->typid, &in, &kt->io_param);
	}
	else
	{
		getTypeOutputInfo(kt->typid, &out, &isvarlena);
		getTypeInputInfo(kt->typid, &in, &kt->io_param);
	}
	fmgr_info_cxt(out, &kt->io_out, mcxt);
	fmgr_info_cxt(in, &kt->io_in, mcxt);
	kt->io_ready = true;
}

/*
 * Append a key: int32 length, then the type's binary send format (for
 * integers and uuid written directly: what int4send, int8send and
 * uuid_send write), or its text output for a type without one.
 */
void
keytype_send(KeyType *kt, StringInfo buf, Datum key)
{
	switch (kt->typid)
	{
		case INT4OID:
			pq_sendint32(buf, 4);
			pq_sendint32(buf, DatumGetInt32(key));
			return;
		case INT8OID:
			pq_sendint32(buf, 8);
			pq_sendint64(buf, DatumGetInt64(key));
			return;
		case UUIDOID:
			pq_sendint32(buf, UUID_LEN);
			pq_sendbytes(buf, DatumGetPointer(key), UUID_LEN);
			return;
	}
	if (kt->wire == KEY_WIRE_TEXT_BYTES)
	{
		pq_sendint32(buf, VARSIZE_ANY_EXHDR(DatumGetPointer(key)));
		pq_sendbytes(buf, VARDATA_ANY(DatumGetPointer(key)),
					 VARSIZE_ANY_EXHDR(DatumGetPointer(key)));
		return;
	}
	KeytypeIoReady(kt);
	if (kt->wire == KEY_WIRE_BINARY)
	{
		bytea	   *b = SendFunctionCall(&kt->io_out, key);

		pq_sendint32(buf, VARSIZE(b) - VARHDRSZ);
		pq_sendbytes(buf, VARDATA(b), VARSIZE(b) - VARHDRSZ);
		pfree(b);
	}
	else
	{
		char	   *s = OutputFunctionCall(&kt->io_out, key);
		int			len = strlen(s);

		pq_sendint32(buf, len);
		pq_sendbytes(buf, s, len);
		pfree(s);
	}
}

/* A key of a type's own format, its reader's errors malformed states. */
static Datum
ReadKey(KeyType *kt, StringInfo one)
{
	MemoryContext cxt = CurrentMemoryContext;
	volatile Datum key = (Datum) 0;

	PG_TRY();
	{
		if (kt->wire == KEY_WIRE_BINARY)
			key = ReceiveFunctionCall(&kt->io_in, one, kt->io_param, -1);
		else
			key = InputFunctionCall(&kt->io_in, one->data, kt->io_param, -1);
	}
	PG_CATCH();
	{
		RethrowAsStateError(cxt, "A key cannot be read");
	}
	PG_END_TRY();
	return key;
}

/*
 * Read a key written by keytype_send.  The result is prepared for hashing,
 * allocated in the current context or pointing into buf: copy it to keep it.
 */
Datum
keytype_recv(KeyType *kt, StringInfo buf)
{
	int32		len = wire_getlength(buf, "key");
	StringInfoData one;
	Datum		key;

	if (kt->typid == UUIDOID)
	{
		if (len != UUID_LEN)
			STATE_ERROR("A uuid key has %d bytes.", len);
		key = PointerGetDatum(buf->data + buf->cursor);
		buf->cursor += UUID_LEN;
		return key;
	}
	if (kt->typid == INT4OID || kt->typid == INT8OID)
	{
		if (len != kt->typlen)
			STATE_ERROR("A key of type %s has %d bytes.",
						format_type_be(kt->typid), len);
		if (len == 4)
			return Int32GetDatum((int32) pq_getmsgint(buf, 4));
		return Int64GetDatum(pq_getmsgint64(buf));
	}

	if (kt->wire == KEY_WIRE_TEXT_BYTES)
	{
		const char *p = buf->data + buf->cursor;

		if (!pg_verifymbstr(p, len, true))
			STATE_ERROR("A key of type %s is not valid in the database's encoding.",
						format_type_be(kt->typid));
		buf->cursor += len;
		return PointerGetDatum(cstring_to_text_with_len(p, len));
	}

	KeytypeIoReady(kt);
	/* the readers want a NUL-terminated buffer of exactly the key */
	initStringInfo(&one);
	appendBinaryStringInfo(&one, buf->data + buf->cursor, len);
	buf->cursor += len;
	if (kt->wire == KEY_WIRE_TEXT_IO && strlen(one.data) != (size_t) len)
		STATE_ERROR("A key of type %s holds a zero byte.", format_type_be(kt->typid));
	key = ReadKey(kt, &one);
	if (one.cursor != one.len && kt->wire == KEY_WIRE_BINARY)
		STATE_ERROR("A key of type %s has %d unread bytes.",
					format_type_be(kt->typid), one.len - one.cursor);
	pfree(one.data);
	return keytype_prepare(kt, key);
}
