// SPDX-License-Identifier: GPL-2.0
/*
 * pollscope: the waits file.  Opening it scans every process of the
 * reader's pid namespace: its sleeping threads, and each pollable file it
 * holds, with the wait queue heads the file's poll method uses (found as
 * inspect finds them) and the entries on each head, copied under the head's
 * lock one queue at a time.  A process's files are taken in batches under
 * its files lock (a reference each), polled and copied with no lock held,
 * then put; a process that exits meanwhile is skipped.  Heads are named by
 * a keyed hash, never by address.  See pollscope(4).
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/file.h>
#include <linux/fdtable.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/net.h>
#include <linux/hashtable.h>
#include <linux/uaccess.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/sched/clock.h>
#include <linux/rcupdate.h>
#include <net/sock.h>
#include <net/af_unix.h>
#include "pollscope.h"

#define PS_W_BATCH 256		  /* files taken per hold of a files lock */
#define PS_W_OUT_MAX (256u << 20) /* most text one scan produces */
#define PS_W_THREADS_MAX 4096	  /* sleeping threads listed per process */
#define PS_W_FNAMES 8		  /* wake function names kept for the whole scan */

struct ps_wfile {
	struct file *f;
	unsigned int fd;
};

/* A head seen in this scan: listed once, referred to by number after. */
struct ps_whead {
	struct hlist_node node;
	const void *head; /* identity during the scan only, never printed */
	const void *inode;
	u32 seq;
};

/* Heads are allocated in chunks: a scan finds tens of thousands. */
#define PS_W_CHUNK 255
struct ps_wchunk {
	struct ps_wchunk *next;
	unsigned int n;
	struct ps_whead h[PS_W_CHUNK];
};

struct ps_wthread {
	pid_t tid;
	char state;
	u64 slept_ns;
	char comm[TASK_COMM_LEN];
};

struct ps_wscan {
	char *text;
	size_t len, cap;
	bool full;
	struct pid_namespace *ns;
	DECLARE_HASHTABLE(heads, 12);
	struct ps_wchunk *chunks;
	u32 nheads;
	/* one process's sleeping threads, the buffer kept for the next */
	struct ps_wthread *th;
	u32 thcap;
	u64 procs, threads, sleeping, files, pollable, entries, gone;
	u64 hold_max;
	/* the batch being filled under a files lock */
	struct ps_wfile batch[PS_W_BATCH];
	unsigned int nbatch;
	/*
	 * Wake function names, looked up once per scan (a symbol lookup each
	 * is most of a head's cost: a system has a handful of functions and
	 * tens of thousands of heads).
	 */
	struct ps_fname fnames[PS_W_FNAMES];
	unsigned int fnext;
	struct ps_inspect_scratch {
		struct ps_heads_pt hp;
		struct ps_head_copy hc;
		struct ps_outer epo;
		/* per file, here rather than on ps_w_file's stack (1.3 KB
		 * with KASAN's redzones) */
		const char *qname[PS_MAX_HEADS];
		struct ps_outer *outer[PS_MAX_HEADS];
		struct ps_whead *nh[PS_MAX_HEADS];
		char ids[PS_MAX_HEADS * 11 + 2];
		char line[PS_LINE_MAX];
		char name[PATH_MAX];
		char path[PATH_MAX];
	} s;
};

/* Room for n more bytes; past PS_W_OUT_MAX the scan stops (full). */
static bool ps_wroom(struct ps_wscan *w, size_t n)
{
	size_t nc;
	char *t;

	if (w->full)
		return false;
	if (w->len + n <= w->cap)
		return true;
	nc = max_t(size_t, w->cap * 2, 1 << 16);
	if (nc > PS_W_OUT_MAX || w->len + n > nc) {
		w->full = true;
		return false;
	}
	t = kvmalloc(nc, GFP_KERNEL | __GFP_NOWARN);
	if (!t) {
		w->full = true;
		return false;
	}
	if (w->text)
		memcpy(t, w->text, w->len);
	kvfree(w->text);
	w->text = t;
	w->cap = nc;
	return true;
}

