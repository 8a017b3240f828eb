// SPDX-License-Identifier: GPL-2.0
/*
 * pollscope: pollable objects.  Each object owns a wait queue head, a
 * readiness mask and a counter, like a small driver: its poll method does
 * poll_wait() and returns the readiness, read blocks until readable and
 * consumes, write produces and wakes.  The wake walk mirrors
 * __wake_up_common() so that key filtering and exclusive wakeups behave as
 * in the kernel and can be counted.
 */
#include <linux/kernel.h>
#include <linux/ctype.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/debugfs.h>
#include <linux/uaccess.h>
#include <linux/sched/signal.h>
#include <linux/pid.h>
#include "pollscope.h"

DEFINE_MUTEX(ps_mutex); /* protects ps_objects and ps_nobjects */
LIST_HEAD(ps_objects);
unsigned int ps_nobjects;

/* __wake_up_common() drops the lock every 64 entries through a bookmark. */
#define PS_WALK_BREAK 64

struct ps_walk {
	u32 visited;
	u32 woken;
};

static void ps_ev_obj(struct ps_ev *ev, unsigned int type, const struct ps_obj *obj)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	strscpy(ev->obj, obj->name, sizeof(ev->obj));
}

static void ps_ev_wake(const struct ps_obj *obj, __poll_t key, int nr, const struct ps_walk *w,
		       unsigned int source)
{
	struct ps_ev ev;

	ps_ev_obj(&ev, PS_EV_WAKE, obj);
	ev.mask = key;
	ev.nr = nr;
	ev.visited = w->visited;
	ev.woken = w->woken;
	ev.source = source;
	ps_event(&ev);
}

struct ps_obj *ps_obj_find(const char *name)
{
	struct ps_obj *obj;

	lockdep_assert_held(&ps_mutex);
	list_for_each_entry(obj, &ps_objects, node)
		if (!strcmp(obj->name, name))
			return obj;
	return NULL;
}

static void ps_obj_release(struct kref *ref)
{
	struct ps_obj *obj = container_of(ref, struct ps_obj, ref);

	/* Every sleeper holds a file reference, hence an object reference. */
	if (waitqueue_active(&obj->wq))
		pr_err("pollscope: object %s freed with a non-empty queue\n", obj->name);
	ps_reg_free_all(&obj->reg);
	put_pid(obj->creator);
	mutex_destroy(&obj->reg_mutex);
	kfree(obj);
}

void ps_obj_put(struct ps_obj *obj)
{
	kref_put(&obj->ref, ps_obj_release);
}

int ps_obj_create(const char *name)
{
	struct ps_obj *obj;
	struct dentry *d;
	struct ps_ev ev;

	lockdep_assert_held(&ps_mutex);
	obj = kzalloc(sizeof(*obj), GFP_KERNEL);
	if (!obj)
		return -ENOMEM;
	kref_init(&obj->ref);
	strscpy(obj->name, name, sizeof(obj->name));
	mutex_init(&obj->reg_mutex);
	init_waitqueue_head(&obj->wq);
	hash_init(obj->reg.h);
	obj->creator = get_task_pid(current, PIDTYPE_TGID); /* a thread may exit first */
	get_task_comm(obj->creator_comm, current);
	/*
	 * Not the full proxy: open files keep working after destroy (read
	 * gives EOF, poll gives hup,err) because each holds an object
	 * reference; open itself runs under debugfs_file_get().
	 */
	d = debugfs_create_file_unsafe(name, 0600, ps_objdir, obj, &ps_obj_fops);
	if (IS_ERR_OR_NULL(d)) {
		put_pid(obj->creator);
		mutex_destroy(&obj->reg_mutex);
		kfree(obj);
		return d ? PTR_ERR(d) : -ENOMEM;
	}
	obj->dentry = d;
	list_add_tail(&obj->node, &ps_objects);
	ps_nobjects++;
	ps_ev_obj(&ev, PS_EV_CREATE, obj);
	ps_event(&ev);
	return 0;
}

