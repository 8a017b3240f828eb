#include <ctype.h>
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "i18n.h"
#include "pollscope.h"

#define CTRL(x) ((x)&0x1f)

void cmdline_open(struct cmdline *c, const char *prefill)
{
	c->active = true;
	snprintf(c->buf, sizeof(c->buf), "%s", prefill ? prefill : "");
	c->len = c->cur = strlen(c->buf);
	c->browse = c->nhistory;
	c->hint[0] = '\0';
}

void cmdline_free(struct cmdline *c)
{
	for (int i = 0; i < c->nhistory; i++)
		free(c->history[i]);
	c->nhistory = 0;
}

static void set_line(struct cmdline *c, const char *text)
{
	snprintf(c->buf, sizeof(c->buf), "%s", text);
	c->len = c->cur = strlen(c->buf);
}

static void remember(struct cmdline *c)
{
	if (c->len == 0)
		return;
	if (c->nhistory && strcmp(c->history[c->nhistory - 1], c->buf) == 0)
		return;
	if (c->nhistory == CMDLINE_HISTORY) {
		free(c->history[0]);
		memmove(c->history, c->history + 1, (CMDLINE_HISTORY - 1) * sizeof(char *));
		c->nhistory--;
	}
	c->history[c->nhistory] = strdup(c->buf);
	if (c->history[c->nhistory])
		c->nhistory++;
}

static void insert_text(struct cmdline *c, const char *text)
{
	size_t n = strlen(text);

	if (c->len + n >= sizeof(c->buf))
		return;
	memmove(c->buf + c->cur + n, c->buf + c->cur, c->len - c->cur + 1);
	memcpy(c->buf + c->cur, text, n);
	c->len += n;
	c->cur += n;
}

struct completion {
	char words[64][64];
	int n;
};

static void add_candidate(void *ctx, const char *word)
{
	struct completion *comp = ctx;

	if (comp->n < 64)
		snprintf(comp->words[comp->n++], sizeof(comp->words[0]), "%s", word);
}

/* Complete the word before the cursor: a unique candidate is inserted with
 * a space; several insert their common prefix and are listed in the hint. */
static void complete(struct cmdline *c, struct ps_session *s)
{
	struct completion comp = { .n = 0 };
	char before[CMDLINE_MAX];
	size_t start = c->cur, common, typed;

	while (start > 0 && !isspace((unsigned char)c->buf[start - 1]) && c->buf[start - 1] != ';')
		start--;
	typed = c->cur - start;
	memcpy(before, c->buf, c->cur);
	before[c->cur] = '\0';
	ps_complete(s, before, add_candidate, &comp);
	c->hint[0] = '\0';
	if (comp.n == 0)
		return;
	common = strlen(comp.words[0]);
	for (int i = 1; i < comp.n; i++) {
		size_t k = 0;

		while (k < common && comp.words[i][k] == comp.words[0][k])
			k++;
		common = k;
	}
	if (common > typed) {
		char add[64];

		snprintf(add, sizeof(add), "%.*s", (int)(common - typed), comp.words[0] + typed);
		insert_text(c, add);
	}
	if (comp.n == 1) {
		size_t w = strlen(comp.words[0]);

		if (w > 0 && comp.words[0][w - 1] != '=')
			insert_text(c, " ");
		return;
	}
	for (int i = 0; i < comp.n; i++) {
		size_t used = strlen(c->hint);

		if (used + strlen(comp.words[i]) + 2 >= sizeof(c->hint))
			break;
		snprintf(c->hint + used, sizeof(c->hint) - used, "%s%s", used ? "  " : "",
			 comp.words[i]);
	}
}

/* Keep in step with cmdline_key below. */
const char *const cmdline_help[] = {
	N_("Enter          run the command; Esc or Ctrl-G cancels"),
	N_("Tab            complete a command, object or option (candidates shown above)"),
	N_("Up Down        history (also Ctrl-P Ctrl-N)"),
	N_("Left Right     move (also Ctrl-B Ctrl-F)"),
	N_("Home Ctrl-A    start of the line (in QEMU's console Ctrl-A is QEMU's key: use Home,"),
	N_("               or Ctrl-A a)"),
	N_("End Ctrl-E     end of the line"),
	N_("Backspace Del  delete before / at the cursor (also Ctrl-H Ctrl-D)"),
	N_("Ctrl-U Ctrl-K  delete to the start / to the end; Ctrl-W the word before"),
	NULL,
};

enum cmdline_result cmdline_key(struct cmdline *c, int key, struct ps_session *s)
{
	switch (key) {
	case '\n':
	case '\r':
	case KEY_ENTER:
		remember(c);
		c->active = false;
		return CMDLINE_SUBMIT;
	case 27: /* Escape */
	case CTRL('g'):
		c->active = false;
		return CMDLINE_CANCEL;
	case KEY_BACKSPACE:
	case 127:
	case CTRL('h'):
		if (c->cur == 0 && c->len == 0) {
			c->active = false;
			return CMDLINE_CANCEL;
		}
		if (c->cur > 0) {
			memmove(c->buf + c->cur - 1, c->buf + c->cur, c->len - c->cur + 1);
			c->cur--;
			c->len--;
		}
		break;
	case KEY_DC:
	case CTRL('d'):
		if (c->cur < c->len) {
			memmove(c->buf + c->cur, c->buf + c->cur + 1, c->len - c->cur);
			c->len--;
		}
		break;
	case KEY_LEFT:
	case CTRL('b'):
		if (c->cur > 0)
			c->cur--;
		break;
	case KEY_RIGHT:
	case CTRL('f'):
		if (c->cur < c->len)
			c->cur++;
		break;
	case KEY_HOME:
	case CTRL('a'):
		c->cur = 0;
		break;
	case KEY_END:
	case CTRL('e'):
		c->cur = c->len;
		break;
	case CTRL('u'):
		memmove(c->buf, c->buf + c->cur, c->len - c->cur + 1);
		c->len -= c->cur;
		c->cur = 0;
		break;
	case CTRL('k'):
		c->buf[c->cur] = '\0';
		c->len = c->cur;
		break;
	case CTRL('w'): {
		size_t start = c->cur;

		while (start > 0 && c->buf[start - 1] == ' ')
			start--;
		while (start > 0 && c->buf[start - 1] != ' ')
			start--;
		memmove(c->buf + start, c->buf + c->cur, c->len - c->cur + 1);
		c->len -= c->cur - start;
		c->cur = start;
		break;
	}
	case KEY_UP:
	case CTRL('p'):
		if (c->browse > 0) {
			if (c->browse == c->nhistory)
				snprintf(c->saved, sizeof(c->saved), "%s", c->buf);
			c->browse--;
			set_line(c, c->history[c->browse]);
		}
		break;
	case KEY_DOWN:
	case CTRL('n'):
		if (c->browse < c->nhistory) {
			c->browse++;
			set_line(c, c->browse == c->nhistory ? c->saved : c->history[c->browse]);
		}
		break;
	case '\t':
		complete(c, s);
		return CMDLINE_EDITING;
	default:
		if (key >= 32 && key < 127) {
			char ch[2] = { (char)key, '\0' };

			insert_text(c, ch);
		}
		break;
	}
	c->hint[0] = '\0';
	return CMDLINE_EDITING;
}
