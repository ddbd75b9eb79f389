/* Diagnostics of the parser engine: the --config-test exit code and the
 * reporting functions handed to keyword checkers and finish hooks. */
#include <stdio.h>
#include <stdlib.h>

#include "conf/parser_int.h"

void conf_counts_add(struct conf_diag_counts *to, const struct conf_diag_counts *from)
{
	to->warnings += from->warnings;
	for (size_t i = 0; i < sizeof(to->errors) / sizeof(to->errors[0]); i++)
		to->errors[i] += from->errors[i];
}

int conf_exit_code(const struct conf_diag_counts *c)
{
	if (!c)
		return CONF_EXIT_OK;
	if (c->errors[CONF_CLASS_FILE])
		return CONF_EXIT_FILE;
	if (c->errors[CONF_CLASS_CONFIG])
		return CONF_EXIT_CONFIG;
	if (c->errors[CONF_CLASS_SCRIPT_SEC])
		return CONF_EXIT_SCRIPT_SEC;
	return CONF_EXIT_OK;
}

/* Used only when no reader exists (the main file could not be opened and
 * the reader gave us nothing to report through). */
static void report_without_reader(struct conf_ctx *c, enum conf_sev sev, enum conf_class cls,
                                  const char *file, int line, const char *msg)
{
	struct conf_diag_counts *k = &c->tree->counts;
	const struct conf_opts *o = c->opts;

	if (sev == CONF_SEV_WARN)
		k->warnings++;
	else if ((unsigned)cls < 3)
		k->errors[cls]++;
	if (o && o->report)
		o->report(o->report_arg, sev, cls, file, line, msg);
	else if (file)
		fprintf(stderr, "(%s: Line %d) %s\n", file, line, msg);
	else
		fprintf(stderr, "%s\n", msg);
}

void conf_ctx_vreport(struct conf_ctx *c, enum conf_sev sev, enum conf_class cls, const char *file,
                      int line, const char *fmt, va_list ap)
{
	char small[512], *msg = small;
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(small, sizeof(small), fmt, cp);
	va_end(cp);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(small)) {
		msg = malloc((size_t)n + 1);
		if (msg)
			vsnprintf(msg, (size_t)n + 1, fmt, ap);
		else
			msg = small; /* the truncated text is better than nothing */
	}
	if (c->reader)
		conf_reader_report(c->reader, sev, cls, file, line, "%s", msg);
	else
		report_without_reader(c, sev, cls, file, line, msg);
	if (msg != small)
		free(msg);
}

void conf_ctx_report(struct conf_ctx *c, enum conf_sev sev, enum conf_class cls, const char *file,
                     int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_ctx_vreport(c, sev, cls, file, line, fmt, ap);
	va_end(ap);
}

void conf_error(struct conf_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_ctx_vreport(c, CONF_SEV_ERROR, CONF_CLASS_CONFIG, c->file, c->line, fmt, ap);
	va_end(ap);
}

void conf_error_class(struct conf_ctx *c, enum conf_class cls, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_ctx_vreport(c, CONF_SEV_ERROR, cls, c->file, c->line, fmt, ap);
	va_end(ap);
}

void conf_warn(struct conf_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_ctx_vreport(c, CONF_SEV_WARN, CONF_CLASS_CONFIG, c->file, c->line, fmt, ap);
	va_end(ap);
}

const char *conf_ctx_file(const struct conf_ctx *c)
{
	return c->file;
}

int conf_ctx_line(const struct conf_ctx *c)
{
	return c->line;
}

void conf_node_error(struct conf_ctx *c, const conf_node *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_ctx_vreport(c, CONF_SEV_ERROR, CONF_CLASS_CONFIG, n ? n->file : c->file,
	                 n ? n->lineno : c->line, fmt, ap);
	va_end(ap);
}

void conf_node_warn(struct conf_ctx *c, const conf_node *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_ctx_vreport(c, CONF_SEV_WARN, CONF_CLASS_CONFIG, n ? n->file : c->file,
	                 n ? n->lineno : c->line, fmt, ap);
	va_end(ap);
}
