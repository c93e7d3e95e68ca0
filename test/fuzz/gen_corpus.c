/*
 * gen_corpus.c
 *	  Writes the seed corpus (replay --generate DIR).
 *
 * good-*.bin: states built by running the real transition functions over a
 * few rows and serializing them (plus one merged from two call sites).
 * bad-*.bin: hand-made inputs that must be rejected, each breaking one rule
 * of the format; the bytes are written field by field, and the generator
 * first checks that its writer, fed the rows of a one-row state, produces
 * exactly what the serializer produces, so the bad inputs differ from valid
 * ones only where they mean to.
 *
 * Every file is a selector byte (harness.h) and then the state.
 */
#include "postgres.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/pg_collation_d.h"
#include "catalog/pg_type_d.h"
#include "datatype/timestamp.h"
#include "fmgr.h"
#include "utils/date.h"
#include "utils/memutils.h"
#include "utils/uuid.h"

#include "harness.h"
#include "stub.h"

static const char *outdir;
static int	nwritten;

static void
die(const char *what, const char *name)
{
	fprintf(stderr, "generate: %s (%s)", what, name);
	if (stub_last_error.message[0])
		fprintf(stderr, ": %s: %s", stub_last_error.message, stub_last_error.detail);
	fprintf(stderr, "\n");
	exit(1);
}

static void
save(const char *name, int selector, const void *data, size_t len)
{
	char		path[4096];
	FILE	   *f;
	unsigned char sel = (unsigned char) selector;

	snprintf(path, sizeof(path), "%s/%s.bin", outdir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(&sel, 1, 1, f) != 1 ||
		(len > 0 && fwrite(data, 1, len, f) != len) || fclose(f) != 0)
		die("cannot write", path);
	nwritten++;
}

/* ------------------------------------------------------- the byte writer */

#define MAX_FIELDS 64

typedef struct W
{
	unsigned char *d;
	size_t		n;
	size_t		cap;
	int			nfields;		/* field starts, for truncations */
	size_t		field_at[MAX_FIELDS];
	const char *field_name[MAX_FIELDS];
} W;

static void
w_init(W *w)
{
	memset(w, 0, sizeof(W));
}

static void
w_free(W *w)
{
	free(w->d);
	memset(w, 0, sizeof(W));
}

static void
w_raw(W *w, const char *name, const void *p, size_t n)
{
	if (w->n + n > w->cap)
	{
		w->cap = Max(w->cap * 2, w->n + n + 256);
		w->d = realloc(w->d, w->cap);
		if (w->d == NULL)
			abort();
	}
	if (name != NULL && w->nfields < MAX_FIELDS)
	{
		w->field_at[w->nfields] = w->n;
		w->field_name[w->nfields++] = name;
	}
	if (n > 0)
		memcpy(w->d + w->n, p, n);
	w->n += n;
}

static void
w8(W *w, const char *name, int v)
{
	unsigned char b = (unsigned char) v;

	w_raw(w, name, &b, 1);
}

static void
w32(W *w, const char *name, uint32 v)
{
	unsigned char b[4] = {v >> 24, v >> 16, v >> 8, v};

	w_raw(w, name, b, 4);
}

static void
w64(W *w, const char *name, uint64 v)
{
	w32(w, name, (uint32) (v >> 32));
	w32(w, NULL, (uint32) v);
}

static void
w_header(W *w, int version, Oid typid, Oid coll)
{
	w8(w, "version", version);
	w32(w, "keytype", typid);
	w32(w, "collation", coll);
}

/* key: int32 length, bytes */
static void
w_key(W *w, const void *p, int32 len)
{
	w32(w, "keylen", (uint32) len);
	w_raw(w, "key", p, len > 0 ? len : 0);
}

static void
w_key_int4(W *w, int32 v)
{
	unsigned char b[4] = {(uint32) v >> 24, (uint32) v >> 16, (uint32) v >> 8, (uint32) v};

	w_key(w, b, 4);
}

static void
w_slot(W *w, int workload, int32 sku, int32 date, int64 users)
{
	w8(w, "workload", workload);
	w32(w, "skuno", (uint32) sku);
	w32(w, "date", (uint32) date);
	w64(w, "count", (uint64) users);
}

static void
w_sku(W *w, const char *s)
{
	w32(w, "skulen", (uint32) strlen(s));
	w_raw(w, "sku", s, strlen(s));
}

static void
save_w(const char *name, int selector, W *w)
{
	save(name, selector, w->d, w->n);
	w_free(w);
}

/* ------------------------------------------------ states from real rows */

#define D2024 8766				/* 2024-01-01 as a DateADT */

typedef struct EntRow
{
	const char *tenant;
	const char *workload;
	const char *sku;
	int64		users;			/* -1: NULL */
	bool		trial;
	int32		date;
} EntRow;

typedef struct IndRow
{
	const char *person;
	const char *credential;
} IndRow;

static Datum
text_datum(const char *s)
{
	size_t		len = strlen(s);
	text	   *t = palloc(VARHDRSZ + len);

	SET_VARSIZE(t, VARHDRSZ + len);
	memcpy(VARDATA(t), s, len);
	return PointerGetDatum(t);
}

