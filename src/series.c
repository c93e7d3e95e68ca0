/*
 * series.c
 *	  cp_series_dates(start date, stop date, step interval) -> setof date:
 *	  the points of cp_evaluate_series.
 *
 * They are the dates of generate_series(start, stop, step) as PostgreSQL
 * runs it over dates (timestamp with time zone, in the session's zone):
 * each point is the one before plus the step.  Unlike generate_series, a
 * series that cannot end is refused: non-finite bounds and a step under one
 * day before any point is returned, and a step that, from some point, fails
 * to reach a later date ('1 mon -29 days' from January 30 comes back to
 * January 30) when the series gets there.  Each point is checked as it is
 * made, and a cancel or statement_timeout is honoured between points, so
 * the checks cost no more than the series itself.
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "miscadmin.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(cp_series_dates);
PG_FUNCTION_INFO_V1(cp_require_step);

typedef struct Series
{
	TimestampTz next;
	TimestampTz stop;
	Interval	step;
} Series;

static TimestampTz
Advance(TimestampTz t, Interval *step)
{
	return DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval,
												   TimestampTzGetDatum(t),
												   IntervalPGetDatum(step)));
}

static DateADT
DateOf(TimestampTz t)
{
	return DatumGetDateADT(DirectFunctionCall1(timestamptz_date,
											   TimestampTzGetDatum(t)));
}

/* A date as YYYY-MM-DD, whatever DateStyle says. */
static char *
IsoDate(DateADT d)
{
	struct pg_tm tm;
	char		buf[MAXDATELEN + 1];

	j2date(d + POSTGRES_EPOCH_JDATE, &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
	EncodeDateOnly(&tm, USE_ISO_DATES, buf);
	return pstrdup(buf);
}

/* A bound: not NULL, and finite. */
static TimestampTz
Bound(FunctionCallInfo fcinfo, int argno, const char *name)
{
	DateADT		d;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be NULL", name)));
	d = PG_GETARG_DATEADT(argno);
	if (DATE_NOT_FINITE(d))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite date", name),
				 errdetail("A series from or to infinity never ends.")));
	return DatumGetTimestampTz(DirectFunctionCall1(date_timestamptz,
												   DateADTGetDatum(d)));
}

/* Refuse a step under one day. */
static void
CheckStep(Interval *step)
{
	Interval	one_day = {0};

	one_day.day = 1;
	if (DatumGetInt32(DirectFunctionCall2(interval_cmp, IntervalPGetDatum(step),
										  IntervalPGetDatum(&one_day))) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the step must be at least one day")));
}

/* The point after t; 22023 if it falls on no later date. */
static TimestampTz
NextPoint(TimestampTz t, Interval *step)
{
	TimestampTz next = Advance(t, step);

	if (DateOf(next) <= DateOf(t))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the step does not take the series past %s",
						IsoDate(DateOf(t))),
				 errdetail("Every point of a series must fall on a later date than the one before.")));
	return next;
}

Datum
cp_series_dates(PG_FUNCTION_ARGS)
{
	FuncCallContext *fctx;
	Series	   *s;

	if (SRF_IS_FIRSTCALL())
	{
		TimestampTz start = Bound(fcinfo, 0, "start");
		TimestampTz stop = Bound(fcinfo, 1, "stop");
		MemoryContext old;

		if (PG_ARGISNULL(2))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("step must not be NULL")));
		fctx = SRF_FIRSTCALL_INIT();
		old = MemoryContextSwitchTo(fctx->multi_call_memory_ctx);
		s = palloc(sizeof(Series));
		s->next = start;
		s->stop = stop;
		s->step = *PG_GETARG_INTERVAL_P(2);
		MemoryContextSwitchTo(old);
		CheckStep(&s->step);
		fctx->user_fctx = s;
	}
	fctx = SRF_PERCALL_SETUP();
	s = (Series *) fctx->user_fctx;
	CHECK_FOR_INTERRUPTS();
	if (s->next <= s->stop)
	{
		TimestampTz t = s->next;

		s->next = NextPoint(t, &s->step);
		SRF_RETURN_NEXT(fctx, DateADTGetDatum(DateOf(t)));
	}
	SRF_RETURN_DONE(fctx);
}

/*
 * cp_require_step(step): true, or 22023 for NULL or a step under one day
 * (what cp_evaluate_series checked before version 1.3).
 */
Datum
cp_require_step(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the step must be at least one day")));
	CheckStep(PG_GETARG_INTERVAL_P(0));
	PG_RETURN_BOOL(true);
}
