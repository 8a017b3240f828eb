// SPDX-License-Identifier: GPL-2.0
/*
 * pollscope: the event ring.  Records are kept as structures (formatting is
 * done by the reader, outside the ring lock); each open file of `events`
 * has its own cursor; poll on it tells a reader that records are waiting.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/uaccess.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/pid.h>
#include <linux/irq_work.h>
#include "pollscope.h"

static struct ps_ev *ps_ring;
static u64 ps_next_seq = 1; /* under ps_ev_lock; READ_ONCE in poll */
static DEFINE_SPINLOCK(ps_ev_lock);
static DECLARE_WAIT_QUEUE_HEAD(ps_ev_wq);

/*
 * Watched wakes wake the readers from here, never under the watched
 * queue's lock: a reader's entry may itself be behind a watched queue
 * (an epoll of the events file, watched), which would recurse.
 */
static struct task_struct *ps_ev_kicker; /* running ps_ev_kick() */

static void ps_ev_kick(struct irq_work *w)
{
	if (!wq_has_sleeper(&ps_ev_wq))
		return;
	WRITE_ONCE(ps_ev_kicker, current);
	wake_up_interruptible_poll(&ps_ev_wq, EPOLLIN | EPOLLRDNORM);
	WRITE_ONCE(ps_ev_kicker, NULL);
}

/*
 * A watched wake caused by waking the events file's readers (a watched
 * epoll instance that holds the events file): not recorded, or each
 * record would wake the readers again, without end.
 */
bool ps_ev_in_kick(void)
{
	return READ_ONCE(ps_ev_kicker) == current;
}

static struct irq_work ps_ev_irq_work = IRQ_WORK_INIT(ps_ev_kick);

int ps_events_init(void)
{
	ps_ring = vzalloc(array_size(ps_events_size, sizeof(*ps_ring)));
	return ps_ring ? 0 : -ENOMEM;
}

void ps_events_exit(void)
{
	unsigned int i;

	irq_work_sync(&ps_ev_irq_work);
	if (!ps_ring)
		return;
	for (i = 0; i < ps_events_size; i++)
		put_pid(ps_ring[i].pid);
	vfree(ps_ring);
	ps_ring = NULL;
}

static struct ps_ev *ps_slot(u64 seq)
{
	u32 rem;

	div_u64_rem(seq, ps_events_size, &rem);
	return &ps_ring[rem];
}

/* Oldest sequence number still in the ring; under ps_ev_lock. */
static u64 ps_oldest_locked(void)
{
	return ps_next_seq > ps_events_size ? ps_next_seq - ps_events_size : 1;
}

static void ps_event_store(struct ps_ev *ev)
{
	struct ps_ev *slot;
	struct pid *old;
	unsigned long flags;

	spin_lock_irqsave(&ps_ev_lock, flags);
	ev->seq = ps_next_seq;
	ev->ns = ktime_get_ns();
	slot = ps_slot(ev->seq);
	old = slot->pid;
	*slot = *ev;
	WRITE_ONCE(ps_next_seq, ps_next_seq + 1);
	spin_unlock_irqrestore(&ps_ev_lock, flags);

	put_pid(old);
}

void ps_event(struct ps_ev *ev)
{
	ev->pid = get_task_pid(current, PIDTYPE_PID);
	get_task_comm(ev->comm, current);
	ps_event_store(ev);
	if (wq_has_sleeper(&ps_ev_wq))
		wake_up_interruptible_poll(&ps_ev_wq, EPOLLIN | EPOLLRDNORM);
}

/*
 * The readers are kicked only when one sleeps in poll: a self-interrupt per
 * wake costs the waker more than the record.  As in ps_event(), the barrier
 * in wq_has_sleeper() orders the record before the check, against the one
 * in ps_events_poll(): a reader that queues itself after the check sees
 * the record.  A kick already pending covers this record too.
 */
void ps_event_watch(struct ps_ev *ev)
{
	ps_event_store(ev);
	if (wq_has_sleeper(&ps_ev_wq))
		irq_work_queue(&ps_ev_irq_work);
}

static const char *const ps_ev_names[] = {
	[PS_EV_CREATE] = "create", [PS_EV_DESTROY] = "destroy", [PS_EV_POLL] = "poll",
	[PS_EV_READY] = "ready",   [PS_EV_WAKE] = "wake",	[PS_EV_READ] = "read",
	[PS_EV_WRITE] = "write",   [PS_EV_OPEN] = "open",	[PS_EV_RELEASE] = "release",
	[PS_EV_WATCH] = "watch",
};

static const char *const ps_wop_names[] = {
	[PS_WOP_WAKE] = "wake",
	[PS_WOP_START] = "start",
	[PS_WOP_END] = "end",
	[PS_WOP_POLLFREE] = "pollfree",
};

static const char *const ps_wr_names[] = {
	[PS_WR_NONE] = "-",
	[PS_WR_CLOSED] = "closed",
	[PS_WR_UNWATCH] = "unwatch",
	[PS_WR_POLLFREE] = "pollfree",
	[PS_WR_DESTROYED] = "destroyed",
	[PS_WR_UNLOAD] = "unload",
};

