/*
 * stub.c
 *	  Just enough of the PostgreSQL 15 backend, outside the server, for
 *	  src/keyhash.c, src/entitlements.c, src/individuals.c and src/rules.c to
 *	  compile against the real server headers and link unchanged.
 *
 * Memory: every context is a list of malloc'd chunks.  Each chunk carries its
 * context pointer in the word just before the address handed out, as PG15's
 * inline GetMemoryChunkContext() expects, and is exactly as long as asked
 * for, so AddressSanitizer sees any read past a palloc'd object.  Deleting a
 * context frees its chunks and its children.
 *
 * Errors: errstart() accepts ERROR and above, errmsg() and friends format
 * into stub_last_error, errfinish() siglongjmps to *stub_error_jmp.
 *
 * Catalog: a handful of real OIDs (see stub.h), with the same answers and the
 * same errors as the server's lookups for them; text is sent and received as
 * its raw bytes (the server's textrecv also verifies the encoding).
 */
#include "postgres.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access/nbtree.h"
#include "catalog/pg_am_d.h"
#include "catalog/pg_collation_d.h"
#include "catalog/pg_opclass_d.h"
#include "catalog/pg_opfamily_d.h"
#include "catalog/pg_operator_d.h"
#include "catalog/pg_type_d.h"
#include "commands/defrem.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "nodes/memnodes.h"
#include "port/pg_bswap.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/typcache.h"
#include "utils/uuid.h"

#include "stub.h"

/* ---------------------------------------------------------------- errors */

sigjmp_buf *stub_error_jmp = NULL;
StubError	stub_last_error;

static void
stub_fatal(const char *what)
{
	fprintf(stderr, "stub: %s\n", what);
	abort();
}

const char *
stub_sqlstate(int sqlerrcode)
{
	static char buf[6];

	for (int i = 0; i < 5; i++)
	{
		buf[i] = PGUNSIXBIT(sqlerrcode);
		sqlerrcode >>= 6;
	}
	buf[5] = '\0';
	return buf;
}

bool
errstart(int elevel, const char *domain)
{
	(void) domain;
	if (elevel < ERROR)
		return false;			/* nothing below ERROR is ever shown */
	memset(&stub_last_error, 0, sizeof(stub_last_error));
	stub_last_error.elevel = elevel;
	stub_last_error.sqlerrcode = ERRCODE_INTERNAL_ERROR;
	return true;
}

bool
errstart_cold(int elevel, const char *domain)
{
	return errstart(elevel, domain);
}

void
errfinish(const char *filename, int lineno, const char *funcname)
{
	stub_last_error.filename = filename;
	stub_last_error.lineno = lineno;
	stub_last_error.funcname = funcname;
	if (stub_last_error.elevel >= FATAL || stub_error_jmp == NULL)
	{
		fprintf(stderr, "stub: %s outside any handler at %s:%d (%s): %s (%s)\n",
				stub_last_error.elevel >= FATAL ? "FATAL" : "ERROR",
				filename, lineno, funcname, stub_last_error.message,
				stub_last_error.detail);
		abort();
	}
	siglongjmp(*stub_error_jmp, 1);
}

int
errcode(int sqlerrcode)
{
	stub_last_error.sqlerrcode = sqlerrcode;
	return 0;
}

#define STUB_FORMAT(field, fmt) \
	do { \
		va_list		ap; \
		va_start(ap, fmt); \
		vsnprintf(stub_last_error.field, sizeof(stub_last_error.field), fmt, ap); \
		va_end(ap); \
	} while (0)

int
errmsg(const char *fmt,...)
{
	STUB_FORMAT(message, fmt);
	return 0;
}

int
errmsg_internal(const char *fmt,...)
{
	STUB_FORMAT(message, fmt);
	return 0;
}

int
errdetail(const char *fmt,...)
{
	STUB_FORMAT(detail, fmt);
	return 0;
}

int
errdetail_internal(const char *fmt,...)
{
	STUB_FORMAT(detail, fmt);
	return 0;
}

int
errhint(const char *fmt,...)
{
	STUB_FORMAT(hint, fmt);
	return 0;
}

/* ---------------------------------------------------------------- memory */

#define CHUNK_MAGIC ((Size) 0x5354554243484e4bULL)	/* "STUBCHNK" */

typedef struct StubChunk
{
	struct StubChunk *prev;
	struct StubChunk *next;
	Size		size;
	Size		magic;
	Size		pad;
	MemoryContext context;		/* must come last: GetMemoryChunkContext */
} StubChunk;

