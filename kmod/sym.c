// SPDX-License-Identifier: GPL-2.0
/*
 * pollscope: kernel functions by name.  Wake functions and queueing
 * functions that are static in the kernel (pollwake, ep_poll_callback, ...)
 * are recognised by their kallsyms name, once per address.  Also the poll
 * table that records heads instead of queueing (inspect), since it is
 * recognised here.  Calls nothing else of the module.
 */
#include <linux/kernel.h>
#include <linux/spinlock.h>
#include "pollscope.h"

/* --- function classification ------------------------------------------ */

static const struct {
	const char *name;
	u8 sym;
} ps_sym_names[] = {
	{ "pollwake", PS_SYM_POLLWAKE },
	{ "ep_poll_callback", PS_SYM_EP_POLL_CALLBACK },
	{ "ep_autoremove_wake_function", PS_SYM_EP_AUTOREMOVE },
	{ "__pollwait", PS_SYM_POLLWAIT },
	{ "ep_ptable_queue_proc", PS_SYM_EP_QUEUE_PROC },
	{ "ep_eventpoll_poll", PS_SYM_EP_FILE_POLL },
	{ "signalfd_poll", PS_SYM_SIGNALFD_POLL },
};

/*
 * Only built-in kernel text is cached: its addresses and names never
 * change.  A module's function (its %ps carries " [module]") is looked up
 * every time, since the module may go and another take its place.
 */
#define PS_FN_CACHE 32
static struct {
	const void *fn;
	u8 sym;
} ps_fn_cache[PS_FN_CACHE];
static unsigned int ps_fn_n; /* published with release */
static DEFINE_SPINLOCK(ps_fn_lock);

static u8 ps_sym_by_name(const void *fn, bool *cacheable)
{
	char buf[128], *dot;
	unsigned int i;

	*cacheable = false;
	snprintf(buf, sizeof(buf), "%ps", fn);
	if (!buf[0] || !strncmp(buf, "0x", 2))
		return PS_SYM_OTHER; /* unresolved */
	if (strchr(buf, ' '))
		return PS_SYM_OTHER; /* a module's function */
	*cacheable = true;
	dot = strchr(buf, '.'); /* pollwake.cold and the like */
	if (dot)
		*dot = '\0';
	for (i = 0; i < ARRAY_SIZE(ps_sym_names); i++)
		if (!strcmp(buf, ps_sym_names[i].name))
			return ps_sym_names[i].sym;
	return PS_SYM_OTHER;
}

/* Safe in any context (called under wait queue locks, irqs off). */
enum ps_sym ps_classify(const void *fn)
{
	unsigned long flags;
	unsigned int i, n;
	bool cacheable;
	u8 sym;

	if (!fn)
		return PS_SYM_NONE;
	if (fn == (const void *)autoremove_wake_function)
		return PS_SYM_AUTOREMOVE;
	if (fn == (const void *)default_wake_function)
		return PS_SYM_DEFAULT;
	if (fn == (const void *)woken_wake_function)
		return PS_SYM_WOKEN;
	if (fn == (const void *)ps_heads_qproc)
		return PS_SYM_INSPECT;

	/* pairs with the smp_store_release() below: slots [0, n) are filled */
	n = smp_load_acquire(&ps_fn_n);
	for (i = 0; i < n; i++)
		if (ps_fn_cache[i].fn == fn)
			return ps_fn_cache[i].sym;

	sym = ps_sym_by_name(fn, &cacheable);
	if (!cacheable)
		return sym;
	spin_lock_irqsave(&ps_fn_lock, flags);
	n = ps_fn_n;
	for (i = 0; i < n; i++)
		if (ps_fn_cache[i].fn == fn)
			break;
	if (i == n && n < PS_FN_CACHE) {
		ps_fn_cache[n].fn = fn;
		ps_fn_cache[n].sym = sym;
		/* publish the slot after filling it */
		smp_store_release(&ps_fn_n, n + 1);
	}
	spin_unlock_irqrestore(&ps_fn_lock, flags);
	return sym;
}

enum ps_qproc ps_qproc_of(const poll_table *pt)
{
	if (!pt || !pt->_qproc)
		return PS_QP_NONE;
	switch (ps_classify(pt->_qproc)) {
	case PS_SYM_POLLWAIT:
		return PS_QP_POLLWAKE;
	case PS_SYM_EP_QUEUE_PROC:
		return PS_QP_EP;
	case PS_SYM_INSPECT:
		return PS_QP_INSPECT;
	default:
		return PS_QP_OTHER;
	}
}

/* --- recording heads (inspect) -------------------------------------- */

/* A poll table's queueing function that records each head instead of queueing. */
void ps_heads_qproc(struct file *file, wait_queue_head_t *head, poll_table *pt)
{
	struct ps_heads_pt *hp = container_of(pt, struct ps_heads_pt, pt);
	unsigned int i;

	for (i = 0; i < hp->n; i++)
		if (hp->heads[i] == head)
			return;
	if (hp->n < PS_MAX_HEADS)
		hp->heads[hp->n++] = head;
}
