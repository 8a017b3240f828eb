// SPDX-License-Identifier: GPL-2.0
/*
 * pollscope: inspect any pollable file of the writer.  vfs_poll() is called
 * with a poll_table whose _qproc records each wait queue head instead of
 * queuing an entry; then each head's entries are copied under its lock.
 * The file reference is held until the copies are done, which keeps the
 * heads alive (the same guarantee poll(2) relies on).
 */
#include <linux/kernel.h>
#include <linux/ctype.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/dcache.h>
#include <linux/uaccess.h>
#include <linux/ktime.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/signal.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include "pollscope.h"

void *ps_reserve(void *buf, u32 *cap, u32 need, size_t size)
{
	if (*cap >= need)
		return buf;
	kvfree(buf);
	buf = kvmalloc_array(need, size, GFP_KERNEL | __GFP_NOWARN);
	*cap = buf ? need : 0;
	return buf;
}

/*
 * Copies at most ps_queue_max entries of a head (which may be any file's
 * queue, of any length: the walk under its lock is bounded too).  The last
 * try allocates for the whole bound, so it cannot run out of records.
 */
int ps_copy_head(wait_queue_head_t *wq, struct ps_outer *outer, struct ps_regtab *reg, u32 idx,
		 struct ps_head_copy *hc)
{
	const u32 qmax = READ_ONCE(ps_queue_max);
	int tries;

	for (tries = 0; tries < 8; tries++) {
		u64 total, cap;
		int ret;

		/* outer: the lock the queue's entries are also added under */
		if (outer) {
			wq = outer->lock(outer);
			total = wq ? ps_count_entries(wq, qmax, NULL) : 0;
			outer->unlock(outer);
		} else {
			total = ps_count_entries(wq, qmax, NULL);
		}
		cap = total + total / 4 + 16 + tries * total;

		if (tries == 7 || cap > qmax)
			cap = qmax;
		if (cap * sizeof(*hc->ents) > INT_MAX)
			return -ENOMEM;
		/* a scan copies tens of thousands of queues: one buffer for all */
		hc->ents = ps_reserve(hc->ents, &hc->cap, cap, sizeof(*hc->ents));
		if (!hc->ents)
			return -ENOMEM;
		if (outer) {
			wq = outer->lock(outer);
			ret = 0;
			memset(&hc->res, 0, sizeof(hc->res)); /* gone: an empty queue */
			if (wq)
				ret = ps_copy_entries(wq, reg, idx, hc->ents, hc->cap, qmax,
						      &hc->res);
			outer->unlock(outer);
		} else {
			ret = ps_copy_entries(wq, reg, idx, hc->ents, hc->cap, qmax, &hc->res);
		}
		if (!ret)
			return 0;
	}
	return -EAGAIN; /* not reached: the last try has room for qmax entries */
}

/* Appends len bytes of line to text (when given), never past size. */
static void ps_put(char *text, size_t size, size_t *off, const char *line, size_t len)
{
	if (text && *off < size)
		memcpy(text + *off, line, min(len, size - *off));
	*off += len;
}

/* What an inspect found, formatted after every lock is dropped. */
struct ps_inspect_work {
	struct ps_heads_pt hp;
	struct ps_head_copy hc[PS_MAX_HEADS];
	const char *qname[PS_MAX_HEADS]; /* an epoll file's queues: "poll_wait", "wq" */
	unsigned int nheads;
	struct ps_watch *watch; /* an epoll file's watched files */
	u32 nwatch, watch_left;
	bool watch_more;
	struct ps_outer epo, sigo;	      /* ep->lock; the signalfd owner's siglock */
	struct ps_outer *outer[PS_MAX_HEADS]; /* per head, or NULL */
	char line[PS_LINE_MAX];		      /* formatting scratch */
	char name[PATH_MAX];
};

/*
 * The text of an inspect after the header: formatted once with text NULL to
 * size it, then into text.  Returns the length (at most size when text).
 */