/* A key of type typid from its text form. */
static Datum
key_datum(Oid typid, const char *s)
{
	switch (typid)
	{
		case INT4OID:
		case STUB_DOMAIN_OID:
			return Int32GetDatum((int32) strtol(s, NULL, 10));
		case INT8OID:
			return Int64GetDatum(strtoll(s, NULL, 10));
		case UUIDOID:
			{
				pg_uuid_t  *u = palloc(UUID_LEN);
				int			n = 0;

				for (const char *p = s; *p && n < 2 * UUID_LEN; p++)
				{
					int			v;

					if (*p == '-')
						continue;
					v = (*p >= '0' && *p <= '9') ? *p - '0' : (*p | 0x20) - 'a' + 10;
					if (n % 2 == 0)
						u->data[n / 2] = v << 4;
					else
						u->data[n / 2] |= v;
					n++;
				}
				return PointerGetDatum(u);
			}
		case TEXTOID:
			return text_datum(s);
	}
	die("no key of that type", s);
	return (Datum) 0;
}

/* Run the transition function over rows at one call site. */
static Datum
ent_state(HarnessRun *run, Oid typid, Oid coll, const EntRow *rows, int nrows,
		  const char *name)
{
	const Agg  *agg = &harness_aggs[0];
	FmgrInfo	fl;
	Datum		st = (Datum) 0;

	harness_flinfo(&fl, run->fncxt);
	stub_set_argtype(typid);
	for (int i = 0; i < nrows; i++)
	{
		Datum		args[7];
		bool		nulls[7] = {st == (Datum) 0, rows[i].tenant == NULL, false, false,
		rows[i].users < 0, false, false};
		bool		isnull;

		args[0] = st;
		args[1] = rows[i].tenant ? key_datum(typid, rows[i].tenant) : (Datum) 0;
		args[2] = text_datum(rows[i].workload);
		args[3] = text_datum(rows[i].sku);
		args[4] = Int64GetDatum(rows[i].users);
		args[5] = BoolGetDatum(rows[i].trial);
		args[6] = DateADTGetDatum(rows[i].date);
		if (!harness_call(agg->trans, &fl, coll, 7, args, nulls, &st, &isnull))
			die("transition function failed", name);
		if (isnull)
			st = (Datum) 0;
	}
	if (st == (Datum) 0)
		die("no row made a state", name);
	return st;
}

static Datum
ind_state(HarnessRun *run, Oid typid, Oid coll, const IndRow *rows, int nrows,
		  const char *name)
{
	const Agg  *agg = &harness_aggs[1];
	FmgrInfo	fl;
	Datum		st = (Datum) 0;

	harness_flinfo(&fl, run->fncxt);
	stub_set_argtype(typid);
	for (int i = 0; i < nrows; i++)
	{
		Datum		args[3];
		bool		nulls[3] = {st == (Datum) 0, rows[i].person == NULL, false};
		bool		isnull;

		args[0] = st;
		args[1] = rows[i].person ? key_datum(typid, rows[i].person) : (Datum) 0;
		args[2] = text_datum(rows[i].credential);
		if (!harness_call(agg->trans, &fl, coll, 3, args, nulls, &st, &isnull))
			die("transition function failed", name);
		if (isnull)
			st = (Datum) 0;
	}
	if (st == (Datum) 0)
		die("no row made a state", name);
	return st;
}

static void
save_state(HarnessRun *run, int agg_index, Datum st, const char *name,
		   int extra_selector_bits)
{
	const Agg  *agg = &harness_aggs[agg_index];
	FmgrInfo	fl;
	Datum		args[1] = {st};
	Datum		res;
	bool		isnull;
	bytea	   *b;

	harness_flinfo(&fl, run->fncxt);
	if (!harness_call(agg->serialize, &fl, InvalidOid, 1, args, NULL, &res, &isnull))
		die("serialize failed", name);
	b = (bytea *) DatumGetPointer(res);
	save(name, agg_index | extra_selector_bits, VARDATA(b), VARSIZE(b) - VARHDRSZ);
}

/* ------------------------------------------------------------ good seeds */

static const EntRow ent_rows[] = {
	/* tenant 1: exchange via two spellings (one SKU), latest date wins */
	{"1", "Exchange Online", "ENTERPRISEPACK", 120, false, D2024},
	{"1", "EXO", "ENTERPRISEPACK", 90, false, D2024 - 30},
	{"1", "exchange_online", "ENTERPRISEPACK", 150, false, D2024},	/* tie: max */
	{"1", "SharePoint", "ENTERPRISEPACK", 300, false, D2024},
	{"1", "sharepoint_online", "SPE_E3", 40, false, D2024 + 1},
	{"1", "Skype for Business", "MCOSTANDARD", 10, false, D2024},
	{"1", "proplus", "OFFICESUBSCRIPTION", 500, false, D2024},
	{"1", "yammer", "YAMMER_ENTERPRISE", 7, false, D2024},
	{"1", "Teams", "ENTERPRISEPACK", 9999, false, D2024},	/* not eligible */
	{"1", "proplus", "OFFICESUBSCRIPTION", 100000, true, D2024 + 5},	/* trial */
	/* tenant 2 */
	{"2", "Office 365 ProPlus", "OFFICESUBSCRIPTION", 1200, false, D2024 - 400},
	{"2", "exchange", "EXCHANGESTANDARD", 800, false, D2024 - 2},
	{"2", "exchange", "EXCHANGESTANDARD", 0, false, D2024 - 1},
	{"2", "SPO", "SPE_E3", 3, false, D2024},
	/* tenant 3: one row; tenant 4: only NULL counts or skipped rows */
	{"3", "YAM", "YAMMER_ENTERPRISE", 2500, false, D2024 + 100},
	{"4", "exchange", "ENTERPRISEPACK", -1, false, D2024},
	{NULL, "exchange", "ENTERPRISEPACK", 5, false, D2024},
};

