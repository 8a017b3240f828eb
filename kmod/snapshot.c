// SPDX-License-Identifier: GPL-2.0
/*
 * pollscope: wait queue entries.  Which wake function an entry has tells
 * what its ->private is (a poll_wqueues for pollwake, the task for the
 * autoremove/default/woken functions, nothing for ep_poll_callback); the
 * static kernel functions are recognised by their symbol name.  Entries are
 * copied under the queue lock and formatted after it is dropped.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/ktime.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/sched/task.h>
#include "pollscope.h"

static atomic64_t ps_snapshots = ATOMIC64_INIT(0);
static atomic64_t ps_snap_entries = ATOMIC64_INIT(0);
static atomic64_t ps_snap_ns = ATOMIC64_INIT(0);
static atomic64_t ps_lock_max = ATOMIC64_INIT(0);

/* The last snapshot and the last walk command, for benchmarks. */
static DEFINE_SPINLOCK(ps_last_lock);
static u64 ps_last_entries, ps_last_ns, ps_last_lock_ns, ps_walk_entries, ps_walk_ns;

u64 ps_lock_begin(void)
{
	return ktime_get_ns();
}

/* Returns how long the lock was held and keeps the longest hold. */
u64 ps_lock_end(u64 t0)
{
	s64 d = ktime_get_ns() - t0;
	s64 cur = atomic64_read(&ps_lock_max);

	while (d > cur) {
		s64 old = atomic64_cmpxchg(&ps_lock_max, cur, d);

		if (old == cur)
			break;
		cur = old;
	}
	return d;
}

void ps_snap_account(u32 entries, u64 ns, u64 lock_ns)
{
	unsigned long flags;

	atomic64_inc(&ps_snapshots);
	atomic64_add(entries, &ps_snap_entries);
	atomic64_add(ns, &ps_snap_ns);
	spin_lock_irqsave(&ps_last_lock, flags);
	ps_last_entries = entries;
	ps_last_ns = ns;
	ps_last_lock_ns = lock_ns;
	spin_unlock_irqrestore(&ps_last_lock, flags);
}

void ps_walk_account(u32 entries, u64 ns)
{
	unsigned long flags;

	spin_lock_irqsave(&ps_last_lock, flags);
	ps_walk_entries = entries;
	ps_walk_ns = ns;
	spin_unlock_irqrestore(&ps_last_lock, flags);
}

void ps_stats_globals(struct ps_stats_global *g)
{
	unsigned long flags;

	g->snapshots = atomic64_read(&ps_snapshots);
	g->entries = atomic64_read(&ps_snap_entries);
	g->ns = atomic64_read(&ps_snap_ns);
	g->lock_max = atomic64_read(&ps_lock_max);
	spin_lock_irqsave(&ps_last_lock, flags);
	g->last_entries = ps_last_entries;
	g->last_ns = ps_last_ns;
	g->last_lock_ns = ps_last_lock_ns;
	g->walk_entries = ps_walk_entries;
	g->walk_ns = ps_walk_ns;
	spin_unlock_irqrestore(&ps_last_lock, flags);
}

/* --- function classification ------------------------------------------ */

static const struct {
	const char *name;
	u8 sym;
} ps_sym_names[] = {
	{ "pollwake", PS_SYM_POLLWAKE },
	{ "ep_poll_callback", PS_SYM_EP_POLL_CALLBACK },
	{ "ep_autoremove_wake_function", PS_SYM_EP_AUTOREMOVE },
	{ "__pollwait", PS_SYM_POLLWAIT },
	{ "ep_ptable_queue_proc", PS_SYM_EP_QUEUE_PROC },
};

/*
 * Only built-in kernel text is cached: its addresses and names never
 * change.  A module's function (its %ps carries " [module]") is looked up
 * every time, since the module may go and another take its place.
 */
#define PS_FN_CACHE 32
static struct {
	const void *fn;
	u8 sym;
} ps_fn_cache[PS_FN_CACHE];
static unsigned int ps_fn_n; /* published with release */
static DEFINE_SPINLOCK(ps_fn_lock);

static u8 ps_sym_by_name(const void *fn, bool *cacheable)
{
	char buf[128], *dot;
	unsigned int i;

	*cacheable = false;
	snprintf(buf, sizeof(buf), "%ps", fn);
	if (!buf[0] || !strncmp(buf, "0x", 2))
		return PS_SYM_OTHER; /* unresolved */
	if (strchr(buf, ' '))
		return PS_SYM_OTHER; /* a module's function */
	*cacheable = true;
	dot = strchr(buf, '.'); /* pollwake.cold and the like */
	if (dot)
		*dot = '\0';
	for (i = 0; i < ARRAY_SIZE(ps_sym_names); i++)
		if (!strcmp(buf, ps_sym_names[i].name))
			return ps_sym_names[i].sym;
	return PS_SYM_OTHER;
}

