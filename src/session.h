/* Internal: the session structure shared by the core's files. */
#ifndef POLLSCOPE_SESSION_H
#define POLLSCOPE_SESSION_H

#include <limits.h>
#include <signal.h>

#include "kmodule.h"
#include "parse.h"
#include "pollscope.h"

#define PS_EVENT_RING 1024

struct waiter_int {
	struct ps_waiter w; /* first: ps_waiter * <-> waiter_int * */
	uint64_t spawned_ns;
};

struct ps_session {
	struct ps_session_opts opts;
	char dir[PATH_MAX];
	char module_path_buf[PATH_MAX];
	bool attached;
	bool recorded; /* --debugfs DIR */
	struct ps_kmod *kmod;
	char module_state[64];
	struct ps_version version;

	int events_fd;
	bool events_pollable;
	char evbuf[8192];
	size_t evlen;
	struct ps_event *ring; /* PS_EVENT_RING */
	size_t ring_start, ring_count;
	uint64_t last_seq;

	struct ps_entry *entries;
	size_t nentries, centries;
	struct ps_object *objects;
	size_t nobjects, cobjects;
	char (*created)[PS_NAME_MAX];
	size_t ncreated, ccreated;

	struct waiter_int **waiters;
	size_t nwaiters, cwaiters;
	int next_waiter_id;

	int report_pipe[2]; /* all waiters write "ID enter N" / "ID ret ..." lines */
	char repbuf[8192];
	size_t replen;
	int chld_pipe[2];
	struct sigaction old_chld;
	bool sig_installed;

	struct ps_hooks hooks;
	struct ps_sink async_sink;
	bool has_async_sink;
	const struct ps_sink *cur_sink; /* during ps_exec */
};

extern volatile sig_atomic_t ps_interrupted;

/* session.c helpers */
int ps_path(struct ps_session *s, char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Read a whole debugfs file (malloc'd, NUL-terminated). -1 + errno. */
char *ps_read_file(const char *path, size_t *len);
/* One control command: 0 or -errno. */
int ps_control(struct ps_session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool ps_object_exists(struct ps_session *s, const char *name);
/* "no object named 'x' (objects: a, b)" */
void ps_no_object_msg(struct ps_session *s, const char *name, char *buf, size_t len);
void ps_note_created(struct ps_session *s, const char *name);
void ps_note_destroyed(struct ps_session *s, const char *name);
/* The sink for records produced now (the running command's, or async). */
const struct ps_sink *ps_current_sink(struct ps_session *s);
/* Read new lines of `events` into the ring; returns PS_CHG_* */
unsigned ps_read_events(struct ps_session *s);
uint64_t ps_now_ns(void);

/* waiter.c */
struct ps_spawn_req {
	enum ps_call call;
	int nobjs;
	char objs[PS_MAX_WAIT_OBJS][PS_NAME_MAX];
	uint32_t events;
	int timeout_ms;
	unsigned flags;
	int count;
	char as[PS_LABEL_MAX];
};
/* Fork req->count waiters; first new index into s->waiters in *first. */
int ps_waiters_spawn(struct ps_session *s, const struct ps_spawn_req *req, size_t *first, char *err,
		     size_t errlen);
unsigned ps_waiters_process(struct ps_session *s);
void ps_waiters_kill_all(struct ps_session *s);
/* Send sig; with wait, reap it before returning. -1 if not alive. */
int ps_waiter_kill(struct ps_session *s, struct ps_waiter *w, int sig, bool wait);
bool ps_waiter_settled(const struct ps_waiter *w);
const char *ps_call_name(enum ps_call c);
int ps_call_parse(const char *s, enum ps_call *c);
bool ps_wchan_matches(enum ps_call c, const char *wchan);
void ps_waiter_emit(struct ps_session *s, const struct ps_sink *sink, enum ps_rec_kind kind,
		    const struct ps_waiter *w);
void ps_format_result(const struct ps_waiter *w, const struct ps_result *r, char *buf, size_t len);

/* procinfo.c: batch query; fills state/wchan/comm for each pid. */
int ps_procinfo_batch(const pid_t *pids, int n, struct ps_procinfo *out);

#endif
