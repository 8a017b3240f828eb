/* Pure parsing and formatting; see parse.h. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "i18n.h"
#include "parse.h"

/* ------------------------------------------------------------ tokenizer */

int ps_tokenize(const char *line, struct ps_tokens *t, char *err, size_t errlen)
{
	size_t len = strlen(line);
	char *out;
	const char *p = line;
	int in_word = 0;

	memset(t, 0, sizeof(*t));
	t->buf = malloc(2 * len + 2);
	if (!t->buf) {
		snprintf(err, errlen, _("out of memory"));
		return -1;
	}
	out = t->buf;
	t->ncmds = 0;

#define CUR (&t->cmd[t->ncmds])
#define START_WORD()                                                                               \
	do {                                                                                       \
		if (!in_word) {                                                                    \
			if (CUR->argc >= PS_TOK_MAX_WORDS) {                                       \
				snprintf(err, errlen,                                              \
					 "too many words in one command (at most %d)",             \
					 PS_TOK_MAX_WORDS);                                        \
				goto fail;                                                         \
			}                                                                          \
			CUR->argv[CUR->argc++] = out;                                              \
			in_word = 1;                                                               \
		}                                                                                  \
	} while (0)
#define END_WORD()                                                                                 \
	do {                                                                                       \
		if (in_word) {                                                                     \
			*out++ = '\0';                                                             \
			in_word = 0;                                                               \
		}                                                                                  \
	} while (0)

	while (*p) {
		char ch = *p;
		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
			END_WORD();
			p++;
		} else if (ch == ';') {
			END_WORD();
			p++;
			if (CUR->argc > 0) {
				if (t->ncmds + 1 >= (int)(sizeof(t->cmd) / sizeof(t->cmd[0]))) {
					snprintf(err, errlen, _("too many commands on one line"));
					goto fail;
				}
				t->ncmds++;
			}
		} else if (ch == '#' && !in_word) {
			break;
		} else if (ch == '\'') {
			START_WORD();
			p++;
			while (*p && *p != '\'')
				*out++ = *p++;
			if (*p != '\'') {
				snprintf(err, errlen, _("unterminated quote (')"));
				goto fail;
			}
			p++;
		} else if (ch == '"') {
			START_WORD();
			p++;
			while (*p && *p != '"') {
				if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
					p++;
				*out++ = *p++;
			}
			if (*p != '"') {
				snprintf(err, errlen, _("unterminated quote (\")"));
				goto fail;
			}
			p++;
		} else if (ch == '\\') {
			START_WORD();
			p++;
			if (*p)
				*out++ = *p++;
		} else {
			START_WORD();
			*out++ = *p++;
		}
	}
	END_WORD();
	if (CUR->argc > 0)
		t->ncmds++;
	for (int i = 0; i < t->ncmds; i++)
		t->cmd[i].argv[t->cmd[i].argc] = NULL;
	return 0;
fail:
	free(t->buf);
	t->buf = NULL;
	t->ncmds = 0;
	return -1;
#undef CUR
#undef START_WORD
#undef END_WORD
}

void ps_tokens_free(struct ps_tokens *t)
{
	free(t->buf);
	t->buf = NULL;
	t->ncmds = 0;
}

/* ---------------------------------------------------------------- masks */

#define MASK_ENTRY(name, sfx, val) { #name, val },
const struct ps_mask_name ps_mask_names[PS_NMASK] = { PS_UAPI_MASK_NAMES(MASK_ENTRY) };

/* Bits that are not events but show up in keys: POLLNVAL from select's
 * exception set, and the epoll flags ep_item_poll passes as pt->_key. Named
 * for reading; the module accepts only the events above. */
#define KEY_FLAG_ENTRY(name, val) { #name, val },
static const struct ps_mask_name ps_mask_flags[] = { PS_UAPI_KEY_FLAG_NAMES(KEY_FLAG_ENTRY) };
#define PS_NFLAGS ((int)(sizeof(ps_mask_flags) / sizeof(ps_mask_flags[0])))

/* The event or flag called name (case-insensitive), 0 if none. */
static uint32_t mask_bit(const char *name)
{
	for (int i = 0; i < PS_NMASK; i++)
		if (strcasecmp(name, ps_mask_names[i].name) == 0)
			return ps_mask_names[i].value;
	for (int i = 0; i < PS_NFLAGS; i++)
		if (strcasecmp(name, ps_mask_flags[i].name) == 0)
			return ps_mask_flags[i].value;
	return 0;
}

