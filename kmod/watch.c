// SPDX-License-Identifier: GPL-2.0
/*
 * pollscope: watch any pollable file.  The writer of the watch file hands
 * over one of its fds; the file's poll method is called with a poll_table
 * whose queueing function adds our entry to every head it uses (as
 * ep_ptable_queue_proc does, non-exclusive, so at the head of the queue:
 * every wake reaches it before an exclusive walk can stop).  Our wake
 * function wakes nobody and returns 0: it records the wake into the event
 * ring (key, waker, call site, the entries on the queue then).
 *
 * Lifetime: we hold a file reference (the heads live in the file's private
 * state), but never for long once the owners are gone: a periodic check
 * ends the watch when ours is the only reference left (file_count() == 1:
 * no fd table, no SCM_RIGHTS message, no in-flight syscall holds it, and
 * nobody can get a new one).  A head freed under us by wake_up_pollfree()
 * (signalfd, when the owner's sighand goes) is handled as epoll does:
 * on POLLFREE the entry is unlinked and its head pointer cleared with a
 * release store; removal reads it with an acquire load under RCU.
 * A pollscope object's file is not held: the object is (kref), and the
 * watch ends when it is destroyed.
 *
 * Locks: ps_wt_mutex (the list) -> a watched queue's lock -> ps_ev_lock.
 * The wake function takes only the event ring lock and queues work.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/ctype.h>
#include <linux/uaccess.h>
#include <linux/ktime.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/stacktrace.h>
#include <linux/hash.h>
#include <linux/workqueue.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include "pollscope.h"
#ifdef CONFIG_X86
#include <asm/unwind.h>
#endif

unsigned int ps_max_watches = 64;
unsigned int ps_watch_check_ms = 100;

struct ps_wt;

/* One of our entries on one head of a watched file. */
struct ps_wt_head {
	wait_queue_entry_t wait;
	wait_queue_head_t *whead; /* NULL once POLLFREE unlinked us */
	struct ps_wt *wt;
	u8 idx;
	bool freed; /* POLLFREE seen: the watch ends */
	char label[PS_WT_LABEL + 1];
	/* under whead->lock (the wake function runs under it) */
	unsigned long win_j; /* the rate's 1 s window, in jiffies: no clock read */
	u32 win_n;
	u64 wakes, recorded, limited;
};

struct ps_wt {
	struct list_head node; /* on ps_wt_list, under ps_wt_mutex */
	char name[PS_NAME_MAX + 1];
	char fname[64];
	struct file *file;	  /* held; NULL for a pollscope object */
	struct ps_obj *obj;	  /* a pollscope object (kref), or NULL */
	struct pid *owner;	  /* a signalfd's owner, or NULL */
	struct pid_namespace *ns; /* the watcher's: pids of queued entries */
	u32 rate;		  /* events per second per head, 0: no limit */
	unsigned int nheads;
	struct ps_wt_head heads[PS_MAX_HEADS];
};

static DEFINE_MUTEX(ps_wt_mutex);
static LIST_HEAD(ps_wt_list);
static unsigned int ps_nwatches;
static void ps_wt_check(struct work_struct *work);
static DECLARE_DELAYED_WORK(ps_wt_work, ps_wt_check);

static int ps_wt_wake(wait_queue_entry_t *wait, unsigned int mode, int sync, void *key);

/* Whether an entry on the queue would be woken by this key. */
static u8 ps_wt_verdict(wait_queue_entry_t *curr, u8 sym, __poll_t key, struct ps_wt_ent *we)
{
	switch (sym) {
	case PS_SYM_POLLWAKE: {
		struct poll_table_entry *pte = container_of(curr, struct poll_table_entry, wait);

		we->key = pte->key;
		we->has_key = 1;
		return !key || (key & pte->key) ? PS_WV_WAKE : PS_WV_SKIP;
	}
	case PS_SYM_EP_POLL_CALLBACK: {
		__poll_t ev;

		if (!ps_ep_entry_key(curr, &ev))
			return PS_WV_UNKNOWN;
		we->key = ev;
		we->has_key = 1;
		/* ep_poll_callback: a keyed wake that misses the events is no wake */
		return !key || (key & ev) ? PS_WV_WAKE : PS_WV_SKIP;
	}
	case PS_SYM_AUTOREMOVE:
	case PS_SYM_DEFAULT:
	case PS_SYM_WOKEN:
	case PS_SYM_EP_AUTOREMOVE:
		return PS_WV_WAKE; /* they ignore the key */
	default:
		return PS_WV_UNKNOWN;
	}
}

