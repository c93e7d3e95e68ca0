/*
 * keyhash.h
 *	  A simplehash table keyed by prepared keys of one KeyType, which the
 *	  table's private_data points to, with each entry's hash stored.
 *
 * Like lib/simplehash.h, this is a template, included once per table
 * (hence no include guard): define SH_PREFIX and SH_ELEMENT_TYPE, an entry
 * with the members "Datum key", "uint32 hash" and "char status", then
 * include this file.  The table's functions are static inline; create the
 * table with its KeyType as private_data.
 */
#include "keytype.h"

#define SH_KEY_TYPE Datum
#define SH_KEY key
#define SH_HASH_KEY(tb, k) keytype_hash((const KeyType *) (tb)->private_data, k)
#define SH_EQUAL(tb, a, b) keytype_equal((const KeyType *) (tb)->private_data, a, b)
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) a->hash
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"
