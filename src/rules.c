/*
 * rules.c
 *	  The competency's rules: thresholds per level and market, the eligible
 *	  Office 365 workloads and their accepted spellings, the exams and the
 *	  certification that qualify an individual.
 *
 * Spellings are compared after folding: ASCII letters to lower case, ASCII
 * whitespace, '_', '-' and ':' dropped.  Folding stops as soon as the folded
 * text is longer than any accepted spelling, so a megabyte of text costs at
 * most one pass over its separators and never a copy.
 */
#include "postgres.h"

#include "rules.h"

const char *const cp_level_labels[CP_NUM_LEVELS] = {"none", "silver", "gold"};
const char *const cp_market_labels[CP_NUM_MARKETS] = {"developed", "developing"};
const char *const cp_workload_names[CP_NUM_WORKLOADS] = {
	"exchange_online", "sharepoint_online", "skype_for_business", "yammer",
	"proplus"
};
/* Canonical credential names, by bit number. */
const char *const cp_credential_names[CP_NUM_CREDENTIALS] = {"70-346", "70-347", "MCSA: Office 365"};

/*
 * Performance requirement: active entitlements per level and market; skills
 * requirement: qualified individuals per level (the same in both markets).
 */
const CpThresholds cp_builtin_thresholds = {
	.entitlements = {
		/* developed, developing */
		{0, 0},					/* none */
		{2000, 1000},			/* silver */
		{4000, 4000}			/* gold */
	},
	.individuals = {
		{0, 0},					/* none */
		{1, 1},					/* silver */
		{2, 2}					/* gold */
	}
};

/* Either both exams, or the certification. */
const int	cp_credential_paths[CP_NUM_PATHS] = {
	CP_CRED_70_346 | CP_CRED_70_347,
	CP_CRED_MCSA
};

#define SP(s, v) {s, sizeof(s) - 1, v}

const CpSpelling cp_workload_spellings[] = {
	SP("exchangeonline", CP_WORKLOAD_EXCHANGE),
	SP("exchange", CP_WORKLOAD_EXCHANGE),
	SP("exo", CP_WORKLOAD_EXCHANGE),
	SP("sharepointonline", CP_WORKLOAD_SHAREPOINT),
	SP("sharepoint", CP_WORKLOAD_SHAREPOINT),
	SP("spo", CP_WORKLOAD_SHAREPOINT),
	SP("skypeforbusiness", CP_WORKLOAD_SKYPE),
	SP("skypeforbusinessonline", CP_WORKLOAD_SKYPE),
	SP("sfb", CP_WORKLOAD_SKYPE),
	SP("yammer", CP_WORKLOAD_YAMMER),
	SP("yam", CP_WORKLOAD_YAMMER),
	SP("proplus", CP_WORKLOAD_PROPLUS),
	SP("office365proplus", CP_WORKLOAD_PROPLUS),
	{NULL, 0, 0}
};

/* Credentials; an optional leading word "exam" is removed before lookup. */
static const CpSpelling credential_spellings[] = {
	SP("70346", CP_CRED_70_346),
	SP("70347", CP_CRED_70_347),
	SP("mcsaoffice365", CP_CRED_MCSA),
	{NULL, 0, 0}
};

/* The competency this extension evaluates, as Partner Center names it. */
static const CpSpelling competency_spellings[] = {
	SP("cloudproductivity", 1),
	{NULL, 0, 0}
};

/* Levels a membership grants. */
static const CpSpelling granted_level_spellings[] = {
	SP("silver", CP_LEVEL_SILVER),
	SP("gold", CP_LEVEL_GOLD),
	{NULL, 0, 0}
};

/* Longer than every accepted folded spelling, "exam" prefix included. */
#define FOLD_MAX 24

/*
 * Fold s into buf; returns the folded length, or -1 when the folded text
 * would be longer than max bytes (and so cannot be an accepted spelling).
 */