StaticAssertDecl(sizeof(StubChunk) % MAXIMUM_ALIGNOF == 0,
				 "chunk header must keep chunks MAXALIGNed");

typedef struct StubContext
{
	MemoryContextData hdr;		/* what the headers' inlines look at */
	Size		magic;
	StubChunk  *chunks;
} StubContext;

#define CONTEXT_MAGIC ((Size) 0x5354554243545854ULL)	/* "STUBCTXT" */

MemoryContext CurrentMemoryContext = NULL;
static MemoryContext agg_context = NULL;
static Oid	stub_argtype = InvalidOid;
static Size alloc_limit = 0;
static Size live_bytes = 0;
static Size peak_bytes = 0;

void
stub_set_agg_context(MemoryContext cxt)
{
	agg_context = cxt;
}

void
stub_set_argtype(Oid typid)
{
	stub_argtype = typid;
}

void
stub_set_alloc_limit(Size limit)
{
	alloc_limit = limit;
}

Size
stub_live_bytes(void)
{
	return live_bytes;
}

Size
stub_peak_bytes(void)
{
	return peak_bytes;
}

void
stub_reset_peak(void)
{
	peak_bytes = live_bytes;
}

static StubContext *
AsStub(MemoryContext cxt)
{
	StubContext *sc = (StubContext *) cxt;

	if (sc == NULL || sc->magic != CONTEXT_MAGIC)
		stub_fatal("not a memory context");
	return sc;
}

MemoryContext
stub_context_create(MemoryContext parent, const char *name)
{
	StubContext *sc = calloc(1, sizeof(StubContext));

	if (sc == NULL)
		stub_fatal("out of memory creating a context");
	sc->hdr.type = T_AllocSetContext;
	sc->hdr.isReset = true;
	sc->hdr.name = name;
	sc->magic = CONTEXT_MAGIC;
	if (parent != NULL)
	{
		AsStub(parent);
		sc->hdr.parent = parent;
		sc->hdr.nextchild = parent->firstchild;
		if (parent->firstchild != NULL)
			parent->firstchild->prevchild = &sc->hdr;
		parent->firstchild = &sc->hdr;
	}
	return &sc->hdr;
}

MemoryContext
AllocSetContextCreateInternal(MemoryContext parent, const char *name,
							  Size minContextSize, Size initBlockSize,
							  Size maxBlockSize)
{
	(void) minContextSize;
	(void) initBlockSize;
	(void) maxBlockSize;
	return stub_context_create(parent, name);
}

static void
FreeChunks(StubContext *sc)
{
	StubChunk  *c = sc->chunks;

	while (c != NULL)
	{
		StubChunk  *next = c->next;

		live_bytes -= c->size;
		c->magic = 0;
		free(c);
		c = next;
	}
	sc->chunks = NULL;
	sc->hdr.mem_allocated = 0;
	sc->hdr.isReset = true;
}

void
MemoryContextDeleteChildren(MemoryContext context)
{
	AsStub(context);
	while (context->firstchild != NULL)
		MemoryContextDelete(context->firstchild);
}

void
MemoryContextDelete(MemoryContext context)
{
	StubContext *sc = AsStub(context);

	if (context == CurrentMemoryContext)
		stub_fatal("deleting the current memory context");
	MemoryContextDeleteChildren(context);
	FreeChunks(sc);
	if (context->parent != NULL)
	{
		if (context->prevchild != NULL)
			context->prevchild->nextchild = context->nextchild;
		else
			context->parent->firstchild = context->nextchild;
		if (context->nextchild != NULL)
			context->nextchild->prevchild = context->prevchild;
	}
	sc->magic = 0;
	free(sc);
}

void
MemoryContextReset(MemoryContext context)
{
	MemoryContextDeleteChildren(context);
	FreeChunks(AsStub(context));
}

