/* Line mode (--shell) with libedit: prompt, history in ~/.pollscope_history,
 * tab completion of commands, object names and waiter labels. Waiter reports
 * that arrive while the prompt waits are printed above it. */
#include <errno.h>
#include <histedit.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "lineedit.h"
#include "session.h"

struct shell {
	struct ps_session *s;
	const struct ps_sink *sink;
	EditLine *el;
	/* reports that arrive while the prompt waits go through shell_record */
	struct ps_sink async;
	bool printed; /* shell_record wrote over the prompt line since the last redraw */
	/* completion candidates */
	char **cand;
	size_t ncand, ccand;
};

static struct shell *shell_of(EditLine *el)
{
	void *p = NULL;

	el_get(el, EL_CLIENTDATA, &p);
	return p;
}

static char *prompt(EditLine *el)
{
	(void)el;
	return "pollscope> ";
}

/* A waiter report or event while the prompt is on screen: the first one of a
 * batch erases the prompt line, so the record starts at column 0 and the
 * prompt is drawn once, below it, by getc_fn. */
static void shell_record(void *ctx, const struct ps_rec *rec)
{
	struct shell *sh = ctx;

	if (!sh->printed) {
		fputs("\r\033[K", stdout);
		sh->printed = true;
	}
	sh->sink->record(sh->sink->ctx, rec);
}

/* Read one character, serving the session's descriptors meanwhile. */
static int getc_fn(EditLine *el, wchar_t *wc)
{
	struct shell *sh = shell_of(el);

	for (;;) {
		struct pollfd fds[1 + PS_MAX_POLLFDS];
		int n;
		unsigned char ch;

		fds[0].fd = STDIN_FILENO;
		fds[0].events = POLLIN;
		n = 1 + ps_session_pollfds(sh->s, fds + 1, PS_MAX_POLLFDS);
		if (poll(fds, (nfds_t)n, -1) < 0) {
			if (errno == EINTR) {
				if (ps_interrupted)
					return -1;
				continue;
			}
			return -1;
		}
		if (n > 1) {
			bool any = false;
			for (int i = 1; i < n; i++)
				if (fds[i].revents)
					any = true;
			sh->printed = false;
			if (any)
				ps_session_process(sh->s);
			/* Redraw only when something was printed: a redraw assumes the
			 * cursor at column 0, so one without output (a change that
			 * printed nothing, e.g. a waiter's exit after its report)
			 * draws a second prompt after the first. */
			if (sh->printed) {
				fflush(stdout);
				el_set(el, EL_REFRESH);
			}
		}
		if (fds[0].revents) {
			ssize_t r = read(STDIN_FILENO, &ch, 1);
			if (r == 1) {
				*wc = (wchar_t)ch;
				return 1;
			}
			if (r == 0)
				return 0;
			if (errno != EINTR && errno != EAGAIN)
				return -1;
		}
	}
}

static void add_cand(void *ctx, const char *word)
{
	struct shell *sh = ctx;

	if (sh->ncand == sh->ccand) {
		size_t nc = sh->ccand ? 2 * sh->ccand : 16;
		char **p = realloc(sh->cand, nc * sizeof(*p));
		if (!p)
			return;
		sh->cand = p;
		sh->ccand = nc;
	}
	sh->cand[sh->ncand] = strdup(word);
	if (sh->cand[sh->ncand])
		sh->ncand++;
}