static struct task_struct *ps_wt_task(wait_queue_entry_t *curr, u8 sym)
{
	switch (sym) {
	case PS_SYM_POLLWAKE: {
		struct poll_wqueues *pwq = curr->private;

		return pwq ? pwq->polling_task : NULL;
	}
	case PS_SYM_AUTOREMOVE:
	case PS_SYM_DEFAULT:
	case PS_SYM_WOKEN:
	case PS_SYM_EP_AUTOREMOVE:
		return curr->private;
	default:
		return NULL;
	}
}

/*
 * Under the queue's lock: the first PS_WT_ENTS entries other than watch
 * entries, the rest counted up to PS_WT_COUNT_MAX, each with what this wake
 * does to it.  An exclusive entry that wakes stops a wake_up() walk (nr 1):
 * it is marked stop, the entries after it are not reached by such a walk.
 */
static void ps_wt_copy(struct ps_wt_head *h, __poll_t key, struct ps_ev *ev)
{
	struct ps_wt_ent *we;
	wait_queue_entry_t *curr;
	bool stopped = false;
	u32 n = 0;

	list_for_each_entry(curr, &h->whead->head, entry) {
		struct task_struct *t;
		u8 sym, v;

		if (ps_is_bookmark(curr) || curr->func == ps_wt_wake)
			continue;
		if (n >= PS_WT_COUNT_MAX) {
			ev->wmore = 1;
			break;
		}
		n++;
		if (n > PS_WT_ENTS)
			continue;
		we = &ev->went[n - 1];
		memset(we, 0, sizeof(*we));
		sym = ps_classify(curr->func);
		we->sym = sym;
		we->excl = !!(curr->flags & WQ_FLAG_EXCLUSIVE);
		v = ps_wt_verdict(curr, sym, key, we);
		if (stopped)
			v = PS_WV_AFTER;
		else if (v == PS_WV_WAKE && we->excl)
			v = PS_WV_STOP, stopped = true;
		we->verdict = v;
		t = ps_wt_task(curr, sym);
		if (t) {
			we->pid = pid_nr_ns(task_pid(t), h->wt->ns);
			memcpy(we->comm, t->comm, TASK_COMM_LEN);
			we->comm[TASK_COMM_LEN - 1] = '\0';
		}
	}
	ev->waiters = n;
	ev->nent = min_t(u32, n, PS_WT_ENTS);
}

static void ps_wt_fill(struct ps_wt_head *h, struct ps_ev *ev, u8 op)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = PS_EV_WATCH;
	ev->wop = op;
	ev->whead = h->idx;
	strscpy(ev->obj, h->wt->name, sizeof(ev->obj));
	strscpy(ev->wlabel, h->label, sizeof(ev->wlabel));
}

/*
 * Which return addresses are the wait machinery's (__wake_up*, wake_up*, our
 * own ps_wt_ frames, "unknown"): decided by name once per address.  Only
 * addresses whose meaning never changes are kept: built-in kernel text and
 * our own module's (the table dies with it); another module's function may
 * go and another take its place, so it is looked up every time.  Slots go
 * from empty to filled once (under the lock); readers need no lock.
 */
#define PS_WT_SC_BITS 8
#define PS_WT_SC_PROBES 8
static struct {
	unsigned long addr; /* 0: empty; published after core */
	bool core;
} ps_wt_sc[1 << PS_WT_SC_BITS];
static DEFINE_SPINLOCK(ps_wt_sc_lock);

#define PS_WT_SC_SLOT(b, i) (((b) + (i)) & ((1 << PS_WT_SC_BITS) - 1))

