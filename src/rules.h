/*
 * rules.h
 *	  The Cloud Productivity competency (Managed Service Partner option) in
 *	  one place: level thresholds, eligible workloads and credential paths.
 *
 * Nothing in this file knows about aggregates or SQL; a new year's rules
 * (thresholds, a new exam, another workload) change rules.c and nothing else.
 * These are the built-in rule set; ruleset.h describes them, and sets read
 * from tables, in one form.
 */
#ifndef COMPETENCY_RULES_H
#define COMPETENCY_RULES_H

#include "c.h"

/* Levels, in rank order (matches the competency_level enum's sort order). */
typedef enum CpLevel
{
	CP_LEVEL_NONE = 0,
	CP_LEVEL_SILVER = 1,
	CP_LEVEL_GOLD = 2
} CpLevel;

#define CP_NUM_LEVELS 3

typedef enum CpMarket
{
	CP_MARKET_DEVELOPED = 0,
	CP_MARKET_DEVELOPING = 1
} CpMarket;

#define CP_NUM_MARKETS 2

/* Eligible workloads; CP_WORKLOAD_NONE means "not eligible". */
typedef enum CpWorkload
{
	CP_WORKLOAD_NONE = -1,
	CP_WORKLOAD_EXCHANGE = 0,
	CP_WORKLOAD_SHAREPOINT = 1,
	CP_WORKLOAD_SKYPE = 2,
	CP_WORKLOAD_YAMMER = 3,
	CP_WORKLOAD_PROPLUS = 4
} CpWorkload;

#define CP_NUM_WORKLOADS 5

/* Credentials as bits, so a person's holdings fold into one byte. */
#define CP_CRED_70_346		0x01
#define CP_CRED_70_347		0x02
#define CP_CRED_MCSA		0x04
#define CP_CRED_ALL			0x07

#define CP_NUM_CREDENTIALS 3

StaticAssertDecl(CP_CRED_ALL == (1 << CP_NUM_CREDENTIALS) - 1,
				 "CP_CRED_ALL has the bit of every credential");
StaticAssertDecl(CP_NUM_CREDENTIALS <= 8,
				 "a person's credential bits fit one byte");

/* The paths to qualify: a person holding every credential of one. */
#define CP_NUM_PATHS 2

/* What each level requires, per market. */
typedef struct CpThresholds
{
	int64		entitlements[CP_NUM_LEVELS][CP_NUM_MARKETS];
	int32		individuals[CP_NUM_LEVELS][CP_NUM_MARKETS];
} CpThresholds;

/* An accepted spelling, folded, and the workload it names. */
typedef struct CpSpelling
{
	const char *folded;
	int			len;
	int			value;
} CpSpelling;

extern const char *const cp_level_labels[CP_NUM_LEVELS];
extern const char *const cp_market_labels[CP_NUM_MARKETS];
extern const char *const cp_workload_names[CP_NUM_WORKLOADS];

extern const char *const cp_credential_names[CP_NUM_CREDENTIALS];

/* The compiled rules as data, for describing them as a rule set. */
extern const CpSpelling cp_workload_spellings[];	/* ends with NULL */
extern const int cp_credential_paths[CP_NUM_PATHS];
extern const CpThresholds cp_builtin_thresholds;

extern int	cp_fold_text(const char *s, size_t len, char *buf, int max);

extern CpWorkload cp_workload_lookup(const char *s, size_t len);
extern int	cp_credential_lookup(const char *s, size_t len);
extern bool cp_competency_lookup(const char *s, size_t len);
extern CpLevel cp_granted_level_lookup(const char *s, size_t len);

extern int64 cp_required_entitlements_for(CpLevel level, CpMarket market);
extern int32 cp_required_individuals_for(CpLevel level);
extern CpLevel cp_level_for(CpMarket market, int64 entitlements,
							int32 individuals);
extern CpLevel cp_level_meeting(const CpThresholds *t, CpMarket market,
								int64 entitlements, int32 individuals);

#endif							/* COMPETENCY_RULES_H */
