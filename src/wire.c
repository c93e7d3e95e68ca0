/*
 * wire.c
 *	  Bounds-checked readers for serialized states.
 */
#include "postgres.h"

#include "libpq/pqformat.h"

#include "wire.h"

/* Point buf at the bytes of a serialized state. */
void
wire_open(StringInfo buf, bytea *b)
{
	buf->data = VARDATA_ANY(b);
	buf->len = VARSIZE_ANY_EXHDR(b);
	buf->maxlen = buf->len;
	buf->cursor = 0;
}

int32
wire_getint32(StringInfo buf, const char *what)
{
	if (buf->len - buf->cursor < 4)
		STATE_ERROR("The state ends before its %s.", what);
	return (int32) pq_getmsgint(buf, 4);
}

int
wire_getbyte(StringInfo buf, const char *what)
{
	if (buf->len - buf->cursor < 1)
		STATE_ERROR("The state ends before its %s.", what);
	return pq_getmsgbyte(buf);
}

/* A count of items, each at least min_item_bytes long, that must fit. */
int32
wire_getcount(StringInfo buf, int min_item_bytes, const char *what)
{
	int32		n = wire_getint32(buf, what);

	if (n < 0 || (int64) n * min_item_bytes > buf->len - buf->cursor)
		STATE_ERROR("A count of %d %s does not fit the %d bytes left.",
					n, what, buf->len - buf->cursor);
	return n;
}

/* The length of a field that follows, which must fit. */
int32
wire_getlength(StringInfo buf, const char *what)
{
	int32		len = wire_getint32(buf, what);

	if (len < 0 || len > buf->len - buf->cursor)
		STATE_ERROR("A %s length of %d does not fit the %d bytes left.",
					what, len, buf->len - buf->cursor);
	return len;
}

/*
 * The format version byte, which must be the one this library writes, of
 * either form: returns whether it is of the form with rule_set.
 */
bool
wire_check_version(StringInfo buf, int version)
{
	int			v = wire_getbyte(buf, "version");

	if (v != version && v != (version | WIRE_RULE_SET_FORM))
		STATE_ERROR("The state has format version %d; this library reads versions %d and %d.",
					v, version, version | WIRE_RULE_SET_FORM);
	return v != version;
}

void
wire_getend(StringInfo buf)
{
	if (buf->cursor != buf->len)
		STATE_ERROR("%d bytes follow the end of the state.",
					buf->len - buf->cursor);
}