/* Not in the table: by name, kept when it may be. */
static noinline bool ps_wt_site_learn(unsigned long addr, unsigned int b)
{
	unsigned long flags;
	char fn[128];
	unsigned int i;
	bool core;

	snprintf(fn, sizeof(fn), "%ps", (void *)addr);
	if (!fn[0] || !strncmp(fn, "0x", 2))
		return true; /* unresolved: "unknown", left out as before; not kept */
	core = ps_wt_core_frame(fn);
	if (strchr(fn, ' ') && !within_module_core(addr, THIS_MODULE))
		return core; /* another module's */
	spin_lock_irqsave(&ps_wt_sc_lock, flags);
	for (i = 0; i < PS_WT_SC_PROBES; i++) {
		unsigned int j = PS_WT_SC_SLOT(b, i);

		if (ps_wt_sc[j].addr == addr)
			break;
		if (!ps_wt_sc[j].addr) {
			ps_wt_sc[j].core = core;
			smp_store_release(&ps_wt_sc[j].addr, addr);
			break;
		}
	}
	spin_unlock_irqrestore(&ps_wt_sc_lock, flags);
	return core;
}

static bool ps_wt_site_core(unsigned long addr)
{
	unsigned int i, b = hash_long(addr, PS_WT_SC_BITS);
	unsigned long k;

	for (i = 0; i < PS_WT_SC_PROBES; i++) {
		/* pairs with the release in ps_wt_site_learn(): core is set */
		k = smp_load_acquire(&ps_wt_sc[PS_WT_SC_SLOT(b, i)].addr);
		if (k == addr)
			return ps_wt_sc[PS_WT_SC_SLOT(b, i)].core;
		if (!k)
			break;
	}
	return ps_wt_site_learn(addr, b);
}

/*
 * The waker's call site: the first PS_WT_SITES frames outside the wait
 * machinery, innermost first, what the events file shows.  The walk stops
 * there: a whole stack_trace_save() unwinds every frame to the syscall
 * entry (or PS_WT_WALK of them), each an ORC table search, for frames
 * nobody is shown.  PS_WT_WALK bounds the walk as the old 12-frame save
 * did (plus the unwinder's own frames, which it skipped).
 *
 * With ORC the walk starts in our caller (__wake_up_common, or whoever
 * called the entry's function), given as registers: RET, the return
 * address into it, and FP, ps_wt_wake()'s frame pointer (the caller's stack
 * pointer is two words above it).  Our own two frames are module text, a
 * module-tree search each, and a third of the walk's cost; they are never
 * shown.  The caller itself is checked here, as the registers' frame is not
 * reported by the unwinder.
 */
#define PS_WT_WALK 16
static noinline u32 ps_wt_site(unsigned long *site, unsigned long ret, unsigned long *fp)
{
	u32 n = 0;
#ifdef CONFIG_X86
	struct unwind_state state;
	u32 walked = 0;
	unsigned long addr;
#ifdef CONFIG_UNWINDER_ORC
	struct pt_regs regs = {
		.ip = ret - 1, /* within the call: its ORC entry, as for any return address */
		.sp = (unsigned long)(fp + 2),
		.bp = READ_ONCE_NOCHECK(fp[0]),
		.cs = __KERNEL_CS,
	};
	struct pt_regs *from = &regs;

	if (!ps_wt_site_core(ret))
		site[n++] = ret;
#else
	struct pt_regs *from = NULL;
#endif

	for (unwind_start(&state, current, from, NULL); !unwind_done(&state) && n < PS_WT_SITES;
	     unwind_next_frame(&state)) {
		addr = unwind_get_return_address(&state);
		if (!addr || ++walked > PS_WT_WALK)
			break;
		if (ps_wt_site_core(addr))
			continue;
		site[n++] = addr;
	}
#else
	unsigned long all[PS_WT_WALK];
	u32 i, nr = stack_trace_save(all, PS_WT_WALK, 0);

	for (i = 0; i < nr && n < PS_WT_SITES; i++)
		if (!ps_wt_site_core(all[i]))
			site[n++] = all[i];
#endif
	return n;
}

