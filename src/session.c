/*
 * The session: where the core's parts meet. It owns the debugfs client, the
 * real objects and the waiters, attaches to the module once (the command
 * dispatcher and the front ends' entry points ask for it), keeps the events
 * ring, and takes the snapshot the front ends draw: objects, stats, queues
 * and each real object's queues, read once between two changes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "inspect.h"
#include "record.h"
#include "i18n.h"
#include "session.h"

volatile sig_atomic_t ps_interrupted;
static int chld_write_fd = -1;

void ps_interrupt(void)
{
	ps_interrupted = 1;
}

void ps_interrupt_clear(void)
{
	ps_interrupted = 0;
}

static void on_sigchld(int sig)
{
	int saved = errno;

	(void)sig;
	if (chld_write_fd >= 0) {
		ssize_t r = write(chld_write_fd, "c", 1);
		(void)r;
	}
	errno = saved;
}

struct ps_session *ps_session_new(const struct ps_session_opts *opts)
{
	struct ps_session *s = calloc(1, sizeof(*s));
	struct sigaction sa;

	if (!s)
		return NULL;
	s->opts = *opts;
	if (opts->module_path) {
		snprintf(s->module_path_buf, sizeof(s->module_path_buf), "%s", opts->module_path);
		s->opts.module_path = s->module_path_buf;
	}
	s->recorded = opts->debugfs_dir != NULL;
	s->start_ns = s->recorded ? 0 : ps_now_ns();
	ps_dfs_init(&s->dfs, opts->debugfs_dir ? opts->debugfs_dir : PS_DEFAULT_DEBUGFS,
		    s->recorded);
	s->opts.debugfs_dir = s->dfs.dir;
	snprintf(s->module_state, sizeof(s->module_state), "%s",
		 s->recorded ? "recorded files" : "not attached");
	s->events_fd = -1;
	s->ring = calloc(PS_EVENT_RING, sizeof(*s->ring));
	s->ring_cap = PS_EVENT_RING;
	if (!s->ring || pipe2(s->chld_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		free(s->ring);
		free(s);
		return NULL;
	}
	if (ps_waiters_init(&s->ws) < 0) {
		close(s->chld_pipe[0]);
		close(s->chld_pipe[1]);
		free(s->ring);
		free(s);
		return NULL;
	}
	chld_write_fd = s->chld_pipe[1];
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigchld;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGCHLD, &sa, &s->old_chld) == 0)
		s->sig_installed = true;
	return s;
}

void ps_session_free(struct ps_session *s)
{
	char err[256];

	if (!s)
		return;
	ps_waiters_kill_all(&s->ws);
	ps_real_close_all(&s->reals);
	if (s->events_fd >= 0)
		close(s->events_fd);
	s->events_fd = -1;
	ps_dfs_close(&s->dfs);
	if (s->attached) {
		/* destroy what we created, newest first */
		for (size_t i = s->ncreated; i-- > 0;)
			ps_dfs_control(&s->dfs, "destroy %s", s->created[i]);
	}
	if (s->kmod) {
		if (s->opts.keep_module) {
			ps_kmod_free(s->kmod);
		} else if (ps_kmod_unload(s->kmod, err, sizeof(err)) < 0) {
			fprintf(stderr, _("pollscope: %s\n"), err);
		}
		s->kmod = NULL;
	}
	ps_waiters_free(&s->ws);
	ps_replay_free(s);
	if (s->sig_installed)
		sigaction(SIGCHLD, &s->old_chld, NULL);
	chld_write_fd = -1;
	close(s->chld_pipe[0]);
	close(s->chld_pipe[1]);
	free(s->entries);
	free(s->heads);
	free(s->objects);
	free(s->created);
	free(s->ring);
	free(s);
}

bool ps_object_exists(struct ps_session *s, const char *name)
{
	return ps_dfs_object_exists(&s->dfs, name);
}

void ps_no_object_msg(struct ps_session *s, const char *name, char *buf, size_t len)
{
	size_t n = 0;
	int k;
	char e[8];

	ps_session_read_objects(s, e, sizeof(e));
	k = snprintf(buf, len, _("no object named '%s'"), name);
	if (k < 0 || (size_t)k >= len)
		return;
	n = (size_t)k;
	if (s->nobjects == 0) {
		snprintf(buf + n, len - n,
			 _(" (there are no objects; create one with: create NAME)"));
		return;
	}
	k = snprintf(buf + n, len - n, _(" (objects:"));
	for (size_t i = 0; i < s->nobjects && k >= 0 && (size_t)k < len - n; i++) {
		n += (size_t)k;
		k = snprintf(buf + n, len - n, " %s", s->objects[i].name);
	}
	if (k >= 0 && (size_t)k < len - n) {
		n += (size_t)k;
		/* TRANSLATORS: closes " (objects:" after the names */
		snprintf(buf + n, len - n, "%s", _(")"));
	}
}

