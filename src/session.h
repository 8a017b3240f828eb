/* Internal: the session structure shared by the core's files. */
#ifndef POLLSCOPE_SESSION_H
#define POLLSCOPE_SESSION_H

#include <limits.h>
#include <signal.h>

#include "kmodule.h"
#include "parse.h"
#include "pollscope.h"

#define PS_EVENT_RING 1024 /* records the session keeps at first */

struct waiter_int {
	struct ps_waiter w; /* first: ps_waiter * <-> waiter_int * */
	uint64_t spawned_ns;
	bool real; /* waits on a real kernel object */
};

#define PS_MAX_REAL_OBJECTS 64

/* A real kernel object the session holds (create NAME eventfd|pipe|...). */
struct ps_real {
	char name[PS_NAME_MAX];
	enum ps_obj_type type;
	int fd[2]; /* pipe: read end, write end; socketpair: a, b; else fd[0] */
};

struct ps_session {
	struct ps_session_opts opts;
	char dir[PATH_MAX];
	char module_path_buf[PATH_MAX];
	bool attached;
	bool recorded;	/* --debugfs DIR */
	char note[512]; /* for ps_session_take_note */
	struct ps_kmod *kmod;
	char module_state[64];
	struct ps_version version;

	int events_fd;
	bool events_pollable;
	char evbuf[8192];
	size_t evlen;
	struct ps_event *ring; /* ring_cap records: PS_EVENT_RING, up to the module's events_size */
	size_t ring_start, ring_count, ring_cap;
	uint64_t last_seq;

	struct ps_entry *entries;
	size_t nentries, centries;
	struct ps_object *objects;
	size_t nobjects, cobjects;
	char (*created)[PS_NAME_MAX];
	size_t ncreated, ccreated;
	struct ps_real *reals;
	size_t nreals, creals;
	struct ps_head *heads; /* of the real objects, from the last read_queues */
	size_t nheads, cheads;
	int inspect_fd; /* the module's inspect file, opened on first use */

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

/* realobj.c */
struct ps_real *ps_real_find(struct ps_session *s, const char *name);
int ps_real_create(struct ps_session *s, const char *name, enum ps_obj_type type, char *err,
		   size_t errlen);
void ps_real_destroy(struct ps_session *s, struct ps_real *r);
void ps_real_close_all(struct ps_session *s);
/* write NAME [VALUE]: *done gets a description ("count 0 -> 3"). 0 or -1 + err. */
int ps_real_write(struct ps_real *r, long long value, char *done, size_t donelen, char *err,
		  size_t errlen);
/* read NAME without blocking: *value (eventfd counter, timerfd expirations, bytes).
 * 0, 1 for EOF, or -1 + err (EAGAIN: "not readable"). */
int ps_real_read(struct ps_real *r, long long *value, char *err, size_t errlen);
/* Non-blocking read on a possibly blocking fd of a real object (waiters
 * consuming in loop mode share the description with pollscope). */
ssize_t ps_real_read_nb(enum ps_obj_type type, int fd, void *buf, size_t len);
/* Fill o from the object: readiness (poll(2) on its ends), count, open. */
void ps_real_object(struct ps_real *r, struct ps_object *o);
/* Inspect every end through the module: appends heads and entries (entries'
 * head = index within the object). Returns 0 or -1 + err. */
int ps_real_inspect(struct ps_session *s, struct ps_real *r, struct ps_head **heads, size_t *nheads,
		    struct ps_entry **entries, size_t *nentries, char *err, size_t errlen);

/* inspect.c: one of our fds through the module's inspect file. */
struct ps_fd_inspect {
	struct ps_inspect_head h;
	int nheads;
	int head_entries[16];
	long head_truncated[16]; /* entries left out of a capped head */
	bool head_truncated_more[16];
	char head_queue[16][12]; /* an epoll file's heads: "poll_wait", "wq" */
	int nwatch;		 /* an epoll file: the watch= lines (its watched files) */
	long watch_truncated;
	bool watch_truncated_more;
	size_t nentries;
	struct ps_entry *entries; /* malloc'd; head = head index */
};
int ps_module_inspect(struct ps_session *s, int fd, struct ps_fd_inspect *out, char *err,
		      size_t errlen);
/* The same for a descriptor of process owner (inspect PID): a signalfd then
 * reports owner's signals, not ours. */
int ps_module_inspect_owner(struct ps_session *s, int fd, pid_t owner, struct ps_fd_inspect *out,
			    char *err, size_t errlen);
void ps_fd_inspect_free(struct ps_fd_inspect *fi);

/* waiter.c */
struct ps_spawn_req {
	enum ps_call call;
	int nobjs;
	char objs[PS_MAX_WAIT_OBJS][PS_NAME_MAX];
	/* real objects: the fd of the end to wait on (inherited), else -1 */
	int realfd[PS_MAX_WAIT_OBJS];
	enum ps_obj_type realtype[PS_MAX_WAIT_OBJS];
	/* how many fds to open on each object (fds=N; 0 means 1) */
	int nopen[PS_MAX_WAIT_OBJS];
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
/* Wait until every waiter is asleep in its call or gone (settle). 0, or -1 + err. */
int ps_settle(struct ps_session *s, int limit_ms, uint64_t *took_ns, char *err, size_t errlen);
const char *ps_call_name(enum ps_call c);
int ps_call_parse(const char *s, enum ps_call *c);
bool ps_wchan_matches(enum ps_call c, const char *wchan);
void ps_waiter_emit(struct ps_session *s, const struct ps_sink *sink, enum ps_rec_kind kind,
		    const struct ps_waiter *w);
void ps_format_result(const struct ps_waiter *w, const struct ps_result *r, char *buf, size_t len);

/* procinfo.c: batch query; fills state/wchan/comm for each pid. */
int ps_procinfo_batch(const pid_t *pids, int n, struct ps_procinfo *out);

/* Wait at most ms for a report, an event or an exit (through the front end's
 * wait hook when it has one). Returns -1 if the hook asks to interrupt. */
int ps_session_wait(struct ps_session *s, int ms);

#endif
