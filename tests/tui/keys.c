/* Prints the TUI's key table, one "NAME<TAB>FOOTER LABEL" line per binding,
 * for host-tui-keys.sh to compare with the help screen and the footer.
 * With --now: CLOCK_MONOTONIC in ns, the clock of the module's events (for
 * host-tui-timeline.sh, which writes events as the module would; /proc/uptime
 * is another clock). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tui.h"

int main(int argc, char **argv)
{
	const char *name, *footer;

	if (argc > 1 && strcmp(argv[1], "--now") == 0) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		printf("%llu\n", (unsigned long long)ts.tv_sec * 1000000000ull +
					 (unsigned long long)ts.tv_nsec);
		return 0;
	}
	for (size_t i = 0; tui_binding(i, &name, &footer); i++)
		printf("%s\t%s\n", name, footer ? footer : "");
	return 0;
}
