/*
 * The command language: one dispatch table (cmd.c), one entry per command
 * beside its handler (cmd_*.c) carrying its usage, help and options, used
 * identically by scripts, line mode and the TUI.
 */
#ifndef POLLSCOPE_CMD_H
#define POLLSCOPE_CMD_H

#include "pollscope.h"
#include "records.h"

/* One option of a command: KEY=VALUE, or a flag (value NULL). Parsing,
 * completion, usage, help and the error messages all read this table. */
enum ps_opt_kind { PS_OPT_FLAG, PS_OPT_INT, PS_OPT_MASK, PS_OPT_WORD };

struct ps_opt {
	const char *name;  /* "timeout" */
	const char *value; /* "MS": written timeout=MS; NULL for a flag */
	enum ps_opt_kind kind;
	int min, max;	  /* PS_OPT_INT */
	const char *what; /* a bad value: what it should be (default for
			   * numbers "a number from MIN to MAX") */
	const char *help; /* help's line; NULL: told with the option before, or in the long help */
	const char *help_names;		 /* help's left column when not NAME=VALUE */
	int (*check)(const char *value); /* PS_OPT_WORD: 0 if valid */
};

/* What ps_cmd_parse_opts found, by index into the command's table. */
struct ps_optval {
	bool set;
	int num;	 /* PS_OPT_INT */
	uint32_t mask;	 /* PS_OPT_MASK */
	const char *str; /* PS_OPT_WORD: the value */
};
#define PS_CMD_MAX_OPTS 16

struct ps_cmdctx;
struct ps_comp;

struct ps_cmd {
	const char *name;
	const char *args;	/* the arguments before the options: "KIND NAME[,NAME...]" */
	const char *usage;	/* filled from name, args and opts: "wake NAME [MASK] [nr=N]" */
	const char *help;	/* one line */
	const char *long_help;	/* several lines, '\n' separated (the options follow) */
	const char *examples;	/* after the options, or NULL */
	int min_args, max_args; /* arguments after the name; -1 = unlimited */
	int (*exec)(struct ps_cmdctx *c);
	/* Tab completion of argument argi (1: the first after the name). */
	void (*complete)(struct ps_comp *cc, int argi);
	bool needs_module;	   /* attach before running */
	const struct ps_opt *opts; /* NULL-terminated, or NULL */
};

/* What a handler gets. Handlers never print: they emit records. */
struct ps_cmdctx {
	struct ps_session *s;
	const struct ps_cmd *cmd;
	int argc; /* arguments, not counting the command name */
	char **argv;
	const struct ps_sink *sink;
	char *err; /* handlers write the one-line error here and return -1 */
	size_t errlen;
};

const struct ps_cmd *ps_cmd_table(size_t *n);
const struct ps_cmd *ps_cmd_find(const char *name);
/* Closest command name for a typo ("wkae" -> "wake"), or NULL. */
const char *ps_cmd_suggest(const char *name);

/* Run one already tokenized command (argv[0] is the name). */
int ps_cmd_run(struct ps_session *s, int argc, char **argv, const struct ps_sink *sink, char *err,
	       size_t errlen);

/* Error helper: "CMD: message" into c->err; returns -1. */
int ps_cmd_error(struct ps_cmdctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The command's options among argv[from...] into val[] (indexed like
 * c->cmd->opts). Other words: 0 with them left for the handler when rest is
 * not NULL (their indexes in rest[], their count in *nrest), else an error.
 * Returns 0, or -1 with the error in c->err. */
int ps_cmd_parse_opts(struct ps_cmdctx *c, int from, struct ps_optval *val, int *rest, int *nrest);
/* Index of the option named name in the command's table (-1 if none). */
int ps_cmd_opt_index(const struct ps_cmd *cmd, const char *name);
/* "events=MASK timeout=MS edge ..." */
void ps_cmd_opts_text(const struct ps_cmd *cmd, char *buf, size_t len);

/* Completion helpers for the commands' complete callbacks. */
struct ps_session *ps_comp_session(struct ps_comp *cc);
void ps_comp_offer(struct ps_comp *cc, const char *word);
/* object names (after a ',', for the part after it) */
void ps_comp_objects(struct ps_comp *cc);
void ps_comp_waiters(struct ps_comp *cc);
void ps_comp_masks(struct ps_comp *cc);
void ps_comp_commands(struct ps_comp *cc);
/* the options of the command being completed: "name=" or the flag */
void ps_comp_options(struct ps_comp *cc);

/* spawn's options as a waiter shows them ("events=in timeout=500 loop"). */
struct ps_spawn_req;
void ps_spawn_options_text(const struct ps_spawn_req *req, char *buf, size_t len);

/* The entries (one per command, beside its handler). */
extern const struct ps_cmd ps_cmd_create, ps_cmd_destroy, ps_cmd_ready, ps_cmd_wake, ps_cmd_write,
	ps_cmd_read, ps_cmd_spawn, ps_cmd_kill, ps_cmd_forget, ps_cmd_signal, ps_cmd_show,
	ps_cmd_ps, ps_cmd_inspect, ps_cmd_watch, ps_cmd_unwatch, ps_cmd_cost, ps_cmd_events,
	ps_cmd_stats, ps_cmd_version, ps_cmd_settle, ps_cmd_sleep, ps_cmd_say, ps_cmd_pause,
	ps_cmd_help, ps_cmd_quit, ps_cmd_waits, ps_cmd_diagram;

#endif
