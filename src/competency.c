/*
 * competency.c
 *	  Module entry: the settings, and the small functions that read them.
 *
 * competency.usage_window		the rolling window in which a measurement is
 *								current for a session's evaluations: whole
 *								days, 1 to 366, default 28.  PostgreSQL has
 *								no day unit for settings, so it is kept in
 *								minutes and a check hook allows whole days
 *								only ('35d', '672h' and '50400min' all work).
 * competency.flagging_window	the same for flagging and cp_refresh_levels();
 *								superuser only (or GRANT SET ON PARAMETER).
 * competency.flagging_time_zone the time zone of flagging's "today";
 *								superuser only, default UTC.
 * competency.flagging			off pauses flagging (bulk loads); superuser
 *								only.
 * competency.grace_days		days a level is still held after its
 *								membership year ends; superuser only.
 * competency.max_state_memory	the most memory one aggregate state may
 *								take; superuser only, default 256MB.
 *
 * The superuser-only settings are what no writer can steer: a session SET,
 * PGOPTIONS or ALTER ROLE by the role itself cannot change them, so a loader
 * cannot make flagging store levels nobody else would compute.  One way
 * around that remains in PostgreSQL itself: a session that sets them before
 * the library is loaded (PGOPTIONS, say) makes placeholders, and a value
 * given by the client outranks the server's and the database's.  When the
 * library loads, PostgreSQL refuses a placeholder's value that the role
 * which set it may not set, but then leaves the setting at its built-in
 * default, not at the value the server or the database configures.  So
 * _PG_init notes every placeholder of flagging's settings that a role set
 * in a context without superuser rights (PostgreSQL records who set each
 * value), whatever its value, and flagging refuses to run in that session
 * unless that role may set the setting.
 */
#include "postgres.h"

#include <limits.h>

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
#include "utils/guc_tables.h"

#include "competency.h"

PG_MODULE_MAGIC;

#define MINUTES_PER_DAY 1440
#define MAX_WINDOW_DAYS 366		/* the longest usage window */

static int	usage_window_minutes = DEFAULT_WINDOW_DAYS * MINUTES_PER_DAY;
static int	flagging_window_minutes = DEFAULT_WINDOW_DAYS * MINUTES_PER_DAY;
static char *flagging_time_zone = NULL;
static bool flagging_enabled = true;
static int	grace_days = DEFAULT_GRACE_DAYS;
int			cp_max_state_kb = DEFAULT_MAX_STATE_KB;

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
PG_FUNCTION_INFO_V1(cp_window_start);

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
							var, DEFAULT_WINDOW_DAYS * MINUTES_PER_DAY,
							MINUTES_PER_DAY, MAX_WINDOW_DAYS * MINUTES_PER_DAY,
							context, GUC_UNIT_MIN, CheckWindow, NULL, NULL);
}

/*
 * Flagging's settings, and the roles that set a placeholder of one of them
 * before the library was loaded without superuser rights: each must be
 * allowed to set it (GRANT SET ON PARAMETER) for flagging to run.
 */
static const char *const flagging_settings[] = {
	"competency.flagging_window",
	"competency.flagging_time_zone",
	"competency.grace_days",
};

#define MAX_UNTRUSTED 8
typedef struct Untrusted
{
	const char *name;
	Oid			role;
} Untrusted;
static Untrusted untrusted[MAX_UNTRUSTED];
static int	n_untrusted = 0;

/* Was a value set in a context of a role without superuser rights? */
static bool
UserContext(GucContext context)
{
	return context == PGC_USERSET || context == PGC_BACKEND;
}

static void
NoteSetter(const char *name, GucContext context, Oid role)
{
	if (!UserContext(context) || n_untrusted >= MAX_UNTRUSTED)
		return;
	for (int i = 0; i < n_untrusted; i++)
		if (untrusted[i].name == name && untrusted[i].role == role)
			return;
	untrusted[n_untrusted].name = name;
	untrusted[n_untrusted].role = role;
	n_untrusted++;
}

/*
 * Note who set the placeholders of flagging's settings: the current value,
 * the reset value (a client's value is also the reset value) and every
 * value stacked by an open transaction.  No catalog is read here: whether
 * such a role may set the setting is asked when flagging runs.
 */
static void
NotePlaceholders(void)
{
	struct config_generic **vars = get_guc_variables();
	int			nvars = GetNumConfigOptions();

	for (int i = 0; i < nvars; i++)
	{
		struct config_generic *g = vars[i];
		const char *name = NULL;

		if (!(g->flags & GUC_CUSTOM_PLACEHOLDER))
			continue;
		for (size_t k = 0; k < lengthof(flagging_settings); k++)
			if (pg_strcasecmp(g->name, flagging_settings[k]) == 0)
				name = flagging_settings[k];
		if (name == NULL)
			continue;
		if (g->source != PGC_S_DEFAULT)
			NoteSetter(name, g->scontext, g->srole);
		if (g->reset_source != PGC_S_DEFAULT)
			NoteSetter(name, g->reset_scontext, g->reset_srole);
		for (GucStack *st = g->stack; st != NULL; st = st->prev)
		{
			NoteSetter(name, st->scontext, st->srole);
			NoteSetter(name, st->masked_scontext, st->masked_srole);
		}
	}
}

