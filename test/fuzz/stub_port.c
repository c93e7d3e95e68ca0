/*
 * stub_port.c
 *	  The bits of libpgport the harness needs: port.h turns printf & co. into
 *	  pg_printf & co. (the server's own snprintf.c) and qsort into pg_qsort.
 *	  Here they are libc's, which agree on every format this code uses.
 *	  Deliberately not including postgres.h, so the names below are libc's.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int			pg_vsnprintf(char *str, size_t count, const char *fmt, va_list args);
int			pg_snprintf(char *str, size_t count, const char *fmt,...);
int			pg_vfprintf(FILE *stream, const char *fmt, va_list args);
int			pg_fprintf(FILE *stream, const char *fmt,...);
int			pg_printf(const char *fmt,...);
void		pg_qsort(void *base, size_t nel, size_t elsize,
					 int (*cmp) (const void *, const void *));

int
pg_vsnprintf(char *str, size_t count, const char *fmt, va_list args)
{
	return vsnprintf(str, count, fmt, args);
}

int
pg_snprintf(char *str, size_t count, const char *fmt,...)
{
	va_list		ap;
	int			n;

	va_start(ap, fmt);
	n = vsnprintf(str, count, fmt, ap);
	va_end(ap);
	return n;
}

int
pg_vfprintf(FILE *stream, const char *fmt, va_list args)
{
	return vfprintf(stream, fmt, args);
}

int
pg_fprintf(FILE *stream, const char *fmt,...)
{
	va_list		ap;
	int			n;

	va_start(ap, fmt);
	n = vfprintf(stream, fmt, ap);
	va_end(ap);
	return n;
}

int
pg_printf(const char *fmt,...)
{
	va_list		ap;
	int			n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

void
pg_qsort(void *base, size_t nel, size_t elsize,
		 int (*cmp) (const void *, const void *))
{
	qsort(base, nel, elsize, cmp);
}
