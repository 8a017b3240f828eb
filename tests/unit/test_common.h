/* Shared helpers for the unit tests: a scratch copy of recorded debugfs
 * files, and a sink that keeps the records. */
#ifndef PS_TEST_COMMON_H
#define PS_TEST_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pollscope.h"

struct captured {
	int n;
	enum ps_rec_kind kind[256];
	char text[256][512];
	char json[256][1024];
};

static inline void capture(void *ctx, const struct ps_rec *rec)
{
	struct captured *c = ctx;
	char *j;

	if (c->n >= 256)
		return;
	c->kind[c->n] = rec->kind;
	snprintf(c->text[c->n], sizeof(c->text[0]), "%s", rec->text);
	j = ps_rec_to_json(rec);
	snprintf(c->json[c->n], sizeof(c->json[0]), "%s", j ? j : "");
	free(j);
	c->n++;
}

static inline int captured_find(const struct captured *c, const char *needle)
{
	for (int i = 0; i < c->n; i++)
		if (strstr(c->text[i], needle))
			return i;
	return -1;
}

/* Copy tests/data/NAME into a fresh temporary directory; returns its path. */
static inline char *scratch_copy(const char *name)
{
	char tmpl[] = "/tmp/pstest.XXXXXX";
	char cmd[1024];
	char *dir = mkdtemp(tmpl);

	if (!dir)
		return NULL;
	snprintf(cmd, sizeof(cmd), "cp -r '%s/%s/.' '%s/'", PS_TEST_DATA, name, dir);
	if (system(cmd) != 0)
		return NULL;
	return strdup(dir);
}

static inline void scratch_remove(char *dir)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	free(dir);
}

static inline char *read_all(const char *dir, const char *file)
{
	char path[1024];
	FILE *f;
	char *buf = calloc(1, 65536);

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (!f)
		return buf;
	buf[fread(buf, 1, 65535, f)] = '\0';
	fclose(f);
	return buf;
}

#endif
