/*
 * The TUI: wait queues and processes side by side (stacked on narrow
 * terminals), the event timeline and the ':' command line below.
 *
 * It is event driven: one poll() over the terminal and the session's
 * descriptors (the module's events file, the waiters' report pipes, SIGCHLD).
 * It wakes on a timer only while something is highlighted or a waiter's
 * state is about to change without an event, so it costs nothing when idle.
 */
#define _GNU_SOURCE /* vasprintf */
#include <curses.h>
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "cmd.h"
#include "cmdline.h"
#include "explain.h"
#include "i18n.h"
#include "pollscope.h"
#include "record.h"
#include "tui.h"
#include "version.h"
#include "view.h"
#include "waitspane.h"

enum focus { FOCUS_QUEUES, FOCUS_PROCS, FOCUS_EVENTS, FOCUS_COUNT };

/* What keys go to: one state, one dispatch (handle_key). The three views
 * (help, details, a command's listing) are one scrollable pager. */
enum mode { MODE_PANES, MODE_CMDLINE, MODE_HELP, MODE_DETAILS, MODE_OUTPUT, MODE_SEARCH };

enum style {
	ST_NORMAL,
	ST_HEADER,
	ST_TITLE,
	ST_OBJECT,
	ST_ADDED,
	ST_REMOVED,
	ST_CHANGED,
	ST_LINKED,
	ST_SELECTED,
	ST_ERROR,
	ST_BANNER,
	ST_DIM,
	ST_WAKE,
	ST_COUNT
};

struct layout {
	int q_y, q_x, q_h, q_w;			 /* queue pane, including its title row */
	int p_y, p_x, p_h, p_w;			 /* process pane */
	int e_y, e_h;				 /* event timeline */
	int banner_y, banner_h, cmd_y, footer_y; /* banner_h: rows of the wrapped banner */
	bool stacked;
};

struct tui {
	struct ps_session *s;
	const struct tui_opts *opts;
	struct view v;
	struct cmdline cl;
	struct layout lay;
	enum focus focus;
	enum mode mode;
	size_t qsel, qtop, psel, ptop, eback;
	bool quit, dirty, color;
	/* multi-line output of a command (show, ps, inspect, ...), for the pager */
	bool capturing, captured_view;
	struct lines {
		char **v;
		size_t n, cap;
	} out, gen; /* gen: help or details, rebuilt from the current state */
	char out_title[96];
	/* the pager: first line and column shown, the search and its prompt */
	size_t pg_top, pg_left, pg_match; /* pg_match: the line n and N start from */
	enum mode search_from;
	char search[64], sprompt[64];
	char status[256];
	bool status_error;
	char banner[256];
	uint64_t ev_cursor;
	char kernel[64], module[64];
	FILE *frame_log; /* POLLSCOPE_FRAME_LOG: one line per frame, for benchmarks */
	bool drawn_view; /* the last frame showed a view (help, details, a listing) */
	/* demo mode */
	FILE *demo;
	int demo_line;
	bool demo_done;
	bool pausing, pause_done;
	char pause_prompt[300]; /* the status line while pausing */
	bool demo_stopped;	/* q during a pause: the demo ends, the TUI stays */
	uint64_t pause_until;
	uint64_t last_wait_refresh;
	/* a command is running (spawn, settle, kill ...): keys that run no
	 * command are taken, Ctrl-C or q cancels it */
	bool busy;
	char busy_what[96];
	/* changes taken in but not drawn yet: applied at most every
	 * APPLY_MS, so that a burst (a wake of 1000) costs a few snapshots */
	unsigned pend_chg;
	uint64_t last_apply;
	bool expand;	/* the timeline shows every line of a group */
	size_t *tl_vis; /* the timeline's shown lines (indices), rebuilt per frame */
	/* --replay: playing or stepping, at speed x, at recorded time pos */
	bool rp_playing;
	double rp_speed;
	uint64_t rp_pos, rp_wall; /* ns of the recording; ms of view_now_ms */
	/* the waits pane in the process pane's place (A): the system's wait
	 * queues from the waits command, rescanned every WAITS_EVERY_MS (u: now) */
	bool waits_pane, waits_want;
	struct waitspane wp;
	size_t wsel, wtop;
	uint64_t wp_drawn_age; /* the age (s) the title shows */
};

/* A system scan costs (2 s in the VM at 1000 processes): at most every 5 s,
 * and never more than a tenth of the time. */
#define WAITS_EVERY_MS 5000

#define APPLY_MS 50

static volatile sig_atomic_t got_quit_signal, got_cancel, tui_busy;

/* Ctrl-C while a command runs cancels the command; otherwise it quits. */
static void on_quit_signal(int sig)
{
	if (sig == SIGINT && tui_busy) {
		got_cancel = 1;
		return;
	}
	got_quit_signal = 1;
}

/* ------------------------------------------------------------ styles */

static attr_t style(struct tui *t, enum style st)
{
	static const struct {
		short fg, bg;
		attr_t extra, mono;
	} map[ST_COUNT] = {
		[ST_NORMAL] = { -1, -1, A_NORMAL, A_NORMAL },
		[ST_HEADER] = { COLOR_WHITE, COLOR_BLUE, A_BOLD, A_REVERSE },
		[ST_TITLE] = { COLOR_CYAN, -1, A_BOLD, A_BOLD },
		[ST_OBJECT] = { COLOR_MAGENTA, -1, A_BOLD, A_BOLD },
		[ST_ADDED] = { COLOR_GREEN, -1, A_BOLD, A_BOLD | A_UNDERLINE },
		[ST_REMOVED] = { COLOR_RED, -1, A_NORMAL, A_DIM },
		[ST_CHANGED] = { COLOR_YELLOW, -1, A_BOLD, A_BOLD | A_UNDERLINE },
		[ST_LINKED] = { COLOR_CYAN, -1, A_NORMAL, A_UNDERLINE },
		[ST_SELECTED] = { -1, -1, A_REVERSE, A_REVERSE },
		[ST_ERROR] = { COLOR_RED, -1, A_BOLD, A_BOLD },
		[ST_BANNER] = { COLOR_BLACK, COLOR_YELLOW, A_BOLD, A_REVERSE | A_BOLD },
		[ST_DIM] = { -1, -1, A_DIM, A_DIM },
		[ST_WAKE] = { COLOR_YELLOW, -1, A_NORMAL, A_BOLD },
	};

	if (!t->color)
		return map[st].mono;
	if (map[st].fg == -1 && map[st].bg == -1)
		return map[st].extra;
	return COLOR_PAIR(st) | map[st].extra;
}

static void init_styles(struct tui *t)
{
	static const short pairs[ST_COUNT][2] = {
		[ST_HEADER] = { COLOR_WHITE, COLOR_BLUE },
		[ST_TITLE] = { COLOR_CYAN, -1 },
		[ST_OBJECT] = { COLOR_MAGENTA, -1 },
		[ST_ADDED] = { COLOR_GREEN, -1 },
		[ST_REMOVED] = { COLOR_RED, -1 },
		[ST_CHANGED] = { COLOR_YELLOW, -1 },
		[ST_LINKED] = { COLOR_CYAN, -1 },
		[ST_ERROR] = { COLOR_RED, -1 },
		[ST_BANNER] = { COLOR_BLACK, COLOR_YELLOW },
		[ST_WAKE] = { COLOR_YELLOW, -1 },
	};
	const char *no_color = getenv("NO_COLOR");

	t->color = has_colors() && !(no_color && no_color[0]);
	if (!t->color)
		return;
	start_color();
	use_default_colors();
	for (int i = 1; i < ST_COUNT; i++)
		if (pairs[i][0] || pairs[i][1])
			init_pair((short)i, pairs[i][0], pairs[i][1]);
}

/* ------------------------------------------------------------ drawing */

/* The bytes of s that fill at most w display columns (and at most max
 * bytes); *cols gets the columns they take. A wide character (CJK) takes
 * two columns, a combining one none: never count bytes. In a locale that
 * is not multibyte (LANG=C) a UTF-8 sequence counts one column. */
static size_t fit_cols(const char *s, long w, size_t max, long *cols)
{
	mbstate_t st;
	size_t n = 0;
	long c = 0;

	memset(&st, 0, sizeof(st));
	while (s[n] && n < max) {
		wchar_t wc;
		size_t k = MB_CUR_MAX > 1 ? mbrtowc(&wc, s + n, max - n, &st) : (size_t)-1;
		int cw = 1;

		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			/* not a character here: a byte and its continuation bytes */
			for (k = 1; n + k < max && ((unsigned char)s[n + k] & 0xc0) == 0x80; k++)
				;
			memset(&st, 0, sizeof(st));
		} else {
			cw = wcwidth(wc);
			if (cw < 0)
				cw = 1;
		}
		if (c + cw > w)
			break;
		c += cw;
		n += k;
	}
	if (cols)
		*cols = c;
	return n;
}

/* Display columns of text. */
static long text_cols(const char *s)
{
	long c;

	fit_cols(s, LONG_MAX, strlen(s), &c);
	return c;
}

/* s after its first n display columns. */
static const char *skip_cols(const char *s, size_t n)
{
	return s + fit_cols(s, (long)n, strlen(s), NULL);
}