static size_t ps_inspect_format(char *text, size_t size, const char *hdr, struct ps_inspect_work *w)
{
	struct ps_fname fc = { 0 };
	char *line = w->line, lead[16], ev[96];
	const size_t lsz = sizeof(w->line);
	size_t off = 0;
	unsigned int i;
	int len;

	ps_put(text, size, &off, hdr, strlen(hdr));
	for (i = 0; i < w->nheads; i++) {
		const struct ps_copy_res *r = &w->hc[i].res;
		u32 j;

		len = scnprintf(line, lsz, PS_K_HEAD "=%u " PS_K_ENTRIES "=%u", i, r->nent);
		if (r->left || r->more)
			len += scnprintf(line + len, lsz - len, " " PS_K_TRUNCATED "=%u%s", r->left,
					 r->more ? PS_TRUNC_MORE : "");
		if (w->qname[i])
			len += scnprintf(line + len, lsz - len, " " PS_K_QUEUE "=%s", w->qname[i]);
		len += scnprintf(line + len, lsz - len, "\n");
		ps_put(text, size, &off, line, len);
		snprintf(lead, sizeof(lead), PS_K_HEAD "=%u", i);
		for (j = 0; j < r->nrec; j++) {
			struct ps_ent e = w->hc[i].ents[j];
			u32 k;

			for (k = 0; k < w->hc[i].ents[j].run; k++, e.pos++) {
				len = ps_format_ent(line, lsz, lead, &e, &fc);
				ps_put(text, size, &off, line, len);
			}
		}
	}
	if (!w->watch && !w->watch_left)
		return text ? min(off, size) : off;
	for (i = 0; i < w->nwatch; i++) {
		const struct ps_watch *x = &w->watch[i];

		len = scnprintf(line, lsz,
				PS_K_WATCH "=%u " PS_K_TFD "=%d " PS_K_INO "=%lu " PS_K_SDEV
					   "=%u:%u " PS_K_FID "=%016llx " PS_K_EVENTS
					   "=%s " PS_K_READY "=%s\n",
				i, x->tfd, x->ino, MAJOR(x->sdev), MINOR(x->sdev), x->fid,
				ps_mask_str(ev, sizeof(ev), (__force __poll_t)x->events),
				x->ready ? "yes" : "no");
		ps_put(text, size, &off, line, len);
	}
	if (w->watch_left || w->watch_more)
		len = scnprintf(line, lsz, PS_K_WATCHED "=%u " PS_K_TRUNCATED "=%u%s\n", w->nwatch,
				w->watch_left, w->watch_more ? PS_TRUNC_MORE : "");
	else
		len = scnprintf(line, lsz, PS_K_WATCHED "=%u\n", w->nwatch);
	ps_put(text, size, &off, line, len);
	return text ? min(off, size) : off;
}

/* Path or pseudo name ("pipe:[123]"), with unprintables, ' ', '=' as '?'. */
void ps_file_name(struct file *f, char *out, size_t len)
{
	char *buf = kmalloc(PATH_MAX, GFP_KERNEL);
	char *p;

	strscpy(out, "-", len);
	if (!buf)
		return;
	p = d_path(&f->f_path, buf, PATH_MAX);
	if (!IS_ERR(p))
		ps_comm_sanitize(out, p, len);
	kfree(buf);
}

wait_queue_head_t *ps_ep_lock(struct ps_outer *o)
{
	spin_lock_irq(o->lockp);
	return o->wq;
}

void ps_ep_unlock(struct ps_outer *o)
{
	spin_unlock_irq(o->lockp);
}

/*
 * The owner's sighand under its siglock, as lock_task_sighand() (not
 * exported) takes it: sighand_struct is SLAB_TYPESAFE_BY_RCU.  Signals are
 * queued and signalfd_wqh woken under siglock, so siglock -> queue lock is
 * the kernel's own order.
 */
