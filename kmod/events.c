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
#include "pollscope.h"

static struct ps_ev *ps_ring;
static u64 ps_next_seq = 1; /* under ps_ev_lock; READ_ONCE in poll */
static DEFINE_SPINLOCK(ps_ev_lock);
static DECLARE_WAIT_QUEUE_HEAD(ps_ev_wq);

int ps_events_init(void)
{
	ps_ring = vzalloc(array_size(ps_events_size, sizeof(*ps_ring)));
	return ps_ring ? 0 : -ENOMEM;
}

void ps_events_exit(void)
{
	unsigned int i;

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

void ps_event(struct ps_ev *ev)
{
	struct ps_ev *slot;
	struct pid *old;
	unsigned long flags;

	ev->pid = get_task_pid(current, PIDTYPE_PID);
	get_task_comm(ev->comm, current);

	spin_lock_irqsave(&ps_ev_lock, flags);
	ev->seq = ps_next_seq;
	ev->ns = ktime_get_ns();
	slot = ps_slot(ev->seq);
	old = slot->pid;
	*slot = *ev;
	WRITE_ONCE(ps_next_seq, ps_next_seq + 1);
	spin_unlock_irqrestore(&ps_ev_lock, flags);

	put_pid(old);
	if (wq_has_sleeper(&ps_ev_wq))
		wake_up_interruptible_poll(&ps_ev_wq, EPOLLIN | EPOLLRDNORM);
}

static const char *const ps_ev_names[] = {
	[PS_EV_CREATE] = "create", [PS_EV_DESTROY] = "destroy", [PS_EV_POLL] = "poll",
	[PS_EV_READY] = "ready",   [PS_EV_WAKE] = "wake",	[PS_EV_READ] = "read",
	[PS_EV_WRITE] = "write",   [PS_EV_OPEN] = "open",	[PS_EV_RELEASE] = "release",
};

static const char *const ps_src_names[] = {
	[PS_SRC_WAKE] = "wake",
	[PS_SRC_WRITE] = "write",
	[PS_SRC_DESTROY] = "destroy",
};

/* An event record is at most about 200 bytes (names are bounded). */
#define PS_EV_LINE_MAX 256

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
	default:
		break;
	}
	off += scnprintf(buf + off, len - off, "\n");
	return off;
}

struct ps_ev_reader {
	struct mutex lock; /* serialises readers of one open file */
	u64 cursor;	   /* next sequence number to return */
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
	char line[PS_EV_LINE_MAX];
	size_t done = 0;
	ssize_t ret = 0;

	mutex_lock(&r->lock);
	while (done < count) {
		u64 oldest, lost = 0, first = 0;
		struct ps_ev ev;
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
			ev = *ps_slot(r->cursor);
			get_pid(ev.pid);
		}
		spin_unlock_irq(&ps_ev_lock);

		if (lost) {
			len = scnprintf(line, sizeof(line), "seq=%llu type=lost count=%llu\n",
					first, lost);
		} else {
			len = ps_ev_format(line, sizeof(line), &ev);
			put_pid(ev.pid);
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
