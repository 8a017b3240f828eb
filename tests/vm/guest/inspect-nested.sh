# inspect follows nested epolls down to the files at the bottom (issue 10,
# item 5): a process in epoll_wait on epoll A, A watching epoll B, B watching
# a pipe and an eventfd; then a chain of epolls as deep as the kernel allows
# (EP_MAX_NESTS: 5 epolls). Each epoll's watched list is checked against its
# /proc/PID/fdinfo, what is marked waited on against what the test program
# built.
. /tests/lib.sh

case $(uname -r) in
6.1.*) ;;
*)
	ok "inspect: nested epolls (this kernel's epoll layout is unknown: skipped)"
	exit 0
	;;
esac

# fdinfo_tfds PID FD: the fd numbers an epoll's fdinfo lists, sorted
fdinfo_tfds() {
	sed -n 's/^tfd: *\([0-9]*\) .*/\1/p' "/proc/$1/fdinfo/$2" | sort -n | tr '\n' ' '
}

# json_watch FILE FD: the tfds of fd FD's "watch" list in inspect's JSON (each
# at its own fd), sorted
json_watch() {
	grep "^{\"type\":\"fd\",\"pid\":[0-9]*,\"fd\":$2," "$1" |
		grep -o '"tfd":[0-9]*,"events":"[a-z,0-9]*","fd":[0-9]*' |
		sed -n 's/"tfd":\([0-9]*\),.*"fd":\1$/\1/p' | sort -n | tr '\n' ' '
}

# fd_json FILE FD: fd FD's record
fd_json() {
	grep "^{\"type\":\"fd\",\"pid\":[0-9]*,\"fd\":$2," "$1"
}

# --- A -> B -> {pipe, eventfd} -------------------------------------------------
start_shape 10 '^a=' /tmp/n.out nested
eval "$(sed -n 's/^a=\([0-9]*\) b=\([0-9]*\) rd=\([0-9]*\) efd=\([0-9]*\)$/A=\1 B=\2 RD=\3 EFD=\4/p' /tmp/n.out)"
[ -n "$EFD" ] || fail "psshape nested printed: $(cat /tmp/n.out)"
wait_for blocked_in "$SP" epoll_wait epoll_pwait || fail "psshape nested not asleep"
# the kernel's view: epfd A in epoll_wait; A lists B, B lists the pipe and the eventfd
assert_eq "$(cut -d' ' -f2 "/proc/$SP/syscall")" "$(printf '0x%x' "$A")" "epfd in /proc/$SP/syscall"
assert_eq "$(fdinfo_tfds "$SP" "$A")" "$B " "A's registrations in fdinfo"
assert_eq "$(fdinfo_tfds "$SP" "$B")" "$RD $EFD " "B's registrations in fdinfo"

pollscope --json -c "inspect $SP" >/tmp/n.j || fail "inspect --json $SP: $(cat /tmp/n.j)"
pollscope -c "inspect $SP" >/tmp/n.t || fail "inspect $SP: $(cat /tmp/n.t)"
cat /tmp/n.t
# each epoll's watched list, as its fdinfo lists it
assert_eq "$(json_watch /tmp/n.j "$A")" "$(fdinfo_tfds "$SP" "$A")" "A's watched list (JSON)"
assert_eq "$(json_watch /tmp/n.j "$B")" "$(fdinfo_tfds "$SP" "$B")" "B's watched list (JSON)"
assert_grep "^fd $A -> anon_inode:\[eventpoll\] \(eventpoll\): .* watches=1  <- epoll_p?wait sleeps in it$" /tmp/n.t
assert_grep "^  watches fd $B \(in,err,hup\)$" /tmp/n.t
assert_grep "^fd $B -> anon_inode:\[eventpoll\] \(eventpoll\): .* watches=2  <- epoll_p?wait waits on it \(in,err,hup\)$" /tmp/n.t
assert_grep "^  watches fd $RD \(in,err,hup\), fd $EFD \(in,err,hup\)$" /tmp/n.t
# the files at the bottom: waited on, through B
assert_grep "^fd $RD -> pipe:\[[0-9]+\] \(pipe\): .*  <- epoll_p?wait waits on it \(in,err,hup\) \(through nested epoll fd $B\)$" /tmp/n.t
assert_grep "^fd $EFD -> anon_inode:\[eventfd\] \(eventfd\): .*  <- epoll_p?wait waits on it \(in,err,hup\) \(through nested epoll fd $B\)$" /tmp/n.t
for fd in $RD $EFD; do
	fd_json /tmp/n.j "$fd" | grep -q "\"waited_on\":true,\"wait_events\":\"in,err,hup\",.*\"via_epoll\":$B[,}]" ||
		fail "fd $fd not waited on through epoll fd $B: $(fd_json /tmp/n.j "$fd")"
done
fd_json /tmp/n.j "$B" | grep -q "\"waited_on\":true,\"wait_events\":\"in,err,hup\",.*\"via_epoll\":$A[,}]" ||
	fail "epoll fd $B not waited on through $A: $(fd_json /tmp/n.j "$B")"
