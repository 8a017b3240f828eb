# pollscope.ko: the inspect file finds the wait queue heads a poll method
# uses and the sleepers on them: pipe (separate read and write queues in
# 6.1), eventfd, socketpair, timerfd, a tty, pollscope's own objects and
# events file; a file without a poll method; errors.  Helper: psinspect.
. /tests/lib.sh

D=$PS_DIR
T=/tmp/inspect
mkdir -p $T

ctl() {
	echo "$*" >$D/control || fail "control: '$*' failed"
}
# child_pid FILE KIND: the pid psinspect printed for a child
child_pid() {
	sed -n "s/^child $2 pid=\([0-9]*\)$/\1/p" "$1" | head -n 1
}
# section FILE LABEL: the lines psinspect printed for one label
section() {
	sed -n "/^== $2\$/,/^== /p" "$1" | grep -v '^== '
}

load_module

# --- pipe: the read end's queue and the write end's queue ------------------
psinspect pipe >$T/pipe || {
	cat $T/pipe
	fail "psinspect pipe"
}
cat $T/pipe
POLL=$(child_pid $T/pipe poll-in)
SEL=$(child_pid $T/pipe select)
RD=$(child_pid $T/pipe read)
OUT=$(child_pid $T/pipe poll-out)
section $T/pipe r >$T/r
section $T/pipe w >$T/w
S="comm=psinspect state=S"
assert_grep "^fd=[0-9]+ file=pipe:\[[0-9]+\] mask=none heads=1 poll=yes fid=[0-9a-f]{16}$" $T/r
assert_grep "^head=0 entries=3$" $T/r
assert_grep "^head=0 pos=[0-9] func=pollwake kind=poll pid=$POLL $S flags=- key=in,err,hup$" $T/r
assert_grep "^head=0 pos=[0-9] func=pollwake kind=poll pid=$SEL $S flags=- key=in,pri,err,hup,rdnorm,rdband,0x20$" $T/r
# pipe_read: wait_event_interruptible_exclusive(pipe->rd_wait, ...)
assert_grep "^head=0 pos=[0-9] func=autoremove_wake_function kind=wait_event pid=$RD $S flags=exclusive key=-$" $T/r
# the write end polls only wr_wait: a different queue, with only the writer on it
assert_grep "^fd=[0-9]+ file=pipe:\[[0-9]+\] mask=none heads=1 poll=yes fid=[0-9a-f]{16}$" $T/w
assert_grep "^head=0 entries=1$" $T/w
assert_grep "^head=0 pos=0 func=pollwake kind=poll pid=$OUT $S flags=- key=out,err,hup$" $T/w
assert_no_grep "pid=($POLL|$SEL|$RD) " $T/w
ok "pipe: rd_wait and wr_wait"

# --- eventfd ----------------------------------------------------------------
psinspect eventfd >$T/efd || {
	cat $T/efd
	fail "psinspect eventfd"
}
cat $T/efd
POLL=$(child_pid $T/efd poll-in)
RD=$(child_pid $T/efd read)
section $T/efd e >$T/e
assert_grep "^fd=[0-9]+ file=anon_inode:\[eventfd\] mask=out heads=1 poll=yes fid=[0-9a-f]{16}$" $T/e
assert_grep "^head=0 entries=3$" $T/e
assert_grep "^head=0 pos=[0-9] func=pollwake kind=poll pid=$POLL $S flags=- key=in,err,hup$" $T/e
# eventfd_read: 6.1 sleeps with DECLARE_WAITQUEUE + __add_wait_queue (default_wake_function);
# later kernels with wait_event_interruptible_locked_irq (autoremove_wake_function)
case $(uname -r) in
6.1.*) EFD_WAIT="func=default_wake_function kind=default" ;;
*) EFD_WAIT="func=(default_wake_function kind=default|autoremove_wake_function kind=wait_event)" ;;
esac
assert_grep "^head=0 pos=[0-9] $EFD_WAIT pid=$RD $S flags=- key=-$" $T/e
# epoll on a foreign queue: the epitem's events, the instance and the thread
# asleep in its epoll_wait (module-epoll.sh checks them against fdinfo)
EPC=$(child_pid $T/efd epoll)
case $(uname -r) in
6.1.*) assert_grep "^head=0 pos=[0-9] func=ep_poll_callback kind=epoll pid=$EPC $S flags=- key=in,err,hup epoll=[0-9a-f]{16} tfd=[0-9]+ sleepers=1$" $T/e ;;
*) assert_grep "^head=0 pos=[0-9] func=ep_poll_callback kind=epoll pid=0 comm=- state=- flags=- key=- epoll=unknown$" $T/e ;;
esac
ok "eventfd"

