// SPDX-License-Identifier: GPL-2.0
/*
 * pollscope: the text syntax shared by every debugfs file (the bottom
 * layer: it calls nothing else of the module).  MASK names and parsing,
 * WQ_FLAG_* names, sanitised comm and function names, kind and qproc names.
 * The names themselves come from pollscope_uapi.h, which the tool shares.
 */
#include <linux/kernel.h>
#include <linux/ctype.h>
#include <linux/string.h>
#include <linux/build_bug.h>
#include "pollscope.h"

#define PS_MASK_ENTRY(name, sfx, val) { #name, (__force u32)EPOLL##sfx },
#define PS_MASK_SAME(name, sfx, val) &&(__force u32)EPOLL##sfx == (val)

const struct ps_bit_name ps_mask_names[] = { PS_UAPI_MASK_NAMES(PS_MASK_ENTRY) };
const unsigned int ps_mask_count = ARRAY_SIZE(ps_mask_names);
/* the contract's values are this kernel's */
static_assert(1 PS_UAPI_MASK_NAMES(PS_MASK_SAME));

/* Later kernels renumber or drop some of these: never hardcode them. */
#define PS_WQF_EXCLUSIVE WQ_FLAG_EXCLUSIVE
#ifdef WQ_FLAG_WOKEN
#define PS_WQF_WOKEN WQ_FLAG_WOKEN
#else
#define PS_WQF_WOKEN 0
#endif
#ifdef WQ_FLAG_BOOKMARK
#define PS_WQF_BOOKMARK WQ_FLAG_BOOKMARK
#else
#define PS_WQF_BOOKMARK 0
#endif
#ifdef WQ_FLAG_CUSTOM
#define PS_WQF_CUSTOM WQ_FLAG_CUSTOM
#else
#define PS_WQF_CUSTOM 0
#endif
#ifdef WQ_FLAG_DONE
#define PS_WQF_DONE WQ_FLAG_DONE
#else
#define PS_WQF_DONE 0
#endif
#ifdef WQ_FLAG_PRIORITY
#define PS_WQF_PRIORITY WQ_FLAG_PRIORITY
#else
#define PS_WQF_PRIORITY 0
#endif

/* A bit of 0: a flag this kernel does not define (never printed). */
#define PS_WQF_ENTRY(name, sfx) { #name, PS_WQF_##sfx },
const struct ps_bit_name ps_flag_names[] = { PS_UAPI_WQ_FLAG_NAMES(PS_WQF_ENTRY) };
const unsigned int ps_flag_count = ARRAY_SIZE(ps_flag_names);

/* One element of a MASK: a name or a number (decimal, or hex after 0x). */
static int ps_mask_elem(const char *s, __poll_t *out)
{
	unsigned int i;
	u32 v;
	int ret;

	for (i = 0; i < ps_mask_count; i++) {
		if (!strcmp(s, ps_mask_names[i].name)) {
			*out = (__force __poll_t)ps_mask_names[i].bit;
			return 0;
		}
	}
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		/* kstrtou32() base 16 would skip a second "0x" */
		if (!isxdigit(s[2]) || (s[2] == '0' && (s[3] == 'x' || s[3] == 'X')))
			return -EINVAL;
		ret = kstrtou32(s + 2, 16, &v);
	} else {
		if (!isdigit(s[0]))
			return -EINVAL;
		ret = kstrtou32(s, 10, &v);
	}
	if (ret)
		return -EINVAL;
	if (v & ~(__force u32)PS_MASK_ALL)
		return -EINVAL; /* only the named bits: no POLLFREE & co */
	*out = (__force __poll_t)v;
	return 0;
}

/*
 * MASK: "none", or names and numbers joined by ',' or '|'.  Only the eleven
 * named bits are accepted.  s is not modified.
 */
int ps_mask_parse(const char *s, __poll_t *out)
{
	char elem[24];
	__poll_t mask = 0, m;
	const char *p = s;
	size_t n;
	int ret;

	if (!*s)
		return -EINVAL;
	if (!strcmp(s, "none")) {
		*out = 0;
		return 0;
	}
	for (;;) {
		n = strcspn(p, ",|");
		if (n == 0 || n >= sizeof(elem))
			return -EINVAL;
		memcpy(elem, p, n);
		elem[n] = '\0';
		ret = ps_mask_elem(elem, &m);
		if (ret)
			return ret;
		mask |= m;
		p += n;
		if (!*p)
			break;
		p++; /* the separator; an element must follow */
	}
	*out = mask;
	return 0;
}

/*
 * The names of v's bits in table order joined by ',', the remaining bits as
 * one hexadecimal number, zero for 0.  Masks and flags print alike.
 */
static char *ps_bits_str(char *buf, size_t len, u32 v, const struct ps_bit_name *t, unsigned int n,
			 const char *zero)
{
	size_t off = 0;
	unsigned int i;
	u32 rest = v;

	if (!len)
		return buf;
	buf[0] = '\0';
	if (!v) {
		strscpy(buf, zero, len);
		return buf;
	}
	for (i = 0; i < n; i++) {
		if (!t[i].bit || !(v & t[i].bit))
			continue;
		rest &= ~t[i].bit;
		off += scnprintf(buf + off, len - off, "%s%s", off ? "," : "", t[i].name);
	}
	if (rest)
		scnprintf(buf + off, len - off, "%s0x%x", off ? "," : "", rest);
	return buf;
}

char *ps_mask_str(char *buf, size_t len, __poll_t mask)
{
	return ps_bits_str(buf, len, (__force u32)mask, ps_mask_names, ps_mask_count, "none");
}

char *ps_flags_str(char *buf, size_t len, unsigned int flags)
{
	return ps_bits_str(buf, len, flags, ps_flag_names, ps_flag_count, "-");
}

void ps_comm_sanitize(char *dst, const char *src, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len && src[i]; i++) {
		unsigned char c = src[i];

		dst[i] = (c < 0x21 || c > 0x7e || c == '=') ? '?' : c;
	}
	if (len) {
		if (i == 0 && len > 1)
			dst[i++] = '-';
		dst[i] = '\0';
	}
}

/*
 * The one place a kernel function is named: "%ps" with the module suffix
 * cut, and "unknown" when it does not resolve (%ps then prints the raw
 * address, which must never reach user space).
 */
void ps_func_name(const void *fn, char *buf, size_t len)
{
	char tmp[128], *sp;

	if (!fn) {
		strscpy(buf, "-", len);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%ps", fn);
	if (!tmp[0] || !strncmp(tmp, "0x", 2)) {
		strscpy(buf, "unknown", len);
		return;
	}
	sp = strchr(tmp, ' ');
	if (sp)
		*sp = '\0';
	ps_comm_sanitize(buf, tmp, min(len, sizeof(tmp)));
}

const char *ps_kind_name(u8 sym)
{
	switch (sym) {
	case PS_SYM_POLLWAKE:
		return "poll";
	case PS_SYM_EP_POLL_CALLBACK:
		return "epoll";
	case PS_SYM_EP_AUTOREMOVE:
		return "epoll_waiter";
	case PS_SYM_AUTOREMOVE:
		return "wait_event";
	case PS_SYM_WOKEN:
		return "wait_woken";
	case PS_SYM_DEFAULT:
		return "default";
	default:
		return "other";
	}
}

const char *ps_qproc_name(unsigned int qp)
{
	switch (qp) {
	case PS_QP_NONE:
		return "none";
	case PS_QP_POLLWAKE:
		return "pollwake";
	case PS_QP_EP:
		return "ep";
	case PS_QP_INSPECT:
		return "inspect";
	default:
		return "other";
	}
}
