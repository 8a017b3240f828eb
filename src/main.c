/* pollscope: option parsing and the choice of front end. */
#include <dirent.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "lineedit.h"
#include "pollscope.h"
#include "tui.h"
#include "version.h"

static void usage(FILE *f)
{
	size_t n;
	const struct ps_cmd *t = ps_cmd_table(&n);

	fprintf(f,
		"usage: pollscope [OPTIONS]                 the full-screen interface (a "
		"terminal)\n"
		"       pollscope [OPTIONS] --demo FILE     run FILE in it step by step\n"
		"       pollscope [OPTIONS] -c 'CMD; CMD'   run commands\n"
		"       pollscope [OPTIONS] -f FILE         run a script ('-' = stdin)\n"
		"       pollscope [OPTIONS] < FILE          commands on a non-terminal stdin\n"
		"       pollscope [OPTIONS] --shell         line mode (history, Tab completion)\n"
		"\n"
		"Watch the Linux poll machinery: create pollable objects (pollscope.ko, or real\n"
		"eventfds, pipes, timerfds and socketpairs), put processes to sleep on them with\n"
		"poll/select/epoll/read, wake them with chosen masks, and see the wait-queue\n"
		"entries and the sleepers' states; inspect the wait queues of any process.\n"
		"\n"
		"Options:\n"
		"  -c, --command CMDS   run CMDS (';' or newline separated) and exit\n"
		"  -f, --file FILE      run the commands in FILE and exit\n"
		"  -s, --shell          line mode with libedit\n"
		"  -D, --demo FILE      full-screen demo: say shows a banner, pause waits\n"
		"                       for Space or Enter; FILE (also for -f) may name an\n"
		"                       installed demo: 01 ... 08 or its full name\n"
		"  -t, --delay MS       with --demo: pause steps go on by themselves after MS\n"
		"  -a, --ascii          full screen: ASCII line drawing instead of UTF-8\n"
		"  -j, --json           print one JSON object per record, one per line\n"
		"  -m, --module PATH    load the module from PATH if it is not loaded\n"
		"  -n, --no-load        never load the module; fail if it is not loaded\n"
		"  -k, --keep-module    leave a module this run loaded in the kernel\n"
		"  -d, --debugfs DIR    use DIR instead of /sys/kernel/debug/pollscope\n"
		"                       (recorded files for tests; no module loading)\n"
		"  -V, --version        print the version and exit\n"
		"  -h, --help           print this help and exit\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "  %s\n      %s\n", t[i].usage, t[i].help);
	fprintf(f,
		"\n"
		"MASK: in out pri err hup rdnorm rdband wrnorm wrband msg rdhup joined by ','\n"
		"or '|', a number, or none. In a script the first failing command stops the\n"
		"run with FILE:LINE: message and exit status 1.\n"
		"\n"
		"Demos (installed in " POLLSCOPE_DATADIR "/demos):\n"
		"  01 poll life cycle   02 select vs poll vs epoll   03 thundering herd\n"
		"  04 lost wakeup       05 key filtering             06 EINTR and timeout\n"
		"  07 read vs poll      08 eventfd internals\n"
		"\n"
		"Examples:\n"
		"  pollscope -c 'create a; spawn poll a; settle; show a; wake a; settle; ps'\n"
		"  pollscope -c 'create e eventfd; spawn poll e; settle; show e; write e 3'\n"
		"  pollscope --demo 02\n"
		"  pollscope --json -c 'create a; spawn epoll a count=2 exclusive; settle; show'\n"
		"See pollscope(1) and pollscope(4).\n");
}

/* Where demos named without a path are looked for, in this order:
 * $POLLSCOPE_DEMO_DIR, the source tree this binary was built from (so a
 * build-tree binary finds them before any install), the installed copy. */
static int demo_dirs(const char **dirs)
{
	const char *env = getenv("POLLSCOPE_DEMO_DIR");
	int n = 0;

	if (env && *env)
		dirs[n++] = env;
	dirs[n++] = POLLSCOPE_SOURCE_DEMOS;
	dirs[n++] = POLLSCOPE_DATADIR "/demos";
	return n;
}

/* Matches of NAME in DIR: NAME or NAME.pscope exactly (returns 1 at once),
 * else every demo whose name starts with "NAME-" (02 finds 02-select...). */
static int demo_in_dir(const char *dir, const char *name, char *buf, size_t len)
{
	size_t n = strlen(name);
	struct dirent *de;
	int matches = 0;
	DIR *d = opendir(dir);

	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		if (l < 8 || strcmp(de->d_name + l - 7, ".pscope") != 0)
			continue;
		if ((l - 7 == n && !strncmp(de->d_name, name, n)) || !strcmp(de->d_name, name)) {
			snprintf(buf, len, "%s/%s", dir, de->d_name);
			matches = 1;
			break;
		}
		if (!strncmp(de->d_name, name, n) && de->d_name[n] == '-') {
			snprintf(buf, len, "%s/%s", dir, de->d_name);
			matches++;
		}
	}
	closedir(d);
	return matches;
}