/* Print at most w columns at (y, x), padding with spaces to exactly w. */
static void put(int y, int x, int w, attr_t a, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void put(int y, int x, int w, attr_t a, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	long cols;
	size_t n;

	if (w <= 0 || y < 0 || y >= LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	n = fit_cols(buf, w, strlen(buf), &cols);
	attrset(a);
	mvaddnstr(y, x, buf, (int)n);
	if (cols < w)
		mvhline(y, x + (int)cols, ' ', w - (int)cols);
	attrset(A_NORMAL);
}

/* s padded with spaces to w display columns (and cut to w when cut), into
 * buf: printf's %-10.10s for text that may be wide (translated headers,
 * names): printf counts bytes. right: aligned right (%10s). */
static const char *pad_cols(char *buf, size_t len, const char *s, int w, bool right, bool cut)
{
	long cols;
	size_t n =
		fit_cols(s, cut ? w : LONG_MAX, strlen(s) < len - 1 ? strlen(s) : len - 1, &cols);
	size_t pad = cols < w ? (size_t)(w - cols) : 0, at = 0;

	if (n + pad + 1 > len)
		pad = len - 1 - n;
	if (right) {
		memset(buf, ' ', pad);
		at = pad;
	}
	memcpy(buf + at, s, n);
	at += n;
	if (!right) {
		memset(buf + at, ' ', pad);
		at += pad;
	}
	buf[at] = '\0';
	return buf;
}

static void title_row(struct tui *t, int y, int x, int w, bool focused, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
static void title_row(struct tui *t, int y, int x, int w, bool focused, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	attrset(style(t, ST_DIM));
	if (t->opts->ascii)
		mvhline(y, x, '-', w);
	else
		mvhline(y, x, ACS_HLINE, w);
	attrset(style(t, ST_TITLE) | (focused ? A_REVERSE : 0));
	mvaddnstr(y, x + 1, buf, (int)fit_cols(buf, w - 2, strlen(buf), NULL));
	attrset(A_NORMAL);
}

#define BANNER_MAX_ROWS 4

/* Bytes of the row that starts text (up to its end or a newline) in at most
 * width columns: at the last space that fits, or right after a wide
 * character (Chinese breaks between any two), else cut at width. */
static size_t wrap_cut(const char *text, int width, size_t max)
{
	size_t len = strcspn(text, "\n"), n, brk = 0, i = 0;
	mbstate_t st;

	n = fit_cols(text, width, len < max ? len : max, NULL);
	if (n >= len)
		return len;
	if (n == 0) /* narrower than one character: take it anyway */
		return fit_cols(text, 2, len, NULL) ? fit_cols(text, 2, len, NULL) : 1;
	if (text[n] == ' ')
		return n;
	memset(&st, 0, sizeof(st));
	while (i < n) {
		wchar_t wc = 0;
		size_t k = MB_CUR_MAX > 1 ? mbrtowc(&wc, text + i, n - i, &st) : 1;

		if (k == 0 || k > n - i) {
			k = 1;
			wc = 0;
			memset(&st, 0, sizeof(st));
		}
		if (text[i] == ' ')
			brk = i;
		else if (k > 1 && wcwidth(wc) == 2)
			brk = i + k;
		i += k;
	}
	return brk ? brk : n;
}

#define ROW_BYTES 512

/* Word-wrap text into rows of at most width columns (a word longer than a
 * row is cut across rows); returns the number of rows, at most max. */
static int wrap_rows(const char *text, int width, char rows[][ROW_BYTES], int max)
{
	int n = 0;

	if (width < 1)
		width = 1;
	while (*text && n < max) {
		size_t cut = wrap_cut(text, width, ROW_BYTES - 1);

		if (cut == 0) { /* a newline */
			text++;
			continue;
		}
		snprintf(rows[n++], ROW_BYTES, "%.*s", (int)cut, text);
		text += cut;
		while (*text == ' ')
			text++;
	}
	return n;
}

static void compute_layout(struct tui *t)
{
	struct layout *l = &t->lay;
	int h = LINES, w = COLS, tl, body;

	l->footer_y = h - 1;
	l->cmd_y = h - 2;
	if (t->banner[0]) {
		char rows[BANNER_MAX_ROWS][ROW_BYTES];

		/* a long narration wraps (one column is the margin) */
		l->banner_h = wrap_rows(t->banner, w - 1, rows, BANNER_MAX_ROWS);
		l->banner_y = h - 2 - l->banner_h;
	} else {
		l->banner_h = 0;
		l->banner_y = -1;
	}
	tl = (h - 4) / 4;
	if (tl < 3)
		tl = 3;
	l->e_h = tl + 1;
	l->e_y = (l->banner_y >= 0 ? l->banner_y : l->cmd_y) - l->e_h;
	body = l->e_y - 1;
	l->stacked = w < 140; /* side by side only when both panes get their full columns */
	if (l->stacked) {
		l->q_y = 1;
		l->q_x = 0;
		l->q_w = w;
		/* the waits pane lists the whole system: it takes the larger part */
		l->q_h = t->waits_pane ? body * 2 / 5 : body - body * 2 / 5;
		l->p_y = l->q_y + l->q_h;
		l->p_x = 0;
		l->p_w = w;
		l->p_h = body - l->q_h;
	} else {
		l->q_y = l->p_y = 1;
		l->q_h = l->p_h = body;
		l->q_x = 0;
		l->q_w = w * 11 / 20;
		l->p_x = l->q_w + 1;
		l->p_w = w - l->p_x;
	}
}

static pid_t selected_pid(struct tui *t)
{
	if (t->focus == FOCUS_QUEUES && t->qsel < t->v.nrows) {
		const struct view_row *r = &t->v.rows[t->qsel];

		if (r->type == ROW_ENTRY)
			return t->v.entries[r->index].pid;
		if (r->type == ROW_GHOST)
			return t->v.ghosts[r->index].e.pid;
	} else if (t->focus == FOCUS_PROCS && t->waits_pane) {
		if (t->wsel < t->wp.n)
			return t->wp.rows[t->wsel].pid;
	} else if (t->focus == FOCUS_PROCS) {
		size_t n;
		struct ps_waiter *const *w = ps_session_waiters(t->s, &n);

		if (t->psel < n)
			return w[t->psel]->pid;
	}
	return 0;
}

/* Keep the selection on screen: scrolling touches only visible rows. */
static void clamp_scroll(size_t *sel, size_t *top, size_t n, int visible)
{
	if (visible < 1)
		visible = 1;
	if (n == 0) {
		*sel = *top = 0;
		return;
	}
	if (*sel >= n)
		*sel = n - 1;
	if (*sel < *top)
		*top = *sel;
	if (*sel >= *top + (size_t)visible)
		*top = *sel - (size_t)visible + 1;
}

/* Give a drawn row its highlight, and reverse video when it is selected. */
static void paint_row(int y, int x, int w, attr_t a, bool selected)
{
	if (a != A_NORMAL)
		mvchgat(y, x, w, a, PAIR_NUMBER(a), NULL);
	if (selected)
		mvchgat(y, x, w, A_REVERSE | (a & ~A_COLOR), PAIR_NUMBER(a), NULL);
}

/* Blank the rows from y up to end (exclusive) of a pane. */
static void clear_rows(int y, int end, int x, int w)
{
	for (; y < end; y++)
		put(y, x, w, A_NORMAL, "%s", "");
}

/* "[4-7 of 12, more above and below]" when a pane cannot show all its rows,
 * "" when it can: a cut list must say so. */
static const char *more_note(size_t top, int visible, size_t n, char *buf, size_t len)
{
	size_t last = top + (size_t)(visible > 0 ? visible : 1);
	bool above = top > 0, below = last < n;

	if (!above && !below) {
		buf[0] = '\0';
		return buf;
	}
	snprintf(buf, len, _("[%zu-%zu of %zu, more %s] "), top + 1, below ? last : n, n,
		 above && below ? _("above and below")
		 : above	? _("above (PgUp)")
				: _("below (PgDn)"));
	return buf;
}

static const char *short_kind(const char *kind)
{
	return strcmp(kind, "epoll_waiter") == 0 ? "ep_waiter" : kind;
}

static void draw_entry(struct tui *t, int y, int x, int w, const struct ps_entry *e, bool ghost)
{
	bool wide = w >= 90;
	char pos[16], comm[64];

	/* entries on a real object's several queues: head/position */
	if (e->head >= 0)
		snprintf(pos, sizeof(pos), "%d/%d", e->head, e->pos);
	else
		snprintf(pos, sizeof(pos), "%d", e->pos);

	/* a comm may be wide (a task named in Chinese): pad it by columns */
	if (wide)
		put(y, x, w, A_NORMAL, "  %3s %-10.10s %-26s %6d %s %c %-2s %s%s", pos,
		    short_kind(e->kind), e->func, (int)e->pid,
		    pad_cols(comm, sizeof(comm), e->comm, 14, false, false), e->state,
		    e->exclusive ? "E" : "-", e->key, ghost ? _("  (removed)") : "");
	else
		put(y, x, w, A_NORMAL, " %3s %-10.10s %-16.16s %6d %s %c %-1s %s%s", pos,
		    short_kind(e->kind), view_short_func(e->func), (int)e->pid,
		    pad_cols(comm, sizeof(comm), e->comm, 9, false, true), e->state,
		    e->exclusive ? "E" : "-", e->key, ghost ? _(" (removed)") : "");
}

/* Watched queues of other files (watch PID FD) below the objects, live:
 * their wakes come as the timeline's watch events. Returns the next row. */
static int draw_watches(struct tui *t, int y)
{
	struct layout *l = &t->lay;
	struct ps_watch_info w[8];
	size_t n = ps_session_watches(t->s, w, 8);

	for (size_t i = 0; i < n && i < 8 && y < l->q_y + l->q_h; i++, y++)
		put(y, l->q_x, l->q_w, style(t, ST_OBJECT), "watch %s [%s]  %s  wakes=%lu%s",
		    w[i].name, w[i].file, w[i].queues, w[i].wakes,
		    w[i].limited ? _(" (some not recorded)") : "");
	if (n > 8 && y < l->q_y + l->q_h)
		put(y++, l->q_x, l->q_w, style(t, ST_DIM), _("  %zu more watches (:watch)"), n - 8);
	return y;
}

static void draw_queues(struct tui *t)
{
	struct layout *l = &t->lay;
	int visible = l->q_h - 2, y;
	pid_t link = selected_pid(t);
	uint64_t now = view_now_ms();
	size_t nentries = t->v.nentries;
	char more[64], h[5][64];

	clamp_scroll(&t->qsel, &t->qtop, t->v.nrows, visible);
	snprintf(h[0], sizeof(h[0]), P_("%zu object", "%zu objects", t->v.nobjects), t->v.nobjects);
	snprintf(h[1], sizeof(h[1]), P_("%zu entry", "%zu entries", nentries), nentries);
	title_row(t, l->q_y, l->q_x, l->q_w, t->focus == FOCUS_QUEUES, _(" Wait queues: %s, %s %s"),
		  h[0], h[1], more_note(t->qtop, visible, t->v.nrows, more, sizeof(more)));
	/* each header padded to its column's display width: rows and headers
	 * line up in every language */
	if (l->q_w >= 90)
		put(l->q_y + 1, l->q_x, l->q_w, style(t, ST_DIM), "  %s %s %s %s %s S ex %s",
		    /* TRANSLATORS: queue pane column headers; the widths in columns
		       (a Chinese character takes 2) are: pos 3, kind 10, wake function 26,
		       function 16, key and last result: the rest of the row */
		    pad_cols(h[0], sizeof(h[0]), _("pos"), 3, true, true),
		    pad_cols(h[1], sizeof(h[1]), _("kind"), 10, false, true),
		    pad_cols(h[2], sizeof(h[2]), _("wake function"), 26, false, true),
		    pad_cols(h[3], sizeof(h[3]), "pid", 6, true, true),
		    pad_cols(h[4], sizeof(h[4]), "comm", 14, false, true), _("key"));
	else
		put(l->q_y + 1, l->q_x, l->q_w, style(t, ST_DIM), " %s %s %s %s %s S x %s",
		    pad_cols(h[0], sizeof(h[0]), _("pos"), 3, true, true),
		    pad_cols(h[1], sizeof(h[1]), _("kind"), 10, false, true),
		    pad_cols(h[2], sizeof(h[2]), _("function"), 16, false, true),
		    pad_cols(h[3], sizeof(h[3]), "pid", 6, true, true),
		    pad_cols(h[4], sizeof(h[4]), "comm", 9, false, true), _("key"));
	if (t->v.nrows == 0) {
		put(l->q_y + 2, l->q_x, l->q_w, style(t, ST_DIM),
		    t->v.have_snapshot ? _("  no objects: press n or type :create NAME")
				       : _("  (no snapshot yet)"));
		clear_rows(draw_watches(t, l->q_y + 3), l->q_y + l->q_h, l->q_x, l->q_w);
		return;
	}
	y = l->q_y + 2;
	for (size_t i = t->qtop; i < t->v.nrows && y < l->q_y + l->q_h; i++, y++) {
		const struct view_row *r = &t->v.rows[i];
		attr_t a = A_NORMAL;
		pid_t pid = 0;

		if (r->type == ROW_OBJECT) {
			const struct ps_object *o = &t->v.objects[r->index];

			attr_t oa = style(t, r->hl_until > now ? ST_ADDED : ST_OBJECT);
			const char *isnew = r->hl_until > now ? _("  (new)") : "";
			char cut[48] = "";

			/* a capped snapshot: the rows below are not the whole queue */
			if (o->truncated || o->truncated_more)
				snprintf(cut, sizeof(cut), _(" (%ld%s not listed)"), o->truncated,
					 o->truncated_more ? "+" : "");
			/* real kernel objects have no module counters: show what they have */
			if (o->type[0] && strcmp(o->type, "module") != 0)
				put(y, l->q_x, l->q_w, a,
				    "%s [%s]  ready=%s waiting=%d%s count=%lu open=%d%s", o->name,
				    o->type, o->ready, o->waiting, cut, o->count, o->open, isnew);
			else
				put(y, l->q_x, l->q_w, oa,
				    "%s%s  ready=%s waiting=%d%s polls=%lu wakes=%lu open=%d%s",
				    o->name, o->ours ? "" : "*", o->ready, o->waiting, cut,
				    o->polls, o->wakes, o->open, isnew);
		} else {
			const struct ps_entry *e = r->type == ROW_ENTRY ? &t->v.entries[r->index]
									: &t->v.ghosts[r->index].e;

			pid = e->pid;
			draw_entry(t, y, l->q_x, l->q_w, e, r->type == ROW_GHOST);
			if (r->type == ROW_GHOST)
				a = style(t, ST_REMOVED);
			else if (r->hl_until > now)
				a = style(t, ST_ADDED);
			else if (link && pid == link)
				a = style(t, ST_LINKED);
		}
		paint_row(y, l->q_x, l->q_w, a, t->focus == FOCUS_QUEUES && i == t->qsel);
	}
	y = draw_watches(t, y);
	clear_rows(y, l->q_y + l->q_h, l->q_x, l->q_w);
}

static void draw_procs(struct tui *t)
{
	struct layout *l = &t->lay;
	size_t n;
	struct ps_waiter *const *w = ps_session_waiters(t->s, &n);
	int visible = l->p_h - 2, y;
	pid_t link = selected_pid(t);
	uint64_t now = view_now_ms();
	size_t alive = 0;
	char more[64], h[5][64];

	for (size_t i = 0; i < n; i++)
		alive += w[i]->alive;
	clamp_scroll(&t->psel, &t->ptop, n, visible);
	snprintf(h[0], sizeof(h[0]), P_("%zu waiter", "%zu waiters", n), n);
	title_row(t, l->p_y, l->p_x, l->p_w, t->focus == FOCUS_PROCS,
		  _(" Processes: %s, %zu alive %s"), h[0], alive,
		  more_note(t->ptop, visible, n, more, sizeof(more)));
	put(l->p_y + 1, l->p_x, l->p_w, style(t, ST_DIM), "%s %s %s S %s %s %s",
	    /* TRANSLATORS: process pane column headers; widths in columns (a
	       Chinese character takes 2): label 8, call 7, objects 10 */
	    pad_cols(h[0], sizeof(h[0]), "pid", 6, true, true),
	    pad_cols(h[1], sizeof(h[1]), _("label"), 8, false, true),
	    pad_cols(h[2], sizeof(h[2]), _("call"), 7, false, true),
	    pad_cols(h[3], sizeof(h[3]), "wchan", 14, false, true),
	    pad_cols(h[4], sizeof(h[4]), _("objects"), 10, false, true), _("last result"));
	y = l->p_y + 2;
	if (n == 0)
		put(y++, l->p_x, l->p_w, style(t, ST_DIM), "%s",
		    _("  no waiters: select an object and press s (poll), e (epoll), r (read)"));
	for (size_t i = t->ptop; i < n && y < l->p_y + l->p_h; i++, y++) {
		const struct ps_waiter *p = w[i];
		attr_t a = A_NORMAL;
		const char *last = p->last.valid ? p->last.text
				   : p->alive ? (p->asleep ? _("(asleep)") : _("(entering call)"))
					      : p->exit_text;

		/* a label and object names may be wide (a user's Chinese names) */
		put(y, l->p_x, l->p_w, A_NORMAL, "%6d %s %-7.7s %c %-14.14s %s %s", (int)p->pid,
		    pad_cols(h[1], sizeof(h[1]), p->label, 8, false, true), p->call_name,
		    p->alive ? p->state : 'X', p->alive ? p->wchan : "-",
		    pad_cols(h[4], sizeof(h[4]), p->objects, 10, false, true), last);
		if (!p->alive)
			a = style(t, ST_DIM);
		else if (view_waiter_highlight(&t->v, p->id) > now)
			a = style(t, ST_CHANGED);
		else if (link && p->pid == link)
			a = style(t, ST_LINKED);
		paint_row(y, l->p_x, l->p_w, a, t->focus == FOCUS_PROCS && i == t->psel);
	}
	clear_rows(y, l->p_y + l->p_h, l->p_x, l->p_w);
}

/* How long a sleeper has slept, short: "850 ms", "12.5 s", "310 s". */
static const char *slept_short(long long ms, char *buf, size_t len)
{
	if (ms < 0)
		snprintf(buf, len, "?");
	else if (ms < 1000)
		snprintf(buf, len, "%lld ms", ms);
	else if (ms < 100000)
		snprintf(buf, len, "%.1f s", (double)ms / 1000.0);
	else
		snprintf(buf, len, "%lld s", ms / 1000);
	return buf;
}

/* The waits pane, in the process pane's place: each queue of the system
 * with sleepers (its file, its label, who holds it open) and the threads
 * asleep on it, as the waits command lists them; the title says how old. */
static void draw_waits(struct tui *t)
{
	struct layout *l = &t->lay;
	const struct waitspane *wp = &t->wp;
	int visible = l->p_h - 2, y, bottom = l->p_y + l->p_h;
	bool wide = l->p_w >= 90;
	pid_t link = t->focus == FOCUS_PROCS ? 0 : selected_pid(t);
	char more[64], h[4][64], age[64], tm[24];

	clamp_scroll(&t->wsel, &t->wtop, wp->n, visible);
	t->wp_drawn_age = wp->have || wp->err[0] ? (view_now_ms() - wp->at_ms) / 1000 : 0;
	snprintf(h[0], sizeof(h[0]), P_("%lld queue", "%lld queues", (unsigned long)wp->sum.queues),
		 wp->sum.queues);
	snprintf(h[1], sizeof(h[1]),
		 P_("%lld sleeper", "%lld sleepers", (unsigned long)wp->sum.sleepers),
		 wp->sum.sleepers);
	if (!wp->have && !wp->err[0])
		snprintf(age, sizeof(age), "%s", _("scanning"));
	else if (wp->err[0])
		snprintf(age, sizeof(age), _("scan failed %llu s ago (u: again)"),
			 (unsigned long long)t->wp_drawn_age);
	else
		snprintf(age, sizeof(age), _("%llu s ago (u: rescan)"),
			 (unsigned long long)t->wp_drawn_age);
	title_row(t, l->p_y, l->p_x, l->p_w, t->focus == FOCUS_PROCS, _(" Waits: %s, %s | %s %s"),
		  h[0], h[1], age, more_note(t->wtop, visible, wp->n, more, sizeof(more)));
	put(l->p_y + 1, l->p_x, l->p_w, style(t, ST_DIM), "  %s %s S %s %s  %s",
	    /* TRANSLATORS: waits pane column headers; widths in columns (a
	       Chinese character takes 2): call 24 (narrow: 18), asleep 9 (7) */
	    pad_cols(h[0], sizeof(h[0]), "pid", 7, true, true),
	    pad_cols(h[1], sizeof(h[1]), "comm", wide ? 15 : 10, false, true),
	    pad_cols(h[2], sizeof(h[2]), _("call"), wide ? 24 : 18, false, true),
	    pad_cols(h[3], sizeof(h[3]), _("asleep"), wide ? 9 : 7, true, true),
	    _("wake function"));
	y = l->p_y + 2;
	if (wp->err[0] && y < bottom)
		put(y++, l->p_x, l->p_w, style(t, ST_ERROR), "  %s", wp->err);
	if (!wp->have && !wp->err[0] && y < bottom)
		put(y++, l->p_x, l->p_w, style(t, ST_DIM), "  %s", _("(scanning every process)"));
	else if (wp->have && wp->n == 0 && y < bottom)
		put(y++, l->p_x, l->p_w, style(t, ST_DIM), "  %s",
		    _("no thread sleeps on a wait queue behind a file descriptor"));
	for (size_t i = t->wtop; i < wp->n && y < bottom; i++, y++) {
		const struct wp_row *r = &wp->rows[i];
		attr_t a = A_NORMAL;
		char comm[64];

		if (r->type == WP_QUEUE) {
			char hold[160] = "";

			if (r->holders[0])
				snprintf(hold, sizeof(hold), _("  held by %s"), r->holders);
			put(y, l->p_x, l->p_w, A_NORMAL, "%s  %s%s", r->file, r->label, hold);
			a = style(t, ST_OBJECT);
		} else if (r->type == WP_NOTE) {
			put(y, l->p_x, l->p_w, A_NORMAL, "    %s", r->label);
			a = style(t, ST_DIM);
		} else {
			char fn[96];

			if (r->via_epoll)
				snprintf(fn, sizeof(fn), "via epoll %s", r->label);
			else
				snprintf(fn, sizeof(fn), "%s%s",
					 wide ? r->func : view_short_func(r->func),
					 r->exclusive ? " E" : "");
			if (wide)
				put(y, l->p_x, l->p_w, A_NORMAL, "  %7d %s %c %-24.24s %9s  %s",
				    (int)r->pid,
				    pad_cols(comm, sizeof(comm), r->comm, 15, false, true),
				    r->state, r->call, slept_short(r->slept_ms, tm, sizeof(tm)),
				    fn);
			else
				put(y, l->p_x, l->p_w, A_NORMAL, "  %7d %s %c %-18.18s %7s  %s",
				    (int)r->pid,
				    pad_cols(comm, sizeof(comm), r->comm, 10, false, true),
				    r->state, r->call, slept_short(r->slept_ms, tm, sizeof(tm)),
				    fn);
			if (link && r->pid == link)
				a = style(t, ST_LINKED);
		}
		paint_row(y, l->p_x, l->p_w, a, t->focus == FOCUS_PROCS && i == t->wsel);
	}
	clear_rows(y, bottom, l->p_x, l->p_w);
}

static enum style tl_style(enum tl_kind k)
{
	switch (k) {
	case TL_WAKE:
		return ST_WAKE;
	case TL_RESULT:
		return ST_CHANGED;
	case TL_ERROR:
		return ST_ERROR;
	case TL_SAY:
		return ST_TITLE;
	case TL_MESSAGE:
		return ST_NORMAL;
	default:
		return ST_DIM;
	}
}

static void draw_events(struct tui *t)
{
	struct layout *l = &t->lay;
	int rows = l->e_h - 1;
	size_t total = 0, first, grouped = 0;

	/* collapsed: one row per group of repeats (its first line and a count) */
	for (size_t i = 0; i < t->v.tl_count; i++) {
		const struct tl_line *tl = view_timeline_get(&t->v, i);

		if (tl->gid != tl->id)
			grouped++;
		if (t->expand || tl->gid == tl->id)
			t->tl_vis[total++] = i;
	}
	/* Home scrolls back to the oldest line: keep a full page on screen */
	if (t->eback > (total > (size_t)rows ? total - (size_t)rows : 0))
		t->eback = total > (size_t)rows ? total - (size_t)rows : 0;
	title_row(t, l->e_y, 0, COLS, t->focus == FOCUS_EVENTS,
		  _(" Timeline (s since this session started)%s%s "),
		  grouped ? (t->expand ? _("  x: group repeats") : _("  x: expand repeats")) : "",
		  t->eback ? _("  (scrolled back: End follows)") : "");
	first = total > (size_t)rows + t->eback ? total - (size_t)rows - t->eback : 0;
	for (int i = 0; i < rows; i++) {
		size_t k = first + (size_t)i;
		const struct tl_line *tl =
			k < total - t->eback ? view_timeline_get(&t->v, t->tl_vis[k]) : NULL;
		char rep[64] = "";
		const struct tl_group *g;
		long long rel;

		if (!tl) {
			put(l->e_y + 1 + i, 0, COLS, A_NORMAL, "%s", "");
			continue;
		}
		g = view_timeline_group(&t->v, tl);
		if (!t->expand && g->count > 1) {
			if (g->pid_lo && g->pid_lo != g->pid_hi)
				snprintf(rep, sizeof(rep), "  ... x%u, pids %d-%d", g->count,
					 (int)g->pid_lo, (int)g->pid_hi);
			else
				snprintf(rep, sizeof(rep), "  ... x%u", g->count);
		}
		rel = (long long)(tl->at_ns - t->v.tl_start_ns);
		put(l->e_y + 1 + i, 0, COLS, style(t, tl_style(tl->kind)), " %s%lld.%03lld  %s%s",
		    rel < 0 ? "-" : "", (rel < 0 ? -rel : rel) / 1000000000ll,
		    (rel < 0 ? -rel : rel) / 1000000ll % 1000, tl->text, rep);
	}
}

/* ------------------------------------------------------------ key table */

/* Where a binding applies. A demo pause adds its keys to the panes' ones;
 * the views (help, details, listings) have their own. */
enum { K_PANES = 1, K_PAUSE = 2, K_VIEW = 4, K_REPLAY = 8 };

/* One key: what it does, in which modes, how help and the footer name it.
 * This table is the only list of keys: the dispatcher (handle_key), the
 * footer and the help screen all read it. */
struct binding {
	int key;
	const char *name; /* as help and the footer spell it */
	unsigned modes;	  /* K_* */
	void (*fn)(struct tui *t, const struct binding *b);
	const char *cmd;    /* act_command: the command, %o %w %p the selection */
	int n;		    /* a move's size or direction */
	const char *help;   /* NULL: another key for the binding above */
	const char *footer; /* its footer label, in footer_in modes */
	unsigned footer_in;
};

static const struct binding *binding_table(size_t *n);
static void act_help(struct tui *t, const struct binding *b);
static void act_quit(struct tui *t, const struct binding *b);
static void act_waits_pane(struct tui *t, const struct binding *b);
static void act_waits_rescan(struct tui *t, const struct binding *b);
static void act_stop_demo(struct tui *t, const struct binding *b);
static void act_close(struct tui *t, const struct binding *b);

static bool in_view(enum mode m)
{
	return m == MODE_HELP || m == MODE_DETAILS || m == MODE_OUTPUT;
}

/* The view under a search prompt, or the mode itself. */
static enum mode view_mode(const struct tui *t)
{
	return t->mode == MODE_SEARCH ? t->search_from : t->mode;
}

/* Which bindings a key is looked up in, now. */
static unsigned key_context(const struct tui *t)
{
	if (in_view(t->mode))
		return K_VIEW;
	if (t->mode == MODE_PANES)
		return t->pausing	 ? K_PAUSE | K_PANES
		       : t->opts->replay ? K_REPLAY | K_PANES
					 : K_PANES;
	return 0;
}

/* The keys that fit: help first and quit (or close) last always, the rest in
 * the table's order. */
static void footer_keys(struct tui *t, char *buf, size_t len, int width)
{
	unsigned ctx = in_view(view_mode(t)) ? K_VIEW
		       : t->pausing	     ? K_PAUSE
		       : t->opts->replay     ? K_REPLAY
					     : K_PANES;
	size_t nb, used = 0, cols;
	const struct binding *b = binding_table(&nb), *first = NULL, *last = NULL;

	for (size_t i = 0; i < nb; i++) {
		if (!b[i].footer || !(b[i].footer_in & ctx))
			continue;
		if (b[i].fn == act_help && !first)
			first = &b[i];
		else if (b[i].fn == act_quit || b[i].fn == act_stop_demo || b[i].fn == act_close)
			last = &b[i];
	}
	buf[0] = '\0';
	if (first)
		used = (size_t)snprintf(buf, len, " %s", _(first->footer));
	cols = first ? 1 + (size_t)text_cols(_(first->footer)) : 0;
	for (size_t i = 0; i < nb && used < len; i++) {
		size_t add;

		if (!b[i].footer || !(b[i].footer_in & ctx) || &b[i] == first || &b[i] == last)
			continue;
		/* columns, not bytes: a translated label may be wide */
		add = 2 + (size_t)text_cols(_(b[i].footer));
		if ((int)(cols + add + 2 + (last ? (size_t)text_cols(_(last->footer)) : 0)) >
		    width - 1)
			break;
		cols += used ? add : add - 1;
		used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "  " : " ",
					 _(b[i].footer));
	}
	if (last && used < len)
		snprintf(buf + used, len - used, "  %s", _(last->footer));
}

/* The module's state as the session says it, in the user's language. */
static const char *module_state(const char *s)
{
	static const char *const known[] = {
		N_("loaded by pollscope"),
		N_("already loaded"),
		N_("recorded files"),
		N_("not attached"),
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(s, known[i]))
			return _(known[i]);
	return s;
}

static void draw_chrome(struct tui *t)
{
	char footer[256], cnt[3][48];
	size_t nw;
	struct ps_info info;

	ps_session_waiters(t->s, &nw);
	ps_session_info(t->s, &info);
	snprintf(cnt[0], sizeof(cnt[0]), P_("%zu object", "%zu objects", t->v.nobjects),
		 t->v.nobjects);
	snprintf(cnt[1], sizeof(cnt[1]), P_("%zu entry", "%zu entries", t->v.nentries),
		 t->v.nentries);
	snprintf(cnt[2], sizeof(cnt[2]), P_("%zu waiter", "%zu waiters", nw), nw);
	put(0, 0, COLS, style(t, ST_HEADER),
	    _(" pollscope %s | kernel %s | module: %s | %s, %s, %s%s"), pollscope_version(),
	    info.release && info.release[0] ? info.release : "?",
	    module_state(info.attached ? info.module : "not attached"), cnt[0], cnt[1], cnt[2],
	    t->demo && !t->demo_done ? _(" | demo") : "");
	if (t->lay.banner_y >= 0) {
		char rows[BANNER_MAX_ROWS][ROW_BYTES];
		int n = wrap_rows(t->banner, COLS - 1, rows, BANNER_MAX_ROWS);

		for (int r = 0; r < n; r++)
			put(t->lay.banner_y + r, 0, COLS, style(t, ST_BANNER), " %s", rows[r]);
	}
	footer_keys(t, footer, sizeof(footer), COLS);
	put(t->lay.footer_y, 0, COLS, style(t, ST_HEADER), "%s", footer);
	if (!t->lay.stacked) {
		attrset(style(t, ST_DIM));
		if (t->opts->ascii)
			mvvline(t->lay.q_y, t->lay.q_w, '|', t->lay.q_h);
		else
			mvvline(t->lay.q_y, t->lay.q_w, ACS_VLINE, t->lay.q_h);
		attrset(A_NORMAL);
	}
}

/* --replay: where the replay is, on the right of the status row:
 * "> x2  12.3/45.6 s  step 17/80 [=====|------]" */
static void draw_scrubber(struct tui *t)
{
	struct ps_replay_pos p;
	char head[80], bar[64];
	int w, len, at;

	ps_replay_pos(t->s, &p);
	snprintf(head, sizeof(head), _(" %s x%g  %.1f/%.1f s  step %zu/%zu "),
		 t->rp_playing ? _("play") : _("stop"), t->rp_speed, (double)p.t / 1e9,
		 (double)p.total / 1e9, p.step, p.nsteps);
	w = COLS / 4 < (int)sizeof(bar) - 3 ? COLS / 4 : (int)sizeof(bar) - 3;
	if (w < 8)
		w = 0;
	at = p.nsteps ? (int)((double)p.step * (w - 1) / (double)p.nsteps) : 0;
	bar[0] = '\0';
	if (w) {
		bar[0] = '[';
		for (int i = 0; i < w; i++)
			bar[1 + i] = i < at ? '=' : i == at ? '|' : '-';
		bar[w + 1] = ']';
		bar[w + 2] = '\0';
	}
	len = (int)(text_cols(head) + text_cols(bar));
	if (len < COLS)
		put(t->lay.cmd_y, COLS - len, len, style(t, ST_TITLE), "%s%s", head, bar);
}

static void draw_cmdline(struct tui *t)
{
	if (t->mode == MODE_CMDLINE) {
		put(t->lay.cmd_y, 0, COLS, A_NORMAL, ":%s", t->cl.buf);
		if (t->cl.hint[0] && t->lay.e_y + t->lay.e_h - 1 > 0)
			put(t->lay.e_y + t->lay.e_h - 1, 0, COLS, style(t, ST_TITLE), " %s",
			    t->cl.hint);
		move(t->lay.cmd_y, 1 + (int)t->cl.cur);
		curs_set(1);
	} else if (t->mode == MODE_SEARCH) {
		put(t->lay.cmd_y, 0, COLS, A_NORMAL, "/%s", t->sprompt);
		move(t->lay.cmd_y, 1 + (int)strlen(t->sprompt));
		curs_set(1);
	} else if (t->pausing) {
		/* whatever reports meanwhile (in the timeline), the pause's
		 * prompt stays: it says how to go on */
		put(t->lay.cmd_y, 0, COLS, style(t, ST_NORMAL), "%s", t->pause_prompt);
		curs_set(0);
	} else {
		put(t->lay.cmd_y, 0, COLS, style(t, t->status_error ? ST_ERROR : ST_NORMAL), "%s",
		    t->status);
		if (t->opts->replay)
			draw_scrubber(t);
		curs_set(0);
	}
}

/* ------------------------------------------------------------ the pager */

static void lines_clear(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	l->n = 0;
}

static void lines_add(struct lines *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void lines_add(struct lines *l, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		char **v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return;
		l->v = v;
		l->cap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (s)
		l->v[l->n++] = s;
}

/* Each line of a multi-line text, folded at spaces to fit the screen (the
 * explanations are sentences: they read better whole than scrolled). */
static void lines_add_text(struct lines *l, const char *text)
{
	int width = COLS - 3 > 20 ? COLS - 3 : 20;

	while (text && *text) {
		int n = (int)strcspn(text, "\n"),
		    cut = n ? (int)wrap_cut(text, width, (size_t)n) : 0;

		lines_add(l, "%.*s", cut, text);
		text += cut;
		while (*text == ' ' || (*text == '\n' && cut == n)) {
			text++;
			if (text[-1] == '\n')
				break;
		}
	}
}

/* The keys of one section, from the table: a binding is listed in the first
 * section it belongs to, with the keys of the aliases after it. */
static void help_keys(struct lines *l, unsigned section, const char *title)
{
	size_t nb;
	const struct binding *b = binding_table(&nb);

	lines_add(l, "%s", title);
	for (size_t i = 0; i < nb; i++) {
		char names[64];
		size_t used;

		if (!b[i].help || !(b[i].modes & section) || (b[i].modes & (section - 1)))
			continue;
		used = (size_t)snprintf(names, sizeof(names), "%s", b[i].name);
		for (size_t j = i + 1; j < nb && !b[j].help && used < sizeof(names); j++)
			if (!strstr(names, b[j].name))
				used += (size_t)snprintf(names + used, sizeof(names) - used, " %s",
							 b[j].name);
		lines_add(l, "  %-14s %s", names, _(b[i].help));
	}
	lines_add(l, "%s", "");
}

static void build_help(struct tui *t)
{
	static const char *const marks[] = {
		N_("Marks:"),
		N_("  name*          an object this session did not create (another program's, or "
		   "an "
		   "earlier run's)"),
		N_("  E              queue pane, ex column: an exclusive entry (a wake with nr=1 "
		   "stops "
		   "after one)"),
		N_("  X              process pane, S column: the waiter exited (else its state in "
		   "/proc)"),
		N_("  (removed)      an entry that just left its queue, kept for a moment"),
		N_("  [1-5 of 9 ..]  a pane has more rows than it shows"),
		"",
	};
	struct lines *l = &t->gen;
	size_t ncmd;
	const struct ps_cmd *cmds = ps_cmd_table(&ncmd);

	help_keys(l, K_PANES, _("Keys in the panes:"));
	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		lines_add(l, "%s", marks[i][0] ? _(marks[i]) : "");
	lines_add(l, "%s", _("Commands (the same as in scripts and --shell):"));
	for (size_t i = 0; i < ncmd; i++)
		lines_add(l, "  %-44s %s", cmds[i].usage, _(cmds[i].help));
	lines_add(l, "%s", "");
	help_keys(l, K_PAUSE, _("During a demo's pause:"));
	help_keys(l, K_REPLAY, _("In a replay (--replay FILE):"));
	help_keys(l, K_VIEW, _("In a view (this help, details, a listing):"));
	lines_add(l, "%s", _("On the command line (after :):"));
	for (size_t i = 0; cmdline_help[i]; i++)
		lines_add(l, "  %s", _(cmdline_help[i]));
}

static void build_details(struct tui *t)
{
	struct lines *l = &t->gen;
	char why[1024];

	if (t->focus == FOCUS_QUEUES && t->qsel < t->v.nrows) {
		const struct view_row *r = &t->v.rows[t->qsel];

		if (r->type == ROW_OBJECT) {
			const struct ps_object *o = &t->v.objects[r->index];

			lines_add(l, _("object      %s%s"), o->name,
				  o->ours ? "" : _(" (not created by this session)"));
			lines_add(l, _("readiness   %s"), o->ready);
			lines_add(l, _("counter     %lu"), o->count);
			lines_add(l, _("waiting     %d entries on its wait queue"), o->waiting);
			lines_add(l, _("open files  %d"), o->open);
			lines_add(l, _("poll calls  %lu (%lu queued an entry)"), o->polls,
				  o->queued);
			lines_add(l, _("entries     %lu added, %lu removed"), o->added, o->removed);
			lines_add(l, _("wakes       %lu, waking %lu"), o->wakes, o->woken);
			ps_explain_object(o, why, sizeof(why));
		} else {
			const struct ps_entry *e = r->type == ROW_ENTRY ? &t->v.entries[r->index]
									: &t->v.ghosts[r->index].e;

			lines_add(l, _("object         %s%s"), e->object,
				  r->type == ROW_GHOST ? _(" (removed)") : "");
			lines_add(l, _("position       %d"), e->pos);
			lines_add(l, _("wake function  %s"), e->func);
			lines_add(l, _("kind           %s"), e->kind);
			lines_add(l, _("task           %d %s, state %c"), (int)e->pid, e->comm,
				  e->state);
			lines_add(l, _("flags          %s"), e->flags);
			lines_add(l, _("requested key  %s"), e->key);
			ps_explain_entry(e, why, sizeof(why));
		}
		lines_add_text(l, why);
	} else if (t->focus == FOCUS_PROCS) {
		size_t nw;
		struct ps_waiter *const *w = ps_session_waiters(t->s, &nw);

		if (t->psel < nw) {
			const struct ps_waiter *p = w[t->psel];

			lines_add(l, _("waiter    %s (group %s), pid %d"), p->label, p->group,
				  (int)p->pid);
			lines_add(l, _("call      %s on %s"), p->call_name, p->objects);
			lines_add(l, _("options   %s"), p->options[0] ? p->options : "-");
			lines_add(l, _("state     %c, wchan %s%s"), p->state, p->wchan,
				  p->asleep ? _(" (asleep in its call)") : "");
			/* calls counts the calls entered: the current one has not returned */
			if (p->in_call)
				lines_add(l, _("calls     %u entered, %u returned, call %u %s"),
					  p->calls, p->calls ? p->calls - 1 : 0, p->calls,
					  p->asleep ? _("asleep") : _("in progress"));
			else
				lines_add(l, _("calls     %u, all returned"), p->calls);
			lines_add(l, _("last      %s"), p->last.valid ? p->last.text : "-");
			lines_add(l, _("process   %s"), p->alive ? _("alive") : p->exit_text);
			ps_explain_waiter(p, why, sizeof(why));
			lines_add_text(l, why);
		}
	}
	if (l->n == 0)
		lines_add(l, "%s", _("nothing selected (Tab to a pane, arrows to a row)"));
}

/* The lines the pager shows: a command's output, or help and details
 * rebuilt from what is current. */
static struct lines *pg_lines(struct tui *t)
{
	enum mode m = view_mode(t);

	if (m == MODE_OUTPUT)
		return &t->out;
	lines_clear(&t->gen);
	if (m == MODE_HELP)
		build_help(t);
	else
		build_details(t);
	return &t->gen;
}

static int pg_rows(void)
{
	return LINES - 5 > 1 ? LINES - 5 : 1;
}

static void pg_clamp(struct tui *t, const struct lines *l)
{
	size_t rows = (size_t)pg_rows(), widest = 0, cols = COLS > 2 ? (size_t)COLS - 2 : 1;

	for (size_t i = 0; i < l->n; i++)
		if ((size_t)text_cols(l->v[i]) > widest)
			widest = (size_t)text_cols(l->v[i]);
	if (l->n <= rows)
		t->pg_top = 0;
	else if (t->pg_top > l->n - rows)
		t->pg_top = l->n - rows;
	if (widest <= cols)
		t->pg_left = 0;
	else if (t->pg_left > widest - cols)
		t->pg_left = widest - cols;
}

/* Case-insensitive search: the column of needle in hay, or -1. */
static long find_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	if (!n)
		return -1;
	for (const char *p = hay; *p; p++)
		if (strncasecmp(p, needle, n) == 0)
			return (long)(p - hay);
	return -1;
}

/* A view covers everything between the header and the status line, all
 * columns: nothing of the panes under it shows at its edges. */
static void draw_pager(struct tui *t)
{
	struct lines *l = pg_lines(t);
	enum mode m = view_mode(t);
	int rows = pg_rows(), cols = COLS - 2;
	size_t end;
	char title[128];

	pg_clamp(t, l);
	end = t->pg_top + (size_t)rows < l->n ? t->pg_top + (size_t)rows : l->n;
	snprintf(title, sizeof(title), " %s ",
		 m == MODE_HELP	     ? _("pollscope help")
		 : m == MODE_DETAILS ? _("details")
				     : t->out_title);
	attrset(style(t, ST_TITLE));
	mvhline(1, 0, t->opts->ascii ? '-' : ACS_HLINE, COLS);
	mvhline(LINES - 3, 0, t->opts->ascii ? '-' : ACS_HLINE, COLS);
	mvaddnstr(1, 2, title, (int)fit_cols(title, COLS - 4, strlen(title), NULL));
	mvprintw(LINES - 3, 2, _(" lines %zu-%zu of %zu%s%s "), l->n ? t->pg_top + 1 : 0, end, l->n,
		 t->pg_left ? _(", scrolled right") : "",
		 t->search[0] ? _(", n/N: next/previous match") : "");
	attrset(A_NORMAL);
	for (int i = 0; i < rows; i++) {
		size_t idx = t->pg_top + (size_t)i;
		const char *s = idx < l->n ? l->v[idx] : "";
		long at;

		s = skip_cols(s, t->pg_left); /* columns: a line may be Chinese */
		put(2 + i, 0, COLS, A_NORMAL, " %s", s);
		if (text_cols(s) > (long)COLS - 1) /* cut: say so */
			put(2 + i, COLS - 1, 1, style(t, ST_DIM), ">");
		at = t->search[0] ? find_ci(s, t->search) : -1;
		if (at > 0) { /* the match's column */
			long c;

			fit_cols(s, LONG_MAX, (size_t)at, &c);
			at = c;
		}
		if (at >= 0 && at < cols)
			mvchgat(2 + i, 1 + (int)at, (int)strlen(t->search), A_REVERSE, 0, NULL);
	}
}

static void draw(struct tui *t)
{
	compute_layout(t);
	if (LINES < 12 || COLS < 40) {
		erase();
		put(0, 0, COLS, A_BOLD, _("pollscope needs at least 40x12 (now %dx%d)"), COLS,
		    LINES);
		refresh();
		return;
	}
	/* Between the panes and a view, paint the whole screen: ncurses' diff
	 * of a row whose wide (CJK) characters now start at other columns left
	 * cells unwritten (zh_CN details: the entry's object name missing). */
	if (in_view(view_mode(t)) != t->drawn_view) {
		clear(); /* as Ctrl-L: the whole frame is drawn below */
		t->drawn_view = in_view(view_mode(t));
	}
	draw_chrome(t);
	if (in_view(view_mode(t))) {
		draw_pager(t);
	} else {
		draw_queues(t);
		if (t->waits_pane)
			draw_waits(t);
		else
			draw_procs(t);
		draw_events(t);
	}
	draw_cmdline(t);
	refresh();
	t->dirty = false;
	if (t->frame_log) {
		struct timespec ts;

		/* CLOCK_MONOTONIC is the clock of the module's event timestamps */
		clock_gettime(CLOCK_MONOTONIC, &ts);
		fprintf(t->frame_log, "frame ns=%llu seq=%llu\n",
			(unsigned long long)ts.tv_sec * 1000000000ull +
				(unsigned long long)ts.tv_nsec,
			(unsigned long long)t->ev_cursor);
		fflush(t->frame_log);
	}
}

/* ----------------------------------------------------------- state */

static void set_status(struct tui *t, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_status(struct tui *t, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->status, sizeof(t->status), fmt, ap);
	va_end(ap);
	t->status_error = error;
	t->dirty = true;
}

static void refresh_queues(struct tui *t)
{
	char err[256];
	size_t no, ne;
	const struct ps_object *o;
	const struct ps_entry *e;

	if (ps_session_read_objects(t->s, err, sizeof(err)) < 0 ||
	    ps_session_read_queues(t->s, err, sizeof(err)) < 0) {
		struct ps_info info;

		ps_session_info(t->s, &info);
		/* say what happened, not only the read that failed */
		if (info.attached && access(info.debugfs_dir, F_OK) != 0)
			set_status(t, true,
				   _("%s is gone: the module was unloaded or debugfs unmounted; "
				     "the queues shown are the last seen (q quits)"),
				   info.debugfs_dir);
		else
			set_status(t, true, "%s", err);
		return;
	}
	o = ps_session_objects(t->s, &no);
	e = ps_session_entries(t->s, &ne);
	view_update_queues(&t->v, o, no, e, ne, view_now_ms());
	t->dirty = true;
}

static void pull_events(struct tui *t)
{
	struct ps_event ev[64];
	size_t n;
	char line[256];

	while ((n = ps_session_events_since(t->s, &t->ev_cursor, ev, 64)) > 0) {
		ps_record_events_shown(t->s, ev, n); /* --record: in this order */
		for (size_t i = 0; i < n; i++) {
			view_format_event(&ev[i], line, sizeof(line));
			view_timeline_add_at(&t->v, view_event_kind(&ev[i]), ev[i].ns, ev[i].pid,
					     "%s", line);
		}
		t->dirty = true;
		if (n < 64)
			break;
	}
}

/* The timeline starts with this session: the module keeps the events of
 * earlier runs (the module stays loaded between them), which would read as
 * if they had just happened. Say how many were left out. */
static void skip_earlier_events(struct tui *t)
{
	struct ps_event ev[64];
	size_t n, skipped = 0;

	while ((n = ps_session_events_since(t->s, &t->ev_cursor, ev, 64)) > 0) {
		ps_record_events_shown(t->s, ev, n);
		skipped += n;
	}
	if (skipped)
		view_timeline_add(&t->v, TL_MESSAGE,
				  P_("%zu event from before this session not shown (:events lists "
				     "them)",
				     "%zu events from before this session not shown (:events lists "
				     "them)",
				     skipped),
				  skipped);
}

static void sync_waiters(struct tui *t)
{
	size_t n;
	struct ps_waiter *const *w = ps_session_waiters(t->s, &n);
	uint64_t now = view_now_ms();
	int visible = t->lay.p_h - 2;
	size_t first_hidden = n;
	bool shown = false;

	view_update_waiters(&t->v, w, n, now);
	/* Follow what changed (a waiter woke, returned, exited): if none of it
	 * is on screen, scroll to it, unless the user is moving in this pane. */
	if (t->focus != FOCUS_PROCS && visible > 0) {
		for (size_t i = 0; i < n; i++) {
			if (view_waiter_highlight(&t->v, w[i]->id) != now + VIEW_HIGHLIGHT_MS)
				continue;
			if (i >= t->ptop && i < t->ptop + (size_t)visible)
				shown = true;
			else if (first_hidden == n)
				first_hidden = i;
		}
		if (!shown && first_hidden < n)
			t->psel = first_hidden;
	}
	t->dirty = true;
}

/* Drain the session and bring the view up to date. A command may itself
 * have drained the session (settle, sleep), so after one, pass CHG_ALL: it
 * also re-reads every waiter's state (a command may have stopped one);
 * otherwise only the states that can change unannounced are read. */
#define CHG_FULL_STATES 0x100
#define CHG_BUSY (PS_CHG_EVENTS | PS_CHG_WAITERS | PS_CHG_STATES | PS_CHG_OBJECTS)
#define CHG_ALL (CHG_BUSY | CHG_FULL_STATES)
static void apply_changes(struct tui *t, unsigned chg)
{
	if (chg & CHG_FULL_STATES)
		chg |= ps_session_refresh_states(t->s);
	else if (chg & PS_CHG_WAITERS || ps_session_states_pending(t->s))
		chg |= ps_session_refresh_pending(t->s);
	if (chg & (PS_CHG_EVENTS | PS_CHG_OBJECTS | PS_CHG_WAITERS))
		refresh_queues(t);
	if (chg & PS_CHG_EVENTS)
		pull_events(t);
	if (chg & (PS_CHG_WAITERS | PS_CHG_STATES))
		sync_waiters(t);
	t->last_apply = view_now_ms();
}

static void process_session(struct tui *t, unsigned chg)
{
	chg |= ps_session_process(t->s) | t->pend_chg;
	t->pend_chg = 0;
	apply_changes(t, chg);
}

/* ------------------------------------------------------- commands */

/* Records that are a view of state (tables, listings) rather than news. */
static bool is_view_record(enum ps_rec_kind k)
{
	return k != PS_REC_MESSAGE && k != PS_REC_RESULT && k != PS_REC_SAY && k != PS_REC_WAITER &&
	       k != PS_REC_VALUE;
}

static void sink_record(void *ctx, const struct ps_rec *rec)
{
	struct tui *t = ctx;
	enum tl_kind k = TL_MESSAGE;
	uint64_t at = rec->at_ns; /* as --record writes it, and a replay stamps it */
	pid_t pid = 0;
	const struct ps_field *f;

	if (!rec->text)
		return;
	if (t->capturing) {
		/* a command's output: kept whole, shown as a view if it is one */
		lines_add(&t->out, "%s", rec->text);
		if (is_view_record(rec->kind))
			t->captured_view = true;
	}
	if (!rec->text[0])
		return;
	if (t->capturing && is_view_record(rec->kind))
		return;
	f = ps_rec_field(rec, "pid");
	if (f && f->type == PS_F_INT)
		pid = (pid_t)f->num;
	if (rec->kind == PS_REC_RESULT) {
		const struct ps_waiter *w = rec->data;

		k = TL_RESULT;
		/* when the call returned: below the wake that caused it, even if
		 * the report is read before the kernel's event */
		if (w) {
			at = w->last.at_ns;
			pid = w->pid;
		}
	} else if (rec->kind == PS_REC_SAY)
		k = TL_SAY;
	view_timeline_add_at(&t->v, k, at, pid, "%s", rec->text);
	/* during a pause the status line keeps the pause's prompt (the record
	 * is in the timeline) */
	if (rec->kind != PS_REC_TEXT && !t->pausing)
		set_status(t, false, "%s", rec->text);
	t->dirty = true;
}

/* A typed command: echoed in the timeline, its listing kept for a view. */
static void begin_command(struct tui *t, const char *line)
{
	t->status[0] = '\0';
	t->status_error = false;
	view_timeline_add(&t->v, TL_MESSAGE, ":%s", line);
	lines_clear(&t->out);
	t->capturing = true;
	t->captured_view = false;
}

static void end_command(struct tui *t, const char *line, int rc, const char *err)
{
	t->capturing = false;
	if (t->captured_view && t->out.n > 0) {
		snprintf(t->out_title, sizeof(t->out_title), ":%s", line);
		t->mode = MODE_OUTPUT;
		t->pg_top = t->pg_left = t->pg_match = 0;
		t->search[0] = '\0';
	}
	if (rc == PS_EXEC_ERROR) {
		set_status(t, true, "%s", err);
		view_timeline_add(&t->v, TL_ERROR, "%s", err);
	} else if (rc == PS_EXEC_QUIT && !t->opts->replay) {
		t->quit = true;
	}
}

static void run_command(struct tui *t, const char *line)
{
	struct ps_sink sink = { .record = sink_record, .ctx = t };
	char err[256] = "";
	int rc;

	begin_command(t, line);
	ps_record_typed(t->s); /* --record: a replay shows it as typed */
	t->busy = true;
	snprintf(t->busy_what, sizeof(t->busy_what), ":%.90s", line);
	got_cancel = 0;
	tui_busy = 1;
	rc = ps_exec(t->s, line, &sink, err, sizeof(err));
	tui_busy = 0;
	got_cancel = 0;
	t->busy = false;
	ps_interrupt_clear();
	end_command(t, line, rc, err);
	process_session(t, CHG_ALL);
	t->dirty = true;
}

/* The waits pane's data: the waits command run as any command is (one
 * command language), its records taken as rows. Only between commands (the
 * loop's top, never inside a pause or a running command); not recorded
 * (--record): it is a view of the system, and a replay cannot scan. */
static void waits_record(void *ctx, const struct ps_rec *rec)
{
	struct tui *t = ctx;

	/* what else the session delivers meanwhile (a waiter's result) goes
	 * where it always goes */
	if (!wp_record(&t->wp, rec))
		sink_record(t, rec);
}

static void waits_scan(struct tui *t)
{
	struct ps_sink sink = { .record = waits_record, .ctx = t };
	char cmd[] = "waits", *argv[] = { cmd, NULL }, err[256] = "";
	uint64_t t0 = view_now_ms();
	int rc;

	t->waits_want = false;
	wp_begin(&t->wp);
	ps_emit_unrecorded(true);
	rc = ps_cmd_run(t->s, 1, argv, &sink, err, sizeof(err));
	ps_emit_unrecorded(false);
	wp_end(&t->wp, rc == PS_EXEC_ERROR ? err : NULL, view_now_ms(), view_now_ms() - t0);
	/* the command drained the session: take in what it found there */
	t->pend_chg |= CHG_BUSY;
	t->dirty = true;
}

/* When the next scan is due: every WAITS_EVERY_MS, at least ten times as
 * long as the last one took. */
static uint64_t waits_due(const struct tui *t)
{
	uint64_t every = WAITS_EVERY_MS;

	if (t->wp.took_ms * 10 > every)
		every = t->wp.took_ms * 10;
	return t->wp.at_ms + every;
}

static const char *selected_object(struct tui *t)
{
	if (t->focus == FOCUS_QUEUES && t->qsel < t->v.nrows) {
		const struct view_row *r = &t->v.rows[t->qsel];

		if (r->type == ROW_OBJECT)
			return t->v.objects[r->index].name;
		if (r->type == ROW_ENTRY)
			return t->v.entries[r->index].object;
		return t->v.ghosts[r->index].e.object;
	}
	/* from another pane: the object of the selected waiter, else the only one */
	if (t->focus == FOCUS_PROCS) {
		size_t n;
		struct ps_waiter *const *w = ps_session_waiters(t->s, &n);

		if (t->psel < n && w[t->psel]->nobjs > 0)
			return w[t->psel]->objs[0];
	}
	return t->v.nobjects == 1 ? t->v.objects[0].name : NULL;
}

/* The label of the selected live waiter: in the process pane, or the owner
 * of the selected queue entry. */
static const char *selected_waiter(struct tui *t)
{
	size_t n;
	struct ps_waiter *const *w = ps_session_waiters(t->s, &n);
	pid_t pid = selected_pid(t);

	for (size_t i = 0; i < n; i++)
		if (pid && w[i]->pid == pid && w[i]->alive)
			return w[i]->label;
	return NULL;
}

/* ------------------------------------------------------------ keys */

static void move_sel(struct tui *t, int delta)
{
	size_t *sel, n;

	if (t->focus == FOCUS_EVENTS) {
		/* Up scrolls back in time */
		if (delta < 0)
			t->eback += (size_t)(-delta);
		else
			t->eback = t->eback > (size_t)delta ? t->eback - (size_t)delta : 0;
		return;
	}
	if (t->focus == FOCUS_QUEUES) {
		sel = &t->qsel;
		n = t->v.nrows;
	} else if (t->waits_pane) {
		sel = &t->wsel;
		n = t->wp.n;
	} else {
		sel = &t->psel;
		ps_session_waiters(t->s, &n);
	}
	if (n == 0)
		return;
	if (delta < 0)
		*sel = *sel > (size_t)(-delta) ? *sel - (size_t)(-delta) : 0;
	else
		*sel = *sel + (size_t)delta < n ? *sel + (size_t)delta : n - 1;
}

static int page_size(struct tui *t)
{
	int h = t->focus == FOCUS_QUEUES  ? t->lay.q_h
		: t->focus == FOCUS_PROCS ? t->lay.p_h
					  : t->lay.e_h;
	return h > 3 ? h - 2 : 1;
}

/* Run the binding's command with the selection put in: %o the selected
 * object, %w the selected waiter, %p the selected process id. */
static void act_command(struct tui *t, const struct binding *b)
{
	char line[192], num[16];
	size_t used = 0;

	for (const char *p = b->cmd; *p && used + 1 < sizeof(line); p++) {
		const char *sub = NULL;

		if (*p != '%' || !p[1]) {
			line[used++] = *p;
			continue;
		}
		switch (*++p) {
		case 'o':
			sub = selected_object(t);
			if (!sub) {
				set_status(t, true,
					   _("select an object first (Tab to the queue pane, "
					     "arrows)"));
				return;
			}
			break;
		case 'w':
			sub = selected_waiter(t);
			if (!sub) {
				set_status(t, true,
					   _("select a live waiter (in the process pane, "
					     "or its queue entry)"));
				return;
			}
			break;
		case 'p':
			if (!selected_pid(t)) {
				set_status(t, true,
					   _("select a process (in the process pane, or a "
					     "queue entry with a pid)"));
				return;
			}
			snprintf(num, sizeof(num), "%d", (int)selected_pid(t));
			sub = num;
			break;
		default:
			sub = "";
			break;
		}
		used += (size_t)snprintf(line + used, sizeof(line) - used, "%s", sub);
		if (used >= sizeof(line))
			used = sizeof(line) - 1;
	}
	line[used] = '\0';
	run_command(t, line);
}

static void act_quit(struct tui *t, const struct binding *b)
{
	(void)b;
	t->quit = true;
}

/* A: the waits pane in the process pane's place, or the waiters again. */
static void act_waits_pane(struct tui *t, const struct binding *b)
{
	(void)b;
	t->waits_pane = !t->waits_pane;
	if (t->waits_pane) {
		t->waits_want = true; /* the loop scans: never inside a command */
		t->focus = FOCUS_PROCS;
		set_status(t, false, "%s",
			   _("waits pane: the system's queues with sleepers; u rescans, A goes "
			     "back"));
	} else {
		set_status(t, false, "%s", _("the process pane shows this session's waiters"));
	}
}

static void act_waits_rescan(struct tui *t, const struct binding *b)
{
	(void)b;
	if (!t->waits_pane) {
		set_status(t, true, "%s", _("u rescans the waits pane: A shows it"));
		return;
	}
	t->waits_want = true;
}

static void act_help(struct tui *t, const struct binding *b)
{
	(void)b;
	t->mode = MODE_HELP;
	t->pg_top = t->pg_left = t->pg_match = 0;
	t->search[0] = '\0';
}

/* The sleeper a waits pane row stands for: its own, or the first of its
 * queue's (a queue row, a note). 0: the queue has none listed. */
static pid_t waits_row_pid(const struct tui *t, size_t i)
{
	const struct wp_row *r = t->wp.rows;

	if (i >= t->wp.n)
		return 0;
	while (i > 0 && r[i].type != WP_QUEUE && r[i].type != WP_SLEEPER)
		i--;
	for (; i < t->wp.n; i++) {
		if (r[i].type == WP_SLEEPER)
			return r[i].tgid ? r[i].tgid : r[i].pid;
		if (i + 1 < t->wp.n && r[i + 1].type == WP_QUEUE)
			break;
	}
	return 0;
}

static void act_details(struct tui *t, const struct binding *b)
{
	(void)b;
	if (t->focus == FOCUS_PROCS && t->waits_pane) {
		/* the waits pane: the whole listing of that process's queues */
		char line[48];
		pid_t pid = waits_row_pid(t, t->wsel);

		if (t->busy) {
			set_status(t, true, _("%s is running: %s waits (Ctrl-C or q cancels it)"),
				   t->busy_what, "Enter");
			return;
		}
		if (!pid) {
			set_status(t, true, "%s",
				   _("no sleeper on this queue: select a sleeper's row"));
			return;
		}
		snprintf(line, sizeof(line), "waits pid=%d", (int)pid);
		run_command(t, line);
		return;
	}
	t->mode = MODE_DETAILS;
	t->pg_top = t->pg_left = t->pg_match = 0;
	t->search[0] = '\0';
}

static void act_cmdline(struct tui *t, const struct binding *b)
{
	cmdline_open(&t->cl, b->cmd ? b->cmd : "");
	t->mode = MODE_CMDLINE;
}

static void act_focus(struct tui *t, const struct binding *b)
{
	t->focus = (enum focus)((t->focus + FOCUS_COUNT + b->n) % FOCUS_COUNT);
}

static void act_move(struct tui *t, const struct binding *b)
{
	move_sel(t, b->n);
}

static void act_page(struct tui *t, const struct binding *b)
{
	move_sel(t, b->n * page_size(t));
}

static void act_end(struct tui *t, const struct binding *b)
{
	move_sel(t, b->n);
	if (t->focus == FOCUS_EVENTS)
		t->eback = 0;
}

static void act_next_step(struct tui *t, const struct binding *b)
{
	(void)b;
	t->pause_done = true;
}

static void act_stop_demo(struct tui *t, const struct binding *b)
{
	(void)b;
	t->demo_stopped = true;
	t->pause_done = true;
}

static void pg_scroll(struct tui *t, long d);

/* The mouse, as htop and tig use it: a click selects the row under it (and
 * focuses its pane), the wheel scrolls the pane or view under it. */
static void act_mouse(struct tui *t, const struct binding *b)
{
	MEVENT me;
	struct layout *l = &t->lay;
	int wheel;
	enum focus f;
	int row;

	(void)b;
	if (getmouse(&me) != OK)
		return;
	wheel = (me.bstate & BUTTON4_PRESSED) ? -3 : (me.bstate & BUTTON5_PRESSED) ? 3 : 0;
	if (in_view(view_mode(t))) {
		if (wheel)
			pg_scroll(t, wheel);
		return;
	}
	if (me.y >= l->q_y && me.y < l->q_y + l->q_h && me.x >= l->q_x && me.x < l->q_x + l->q_w) {
		f = FOCUS_QUEUES;
		row = me.y - l->q_y - 2;
	} else if (me.y >= l->p_y && me.y < l->p_y + l->p_h && me.x >= l->p_x &&
		   me.x < l->p_x + l->p_w) {
		f = FOCUS_PROCS;
		row = me.y - l->p_y - 2;
	} else if (me.y >= l->e_y && me.y < l->e_y + l->e_h) {
		f = FOCUS_EVENTS;
		row = -1;
	} else {
		return;
	}
	t->focus = f;
	if (wheel) {
		move_sel(t, wheel);
		return;
	}
	if (row < 0 || !(me.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON1_RELEASED)))
		return;
	if (f == FOCUS_QUEUES && t->qtop + (size_t)row < t->v.nrows)
		t->qsel = t->qtop + (size_t)row;
	else if (f == FOCUS_PROCS && t->waits_pane) {
		if (t->wtop + (size_t)row < t->wp.n)
			t->wsel = t->wtop + (size_t)row;
	} else if (f == FOCUS_PROCS) {
		size_t n;

		ps_session_waiters(t->s, &n);
		if (t->ptop + (size_t)row < n)
			t->psel = t->ptop + (size_t)row;
	}
}

static void act_expand(struct tui *t, const struct binding *b)
{
	(void)b;
	t->expand = !t->expand;
	set_status(t, false, "%s",
		   t->expand ? _("timeline: every line (x groups repeats again)")
			     : _("timeline: repeats grouped as ... xN (x shows every line)"));
}

/* --replay: show the session as it was after `step` steps. Going back starts
 * over (the view too) and applies the steps again, so that every screen is
 * the one the recorded run drew. */
static void replay_go(struct tui *t, size_t step)
{
	struct ps_replay_pos p;
	unsigned chg;

	ps_replay_pos(t->s, &p);
	if (step > p.nsteps)
		step = p.nsteps;
	if (step < p.step) {
		view_free(&t->v);
		view_init(&t->v);
		lines_clear(&t->out);
		t->mode = MODE_PANES;
		t->capturing = false;
		t->banner[0] = '\0';
		t->status[0] = '\0';
		t->ev_cursor = 0;
		t->qsel = t->qtop = t->psel = t->ptop = t->eback = 0;
		ps_replay_reset(t->s);
		skip_earlier_events(t);
		if (p.clock_ns) /* as at start: a recording without a clock keeps the real one */
			t->v.tl_start_ns = p.clock_ns;
	}
	/* one step at a time, taking in each as a live run does, so that the
	 * timeline gets outputs and events in the same order */
	ps_replay_pos(t->s, &p);
	for (size_t k = p.step + 1; k <= step; k++) {
		chg = ps_replay_forward(t->s, k);
		process_session(t, CHG_ALL | chg);
	}
	if (p.step == 0 && step == 0)
		process_session(t, CHG_ALL | ps_replay_forward(t->s, 0));
	ps_replay_pos(t->s, &p);
	t->rp_pos = p.t;
	t->rp_wall = view_now_ms();
	if (p.step >= p.nsteps && t->rp_playing) {
		t->rp_playing = false;
		set_status(t, false, _("replay finished: Left steps back, Space plays it again"));
	}
	t->dirty = true;
}

/* Playing: apply what is due at the recorded time reached. */
static void replay_tick(struct tui *t)
{
	uint64_t now = view_now_ms();

	if (!t->rp_playing)
		return;
	t->rp_pos += (uint64_t)((double)(now - t->rp_wall) * 1e6 * t->rp_speed);
	t->rp_wall = now;
	{
		size_t step = ps_replay_step_at(t->s, t->rp_pos);
		uint64_t keep = t->rp_pos;
		struct ps_replay_pos p;

		ps_replay_pos(t->s, &p);
		if (step > p.step || step >= p.nsteps)
			replay_go(t, step);
		if (t->rp_playing)
			t->rp_pos = keep; /* the clock runs on between steps */
	}
	t->dirty = true;
}

/* ms until the next step is due (-1: not playing) */
static int replay_timeout(struct tui *t)
{
	struct ps_replay_pos p;
	uint64_t next;
	double ms;

	if (!t->rp_playing)
		return -1;
	ps_replay_pos(t->s, &p);
	next = ps_replay_step_time(t->s, p.step);
	ms = next > t->rp_pos ? (double)(next - t->rp_pos) / 1e6 / t->rp_speed : 0;
	/* the scrubber moves on meanwhile */
	return ms > 250 ? 250 : (int)ms + 1;
}

static void act_replay_play(struct tui *t, const struct binding *b)
{
	struct ps_replay_pos p;

	(void)b;
	ps_replay_pos(t->s, &p);
	t->rp_playing = !t->rp_playing;
	if (t->rp_playing && p.step >= p.nsteps)
		replay_go(t, 0); /* from the start again */
	t->rp_wall = view_now_ms();
	set_status(t, false, "%s", t->rp_playing ? _("playing") : _("stopped: Left/Right step"));
}

static void act_replay_step(struct tui *t, const struct binding *b)
{
	struct ps_replay_pos p;

	ps_replay_pos(t->s, &p);
	t->rp_playing = false;
	if (b->n < 0 && p.step < (size_t)-b->n)
		replay_go(t, 0);
	else
		replay_go(t, p.step + (size_t)(long)b->n);
}

/* '<' '>': a tenth of the recorded time back or on (the scrubber) */
static void act_replay_jump(struct tui *t, const struct binding *b)
{
	struct ps_replay_pos p;
	uint64_t tenth, to;

	ps_replay_pos(t->s, &p);
	tenth = p.total / 10 ? p.total / 10 : 1;
	to = b->n < 0 ? (t->rp_pos > tenth ? t->rp_pos - tenth : 0) : t->rp_pos + tenth;
	replay_go(t, b->n == 0 ? 0 : ps_replay_step_at(t->s, to));
	if (b->n != 0)
		t->rp_pos = to;
}

static void act_replay_speed(struct tui *t, const struct binding *b)
{
	double s = b->n > 0 ? t->rp_speed * 2 : t->rp_speed / 2;

	if (s >= 1.0 / 64 && s <= 1024)
		t->rp_speed = s;
	set_status(t, false, _("replay speed x%g"), t->rp_speed);
}

/* The terminal's own answer to "where is the cursor after moving to
 * 999;999" (a cursor position report): the only way to learn the size of
 * a serial console, which sends no SIGWINCH and whose tty size is whatever
 * stty last said. Bytes typed meanwhile go back to the input. */
static bool terminal_size_report(int *rows, int *cols)
{
	static const char ask[] = "\0337\033[999;999H\033[6n\0338";
	char buf[64], *esc;
	size_t n = 0;
	uint64_t end = view_now_ms() + 500;
	bool ok = false;

	if (write(STDOUT_FILENO, ask, sizeof(ask) - 1) != (ssize_t)sizeof(ask) - 1)
		return false;
	while (n < sizeof(buf) - 1) {
		uint64_t now = view_now_ms();
		struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };

		if (now >= end || poll(&p, 1, (int)(end - now)) <= 0 ||
		    read(STDIN_FILENO, buf + n, 1) != 1)
			break;
		if (buf[n++] == 'R')
			break;
	}
	buf[n] = '\0';
	esc = strstr(buf, "\033[");
	if (esc && sscanf(esc, "\033[%d;%dR", rows, cols) == 2 && *rows > 0 && *cols > 0) {
		ok = true;
		n = (size_t)(esc - buf);
	}
	while (n > 0)
		ungetch((unsigned char)buf[--n]);
	return ok;
}

