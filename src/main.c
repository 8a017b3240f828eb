/* Temporary entry point; replaced by the full option parser. */
#include <stdio.h>
#include <string.h>
#include "version.h"

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("pollscope %s\n", pollscope_version());
		return 0;
	}
	fprintf(stderr, "usage: pollscope [--version]\n");
	return 2;
}
