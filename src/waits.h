/*
 * waits: every process's pollable files and the wait queue heads behind
 * them, from the module's waits file (one scan of the whole system), grouped
 * by head: what the head belongs to, who holds the file open (and a unix
 * socket's peer), who sleeps on it. Knows nothing of sessions or commands.
 */
#ifndef POLLSCOPE_WAITS_H
#define POLLSCOPE_WAITS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "pollscope.h"

#define PS_W_MAXWQ 16 /* heads per file, as the module's PS_MAX_HEADS */

/* A thread asleep (state S or D) when the scan passed its process. */
struct ps_wtask {
	pid_t tid, pid;
	char comm[32];
	char state;
	uint64_t slept_us; /* since it last ran */
};

/* A pollable fd of a process. */
struct ps_wfd {
	pid_t pid;
	int fd;
	char obj[17];	      /* the object (inode, or an anonymous file's context), hashed */
	char peer[17];	      /* a connected unix socket's peer object, or "" */
	uint64_t objn, peern; /* the same as numbers (0: none), to sort and search */
	char epoll[17];
	char mode[3];  /* "r", "w", "rw" */
	char type[8];  /* fifo sock chr reg other */
	char kind[16]; /* ps_fd_kind of the name, "fifo" for a named pipe */
	char reason[48];
	char file[256];
	int wqs[PS_W_MAXWQ]; /* head numbers (ps_whead.seq) */
	int nwqs;
};

struct ps_whead {
	int seq;
	char id[17];
	char queue[16]; /* "-", or an epoll file's "wq" / "poll_wait" */
	int nent;	/* entries the module counted */
	long truncated;
	bool truncated_more;
	size_t first, n; /* its entries: entries[first .. first+n) */
	int owner;	 /* the first fd (index into fds) it was seen through */
	char label[96];	 /* "read queue (pipe->rd_wait)" */
};

/* An epoll instance and the head its epoll_wait sleepers are on (its "wq"). */
struct ps_wepq {
	char epoll[17];
	int seq;
};

struct ps_waitmap {
	struct ps_wtask *tasks;
	size_t ntasks;
	struct ps_wfd *fds;
	size_t nfds;
	struct ps_whead *heads;
	size_t nheads;
	struct ps_entry *entries; /* entry.head: the ps_whead.seq */
	size_t nentries;
	struct ps_wepq *epwq; /* sorted by epoll: ps_waits_epoll_wq's index */
	size_t nepwq;
	/* the scan line */
	long procs, threads, sleeping, files, pollable, gone;
	uint64_t ns, lock_ns_max;
	bool complete, have_scan;
};

/* The waits file's text into m (zeroed first). 0, or -1 + err. */
int ps_waits_parse(const char *text, struct ps_waitmap *m, char *err, size_t errlen);
void ps_waitmap_free(struct ps_waitmap *m);

const struct ps_whead *ps_waits_head(const struct ps_waitmap *m, int seq);
const struct ps_wtask *ps_waits_task(const struct ps_waitmap *m, pid_t tid);
/* The head an epoll instance's epoll_wait sleepers are on (its "wq"), or NULL. */
const struct ps_whead *ps_waits_epoll_wq(const struct ps_waitmap *m, const char *epoll);
/* Whether fd f holds head h's object or its peer: 1 the same object, 2 the
 * peer (the other end of a unix socket), 0 neither. */
int ps_waits_holds(const struct ps_waitmap *m, const struct ps_whead *h, const struct ps_wfd *f);
/* A thread's call as "read(fd=0)", "epoll_wait(epfd=3)", from /proc/TID/syscall;
 * "-" when it is in none or is gone. */
void ps_waits_call(pid_t tid, char *buf, size_t len);
/* /proc/PID/comm without the newline, or "?" */
void ps_waits_comm(pid_t pid, char *buf, size_t len);

#endif