static void *
ChunkAlloc(MemoryContext context, Size size, int flags)
{
	StubContext *sc = AsStub(context);
	StubChunk  *c;

	if ((flags & MCXT_ALLOC_HUGE) ? !AllocHugeSizeIsValid(size) :
		!AllocSizeIsValid(size))
		elog(ERROR, "invalid memory alloc request size %zu", size);
	if (alloc_limit != 0 && size > alloc_limit - Min(live_bytes, alloc_limit))
	{
		fprintf(stderr, "stub: absurd allocation: %zu bytes requested with %zu live (limit %zu)\n",
				size, live_bytes, alloc_limit);
		abort();
	}
	c = (flags & MCXT_ALLOC_ZERO) ? calloc(1, sizeof(StubChunk) + size) :
		malloc(sizeof(StubChunk) + size);
	if (c == NULL)
	{
		if (flags & MCXT_ALLOC_NO_OOM)
			return NULL;
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("Failed on request of size %zu in memory context \"%s\".",
						   size, context->name)));
	}
	c->size = size;
	c->magic = CHUNK_MAGIC;
	c->pad = 0;
	c->context = context;
	c->prev = NULL;
	c->next = sc->chunks;
	if (sc->chunks != NULL)
		sc->chunks->prev = c;
	sc->chunks = c;
	context->mem_allocated += size;
	context->isReset = false;
	live_bytes += size;
	if (live_bytes > peak_bytes)
		peak_bytes = live_bytes;
	return (char *) c + sizeof(StubChunk);
}

static StubChunk *
ChunkOf(void *pointer)
{
	StubChunk  *c = (StubChunk *) ((char *) pointer - sizeof(StubChunk));

	if (pointer == NULL || c->magic != CHUNK_MAGIC)
		stub_fatal("pfree/repalloc of a pointer that is not a live chunk");
	return c;
}

void
pfree(void *pointer)
{
	StubChunk  *c = ChunkOf(pointer);
	StubContext *sc = AsStub(c->context);

	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		sc->chunks = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	sc->hdr.mem_allocated -= c->size;
	live_bytes -= c->size;
	c->magic = 0;
	free(c);
}

static void *
Realloc(void *pointer, Size size, int flags)
{
	StubChunk  *c = ChunkOf(pointer);
	void	   *copy = ChunkAlloc(c->context, size, flags);

	memcpy(copy, pointer, Min(size, c->size));
	pfree(pointer);
	return copy;
}

void *
repalloc(void *pointer, Size size)
{
	return Realloc(pointer, size, 0);
}

void *
repalloc_huge(void *pointer, Size size)
{
	return Realloc(pointer, size, MCXT_ALLOC_HUGE);
}

void *
MemoryContextAlloc(MemoryContext context, Size size)
{
	return ChunkAlloc(context, size, 0);
}

void *
MemoryContextAllocZero(MemoryContext context, Size size)
{
	return ChunkAlloc(context, size, MCXT_ALLOC_ZERO);
}

void *
MemoryContextAllocZeroAligned(MemoryContext context, Size size)
{
	return ChunkAlloc(context, size, MCXT_ALLOC_ZERO);
}

void *
MemoryContextAllocExtended(MemoryContext context, Size size, int flags)
{
	return ChunkAlloc(context, size, flags);
}

void *
MemoryContextAllocHuge(MemoryContext context, Size size)
{
	return ChunkAlloc(context, size, MCXT_ALLOC_HUGE);
}

void *
palloc(Size size)
{
	return ChunkAlloc(CurrentMemoryContext, size, 0);
}

void *
palloc0(Size size)
{
	return ChunkAlloc(CurrentMemoryContext, size, MCXT_ALLOC_ZERO);
}

void *
palloc_extended(Size size, int flags)
{
	return ChunkAlloc(CurrentMemoryContext, size, flags);
}

char *
pstrdup(const char *in)
{
	Size		len = strlen(in) + 1;
	char	   *out = palloc(len);

	memcpy(out, in, len);
	return out;
}

char *
psprintf(const char *fmt,...)
{
	va_list		ap;
	int			n;
	char	   *out;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	out = palloc(n + 1);
	va_start(ap, fmt);
	vsnprintf(out, n + 1, fmt, ap);
	va_end(ap);
	return out;
}

/* ------------------------------------------------------- aggregates, fmgr */

int
AggCheckCallContext(FunctionCallInfo fcinfo, MemoryContext *aggcontext)
{
	(void) fcinfo;
	if (agg_context == NULL)
		stub_fatal("AggCheckCallContext without an aggregate context");
	if (aggcontext)
		*aggcontext = agg_context;
	return AGG_CONTEXT_AGGREGATE;
}

Oid
get_fn_expr_argtype(FmgrInfo *flinfo, int argnum)
{
	(void) flinfo;
	(void) argnum;
	return stub_argtype;
}

struct varlena *
pg_detoast_datum(struct varlena *datum)
{
	if (VARATT_IS_EXTENDED(datum) && !VARATT_IS_SHORT(datum))
		stub_fatal("the stub cannot detoast compressed or external datums");
	if (VARATT_IS_SHORT(datum))
	{
		/* the server copies it to a 4-byte header; so do we */
		Size		len = VARSIZE_SHORT(datum) - VARHDRSZ_SHORT;
		struct varlena *copy = palloc(len + VARHDRSZ);

		SET_VARSIZE(copy, len + VARHDRSZ);
		memcpy(VARDATA(copy), VARDATA_SHORT(datum), len);
		return copy;
	}
	return datum;
}

