/*
 * wire.h
 *	  Reading serialized states: every field is checked against the bytes
 *	  left and every malformed state is the same error (22P03).
 */
#ifndef COMPETENCY_WIRE_H
#define COMPETENCY_WIRE_H

#include "lib/stringinfo.h"

/*
 * The version byte of a state of an aggregate's form with a rule_set
 * argument: its format's version with this bit set.
 */
#define WIRE_RULE_SET_FORM 0x80

/* Errors about malformed serialized states share one shape. */
#define STATE_ERROR(...) \
	ereport(ERROR, \
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION), \
			 errmsg("invalid serialized competency aggregate state"), \
			 errdetail(__VA_ARGS__)))

extern void wire_open(StringInfo buf, bytea *b);
extern int32 wire_getint32(StringInfo buf, const char *what);
extern int	wire_getbyte(StringInfo buf, const char *what);
extern int32 wire_getcount(StringInfo buf, int min_item_bytes,
						   const char *what);
extern int32 wire_getlength(StringInfo buf, const char *what);
extern bool wire_check_version(StringInfo buf, int version);
extern void wire_getend(StringInfo buf);

#endif							/* COMPETENCY_WIRE_H */
