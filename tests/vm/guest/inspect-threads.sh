# inspect shows every thread's call, accepts a thread's id, and counts the
# entries of any of its threads as the process's (issue 10, item 3).
# Checked against /proc/PID/task/TID/{syscall,stat,wchan}.
. /tests/lib.sh

rm -f /tmp/th.out # not an earlier run's output: start_shape in lib.sh
psshape threads >/tmp/th.out 2>&1 &
SP=$!
wait_for grep -q '^tid2=' /tmp/th.out || fail "psshape threads did not start: $(cat /tmp/th.out)"
wait_for grep -q '^tid1=' /tmp/th.out || fail "no tid1: $(cat /tmp/th.out)"
eval "$(sed -n 's/^epfd=\([0-9]*\) efd=\([0-9]*\) rd=\([0-9]*\)$/EP=\1 EFD=\2 RD=\3/p' /tmp/th.out)"
T1=$(sed -n 's/^tid1=//p' /tmp/th.out)
T2=$(sed -n 's/^tid2=//p' /tmp/th.out)
# the kernel's view: the leader in futex (202), T1 in epoll_wait (232 or
# epoll_pwait 281), T2 in poll (7); all asleep
nr() { cut -d' ' -f1 "/proc/$SP/task/$1/syscall"; }
st() { sed 's/.*) //' "/proc/$SP/task/$1/stat" | cut -d' ' -f1; }
settled() {
	[ "$(nr "$SP")" = 202 ] && [ "$(st "$SP")" = S ] &&
		{ [ "$(nr "$T1")" = 232 ] || [ "$(nr "$T1")" = 281 ]; } && [ "$(st "$T1")" = S ] &&
		[ "$(nr "$T2")" = 7 ] && [ "$(st "$T2")" = S ]
}
wait_for settled || fail "threads not asleep: $(cat /proc/$SP/task/*/syscall)"
tw() { sed 's/\./\\./g' "/proc/$SP/task/$1/wchan"; }

pollscope -c "inspect $SP" >/tmp/i 2>/tmp/err || fail "inspect $SP: $(cat /tmp/err)"
cat /tmp/i
# one line per thread, as many as /proc/PID/task lists
assert_eq "$(grep -c '^  thread [0-9]* (' /tmp/i)" "$(ls /proc/$SP/task | wc -l)" "thread lines"
assert_grep "^  thread $SP \(psshape\): state S, wchan $(tw "$SP"), in system call futex$" /tmp/i
assert_grep "^  thread $T1 \(psshape\): state S, wchan $(tw "$T1"), blocked in epoll_p?wait\(epfd=$EP, maxevents=1\): fd $EP \(the epoll instance\), fd $EFD \(in,err,hup\)$" /tmp/i
assert_grep "^  thread $T2 \(psshape\): state S, wchan $(tw "$T2"), blocked in poll\(nfds=1, timeout=-1\): fd $RD \(in\)$" /tmp/i
# the fds each thread waits on, with the thread
assert_grep "^fd $EFD -> anon_inode:\[eventfd\] \(eventfd\): mask=out heads=1 entries=1  <- epoll_p?wait waits on it \(in,err,hup\) \[thread $T1\]$" /tmp/i
assert_grep "^fd $RD -> pipe:\[[0-9]+\] \(pipe\): mask=none heads=1 entries=1  <- poll waits on it \(in\) \[thread $T2\]$" /tmp/i
assert_grep "^fd $EP -> anon_inode:\[eventpoll\] .*  <- epoll_p?wait sleeps in it \[thread $T1\]$" /tmp/i
# entries of a thread are the process's
assert_grep "^ +0  poll +pollwake +$T2 psshape .*<- this process \(thread $T2\)$" /tmp/i
assert_grep "^ +0  epoll_waiter +ep_autoremove_wake_function +$T1 psshape .*<- this process \(thread $T1\)$" /tmp/i
assert_grep "^pid $SP: [0-9]+ fds, [0-9]+ pollable, [0-9]+ wait queue heads, 3 entries \(3 of this process\)$" /tmp/i
ok "inspect: every thread's call, entries counted by thread group"