static wait_queue_head_t *ps_sig_lock(struct ps_outer *o)
{
	struct sighand_struct *sh;

	rcu_read_lock();
	for (;;) {
		sh = rcu_dereference(o->task->sighand);
		if (!sh)
			break;
		spin_lock_irqsave(&sh->siglock, o->flags);
		if (likely(sh == rcu_access_pointer(o->task->sighand)))
			break;
		spin_unlock_irqrestore(&sh->siglock, o->flags);
	}
	rcu_read_unlock();
	o->sh = sh;
	return sh ? &sh->signalfd_wqh : NULL;
}

static void ps_sig_unlock(struct ps_outer *o)
{
	if (o->sh)
		spin_unlock_irqrestore(&o->sh->siglock, o->flags);
	o->sh = NULL;
}

/* fs/signalfd.c: the signals a signalfd does NOT accept (signotset of its mask) */
struct ps_signalfd_ctx {
	sigset_t sigmask;
};

/* signalfd_poll() for the owner: in if a signal it accepts is pending. */
static __poll_t ps_sig_mask(struct ps_outer *o, struct file *f, bool *gone)
{
	const struct ps_signalfd_ctx *ctx = f->private_data;
	__poll_t mask = 0;
	unsigned int i;

	*gone = !ps_sig_lock(o);
	if (!*gone) {
		for (i = 0; i < _NSIG_WORDS; i++)
			if ((o->task->pending.signal.sig[i] |
			     o->task->signal->shared_pending.signal.sig[i]) &
			    ~ctx->sigmask.sig[i])
				mask = EPOLLIN;
	}
	ps_sig_unlock(o);
	return mask;
}

/*
 * signalfd_poll() polls the signals of the task that calls it: from here
 * that is the inspecting process, whose queue and mask are not the owner's.
 * With an owner given they are read from the owner; without, neither is
 * reported and the header says why.
 */
bool ps_poll_is_callers(struct file *f)
{
	return f->f_op && f->f_op->poll && ps_classify(f->f_op->poll) == PS_SYM_SIGNALFD_POLL;
}

