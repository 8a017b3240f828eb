/*
 * Translations (gettext, glibc's libintl): _() for a string a user reads,
 * N_() to mark one kept in a table and translated where it is shown. Never
 * for machine-readable output (JSON, records, -c outputs scripts parse,
 * trace export): those stay English in every locale.
 */
#ifndef POLLSCOPE_I18N_H
#define POLLSCOPE_I18N_H

#include <libintl.h>

#define _(s) gettext(s)
#define N_(s) (s)
/* singular and plural (English: 1 object, 2 objects) */
#define P_(s, p, n) ngettext(s, p, n)

/* setlocale from the environment (numbers stay in the C locale) and the
 * message catalogue: $POLLSCOPE_LOCALEDIR, the build tree's, the
 * installed one. Idempotent. */
void ps_i18n_init(void);

/* The language of messages, "zh_CN" for zh_CN.UTF-8, or NULL for C/POSIX
 * (English): which narration a demo uses. */
const char *ps_i18n_lang(void);

#endif
