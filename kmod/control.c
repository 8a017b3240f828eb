// SPDX-License-Identifier: GPL-2.0
/*
 * pollscope: the control file, one command per write.  Every argument is
 * checked (format.c) before an object is looked up or changed (object.c).
 */
#include <linux/kernel.h>
#include <linux/ctype.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/fs.h>
#include "pollscope.h"

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
