#include "config.h"
#include "version.h"

const char *pollscope_version(void)
{
	return POLLSCOPE_VERSION;
}