/* Ctrl-L: take the terminal's size again (the terminal's report, else the
 * tty's), tell the tty so that programs started from here agree, redraw. */
static void act_redraw(struct tui *t, const struct binding *b)
{
	struct winsize ws = { 0 };
	int rows = 0, cols = 0;

	(void)b;
	if (terminal_size_report(&rows, &cols)) {
		if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
		    (ws.ws_row != rows || ws.ws_col != cols)) {
			ws.ws_row = (unsigned short)rows;
			ws.ws_col = (unsigned short)cols;
			ioctl(STDOUT_FILENO, TIOCSWINSZ, &ws);
		}
	} else if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) {
		rows = ws.ws_row;
		cols = ws.ws_col;
	}
	if (rows > 0 && cols > 0 && (rows != LINES || cols != COLS))
		resizeterm(rows, cols);
	clear();
	set_status(t, false, _("redrawn at %dx%d"), COLS, LINES);
}

/* The pager's keys: a line, or a page, up or down. */
static void pg_scroll(struct tui *t, long d)
{
	if (d < 0)
		t->pg_top = t->pg_top > (size_t)-d ? t->pg_top - (size_t)-d : 0;
	else
		t->pg_top += (size_t)d; /* draw_pager clamps */
}

static void act_scroll(struct tui *t, const struct binding *b)
{
	pg_scroll(t, b->n);
}

