/* The kernel module through libkmod, and the diagnosis of loading failures. */
#include <errno.h>
#include <libkmod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "i18n.h"
#include "kmodule.h"

#ifndef DEBUGFS_MAGIC
#define DEBUGFS_MAGIC 0x64626720
#endif

struct ps_kmod {
	struct kmod_ctx *ctx;
	struct kmod_module *mod;
};

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = calloc(1, 8192);
	if (!buf) {
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, 8191, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

int ps_kmod_check_support(const char *root, char *err, size_t errlen)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/proc/modules", root);
	if (access(path, F_OK) != 0) {
		snprintf(
			err, errlen,
			_("this kernel has no module support (CONFIG_MODULES is off: /proc/modules "
			  "is missing), so pollscope.ko cannot be loaded here; use a VM or a "
			  "kernel "
			  "with modules"));
		return -1;
	}
	return 0;
}

const char *ps_lockdown_mode(const char *text, char *buf, size_t len)
{
	const char *a = text ? strchr(text, '[') : NULL;
	const char *b = a ? strchr(a, ']') : NULL;

	if (!a || !b || b - a - 1 <= 0 || (size_t)(b - a) > len) {
		snprintf(buf, len, "none");
		return buf;
	}
	snprintf(buf, len, "%.*s", (int)(b - a - 1), a + 1);
	return buf;
}

int ps_vermagic_check(const char *path, const char *vermagic, const char *release, char *err,
		      size_t errlen)
{
	size_t n;

	if (!vermagic || !*vermagic)
		return 0; /* nothing to compare: let the kernel decide */
	n = strcspn(vermagic, " ");
	if (strlen(release) == n && strncmp(vermagic, release, n) == 0)
		return 0;
	snprintf(err, errlen,
		 _("module %s was built for kernel %.*s, but the running kernel is %s; rebuild it "
		   "against this kernel's headers"),
		 path, (int)n, vermagic, release);
	return -1;
}

