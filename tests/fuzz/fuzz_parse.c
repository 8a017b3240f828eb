/*
 * libFuzzer target: the pure parsers of the core (command tokenizer, masks,
 * key=value records of every debugfs file, names, numbers, signals).
 * Besides "no crash, no sanitizer report", it checks properties that must
 * hold for any input: a parsed mask formats and parses back to itself, and a
 * tokenized line never yields more words or commands than the limits.
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

static void check_mask_roundtrip(const char *s)
{
	uint32_t m, again;
	char err[128], text[PS_MASK_TEXT];

	if (ps_mask_parse(s, &m, err, sizeof(err)) != 0)
		return;
	ps_mask_format(m, text, sizeof(text));
	if (ps_mask_parse(text, &again, err, sizeof(err)) != 0 || again != m) {
		fprintf(stderr, "mask '%s' -> 0x%x -> '%s' does not parse back\n", s, m, text);
		abort();
	}
}

static void check_tokens(const char *s)
{
	struct ps_tokens t;
	char err[256];

	if (ps_tokenize(s, &t, err, sizeof(err)) != 0)
		return;
	assert(t.ncmds >= 0 && t.ncmds <= 32);
	for (int i = 0; i < t.ncmds; i++) {
		assert(t.cmd[i].argc >= 0 && t.cmd[i].argc <= PS_TOK_MAX_WORDS);
		assert(t.cmd[i].argv[t.cmd[i].argc] == NULL);
		for (int w = 0; w < t.cmd[i].argc; w++)
			assert(t.cmd[i].argv[w] != NULL);
	}
	ps_tokens_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *copy;
	struct ps_kv kv;
	struct ps_entry e;
	struct ps_event ev;
	struct ps_object o;
	struct ps_version v;
	struct ps_inspect_head h;
	char err[256];
	int n;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	check_tokens(s);
	check_mask_roundtrip(s);
	(void)ps_parse_entry(s, &e);
	(void)ps_parse_event(s, &ev);
	(void)ps_parse_object_stats(s, &o);
	(void)ps_parse_version(s, &v);
	(void)ps_parse_inspect_header(s, &h);
	(void)ps_name_check(s, err, sizeof(err));
	(void)ps_parse_uint(s, &n);
	(void)ps_signal_parse(s);
	(void)ps_opt_value(s, "events");
	if (size < 64)
		(void)ps_edit_distance(s, "settle");
	copy = strdup(s);
	if (copy) {
		n = ps_kv_split(copy, &kv);
		assert(n < 0 || kv.n <= PS_KV_MAX);
		free(copy);
	}
	free(s);
	return 0;
}
