// SPDX-License-Identifier: GPL-2.0
/*
 * pollscope: the queues file, a snapshot of every object's wait queue taken
 * when the file is opened and formatted as it is read.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/ktime.h>
#include "pollscope.h"

/* --- the queues file -------------------------------------------------- */

struct ps_snap {
	u32 n;	  /* lines (entries) */
	u32 nrec; /* records in ents[] (a run of entries is one record) */
	u32 nobj;
	struct ps_ent *ents;
	struct ps_ent cur; /* the entry being shown: a record with its pos in the run */
	char (*names)[PS_NAME_MAX + 1];
	struct ps_fname fc;
	char line[PS_LINE_MAX]; /* formatting scratch (seq_file shows one at a time) */
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
			ret = ps_copy_entries(&obj->wq, &obj->reg, i, s->ents + n, size - n - 1,
					      lim, &res);
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
	char *line = s->line;
	int len;

	if (e->sym == PS_SYM_TRUNC) {
		seq_printf(m, PS_K_OBJECT "=%s " PS_K_TRUNCATED "=%u%s\n", s->names[e->owner],
			   e->pos, e->has_key ? PS_TRUNC_MORE : "");
		return 0;
	}
	snprintf(lead, sizeof(lead), PS_K_OBJECT "=%s", s->names[e->owner]);
	len = ps_format_ent(line, sizeof(s->line), lead, e, &s->fc);
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
