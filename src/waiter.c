/* The waiters as their parent sees them: spawn, reports, reaping, killing. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "i18n.h"
#include "clock.h"
#include "records.h"
#include "waiter.h"

static const char *const call_names[] = {
	[PS_CALL_POLL] = "poll",       [PS_CALL_PPOLL] = "ppoll", [PS_CALL_SELECT] = "select",
	[PS_CALL_PSELECT] = "pselect", [PS_CALL_EPOLL] = "epoll", [PS_CALL_READ] = "read",
};

const char *ps_call_name(enum ps_call c)
{
	if ((unsigned)c < sizeof(call_names) / sizeof(call_names[0]))
		return call_names[c];
	return "?";
}

int ps_call_parse(const char *s, enum ps_call *c)
{
	for (size_t i = 0; i < sizeof(call_names) / sizeof(call_names[0]); i++) {
		if (strcmp(s, call_names[i]) == 0) {
			*c = (enum ps_call)i;
			return 0;
		}
	}
	return -1;
}

bool ps_waiter_settled(const struct ps_waiter *w)
{
	/* asleep in its call, or gone (a waiter that returned and does not
	 * loop exits at once; waiting for the reap means its wait-queue
	 * entries are gone too when settle returns) */
	if (!w->alive)
		return true;
	return w->in_call && w->asleep;
}

/* --------------------------------------------------------------- parent */

int ps_waiters_init(struct ps_waiters *ws)
{
	memset(ws, 0, sizeof(*ws));
	ws->next_id = 1;
	/* one report pipe shared by every waiter: lines "ID ..." (< PIPE_BUF,
	 * so atomic); the read end is non-blocking */
	if (pipe2(ws->report_pipe, O_CLOEXEC) < 0)
		return -1;
	if (fcntl(ws->report_pipe[0], F_SETFL, O_NONBLOCK) < 0) {
		close(ws->report_pipe[0]);
		close(ws->report_pipe[1]);
		return -1;
	}
	return 0;
}

void ps_waiters_free(struct ps_waiters *ws)
{
	ps_waiters_kill_all(ws);
	for (size_t i = 0; i < ws->n; i++)
		free(ws->v[i]);
	free(ws->v);
	close(ws->report_pipe[0]);
	close(ws->report_pipe[1]);
	memset(ws, 0, sizeof(*ws));
}

int ps_waiter_forget(struct ps_waiters *ws, struct ps_waiter *w)
{
	for (size_t i = 0; i < ws->n; i++) {
		if (&ws->v[i]->w != w)
			continue;
		if (w->alive)
			return -1;
		free(ws->v[i]);
		/* keep the order: ps and the TUI list waiters as spawned */
		memmove(&ws->v[i], &ws->v[i + 1], (ws->n - i - 1) * sizeof(ws->v[0]));
		ws->n--;
		return 0;
	}
	return -1;
}

