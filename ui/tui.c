/*
 * The TUI: wait queues and processes side by side (stacked on narrow
 * terminals), the event timeline and the ':' command line below.
 *
 * It is event driven: one poll() over the terminal and the session's
 * descriptors (the module's events file, the waiters' report pipes, SIGCHLD).
 * It wakes on a timer only while something is highlighted or a waiter's
 * state is about to change without an event, so it costs nothing when idle.
 */
#include <curses.h>
#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "cmdline.h"
#include "pollscope.h"
#include "tui.h"
#include "version.h"
#include "view.h"

enum focus { FOCUS_QUEUES, FOCUS_PROCS, FOCUS_EVENTS, FOCUS_COUNT };

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
	int q_y, q_x, q_h, q_w; /* queue pane, including its title row */
	int p_y, p_x, p_h, p_w; /* process pane */
	int e_y, e_h;		/* event timeline */
	int banner_y, cmd_y, footer_y;
	bool stacked;
};

struct tui {
	struct ps_session *s;
	const struct tui_opts *opts;
	struct view v;
	struct cmdline cl;
	struct layout lay;
	enum focus focus;
	size_t qsel, qtop, psel, ptop, eback;
	bool help, details, quit, dirty, color;
	/* multi-line output of a command (show, ps, inspect, ...), scrollable */
	bool output, capturing, captured_view;
	char **out_lines;
	size_t out_n, out_cap, out_top;
	char out_title[96];
	char status[256];
	bool status_error;
	char banner[256];
	uint64_t ev_cursor;
	char kernel[64], module[64];
	FILE *frame_log; /* POLLSCOPE_FRAME_LOG: one line per frame, for benchmarks */
	/* demo mode */
	FILE *demo;
	int demo_line;
	bool demo_done;
	bool pausing, pause_done;
	uint64_t pause_until;
	uint64_t last_wait_refresh;
};

static volatile sig_atomic_t got_quit_signal;