static void act_view_page(struct tui *t, const struct binding *b)
{
	pg_scroll(t, (long)b->n * pg_rows());
}

static void act_view_home(struct tui *t, const struct binding *b)
{
	(void)b;
	t->pg_top = 0;
	t->pg_left = 0;
}

static void act_view_end(struct tui *t, const struct binding *b)
{
	(void)b;
	t->pg_top = (size_t)-1 / 2;
}

static void act_sideways(struct tui *t, const struct binding *b)
{
	if (b->n < 0)
		t->pg_left = t->pg_left > (size_t)-b->n ? t->pg_left - (size_t)-b->n : 0;
	else
		t->pg_left += (size_t)b->n;
	pg_clamp(t, pg_lines(t));
}

static void act_close(struct tui *t, const struct binding *b)
{
	(void)b;
	t->mode = MODE_PANES;
}

static void act_search(struct tui *t, const struct binding *b)
{
	(void)b;
	t->search_from = t->mode;
	t->sprompt[0] = '\0';
	t->mode = MODE_SEARCH;
}

/* Show the next line (dir 1) or previous one (-1) from `from` holding the
 * search, scrolled sideways so that the match is on screen. */
static void search_go(struct tui *t, size_t from, int dir)
{
	struct lines *l = pg_lines(t);

	for (size_t i = from; i < l->n; i += (size_t)dir) {
		long at = find_ci(l->v[i], t->search);

		if (at < 0)
			continue;
		t->pg_top = t->pg_match = i;
		if ((size_t)at < t->pg_left ||
		    (size_t)at + strlen(t->search) > t->pg_left + (size_t)COLS - 2)
			t->pg_left = at > 10 ? (size_t)at - 10 : 0;
		set_status(t, false, _("/%s: line %zu"), t->search, i + 1);
		return;
	}
	set_status(t, true, dir > 0 ? _("/%s: no further match") : _("/%s: no earlier match"),
		   t->search);
}

