#ifndef POLLSCOPE_VERSION_H
#define POLLSCOPE_VERSION_H
const char *pollscope_version(void);
#endif
