/*
 * competency.h
 *	  The settings other files read, with their defaults.
 */
#ifndef COMPETENCY_COMPETENCY_H
#define COMPETENCY_COMPETENCY_H

#define DEFAULT_WINDOW_DAYS 28			/* competency.usage_window, flagging_window */
#define DEFAULT_GRACE_DAYS 30			/* competency.grace_days */
#define DEFAULT_MAX_STATE_KB (256 * 1024)	/* competency.max_state_memory */

/* competency.max_state_memory, in kB */
extern int	cp_max_state_kb;

extern void cp_check_state_size(Size bytes, const char *aggregate);

/* truncate.c: TRUNCATE of a rule table is refused (42501). */
extern void cp_guard_truncate_init(void);

#endif							/* COMPETENCY_COMPETENCY_H */
