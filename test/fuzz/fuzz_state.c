/*
 * fuzz_state.c
 *	  Fuzz target for the serialized states of cp_active_entitlements and
 *	  cp_qualified_individuals, and (without -DFUZZING) a replay driver that
 *	  runs the same checks over files named on the command line.
 *
 * Input: a selector byte (harness.h), then the bytes handed to the
 * aggregate's deserialize function.  An ERROR from deserialize is a clean
 * rejection.  A state that is accepted must then behave:
 *
 *	 - serialize() succeeds, and what it writes holds exactly the tenants
 *	   (persons), measurements and credentials of the accepted input
 *	   (compared in a canonical form this file reads on its own, independent
 *	   of hash-table order and SKU numbering);
 *	 - deserialize(serialize(x)) succeeds, with the same final() (value, or
 *	   the same ERROR) and the same content;
 *	 - combine() adopting it, merging it with another copy deserialized at
 *	   the same call site, with one from another call site (a different SKU
 *	   dictionary), and into a fresh empty state all succeed and leave final()
 *	   and the content unchanged (every merge step is a max or an OR, so
 *	   merging a state with itself is the identity).
 *
 * Any violation calls abort(); so does an ERROR where none may happen, an
 * allocation beyond a generous multiple of the input (stub.c), and of course
 * the sanitizers' reports.
 */
#include "postgres.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifndef FUZZING
#include <sys/wait.h>
#include <unistd.h>
#endif

#include "catalog/pg_type_d.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/memutils.h"

#include "harness.h"
#include "stub.h"

extern Datum cp_entitlements_trans(PG_FUNCTION_ARGS);
extern Datum cp_entitlements_final(PG_FUNCTION_ARGS);
extern Datum cp_entitlements_combine(PG_FUNCTION_ARGS);
extern Datum cp_entitlements_serialize(PG_FUNCTION_ARGS);
extern Datum cp_entitlements_deserialize(PG_FUNCTION_ARGS);
extern Datum cp_individuals_trans(PG_FUNCTION_ARGS);
extern Datum cp_individuals_final(PG_FUNCTION_ARGS);
extern Datum cp_individuals_combine(PG_FUNCTION_ARGS);
extern Datum cp_individuals_serialize(PG_FUNCTION_ARGS);
extern Datum cp_individuals_deserialize(PG_FUNCTION_ARGS);

const Agg	harness_aggs[2] = {
	{"cp_active_entitlements", cp_entitlements_trans, cp_entitlements_final,
		cp_entitlements_combine, cp_entitlements_serialize,
	cp_entitlements_deserialize, false},
	{"cp_qualified_individuals", cp_individuals_trans, cp_individuals_final,
		cp_individuals_combine, cp_individuals_serialize,
	cp_individuals_deserialize, true},
};

static MemoryContext top_context = NULL;

/* ------------------------------------------------------------ plumbing */

static void bug(const char *fmt,...) __attribute__((format(printf, 1, 2))) pg_attribute_noreturn();

