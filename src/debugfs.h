/*
 * The module's debugfs files, at the bottom of the core: paths, the one
 * read-whole-file helper, control writes, and the inspect file for one of our
 * fds. Knows nothing of sessions. Reads of the module's files are counted per
 * source, so that tests can check one refresh reads each source once.
 */
#ifndef POLLSCOPE_DEBUGFS_H
#define POLLSCOPE_DEBUGFS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "parse.h"
#include "pollscope.h"

/* What a refresh reads; ps_debugfs.reads[] counts each. */
enum ps_source {
	PS_SRC_OBJECTS, /* the objects/ directory */
	PS_SRC_STATS,
	PS_SRC_QUEUES,
	PS_SRC_INSPECT, /* one fd through the inspect file */
	PS_SRC_N
};

struct ps_debugfs {
	char dir[PATH_MAX];
	bool recorded;	/* --debugfs DIR: plain files, inspect is only read */
	int inspect_fd; /* opened on first use */
	unsigned long reads[PS_SRC_N];
	unsigned long writes; /* control writes, for whoever caches what it read */
};

void ps_dfs_init(struct ps_debugfs *d, const char *dir, bool recorded);
void ps_dfs_close(struct ps_debugfs *d);

/* dir/fmt... into buf; -1 if it does not fit. */
int ps_dfs_path(const struct ps_debugfs *d, char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Read a whole file (malloc'd, NUL-terminated). NULL + errno. */
char *ps_read_file(const char *path, size_t *len);

/* One of the module's files by name ("queues", "stats", "version"), counted
 * under src when src < PS_SRC_N. NULL with "cannot read PATH: why" in err. */
char *ps_dfs_read(struct ps_debugfs *d, const char *name, enum ps_source src, char *err,
		  size_t errlen);

/* The names in objects/ (counted); calls add for each. -1 if unreadable. */
int ps_dfs_list_objects(struct ps_debugfs *d, void (*add)(void *ctx, const char *name), void *ctx);
bool ps_dfs_object_exists(const struct ps_debugfs *d, const char *name);

/* One control command: 0 or -errno. */
int ps_dfs_control(struct ps_debugfs *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* One of our fds through the module's inspect file. */
struct ps_fd_inspect {
	struct ps_inspect_head h;
	int nheads;
	int head_entries[16];
	long head_truncated[16]; /* entries left out of a capped head */
	bool head_truncated_more[16];
	char head_queue[16][12]; /* an epoll file's heads: "poll_wait", "wq" */
	int nwatch;		 /* an epoll file: the watch= lines (its watched files) */
	long watch_truncated;
	bool watch_truncated_more;
	struct ps_watch_item *watch; /* malloc'd: the nwatch watch= lines */
	size_t nentries;
	struct ps_entry *entries; /* malloc'd; head = head index */
};
/* The module's inspect of one of our fds; owner > 0 names the process whose
 * signals a signalfd reports (the module polls as us otherwise). */
int ps_dfs_inspect(struct ps_debugfs *d, int fd, pid_t owner, struct ps_fd_inspect *out, char *err,
		   size_t errlen);
void ps_fd_inspect_free(struct ps_fd_inspect *fi);

#endif
