/*
 * libFuzzer target: the reader of recordings (--replay FILE). Any input
 * either loads or is refused with "NAME:LINE: why"; what loads is played
 * through a session (forward, back to the start, forward) and exported as a
 * trace and as text, without a crash or a sanitizer report.
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ps_recording r;
	char err[512];
	struct ps_session_opts o = { .interactive = false };
	struct ps_session *s;
	FILE *f;

	if (ps_recording_parse((const char *)data, size, "fuzz", &r, err, sizeof(err)) < 0) {
		/* refused: with the name and, past the header, the line */
		assert(strncmp(err, "fuzz:", 5) == 0);
		return 0;
	}
	f = fopen("/dev/null", "w");
	assert(f);
	ps_export_trace(&r, f, err, sizeof(err));
	ps_export_text(&r, f, err, sizeof(err));
	fclose(f);
	s = ps_session_new(&o);
	assert(s);
	assert(ps_replay_start(s, &r) == 0);
	ps_replay_forward(s, (size_t)-1);
	ps_replay_reset(s);
	ps_replay_forward(s, 1);
	ps_replay_forward(s, ps_replay_step_at(s, UINT64_MAX / 2));
	{
		size_t n;
		ps_session_waiters(s, &n);
	}
	ps_session_free(s);
	return 0;
}