static inline int
FoldSpelling(const char *s, size_t len, char *buf, int max)
{
	int			n = 0;

	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
			c == '\v' || c == '_' || c == '-' || c == ':')
			continue;
		if (n >= max)
			return -1;
		/*
		 * pg_ascii_tolower, written out: PostgreSQL 15 has it only as an
		 * out-of-line function, and a call for every byte would slow each
		 * row of cp_qualified_individuals.
		 */
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		buf[n++] = (char) c;
	}
	return n;
}

/*
 * The folded form of s in buf, or -1 if it is longer than max bytes (a
 * buffer of len bytes holds any folded form).
 */
int
cp_fold_text(const char *s, size_t len, char *buf, int max)
{
	return FoldSpelling(s, len, buf, max);
}

/* Look the folded text up in a table; -1 when absent. */
static int
LookupFolded(const CpSpelling *table, const char *buf, int n)
{
	for (const CpSpelling *sp = table; sp->folded != NULL; sp++)
	{
		if (sp->len == n && memcmp(sp->folded, buf, n) == 0)
			return sp->value;
	}
	return -1;
}

/* The value of a spelling in a table, or -1. */
static int
Lookup(const CpSpelling *table, const char *s, size_t len)
{
	char		buf[FOLD_MAX];
	int			n = FoldSpelling(s, len, buf, FOLD_MAX);

	return n > 0 ? LookupFolded(table, buf, n) : -1;
}

/* Canonical workload of a spelling, or CP_WORKLOAD_NONE if not eligible. */
CpWorkload
cp_workload_lookup(const char *s, size_t len)
{
	int			v = Lookup(cp_workload_spellings, s, len);

	return v < 0 ? CP_WORKLOAD_NONE : (CpWorkload) v;
}

/* Credential bit of a spelling, or 0 if it is not a qualifying credential. */
int
cp_credential_lookup(const char *s, size_t len)
{
	char		buf[FOLD_MAX];
	int			n = FoldSpelling(s, len, buf, FOLD_MAX);
	int			v;

	if (n <= 0)
		return 0;
	v = LookupFolded(credential_spellings, buf, n);
	if (v < 0 && n > 4 && memcmp(buf, "exam", 4) == 0)
		v = LookupFolded(credential_spellings, buf + 4, n - 4);
	return v < 0 ? 0 : v;
}

/* Is this a spelling of the Cloud Productivity competency's name? */
bool
cp_competency_lookup(const char *s, size_t len)
{
	return Lookup(competency_spellings, s, len) > 0;
}

/* The level a spelling names (Silver or Gold), or CP_LEVEL_NONE. */
CpLevel
cp_granted_level_lookup(const char *s, size_t len)
{
	int			v = Lookup(granted_level_spellings, s, len);

	return v < 0 ? CP_LEVEL_NONE : (CpLevel) v;
}

int64
cp_required_entitlements_for(CpLevel level, CpMarket market)
{
	return cp_builtin_thresholds.entitlements[level][market];
}

int32
cp_required_individuals_for(CpLevel level)
{
	return cp_builtin_thresholds.individuals[level][CP_MARKET_DEVELOPED];
}

/*
 * The highest level both of whose requirements under t are met in the
 * market: gold is checked first, so thresholds need not rise with the level.
 */
CpLevel
cp_level_meeting(const CpThresholds *t, CpMarket market, int64 entitlements,
				 int32 individuals)
{
	for (int l = CP_NUM_LEVELS - 1; l > CP_LEVEL_NONE; l--)
	{
		if (entitlements >= t->entitlements[l][market] &&
			individuals >= t->individuals[l][market])
			return (CpLevel) l;
	}
	return CP_LEVEL_NONE;
}

/* The highest level both of whose requirements are met. */
CpLevel
cp_level_for(CpMarket market, int64 entitlements, int32 individuals)
{
	return cp_level_meeting(&cp_builtin_thresholds, market, entitlements,
							individuals);
}
