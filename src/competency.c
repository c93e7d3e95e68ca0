/*
 * competency.c
 *	  Module entry: the settings, and the small functions that read them.
 *
 * competency.usage_window		the rolling window in which a measurement is
 *								current for a session's evaluations: whole
 *								days, 1 to 366, default 28.  PostgreSQL has
 *								no day unit for settings, so it is kept in
 *								minutes and a check hook allows whole days
 *								only ('35d', '1w' and '50400min' all work).
 * competency.flagging_window	the same for flagging and cp_refresh_levels();
 *								superuser only (or GRANT SET ON PARAMETER).
 * competency.flagging_time_zone the time zone of flagging's "today";
 *								superuser only, default UTC.
 * competency.flagging			off pauses flagging (bulk loads); superuser
 *								only.
 * competency.grace_days		days a level is still held after its
 *								membership year ends; superuser only.
 *
 * The superuser-only settings are what no writer can steer: a session SET,
 * PGOPTIONS or ALTER ROLE by the role itself cannot change them, so a loader
 * cannot make flagging store levels nobody else would compute.  One way
 * around that remains in PostgreSQL itself: a session that sets them before
 * the library is loaded (PGOPTIONS, say) makes placeholders; when the
 * library loads, PostgreSQL refuses a placeholder's value that the session's
 * role may not set, but then leaves the setting at its built-in default,
 * not at the server's or database's value.  So _PG_init notes a refused
 * placeholder, and flagging then refuses to run in that session rather than
 * evaluate with a value nobody configured.
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "pgtime.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/rls.h"
#include "utils/timestamp.h"
#include "access/xact.h"

PG_MODULE_MAGIC;

#define MINUTES_PER_DAY 1440

static int	usage_window_minutes = 28 * MINUTES_PER_DAY;
static int	flagging_window_minutes = 28 * MINUTES_PER_DAY;
static char *flagging_time_zone = NULL;
static bool flagging_enabled = true;
static int	grace_days = 30;
static const char *untrusted_setting = NULL;	/* refused at load, if any */

void		_PG_init(void);

PG_FUNCTION_INFO_V1(cp_usage_window);
PG_FUNCTION_INFO_V1(cp_configured_usage_window);
PG_FUNCTION_INFO_V1(cp_flagging_window);
PG_FUNCTION_INFO_V1(cp_flagging_date);
PG_FUNCTION_INFO_V1(cp_flagging_active);
PG_FUNCTION_INFO_V1(cp_grace_days);
PG_FUNCTION_INFO_V1(cp_staging_role);
PG_FUNCTION_INFO_V1(cp_require_date);
PG_FUNCTION_INFO_V1(cp_require_window);

/* A window is a whole number of days. */
static bool
CheckWindow(int *newval, void **extra, GucSource source)
{
	(void) extra;
	(void) source;
	if (*newval % MINUTES_PER_DAY != 0)
	{
		GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
		GUC_check_errdetail("A usage window is a whole number of days, such as '28d'.");
		return false;
	}
	return true;
}

/* A time zone is one PostgreSQL knows by name (or a POSIX zone spec). */
static bool
CheckTimeZone(char **newval, void **extra, GucSource source)
{
	pg_tz	   *tz;

	(void) extra;
	(void) source;
	tz = *newval != NULL ? pg_tzset(*newval) : NULL;
	if (tz == NULL || !pg_tz_acceptable(tz))
	{
		GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
		GUC_check_errdetail("Give a time zone name such as 'UTC' or 'Europe/Paris'.");
		return false;
	}
	return true;
}

static void
DefineWindow(const char *name, const char *desc, int *var, GucContext context)
{
	DefineCustomIntVariable(name, desc,
							"A measurement counts as of date D when D - window < measured_on <= D. Whole days from 1d to 366d.",
							var, 28 * MINUTES_PER_DAY,
							MINUTES_PER_DAY, 366 * MINUTES_PER_DAY,
							context, GUC_UNIT_MIN, CheckWindow, NULL, NULL);
}

/* A placeholder's value before the setting is defined, or NULL. */
static char *
Pending(const char *name)
{
	const char *v = GetConfigOption(name, true, false);

	return v != NULL ? pstrdup(v) : NULL;
}

/* Did a placeholder's value not become the setting's (it was refused)? */
static void
NoteRefused(const char *name, const char *pending, bool same)
{
	if (pending != NULL && !same && untrusted_setting == NULL)
		untrusted_setting = name;
}

void
_PG_init(void)
{
	MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);
	char	   *window = Pending("competency.flagging_window");
	char	   *zone = Pending("competency.flagging_time_zone");
	char	   *grace = Pending("competency.grace_days");
	int			v;

	MemoryContextSwitchTo(old);
	DefineWindow("competency.usage_window",
				 "Rolling window in which a usage measurement is current.",
				 &usage_window_minutes, PGC_USERSET);
	DefineWindow("competency.flagging_window",
				 "Rolling window flagging and cp_refresh_levels() evaluate with.",
				 &flagging_window_minutes, PGC_SUSET);
	DefineCustomStringVariable("competency.flagging_time_zone",
							   "Time zone of the date flagging evaluates as of.",
							   "Flagging and cp_refresh_levels() evaluate as of today in this time zone.",
							   &flagging_time_zone, "UTC", PGC_SUSET, 0,
							   CheckTimeZone, NULL, NULL);
	DefineCustomBoolVariable("competency.flagging",
							 "Flags competency level changes after writes to the competency tables.",
							 "Turn off for a bulk load, then run cp_refresh_levels().",
							 &flagging_enabled, true, PGC_SUSET, 0,
							 NULL, NULL, NULL);
	DefineCustomIntVariable("competency.grace_days",
							"Days a membership's level is still held after the membership year ends.",
							NULL, &grace_days, 30, 0, 365, PGC_SUSET, 0,
							NULL, NULL, NULL);
