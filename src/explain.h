/*
 * What the kernel did to produce what pollscope shows: why an entry is on a
 * wait queue, what an object's counters mean, where a waiter sleeps. One
 * place for these sentences, so that the TUI's details, `show` and --json
 * say the same thing. The text names functions of fs/select.c,
 * fs/eventpoll.c and kernel/sched/wait.c (Linux 6.1).
 */
#ifndef POLLSCOPE_EXPLAIN_H
#define POLLSCOPE_EXPLAIN_H

#include <stddef.h>

#include "pollscope.h"

/* Each writes one or more lines separated by '\n' (no trailing newline) into
 * buf and returns the number of lines; 0 (and "") when pollscope has nothing
 * certain to say, e.g. an unknown wake function. In the user's language (the
 * TUI's details); the _en ones in English in every locale, for `show why`
 * and --json, which scripts parse. */
int ps_explain_entry(const struct ps_entry *e, char *buf, size_t len);
int ps_explain_object(const struct ps_object *o, char *buf, size_t len);
int ps_explain_waiter(const struct ps_waiter *w, char *buf, size_t len);
int ps_explain_entry_en(const struct ps_entry *e, char *buf, size_t len);
int ps_explain_object_en(const struct ps_object *o, char *buf, size_t len);

#endif
