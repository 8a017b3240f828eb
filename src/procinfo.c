/* Process states through libproc2: state letter, wchan, comm for a pid list. */
#include <libproc2/pids.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procinfo.h"

enum { I_PID, I_STATE, I_WCHAN, I_CMD };

static enum pids_item items[] = { PIDS_ID_PID, PIDS_STATE, PIDS_WCHAN_NAME, PIDS_CMD };

int ps_procinfo_batch(const pid_t *pids, int n, struct ps_procinfo *out)
{
	struct pids_info *info = NULL;
	struct pids_fetch *f;
	unsigned *these;
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
	if (procps_pids_new(&info, items, 4) < 0)
		return -1;
	these = calloc((size_t)n, sizeof(*these));
	if (!these) {
		procps_pids_unref(&info);
		return -1;
	}
	for (int i = 0; i < n; i++)
		these[i] = (unsigned)pids[i];
	f = procps_pids_select(info, these, n, PIDS_SELECT_PID);
	if (f) {
		for (int k = 0; k < f->counts->total; k++) {
			struct pids_stack *st = f->stacks[k];
			int pid = PIDS_VAL(I_PID, s_int, st, info);
			const char *w = PIDS_VAL(I_WCHAN, str, st, info);
			const char *c = PIDS_VAL(I_CMD, str, st, info);

			for (int i = 0; i < n; i++) {
				if (out[i].pid != pid)
					continue;
				out[i].exists = true;
				out[i].state = (char)PIDS_VAL(I_STATE, s_ch, st, info);
				snprintf(out[i].wchan, sizeof(out[i].wchan), "%s",
					 (w && *w && strcmp(w, "0") != 0) ? w : "-");
				snprintf(out[i].comm, sizeof(out[i].comm), "%s", c ? c : "-");
				found++;
			}
		}
	}
	free(these);
	procps_pids_unref(&info);
	return found;
}

int ps_procinfo_get(pid_t pid, struct ps_procinfo *pi)
{
	if (ps_procinfo_batch(&pid, 1, pi) <= 0 || !pi->exists)
		return -1;
	return 0;
}
