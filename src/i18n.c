/* The one wrapper of libintl (gettext) and setlocale. */
#include <locale.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "i18n.h"

void ps_i18n_init(void)
{
	static bool done;
	const char *dir = getenv("POLLSCOPE_LOCALEDIR");
	struct stat st;

	if (done)
		return;
	done = true;
	setlocale(LC_ALL, "");
	/* printf's "%.1f" in records and JSON must not become "1,5" */
	setlocale(LC_NUMERIC, "C");
	/* a build-tree binary uses the build tree's catalogue, as it does
	 * the source tree's demos */
	if (!dir || !*dir)
		dir = stat(POLLSCOPE_BUILD_LOCALEDIR, &st) == 0 ? POLLSCOPE_BUILD_LOCALEDIR
								: POLLSCOPE_LOCALEDIR;
	bindtextdomain("pollscope", dir);
	bind_textdomain_codeset("pollscope", "UTF-8");
	textdomain("pollscope");
}

const char *ps_i18n_lang(void)
{
	static char lang[32];
	const char *l = setlocale(LC_MESSAGES, NULL);
	size_t n;

	if (!l || !strcmp(l, "C") || !strcmp(l, "POSIX") || !strncmp(l, "C.", 2))
		return NULL;
	n = strcspn(l, ".@");
	if (n == 0 || n >= sizeof(lang))
		return NULL;
	memcpy(lang, l, n);
	lang[n] = '\0';
	return lang;
}