static const EntRow ent_rows_other[] = {
	{"2", "exchange", "EXCHANGESTANDARD", 900, false, D2024 - 2},
	{"5", "SharePoint", "SPE_E5", 77, false, D2024},
	{"1", "Skype for Business", "MCOSTANDARD", 11, false, D2024},
	{"6", "exchange", "ENTERPRISEPACK", 1, false, D2024 - 9000},
};

static const char *const int_keys[] = {"1", "2", "3", "4", "5", "6"};
static const char *const int8_keys[] = {"9007199254740993", "-42", "0", "4", "5", "6"};
static const char *const uuid_keys[] = {
	"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "00000000-0000-0000-0000-000000000000",
	"ffffffff-ffff-ffff-ffff-ffffffffffff", "123e4567-e89b-12d3-a456-426614174000",
	"6ba7b810-9dad-11d1-80b4-00c04fd430c8", "6ba7b811-9dad-11d1-80b4-00c04fd430c8"};
static const char *const text_keys[] = {"Contoso", "Fabrikam", "", "contoso", "Northwind", "Tailspin Toys"};
static const char *const ci_keys[] = {"Contoso", "Fabrikam", "", "Litware", "Northwind", "Tailspin Toys"};

/* ent_rows with tenant i renamed to keys[i - 1]. */
static EntRow *
ent_rows_keyed(const EntRow *rows, int n, const char *const *keys)
{
	EntRow	   *out = palloc(n * sizeof(EntRow));

	for (int i = 0; i < n; i++)
	{
		out[i] = rows[i];
		if (rows[i].tenant)
			out[i].tenant = keys[atoi(rows[i].tenant) - 1];
	}
	return out;
}

static void
good_entitlements(void)
{
	static const struct
	{
		const char *name;
		Oid			typid;
		Oid			coll;
		const char *const *keys;
	}			kinds[] = {
		{"good-ent-int4", INT4OID, InvalidOid, int_keys},
		{"good-ent-domain", STUB_DOMAIN_OID, InvalidOid, int_keys},
		{"good-ent-int8", INT8OID, InvalidOid, int8_keys},
		{"good-ent-uuid", UUIDOID, InvalidOid, uuid_keys},
		{"good-ent-text", TEXTOID, DEFAULT_COLLATION_OID, text_keys},
		{"good-ent-text-c", TEXTOID, C_COLLATION_OID, text_keys},
		{"good-ent-text-nondeterministic", TEXTOID, STUB_CI_COLLATION_OID, ci_keys},
	};
	int			n = lengthof(ent_rows);

	for (size_t k = 0; k < lengthof(kinds); k++)
	{
		HarnessRun	run;
		EntRow	   *rows;

		harness_begin(&run, 0);
		rows = ent_rows_keyed(ent_rows, n, kinds[k].keys);
		save_state(&run, 0, ent_state(&run, kinds[k].typid, kinds[k].coll, rows, n,
									  kinds[k].name),
				   kinds[k].name, 0);
		harness_end(&run);
	}

	/* the same, passed with a 1-byte varlena header */
	{
		HarnessRun	run;

		harness_begin(&run, 0);
		save_state(&run, 0, ent_state(&run, INT4OID, InvalidOid, ent_rows, n, "short"),
				   "good-ent-int4-short-header", SEL_SHORT_HEADER);
		harness_end(&run);
	}

	/* two call sites (two SKU dictionaries) merged */
	{
		HarnessRun	run;
		FmgrInfo	fl;
		Datum		args[2];
		Datum		merged;
		bool		isnull;

		harness_begin(&run, 0);
		args[0] = ent_state(&run, INT4OID, InvalidOid, ent_rows, n, "merged 1");
		args[1] = ent_state(&run, INT4OID, InvalidOid, ent_rows_other,
							lengthof(ent_rows_other), "merged 2");
		harness_flinfo(&fl, run.fncxt);
		if (!harness_call(harness_aggs[0].combine, &fl, InvalidOid, 2, args, NULL,
						  &merged, &isnull))
			die("combine failed", "good-ent-merged");
		save_state(&run, 0, merged, "good-ent-merged", 0);
		harness_end(&run);
	}

	/* infinite dates, and counts whose sum overflows in final() */
	{
		static const EntRow rows[] = {
			{"1", "exchange", "A", 5, false, DATEVAL_NOBEGIN},
			{"1", "exchange", "B", 6, false, DATEVAL_NOEND},
			{"2", "proplus", "C", 1, false, DATEVAL_NOEND},
			{"2", "proplus", "C", 2, false, DATEVAL_NOBEGIN},
		};
		static const EntRow big[] = {
			{"1", "exchange", "A", PG_INT64_MAX, false, D2024},
			{"1", "exchange", "B", PG_INT64_MAX, false, D2024},
		};
		HarnessRun	run;

		harness_begin(&run, 0);
		save_state(&run, 0, ent_state(&run, INT4OID, InvalidOid, rows, lengthof(rows),
									  "infinity"), "good-ent-infinite-dates", 0);
		save_state(&run, 0, ent_state(&run, INT8OID, InvalidOid, big, lengthof(big),
									  "overflow"), "good-ent-final-overflows", 0);
		harness_end(&run);
	}

	/* many tenants and SKUs: hash tables grow, arenas take new blocks */
	{
		HarnessRun	run;
		int			nrows = 1500;
		EntRow	   *rows;
		static const char *const wl[] = {"exchange", "sharepoint", "sfb", "yammer", "proplus"};

		harness_begin(&run, 0);
		rows = palloc(nrows * sizeof(EntRow));
		for (int i = 0; i < nrows; i++)
		{
			rows[i].tenant = psprintf("tenant-%d", i % 300);
			rows[i].workload = wl[i % 5];
			rows[i].sku = psprintf("SKU_%d", (i * 7) % 40);
			rows[i].users = (i * 37) % 1000;
			rows[i].trial = false;
			rows[i].date = D2024 - (i % 3);
		}
		save_state(&run, 0, ent_state(&run, TEXTOID, DEFAULT_COLLATION_OID, rows, nrows,
									  "many"), "good-ent-many", 0);
		harness_end(&run);
	}
}