static void ps_wput(struct ps_wscan *w, const char *s, size_t n)
{
	if (ps_wroom(w, n)) {
		memcpy(w->text + w->len, s, n);
		w->len += n;
	}
}

static __printf(2, 3) void ps_wprintf(struct ps_wscan *w, const char *fmt, ...)
{
	char buf[PS_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vscnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ps_wput(w, buf, n);
}

/* Opaque ids: the keyed hash epoll ids use (keyed at load), never an address. */
static u64 ps_wid(const void *p)
{
	return ps_ep_id(p);
}

/* Sleeping threads of p: state S or D, and how long since they last ran. */
static void ps_w_threads(struct ps_wscan *w, struct task_struct *p, pid_t tgid)
{
	struct ps_wthread *th;
	struct task_struct *t;
	u32 n = 0, cap;
	u64 now;

	rcu_read_lock();
	cap = min_t(unsigned int, READ_ONCE(p->signal->nr_threads) + 8, PS_W_THREADS_MAX);
	rcu_read_unlock();
	/* listed up to this process's bound, whatever the buffer's size */
	th = w->th = ps_reserve(w->th, &w->thcap, cap, sizeof(*w->th));
	if (!th)
		return;
	rcu_read_lock();
	now = local_clock();
	for_each_thread(p, t)
	{
		char st = task_state_to_char(t);
		u64 last;

		w->threads++;
		if (st != 'S' && st != 'D')
			continue;
		if (n == cap)
			break;
		th[n].tid = task_pid_nr_ns(t, w->ns);
		if (!th[n].tid)
			continue;
		th[n].state = st;
		/* exec_start: when it last stopped running (rq_clock_task) */
		last = READ_ONCE(t->se.exec_start);
		th[n].slept_ns = now > last ? now - last : 0;
		memcpy(th[n].comm, t->comm, TASK_COMM_LEN);
		th[n].comm[TASK_COMM_LEN - 1] = '\0';
		n++;
	}
	rcu_read_unlock();
	for (cap = 0; cap < n; cap++) {
		char comm[TASK_COMM_LEN];

		ps_comm_sanitize(comm, th[cap].comm, sizeof(comm));
		ps_wprintf(w,
			   PS_K_TASK "=%d " PS_K_PID "=%d " PS_K_COMM "=%s " PS_K_STATE
				     "=%c " PS_K_SLEPT_US "=%llu\n",
			   th[cap].tid, tgid, comm, th[cap].state, th[cap].slept_ns / 1000);
		w->sleeping++;
	}
}

static int ps_w_take(const void *ctx, struct file *f, unsigned int fd)
{
	struct ps_wscan *w = (struct ps_wscan *)ctx;

	/* the lock held is the files lock: take a reference, poll later */
	w->batch[w->nbatch].f = get_file(f);
	w->batch[w->nbatch++].fd = fd;
	return w->nbatch == PS_W_BATCH ? (int)fd + 1 : 0;
}

static bool ps_w_anon(struct file *f)
{
	return f->f_inode && f->f_inode->i_sb && f->f_inode->i_sb->s_magic == ANON_INODE_FS_MAGIC;
}

/*
 * The object a file belongs to: the inode, or for an anonymous inode (all
 * eventfds, epolls, timerfds share one) the file's private data.
 */
static const void *ps_w_obj(struct file *f)
{
	return ps_w_anon(f) ? f->private_data : (const void *)f->f_inode;
}

/* A connected unix socket's peer, by the inode of its socket (0: none). */
static u64 ps_w_peer(struct file *f)
{
	struct socket *sock;
	struct sock *peer;
	const void *ino = NULL;

	if (!S_ISSOCK(file_inode(f)->i_mode))
		return 0;
	sock = sock_from_file(f);
	if (!sock || !sock->sk || sock->sk->sk_family != AF_UNIX)
		return 0;
	peer = unix_peer_get(sock->sk);
	if (!peer)
		return 0;
	read_lock_bh(&peer->sk_callback_lock);
	if (peer->sk_socket)
		ino = SOCK_INODE(peer->sk_socket);
	read_unlock_bh(&peer->sk_callback_lock);
	sock_put(peer);
	return ino ? ps_wid(ino) : 0;
}

static const char *ps_w_type(umode_t m)
{
	if (S_ISFIFO(m))
		return "fifo";
	if (S_ISSOCK(m))
		return "sock";
	if (S_ISCHR(m))
		return "chr";
	if (S_ISREG(m))
		return "reg";
	return "other";
}

/* The cached name of fn, or a slot to look it up into (ps_format_ent fills it). */
static struct ps_fname *ps_w_fname(struct ps_wscan *w, const void *fn)
{
	struct ps_fname *fc;
	unsigned int i;

	for (i = 0; i < PS_W_FNAMES; i++)
		if (w->fnames[i].valid && w->fnames[i].fn == fn)
			return &w->fnames[i];
	fc = &w->fnames[w->fnext++ % PS_W_FNAMES];
	fc->valid = false;
	return fc;
}

static struct ps_whead *ps_w_new(struct ps_wscan *w)
{
	struct ps_wchunk *c = w->chunks;

	if (!c || c->n == PS_W_CHUNK) {
		c = kvmalloc(sizeof(*c), GFP_KERNEL);
		if (!c)
			return NULL;
		c->n = 0;
		c->next = w->chunks;
		w->chunks = c;
	}
	return &c->h[c->n++];
}

static struct ps_whead *ps_w_find(struct ps_wscan *w, const void *head, const void *inode)
{
	struct ps_whead *h;

	hash_for_each_possible(w->heads, h, node, (unsigned long)head)
		if (h->head == head && h->inode == inode)
			return h;
	return NULL;
}

/* One pollable file of process tgid: its record, then its new heads. */
static void ps_w_file(struct ps_wscan *w, pid_t tgid, unsigned int fd, struct file *f)
{
	struct ps_inspect_scratch *s = &w->s;
	const char **qname = s->qname;
	struct ps_outer **outer = s->outer;
	struct ps_whead **nh = s->nh;
	char *ids = s->ids;
	const char *reason = NULL;
	char extra[64] = "";
	struct ps_obj *obj = NULL;
	unsigned int i, n = 0;
	size_t il = 0;
	u64 peer;
	char *p;
	void *ep;

	w->files++;
	if (!file_can_poll(f))
		return;
	w->pollable++;
	memset(s->qname, 0, sizeof(s->qname));
	memset(s->outer, 0, sizeof(s->outer));
	memset(&s->hp, 0, sizeof(s->hp));
	init_poll_funcptr(&s->hp.pt, ps_heads_qproc);
	s->hp.pt._key = PS_MASK_ALL;
	if (f->f_op == &ps_obj_fops) {
		/* our own object: its queue, without counting a poll */
		obj = f->private_data;
		s->hp.heads[s->hp.n++] = &obj->wq;
	} else if (ps_poll_is_callers(f)) {
		reason = "signalfd-needs-owner-context";
	} else {
		vfs_poll(f, &s->hp.pt);
	}
	ep = ps_ep_of_file(f);
	if (ep) {
		for (i = 0; i < s->hp.n; i++)
			if (s->hp.heads[i] == ps_ep_pollq(ep))
				qname[i] = "poll_wait";
		if (s->hp.n < PS_MAX_HEADS) {
			s->epo.lock = ps_ep_lock;
			s->epo.unlock = ps_ep_unlock;
			s->epo.wq = ps_ep_wq(ep, &s->epo.lockp);
			if (s->epo.wq) {
				outer[s->hp.n] = &s->epo;
				qname[s->hp.n] = "wq";
				s->hp.heads[s->hp.n++] = s->epo.wq;
			}
		}
		snprintf(extra, sizeof(extra), " " PS_K_EPOLL "=%016llx", ps_ep_id(ep));
	}
	ids[0] = '\0';
	for (i = 0; i < s->hp.n; i++) {
		struct ps_whead *h = ps_w_find(w, s->hp.heads[i], f->f_inode);

		nh[i] = NULL;
		if (!h) {
			h = ps_w_new(w);
			if (!h)
				continue;
			h->head = s->hp.heads[i];
			h->inode = f->f_inode;
			h->seq = w->nheads++;
			hash_add(w->heads, &h->node, (unsigned long)h->head);
			nh[i] = h;
		}
		il += scnprintf(ids + il, sizeof(s->ids) - il, "%s%u", n++ ? "," : "", h->seq);
	}
	if (!n)
		strscpy(ids, "-", sizeof(s->ids));
	p = d_path(&f->f_path, s->path, sizeof(s->path));
	ps_comm_sanitize(s->name, IS_ERR(p) ? "-" : p, sizeof(s->name));
	peer = ps_w_peer(f);
	ps_wprintf(w,
		   PS_K_FD "=%u " PS_K_PID "=%d " PS_K_OBJ "=%016llx " PS_K_MODE "=%s%s " PS_K_TYPE
			   "=%s " PS_K_WQS "=%s",
		   fd, tgid, ps_wid(ps_w_obj(f)), f->f_mode & FMODE_READ ? "r" : "",
		   f->f_mode & FMODE_WRITE ? "w" : "", ps_w_type(file_inode(f)->i_mode), ids);
	if (peer)
		ps_wprintf(w, " " PS_K_PEER "=%016llx", peer);
	if (reason)
		ps_wprintf(w, " " PS_K_REASON "=%s", reason);
	ps_wprintf(w, "%s " PS_K_FILE "=%s\n", extra, s->name);

	for (i = 0; i < s->hp.n; i++) {
		struct ps_copy_res *r = &s->hc.res;
		char lead[24];
		u32 j;

		if (!nh[i])
			continue;
		if (ps_copy_head(s->hp.heads[i], outer[i], obj ? &obj->reg : NULL, 0, &s->hc))
			continue; /* no memory: the head is listed without entries */
		w->entries += r->nent;
		w->hold_max = max(w->hold_max, r->hold);
		ps_wprintf(w,
			   PS_K_WQ "=%u " PS_K_ID "=%016llx " PS_K_QUEUE "=%s " PS_K_ENTRIES "=%u",
			   nh[i]->seq, ps_wid(nh[i]->head), qname[i] ? qname[i] : "-", r->nent);
		if (r->left || r->more)
			ps_wprintf(w, " " PS_K_TRUNCATED "=%u%s", r->left,
				   r->more ? PS_TRUNC_MORE : "");
		ps_wput(w, "\n", 1);
		snprintf(lead, sizeof(lead), PS_K_HEAD "=%u", nh[i]->seq);
		for (j = 0; j < r->nrec; j++) {
			struct ps_ent e = s->hc.ents[j];
			struct ps_fname *fc = ps_w_fname(w, e.func);
			u32 k;

			for (k = 0; k < s->hc.ents[j].run; k++, e.pos++) {
				int len = ps_format_ent(s->line, sizeof(s->line), lead, &e, fc);

				ps_wput(w, s->line, len);
			}
		}
	}
}

/* The files of one process, PS_W_BATCH at a time. */
static int ps_w_files(struct ps_wscan *w, struct task_struct *task, pid_t tgid)
{
	unsigned int next = 0, i;
	int more;

	do {
		w->nbatch = 0;
		more = 0;
		task_lock(task);
		if (task->files)
			more = iterate_fd(task->files, next, ps_w_take, w);
		task_unlock(task);
		next = more;
		for (i = 0; i < w->nbatch; i++) {
			ps_w_file(w, tgid, w->batch[i].fd, w->batch[i].f);
			fput(w->batch[i].f);
		}
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	} while (more && !w->full);
	return 0;
}

static int ps_w_scan(struct ps_wscan *w)
{
	struct task_struct *p;
	struct pid **pids;
	u64 t0 = ktime_get_ns();
	size_t n = 0, cap = 0, i;
	int ret = 0;

	w->ns = task_active_pid_ns(current);
	rcu_read_lock();
	for_each_process(p) cap++;
	rcu_read_unlock();
	cap += 64;
	pids = kvmalloc_array(cap, sizeof(*pids), GFP_KERNEL);
	if (!pids)
		return -ENOMEM;
	rcu_read_lock();
	for_each_process(p)
	{
		if (n == cap)
			break; /* started after the count: after the scan too */
		if (!task_tgid_nr_ns(p, w->ns))
			continue; /* not in the reader's namespace */
		pids[n++] = get_pid(task_tgid(p));
	}
	rcu_read_unlock();

	for (i = 0; i < n; i++) {
		struct task_struct *task;
		pid_t tgid;

		task = get_pid_task(pids[i], PIDTYPE_TGID);
		if (!task) {
			w->gone++; /* exited since the list was made */
			continue;
		}
		tgid = pid_nr_ns(pids[i], w->ns);
		w->procs++;
		ps_w_threads(w, task, tgid);
		if (!(task->flags & PF_KTHREAD))
			ret = ps_w_files(w, task, tgid);
		put_task_struct(task);
		if (ret || w->full)
			break;
	}
	for (i = 0; i < n; i++)
		put_pid(pids[i]);
	kvfree(pids);
	if (ret)
		return ret;
	w->full = false; /* room for the summary: it was kept out of the cap */
	ps_wprintf(w,
		   PS_K_SCAN " " PS_K_PROCS "=%llu threads=%llu sleeping=%llu files=%llu "
			     "pollable=%llu " PS_K_HEADS "=%u " PS_K_ENTRIES "=%llu gone=%llu "
			     "ns=%llu lock_ns_max=%llu complete=%s\n",
		   w->procs, w->threads, w->sleeping, w->files, w->pollable, w->nheads, w->entries,
		   w->gone, ktime_get_ns() - t0, w->hold_max, i < n ? "no" : "yes");
	ps_snap_account(w->entries, ktime_get_ns() - t0, w->hold_max);
	return w->full ? -ENOMEM : 0;
}

struct ps_wres {
	char *text;
	size_t len;
};

static int ps_waits_open(struct inode *inode, struct file *file)
{
	struct ps_wres *res;
	struct ps_wchunk *c;
	struct ps_wscan *w;
	int ret;

	res = kzalloc(sizeof(*res), GFP_KERNEL);
	w = kvzalloc(sizeof(*w), GFP_KERNEL);
	if (!res || !w) {
		kfree(res);
		kvfree(w);
		return -ENOMEM;
	}
	hash_init(w->heads);
	ret = ps_w_scan(w);
	while ((c = w->chunks)) {
		w->chunks = c->next;
		kvfree(c);
	}
	kvfree(w->th);
	kvfree(w->s.hc.ents);
	if (ret) {
		kvfree(w->text);
		kvfree(w);
		kfree(res);
		return ret;
	}
	res->text = w->text;
	res->len = w->len;
	kvfree(w);
	file->private_data = res;
	return 0;
}

static int ps_waits_release(struct inode *inode, struct file *file)
{
	struct ps_wres *res = file->private_data;

	kvfree(res->text);
	kfree(res);
	return 0;
}

static ssize_t ps_waits_read(struct file *file, char __user *ubuf, size_t count, loff_t *ppos)
{
	struct ps_wres *res = file->private_data;

	return simple_read_from_buffer(ubuf, count, ppos, res->text, res->len);
}

const struct file_operations ps_waits_fops = {
	.owner = THIS_MODULE,
	.open = ps_waits_open,
	.release = ps_waits_release,
	.read = ps_waits_read,
	.llseek = default_llseek,
};