/* Safe in any context (called under wait queue locks, irqs off). */
enum ps_sym ps_classify(const void *fn)
{
	unsigned long flags;
	unsigned int i, n;
	bool cacheable;
	u8 sym;

	if (!fn)
		return PS_SYM_NONE;
	if (fn == (const void *)autoremove_wake_function)
		return PS_SYM_AUTOREMOVE;
	if (fn == (const void *)default_wake_function)
		return PS_SYM_DEFAULT;
	if (fn == (const void *)woken_wake_function)
		return PS_SYM_WOKEN;
	if (fn == (const void *)ps_inspect_qproc)
		return PS_SYM_INSPECT;

	/* pairs with the smp_store_release() below: slots [0, n) are filled */
	n = smp_load_acquire(&ps_fn_n);
	for (i = 0; i < n; i++)
		if (ps_fn_cache[i].fn == fn)
			return ps_fn_cache[i].sym;

	sym = ps_sym_by_name(fn, &cacheable);
	if (!cacheable)
		return sym;
	spin_lock_irqsave(&ps_fn_lock, flags);
	n = ps_fn_n;
	for (i = 0; i < n; i++)
		if (ps_fn_cache[i].fn == fn)
			break;
	if (i == n && n < PS_FN_CACHE) {
		ps_fn_cache[n].fn = fn;
		ps_fn_cache[n].sym = sym;
		/* publish the slot after filling it */
		smp_store_release(&ps_fn_n, n + 1);
	}
	spin_unlock_irqrestore(&ps_fn_lock, flags);
	return sym;
}

enum ps_qproc ps_qproc_of(const poll_table *pt)
{
	if (!pt || !pt->_qproc)
		return PS_QP_NONE;
	switch (ps_classify(pt->_qproc)) {
	case PS_SYM_POLLWAIT:
		return PS_QP_POLLWAKE;
	case PS_SYM_EP_QUEUE_PROC:
		return PS_QP_EP;
	case PS_SYM_INSPECT:
		return PS_QP_INSPECT;
	default:
		return PS_QP_OTHER;
	}
}

const char *ps_qproc_name(unsigned int qp)
{
	switch (qp) {
	case PS_QP_NONE:
		return "none";
	case PS_QP_POLLWAKE:
		return "pollwake";
	case PS_QP_EP:
		return "ep";
	case PS_QP_INSPECT:
		return "inspect";
	default:
		return "other";
	}
}

static const char *ps_kind_name(u8 sym)
{
	switch (sym) {
	case PS_SYM_POLLWAKE:
		return "poll";
	case PS_SYM_EP_POLL_CALLBACK:
		return "epoll";
	case PS_SYM_EP_AUTOREMOVE:
		return "epoll_waiter";
	case PS_SYM_AUTOREMOVE:
		return "wait_event";
	case PS_SYM_WOKEN:
		return "wait_woken";
	case PS_SYM_DEFAULT:
		return "default";
	default:
		return "other";
	}
}

/*
 * The one place a kernel function is named: "%ps" with the module suffix
 * cut, and "unknown" when it does not resolve (%ps then prints the raw
 * address, which must never reach user space).
 */
