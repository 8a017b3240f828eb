/* Records: building them (ps_emit) and the plain text sink. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"

const char *ps_rec_kind_name(enum ps_rec_kind k)
{
	static const char *const names[] = {
		[PS_REC_TEXT] = "text",	    [PS_REC_MESSAGE] = "message",
		[PS_REC_OBJECT] = "object", [PS_REC_ENTRY] = "entry",
		[PS_REC_WAITER] = "waiter", [PS_REC_PROCESS] = "process",
		[PS_REC_RESULT] = "result", [PS_REC_EVENT] = "event",
		[PS_REC_STATS] = "stats",   [PS_REC_VERSION] = "version",
		[PS_REC_SAY] = "say",	    [PS_REC_HELP] = "help",
		[PS_REC_VALUE] = "value",   [PS_REC_FD] = "fd",
		[PS_REC_HEAD] = "head",	    [PS_REC_COST] = "cost",
	};
	if ((unsigned)k < sizeof(names) / sizeof(names[0]) && names[k])
		return names[k];
	return "unknown";
}

static void emit_va(const struct ps_sink *sink, enum ps_rec_kind kind, const void *data,
		    const struct ps_field *fields, int nfields, const char *fmt, va_list ap)
{
	char text[1024];
	struct ps_rec rec;

	if (!sink || !sink->record)
		return;
	vsnprintf(text, sizeof(text), fmt, ap);
	rec.kind = kind;
	rec.kind_name = ps_rec_kind_name(kind);
	rec.text = text;
	rec.nfields = nfields;
	rec.fields = fields;
	rec.data = data;
	sink->record(sink->ctx, &rec);
}

void ps_emit(const struct ps_sink *sink, enum ps_rec_kind kind, const void *data,
	     const struct ps_field *fields, int nfields, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit_va(sink, kind, data, fields, nfields, fmt, ap);
	va_end(ap);
}

void ps_emit_text(const struct ps_sink *sink, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit_va(sink, PS_REC_TEXT, NULL, NULL, 0, fmt, ap);
	va_end(ap);
}

void ps_sink_text(void *ctx, const struct ps_rec *rec)
{
	FILE *f = ctx ? ctx : stdout;

	fprintf(f, "%s\n", rec->text);
	fflush(f);
}
