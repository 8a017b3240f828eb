/*
 * settle and the waiters' process states: whether each waiter is asleep in
 * its call (state from libproc2 and the system call from /proc/PID/syscall,
 * or an entry of its own in the snapshot when that file cannot be read), and
 * waiting until all are. wchan is shown, never decides: it depends on how the
 * kernel was compiled.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "record.h"
#include "debugfs.h"
#include "procinfo.h"
#include "session.h"

/* Is pid blocked in the system call of c? From /proc/PID/syscall, which does
 * not depend on how the kernel was compiled: wchan does (a debug kernel
 * shows poll_schedule_timeout.constprop.0, not do_sys_poll), so wchan is
 * shown but never decides. 1 yes, 0 no, -1 cannot tell (file unreadable). */
static int ps_blocked_in_call(enum ps_call c, pid_t pid)
{
	static const char *const pollc[] = { "poll", "ppoll", NULL };
	static const char *const selc[] = { "select", "pselect6", NULL };
	static const char *const epc[] = { "epoll_wait", "epoll_pwait", "epoll_pwait2", NULL };
	static const char *const readc[] = { "read", "readv", "pread64", NULL };
	const char *const *list;
	struct ps_syscall sc;
	const char *name;
	char path[64], *text;
	int bad;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	text = ps_read_file(path, NULL);
	if (!text)
		return -1;
	bad = ps_parse_syscall(text, &sc);
	free(text);
	if (bad < 0)
		return -1;
	if (sc.running || !sc.in_syscall || !(name = ps_syscall_name(sc.nr)))
		return 0;
	switch (c) {
	case PS_CALL_POLL:
	case PS_CALL_PPOLL:
		list = pollc;
		break;
	case PS_CALL_SELECT:
	case PS_CALL_PSELECT:
		list = selc;
		break;
	case PS_CALL_EPOLL:
		list = epc;
		break;
	default:
		list = readc;
		break;
	}
	for (; *list; list++)
		if (strcmp(name, *list) == 0)
			return 1;
	return 0;
}

/* Worth reading: every live waiter, or (pending_only) those whose state can
 * change without a report, an exit or a command. */
static bool wants_refresh(const struct ps_waiter *w, bool pending_only)
{
	return w->alive && (!pending_only || !ps_waiter_settled(w) || w->state == '?');
}

static unsigned refresh_states(struct ps_session *s, bool pending_only)
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
		if (wants_refresh(&s->ws.v[i]->w, pending_only))
			pids[n++] = s->ws.v[i]->w.pid;
	if (n == 0) {
		free(pids);
		free(pi);
		return 0;
	}
	if (ps_procinfo_batch(pids, (int)n, pi) < 0) {
		/* states unknown this round: keep the last ones, claim nothing */
		free(pids);
		free(pi);
		return 0;
	}
	for (size_t i = 0, k = 0; i < s->ws.n; i++) {
		struct ps_waiter *w = &s->ws.v[i]->w;
		bool asleep;
		int in_call;
		/* pi[] is in the order pids[] was filled */
		if (!wants_refresh(w, pending_only))
			continue;
		if (k == n || pi[k].pid != w->pid)
			continue;
		if (w->state != pi[k].state || strcmp(w->wchan, pi[k].wchan) != 0)
			chg |= PS_CHG_STATES;
		w->state = pi[k].exists ? pi[k].state : '-';
		snprintf(w->wchan, sizeof(w->wchan), "%s", pi[k].wchan);
		in_call = w->in_call && (w->state == 'S' || w->state == 'D')
				  ? ps_blocked_in_call(w->call, w->pid)
				  : 0;
		asleep = in_call == 1;
		if (in_call < 0)
			need_queues = true;
		if (asleep != w->asleep)
			chg |= PS_CHG_STATES;
		/* a real object's queue changes without a module event: a waiter
		 * that just fell asleep on one is news for whoever draws queues */
		if (asleep && !w->asleep && s->ws.v[i]->real)
			chg |= PS_CHG_WAITERS;
		w->asleep = asleep;
		k++;
	}
	if (need_queues && s->attached) {
		/* /proc/PID/syscall unreadable: accept an entry of ours in queues */
		char err[64];
		if (ps_session_read_queues(s, err, sizeof(err)) == 0) {
			for (size_t i = 0; i < s->ws.n; i++) {
				struct ps_waiter *w = &s->ws.v[i]->w;
				if (!w->alive || !w->in_call || w->asleep || w->state != 'S' ||
				    ps_blocked_in_call(w->call, w->pid) >= 0)
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
	if (chg)
		ps_record_frame(s); /* --record: states are what the process pane shows */
	return chg;
}

unsigned ps_session_refresh_states(struct ps_session *s)
{
	return refresh_states(s, false);
}

unsigned ps_session_refresh_pending(struct ps_session *s)
{
	return refresh_states(s, true);
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
	bool first = true;

	for (;;) {
		size_t nw;
		struct ps_waiter *const *w;
		struct ps_waiter *bad = NULL;
		uint64_t now;

		ps_session_process(s);
		/* the first look reads every waiter (one just woken is running
		 * before it reports); then only those not settled yet */
		if (first) {
			ps_session_refresh_states(s);
			first = false;
		} else {
			ps_session_refresh_pending(s);
		}
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
			snprintf(err, errlen, _("interrupted"));
			return -1;
		}
		if (now >= deadline) {
			snprintf(err, errlen,
				 _("not settled after %d ms: %s (pid %d) is %s (state %c, wchan "
				   "%s)"),
				 limit_ms, bad->label, (int)bad->pid,
				 bad->in_call ? _("in its call but not asleep")
					      : _("not in its call"),
				 bad->state, bad->wchan);
			return -1;
		}
		/* wake up on reports and exits at once; sample states every 2 ms */
		if (ps_session_wait(s, 2) < 0) {
			snprintf(err, errlen, _("interrupted"));
			return -1;
		}
	}
}