void ps_note_created(struct ps_session *s, const char *name)
{
	for (size_t i = 0; i < s->ncreated; i++)
		if (strcmp(s->created[i], name) == 0)
			return;
	if (s->ncreated == s->ccreated) {
		size_t nc = s->ccreated ? 2 * s->ccreated : 16;
		void *p = realloc(s->created, nc * sizeof(*s->created));
		if (!p)
			return;
		s->created = p;
		s->ccreated = nc;
	}
	snprintf(s->created[s->ncreated++], PS_NAME_MAX, "%s", name);
}

void ps_note_destroyed(struct ps_session *s, const char *name)
{
	for (size_t i = 0; i < s->ncreated; i++) {
		if (strcmp(s->created[i], name) == 0) {
			memmove(&s->created[i], &s->created[i + 1],
				(s->ncreated - i - 1) * sizeof(*s->created));
			s->ncreated--;
			return;
		}
	}
}

const struct ps_sink *ps_current_sink(struct ps_session *s)
{
	if (s->cur_sink)
		return s->cur_sink;
	return s->has_async_sink ? &s->async_sink : NULL;
}

void ps_session_set_hooks(struct ps_session *s, const struct ps_hooks *hooks)
{
	if (hooks)
		s->hooks = *hooks;
	else
		memset(&s->hooks, 0, sizeof(s->hooks));
}

void ps_session_set_async_sink(struct ps_session *s, const struct ps_sink *sink)
{
	if (sink) {
		s->async_sink = *sink;
		s->has_async_sink = true;
	} else {
		s->has_async_sink = false;
	}
}

/* ------------------------------------------------------------- attach */

static int read_version(struct ps_session *s, char *err, size_t errlen)
{
	char *text = ps_dfs_read(&s->dfs, "version", PS_SRC_N, err, errlen);

	if (!text)
		return -1;
	if (ps_parse_version(text, &s->version) < 0) {
		snprintf(err, errlen,
			 _("%s/version has no interface= line: not a pollscope module directory"),
			 s->dfs.dir);
		free(text);
		return -1;
	}
	free(text);
	if (s->version.interface != PS_INTERFACE_VERSION) {
		snprintf(err, errlen,
			 _("interface version mismatch: the module speaks version %d, this "
			   "pollscope "
			   "speaks version %d; use matching builds of the module and the tool"),
			 s->version.interface, PS_INTERFACE_VERSION);
		return -1;
	}
	return 0;
}