static int ps_inspect_fd(unsigned int fd, struct task_struct *owner, char **textp, size_t *lenp)
{
	struct ps_outer *epo, *sigo, **outer;
	char owner_s[32] = "";
	u64 t0 = ktime_get_ns(), hold_max = 0;
	const u32 qmax = READ_ONCE(ps_queue_max);
	struct ps_inspect_work *w;
	struct ps_obj *obj = NULL;
	char *text = NULL, *hdr = NULL;
	char mask_s[96], epid[32] = "";
	const char *reason = NULL;
	wait_queue_head_t *epwq = NULL;
	void *ep = NULL;
	size_t size;
	u32 i, total = 0;
	struct file *f;
	bool can_poll;
	__poll_t mask = 0;
	int ret = 0;

	f = fget(fd);
	if (!f)
		return -EBADF;
	w = kvzalloc(sizeof(*w), GFP_KERNEL);
	if (!w) {
		fput(f);
		return -ENOMEM;
	}
	ps_file_name(f, w->name, sizeof(w->name));
	epo = &w->epo;
	epo->lock = ps_ep_lock;
	epo->unlock = ps_ep_unlock;
	sigo = &w->sigo;
	sigo->lock = ps_sig_lock;
	sigo->unlock = ps_sig_unlock;
	sigo->task = owner;
	outer = w->outer;

	init_poll_funcptr(&w->hp.pt, ps_heads_qproc);
	/* Explicit key: every MASK bit, and no POLL_BUSY_LOOP. */
	w->hp.pt._key = PS_MASK_ALL;
	can_poll = file_can_poll(f);
	if (ps_poll_is_callers(f) && owner) {
		bool gone;

		/* the owner's queue and readiness, not ours */
		mask = ps_sig_mask(sigo, f, &gone);
		if (gone) {
			reason = "signalfd-owner-exited";
		} else {
			w->hp.heads[w->hp.n] = NULL; /* reached through sigo */
			w->qname[w->hp.n] = "signalfd_wqh";
			outer[w->hp.n++] = sigo;
			snprintf(owner_s, sizeof(owner_s), " " PS_K_OWNER "=%d",
				 task_pid_vnr(owner));
		}
	} else if (ps_poll_is_callers(f)) {
		reason = "signalfd-needs-owner-context";
	} else {
		mask = vfs_poll(f, &w->hp.pt);
	}
	w->nheads = w->hp.n;

	if (f->f_op == &ps_obj_fops)
		obj = f->private_data;
	ep = ps_ep_of_file(f);
	if (ep) {
		for (i = 0; i < w->nheads; i++)
			if (w->hp.heads[i] == ps_ep_pollq(ep))
				w->qname[i] = "poll_wait";
		/* the epoll_wait sleepers: a queue no poll method shows */
		epwq = ps_ep_wq(ep, &epo->lockp);
		if (epwq && w->nheads < PS_MAX_HEADS) {
			epo->wq = epwq;
			outer[w->nheads] = epo;
			w->hp.heads[w->nheads] = epwq;
			w->qname[w->nheads++] = "wq";
		}
		snprintf(epid, sizeof(epid), " " PS_K_EPOLL "=%016llx", ps_ep_id(ep));
	}
	for (i = 0; i < w->nheads; i++) {
		wait_queue_head_t *head = w->hp.heads[i];
		struct ps_regtab *reg = NULL;

		if (obj && head == &obj->wq)
			reg = &obj->reg;
		ret = ps_copy_head(head, outer[i], reg, i, &w->hc[i]);
		if (ret)
			goto out;
		total += w->hc[i].res.nent;
		hold_max = max(hold_max, w->hc[i].res.hold);
	}
	if (ep) {
		ret = ps_ep_watched(ep, qmax, &w->watch, &w->nwatch, &w->watch_left,
				    &w->watch_more);
		if (ret)
			goto out;
	}

	if (reason)
		hdr = kasprintf(GFP_KERNEL,
				PS_K_FD "=%u " PS_K_FILE "=%s " PS_K_MASK "=unknown " PS_K_HEADS
					"=0 " PS_K_POLL "=%s " PS_K_REASON "=%s " PS_K_FID
					"=%016llx\n",
				fd, w->name, can_poll ? "yes" : "no", reason, ps_file_id(f));
	else
		hdr = kasprintf(GFP_KERNEL,
				PS_K_FD "=%u " PS_K_FILE "=%s " PS_K_MASK "=%s " PS_K_HEADS
					"=%u " PS_K_POLL "=%s%s%s " PS_K_FID "=%016llx\n",
				fd, w->name, ps_mask_str(mask_s, sizeof(mask_s), mask), w->nheads,
				can_poll ? "yes" : "no", epid, owner_s, ps_file_id(f));
	if (!hdr) {
		ret = -ENOMEM;
		goto out;
	}
	/* at most PS_MAX_HEADS * ps_queue_max lines of PS_LINE_MAX: far below INT_MAX */
	size = ps_inspect_format(NULL, 0, hdr, w);
	if (size > INT_MAX) {
		ret = -ENOMEM;
		goto out;
	}
	text = kvmalloc(max_t(size_t, size, 1), GFP_KERNEL | __GFP_NOWARN);
	if (!text) {
		ret = -ENOMEM;
		goto out;
	}
	*lenp = ps_inspect_format(text, size, hdr, w);
	*textp = text;
	text = NULL;
	ps_snap_account(total, ktime_get_ns() - t0, hold_max);
out:
	fput(f);
	for (i = 0; i < PS_MAX_HEADS; i++)
		kvfree(w->hc[i].ents);
	kvfree(w->watch);
	kvfree(w);
	kvfree(text);
	kfree(hdr);
	return ret;
}