/*
 * The keyed wake walk, as __wake_up_common_lock() does it: called with
 * obj->wq.lock held (irq flags in *flags, hold start in *t0); may drop and
 * retake the lock every PS_WALK_BREAK entries, keeping its place with a
 * bookmark entry.  nr == 0 wakes every exclusive entry.
 */
static void ps_walk_locked(struct ps_obj *obj, __poll_t key, int nr, struct ps_walk *w,
			   unsigned long *flags, u64 *t0)
{
	wait_queue_head_t *wq = &obj->wq;
	wait_queue_entry_t *curr, *next;
	void *k = poll_to_key(key);
	int remaining = nr;
#ifdef WQ_FLAG_BOOKMARK
	wait_queue_entry_t bookmark;

	bookmark.flags = 0;
	bookmark.private = NULL;
	bookmark.func = NULL;
	INIT_LIST_HEAD(&bookmark.entry);
#endif

	for (;;) {
		int cnt __maybe_unused = 0;

		curr = NULL;
#ifdef WQ_FLAG_BOOKMARK
		if (bookmark.flags & WQ_FLAG_BOOKMARK) {
			curr = list_next_entry(&bookmark, entry);
			list_del(&bookmark.entry);
			bookmark.flags = 0;
		}
#endif
		if (!curr)
			curr = list_first_entry(&wq->head, wait_queue_entry_t, entry);
		if (&curr->entry == &wq->head)
			return;

		for (; &curr->entry != &wq->head; curr = next) {
			unsigned int f = curr->flags; /* func may free curr */
			int ret;

			next = list_next_entry(curr, entry);

#ifdef WQ_FLAG_BOOKMARK
			if (f & WQ_FLAG_BOOKMARK)
				continue;
#endif
			w->visited++;
			ret = curr->func(curr, TASK_NORMAL, 0, k);
			if (ret > 0)
				w->woken++;
			if (ret < 0)
				return;
			if (ret && (f & WQ_FLAG_EXCLUSIVE) && !--remaining)
				return;
#ifdef WQ_FLAG_BOOKMARK
			if (++cnt > PS_WALK_BREAK && &next->entry != &wq->head) {
				bookmark.flags = WQ_FLAG_BOOKMARK;
				list_add_tail(&bookmark.entry, &next->entry);
				break;
			}
#endif
		}
#ifdef WQ_FLAG_BOOKMARK
		if (!(bookmark.flags & WQ_FLAG_BOOKMARK))
			return;
		ps_lock_end(*t0);
		spin_unlock_irqrestore(&wq->lock, *flags);
		cond_resched();
		spin_lock_irqsave(&wq->lock, *flags);
		*t0 = ps_lock_begin();
#else
		return;
#endif
	}
}

static u32 ps_queue_len_locked(struct ps_obj *obj)
{
	wait_queue_entry_t *e;
	u32 n = 0;

	list_for_each_entry(e, &obj->wq.head, entry)
		if (!ps_is_bookmark(e))
			n++;
	return n;
}

void ps_obj_destroy(struct ps_obj *obj)
{
	__poll_t key = EPOLLHUP | EPOLLERR;
	struct ps_walk w = { 0 };
	unsigned long flags;
	struct ps_ev ev;
	u32 waiters;
	u64 t0;

	lockdep_assert_held(&ps_mutex);
	list_del_init(&obj->node);
	ps_nobjects--;

	spin_lock_irqsave(&obj->wq.lock, flags);
	t0 = ps_lock_begin();
	obj->dead = true;
	obj->ready = key;
	waiters = ps_queue_len_locked(obj);
	ps_walk_locked(obj, key, 0, &w, &flags, &t0);
	obj->wakes++;
	obj->woken += w.woken;
	ps_lock_end(t0);
	spin_unlock_irqrestore(&obj->wq.lock, flags);

	/* Waits for opens in progress; open files keep their reference. */
	debugfs_remove(obj->dentry);
	obj->dentry = NULL;

	ps_ev_wake(obj, key, 0, &w, PS_SRC_DESTROY);
	ps_ev_obj(&ev, PS_EV_DESTROY, obj);
	ev.waiters = waiters;
	ps_event(&ev);
	ps_obj_put(obj);
}

