// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module: allocates on load and does not free on unload, to prove
 * the VM harness's kmemleak check fails the run (debug kernel only). After
 * rmmod the report has bare addresses and no module name in it.
 */
#include <linux/module.h>
#include <linux/slab.h>

static void *psleak_buf;

static int __init psleak_init(void)
{
	psleak_buf = kmalloc(4096, GFP_KERNEL);
	if (!psleak_buf)
		return -ENOMEM;
	memset(psleak_buf, 0x5a, 4096);
	return 0;
}

static void __exit psleak_exit(void)
{
	/* deliberately no kfree(psleak_buf) */
}

module_init(psleak_init);
module_exit(psleak_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pollscope test: deliberate memory leak on unload");
