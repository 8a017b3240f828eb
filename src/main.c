/* pollscope: option parsing and the choice of front end. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "i18n.h"
#include "lineedit.h"
#include "pollscope.h"
#include "record.h"
#include "tui.h"
#include "version.h"

static void usage(FILE *f)
{
	size_t n;
	const struct ps_cmd *t = ps_cmd_table(&n);

	fputs(_("usage: pollscope [OPTIONS]                 the full-screen interface (a "
		"terminal)\n"
		"       pollscope [OPTIONS] --demo FILE     run FILE in it step by step\n"
		"       pollscope [OPTIONS] -c 'CMD; CMD'   run commands\n"
		"       pollscope [OPTIONS] -f FILE         run a script ('-' = stdin)\n"
		"       pollscope [OPTIONS] < FILE          commands on a non-terminal stdin\n"
		"       pollscope [OPTIONS] --shell         line mode (history, Tab completion)\n"
		"       pollscope --replay FILE|DEMO        a recorded session, without the "
		"module\n"
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
		"      --record FILE    write the session (screens' data, events, commands and\n"
		"                       their output) to FILE as JSON lines, for --replay\n"
		"      --replay FILE    show a recorded session in the full screen, without the\n"
		"                       module or root: Space plays, Left/Right step, </> jump,\n"
		"                       +/- speed; FILE may name a shipped demo's recording: 01\n"
		"      --speed X        with --replay: start playing at once, X times as fast\n"
		"      --export-trace OUT  with --replay (or --record, after the run): write\n"
		"                       the recording to OUT ('-' = stdout) as a Chrome/Perfetto\n"
		"                       trace, or as a plain transcript with --format text\n"
		"      --format json|text  the --export-trace format (json)\n"
		"  -V, --version        print the version and exit\n"
		"  -h, --help           print this help and exit\n"
		"\n"
		"Commands:\n"),
	      f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "  %s\n      %s\n", t[i].usage, _(t[i].help));
	fprintf(f,
		_("\n"
		  "MASK: in out pri err hup rdnorm rdband wrnorm wrband msg rdhup joined by ','\n"
		  "or '|', a number, or none. In a script the first failing command stops the\n"
		  "run with FILE:LINE: message and exit status 1.\n"
		  "\n"
		  "Demos (installed in %s/demos):\n"
		  "  01 poll life cycle   02 select vs poll vs epoll   03 thundering herd\n"
		  "  04 lost wakeup       05 key filtering             06 EINTR and timeout\n"
		  "  07 read vs poll      08 eventfd internals\n"
		  "\n"
		  "Examples:\n"
		  "  pollscope -c 'create a; spawn poll a; settle; show a; wake a; settle; ps'\n"
		  "  pollscope -c 'create e eventfd; spawn poll e; settle; show e; write e 3'\n"
		  "  pollscope --demo 02\n"
		  "  pollscope --replay 03                     (no module, no root needed)\n"
		  "  pollscope --replay 01 --export-trace 01.json   (open it in ui.perfetto.dev)\n"
		  "  pollscope --json -c 'create a; spawn epoll a count=2 exclusive; settle; "
		  "show'\n"
		  "See pollscope(1) and pollscope(4).\n"),
		POLLSCOPE_DATADIR);
}

/* Where demos named without a path are looked for, in this order:
 * $POLLSCOPE_DEMO_DIR, the source tree this binary was built from (so a
 * build-tree binary finds them before any install), the installed copy. */
static int demo_dirs(const char **dirs, bool recordings)
{
	const char *env = getenv(recordings ? "POLLSCOPE_RECORDING_DIR" : "POLLSCOPE_DEMO_DIR");
	int n = 0;

	if (env && *env)
		dirs[n++] = env;
	dirs[n++] = recordings ? POLLSCOPE_SOURCE_DEMOS "/recordings" : POLLSCOPE_SOURCE_DEMOS;
	dirs[n++] = recordings ? POLLSCOPE_DATADIR "/recordings" : POLLSCOPE_DATADIR "/demos";
	return n;
}

/* Matches of NAME in DIR: NAME or NAME.EXT exactly (returns 1 at once),
 * else every demo whose name starts with "NAME-" (02 finds 02-select...).
 * EXT: ".pscope" (demos) or ".jsonl" (their recordings). */
