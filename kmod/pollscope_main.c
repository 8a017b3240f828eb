// SPDX-License-Identifier: GPL-2.0
/* pollscope: minimal skeleton, replaced by the full module. */
#include <linux/module.h>
#include <linux/debugfs.h>

static struct dentry *ps_root;

static int __init pollscope_init(void)
{
	ps_root = debugfs_create_dir("pollscope", NULL);
	return IS_ERR(ps_root) ? PTR_ERR(ps_root) : 0;
}

static void __exit pollscope_exit(void)
{
	debugfs_remove_recursive(ps_root);
}

module_init(pollscope_init);
module_exit(pollscope_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pollscope: observe poll/select/epoll wait queues");