# a thread's id: its process, and which thread was asked for
pollscope -c "inspect $T1" >/tmp/t 2>/tmp/err || fail "inspect $T1: $(cat /tmp/err)"
cat /tmp/t
assert_grep "^thread $T1 is a thread of pid $SP: the fds below are the process's$" /tmp/t
assert_grep "^pid $SP \(psshape\): state S, wchan $(tw "$SP")$" /tmp/t
assert_grep "^  thread $T1 \(psshape\): state S, " /tmp/t
pollscope -c "inspect $T2 $RD" >/tmp/t2 2>/tmp/err || fail "inspect $T2 $RD: $(cat /tmp/err)"
assert_grep "^fd $RD -> pipe:.*<- poll waits on it \(in\) \[thread $T2\]$" /tmp/t2
# JSON: one thread record each, with the call as an object
pollscope --json -c "inspect $SP" >/tmp/j 2>/tmp/err || fail "json: $(cat /tmp/err)"
assert_grep "^\{\"type\":\"thread\",\"pid\":$SP,\"tid\":$T2,\"comm\":\"psshape\",\"state\":\"S\",.*\"call\":\{\"call\":\"poll\",\"timeout_ms\":-1,\"fds\":\[\{\"fd\":$RD,\"events\":\"in\"\}\]\}\}$" /tmp/j
assert_grep "^\{\"type\":\"thread\",\"pid\":$SP,\"tid\":$T1,.*\"call\":\{\"call\":\"epoll_p?wait\",\"epfd\":$EP,\"timeout_ms\":-1,\"fds\":\[\{\"fd\":$EFD,\"events\":\"in,err,hup\"\}\]\}\}$" /tmp/j
assert_grep "^\{\"type\":\"process\",\"pid\":$SP,.*\"call\":\{\"call\":\"futex\"\},\"threads\":3\}$" /tmp/j
# entry records carry their fd and that fd's head index (ep->wq is the
# epoll fd's head 1, as its head record says)
assert_grep "^\{\"type\":\"entry\",.*\"func\":\"pollwake\",\"pid\":$T2,.*\"fd\":$RD,\"head\":0,\"note\":\"<- this process \(thread $T2\)\"\}$" /tmp/j
assert_grep "^\{\"type\":\"head\",\"object\":\"\",\"pid\":$SP,\"fd\":$EP,\"head\":1,\"label\":\"epoll ep->wq \(threads in epoll_wait\)\",\"entries\":1\}$" /tmp/j
assert_grep "^\{\"type\":\"entry\",.*\"kind\":\"epoll_waiter\",.*\"pid\":$T1,.*\"fd\":$EP,\"head\":1,\"note\":" /tmp/j
ok "inspect TID; thread records in JSON; entries with their fd and head"
kill "$SP"
wait

# --- a path that is not UTF-8 keeps its bytes in JSON ------------------------
rm -f /tmp/nm.out # not an earlier run's output: start_shape in lib.sh
psshape name >/tmp/nm.out 2>&1 &
SP=$!
wait_for grep -q '^fd=9' /tmp/nm.out || fail "psshape name did not start"
# the kernel's view: the link's bytes (od of readlink)
readlink "/proc/$SP/fd/9" | od -An -tx1 | tr -s ' \n' ' ' >/tmp/bytes
cat /tmp/bytes
grep -q " 61 ff fe 6d 65 " /tmp/bytes || fail "fd 9's link lacks the bytes ff fe"
pollscope --json -c "inspect $SP 9" >/tmp/j 2>/tmp/err || fail "json: $(cat /tmp/err)"
cat /tmp/j
assert_grep "^\{\"type\":\"fd\",\"pid\":$SP,\"fd\":9,\"link\":\"/tmp/na\\\\\\\\xff\\\\\\\\xfeme\",.*\"link_escaped\":true" /tmp/j
ok "inspect: a non-UTF-8 path in JSON keeps its bytes, escaped"
kill "$SP"
wait
true