struct ps_insp {
	struct mutex lock; /* protects text and len */
	char *text;
	size_t len;
};

static int ps_inspect_open(struct inode *inode, struct file *file)
{
	struct ps_insp *st = kzalloc(sizeof(*st), GFP_KERNEL);

	if (!st)
		return -ENOMEM;
	mutex_init(&st->lock);
	file->private_data = st;
	return 0;
}

static int ps_inspect_release(struct inode *inode, struct file *file)
{
	struct ps_insp *st = file->private_data;

	kvfree(st->text);
	mutex_destroy(&st->lock);
	kfree(st);
	return 0;
}

/* A decimal number: digits only (-EINVAL), at most INT_MAX (-ERANGE). */
static int ps_dec(const char *s, unsigned int *v)
{
	const char *p;
	int ret;

	if (!*s)
		return -EINVAL;
	for (p = s; *p; p++)
		if (!isdigit(*p))
			return -EINVAL;
	ret = kstrtouint(s, 10, v);
	if (ret == -ERANGE || (!ret && *v > INT_MAX))
		return -ERANGE;
	return ret ? -EINVAL : 0;
}

/*
 * "FD" or "FD PID": a decimal fd number of the writer, and optionally the
 * thread (in the writer's pid namespace) whose signals a signalfd reports.
 * Checked in this order: the syntax (EINVAL), the fd number's range (EBADF),
 * the thread (ESRCH), the fd itself (EBADF).  A failed write keeps the old
 * result.
 */
static ssize_t ps_inspect_write(struct file *file, const char __user *ubuf, size_t count,
				loff_t *ppos)
{
	struct ps_insp *st = file->private_data;
	struct task_struct *owner = NULL;
	char buf[32], *text = NULL, *sp;
	size_t len = count, tlen = 0;
	unsigned int fd, pid = 0;
	int ret, pret = 0;

	if (count == 0 || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[len] = '\0';
	if (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	if (!len || strlen(buf) != len)
		return -EINVAL;
	sp = strchr(buf, ' ');
	if (sp) {
		*sp++ = '\0';
		pret = ps_dec(sp, &pid);
		if (pret == -EINVAL)
			return -EINVAL;
	}
	ret = ps_dec(buf, &fd);
	if (ret == -EINVAL)
		return -EINVAL;
	if (ret == -ERANGE)
		return -EBADF; /* a number, but no fd can have it */
	if (sp) {
		struct pid *p;

		if (pret || !pid)
			return -ESRCH; /* a number, but no thread can have it */
		p = find_get_pid(pid); /* in the writer's namespace */
		owner = get_pid_task(p, PIDTYPE_PID);
		put_pid(p);
		if (!owner)
			return -ESRCH;
	}

	ret = ps_inspect_fd(fd, owner, &text, &tlen);
	if (owner)
		put_task_struct(owner);
	if (ret)
		return ret;
	mutex_lock(&st->lock);
	kvfree(st->text);
	st->text = text;
	st->len = tlen;
	mutex_unlock(&st->lock);
	*ppos = 0;
	return count;
}

static ssize_t ps_inspect_read(struct file *file, char __user *ubuf, size_t count, loff_t *ppos)
{
	struct ps_insp *st = file->private_data;
	ssize_t ret;

	mutex_lock(&st->lock);
	if (!st->text)
		ret = -ENODATA;
	else
		ret = simple_read_from_buffer(ubuf, count, ppos, st->text, st->len);
	mutex_unlock(&st->lock);
	return ret;
}

const struct file_operations ps_inspect_fops = {
	.owner = THIS_MODULE,
	.open = ps_inspect_open,
	.release = ps_inspect_release,
	.read = ps_inspect_read,
	.write = ps_inspect_write,
	.llseek = default_llseek,
};
