// SPDX-License-Identifier: GPL-2.0
/*
 * pollscope: the control file (one command per write) and the text syntax
 * shared by every file: MASK names, WQ_FLAG_* names, sanitised comm values.
 */
#include <linux/kernel.h>
#include <linux/ctype.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/fs.h>
#include "pollscope.h"

const struct ps_mask_name ps_mask_names[] = {
	{ "in", EPOLLIN },	   { "out", EPOLLOUT },	      { "pri", EPOLLPRI },
	{ "err", EPOLLERR },	   { "hup", EPOLLHUP },	      { "rdnorm", EPOLLRDNORM },
	{ "rdband", EPOLLRDBAND }, { "wrnorm", EPOLLWRNORM }, { "wrband", EPOLLWRBAND },
	{ "msg", EPOLLMSG },	   { "rdhup", EPOLLRDHUP },
};

const unsigned int ps_mask_count = ARRAY_SIZE(ps_mask_names);

/* Later kernels renumber or drop some of these: never hardcode them. */
const struct ps_flag_name ps_flag_names[] = {
	{ "exclusive", WQ_FLAG_EXCLUSIVE },
#ifdef WQ_FLAG_WOKEN
	{ "woken", WQ_FLAG_WOKEN },
#endif
#ifdef WQ_FLAG_BOOKMARK
	{ "bookmark", WQ_FLAG_BOOKMARK },
#endif
#ifdef WQ_FLAG_CUSTOM
	{ "custom", WQ_FLAG_CUSTOM },
#endif
#ifdef WQ_FLAG_DONE
	{ "done", WQ_FLAG_DONE },
#endif
#ifdef WQ_FLAG_PRIORITY
	{ "priority", WQ_FLAG_PRIORITY },
#endif
};

const unsigned int ps_flag_count = ARRAY_SIZE(ps_flag_names);

/* One element of a MASK: a name or a number (decimal, or hex after 0x). */
static int ps_mask_elem(const char *s, __poll_t *out)
{
	unsigned int i;
	u32 v;
	int ret;

	for (i = 0; i < ps_mask_count; i++) {
		if (!strcmp(s, ps_mask_names[i].name)) {
			*out = ps_mask_names[i].bit;
			return 0;
		}
	}
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		/* kstrtou32() base 16 would skip a second "0x" */
		if (!isxdigit(s[2]) || (s[2] == '0' && (s[3] == 'x' || s[3] == 'X')))
			return -EINVAL;
		ret = kstrtou32(s + 2, 16, &v);
	} else {
		if (!isdigit(s[0]))
			return -EINVAL;
		ret = kstrtou32(s, 10, &v);
	}
	if (ret)
		return -EINVAL;
	if (v & ~(__force u32)PS_MASK_ALL)
		return -EINVAL; /* only the named bits: no POLLFREE & co */
	*out = (__force __poll_t)v;
	return 0;
}

/*
 * MASK: "none", or names and numbers joined by ',' or '|'.  Only the eleven
 * named bits are accepted.  s is not modified.
 */
int ps_mask_parse(const char *s, __poll_t *out)
{
	char elem[24];
	__poll_t mask = 0, m;
	const char *p = s;
	size_t n;
	int ret;

	if (!*s)
		return -EINVAL;
	if (!strcmp(s, "none")) {
		*out = 0;
		return 0;
	}
	for (;;) {
		n = strcspn(p, ",|");
		if (n == 0 || n >= sizeof(elem))
			return -EINVAL;
		memcpy(elem, p, n);
		elem[n] = '\0';
		ret = ps_mask_elem(elem, &m);
		if (ret)
			return ret;
		mask |= m;
		p += n;
		if (!*p)
			break;
		p++; /* the separator; an element must follow */
	}
	*out = mask;
	return 0;
}

char *ps_mask_str(char *buf, size_t len, __poll_t mask)
{
	size_t off = 0;
	unsigned int i;
	u32 rest = (__force u32)mask;

	if (!len)
		return buf;
	buf[0] = '\0';
	if (!mask) {
		strscpy(buf, "none", len);
		return buf;
	}
	for (i = 0; i < ps_mask_count; i++) {
		if (!(mask & ps_mask_names[i].bit))
			continue;
		rest &= ~(__force u32)ps_mask_names[i].bit;
		off += scnprintf(buf + off, len - off, "%s%s", off ? "," : "",
				 ps_mask_names[i].name);
	}
	if (rest)
		scnprintf(buf + off, len - off, "%s0x%x", off ? "," : "", rest);
	return buf;
}

char *ps_flags_str(char *buf, size_t len, unsigned int flags)
{
	size_t off = 0;
	unsigned int i, rest = flags;

	if (!len)
		return buf;
	buf[0] = '\0';
	if (!flags) {
		strscpy(buf, "-", len);
		return buf;
	}
	for (i = 0; i < ps_flag_count; i++) {
		if (!(flags & ps_flag_names[i].bit))
			continue;
		rest &= ~ps_flag_names[i].bit;
		off += scnprintf(buf + off, len - off, "%s%s", off ? "," : "",
				 ps_flag_names[i].name);
	}
	if (rest)
		scnprintf(buf + off, len - off, "%s0x%x", off ? "," : "", rest);
	return buf;
}

void ps_comm_sanitize(char *dst, const char *src, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len && src[i]; i++) {
		unsigned char c = src[i];

		dst[i] = (c < 0x21 || c > 0x7e || c == '=') ? '?' : c;
	}
	if (len) {
		if (i == 0 && len > 1)
			dst[i++] = '-';
		dst[i] = '\0';
	}
}