static const IndRow ind_rows[] = {
	{"1", "MCSA: Office 365"},
	{"2", "70-346"},
	{"2", "Exam 70-347"},
	{"3", "70-346"},
	{"4", "70347"},
	{"4", "mcsa office 365"},
	{"5", "AZ-900"},			/* not a qualifying credential */
	{NULL, "70-346"},
};

static void
good_individuals(void)
{
	static const struct
	{
		const char *name;
		Oid			typid;
		Oid			coll;
		const char *const *keys;
	}			kinds[] = {
		{"good-ind-int4", INT4OID, InvalidOid, int_keys},
		{"good-ind-int8", INT8OID, InvalidOid, int8_keys},
		{"good-ind-uuid", UUIDOID, InvalidOid, uuid_keys},
		{"good-ind-text", TEXTOID, DEFAULT_COLLATION_OID, text_keys},
		{"good-ind-text-nondeterministic", TEXTOID, STUB_CI_COLLATION_OID, ci_keys},
	};
	int			n = lengthof(ind_rows);

	for (size_t k = 0; k < lengthof(kinds); k++)
	{
		HarnessRun	run;
		IndRow	   *rows;

		harness_begin(&run, 0);
		rows = palloc(n * sizeof(IndRow));
		for (int i = 0; i < n; i++)
		{
			rows[i] = ind_rows[i];
			if (rows[i].person)
				rows[i].person = kinds[k].keys[atoi(rows[i].person) - 1];
		}
		save_state(&run, 1, ind_state(&run, kinds[k].typid, kinds[k].coll, rows, n,
									  kinds[k].name),
				   kinds[k].name, 0);
		harness_end(&run);
	}
	{
		HarnessRun	run;

		harness_begin(&run, 0);
		save_state(&run, 1, ind_state(&run, INT4OID, InvalidOid, ind_rows, n, "short"),
				   "good-ind-int4-short-header", SEL_SHORT_HEADER);
		harness_end(&run);
	}
	{
		HarnessRun	run;
		int			nrows = 2000;
		IndRow	   *rows;
		static const char *const creds[] = {"70-346", "70-347", "MCSA: Office 365"};

		harness_begin(&run, 0);
		rows = palloc(nrows * sizeof(IndRow));
		for (int i = 0; i < nrows; i++)
		{
			rows[i].person = psprintf("%d", (i * 13) % 700);
			rows[i].credential = creds[(i / 7) % 3];
		}
		save_state(&run, 1, ind_state(&run, INT8OID, InvalidOid, rows, nrows, "many"),
				   "good-ind-many", 0);
		harness_end(&run);
	}
}

/* ------------------------------------------------------------- bad seeds */

/* One tenant (int4 7), one SKU "E3", one slot: the smallest real state. */
static void
ent_minimal(W *w)
{
	w_init(w);
	w_header(w, 1, INT4OID, InvalidOid);
	w32(w, "nskus", 1);
	w_sku(w, "E3");
	w32(w, "ntenants", 1);
	w_key_int4(w, 7);
	w32(w, "nslots", 1);
	w_slot(w, 0, 0, D2024, 25);
}

static void
ind_minimal(W *w)
{
	w_init(w);
	w_header(w, 1, INT4OID, InvalidOid);
	w32(w, "npersons", 1);
	w_key_int4(w, 7);
	w8(w, "creds", 4);
}

