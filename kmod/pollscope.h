/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pollscope: observe the Linux poll machinery (select/poll/epoll and wait
 * queues) through debugfs.  Shared declarations of the module's parts:
 *
 *   pollscope_main.c  module init/exit, parameters, version and stats files
 *   control.c         the control file (command parser)
 *   snapshot.c        the queues file
 *   waits.c           the waits file (every task's pollable files, their heads)
 *   inspect.c         the inspect file (vfs_poll on any fd of the writer)
 *   object.c          pollable objects, their files and the keyed wake walk
 *   events.c          the event ring and the events file
 *   wq.c              wait-queue entries: copying, lock accounting, epoll
 *                     registrant table
 *   epoll.c           epoll instances behind ep_poll_callback entries and
 *                     epoll files (fs/eventpoll.c's private layout)
 *   sym.c             kernel functions recognised by name
 *   format.c          the text syntax: MASK, flag, comm and function names
 *
 * Each file calls only files listed below it (main calls all), and the
 * record syntax shared with the tool is in pollscope_uapi.h.
 *
 * Lock order: ps_mutex -> obj->reg_mutex -> obj->wq.lock -> ps_fn_lock.
 * The event ring lock is a leaf: it may be taken under ps_mutex or an
 * epoll mutex, and nothing is taken under it.
 */
#ifndef POLLSCOPE_H
#define POLLSCOPE_H

#include <linux/types.h>
#include <linux/wait.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/hashtable.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/fs.h>
#include <linux/pid_namespace.h>
#include "pollscope_uapi.h"

#define PS_NAME_MAX PS_UAPI_NAME_LEN /* object name length, without NUL */
#define PS_CMD_MAX 127		     /* longest control write */
#define PS_MAX_HEADS 16		     /* wait queue heads recorded by inspect */
#define PS_LINE_MAX 512		     /* longest record line, '\n' included */

/* The eleven event bits of the MASK syntax. */
#define PS_MASK_ALL                                                                                \
	(EPOLLIN | EPOLLOUT | EPOLLPRI | EPOLLERR | EPOLLHUP | EPOLLRDNORM | EPOLLRDBAND |         \
	 EPOLLWRNORM | EPOLLWRBAND | EPOLLMSG | EPOLLRDHUP)

extern unsigned int ps_max_objects;
extern unsigned int ps_events_size;
/*
 * Most entries copied from one wait queue (queues: per object, inspect: per
 * head); a snapshot copies at most PS_MAX_HEADS times as many in all.  Past
 * it the walk under the queue lock only counts, and at most as many again.
 */
extern unsigned int ps_queue_max;
extern struct dentry *ps_root;
extern struct dentry *ps_objdir;

/* --- text syntax (format.c) --- */
struct ps_bit_name {
	const char *name;
	u32 bit; /* 0: a WQ_FLAG_* this kernel does not define */
};

extern const struct ps_bit_name ps_mask_names[]; /* MASK events */
extern const unsigned int ps_mask_count;
extern const struct ps_bit_name ps_flag_names[]; /* WQ_FLAG_* of this kernel */
extern const unsigned int ps_flag_count;
int ps_mask_parse(const char *s, __poll_t *out);
/* Writes "in,out", "none" or "in,0x10000" into buf; returns buf. */
char *ps_mask_str(char *buf, size_t len, __poll_t mask);
/* Writes "exclusive,0x40" or "-" into buf; returns buf. */
char *ps_flags_str(char *buf, size_t len, unsigned int flags);
/* Copies a task comm, replacing bytes outside 0x21..0x7e and '=' by '?'. */
void ps_comm_sanitize(char *dst, const char *src, size_t len);
/* A kernel function's symbol name, "unknown" if unresolved, "-" for NULL. */
void ps_func_name(const void *fn, char *buf, size_t len);
const char *ps_kind_name(u8 sym);	    /* enum ps_sym */
const char *ps_qproc_name(unsigned int qp); /* enum ps_qproc */

/* --- control (control.c) --- */
extern const struct file_operations ps_control_fops;

/* --- objects (object.c) --- */

/* Who registered an ep_poll_callback entry (epoll leaves ->private NULL). */
struct ps_reg {
	struct hlist_node node;
	const wait_queue_entry_t *entry; /* identity only, never followed */
	struct pid *pid;
	__poll_t key;
	bool seen;
	char comm[TASK_COMM_LEN];
};

#define PS_REG_BITS 6

/* Registrants of epoll entries on one object's queue, keyed by entry. */
struct ps_regtab {
	DECLARE_HASHTABLE(h, PS_REG_BITS);
};

struct ps_obj {
	struct kref ref;
	struct list_head node; /* on ps_objects, under ps_mutex */
	char name[PS_NAME_MAX + 1];
	struct dentry *dentry;
	struct mutex reg_mutex; /* serialises epoll registrations */
	wait_queue_head_t wq;	/* wq.lock protects all below */
	__poll_t ready;
	u64 count;
	bool dead;
	unsigned int open;
	u64 polls, queued, added, wakes, woken;
	struct ps_regtab reg;
	struct pid *creator; /* who created it (stats: so a crashed tool's objects are known) */
	char creator_comm[TASK_COMM_LEN];
};

extern struct mutex ps_mutex; /* the object list and its count */
extern struct list_head ps_objects;
extern unsigned int ps_nobjects;
extern const struct file_operations ps_obj_fops;

struct ps_obj *ps_obj_find(const char *name); /* under ps_mutex */
int ps_obj_create(const char *name);	      /* under ps_mutex */
void ps_obj_destroy(struct ps_obj *obj);      /* under ps_mutex */
void ps_obj_ready(struct ps_obj *obj, __poll_t mask);
void ps_obj_wake(struct ps_obj *obj, __poll_t mask, int nr);
void ps_obj_put(struct ps_obj *obj);
void ps_objects_cleanup(void); /* module exit */

/* A wake walk's bookmark (func NULL); later kernels have no bookmarks. */
static inline bool ps_is_bookmark(const wait_queue_entry_t *e)
{
#ifdef WQ_FLAG_BOOKMARK
	if (e->flags & WQ_FLAG_BOOKMARK)
		return true;
#endif
	return !e->func;
}

/* --- lock-hold accounting (wq.c) --- */
u64 ps_lock_begin(void);
u64 ps_lock_end(u64 t0);

/* --- events (events.c) --- */
enum ps_ev_type {
	PS_EV_CREATE,
	PS_EV_DESTROY,
	PS_EV_POLL,
	PS_EV_READY,
	PS_EV_WAKE,
	PS_EV_READ,
	PS_EV_WRITE,
	PS_EV_OPEN,
	PS_EV_RELEASE,
	PS_EV_WATCH, /* a watched queue (watch.c): wop says what */
};

/* --- watches (watch.c) --- */
#define PS_WT_ENTS 6	   /* queue entries copied per watched wake */
#define PS_WT_COUNT_MAX 32 /* entries counted per watched wake */
#define PS_WT_SITES 3	   /* call-site frames kept per watched wake (all shown) */
#define PS_WT_LABEL 31	   /* a head's label, from the tool */

enum ps_wt_op { PS_WOP_WAKE, PS_WOP_START, PS_WOP_END, PS_WOP_POLLFREE };
enum ps_wt_reason {
	PS_WR_NONE,
	PS_WR_CLOSED,	 /* ours was the last reference */
	PS_WR_UNWATCH,	 /* del NAME */
	PS_WR_POLLFREE,	 /* the queue was freed (wake_up_pollfree) */
	PS_WR_DESTROYED, /* a pollscope object was destroyed */
	PS_WR_UNLOAD,	 /* rmmod */
};
enum ps_wt_ctx { PS_WC_TASK, PS_WC_IRQ, PS_WC_SOFTIRQ, PS_WC_NMI };
/* what a watched wake does to one entry */
enum ps_wt_verdict { PS_WV_UNKNOWN, PS_WV_WAKE, PS_WV_SKIP, PS_WV_STOP, PS_WV_AFTER };

/* One entry on a watched queue at a wake. */
struct ps_wt_ent {
	__poll_t key;
	pid_t pid;
	u8 sym, excl, has_key, verdict;
	char comm[TASK_COMM_LEN];
};

extern unsigned int ps_max_watches;
extern unsigned int ps_watch_check_ms;
extern const struct file_operations ps_watch_fops;
void ps_watch_exit(void);
const char *ps_wt_ctx_name(u8 ctx);
/* The epoll events of an ep_poll_callback entry (under its queue's lock). */
bool ps_ep_entry_key(wait_queue_entry_t *curr, __poll_t *key);
/* Path or pseudo name of a file, sanitized (inspect.c). */
void ps_file_name(struct file *f, char *out, size_t len);

enum ps_qproc {
	PS_QP_NONE,
	PS_QP_POLLWAKE,
	PS_QP_EP,
	PS_QP_INSPECT,
	PS_QP_OTHER,
};

enum ps_source {
	PS_SRC_WAKE,
	PS_SRC_WRITE,
	PS_SRC_DESTROY,
};

struct ps_ev {
	u64 seq;
	u64 ns;
	struct pid *pid;
	char comm[TASK_COMM_LEN];
	char obj[PS_NAME_MAX + 1];
	u8 type;
	u8 qproc;			 /* poll */
	u8 queued;			 /* poll */
	u8 source;			 /* wake */
	__poll_t mask;			 /* poll: returned; ready: new; wake: key */
	__poll_t old;			 /* ready */
	u32 nr, visited, woken, waiters; /* watch wake: nr = frames saved */
	u64 value;
	/* watch (PS_EV_WATCH) */
	u8 wop, wctx, whead, wreason, nent, wmore;
	u64 wwakes, wlimited; /* end: the watch's totals */
	char wlabel[PS_WT_LABEL + 1];
	unsigned long wsite[PS_WT_SITES];
	struct ps_wt_ent went[PS_WT_ENTS];
};

int ps_events_init(void);
void ps_events_exit(void);
/* Fills seq, ns, pid and comm; the caller fills the rest. No lock held. */
void ps_event(struct ps_ev *ev);
/* For wake functions: pid and comm filled by the caller; readers asleep in
 * poll are woken later (irq_work), never under the caller's queue lock. */
void ps_event_watch(struct ps_ev *ev);
bool ps_ev_in_kick(void);	       /* the caller runs inside the readers' wake-up */
bool ps_wt_core_frame(const char *fn); /* a wait-queue function, not a waker */
extern const struct file_operations ps_events_fops;

/* --- wait queue entries (wq.c) --- */
enum ps_sym {
	PS_SYM_NONE, /* NULL function pointer (bookmark) */
	PS_SYM_OTHER,
	PS_SYM_POLLWAKE,
	PS_SYM_EP_POLL_CALLBACK,
	PS_SYM_EP_AUTOREMOVE,
	PS_SYM_AUTOREMOVE,
	PS_SYM_WOKEN,
	PS_SYM_DEFAULT,
	PS_SYM_POLLWAIT,      /* __pollwait, a qproc */
	PS_SYM_EP_QUEUE_PROC, /* ep_ptable_queue_proc, a qproc */
	PS_SYM_INSPECT,	      /* our own inspect qproc */
	PS_SYM_EP_FILE_POLL,  /* ep_eventpoll_poll: an epoll file's poll method */
	PS_SYM_SIGNALFD_POLL, /* signalfd_poll */
	PS_SYM_TRUNC,	      /* not a function: a snapshot's "truncated=" record */
};

enum ps_sym ps_classify(const void *fn);

/* ps_classify() with a one-function memo, for walks under a queue lock. */
struct ps_cmemo {
	const void *fn;
	u8 sym;
};

static inline u8 ps_classify_memo(struct ps_cmemo *m, const void *fn)
{
	if (fn != m->fn) {
		m->fn = fn;
		m->sym = ps_classify(fn);
	}
	return m->sym;
}

enum ps_qproc ps_qproc_of(const poll_table *pt);

/* A poll table that records the heads a poll method uses instead of queueing. */
struct ps_heads_pt {
	poll_table pt;
	wait_queue_head_t *heads[PS_MAX_HEADS];
	unsigned int n;
};

void ps_heads_qproc(struct file *file, wait_queue_head_t *head, poll_table *pt);

/* The registrant table; all under the queue's lock except free_list. */
struct ps_reg *ps_reg_find(struct ps_regtab *tab, const wait_queue_entry_t *e);
void ps_reg_add(struct ps_regtab *tab, struct ps_reg *rec, const wait_queue_entry_t *e);
void ps_reg_sweep_locked(struct ps_regtab *tab, wait_queue_head_t *wq, struct hlist_head *stale);
void ps_reg_free_list(struct hlist_head *list);
void ps_reg_free_all(struct ps_regtab *tab);

/*
 * One wait queue entry, copied under the queue lock, or a run of identical
 * consecutive entries (same function, flags, ->private and key: one poll()
 * passing the same file many times), which prints as run lines.
 */
struct ps_ent {
	const void *func;    /* for the name lookup only, never printed */
	const void *task;    /* identity while copying only, never followed or printed */
	const void *private; /* identity while copying only, never followed or printed */
	u32 owner;	     /* object index (queues) or head index (inspect) */
	u32 pos;	     /* of the first entry of the run */
	u32 run;	     /* entries this record stands for, >= 1 */
	u32 line;	     /* queues: line number of the first entry */
	u32 flags;
	pid_t pid;
	__poll_t key;
	u8 sym;
	u8 has_key;
	char state; /* 0: unknown */
	char comm[TASK_COMM_LEN];
	/* ep_poll_callback entries (epoll.c), when ep_known */
	u8 ep_known;
	u8 ep_disarmed;	     /* a delivered EPOLLONESHOT: no event bits left */
	u8 ep_sleepers_more; /* the count stopped at PS_EP_SLEEPERS_MAX */
	u32 ep_sleepers;     /* threads in epoll_wait on that instance */
	s32 ep_tfd;	     /* the fd number it was registered under */
	u64 ep_id;	     /* hashed identity of the epoll instance */
};

/* Memo of the last function name looked up while formatting. */
struct ps_fname {
	const void *fn;
	bool valid;
	char name[64];
};

/* The result of copying one queue. */
struct ps_copy_res {
	u32 nrec;  /* records in out[] */
	u32 nent;  /* entries they stand for */
	u32 left;  /* entries past the copy limit, counted up to ps_queue_max */
	bool more; /* the count stopped at its bound: left is a lower bound */
	u64 hold;  /* how long the queue lock was held */
};

u32 ps_count_entries(wait_queue_head_t *wq, u32 limit, u64 *hold);
int ps_copy_entries(wait_queue_head_t *wq, struct ps_regtab *reg, u32 owner, struct ps_ent *out,
		    u32 cap, u32 max_ent, struct ps_copy_res *res);
int ps_format_ent(char *buf, size_t len, const char *lead, const struct ps_ent *e,
		  struct ps_fname *fc);
/* A snapshot (queues open, inspect write): entries, total time, longest lock hold. */
void ps_snap_account(u32 entries, u64 ns, u64 lock_ns);
/* A walk command: entries, lock hold. */
void ps_walk_account(u32 entries, u64 ns);

struct ps_stats_global {
	u64 snapshots, entries, ns, lock_max;
	u64 last_entries, last_ns, last_lock_ns; /* the last snapshot */
	u64 walk_entries, walk_ns;		 /* the last walk command */
};

void ps_stats_globals(struct ps_stats_global *g);

/* --- epoll instances (epoll.c) --- */
#define PS_EP_SLEEPERS_MAX 64 /* epoll_wait sleepers counted per entry */

/*
 * Fills e's ep_* fields, and its pid, comm and state from the first thread
 * sleeping in epoll_wait on the instance, for an ep_poll_callback entry on
 * wq; wq->lock held (the instance's locks are taken inside, in the order
 * ep_poll_callback takes them).  Returns false, changing nothing, when this
 * kernel's epoll layout is not known to the module.
 */
bool ps_ep_entry_locked(wait_queue_head_t *wq, wait_queue_entry_t *curr, struct ps_ent *e,
			struct pid_namespace *ns);
void ps_ep_init(void); /* the key of the ids, at load */
/* The epoll instance behind an epoll file (opaque), or NULL. */
void *ps_ep_of_file(struct file *f);
u64 ps_ep_id(const void *ep);
/* A struct file's identity for this module's lifetime (the same hash), never
 * its address: an fd's header and an epoll item's watch line name one file
 * with the same fid. */
u64 ps_file_id(const struct file *f);
/* The instance's epoll_wait queue, and the lock its sleepers are added under. */
wait_queue_head_t *ps_ep_wq(void *ep, spinlock_t **outer);
wait_queue_head_t *ps_ep_pollq(void *ep);

/* One watched file of an epoll instance (its rbtree of epitems). */
struct ps_watch {
	u64 fid; /* ps_file_id of epi->ffd.file */
	s32 tfd;
	u32 events;
	unsigned long ino;
	dev_t sdev;
	bool ready;
};

/*
 * Copies at most max watched items into out[] (allocated here, kvfree it)
 * under the instance's mutex; *n listed, *left counted past them (up to
 * max), *more when that count stopped.
 */
int ps_ep_watched(void *ep, u32 max, struct ps_watch **out, u32 *n, u32 *left, bool *more);

/* --- queues (snapshot.c), inspect (inspect.c), waits (waits.c) --- */
extern const struct file_operations ps_queues_fops;
extern const struct file_operations ps_inspect_fops;
extern const struct file_operations ps_waits_fops;

/*
 * buf, kept between uses, with room for need elements of size bytes: grown
 * (contents not kept) only when *cap is less.  NULL, *cap 0 and the old
 * buffer freed when out of memory.  kvfree the last one returned.
 */
void *ps_reserve(void *buf, u32 *cap, u32 need, size_t size);

/* inspect.c's head copy, shared with waits.c */
struct ps_head_copy {
	struct ps_ent *ents; /* kept between copies (cap records): kvfree when done */
	u32 cap;
	struct ps_copy_res res;
};

/*
 * A queue reached through another lock: lock() takes it and returns the
 * queue (NULL if it is gone), unlock() drops it.  Each step of a copy
 * takes it again, since the queue may go in between (a signalfd owner's
 * sighand is replaced on exec).
 */
struct ps_outer {
	wait_queue_head_t *(*lock)(struct ps_outer *o);
	void (*unlock)(struct ps_outer *o);
	spinlock_t *lockp; /* ep->lock */
	wait_queue_head_t *wq;
	struct task_struct *task; /* signalfd owner */
	struct sighand_struct *sh;
	unsigned long flags;
};

/* Copies at most ps_queue_max entries of wq (or of outer's queue) into hc. */
int ps_copy_head(wait_queue_head_t *wq, struct ps_outer *outer, struct ps_regtab *reg, u32 idx,
		 struct ps_head_copy *hc);
/* An epoll instance's ep->wq under ep->lock (outer->lockp, outer->wq). */
wait_queue_head_t *ps_ep_lock(struct ps_outer *o);
void ps_ep_unlock(struct ps_outer *o);
/* signalfd_poll: it polls the caller's signals, not the owner's */
bool ps_poll_is_callers(struct file *f);

#endif /* POLLSCOPE_H */
