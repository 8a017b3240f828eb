// SPDX-License-Identifier: GPL-2.0
/*
 * pollscope: observe the Linux poll machinery (select/poll/epoll and wait
 * queues) through /sys/kernel/debug/pollscope/.  See pollscope(4).
 *
 * This file: module parameters, init and exit, the version and stats files.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/utsname.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include "pollscope.h"

unsigned int ps_max_objects = 256;
module_param_named(max_objects, ps_max_objects, uint, 0444);
MODULE_PARM_DESC(max_objects, "Most objects that may exist at once (1-65536, default 256)");

unsigned int ps_events_size = 4096;
module_param_named(events_size, ps_events_size, uint, 0444);
MODULE_PARM_DESC(events_size, "Records kept in the event ring (16-262144, default 4096)");

unsigned int ps_queue_max = 65536;
module_param_named(max_queue_entries, ps_queue_max, uint, 0444);
MODULE_PARM_DESC(max_queue_entries,
		 "Most entries a snapshot copies from one wait queue (1-65536, default 65536)");

module_param_named(max_watches, ps_max_watches, uint, 0444);
MODULE_PARM_DESC(max_watches, "Most watches at once (1-4096, default 64)");
module_param_named(watch_check_ms, ps_watch_check_ms, uint, 0444);
MODULE_PARM_DESC(
	watch_check_ms,
	"How often watches look for their file closed by its owners (10-1000 ms, default 100)");

struct dentry *ps_root;
struct dentry *ps_objdir;

static int ps_version_show(struct seq_file *m, void *v)
{
	unsigned int i;

	seq_printf(m, PS_K_INTERFACE "=%d " PS_K_RELEASE "=%s max_objects=%u events_size=%u\n",
		   PS_UAPI_INTERFACE, init_utsname()->release, ps_max_objects, ps_events_size);
	for (i = 0; i < ps_flag_count; i++)
		if (ps_flag_names[i].bit) /* 0: not defined by this kernel */
			seq_printf(m, PS_K_FLAG "=%s " PS_K_VALUE "=0x%02x\n",
				   ps_flag_names[i].name, ps_flag_names[i].bit);
	for (i = 0; i < ps_mask_count; i++)
		seq_printf(m, PS_K_EVENT "=%s " PS_K_VALUE "=0x%x\n", ps_mask_names[i].name,
			   ps_mask_names[i].bit);
	return 0;
}

static int ps_stats_show(struct seq_file *m, void *v)
{
	struct ps_stats_global g;
	struct ps_obj *obj;

	mutex_lock(&ps_mutex);
	ps_stats_globals(&g);
	seq_printf(m,
		   "objects=%u max_objects=%u snapshots=%llu snapshot_entries=%llu "
		   "snapshot_ns=%llu lock_ns_max=%llu last_snapshot_entries=%llu "
		   "last_snapshot_ns=%llu last_snapshot_lock_ns=%llu last_walk_entries=%llu "
		   "last_walk_ns=%llu\n",
		   ps_nobjects, ps_max_objects, g.snapshots, g.entries, g.ns, g.lock_max,
		   g.last_entries, g.last_ns, g.last_lock_ns, g.walk_entries, g.walk_ns);
	list_for_each_entry(obj, &ps_objects, node) {
		u64 polls, queued, added, wakes, woken, count;
		unsigned int open;
		char ready[96], comm[TASK_COMM_LEN];
		pid_t creator = 0;
		__poll_t r;
		u32 waiting;

		waiting = ps_count_entries(&obj->wq, U32_MAX, NULL);
		spin_lock_irq(&obj->wq.lock);
		polls = obj->polls;
		queued = obj->queued;
		added = obj->added;
		wakes = obj->wakes;
		woken = obj->woken;
		count = obj->count;
		r = obj->ready;
		open = obj->open;
		spin_unlock_irq(&obj->wq.lock);
		/* 0 once the creating task has exited: its number may be reused */
		rcu_read_lock();
		if (pid_task(obj->creator, PIDTYPE_TGID))
			creator = pid_vnr(obj->creator);
		rcu_read_unlock();
		ps_comm_sanitize(comm, obj->creator_comm, sizeof(comm));
		seq_printf(m,
			   "object=%s polls=%llu queued=%llu added=%llu removed=%llu waiting=%u "
			   "wakes=%llu woken=%llu ready=%s count=%llu open=%u creator=%d "
			   "creator_comm=%s\n",
			   obj->name, polls, queued, added, added > waiting ? added - waiting : 0,
			   waiting, wakes, woken, ps_mask_str(ready, sizeof(ready), r), count, open,
			   creator, comm);
	}
	mutex_unlock(&ps_mutex);
	return 0;
}

