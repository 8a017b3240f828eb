/*
 * settle and the waiters' process states: whether each waiter is asleep in
 * its call (state and wchan from libproc2, or an entry of its own in the
 * snapshot when the wchan is unexpected), and waiting until all are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procinfo.h"
#include "session.h"

unsigned ps_session_refresh_states(struct ps_session *s)
{
	pid_t *pids;
	struct ps_procinfo *pi;
	size_t n = 0;
	unsigned chg = 0;
	bool need_queues = false;

	if (s->ws.n == 0)
		return 0;
	pids = calloc(s->ws.n, sizeof(*pids));
	pi = calloc(s->ws.n, sizeof(*pi));
	if (!pids || !pi) {
		free(pids);
		free(pi);
		return 0;
	}
	for (size_t i = 0; i < s->ws.n; i++)
		if (s->ws.v[i]->w.alive)
			pids[n++] = s->ws.v[i]->w.pid;
	if (ps_procinfo_batch(pids, (int)n, pi) < 0) {
		/* states unknown this round: keep the last ones, claim nothing */
		free(pids);
		free(pi);
		return 0;
	}
	for (size_t i = 0, k = 0; i < s->ws.n; i++) {
		struct ps_waiter *w = &s->ws.v[i]->w;
		bool asleep;
		if (!w->alive)
			continue;
		for (k = 0; k < n && pi[k].pid != w->pid; k++)
			;
		if (k == n)
			continue;
		if (w->state != pi[k].state || strcmp(w->wchan, pi[k].wchan) != 0)
			chg |= PS_CHG_STATES;
		w->state = pi[k].exists ? pi[k].state : '-';
		snprintf(w->wchan, sizeof(w->wchan), "%s", pi[k].wchan);
		asleep = w->in_call && (w->state == 'S' || w->state == 'D') &&
			 ps_wchan_matches(w->call, w->wchan);
		if (w->in_call && !asleep && w->state == 'S')
			need_queues = true;
		if (asleep != w->asleep)
			chg |= PS_CHG_STATES;
		/* a real object's queue changes without a module event: a waiter
		 * that just fell asleep on one is news for whoever draws queues */
		if (asleep && !w->asleep && s->ws.v[i]->real)
			chg |= PS_CHG_WAITERS;
		w->asleep = asleep;
	}
	if (need_queues && s->attached) {
		/* asleep with an unexpected wchan: accept an entry of ours in queues */
		char err[64];
		if (ps_session_read_queues(s, err, sizeof(err)) == 0) {
			for (size_t i = 0; i < s->ws.n; i++) {
				struct ps_waiter *w = &s->ws.v[i]->w;
				if (!w->alive || !w->in_call || w->asleep || w->state != 'S')
					continue;
				for (size_t e = 0; e < s->nentries; e++) {
					if (s->entries[e].pid == w->pid &&
					    s->entries[e].state == 'S') {
						w->asleep = true;
						chg |= PS_CHG_STATES;
						if (s->ws.v[i]->real)
							chg |= PS_CHG_WAITERS;
						break;
					}
				}
			}
		}
	}
	free(pids);
	free(pi);
	return chg;
}

bool ps_session_states_pending(struct ps_session *s)
{
	for (size_t i = 0; i < s->ws.n; i++)
		if (!ps_waiter_settled(&s->ws.v[i]->w))
			return true;
	return false;
}

int ps_settle(struct ps_session *s, int limit_ms, uint64_t *took_ns, char *err, size_t errlen)
{
	uint64_t start = ps_now_ns(), deadline = start + (uint64_t)limit_ms * 1000000ull;

	for (;;) {
		size_t nw;
		struct ps_waiter *const *w;
		struct ps_waiter *bad = NULL;
		uint64_t now;

		ps_session_process(s);
		ps_session_refresh_states(s);
		w = ps_session_waiters(s, &nw);
		for (size_t i = 0; i < nw && !bad; i++)
			if (!ps_waiter_settled(w[i]))
				bad = w[i];
		now = ps_now_ns();
		if (!bad) {
			if (took_ns)
				*took_ns = now - start;
			return 0;
		}
		if (ps_interrupted) {
			snprintf(err, errlen, "interrupted");
			return -1;
		}
		if (now >= deadline) {
			snprintf(err, errlen,
				 "not settled after %d ms: %s (pid %d) is %s (state %c, wchan %s)",
				 limit_ms, bad->label, (int)bad->pid,
				 bad->in_call ? "in its call but not asleep" : "not in its call",
				 bad->state, bad->wchan);
			return -1;
		}
		/* wake up on reports and exits at once; sample states every 2 ms */
		if (ps_session_wait(s, 2) < 0) {
			snprintf(err, errlen, "interrupted");
			return -1;
		}
	}
}
