/* Real kernel objects the session holds (create NAME eventfd|pipe|...). */
#ifndef POLLSCOPE_REALOBJ_H
#define POLLSCOPE_REALOBJ_H

#include <sys/types.h>

#include "debugfs.h"
#include "parse.h"
#include "pollscope.h"

#define PS_MAX_REAL_OBJECTS 64

struct ps_real {
	char name[PS_NAME_MAX];
	enum ps_obj_type type;
	int fd[2]; /* pipe: read end, write end; socketpair: a, b; else fd[0] */
};

struct ps_reals {
	struct ps_real *v;
	size_t n, cap;
};

struct ps_real *ps_real_find(struct ps_reals *rs, const char *name);
int ps_real_create(struct ps_reals *rs, const char *name, enum ps_obj_type type, char *err,
		   size_t errlen);
void ps_real_destroy(struct ps_reals *rs, struct ps_real *r);
/* Close every object and free the list. */
void ps_real_close_all(struct ps_reals *rs);
/* write NAME [VALUE]: *done gets a description ("count 0 -> 3"). 0 or -1 + err. */
int ps_real_write(struct ps_real *r, long long value, char *done, size_t donelen, char *err,
		  size_t errlen);
/* read NAME without blocking: *value (eventfd counter, timerfd expirations, bytes).
 * 0, 1 for EOF, or -1 + err (EAGAIN: "not readable"). */
int ps_real_read(struct ps_real *r, long long *value, char *err, size_t errlen);
/* Non-blocking read on a possibly blocking fd of a real object (waiters
 * consuming in loop mode share the description with pollscope). */
ssize_t ps_real_read_nb(enum ps_obj_type type, int fd, void *buf, size_t len);
/* Fill o from the object: readiness (poll(2) on its ends), count, open. */
void ps_real_object(struct ps_real *r, struct ps_object *o);
/* Inspect every end through the module: appends heads and entries (entries'
 * head = index within the object). Returns 0 or -1 + err. */
int ps_real_inspect(struct ps_debugfs *d, struct ps_real *r, struct ps_head **heads, size_t *nheads,
		    struct ps_entry **entries, size_t *nentries, char *err, size_t errlen);

#endif
