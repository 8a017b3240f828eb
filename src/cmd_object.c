/* Object commands: create, destroy, ready, wake, write, read. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "session.h"

/* The module's answer to a control write, in words. */
static int control_error(struct ps_cmdctx *c, int e, const char *name)
{
	char en[24];

	switch (e) {
	case EEXIST:
		return ps_cmd_error(c, "an object named '%s' already exists", name);
	case ENOENT: {
		char msg[512];
		ps_no_object_msg(c->s, name, msg, sizeof(msg));
		return ps_cmd_error(c, "%s", msg);
	}
	case ENOSPC:
		return ps_cmd_error(c, "too many objects (the module allows %d)",
				    c->s->version.max_objects);
	case ENAMETOOLONG:
		return ps_cmd_error(c, "object name '%s' is too long (at most 31 chars)", name);
	case EINVAL:
		return ps_cmd_error(c, "the module rejected the command (EINVAL)");
	default:
		return ps_cmd_error(c, "the module refused: %s (%s)", strerror(e),
				    ps_errno_name(e, en, sizeof(en)));
	}
}

/* The object NAME: one pollscope holds (*held set), or a module object
 * described in *tmp. */
static int find_object(struct ps_cmdctx *c, const char *name, struct ps_obj *tmp,
		       struct ps_obj **obj, struct ps_obj **held)
{
	char msg[512];

	if (ps_name_check(name, msg, sizeof(msg)) < 0)
		return ps_cmd_error(c, "%s", msg);
	*held = ps_real_find(&c->s->reals, name);
	if (*held) {
		*obj = *held;
		return 0;
	}
	if (!ps_object_exists(c->s, name)) {
		ps_no_object_msg(c->s, name, msg, sizeof(msg));
		return ps_cmd_error(c, "%s", msg);
	}
	memset(tmp, 0, sizeof(*tmp));
	snprintf(tmp->name, sizeof(tmp->name), "%s", name);
	tmp->ops = &ps_obj_module;
	tmp->fd[0] = tmp->fd[1] = -1;
	tmp->dfs = &c->s->dfs;
	*obj = tmp;
	return 0;
}

static int need_object(struct ps_cmdctx *c, const char *name)
{
	char msg[512];
	struct ps_obj *r;

	if (ps_name_check(name, msg, sizeof(msg)) < 0)
		return ps_cmd_error(c, "%s", msg);
	r = ps_real_find(&c->s->reals, name);
	if (r)
		return ps_cmd_error(c,
				    "'%s' is a real %s, not a module object: %s acts on module "
				    "objects (use write and read on it)",
				    name, r->ops->name, c->cmd->name);
	if (!ps_object_exists(c->s, name)) {
		ps_no_object_msg(c->s, name, msg, sizeof(msg));
		return ps_cmd_error(c, "%s", msg);
	}
	return 0;
}

static void message_type(struct ps_cmdctx *c, const char *action, const char *name,
			 const struct ps_objtype_ops *type, const char *extra)
{
	struct ps_field f[4] = {
		{ "action", PS_F_STR, action, 0 },
		{ "object", PS_F_STR, name, 0 },
		{ "detail", PS_F_STR, extra ? extra : "", 0 },
		{ "objtype", PS_F_STR, type->name, 0 },
	};
	ps_emit(c->sink, PS_REC_MESSAGE, NULL, f, type->held ? 4 : 3, "%s %s%s%s", action, name,
		extra ? " " : "", extra ? extra : "");
}

static void message(struct ps_cmdctx *c, const char *action, const char *name, const char *extra)
{
	message_type(c, action, name, &ps_obj_module, extra);
}

int cmd_create(struct ps_cmdctx *c)
{
	const char *name = c->argv[0];
	char msg[256];
	const struct ps_objtype_ops *type = &ps_obj_module;
	int r;

	if (ps_name_check(name, msg, sizeof(msg)) < 0)
		return ps_cmd_error(c, "%s", msg);
	if (c->argc > 1 && !(type = ps_objtype_find(c->argv[1])))
		return ps_cmd_error(c, "unknown type '%s' (types: %s)", c->argv[1],
				    ps_objtype_names());
	if (ps_object_exists(c->s, name) || ps_real_find(&c->s->reals, name))
		return ps_cmd_error(c, "an object named '%s' already exists", name);
	if (type->held) {
		char extra[64];
		if (ps_real_create(&c->s->reals, name, type, msg, sizeof(msg)) < 0)
			return ps_cmd_error(c, "%s", msg);
		snprintf(extra, sizeof(extra), "(%s)", type->name);
		message_type(c, "created", name, type, extra);
		return 0;
	}
	r = ps_dfs_control(&c->s->dfs, "create %s", name);
	if (r < 0)
		return control_error(c, -r, name);
	ps_note_created(c->s, name);
	message(c, "created", name, NULL);
	return 0;
}

