// SPDX-License-Identifier: GPL-2.0
/*
 * pollscope: the epoll instance behind an ep_poll_callback entry or an epoll
 * file.  struct eppoll_entry, epitem and eventpoll are private to
 * fs/eventpoll.c: they are mirrored here for the one layout checked (Linux
 * 6.1.192, Debian 12's 6.1.0-56, identical in the amd64 and rt flavours),
 * and on any other kernel nothing is decoded (the fields print as unknown).
 * At run time an entry is decoded only if its eppoll_entry points back at
 * the queue it was found on and its instance's file points back at the
 * instance.  Calls sym.c and format.c only.
 */
#include <linux/kernel.h>
#include <linux/version.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/rbtree.h>
#include <linux/eventpoll.h>
#include <linux/siphash.h>
#include <linux/random.h>
#include <linux/fs.h>
#include <linux/sched/task.h>
#include "pollscope.h"

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 1, 192) && LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
#define PS_EP_LAYOUT 1

/* fs/eventpoll.c of 6.1.192; only the members up to those read are needed. */
#define PS_EP_PRIVATE_BITS (EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)
#define PS_EP_UNACTIVE_PTR ((void *)-1L)

struct ps_epoll_filefd {
	struct file *file;
	int fd;
} __packed;

struct ps_epitem;

struct ps_eppoll_entry {
	struct ps_eppoll_entry *next;
	struct ps_epitem *base;
	wait_queue_entry_t wait;
	wait_queue_head_t *whead;
};

struct ps_eventpoll {
	struct mutex mtx; /* the rbtree (epoll_ctl); taken by ps_ep_watched() */
	wait_queue_head_t wq;
	wait_queue_head_t poll_wait;
	struct list_head rdllist;
	spinlock_t lock; /* rdllist, and adding/removing ep_poll()'s wq entries */
	struct rb_root_cached rbr;
	struct ps_epitem *ovflist;
	struct wakeup_source *ws;
	struct user_struct *user;
	struct file *file;
};

struct ps_epitem {
	union {
		struct rb_node rbn;
		struct rcu_head rcu;
	};
	struct list_head rdllink;
	struct ps_epitem *next;
	struct ps_epoll_filefd ffd;
	bool dying;
	struct ps_eppoll_entry *pwqlist;
	struct ps_eventpoll *ep;
	struct hlist_node fllink;
	struct wakeup_source __rcu *ws;
	struct epoll_event event;
};
#endif

static siphash_key_t ps_ep_key;

void ps_ep_init(void)
{
	get_random_bytes(&ps_ep_key, sizeof(ps_ep_key));
}

/* A stable id per instance for this module's lifetime, never its address. */
u64 ps_ep_id(const void *ep)
{
	return siphash_1u64((u64)(unsigned long)ep, &ps_ep_key);
}

u64 ps_file_id(const struct file *f)
{
	return siphash_1u64((u64)(unsigned long)f, &ps_ep_key);
}

void *ps_ep_of_file(struct file *f)
{
#ifdef PS_EP_LAYOUT
	struct ps_eventpoll *ep;

	if (!f->f_op || !f->f_op->poll || ps_classify(f->f_op->poll) != PS_SYM_EP_FILE_POLL)
		return NULL;
	ep = f->private_data;
	return ep && ep->file == f ? ep : NULL;
#else
	return NULL;
#endif
}

#ifdef PS_EP_LAYOUT
/* ep->lock and ep->wq.lock held: count the sleepers, the first into e. */
static void ps_ep_sleepers_locked(struct ps_eventpoll *ep, struct ps_ent *e,
				  struct pid_namespace *ns)
{
	wait_queue_entry_t *w;
	bool first = true;

	e->ep_sleepers = 0;
	list_for_each_entry(w, &ep->wq.head, entry) {
		struct task_struct *t;

		if (ps_is_bookmark(w))
			continue;
		if (e->ep_sleepers == PS_EP_SLEEPERS_MAX) {
			e->ep_sleepers_more = 1;
			break;
		}
		e->ep_sleepers++;
		if (!first || ps_classify(w->func) != PS_SYM_EP_AUTOREMOVE)
			continue;
		first = false;
		t = w->private; /* queued by ep_poll() for itself */
		e->pid = pid_nr_ns(task_pid(t), ns);
		memcpy(e->comm, t->comm, TASK_COMM_LEN);
		e->comm[TASK_COMM_LEN - 1] = '\0';
		e->state = task_state_to_char(t);
	}
}
#endif