static void act_search_next(struct tui *t, const struct binding *b)
{
	if (!t->search[0]) {
		set_status(t, true, _("no search yet: / and a text"));
		return;
	}
	if (b->n < 0 && t->pg_match == 0)
		set_status(t, true, _("/%s: no earlier match"), t->search);
	else
		search_go(t, b->n > 0 ? t->pg_match + 1 : t->pg_match - 1, b->n);
}

static void search_key(struct tui *t, int ch)
{
	size_t len = strlen(t->sprompt);

	switch (ch) {
	case 27:
	case 7: /* Ctrl-G */
		t->mode = t->search_from;
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
		t->mode = t->search_from;
		if (t->sprompt[0]) {
			snprintf(t->search, sizeof(t->search), "%s", t->sprompt);
			search_go(t, t->pg_top, 1);
		}
		break;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (len)
			t->sprompt[len - 1] = '\0';
		else
			t->mode = t->search_from;
		break;
	default:
		if (ch >= ' ' && ch < 127 && len + 1 < sizeof(t->sprompt)) {
			t->sprompt[len] = (char)ch;
			t->sprompt[len + 1] = '\0';
		}
		break;
	}
}

#define KP (K_PANES | K_PAUSE)
#define KA (K_PANES | K_PAUSE | K_VIEW)