static unsigned char complete_fn(EditLine *el, int ch)
{
	struct shell *sh = shell_of(el);
	const LineInfo *li = el_line(el);
	char before[1024];
	size_t len = (size_t)(li->cursor - li->buffer), plen, common;
	const char *word;
	unsigned char ret = CC_REFRESH;

	(void)ch;
	if (len >= sizeof(before))
		return CC_ERROR;
	memcpy(before, li->buffer, len);
	before[len] = '\0';
	word = before + len;
	while (word > before && word[-1] != ' ' && word[-1] != '\t' && word[-1] != ';')
		word--;
	/* for spawn's NAME,NAME the candidate holds the whole word */
	plen = strlen(word);
	sh->ncand = 0;
	ps_complete(sh->s, before, add_cand, sh);
	if (sh->ncand == 0)
		return CC_ERROR;
	common = strlen(sh->cand[0]);
	for (size_t i = 1; i < sh->ncand; i++) {
		size_t k = 0;
		while (k < common && sh->cand[i][k] == sh->cand[0][k])
			k++;
		common = k;
	}
	if (common > plen) {
		char ins[256];
		snprintf(ins, sizeof(ins), "%.*s", (int)(common - plen), sh->cand[0] + plen);
		el_insertstr(el, ins);
		if (sh->ncand == 1 && sh->cand[0][common - 1] != '=')
			el_insertstr(el, " ");
	} else if (sh->ncand == 1) {
		if (common == 0 || sh->cand[0][common - 1] != '=')
			el_insertstr(el, " ");
	} else {
		fputc('\n', stdout);
		for (size_t i = 0; i < sh->ncand; i++)
			printf("%s%s", sh->cand[i], i + 1 < sh->ncand ? "  " : "\n");
		fflush(stdout);
		ret = CC_REDISPLAY;
	}
	for (size_t i = 0; i < sh->ncand; i++)
		free(sh->cand[i]);
	sh->ncand = 0;
	return ret;
}

int ps_shell(struct ps_session *s, const struct ps_sink *sink)
{
	struct shell sh = { .s = s, .sink = sink };
	History *hist;
	HistEvent ev;
	char histfile[4096] = "";
	const char *home = getenv("HOME");
	int rc = 0;

	sh.el = el_init("pollscope", stdin, stdout, stderr);
	if (!sh.el) {
		fprintf(stderr, _("pollscope: cannot initialise libedit\n"));
		return 1;
	}
	hist = history_init();
	history(hist, &ev, H_SETSIZE, 1000);
	history(hist, &ev, H_SETUNIQUE, 1);
	if (home && *home) {
		snprintf(histfile, sizeof(histfile), "%s/.pollscope_history", home);
		history(hist, &ev, H_LOAD, histfile);
	}
	el_set(sh.el, EL_CLIENTDATA, &sh);
	if (sink && sink->record) {
		sh.async.record = shell_record;
		sh.async.ctx = &sh;
		ps_session_set_async_sink(s, &sh.async);
	}
	el_set(sh.el, EL_EDITOR, "emacs");
	el_set(sh.el, EL_PROMPT, prompt);
	el_set(sh.el, EL_HIST, history, hist);
	el_set(sh.el, EL_SIGNAL, 1);
	el_set(sh.el, EL_GETCFN, getc_fn);
	el_set(sh.el, EL_ADDFN, "ps-complete", "complete a command, object or waiter", complete_fn);
	el_set(sh.el, EL_BIND, "^I", "ps-complete", NULL);
	el_source(sh.el, NULL);

	printf(_("pollscope %s shell: 'help' lists the commands, Tab completes, Ctrl-D quits.\n"),
	       POLLSCOPE_SHELL_VERSION());
	for (;;) {
		int count = 0;
		const char *line = el_gets(sh.el, &count);
		char buf[4096], err[1024];
		int r;

		if (!line || count <= 0) {
			if (ps_interrupted) {
				ps_interrupt_clear();
				continue;
			}
			putchar('\n');
			break;
		}
		snprintf(buf, sizeof(buf), "%s", line);
		buf[strcspn(buf, "\n")] = '\0';
		if (buf[strspn(buf, " \t")] == '\0')
			continue;
		history(hist, &ev, H_ENTER, buf);
		r = ps_exec(s, buf, sink, err, sizeof(err));
		ps_interrupt_clear();
		if (r == PS_EXEC_ERROR)
			fprintf(stderr, "%s\n", err);
		if (r == PS_EXEC_QUIT)
			break;
	}
	if (histfile[0])
		history(hist, &ev, H_SAVE, histfile);
	history_end(hist);
	ps_session_set_async_sink(s, sink);
	el_end(sh.el);
	free(sh.cand);
	return rc;
}