struct varlena *
pg_detoast_datum_packed(struct varlena *datum)
{
	if (VARATT_IS_COMPRESSED(datum) || VARATT_IS_EXTERNAL(datum))
		stub_fatal("the stub cannot detoast compressed or external datums");
	return datum;
}

Size
datumGetSize(Datum value, bool typByVal, int typLen)
{
	if (typByVal)
		return typLen;
	if (typLen > 0)
		return typLen;
	if (typLen == -1)
	{
		struct varlena *s = (struct varlena *) DatumGetPointer(value);

		if (!PointerIsValid(s))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("invalid Datum pointer")));
		return VARSIZE_ANY(s);
	}
	if (typLen == -2)
	{
		char	   *s = (char *) DatumGetPointer(value);

		if (!PointerIsValid(s))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("invalid Datum pointer")));
		return strlen(s) + 1;
	}
	elog(ERROR, "invalid typLen: %d", typLen);
	return 0;
}

/* hash_bytes: not the server's lookup3, but any decent hash serves. */
uint32
hash_bytes(const unsigned char *k, int keylen)
{
	uint32		h = 2166136261u ^ (uint32) keylen;

	for (int i = 0; i < keylen; i++)
		h = (h ^ k[i]) * 16777619u;
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

uint32
hash_bytes_uint32(uint32 k)
{
	return hash_bytes((const unsigned char *) &k, sizeof(k));
}

/* ----------------------------------------------------------- stringinfo */

void
initStringInfo(StringInfo str)
{
	str->maxlen = 1024;
	str->data = palloc(str->maxlen);
	resetStringInfo(str);
}

void
resetStringInfo(StringInfo str)
{
	str->data[0] = '\0';
	str->len = 0;
	str->cursor = 0;
}

void
enlargeStringInfo(StringInfo str, int needed)
{
	int			newlen;

	if (needed < 0)
		elog(ERROR, "invalid string enlargement request size: %d", needed);
	if (((Size) needed) >= (MaxAllocSize - (Size) str->len))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("out of memory"),
				 errdetail("Cannot enlarge string buffer containing %d bytes by %d more bytes.",
						   str->len, needed)));
	needed += str->len + 1;
	if (needed <= str->maxlen)
		return;
	newlen = 2 * str->maxlen;
	while (needed > newlen)
		newlen = 2 * newlen;
	if (newlen > (int) MaxAllocSize)
		newlen = (int) MaxAllocSize;
	str->data = repalloc(str->data, newlen);
	str->maxlen = newlen;
}

void
appendBinaryStringInfo(StringInfo str, const char *data, int datalen)
{
	enlargeStringInfo(str, datalen);
	memcpy(str->data + str->len, data, datalen);
	str->len += datalen;
	str->data[str->len] = '\0';
}

void
appendStringInfoChar(StringInfo str, char ch)
{
	if (str->len + 1 >= str->maxlen)
		enlargeStringInfo(str, 1);
	str->data[str->len] = ch;
	str->len++;
	str->data[str->len] = '\0';
}

/* ------------------------------------------------------------- pqformat */

void
pq_sendbytes(StringInfo buf, const char *data, int datalen)
{
	appendBinaryStringInfo(buf, data, datalen);
}

void
pq_begintypsend(StringInfo buf)
{
	initStringInfo(buf);
	appendStringInfoCharMacro(buf, '\0');
	appendStringInfoCharMacro(buf, '\0');
	appendStringInfoCharMacro(buf, '\0');
	appendStringInfoCharMacro(buf, '\0');
}

bytea *
pq_endtypsend(StringInfo buf)
{
	bytea	   *result = (bytea *) buf->data;

	if (buf->len < VARHDRSZ)
		stub_fatal("pq_endtypsend without pq_begintypsend");
	SET_VARSIZE(result, buf->len);
	return result;
}

void
pq_copymsgbytes(StringInfo msg, char *buf, int datalen)
{
	if (datalen < 0 || datalen > (msg->len - msg->cursor))
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("insufficient data left in message")));
	memcpy(buf, &msg->data[msg->cursor], datalen);
	msg->cursor += datalen;
}