static const struct binding bindings[] = {
	/* --replay: before the panes' keys */
	{ ' ', "Space", K_REPLAY, act_replay_play, NULL, 0,
	  N_("replay: play at the recorded speed / stop"), N_("Space:play/stop"), K_REPLAY },
	{ KEY_RIGHT, "Right", K_REPLAY, act_replay_step, NULL, 1,
	  N_("replay: one step on / back (a command, a change on screen, a say)"),
	  N_("Left/Right:step"), K_REPLAY },
	{ KEY_LEFT, "Left", K_REPLAY, act_replay_step, NULL, -1, NULL, NULL, 0 },
	{ '>', ">", K_REPLAY, act_replay_jump, NULL, 1,
	  N_("replay: a tenth of the recording on / back; 0 to the start"), N_("</>:jump"),
	  K_REPLAY },
	{ '<', "<", K_REPLAY, act_replay_jump, NULL, -1, NULL, NULL, 0 },
	{ '0', "0", K_REPLAY, act_replay_jump, NULL, 0, NULL, NULL, 0 },
	{ '+', "+", K_REPLAY, act_replay_speed, NULL, 1, N_("replay: twice / half as fast"),
	  N_("+/-:speed"), K_REPLAY },
	{ '-', "-", K_REPLAY, act_replay_speed, NULL, -1, NULL, NULL, 0 },
	/* a demo's pause: before the panes' keys, so that Enter goes on */
	{ ' ', "Space", K_PAUSE, act_next_step, NULL, 0, N_("next step of the demo"),
	  N_("Space/Enter:next step"), K_PAUSE },
	{ '\n', "Enter", K_PAUSE, act_next_step, NULL, 0, NULL, NULL, 0 },
	{ '\r', "Enter", K_PAUSE, act_next_step, NULL, 0, NULL, NULL, 0 },
	{ KEY_ENTER, "Enter", K_PAUSE, act_next_step, NULL, 0, NULL, NULL, 0 },
	{ 'q', "q", K_PAUSE, act_stop_demo, NULL, 0,
	  N_("stop the demo (the screen stays; q again quits)"), N_("q:stop demo"), K_PAUSE },
	/* the panes (also during a pause) */
	{ '?', "?", KP, act_help, NULL, 0, N_("this help (arrows scroll it, q closes it)"),
	  N_("?:help"), K_PANES | K_PAUSE | K_REPLAY },
	{ KEY_F(1), "F1", KP, act_help, NULL, 0, NULL, NULL, 0 },
	{ ':', ":", KP, act_cmdline, NULL, 0, N_("the command line (its keys are below)"),
	  N_(":cmd"), K_PANES },
	{ '\t', "Tab", KP, act_focus, NULL, 1,
	  N_("move the focus: queues, processes, timeline (S-Tab: back)"), N_("Tab:focus"),
	  K_PANES | K_PAUSE },
	{ KEY_BTAB, "S-Tab", KP, act_focus, NULL, -1, NULL, NULL, 0 },
	{ 'n', "n", KP, act_cmdline, "create ", 0, N_("new object (the command line with create)"),
	  N_("n:new"), K_PANES },
	{ 's', "s", KP, act_command, "spawn poll %o", 0,
	  N_("spawn a poll / epoll / blocking-read waiter on the selected object"), N_("s:poll"),
	  K_PANES },
	{ 'e', "e", KP, act_command, "spawn epoll %o", 0, NULL, N_("e:epoll"), K_PANES },
	{ 'r', "r", KP, act_command, "spawn read %o", 0, NULL, N_("r:read"), K_PANES },
	{ 'w', "w", KP, act_command, "wake %o in nr=1", 0,
	  N_("wake the selected object, with one / all exclusive waiters"), N_("w/W:wake"),
	  K_PANES },
	{ 'W', "W", KP, act_command, "wake %o in nr=0", 0, NULL, NULL, 0 },
	{ 'k', "k", KP, act_command, "kill %w", 0, N_("kill the selected waiter"), N_("k:kill"),
	  K_PANES },
	{ 'c', "c", KP, act_command, "forget", 0,
	  N_("clear exited waiters from the list (:forget)"), NULL, 0 },
	{ KEY_MOUSE, "mouse", KA, act_mouse, NULL, 0,
	  N_("a click selects the row under it, the wheel scrolls (Shift+drag selects text)"), NULL,
	  0 },
	{ 'x', "x", KP, act_expand, NULL, 0,
	  N_("timeline: expand repeated lines (grouped as ... xN) / group them again"), NULL, 0 },
	{ 'd', "d", KP, act_command, "destroy %o", 0, N_("destroy the selected object"),
	  N_("d:destroy"), K_PANES },
	{ 'g', "g", KP, act_command, "diagram %o", 0,
	  N_("g: the selected object's queue drawn (:diagram), a: all queues (:waits)"), NULL, 0 },
	{ 'a', "a", KP, act_command, "waits", 0, NULL, NULL, 0 },
	{ 'A', "A", KP, act_waits_pane, NULL, 0,
	  N_("the waits pane in the process pane's place: every wait queue of the system with "
	     "sleepers, rescanned every 5 s (Enter: :waits pid=PID of the row) / the waiters "
	     "again"),
	  NULL, 0 },
	{ 'u', "u", KP, act_waits_rescan, NULL, 0, N_("rescan the waits pane now"), NULL, 0 },
	{ 'i', "i", KP, act_command, "inspect %p", 0,
	  N_("inspect the selected process (:inspect PID): its fds and what it waits for"),
	  N_("i:inspect"), K_PANES },
	{ '\n', "Enter", KP, act_details, NULL, 0,
	  N_("details of the selected entry, object or process, and what the kernel did"),
	  N_("Enter:details"), K_PANES },
	{ '\r', "Enter", KP, act_details, NULL, 0, NULL, NULL, 0 },
	{ KEY_ENTER, "Enter", KP, act_details, NULL, 0, NULL, NULL, 0 },
	{ KEY_UP, "Up", KP, act_move, NULL, -1,
	  N_("move in the focused pane (in the timeline Up goes back in time)"), NULL, 0 },
	{ 'K', "K", KP, act_move, NULL, -1, NULL, NULL, 0 },
	{ KEY_DOWN, "Down", KP, act_move, NULL, 1, NULL, NULL, 0 },
	{ 'J', "J", KP, act_move, NULL, 1, NULL, NULL, 0 },
	{ KEY_PPAGE, "PgUp", KP, act_page, NULL, -1, N_("a page up / down"), NULL, 0 },
	{ KEY_NPAGE, "PgDn", KP, act_page, NULL, 1, NULL, NULL, 0 },
	{ KEY_HOME, "Home", KP, act_move, NULL, -1000000,
	  N_("first / last row (timeline: the oldest line / follow new lines)"), NULL, 0 },
	{ KEY_END, "End", KP, act_end, NULL, 1000000, NULL, NULL, 0 },
	{ 12, "Ctrl-L", KA, act_redraw, NULL, 0,
	  N_("take the terminal's size again and redraw (serial consoles send no resize)"), NULL,
	  0 },
	{ 'q', "q", K_PANES, act_quit, NULL, 0,
	  N_("quit, as Ctrl-C does (stops every waiter, destroys this session's objects)"),
	  N_("q:quit"), K_PANES | K_REPLAY },
	{ 'Q', "Q", K_PANES, act_quit, NULL, 0, NULL, NULL, 0 },
	{ KEY_F(10), "F10", K_PANES, act_quit, NULL, 0, NULL, NULL, 0 }, /* as htop */
	/* the views */
	{ KEY_UP, "Up", K_VIEW, act_scroll, NULL, -1, N_("scroll a line"), N_("PgUp/PgDn:scroll"),
	  K_VIEW },
	{ KEY_DOWN, "Down", K_VIEW, act_scroll, NULL, 1, NULL, NULL, 0 },
	{ KEY_PPAGE, "PgUp", K_VIEW, act_view_page, NULL, -1, N_("scroll a page"), NULL, 0 },
	{ KEY_NPAGE, "PgDn", K_VIEW, act_view_page, NULL, 1, NULL, NULL, 0 },
	{ ' ', "Space", K_VIEW, act_view_page, NULL, 1, NULL, NULL, 0 },
	{ KEY_HOME, "Home", K_VIEW, act_view_home, NULL, 0, N_("the first / last line"), NULL, 0 },
	{ KEY_END, "End", K_VIEW, act_view_end, NULL, 0, NULL, NULL, 0 },
	{ KEY_LEFT, "Left", K_VIEW, act_sideways, NULL, -8,
	  N_("scroll sideways (a cut line ends in >)"), N_("Left/Right:sideways"), K_VIEW },
	{ KEY_RIGHT, "Right", K_VIEW, act_sideways, NULL, 8, NULL, NULL, 0 },
	{ '/', "/", K_VIEW, act_search, NULL, 0,
	  N_("search a text, in any case (Enter; Esc cancels)"), N_("/:search"), K_VIEW },
	{ 'n', "n", K_VIEW, act_search_next, NULL, 1, N_("the next / previous line with it"),
	  N_("n/N:next"), K_VIEW },
	{ 'N', "N", K_VIEW, act_search_next, NULL, -1, NULL, NULL, 0 },
	{ 'q', "q", K_VIEW, act_close, NULL, 0, N_("close the view (any other key too)"),
	  N_("q:close"), K_VIEW },
	{ 27, "Esc", K_VIEW, act_close, NULL, 0, NULL, NULL, 0 },
};