int ps_debugfs_ensure(const char *root, char *err, size_t errlen)
{
	char path[4096];
	struct statfs sfs;
	char *fs;
	bool have;

	snprintf(path, sizeof(path), "%s/sys/kernel/debug", root);
	if (statfs(path, &sfs) == 0 && (unsigned long)sfs.f_type == DEBUGFS_MAGIC)
		return 0;
	snprintf(path, sizeof(path), "%s/proc/filesystems", root);
	fs = slurp(path);
	have = fs && strstr(fs, "\tdebugfs\n");
	free(fs);
	if (!have) {
		snprintf(err, errlen,
			 _("debugfs is missing: this kernel was built without CONFIG_DEBUG_FS "
			   "(no debugfs in /proc/filesystems)"));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/sys/kernel/debug", root);
	if (*root) {
		snprintf(err, errlen, _("debugfs is not mounted on %s"), path);
		return -1;
	}
	if (mount("debugfs", path, "debugfs", 0, NULL) != 0) {
		snprintf(err, errlen, _("debugfs is not mounted and mounting it on %s failed: %s"),
			 path, strerror(errno));
		return -1;
	}
	return 0;
}

static void insert_error(const char *what, int e, char *err, size_t errlen)
{
	char *lock = slurp("/sys/kernel/security/lockdown");
	char mode[32];

	ps_lockdown_mode(lock, mode, sizeof(mode));
	free(lock);
	if ((e == EPERM || e == EACCES || e == EKEYREJECTED) && strcmp(mode, "none") != 0) {
		snprintf(err, errlen,
			 _("the kernel is locked down (lockdown=%s): it refuses to load the "
			   "unsigned "
			   "module %s"),
			 mode, what);
	} else if (e == EKEYREJECTED || e == ENOKEY) {
		snprintf(err, errlen, _("the kernel requires signed modules and refused %s (%s)"),
			 what, strerror(e));
	} else if (e == EPERM || e == EACCES) {
		snprintf(err, errlen, _("not permitted to load %s: run pollscope as root"), what);
	} else if (e == ENOEXEC) {
		snprintf(err, errlen,
			 _("%s is not a valid module for this kernel (invalid module format: built "
			   "for another kernel?)"),
			 what);
	} else {
		snprintf(err, errlen, _("loading %s failed: %s"), what, strerror(e));
	}
}

int ps_kmod_load(const char *path, const char *build_ko, struct ps_kmod **out, char *err,
		 size_t errlen)
{
	struct ps_kmod *m;
	const char *use = path;
	struct utsname u;
	int r;

	*out = NULL;
	if (!use && build_ko && access(build_ko, R_OK) == 0)
		use = build_ko;
	m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(err, errlen, _("out of memory"));
		return -1;
	}
	m->ctx = kmod_new(NULL, NULL);
	if (!m->ctx) {
		snprintf(err, errlen, _("libkmod could not be initialised"));
		free(m);
		return -1;
	}
	uname(&u);
	if (use) {
		struct kmod_list *info = NULL, *l;
		char vermagic[256] = "";

		if (access(use, R_OK) != 0) {
			snprintf(err, errlen, _("module file %s: %s"), use, strerror(errno));
			goto fail;
		}
		r = kmod_module_new_from_path(m->ctx, use, &m->mod);
		if (r < 0) {
			snprintf(err, errlen, _("module file %s: %s"), use, strerror(-r));
			goto fail;
		}
		if (kmod_module_get_info(m->mod, &info) >= 0) {
			kmod_list_foreach(l, info)
			{
				if (strcmp(kmod_module_info_get_key(l), "vermagic") == 0)
					snprintf(vermagic, sizeof(vermagic), "%s",
						 kmod_module_info_get_value(l));
			}
			kmod_module_info_free_list(info);
		} else {
			snprintf(err, errlen, _("%s is not a kernel module (no .modinfo)"), use);
			goto fail;
		}
		if (ps_vermagic_check(use, vermagic, u.release, err, errlen) < 0)
			goto fail;
		r = kmod_module_insert_module(m->mod, 0, NULL);
		if (r == -EEXIST) {
			ps_kmod_free(m);
			return 0;
		}
		if (r < 0) {
			insert_error(use, -r, err, errlen);
			goto fail;
		}
	} else {
		struct kmod_list *list = NULL;

		r = kmod_module_new_from_lookup(m->ctx, "pollscope", &list);
		if (r < 0 || !list) {
			snprintf(err, errlen,
				 _("the pollscope module is not installed for kernel %s and no "
				   "module "
				   "file was found (build it, or use --module PATH)"),
				 u.release);
			goto fail;
		}
		m->mod = kmod_module_get_module(list);
		kmod_module_unref_list(list);
		if (kmod_module_get_initstate(m->mod) == KMOD_MODULE_LIVE) {
			ps_kmod_free(m);
			return 0;
		}
		r = kmod_module_probe_insert_module(m->mod, 0, NULL, NULL, NULL, NULL);
		if (r < 0) {
			insert_error("pollscope", -r, err, errlen);
			goto fail;
		}
	}
	*out = m;
	return 0;
fail:
	ps_kmod_free(m);
	return -1;
}

int ps_kmod_unload(struct ps_kmod *m, char *err, size_t errlen)
{
	int r = 0;

	if (!m)
		return 0;
	for (int tries = 0; tries < 50; tries++) {
		r = kmod_module_remove_module(m->mod, 0);
		if (r != -EAGAIN && r != -EBUSY)
			break;
		usleep(20000); /* files still being released by reaped waiters */
	}
	if (r < 0)
		snprintf(err, errlen, _("unloading the pollscope module failed: %s"), strerror(-r));
	ps_kmod_free(m);
	return r < 0 ? -1 : 0;
}

void ps_kmod_free(struct ps_kmod *m)
{
	if (!m)
		return;
	if (m->mod)
		kmod_module_unref(m->mod);
	if (m->ctx)
		kmod_unref(m->ctx);
	free(m);
}