static bool is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* A pollscope killed with SIGKILL leaves its objects behind; the module
 * reports creator=0 once the creating process is gone. Remove those (only
 * pollscope's: other programs' objects and live sessions' stay) and say so. */
static void snap_module_objects(struct ps_session *s);
static int cmp_obj(const void *a, const void *b);

static void clean_stale_objects(struct ps_session *s)
{
	char names[400] = "";
	const struct ps_object *o;
	size_t removed = 0, used = 0;

	/* objects/ and stats are enough (the module's objects; pollscope holds
	 * none yet): no snapshot of the queues for this */
	s->nobjects = 0;
	snap_module_objects(s);
	qsort(s->objects, s->nobjects, sizeof(*s->objects), cmp_obj); /* named in order */
	o = s->objects; /* after: reading may have moved them */
	for (size_t i = 0; i < s->nobjects; i++) {
		if (o[i].creator != 0 || strcmp(o[i].creator_comm, "pollscope") != 0)
			continue;
		if (ps_dfs_control(&s->dfs, "destroy %s", o[i].name) < 0)
			continue;
		removed++;
		if (used < sizeof(names))
			used += (size_t)snprintf(names + used, sizeof(names) - used, " %s",
						 o[i].name);
	}
	if (removed)
		snprintf(s->note, sizeof(s->note),
			 P_("removed %zu object left by a pollscope that ended:%s",
			    "removed %zu objects left by a pollscope that ended:%s", removed),
			 removed, names);
	s->snap_valid = false;
}

bool ps_session_take_note(struct ps_session *s, char *buf, size_t len)
{
	if (!s->note[0])
		return false;
	snprintf(buf, len, "%s", s->note);
	s->note[0] = '\0';
	return true;
}

int ps_session_attach(struct ps_session *s, char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct stat st;

	if (s->attached)
		return 0;
	if (s->recorded) {
		if (!is_dir(s->dfs.dir)) {
			snprintf(err, errlen, _("debugfs directory %s: %s"), s->dfs.dir,
				 errno ? strerror(errno) : _("not a directory"));
			return -1;
		}
	} else {
		if (geteuid() != 0) {
			snprintf(err, errlen,
				 _("not root: pollscope needs root for debugfs and for loading its "
				   "module (try: sudo pollscope)"));
			return -1;
		}
		if (ps_debugfs_ensure("", err, errlen) < 0)
			return -1;
		if (is_dir(s->dfs.dir)) {
			snprintf(s->module_state, sizeof(s->module_state), "already loaded");
		} else if (s->opts.no_load) {
			snprintf(err, errlen,
				 _("the pollscope module is not loaded (%s is missing) and "
				   "--no-load "
				   "was given"),
				 s->dfs.dir);
			return -1;
		} else {
			if (ps_kmod_check_support("", err, errlen) < 0)
				return -1;
			if (ps_kmod_load(s->opts.module_path, POLLSCOPE_BUILD_KO, &s->kmod, err,
					 errlen) < 0)
				return -1;
			snprintf(s->module_state, sizeof(s->module_state), "%s",
				 s->kmod ? "loaded by pollscope" : "already loaded");
			if (!is_dir(s->dfs.dir)) {
				snprintf(err, errlen,
					 _("the module is loaded but %s is missing (is it the "
					   "pollscope "
					   "module?)"),
					 s->dfs.dir);
				goto fail;
			}
		}
	}
	if (read_version(s, err, errlen) < 0)
		goto fail;
	ps_dfs_path(&s->dfs, path, sizeof(path), "events");
	s->events_fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (s->events_fd >= 0) {
		struct statfs sfs;

		/* The module's events file is pollable; debugfs shows it as a
		 * regular file. A recorded copy on another filesystem is a plain
		 * file, always "readable": polling it would spin. */
		s->events_pollable = fstat(s->events_fd, &st) == 0 &&
				     (!S_ISREG(st.st_mode) || (fstatfs(s->events_fd, &sfs) == 0 &&
							       sfs.f_type == DEBUGFS_MAGIC));
	}
	s->attached = true;
	ps_read_events(s);
	if (!s->recorded)
		clean_stale_objects(s);
	ps_record_attach(s);
	return 0;
fail:
	if (s->kmod) {
		char e2[128];
		ps_kmod_unload(s->kmod, e2, sizeof(e2));
		s->kmod = NULL;
	}
	return -1;
}

void ps_session_info(struct ps_session *s, struct ps_info *info)
{
	info->debugfs_dir = s->dfs.dir;
	info->release = s->attached ? s->version.release : "";
	info->interface = s->attached ? s->version.interface : 0;
	info->module = s->module_state;
	info->attached = s->attached;
}

/* ------------------------------------------------------------- state */

uint64_t ps_session_start_ns(const struct ps_session *s)
{
	return s->start_ns;
}

void ps_session_changed(struct ps_session *s)
{
	s->epoch++;
}

/* What the snapshot was taken at: a command, events, reports or a control
 * write since then make it old. */
static unsigned long snap_key(const struct ps_session *s)
{
	return s->epoch + s->dfs.writes;
}

static struct ps_object *add_object(struct ps_session *s, const char *name)
{
	for (size_t i = 0; i < s->nobjects; i++)
		if (strcmp(s->objects[i].name, name) == 0)
			return &s->objects[i];
	if (s->nobjects == s->cobjects) {
		size_t nc = s->cobjects ? 2 * s->cobjects : 32;
		void *p = realloc(s->objects, nc * sizeof(*s->objects));
		if (!p)
			return NULL;
		s->objects = p;
		s->cobjects = nc;
	}
	memset(&s->objects[s->nobjects], 0, sizeof(s->objects[0]));
	snprintf(s->objects[s->nobjects].name, PS_NAME_MAX, "%s", name);
	snprintf(s->objects[s->nobjects].type, sizeof(s->objects[0].type), "%s",
		 ps_obj_module.name);
	snprintf(s->objects[s->nobjects].ready, PS_MASK_TEXT, "-");
	return &s->objects[s->nobjects++];
}

static void add_object_cb(void *ctx, const char *name)
{
	add_object(ctx, name);
}

static int cmp_obj(const void *a, const void *b)
{
	return strcmp(((const struct ps_object *)a)->name, ((const struct ps_object *)b)->name);
}

/* objects/ and stats: the module's objects. */
static void snap_module_objects(struct ps_session *s)
{
	char e[256];
	char *text, *line, *save = NULL;

	ps_dfs_list_objects(&s->dfs, add_object_cb, s);
	text = ps_dfs_read(&s->dfs, "stats", PS_SRC_STATS, e, sizeof(e));
	if (text) {
		for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			struct ps_object o, *p;
			if (ps_parse_object_stats(line, &o) < 0)
				continue;
			p = add_object(s, o.name);
			if (p) {
				*p = o;
				snprintf(p->type, sizeof(p->type), "%s", ps_obj_module.name);
			}
		}
		free(text);
	}
	for (size_t i = 0; i < s->nobjects; i++) {
		s->objects[i].ours = false;
		for (size_t k = 0; k < s->ncreated; k++)
			if (strcmp(s->created[k], s->objects[i].name) == 0)
				s->objects[i].ours = true;
	}
}