static const char *const ps_wv_names[] = {
	[PS_WV_UNKNOWN] = "unknown", [PS_WV_WAKE] = "wake",   [PS_WV_SKIP] = "skip",
	[PS_WV_STOP] = "stop",	     [PS_WV_AFTER] = "after",
};

const char *ps_wt_ctx_name(u8 ctx)
{
	static const char *const n[] = {
		[PS_WC_TASK] = "task",
		[PS_WC_IRQ] = "irq",
		[PS_WC_SOFTIRQ] = "softirq",
		[PS_WC_NMI] = "nmi",
	};

	return ctx < ARRAY_SIZE(n) ? n[ctx] : "?";
}

/* The wait machinery's own frames, skipped to find the waker's call site. */
bool ps_wt_core_frame(const char *fn)
{
	return !strncmp(fn, "__wake_up", 9) || !strncmp(fn, "wake_up", 7) ||
	       !strncmp(fn, "ps_wt_", 6) || !strncmp(fn, "stack_trace_save", 16) ||
	       !strncmp(fn, "arch_stack_walk", 15) || !strcmp(fn, "unknown");
}

/* Watch records: " op=wake head=0 queue=L key=in ctx=task site=a<b<c
 * waiters=2 entries=KIND/PID/COMM/KEY/VERDICT;..." */
static int ps_ev_format_watch(char *buf, size_t len, const struct ps_ev *ev)
{
	char m[96], fn[64], comm[TASK_COMM_LEN];
	unsigned int i, shown = 0;
	int off = 0;

	switch (ev->wop) {
	case PS_WOP_START:
		return scnprintf(buf, len, " op=start heads=%u mask=%s", ev->whead,
				 ps_mask_str(m, sizeof(m), ev->mask));
	case PS_WOP_END:
		return scnprintf(buf, len, " op=end reason=%s wakes=%llu limited=%llu",
				 ps_wr_names[ev->wreason], ev->wwakes, ev->wlimited);
	case PS_WOP_POLLFREE:
		return scnprintf(buf, len, " op=pollfree head=%u queue=%s key=%s ctx=%s", ev->whead,
				 ev->wlabel, ps_mask_str(m, sizeof(m), ev->mask),
				 ps_wt_ctx_name(ev->wctx));
	default:
		break;
	}
	off += scnprintf(buf + off, len - off,
			 " op=wake head=%u queue=%s key=%s ctx=%s site=", ev->whead, ev->wlabel,
			 ev->mask ? ps_mask_str(m, sizeof(m), ev->mask) : "none",
			 ps_wt_ctx_name(ev->wctx));
	for (i = 0; i < ev->nr && i < PS_WT_SITES && shown < 3; i++) {
		ps_func_name((const void *)ev->wsite[i], fn, sizeof(fn));
		if (ps_wt_core_frame(fn))
			continue;
		off += scnprintf(buf + off, len - off, "%s%s", shown ? "<" : "", fn);
		shown++;
	}
	if (!shown)
		off += scnprintf(buf + off, len - off, "unknown");
	off += scnprintf(buf + off, len - off, " waiters=%u%s entries=", ev->waiters,
			 ev->wmore ? PS_TRUNC_MORE : "");
	if (!ev->nent)
		off += scnprintf(buf + off, len - off, "-");
	for (i = 0; i < ev->nent; i++) {
		const struct ps_wt_ent *e = &ev->went[i];
		char *c;

		ps_comm_sanitize(comm, e->comm[0] ? e->comm : "-", sizeof(comm));
		for (c = comm; *c; c++)
			if (*c == ';' || *c == '/' || *c == ',')
				*c = '?';
		off += scnprintf(buf + off, len - off, "%s%s%s/%d/%s/%s/%s", i ? ";" : "",
				 ps_kind_name(e->sym), e->excl ? "+x" : "", e->pid, comm,
				 e->has_key ? ps_mask_str(m, sizeof(m), e->key) : "-",
				 ps_wv_names[e->verdict]);
	}
	return off;
}

static const char *const ps_src_names[] = {
	[PS_SRC_WAKE] = "wake",
	[PS_SRC_WRITE] = "write",
	[PS_SRC_DESTROY] = "destroy",
};

/* An event record is at most about 200 bytes, a watched wake's about 700. */
#define PS_EV_LINE_MAX 1024