void ps_obj_ready(struct ps_obj *obj, __poll_t mask)
{
	unsigned long flags;
	struct ps_ev ev;
	__poll_t old;
	u64 t0;

	spin_lock_irqsave(&obj->wq.lock, flags);
	t0 = ps_lock_begin();
	old = obj->ready;
	obj->ready = mask;
	ps_lock_end(t0);
	spin_unlock_irqrestore(&obj->wq.lock, flags);

	ps_ev_obj(&ev, PS_EV_READY, obj);
	ev.mask = mask;
	ev.old = old;
	ps_event(&ev);
}

void ps_obj_wake(struct ps_obj *obj, __poll_t mask, int nr)
{
	struct ps_walk w = { 0 };
	unsigned long flags;
	u64 t0;

	spin_lock_irqsave(&obj->wq.lock, flags);
	t0 = ps_lock_begin();
	obj->ready |= mask;
	ps_walk_locked(obj, mask, nr, &w, &flags, &t0);
	obj->wakes++;
	obj->woken += w.woken;
	ps_lock_end(t0);
	spin_unlock_irqrestore(&obj->wq.lock, flags);

	ps_ev_wake(obj, mask, nr, &w, PS_SRC_WAKE);
}

void ps_objects_cleanup(void)
{
	struct ps_obj *obj, *tmp;

	mutex_lock(&ps_mutex);
	list_for_each_entry_safe(obj, tmp, &ps_objects, node) {
		list_del_init(&obj->node);
		ps_nobjects--;
		obj->dentry = NULL; /* removed with the whole tree */
		if (kref_read(&obj->ref) != 1)
			pr_err("pollscope: object %s still referenced at exit\n", obj->name);
		ps_obj_put(obj);
	}
	mutex_unlock(&ps_mutex);
}

/* --- epoll registrations ------------------------------------------------ */

/* epoll entries on the queue; under wq.lock. */
static u32 ps_ep_count_locked(struct ps_obj *obj)
{
	struct ps_cmemo cm = { NULL, PS_SYM_NONE };
	wait_queue_entry_t *e;
	u32 n = 0;

	list_for_each_entry(e, &obj->wq.head, entry)
		if (ps_classify_memo(&cm, e->func) == PS_SYM_EP_POLL_CALLBACK)
			n++;
	return n;
}

/*
 * epoll's entries carry no task (->private is NULL): remember who added
 * the entry, and with which key, when it is added through our poll method.
 * reg_mutex keeps other registrations out while we find the new entry.
 */
static void ps_ep_poll_wait(struct ps_obj *obj, struct file *file, poll_table *pt)
{
	wait_queue_entry_t *e, *first = NULL, *last = NULL;
	struct ps_cmemo cm = { NULL, PS_SYM_NONE };
	struct ps_reg *rec, *old;
	HLIST_HEAD(stale);
	u32 before, after = 0;
	u64 t0;

	rec = kzalloc(sizeof(*rec), GFP_KERNEL);
	if (rec) {
		rec->pid = get_task_pid(current, PIDTYPE_PID);
		rec->key = poll_requested_events(pt);
		get_task_comm(rec->comm, current);
	}

	mutex_lock(&obj->reg_mutex);
	spin_lock_irq(&obj->wq.lock);
	t0 = ps_lock_begin();
	ps_reg_sweep_locked(&obj->reg, &obj->wq, &stale);
	before = ps_ep_count_locked(obj);
	ps_lock_end(t0);
	spin_unlock_irq(&obj->wq.lock);

	poll_wait(file, &obj->wq, pt);

	/*
	 * ep_ptable_queue_proc() adds a plain entry at the head (behind
	 * priority entries) and an EPOLLEXCLUSIVE one at the tail; no other
	 * epoll entry can be added meanwhile, so the new entry is the first
	 * (or last) epoll entry of the queue.  When the count of epoll
	 * entries grew, that entry is ours even if a record exists for its
	 * address: an EPOLL_CTL_DEL (which takes no reg_mutex) freed an entry
	 * after the sweep and epoll reused the memory; the stale record is
	 * replaced.  Otherwise epoll failed to allocate (or a concurrent
	 * removal hides our entry in the count): record it only if unknown.
	 */
	spin_lock_irq(&obj->wq.lock);
	t0 = ps_lock_begin();
	list_for_each_entry(e, &obj->wq.head, entry) {
		if (ps_classify_memo(&cm, e->func) != PS_SYM_EP_POLL_CALLBACK)
			continue;
		if (!first)
			first = e;
		last = e;
		after++;
	}
	e = (poll_requested_events(pt) & EPOLLEXCLUSIVE) ? last : first;
	old = e ? ps_reg_find(&obj->reg, e) : NULL;
	if (old && rec && after > before) {
		hash_del(&old->node);
		hlist_add_head(&old->node, &stale);
		old = NULL;
	}
	if (e && rec && !old) {
		ps_reg_add(&obj->reg, rec, e);
		rec = NULL;
	}
	ps_lock_end(t0);
	spin_unlock_irq(&obj->wq.lock);
	mutex_unlock(&obj->reg_mutex);

	ps_reg_free_list(&stale);
	if (rec) {
		put_pid(rec->pid);
		kfree(rec);
	}
}

