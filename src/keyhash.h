/*
 * keyhash.h
 *	  Hashing, equality, copying and binary (de)serialization of the key
 *	  datums the aggregates group by (tenant, person): any hashable type.
 */
#ifndef COMPETENCY_KEYHASH_H
#define COMPETENCY_KEYHASH_H

#include "fmgr.h"
#include "lib/stringinfo.h"

/*
 * A bump allocator: many small copies (keys, SKU strings) without a chunk
 * header each.  Everything it hands out lives until its context is reset.
 */
typedef struct Arena
{
	MemoryContext mcxt;
	char	   *cur;			/* free space in the current block */
	Size		left;
	Size		next_block;		/* size of the next block to allocate */
	Size		total;			/* bytes of all blocks */
	void	   *blocks;			/* the blocks, chained through their first word */
} Arena;

extern void arena_init(Arena *a, MemoryContext mcxt);
extern void *arena_alloc(Arena *a, Size size);
extern void arena_free(Arena *a);

/* How keys of a type travel; the fixed formats equal the types' send/recv. */
typedef enum KeyWire
{
	KEY_WIRE_SEND_RECV,			/* the type's send/receive functions */
	KEY_WIRE_INT4,				/* int4send: 4 bytes, big-endian */
	KEY_WIRE_INT8,				/* int8send: 8 bytes, big-endian */
	KEY_WIRE_UUID				/* uuid_send: the 16 bytes */
} KeyWire;

/*
 * What the aggregates need to know about a key type.  Looked up once per
 * call site (cached in a list the support function keeps in its fn_extra)
 * and shared by every group's state, since a catalog lookup per group would
 * cost more than the rows of a small group.
 */
typedef struct KeyType
{
	Oid			typid;			/* base type of the key */
	Oid			collation;		/* collation equality runs under */
	int16		typlen;
	bool		typbyval;
	bool		image_eq;		/* equal iff bitwise equal: hash the image */
	KeyWire		wire;
	FmgrInfo	hash_fn;		/* else: the type's hash function ... */
	FmgrInfo	eq_fn;			/* ... and equality operator */
	bool		io_ready;		/* send/recv looked up? */
	FmgrInfo	send_fn;
	FmgrInfo	recv_fn;
	Oid			recv_ioparam;
	struct KeyType *next;		/* other key types cached at this call site */
} KeyType;

extern KeyType *keytype_get(KeyType **cache, MemoryContext mcxt, Oid typid,
							Oid collation);
extern KeyType *keytype_from_arg(KeyType **cache, FunctionCallInfo fcinfo,
								 int argno);
extern void keytype_check_same(const KeyType *a, const KeyType *b);
extern uint32 keytype_hash_other(const KeyType *kt, Datum key);
extern bool keytype_equal(const KeyType *kt, Datum a, Datum b);
extern Datum keytype_copy(const KeyType *kt, Arena *arena, Datum key);

/* A 64-bit finalizer (MurmurHash3's): every input bit reaches every output bit. */
static inline uint64
keyhash_mix64(uint64 x)
{
	x ^= x >> 33;
	x *= UINT64CONST(0xff51afd7ed558ccd);
	x ^= x >> 33;
	x *= UINT64CONST(0xc4ceb9fe1a85ec53);
	x ^= x >> 33;
	return x;
}

/*
 * The hash of a prepared key.  Keys passed by value and 16-byte keys with
 * bitwise equality (uuid) are mixed here, without a call; the hashes live
 * only in this process (states carry keys, not hashes), so they need not
 * match the types' own hash functions.
 */
static inline uint32
keytype_hash(const KeyType *kt, Datum key)
{
	if (kt->image_eq)
	{
		if (kt->typbyval)
			return (uint32) keyhash_mix64((uint64) key);
		if (kt->typlen == 16)
		{
			uint64		a;
			uint64		b;

			memcpy(&a, DatumGetPointer(key), 8);
			memcpy(&b, (const char *) DatumGetPointer(key) + 8, 8);
			return (uint32) keyhash_mix64(a ^ keyhash_mix64(b));
		}
	}
	return keytype_hash_other(kt, key);
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

/*
 * Support functions take "internal", so SQL can reach them only with a NULL
 * state; refuse anything but a call from an aggregate.
 */
#define REQUIRE_AGG_CONTEXT(fcinfo, cxtp) \
	do { \
		if (!AggCheckCallContext((fcinfo), (cxtp))) \
			ereport(ERROR, \
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED), \
					 errmsg("%s can only be called by an aggregate", __func__))); \
	} while (0)

/* Errors about malformed serialized states share one shape. */
#define STATE_ERROR(...) \
	ereport(ERROR, \
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION), \
			 errmsg("invalid serialized competency aggregate state"), \
			 errdetail(__VA_ARGS__)))

extern int32 state_getint32(StringInfo buf, const char *what);
extern int64 state_getint64(StringInfo buf, const char *what);
extern int	state_getbyte(StringInfo buf, const char *what);
extern int32 state_getcount(StringInfo buf, int min_item_bytes,
							const char *what);
extern void state_getend(StringInfo buf);

#endif							/* COMPETENCY_KEYHASH_H */