static int parse_number_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (!isxdigit((unsigned char)s[2]))
			return -1;
		v = strtoull(s + 2, &end, 16);
	} else {
		v = strtoull(s, &end, 10);
	}
	if (errno || *end || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int ps_mask_parse(const char *s, uint32_t *out, char *err, size_t errlen)
{
	char word[64];
	const char *p = s;
	uint32_t mask = 0;

	if (!s || !*s) {
		snprintf(err, errlen, _("empty mask"));
		return -1;
	}
	if (strcasecmp(s, "none") == 0) {
		*out = 0;
		return 0;
	}
	if (isdigit((unsigned char)s[0])) {
		if (parse_number_u32(s, out) < 0) {
			snprintf(err, errlen, _("bad mask '%s': not a number"), s);
			return -1;
		}
		return 0;
	}
	while (*p) {
		size_t n = strcspn(p, ",|");
		uint32_t bit;
		int found = 0;

		if (n == 0 || n >= sizeof(word)) {
			snprintf(err, errlen, _("bad mask '%s': empty or overlong event name"), s);
			return -1;
		}
		memcpy(word, p, n);
		word[n] = '\0';
		bit = mask_bit(word);
		if (bit) {
			mask |= bit;
			found = 1;
		}
		if (!found) {
			uint32_t v;
			/* strip an EPOLL/POLL prefix the user may be used to */
			const char *w = word;
			if (strncasecmp(w, "EPOLL", 5) == 0)
				w += 5;
			else if (strncasecmp(w, "POLL", 4) == 0)
				w += 4;
			if (w != word && (bit = mask_bit(w))) {
				mask |= bit;
				found = 1;
			}
			if (!found && parse_number_u32(word, &v) == 0) {
				mask |= v;
				found = 1;
			}
		}
		if (!found) {
			snprintf(err, errlen,
				 _("bad mask '%s': unknown event '%s' (known: in out pri err hup "
				   "rdnorm rdband wrnorm wrband msg rdhup, none, or a number)"),
				 s, word);
			return -1;
		}
		p += n;
		if (*p) {
			p++;
			if (!*p) {
				snprintf(err, errlen, _("bad mask '%s': trailing separator"), s);
				return -1;
			}
		}
	}
	*out = mask;
	return 0;
}

char *ps_mask_format(uint32_t mask, char *buf, size_t len)
{
	size_t used = 0;
	uint32_t known = 0;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (mask == 0) {
		snprintf(buf, len, "none");
		return buf;
	}
	for (int i = 0; i < PS_NMASK + PS_NFLAGS; i++) {
		const struct ps_mask_name *m =
			i < PS_NMASK ? &ps_mask_names[i] : &ps_mask_flags[i - PS_NMASK];

		known |= m->value;
		if (mask & m->value) {
			int n = snprintf(buf + used, len - used, "%s%s", used ? "," : "", m->name);

			if (n < 0 || (size_t)n >= len - used)
				return buf;
			used += (size_t)n;
		}
	}
	if (mask & ~known)
		snprintf(buf + used, len - used, "%s0x%x", used ? "," : "", mask & ~known);
	return buf;
}

/* ---------------------------------------------------------- kv records */

int ps_kv_split(char *line, struct ps_kv *kv)
{
	char *p = line;

	kv->n = 0;
	for (;;) {
		char *w, *eq;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (!*p)
			break;
		w = p;
		p += strcspn(p, " \t\n\r"); /* libc's, vectorised: 60,000 lines a scan */
		eq = memchr(w, '=', (size_t)(p - w));
		if (*p)
			*p++ = '\0';
		if (!eq || eq == w)
			return -1;
		if (kv->n >= PS_KV_MAX)
			return -1;
		*eq = '\0';
		kv->f[kv->n].key = w;
		kv->f[kv->n].val = eq + 1;
		kv->n++;
	}
	return kv->n;
}

const char *ps_kv_get(const struct ps_kv *kv, const char *key)
{
	/* the first byte before strcmp: a waits scan asks 365,000 times */
	for (int i = 0; i < kv->n; i++)
		if (kv->f[i].key[0] == key[0] && strcmp(kv->f[i].key, key) == 0)
			return kv->f[i].val;
	return NULL;
}

void ps_copy_or(char *dst, size_t len, const char *src, const char *none)
{
	size_t n;

	if (!len)
		return;
	if (!src)
		src = none;
	n = strnlen(src, len - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void copy_str(char *dst, size_t len, const char *src)
{
	ps_copy_or(dst, len, src, "-");
}

static int get_long(const struct ps_kv *kv, const char *key, long long *out)
{
	const char *v = ps_kv_get(kv, key);
	char *end;

	if (!v || !*v)
		return -1;
	errno = 0;
	*out = strtoll(v, &end, 10);
	if (errno || *end)
		return -1;
	return 0;
}

static int get_ulong(const struct ps_kv *kv, const char *key, unsigned long *out)
{
	long long v;

	if (get_long(kv, key, &v) < 0 || v < 0)
		return -1;
	*out = (unsigned long)v;
	return 0;
}

/*
 * The entry's key text as a mask (and its hex bits named).  A queue's
 * entries mostly share a handful of keys: the last few are kept, so that a
 * scan of 20,000 entries parses a few masks, not 20,000.
 */
static void entry_key(struct ps_entry *e)
{
	static struct {
		char text[PS_MASK_TEXT];
		char named[PS_MASK_TEXT];
		uint32_t mask;
	} memo[4];
	static unsigned int next;
	char err[8];

	for (unsigned int i = 0; i < 4; i++) {
		if (memo[i].text[0] && !strcmp(memo[i].text, e->key)) {
			e->key_mask = memo[i].mask;
			memcpy(e->key, memo[i].named, sizeof(e->key));
			return;
		}
	}
	if (ps_mask_parse(e->key, &e->key_mask, err, sizeof(err)) < 0) {
		e->key_mask = 0; /* kept as the module wrote it, with no mask */
		return;
	}
	next = (next + 1) % 4;
	memcpy(memo[next].text, e->key, sizeof(memo[next].text));
	if (strstr(e->key, "0x")) /* name the bits it printed in hex */
		ps_mask_format(e->key_mask, e->key, sizeof(e->key));
	memcpy(memo[next].named, e->key, sizeof(memo[next].named));
	memo[next].mask = e->key_mask;
}

static int entry_from_kv(const struct ps_kv *kv, struct ps_entry *e)
{
	long long v;
	const char *s;

	if (get_long(kv, PS_K_POS, &v) < 0)
		return -1;
	e->pos = (int)v;
	s = ps_kv_get(kv, PS_K_FUNC);
	if (!s)
		return -1;
	copy_str(e->func, sizeof(e->func), s);
	copy_str(e->kind, sizeof(e->kind), ps_kv_get(kv, PS_K_KIND));
	if (get_long(kv, PS_K_PID, &v) < 0)
		v = 0;
	e->pid = (pid_t)v;
	copy_str(e->comm, sizeof(e->comm), ps_kv_get(kv, PS_K_COMM));
	s = ps_kv_get(kv, PS_K_STATE);
	e->state = (s && *s) ? s[0] : '-';
	copy_str(e->flags, sizeof(e->flags), ps_kv_get(kv, PS_K_FLAGS));
	e->exclusive = false;
	{
		/* flags is a ','-joined list; look for the word "exclusive" */
		const char *f = e->flags;
		while (*f) {
			size_t n = strcspn(f, ",");
			if (n == 9 && strncmp(f, "exclusive", 9) == 0)
				e->exclusive = true;
			f += n;
			if (*f)
				f++;
		}
	}
	ps_copy_or(e->epoll, sizeof(e->epoll), ps_kv_get(kv, PS_K_EPOLL), "");
	e->tfd = get_long(kv, PS_K_TFD, &v) == 0 ? (int)v : -1;
	ps_copy_or(e->sleepers, sizeof(e->sleepers), ps_kv_get(kv, PS_K_SLEEPERS), "");
	copy_str(e->key, sizeof(e->key), ps_kv_get(kv, PS_K_KEY));
	e->has_key = strcmp(e->key, "-") != 0;
	e->key_mask = 0;
	if (e->has_key)
		entry_key(e);
	return 0;
}

int ps_parse_entry(const char *line, struct ps_entry *e)
{
	char buf[512];
	struct ps_kv kv;
	const char *s;
	long long v;
	size_t n = strnlen(line, sizeof(buf));

	memset(e, 0, sizeof(*e));
	if (n == sizeof(buf))
		return -1;
	memcpy(buf, line, n + 1);
	if (ps_kv_split(buf, &kv) <= 0)
		return -1;
	s = ps_kv_get(&kv, PS_K_OBJECT);
	e->head = -1;
	if (s) {
		copy_str(e->object, sizeof(e->object), s);
	} else if (get_long(&kv, PS_K_HEAD, &v) == 0) {
		e->head = (int)v;
	} else {
		return -1;
	}
	return entry_from_kv(&kv, e);
}

/* "12" or "8+" (at least 8). */
static int parse_truncated(const char *v, long *n, bool *more)
{
	char *end;
	long x;

	if (!v || !isdigit((unsigned char)v[0]))
		return -1;
	errno = 0;
	x = strtol(v, &end, 10);
	if (errno)
		return -1;
	*more = strcmp(end, PS_TRUNC_MORE) == 0;
	if (*end && !*more)
		return -1;
	*n = x;
	return 0;
}

int ps_parse_queue_line(const char *line, struct ps_qline *q, char *err, size_t errlen)
{
	char buf[512];
	struct ps_kv kv;
	const char *t, *o, *s;
	long long v;
	int n;

	memset(q, 0, sizeof(*q));
	q->head = -1;
	if (strlen(line) >= sizeof(buf))
		goto bad;
	strcpy(buf, line);
	n = ps_kv_split(buf, &kv);
	if (n <= 0)
		goto bad;
	if (ps_kv_get(&kv, PS_K_POS)) {
		if (ps_parse_entry(line, &q->e) < 0)
			goto bad;
		q->kind = PS_QL_ENTRY;
		return 0;
	}
	t = ps_kv_get(&kv, PS_K_TRUNCATED);
	o = ps_kv_get(&kv, PS_K_OBJECT);
	if (o && t) {
		if (!*o || strlen(o) >= sizeof(q->object) ||
		    parse_truncated(t, &q->truncated, &q->truncated_more) < 0)
			goto bad;
		snprintf(q->object, sizeof(q->object), "%s", o);
		q->kind = PS_QL_TRUNCATED;
		return 0;
	}
	if (get_long(&kv, PS_K_WATCH, &v) == 0 && v >= 0) {
		const char *ev = ps_kv_get(&kv, PS_K_EVENTS), *sd = ps_kv_get(&kv, PS_K_SDEV);
		const char *rd = ps_kv_get(&kv, PS_K_READY);
		unsigned long ino;

		if (get_long(&kv, PS_K_TFD, &v) < 0 || get_ulong(&kv, PS_K_INO, &ino) < 0 || !ev ||
		    !sd || !rd || (strcmp(rd, "yes") && strcmp(rd, "no")))
			goto bad;
		q->tfd = (int)v;
		q->ino = ino;
		snprintf(q->sdev, sizeof(q->sdev), "%s", sd);
		snprintf(q->events, sizeof(q->events), "%s", ev);
		q->ready = !strcmp(rd, "yes");
		s = ps_kv_get(&kv, PS_K_FID);
		if (s && (strlen(s) >= sizeof(q->fid) || !*s))
			goto bad;
		snprintf(q->fid, sizeof(q->fid), "%s", s ? s : "");
		q->kind = PS_QL_WATCH;
		return 0;
	}
	if (get_long(&kv, PS_K_WATCHED, &v) == 0 && v >= 0 && v <= INT_MAX) {
		q->entries = (int)v;
		if (t && parse_truncated(t, &q->truncated, &q->truncated_more) < 0)
			goto bad;
		q->kind = PS_QL_WATCHED;
		return 0;
	}
	if (!o && get_long(&kv, PS_K_HEAD, &v) == 0 && v >= 0 && v < 1000) {
		q->head = (int)v;
		if (get_long(&kv, PS_K_ENTRIES, &v) < 0 || v < 0 || v > INT_MAX)
			goto bad;
		q->entries = (int)v;
		if (t && parse_truncated(t, &q->truncated, &q->truncated_more) < 0)
			goto bad;
		snprintf(q->queue, sizeof(q->queue), "%s",
			 ps_kv_get(&kv, PS_K_QUEUE) ? ps_kv_get(&kv, PS_K_QUEUE) : "");
		q->kind = PS_QL_HEAD;
		return 0;
	}
bad:
	snprintf(err, errlen, _("cannot read line '%.*s'"), 200, line);
	return -1;
}

int ps_parse_event(const char *line, struct ps_event *ev)
{
	char buf[1100];
	struct ps_kv kv;
	long long v;
	size_t used = 0;
	const char *s;

	memset(ev, 0, sizeof(*ev));
	if (strlen(line) >= sizeof(buf))
		return -1;
	strcpy(buf, line);
	snprintf(ev->line, sizeof(ev->line), "%s", line);
	ev->line[strcspn(ev->line, "\n")] = '\0';
	if (ps_kv_split(buf, &kv) <= 0)
		return -1;
	if (get_long(&kv, "seq", &v) < 0 || v < 0)
		return -1;
	ev->seq = (uint64_t)v;
	s = ps_kv_get(&kv, "type");
	if (!s)
		return -1;
	copy_str(ev->type, sizeof(ev->type), s);
	if (get_long(&kv, "ns", &v) == 0)
		ev->ns = (uint64_t)v;
	if (get_long(&kv, "pid", &v) == 0)
		ev->pid = (pid_t)v;
	copy_str(ev->comm, sizeof(ev->comm), ps_kv_get(&kv, "comm"));
	s = ps_kv_get(&kv, "object");
	snprintf(ev->object, sizeof(ev->object), "%s", s ? s : "");
	for (int i = 0; i < kv.n; i++) {
		const char *k = kv.f[i].key;
		int n;
		if (!strcmp(k, "seq") || !strcmp(k, "ns") || !strcmp(k, "type") ||
		    !strcmp(k, "pid") || !strcmp(k, "comm") || !strcmp(k, "object"))
			continue;
		n = snprintf(ev->detail + used, sizeof(ev->detail) - used, "%s%s=%s",
			     used ? " " : "", k, kv.f[i].val);
		if (n < 0 || (size_t)n >= sizeof(ev->detail) - used)
			break;
		used += (size_t)n;
	}
	return 0;
}

/* A decimal number, digits only. */
static int parse_ll(const char *s, long long *out)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno || *end ? -1 : 0;
}

static int watch_ent(char *s, struct ps_watch_ent *e)
{
	char *f[5], *save = NULL, *x;
	int n = 0;
	long long pid;

	memset(e, 0, sizeof(*e));
	for (x = strtok_r(s, "/", &save); x && n < 5; x = strtok_r(NULL, "/", &save))
		f[n++] = x;
	if (n != 5 || x)
		return -1;
	x = strstr(f[0], "+x");
	if (x && x[2] == '\0') {
		e->exclusive = true;
		*x = '\0';
	}
	if (!f[0][0] || parse_ll(f[1], &pid) < 0 || pid < 0)
		return -1;
	if (strcmp(f[4], "wake") && strcmp(f[4], "skip") && strcmp(f[4], "stop") &&
	    strcmp(f[4], "after") && strcmp(f[4], "unknown"))
		return -1;
	copy_str(e->kind, sizeof(e->kind), f[0]);
	e->pid = (pid_t)pid;
	copy_str(e->comm, sizeof(e->comm), f[2]);
	copy_str(e->key, sizeof(e->key), f[3]);
	copy_str(e->verdict, sizeof(e->verdict), f[4]);
	return 0;
}

int ps_parse_watch_event(const char *line, struct ps_watch_ev *w, char *err, size_t errlen)
{
	char buf[1100], ents[1100], *x, *save = NULL;
	const char *why = "not a watch record", *s;
	struct ps_kv kv;
	long long v;

	memset(w, 0, sizeof(*w));
	w->head = -1;
	if (strlen(line) >= sizeof(buf))
		goto bad_len;
	strcpy(buf, line);
	buf[strcspn(buf, "\n")] = '\0';
	if (ps_kv_split(buf, &kv) <= 0 || !(s = ps_kv_get(&kv, "type")) || strcmp(s, "watch"))
		goto bad;
	why = "no op=";
	if (!(s = ps_kv_get(&kv, "op")))
		goto bad;
	copy_str(w->op, sizeof(w->op), s);
	if (!strcmp(w->op, "start")) {
		why = "start without heads= and mask=";
		if (get_long(&kv, "heads", &v) < 0 || v < 0 || !(s = ps_kv_get(&kv, "mask")))
			goto bad;
		w->heads = (int)v;
		copy_str(w->key, sizeof(w->key), s);
		return 0;
	}
	if (!strcmp(w->op, "end")) {
		why = "end without reason=";
		if (!(s = ps_kv_get(&kv, "reason")))
			goto bad;
		copy_str(w->reason, sizeof(w->reason), s);
		if (get_long(&kv, "wakes", &v) == 0 && v >= 0)
			w->wakes = (unsigned long long)v;
		if (get_long(&kv, "limited", &v) == 0 && v >= 0)
			w->limited = (unsigned long long)v;
		return 0;
	}
	why = "unknown op";
	if (strcmp(w->op, "wake") && strcmp(w->op, "pollfree"))
		goto bad;
	why = "no head=, queue=, key= or ctx=";
	if (get_long(&kv, "head", &v) < 0 || v < 0 || v > 15 || !ps_kv_get(&kv, "queue") ||
	    !ps_kv_get(&kv, "key") || !ps_kv_get(&kv, "ctx"))
		goto bad;
	w->head = (int)v;
	copy_str(w->queue, sizeof(w->queue), ps_kv_get(&kv, "queue"));
	copy_str(w->key, sizeof(w->key), ps_kv_get(&kv, "key"));
	copy_str(w->ctx, sizeof(w->ctx), ps_kv_get(&kv, "ctx"));
	if (!strcmp(w->op, "pollfree"))
		return 0;
	why = "no site=";
	if (!(s = ps_kv_get(&kv, "site")))
		goto bad;
	copy_str(ents, sizeof(ents), s);
	for (x = strtok_r(ents, "<", &save); x && w->nsite < PS_WATCH_SITES;
	     x = strtok_r(NULL, "<", &save))
		copy_str(w->site[w->nsite++], sizeof(w->site[0]), x);
	why = "bad waiters=";
	s = ps_kv_get(&kv, "waiters");
	if (!s || !isdigit((unsigned char)s[0]))
		goto bad;
	copy_str(ents, sizeof(ents), s);
	x = strchr(ents, '+');
	if (x) {
		if (x[1])
			goto bad;
		*x = '\0';
		w->waiters_more = true;
	}
	if (parse_ll(ents, &v) < 0 || v < 0)
		goto bad;
	w->waiters = (int)v;
	why = "bad entries=";
	s = ps_kv_get(&kv, "entries");
	if (!s)
		goto bad;
	if (!strcmp(s, "-"))
		return 0;
	copy_str(ents, sizeof(ents), s);
	save = NULL;
	for (x = strtok_r(ents, ";", &save); x; x = strtok_r(NULL, ";", &save)) {
		if (w->nent == PS_WATCH_ENTS || watch_ent(x, &w->ent[w->nent]) < 0)
			goto bad;
		w->nent++;
	}
	return 0;
bad_len:
	why = "line too long";
bad:
	snprintf(err, errlen, _("cannot read watch record: %s"), why);
	return -1;
}

int ps_parse_object_stats(const char *line, struct ps_object *o)
{
	char buf[512];
	struct ps_kv kv;
	const char *s;
	long long v;
	char err[8];

	memset(o, 0, sizeof(*o));
	if (strlen(line) >= sizeof(buf))
		return -1;
	strcpy(buf, line);
	if (ps_kv_split(buf, &kv) <= 0)
		return -1;
	s = ps_kv_get(&kv, "object");
	if (!s)
		return -1;
	copy_str(o->name, sizeof(o->name), s);
	copy_str(o->ready, sizeof(o->ready), ps_kv_get(&kv, "ready"));
	if (ps_mask_parse(o->ready, &o->ready_mask, err, sizeof(err)) < 0)
		o->ready_mask = 0;
	get_ulong(&kv, "polls", &o->polls);
	get_ulong(&kv, "queued", &o->queued);
	get_ulong(&kv, "added", &o->added);
	get_ulong(&kv, "removed", &o->removed);
	get_ulong(&kv, "wakes", &o->wakes);
	get_ulong(&kv, "woken", &o->woken);
	get_ulong(&kv, "count", &o->count);
	if (get_long(&kv, "creator", &v) == 0)
		o->creator = (pid_t)v;
	if (ps_kv_get(&kv, "creator_comm"))
		copy_str(o->creator_comm, sizeof(o->creator_comm), ps_kv_get(&kv, "creator_comm"));
	if (get_long(&kv, "waiting", &v) == 0)
		o->waiting = (int)v;
	if (get_long(&kv, "open", &v) == 0)
		o->open = (int)v;
	o->has_stats = true;
	return 0;
}

int ps_parse_version(const char *text, struct ps_version *v)
{
	const char *p = text;
	int have_iface = 0;

	memset(v, 0, sizeof(*v));
	while (*p) {
		char buf[256];
		size_t n = strcspn(p, "\n");
		struct ps_kv kv;
		const char *s;
		long long x;

		if (n < sizeof(buf)) {
			memcpy(buf, p, n);
			buf[n] = '\0';
			if (ps_kv_split(buf, &kv) > 0) {
				if ((s = ps_kv_get(&kv, PS_K_INTERFACE)) != NULL) {
					if (get_long(&kv, PS_K_INTERFACE, &x) == 0) {
						v->interface = (int)x;
						have_iface = 1;
					}
					copy_str(v->release, sizeof(v->release),
						 ps_kv_get(&kv, PS_K_RELEASE));
					if (get_long(&kv, "max_objects", &x) == 0)
						v->max_objects = (int)x;
					if (get_long(&kv, "events_size", &x) == 0)
						v->events_size = (int)x;
				} else if ((s = ps_kv_get(&kv, PS_K_FLAG)) != NULL &&
					   v->nflags < 16) {
					uint32_t val = 0;
					const char *vs = ps_kv_get(&kv, PS_K_VALUE);
					if (vs)
						parse_number_u32(vs, &val);
					copy_str(v->flags[v->nflags].name, sizeof(v->flags[0].name),
						 s);
					v->flags[v->nflags++].value = val;
				} else if ((s = ps_kv_get(&kv, PS_K_EVENT)) != NULL &&
					   v->nevents < 16) {
					uint32_t val = 0;
					const char *vs = ps_kv_get(&kv, PS_K_VALUE);
					if (vs)
						parse_number_u32(vs, &val);
					copy_str(v->events[v->nevents].name,
						 sizeof(v->events[0].name), s);
					v->events[v->nevents++].value = val;
				}
			}
		}
		p += n;
		if (*p)
			p++;
	}
	return have_iface ? 0 : -1;
}

int ps_parse_inspect_header(const char *line, struct ps_inspect_head *h)
{
	char buf[512];
	struct ps_kv kv;
	long long v;
	const char *s;

	memset(h, 0, sizeof(*h));
	if (strlen(line) >= sizeof(buf))
		return -1;
	strcpy(buf, line);
	if (ps_kv_split(buf, &kv) <= 0)
		return -1;
	if (get_long(&kv, PS_K_FD, &v) < 0)
		return -1;
	h->fd = (int)v;
	copy_str(h->file, sizeof(h->file), ps_kv_get(&kv, PS_K_FILE));
	copy_str(h->mask, sizeof(h->mask), ps_kv_get(&kv, PS_K_MASK));
	if (get_long(&kv, PS_K_HEADS, &v) == 0)
		h->heads = (int)v;
	s = ps_kv_get(&kv, PS_K_POLL);
	h->poll = s && strcmp(s, "yes") == 0;
	s = ps_kv_get(&kv, PS_K_EPOLL);
	snprintf(h->epoll, sizeof(h->epoll), "%s", s ? s : "");
	s = ps_kv_get(&kv, PS_K_REASON);
	snprintf(h->reason, sizeof(h->reason), "%s", s ? s : "");
	s = ps_kv_get(&kv, PS_K_FID);
	snprintf(h->fid, sizeof(h->fid), "%s", s && strlen(s) < sizeof(h->fid) ? s : "");
	return 0;
}

/* ------------------------------------------------ names, numbers, signals */

int ps_name_check(const char *name, char *err, size_t errlen)
{
	size_t n = strlen(name);

	if (n == 0) {
		snprintf(err, errlen, _("empty object name"));
		return -1;
	}
	if (n > PS_UAPI_NAME_LEN) {
		snprintf(err, errlen, _("object name '%s' is too long (%zu chars, at most %d)"),
			 name, n, PS_UAPI_NAME_LEN);
		return -1;
	}
	if (!strcmp(name, ".") || !strcmp(name, "..")) {
		snprintf(err, errlen, _("bad object name '%s'"), name);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)name[i];
		if (!isalnum(ch) && ch != '_' && ch != '.' && ch != '-') {
			snprintf(err, errlen,
				 _("bad object name '%s': '%c' is not allowed (use A-Z a-z 0-9 _ . "
				   "-)"),
				 name, isprint(ch) ? ch : '?');
			return -1;
		}
	}
	return 0;
}

int ps_parse_uint(const char *s, int *out)
{
	char *end;
	long v;

	if (!s || !isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v > INT_MAX)
		return -1;
	*out = (int)v;
	return 0;
}

static const struct {
	const char *name;
	int sig;
} signals[] = {
	{ "HUP", SIGHUP },	 { "INT", SIGINT },   { "QUIT", SIGQUIT },   { "ILL", SIGILL },
	{ "TRAP", SIGTRAP },	 { "ABRT", SIGABRT }, { "BUS", SIGBUS },     { "FPE", SIGFPE },
	{ "KILL", SIGKILL },	 { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV },   { "USR2", SIGUSR2 },
	{ "PIPE", SIGPIPE },	 { "ALRM", SIGALRM }, { "TERM", SIGTERM },   { "CHLD", SIGCHLD },
	{ "CONT", SIGCONT },	 { "STOP", SIGSTOP }, { "TSTP", SIGTSTP },   { "TTIN", SIGTTIN },
	{ "TTOU", SIGTTOU },	 { "URG", SIGURG },   { "XCPU", SIGXCPU },   { "XFSZ", SIGXFSZ },
	{ "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH }, { "IO", SIGIO },
	{ "PWR", SIGPWR },	 { "SYS", SIGSYS },
};

int ps_signal_parse(const char *s)
{
	int n;

	if (!s || !*s)
		return -1;
	if (ps_parse_uint(s, &n) == 0)
		return (n >= 1 && n < 65) ? n : -1;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (strcasecmp(s, signals[i].name) == 0)
			return signals[i].sig;
	return -1;
}

const char *ps_signal_name(int sig)
{
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (signals[i].sig == sig)
			return signals[i].name;
	return NULL;
}

const char *ps_errno_name(int err, char *buf, size_t len)
{
	static const struct {
		int e;
		const char *n;
	} names[] = {
		{ EINTR, "EINTR" },
		{ EAGAIN, "EAGAIN" },
		{ EBADF, "EBADF" },
		{ EINVAL, "EINVAL" },
		{ ENOENT, "ENOENT" },
		{ EEXIST, "EEXIST" },
		{ ENOSPC, "ENOSPC" },
		{ EPIPE, "EPIPE" },
		{ EFAULT, "EFAULT" },
		{ ENOMEM, "ENOMEM" },
		{ EPERM, "EPERM" },
		{ EACCES, "EACCES" },
		{ ENAMETOOLONG, "ENAMETOOLONG" },
		{ E2BIG, "E2BIG" },
		{ ENODATA, "ENODATA" },
		{ EIO, "EIO" },
		{ ENODEV, "ENODEV" },
		{ EBUSY, "EBUSY" },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == err)
			return names[i].n;
	snprintf(buf, len, "errno%d", err);
	return buf;
}

int ps_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int row[64], prev_diag, tmp;

	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		prev_diag = row[0];
		row[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int cost = tolower((unsigned char)a[i - 1]) !=
				   tolower((unsigned char)b[j - 1]);
			int best = prev_diag + cost;
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev_diag = tmp;
		}
	}
	return row[lb];
}