static int ps_version_open(struct inode *inode, struct file *file)
{
	return single_open(file, ps_version_show, NULL);
}

static int ps_stats_open(struct inode *inode, struct file *file)
{
	return single_open(file, ps_stats_show, NULL);
}

static const struct file_operations ps_version_fops = {
	.owner = THIS_MODULE,
	.open = ps_version_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

static const struct file_operations ps_stats_fops = {
	.owner = THIS_MODULE,
	.open = ps_stats_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

static const struct {
	const char *name;
	umode_t mode;
	const struct file_operations *fops;
} ps_files[] = {
	{ "control", 0200, &ps_control_fops }, { "queues", 0400, &ps_queues_fops },
	{ "events", 0400, &ps_events_fops },   { "inspect", 0600, &ps_inspect_fops },
	{ "stats", 0400, &ps_stats_fops },     { "version", 0400, &ps_version_fops },
	{ "watch", 0600, &ps_watch_fops },     { "waits", 0400, &ps_waits_fops },
};

static int __init pollscope_init(void)
{
	struct dentry *d;
	unsigned int i;
	int ret;

	if (ps_max_objects < 1 || ps_max_objects > 65536) {
		pr_err("pollscope: max_objects=%u out of range 1-65536\n", ps_max_objects);
		return -EINVAL;
	}
	if (ps_events_size < 16 || ps_events_size > 262144) {
		pr_err("pollscope: events_size=%u out of range 16-262144\n", ps_events_size);
		return -EINVAL;
	}
	if (ps_queue_max < 1 || ps_queue_max > 65536) {
		pr_err("pollscope: max_queue_entries=%u out of range 1-65536\n", ps_queue_max);
		return -EINVAL;
	}
	if (ps_max_watches < 1 || ps_max_watches > 4096) {
		pr_err("pollscope: max_watches=%u out of range 1-4096\n", ps_max_watches);
		return -EINVAL;
	}
	if (ps_watch_check_ms < 10 || ps_watch_check_ms > 1000) {
		pr_err("pollscope: watch_check_ms=%u out of range 10-1000\n", ps_watch_check_ms);
		return -EINVAL;
	}
	ps_ep_init();
	ret = ps_events_init();
	if (ret)
		return ret;

	ps_root = debugfs_create_dir("pollscope", NULL);
	if (IS_ERR_OR_NULL(ps_root)) {
		ret = ps_root ? PTR_ERR(ps_root) : -ENOMEM;
		ps_root = NULL;
		goto fail;
	}
	ps_objdir = debugfs_create_dir("objects", ps_root);
	if (IS_ERR_OR_NULL(ps_objdir)) {
		ret = ps_objdir ? PTR_ERR(ps_objdir) : -ENOMEM;
		goto fail;
	}
	for (i = 0; i < ARRAY_SIZE(ps_files); i++) {
		d = debugfs_create_file(ps_files[i].name, ps_files[i].mode, ps_root, NULL,
					ps_files[i].fops);
		if (IS_ERR_OR_NULL(d)) {
			ret = d ? PTR_ERR(d) : -ENOMEM;
			goto fail;
		}
	}
	return 0;

fail:
	debugfs_remove_recursive(ps_root);
	ps_root = NULL;
	ps_events_exit();
	return ret;
}

static void __exit pollscope_exit(void)
{
	/*
	 * Every open file holds a module reference, so none is open now and
	 * no new one can be (the module is going): remove the tree, then
	 * free the objects left behind.
	 */
	debugfs_remove_recursive(ps_root);
	ps_watch_exit(); /* every entry off its queue first */
	ps_objects_cleanup();
	ps_events_exit();
}

module_init(pollscope_init);
module_exit(pollscope_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pollscope: observe poll/select/epoll wait queues");