#undef KP
#undef KA

static const struct binding *binding_table(size_t *n)
{
	*n = sizeof(bindings) / sizeof(bindings[0]);
	return bindings;
}

bool tui_binding(size_t i, const char **name, const char **footer)
{
	if (i >= sizeof(bindings) / sizeof(bindings[0]))
		return false;
	*name = bindings[i].name;
	*footer = bindings[i].footer;
	return true;
}

/* "create" and nothing else (n, then Enter). */
static bool is_bare_create(const char *line)
{
	line += strspn(line, " \t");
	if (strncmp(line, "create", 6) != 0)
		return false;
	line += 6;
	return line[strspn(line, " \t")] == '\0';
}

/* n then Enter: the first free name of a, b, ... z, then o1, o2, ... */
static void create_fresh(struct tui *t)
{
	char name[16], line[32];

	for (int i = 0;; i++) {
		bool used = false;

		if (i < 26)
			snprintf(name, sizeof(name), "%c", 'a' + i);
		else
			snprintf(name, sizeof(name), "o%d", i - 25);
		for (size_t k = 0; k < t->v.nobjects && !used; k++)
			used = strcmp(t->v.objects[k].name, name) == 0;
		if (!used)
			break;
	}
	snprintf(line, sizeof(line), "create %s", name);
	run_command(t, line);
}

/* While a command runs: keys that only look (help, moving, scrolling,
 * views, search) work; those that would run a command wait. */
static bool busy_ok(const struct binding *b)
{
	return b->fn != act_command && b->fn != act_cmdline && b->fn != act_quit &&
	       b->fn != act_next_step && b->fn != act_stop_demo;
}

/* One dispatch: the mode says who gets the key. */
static void handle_key(struct tui *t, int ch)
{
	unsigned ctx;
	size_t nb;
	const struct binding *b = binding_table(&nb);

	t->dirty = true;
	if (ch == KEY_RESIZE) {
		clear();
		return;
	}
	switch (t->mode) {
	case MODE_CMDLINE:
		switch (cmdline_key(&t->cl, ch, t->s)) {
		case CMDLINE_SUBMIT:
			t->mode = MODE_PANES;
			if (is_bare_create(t->cl.buf))
				create_fresh(t);
			else if (t->cl.buf[0])
				run_command(t, t->cl.buf);
			break;
		case CMDLINE_CANCEL:
			t->mode = MODE_PANES;
			break;
		default:
			break;
		}
		return;
	case MODE_SEARCH:
		search_key(t, ch);
		return;
	default:
		break;
	}
	ctx = key_context(t);
	for (size_t i = 0; i < nb; i++) {
		if (b[i].key == ch && (b[i].modes & ctx)) {
			if (t->busy && !busy_ok(&b[i])) {
				if (b[i].fn == act_quit) {
					got_cancel = 1; /* q cancels the command, as Ctrl-C */
					return;
				}
				set_status(t, true,
					   _("%s is running: %s waits (Ctrl-C or q cancels it)"),
					   t->busy_what, b[i].name);
				return;
			}
			b[i].fn(t, &b[i]);
			return;
		}
	}
	if (ctx == K_VIEW) {
		t->mode = MODE_PANES; /* any other key closes a view, and does nothing else */
		return;
	}
	t->dirty = false;
}

/* ------------------------------------------------------------ loop */

/* One turn: draw if needed, sleep in poll() until something happens (or the
 * next highlight expires), then take in what happened. */