/* The writer must agree with the serializer, or the bad seeds mean little. */
static void
check_writer(void)
{
	static const EntRow erow[] = {{"7", "exchange", "E3", 25, false, D2024}};
	static const IndRow irow[] = {{"7", "MCSA: Office 365"}};
	HarnessRun	run;
	W			w;
	FmgrInfo	fl;
	Datum		args[1];
	Datum		res;
	bool		isnull;
	bytea	   *b;

	harness_begin(&run, 0);
	harness_flinfo(&fl, run.fncxt);

	args[0] = ent_state(&run, INT4OID, InvalidOid, erow, 1, "minimal");
	if (!harness_call(harness_aggs[0].serialize, &fl, InvalidOid, 1, args, NULL, &res, &isnull))
		die("serialize failed", "minimal");
	b = (bytea *) DatumGetPointer(res);
	ent_minimal(&w);
	if (w.n != VARSIZE(b) - VARHDRSZ || memcmp(w.d, VARDATA(b), w.n) != 0)
		die("the hand-made entitlements state differs from the serializer's", "minimal");
	w_free(&w);

	args[0] = ind_state(&run, INT4OID, InvalidOid, irow, 1, "minimal");
	if (!harness_call(harness_aggs[1].serialize, &fl, InvalidOid, 1, args, NULL, &res, &isnull))
		die("serialize failed", "minimal");
	b = (bytea *) DatumGetPointer(res);
	ind_minimal(&w);
	if (w.n != VARSIZE(b) - VARHDRSZ || memcmp(w.d, VARDATA(b), w.n) != 0)
		die("the hand-made individuals state differs from the serializer's", "minimal");
	w_free(&w);
	harness_end(&run);
}

/* Truncations of the minimal states at and inside every field. */
static void
truncations(void)
{
	for (int a = 0; a < 2; a++)
	{
		W			w;

		if (a == 0)
			ent_minimal(&w);
		else
			ind_minimal(&w);
		for (int f = 0; f < w.nfields; f++)
		{
			size_t		start = w.field_at[f];
			size_t		end = f + 1 < w.nfields ? w.field_at[f + 1] : w.n;
			char		name[128];

			snprintf(name, sizeof(name), "bad-trunc-%s-%02d-before-%s",
					 a ? "ind" : "ent", f, w.field_name[f]);
			save(name, a, w.d, start);
			if (end - start > 1)
			{
				snprintf(name, sizeof(name), "bad-trunc-%s-%02d-inside-%s",
						 a ? "ind" : "ent", f, w.field_name[f]);
				save(name, a, w.d, start + (end - start) / 2);
			}
		}
		w_free(&w);
	}
}

