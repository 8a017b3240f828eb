/* Scripted mode: run commands line by line; the first failure stops the run
 * with "FILE:LINE: message". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "session.h"

static int run_line(struct ps_session *s, const char *line, const char *name, int lineno,
		    const struct ps_sink *sink, FILE *errf)
{
	char err[1024];
	int r = ps_exec(s, line, sink, err, sizeof(err));

	if (r == PS_EXEC_ERROR) {
		fprintf(errf, "%s:%d: %s\n", name, lineno, err);
		fflush(errf);
		return 1;
	}
	if (ps_interrupted) {
		fprintf(errf, _("%s:%d: interrupted\n"), name, lineno);
		return 1;
	}
	return r == PS_EXEC_QUIT ? -1 : 0;
}

int ps_run_script_file(struct ps_session *s, FILE *f, const char *name, const struct ps_sink *sink,
		       FILE *errf)
{
	char *line = NULL;
	size_t cap = 0;
	int lineno = 0, r = 0;

	while (getline(&line, &cap, f) >= 0) {
		lineno++;
		r = run_line(s, line, name, lineno, sink, errf);
		if (r != 0)
			break;
	}
	free(line);
	return r > 0 ? 1 : 0;
}

int ps_run_script_string(struct ps_session *s, const char *text, const char *name,
			 const struct ps_sink *sink, FILE *errf)
{
	const char *p = text;
	int lineno = 0, r = 0;

	while (*p) {
		size_t n = strcspn(p, "\n");
		char *line = strndup(p, n);

		lineno++;
		if (!line)
			return 1;
		r = run_line(s, line, name, lineno, sink, errf);
		free(line);
		if (r != 0)
			break;
		p += n;
		if (*p)
			p++;
	}
	return r > 0 ? 1 : 0;
}
