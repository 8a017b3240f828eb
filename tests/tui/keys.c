/* Prints the TUI's key table, one "NAME<TAB>FOOTER LABEL" line per binding,
 * for host-tui-keys.sh to compare with the help screen and the footer. */
#include <stdio.h>

#include "tui.h"

int main(void)
{
	const char *name, *footer;

	for (size_t i = 0; tui_binding(i, &name, &footer); i++)
		printf("%s\t%s\n", name, footer ? footer : "");
	return 0;
}