static void
bad_entitlements(void)
{
	W			w;
	static const unsigned char uuid15[15] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
	static const unsigned char int8_7[7] = {0, 0, 0, 0, 0, 0, 1};
	static const unsigned char int4_8[8] = {0, 0, 0, 0, 0, 0, 0, 1};

	/* version */
	for (int v = 0; v < 3; v++)
	{
		static const int versions[] = {0, 2, 255};
		char		name[64];

		ent_minimal(&w);
		w.d[0] = versions[v];
		snprintf(name, sizeof(name), "bad-ent-version-%d", versions[v]);
		save_w(name, 0, &w);
	}

	/* key type and collation */
#define ENT_ONE_INT4_TENANT(w) \
	do { \
		w32(w, "nskus", 1); w_sku(w, "E3"); w32(w, "ntenants", 1); \
		w_key_int4(w, 7); w32(w, "nslots", 1); w_slot(w, 0, 0, D2024, 25); \
	} while (0)
	w_init(&w);
	w_header(&w, 1, 12345, InvalidOid);
	ENT_ONE_INT4_TENANT(&w);
	save_w("bad-ent-keytype-unknown", 0, &w);
	w_init(&w);
	w_header(&w, 1, InvalidOid, InvalidOid);
	ENT_ONE_INT4_TENANT(&w);
	save_w("bad-ent-keytype-zero", 0, &w);
	w_init(&w);
	w_header(&w, 1, STUB_DOMAIN_OID, InvalidOid);
	ENT_ONE_INT4_TENANT(&w);
	save_w("bad-ent-keytype-domain", 0, &w);
	w_init(&w);
	w_header(&w, 1, INT4OID, 12345);
	ENT_ONE_INT4_TENANT(&w);
	save_w("bad-ent-collation-unknown", 0, &w);
	w_init(&w);
	w_header(&w, 1, INT4OID, DEFAULT_COLLATION_OID);	/* int4 takes none */
	ENT_ONE_INT4_TENANT(&w);
	save_w("bad-ent-collation-on-int4", 0, &w);
	w_init(&w);
	w_header(&w, 1, TEXTOID, InvalidOid);	/* text needs a collation */
	w32(&w, "nskus", 1);
	w_sku(&w, "E3");
	w32(&w, "ntenants", 1);
	w_key(&w, "acme", 4);
	w32(&w, "nslots", 1);
	w_slot(&w, 0, 0, D2024, 25);
	save_w("bad-ent-text-without-collation", 0, &w);

	/* key lengths */
#define ENT_KEY_CASE(name, typid, keyp, keylen) \
	do { \
		w_init(&w); w_header(&w, 1, typid, InvalidOid); \
		w32(&w, "nskus", 1); w_sku(&w, "E3"); w32(&w, "ntenants", 1); \
		w_key(&w, keyp, keylen); w32(&w, "nslots", 1); w_slot(&w, 0, 0, D2024, 25); \
		save_w(name, 0, &w); \
	} while (0)
	ENT_KEY_CASE("bad-ent-int8-key-7-bytes", INT8OID, int8_7, 7);
	ENT_KEY_CASE("bad-ent-uuid-key-15-bytes", UUIDOID, uuid15, 15);
	ENT_KEY_CASE("bad-ent-int4-key-8-bytes", INT4OID, int4_8, 8);
	ENT_KEY_CASE("bad-ent-int4-key-0-bytes", INT4OID, "", 0);
	ENT_KEY_CASE("bad-ent-key-length-negative", INT4OID, "", -1);
	/* a text key longer than what is left */
	w_init(&w);
	w_header(&w, 1, TEXTOID, DEFAULT_COLLATION_OID);
	w32(&w, "nskus", 1);
	w_sku(&w, "E3");
	w32(&w, "ntenants", 1);
	w32(&w, "keylen", 1000);
	w_raw(&w, "key", "acme", 4);
	w32(&w, "nslots", 1);
	w_slot(&w, 0, 0, D2024, 25);
	save_w("bad-ent-key-length-past-end", 0, &w);

	/* counts */
	w_init(&w);
	w_header(&w, 1, INT4OID, InvalidOid);
	w32(&w, "nskus", PG_INT32_MAX);
	w_sku(&w, "E3");
	save_w("bad-ent-nskus-int32-max", 0, &w);
	w_init(&w);
	w_header(&w, 1, INT4OID, InvalidOid);
	w32(&w, "nskus", (uint32) -1);
	save_w("bad-ent-nskus-negative", 0, &w);
	w_init(&w);
	w_header(&w, 1, INT4OID, InvalidOid);
	w32(&w, "nskus", 1);
	w32(&w, "skulen", (uint32) -1);
	save_w("bad-ent-sku-length-negative", 0, &w);
	w_init(&w);
	w_header(&w, 1, INT4OID, InvalidOid);
	w32(&w, "nskus", 1);
	w32(&w, "skulen", PG_INT32_MAX);
	w_raw(&w, "sku", "E3", 2);
	save_w("bad-ent-sku-length-int32-max", 0, &w);
	w_init(&w);
	w_header(&w, 1, INT4OID, InvalidOid);
	w32(&w, "nskus", 1);
	w_sku(&w, "E3");
	w32(&w, "ntenants", PG_INT32_MAX);
	w_key_int4(&w, 7);
	w32(&w, "nslots", 1);
	w_slot(&w, 0, 0, D2024, 25);
	save_w("bad-ent-ntenants-int32-max", 0, &w);
	w_init(&w);
	w_header(&w, 1, INT4OID, InvalidOid);
	w32(&w, "nskus", 0);
	w32(&w, "ntenants", (uint32) -1);
	save_w("bad-ent-ntenants-negative", 0, &w);
	w_init(&w);
	w_header(&w, 1, INT4OID, InvalidOid);
	w32(&w, "nskus", 1);
	w_sku(&w, "E3");
	w32(&w, "ntenants", 1);
	w_key_int4(&w, 7);
	w32(&w, "nslots", PG_INT32_MAX);
	w_slot(&w, 0, 0, D2024, 25);
	save_w("bad-ent-nslots-int32-max", 0, &w);
	w_init(&w);
	w_header(&w, 1, INT4OID, InvalidOid);
	w32(&w, "nskus", 1);
	w_sku(&w, "E3");
	w32(&w, "ntenants", 1);
	w_key_int4(&w, 7);
	w32(&w, "nslots", (uint32) -1);
	w_slot(&w, 0, 0, D2024, 25);
	save_w("bad-ent-nslots-negative", 0, &w);
	/* a tenant with no measurements, followed by a fine one so counts fit */
	w_init(&w);
	w_header(&w, 1, INT4OID, InvalidOid);
	w32(&w, "nskus", 1);
	w_sku(&w, "E3");
	w32(&w, "ntenants", 2);
	w_key_int4(&w, 7);
	w32(&w, "nslots", 0);
	w_key_int4(&w, 8);
	w32(&w, "nslots", 1);
	w_slot(&w, 0, 0, D2024, 25);
	w_slot(&w, 0, 0, D2024, 25);	/* padding: 2 tenants need 50 bytes */
	save_w("bad-ent-tenant-without-slots", 0, &w);

	/* slot fields */
#define ENT_SLOT_CASE(name, wl, sku, date, users) \
	do { \
		w_init(&w); w_header(&w, 1, INT4OID, InvalidOid); \
		w32(&w, "nskus", 2); w_sku(&w, "E3"); w_sku(&w, "E5"); w32(&w, "ntenants", 1); \
		w_key_int4(&w, 7); w32(&w, "nslots", 2); w_slot(&w, 0, 0, D2024, 25); \
		w_slot(&w, wl, sku, date, users); \
		save_w(name, 0, &w); \
	} while (0)
	ENT_SLOT_CASE("bad-ent-sku-number-equals-nskus", 1, 2, D2024, 1);
	ENT_SLOT_CASE("bad-ent-sku-number-negative", 1, -1, D2024, 1);
	ENT_SLOT_CASE("bad-ent-sku-number-int32-max", 1, PG_INT32_MAX, D2024, 1);
	ENT_SLOT_CASE("bad-ent-workload-5", 5, 1, D2024, 1);
	ENT_SLOT_CASE("bad-ent-workload-255", 255, 1, D2024, 1);
	ENT_SLOT_CASE("bad-ent-workload-sku-twice", 0, 0, D2024 - 1, 1);
	ENT_SLOT_CASE("bad-ent-active-users-negative", 1, 1, D2024, -1);
	ENT_SLOT_CASE("bad-ent-active-users-int64-min", 1, 1, D2024, PG_INT64_MIN);
	ENT_SLOT_CASE("bad-ent-date-after-range", 1, 1,
				  DATE_END_JULIAN - POSTGRES_EPOCH_JDATE, 1);
	ENT_SLOT_CASE("bad-ent-date-before-range", 1, 1,
				  DATETIME_MIN_JULIAN - POSTGRES_EPOCH_JDATE - 1, 1);
	ENT_SLOT_CASE("bad-ent-date-int32-max-minus-1", 1, 1, PG_INT32_MAX - 1, 1);

	/* duplicates */
	w_init(&w);
	w_header(&w, 1, INT4OID, InvalidOid);
	w32(&w, "nskus", 2);
	w_sku(&w, "E3");
	w_sku(&w, "E3");
	w32(&w, "ntenants", 1);
	w_key_int4(&w, 7);
	w32(&w, "nslots", 2);
	w_slot(&w, 0, 0, D2024, 25);
	w_slot(&w, 0, 1, D2024, 26);
	save_w("bad-ent-sku-string-twice", 0, &w);
	w_init(&w);
	w_header(&w, 1, INT4OID, InvalidOid);
	w32(&w, "nskus", 1);
	w_sku(&w, "E3");
	w32(&w, "ntenants", 2);
	w_key_int4(&w, 7);
	w32(&w, "nslots", 1);
	w_slot(&w, 0, 0, D2024, 25);
	w_key_int4(&w, 7);
	w32(&w, "nslots", 1);
	w_slot(&w, 1, 0, D2024, 25);
	save_w("bad-ent-tenant-twice", 0, &w);
	w_init(&w);
	w_header(&w, 1, UUIDOID, InvalidOid);
	w32(&w, "nskus", 1);
	w_sku(&w, "E3");
	w32(&w, "ntenants", 2);
	w_key(&w, "0123456789abcdef", 16);
	w32(&w, "nslots", 1);
	w_slot(&w, 0, 0, D2024, 25);
	w_key(&w, "0123456789abcdef", 16);
	w32(&w, "nslots", 1);
	w_slot(&w, 1, 0, D2024, 25);
	save_w("bad-ent-uuid-tenant-twice", 0, &w);
	/* equal under the nondeterministic collation, though not bytewise */
	w_init(&w);
	w_header(&w, 1, TEXTOID, STUB_CI_COLLATION_OID);
	w32(&w, "nskus", 1);
	w_sku(&w, "E3");
	w32(&w, "ntenants", 2);
	w_key(&w, "Contoso", 7);
	w32(&w, "nslots", 1);
	w_slot(&w, 0, 0, D2024, 25);
	w_key(&w, "CONTOSO", 7);
	w32(&w, "nslots", 1);
	w_slot(&w, 1, 0, D2024, 25);
	save_w("bad-ent-text-tenant-twice-case-insensitive", 0, &w);

	/* trailing bytes */
	ent_minimal(&w);
	w8(&w, "trailing", 0);
	save_w("bad-ent-trailing-byte", 0, &w);
	{
		W			w2;

		ent_minimal(&w);
		ent_minimal(&w2);
		w_raw(&w, "second state", w2.d, w2.n);
		w_free(&w2);
		save_w("bad-ent-two-states", 0, &w);
	}
	/* an individuals state fed to entitlements */
	ind_minimal(&w);
	save_w("bad-ent-individuals-state", 0, &w);
}

