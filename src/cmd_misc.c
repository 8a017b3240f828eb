/* sleep, say, pause, help, quit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

int cmd_sleep(struct ps_cmdctx *c)
{
	int ms;
	uint64_t deadline;

	if (ps_parse_uint(c->argv[0], &ms) < 0)
		return ps_cmd_error(c, "bad duration '%s': milliseconds", c->argv[0]);
	deadline = ps_now_ns() + (uint64_t)ms * 1000000ull;
	for (;;) {
		uint64_t now = ps_now_ns();

		ps_session_process(c->s);
		if (now >= deadline)
			return 0;
		if (ps_interrupted ||
		    ps_session_wait(c->s, (int)((deadline - now + 999999) / 1000000ull)) < 0)
			return ps_cmd_error(c, "interrupted");
	}
}

int cmd_say(struct ps_cmdctx *c)
{
	char text[1024];

	join_args(c, text, sizeof(text));
	if (c->s->hooks.say) {
		c->s->hooks.say(c->s->hooks.ctx, text);
	} else {
		struct ps_field f[1] = { { "text", PS_F_STR, text, 0 } };
		ps_emit(c->sink, PS_REC_SAY, NULL, f, 1, "%s", text);
	}
	return 0;
}

int cmd_pause(struct ps_cmdctx *c)
{
	char text[1024];

	join_args(c, text, sizeof(text));
	if (c->s->hooks.pause) {
		if (c->s->hooks.pause(c->s->hooks.ctx, text) < 0)
			return ps_cmd_error(c, "stopped");
		return 0;
	}
	if (!c->s->opts.interactive)
		return 0;
	{
		FILE *tty = fopen("/dev/tty", "r+e");
		char line[64];
		if (!tty)
			return 0;
		fprintf(tty, "%s%s[press Enter] ", text, text[0] ? " " : "");
		fflush(tty);
		if (!fgets(line, sizeof(line), tty)) {
			fclose(tty);
			return ps_cmd_error(c, "stopped");
		}
		fclose(tty);
	}
	return 0;
}

int cmd_help(struct ps_cmdctx *c)
{
	size_t n;
	const struct ps_cmd *t = ps_cmd_table(&n);

	if (c->argc == 1) {
		const struct ps_cmd *cmd = ps_cmd_find(c->argv[0]);
		if (!cmd) {
			const char *sug = ps_cmd_suggest(c->argv[0]);
			if (sug)
				return ps_cmd_error(c, "no command '%s' (did you mean '%s'?)",
						    c->argv[0], sug);
			return ps_cmd_error(c, "no command '%s'", c->argv[0]);
		}
		struct ps_field f[4] = { { "command", PS_F_STR, cmd->name, 0 },
					 { "usage", PS_F_STR, cmd->usage, 0 },
					 { "help", PS_F_STR, cmd->help, 0 },
					 { "long_help", PS_F_STR,
					   cmd->long_help ? cmd->long_help : "", 0 } };
		ps_emit(c->sink, PS_REC_HELP, cmd, f, 4, "usage: %s", cmd->usage);
		ps_emit_text(c->sink, "  %s", cmd->help);
		if (cmd->long_help) {
			const char *p = cmd->long_help;
			while (*p) {
				size_t l = strcspn(p, "\n");
				ps_emit_text(c->sink, "  %.*s", (int)l, p);
				p += l;
				if (*p)
					p++;
			}
		}
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

int cmd_quit(struct ps_cmdctx *c)
{
	(void)c;
	return PS_EXEC_QUIT;
}
