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
#include "pollscope.h"

struct ps_ipt {
	poll_table pt;
	wait_queue_head_t *heads[PS_MAX_HEADS];
	unsigned int n;
};

void ps_inspect_qproc(struct file *file, wait_queue_head_t *head, poll_table *pt)
{
	struct ps_ipt *ipt = container_of(pt, struct ps_ipt, pt);
	unsigned int i;

	for (i = 0; i < ipt->n; i++)
		if (ipt->heads[i] == head)
			return;
	if (ipt->n < PS_MAX_HEADS)
		ipt->heads[ipt->n++] = head;
}

struct ps_head_copy {
	struct ps_ent *ents;
	struct ps_copy_res res;
};

/*
 * Copies at most ps_queue_max entries of a head (which may be any file's
 * queue, of any length: the walk under its lock is bounded too).  The last
 * try allocates for the whole bound, so it cannot run out of records.
 */
static int ps_copy_head(wait_queue_head_t *wq, struct ps_obj *reg_obj, u32 idx,
			struct ps_head_copy *hc)
{
	const u32 qmax = READ_ONCE(ps_queue_max);
	int tries;

	for (tries = 0; tries < 8; tries++) {
		u64 total = ps_count_entries(wq, qmax, NULL);
		u64 cap = total + total / 4 + 16 + tries * total;
		int ret;

		if (tries == 7 || cap > qmax)
			cap = qmax;
		if (cap * sizeof(*hc->ents) > INT_MAX)
			return -ENOMEM;
		hc->ents = kvmalloc_array(cap, sizeof(*hc->ents), GFP_KERNEL | __GFP_NOWARN);
		if (!hc->ents)
			return -ENOMEM;
		ret = ps_copy_entries(wq, reg_obj, idx, hc->ents, cap, qmax, &hc->res);
		if (!ret)
			return 0;
		kvfree(hc->ents);
		hc->ents = NULL;
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

/*
 * The text of an inspect after the header: formatted once with text NULL to
 * size it, then into text.  Returns the length (at most size when text).
 */
static size_t ps_inspect_format(char *text, size_t size, const char *hdr,
				const struct ps_head_copy *hc, unsigned int nheads)
{
	struct ps_fname fc = { 0 };
	char line[PS_LINE_MAX], lead[16];
	size_t off = 0;
	unsigned int i;
	int len;

	ps_put(text, size, &off, hdr, strlen(hdr));
	for (i = 0; i < nheads; i++) {
		const struct ps_copy_res *r = &hc[i].res;
		u32 j;

		if (r->left || r->more)
			len = scnprintf(line, sizeof(line), "head=%u entries=%u truncated=%u%s\n",
					i, r->nent, r->left, r->more ? "+" : "");
		else
			len = scnprintf(line, sizeof(line), "head=%u entries=%u\n", i, r->nent);
		ps_put(text, size, &off, line, len);
		snprintf(lead, sizeof(lead), "head=%u", i);
		for (j = 0; j < r->nrec; j++) {
			struct ps_ent e = hc[i].ents[j];
			u32 k;

			for (k = 0; k < hc[i].ents[j].run; k++, e.pos++) {
				len = ps_format_ent(line, sizeof(line), lead, &e, &fc);
				ps_put(text, size, &off, line, len);
			}
		}
	}
	return text ? min(off, size) : off;
}

/* Path or pseudo name ("pipe:[123]"), with unprintables, ' ', '=' as '?'. */
static void ps_file_name(struct file *f, char *out, size_t len)
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

static int ps_inspect_fd(unsigned int fd, char **textp, size_t *lenp)
{
	struct ps_head_copy *hc; /* PS_MAX_HEADS of them: too big for the stack */
	u64 t0 = ktime_get_ns(), hold_max = 0;
	struct ps_obj *reg_obj = NULL;
	struct ps_ipt ipt;
	char *name = NULL, *text = NULL, *hdr = NULL;
	char mask_s[96];
	size_t size;
	u32 i, total = 0;
	struct file *f;
	bool can_poll;
	__poll_t mask;
	int ret = 0;

	hc = kcalloc(PS_MAX_HEADS, sizeof(*hc), GFP_KERNEL);
	if (!hc)
		return -ENOMEM;
	f = fget(fd);
	if (!f) {
		kfree(hc);
		return -EBADF;
	}

	name = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!name) {
		ret = -ENOMEM;
		goto out;
	}
	ps_file_name(f, name, PATH_MAX);

	memset(&ipt, 0, sizeof(ipt));
	init_poll_funcptr(&ipt.pt, ps_inspect_qproc);
	/* Explicit key: every MASK bit, and no POLL_BUSY_LOOP. */
	ipt.pt._key = PS_MASK_ALL;
	can_poll = file_can_poll(f);
	mask = vfs_poll(f, &ipt.pt);

	if (f->f_op == &ps_obj_fops)
		reg_obj = f->private_data;
	for (i = 0; i < ipt.n; i++) {
		struct ps_obj *ro = NULL;

		if (reg_obj && ipt.heads[i] == &reg_obj->wq)
			ro = reg_obj;
		ret = ps_copy_head(ipt.heads[i], ro, i, &hc[i]);
		if (ret)
			goto out;
		total += hc[i].res.nent;
		hold_max = max(hold_max, hc[i].res.hold);
	}

	hdr = kasprintf(GFP_KERNEL, "fd=%u file=%s mask=%s heads=%u poll=%s\n", fd, name,
			ps_mask_str(mask_s, sizeof(mask_s), mask), ipt.n, can_poll ? "yes" : "no");
	if (!hdr) {
		ret = -ENOMEM;
		goto out;
	}
	/* at most PS_MAX_HEADS * ps_queue_max lines of PS_LINE_MAX: far below INT_MAX */
	size = ps_inspect_format(NULL, 0, hdr, hc, ipt.n);
	if (size > INT_MAX) {
		ret = -ENOMEM;
		goto out;
	}
	text = kvmalloc(max_t(size_t, size, 1), GFP_KERNEL | __GFP_NOWARN);
	if (!text) {
		ret = -ENOMEM;
		goto out;
	}
	*lenp = ps_inspect_format(text, size, hdr, hc, ipt.n);
	*textp = text;
	text = NULL;
	ps_snap_account(total, ktime_get_ns() - t0, hold_max);
out:
	fput(f);
	for (i = 0; i < PS_MAX_HEADS; i++)
		kvfree(hc[i].ents);
	kfree(hc);
	kvfree(text);
	kfree(hdr);
	kfree(name);
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

/* A decimal fd number of the writer; a failed write keeps the old result. */
static ssize_t ps_inspect_write(struct file *file, const char __user *ubuf, size_t count,
				loff_t *ppos)
{
	struct ps_insp *st = file->private_data;
	char buf[16], *text = NULL;
	size_t len = count, tlen = 0;
	unsigned int fd, i;
	int ret;

	if (count == 0 || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[len] = '\0';
	if (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	if (!len)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (!isdigit(buf[i]))
			return -EINVAL;
	ret = kstrtouint(buf, 10, &fd);
	if (ret == -ERANGE || (!ret && fd > INT_MAX))
		return -EBADF; /* a number, but no fd can have it */
	if (ret)
		return -EINVAL;

	ret = ps_inspect_fd(fd, &text, &tlen);
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