static void
bad_individuals(void)
{
	W			w;
	static const unsigned char uuid15[15] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
	static const unsigned char int8_7[7] = {0, 0, 0, 0, 0, 0, 1};

	for (int v = 0; v < 3; v++)
	{
		static const int versions[] = {0, 2, 255};
		char		name[64];

		ind_minimal(&w);
		w.d[0] = versions[v];
		snprintf(name, sizeof(name), "bad-ind-version-%d", versions[v]);
		save_w(name, 1, &w);
	}
	w_init(&w);
	w_header(&w, 1, 12345, InvalidOid);
	w32(&w, "npersons", 1);
	w_key_int4(&w, 7);
	w8(&w, "creds", 4);
	save_w("bad-ind-keytype-unknown", 1, &w);
	w_init(&w);
	w_header(&w, 1, STUB_DOMAIN_OID, InvalidOid);
	w32(&w, "npersons", 1);
	w_key_int4(&w, 7);
	w8(&w, "creds", 4);
	save_w("bad-ind-keytype-domain", 1, &w);
	w_init(&w);
	w_header(&w, 1, TEXTOID, 777);
	w32(&w, "npersons", 1);
	w_key(&w, "ann", 3);
	w8(&w, "creds", 4);
	save_w("bad-ind-collation-unknown", 1, &w);

#define IND_KEY_CASE(name, typid, keyp, keylen) \
	do { \
		w_init(&w); w_header(&w, 1, typid, InvalidOid); w32(&w, "npersons", 1); \
		w_key(&w, keyp, keylen); w8(&w, "creds", 4); save_w(name, 1, &w); \
	} while (0)
	IND_KEY_CASE("bad-ind-int8-key-7-bytes", INT8OID, int8_7, 7);
	IND_KEY_CASE("bad-ind-uuid-key-15-bytes", UUIDOID, uuid15, 15);
	IND_KEY_CASE("bad-ind-int4-key-3-bytes", INT4OID, "abc", 3);
	IND_KEY_CASE("bad-ind-key-length-negative", INT4OID, "", -2);

	w_init(&w);
	w_header(&w, 1, INT4OID, InvalidOid);
	w32(&w, "npersons", PG_INT32_MAX);
	w_key_int4(&w, 7);
	w8(&w, "creds", 4);
	save_w("bad-ind-npersons-int32-max", 1, &w);
	w_init(&w);
	w_header(&w, 1, INT4OID, InvalidOid);
	w32(&w, "npersons", (uint32) -1);
	save_w("bad-ind-npersons-negative", 1, &w);
	w_init(&w);
	w_header(&w, 1, INT4OID, InvalidOid);
	w32(&w, "npersons", 2);		/* fits 9 bytes, but one person is all */
	w_key_int4(&w, 7);
	w8(&w, "creds", 4);
	save_w("bad-ind-npersons-one-too-many", 1, &w);

	for (int i = 0; i < 3; i++)
	{
		static const int bits[] = {0, 8, 255};
		char		name[64];

		w_init(&w);
		w_header(&w, 1, INT4OID, InvalidOid);
		w32(&w, "npersons", 1);
		w_key_int4(&w, 7);
		w8(&w, "creds", bits[i]);
		snprintf(name, sizeof(name), "bad-ind-credentials-%d", bits[i]);
		save_w(name, 1, &w);
	}

	w_init(&w);
	w_header(&w, 1, INT4OID, InvalidOid);
	w32(&w, "npersons", 2);
	w_key_int4(&w, 7);
	w8(&w, "creds", 1);
	w_key_int4(&w, 7);
	w8(&w, "creds", 2);
	save_w("bad-ind-person-twice", 1, &w);
	w_init(&w);
	w_header(&w, 1, TEXTOID, DEFAULT_COLLATION_OID);
	w32(&w, "npersons", 3);
	w_key(&w, "ann", 3);
	w8(&w, "creds", 4);
	w_key(&w, "bob", 3);
	w8(&w, "creds", 4);
	w_key(&w, "ann", 3);
	w8(&w, "creds", 4);
	save_w("bad-ind-text-person-twice", 1, &w);
	w_init(&w);
	w_header(&w, 1, TEXTOID, STUB_CI_COLLATION_OID);
	w32(&w, "npersons", 2);
	w_key(&w, "ann", 3);
	w8(&w, "creds", 4);
	w_key(&w, "ANN", 3);
	w8(&w, "creds", 4);
	save_w("bad-ind-text-person-twice-case-insensitive", 1, &w);

	ind_minimal(&w);
	w8(&w, "trailing", 4);
	save_w("bad-ind-trailing-byte", 1, &w);
	ent_minimal(&w);
	save_w("bad-ind-entitlements-state", 1, &w);
}

