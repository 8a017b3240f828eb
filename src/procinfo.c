/* Process states through libproc2: state letter, wchan, comm for a pid list. */
#include <libproc2/pids.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procinfo.h"

enum { I_PID, I_STATE, I_WCHAN, I_CMD };

static enum pids_item items[] = { PIDS_ID_PID, PIDS_STATE, PIDS_WCHAN_NAME, PIDS_CMD };

/*
 * procps_pids_select() fills a fixed id array of 255 entries (FILL_ID_MAX in
 * procps' pids.c) and returns NULL for a longer list, so ask in chunks.
 */
#define PROCINFO_CHUNK 255

struct pid_slot {
	pid_t pid;
	int idx;
};

static int slot_cmp(const void *a, const void *b)
{
	const struct pid_slot *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* Copy one libproc2 result into every out[] slot that asked for its pid. */
static int procinfo_store(struct pids_info *info, struct pids_stack *st,
			  const struct pid_slot *slots, int n, struct ps_procinfo *out)
{
	struct pid_slot key = { .pid = PIDS_VAL(I_PID, s_int, st, info) };
	const char *w = PIDS_VAL(I_WCHAN, str, st, info);
	const char *c = PIDS_VAL(I_CMD, str, st, info);
	const struct pid_slot *hit = bsearch(&key, slots, (size_t)n, sizeof(*slots), slot_cmp);
	int found = 0;

	if (!hit)
		return 0;
	while (hit > slots && hit[-1].pid == key.pid)
		hit--;
	for (; hit < slots + n && hit->pid == key.pid; hit++) {
		struct ps_procinfo *pi = &out[hit->idx];

		pi->exists = true;
		pi->state = (char)PIDS_VAL(I_STATE, s_ch, st, info);
		snprintf(pi->wchan, sizeof(pi->wchan), "%s",
			 (w && *w && strcmp(w, "0") != 0) ? w : "-");
		snprintf(pi->comm, sizeof(pi->comm), "%s", c ? c : "-");
		found++;
	}
	return found;
}

/*
 * Fills out[i] for pids[i]; a pid that does not exist keeps state '-'.
 * Returns how many were found, or -1 when libproc2 could not be asked (then
 * no state is known and the caller must not treat '-' as "exited").
 */
int ps_procinfo_batch(const pid_t *pids, int n, struct ps_procinfo *out)
{
	struct pids_info *info = NULL;
	struct pid_slot *slots;
	unsigned these[PROCINFO_CHUNK];
	int found = 0;

	for (int i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].pid = pids[i];
		out[i].state = '-';
		snprintf(out[i].wchan, sizeof(out[i].wchan), "-");
		snprintf(out[i].comm, sizeof(out[i].comm), "-");
	}
	if (n <= 0)
		return 0;
	slots = calloc((size_t)n, sizeof(*slots));
	if (!slots)
		return -1;
	for (int i = 0; i < n; i++)
		slots[i] = (struct pid_slot){ .pid = pids[i], .idx = i };
	qsort(slots, (size_t)n, sizeof(*slots), slot_cmp);
	if (procps_pids_new(&info, items, 4) < 0) {
		free(slots);
		return -1;
	}
	/* Ask for distinct pids, in chunks libproc2 accepts. */
	for (int i = 0; i < n && found >= 0;) {
		int m = 0;
		struct pids_fetch *f;

		for (; i < n && m < PROCINFO_CHUNK; i++)
			if (i == 0 || slots[i].pid != slots[i - 1].pid)
				these[m++] = (unsigned)slots[i].pid;
		f = procps_pids_select(info, these, m, PIDS_SELECT_PID);
		if (!f) {
			found = -1;
			break;
		}
		for (int k = 0; k < f->counts->total; k++)
			found += procinfo_store(info, f->stacks[k], slots, n, out);
	}
	free(slots);
	procps_pids_unref(&info);
	return found;
}

int ps_procinfo_get(pid_t pid, struct ps_procinfo *pi)
{
	if (ps_procinfo_batch(&pid, 1, pi) <= 0 || !pi->exists)
		return -1;
	return 0;
}