static int demo_in_dir(const char *dir, const char *name, const char *ext, char *buf, size_t len)
{
	size_t n = strlen(name), el = strlen(ext);
	struct dirent *de;
	int matches = 0;
	DIR *d = opendir(dir);

	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		if (l < el + 1 || strcmp(de->d_name + l - el, ext) != 0)
			continue;
		if ((l - el == n && !strncmp(de->d_name, name, n)) || !strcmp(de->d_name, name)) {
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
static const char *find_demo(const char *name, bool recording, char *buf, size_t len)
{
	const char *dirs[3];
	int ndirs = demo_dirs(dirs, recording);

	if (!strcmp(name, "-") || strchr(name, '/') || access(name, F_OK) == 0)
		return name;
	for (int i = 0; i < ndirs; i++) {
		const char *lang = recording ? NULL : ps_i18n_lang();
		int m = 0;

		/* the narration in the user's language: DIR/zh_CN/, the same steps */
		if (lang) {
			char sub[4096];

			snprintf(sub, sizeof(sub), "%s/%s", dirs[i], lang);
			m = demo_in_dir(sub, name, ".pscope", buf, len);
		}
		if (m == 0)
			m = demo_in_dir(dirs[i], name, recording ? ".jsonl.gz" : ".pscope", buf,
					len);

		if (recording && m == 0)
			m = demo_in_dir(dirs[i], name, ".jsonl", buf, len);

		if (m == 1)
			return buf;
		if (m > 1) {
			fprintf(stderr,
				_("pollscope: '%s' names several %s in %s: give more of the "
				  "name\n"),
				name, recording ? _("recordings") : _("demos"), dirs[i]);
			return NULL;
		}
	}
	fprintf(stderr, _("pollscope: %s: no such file, and no %s of that name in"), name,
		recording ? _("demo recording") : _("demo"));
	for (int i = 0; i < ndirs; i++)
		fprintf(stderr, "%s %s", i ? "," : "", dirs[i]);
	fprintf(stderr, "\n");
	return NULL;
}

/* --export-trace OUT: the recording in the chosen format ('-': stdout). */
static int export_file(const char *path, const char *out, const char *format)
{
	struct ps_recording r;
	char err[512];
	FILE *f;
	int rc;

	if (ps_recording_load(path, &r, err, sizeof(err)) < 0) {
		fprintf(stderr, _("pollscope: %s\n"), err);
		return -1;
	}
	f = strcmp(out, "-") == 0 ? stdout : fopen(out, "we");
	if (!f) {
		fprintf(stderr, _("pollscope: cannot write %s: %s\n"), out, strerror(errno));
		ps_recording_free(&r);
		return -1;
	}
	rc = strcmp(format, "text") == 0 ? ps_export_text(&r, f, err, sizeof(err))
					 : ps_export_trace(&r, f, err, sizeof(err));
	if (fflush(f) != 0 && rc == 0) {
		snprintf(err, sizeof(err), "%s", strerror(errno));
		rc = -1;
	}
	if (f != stdout && fclose(f) != 0 && rc == 0) {
		snprintf(err, sizeof(err), "%s", strerror(errno));
		rc = -1;
	}
	if (rc < 0)
		fprintf(stderr, _("pollscope: --export-trace %s: %s\n"), out, err);
	ps_recording_free(&r);
	return rc;
}

/* --replay FILE: the recorded session in the TUI, no module needed; with
 * --export-trace, the trace only. */
static int run_replay(const char *path, const char *export, const char *format, struct tui_opts *to,
		      bool json)
{
	struct ps_session_opts o = { .interactive = true };
	struct ps_recording r;
	struct ps_session *s;
	char err[512];
	int rc;

	if (export)
		return export_file(path, export, format) < 0 ? 1 : 0;
	if (json) {
		fprintf(stderr, _("pollscope: --json is for scripts; --replay opens the full "
				  "screen (or use --export-trace OUT --format text)\n"));
		return 2;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, _("pollscope: --replay needs a terminal (without one: "
				  "--export-trace - --format text)\n"));
		return 2;
	}
	if (ps_recording_load(path, &r, err, sizeof(err)) < 0) {
		fprintf(stderr, _("pollscope: %s\n"), err);
		return 1;
	}
	s = ps_session_new(&o);
	if (!s || ps_replay_start(s, &r) < 0) {
		fprintf(stderr, _("pollscope: cannot create a session\n"));
		ps_recording_free(&r);
		ps_session_free(s);
		return 1;
	}
	to->replay = path;
	rc = tui_run(s, to);
	ps_session_free(s);
	return rc;
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
		{ "record", required_argument, NULL, 'R' },
		{ "replay", required_argument, NULL, 'P' },
		{ "export-trace", required_argument, NULL, 'E' },
		{ "format", required_argument, NULL, 'F' },
		{ "speed", required_argument, NULL, 'S' },
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
	char demo_buf[4096], file_buf[4096], replay_buf[4096];
	const char *record = NULL, *replay = NULL, *export = NULL, *format = "json";
	char *end;
	int c, rc;

	ps_i18n_init();
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
				fprintf(stderr, _("pollscope: --delay wants milliseconds > 0\n"));
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
		case 'R':
			record = optarg;
			break;
		case 'P':
			replay = optarg;
			break;
		case 'E':
			export = optarg;
			break;
		case 'F':
			format = optarg;
			if (strcmp(format, "json") != 0 && strcmp(format, "text") != 0) {
				fprintf(stderr, _("pollscope: --format wants json or text\n"));
				return 2;
			}
			break;
		case 'S':
			to.replay_speed = strtod(optarg, &end);
			if (*end || !(to.replay_speed >= 0.01 && to.replay_speed <= 1000)) {
				fprintf(stderr,
					_("pollscope: --speed wants a factor from 0.01 to 1000\n"));
				return 2;
			}
			break;
		case 'V':
			printf("pollscope %s (module interface %d)\n", pollscope_version(),
			       PS_INTERFACE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, _("Try 'pollscope --help'.\n"));
			return 2;
		}
	}
	if (to.demo_file &&
	    !(to.demo_file = find_demo(to.demo_file, false, demo_buf, sizeof(demo_buf))))
		return 2;
	if (file && !(file = find_demo(file, false, file_buf, sizeof(file_buf))))
		return 2;
	if (replay && !(replay = find_demo(replay, true, replay_buf, sizeof(replay_buf))))
		return 2;
	if (optind < argc) {
		fprintf(stderr,
			_("pollscope: unexpected argument '%s' (commands go in -c '...')\n"),
			argv[optind]);
		return 2;
	}
	if ((command != NULL) + (file != NULL) + shell + (to.demo_file != NULL) + (replay != NULL) >
	    1) {
		fprintf(stderr,
			_("pollscope: -c, -f, --shell, --demo and --replay exclude each other\n"));
		return 2;
	}
	if (record && replay) {
		fprintf(stderr, _("pollscope: --record and --replay exclude each other\n"));
		return 2;
	}
	if (export && !record && !replay) {
		fprintf(stderr,
			_("pollscope: --export-trace wants --replay FILE or --record FILE\n"));
		return 2;
	}
	if (replay)
		return run_replay(replay, export, format, &to, json);
	if (to.demo_file || (!command && !file && !shell && isatty(STDIN_FILENO)))
		tui = true;
	if (tui && json) {
		fprintf(stderr, _("pollscope: --json is for scripts (-c, -f, stdin), not the full "
				  "screen\n"));
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
		fprintf(stderr, _("pollscope: cannot create a session\n"));
		return 1;
	}
	sink.record = json ? ps_sink_json : ps_sink_text;
	sink.ctx = stdout;
	sink.uses_text = json ? ps_json_uses_text : NULL;
	ps_session_set_async_sink(s, &sink);
	if (record) {
		char err[512];

		if (ps_record_open(s, record, err, sizeof(err)) < 0) {
			fprintf(stderr, _("pollscope: --record: %s\n"), err);
			ps_session_free(s);
			return 1;
		}
	}

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
	if (record) {
		char err[512];

		if (ps_record_close(s, err, sizeof(err)) < 0) {
			fprintf(stderr, _("pollscope: --record: %s\n"), err);
			rc = 1;
		} else if (export && export_file(record, export, format) < 0) {
			rc = 1;
		}
	}
	ps_session_free(s);
	return rc;
}