void
_PG_init(void)
{
	NotePlaceholders();
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
							NULL, &grace_days, DEFAULT_GRACE_DAYS, 0, 365, PGC_SUSET, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("competency.max_state_memory",
							"Most memory one competency aggregate state may take.",
							"A state that would grow past it stops the query with SQLSTATE 54000.",
							&cp_max_state_kb, DEFAULT_MAX_STATE_KB, 64, MAX_KILOBYTES,
							PGC_SUSET, GUC_UNIT_KB, NULL, NULL, NULL);
	MarkGUCPrefixReserved("competency");
	cp_guard_truncate_init();
}

/*
 * Flagging's settings, unless a role that may not set one set it before the
 * library was loaded: PostgreSQL then refused the value and left the
 * setting at its built-in default, whatever the server or the database
 * configures.
 */
static void
RequireTrustedSettings(void)
{
	for (int i = 0; i < n_untrusted; i++)
	{
		Oid			role = untrusted[i].role;
		const char *who;

		if (superuser_arg(role) ||
			pg_parameter_aclcheck(untrusted[i].name, role, ACL_SET) == ACLCHECK_OK)
			continue;
		who = GetUserNameFromId(role, true);
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("%s was set by role \"%s\" before the competency library was loaded, and refused",
						untrusted[i].name, who != NULL ? who : "(dropped)"),
				 errdetail("Only a superuser, or a role granted SET on it, sets %s; the refused value leaves it at its built-in default, not the value the server or the database configures, so flagging does not evaluate with it.",
						   untrusted[i].name),
				 errhint("Connect without setting %s (PGOPTIONS, the connection string, or SET before the library loads), or have a superuser add competency to shared_preload_libraries.",
						 untrusted[i].name)));
	}
}

/*
 * 54000 if one aggregate state would take more than
 * competency.max_state_memory.
 */
void
cp_check_state_size(Size bytes, const char *aggregate)
{
	if (bytes / 1024 > (Size) cp_max_state_kb)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a %s state would take more than competency.max_state_memory (%dkB)",
						aggregate, cp_max_state_kb),
				 errdetail("One group's rows make a state of about %zu kB.", bytes / 1024),
				 errhint("Group the rows more finely, or have a superuser raise competency.max_state_memory.")));
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

/*
 * cp_grace_days(): the setting competency.grace_days.  Every evaluation of
 * a status reads it, so it does not refuse: flagging, which must not use a
 * refused value, refuses through cp_flagging_window() and cp_flagging_date().
 */
Datum
cp_grace_days(PG_FUNCTION_ARGS)
{
	(void) fcinfo;
	PG_RETURN_INT32(grace_days);
}

/* May the role (ignoring security definer functions) set competency.flagging? */
static bool
MayPauseFlagging(void)
{
	Oid			role = GetOuterUserId();

	return superuser_arg(role) ||
		pg_parameter_aclcheck("competency.flagging", role, ACL_SET) == ACLCHECK_OK;
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

/* The argument's name in messages: name, or "date". */
static const char *
ArgName(FunctionCallInfo fcinfo, int argno)
{
	return PG_ARGISNULL(argno) ? "date" : text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

/*
 * cp_require_date(value, name): true, or 22023 for a NULL or an infinite
 * date (an evaluation is as of a day).  Used as a qual of the evaluation
 * functions; with a constant argument the planner folds it, so a bad call
 * fails before any row is read.
 */
static void
RequireDate(FunctionCallInfo fcinfo, int argno, int nameno)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be NULL", ArgName(fcinfo, nameno))));
	if (DATE_NOT_FINITE(PG_GETARG_DATEADT(argno)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite date", ArgName(fcinfo, nameno)),
				 errdetail("Competency is evaluated as of a day; infinity and -infinity name none.")));
}

Datum
cp_require_date(PG_FUNCTION_ARGS)
{
	RequireDate(fcinfo, 0, 1);
	PG_RETURN_BOOL(true);
}

/* 22023 unless the argument is a window of 1 to MAX_WINDOW_DAYS days. */
static void
RequireWindow(FunctionCallInfo fcinfo, int argno)
{
	if (PG_ARGISNULL(argno) || PG_GETARG_INT32(argno) < 1 ||
		PG_GETARG_INT32(argno) > MAX_WINDOW_DAYS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the usage window must be between 1 and %d days",
						MAX_WINDOW_DAYS)));
}

/* cp_require_window(days): true, or 22023 outside the setting's range. */
Datum
cp_require_window(PG_FUNCTION_ARGS)
{
	RequireWindow(fcinfo, 0);
	PG_RETURN_BOOL(true);
}

/*
 * cp_window_start(as_of, window_days, name): the last day before the usage
 * window of as_of (a measurement is current when it is later than this and
 * not later than as_of).  22023 for a NULL or infinite date or a window out
 * of range; 22008, naming the argument, when the window would start before
 * the earliest date PostgreSQL has.
 */
Datum
cp_window_start(PG_FUNCTION_ARGS)
{
	DateADT		as_of;
	int32		days;

	RequireDate(fcinfo, 0, 2);
	RequireWindow(fcinfo, 1);
	as_of = PG_GETARG_DATEADT(0);
	days = PG_GETARG_INT32(1);
	if (!IS_VALID_DATE((int64) as_of - days))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("%s is out of range for an evaluation", ArgName(fcinfo, 2)),
				 errdetail("Its usage window of %d days would start before the earliest date, 4714-11-24 BC.",
						   days)));
	PG_RETURN_DATEADT(as_of - days);
}