/* FILE as given if it exists (or has a '/'), else a demo by name from the
 * first directory that has it. NULL, with the reason on stderr, when none. */
static const char *find_demo(const char *name, char *buf, size_t len)
{
	const char *dirs[3];
	int ndirs = demo_dirs(dirs);

	if (!strcmp(name, "-") || strchr(name, '/') || access(name, F_OK) == 0)
		return name;
	for (int i = 0; i < ndirs; i++) {
		int m = demo_in_dir(dirs[i], name, buf, len);

		if (m == 1)
			return buf;
		if (m > 1) {
			fprintf(stderr,
				"pollscope: '%s' names several demos in %s: give more of the "
				"name\n",
				name, dirs[i]);
			return NULL;
		}
	}
	fprintf(stderr, "pollscope: %s: no such file, and no demo of that name in", name);
	for (int i = 0; i < ndirs; i++)
		fprintf(stderr, "%s %s", i ? "," : "", dirs[i]);
	fprintf(stderr, "\n");
	return NULL;
}

static void on_signal(int sig)
{
	(void)sig;
	ps_interrupt();
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "command", required_argument, NULL, 'c' },
		{ "file", required_argument, NULL, 'f' },
		{ "shell", no_argument, NULL, 's' },
		{ "demo", required_argument, NULL, 'D' },
		{ "delay", required_argument, NULL, 't' },
		{ "ascii", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "module", required_argument, NULL, 'm' },
		{ "no-load", no_argument, NULL, 'n' },
		{ "keep-module", no_argument, NULL, 'k' },
		{ "debugfs", required_argument, NULL, 'd' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ps_session_opts o = { 0 };
	const char *command = NULL, *file = NULL;
	struct tui_opts to = { 0 };
	bool tui = false;
	bool shell = false, json = false;
	struct ps_session *s;
	struct ps_sink sink;
	struct sigaction sa;
	char demo_buf[4096], file_buf[4096];
	int c, rc;

	while ((c = getopt_long(argc, argv, "c:f:sD:t:ajm:nkd:Vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			command = optarg;
			break;
		case 'f':
			file = optarg;
			break;
		case 's':
			shell = true;
			break;
		case 'D':
			to.demo_file = optarg;
			break;
		case 't':
			to.demo_delay_ms = atoi(optarg);
			if (to.demo_delay_ms <= 0) {
				fprintf(stderr, "pollscope: --delay wants milliseconds > 0\n");
				return 2;
			}
			break;
		case 'a':
			to.ascii = true;
			o.ascii = true; /* diagram's box drawing too */
			break;
		case 'j':
			json = true;
			break;
		case 'm':
			o.module_path = optarg;
			break;
		case 'n':
			o.no_load = true;
			break;
		case 'k':
			o.keep_module = true;
			break;
		case 'd':
			o.debugfs_dir = optarg;
			break;
		case 'V':
			printf("pollscope %s (module interface %d)\n", pollscope_version(),
			       PS_INTERFACE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "Try 'pollscope --help'.\n");
			return 2;
		}
	}
	if (to.demo_file && !(to.demo_file = find_demo(to.demo_file, demo_buf, sizeof(demo_buf))))
		return 2;
	if (file && !(file = find_demo(file, file_buf, sizeof(file_buf))))
		return 2;
	if (optind < argc) {
		fprintf(stderr, "pollscope: unexpected argument '%s' (commands go in -c '...')\n",
			argv[optind]);
		return 2;
	}
	if ((command != NULL) + (file != NULL) + shell + (to.demo_file != NULL) > 1) {
		fprintf(stderr, "pollscope: -c, -f, --shell and --demo exclude each other\n");
		return 2;
	}
	if (to.demo_file || (!command && !file && !shell && isatty(STDIN_FILENO)))
		tui = true;
	if (tui && json) {
		fprintf(stderr,
			"pollscope: --json is for scripts (-c, -f, stdin), not the full screen\n");
		return 2;
	}
	o.interactive = shell || (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) && !command &&
				  (!file || strcmp(file, "-") == 0));
	if (file && strcmp(file, "-") != 0)
		o.interactive = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	if (tui)
		o.interactive = true;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	s = ps_session_new(&o);
	if (!s) {
		fprintf(stderr, "pollscope: cannot create a session\n");
		return 1;
	}
	sink.record = json ? ps_sink_json : ps_sink_text;
	sink.ctx = stdout;
	ps_session_set_async_sink(s, &sink);

	if (command) {
		rc = ps_run_script_string(s, command, "-c", &sink, stderr);
	} else if (file) {
		FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "re");
		if (!f) {
			perror(file);
			ps_session_free(s);
			return 1;
		}
		rc = ps_run_script_file(s, f, strcmp(file, "-") == 0 ? "<stdin>" : file, &sink,
					stderr);
		if (f != stdin)
			fclose(f);
	} else if (tui) {
		rc = tui_run(s, &to);
	} else if (shell) {
		rc = ps_shell(s, &sink);
	} else {
		rc = ps_run_script_file(s, stdin, "<stdin>", &sink, stderr);
	}
	ps_session_free(s);
	return rc;
}