/*
 * Inputs that once crashed (or tripped a sanitizer), kept as regressions.
 *
 * good-crash-1: a valid state whose only SKU is the empty string.  The first
 * SKU a call site interns, if empty, is copied by InternSku (entitlements.c)
 * with memcpy(copy, data, 0) where copy = arena_alloc(&dict->arena, 0) is
 * NULL: a fresh arena has cur == NULL and left == 0, and a request of 0
 * bytes does not take a block (keyhash.c, arena_alloc).  memcpy to NULL is
 * undefined even for 0 bytes; the NULL then travels on as the SKU's data.
 */
static void
regressions(void)
{
	W			w;

	w_init(&w);
	w_header(&w, 1, INT4OID, InvalidOid);
	w32(&w, "nskus", 1);
	w_sku(&w, "");
	w32(&w, "ntenants", 1);
	w_key_int4(&w, 7);
	w32(&w, "nslots", 1);
	w_slot(&w, 1, 0, D2024, 3);
	save_w("good-crash-1", 0, &w);
}

int
generate_corpus(const char *dir)
{
	outdir = dir;
	check_writer();
	good_entitlements();
	good_individuals();
	truncations();
	bad_entitlements();
	bad_individuals();
	regressions();
	printf("generate: wrote %d files into %s\n", nwritten, dir);
	return 0;
}