/* The waker: a task (pid, comm) or an interrupt context. */
static void ps_wt_waker(struct ps_ev *ev)
{
	if (in_nmi())
		ev->wctx = PS_WC_NMI;
	else if (in_hardirq())
		ev->wctx = PS_WC_IRQ;
	else if (in_serving_softirq())
		ev->wctx = PS_WC_SOFTIRQ;
	else
		ev->wctx = PS_WC_TASK;
	if (ev->wctx == PS_WC_TASK) {
		ev->pid = get_task_pid(current, PIDTYPE_PID);
		/* no task_lock under a queue lock: a racy copy, as tracepoints do */
		memcpy(ev->comm, current->comm, TASK_COMM_LEN);
		ev->comm[TASK_COMM_LEN - 1] = '\0';
	} else {
		strscpy(ev->comm, ps_wt_ctx_name(ev->wctx), sizeof(ev->comm));
	}
}

/*
 * Runs under the head's lock, in any context.  Never wakes anyone, never
 * sleeps: bounded work (a bounded stack trace, a bounded copy), then the
 * ring's leaf lock.
 */
static int ps_wt_wake(wait_queue_entry_t *wait, unsigned int mode, int sync, void *key)
{
	struct ps_wt_head *h = container_of(wait, struct ps_wt_head, wait);
	__poll_t k = key_to_poll(key);
	struct ps_ev ev;
	u32 rate;

	h->wakes++;
	if (k & POLLFREE) {
		/* first: a check that sees it ends the watch as pollfree */
		WRITE_ONCE(h->freed, true);
		ps_wt_fill(h, &ev, PS_WOP_POLLFREE);
		ps_wt_waker(&ev);
		ev.mask = k;
		ps_event_watch(&ev);
		mod_delayed_work(system_wq, &ps_wt_work, 0);
		/*
		 * As ep_poll_callback: list_del_init (a racing removal may
		 * still remove it again), then the release store; after it
		 * nothing keeps h's head alive, and h is not touched again.
		 */
		list_del_init(&wait->entry);
		smp_store_release(&h->whead, NULL);
		return 0;
	}
	if (ps_ev_in_kick()) { /* our own readers' wake-up, through this queue */
		h->limited++;
		return 0;
	}
	rate = READ_ONCE(h->wt->rate);
	if (rate) {
		unsigned long now = jiffies;

		if (!h->win_n || time_after_eq(now, h->win_j + HZ)) {
			h->win_j = now;
			h->win_n = 0;
		}
		if (h->win_n >= rate) {
			h->limited++;
			return 0;
		}
		h->win_n++;
	}
	h->recorded++;
	ps_wt_fill(h, &ev, PS_WOP_WAKE);
	ps_wt_waker(&ev);
	ev.mask = k;
	ev.nr = ps_wt_site(ev.wsite, (unsigned long)__builtin_return_address(0),
			   __builtin_frame_address(0));
	ps_wt_copy(h, k, &ev);
	ps_event_watch(&ev);
	return 0;
}

/* Takes our entry off its head, if POLLFREE has not already. */
static void ps_wt_unhook(struct ps_wt_head *h)
{
	wait_queue_head_t *whead;

	rcu_read_lock();
	/* pairs with the release store in ps_wt_wake() (ep_remove_wait_queue) */
	whead = smp_load_acquire(&h->whead);
	if (whead)
		remove_wait_queue(whead, &h->wait);
	rcu_read_unlock();
}

static void ps_wt_hook(struct ps_wt *wt, wait_queue_head_t *head)
{
	struct ps_wt_head *h;
	unsigned int i;

	for (i = 0; i < wt->nheads; i++)
		if (wt->heads[i].whead == head)
			return;
	if (wt->nheads == PS_MAX_HEADS)
		return;
	h = &wt->heads[wt->nheads];
	h->idx = wt->nheads++;
	h->wt = wt;
	init_waitqueue_func_entry(&h->wait, ps_wt_wake);
	h->whead = head;
	add_wait_queue(head, &h->wait); /* non-exclusive: at the head */
}

struct ps_wt_pt {
	poll_table pt;
	struct ps_wt *wt;
};

static void ps_wt_qproc(struct file *file, wait_queue_head_t *head, poll_table *pt)
{
	ps_wt_hook(container_of(pt, struct ps_wt_pt, pt)->wt, head);
}

