/*
 * aggsite.c
 *	  The call-site cache, the context check, the rule set of a state and
 *	  the start of combine that both aggregates use.
 *
 * In serialized states of the forms with rule_set, the set follows the key
 * type: int32 length and the bytes of its name; byte problem (RuleProblemKind:
 * 0 none, 1 no such set, 2 incomplete, 3 too large), and with a problem its
 * message (int32 length, bytes).
 */
#include "postgres.h"

#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "utils/regproc.h"

#include "aggsite.h"
#include "wire.h"

static void CombineRules(StateRules *into, const StateRules *from);

/* The call site's cache in fn_extra, made on first use. */
AggSite *
agg_site(FunctionCallInfo fcinfo)
{
	AggSite    *site = (AggSite *) fcinfo->flinfo->fn_extra;

	if (site == NULL)
	{
		site = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(AggSite));
		fcinfo->flinfo->fn_extra = site;
	}
	return site;
}

/*
 * The aggregate's memory context.  Support functions take "internal", so
 * SQL can reach them only with a NULL state; anything but a call from an
 * aggregate is refused.
 */
MemoryContext
agg_context(FunctionCallInfo fcinfo)
{
	MemoryContext aggcxt;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("function %s can only be called by an aggregate",
						format_procedure(fcinfo->flinfo->fn_oid))));
	return aggcxt;
}

/*
 * The start of a combine function, the same for both aggregates: *left and
 * *right are its states (NULL for NULL).  Returns false when there is
 * nothing to merge, *left being the result (NULL for NULL): the right state
 * is NULL, or the left one is and the right one was deserialized, so
 * belongs to this aggregate and is adopted as it is.  Otherwise returns
 * true: *left is a state (made by make_left if it was NULL) whose keys are
 * of the right state's type, to merge the right one into.
 */
bool
agg_combine_begin(FunctionCallInfo fcinfo, StateLike make_left,
				  StateHead **left, StateHead **right)
{
	MemoryContext aggcxt = agg_context(fcinfo);

	*left = PG_ARGISNULL(0) ? NULL : (StateHead *) PG_GETARG_POINTER(0);
	*right = PG_ARGISNULL(1) ? NULL : (StateHead *) PG_GETARG_POINTER(1);
	if (*right == NULL)
		return false;
	if (*left == NULL)
	{
		if ((*right)->from_wire)
		{
			(*right)->from_wire = false;
			*left = *right;
			return false;
		}
		*left = make_left(aggcxt, *right);
		(*left)->rules = (*right)->rules;
	}
	keytype_check_same((*left)->kt, (*right)->kt);
	CombineRules(&(*left)->rules, &(*right)->rules);
	return true;
}

/*
 * The rule set named name (len bytes) at the call site, added if new; read
 * (with its problem if it cannot be evaluated) if read and not yet.
 */
SiteSet *
agg_site_set(FunctionCallInfo fcinfo, const char *name, int len, bool read)
{
	AggSite    *site = agg_site(fcinfo);
	MemoryContext mcxt = fcinfo->flinfo->fn_mcxt;
	SiteSet    *set;

	for (set = site->sets; set != NULL; set = set->next)
	{
		if (set->len == len && memcmp(set->name, name, len) == 0)
			break;
	}
	if (set == NULL)
	{
		set = MemoryContextAllocZero(mcxt, sizeof(SiteSet));
		set->name = MemoryContextAlloc(mcxt, len + 1);
		memcpy(set->name, name, len);
		set->name[len] = '\0';
		set->len = len;
		set->next = site->sets;
		site->sets = set;
	}
	if (read && set->rs == NULL)
		set->rs = ruleset_load(name, len, mcxt, &site->spec_fn, mcxt);
	return set;
}

/* The rules of a state of the set: its name, and what is known of it. */
void
agg_rules_of(StateRules *rules, const SiteSet *set)
{
	rules->name = set->name;
	rules->len = set->len;
	rules->rs = set->rs;
	rules->problem = set->rs != NULL ? set->rs->problem : NULL;
}