/* NAME: 1-31 characters of [A-Za-z0-9_.-], not "." or "..". */
static int ps_name_check(const char *name)
{
	size_t n = strlen(name), i;

	if (n == 0)
		return -EINVAL;
	if (n > PS_NAME_MAX)
		return -ENAMETOOLONG;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!isalnum(c) && c != '_' && c != '.' && c != '-')
			return -EINVAL;
	}
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return -EINVAL;
	return 0;
}

/*
 * Every argument is validated before anything is looked up or changed, so a
 * failing command changes nothing.
 */
static int ps_cmd_create(char **argv, int argc)
{
	int ret = ps_name_check(argv[1]);

	if (ret)
		return ret;
	mutex_lock(&ps_mutex);
	if (ps_obj_find(argv[1]))
		ret = -EEXIST;
	else if (ps_nobjects >= ps_max_objects)
		ret = -ENOSPC;
	else
		ret = ps_obj_create(argv[1]);
	mutex_unlock(&ps_mutex);
	return ret;
}

static int ps_cmd_destroy(char **argv, int argc)
{
	struct ps_obj *obj;
	int ret = ps_name_check(argv[1]);

	if (ret)
		return ret;
	mutex_lock(&ps_mutex);
	obj = ps_obj_find(argv[1]);
	if (obj)
		ps_obj_destroy(obj);
	else
		ret = -ENOENT;
	mutex_unlock(&ps_mutex);
	return ret;
}

static int ps_cmd_ready(char **argv, int argc)
{
	struct ps_obj *obj;
	__poll_t mask;
	int ret = ps_name_check(argv[1]);

	if (ret)
		return ret;
	ret = ps_mask_parse(argv[2], &mask);
	if (ret)
		return ret;
	mutex_lock(&ps_mutex);
	obj = ps_obj_find(argv[1]);
	if (obj)
		ps_obj_ready(obj, mask);
	else
		ret = -ENOENT;
	mutex_unlock(&ps_mutex);
	return ret;
}

static int ps_cmd_wake(char **argv, int argc)
{
	struct ps_obj *obj;
	__poll_t mask;
	unsigned int nr = 1;
	int ret = ps_name_check(argv[1]);

	if (ret)
		return ret;
	ret = ps_mask_parse(argv[2], &mask);
	if (ret)
		return ret;
	if (argc > 3) {
		if (!isdigit(argv[3][0]) || kstrtouint(argv[3], 10, &nr) || nr > INT_MAX)
			return -EINVAL;
	}
	mutex_lock(&ps_mutex);
	obj = ps_obj_find(argv[1]);
	if (obj)
		ps_obj_wake(obj, mask, nr);
	else
		ret = -ENOENT;
	mutex_unlock(&ps_mutex);
	return ret;
}

/* The bare walk for benchmarks: count NAME's entries under its lock, change nothing. */
static int ps_cmd_walk(char **argv, int argc)
{
	struct ps_obj *obj;
	u64 hold;
	u32 n;
	int ret = ps_name_check(argv[1]);

	if (ret)
		return ret;
	mutex_lock(&ps_mutex);
	obj = ps_obj_find(argv[1]);
	if (obj) {
		n = ps_count_entries(&obj->wq, U32_MAX, &hold);
		ps_walk_account(n, hold);
	} else {
		ret = -ENOENT;
	}
	mutex_unlock(&ps_mutex);
	return ret;
}

static const struct ps_cmd {
	const char *name;
	int min_argc, max_argc; /* the command word included */
	int (*fn)(char **argv, int argc);
} ps_cmds[] = {
	{ "create", 2, 2, ps_cmd_create }, { "destroy", 2, 2, ps_cmd_destroy },
	{ "ready", 3, 3, ps_cmd_ready },   { "wake", 3, 4, ps_cmd_wake },
	{ "walk", 2, 2, ps_cmd_walk },
};

#define PS_MAX_ARGS 4

/* buf is NUL-terminated, len bytes long, and may be modified. */
static int ps_command(char *buf, size_t len)
{
	char *argv[PS_MAX_ARGS];
	char *p, *tok;
	int argc = 0;
	size_t i;

	if (memchr(buf, '\0', len))
		return -EINVAL;
	if (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	for (i = 0; i < len; i++) {
		unsigned char c = buf[i];

		if (c != '\t' && (c < 0x20 || c > 0x7e))
			return -EINVAL;
	}
	p = buf;
	while ((tok = strsep(&p, " \t")) != NULL) {
		if (!*tok)
			continue;
		if (argc == PS_MAX_ARGS)
			return -EINVAL;
		argv[argc++] = tok;
	}
	if (!argc)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(ps_cmds); i++) {
		const struct ps_cmd *c = &ps_cmds[i];

		if (strcmp(argv[0], c->name))
			continue;
		if (argc < c->min_argc || argc > c->max_argc)
			return -EINVAL;
		return c->fn(argv, argc);
	}
	return -EINVAL;
}

static ssize_t ps_control_write(struct file *file, const char __user *ubuf, size_t count,
				loff_t *ppos)
{
	char buf[PS_CMD_MAX + 1];
	int ret;

	if (count == 0 || count > PS_CMD_MAX)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	ret = ps_command(buf, count);
	return ret ? ret : count;
}

const struct file_operations ps_control_fops = {
	.owner = THIS_MODULE,
	.write = ps_control_write,
	.llseek = noop_llseek,
};