static void
bug(const char *fmt,...)
{
	va_list		ap;

	fprintf(stderr, "BUG: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	if (stub_last_error.message[0])
		fprintf(stderr, "     last ERROR: %s: %s (%s) at %s:%d\n",
				stub_sqlstate(stub_last_error.sqlerrcode),
				stub_last_error.message, stub_last_error.detail,
				stub_last_error.filename ? stub_last_error.filename : "?",
				stub_last_error.lineno);
	fflush(stderr);
	abort();
}

bool
harness_call(AggFn fn, FmgrInfo *flinfo, Oid collation, int nargs,
			 const Datum *args, const bool *nulls, Datum *result,
			 bool *resnull)
{
	LOCAL_FCINFO(fcinfo, 8);
	sigjmp_buf	jb;
	sigjmp_buf *saved = stub_error_jmp;
	MemoryContext savedcxt = CurrentMemoryContext;

	Assert(nargs <= 8);
	InitFunctionCallInfoData(*fcinfo, flinfo, nargs, collation, NULL, NULL);
	for (int i = 0; i < nargs; i++)
	{
		fcinfo->args[i].value = args[i];
		fcinfo->args[i].isnull = nulls ? nulls[i] : false;
	}
	if (sigsetjmp(jb, 0) != 0)
	{
		stub_error_jmp = saved;
		CurrentMemoryContext = savedcxt;
		return false;
	}
	stub_error_jmp = &jb;
	*result = fn(fcinfo);
	if (resnull)
		*resnull = fcinfo->isnull;
	stub_error_jmp = saved;
	return true;
}

void
harness_flinfo(FmgrInfo *fl, MemoryContext mcxt)
{
	memset(fl, 0, sizeof(FmgrInfo));
	fl->fn_mcxt = mcxt;
	fl->fn_nargs = -1;
}

void
harness_begin(HarnessRun *run, Size input_size)
{
	if (top_context == NULL)
		top_context = stub_context_create(NULL, "fuzz top");
	run->root = stub_context_create(top_context, "iteration");
	run->aggcxt = stub_context_create(run->root, "aggregate");
	run->fncxt = stub_context_create(run->root, "fn_mcxt");
	run->tmpcxt = stub_context_create(run->root, "per-tuple");
	CurrentMemoryContext = run->tmpcxt;
	stub_set_agg_context(run->aggcxt);
	memset(&stub_last_error, 0, sizeof(stub_last_error));

	/*
	 * Every structure the code builds is a small multiple of the bytes that
	 * describe it (each count is checked against the bytes left); anything
	 * past 64 MB plus 256 bytes per input byte is an absurd allocation.
	 */
	stub_set_alloc_limit((Size) 64 * 1024 * 1024 + 256 * input_size);
}

void
harness_end(HarnessRun *run)
{
	CurrentMemoryContext = top_context;
	MemoryContextDelete(run->root);
	stub_set_agg_context(NULL);
	stub_set_alloc_limit(0);
	stub_error_jmp = NULL;
	if (stub_live_bytes() != 0)
		bug("%zu bytes still allocated after the iteration's contexts were deleted",
			stub_live_bytes());
}

/* ------------------------------------------- an independent state reader */

typedef struct Rd
{
	const unsigned char *p;
	size_t		len;
	size_t		pos;
	bool		ok;
} Rd;

static const unsigned char *
rd_bytes(Rd *r, size_t n)
{
	const unsigned char *at;

	if (!r->ok || n > r->len - r->pos)
	{
		r->ok = false;
		return NULL;
	}
	at = r->p + r->pos;
	r->pos += n;
	return at;
}

static uint32
rd_u32(Rd *r)
{
	const unsigned char *b = rd_bytes(r, 4);

	return b ? ((uint32) b[0] << 24 | (uint32) b[1] << 16 |
				(uint32) b[2] << 8 | b[3]) : 0;
}

static int
rd_u8(Rd *r)
{
	const unsigned char *b = rd_bytes(r, 1);

	return b ? b[0] : -1;
}

/* A count of items at least min bytes each that fit what is left. */
static int32
rd_count(Rd *r, size_t min)
{
	int32		n = (int32) rd_u32(r);

	if (!r->ok || n < 0 || (size_t) n * min > r->len - r->pos)
	{
		r->ok = false;
		return 0;
	}
	return n;
}

typedef struct Blob
{
	char	   *data;
	int			len;
} Blob;

static int
blob_cmp(const void *a, const void *b)
{
	const Blob *x = a;
	const Blob *y = b;
	int			c = memcmp(x->data, y->data, Min(x->len, y->len));

	return c != 0 ? c : (x->len > y->len) - (x->len < y->len);
}

/* A StringInfo that starts small: the harness's copies stay modest. */
static void
blob_init(StringInfo s)
{
	s->maxlen = 32;
	s->data = palloc(s->maxlen);
	s->data[0] = '\0';
	s->len = 0;
	s->cursor = 0;
}

static void
put32(StringInfo s, uint32 v)
{
	unsigned char b[4] = {v >> 24, v >> 16, v >> 8, v};

	appendBinaryStringInfo(s, (char *) b, 4);
}

/* Append n blobs, sorted, each with its length. */
static void
put_sorted(StringInfo s, Blob *blobs, int n)
{
	qsort(blobs, n, sizeof(Blob), blob_cmp);
	put32(s, n);
	for (int i = 0; i < n; i++)
	{
		put32(s, blobs[i].len);
		appendBinaryStringInfo(s, blobs[i].data, blobs[i].len);
	}
}

/*
 * The content of a serialized state with everything that does not matter
 * (order of tenants, persons and measurements; SKU numbers and unused SKUs)
 * taken out, or NULL when the bytes are not a well-formed state.  This reads
 * the format on its own: it checks structure only, not the rules on values.
 */
static StringInfo
canonical(bool individuals, const char *data, int len)
{
	Rd			r = {(const unsigned char *) data, len, 0, true};
	StringInfo	out = palloc(sizeof(StringInfoData));

	initStringInfo(out);
	rd_u8(&r);					/* version */
	put32(out, rd_u32(&r));		/* key type */
	put32(out, rd_u32(&r));		/* key collation */

	if (individuals)
	{
		int32		n = rd_count(&r, 5);
		Blob	   *persons = palloc(Max(n, 1) * sizeof(Blob));

		for (int32 i = 0; i < n && r.ok; i++)
		{
			StringInfoData p;
			int32		klen = (int32) rd_u32(&r);
			const unsigned char *key = klen >= 0 ? rd_bytes(&r, klen) : NULL;
			int			creds = rd_u8(&r);

			if (!r.ok || key == NULL)
			{
				r.ok = false;
				break;
			}
			blob_init(&p);
			put32(&p, klen);
			appendBinaryStringInfo(&p, (const char *) key, klen);
			appendStringInfoChar(&p, (char) creds);
			persons[i].data = p.data;
			persons[i].len = p.len;
		}
		if (r.ok)
			put_sorted(out, persons, n);
	}
	else
	{
		int32		nskus = rd_count(&r, 4);
		Blob	   *skus = palloc(Max(nskus, 1) * sizeof(Blob));
		int32		ntenants;
		Blob	   *tenants;

		for (int32 i = 0; i < nskus && r.ok; i++)
		{
			int32		slen = (int32) rd_u32(&r);

			skus[i].data = slen >= 0 ? (char *) rd_bytes(&r, slen) : NULL;
			skus[i].len = slen;
			if (skus[i].data == NULL)
				r.ok = false;
		}
		ntenants = rd_count(&r, 4 + 4 + 17);
		tenants = palloc(Max(ntenants, 1) * sizeof(Blob));
		for (int32 i = 0; i < ntenants && r.ok; i++)
		{
			StringInfoData t;
			int32		klen = (int32) rd_u32(&r);
			const unsigned char *key = klen >= 0 ? rd_bytes(&r, klen) : NULL;
			int32		nslots = rd_count(&r, 17);
			Blob	   *slots = palloc(Max(nslots, 1) * sizeof(Blob));

			if (!r.ok || key == NULL)
			{
				r.ok = false;
				break;
			}
			for (int32 j = 0; j < nslots && r.ok; j++)
			{
				StringInfoData s;
				int			w = rd_u8(&r);
				int32		sku = (int32) rd_u32(&r);
				const unsigned char *rest = rd_bytes(&r, 12);	/* date, count */

				if (!r.ok || sku < 0 || sku >= nskus)
				{
					r.ok = false;
					break;
				}
				blob_init(&s);
				appendStringInfoChar(&s, (char) w);
				put32(&s, skus[sku].len);
				appendBinaryStringInfo(&s, skus[sku].data, skus[sku].len);
				appendBinaryStringInfo(&s, (const char *) rest, 12);
				slots[j].data = s.data;
				slots[j].len = s.len;
			}
			if (!r.ok)
				break;
			blob_init(&t);
			put32(&t, klen);
			appendBinaryStringInfo(&t, (const char *) key, klen);
			put_sorted(&t, slots, nslots);
			tenants[i].data = t.data;
			tenants[i].len = t.len;
		}
		if (r.ok)
			put_sorted(out, tenants, ntenants);
	}
	if (!r.ok || r.pos != r.len)
		return NULL;
	return out;
}

static bool
same_content(StringInfo a, StringInfo b)
{
	return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

/* ------------------------------------------------------------ the checks */

typedef struct Final
{
	bool		error;
	int			sqlerrcode;
	int64		value;
} Final;

static Final
run_final(const Agg *agg, FmgrInfo *fl, Datum state)
{
	Final		f = {0};
	Datum		args[1] = {state};
	Datum		res;
	bool		isnull;

	if (!harness_call(agg->final, fl, InvalidOid, 1, args, NULL, &res, &isnull))
	{
		f.error = true;
		f.sqlerrcode = stub_last_error.sqlerrcode;
		memset(&stub_last_error, 0, sizeof(stub_last_error));
		return f;
	}
	if (isnull)
		bug("%s final returned NULL", agg->name);
	f.value = agg->final_int32 ? DatumGetInt32(res) : DatumGetInt64(res);
	return f;
}

static void
check_final(const Agg *agg, const char *what, Final expect, Final got)
{
	if (expect.error != got.error ||
		(expect.error ? expect.sqlerrcode != got.sqlerrcode :
		 expect.value != got.value))
		bug("%s: final() of %s is %s " INT64_FORMAT ", of the accepted input %s " INT64_FORMAT,
			agg->name, what, got.error ? "ERROR" : "", got.value,
			expect.error ? "ERROR" : "", expect.value);
}

static bytea *
make_bytea(const char *data, size_t len, bool short_header)
{
	bytea	   *b;

	if (short_header && len + VARHDRSZ_SHORT <= VARATT_SHORT_MAX)
	{
		b = palloc(len + VARHDRSZ_SHORT);
		SET_VARSIZE_SHORT(b, len + VARHDRSZ_SHORT);
		memcpy(VARDATA_SHORT(b), data, len);
		return b;
	}
	b = palloc(len + VARHDRSZ);
	SET_VARSIZE(b, len + VARHDRSZ);
	memcpy(VARDATA(b), data, len);
	return b;
}

static bool
deserialize(const Agg *agg, FmgrInfo *fl, bytea *b, Datum *state)
{
	Datum		args[2] = {PointerGetDatum(b), (Datum) 0};
	bool		isnull;

	if (!harness_call(agg->deserialize, fl, InvalidOid, 2, args, NULL, state, &isnull))
		return false;
	if (isnull || DatumGetPointer(*state) == NULL)
		bug("%s deserialize returned NULL", agg->name);
	return true;
}

static bytea *
serialize(const Agg *agg, FmgrInfo *fl, Datum state, const char *what)
{
	Datum		args[1] = {state};
	Datum		res;
	bool		isnull;

	if (!harness_call(agg->serialize, fl, InvalidOid, 1, args, NULL, &res, &isnull))
		bug("%s serialize raised an ERROR on %s", agg->name, what);
	if (isnull)
		bug("%s serialize returned NULL", agg->name);
	return (bytea *) DatumGetPointer(res);
}

static Datum
combine(const Agg *agg, FmgrInfo *fl, Datum left, Datum right, const char *what)
{
	Datum		args[2] = {left, right};
	bool		nulls[2] = {left == (Datum) 0, right == (Datum) 0};
	Datum		res;
	bool		isnull;

	if (!harness_call(agg->combine, fl, InvalidOid, 2, args, nulls, &res, &isnull))
		bug("%s combine raised an ERROR (%s)", agg->name, what);
	if (isnull || DatumGetPointer(res) == NULL)
		bug("%s combine returned NULL (%s)", agg->name, what);
	return res;
}

static StringInfo
canonical_of(const Agg *agg, bytea *b, const char *what)
{
	StringInfo	c = canonical(agg->final_int32, VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));

	if (c == NULL)
		bug("%s: %s is not a well-formed state", agg->name, what);
	return c;
}

static void
check_content(const Agg *agg, StringInfo expect, bytea *b, const char *what)
{
	if (!same_content(expect, canonical_of(agg, b, what)))
		bug("%s: %s does not hold what the accepted input held", agg->name, what);
}

/* big-endian int32 at p */
static uint32
get32(const uint8 *p)
{
	return (uint32) p[0] << 24 | (uint32) p[1] << 16 | (uint32) p[2] << 8 | p[3];
}

static void
put_int_key(StringInfo s, Oid typid)
{
	static const char key[8] = {0, 0, 0, 0, 0, 0, 0, 7};

	put32(s, typid == INT8OID ? 8 : 4);
	appendBinaryStringInfo(s, key, typid == INT8OID ? 8 : 4);
}

/*
 * Combining state e with one whose keys are of another type (or collation)
 * must fail cleanly and leave e as it was.  header: the accepted input's
 * version, key type, collation.
 */
static void
check_mismatch(const Agg *agg, HarnessRun *run, FmgrInfo *fl_comb,
			   FmgrInfo *fl_final, Datum e, const uint8 *header, Final fx)
{
	Oid			typid = get32(header + 1);
	Oid			coll = get32(header + 5);
	Oid			other = (typid == INT4OID && coll == InvalidOid) ? INT8OID : INT4OID;
	StringInfoData s;
	FmgrInfo	fl_deser;
	Datum		o;
	Datum		args[2];
	Datum		res;

	blob_init(&s);
	appendStringInfoChar(&s, 1);
	put32(&s, other);
	put32(&s, InvalidOid);
	if (agg->final_int32)
	{
		put32(&s, 1);
		put_int_key(&s, other);
		appendStringInfoChar(&s, 4);
	}
	else
	{
		static const char slot[17] = {0, 0, 0, 0, 0, 0, 0, 0x22, 0x3e, 0, 0, 0, 0, 0, 0, 0, 1};

		put32(&s, 1);
		put32(&s, 2);
		appendBinaryStringInfo(&s, "E3", 2);
		put32(&s, 1);
		put_int_key(&s, other);
		put32(&s, 1);
		appendBinaryStringInfo(&s, slot, 17);
	}
	harness_flinfo(&fl_deser, run->fncxt);
	if (!deserialize(agg, &fl_deser, make_bytea(s.data, s.len, false), &o))
		bug("%s deserialize rejected the harness's own state of another key type",
			agg->name);
	args[0] = e;
	args[1] = o;
	if (harness_call(agg->combine, fl_comb, InvalidOid, 2, args, NULL, &res, NULL))
		bug("%s combine merged states with keys of types %u and %u", agg->name,
			typid, other);
	if (stub_last_error.sqlerrcode != ERRCODE_DATATYPE_MISMATCH)
		bug("%s combine of mismatched key types failed with SQLSTATE %s",
			agg->name, stub_sqlstate(stub_last_error.sqlerrcode));
	memset(&stub_last_error, 0, sizeof(stub_last_error));
	check_final(agg, "a state after a refused combine", fx, run_final(agg, fl_final, e));
}

/* combine(NULL, NULL) is NULL; final(NULL) is 0. */
static void
check_nulls(const Agg *agg, FmgrInfo *fl_comb, FmgrInfo *fl_final)
{
	Datum		args[2] = {(Datum) 0, (Datum) 0};
	bool		nulls[2] = {true, true};
	Datum		res;
	bool		isnull;

	if (!harness_call(agg->combine, fl_comb, InvalidOid, 2, args, nulls, &res, &isnull) ||
		!isnull)
		bug("%s combine(NULL, NULL) is not NULL", agg->name);
	if (!harness_call(agg->final, fl_final, InvalidOid, 1, args, nulls, &res, &isnull) ||
		isnull || (agg->final_int32 ? DatumGetInt32(res) : DatumGetInt64(res)) != 0)
		bug("%s final(NULL) is not 0", agg->name);
}

typedef struct Outcome
{
	bool		accepted;
	Final		final;
	Size		peak;			/* bytes live at most during deserialize */
	char		message[1200];	/* the ERROR of a rejection */
} Outcome;

/* Every check on one input (see the head of the file). */
static void
run_input(const uint8 *data, size_t size, Outcome *out)
{
	const Agg  *agg;
	HarnessRun	run;
	FmgrInfo	fl_deser_a;
	FmgrInfo	fl_deser_b;
	FmgrInfo	fl_ser;
	FmgrInfo	fl_final;
	FmgrInfo	fl_comb;
	bytea	   *input;
	Datum		x;
	Datum		y;
	Datum		z;
	Datum		w;
	Datum		c;
	Datum		e;
	Final		fx;
	bytea	   *s1;
	StringInfo	content;

	memset(out, 0, sizeof(Outcome));
	if (size == 0)
	{
		snprintf(out->message, sizeof(out->message), "no selector byte");
		return;
	}
	agg = &harness_aggs[data[0] & SEL_INDIVIDUALS];

	harness_begin(&run, size);
	harness_flinfo(&fl_deser_a, run.fncxt);
	harness_flinfo(&fl_deser_b, run.fncxt);
	harness_flinfo(&fl_ser, run.fncxt);
	harness_flinfo(&fl_final, run.fncxt);
	harness_flinfo(&fl_comb, run.fncxt);
	input = make_bytea((const char *) data + 1, size - 1,
					   (data[0] & SEL_SHORT_HEADER) != 0);

	stub_reset_peak();
	if (!deserialize(agg, &fl_deser_a, input, &x))
	{
		snprintf(out->message, sizeof(out->message), "%s: %s%s%s (at %s:%d)",
				 stub_sqlstate(stub_last_error.sqlerrcode),
				 stub_last_error.message,
				 stub_last_error.detail[0] ? ": " : "",
				 stub_last_error.detail,
				 stub_last_error.filename ? stub_last_error.filename : "?",
				 stub_last_error.lineno);
		harness_end(&run);
		return;
	}
	out->accepted = true;
	out->peak = stub_peak_bytes();

	/* What was accepted is what a state holds and serializes. */
	fx = run_final(agg, &fl_final, x);
	out->final = fx;
	content = canonical(agg->final_int32, (const char *) data + 1, size - 1);
	if (content == NULL)
		bug("%s deserialize accepted an input that is not a well-formed state",
			agg->name);
	s1 = serialize(agg, &fl_ser, x, "an accepted state");
	check_content(agg, content, s1, "the serialized accepted state");

	/* Round trip. */
	if (!deserialize(agg, &fl_deser_a, s1, &y))
		bug("%s deserialize rejected what serialize wrote", agg->name);
	check_final(agg, "deserialize(serialize(x))", fx, run_final(agg, &fl_final, y));
	check_content(agg, content, serialize(agg, &fl_ser, y, "a round-tripped state"),
				  "serialize(deserialize(serialize(x)))");

	/* Combine: adopt, merge with copies from this and another call site. */
	c = combine(agg, &fl_comb, (Datum) 0, x, "adopting a deserialized state");
	check_final(agg, "combine(NULL, x)", fx, run_final(agg, &fl_final, c));
	if (!deserialize(agg, &fl_deser_a, input, &z))
		bug("%s deserialize rejected, at the same call site, an input it accepted before",
			agg->name);
	c = combine(agg, &fl_comb, c, z, "merging a copy from the same call site");
	check_final(agg, "combine(x, x)", fx, run_final(agg, &fl_final, c));
	if (!deserialize(agg, &fl_deser_b, s1, &w))
		bug("%s deserialize rejected, at a new call site, what serialize wrote",
			agg->name);
	c = combine(agg, &fl_comb, c, w, "merging a copy from another call site");
	check_final(agg, "combine(combine(x, x), x')", fx, run_final(agg, &fl_final, c));
	e = combine(agg, &fl_comb, (Datum) 0, c, "merging into an empty state");
	check_final(agg, "combine(NULL, merged)", fx, run_final(agg, &fl_final, e));
	check_content(agg, content, serialize(agg, &fl_ser, e, "a merged state"),
				  "the serialized merged state");
	if (combine(agg, &fl_comb, e, (Datum) 0, "merging NULL") != e)
		bug("%s combine(x, NULL) is not x", agg->name);
	check_mismatch(agg, &run, &fl_comb, &fl_final, e, data + 1, fx);
	check_nulls(agg, &fl_comb, &fl_final);

	harness_end(&run);
}

/* ------------------------------------------------------------- libFuzzer */

int			LLVMFuzzerTestOneInput(const uint8 *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8 *data, size_t size)
{
	Outcome		out;

	run_input(data, size, &out);
	return 0;
}

#ifndef FUZZING

/* ------------------------------------------------------ the replay driver */

static char *
read_file(const char *path, size_t *size)
{
	FILE	   *f = fopen(path, "rb");
	char	   *buf = NULL;
	size_t		cap = 0;
	size_t		n = 0;

	if (f == NULL)
		return NULL;
	for (;;)
	{
		size_t		got;

		if (n == cap)
		{
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			if (buf == NULL)
				abort();
		}
		got = fread(buf + n, 1, cap - n, f);
		if (got == 0)
			break;
		n += got;
	}
	fclose(f);
	*size = n;
	return buf;
}

/* Child: run one file, print its line, exit 10 (accepted) or 11 (rejected). */
static void
replay_child(const char *path, const char *base)
{
	size_t		size;
	char	   *data = read_file(path, &size);
	Outcome		out;

	if (data == NULL)
	{
		printf("UNREADABLE %s\n", base);
		fflush(stdout);
		_exit(2);
	}
	run_input((const uint8 *) data, size, &out);
	if (out.accepted)
	{
		if (out.final.error)
			printf("ACCEPTED  %s (final: ERROR %s; %zu input bytes, %zu bytes at peak)\n",
				   base, stub_sqlstate(out.final.sqlerrcode), size, out.peak);
		else
			printf("ACCEPTED  %s (final: " INT64_FORMAT "; %zu input bytes, %zu bytes at peak)\n",
				   base, out.final.value, size, out.peak);
	}
	else
		printf("REJECTED  %s: %s\n", base, out.message);
	fflush(stdout);
	free(data);
	_exit(out.accepted ? 10 : 11);
}

static int
replay(int nfiles, char **files)
{
	int			passed = 0;
	int			failed = 0;

	for (int i = 0; i < nfiles; i++)
	{
		const char *base = strrchr(files[i], '/') ? strrchr(files[i], '/') + 1 : files[i];
		bool		want_bad = strncmp(base, "bad-", 4) == 0;
		bool		want_good = strncmp(base, "good-", 5) == 0;
		pid_t		pid;
		int			status;
		const char *problem = NULL;

		fflush(stdout);
		pid = fork();
		if (pid < 0)
		{
			perror("fork");
			return 2;
		}
		if (pid == 0)
			replay_child(files[i], base);
		if (waitpid(pid, &status, 0) != pid)
		{
			perror("waitpid");
			return 2;
		}
		if (WIFSIGNALED(status))
			problem = "crashed";
		else if (!WIFEXITED(status) ||
				 (WEXITSTATUS(status) != 10 && WEXITSTATUS(status) != 11))
			problem = "failed (a sanitizer report, an abort or unreadable)";
		else if (want_bad && WEXITSTATUS(status) == 10)
			problem = "is a bad-* input but was ACCEPTED";
		else if (want_good && WEXITSTATUS(status) == 11)
			problem = "is a good-* input but was REJECTED";

		if (problem == NULL)
			passed++;
		else
		{
			failed++;
			if (WIFSIGNALED(status))
				printf("FAIL      %s %s (signal %d)\n", base, problem, WTERMSIG(status));
			else
				printf("FAIL      %s %s\n", base, problem);
		}
	}
	printf("fuzz-replay: %d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--generate") == 0)
		return generate_corpus(argv[2]);
	if (argc < 2 || argv[1][0] == '-')
	{
		fprintf(stderr,
				"usage: %s FILE...            replay inputs (ACCEPTED/REJECTED per file)\n"
				"       %s --generate DIR     write the seed corpus into DIR\n",
				argv[0], argv[0]);
		return 2;
	}
	return replay(argc - 1, argv + 1);
}

#endif							/* !FUZZING */