/* 22023: the rows of one aggregate call name two rule sets. */
void
agg_rules_differ(const StateRules *rules, const char *name, int len)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("the rows of one competency aggregate call name two rule sets, \"%s\" and \"%s\"",
					rules->name, pnstrdup(name, len)),
			 errhint("Group the rows by rule_set, or give every row the same one.")));
}

/* Merge the rule set of one state into another's (combine). */
static void
CombineRules(StateRules *into, const StateRules *from)
{
	if ((into->name == NULL) != (from->name == NULL))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine competency aggregate states of the forms with and without rule_set")));
	if (into->name == NULL)
		return;
	agg_rules_check(into, from->name, from->len);
	if (into->rs == NULL)
		into->rs = from->rs;
	if (into->problem == NULL)
		into->problem = from->problem;
}

/*
 * The rule set to finish a state under, raising its problem if it cannot
 * be evaluated: the built-in one, the one the state was made under, or
 * (a state from another process) the one of its name, read here.
 */
const RuleSet *
agg_rules_final(FunctionCallInfo fcinfo, const StateRules *rules)
{
	const RuleSet *rs = rules->rs;

	if (rules->problem != NULL)
		ruleset_raise(rules->problem);
	if (rs == NULL && rules->name == NULL)
		return ruleset_builtin();
	if (rs == NULL)
		rs = agg_site_set(fcinfo, rules->name, rules->len, true)->rs;
	ruleset_require(rs);
	return rs;
}

/* Append a state's rule set: its name and problem. */
void
agg_rules_send(StringInfo buf, const StateRules *rules)
{
	pq_sendint32(buf, rules->len);
	pq_sendbytes(buf, rules->name, rules->len);
	pq_sendbyte(buf, rules->problem != NULL ? rules->problem->kind : RULE_PROBLEM_NONE);
	if (rules->problem != NULL)
	{
		int			len = strlen(rules->problem->message);

		pq_sendint32(buf, len);
		pq_sendbytes(buf, rules->problem->message, len);
	}
}

/* Text of len bytes at the cursor, valid in the database's encoding. */
static const char *
RecvText(StringInfo buf, int len, const char *what)
{
	const char *p = buf->data + buf->cursor;

	if (!pg_verifymbstr(p, len, true))
		STATE_ERROR("The %s is not valid in the database's encoding.", what);
	buf->cursor += len;
	return p;
}

/*
 * Read a state's rule set (agg_rules_send) into rules, named at the call
 * site of deserialize (never read there: the name is all a state needs
 * until its final function); returns the site's set.
 */
SiteSet *
agg_rules_recv(FunctionCallInfo fcinfo, StringInfo buf, StateRules *rules)
{
	int32		len = wire_getlength(buf, "rule set's name");
	const char *name = RecvText(buf, len, "rule set's name");
	SiteSet    *set = agg_site_set(fcinfo, name, len, false);
	int			kind = wire_getbyte(buf, "rule set's problem");

	agg_rules_of(rules, set);
	if (kind > RULE_PROBLEM_LAST)
		STATE_ERROR("The rule set's problem is %d, none this library records.", kind);
	rules->problem = NULL;
	if (kind != RULE_PROBLEM_NONE)
	{
		MemoryContext mcxt = fcinfo->flinfo->fn_mcxt;
		RuleProblem *p = MemoryContextAlloc(mcxt, sizeof(RuleProblem));
		int32		mlen = wire_getlength(buf, "rule set's message");
		char	   *message = MemoryContextAlloc(mcxt, mlen + 1);

		memcpy(message, RecvText(buf, mlen, "rule set's message"), mlen);
		message[mlen] = '\0';
		p->kind = (RuleProblemKind) kind;
		p->message = message;
		rules->problem = p;
	}
	return set;
}
