/*
 * truncate.c
 *	  TRUNCATE of a rule table is refused, as its rows' triggers refuse every
 *	  write to the built-in rule set: 42501.  A BEFORE TRUNCATE trigger
 *	  refuses it on the tables no foreign key references; on cp_rule_set,
 *	  which the other four reference, PostgreSQL's own foreign-key check
 *	  (0A000) would come first, so the library refuses TRUNCATE of any rule
 *	  table before PostgreSQL looks at it, in every session that has loaded
 *	  the library (all of them with shared_preload_libraries).
 */
#include "postgres.h"

#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "commands/extension.h"
#include "nodes/parsenodes.h"
#include "tcop/utility.h"
#include "utils/lsyscache.h"

#include "competency.h"

#define EXTENSION_NAME "competency"

static ProcessUtility_hook_type prev_utility = NULL;

static const char *const rule_tables[] = {
	"cp_rule_set", "cp_rule_threshold", "cp_rule_workload",
	"cp_rule_credential", "cp_rule_association"
};

/* Is relid one of the extension's rule tables? */
static bool
IsRuleTable(Oid relid)
{
	Oid			ext = get_extension_oid(EXTENSION_NAME, true);
	char	   *name;

	if (!OidIsValid(ext) || getExtensionOfObject(RelationRelationId, relid) != ext)
		return false;
	name = get_rel_name(relid);
	for (size_t i = 0; i < lengthof(rule_tables); i++)
	{
		if (name != NULL && strcmp(name, rule_tables[i]) == 0)
			return true;
	}
	return false;
}

static void
RefuseRuleTruncate(TruncateStmt *stmt)
{
	ListCell   *lc;

	foreach(lc, stmt->relations)
	{
		RangeVar   *rv = lfirst_node(RangeVar, lc);
		Oid			relid = RangeVarGetRelid(rv, NoLock, true);

		if (OidIsValid(relid) && IsRuleTable(relid))
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("%s cannot be truncated: it holds the built-in rule set 2017-07",
							get_rel_name(relid)),
					 errhint("Delete the rows of the sets you mean (DELETE FROM cp_rule_set WHERE ... removes a set with its rows).")));
	}
}

static void
GuardUtility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
			 ProcessUtilityContext context, ParamListInfo params,
			 QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	if (IsA(pstmt->utilityStmt, TruncateStmt))
		RefuseRuleTruncate((TruncateStmt *) pstmt->utilityStmt);
	if (prev_utility)
		prev_utility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params,
								queryEnv, dest, qc);
}

void
cp_guard_truncate_init(void)
{
	prev_utility = ProcessUtility_hook;
	ProcessUtility_hook = GuardUtility;
}