# --- socketpair -------------------------------------------------------------
psinspect socketpair >$T/sp || {
	cat $T/sp
	fail "psinspect socketpair"
}
cat $T/sp
POLL=$(child_pid $T/sp poll-in)
RD=$(child_pid $T/sp recv)
section $T/sp s0 >$T/s0
section $T/sp s1 >$T/s1
assert_grep "^fd=[0-9]+ file=socket:\[[0-9]+\] mask=out,wrnorm,wrband heads=1 poll=yes fid=[0-9a-f]{16}$" $T/s0
assert_grep "^head=0 entries=2$" $T/s0
assert_grep "^head=0 pos=[0-9] func=pollwake kind=poll pid=$POLL $S flags=- key=in,err,hup$" $T/s0
assert_grep "^head=0 pos=[0-9] func=autoremove_wake_function kind=wait_event pid=$RD $S flags=- key=-$" $T/s0
assert_grep "^fd=[0-9]+ file=socket:\[[0-9]+\] mask=out,wrnorm,wrband heads=1 poll=yes fid=[0-9a-f]{16}$" $T/s1
assert_grep "^head=0 entries=0$" $T/s1
ok "socketpair"

# --- timerfd ------------------------------------------------------------------
psinspect timerfd >$T/tfd || {
	cat $T/tfd
	fail "psinspect timerfd"
}
POLL=$(child_pid $T/tfd poll-in)
RD=$(child_pid $T/tfd read)
section $T/tfd t >$T/t
assert_grep "^fd=[0-9]+ file=anon_inode:\[timerfd\] mask=none heads=1 poll=yes fid=[0-9a-f]{16}$" $T/t
assert_grep "^head=0 pos=[0-9] func=pollwake kind=poll pid=$POLL $S flags=- key=in,err,hup$" $T/t
assert_grep "^head=0 pos=[0-9] func=autoremove_wake_function kind=wait_event pid=$RD $S flags=- key=-$" $T/t
ok "timerfd"

# --- a tty --------------------------------------------------------------------
psinspect open /dev/console >$T/tty || {
	cat $T/tty
	fail "psinspect /dev/console"
}
cat $T/tty
assert_grep "^fd=[0-9]+ file=/dev/console mask=[a-z,]+ heads=[12] poll=yes fid=[0-9a-f]{16}$" $T/tty
ok "tty"

# --- pollscope's own object: the epoll registrant is known -------------------
ctl create o
pswait poll $D/objects/o in 30000 >/dev/null &
P1=$!
pswait epoll-excl $D/objects/o in 30000 >/dev/null &
P2=$!
psinspect open $D/objects/o 2 >$T/obj || {
	cat $T/obj
	fail "psinspect objects/o"
}
cat $T/obj
assert_grep "^fd=[0-9]+ file=$D/objects/o mask=none heads=1 poll=yes fid=[0-9a-f]{16}$" $T/obj
assert_grep "^head=0 entries=2$" $T/obj
assert_grep "^head=0 pos=0 func=pollwake kind=poll pid=$P1 comm=pswait state=S flags=- key=in,err,hup$" $T/obj
assert_grep "^head=0 pos=1 func=ep_poll_callback kind=epoll pid=$P2 comm=pswait state=S flags=exclusive key=in,err,hup,0x10000000 (epoll=[0-9a-f]{16} tfd=[0-9]+ sleepers=1|epoll=unknown)$" $T/obj
# inspect calls the object's poll method with its own qproc, which queues nothing
grep "type=poll .*comm=psinspect object=o mask=none queued=0 qproc=inspect$" $D/events ||
	fail "no inspect poll event"
