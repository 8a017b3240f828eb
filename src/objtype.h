/*
 * Object types: what pollscope can create, wait on, write to and read from.
 * One struct ps_objtype_ops per type, one file per type (obj_*.c), one table
 * (objtype.c): adding a type is a new file and a line in the table. The
 * module's own objects are the type "module": they live in pollscope.ko and
 * are reached through its debugfs files; the others are real kernel objects
 * whose fds pollscope holds (realobj.c keeps the list).
 */
#ifndef POLLSCOPE_OBJTYPE_H
#define POLLSCOPE_OBJTYPE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "debugfs.h"
#include "pollscope.h"

/* One object: a held one (fds), or a module object (its name under dfs). */
struct ps_obj {
	char name[PS_NAME_MAX];
	const struct ps_objtype_ops *ops;
	int fd[2]; /* held objects: the ends (pipe: read, write; socketpair: a, b) */
	const struct ps_debugfs *dfs; /* module objects */
};

struct ps_objtype_ops {
	const char *name; /* create NAME TYPE, "objtype" in records */
	bool held;	  /* pollscope holds its fds (else: the module's object) */
	int nends;	  /* fds held: 2 for pipe and socketpair */
	/* show's name for ps_object.count, and read's unit after the value */
	const char *count_name, *read_unit;
	const char *eof_text;	  /* read NAME at EOF: "every writer is gone" */
	const char *end_label[2]; /* show: the head each end's poll uses */
	/* inspect PID: the heads of an fd of this kind, by head index (NULL: the
	 * kind has none to name, or it depends on more than the index) */
	const char *queue_label[2];

	/* Make the fds (held types): 0 or -1 + errno. */
	int (*create)(int fd[2]);
	/* The end (0 or 1) a waiter waits on for these events; a blocking read
	 * waits on the receiving end. */
	int (*wait_end)(uint32_t events, bool blocking_read);
	/* Read without blocking from a possibly blocking shared fd. */
	ssize_t (*read_nb)(int fd, void *buf, size_t len);
	/* write NAME VALUE: *done says what happened. 0 or -1 + err. */
	int (*write)(struct ps_obj *o, long long value, char *done, size_t donelen, char *err,
		     size_t errlen);
	/* read NAME without blocking: 0 + *value, 1 at EOF, -1 + err. */
	int (*read)(struct ps_obj *o, long long *value, char *err, size_t errlen);
	/* The counter (eventfd count, expirations, bytes queued): 0 or -1. */
	int (*count)(const struct ps_obj *o, unsigned long *count);
	/* A waiter's blocking read on fd: the call's return value; *readval the
	 * value read when the type has one (else -1). errno as the call left it. */
	long long (*child_read)(int fd, long long *readval);
};

extern const struct ps_objtype_ops ps_obj_module, ps_obj_eventfd, ps_obj_pipe, ps_obj_timerfd,
	ps_obj_socketpair;

/* The types, "module" first. */
const struct ps_objtype_ops *const *ps_objtype_table(size_t *n);
/* By name; NULL if unknown. */
const struct ps_objtype_ops *ps_objtype_find(const char *name);
/* "module eventfd pipe timerfd socketpair" */
const char *ps_objtype_names(void);

/* Helpers the types share (objtype.c). */
/* RWF_NOWAIT where the file supports it, else O_NONBLOCK for this one call;
 * poll_first: say EAGAIN at once when nothing is there (files whose
 * RWF_NOWAIT read would block anyway). */
ssize_t ps_obj_read_nowait(int fd, void *buf, size_t len, bool poll_first);
ssize_t ps_obj_write_nowait(int fd, const void *buf, size_t len);
/* A "key: value" of /proc/self/fdinfo/FD. 0 or -1. */
int ps_obj_fdinfo(int fd, const char *key, int base, unsigned long long *v);
/* write VALUE bytes ('x') to fd with put: the pipe's and the socket's write. */
int ps_obj_write_bytes(struct ps_obj *o, int fd, ssize_t (*put)(int, const void *, size_t),
		       long long value, char *done, size_t donelen, char *err, size_t errlen);
/* read everything queued on fd: the pipe's and the socket's read. */
int ps_obj_read_bytes(struct ps_obj *o, int fd, long long *value, char *err, size_t errlen);
/* The end of read: n the last read's result. 1 at EOF, -1 + err. */
int ps_obj_read_failed(const struct ps_obj *o, ssize_t n, char *err, size_t errlen);
/* An 8-byte counter read (eventfd, timerfd). */
int ps_obj_read_u64(struct ps_obj *o, long long *value, char *err, size_t errlen);
long long ps_obj_child_read_u64(int fd, long long *readval);
/* wait_end of one-fd types */
int ps_obj_one_end(uint32_t events, bool blocking_read);
/* Waiting only for output events (out, wrnorm, wrband), not in a read. */
bool ps_obj_output_only(uint32_t events, bool blocking_read);
/* A counter from fdinfo (eventfd-count, ticks), or the bytes queued (FIONREAD). */
int ps_obj_count_fdinfo(int fd, const char *key, int base, unsigned long *n);
int ps_obj_count_queued(int fd, unsigned long *n);
long long ps_obj_child_read_bytes(int fd, long long *readval);

#endif