const char *
pq_getmsgbytes(StringInfo msg, int datalen)
{
	const char *result;

	if (datalen < 0 || datalen > (msg->len - msg->cursor))
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("insufficient data left in message")));
	result = &msg->data[msg->cursor];
	msg->cursor += datalen;
	return result;
}

int
pq_getmsgbyte(StringInfo msg)
{
	if (msg->cursor >= msg->len)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("no data left in message")));
	return (unsigned char) msg->data[msg->cursor++];
}

unsigned int
pq_getmsgint(StringInfo msg, int b)
{
	unsigned int result;
	unsigned char n8;
	uint16		n16;
	uint32		n32;

	switch (b)
	{
		case 1:
			pq_copymsgbytes(msg, (char *) &n8, 1);
			result = n8;
			break;
		case 2:
			pq_copymsgbytes(msg, (char *) &n16, 2);
			result = pg_ntoh16(n16);
			break;
		case 4:
			pq_copymsgbytes(msg, (char *) &n32, 4);
			result = pg_ntoh32(n32);
			break;
		default:
			elog(ERROR, "unsupported integer size %d", b);
			result = 0;
			break;
	}
	return result;
}

int64
pq_getmsgint64(StringInfo msg)
{
	uint64		n64;

	pq_copymsgbytes(msg, (char *) &n64, sizeof(n64));
	return pg_ntoh64(n64);
}

/* --------------------------------------------------------------- catalog */

typedef struct StubType
{
	Oid			oid;
	const char *name;
	int16		typlen;
	bool		typbyval;
	Oid			basetype;		/* itself unless a domain */
	Oid			btree_opclass;
	Oid			btree_opfamily;
	Oid			equalimage;		/* BTEQUALIMAGE_PROC of the opfamily */
	Oid			hash_proc;
	Oid			eq_opr;
	Oid			eq_proc;
	Oid			sendproc;
	Oid			recvproc;
} StubType;

#define UUID_BTREE_OPS	2968	/* opclass and opfamily (either will do) */
#define INT8_EQ_OPR		410
#define UUID_EQ_OPR		2972

static const StubType stub_types[] = {
	{INT4OID, "integer", 4, true, INT4OID, INT4_BTREE_OPS_OID,
	 INTEGER_BTREE_FAM_OID, F_BTEQUALIMAGE, F_HASHINT4, Int4EqualOperator,
	F_INT4EQ, F_INT4SEND, F_INT4RECV},
	{INT8OID, "bigint", 8, FLOAT8PASSBYVAL, INT8OID, INT8_BTREE_OPS_OID,
	 INTEGER_BTREE_FAM_OID, F_BTEQUALIMAGE, F_HASHINT8, INT8_EQ_OPR,
	F_INT8EQ, F_INT8SEND, F_INT8RECV},
	{UUIDOID, "uuid", UUID_LEN, false, UUIDOID, UUID_BTREE_OPS,
	 UUID_BTREE_OPS, F_BTEQUALIMAGE, F_UUID_HASH, UUID_EQ_OPR,
	F_UUID_EQ, F_UUID_SEND, F_UUID_RECV},
	{TEXTOID, "text", -1, false, TEXTOID, TEXT_BTREE_OPS_OID,
	 TEXT_BTREE_FAM_OID, F_BTVARSTREQUALIMAGE, F_HASHTEXT, TextEqualOperator,
	F_TEXTEQ, F_TEXTSEND, F_TEXTRECV},
	{STUB_DOMAIN_OID, "stub_tenant_id", 4, true, INT4OID, InvalidOid,
	 InvalidOid, InvalidOid, InvalidOid, InvalidOid,
	InvalidOid, F_INT4SEND, F_INT4RECV},
};

static const StubType *
FindType(Oid typid)
{
	for (size_t i = 0; i < lengthof(stub_types); i++)
		if (stub_types[i].oid == typid)
			return &stub_types[i];
	return NULL;
}

static const StubType *
TypeOrError(Oid typid)
{
	const StubType *t = FindType(typid);

	if (t == NULL)
		elog(ERROR, "cache lookup failed for type %u", typid);
	return t;
}

static bool
CollationExists(Oid collid)
{
	return collid == DEFAULT_COLLATION_OID || collid == C_COLLATION_OID ||
		collid == POSIX_COLLATION_OID || collid == STUB_CI_COLLATION_OID;
}

bool
SearchSysCacheExists(int cacheId, Datum key1, Datum key2, Datum key3,
					 Datum key4)
{
	(void) key2;
	(void) key3;
	(void) key4;
	switch (cacheId)
	{
		case TYPEOID:
			return FindType(DatumGetObjectId(key1)) != NULL;
		case COLLOID:
			return CollationExists(DatumGetObjectId(key1));
		default:
			stub_fatal("SearchSysCacheExists on a cache the stub does not emulate");
	}
	return false;
}

