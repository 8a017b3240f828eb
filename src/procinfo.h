/* Process states through libproc2. */
#ifndef POLLSCOPE_PROCINFO_H
#define POLLSCOPE_PROCINFO_H

#include "pollscope.h"

/* Fills state/wchan/comm for each pid (any number of pids); returns how many
 * exist, or -1 when the states could not be read at all. */
int ps_procinfo_batch(const pid_t *pids, int n, struct ps_procinfo *out);

#endif
