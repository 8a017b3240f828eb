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

/* A module object or a real one (*real set). */
static int find_object(struct ps_cmdctx *c, const char *name, struct ps_real **real)
{
	char msg[512];

	*real = NULL;
	if (ps_name_check(name, msg, sizeof(msg)) < 0)
		return ps_cmd_error(c, "%s", msg);
	*real = ps_real_find(&c->s->reals, name);
	if (*real)
		return 0;
	if (!ps_object_exists(c->s, name)) {
		ps_no_object_msg(c->s, name, msg, sizeof(msg));
		return ps_cmd_error(c, "%s", msg);
	}
	return 0;
}

static int need_object(struct ps_cmdctx *c, const char *name)
{
	char msg[512];
	struct ps_real *r;

	if (ps_name_check(name, msg, sizeof(msg)) < 0)
		return ps_cmd_error(c, "%s", msg);
	r = ps_real_find(&c->s->reals, name);
	if (r)
		return ps_cmd_error(c,
				    "'%s' is a real %s, not a module object: %s acts on module "
				    "objects (use write and read on it)",
				    name, ps_obj_type_name(r->type), c->cmd->name);
	if (!ps_object_exists(c->s, name)) {
		ps_no_object_msg(c->s, name, msg, sizeof(msg));
		return ps_cmd_error(c, "%s", msg);
	}
	return 0;
}

static void message_type(struct ps_cmdctx *c, const char *action, const char *name,
			 const char *type, const char *extra)
{
	struct ps_field f[4] = {
		{ "action", PS_F_STR, action, 0 },
		{ "object", PS_F_STR, name, 0 },
		{ "detail", PS_F_STR, extra ? extra : "", 0 },
		{ "objtype", PS_F_STR, type, 0 },
	};
	ps_emit(c->sink, PS_REC_MESSAGE, NULL, f, strcmp(type, "module") ? 4 : 3, "%s %s%s%s",
		action, name, extra ? " " : "", extra ? extra : "");
}

static void message(struct ps_cmdctx *c, const char *action, const char *name, const char *extra)
{
	message_type(c, action, name, "module", extra);
}

int cmd_create(struct ps_cmdctx *c)
{
	const char *name = c->argv[0];
	char msg[256];
	enum ps_obj_type type = PS_OBJ_MODULE;
	int r;

	if (ps_name_check(name, msg, sizeof(msg)) < 0)
		return ps_cmd_error(c, "%s", msg);
	if (c->argc > 1 && ps_obj_type_parse(c->argv[1], &type) < 0)
		return ps_cmd_error(c,
				    "unknown type '%s' (types: module eventfd pipe timerfd "
				    "socketpair)",
				    c->argv[1]);
	if (ps_object_exists(c->s, name) || ps_real_find(&c->s->reals, name))
		return ps_cmd_error(c, "an object named '%s' already exists", name);
	if (type != PS_OBJ_MODULE) {
		char extra[64];
		if (ps_real_create(&c->s->reals, name, type, msg, sizeof(msg)) < 0)
			return ps_cmd_error(c, "%s", msg);
		snprintf(extra, sizeof(extra), "(%s)", ps_obj_type_name(type));
		message_type(c, "created", name, ps_obj_type_name(type), extra);
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
	struct ps_real *real;
	int r;

	if (find_object(c, name, &real) < 0)
		return -1;
	if (real) {
		char type[16];
		snprintf(type, sizeof(type), "%s", ps_obj_type_name(real->type));
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
	char path[PATH_MAX], buf[32], extra[48];
	int value = 1, fd, n;
	struct ps_real *real;

	if (find_object(c, name, &real) < 0)
		return -1;
	if (c->argc > 1 && ps_parse_uint(c->argv[1], &value) < 0)
		return ps_cmd_error(c, "bad value '%s': a non-negative decimal number", c->argv[1]);
	if (real) {
		char done[160], msg[256];
		if (ps_real_write(real, value, done, sizeof(done), msg, sizeof(msg)) < 0)
			return ps_cmd_error(c, "%s", msg);
		message_type(c, "wrote", name, ps_obj_type_name(real->type), done);
		return 0;
	}
	ps_dfs_path(&c->s->dfs, path, sizeof(path), "objects/%s", name);
	fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return ps_cmd_error(c, "cannot open %s: %s", path, strerror(errno));
	n = snprintf(buf, sizeof(buf), "%d\n", value);
	if (write(fd, buf, (size_t)n) < 0) {
		int e = errno;
		close(fd);
		if (e == EPIPE)
			return ps_cmd_error(c, "object '%s' is dead (EPIPE)", name);
		return ps_cmd_error(c, "write to %s: %s", name, strerror(e));
	}
	close(fd);
	snprintf(extra, sizeof(extra), "value=%d", value);
	message(c, "wrote", name, extra);
	return 0;
}

int cmd_read(struct ps_cmdctx *c)
{
	const char *name = c->argv[0];
	char path[PATH_MAX], buf[64];
	int fd;
	ssize_t n;
	long long v;
	struct ps_real *real;

	if (find_object(c, name, &real) < 0)
		return -1;
	if (real) {
		char msg[256];
		const char *unit = real->type == PS_OBJ_EVENTFD	  ? ""
				   : real->type == PS_OBJ_TIMERFD ? " expiration(s)"
								  : " bytes";
		int r = ps_real_read(real, &v, msg, sizeof(msg));
		if (r < 0)
			return ps_cmd_error(c, "%s", msg);
		if (r == 1) {
			struct ps_field f[2] = { { "object", PS_F_STR, name, 0 },
						 { "eof", PS_F_BOOL, NULL, 1 } };
			ps_emit(c->sink, PS_REC_VALUE, NULL, f, 2,
				"read %s: EOF (every writer is gone)", name);
			return 0;
		}
		struct ps_field f[3] = { { "object", PS_F_STR, name, 0 },
					 { "value", PS_F_INT, NULL, v },
					 { "objtype", PS_F_STR, ps_obj_type_name(real->type), 0 } };
		ps_emit(c->sink, PS_REC_VALUE, NULL, f, 3, "read %s: %lld%s", name, v, unit);
		return 0;
	}
	ps_dfs_path(&c->s->dfs, path, sizeof(path), "objects/%s", name);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return ps_cmd_error(c, "cannot open %s: %s", path, strerror(errno));
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		int e = errno;
		close(fd);
		if (e == EAGAIN)
			return ps_cmd_error(c, "'%s' is not readable (EAGAIN): nothing to read",
					    name);
		return ps_cmd_error(c, "read from %s: %s", name, strerror(e));
	}
	close(fd);
	buf[n] = '\0';
	if (n == 0) {
		struct ps_field f[2] = { { "object", PS_F_STR, name, 0 },
					 { "eof", PS_F_BOOL, NULL, 1 } };
		ps_emit(c->sink, PS_REC_VALUE, NULL, f, 2, "read %s: EOF (the object is dead)",
			name);
		return 0;
	}
	v = strtoll(buf, NULL, 10);
	{
		struct ps_field f[2] = { { "object", PS_F_STR, name, 0 },
					 { "value", PS_F_INT, NULL, v } };
		ps_emit(c->sink, PS_REC_VALUE, NULL, f, 2, "read %s: %lld", name, v);
	}
	return 0;
}
