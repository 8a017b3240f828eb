# inspect PID [FD]: another process's fds and the wait queues behind them
# (pidfd_getfd + the module's inspect), what a process blocked in poll,
# select, epoll_wait or read waits on; a non-root user gets a plain
# permission error; a process that exits during the inspection.
. /tests/lib.sh

# Sleepers in another pollscope: poll and select on a pipe, epoll on an
# eventfd and the pipe, a blocking read on the eventfd.
rm -f /tmp/bg.out # not an earlier run's output: start_shape in lib.sh
pollscope -c 'create p pipe; create e eventfd; spawn poll p as=px; spawn select p as=sx; spawn epoll e,p as=ex; spawn read e as=rx; settle 20000; say READY; sleep 600000' >/tmp/bg.out 2>&1 &
BG=$!
wait_for grep -q READY /tmp/bg.out || {
	cat /tmp/bg.out
	fail "the sleepers did not settle"
}
pid_of() { sed -n "s/^spawned $1 (pid \([0-9]*\)).*/\1/p" /tmp/bg.out; }
PX=$(pid_of px)
SX=$(pid_of sx)
EX=$(pid_of ex)
RX=$(pid_of rx)
# what each is blocked in, from /proc (wchan is only shown: it depends on
# how the kernel was compiled)
blocked_in "$PX" poll
blocked_in "$SX" select pselect6
blocked_in "$EX" epoll_wait epoll_pwait
blocked_in "$RX" read

# --- poll on a pipe --------------------------------------------------------
pollscope -c "inspect $PX" >/tmp/i 2>/tmp/err || {
	cat /tmp/err /tmp/i
	fail "inspect $PX failed"
}
cat /tmp/i
assert_grep "^pid $PX \(px\): state S, wchan $(wchan_re $PX)$" /tmp/i
assert_grep "^  blocked in poll\(nfds=1, timeout=-1\): fd [0-9]+ \(in\)$" /tmp/i
F=$(sed -n 's/^  blocked in poll(nfds=1, timeout=-1): fd \([0-9]*\) (in)$/\1/p' /tmp/i)
# its fd of the pipe: the read queue with the three sleepers that use that end
assert_grep "^fd $F -> pipe:\[[0-9]+\] \(pipe\): mask=none heads=1 entries=3  <- poll waits on it \(in\)$" /tmp/i
sed -n "/^fd $F -> /,/^fd /p" /tmp/i >/tmp/s
assert_grep "^  head 0: read queue \(pipe->rd_wait\), 3 entries$" /tmp/s
assert_grep "^ +[0-2]  poll +pollwake +$PX px +- +S  - +in,err,hup  <- this process$" /tmp/s
assert_grep "^ +[0-2]  poll +pollwake +$SX sx +- +S  - +in,pri,err,hup,rdnorm,rdband,nval$" /tmp/s
# epoll on a queue that is not a module object: the thread asleep in that epoll
assert_grep "^ +[0-2]  epoll +ep_poll_callback +$EX ex " /tmp/s
# fd 3: the report pipe's write end (the write queue, empty)
assert_grep "^fd 3 -> pipe:\[[0-9]+\] \(pipe\): mask=out,wrnorm heads=1 entries=0$" /tmp/i
assert_grep "^  head 0: write queue \(pipe->wr_wait\), 0 entries$" /tmp/i
assert_grep "^pid $PX: [0-9]+ fds, [0-9]+ pollable, [0-9]+ wait queue heads?, [0-9]+ entr(y|ies) \(1 of this process\)$" /tmp/i
ok "inspect: a poller on a pipe"

# just that fd
pollscope -c "inspect $PX $F" >/tmp/i1 2>/tmp/err || fail "inspect $PX $F: $(cat /tmp/err)"
assert_grep "^fd $F -> pipe:" /tmp/i1
assert_no_grep "^fd 3 -> " /tmp/i1
assert_grep "^pid $PX: 1 fd, 1 pollable, 1 wait queue head, 3 entries \(1 of this process\)$" /tmp/i1
pollscope -c "inspect $PX 77" >/tmp/o 2>/tmp/err && fail "inspect of a missing fd succeeded"
assert_grep "^-c:1: inspect: pid $PX \(px\) has no fd 77$" /tmp/err
ok "inspect PID FD"