const char *ps_opt_value(const char *word, const char *key)
{
	size_t n = strlen(key);

	if (strncmp(word, key, n) == 0 && word[n] == '=')
		return word + n + 1;
	return NULL;
}

/* ------------------------------------------------------ other processes */

int ps_parse_syscall(const char *text, struct ps_syscall *sc)
{
	const char *p = text;
	char *end;
	long nr;

	memset(sc, 0, sizeof(*sc));
	while (*p == ' ')
		p++;
	if (strncmp(p, "running", 7) == 0) {
		sc->running = true;
		sc->nr = -1;
		return 0;
	}
	errno = 0;
	nr = strtol(p, &end, 10);
	if (end == p || errno || (*end != ' ' && *end != '\n' && *end != '\0'))
		return -1;
	sc->nr = nr;
	if (nr < 0)
		return 0; /* blocked, but not in a system call */
	sc->in_syscall = true;
	p = end;
	for (int i = 0; i < 6; i++) {
		while (*p == ' ')
			p++;
		if (strncmp(p, "0x", 2) != 0)
			return -1;
		errno = 0;
		sc->args[i] = strtoull(p, &end, 16);
		if (end == p + 2 || errno)
			return -1;
		p = end;
	}
	return 0;
}

const char *ps_syscall_name(long nr)
{
	/* x86_64 numbers (asm/unistd_64.h); every call that can sleep on a wait
	 * queue. The build is x86_64-only like the module's tests. */
	static const struct {
		short nr;
		const char *name;
	} t[] = {
		{ 0, "read" },
		{ 1, "write" },
		{ 2, "open" },
		{ 7, "poll" },
		{ 16, "ioctl" },
		{ 17, "pread64" },
		{ 18, "pwrite64" },
		{ 19, "readv" },
		{ 20, "writev" },
		{ 23, "select" },
		{ 34, "pause" },
		{ 35, "nanosleep" },
		{ 40, "sendfile" },
		{ 42, "connect" },
		{ 43, "accept" },
		{ 44, "sendto" },
		{ 45, "recvfrom" },
		{ 46, "sendmsg" },
		{ 47, "recvmsg" },
		{ 61, "wait4" },
		{ 65, "semop" },
		{ 69, "msgsnd" },
		{ 70, "msgrcv" },
		{ 72, "fcntl" },
		{ 73, "flock" },
		{ 74, "fsync" },
		{ 128, "rt_sigtimedwait" },
		{ 130, "rt_sigsuspend" },
		{ 202, "futex" },
		{ 208, "io_getevents" },
		{ 220, "semtimedop" },
		{ 230, "clock_nanosleep" },
		{ 232, "epoll_wait" },
		{ 242, "mq_timedsend" },
		{ 243, "mq_timedreceive" },
		{ 247, "waitid" },
		{ 257, "openat" },
		{ 270, "pselect6" },
		{ 271, "ppoll" },
		{ 275, "splice" },
		{ 276, "tee" },
		{ 278, "vmsplice" },
		{ 281, "epoll_pwait" },
		{ 288, "accept4" },
		{ 295, "preadv" },
		{ 296, "pwritev" },
		{ 299, "recvmmsg" },
		{ 307, "sendmmsg" },
		{ 327, "preadv2" },
		{ 328, "pwritev2" },
		{ 333, "io_pgetevents" },
		{ 426, "io_uring_enter" },
		{ 437, "openat2" },
		{ 441, "epoll_pwait2" },
		{ 449, "futex_waitv" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].nr == nr)
			return t[i].name;
	return NULL;
}