bool ps_ep_entry_locked(wait_queue_head_t *wq, wait_queue_entry_t *curr, struct ps_ent *e,
			struct pid_namespace *ns)
{
#ifdef PS_EP_LAYOUT
	struct ps_eppoll_entry *pwq = container_of(curr, struct ps_eppoll_entry, wait);
	struct ps_eventpoll *ep;
	struct ps_epitem *epi;
	u32 ev;

	/*
	 * The entry and its epitem live until ep_remove() has taken it off
	 * wq, under wq->lock, which we hold; the instance outlives its items.
	 */
	if (pwq->whead != wq)
		return false;
	epi = pwq->base;
	ep = epi ? epi->ep : NULL;
	if (!ep || !ep->file || ep->file->private_data != ep)
		return false;
	ev = READ_ONCE(epi->event.events);
	e->ep_known = 1;
	e->ep_id = ps_ep_id(ep);
	e->ep_tfd = epi->ffd.fd;
	e->key = (__force __poll_t)ev;
	e->has_key = 1;
	e->ep_disarmed = !(ev & ~(__force u32)PS_EP_PRIVATE_BITS);
	/* ep_poll_callback's order: the queue's lock, ep->lock, ep->wq.lock */
	spin_lock(&ep->lock);
	spin_lock(&ep->wq.lock);
	ps_ep_sleepers_locked(ep, e, ns);
	spin_unlock(&ep->wq.lock);
	spin_unlock(&ep->lock);
	return true;
#else
	return false;
#endif
}

bool ps_ep_entry_key(wait_queue_entry_t *curr, __poll_t *key)
{
#ifdef PS_EP_LAYOUT
	struct ps_eppoll_entry *pwq = container_of(curr, struct ps_eppoll_entry, wait);

	/* the epitem lives while its entry is queued; its queue's lock is held */
	if (!pwq->base)
		return false;
	*key = (__force __poll_t)READ_ONCE(pwq->base->event.events);
	return true;
#else
	return false;
#endif
}

wait_queue_head_t *ps_ep_wq(void *ep, spinlock_t **outer)
{
#ifdef PS_EP_LAYOUT
	struct ps_eventpoll *p = ep;

	*outer = &p->lock; /* ep_poll() adds and removes its entry under ep->lock */
	return &p->wq;
#else
	return NULL;
#endif
}

wait_queue_head_t *ps_ep_pollq(void *ep)
{
#ifdef PS_EP_LAYOUT
	return &((struct ps_eventpoll *)ep)->poll_wait;
#else
	return NULL;
#endif
}

int ps_ep_watched(void *ep, u32 max, struct ps_watch **out, u32 *n, u32 *left, bool *more)
{
#ifdef PS_EP_LAYOUT
	struct ps_eventpoll *p = ep;
	struct ps_watch *w = NULL;
	struct rb_node *rbp;
	u32 total = 0, i = 0;

	*out = NULL;
	*n = 0;
	*left = 0;
	*more = false;
	/* the rbtree changes only under ep->mtx (epoll_ctl, close) */
	mutex_lock(&p->mtx);
	for (rbp = rb_first_cached(&p->rbr); rbp && total < max; rbp = rb_next(rbp))
		total++;
	if (total) {
		w = kvmalloc_array(total, sizeof(*w), GFP_KERNEL | __GFP_NOWARN);
		if (!w) {
			mutex_unlock(&p->mtx);
			return -ENOMEM;
		}
	}
	for (rbp = rb_first_cached(&p->rbr); rbp; rbp = rb_next(rbp)) {
		struct ps_epitem *epi = rb_entry(rbp, struct ps_epitem, rbn);
		struct inode *inode;

		if (i == total) { /* past the copy limit: count, boundedly */
			if (*left == max) {
				*more = true;
				break;
			}
			(*left)++;
			continue;
		}
		inode = file_inode(epi->ffd.file);
		w[i].fid = ps_file_id(epi->ffd.file);
		w[i].tfd = epi->ffd.fd;
		w[i].events = READ_ONCE(epi->event.events);
		w[i].ino = inode->i_ino;
		w[i].sdev = inode->i_sb->s_dev;
		/* on the ready list, or on the overflow list while events are sent */
		w[i].ready = !list_empty_careful(&epi->rdllink) ||
			     READ_ONCE(epi->next) != PS_EP_UNACTIVE_PTR;
		i++;
	}
	mutex_unlock(&p->mtx);
	*out = w;
	*n = i;
	return 0;
#else
	return -EOPNOTSUPP;
#endif
}