static int grow(void **arr, size_t *cap, size_t need, size_t size)
{
	void *p;

	if (need <= *cap)
		return 0;
	p = realloc(*arr, (need + 64) * size);
	if (!p)
		return -1;
	*arr = p;
	*cap = need + 64;
	return 0;
}

/* queues: the module's objects' entries, and how many a capped queue left out. */
static int snap_queues(struct ps_session *s, char *err, size_t errlen)
{
	char *text, *line, *save = NULL;

	text = ps_dfs_read(&s->dfs, "queues", PS_SRC_QUEUES, err, errlen);
	if (!text)
		return -1;
	for (size_t i = 0; i < s->nobjects; i++) {
		s->objects[i].truncated = 0;
		s->objects[i].truncated_more = false;
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct ps_qline q;
		char why[256];

		/* a line we cannot read would make the listing quietly wrong */
		if (ps_parse_queue_line(line, &q, why, sizeof(why)) < 0 || q.kind == PS_QL_HEAD) {
			snprintf(err, errlen, _("%s/queues: %s"), s->dfs.dir,
				 q.kind == PS_QL_HEAD ? _("unexpected head line") : why);
			free(text);
			return -1;
		}
		if (q.kind == PS_QL_TRUNCATED) {
			/* an object created since the objects were read is listed next time */
			for (size_t i = 0; i < s->nobjects; i++) {
				if (strcmp(s->objects[i].name, q.object) == 0) {
					s->objects[i].truncated = q.truncated;
					s->objects[i].truncated_more = q.truncated_more;
				}
			}
			continue;
		}
		if (grow((void **)&s->entries, &s->centries, s->nentries + 1, sizeof(q.e)) < 0) {
			snprintf(err, errlen, _("out of memory"));
			free(text);
			return -1;
		}
		s->entries[s->nentries++] = q.e;
	}
	free(text);
	return 0;
}

/* A real object: its state, and its queues through the module's inspect. */
static int snap_real(struct ps_session *s, struct ps_obj *r, char *err, size_t errlen)
{
	struct ps_object *o = add_object(s, r->name);
	struct ps_head *h = NULL;
	struct ps_entry *en = NULL;
	size_t nh = 0, ne = 0;
	int rc = -1;

	if (o)
		ps_real_object(r, o);
	if (ps_real_inspect(&s->dfs, r, &h, &nh, &en, &ne, err, errlen) < 0)
		goto out;
	if (o)
		o->waiting = (int)ne;
	if (grow((void **)&s->entries, &s->centries, s->nentries + ne, sizeof(*en)) < 0 ||
	    grow((void **)&s->heads, &s->cheads, s->nheads + nh, sizeof(*h)) < 0) {
		snprintf(err, errlen, _("out of memory"));
		goto out;
	}
	if (ne)
		memcpy(s->entries + s->nentries, en, ne * sizeof(*en));
	s->nentries += ne;
	if (nh)
		memcpy(s->heads + s->nheads, h, nh * sizeof(*h));
	s->nheads += nh;
	rc = 0;
out:
	free(h);
	free(en);
	return rc;
}