int ps_fdinfo_get(const char *text, const char *key, int base, unsigned long long *out)
{
	size_t kl = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (strncmp(p, key, kl) == 0 && p[kl] == ':') {
			const char *v = p + kl + 1;
			char *end;
			while (*v == ' ' || *v == '\t')
				v++;
			errno = 0;
			*out = strtoull(v, &end, base);
			if (end == v || errno)
				return -1;
			return 0;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

long ps_parse_epoll_fdinfo_all(const char *text, struct ps_fdinfo_tfd **out)
{
	const char *p = text;
	size_t n = 0, cap = 0;

	*out = NULL;
	while (p && *p) {
		const char *nl = strchr(p, '\n');

		if (strncmp(p, "tfd:", 4) == 0) {
			char *end;
			long fd = strtol(p + 4, &end, 10);
			/* Search this line only: strstr over the rest of a 70,000-line
			 * text made the parse quadratic under ASan's interceptor. */
			size_t len = nl ? (size_t)(nl - end) : strlen(end);
			const char *ev = memmem(end, len, "events:", 7);
			const char *ino = memmem(end, len, "ino:", 4);

			if (end != p + 4 && fd >= 0 && fd <= INT_MAX && ev) {
				if (n == cap) {
					size_t nc = cap ? 2 * cap : 64;
					void *q = realloc(*out, nc * sizeof(**out));
					if (!q) {
						free(*out);
						*out = NULL;
						return -1;
					}
					*out = q;
					cap = nc;
				}
				(*out)[n].tfd = (int)fd;
				(*out)[n].events = (uint32_t)strtoul(ev + 7, NULL, 16);
				(*out)[n].ino = ino ? strtoul(ino + 4, NULL, 16) : 0;
				n++;
			}
		}
		p = nl ? nl + 1 : NULL;
	}
	return (long)n;
}

int ps_parse_epoll_fdinfo(const char *text, int *tfds, uint32_t *events, int max)
{
	const char *p = text;
	int n = 0;

	while (p && *p && n < max) {
		if (strncmp(p, "tfd:", 4) == 0) {
			char *end;
			long fd = strtol(p + 4, &end, 10);
			const char *ev = strstr(end, "events:");
			const char *nl = strchr(p, '\n');
			if (end != p + 4 && fd >= 0 && fd <= INT_MAX && ev && (!nl || ev < nl)) {
				tfds[n] = (int)fd;
				events[n] = (uint32_t)strtoul(ev + 7, NULL, 16);
				n++;
			}
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return n;
}

const char *ps_fd_kind(const char *link)
{
	static const struct {
		const char *prefix, *kind;
	} kinds[] = {
		{ "pipe:", "pipe" },
		{ "socket:", "socket" },
		{ "anon_inode:[eventfd]", "eventfd" },
		{ "anon_inode:[timerfd]", "timerfd" },
		{ "anon_inode:[eventpoll]", "eventpoll" },
		{ "anon_inode:[signalfd]", "signalfd" },
		{ "anon_inode:[pidfd]", "pidfd" },
		{ "anon_inode:inotify", "inotify" },
		{ "anon_inode:", "anon" },
		{ "/dev/pts/", "tty" },
		{ "/dev/tty", "tty" },
		{ "/dev/console", "tty" },
		{ "/dev/ptmx", "tty" }, /* a pty master: tty_poll too */
		{ "/dev/", "dev" },
		{ "/", "file" },
	};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strncmp(link, kinds[i].prefix, strlen(kinds[i].prefix)) == 0)
			return kinds[i].kind;
	return "other";
}

void ps_appendf(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}