/* ws->v is in spawn order, so ids ascend (forget keeps the order). */
static struct waiter_int *find_id(struct ps_waiters *ws, int id)
{
	size_t lo = 0, hi = ws->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ws->v[mid]->w.id == id)
			return ws->v[mid];
		if (ws->v[mid]->w.id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static struct waiter_int *find_pid(struct ps_waiters *ws, pid_t pid)
{
	for (size_t i = ws->n; i-- > 0;)
		if (ws->v[i]->w.pid == pid && ws->v[i]->w.alive)
			return ws->v[i];
	return NULL;
}

static bool label_in_use(struct ps_waiters *ws, const char *label)
{
	for (size_t i = 0; i < ws->n; i++) {
		const struct ps_waiter *w = &ws->v[i]->w;
		if (w->alive && (strcmp(w->label, label) == 0 || strcmp(w->group, label) == 0))
			return true;
	}
	return false;
}

int ps_waiters_spawn(struct ps_waiters *ws, const struct ps_spawn_req *req, const char *dir,
		     size_t *first, const struct ps_progress *prog, char *err, size_t errlen)
{
	char labels[1024][PS_LABEL_MAX];
	int count = req->count;

	if (count > 1024) {
		snprintf(err, errlen, _("count=%d is too many (at most 1024 at once)"), count);
		return -1;
	}
	for (int i = 0; i < count; i++) {
		if (req->as[0] && count == 1)
			snprintf(labels[i], PS_LABEL_MAX, "%s", req->as);
		else if (req->as[0])
			snprintf(labels[i], PS_LABEL_MAX, "%.20s.%d", req->as, i + 1);
		else
			snprintf(labels[i], PS_LABEL_MAX, "w%d", ws->next_id + i);
		if (label_in_use(ws, labels[i])) {
			snprintf(err, errlen, _("a waiter labelled '%s' already exists"),
				 labels[i]);
			return -1;
		}
	}
	if (req->as[0] && label_in_use(ws, req->as)) {
		snprintf(err, errlen, _("a waiter labelled '%s' already exists"), req->as);
		return -1;
	}
	*first = ws->n;
	fflush(NULL);
	for (int i = 0; i < count; i++) {
		struct waiter_int *wi;
		struct ps_waiter *w;
		pid_t parent = getpid(), pid;
		int id = ws->next_id++;

		if (ws->n == ws->cap) {
			size_t nc = ws->cap ? 2 * ws->cap : 16;
			void *p = realloc(ws->v, nc * sizeof(*ws->v));
			if (!p) {
				snprintf(err, errlen, _("out of memory"));
				return -1;
			}
			ws->v = p;
			ws->cap = nc;
		}
		wi = calloc(1, sizeof(*wi));
		if (!wi) {
			snprintf(err, errlen, _("out of memory"));
			return -1;
		}
		w = &wi->w;
		w->id = id;
		snprintf(w->label, sizeof(w->label), "%s", labels[i]);
		snprintf(w->group, sizeof(w->group), "%s", req->as[0] ? req->as : labels[i]);
		w->call = req->call;
		w->call_name = ps_call_name(req->call);
		w->nobjs = req->nobjs;
		w->objects[0] = '\0';
		for (int k = 0; k < req->nobjs; k++) {
			snprintf(w->objs[k], PS_NAME_MAX, "%s", req->objs[k]);
			if (k)
				strcat(w->objects, ",");
			strcat(w->objects, req->objs[k]);
		}
		snprintf(w->options, sizeof(w->options), "%s", req->options);
		w->events = req->events;
		w->timeout_ms = req->timeout_ms;
		w->flags = req->flags;
		w->state = '?';
		snprintf(w->wchan, sizeof(w->wchan), "-");
		w->alive = true;
		snprintf(w->exit_text, sizeof(w->exit_text), "running");
		wi->spawned_ns = ps_now_ns();
		for (int k = 0; k < req->nobjs; k++)
			if (req->realfd[k] >= 0)
				wi->real = true;

		pid = fork();
		if (pid < 0) {
			snprintf(err, errlen, _("fork: %s"), strerror(errno));
			free(wi);
			return -1;
		}
		if (pid == 0)
			ps_waiter_child(req, dir, ws->report_pipe[1], id, w->label, parent);
		setpgid(pid, pid);
		w->pid = pid;
		ws->v[ws->n++] = wi;
		/* the front end draws and takes keys between forks; it may cancel */
		if (prog && prog->fn && i + 1 < count &&
		    prog->fn(prog->ctx, "spawning", (size_t)i + 1, (size_t)count) < 0) {
			snprintf(err, errlen, _("cancelled: spawned %d of %d waiters"), i + 1,
				 count);
			return -1;
		}
	}
	return 0;
}

static void handle_report(struct ps_waiters *ws, const struct ps_sink *sink, char *line,
			  unsigned *chg)
{
	char *sp, *word;
	int id = (int)strtol(line, &sp, 10);
	struct waiter_int *wi = find_id(ws, id);
	struct ps_waiter *w;

	if (!wi || *sp != ' ')
		return;
	w = &wi->w;
	word = sp + 1;
	*chg |= PS_CHG_WAITERS;
	if (strncmp(word, "enter ", 6) == 0) {
		w->in_call = true;
		w->asleep = false;
		w->calls = (unsigned)strtoul(word + 6, NULL, 10);
	} else if (strncmp(word, "ret ", 4) == 0) {
		struct ps_kv kv;
		struct ps_result r = { 0 };
		char *rest = strchr(word + 4, ' ');
		const char *v;

		r.valid = true;
		r.seq = (unsigned)strtoul(word + 4, NULL, 10);
		if (!rest || ps_kv_split(rest, &kv) < 0)
			return;
		r.value = (v = ps_kv_get(&kv, "value")) ? strtoll(v, NULL, 10) : -1;
		r.readval = (v = ps_kv_get(&kv, "readval")) ? strtoll(v, NULL, 10) : -1;
		r.err = (v = ps_kv_get(&kv, "errno")) ? atoi(v) : 0;
		r.ms = (v = ps_kv_get(&kv, "ns")) ? (double)strtoull(v, NULL, 10) / 1e6 : 0;
		r.at_ns = (v = ps_kv_get(&kv, "at")) ? strtoull(v, NULL, 10) : ps_now_ns();
		if ((v = ps_kv_get(&kv, "revents")) != NULL) {
			const char *p = v;
			while (*p && r.nfds < PS_MAX_WAIT_OBJS) {
				r.revents[r.nfds++] = (uint32_t)strtoul(p, NULL, 16);
				p += strcspn(p, ",");
				if (*p)
					p++;
			}
		}
		ps_format_result(w, &r, r.text, sizeof(r.text));
		w->last = r;
		w->in_call = false;
		w->asleep = false;
		ps_rec_waiter(sink, PS_REC_RESULT, w);
	} else if (strncmp(word, "error ", 6) == 0) {
		snprintf(w->last.text, sizeof(w->last.text), "error: %s", word + 6);
		ps_emit(sink, PS_REC_MESSAGE, w, NULL, 0, "%s (pid %d) failed: %s", w->label,
			(int)w->pid, word + 6);
	}
}

static void set_exit(struct ps_waiter *w, int status)
{
	w->alive = false;
	w->in_call = false;
	w->asleep = false;
	w->state = '-';
	snprintf(w->wchan, sizeof(w->wchan), "-");
	if (WIFEXITED(status))
		snprintf(w->exit_text, sizeof(w->exit_text), "exited %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status)) {
		const char *n = ps_signal_name(WTERMSIG(status));
		if (n)
			snprintf(w->exit_text, sizeof(w->exit_text), "killed by SIG%s", n);
		else
			snprintf(w->exit_text, sizeof(w->exit_text), "killed by signal %d",
				 WTERMSIG(status));
	}
}

/* Reap the waiters that exited, asking the kernel which ones did (one
 * waitid per exit, not one waitpid per waiter: 1000 sleepers cost nothing).
 * false if an exited child is not a waiter (the caller asks each waiter). */
static bool reap_exited(struct ps_waiters *ws, unsigned *chg)
{
	for (;;) {
		siginfo_t si;
		struct waiter_int *wi;
		int status;

		memset(&si, 0, sizeof(si));
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == 0)
			return true;
		wi = find_pid(ws, si.si_pid);
		if (!wi || waitpid(si.si_pid, &status, WNOHANG) != si.si_pid)
			return false;
		set_exit(&wi->w, status);
		*chg |= PS_CHG_WAITERS;
	}
}

