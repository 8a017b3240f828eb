/* JSON output (jansson): one object per record, one per line. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "pollscope.h"

char *ps_rec_to_json(const struct ps_rec *rec)
{
	json_t *o;
	char *out;

	if (rec->kind == PS_REC_TEXT)
		return NULL;
	o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "type", json_string(rec->kind_name));
	for (int i = 0; i < rec->nfields; i++) {
		const struct ps_field *f = &rec->fields[i];
		json_t *v;

		switch (f->type) {
		case PS_F_INT:
			v = json_integer(f->num);
			break;
		case PS_F_BOOL:
			v = json_boolean(f->num);
			break;
		case PS_F_JSON:
			v = f->str ? json_loads(f->str, JSON_DECODE_ANY, NULL) : NULL;
			if (!v)
				v = json_null();
			break;
		default:
			v = f->str ? json_string(f->str) : json_null();
			if (!v) /* not valid UTF-8 */
				v = json_stringn_nocheck(f->str, 0);
			break;
		}
		json_object_set_new(o, f->key, v);
	}
	if (rec->nfields == 0 || rec->kind == PS_REC_MESSAGE || rec->kind == PS_REC_SAY ||
	    rec->kind == PS_REC_HELP) {
		if (!json_object_get(o, "text"))
			json_object_set_new(o, "text", json_string(rec->text));
	}
	out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return out;
}

void ps_sink_json(void *ctx, const struct ps_rec *rec)
{
	FILE *f = ctx ? ctx : stdout;
	char *s = ps_rec_to_json(rec);

	if (!s)
		return;
	fprintf(f, "%s\n", s);
	ps_sink_flush(f);
	free(s);
}