void ps_func_name(const void *fn, char *buf, size_t len)
{
	char tmp[128], *sp;

	if (!fn) {
		strscpy(buf, "-", len);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%ps", fn);
	if (!tmp[0] || !strncmp(tmp, "0x", 2)) {
		strscpy(buf, "unknown", len);
		return;
	}
	sp = strchr(tmp, ' ');
	if (sp)
		*sp = '\0';
	ps_comm_sanitize(buf, tmp, min(len, sizeof(tmp)));
}

/* --- copying entries ------------------------------------------------ */

/*
 * Under the queue lock: t cannot go away while its entry is queued.  A task
 * often has many entries in a row (one poll() on many fds of the object):
 * *memo is the last entry filled from a task, whose pid, comm and state are
 * reused for the next entries of the same task (the same values, read once
 * per run of entries: this keeps the copy close to a bare walk).
 */
static void ps_ent_task(struct ps_ent *e, struct task_struct *t, const struct ps_ent **memo,
			struct pid_namespace *ns)
{
	const struct ps_ent *m = *memo;

	if (!t)
		return;
	if (m && m->task == t) {
		e->pid = m->pid;
		memcpy(e->comm, m->comm, TASK_COMM_LEN);
		e->state = m->state;
	} else {
		e->pid = pid_nr_ns(task_pid(t), ns); /* task_pid_vnr(), ns looked up once */
		memcpy(e->comm, t->comm, TASK_COMM_LEN);
		e->comm[TASK_COMM_LEN - 1] = '\0';
		e->state = task_state_to_char(t);
	}
	e->task = t;
	*memo = e;
}

/*
 * The bare walk: entries on wq (bookmarks skipped), counted up to limit (the
 * walk under the lock stops there); *hold, if given, gets the lock hold.
 */
u32 ps_count_entries(wait_queue_head_t *wq, u32 limit, u64 *hold)
{
	wait_queue_entry_t *e;
	unsigned long flags;
	u32 n = 0;
	u64 t0, d;

	spin_lock_irqsave(&wq->lock, flags);
	t0 = ps_lock_begin();
	list_for_each_entry(e, &wq->head, entry) {
		if (ps_is_bookmark(e))
			continue;
		if (n == limit)
			break;
		n++;
	}
	d = ps_lock_end(t0);
	spin_unlock_irqrestore(&wq->lock, flags);
	if (hold)
		*hold = d;
	return n;
}

/*
 * Copies the first max_ent entries of wq into out[0..cap) under wq->lock,
 * consecutive identical entries as one record with a run count: res->nrec
 * records standing for res->nent entries.  The entries past max_ent are only
 * counted, up to ps_queue_max of them (res->left, res->more), so that the
 * lock is held for a bounded walk however long the queue is.  Only what
 * identifies an entry is read while the lock is held; names and text come
 * after.  reg_obj, when wq is that object's queue, supplies the registrants
 * of epoll entries.  Returns -EAGAIN (and copies nothing useful) when cap
 * records are too few; cap >= max_ent is always enough.
 */
int ps_copy_entries(wait_queue_head_t *wq, struct ps_obj *reg_obj, u32 owner, struct ps_ent *out,
		    u32 cap, u32 max_ent, struct ps_copy_res *res)
{
	const u32 count_max = READ_ONCE(ps_queue_max);
	struct pid_namespace *ns = task_active_pid_ns(current); /* pinned by current */
	const struct ps_ent *memo = NULL;
	const void *last_fn = NULL, *rpriv = NULL;
	struct ps_ent *prev = NULL;
	wait_queue_entry_t *curr;
	u8 sym = PS_SYM_NONE;
	unsigned long flags;
	u32 i = 0, pos = 0, run = 0, rflags = 0, left = 0;
	__poll_t rkey = 0;
	bool repeatable = false, more = false;
	int ret = 0;
	u64 t0, d;

	spin_lock_irqsave(&wq->lock, flags);
	t0 = ps_lock_begin();
	list_for_each_entry(curr, &wq->head, entry) {
		struct ps_ent *e;

		if (ps_is_bookmark(curr))
			continue;
		if (pos >= max_ent) { /* past the copy limit: count, boundedly */
			if (left == count_max) {
				more = true;
				break;
			}
			left++;
			continue;
		}
		/*
		 * The same function, ->private and flags as the record before
		 * (and for pollwake the same key): one more entry of its run.
		 * Compared in locals, so that a run costs little more than the
		 * bare walk.  epoll entries each have their own registration.
		 */
		if (repeatable && curr->func == last_fn && curr->private == rpriv &&
		    curr->flags == rflags &&
		    (sym != PS_SYM_POLLWAKE ||
		     container_of(curr, struct poll_table_entry, wait)->key == rkey)) {
			run++;
			pos++;
			continue;
		}
		if (prev)
			prev->run = run;
		if (i == cap) {
			ret = -EAGAIN;
			break;
		}
		/* runs of entries share their wake function: classify once */
		if (curr->func != last_fn) {
			last_fn = curr->func;
			sym = ps_classify(last_fn);
		}
		e = &out[i];
		e->func = curr->func;
		e->task = NULL;
		e->private = curr->private;
		e->owner = owner;
		e->pos = pos;
		e->run = 1;
		e->line = 0;
		e->flags = curr->flags;
		e->pid = 0;
		e->key = 0;
		e->sym = sym;
		e->has_key = 0;
		e->state = 0;
		e->comm[0] = '\0';
		switch (sym) {
		case PS_SYM_POLLWAKE: {
			struct poll_table_entry *pte =
				container_of(curr, struct poll_table_entry, wait);
			struct poll_wqueues *pwq = curr->private;

			if (pwq)
				ps_ent_task(e, pwq->polling_task, &memo, ns);
			e->key = pte->key;
			e->has_key = 1;
			break;
		}
		case PS_SYM_AUTOREMOVE:
		case PS_SYM_DEFAULT:
		case PS_SYM_WOKEN:
		case PS_SYM_EP_AUTOREMOVE:
			ps_ent_task(e, curr->private, &memo, ns);
			break;
		case PS_SYM_EP_POLL_CALLBACK: {
			struct ps_reg *rec;
			struct task_struct *t;

			rec = reg_obj ? ps_reg_find(reg_obj, curr) : NULL;
			if (!rec)
				break;
			e->key = rec->key;
			e->has_key = 1;
			memcpy(e->comm, rec->comm, TASK_COMM_LEN);
			rcu_read_lock();
			e->pid = pid_vnr(rec->pid);
			t = pid_task(rec->pid, PIDTYPE_PID);
			if (t)
				e->state = task_state_to_char(t);
			rcu_read_unlock();
			break;
		}
		default:
			break;
		}
		prev = e;
		run = 1;
		rpriv = e->private;
		rflags = e->flags;
		rkey = e->key;
		repeatable = sym != PS_SYM_EP_POLL_CALLBACK;
		i++;
		pos++;
	}
	if (prev)
		prev->run = run;
	d = ps_lock_end(t0);
	spin_unlock_irqrestore(&wq->lock, flags);
	res->nrec = i;
	res->nent = pos;
	res->left = left;
	res->more = more;
	res->hold = d;
	return ret;
}

int ps_format_ent(char *buf, size_t len, const char *lead, const struct ps_ent *e,
		  struct ps_fname *fc)
{
	char comm[TASK_COMM_LEN], fl[64], key[96];

	if (!fc->valid || fc->fn != e->func) {
		ps_func_name(e->func, fc->name, sizeof(fc->name));
		fc->fn = e->func;
		fc->valid = true;
	}
	ps_comm_sanitize(comm, e->comm, sizeof(comm));
	return scnprintf(buf, len,
			 "%s pos=%u func=%s kind=%s pid=%d comm=%s state=%c flags=%s key=%s\n",
			 lead, e->pos, fc->name, ps_kind_name(e->sym), e->pid, comm,
			 e->state ? e->state : '-', ps_flags_str(fl, sizeof(fl), e->flags),
			 e->has_key ? ps_mask_str(key, sizeof(key), e->key) : "-");
}

/* --- the queues file -------------------------------------------------- */

struct ps_snap {
	u32 n;	  /* lines (entries) */
	u32 nrec; /* records in ents[] (a run of entries is one record) */
	u32 nobj;
	struct ps_ent *ents;
	struct ps_ent cur; /* the entry being shown: a record with its pos in the run */
	char (*names)[PS_NAME_MAX + 1];
	struct ps_fname fc;
};

static void ps_snap_free(struct ps_snap *s)
{
	kvfree(s->ents);
	kvfree(s->names);
	kfree(s);
}

/*
 * Count under each lock, allocate outside, copy under each lock again and
 * retry if a queue grew past the slack in between; the last try allocates
 * for the whole bound, so it cannot run out of records.  At most
 * ps_queue_max entries are copied per object and PS_MAX_HEADS times as many
 * in all; an object with entries left out gets a "truncated" record.
 */
static int ps_snapshot_all(struct ps_snap *s)
{
	u64 t0 = ktime_get_ns(), hold_max = 0;
	const u32 qmax = READ_ONCE(ps_queue_max);
	const u32 budget = qmax * PS_MAX_HEADS;
	struct ps_copy_res res;
	struct ps_obj *obj;
	u32 n = 0, i = 0, lines = 0, copied = 0, k, nobj;
	int tries, ret = 0;

	mutex_lock(&ps_mutex);
	nobj = max(ps_nobjects, 1u);
	s->names = kvmalloc_array(nobj, sizeof(*s->names), GFP_KERNEL | __GFP_NOWARN);
	if (!s->names) {
		ret = -ENOMEM;
		goto out;
	}
	for (tries = 0;; tries++) {
		u64 total = 0, cap, size;

		list_for_each_entry(obj, &ps_objects, node)
			total += ps_count_entries(&obj->wq, qmax, NULL);
		total = min_t(u64, total, budget);
		cap = total + total / 4 + 16 + tries * total;
		if (tries == 8 || cap > budget)
			cap = budget;
		size = cap + nobj; /* one truncation record per object */
		if (size * sizeof(*s->ents) > INT_MAX) {
			ret = -ENOMEM;
			goto out;
		}
		s->ents = kvmalloc_array(size, sizeof(*s->ents), GFP_KERNEL | __GFP_NOWARN);
		if (!s->ents) {
			ret = -ENOMEM;
			goto out;
		}
		/*
		 * On the last try (cap == budget) records never run out: the
		 * first i objects used at most copied + i records, copied <= budget
		 * and i < nobj, so this object's lim records and its truncation
		 * record fit.
		 */
		n = 0;
		i = 0;
		lines = 0;
		copied = 0;
		hold_max = 0;
		list_for_each_entry(obj, &ps_objects, node) {
			u32 lim = min(qmax, budget - copied);

			if (n >= size) { /* not on the last try: see below */
				ret = -EAGAIN;
				break;
			}
			strscpy(s->names[i], obj->name, sizeof(s->names[i]));
			/* leave one record for this object's truncation line */
			ret = ps_copy_entries(&obj->wq, obj, i, s->ents + n, size - n - 1, lim,
					      &res);
			if (ret)
				break;
			hold_max = max(hold_max, res.hold);
			for (k = n; k < n + res.nrec; k++)
				s->ents[k].line = lines + s->ents[k].pos;
			n += res.nrec;
			lines += res.nent;
			copied += res.nent;
			if (res.left || res.more) {
				struct ps_ent *t = &s->ents[n++];

				memset(t, 0, sizeof(*t));
				t->owner = i;
				t->pos = res.left;
				t->has_key = res.more;
				t->run = 1;
				t->line = lines++;
				t->sym = PS_SYM_TRUNC;
			}
			i++;
		}
		if (!ret)
			break;
		kvfree(s->ents);
		s->ents = NULL;
		if (tries >= 8)
			goto out;
	}
	s->n = lines;
	s->nrec = n;
	s->nobj = i;
out:
	mutex_unlock(&ps_mutex);
	if (!ret)
		ps_snap_account(lines, ktime_get_ns() - t0, hold_max);
	return ret;
}

/* Line *pos: the record holding it (binary search on line), as s->cur. */
static void *ps_q_start(struct seq_file *m, loff_t *pos)
{
	struct ps_snap *s = m->private;
	u32 lo = 0, hi = s->nrec, off;

	if (*pos >= s->n)
		return NULL;
	while (hi - lo > 1) {
		u32 mid = lo + (hi - lo) / 2;

		if (s->ents[mid].line <= *pos)
			lo = mid;
		else
			hi = mid;
	}
	off = (u32)*pos - s->ents[lo].line;
	s->cur = s->ents[lo];
	s->cur.pos += off;
	return &s->cur;
}

static void *ps_q_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return ps_q_start(m, pos);
}

