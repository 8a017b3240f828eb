/* sleep, say, pause, help, quit. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "record.h"
#include "cmd.h"
#include "session.h"

static void join_args(struct ps_cmdctx *c, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < c->argc && used < len; i++) {
		int k = snprintf(buf + used, len - used, "%s%s", i ? " " : "", c->argv[i]);
		if (k < 0)
			break;
		used += (size_t)k;
	}
}

static int cmd_sleep(struct ps_cmdctx *c)
{
	int ms;
	uint64_t deadline;

	if (ps_parse_uint(c->argv[0], &ms) < 0)
		return ps_cmd_error(c, _("bad duration '%s': milliseconds"), c->argv[0]);
	deadline = ps_now_ns() + (uint64_t)ms * 1000000ull;
	for (;;) {
		uint64_t now = ps_now_ns();

		ps_session_process(c->s);
		if (now >= deadline)
			return 0;
		if (ps_interrupted ||
		    ps_session_wait(c->s, (int)((deadline - now + 999999) / 1000000ull)) < 0)
			return ps_cmd_error(c, _("interrupted"));
	}
}

static int cmd_say(struct ps_cmdctx *c)
{
	char text[1024];

	join_args(c, text, sizeof(text));
	ps_record_say(c->s, text);
	if (c->s->hooks.say) {
		c->s->hooks.say(c->s->hooks.ctx, text);
	} else {
		struct ps_field f[1] = { { "text", PS_F_STR, text, 0 } };
		ps_emit(c->sink, PS_REC_SAY, NULL, f, 1, "%s", text);
	}
	return 0;
}

static int cmd_pause(struct ps_cmdctx *c)
{
	char text[1024];

	join_args(c, text, sizeof(text));
	ps_record_pause(c->s, text);
	if (c->s->hooks.pause) {
		if (c->s->hooks.pause(c->s->hooks.ctx, text) < 0)
			return ps_cmd_error(c, _("stopped"));
		return 0;
	}
	if (!c->s->opts.interactive)
		return 0;
	{
		FILE *tty = fopen("/dev/tty", "r+e");
		char line[64];
		if (!tty)
			return 0;
		fprintf(tty, _("%s%s[press Enter] "), text, text[0] ? " " : "");
		fflush(tty);
		if (!fgets(line, sizeof(line), tty)) {
			fclose(tty);
			return ps_cmd_error(c, _("stopped"));
		}
		fclose(tty);
	}
	return 0;
}

static void emit_lines(struct ps_cmdctx *c, const char *p)
{
	while (p && *p) {
		size_t l = strcspn(p, "\n");
		ps_emit_text(c->sink, "  %.*s", (int)l, p);
		p += l;
		if (*p)
			p++;
	}
}

/* The long help, then a line per option from its table ("  timeout=MS    the
 * call's timeout ..."), then the examples. */
static void full_help(const struct ps_cmd *cmd, char *buf, size_t len)
{
	buf[0] = '\0';
	if (cmd->long_help)
		ps_appendf(buf, len, "%s", cmd->long_help);
	for (const struct ps_opt *o = cmd->opts; o && o->name; o++) {
		char names[64];

		if (!o->help)
			continue; /* told with the option before, or in the long help */
		if (o->help_names)
			snprintf(names, sizeof(names), "%s", o->help_names);
		else
			snprintf(names, sizeof(names), "%s%s%s", o->name, o->value ? "=" : "",
				 o->value ? o->value : "");
		ps_appendf(buf, len, strlen(names) < 14 ? "%s  %-13s %s" : "%s  %s   %s",
			   buf[0] ? "\n" : "", names, o->help);
	}
	if (cmd->examples)
		ps_appendf(buf, len, "%s%s", buf[0] ? "\n" : "", cmd->examples);
}

static int cmd_help(struct ps_cmdctx *c)
{
	size_t n;
	const struct ps_cmd *t = ps_cmd_table(&n);

	if (c->argc == 1) {
		const struct ps_cmd *cmd = ps_cmd_find(c->argv[0]);
		if (!cmd) {
			const char *sug = ps_cmd_suggest(c->argv[0]);
			if (sug)
				return ps_cmd_error(c, _("no command '%s' (did you mean '%s'?)"),
						    c->argv[0], sug);
			return ps_cmd_error(c, _("no command '%s'"), c->argv[0]);
		}
		char text[2048];
		full_help(cmd, text, sizeof(text));
		struct ps_field f[4] = { { "command", PS_F_STR, cmd->name, 0 },
					 { "usage", PS_F_STR, cmd->usage, 0 },
					 { "help", PS_F_STR, cmd->help, 0 },
					 { "long_help", PS_F_STR, text, 0 } };
		ps_emit(c->sink, PS_REC_HELP, cmd, f, 4, "usage: %s", cmd->usage);
		ps_emit_text(c->sink, "  %s", cmd->help);
		emit_lines(c, text);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		struct ps_field f[3] = { { "command", PS_F_STR, t[i].name, 0 },
					 { "usage", PS_F_STR, t[i].usage, 0 },
					 { "help", PS_F_STR, t[i].help, 0 } };
		ps_emit(c->sink, PS_REC_HELP, &t[i], f, 3, "  %-26.26s %s", t[i].usage, t[i].help);
	}
	ps_emit_text(c->sink, "Commands are separated by ';' or newlines; '#' starts a comment. "
			      "help COMMAND explains one.");
	return 0;
}

static int cmd_quit(struct ps_cmdctx *c)
{
	(void)c;
	return PS_EXEC_QUIT;
}

static void complete_help(struct ps_comp *cc, int argi)
{
	if (argi == 1)
		ps_comp_commands(cc);
}

/* ----------------------------------------------------------- entries */

const struct ps_cmd ps_cmd_sleep = {
	.name = "sleep",
	.args = "MS",
	.help = N_("wait MS milliseconds (reports keep arriving)"),
	.min_args = 1,
	.max_args = 1,
	.exec = cmd_sleep,
};

const struct ps_cmd ps_cmd_say = {
	.name = "say",
	.args = "TEXT",
	.help = N_("print a line of narration"),
	.long_help = "In the TUI's demo mode the text appears in a banner.",
	.min_args = 0,
	.max_args = -1,
	.exec = cmd_say,
};

const struct ps_cmd ps_cmd_pause = {
	.name = "pause",
	.args = "[TEXT]",
	.help = N_("wait for Enter (interactive only; a no-op in scripts)"),
	.min_args = 0,
	.max_args = -1,
	.exec = cmd_pause,
};

const struct ps_cmd ps_cmd_help = {
	.name = "help",
	.args = "[COMMAND]",
	.help = N_("list the commands, or explain one"),
	.min_args = 0,
	.max_args = 1,
	.exec = cmd_help,
	.complete = complete_help,
};

const struct ps_cmd ps_cmd_quit = {
	.name = "quit",
	.help = N_("end the session (waiters are killed, objects destroyed)"),
	.min_args = 0,
	.max_args = 0,
	.exec = cmd_quit,
};
