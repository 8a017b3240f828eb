/* Module-loading diagnosis on fake /proc and /sys trees. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmodule.h"

static char err[512];

static char *fake_root(void)
{
	char tmpl[] = "/tmp/psroot.XXXXXX";
	char *d = mkdtemp(tmpl), p[512];

	assert_non_null(d);
	snprintf(p, sizeof(p), "mkdir -p %s/proc %s/sys/kernel/debug", d, d);
	assert_int_equal(system(p), 0);
	return strdup(d);
}

static void put(const char *root, const char *file, const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", root, file);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void rmroot(char *root)
{
	char p[512];

	snprintf(p, sizeof(p), "rm -rf %s", root);
	assert_int_equal(system(p), 0);
	free(root);
}

static void test_a_kernel_without_module_support_is_explained(void **state)
{
	char *root = fake_root();

	(void)state;
	assert_int_equal(ps_kmod_check_support(root, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "this kernel has no module support"));
	assert_non_null(strstr(err, "/proc/modules is missing"));
	put(root, "proc/modules", "");
	assert_int_equal(ps_kmod_check_support(root, err, sizeof(err)), 0);
	rmroot(root);
}

static void test_the_lockdown_mode_is_read_from_its_bracket(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(ps_lockdown_mode("[none] integrity confidentiality\n", b, sizeof(b)),
			    "none");
	assert_string_equal(ps_lockdown_mode("none [integrity] confidentiality\n", b, sizeof(b)),
			    "integrity");
	assert_string_equal(ps_lockdown_mode("none integrity [confidentiality]\n", b, sizeof(b)),
			    "confidentiality");
	assert_string_equal(ps_lockdown_mode(NULL, b, sizeof(b)), "none");
	assert_string_equal(ps_lockdown_mode("garbage", b, sizeof(b)), "none");
	assert_string_equal(ps_lockdown_mode("[]", b, sizeof(b)), "none");
}

static void test_a_vermagic_for_another_kernel_is_explained(void **state)
{
	(void)state;
	assert_int_equal(ps_vermagic_check("x.ko",
					   "6.1.0-56-amd64 SMP preempt mod_unload "
					   "modversions ",
					   "6.1.0-56-amd64", err, sizeof(err)),
			 0);
	assert_int_equal(ps_vermagic_check("x.ko", "6.1.0-55-amd64 SMP mod_unload ",
					   "6.1.0-56-amd64", err, sizeof(err)),
			 -1);
	assert_string_equal(err,
			    "module x.ko was built for kernel 6.1.0-55-amd64, but the running "
			    "kernel is 6.1.0-56-amd64; rebuild it against this kernel's headers");
	/* a prefix is not a match */
	assert_int_equal(ps_vermagic_check("x.ko", "6.1.0 SMP", "6.1.0-56-amd64", err, sizeof(err)),
			 -1);
	assert_int_equal(ps_vermagic_check("x.ko", "", "6.1.0-56-amd64", err, sizeof(err)), 0);
}

static void test_missing_or_unmounted_debugfs_is_explained(void **state)
{
	char *root = fake_root();

	(void)state;
	put(root, "proc/filesystems", "nodev\tsysfs\nnodev\tproc\n\text4\n");
	assert_int_equal(ps_debugfs_ensure(root, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "debugfs is missing: this kernel was built without "
				    "CONFIG_DEBUG_FS"));
	put(root, "proc/filesystems", "nodev\tsysfs\nnodev\tdebugfs\n");
	assert_int_equal(ps_debugfs_ensure(root, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "debugfs is not mounted on"));
	rmroot(root);
}

static void test_module_load_failures_are_explained(void **state)
{
	struct ps_kmod *m = (struct ps_kmod *)1;
	char path[] = "/tmp/psnotko.XXXXXX";
	int fd;

	(void)state;
	assert_int_equal(ps_kmod_load("/nonexistent/pollscope.ko", NULL, &m, err, sizeof(err)), -1);
	assert_null(m);
	assert_string_equal(err,
			    "module file /nonexistent/pollscope.ko: No such file or directory");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "not an ELF file\n", 16), 16);
	close(fd);
	assert_int_equal(ps_kmod_load(path, NULL, &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, path));
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_kernel_without_module_support_is_explained),
		cmocka_unit_test(test_the_lockdown_mode_is_read_from_its_bracket),
		cmocka_unit_test(test_a_vermagic_for_another_kernel_is_explained),
		cmocka_unit_test(test_missing_or_unmounted_debugfs_is_explained),
		cmocka_unit_test(test_module_load_failures_are_explained),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