#if PG_VERSION_NUM >= 150000
	MarkGUCPrefixReserved("competency");
#else
	EmitWarningsOnPlaceholders("competency");
#endif

	NoteRefused("competency.flagging_window", window,
				window != NULL && parse_int(window, &v, GUC_UNIT_MIN, NULL) &&
				v == flagging_window_minutes);
	NoteRefused("competency.flagging_time_zone", zone,
				zone != NULL && strcmp(zone, flagging_time_zone) == 0);
	NoteRefused("competency.grace_days", grace,
				grace != NULL && parse_int(grace, &v, 0, NULL) && v == grace_days);
}

/* Flagging's settings, unless one was refused when the library loaded. */
static void
RequireTrustedSettings(void)
{
	if (untrusted_setting != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("%s was set by this session before the competency library was loaded, and refused",
						untrusted_setting),
				 errdetail("The setting is now its built-in default, not the value the server or the database configures, so flagging does not evaluate with it."),
				 errhint("Connect without setting %s, or have competency in shared_preload_libraries.",
						 untrusted_setting)));
}

/* cp_usage_window(): the session's window, in days. */
Datum
cp_usage_window(PG_FUNCTION_ARGS)
{
	(void) fcinfo;
	PG_RETURN_INT32(usage_window_minutes / MINUTES_PER_DAY);
}

/*
 * cp_configured_usage_window(): competency.usage_window's reset value, in
 * days: what flagging used before version 1.3.  Kept for databases that run
 * this library at an older version until they are updated.
 */
Datum
cp_configured_usage_window(PG_FUNCTION_ARGS)
{
	const char *reset = GetConfigOptionResetString("competency.usage_window");

	(void) fcinfo;
	PG_RETURN_INT32(pg_strtoint32(reset) / MINUTES_PER_DAY);
}

/* cp_flagging_window(): flagging's window, in days. */
Datum
cp_flagging_window(PG_FUNCTION_ARGS)
{
	(void) fcinfo;
	RequireTrustedSettings();
	PG_RETURN_INT32(flagging_window_minutes / MINUTES_PER_DAY);
}

/* cp_flagging_date(): the date of the transaction's start in flagging's zone. */
Datum
cp_flagging_date(PG_FUNCTION_ARGS)
{
	pg_tz	   *tz = pg_tzset(flagging_time_zone);
	struct pg_tm tm;
	fsec_t		fsec;
	int			offset;

	(void) fcinfo;
	RequireTrustedSettings();
	if (tz == NULL ||
		timestamp2tm(GetCurrentTransactionStartTimestamp(), &offset, &tm, &fsec,
					 NULL, tz) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot take today's date in time zone \"%s\"",
						flagging_time_zone)));
	PG_RETURN_DATEADT(date2j(tm.tm_year, tm.tm_mon, tm.tm_mday) - POSTGRES_EPOCH_JDATE);
}

/* cp_grace_days(): the setting competency.grace_days. */
Datum
cp_grace_days(PG_FUNCTION_ARGS)
{
	(void) fcinfo;
	RequireTrustedSettings();
	PG_RETURN_INT32(grace_days);
}

/* May the role (ignoring security definer functions) set competency.flagging? */
static bool
MayPauseFlagging(void)
{
	Oid			role = GetOuterUserId();

	if (superuser_arg(role))
		return true;
#if PG_VERSION_NUM >= 150000
	return pg_parameter_aclcheck("competency.flagging", role, ACL_SET) == ACLCHECK_OK;
#else
	return false;
#endif
}

/*
 * cp_flagging_active(): should triggers flag level changes now?  Not when
 * competency.flagging is off, and not while a dump is being restored by a
 * role that may pause flagging anyway: pg_restore names itself in
 * application_name, and every pg_dump script starts by turning off both
 * check_function_bodies and row_security, which ordinary sessions leave on.
 * Anyone may set those three, so for other roles they change nothing.
 */
Datum
cp_flagging_active(PG_FUNCTION_ARGS)
{
	const char *appname = GetConfigOption("application_name", true, false);
	bool		restoring;

	(void) fcinfo;
	if (!flagging_enabled)
		PG_RETURN_BOOL(false);
	restoring = (appname != NULL && strcmp(appname, "pg_restore") == 0) ||
		(!check_function_bodies && !row_security);
	PG_RETURN_BOOL(!(restoring && MayPauseFlagging()));
}

/*
 * cp_staging_role(): the role whose staged rows a session sees: the current
 * role as SET ROLE or the login made it, whatever security definer function
 * runs.
 */
Datum
cp_staging_role(PG_FUNCTION_ARGS)
{
	(void) fcinfo;
	PG_RETURN_DATUM(DirectFunctionCall1(namein,
										CStringGetDatum(GetUserNameFromId(GetOuterUserId(), false))));
}

/*
 * cp_require_date(value, name): true, or 22023 for a NULL.  Used as a qual
 * of the evaluation functions; with a constant argument the planner folds
 * it, so a bad call fails before any row is read.
 */
Datum
cp_require_date(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be NULL",
						PG_ARGISNULL(1) ? "date" : text_to_cstring(PG_GETARG_TEXT_PP(1)))));
	PG_RETURN_BOOL(true);
}

/* cp_require_window(days): true, or 22023 outside the setting's range. */
Datum
cp_require_window(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0) || PG_GETARG_INT32(0) < 1 || PG_GETARG_INT32(0) > 366)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the usage window must be between 1 and 366 days")));
	PG_RETURN_BOOL(true);
}