Oid
getBaseType(Oid typid)
{
	return TypeOrError(typid)->basetype;
}

void
get_typlenbyval(Oid typid, int16 *typlen, bool *typbyval)
{
	const StubType *t = TypeOrError(typid);

	*typlen = t->typlen;
	*typbyval = t->typbyval;
}

bool
type_is_collatable(Oid typid)
{
	return getBaseType(typid) == TEXTOID;
}

char *
format_type_be(Oid type_oid)
{
	return pstrdup(TypeOrError(type_oid)->name);
}

Oid
GetDefaultOpClass(Oid type_id, Oid am_id)
{
	const StubType *t = FindType(type_id);

	if (t == NULL || am_id != BTREE_AM_OID)
		return InvalidOid;
	return t->btree_opclass;
}

Oid
get_opclass_family(Oid opclass)
{
	for (size_t i = 0; i < lengthof(stub_types); i++)
		if (OidIsValid(opclass) && stub_types[i].btree_opclass == opclass)
			return stub_types[i].btree_opfamily;
	elog(ERROR, "cache lookup failed for opclass %u", opclass);
	return InvalidOid;
}

Oid
get_opclass_input_type(Oid opclass)
{
	for (size_t i = 0; i < lengthof(stub_types); i++)
		if (OidIsValid(opclass) && stub_types[i].btree_opclass == opclass)
			return stub_types[i].oid;
	elog(ERROR, "cache lookup failed for opclass %u", opclass);
	return InvalidOid;
}

Oid
get_opfamily_proc(Oid opfamily, Oid lefttype, Oid righttype, int16 procnum)
{
	const StubType *t = FindType(lefttype);

	if (t == NULL || lefttype != righttype || t->btree_opfamily != opfamily ||
		!OidIsValid(opfamily) || procnum != BTEQUALIMAGE_PROC)
		return InvalidOid;
	return t->equalimage;
}

RegProcedure
get_opcode(Oid opno)
{
	for (size_t i = 0; i < lengthof(stub_types); i++)
		if (OidIsValid(opno) && stub_types[i].eq_opr == opno)
			return stub_types[i].eq_proc;
	return InvalidOid;
}

static TypeCacheEntry typcache[lengthof(stub_types)];

TypeCacheEntry *
lookup_type_cache(Oid type_id, int flags)
{
	(void) flags;
	for (size_t i = 0; i < lengthof(stub_types); i++)
	{
		const StubType *t = &stub_types[i];

		if (t->oid != type_id)
			continue;
		typcache[i].type_id = t->oid;
		typcache[i].typlen = t->typlen;
		typcache[i].typbyval = t->typbyval;
		typcache[i].hash_proc = t->hash_proc;
		typcache[i].eq_opr = t->eq_opr;
		return &typcache[i];
	}
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("type with OID %u does not exist", type_id)));
	return NULL;
}

void
getTypeBinaryInputInfo(Oid type, Oid *typReceive, Oid *typIOParam)
{
	const StubType *t = TypeOrError(type);

	if (!OidIsValid(t->recvproc))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("no binary input function available for type %s",
						t->name)));
	*typReceive = t->recvproc;
	*typIOParam = t->oid;
}

void
getTypeBinaryOutputInfo(Oid type, Oid *typSend, bool *typIsVarlena)
{
	const StubType *t = TypeOrError(type);

	if (!OidIsValid(t->sendproc))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("no binary output function available for type %s",
						t->name)));
	*typSend = t->sendproc;
	*typIsVarlena = (!t->typbyval) && (t->typlen == -1);
}

/* ------------------------------------------------ the builtins we "call" */

/* varstr_cmp & co. refuse to run without a collation; so do we. */
static void
check_collation_set(Oid collid)
{
	if (!OidIsValid(collid))
		ereport(ERROR,
				(errcode(ERRCODE_INDETERMINATE_COLLATION),
				 errmsg("could not determine which collation to use for string comparison"),
				 errhint("Use the COLLATE clause to set the collation explicitly.")));
}

static Datum
stub_btequalimage(PG_FUNCTION_ARGS)
{
	(void) fcinfo;
	PG_RETURN_BOOL(true);
}

static Datum
stub_btvarstrequalimage(PG_FUNCTION_ARGS)
{
	Oid			collid = PG_GET_COLLATION();

	check_collation_set(collid);
	PG_RETURN_BOOL(collid != STUB_CI_COLLATION_OID);
}

