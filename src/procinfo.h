/* Process states through libproc2. */
#ifndef POLLSCOPE_PROCINFO_H
#define POLLSCOPE_PROCINFO_H

#include "pollscope.h"

/* Batch query: fills state/wchan/comm for each pid; returns how many exist. */
int ps_procinfo_batch(const pid_t *pids, int n, struct ps_procinfo *out);

#endif