# --- select, epoll, read -----------------------------------------------------
pollscope -c "inspect $SX" >/tmp/i 2>/tmp/err || fail "inspect $SX: $(cat /tmp/err)"
cat /tmp/i
assert_grep "^pid $SX \(sx\): state S, wchan $(wchan_re $SX)$" /tmp/i
assert_grep "^  blocked in (select|pselect6)\(nfds=[0-9]+, no timeout\): fd [0-9]+ \(in\)$" /tmp/i
assert_grep "\(pipe\): mask=none heads=1 entries=3  <- (select|pselect6) waits on it \(in\)$" /tmp/i

pollscope -c "inspect $EX" >/tmp/i 2>/tmp/err || fail "inspect $EX: $(cat /tmp/err)"
cat /tmp/i
assert_grep "^pid $EX \(ex\): state S, wchan $(wchan_re $EX)$" /tmp/i
assert_grep "^  blocked in epoll_p?wait\(epfd=[0-9]+, maxevents=[0-9]+\): fd [0-9]+ \(the epoll instance\), fd [0-9]+ \(in,err,hup\), fd [0-9]+ \(in,err,hup\)$" /tmp/i
assert_grep "^fd [0-9]+ -> anon_inode:\[eventpoll\] \(eventpoll\): .*  <- epoll_p?wait sleeps in it$" /tmp/i
# the eventfd: ep_poll_callback of this epoll, and the blocking reader of rx
assert_grep "^fd [0-9]+ -> anon_inode:\[eventfd\] \(eventfd\): mask=out heads=1 entries=2  <- epoll_p?wait waits on it \(in,err,hup\)$" /tmp/i
assert_grep "^  head 0: eventfd ctx->wqh, 2 entries$" /tmp/i
assert_grep " $RX rx " /tmp/i
# its epoll instance: the id its entries on the eventfd and the pipe carry,
# its epoll_wait sleeper, the two files it watches
# (the module knows fs/eventpoll.c's layout of 6.1 only)
case $(uname -r) in
6.1.*)
	ID=$(sed -n 's/^fd [0-9]* -> anon_inode:\[eventpoll\] (eventpoll): mask=none heads=2 entries=1 epoll=\([0-9a-f]*\) watches=2  <- .*/\1/p' /tmp/i)
	[ -n "$ID" ] || fail "no epoll id on the epoll fd of $EX"
	assert_grep "^  head 1: epoll ep->wq \(threads in epoll_wait\), 1 entry$" /tmp/i
	# (the WAITER column names this session's waiters only: '-' here)
	assert_grep "^ +0  epoll_waiter +ep_autoremove_wake_function +$EX ex +- +S  exclusive +-  <- this process$" /tmp/i
	n=$(grep -Ec "^ +[0-9]+  epoll +ep_poll_callback +$EX ex +- +S  - +in,err,hup  epoll=$ID tfd=[0-9]+ sleepers=1  <- this process$" /tmp/i)
	[ "$n" -ge 2 ] || fail "entries of ex's epoll (epoll=$ID): $n, want one on the eventfd and one on the pipe"
;;
esac

pollscope -c "inspect $RX" >/tmp/i 2>/tmp/err || fail "inspect $RX: $(cat /tmp/err)"
cat /tmp/i
assert_grep "^  blocked in read\(fd=[0-9]+\): fd [0-9]+ \(in\)$" /tmp/i
assert_grep "\(eventfd\): mask=out heads=1 entries=2  <- read waits on it \(in\)$" /tmp/i
assert_grep " $RX rx .*<- this process$" /tmp/i
ok "inspect: select, epoll, read"