static unsigned char
fold(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static Datum
stub_hashtext(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	Oid			collid = PG_GET_COLLATION();
	const unsigned char *p = (const unsigned char *) VARDATA_ANY(t);
	int			len = VARSIZE_ANY_EXHDR(t);
	uint32		h = 0;

	check_collation_set(collid);
	if (collid != STUB_CI_COLLATION_OID)
		PG_RETURN_UINT32(hash_bytes(p, len));
	for (int i = 0; i < len; i++)
		h = (h ^ fold(p[i])) * 16777619u;
	PG_RETURN_UINT32(hash_bytes_uint32(h ^ (uint32) len));
}

static Datum
stub_texteq(PG_FUNCTION_ARGS)
{
	text	   *a = PG_GETARG_TEXT_PP(0);
	text	   *b = PG_GETARG_TEXT_PP(1);
	Oid			collid = PG_GET_COLLATION();
	int			la = VARSIZE_ANY_EXHDR(a);
	const unsigned char *pa = (const unsigned char *) VARDATA_ANY(a);
	const unsigned char *pb = (const unsigned char *) VARDATA_ANY(b);

	check_collation_set(collid);
	if (la != (int) VARSIZE_ANY_EXHDR(b))
		PG_RETURN_BOOL(false);
	if (collid != STUB_CI_COLLATION_OID)
		PG_RETURN_BOOL(memcmp(pa, pb, la) == 0);
	for (int i = 0; i < la; i++)
		if (fold(pa[i]) != fold(pb[i]))
			PG_RETURN_BOOL(false);
	PG_RETURN_BOOL(true);
}

static Datum
stub_hashint4(PG_FUNCTION_ARGS)
{
	PG_RETURN_UINT32(hash_bytes_uint32((uint32) PG_GETARG_INT32(0)));
}

static Datum
stub_hashint8(PG_FUNCTION_ARGS)
{
	int64		v = PG_GETARG_INT64(0);
	uint32		lo = (uint32) v;
	uint32		hi = (uint32) (v >> 32);

	lo ^= (v >= 0) ? hi : ~hi;
	PG_RETURN_UINT32(hash_bytes_uint32(lo));
}

static Datum
stub_uuid_hash(PG_FUNCTION_ARGS)
{
	pg_uuid_t  *u = PG_GETARG_UUID_P(0);

	PG_RETURN_UINT32(hash_bytes(u->data, UUID_LEN));
}

static Datum
stub_int4eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(PG_GETARG_INT32(0) == PG_GETARG_INT32(1));
}

static Datum
stub_int8eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(PG_GETARG_INT64(0) == PG_GETARG_INT64(1));
}

static Datum
stub_uuid_eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(memcmp(PG_GETARG_UUID_P(0)->data, PG_GETARG_UUID_P(1)->data,
						  UUID_LEN) == 0);
}

static Datum
stub_int4send(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint32(&buf, PG_GETARG_INT32(0));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

static Datum
stub_int4recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);

	PG_RETURN_INT32((int32) pq_getmsgint(buf, sizeof(int32)));
}

static Datum
stub_int8send(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint64(&buf, PG_GETARG_INT64(0));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

static Datum
stub_int8recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);

	PG_RETURN_INT64(pq_getmsgint64(buf));
}

static Datum
stub_uuid_send(PG_FUNCTION_ARGS)
{
	pg_uuid_t  *u = PG_GETARG_UUID_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbytes(&buf, (char *) u->data, UUID_LEN);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

static Datum
stub_uuid_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	pg_uuid_t  *u = palloc(UUID_LEN);

	memcpy(u->data, pq_getmsgbytes(buf, UUID_LEN), UUID_LEN);
	PG_RETURN_POINTER(u);
}

