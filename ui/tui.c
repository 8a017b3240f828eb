/* Placeholder translation unit so the ui library links; replaced by the TUI. */
#include <curses.h>
int tui_linked(void);
int tui_linked(void)
{
	return COLS;
}
