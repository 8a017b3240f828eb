/* Object commands: create, destroy, ready, wake, write, read. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "cmd.h"
#include "session.h"

/* The module's answer to a control write, in words. */
static int control_error(struct ps_cmdctx *c, int e, const char *name)
{
	char en[24];

	switch (e) {
	case EEXIST:
		return ps_cmd_error(c, _("an object named '%s' already exists"), name);
	case ENOENT: {
		char msg[512];
		ps_no_object_msg(c->s, name, msg, sizeof(msg));
		return ps_cmd_error(c, "%s", msg);
	}
	case ENOSPC:
		return ps_cmd_error(c, _("too many objects (the module allows %d)"),
				    c->s->version.max_objects);
	case ENAMETOOLONG:
		return ps_cmd_error(c, _("object name '%s' is too long (at most 31 chars)"), name);
	case EINVAL:
		return ps_cmd_error(c, _("the module rejected the command (EINVAL)"));
	default:
		return ps_cmd_error(c, _("the module refused: %s (%s)"), strerror(e),
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
				    _("'%s' is a real %s, not a module object: %s acts on module "
				      "objects (use write and read on it)"),
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

static int cmd_create(struct ps_cmdctx *c)
{
	const char *name = c->argv[0];
	char msg[256];
	const struct ps_objtype_ops *type = &ps_obj_module;
	int r;

	if (ps_name_check(name, msg, sizeof(msg)) < 0)
		return ps_cmd_error(c, "%s", msg);
	if (c->argc > 1 && !(type = ps_objtype_find(c->argv[1])))
		return ps_cmd_error(c, _("unknown type '%s' (types: %s)"), c->argv[1],
				    ps_objtype_names());
	if (ps_object_exists(c->s, name) || ps_real_find(&c->s->reals, name))
		return ps_cmd_error(c, _("an object named '%s' already exists"), name);
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

static int cmd_destroy(struct ps_cmdctx *c)
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

static int cmd_ready(struct ps_cmdctx *c)
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

static int cmd_wake(struct ps_cmdctx *c)
{
	const char *name = c->argv[0];
	uint32_t mask = 0x1; /* default: in */
	struct ps_optval val[PS_CMD_MAX_OPTS];
	int nr = 1, rest[PS_TOK_MAX_WORDS], nrest;
	char m[PS_MASK_TEXT], extra[PS_MASK_TEXT + 32];
	int r;

	if (need_object(c, name) < 0 || ps_cmd_parse_opts(c, 1, val, rest, &nrest) < 0)
		return -1;
	if (val[0].set)
		nr = val[0].num;
	if (nrest > 1)
		return ps_cmd_error(c, _("unexpected argument '%s' (usage: %s)"), c->argv[rest[1]],
				    c->cmd->usage);
	if (nrest == 1 && parse_mask_arg(c, c->argv[rest[0]], &mask) < 0)
		return -1;
	ps_mask_format(mask, m, sizeof(m));
	r = ps_dfs_control(&c->s->dfs, "wake %s %s %d", name, m, nr);
	if (r < 0)
		return control_error(c, -r, name);
	snprintf(extra, sizeof(extra), "key=%s nr=%d", m, nr);
	message(c, "woke", name, extra);
	return 0;
}

static int cmd_write(struct ps_cmdctx *c)
{
	const char *name = c->argv[0];
	char done[160], msg[256];
	int value = 1;
	struct ps_obj tmp, *obj, *real;

	if (find_object(c, name, &tmp, &obj, &real) < 0)
		return -1;
	if (c->argc > 1 && ps_parse_uint(c->argv[1], &value) < 0)
		return ps_cmd_error(c, _("bad value '%s': a non-negative decimal number"),
				    c->argv[1]);
	if (obj->ops->write(obj, value, done, sizeof(done), msg, sizeof(msg)) < 0)
		return ps_cmd_error(c, "%s", msg);
	message_type(c, "wrote", name, obj->ops, done);
	return 0;
}

static int cmd_read(struct ps_cmdctx *c)
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

/* -------------------------------------------------------- completion */

static void complete_create(struct ps_comp *cc, int argi)
{
	size_t n;
	const struct ps_objtype_ops *const *types = ps_objtype_table(&n);

	if (argi == 2)
		for (size_t i = 0; i < n; i++)
			ps_comp_offer(cc, types[i]->name);
}

static void complete_first_object(struct ps_comp *cc, int argi)
{
	if (argi == 1)
		ps_comp_objects(cc);
}

static void complete_ready(struct ps_comp *cc, int argi)
{
	if (argi == 1) {
		ps_comp_objects(cc);
	} else if (argi == 2) {
		ps_comp_masks(cc);
		ps_comp_offer(cc, "none");
	}
}

static void complete_wake(struct ps_comp *cc, int argi)
{
	if (argi == 1)
		ps_comp_objects(cc);
	else if (argi == 2)
		ps_comp_masks(cc);
	if (argi == 2 || argi == 3)
		ps_comp_options(cc);
}

static const struct ps_opt wake_opts[] = {
	{ .name = "nr",
	  .value = "N",
	  .kind = PS_OPT_INT,
	  .min = 0,
	  .max = 0x7fffffff,
	  .what = N_("a number of exclusive waiters to wake (0 = all)") }, /* in the long help */
	{ 0 },
};

/* ----------------------------------------------------------- entries */

const struct ps_cmd ps_cmd_create = {
	.name = "create",
	.args = "NAME [TYPE]",
	.help = N_("create a pollable object (module, or a real eventfd/pipe/...)"),
	.long_help =
		"Without TYPE (or TYPE module): objects/NAME of the module, a file whose poll\n"
		"method queues callers on the object's wait queue. TYPE eventfd, pipe, timerfd or\n"
		"socketpair: a real kernel object that pollscope holds; waiters sleep on it, "
		"write\n"
		"and read act on it, show lists the entries on each of its wait queues (through\n"
		"the module's inspect). NAME: 1-31 characters of A-Z a-z 0-9 _ . -\n"
		"Examples: create a   create e eventfd   create p pipe",
	.min_args = 1,
	.max_args = 2,
	.exec = cmd_create,
	.complete = complete_create,
	.needs_module = true,
};

const struct ps_cmd ps_cmd_destroy = {
	.name = "destroy",
	.args = "NAME",
	.help = N_("destroy an object (wakes every waiter with hup,err)"),
	.long_help =
		"Marks the object dead, sets its readiness to hup,err and wakes every waiter,\n"
		"exclusive ones too. A real object: pollscope closes its fds (waiters keep "
		"theirs;\n"
		"a pipe's readers see hup once no writer is left). Example: destroy a",
	.min_args = 1,
	.max_args = 1,
	.exec = cmd_destroy,
	.complete = complete_first_object,
	.needs_module = true,
};

const struct ps_cmd ps_cmd_ready = {
	.name = "ready",
	.args = "NAME MASK",
	.help = N_("change readiness, wake nobody (the lost wakeup)"),
	.long_help =
		"Sets the object's readiness to MASK without waking anyone: sleepers stay asleep\n"
		"although the object is ready. MASK: in out pri err hup rdnorm rdband wrnorm\n"
		"wrband msg rdhup joined by ',' or '|', a number, or none.\n"
		"Example: ready a in",
	.min_args = 2,
	.max_args = 2,
	.exec = cmd_ready,
	.complete = complete_ready,
	.needs_module = true,
};

const struct ps_cmd ps_cmd_wake = {
	.name = "wake",
	.args = "NAME [MASK]",
	.help = N_("set readiness |= MASK and wake with key=MASK"),
	.long_help =
		"Adds MASK (default in) to the readiness and walks the wait queue with key=MASK:\n"
		"every non-exclusive entry is called; the walk stops after N exclusive entries\n"
		"woke (default 1, 0 = all). Entries whose requested events do not intersect the\n"
		"key are skipped by their wake function (keyed wakeups).",
	.examples = "Examples: wake a   wake a out   wake a in nr=0",
	.opts = wake_opts,
	.min_args = 1,
	.max_args = 3,
	.exec = cmd_wake,
	.complete = complete_wake,
	.needs_module = true,
};

const struct ps_cmd ps_cmd_write = {
	.name = "write",
	.args = "NAME [VALUE]",
	.help = N_("write VALUE (default 1) to the object, as a producer"),
	.long_help =
		"Adds VALUE to the object's counter, makes it readable (in,rdnorm) and wakes like\n"
		"`wake NAME in,rdnorm`. Real objects: eventfd: eventfd_write(VALUE) (the kernel\n"
		"adds it to the count and calls wake_up_locked_poll(&ctx->wqh, EPOLLIN)); pipe:\n"
		"VALUE bytes into the write end; socketpair: VALUE bytes from socket a to b;\n"
		"timerfd: arm the timer to fire in VALUE ms (0 disarms). pollscope never blocks:\n"
		"a full pipe takes what fits. Example: write a 5",
	.min_args = 1,
	.max_args = 2,
	.exec = cmd_write,
	.complete = complete_first_object,
	.needs_module = true,
};

const struct ps_cmd ps_cmd_read = {
	.name = "read",
	.args = "NAME",
	.help = N_("read the object's counter without blocking, as a consumer"),
	.long_help =
		"Reads the counter (and clears in,rdnorm). Fails with EAGAIN when the object is\n"
		"not readable: pollscope itself never blocks. Real objects: the eventfd counter,\n"
		"the timerfd's expirations, or every byte queued in the pipe (socket b).\n"
		"Example: read a",
	.min_args = 1,
	.max_args = 1,
	.exec = cmd_read,
	.complete = complete_first_object,
	.needs_module = true,
};
