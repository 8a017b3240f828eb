/* The kernel module: finding, loading and unloading it (libkmod), and the
 * plain-language diagnosis of every way that can fail. */
#ifndef POLLSCOPE_KMODULE_H
#define POLLSCOPE_KMODULE_H

#include <stdbool.h>
#include <stddef.h>

struct ps_kmod; /* a module this run loaded */

/* Load pollscope.ko: from path if non-NULL, else from build_ko if that file
 * exists, else the installed module by name. On success *out is set (NULL if
 * the module turned out to be loaded already). */
int ps_kmod_load(const char *path, const char *build_ko, struct ps_kmod **out, char *err,
		 size_t errlen);
/* Unload a module this run loaded and free the handle. */
int ps_kmod_unload(struct ps_kmod *m, char *err, size_t errlen);
void ps_kmod_free(struct ps_kmod *m);

/* Pure diagnosis helpers (unit-tested). root is a prefix for /proc and /sys
 * ("" on a real system). */
/* 0 if modules can be loaded at all, else -1 with the reason. */
int ps_kmod_check_support(const char *root, char *err, size_t errlen);
/* The active lockdown mode from the text of /sys/kernel/security/lockdown
 * ("none [integrity] confidentiality" -> "integrity"); "none" if unknown. */
const char *ps_lockdown_mode(const char *text, char *buf, size_t len);
/* vermagic "6.1.0-56-amd64 SMP preempt mod_unload modversions" against a
 * release; 0 if it matches, else -1 with the message. */
int ps_vermagic_check(const char *path, const char *vermagic, const char *release, char *err,
		      size_t errlen);
/* Is debugfs available and mounted under root/sys/kernel/debug? Mounts it
 * if needed (only when root is ""). 0 or -1 with the reason. */
int ps_debugfs_ensure(const char *root, char *err, size_t errlen);

#endif
