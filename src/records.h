/*
 * Records: every record the core emits is built here (the command handlers,
 * the waiters' results and the TUI's listings read the same fields), and the
 * plain text sink. Knows nothing of sessions or commands.
 */
#ifndef POLLSCOPE_RECORDS_H
#define POLLSCOPE_RECORDS_H

#include "pollscope.h"

void ps_emit(const struct ps_sink *sink, enum ps_rec_kind kind, const void *data,
	     const struct ps_field *fields, int nfields, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
void ps_emit_text(const struct ps_sink *sink, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* ps_emit with its text line already built (a listing's hot path). */
void ps_emit_line(const struct ps_sink *sink, enum ps_rec_kind kind, const void *data,
		  const struct ps_field *fields, int nfields, const char *text);
const char *ps_rec_kind_name(enum ps_rec_kind k);
/* A command that writes a long listing in one go (waits: 100,000 lines on a
 * big system) holds the text and JSON sinks' flush after each record, so
 * that stdio writes in blocks, and stamps its records with one time, when
 * the hold began; the release flushes. Nests. */
void ps_emit_hold(void);
void ps_emit_release(void);
/* A front end's own view (the TUI's waits pane) runs a command for its data:
 * while on, records go to the sink but not into a --record recording (a
 * replay has no module to scan, and the output is not the session's). */
void ps_emit_unrecorded(bool on);
/* A record without a text line (folded into an earlier one): JSON only. */
void ps_emit_data(const struct ps_sink *sink, enum ps_rec_kind kind, const void *data,
		  const struct ps_field *fields, int nfields);

/* A wait-queue entry (show, inspect); label: the waiter sleeping there or "-". */
void ps_rec_entry(const struct ps_sink *sink, const struct ps_entry *e, const char *label,
		  const char *note);
/* inspect PID: an entry of fd (e->head: its head index in that fd); run > 1:
 * the first of run entries alike but for their positions, shown as one line
 * (the others are passed with run 0: JSON records, no text line); last_tfd:
 * the run's last entry's tfd (epoll entries of consecutive fds). */
void ps_rec_inspect_entry(const struct ps_sink *sink, const struct ps_entry *e, int fd,
			  const char *label, const char *note, int run, int last_tfd);
void ps_rec_entry_header(const struct ps_sink *sink);
void ps_rec_head(const struct ps_sink *sink, const struct ps_head *h);
/* show ... why: what the kernel did, under the object (pos -1) or entry. */
void ps_rec_explain(const struct ps_sink *sink, const char *object, int pos, const char *text);
/* show: a module object with its entry count; a real one with its heads too. */
void ps_rec_module_object(const struct ps_sink *sink, const struct ps_object *o, int entries);
void ps_rec_real_object(const struct ps_sink *sink, const struct ps_object *o, int entries,
			int heads, const char *count_name);
/* events; base: the time its ms count from (the session's start), label:
 * the waiter that caused it or "-" */
void ps_rec_event(const struct ps_sink *sink, const struct ps_event *ev, uint64_t base,
		  const char *label);
/* inspect PID: one fd */
void ps_rec_fd(const struct ps_sink *sink, const struct ps_inspection *in, const struct ps_fd *f);
/* run > 1: f and the run - 1 fds after it are of one file (same_as), alike:
 * one line for them; run 0: a JSON record only (one of such a run). */
void ps_rec_fd_run(const struct ps_sink *sink, const struct ps_inspection *in,
		   const struct ps_fd *f, int run);
/* inspect PID: an epoll fd's registrations, one line ("  watches fd 5 (in),
 * ..."; the fd record's "watch" in JSON) */
void ps_rec_watched(const struct ps_sink *sink, const struct ps_fd *f);
/* inspect PID: one thread and its call (a line when the process has several);
 * a stale epoll registration. The call as JSON (malloc'd). */
void ps_rec_thread(const struct ps_sink *sink, const struct ps_inspection *in,
		   const struct ps_thread *t);
void ps_rec_stale(const struct ps_sink *sink, const struct ps_inspection *in,
		  const struct ps_stale *s);
char *ps_call_json(const struct ps_thread *t);
/* ps and spawn (PS_REC_WAITER), a returned call (PS_REC_RESULT) */
void ps_rec_waiter(const struct ps_sink *sink, enum ps_rec_kind kind, const struct ps_waiter *w);
/* "1 after 12.3 ms: a=in,rdnorm", "-1 EINTR after 3.0 ms", "0 (timeout) ..." */
void ps_format_result(const struct ps_waiter *w, const struct ps_result *r, char *buf, size_t len);

#endif