ctl ready o in,pri
psinspect open $D/objects/o 2 >$T/obj2
assert_grep "^fd=[0-9]+ file=$D/objects/o mask=in,pri heads=1 poll=yes fid=[0-9a-f]{16}$" $T/obj2
assert_eq "$(grep -c '^object=o ' $D/queues)" 2 "inspect queued nothing on o"
ctl destroy o
wait $P1 $P2
ok "own object"

# --- the events file: its queue holds a poller ------------------------------
pswait -d poll $D/events in 30000 >$T/evp &
EV=$!
psinspect open $D/events 1 >$T/ev || {
	cat $T/ev
	fail "psinspect events"
}
cat $T/ev
assert_grep "^fd=[0-9]+ file=$D/events mask=in,rdnorm heads=1 poll=yes fid=[0-9a-f]{16}$" $T/ev
assert_grep "^head=0 pos=0 func=pollwake kind=poll pid=$EV comm=pswait state=S flags=- key=in,err,hup$" $T/ev
ctl create wakeup
wait $EV || fail "events poller: $(cat $T/evp)"
ctl destroy wakeup
ok "events file"

# --- files without a poll method, and errors ---------------------------------
psinspect open /dev/null >$T/null || fail "psinspect /dev/null"
assert_grep "^fd=[0-9]+ file=/dev/null mask=in,out,rdnorm,wrnorm heads=0 poll=no fid=[0-9a-f]{16}$" $T/null
assert_eq "$(grep -c . $T/null)" 2 "/dev/null: label and header only"
# psctl opens inspect itself as fd 3: inspect inspects itself (no poll method)
psctl -r $D/inspect 3 >$T/self
assert_grep "^OK$" $T/self
assert_grep "^fd=3 file=$D/inspect mask=in,out,rdnorm,wrnorm heads=0 poll=no fid=[0-9a-f]{16}$" $T/self
assert_eq "$(psctl -r $D/inspect)" "READ ENODATA" "read before any write"
for e in "999 EBADF" "7 EBADF" "99999999999 EBADF" "2147483648 EBADF" "abc EINVAL" "-1 EINVAL" \
	"3x EINVAL" "0x3 EINVAL" "+3 EINVAL"; do
	set -- $e
	assert_eq "$(psctl $D/inspect "$1")" "$2" "inspect '$1'"
done
assert_eq "$(psctl $D/inspect "")" EINVAL "inspect ''"
assert_eq "$(psctl $D/inspect "\n")" EINVAL "inspect newline"
assert_eq "$(psctl $D/inspect " 3")" EINVAL "inspect ' 3'"
assert_eq "$(psctl $D/inspect "3\0")" EINVAL "inspect NUL"
assert_eq "$(psctl -s 32 $D/inspect)" EINVAL "inspect 32 bytes"
# an owner (for a signalfd; module-epoll.sh): one space, a thread that exists
assert_eq "$(psctl $D/inspect "3 0")" ESRCH "inspect '3 0'"
assert_eq "$(psctl $D/inspect "3 2147483647")" ESRCH "inspect '3 2147483647'"
assert_eq "$(psctl $D/inspect "3 99999999999")" ESRCH "inspect '3 99999999999'"
assert_eq "$(psctl $D/inspect "3 x")" EINVAL "inspect '3 x'"
assert_eq "$(psctl $D/inspect "3 ")" EINVAL "inspect '3 '"
assert_eq "$(psctl $D/inspect "3  1")" EINVAL "inspect '3  1'"
assert_eq "$(psctl $D/inspect "3\t1")" EINVAL "inspect '3<tab>1'"
assert_eq "$(psctl $D/inspect "3 1")" OK "inspect '3 1'"
# a failed write keeps the previous result
psctl -r $D/inspect "2\n" 999 abc >$T/keep
assert_eq "$(head -n 3 $T/keep | tr '\n' ' ')" "OK EBADF EINVAL " "inspect writes"
assert_grep "^fd=2 " $T/keep
ok "no poll method, closed fd, garbage"

unload_module
ok "module-inspect done"