static Datum
stub_textsend(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbytes(&buf, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* The raw bytes: the server's would also verify their encoding. */
static Datum
stub_textrecv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			n = buf->len - buf->cursor;
	text	   *t = palloc(VARHDRSZ + n);

	SET_VARSIZE(t, VARHDRSZ + n);
	memcpy(VARDATA(t), pq_getmsgbytes(buf, n), n);
	PG_RETURN_TEXT_P(t);
}

typedef struct StubFunc
{
	Oid			oid;
	PGFunction	fn;
	short		nargs;
} StubFunc;

static const StubFunc stub_funcs[] = {
	{F_BTEQUALIMAGE, stub_btequalimage, 1},
	{F_BTVARSTREQUALIMAGE, stub_btvarstrequalimage, 1},
	{F_HASHTEXT, stub_hashtext, 1},
	{F_TEXTEQ, stub_texteq, 2},
	{F_HASHINT4, stub_hashint4, 1},
	{F_HASHINT8, stub_hashint8, 1},
	{F_UUID_HASH, stub_uuid_hash, 1},
	{F_INT4EQ, stub_int4eq, 2},
	{F_INT8EQ, stub_int8eq, 2},
	{F_UUID_EQ, stub_uuid_eq, 2},
	{F_INT4SEND, stub_int4send, 1},
	{F_INT4RECV, stub_int4recv, 3},
	{F_INT8SEND, stub_int8send, 1},
	{F_INT8RECV, stub_int8recv, 3},
	{F_UUID_SEND, stub_uuid_send, 1},
	{F_UUID_RECV, stub_uuid_recv, 3},
	{F_TEXTSEND, stub_textsend, 1},
	{F_TEXTRECV, stub_textrecv, 3},
};

void
fmgr_info_cxt(Oid functionId, FmgrInfo *finfo, MemoryContext mcxt)
{
	memset(finfo, 0, sizeof(FmgrInfo));
	for (size_t i = 0; i < lengthof(stub_funcs); i++)
	{
		if (stub_funcs[i].oid != functionId)
			continue;
		finfo->fn_addr = stub_funcs[i].fn;
		finfo->fn_oid = functionId;
		finfo->fn_nargs = stub_funcs[i].nargs;
		finfo->fn_strict = true;
		finfo->fn_mcxt = mcxt;
		return;
	}
	elog(ERROR, "cache lookup failed for function %u", functionId);
}

void
fmgr_info(Oid functionId, FmgrInfo *finfo)
{
	fmgr_info_cxt(functionId, finfo, CurrentMemoryContext);
}

Datum
FunctionCall1Coll(FmgrInfo *flinfo, Oid collation, Datum arg1)
{
	LOCAL_FCINFO(fcinfo, 1);
	Datum		result;

	InitFunctionCallInfoData(*fcinfo, flinfo, 1, collation, NULL, NULL);
	fcinfo->args[0].value = arg1;
	fcinfo->args[0].isnull = false;
	result = FunctionCallInvoke(fcinfo);
	if (fcinfo->isnull)
		elog(ERROR, "function %u returned NULL", flinfo->fn_oid);
	return result;
}

Datum
FunctionCall2Coll(FmgrInfo *flinfo, Oid collation, Datum arg1, Datum arg2)
{
	LOCAL_FCINFO(fcinfo, 2);
	Datum		result;

	InitFunctionCallInfoData(*fcinfo, flinfo, 2, collation, NULL, NULL);
	fcinfo->args[0].value = arg1;
	fcinfo->args[0].isnull = false;
	fcinfo->args[1].value = arg2;
	fcinfo->args[1].isnull = false;
	result = FunctionCallInvoke(fcinfo);
	if (fcinfo->isnull)
		elog(ERROR, "function %u returned NULL", flinfo->fn_oid);
	return result;
}

Datum
OidFunctionCall1Coll(Oid functionId, Oid collation, Datum arg1)
{
	FmgrInfo	flinfo;

	fmgr_info(functionId, &flinfo);
	return FunctionCall1Coll(&flinfo, collation, arg1);
}

bytea *
SendFunctionCall(FmgrInfo *flinfo, Datum val)
{
	return DatumGetByteaP(FunctionCall1(flinfo, val));
}

Datum
ReceiveFunctionCall(FmgrInfo *flinfo, StringInfo buf, Oid typioparam,
					int32 typmod)
{
	LOCAL_FCINFO(fcinfo, 3);
	Datum		result;

	if (buf == NULL && flinfo->fn_strict)
		return (Datum) 0;
	InitFunctionCallInfoData(*fcinfo, flinfo, 3, InvalidOid, NULL, NULL);
	fcinfo->args[0].value = PointerGetDatum(buf);
	fcinfo->args[0].isnull = buf == NULL;
	fcinfo->args[1].value = ObjectIdGetDatum(typioparam);
	fcinfo->args[1].isnull = false;
	fcinfo->args[2].value = Int32GetDatum(typmod);
	fcinfo->args[2].isnull = false;
	result = FunctionCallInvoke(fcinfo);
	if (buf == NULL ? !fcinfo->isnull : fcinfo->isnull)
		elog(ERROR, "receive function %u returned %s", flinfo->fn_oid,
			 buf == NULL ? "non-NULL" : "NULL");
	return result;
}
