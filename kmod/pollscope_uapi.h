/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * pollscope: the contract between pollscope.ko and user space, included by
 * the module (kmod/) and by the tool (src/), as include/uapi/ headers serve
 * both.  Plain macros only: no kernel types, no headers.  pollscope(4)
 * documents every record; this file names what both sides must agree on.
 */
#ifndef POLLSCOPE_UAPI_H
#define POLLSCOPE_UAPI_H

/* The `interface=` line of the version file; bump on incompatible changes. */
#define PS_UAPI_INTERFACE 1

/* Object names: 1 to this many characters of [A-Za-z0-9_.-], no NUL counted. */
#define PS_UAPI_NAME_LEN 31

/*
 * The eleven event names of the MASK syntax, in output order, with the
 * EPOLL* suffix and value (those of include/uapi/linux/eventpoll.h; the
 * module checks them against its kernel at build time).
 */
#define PS_UAPI_MASK_NAMES(X)                                                                      \
	X(in, IN, 0x001)                                                                           \
	X(out, OUT, 0x004)                                                                         \
	X(pri, PRI, 0x002)                                                                         \
	X(err, ERR, 0x008)                                                                         \
	X(hup, HUP, 0x010)                                                                         \
	X(rdnorm, RDNORM, 0x040)                                                                   \
	X(rdband, RDBAND, 0x080)                                                                   \
	X(wrnorm, WRNORM, 0x100)                                                                   \
	X(wrband, WRBAND, 0x200)                                                                   \
	X(msg, MSG, 0x400)                                                                         \
	X(rdhup, RDHUP, 0x2000)

/*
 * Bits that are not MASK events but appear in keys (printed by the module
 * in hexadecimal, named by the tool): POLLNVAL in select's exception set,
 * and epoll's registration flags in an ep_poll_callback entry's key.
 */
#define PS_UAPI_KEY_FLAG_NAMES(X)                                                                  \
	X(nval, 0x20)                                                                              \
	X(exclusive, 0x10000000)                                                                   \
	X(wakeup, 0x20000000)                                                                      \
	X(oneshot, 0x40000000)                                                                     \
	X(et, 0x80000000)

/*
 * WQ_FLAG_* wait queue entry flag names, in output order.  Their values
 * differ between kernels: the version file gives this kernel's.
 */
#define PS_UAPI_WQ_FLAG_NAMES(X)                                                                   \
	X(exclusive, EXCLUSIVE)                                                                    \
	X(woken, WOKEN)                                                                            \
	X(bookmark, BOOKMARK)                                                                      \
	X(custom, CUSTOM)                                                                          \
	X(done, DONE)                                                                              \
	X(priority, PRIORITY)

/* Keys of the records (pollscope(4)): one wait queue entry, in queues and inspect. */
#define PS_K_OBJECT "object"
#define PS_K_HEAD "head"
#define PS_K_POS "pos"
#define PS_K_FUNC "func"
#define PS_K_KIND "kind"
#define PS_K_PID "pid"
#define PS_K_COMM "comm"
#define PS_K_STATE "state"
#define PS_K_FLAGS "flags"
#define PS_K_KEY "key"
/* ep_poll_callback entries: "epoll=5a3c9e0d12ab34ef tfd=5 sleepers=1" or "epoll=unknown" */
#define PS_K_EPOLL "epoll"
#define PS_K_TFD "tfd"
#define PS_K_SLEEPERS "sleepers"
#define PS_KEY_DISARMED "disarmed" /* key of a delivered EPOLLONESHOT entry */
/* inspect of an epoll file: "head=1 entries=1 queue=wq", then its watched files
 * "watch=0 tfd=5 ino=1234 sdev=0:12 fid=5a3c.. events=in,err,hup ready=no", "watched=1" */
#define PS_K_QUEUE "queue"
#define PS_K_WATCH "watch"
#define PS_K_INO "ino"
#define PS_K_SDEV "sdev"
#define PS_K_EVENTS "events"
#define PS_K_READY "ready"
/* a file's identity (a hash of the kernel's struct file, never its address):
 * in the inspect header ("fid=...") and on each watch= line, so an epoll item
 * is matched to the fd that holds that very file, whatever its tfd says */
#define PS_K_FID "fid"
#define PS_K_WATCHED "watched"
/* entries left out of a capped queue: "object=a truncated=12", "...=8+" */
#define PS_K_TRUNCATED "truncated"
#define PS_TRUNC_MORE "+"
/* inspect: header "fd=5 file=pipe:[1] mask=none heads=1 poll=yes", "head=0 entries=2" */
#define PS_K_FD "fd"
#define PS_K_FILE "file"
#define PS_K_MASK "mask"
#define PS_K_HEADS "heads"
#define PS_K_POLL "poll"
#define PS_K_ENTRIES "entries"
/* "mask=unknown heads=0 ... reason=signalfd-needs-owner-context": not polled, and why */
#define PS_K_REASON "reason"
/* "FD PID" written: a signalfd's queue and mask are those of thread PID, "owner=PID" */
#define PS_K_OWNER "owner"
/*
 * waits (a scan of every process): a sleeping thread
 * "task=TID pid=TGID comm=cat state=S slept_us=1200", a pollable fd
 * "fd=0 pid=TGID obj=ID mode=r type=fifo wqs=3,4 [peer=ID] [epoll=ID]
 * [reason=...] file=NAME", a head listed the first time it is seen
 * "wq=3 id=ID queue=- entries=2 [truncated=N]" with its entries "head=3 pos=0 ...",
 * and last "scan procs=N threads=N ... complete=yes|no"
 */
#define PS_K_TASK "task"
#define PS_K_SLEPT_US "slept_us"
#define PS_K_OBJ "obj"
#define PS_K_MODE "mode"
#define PS_K_TYPE "type"
#define PS_K_WQS "wqs"
#define PS_K_PEER "peer"
#define PS_K_WQ "wq"
#define PS_K_ID "id"
#define PS_K_SCAN "scan"
#define PS_K_PROCS "procs"
/* version: "interface=1 release=...", "flag=exclusive value=0x01", "event=in value=0x1" */
#define PS_K_INTERFACE "interface"
#define PS_K_RELEASE "release"
#define PS_K_FLAG "flag"
#define PS_K_EVENT "event"
#define PS_K_VALUE "value"

#endif /* POLLSCOPE_UAPI_H */