int ps_session_snapshot(struct ps_session *s, char *err, size_t errlen)
{
	char e[256];

	if (ps_session_attach(s, err, errlen) < 0) {
		s->nobjects = 0;
		return -1;
	}
	if (s->replay || (s->snap_valid && s->snap_epoch == snap_key(s)))
		return 0; /* a replay's snapshot is the recorded frame */
	s->nobjects = 0;
	s->nentries = 0;
	s->nheads = 0;
	s->snap_err[0] = '\0';
	snap_module_objects(s);
	s->snap_queues_rc = snap_queues(s, s->snap_err, sizeof(s->snap_err));
	for (size_t i = 0; i < s->reals.n; i++) {
		if (snap_real(s, &s->reals.v[i], e, sizeof(e)) < 0 && s->snap_queues_rc == 0) {
			s->snap_queues_rc = -1;
			snprintf(s->snap_err, sizeof(s->snap_err), "%s", e);
		}
	}
	qsort(s->objects, s->nobjects, sizeof(*s->objects), cmp_obj);
	s->snap_valid = true;
	s->snap_epoch = snap_key(s);
	return 0;
}

int ps_session_read_queues(struct ps_session *s, char *err, size_t errlen)
{
	if (ps_session_snapshot(s, err, errlen) < 0)
		return -1;
	if (s->snap_queues_rc < 0) {
		snprintf(err, errlen, "%s", s->snap_err);
		return -1;
	}
	return 0;
}

const struct ps_head *ps_session_heads(struct ps_session *s, size_t *n)
{
	*n = s->nheads;
	return s->heads;
}

const struct ps_entry *ps_session_entries(struct ps_session *s, size_t *n)
{
	*n = s->nentries;
	return s->entries;
}

int ps_session_read_objects(struct ps_session *s, char *err, size_t errlen)
{
	return ps_session_snapshot(s, err, errlen);
}

const struct ps_object *ps_session_objects(struct ps_session *s, size_t *n)
{
	*n = s->nobjects;
	return s->objects;
}

struct ps_waiter *const *ps_session_waiters(struct ps_session *s, size_t *n)
{
	if (s->replay)
		return ps_replay_waiters(s, n);
	*n = s->ws.n;
	/* struct waiter_int starts with its struct ps_waiter */
	return (struct ps_waiter *const *)(void *)s->ws.v;
}

const char *ps_session_label_of(struct ps_session *s, pid_t pid)
{
	if (pid <= 0)
		return "-";
	if (s->replay) {
		size_t n;
		struct ps_waiter *const *w = ps_replay_waiters(s, &n);

		for (size_t i = n; i-- > 0;)
			if (w[i]->pid == pid)
				return w[i]->label;
		return "-";
	}
	for (size_t i = s->ws.n; i-- > 0;)
		if (s->ws.v[i]->w.pid == pid)
			return s->ws.v[i]->w.label;
	return "-";
}

/* inspect attaches when it first needs the module, not before: without it,
 * what can be said about the process is said first. */
static struct ps_debugfs *inspect_module(void *ctx, char *err, size_t errlen)
{
	struct ps_session *s = ctx;

	return ps_session_attach(s, err, errlen) < 0 ? NULL : &s->dfs;
}

int ps_inspect_process(struct ps_session *s, pid_t pid, int fd, struct ps_inspection *out,
		       char *err, size_t errlen)
{
	if (s->replay) {
		snprintf(err, errlen,
			 _("a replay has no processes to inspect (the recorded inspect outputs "
			   "are shown at their step)"));
		return -1;
	}
	return ps_inspect_pid(inspect_module, s, pid, fd, out, err, errlen);
}

/* ------------------------------------------------------------- events */

/* The ring keeps as many records as the module does (its events_size), so
 * that `events 0` means all; it grows as records come, from PS_EVENT_RING. */
static void ring_push(struct ps_session *s, const struct ps_event *ev)
{
	size_t idx, max = PS_EVENT_RING;

	if (s->version.events_size > 0 && (size_t)s->version.events_size > max)
		max = (size_t)s->version.events_size;
	if (s->ring_count == s->ring_cap && s->ring_cap < max) {
		size_t nc = s->ring_cap * 2 < max ? s->ring_cap * 2 : max;
		struct ps_event *r = calloc(nc, sizeof(*r));

		if (r) {
			for (size_t i = 0; i < s->ring_count; i++)
				r[i] = s->ring[(s->ring_start + i) % s->ring_cap];
			free(s->ring);
			s->ring = r;
			s->ring_start = 0;
			s->ring_cap = nc;
		}
	}
	if (s->ring_count < s->ring_cap) {
		idx = (s->ring_start + s->ring_count) % s->ring_cap;
		s->ring_count++;
	} else {
		idx = s->ring_start;
		s->ring_start = (s->ring_start + 1) % s->ring_cap;
	}
	s->ring[idx] = *ev;
}