static void loop_once(struct tui *t)
{
	struct pollfd fds[72];
	int n, timeout = -1, ch;
	uint64_t now = view_now_ms(), deadline;

	/* A row that expired while a command ran (a step's sleep) goes now:
	 * the deadline below counts only rows still to expire, so it would
	 * stay on screen until the next key. */
	if (view_expire(&t->v, now))
		t->dirty = true;
	if (t->dirty)
		draw(t);
	/* the waits pane's scan: when asked (A, u) or due, only while it shows
	 * (a replay has no module to scan: only when asked) */
	if (t->waits_pane && t->mode == MODE_PANES && !t->busy &&
	    (t->waits_want || (!t->opts->replay && now >= waits_due(t)))) {
		waits_scan(t);
		now = view_now_ms();
		draw(t);
	}
	fds[0] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
	n = 1 + ps_session_pollfds(t->s, fds + 1, 71);
	deadline = view_next_deadline(&t->v, now);
	if (t->pausing && t->pause_until)
		deadline = deadline && deadline < t->pause_until ? deadline : t->pause_until;
	if (deadline)
		timeout = (int)(deadline - now) + 1;
	if (ps_session_states_pending(t->s) && (timeout < 0 || timeout > 50))
		timeout = 50;
	/* changes taken in but not drawn: draw them when APPLY_MS is up */
	if (t->pend_chg) {
		uint64_t at = t->last_apply + APPLY_MS;
		int left = at > now ? (int)(at - now) : 0;

		if (timeout < 0 || timeout > left)
			timeout = left;
	}
	if (t->opts->replay) {
		int rt = replay_timeout(t);

		if (rt >= 0 && (timeout < 0 || rt < timeout))
			timeout = rt;
	}
	/* the waits pane: its title's age each second, and its next scan */
	if (t->waits_pane && t->mode == MODE_PANES) {
		uint64_t at = t->wp.at_ms + (t->wp_drawn_age + 1) * 1000;
		int left;

		if (!t->opts->replay && waits_due(t) < at)
			at = waits_due(t);
		left = at > now ? (int)(at - now) : 0;
		if (timeout < 0 || timeout > left)
			timeout = left;
	}
	if (poll(fds, (nfds_t)n, timeout) < 0 && errno != EINTR)
		t->quit = true;
	if (got_quit_signal)
		t->quit = true;
	if (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL))
		t->quit = true;
	/* take in what happened now (reports, exits, events: cheap), but take
	 * a snapshot and redraw at most every APPLY_MS while it keeps coming */
	t->pend_chg |= ps_session_process(t->s);
	if ((t->pend_chg || ps_session_states_pending(t->s)) &&
	    view_now_ms() - t->last_apply >= APPLY_MS)
		process_session(t, 0);
	if (t->opts->replay)
		replay_tick(t);
	while (!t->quit && (ch = getch()) != ERR)
		handle_key(t, ch);
	now = view_now_ms();
	if (view_expire(&t->v, now))
		t->dirty = true;
	if (t->waits_pane && (now - t->wp.at_ms) / 1000 != t->wp_drawn_age)
		t->dirty = true;
	if (deadline && now >= deadline)
		t->dirty = true;
	if (t->pausing && t->pause_until && now >= t->pause_until)
		t->pause_done = true;
}

static void hook_say(void *ctx, const char *text)
{
	struct tui *t = ctx;

	snprintf(t->banner, sizeof(t->banner), "%s", text);
	/* --record: at the say item's time, as a replay stamps it */
	view_timeline_add_at(&t->v, TL_SAY, ps_record_last_ns(t->s), 0, "say: %s", text);
	t->dirty = true;
}

/* pause inside a command: keep the screen live until Space/Enter (or the
 * demo delay), so the class sees the state the step produced. */
static int hook_pause(void *ctx, const char *text)
{
	struct tui *t = ctx;
	bool busy;

	t->pausing = true;
	t->pause_done = false;
	t->pause_until =
		t->opts->demo_delay_ms > 0 ? view_now_ms() + (uint64_t)t->opts->demo_delay_ms : 0;
	snprintf(t->pause_prompt, sizeof(t->pause_prompt), "%s%s%s", text && text[0] ? text : "",
		 text && text[0] ? "  " : "", _("[Space/Enter: continue, q: stop]"));
	set_status(t, false, "%s", t->pause_prompt);
	t->dirty = true;
	/* a pause takes every key, even inside a command */
	busy = t->busy;
	t->busy = false;
	tui_busy = 0;
	while (!t->pause_done && !t->quit)
		loop_once(t);
	t->busy = busy;
	tui_busy = busy;
	t->pausing = false;
	t->status[0] = '\0';
	t->dirty = true;
	return t->quit || t->demo_stopped ? -1 : 0;
}

/* One turn inside a running command (sleep, settle, spawn, kill): draw,
 * wait up to ms for the session or a key, take the keys that run no
 * command. -1: the command is cancelled (Ctrl-C, q) or the TUI quits. */
static int busy_turn(struct tui *t, int ms)
{
	struct pollfd fds[1 + PS_MAX_POLLFDS];
	int n, ch;

	if (view_expire(&t->v, view_now_ms()))
		t->dirty = true;
	if (t->dirty)
		draw(t);
	fds[0] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
	n = 1 + ps_session_pollfds(t->s, fds + 1, PS_MAX_POLLFDS);
	if (poll(fds, (nfds_t)n, ms) < 0 && errno != EINTR)
		return -1;
	if (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL))
		got_quit_signal = 1;
	while (!got_cancel && !got_quit_signal && (ch = getch()) != ERR)
		handle_key(t, ch);
	if (got_quit_signal) {
		t->quit = true;
		return -1;
	}
	if (got_cancel) {
		got_cancel = 0;
		set_status(t, true, _("%s: cancelled"), t->busy_what);
		return -1;
	}
	if (t->dirty)
		draw(t);
	return 0;
}

/* The command's own loop drains the session, so the changes it took in are
 * not reported here: refresh everything now and then (every APPLY_MS * 2),
 * reading only the states that are pending. Returns how many ms are left
 * before the next refresh is due (0 when it refreshed now). */
static int busy_refresh(struct tui *t)
{
	uint64_t now = view_now_ms();

	if (now - t->last_wait_refresh < 2 * APPLY_MS)
		return (int)(t->last_wait_refresh + 2 * APPLY_MS - now);
	process_session(t, CHG_BUSY);
	t->last_wait_refresh = now;
	return 0;
}

/* sleep, settle and kill inside a command: keep the screen live. A change
 * the command took in just after a refresh (a waiter's result 1 ms after
 * its poll event) is drawn when the refresh is due, not when the command's
 * whole wait is over. */
static int hook_wait(void *ctx, int ms)
{
	struct tui *t = ctx;
	int left = busy_refresh(t);

	if (left > 0 && left < ms)
		ms = left;
	return busy_turn(t, ms);
}

/* spawn and kill of many: progress on the status line, keys answered.
 * No snapshot and few frames here: every page the TUI writes between two
 * forks is copied once more for the waiters forked before (copy on write),
 * and redrawing the panes between the forks of 1000 waiters ran the VM out
 * of memory. The waiters show when the command ends (or in hook_wait). */
static int hook_progress(void *ctx, const char *what, size_t done, size_t total)
{
	struct tui *t = ctx;
	uint64_t now = view_now_ms();

	if (now - t->last_wait_refresh >= 250) {
		set_status(t, false, _("%s: %s %zu of %zu (Ctrl-C or q cancels)"), t->busy_what,
			   what, done, total);
		t->last_wait_refresh = now;
	}
	return busy_turn(t, 0);
}

/* --replay: a recorded command line begins / ends. A typed one is shown as
 * run_command shows it; a demo's or script's line as demo_step does. */
static void hook_replay_command(void *ctx, const char *line, bool typed)
{
	if (typed)
		begin_command(ctx, line);
}

/* --replay: lines are stamped with the recorded time of their item */
static void hook_replay_clock(void *ctx, uint64_t ns)
{
	(void)ctx;
	view_clock_fix(ns);
}

static void hook_replay_events(void *ctx)
{
	pull_events(ctx);
}

static void hook_replay_done(void *ctx, const char *line, bool typed, int rc, const char *err)
{
	struct tui *t = ctx;

	if (typed) {
		end_command(t, line, rc, err);
	} else if (rc == PS_EXEC_ERROR) {
		set_status(t, true, "%s", err);
		view_timeline_add(&t->v, TL_ERROR, "%s", err);
	}
}

/* Demo mode: one script line per turn of the loop, so the screen follows. */
static void demo_step(struct tui *t)
{
	char line[1024], err[256] = "";
	struct ps_sink sink = { .record = sink_record, .ctx = t };
	int rc;

	if (!fgets(line, sizeof(line), t->demo)) {
		t->demo_done = true;
		set_status(t, false, _("demo finished: explore, or press q to quit"));
		return;
	}
	t->demo_line++;
	line[strcspn(line, "\n")] = '\0';
	rc = ps_exec(t->s, line, &sink, err, sizeof(err));
	if (t->demo_stopped) {
		set_status(t, false, _("demo stopped: explore, or press q to quit"));
		view_timeline_add(&t->v, TL_MESSAGE, _("demo stopped at %s:%d"), t->opts->demo_file,
				  t->demo_line);
		t->demo_done = true;
	} else if (rc == PS_EXEC_ERROR) {
		set_status(t, true, "%s:%d: %s", t->opts->demo_file, t->demo_line, err);
		view_timeline_add(&t->v, TL_ERROR, "%s:%d: %s", t->opts->demo_file, t->demo_line,
				  err);
		t->demo_done = true;
	} else if (rc == PS_EXEC_QUIT) {
		t->quit = true;
	}
	process_session(t, CHG_ALL);
	t->dirty = true;
}

int tui_run(struct ps_session *s, const struct tui_opts *opts)
{
	struct tui t = { .s = s, .opts = opts, .dirty = true };
	struct ps_sink async = { .record = sink_record, .ctx = &t };
	struct ps_hooks hooks = { .say = hook_say,
				  .pause = hook_pause,
				  .wait = hook_wait,
				  .progress = hook_progress,
				  .replay_command = hook_replay_command,
				  .replay_done = hook_replay_done,
				  .replay_events = hook_replay_events,
				  .replay_clock = hook_replay_clock,
				  .ctx = &t };
	struct sigaction sa = { .sa_handler = on_quit_signal };
	char err[256];
	SCREEN *screen;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, _("pollscope: the TUI needs a terminal (use -c, -f or --shell)\n"));
		return 1;
	}
	if (opts->demo_file) {
		t.demo = fopen(opts->demo_file, "r");
		if (!t.demo) {
			fprintf(stderr, "pollscope: %s: %s\n", opts->demo_file, strerror(errno));
			return 1;
		}
	}
	if (getenv("POLLSCOPE_FRAME_LOG") && getenv("POLLSCOPE_FRAME_LOG")[0]) {
		t.frame_log = fopen(getenv("POLLSCOPE_FRAME_LOG"), "a");
		if (!t.frame_log) {
			fprintf(stderr, "pollscope: POLLSCOPE_FRAME_LOG %s: %s\n",
				getenv("POLLSCOPE_FRAME_LOG"), strerror(errno));
			if (t.demo)
				fclose(t.demo);
			return 1;
		}
	}
	ps_i18n_init();
	screen = newterm(NULL, stdout, stdin);
	if (!screen) {
		fprintf(stderr, _("pollscope: cannot set up terminal '%s'\n"),
			getenv("TERM") ? getenv("TERM") : "(TERM unset)");
		if (t.demo)
			fclose(t.demo);
		if (t.frame_log)
			fclose(t.frame_log);
		return 1;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	mouseinterval(0); /* a press is a click at once */
	init_styles(&t);
	view_init(&t.v);
	/* one clock: the timeline's 0 is the session's, as `events` counts */
	if (ps_session_start_ns(t.s) && !opts->replay)
		t.v.tl_start_ns = ps_session_start_ns(t.s);
	t.tl_vis = calloc(VIEW_TIMELINE_MAX, sizeof(*t.tl_vis));
	if (!t.tl_vis) {
		endwin();
		delscreen(screen);
		fprintf(stderr, "%s", _("pollscope: out of memory\n"));
		return 1;
	}

	ps_session_set_hooks(s, &hooks);
	ps_session_set_async_sink(s, &async);
	if (ps_session_attach(s, err, sizeof(err)) < 0)
		set_status(&t, true, "%s", err);
	else if (ps_session_take_note(s, err, sizeof(err))) {
		set_status(&t, false, "%s", err);
		view_timeline_add(&t.v, TL_MESSAGE, "%s", err);
	} else if (opts->replay)
		set_status(&t, false, _("replay of %s: Space plays, Right steps, ? for help"),
			   opts->replay);
	else
		set_status(&t, false, _("press ? for help, : for a command%s"),
			   t.demo ? _("; the demo is starting") : "");
	skip_earlier_events(&t);
	refresh_queues(&t);
	sync_waiters(&t);
	pull_events(&t);
	if (opts->replay) {
		struct ps_replay_pos p;

		ps_replay_pos(t.s, &p);
		if (p.clock_ns) {
			/* times since the recorded session's start */
			view_clock_fix(p.clock_ns);
			t.v.tl_start_ns = p.clock_ns;
		}
		t.rp_speed = opts->replay_speed > 0 ? opts->replay_speed : 1;
		t.rp_playing = opts->replay_speed > 0; /* --speed: play at once */
		t.rp_wall = view_now_ms();
	}

	while (!t.quit) {
		/* a demo waits while help or a prompt is open */
		if (t.demo && !t.demo_done && t.mode != MODE_HELP && t.mode != MODE_CMDLINE &&
		    t.mode != MODE_SEARCH) {
			if (t.dirty)
				draw(&t);
			demo_step(&t);
			continue;
		}
		loop_once(&t);
	}

	ps_session_set_hooks(s, NULL);
	ps_session_set_async_sink(s, NULL);
	endwin();
	delscreen(screen);
	cmdline_free(&t.cl);
	view_free(&t.v);
	wp_free(&t.wp);
	free(t.tl_vis);
	lines_clear(&t.out);
	free(t.out.v);
	lines_clear(&t.gen);
	free(t.gen.v);
	if (t.demo)
		fclose(t.demo);
	if (t.frame_log)
		fclose(t.frame_log);
	return 0;
}