/* --- objects/NAME ---------------------------------------------------- */

static int ps_obj_open(struct inode *inode, struct file *file)
{
	struct ps_obj *obj = inode->i_private;
	struct ps_ev ev;

	/* Runs under debugfs_file_get(): destroy has not dropped its ref. */
	kref_get(&obj->ref);
	file->private_data = obj;
	spin_lock_irq(&obj->wq.lock);
	obj->open++;
	spin_unlock_irq(&obj->wq.lock);
	stream_open(inode, file);
	ps_ev_obj(&ev, PS_EV_OPEN, obj);
	ps_event(&ev);
	return 0;
}

static int ps_obj_release_file(struct inode *inode, struct file *file)
{
	struct ps_obj *obj = file->private_data;
	struct ps_ev ev;

	spin_lock_irq(&obj->wq.lock);
	obj->open--;
	spin_unlock_irq(&obj->wq.lock);
	ps_ev_obj(&ev, PS_EV_RELEASE, obj);
	ps_event(&ev);
	ps_obj_put(obj);
	return 0;
}

static __poll_t ps_obj_poll(struct file *file, poll_table *pt)
{
	struct ps_obj *obj = file->private_data;
	enum ps_qproc qp = ps_qproc_of(pt);
	unsigned long flags;
	struct ps_ev ev;
	__poll_t mask;
	bool queued;

	if (qp == PS_QP_EP)
		ps_ep_poll_wait(obj, file, pt);
	else
		poll_wait(file, &obj->wq, pt);
	queued = qp != PS_QP_NONE && qp != PS_QP_INSPECT;

	spin_lock_irqsave(&obj->wq.lock, flags);
	mask = obj->ready;
	if (obj->dead)
		mask |= EPOLLHUP | EPOLLERR;
	obj->polls++;
	if (queued) {
		obj->queued++;
		obj->added++;
	}
	spin_unlock_irqrestore(&obj->wq.lock, flags);

	ps_ev_obj(&ev, PS_EV_POLL, obj);
	ev.mask = mask;
	ev.queued = queued;
	ev.qproc = qp;
	ps_event(&ev);
	return mask;
}

/*
 * Blocking read, open-coded wait_event_interruptible() with the condition
 * checked under the queue lock (so that consuming is atomic) and with every
 * (re)insertion of the autoremove entry counted.
 */
