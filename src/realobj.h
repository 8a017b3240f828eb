/* The objects pollscope holds (create NAME eventfd|pipe|...): the list, and
 * what any of them looks like through poll(2) and the module's inspect. */
#ifndef POLLSCOPE_REALOBJ_H
#define POLLSCOPE_REALOBJ_H

#include "debugfs.h"
#include "objtype.h"
#include "pollscope.h"

#define PS_MAX_REAL_OBJECTS 64

struct ps_reals {
	struct ps_obj *v;
	size_t n, cap;
};

struct ps_obj *ps_real_find(struct ps_reals *rs, const char *name);
/* A new object of a held type. 0, or -1 + err. */
int ps_real_create(struct ps_reals *rs, const char *name, const struct ps_objtype_ops *ops,
		   char *err, size_t errlen);
void ps_real_destroy(struct ps_reals *rs, struct ps_obj *o);
/* Close every object and free the list. */
void ps_real_close_all(struct ps_reals *rs);
/* Fill o from the object: readiness (poll(2) on its ends), count, open. */
void ps_real_object(const struct ps_obj *r, struct ps_object *o);
/* Inspect every end through the module: appends heads and entries (entries'
 * head = index within the object). Returns 0 or -1 + err. */
int ps_real_inspect(struct ps_debugfs *d, const struct ps_obj *r, struct ps_head **heads,
		    size_t *nheads, struct ps_entry **entries, size_t *nentries, char *err,
		    size_t errlen);

#endif