# the write end of the pipe is in no epoll: not waited on
WR=$(ls -l "/proc/$SP/fd" | awk -v rd="$(readlink "/proc/$SP/fd/$RD")" '$NF == rd && $(NF - 2) != '"$RD"' { print $(NF - 2) }')
[ -n "$WR" ] || fail "no write end of the pipe in /proc/$SP/fd"
fd_json /tmp/n.j "$WR" | grep -q '"waited_on":false' || fail "the pipe's write end (fd $WR) marked waited on: $(fd_json /tmp/n.j "$WR")"
# B's ep->poll_wait holds A's entry (A watches B); the pipe's and the
# eventfd's queues hold B's
assert_grep "^    0  epoll +ep_poll_callback .* epoll=[0-9a-f]{16} tfd=$B sleepers=1  <- this process$" /tmp/n.t
EPB=$(fd_json /tmp/n.j "$B" | sed -n 's/.*"epoll":"\([0-9a-f]*\)".*/\1/p')
assert_eq "$(grep -c "\"kind\":\"epoll\",\"func\":\"ep_poll_callback\",.*\"epoll\":\"$EPB\"" /tmp/n.j)" 2 "B's entries (on the pipe and the eventfd)"
# no thread sleeps in B itself: its entries lead to this process through B
# (instance ids are the module's, per load: taken from this output)
EPB=$(sed -n "s/^fd $B -> .* epoll=\([0-9a-f]*\) watches=.*/\1/p" /tmp/n.t)
for t in $RD $EFD; do
	assert_grep "^    0  epoll +ep_poll_callback +0 - .* epoll=$EPB tfd=$t sleepers=0  <- this process \(through epoll fd $B\)$" /tmp/n.t
done
assert_grep "^pid $SP: [0-9]+ fds, [0-9]+ pollable, [0-9]+ wait queue heads, 4 entries \(4 of this process\)" /tmp/n.t
kill "$SP"
wait "$SP"
ok "inspect: epoll A -> epoll B -> a pipe and an eventfd, both waited on through B"

# --- a chain as deep as the kernel allows ----------------------------------------
start_shape 10 '^levels=' /tmp/d.out deep
eval "$(sed -n 's/^levels=\([0-9]*\) top=\([0-9]*\) bottom=\([0-9]*\) rd=\([0-9]*\)$/LEVELS=\1 TOP=\2 BOTTOM=\3 RD=\4/p' /tmp/d.out)"
cat /tmp/d.out
# fs/eventpoll.c: EP_MAX_NESTS 4, a path of at most 5 epolls (the sixth link ELOOP)
assert_eq "$LEVELS" 5 "epolls in the chain"
assert_grep "^refused=Too many levels of symbolic links" /tmp/d.out
wait_for blocked_in "$SP" epoll_wait epoll_pwait || fail "psshape deep not asleep"
assert_eq "$(cut -d' ' -f2 "/proc/$SP/syscall")" "$(printf '0x%x' "$TOP")" "epfd in /proc/$SP/syscall"
pollscope --json -c "inspect $SP" >/tmp/d.j || fail "inspect --json $SP: $(cat /tmp/d.j)"
pollscope -c "inspect $SP" >/tmp/d.t || fail "inspect $SP: $(cat /tmp/d.t)"
cat /tmp/d.t
# follow the chain in fdinfo from the top: each epoll's one registration,
# marked waited on through the epoll above it, down to the pipe
fd=$TOP
n=1
while [ "$fd" != "$RD" ]; do
	next=$(fdinfo_tfds "$SP" "$fd")
	next=${next% }
	[ -n "$next" ] && [ "$next" = "${next% *}" ] || fail "epoll fd $fd lists '$next' in fdinfo, not one fd"
	assert_eq "$(json_watch /tmp/d.j "$fd")" "$next " "fd $fd's watched list"
	fd_json /tmp/d.j "$next" | grep -q "\"waited_on\":true,\"wait_events\":\"in,err,hup\",.*\"via_epoll\":$fd[,}]" ||
		fail "fd $next not waited on through epoll fd $fd: $(fd_json /tmp/d.j "$next")"
	fd=$next
	n=$((n + 1))
done
assert_eq "$n" $((LEVELS + 1)) "files on the path (the epolls and the pipe)"
assert_grep "^fd $RD -> pipe:\[[0-9]+\] \(pipe\): .*  <- epoll_p?wait waits on it \(in,err,hup\) \(through nested epoll fd $BOTTOM\)$" /tmp/d.t
assert_grep "^    0  epoll +ep_poll_callback .* tfd=$RD sleepers=0  <- this process \(through epoll fd $BOTTOM\)$" /tmp/d.t
# the epoll off the chain (the one the kernel refused to link) is waited on by no one
assert_eq "$(grep -c '^{"type":"fd",.*"kind":"eventpoll",.*"waited_on":true' /tmp/d.j)" "$LEVELS" "epolls waited on"
kill "$SP"
wait "$SP"
ok "inspect: a chain of $LEVELS nested epolls followed down to the pipe"
true