/* A signalfd's queue is its owner's sighand's: hooked under the siglock. */
static int ps_wt_hook_signalfd(struct ps_wt *wt, struct task_struct *t)
{
	struct sighand_struct *sh;
	unsigned long flags;

	rcu_read_lock();
	for (;;) {
		sh = rcu_dereference(t->sighand);
		if (!sh)
			break;
		spin_lock_irqsave(&sh->siglock, flags);
		if (likely(sh == rcu_access_pointer(t->sighand)))
			break;
		spin_unlock_irqrestore(&sh->siglock, flags);
	}
	if (sh) {
		ps_wt_hook(wt, &sh->signalfd_wqh);
		spin_unlock_irqrestore(&sh->siglock, flags);
	}
	rcu_read_unlock();
	return sh ? 0 : -ESRCH;
}

static void ps_wt_event_simple(struct ps_wt *wt, u8 op, u8 reason, __poll_t mask)
{
	struct ps_ev ev;
	unsigned int i;

	memset(&ev, 0, sizeof(ev));
	ev.type = PS_EV_WATCH;
	ev.wop = op;
	ev.wreason = reason;
	ev.mask = mask;
	ev.whead = wt->nheads;
	strscpy(ev.obj, wt->name, sizeof(ev.obj));
	for (i = 0; i < wt->nheads; i++) {
		ev.wwakes += READ_ONCE(wt->heads[i].wakes);
		ev.wlimited += READ_ONCE(wt->heads[i].limited);
	}
	ps_event(&ev);
}

/*
 * Under ps_wt_mutex: every entry off, the file let go, then the event. In the
 * check work (a kthread) fput() of the last reference only queues the release
 * for a later work item, so a writer told "closed" could still find the pipe's
 * reader there; flush_delayed_fput() runs that release here, before the event.
 */
static void ps_wt_end(struct ps_wt *wt, u8 reason)
{
	unsigned int i;

	lockdep_assert_held(&ps_wt_mutex);
	for (i = 0; i < wt->nheads; i++)
		ps_wt_unhook(&wt->heads[i]);
	list_del(&wt->node);
	ps_nwatches--;
	if (wt->file) {
		fput(wt->file);
		wt->file = NULL;
		if (current->flags & PF_KTHREAD)
			flush_delayed_fput();
	}
	ps_wt_event_simple(wt, PS_WOP_END, reason, 0);
	if (wt->obj)
		ps_obj_put(wt->obj);
	put_pid(wt->owner);
	put_pid_ns(wt->ns);
	kfree(wt);
}

static void ps_wt_check(struct work_struct *work)
{
	struct ps_wt *wt, *tmp;
	unsigned int i;

	mutex_lock(&ps_wt_mutex);
	list_for_each_entry_safe(wt, tmp, &ps_wt_list, node) {
		u8 reason = 0;

		for (i = 0; i < wt->nheads; i++)
			if (READ_ONCE(wt->heads[i].freed))
				reason = PS_WR_POLLFREE;
		if (!reason && wt->obj && READ_ONCE(wt->obj->dead))
			reason = PS_WR_DESTROYED;
		/* ours is the last reference: the owners have closed it */
		if (!reason && wt->file && file_count(wt->file) == 1)
			reason = PS_WR_CLOSED;
		if (reason)
			ps_wt_end(wt, reason);
	}
	if (ps_nwatches)
		schedule_delayed_work(&ps_wt_work, msecs_to_jiffies(ps_watch_check_ms));
	mutex_unlock(&ps_wt_mutex);
}

static struct ps_wt *ps_wt_find(const char *name)
{
	struct ps_wt *wt;

	list_for_each_entry(wt, &ps_wt_list, node)
		if (!strcmp(wt->name, name))
			return wt;
	return NULL;
}

static bool ps_wt_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > PS_NAME_MAX || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (!isalnum(*s) && *s != '_' && *s != '.' && *s != '-')
			return false;
	return true;
}

/* Labels: printable, no '=', ',', ';', ':' (they separate event fields). */
static bool ps_wt_label_ok(const char *s)
{
	if (!*s || strlen(s) > PS_WT_LABEL)
		return false;
	for (; *s; s++)
		if (*s < 0x21 || *s > 0x7e || strchr("=,;:", *s))
			return false;
	return true;
}

/*
 * "add FD NAME [owner=PID] [rate=N] [labels=L0,L1...]".  Checked before
 * anything changes: syntax (EINVAL), the name (EEXIST), the bound
 * (ENOSPC), the fd (EBADF; O_PATH too), a poll method (EOPNOTSUPP), a
 * signalfd's owner (ESRCH; a signalfd without one: EINVAL); the module's
 * own events file (ELOOP).
 */