static void ps_q_stop(struct seq_file *m, void *v)
{
}

static int ps_q_show(struct seq_file *m, void *v)
{
	struct ps_snap *s = m->private;
	const struct ps_ent *e = v;
	char lead[8 + PS_NAME_MAX + 1];
	char line[PS_LINE_MAX];
	int len;

	if (e->sym == PS_SYM_TRUNC) {
		seq_printf(m, "object=%s truncated=%u%s\n", s->names[e->owner], e->pos,
			   e->has_key ? "+" : "");
		return 0;
	}
	snprintf(lead, sizeof(lead), "object=%s", s->names[e->owner]);
	len = ps_format_ent(line, sizeof(line), lead, e, &s->fc);
	seq_write(m, line, len);
	return 0;
}

static const struct seq_operations ps_q_ops = {
	.start = ps_q_start,
	.next = ps_q_next,
	.stop = ps_q_stop,
	.show = ps_q_show,
};

static int ps_queues_open(struct inode *inode, struct file *file)
{
	struct ps_snap *s = kzalloc(sizeof(*s), GFP_KERNEL);
	int ret;

	if (!s)
		return -ENOMEM;
	ret = ps_snapshot_all(s);
	if (!ret)
		ret = seq_open(file, &ps_q_ops);
	if (ret) {
		ps_snap_free(s);
		return ret;
	}
	((struct seq_file *)file->private_data)->private = s;
	return 0;
}

static int ps_queues_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;

	ps_snap_free(m->private);
	return seq_release(inode, file);
}

const struct file_operations ps_queues_fops = {
	.owner = THIS_MODULE,
	.open = ps_queues_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = ps_queues_release,
};
