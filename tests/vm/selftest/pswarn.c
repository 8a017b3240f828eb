// SPDX-License-Identifier: GPL-2.0
/* Test-only module: WARNs on load, to prove the VM harness catches it. */
#include <linux/module.h>
#include <linux/bug.h>

static int __init pswarn_init(void)
{
	WARN(1, "pswarn: deliberate warning for the harness self-test\n");
	return 0;
}

static void __exit pswarn_exit(void)
{
}

module_init(pswarn_init);
module_exit(pswarn_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pollscope test: deliberate WARNING");