unsigned ps_waiters_process(struct ps_waiters *ws, const struct ps_sink *sink)
{
	unsigned chg = 0;

	/* reports first: a child writes its last report before it exits */
	for (;;) {
		ssize_t r = read(ws->report_pipe[0], ws->repbuf + ws->replen,
				 sizeof(ws->repbuf) - 1 - ws->replen);
		char *p, *nl;

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		ws->replen += (size_t)r;
		ws->repbuf[ws->replen] = '\0';
		p = ws->repbuf;
		while ((nl = strchr(p, '\n')) != NULL) {
			*nl = '\0';
			handle_report(ws, sink, p, &chg);
			p = nl + 1;
		}
		ws->replen = strlen(p);
		memmove(ws->repbuf, p, ws->replen + 1);
	}
	if (reap_exited(ws, &chg))
		return chg;
	/* a child that is not a waiter is waiting to be reaped: ask each */
	for (size_t i = 0; i < ws->n; i++) {
		struct ps_waiter *w = &ws->v[i]->w;
		int status;
		if (!w->alive)
			continue;
		if (waitpid(w->pid, &status, WNOHANG) == w->pid) {
			set_exit(w, status);
			chg |= PS_CHG_WAITERS;
		}
	}
	return chg;
}

/* Wait (bounded) until pid is reaped. */
static void reap(struct ps_waiter *w)
{
	int status;

	if (waitpid(w->pid, &status, 0) == w->pid)
		set_exit(w, status);
}

void ps_waiters_kill_all(struct ps_waiters *ws)
{
	for (size_t i = 0; i < ws->n; i++) {
		struct ps_waiter *w = &ws->v[i]->w;
		if (w->alive)
			kill(w->pid, SIGKILL);
	}
	for (size_t i = 0; i < ws->n; i++) {
		struct ps_waiter *w = &ws->v[i]->w;
		if (w->alive)
			reap(w);
	}
}

int ps_waiter_kill(struct ps_waiters *ws, struct ps_waiter *w, int sig, bool wait,
		   const struct ps_sink *sink)
{
	if (!w->alive)
		return -1;
	if (kill(w->pid, sig) < 0)
		return -1;
	if (wait) {
		kill(w->pid, SIGCONT);
		ps_waiters_process(ws, sink); /* collect a last report */
		reap(w);
		ps_waiters_process(ws, sink);
	}
	return 0;
}