int cmd_destroy(struct ps_cmdctx *c)
{
	const char *name = c->argv[0];
	struct ps_obj tmp, *obj, *real;
	int r;

	if (find_object(c, name, &tmp, &obj, &real) < 0)
		return -1;
	if (real) {
		const struct ps_objtype_ops *type = real->ops;
		ps_real_destroy(&c->s->reals, real);
		message_type(c, "destroyed", name, type,
			     "(its fds are closed; waiters keep their own copies)");
		return 0;
	}
	r = ps_dfs_control(&c->s->dfs, "destroy %s", name);
	if (r < 0)
		return control_error(c, -r, name);
	ps_note_destroyed(c->s, name);
	message(c, "destroyed", name, NULL);
	return 0;
}

static int parse_mask_arg(struct ps_cmdctx *c, const char *text, uint32_t *mask)
{
	char msg[256];

	if (ps_mask_parse(text, mask, msg, sizeof(msg)) < 0)
		return ps_cmd_error(c, "%s", msg);
	return 0;
}

int cmd_ready(struct ps_cmdctx *c)
{
	const char *name = c->argv[0];
	uint32_t mask;
	char m[PS_MASK_TEXT], extra[PS_MASK_TEXT + 16];
	int r;

	if (need_object(c, name) < 0 || parse_mask_arg(c, c->argv[1], &mask) < 0)
		return -1;
	ps_mask_format(mask, m, sizeof(m));
	r = ps_dfs_control(&c->s->dfs, "ready %s %s", name, m);
	if (r < 0)
		return control_error(c, -r, name);
	snprintf(extra, sizeof(extra), "%s (nobody woken)", m);
	message(c, "ready", name, extra);
	return 0;
}

int cmd_wake(struct ps_cmdctx *c)
{
	const char *name = c->argv[0];
	uint32_t mask = 0x1; /* default: in */
	int nr = 1;
	bool have_mask = false;
	char m[PS_MASK_TEXT], extra[PS_MASK_TEXT + 32];
	int r;

	if (need_object(c, name) < 0)
		return -1;
	for (int i = 1; i < c->argc; i++) {
		const char *v = ps_opt_value(c->argv[i], "nr");
		if (v) {
			if (ps_parse_uint(v, &nr) < 0)
				return ps_cmd_error(
					c,
					"bad nr=%s: a number of exclusive waiters to wake "
					"(0 = all)",
					v);
		} else if (!have_mask) {
			if (parse_mask_arg(c, c->argv[i], &mask) < 0)
				return -1;
			have_mask = true;
		} else {
			return ps_cmd_error(c, "unexpected argument '%s' (usage: %s)", c->argv[i],
					    c->cmd->usage);
		}
	}
	ps_mask_format(mask, m, sizeof(m));
	r = ps_dfs_control(&c->s->dfs, "wake %s %s %d", name, m, nr);
	if (r < 0)
		return control_error(c, -r, name);
	snprintf(extra, sizeof(extra), "key=%s nr=%d", m, nr);
	message(c, "woke", name, extra);
	return 0;
}

int cmd_write(struct ps_cmdctx *c)
{
	const char *name = c->argv[0];
	char done[160], msg[256];
	int value = 1;
	struct ps_obj tmp, *obj, *real;

	if (find_object(c, name, &tmp, &obj, &real) < 0)
		return -1;
	if (c->argc > 1 && ps_parse_uint(c->argv[1], &value) < 0)
		return ps_cmd_error(c, "bad value '%s': a non-negative decimal number", c->argv[1]);
	if (obj->ops->write(obj, value, done, sizeof(done), msg, sizeof(msg)) < 0)
		return ps_cmd_error(c, "%s", msg);
	message_type(c, "wrote", name, obj->ops, done);
	return 0;
}

int cmd_read(struct ps_cmdctx *c)
{
	const char *name = c->argv[0];
	const struct ps_objtype_ops *type;
	char msg[256];
	long long v;
	struct ps_obj tmp, *obj, *real;
	int r;

	if (find_object(c, name, &tmp, &obj, &real) < 0)
		return -1;
	type = obj->ops;
	r = type->read(obj, &v, msg, sizeof(msg));
	if (r < 0)
		return ps_cmd_error(c, "%s", msg);
	if (r == 1) {
		struct ps_field f[2] = { { "object", PS_F_STR, name, 0 },
					 { "eof", PS_F_BOOL, NULL, 1 } };
		ps_emit(c->sink, PS_REC_VALUE, NULL, f, 2, "read %s: EOF (%s)", name,
			type->eof_text);
		return 0;
	}
	{
		/* the module's objects: no objtype, as they are the default */
		struct ps_field f[3] = { { "object", PS_F_STR, name, 0 },
					 { "value", PS_F_INT, NULL, v },
					 { "objtype", PS_F_STR, type->name, 0 } };
		ps_emit(c->sink, PS_REC_VALUE, NULL, f, type->held ? 3 : 2, "read %s: %lld%s", name,
			v, type->read_unit);
	}
	return 0;
}