static ssize_t ps_obj_read(struct file *file, char __user *ubuf, size_t count, loff_t *ppos)
{
	struct ps_obj *obj = file->private_data;
	DEFINE_WAIT(wait);
	char tmp[24];
	ssize_t ret;
	u64 val = 0;
	int len = 0;
	u64 t0;

	spin_lock_irq(&obj->wq.lock);
	t0 = ps_lock_begin();
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (obj->dead) {
			ret = 0;
			break;
		}
		if (obj->ready & (EPOLLIN | EPOLLRDNORM)) {
			val = obj->count;
			len = scnprintf(tmp, sizeof(tmp), "%llu\n", val);
			if (len > count) {
				ret = -EINVAL;
				break;
			}
			obj->count = 0;
			obj->ready &= ~(EPOLLIN | EPOLLRDNORM);
			ret = len;
			break;
		}
		if (file->f_flags & O_NONBLOCK) {
			ret = -EAGAIN;
			break;
		}
		if (signal_pending(current)) {
			ret = -ERESTARTSYS;
			break;
		}
		if (list_empty(&wait.entry)) {
			__add_wait_queue(&obj->wq, &wait);
			obj->added++;
		}
		ps_lock_end(t0);
		spin_unlock_irq(&obj->wq.lock);
		schedule();
		spin_lock_irq(&obj->wq.lock);
		t0 = ps_lock_begin();
	}
	__set_current_state(TASK_RUNNING);
	if (!list_empty(&wait.entry))
		list_del_init(&wait.entry);
	ps_lock_end(t0);
	spin_unlock_irq(&obj->wq.lock);

	if (ret > 0 && copy_to_user(ubuf, tmp, len)) {
		/*
		 * Nothing reached the reader: put the value and the readiness
		 * back (a write may have added to the counter meanwhile) and
		 * log no read.  A reader that found the object unreadable in
		 * between sleeps: wake the queue as a write would.
		 */
		__poll_t key = EPOLLIN | EPOLLRDNORM;
		struct ps_walk w = { 0 };
		unsigned long flags;
		bool woke = false;

		spin_lock_irqsave(&obj->wq.lock, flags);
		t0 = ps_lock_begin();
		if (!obj->dead) {
			if (check_add_overflow(obj->count, val, &obj->count))
				obj->count = U64_MAX;
			obj->ready |= key;
			if (waitqueue_active(&obj->wq)) {
				ps_walk_locked(obj, key, 1, &w, &flags, &t0);
				obj->wakes++;
				obj->woken += w.woken;
				woke = true;
			}
		}
		ps_lock_end(t0);
		spin_unlock_irqrestore(&obj->wq.lock, flags);
		if (woke)
			ps_ev_wake(obj, key, 1, &w, PS_SRC_WAKE);
		return -EFAULT;
	}
	if (ret > 0) {
		struct ps_ev ev;

		ps_ev_obj(&ev, PS_EV_READ, obj);
		ev.value = val;
		ps_event(&ev);
	}
	return ret;
}

/* Text decimal value; empty or "\n" means 1. */
static ssize_t ps_obj_write(struct file *file, const char __user *ubuf, size_t count, loff_t *ppos)
{
	struct ps_obj *obj = file->private_data;
	__poll_t key = EPOLLIN | EPOLLRDNORM;
	struct ps_walk w = { 0 };
	unsigned long flags;
	size_t len = count;
	struct ps_ev ev;
	char buf[24];
	u64 v = 1;
	int ret = 0;
	size_t i;
	u64 t0;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[len] = '\0';
	if (memchr(buf, '\0', len))
		return -EINVAL;
	if (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	/* digits only: kstrtou64() alone would take a second final newline */
	for (i = 0; i < len; i++)
		if (!isdigit(buf[i]))
			return -EINVAL;
	if (len && kstrtou64(buf, 10, &v))
		return -EINVAL;

	spin_lock_irqsave(&obj->wq.lock, flags);
	t0 = ps_lock_begin();
	if (obj->dead) {
		ret = -EPIPE;
	} else if (v > U64_MAX - obj->count) {
		ret = -EOVERFLOW;
	} else {
		obj->count += v;
		obj->ready |= key;
		ps_walk_locked(obj, key, 1, &w, &flags, &t0);
		obj->wakes++;
		obj->woken += w.woken;
	}
	ps_lock_end(t0);
	spin_unlock_irqrestore(&obj->wq.lock, flags);
	if (ret)
		return ret;

	ps_ev_obj(&ev, PS_EV_WRITE, obj);
	ev.value = v;
	ps_event(&ev);
	ps_ev_wake(obj, key, 1, &w, PS_SRC_WRITE);
	return count;
}

const struct file_operations ps_obj_fops = {
	.owner = THIS_MODULE,
	.open = ps_obj_open,
	.release = ps_obj_release_file,
	.read = ps_obj_read,
	.write = ps_obj_write,
	.poll = ps_obj_poll,
};