void ps_session_push_event(struct ps_session *s, const struct ps_event *ev)
{
	if (ev->seq > s->last_seq)
		s->last_seq = ev->seq;
	ring_push(s, ev);
}

unsigned ps_read_events(struct ps_session *s)
{
	unsigned chg = 0;

	if (s->events_fd < 0)
		return 0;
	for (;;) {
		ssize_t r =
			read(s->events_fd, s->evbuf + s->evlen, sizeof(s->evbuf) - 1 - s->evlen);
		char *p, *nl;

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno != EAGAIN && s->events_pollable) {
			/* the module went away under us (debugfs answers EIO and
			 * polls as hung up from then on): stop polling the file,
			 * or every poll() returns at once */
			snprintf(s->module_state, sizeof(s->module_state), "gone (%s)",
				 strerror(errno));
			close(s->events_fd);
			s->events_fd = -1;
			chg |= PS_CHG_OBJECTS;
			break;
		}
		if (r <= 0)
			break;
		s->evlen += (size_t)r;
		s->evbuf[s->evlen] = '\0';
		p = s->evbuf;
		while ((nl = strchr(p, '\n')) != NULL) {
			struct ps_event ev;
			*nl = '\0';
			if (ps_parse_event(p, &ev) == 0) {
				/* a recorded file re-read, or a reopened file: skip what we have */
				if (ev.seq > s->last_seq || strcmp(ev.type, "lost") == 0) {
					if (ev.seq > s->last_seq)
						s->last_seq = ev.seq;
					ring_push(s, &ev);
					chg |= PS_CHG_EVENTS;
					if (!strcmp(ev.type, "create") ||
					    !strcmp(ev.type, "destroy"))
						chg |= PS_CHG_OBJECTS;
				}
			}
			p = nl + 1;
		}
		s->evlen = strlen(p);
		memmove(s->evbuf, p, s->evlen + 1);
		if (s->evlen == sizeof(s->evbuf) - 1)
			s->evlen = 0; /* an absurdly long line: drop it */
	}
	return chg;
}

size_t ps_session_events_since(struct ps_session *s, uint64_t *cursor, struct ps_event *out,
			       size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < s->ring_count && n < max; i++) {
		const struct ps_event *ev = &s->ring[(s->ring_start + i) % s->ring_cap];
		if (ev->seq > *cursor) {
			out[n++] = *ev;
			*cursor = ev->seq;
		}
	}
	return n;
}

/* ------------------------------------------------------------- loop */

int ps_session_pollfds(struct ps_session *s, struct pollfd *fds, int max)
{
	int n = 0;

	if (n < max) {
		fds[n].fd = s->chld_pipe[0];
		fds[n].events = POLLIN;
		fds[n++].revents = 0;
	}
	if (s->events_fd >= 0 && s->events_pollable && n < max) {
		fds[n].fd = s->events_fd;
		fds[n].events = POLLIN;
		fds[n++].revents = 0;
	}
	if (n < max) {
		fds[n].fd = s->ws.report_pipe[0];
		fds[n].events = POLLIN;
		fds[n++].revents = 0;
	}
	return n;
}

unsigned ps_session_process(struct ps_session *s)
{
	unsigned chg = 0;
	char tmp[64];

	if (s->replay)
		return ps_replay_take_changes(s);
	ps_session_changed(s);
	chg |= ps_read_events(s);
	while (read(s->chld_pipe[0], tmp, sizeof(tmp)) > 0)
		;
	chg |= ps_waiters_process(&s->ws, ps_current_sink(s));
	if (chg)
		ps_record_frame(s);
	return chg;
}

static int session_progress(void *ctx, const char *what, size_t done, size_t total)
{
	struct ps_session *s = ctx;

	if (ps_interrupted)
		return -1;
	if (s->hooks.progress)
		return s->hooks.progress(s->hooks.ctx, what, done, total);
	return 0;
}

struct ps_progress ps_session_progress(struct ps_session *s)
{
	return (struct ps_progress){ session_progress, s };
}

int ps_session_wait(struct ps_session *s, int ms)
{
	struct pollfd fds[PS_MAX_POLLFDS];
	int n;

	if (s->hooks.wait)
		return s->hooks.wait(s->hooks.ctx, ms);
	n = ps_session_pollfds(s, fds, PS_MAX_POLLFDS);
	poll(fds, (nfds_t)n, ms);
	return 0;
}