static int ps_ev_format(char *buf, size_t len, const struct ps_ev *ev)
{
	char comm[TASK_COMM_LEN], m1[96], m2[96];
	int off;

	ps_comm_sanitize(comm, ev->comm, sizeof(comm));
	off = scnprintf(buf, len, "seq=%llu ns=%llu type=%s pid=%d comm=%s object=%s", ev->seq,
			ev->ns, ps_ev_names[ev->type], ev->pid ? pid_vnr(ev->pid) : 0, comm,
			ev->obj);
	switch (ev->type) {
	case PS_EV_DESTROY:
		off += scnprintf(buf + off, len - off, " waiters=%u", ev->waiters);
		break;
	case PS_EV_POLL:
		off += scnprintf(buf + off, len - off, " mask=%s queued=%u qproc=%s",
				 ps_mask_str(m1, sizeof(m1), ev->mask), ev->queued,
				 ps_qproc_name(ev->qproc));
		break;
	case PS_EV_READY:
		off += scnprintf(buf + off, len - off, " mask=%s old=%s",
				 ps_mask_str(m1, sizeof(m1), ev->mask),
				 ps_mask_str(m2, sizeof(m2), ev->old));
		break;
	case PS_EV_WAKE:
		off += scnprintf(buf + off, len - off,
				 " key=%s nr=%u visited=%u woken=%u source=%s",
				 ps_mask_str(m1, sizeof(m1), ev->mask), ev->nr, ev->visited,
				 ev->woken, ps_src_names[ev->source]);
		break;
	case PS_EV_READ:
	case PS_EV_WRITE:
		off += scnprintf(buf + off, len - off, " value=%llu", ev->value);
		break;
	case PS_EV_WATCH:
		off += ps_ev_format_watch(buf + off, len - off, ev);
		break;
	default:
		break;
	}
	off += scnprintf(buf + off, len - off, "\n");
	return off;
}

/* The line and the event copy live here, not on the stack: with KASAN's
 * redzones they made read's frame 2.4 KB. r->lock guards them. */
struct ps_ev_reader {
	struct mutex lock; /* serialises readers of one open file */
	u64 cursor;	   /* next sequence number to return */
	struct ps_ev ev;
	char line[PS_EV_LINE_MAX];
};

static int ps_events_open(struct inode *inode, struct file *file)
{
	struct ps_ev_reader *r = kzalloc(sizeof(*r), GFP_KERNEL);

	if (!r)
		return -ENOMEM;
	mutex_init(&r->lock);
	spin_lock_irq(&ps_ev_lock);
	r->cursor = ps_oldest_locked();
	spin_unlock_irq(&ps_ev_lock);
	file->private_data = r;
	stream_open(inode, file);
	return 0;
}

static int ps_events_release(struct inode *inode, struct file *file)
{
	struct ps_ev_reader *r = file->private_data;

	mutex_destroy(&r->lock);
	kfree(r);
	return 0;
}

/* Whole lines only; never blocks; 0 when the reader is up to date. */
static ssize_t ps_events_read(struct file *file, char __user *ubuf, size_t count, loff_t *ppos)
{
	struct ps_ev_reader *r = file->private_data;
	struct ps_ev *ev = &r->ev;
	char *line = r->line;
	size_t done = 0;
	ssize_t ret = 0;

	mutex_lock(&r->lock);
	while (done < count) {
		u64 oldest, lost = 0, first = 0;
		int len;

		spin_lock_irq(&ps_ev_lock);
		oldest = ps_oldest_locked();
		if (r->cursor >= ps_next_seq) {
			spin_unlock_irq(&ps_ev_lock);
			break;
		}
		if (r->cursor < oldest) {
			first = r->cursor;
			lost = oldest - r->cursor;
		} else {
			*ev = *ps_slot(r->cursor);
			get_pid(ev->pid);
		}
		spin_unlock_irq(&ps_ev_lock);

		if (lost) {
			len = scnprintf(line, PS_EV_LINE_MAX, "seq=%llu type=lost count=%llu\n",
					first, lost);
		} else {
			len = ps_ev_format(line, PS_EV_LINE_MAX, ev);
			put_pid(ev->pid);
		}
		if (len > count - done) {
			if (!done)
				ret = -EINVAL; /* not even one line fits */
			break;
		}
		if (copy_to_user(ubuf + done, line, len)) {
			if (!done)
				ret = -EFAULT;
			break;
		}
		done += len;
		WRITE_ONCE(r->cursor, lost ? oldest : r->cursor + 1);
	}
	mutex_unlock(&r->lock);
	return done ? done : ret;
}

static __poll_t ps_events_poll(struct file *file, poll_table *pt)
{
	struct ps_ev_reader *r = file->private_data;

	poll_wait(file, &ps_ev_wq, pt);
	/*
	 * ps_event() stores ps_next_seq, then checks wq_has_sleeper() (whose
	 * smp_mb() orders the store before the list read).  Order our queue
	 * insertion before the sequence read in the same way, or both sides
	 * may miss each other: the event seen as not there yet, and our
	 * entry not yet seen on the queue, so no wakeup ever comes.
	 */
	smp_mb();
	if (READ_ONCE(r->cursor) < READ_ONCE(ps_next_seq))
		return EPOLLIN | EPOLLRDNORM;
	return 0;
}

const struct file_operations ps_events_fops = {
	.owner = THIS_MODULE,
	.open = ps_events_open,
	.release = ps_events_release,
	.read = ps_events_read,
	.poll = ps_events_poll,
};
