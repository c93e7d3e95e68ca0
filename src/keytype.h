/*
 * keytype.h
 *	  Keys of any hashable type for the aggregates' hash tables: hashing,
 *	  equality, copies, and their form in serialized states.
 */
#ifndef COMPETENCY_KEYTYPE_H
#define COMPETENCY_KEYTYPE_H

#include "fmgr.h"
#include "common/hashfn.h"
#include "lib/stringinfo.h"

/* How keys of a type travel in serialized states. */
typedef enum KeyWire
{
	KEY_WIRE_BINARY,			/* the type's send and receive functions */
	KEY_WIRE_TEXT_BYTES,		/* text, varchar, char: the bytes */
	KEY_WIRE_TEXT_IO			/* no binary I/O: output and input functions */
} KeyWire;

/*
 * What the aggregates need to know about a key type under a collation.
 * Looked up once per call site and shared by every group's state there.
 */
typedef struct KeyType
{
	Oid			typid;			/* base type of the key */
	Oid			collation;		/* collation equality runs under */
	int16		typlen;
	bool		typbyval;
	bool		image_eq;		/* equal iff bitwise equal: hash the bytes */
	KeyWire		wire;
	bool		io_ready;		/* io_out and io_in looked up? */
	FmgrInfo	hash_fn;		/* unless image_eq: the type's hash ... */
	FmgrInfo	eq_fn;			/* ... and equality functions */
	FmgrInfo	io_out;			/* send or output function */
	FmgrInfo	io_in;			/* receive or input function */
	Oid			io_param;
	struct KeyType *next;		/* other key types of the same call site */
} KeyType;

extern KeyType *keytype_get(KeyType **cache, MemoryContext mcxt, Oid typid,
							Oid collation);
extern KeyType *keytype_from_arg(KeyType **cache, FunctionCallInfo fcinfo,
								 int argno);
extern void keytype_check_same(const KeyType *a, const KeyType *b);
extern uint32 keytype_hash_call(const KeyType *kt, Datum key);
extern bool keytype_equal(const KeyType *kt, Datum a, Datum b);
extern Datum keytype_copy(const KeyType *kt, MemoryContext mcxt, Datum key);

/*
 * The hash of a prepared key.  Integers and other keys passed by value are
 * hashed inline; the hashes live only in this process (states carry keys,
 * never hashes), so they need not match the types' own hash functions.
 */
static inline uint32
keytype_hash(const KeyType *kt, Datum key)
{
	if (kt->image_eq && kt->typbyval)
	{
		uint64		v = (uint64) key;

		return murmurhash32((uint32) (v ^ (v >> 32)));
	}
	return keytype_hash_call(kt, key);
}

/* Keys of varlena types are detoasted once, before hashing and storing. */
static inline Datum
keytype_prepare(const KeyType *kt, Datum key)
{
	if (kt->typlen == -1)
		return PointerGetDatum(PG_DETOAST_DATUM_PACKED(key));
	return key;
}

extern void keytype_send_header(const KeyType *kt, StringInfo buf);
extern KeyType *keytype_recv_header(KeyType **cache, MemoryContext mcxt,
									StringInfo buf);
extern void keytype_send(KeyType *kt, StringInfo buf, Datum key);
extern Datum keytype_recv(KeyType *kt, StringInfo buf);

#endif							/* COMPETENCY_KEYTYPE_H */
