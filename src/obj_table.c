/* The table of object types: one line per type (its file is obj_NAME.c). */
#include <stdio.h>
#include <string.h>

#include "objtype.h"

static const struct ps_objtype_ops *const types[] = {
	&ps_obj_module, &ps_obj_eventfd, &ps_obj_pipe, &ps_obj_timerfd, &ps_obj_socketpair,
};

const struct ps_objtype_ops *const *ps_objtype_table(size_t *n)
{
	*n = sizeof(types) / sizeof(types[0]);
	return types;
}

const struct ps_objtype_ops *ps_objtype_find(const char *name)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(types[i]->name, name) == 0)
			return types[i];
	return NULL;
}

const char *ps_objtype_names(void)
{
	static char names[128];

	if (!names[0]) {
		size_t used = 0;
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
			int k = snprintf(names + used, sizeof(names) - used, "%s%s", i ? " " : "",
					 types[i]->name);
			if (k > 0 && (size_t)k < sizeof(names) - used)
				used += (size_t)k;
		}
	}
	return names;
}
