// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module: takes two locks in both orders (one after the other, so
 * nothing deadlocks) to prove the VM harness fails on a lockdep report and
 * on lockdep switching itself off (debug kernel only).
 */
#include <linux/module.h>
#include <linux/spinlock.h>

static DEFINE_SPINLOCK(pslock_a);
static DEFINE_SPINLOCK(pslock_b);

static int __init pslock_init(void)
{
	spin_lock(&pslock_a);
	spin_lock(&pslock_b);
	spin_unlock(&pslock_b);
	spin_unlock(&pslock_a);

	spin_lock(&pslock_b);
	spin_lock(&pslock_a);
	spin_unlock(&pslock_a);
	spin_unlock(&pslock_b);
	return 0;
}

static void __exit pslock_exit(void)
{
}

module_init(pslock_init);
module_exit(pslock_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pollscope test: deliberate AB-BA lock order");
