// SPDX-License-Identifier: GPL-2.0
/*
 * pollscope: wait queue entries, below every debugfs file.  Which wake
 * function an entry has tells what its ->private is (a poll_wqueues for
 * pollwake, the task for the autoremove/default/woken functions, nothing for
 * ep_poll_callback); the static kernel functions are recognised by their
 * symbol name.  Entries are copied under the queue lock and formatted after
 * it is dropped.  Also: lock-hold and snapshot accounting and the table of
 * epoll registrants.  Calls epoll.c, sym.c and format.c.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
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

/* --- epoll registrants -------------------------------------------------- */

static struct hlist_head *ps_reg_bucket(struct ps_regtab *tab, const wait_queue_entry_t *e)
{
	return &tab->h[hash_min((unsigned long)e, HASH_BITS(tab->h))];
}

struct ps_reg *ps_reg_find(struct ps_regtab *tab, const wait_queue_entry_t *e)
{
	struct ps_reg *rec;

	hlist_for_each_entry(rec, ps_reg_bucket(tab, e), node)
		if (rec->entry == e)
			return rec;
	return NULL;
}

void ps_reg_add(struct ps_regtab *tab, struct ps_reg *rec, const wait_queue_entry_t *e)
{
	rec->entry = e;
	hlist_add_head(&rec->node, ps_reg_bucket(tab, e));
}

/* Frees every record on list (records off the table, or a bucket of it). */
void ps_reg_free_list(struct hlist_head *list)
{
	struct ps_reg *rec;

	while (!hlist_empty(list)) {
		rec = hlist_entry(list->first, struct ps_reg, node);
		hlist_del(&rec->node);
		put_pid(rec->pid);
		kfree(rec);
	}
}

void ps_reg_free_all(struct ps_regtab *tab)
{
	unsigned int bkt;

	for (bkt = 0; bkt < HASH_SIZE(tab->h); bkt++)
		ps_reg_free_list(&tab->h[bkt]);
}

/* Moves records whose entry is no longer on wq to *stale; under wq->lock. */
void ps_reg_sweep_locked(struct ps_regtab *tab, wait_queue_head_t *wq, struct hlist_head *stale)
{
	struct ps_cmemo cm = { NULL, PS_SYM_NONE };
	struct hlist_node *pos, *next;
	wait_queue_entry_t *e;
	struct ps_reg *rec;
	unsigned int bkt;

	if (hash_empty(tab->h))
		return;
	for (bkt = 0; bkt < HASH_SIZE(tab->h); bkt++)
		hlist_for_each_entry(rec, &tab->h[bkt], node)
			rec->seen = false;
	list_for_each_entry(e, &wq->head, entry) {
		if (ps_classify_memo(&cm, e->func) != PS_SYM_EP_POLL_CALLBACK)
			continue;
		rec = ps_reg_find(tab, e);
		if (rec)
			rec->seen = true;
	}
	for (bkt = 0; bkt < HASH_SIZE(tab->h); bkt++) {
		for (pos = tab->h[bkt].first; pos; pos = next) {
			next = pos->next;
			rec = hlist_entry(pos, struct ps_reg, node);
			if (rec->seen)
				continue;
			hash_del(&rec->node);
			hlist_add_head(&rec->node, stale);
		}
	}
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
 * after.  reg, when wq is an object's queue, is its table of registrants
 * of epoll entries.  Returns -EAGAIN (and copies nothing useful) when cap
 * records are too few; cap >= max_ent is always enough.
 */
int ps_copy_entries(wait_queue_head_t *wq, struct ps_regtab *reg, u32 owner, struct ps_ent *out,
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
			bool known;

			e->ep_known = 0;
			e->ep_disarmed = 0;
			e->ep_sleepers = 0;
			e->ep_sleepers_more = 0;
			e->ep_tfd = -1;
			e->ep_id = 0;
			/* the epitem's events now, and who sleeps in that epoll */
			known = ps_ep_entry_locked(wq, curr, e, ns);
			rec = reg ? ps_reg_find(reg, curr) : NULL;
			if (!rec || e->pid)
				break;
			/* nobody asleep in it: who registered it, on our objects */
			if (!known) {
				e->key = rec->key;
				e->has_key = 1;
			}
			memcpy(e->comm, rec->comm, TASK_COMM_LEN);
			rcu_read_lock();
			e->pid = pid_nr_ns(rec->pid, ns);
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

/*
 * An ep_poll_callback entry: its key is the epitem's events now (a delivered
 * EPOLLONESHOT entry is "disarmed"), then the instance, the fd number the
 * file was registered under and how many threads sleep in epoll_wait on it.
 */
static int ps_format_ep_ent(char *buf, size_t len, const char *lead, const struct ps_ent *e,
			    const char *fname, const char *comm)
{
	char fl[64], key[96];
	int off;

	if (e->ep_disarmed)
		strscpy(key, PS_KEY_DISARMED, sizeof(key));
	else if (e->has_key)
		ps_mask_str(key, sizeof(key), e->key);
	else
		strscpy(key, "-", sizeof(key));
	off = scnprintf(buf, len,
			"%s " PS_K_POS "=%u " PS_K_FUNC "=%s " PS_K_KIND "=%s " PS_K_PID
			"=%d " PS_K_COMM "=%s " PS_K_STATE "=%c " PS_K_FLAGS "=%s " PS_K_KEY "=%s",
			lead, e->pos, fname, ps_kind_name(e->sym), e->pid, comm,
			e->state ? e->state : '-', ps_flags_str(fl, sizeof(fl), e->flags), key);
	if (e->ep_known)
		off += scnprintf(buf + off, len - off,
				 " " PS_K_EPOLL "=%016llx " PS_K_TFD "=%d " PS_K_SLEEPERS "=%u%s\n",
				 e->ep_id, e->ep_tfd, e->ep_sleepers,
				 e->ep_sleepers_more ? PS_TRUNC_MORE : "");
	else
		off += scnprintf(buf + off, len - off, " " PS_K_EPOLL "=unknown\n");
	return off;
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
	if (e->sym == PS_SYM_EP_POLL_CALLBACK)
		return ps_format_ep_ent(buf, len, lead, e, fc->name, comm);
	return scnprintf(buf, len,
			 "%s " PS_K_POS "=%u " PS_K_FUNC "=%s " PS_K_KIND "=%s " PS_K_PID
			 "=%d " PS_K_COMM "=%s " PS_K_STATE "=%c " PS_K_FLAGS "=%s " PS_K_KEY
			 "=%s\n",
			 lead, e->pos, fc->name, ps_kind_name(e->sym), e->pid, comm,
			 e->state ? e->state : '-', ps_flags_str(fl, sizeof(fl), e->flags),
			 e->has_key ? ps_mask_str(key, sizeof(key), e->key) : "-");
}