static void on_quit_signal(int sig)
{
	(void)sig;
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

/* Print at most w columns at (y, x), padding with spaces to exactly w. */
static void put(int y, int x, int w, attr_t a, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void put(int y, int x, int w, attr_t a, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	if (w <= 0 || y < 0 || y >= LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	n = (int)strlen(buf);
	attrset(a);
	mvaddnstr(y, x, buf, w);
	if (n < w)
		mvhline(y, x + n, ' ', w - n);
	attrset(A_NORMAL);
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
	mvaddnstr(y, x + 1, buf, w - 2);
	attrset(A_NORMAL);
}

static void compute_layout(struct tui *t)
{
	struct layout *l = &t->lay;
	int h = LINES, w = COLS, tl, body;

	l->footer_y = h - 1;
	l->cmd_y = h - 2;
	l->banner_y = t->banner[0] ? h - 3 : -1;
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
		l->q_h = body - body * 2 / 5;
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

static const char *short_kind(const char *kind)
{
	return strcmp(kind, "epoll_waiter") == 0 ? "ep_waiter" : kind;
}

static void draw_entry(struct tui *t, int y, int x, int w, const struct ps_entry *e, bool ghost)
{
	bool wide = w >= 90;
	char pos[16];

	/* entries on a real object's several queues: head/position */
	if (e->head >= 0)
		snprintf(pos, sizeof(pos), "%d/%d", e->head, e->pos);
	else
		snprintf(pos, sizeof(pos), "%d", e->pos);

	if (wide)
		put(y, x, w, A_NORMAL, "  %3s %-10s %-26s %6d %-14s %c %-2s %s%s", pos,
		    short_kind(e->kind), e->func, (int)e->pid, e->comm, e->state,
		    e->exclusive ? "X" : "-", e->key, ghost ? "  (removed)" : "");
	else
		put(y, x, w, A_NORMAL, " %3s %-9s %-16.16s %6d %-9.9s %c %-1s %s%s", pos,
		    short_kind(e->kind), view_short_func(e->func), (int)e->pid, e->comm, e->state,
		    e->exclusive ? "X" : "-", e->key, ghost ? " (removed)" : "");
}

static void draw_queues(struct tui *t)
{
	struct layout *l = &t->lay;
	int visible = l->q_h - 2, y;
	pid_t link = selected_pid(t);
	uint64_t now = view_now_ms();
	size_t nentries = t->v.nentries;

	title_row(t, l->q_y, l->q_x, l->q_w, t->focus == FOCUS_QUEUES,
		  " Wait queues: %zu object%s, %zu entr%s ", t->v.nobjects,
		  t->v.nobjects == 1 ? "" : "s", nentries, nentries == 1 ? "y" : "ies");
	if (l->q_w >= 90)
		put(l->q_y + 1, l->q_x, l->q_w, style(t, ST_DIM),
		    "  pos kind       wake function                 pid comm           S ex key");
	else
		put(l->q_y + 1, l->q_x, l->q_w, style(t, ST_DIM),
		    " pos kind      function            pid comm      S x key");
	if (t->v.nrows == 0) {
		put(l->q_y + 2, l->q_x, l->q_w, style(t, ST_DIM),
		    t->v.have_snapshot ? "  no objects: press n or type :create NAME"
				       : "  (no snapshot yet)");
		clear_rows(l->q_y + 3, l->q_y + l->q_h, l->q_x, l->q_w);
		return;
	}
	clamp_scroll(&t->qsel, &t->qtop, t->v.nrows, visible);
	y = l->q_y + 2;
	for (size_t i = t->qtop; i < t->v.nrows && y < l->q_y + l->q_h; i++, y++) {
		const struct view_row *r = &t->v.rows[i];
		attr_t a = A_NORMAL;
		pid_t pid = 0;

		if (r->type == ROW_OBJECT) {
			const struct ps_object *o = &t->v.objects[r->index];

			attr_t oa = style(t, r->hl_until > now ? ST_ADDED : ST_OBJECT);
			const char *isnew = r->hl_until > now ? "  (new)" : "";

			/* real kernel objects have no module counters: show what they have */
			if (o->type[0] && strcmp(o->type, "module") != 0)
				put(y, l->q_x, l->q_w, a,
				    "%s [%s]  ready=%s waiting=%d count=%lu open=%d%s", o->name,
				    o->type, o->ready, o->waiting, o->count, o->open, isnew);
			else
				put(y, l->q_x, l->q_w, oa,
				    "%s%s  ready=%s waiting=%d polls=%lu wakes=%lu open=%d%s",
				    o->name, o->ours ? "" : "*", o->ready, o->waiting, o->polls,
				    o->wakes, o->open, isnew);
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

	for (size_t i = 0; i < n; i++)
		alive += w[i]->alive;
	title_row(t, l->p_y, l->p_x, l->p_w, t->focus == FOCUS_PROCS,
		  " Processes: %zu waiter%s, %zu alive ", n, n == 1 ? "" : "s", alive);
	put(l->p_y + 1, l->p_x, l->p_w, style(t, ST_DIM),
	    "   pid label    call    S wchan          objects    last result");
	clamp_scroll(&t->psel, &t->ptop, n, visible);
	y = l->p_y + 2;
	if (n == 0)
		put(y++, l->p_x, l->p_w, style(t, ST_DIM), "%s",
		    "  no waiters: select an object and press s (poll), e (epoll), r (read)");
	for (size_t i = t->ptop; i < n && y < l->p_y + l->p_h; i++, y++) {
		const struct ps_waiter *p = w[i];
		attr_t a = A_NORMAL;
		const char *last = p->last.valid ? p->last.text
				   : p->alive	 ? (p->asleep ? "(asleep)" : "(entering call)")
						 : p->exit_text;

		put(y, l->p_x, l->p_w, A_NORMAL, "%6d %-8.8s %-7.7s %c %-14.14s %-10.10s %s",
		    (int)p->pid, p->label, p->call_name, p->alive ? p->state : 'X',
		    p->alive ? p->wchan : "-", p->objects, last);
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
	size_t total = t->v.tl_count, first;

	if (t->eback > total)
		t->eback = total;
	title_row(t, l->e_y, 0, COLS, t->focus == FOCUS_EVENTS, " Timeline%s ",
		  t->eback ? " (scrolled back: End follows)" : "");
	first = total > (size_t)rows + t->eback ? total - (size_t)rows - t->eback : 0;
	for (int i = 0; i < rows; i++) {
		const struct tl_line *tl = view_timeline_get(&t->v, first + (size_t)i);

		if (tl && first + (size_t)i < total - t->eback)
			put(l->e_y + 1 + i, 0, COLS, style(t, tl_style(tl->kind)), " %s", tl->text);
		else
			put(l->e_y + 1 + i, 0, COLS, A_NORMAL, "%s", "");
	}
}

/* The keys that fit: help first and quit last always, the rest in order of use. */
static void footer_keys(struct tui *t, char *buf, size_t len, int width)
{
	static const char *const normal[] = { "?:help", ":cmd",	     "Tab:focus",    "n:new",
					      "s:poll", "e:epoll",   "r:read",	     "w/W:wake",
					      "k:kill", "d:destroy", "Enter:details" };
	static const char *const paused[] = { "?:help", "Space/Enter:next step", "Tab:focus" };
	const char *const *items = t->pausing ? paused : normal;
	size_t n = t->pausing ? sizeof(paused) / sizeof(paused[0])
			      : sizeof(normal) / sizeof(normal[0]);
	const char *last = t->pausing ? "q:stop demo" : "q:quit";
	size_t used;

	snprintf(buf, len, " %s", items[0]);
	used = strlen(buf);
	for (size_t i = 1; i < n; i++) {
		size_t add = 2 + strlen(items[i]);

		if ((int)(used + add + 2 + strlen(last)) > width - 1)
			break;
		snprintf(buf + used, len - used, "  %s", items[i]);
		used += add;
	}
	snprintf(buf + used, len - used, "  %s", last);
}

static void draw_chrome(struct tui *t)
{
	char footer[256];
	size_t nw;
	struct ps_info info;

	ps_session_waiters(t->s, &nw);
	ps_session_info(t->s, &info);
	put(0, 0, COLS, style(t, ST_HEADER),
	    " pollscope %s | kernel %s | module: %s | %zu object%s, %zu entr%s, %zu waiter%s%s",
	    pollscope_version(), info.release && info.release[0] ? info.release : "?",
	    info.attached ? info.module : "not attached", t->v.nobjects,
	    t->v.nobjects == 1 ? "" : "s", t->v.nentries, t->v.nentries == 1 ? "y" : "ies", nw,
	    nw == 1 ? "" : "s", t->demo && !t->demo_done ? " | demo" : "");
	if (t->lay.banner_y >= 0)
		put(t->lay.banner_y, 0, COLS, style(t, ST_BANNER), " %s", t->banner);
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

static void draw_cmdline(struct tui *t)
{
	if (t->cl.active) {
		put(t->lay.cmd_y, 0, COLS, A_NORMAL, ":%s", t->cl.buf);
		if (t->cl.hint[0] && t->lay.e_y + t->lay.e_h - 1 > 0)
			put(t->lay.e_y + t->lay.e_h - 1, 0, COLS, style(t, ST_TITLE), " %s",
			    t->cl.hint);
		move(t->lay.cmd_y, 1 + (int)t->cl.cur);
		curs_set(1);
	} else {
		put(t->lay.cmd_y, 0, COLS, style(t, t->status_error ? ST_ERROR : ST_NORMAL), "%s",
		    t->status);
		curs_set(0);
	}
}

/* A centred box with lines of text, for help and details. */
static void draw_overlay(struct tui *t, const char *title, char lines[][160], int n)
{
	int w = 0, h, y0, x0;

	for (int i = 0; i < n; i++)
		if ((int)strlen(lines[i]) > w)
			w = (int)strlen(lines[i]);
	w += 4;
	if (w > COLS - 2)
		w = COLS - 2;
	h = n + 2;
	if (h > LINES - 2)
		h = LINES - 2;
	y0 = (LINES - h) / 2;
	x0 = (COLS - w) / 2;
	for (int y = 0; y < h; y++)
		put(y0 + y, x0, w, A_NORMAL, "%s", "");
	attrset(style(t, ST_TITLE));
	if (t->opts->ascii) {
		mvhline(y0, x0, '-', w);
		mvhline(y0 + h - 1, x0, '-', w);
		mvvline(y0, x0, '|', h);
		mvvline(y0, x0 + w - 1, '|', h);
	} else {
		mvhline(y0, x0, ACS_HLINE, w);
		mvhline(y0 + h - 1, x0, ACS_HLINE, w);
		mvvline(y0, x0, ACS_VLINE, h);
		mvvline(y0, x0 + w - 1, ACS_VLINE, h);
		mvaddch(y0, x0, ACS_ULCORNER);
		mvaddch(y0, x0 + w - 1, ACS_URCORNER);
		mvaddch(y0 + h - 1, x0, ACS_LLCORNER);
		mvaddch(y0 + h - 1, x0 + w - 1, ACS_LRCORNER);
	}
	mvaddnstr(y0, x0 + 2, title, w - 4);
	attrset(A_NORMAL);
	for (int i = 0; i < n && i < h - 2; i++)
		put(y0 + 1 + i, x0 + 2, w - 4, A_NORMAL, "%s", lines[i]);
}

/* The output of the last command, in a box as large as the screen allows,
 * scrolled from out_top. */
static void draw_output(struct tui *t)
{
	int h = LINES - 4, w = COLS - 4, y0 = 2, x0 = 2, rows;

	if (h < 3 || w < 10)
		return;
	rows = h - 2;
	if (t->out_n <= (size_t)rows)
		t->out_top = 0;
	else if (t->out_top > t->out_n - (size_t)rows)
		t->out_top = t->out_n - (size_t)rows;
	for (int y = 0; y < h; y++)
		put(y0 + y, x0, w, A_NORMAL, "%s", "");
	attrset(style(t, ST_TITLE));
	if (t->opts->ascii) {
		mvhline(y0, x0, '-', w);
		mvhline(y0 + h - 1, x0, '-', w);
	} else {
		mvhline(y0, x0, ACS_HLINE, w);
		mvhline(y0 + h - 1, x0, ACS_HLINE, w);
	}
	mvprintw(y0, x0 + 2, " %.*s ", w - 8, t->out_title);
	mvprintw(y0 + h - 1, x0 + 2,
		 " %zu-%zu of %zu lines: arrows/PgUp/PgDn scroll, other keys close ",
		 t->out_n ? t->out_top + 1 : 0,
		 t->out_top + (size_t)rows < t->out_n ? t->out_top + (size_t)rows : t->out_n,
		 t->out_n);
	attrset(A_NORMAL);
	for (int i = 0; i < rows && t->out_top + (size_t)i < t->out_n; i++)
		put(y0 + 1 + i, x0 + 1, w - 2, A_NORMAL, "%s",
		    t->out_lines[t->out_top + (size_t)i]);
}

static void output_clear(struct tui *t)
{
	for (size_t i = 0; i < t->out_n; i++)
		free(t->out_lines[i]);
	t->out_n = t->out_top = 0;
}

static void output_add(struct tui *t, const char *text)
{
	if (t->out_n == t->out_cap) {
		size_t cap = t->out_cap ? 2 * t->out_cap : 64;
		char **l = realloc(t->out_lines, cap * sizeof(*l));

		if (!l)
			return;
		t->out_lines = l;
		t->out_cap = cap;
	}
	t->out_lines[t->out_n] = strdup(text);
	if (t->out_lines[t->out_n])
		t->out_n++;
}

static void draw_help(struct tui *t)
{
	static const char *keys[] = {
		"?            this help (any key closes it)",
		":            command line (Tab completes, Up/Down history, Esc cancels)",
		"Tab          move focus: queues, processes, timeline",
		"Up/Down PgUp/PgDn Home/End   move and scroll in the focused pane",
		"Enter        details of the selected entry, object or process",
		"n            new object (:create)        d  destroy the selected object",
		"s / e / r    spawn a poll / epoll / blocking-read waiter on the selected object",
		"w / W        wake the selected object (one exclusive / all exclusive)",
		"k            kill the selected waiter",
		"q, Ctrl-C    quit (stops every waiter, destroys this session's objects)",
		"",
		"Commands (the same as in scripts and --shell):",
	};
	char lines[64][160];
	int n = 0;
	size_t ncmd;
	const struct ps_cmd *cmds = ps_cmd_table(&ncmd);

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) && n < 64; i++)
		snprintf(lines[n++], sizeof(lines[0]), "%s", keys[i]);
	for (size_t i = 0; i < ncmd && n < 64; i++)
		snprintf(lines[n++], sizeof(lines[0]), "  %-44s %s", cmds[i].usage, cmds[i].help);
	draw_overlay(t, " pollscope help ", lines, n);
}

static void draw_details(struct tui *t)
{
	char lines[24][160];
	int n = 0;

#define LINE(...) snprintf(lines[n++], sizeof(lines[0]), __VA_ARGS__)
	if (t->focus == FOCUS_QUEUES && t->qsel < t->v.nrows) {
		const struct view_row *r = &t->v.rows[t->qsel];

		if (r->type == ROW_OBJECT) {
			const struct ps_object *o = &t->v.objects[r->index];

			LINE("object      %s%s", o->name,
			     o->ours ? "" : " (not created by this session)");
			LINE("readiness   %s", o->ready);
			LINE("counter     %lu", o->count);
			LINE("waiting     %d entries on its wait queue", o->waiting);
			LINE("open files  %d", o->open);
			LINE("poll calls  %lu (%lu queued an entry)", o->polls, o->queued);
			LINE("entries     %lu added, %lu removed", o->added, o->removed);
			LINE("wakes       %lu, waking %lu", o->wakes, o->woken);
		} else {
			const struct ps_entry *e = r->type == ROW_ENTRY ? &t->v.entries[r->index]
									: &t->v.ghosts[r->index].e;

			LINE("object         %s%s", e->object,
			     r->type == ROW_GHOST ? " (removed)" : "");
			LINE("position       %d", e->pos);
			LINE("wake function  %s", e->func);
			LINE("kind           %s", e->kind);
			LINE("task           %d %s, state %c", (int)e->pid, e->comm, e->state);
			LINE("flags          %s", e->flags);
			LINE("requested key  %s", e->key);
			if (strcmp(e->func, "pollwake") == 0)
				LINE("queued by __pollwait from poll/select; pollwake checks the "
				     "key");
			else if (strcmp(e->func, "ep_poll_callback") == 0)
				LINE("queued by epoll_ctl(ADD); stays between epoll_wait calls");
			else if (strcmp(e->func, "autoremove_wake_function") == 0)
				LINE("queued by wait_event (blocking read); removed when woken");
		}
	} else if (t->focus == FOCUS_PROCS) {
		size_t nw;
		struct ps_waiter *const *w = ps_session_waiters(t->s, &nw);

		if (t->psel < nw) {
			const struct ps_waiter *p = w[t->psel];

			LINE("waiter    %s (group %s), pid %d", p->label, p->group, (int)p->pid);
			LINE("call      %s on %s", p->call_name, p->objects);
			LINE("options   %s", p->options[0] ? p->options : "-");
			LINE("state     %c, wchan %s%s", p->state, p->wchan,
			     p->asleep ? " (asleep in its call)" : "");
			LINE("calls     %u returned", p->calls);
			LINE("last      %s", p->last.valid ? p->last.text : "-");
			LINE("process   %s", p->alive ? "alive" : p->exit_text);
		}
	}
#undef LINE
	if (n == 0) {
		snprintf(lines[n++], sizeof(lines[0]), "nothing selected");
	}
	draw_overlay(t, " details (any key closes) ", lines, n);
}

static void draw(struct tui *t)
{
	compute_layout(t);
	if (LINES < 12 || COLS < 40) {
		erase();
		put(0, 0, COLS, A_BOLD, "pollscope needs at least 40x12 (now %dx%d)", COLS, LINES);
		refresh();
		return;
	}
	draw_chrome(t);
	draw_queues(t);
	draw_procs(t);
	draw_events(t);
	if (t->help)
		draw_help(t);
	else if (t->details)
		draw_details(t);
	else if (t->output)
		draw_output(t);
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
		for (size_t i = 0; i < n; i++) {
			view_format_event(&ev[i], line, sizeof(line));
			view_timeline_add(&t->v, view_event_kind(&ev[i]), "%s", line);
		}
		t->dirty = true;
		if (n < 64)
			break;
	}
}

static void sync_waiters(struct tui *t)
{
	size_t n;
	struct ps_waiter *const *w = ps_session_waiters(t->s, &n);

	view_update_waiters(&t->v, w, n, view_now_ms());
	t->dirty = true;
}

/* Drain the session and bring the view up to date. A command may itself
 * have drained the session (settle, sleep), so after one, pass PS_CHG_ALL. */
#define CHG_ALL (PS_CHG_EVENTS | PS_CHG_WAITERS | PS_CHG_STATES | PS_CHG_OBJECTS)
static void process_session(struct tui *t, unsigned chg)
{
	chg |= ps_session_process(t->s);

	if (chg & PS_CHG_WAITERS || ps_session_states_pending(t->s))
		chg |= ps_session_refresh_states(t->s);
	if (chg & (PS_CHG_EVENTS | PS_CHG_OBJECTS | PS_CHG_WAITERS))
		refresh_queues(t);
	if (chg & PS_CHG_EVENTS)
		pull_events(t);
	if (chg & (PS_CHG_WAITERS | PS_CHG_STATES))
		sync_waiters(t);
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

	if (!rec->text)
		return;
	if (t->capturing) {
		/* a command's output: kept whole, shown as a view if it is one */
		output_add(t, rec->text);
		if (is_view_record(rec->kind))
			t->captured_view = true;
	}
	if (!rec->text[0])
		return;
	if (t->capturing && is_view_record(rec->kind))
		return;
	if (rec->kind == PS_REC_RESULT)
		k = TL_RESULT;
	else if (rec->kind == PS_REC_SAY)
		k = TL_SAY;
	view_timeline_add(&t->v, k, "%s", rec->text);
	if (rec->kind != PS_REC_TEXT)
		set_status(t, false, "%s", rec->text);
	t->dirty = true;
}

static void run_command(struct tui *t, const char *line)
{
	struct ps_sink sink = { sink_record, t };
	char err[256] = "";
	int rc;

	t->status[0] = '\0';
	t->status_error = false;
	view_timeline_add(&t->v, TL_MESSAGE, ":%s", line);
	output_clear(t);
	t->capturing = true;
	t->captured_view = false;
	rc = ps_exec(t->s, line, &sink, err, sizeof(err));
	t->capturing = false;
	if (t->captured_view && t->out_n > 0) {
		snprintf(t->out_title, sizeof(t->out_title), ":%s", line);
		t->output = true;
	}
	if (rc == PS_EXEC_ERROR) {
		set_status(t, true, "%s", err);
		view_timeline_add(&t->v, TL_ERROR, "%s", err);
	} else if (rc == PS_EXEC_QUIT) {
		t->quit = true;
	}
	process_session(t, CHG_ALL);
	t->dirty = true;
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

/* Run "VERB OBJECT ARGS" on the selected object. */
static void object_action(struct tui *t, const char *verb, const char *args)
{
	const char *obj = selected_object(t);
	char line[128];

	if (!obj) {
		set_status(t, true, "select an object first (Tab to the queue pane, arrows)");
		return;
	}
	snprintf(line, sizeof(line), "%s %s%s%s", verb, obj, args[0] ? " " : "", args);
	run_command(t, line);
}

static void kill_selected(struct tui *t)
{
	size_t n;
	struct ps_waiter *const *w = ps_session_waiters(t->s, &n);
	pid_t pid = selected_pid(t);
	char line[64];

	for (size_t i = 0; i < n; i++) {
		if (pid && w[i]->pid == pid && w[i]->alive) {
			snprintf(line, sizeof(line), "kill %s", w[i]->label);
			run_command(t, line);
			return;
		}
	}
	set_status(t, true, "select a live waiter (in the process pane, or its queue entry)");
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

/* Single keys that run a command on the selected object. */
static const struct {
	int key;
	const char *verb, *args;
} object_keys[] = {
	{ 'd', "destroy", "" },	   { 's', "spawn poll", "" },  { 'e', "spawn epoll", "" },
	{ 'r', "spawn read", "" }, { 'w', "wake", "in nr=1" }, { 'W', "wake", "in nr=0" },
};

static void handle_key(struct tui *t, int ch)
{
	t->dirty = true;
	if (t->cl.active) {
		if (cmdline_key(&t->cl, ch, t->s) == CMDLINE_SUBMIT && t->cl.buf[0])
			run_command(t, t->cl.buf);
		return;
	}
	if (t->output && !t->help && !t->details) {
		int rows = LINES - 6 > 1 ? LINES - 6 : 1;

		switch (ch) {
		case KEY_UP:
			t->out_top = t->out_top ? t->out_top - 1 : 0;
			return;
		case KEY_DOWN:
			t->out_top++;
			return;
		case KEY_PPAGE:
			t->out_top = t->out_top > (size_t)rows ? t->out_top - (size_t)rows : 0;
			return;
		case KEY_NPAGE:
			t->out_top += (size_t)rows;
			return;
		case KEY_HOME:
			t->out_top = 0;
			return;
		case KEY_END:
			t->out_top = t->out_n;
			return;
		case KEY_RESIZE:
			return;
		default:
			t->output = false; /* closes, and does nothing else */
			return;
		}
	}
	if (t->help || t->details) {
		/* a key that closes an overlay does nothing else: q closes help, as in less */
		if (ch != KEY_RESIZE)
			t->help = t->details = false;
		return;
	}
	if (t->pausing && (ch == ' ' || ch == '\n' || ch == '\r' || ch == KEY_ENTER)) {
		t->pause_done = true;
		return;
	}
	switch (ch) {
	case 'q':
	case 'Q':
		t->quit = true;
		break;
	case '?':
	case KEY_F(1):
		t->help = true;
		break;
	case ':':
		cmdline_open(&t->cl, "");
		break;
	case '\t':
		t->focus = (t->focus + 1) % FOCUS_COUNT;
		break;
	case KEY_BTAB:
		t->focus = (t->focus + FOCUS_COUNT - 1) % FOCUS_COUNT;
		break;
	case KEY_UP:
	case 'K':
		move_sel(t, -1);
		break;
	case KEY_DOWN:
	case 'J':
		move_sel(t, 1);
		break;
	case KEY_PPAGE:
		move_sel(t, -page_size(t));
		break;
	case KEY_NPAGE:
		move_sel(t, page_size(t));
		break;
	case KEY_HOME:
		move_sel(t, -1000000);
		break;
	case KEY_END:
		move_sel(t, 1000000);
		if (t->focus == FOCUS_EVENTS)
			t->eback = 0;
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
		t->details = true;
		break;
	case 'n':
		cmdline_open(&t->cl, "create ");
		break;
	case 'k':
		kill_selected(t);
		break;
	case KEY_RESIZE:
		clear();
		break;
	case 12: /* Ctrl-L */
		clear();
		break;
	default:
		for (size_t i = 0; i < sizeof(object_keys) / sizeof(object_keys[0]); i++) {
			if (object_keys[i].key == ch) {
				object_action(t, object_keys[i].verb, object_keys[i].args);
				return;
			}
		}
		t->dirty = false;
		break;
	}
}

/* ------------------------------------------------------------ loop */

/* One turn: draw if needed, sleep in poll() until something happens (or the
 * next highlight expires), then take in what happened. */
static void loop_once(struct tui *t)
{
	struct pollfd fds[72];
	int n, timeout = -1, ch;
	uint64_t now = view_now_ms(), deadline;

	if (t->dirty)
		draw(t);
	fds[0] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
	n = 1 + ps_session_pollfds(t->s, fds + 1, 71);
	deadline = view_next_deadline(&t->v, now);
	if (t->pausing && t->pause_until)
		deadline = deadline && deadline < t->pause_until ? deadline : t->pause_until;
	if (deadline)
		timeout = (int)(deadline - now) + 1;
	if (ps_session_states_pending(t->s) && (timeout < 0 || timeout > 50))
		timeout = 50;
	if (poll(fds, (nfds_t)n, timeout) < 0 && errno != EINTR)
		t->quit = true;
	if (got_quit_signal)
		t->quit = true;
	if (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL))
		t->quit = true;
	process_session(t, 0);
	while (!t->quit && (ch = getch()) != ERR)
		handle_key(t, ch);
	now = view_now_ms();
	if (view_expire(&t->v, now))
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
	view_timeline_add(&t->v, TL_SAY, "say: %s", text);
	t->dirty = true;
}

/* pause inside a command: keep the screen live until Space/Enter (or the
 * demo delay), so the class sees the state the step produced. */
static int hook_pause(void *ctx, const char *text)
{
	struct tui *t = ctx;

	t->pausing = true;
	t->pause_done = false;
	t->pause_until =
		t->opts->demo_delay_ms > 0 ? view_now_ms() + (uint64_t)t->opts->demo_delay_ms : 0;
	set_status(t, false, "%s%s[Space/Enter: continue, q: stop]", text && text[0] ? text : "",
		   text && text[0] ? "  " : "");
	t->dirty = true;
	while (!t->pause_done && !t->quit)
		loop_once(t);
	t->pausing = false;
	t->status[0] = '\0';
	t->dirty = true;
	return t->quit ? -1 : 0;
}

/* sleep and settle inside a command: keep the screen live, but take no keys
 * (a key could start a command inside this one); a quit signal interrupts.
 * The command's own loop drains the session, so refresh everything now and
 * then rather than only on reported changes. */
static int hook_wait(void *ctx, int ms)
{
	struct tui *t = ctx;
	struct pollfd fds[PS_MAX_POLLFDS];
	uint64_t now = view_now_ms();
	int n;

	if (now - t->last_wait_refresh >= 50) {
		process_session(t, CHG_ALL);
		t->last_wait_refresh = now;
	}
	if (t->dirty)
		draw(t);
	n = ps_session_pollfds(t->s, fds, PS_MAX_POLLFDS);
	if (poll(fds, (nfds_t)n, ms) < 0 && errno != EINTR)
		return -1;
	if (got_quit_signal) {
		t->quit = true;
		return -1;
	}
	process_session(t, 0);
	if (t->dirty)
		draw(t);
	return 0;
}

/* Demo mode: one script line per turn of the loop, so the screen follows. */
static void demo_step(struct tui *t)
{
	char line[1024], err[256] = "";
	struct ps_sink sink = { sink_record, t };
	int rc;

	if (!fgets(line, sizeof(line), t->demo)) {
		t->demo_done = true;
		set_status(t, false, "demo finished: explore, or press q to quit");
		return;
	}
	t->demo_line++;
	line[strcspn(line, "\n")] = '\0';
	rc = ps_exec(t->s, line, &sink, err, sizeof(err));
	if (rc == PS_EXEC_ERROR) {
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
	struct ps_sink async = { sink_record, &t };
	struct ps_hooks hooks = {
		.say = hook_say, .pause = hook_pause, .wait = hook_wait, .ctx = &t
	};
	struct sigaction sa = { .sa_handler = on_quit_signal };
	char err[256];
	SCREEN *screen;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "pollscope: the TUI needs a terminal (use -c, -f or --shell)\n");
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
	setlocale(LC_ALL, "");
	screen = newterm(NULL, stdout, stdin);
	if (!screen) {
		fprintf(stderr, "pollscope: cannot set up terminal '%s'\n",
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
	init_styles(&t);
	view_init(&t.v);

	ps_session_set_hooks(s, &hooks);
	ps_session_set_async_sink(s, &async);
	if (ps_session_attach(s, err, sizeof(err)) < 0)
		set_status(&t, true, "%s", err);
	else if (ps_session_take_note(s, err, sizeof(err))) {
		set_status(&t, false, "%s", err);
		view_timeline_add(&t.v, TL_MESSAGE, "%s", err);
	} else
		set_status(&t, false, "press ? for help, : for a command%s",
			   t.demo ? "; the demo is starting" : "");
	refresh_queues(&t);
	sync_waiters(&t);
	pull_events(&t);

	while (!t.quit) {
		if (t.demo && !t.demo_done && !t.help && !t.cl.active) {
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
	output_clear(&t);
	free(t.out_lines);
	if (t.demo)
		fclose(t.demo);
	if (t.frame_log)
		fclose(t.frame_log);
	return 0;
}
