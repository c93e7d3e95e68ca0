/*
 * competency.c
 *	  Module entry: the settings, and the small functions that read them.
 *
 * competency.usage_window	the rolling window in which a measurement is
 *							current: whole days, 1 to 366, default 28.
 *							PostgreSQL has no day unit for settings, so it
 *							is kept in minutes and a check hook allows whole
 *							days only ('35d', '1w' and '50400min' all work).
 * competency.flagging		off pauses flagging of level changes (bulk loads);
 *							superuser, or GRANT SET ON PARAMETER.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/rls.h"
#include "utils/timestamp.h"

PG_MODULE_MAGIC;

#define MINUTES_PER_DAY 1440

static int	usage_window_minutes = 28 * MINUTES_PER_DAY;
static bool flagging_enabled = true;

void		_PG_init(void);

PG_FUNCTION_INFO_V1(cp_usage_window);
PG_FUNCTION_INFO_V1(cp_configured_usage_window);
PG_FUNCTION_INFO_V1(cp_flagging_active);
PG_FUNCTION_INFO_V1(cp_require_date);
PG_FUNCTION_INFO_V1(cp_require_window);
PG_FUNCTION_INFO_V1(cp_require_step);

static bool
CheckUsageWindow(int *newval, void **extra, GucSource source)
{
	(void) extra;
	(void) source;
	if (*newval % MINUTES_PER_DAY != 0)
	{
		GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
		GUC_check_errdetail("The usage window is a whole number of days, such as '28d'.");
		return false;
	}
	return true;
}

void
_PG_init(void)
{
	DefineCustomIntVariable("competency.usage_window",
							"Rolling window in which a usage measurement is current.",
							"A measurement counts as of date D when D - window < measured_on <= D. Whole days from 1d to 366d.",
							&usage_window_minutes,
							28 * MINUTES_PER_DAY,
							MINUTES_PER_DAY,
							366 * MINUTES_PER_DAY,
							PGC_USERSET,
							GUC_UNIT_MIN,
							CheckUsageWindow,
							NULL,
							NULL);

	DefineCustomBoolVariable("competency.flagging",
							 "Flags competency level changes after writes to the competency tables.",
							 "Turn off for a bulk load, then run cp_refresh_levels().",
							 &flagging_enabled,
							 true,
							 PGC_SUSET,
							 0,
							 NULL,
							 NULL,
							 NULL);

#if PG_VERSION_NUM >= 150000
	MarkGUCPrefixReserved("competency");
#else
	EmitWarningsOnPlaceholders("competency");
#endif
}

/* cp_usage_window(): the session's window, in days. */
Datum
cp_usage_window(PG_FUNCTION_ARGS)
{
	(void) fcinfo;
	PG_RETURN_INT32(usage_window_minutes / MINUTES_PER_DAY);
}

/*
 * cp_configured_usage_window(): the window as configured for the server,
 * database or role (its reset value), ignoring a session's SET.  Flagging
 * uses it so that one session cannot store levels nobody else would compute.
 */
Datum
cp_configured_usage_window(PG_FUNCTION_ARGS)
{
	const char *reset = GetConfigOptionResetString("competency.usage_window");
	int			minutes = pg_strtoint32(reset);

	(void) fcinfo;
	PG_RETURN_INT32(minutes / MINUTES_PER_DAY);
}

/*
 * cp_flagging_active(): should triggers flag level changes now?  Not when
 * competency.flagging is off, and not while a dump is being restored:
 * pg_restore names itself in application_name, and every pg_dump script
 * starts by turning off both check_function_bodies and row_security, which
 * ordinary sessions leave on.
 */
Datum
cp_flagging_active(PG_FUNCTION_ARGS)
{
	const char *appname = GetConfigOption("application_name", true, false);

	(void) fcinfo;
	if (!flagging_enabled)
		PG_RETURN_BOOL(false);
	if (appname != NULL && strcmp(appname, "pg_restore") == 0)
		PG_RETURN_BOOL(false);
	if (!check_function_bodies && !row_security)
		PG_RETURN_BOOL(false);
	PG_RETURN_BOOL(true);
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

/* cp_require_step(step): true, or 22023 for NULL or a step under one day. */
Datum
cp_require_step(PG_FUNCTION_ARGS)
{
	Interval	one_day = {0};

	one_day.day = 1;
	if (PG_ARGISNULL(0) ||
		DatumGetInt32(DirectFunctionCall2(interval_cmp, PG_GETARG_DATUM(0),
										  IntervalPGetDatum(&one_day))) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the step must be at least one day")));
	PG_RETURN_BOOL(true);
}
