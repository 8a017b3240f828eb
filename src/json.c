/* JSON output (jansson): one object per record, one per line. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "pollscope.h"

/* A record's text goes into its JSON object only when it has nothing else
 * to say: plain text lines are not records at all. */
bool ps_json_uses_text(enum ps_rec_kind kind, int nfields)
{
	if (kind == PS_REC_TEXT)
		return false;
	return nfields == 0 || kind == PS_REC_MESSAGE || kind == PS_REC_SAY || kind == PS_REC_HELP;
}

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
	if (ps_json_uses_text(rec->kind, rec->nfields)) {
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