static int ps_wt_add(char *args)
{
	char *fd_s, *name, *tok, *labels = NULL;
	unsigned int fd, rate = 0, pid = 0, i;
	struct ps_wt_pt wpt;
	struct task_struct *owner = NULL;
	struct ps_wt *wt;
	struct file *f;
	__poll_t mask = 0;
	bool sigfd;
	int ret;

	fd_s = strsep(&args, " ");
	name = strsep(&args, " ");
	if (!fd_s || !name || kstrtouint(fd_s, 10, &fd) || !ps_wt_name_ok(name))
		return -EINVAL;
	while ((tok = strsep(&args, " "))) {
		if (!strncmp(tok, "owner=", 6)) {
			if (kstrtouint(tok + 6, 10, &pid) || !pid || pid > INT_MAX)
				return -EINVAL;
		} else if (!strncmp(tok, "rate=", 5)) {
			if (kstrtouint(tok + 5, 10, &rate) || rate > 1000000)
				return -EINVAL;
		} else if (!strncmp(tok, "labels=", 7)) {
			labels = tok + 7;
		} else {
			return -EINVAL;
		}
	}
	wt = kzalloc(sizeof(*wt), GFP_KERNEL);
	if (!wt)
		return -ENOMEM;
	strscpy(wt->name, name, sizeof(wt->name));
	wt->rate = rate;
	for (i = 0; labels && i < PS_MAX_HEADS; i++) {
		char *l = strsep(&labels, ",");

		if (!ps_wt_label_ok(l)) {
			kfree(wt);
			return -EINVAL;
		}
		strscpy(wt->heads[i].label, l, sizeof(wt->heads[i].label));
	}
	if (labels) { /* more labels than heads can be */
		kfree(wt);
		return -EINVAL;
	}
	for (; i < PS_MAX_HEADS; i++)
		snprintf(wt->heads[i].label, sizeof(wt->heads[i].label), "head%u", i);

	f = fget_raw(fd);
	if (!f) {
		kfree(wt);
		return -EBADF;
	}
	ret = -EBADF;
	if (f->f_mode & FMODE_PATH)
		goto fail;
	ret = -EOPNOTSUPP;
	if (!file_can_poll(f))
		goto fail;
	ret = -ELOOP; /* each record would wake its readers, a wake to record */
	if (f->f_op == &ps_events_fops)
		goto fail;
	sigfd = ps_classify(f->f_op->poll) == PS_SYM_SIGNALFD_POLL;
	if (pid) {
		struct pid *p = find_get_pid(pid); /* in the writer's namespace */

		owner = get_pid_task(p, PIDTYPE_PID);
		put_pid(p);
		ret = -ESRCH;
		if (!owner)
			goto fail;
	} else if (sigfd) {
		ret = -EINVAL; /* its queue is its owner's: say whose */
		goto fail;
	}
	ps_file_name(f, wt->fname, sizeof(wt->fname));

	mutex_lock(&ps_wt_mutex);
	ret = -EEXIST;
	if (ps_wt_find(name))
		goto unlock;
	ret = -ENOSPC;
	if (ps_nwatches >= ps_max_watches)
		goto unlock;
	wt->ns = get_pid_ns(task_active_pid_ns(current));
	if (f->f_op == &ps_obj_fops) {
		/* a pollscope object: its queue directly, no poll (no poll event) */
		wt->obj = f->private_data;
		kref_get(&wt->obj->ref);
		ps_wt_hook(wt, &wt->obj->wq);
		spin_lock_irq(&wt->obj->wq.lock);
		mask = wt->obj->ready;
		spin_unlock_irq(&wt->obj->wq.lock);
		fput(f);
		f = NULL;
	} else if (sigfd) {
		wt->owner = get_task_pid(owner, PIDTYPE_PID);
		ret = ps_wt_hook_signalfd(wt, owner);
		if (ret)
			goto unlock_ns;
		wt->file = f;
	} else {
		init_poll_funcptr(&wpt.pt, ps_wt_qproc);
		wpt.pt._key = PS_MASK_ALL; /* every event, no POLL_BUSY_LOOP */
		wpt.wt = wt;
		mask = vfs_poll(f, &wpt.pt);
		ret = -EOPNOTSUPP;
		if (!wt->nheads) /* a poll method that uses no queue */
			goto unlock_ns;
		wt->file = f;
	}
	list_add_tail(&wt->node, &ps_wt_list);
	ps_nwatches++;
	ps_wt_event_simple(wt, PS_WOP_START, 0, mask);
	if (ps_nwatches == 1)
		schedule_delayed_work(&ps_wt_work, msecs_to_jiffies(ps_watch_check_ms));
	mutex_unlock(&ps_wt_mutex);
	if (owner)
		put_task_struct(owner);
	return 0;

unlock_ns:
	for (i = 0; i < wt->nheads; i++)
		ps_wt_unhook(&wt->heads[i]);
	put_pid(wt->owner);
	put_pid_ns(wt->ns);
unlock:
	mutex_unlock(&ps_wt_mutex);
fail:
	if (owner)
		put_task_struct(owner);
	if (f)
		fput(f);
	kfree(wt);
	return ret;
}

