/*
 * The waiters, as their parent sees them: spawning (the child program is
 * waiter_child.c), their reports, reaping, killing, and what a call is
 * (its name, the wchans of its sleep).
 */
#ifndef POLLSCOPE_WAITER_H
#define POLLSCOPE_WAITER_H

#include "pollscope.h"
#include "waiter_child.h"

struct waiter_int {
	struct ps_waiter w; /* first: ps_waiter * <-> waiter_int * */
	uint64_t spawned_ns;
	bool real; /* waits on a real kernel object */
};

struct ps_waiters {
	struct waiter_int **v;
	size_t n, cap;
	int next_id;
	int report_pipe[2]; /* all waiters write "ID enter N" / "ID ret ..." lines */
	char repbuf[8192];
	size_t replen;
};

/* Progress of a long operation (spawn, kill of many): called between steps
 * with how many are done; returning -1 cancels the rest. */
struct ps_progress {
	int (*fn)(void *ctx, const char *what, size_t done, size_t total);
	void *ctx;
};

/* 0, or -1 if the report pipe cannot be made. */
int ps_waiters_init(struct ps_waiters *ws);
/* Kill and reap every waiter, free them, close the pipe. */
void ps_waiters_free(struct ps_waiters *ws);
/* Fork req->count waiters (module objects are opened under dir); the first
 * new index into ws->v in *first. prog (may be NULL) is called between forks;
 * if it cancels, the waiters spawned so far stay and -1 + err says how many. */
int ps_waiters_spawn(struct ps_waiters *ws, const struct ps_spawn_req *req, const char *dir,
		     size_t *first, const struct ps_progress *prog, char *err, size_t errlen);
/* Read the reports (results go to sink) and reap exited waiters: PS_CHG_*. */
unsigned ps_waiters_process(struct ps_waiters *ws, const struct ps_sink *sink);
void ps_waiters_kill_all(struct ps_waiters *ws);
/* Drop an exited (reaped) waiter from the set: 0, or -1 if it is alive or
 * not in the set. Pointers to it are invalid afterwards. */
int ps_waiter_forget(struct ps_waiters *ws, struct ps_waiter *w);
/* Send sig; with wait, reap it before returning. -1 if not alive. */
int ps_waiter_kill(struct ps_waiters *ws, struct ps_waiter *w, int sig, bool wait,
		   const struct ps_sink *sink);
/* Asleep in its call, or gone. */
bool ps_waiter_settled(const struct ps_waiter *w);
const char *ps_call_name(enum ps_call c);
int ps_call_parse(const char *s, enum ps_call *c);

#endif