# JSON: process, fd, head and entry records
pollscope --json -c "inspect $PX $F" >/tmp/j 2>/tmp/err || fail "json inspect: $(cat /tmp/err)"
assert_grep "^\{\"type\":\"process\",\"pid\":$PX,\"comm\":\"px\",\"state\":\"S\",\"wchan\":\"$(wchan_re $PX)\",\"syscall\":\"poll\"," /tmp/j
assert_grep "^\{\"type\":\"fd\",\"pid\":$PX,\"fd\":$F,\"link\":\"pipe:\[[0-9]+\]\",\"kind\":\"pipe\",\"inspected\":true,\"pollable\":true,\"mask\":\"none\",\"heads\":1,\"entries\":3,\"waited_on\":true,\"wait_events\":\"in\"" /tmp/j
assert_grep "^\{\"type\":\"head\",\"object\":\"\",\"pid\":$PX,\"fd\":$F,\"head\":0,\"label\":\"read queue \(pipe->rd_wait\)\",\"entries\":3\}$" /tmp/j
assert_grep "^\{\"type\":\"entry\",.*\"pid\":$PX,.*\"note\":\"<- this process\"\}$" /tmp/j
ok "inspect: json"

# --- errors --------------------------------------------------------------------
pollscope -c 'inspect 99999' >/tmp/o 2>/tmp/err && fail "inspect of no process succeeded"
assert_grep "^-c:1: inspect: no process with pid 99999$" /tmp/err
# not root: a plain permission error (pidfd_getfd needs ptrace access)
chmod 755 / # the initramfs root is 0700: let an unprivileged user reach /bin
grep -q '^nobody:' /etc/passwd || echo 'nobody:x:65534:65534:nobody:/tmp:/bin/sh' >>/etc/passwd
grep -q '^nogroup:' /etc/group || echo 'nogroup:x:65534:' >>/etc/group
su -s /bin/sh nobody -c "pollscope -c 'inspect $PX'" >/tmp/o 2>/tmp/err && fail "nobody could inspect a root process"
cat /tmp/err
assert_grep "^-c:1: inspect: pid $PX \(px\): permission denied \(pidfd_getfd: EPERM\): looking at another process's file descriptors needs ptrace access to it" /tmp/err
[ "$(wc -l </tmp/err)" -eq 1 ] || fail "more than one error line"
ok "inspect: EPERM for a non-root user"

kill "$BG"
wait "$BG"

# --- a process that exits during the inspection ---------------------------
# A waiter with 1000 fds of one object; kill it midway through the
# inspection: the inspection says so, with what it saw before.
rm -f /tmp/big.out # not an earlier run's output: start_shape in lib.sh
pollscope -c 'create a; spawn poll a fds=1000 as=big; settle 60000; say READY; sleep 600000' >/tmp/big.out 2>&1 &
BG=$!
wait_for grep -q READY /tmp/big.out || {
	cat /tmp/big.out
	fail "the 1000-fd waiter did not settle"
}
BIG=$(sed -n 's/^spawned big (pid \([0-9]*\)).*/\1/p' /tmp/big.out)
BIGW=$(wchan_re "$BIG")
# the object file its 1000 fds are open on
OBJ=$(readlink "/proc/$BIG/fd/$(ls "/proc/$BIG/fd" | sort -n | tail -n1)")
# strace holds each pidfd_getfd at its exit for 20 ms (the copied fd is
# already in the inspector's table then): the inspection of 1000 fds of one
# file is otherwise over before the test can see it under way.
strace -qq -o /dev/null -e trace=pidfd_getfd -e inject=pidfd_getfd:delay_exit=20000 \
	pollscope -c "inspect $BIG" >/tmp/mid.out 2>/tmp/mid.err &
IP=$!
# kill it once the inspection is under way: the inspector (strace's child)
# holds one of its fds, not after a fixed time
inspecting() {
	local c
	c=$(cat "/proc/$IP/task/$IP/children" 2>/dev/null) || return 1
	[ -n "$c" ] && ls -l "/proc/${c%% *}/fd" 2>/dev/null | grep -qF -- "-> $OBJ"
}
wait_for inspecting || fail "the inspector never took one of $BIG's fds ($OBJ)"
kill -9 "$BIG"
wait $IP
rc=$?
head -n 3 /tmp/mid.out
cat /tmp/mid.err
assert_eq "$rc" 1 "exit status of an inspection whose process exited"
assert_grep "^-c:1: inspect: pid $BIG \(big\) exited during the inspection \([0-9]+ fds? looked at before it went\)$" /tmp/mid.err
assert_grep "^pid $BIG \(big\): state S, wchan $BIGW$" /tmp/mid.out
ok "inspect: the process exited midway"
kill "$BG"
wait "$BG"
[ -n "$(pollscope_procs)" ] && fail "pollscope processes left behind"
true
