/* Kernel explanations for entries, objects and waiters (see explain.h). The
 * sentences are marked N_() and translated by line() when o->tr is set. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "explain.h"
#include "i18n.h"

struct out {
	char *buf;
	size_t len, used;
	int lines;
	bool tr; /* in the user's language (the TUI's details), or English */
};

static void line(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->used + 1 >= o->len)
		return;
	if (o->lines)
		o->buf[o->used++] = '\n';
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->used, o->len - o->used, o->tr ? gettext(fmt) : fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	o->used += (size_t)n < o->len - o->used ? (size_t)n : o->len - o->used - 1;
	o->lines++;
}

static struct out out_init(char *buf, size_t len, bool tr)
{
	if (len)
		buf[0] = '\0';
	return (struct out){ buf, len, 0, 0, tr };
}

static int explain_entry(const struct ps_entry *e, char *buf, size_t len, bool tr)
{
	struct out o = out_init(buf, len, tr);

	if (strcmp(e->func, "pollwake") == 0)
		line(&o, N_("queued by __pollwait from poll/select; pollwake checks the key"));
	else if (strcmp(e->func, "ep_poll_callback") == 0)
		line(&o, N_("queued by epoll_ctl(ADD); stays between epoll_wait calls; "
			    "ep_poll_callback checks the key and puts the item on the ready list"));
	else if (strcmp(e->func, "autoremove_wake_function") == 0)
		line(&o, N_("queued by wait_event (blocking read); removed when woken"));
	else if (strcmp(e->func, "ep_autoremove_wake_function") == 0)
		line(&o, N_("queued by epoll_wait (ep_poll) on the epoll file's own queue; "
			    "removed when woken"));
	if (e->exclusive)
		line(&o, N_("exclusive: queued at the tail (add_wait_queue_exclusive); a wake "
			    "with nr=1 stops after waking one exclusive entry"));
	return o.lines;
}

static int explain_object(const struct ps_object *obj, char *buf, size_t len, bool tr)
{
	struct out o = out_init(buf, len, tr);

	if (obj->truncated_more)
		line(&o,
		     N_("at least %ld entries of its queue are not listed: the module's snapshot "
			"stops at max_queue_entries"),
		     obj->truncated);
	else if (obj->truncated)
		line(&o,
		     N_("%ld entries of its queue are not listed: the module's snapshot stops at "
			"max_queue_entries"),
		     obj->truncated);
	if (!obj->ours)
		line(&o, N_("not created by this session: another program's, or left by an "
			    "earlier run (marked * in the full screen)"));
	if (obj->type[0] && strcmp(obj->type, "module") != 0)
		line(&o, N_("a real %s held by pollscope: its wait queues are the kernel's own"),
		     obj->type);
	else if (obj->polls)
		line(&o,
		     N_("%lu of %lu poll-method calls queued an entry: a re-poll after "
			"a wakeup passes no poll_table callback, so it only reads the mask"),
		     obj->queued, obj->polls);
	return o.lines;
}

int ps_explain_waiter(const struct ps_waiter *w, char *buf, size_t len)
{
	struct out o = out_init(buf, len, true);

	if (!w->alive) {
		line(&o, N_("exited: its entries left the queues with it"));
		return o.lines;
	}
	if (!w->in_call) {
		line(&o, N_("not in its call now"));
		return o.lines;
	}
	if (!w->asleep) {
		line(&o, N_("in its call, not asleep (running, or about to sleep)"));
		return o.lines;
	}
	switch (w->call) {
	case PS_CALL_POLL:
	case PS_CALL_PPOLL:
	case PS_CALL_SELECT:
	case PS_CALL_PSELECT:
		line(&o, N_("asleep in poll_schedule_timeout with one pollwake entry per "
			    "waited object; a matching wake makes it poll every object again"));
		break;
	case PS_CALL_EPOLL:
		line(&o, N_("asleep in ep_poll on the epoll file's queue; ep_poll_callback on "
			    "the object's queue wakes it"));
		break;
	case PS_CALL_READ:
		line(&o, N_("asleep in wait_event inside the object's read; a write or a wake "
			    "wakes it"));
		break;
	}
	return o.lines;
}

int ps_explain_entry(const struct ps_entry *e, char *buf, size_t len)
{
	return explain_entry(e, buf, len, true);
}

int ps_explain_object(const struct ps_object *o, char *buf, size_t len)
{
	return explain_object(o, buf, len, true);
}

int ps_explain_entry_en(const struct ps_entry *e, char *buf, size_t len)
{
	return explain_entry(e, buf, len, false);
}

int ps_explain_object_en(const struct ps_object *o, char *buf, size_t len)
{
	return explain_object(o, buf, len, false);
}
