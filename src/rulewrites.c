/*
 * rulewrites.c
 *	  What a transaction's writes to the rule tables leave for its commit:
 *	  whether any is not yet flagged, and which sets were dated before the
 *	  first of them.  Kept in the backend, for the current transaction only
 *	  (never in a setting a session could change), by the rule tables'
 *	  triggers, which alone call these functions (EXECUTE is PUBLIC's on
 *	  none of them).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "storage/proc.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

PG_FUNCTION_INFO_V1(cp_rule_write_begin);
PG_FUNCTION_INFO_V1(cp_rule_was_dated);
PG_FUNCTION_INFO_V1(cp_rule_flag_due);

static LocalTransactionId noted_lxid = InvalidLocalTransactionId;
static bool flag_pending = false;
static int	n_dated = 0;
static char **dated = NULL;		/* in TopTransactionContext */

static bool
NotedThisTransaction(void)
{
	return noted_lxid != InvalidLocalTransactionId && noted_lxid == MyProc->lxid;
}

/*
 * cp_rule_write_begin(dated_now text[]): a statement writes the rule
 * tables.  The first in a transaction keeps dated_now, the sets dated
 * before any rule write of the transaction; every one leaves a flagging
 * due at commit.
 */
Datum
cp_rule_write_begin(PG_FUNCTION_ARGS)
{
	if (!NotedThisTransaction())
	{
		Datum	   *names = NULL;
		bool	   *nulls = NULL;
		int			n = 0;
		MemoryContext old;

		if (!PG_ARGISNULL(0))
			deconstruct_array(PG_GETARG_ARRAYTYPE_P(0), TEXTOID, -1, false, TYPALIGN_INT,
							  &names, &nulls, &n);
		old = MemoryContextSwitchTo(TopTransactionContext);
		dated = palloc(sizeof(char *) * Max(n, 1));
		n_dated = 0;
		for (int i = 0; i < n; i++)
		{
			if (!nulls[i])
				dated[n_dated++] = TextDatumGetCString(names[i]);
		}
		MemoryContextSwitchTo(old);
		noted_lxid = MyProc->lxid;
	}
	flag_pending = true;
	PG_RETURN_VOID();
}

/* cp_rule_was_dated(name): was the set dated before the transaction's first rule write? */
Datum
cp_rule_was_dated(PG_FUNCTION_ARGS)
{
	char	   *name;

	if (PG_ARGISNULL(0) || !NotedThisTransaction())
		PG_RETURN_BOOL(false);
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	for (int i = 0; i < n_dated; i++)
	{
		if (strcmp(dated[i], name) == 0)
			PG_RETURN_BOOL(true);
	}
	PG_RETURN_BOOL(false);
}

/*
 * cp_rule_flag_due(): true once after each run of rule writes of the
 * transaction (so the commit flags once, or each statement when the
 * constraints are immediate); false after that until the next write.
 */
Datum
cp_rule_flag_due(PG_FUNCTION_ARGS)
{
	bool		due = NotedThisTransaction() && flag_pending;

	(void) fcinfo;
	flag_pending = false;
	PG_RETURN_BOOL(due);
}