static ssize_t ps_wt_write(struct file *file, const char __user *ubuf, size_t count, loff_t *ppos)
{
	char buf[PS_CMD_MAX + 1 + 256], *p;
	size_t len = count;
	int ret;

	if (count == 0 || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[len] = '\0';
	if (strlen(buf) != len)
		return -EINVAL;
	if (buf[len - 1] == '\n')
		buf[--len] = '\0';
	if (!strncmp(buf, "add ", 4)) {
		ret = ps_wt_add(buf + 4);
	} else if (!strncmp(buf, "del ", 4)) {
		struct ps_wt *wt;

		p = buf + 4;
		if (!ps_wt_name_ok(p))
			return -EINVAL;
		mutex_lock(&ps_wt_mutex);
		wt = ps_wt_find(p);
		if (wt)
			ps_wt_end(wt, PS_WR_UNWATCH);
		mutex_unlock(&ps_wt_mutex);
		ret = wt ? 0 : -ENOENT;
	} else {
		ret = -EINVAL;
	}
	return ret ? ret : count;
}

static int ps_wt_show(struct seq_file *m, void *v)
{
	struct ps_wt *wt;
	unsigned int i;

	mutex_lock(&ps_wt_mutex);
	list_for_each_entry(wt, &ps_wt_list, node) {
		u64 wakes = 0, rec = 0, lim = 0;

		for (i = 0; i < wt->nheads; i++) {
			wakes += READ_ONCE(wt->heads[i].wakes);
			rec += READ_ONCE(wt->heads[i].recorded);
			lim += READ_ONCE(wt->heads[i].limited);
		}
		seq_printf(m,
			   PS_K_WATCH "=%s " PS_K_FILE "=%s " PS_K_HEADS "=%u wakes=%llu "
				      "recorded=%llu limited=%llu rate=%u " PS_K_OWNER "=%d",
			   wt->name, wt->obj ? wt->obj->name : wt->fname, wt->nheads, wakes, rec,
			   lim, wt->rate, wt->owner ? pid_vnr(wt->owner) : 0);
		for (i = 0; i < wt->nheads; i++)
			seq_printf(m, "%s%s", i ? "," : " " PS_K_QUEUE "=", wt->heads[i].label);
		seq_puts(m, "\n");
	}
	mutex_unlock(&ps_wt_mutex);
	return 0;
}

static int ps_wt_open(struct inode *inode, struct file *file)
{
	return single_open(file, ps_wt_show, NULL);
}

const struct file_operations ps_watch_fops = {
	.owner = THIS_MODULE,
	.open = ps_wt_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.write = ps_wt_write,
	.release = single_release,
};

/* Module exit: no writer can come (the files are gone). */
void ps_watch_exit(void)
{
	struct ps_wt *wt, *tmp;

	mutex_lock(&ps_wt_mutex);
	list_for_each_entry_safe(wt, tmp, &ps_wt_list, node)
		ps_wt_end(wt, PS_WR_UNLOAD);
	mutex_unlock(&ps_wt_mutex);
	cancel_delayed_work_sync(&ps_wt_work);
}
