# inspect has no fixed limit on what a call waits on: an epoll with 300 or
# 5000 registrations and a poll(2) of 300 or 5000 entries are marked whole
# (issue 10, item 6: 257 and none before; 65,536 of each is scale-inspect.sh,
# label vm-scale: minutes under TCG), and the fds of one file and alike entries are
# folded into one line each, so a waiter of 300 fds is a screenful, not
# 90,000 lines (issue 17, item 6). Checked against the epoll's fdinfo, the
# process's fd table and what the test program did.
. /tests/lib.sh

# --- epoll with N registrations -------------------------------------------------
epoll_case() {
	local n=$1
	start_shape 10 first= /tmp/ep.out epoll "$n"
	EP=$(sed -n 's/^epfd=\([0-9]*\) .*/\1/p' /tmp/ep.out)
	wait_for blocked_in "$SP" epoll_wait epoll_pwait || fail "psshape epoll $n not asleep"
	# the kernel's view: fdinfo lists n registrations
	got=$(grep -c '^tfd:' "/proc/$SP/fdinfo/$EP")
	if [ "$got" != "$n" ]; then
		# what was read (this caught start_shape's race: lib.sh)
		echo "epfd '$EP' of $SP; psshape said: $(cat /tmp/ep.out)"
		ls -l "/proc/$SP/fd/$EP"
		head -c 400 "/proc/$SP/fdinfo/$EP"
		echo "fdinfo bytes: $(wc -c <"/proc/$SP/fdinfo/$EP")"
		grep -E '^(State|FDSize)' "/proc/$SP/status"
	fi
	assert_eq "$got" "$n" "registrations in fdinfo"
	measure /tmp/j pollscope --json -c "inspect $SP" || fail "inspect $SP (epoll $n)"
	# every registered fd waited on, and the epoll itself: n + 1
	assert_eq "$(grep -c '^{"type":"fd",.*"waited_on":true,' /tmp/j)" "$((n + 1))" "fds waited on (epoll $n)"
	assert_eq "$(grep -c '^{"type":"fd",.*"waited_on":true,"wait_events":"in,err,hup"' /tmp/j)" "$n" "fds waited on for in,err,hup"
	assert_grep "^\{\"type\":\"fd\",\"pid\":$SP,\"fd\":$EP,.*\"watched\":$n," /tmp/j
	assert_no_grep "watched_truncated" /tmp/j
	# the process's call: all n registrations, structured
	grep '^{"type":"process"' /tmp/j | grep -o '{"fd":[0-9]*,"events":"in,err,hup"}' | wc -l >/tmp/nc
	assert_eq "$(cat /tmp/nc)" "$n" "fds of the call object"
	measure /tmp/t pollscope -c "inspect $SP" || fail "inspect $SP (epoll $n)"
	head -n 12 /tmp/t
	assert_grep "^fds $((FIRST + 1))-$LAST -> pipe:\[[0-9]+\] \(pipe\): mask=none, $((n - 1)) fds of the same file as fd $FIRST \(its heads and entries, listed there\)  <- epoll_p?wait waits on them \(in,err,hup\)$" /tmp/t
	# the n entries on the pipe's queue, one per registration: one line
	assert_grep "^  0-$((n - 1))  epoll +ep_poll_callback +$SP psshape +- +S  - +in,err,hup  epoll=[0-9a-f]{16} tfd=$LAST\.\.$FIRST sleepers=1  <- this process  \($n entries\)$" /tmp/t
	[ "$(wc -l </tmp/t)" -lt 40 ] || fail "inspect of epoll $n printed $(wc -l </tmp/t) lines"
	kill "$SP"
	wait "$SP"
}
case $(uname -r) in
6.1.*)
	epoll_case 300
	epoll_case 5000
	ok "inspect: an epoll of 300 and of 5000 registrations, all marked"
	;;
*) ok "inspect: epoll limits (this kernel's epoll layout is unknown: skipped)" ;;
esac

# --- poll(2) with N entries -----------------------------------------------------
poll_case() {
	local n=$1
	start_shape 10 first= /tmp/po.out poll "$n"
	wait_for blocked_in "$SP" poll || fail "psshape poll $n not asleep"
	# the kernel's view: poll(nfds=n), n fds open of one pipe
	assert_eq "$(cut -d' ' -f3 "/proc/$SP/syscall")" "$(printf '0x%x' "$n")" "nfds in /proc/$SP/syscall"
	measure /tmp/j pollscope --json -c "inspect $SP" || fail "inspect $SP (poll $n)"
	assert_eq "$(grep -c '^{"type":"fd",.*"waited_on":true,"wait_events":"in"' /tmp/j)" "$n" "fds waited on (poll $n)"
	grep '^{"type":"process"' /tmp/j | grep -o '{"fd":[0-9]*,"events":"in"}' | wc -l >/tmp/nc
	assert_eq "$(cat /tmp/nc)" "$n" "fds of the call object"
	# the pipe's read queue: one pollwake entry per pollfd (the module lists
	# max_queue_entries, 65536 by default)
	assert_eq "$(grep -c "^{\"type\":\"entry\",.*\"kind\":\"poll\",\"func\":\"pollwake\",\"pid\":$SP," /tmp/j)" "$n" "pollwake entries in JSON"
	measure /tmp/t pollscope -c "inspect $SP" || fail "inspect $SP (poll $n)"
	head -n 12 /tmp/t
	assert_grep "^  blocked in poll\(nfds=$n, timeout=-1\): fd $FIRST \(in\), .*, \.\.\. \($n fds\)$" /tmp/t
	assert_grep "^fd $FIRST -> pipe:\[[0-9]+\] \(pipe\): mask=none heads=1 entries=$n  <- poll waits on it \(in\)$" /tmp/t
	assert_grep "^  0-$((n - 1))  poll +pollwake +$SP psshape +- +S  - +in,err,hup  <- this process  \($n entries\)$" /tmp/t
	assert_grep "^fds $((FIRST + 1))-$LAST -> pipe:\[[0-9]+\] \(pipe\): mask=none, $((n - 1)) fds of the same file as fd $FIRST \(its heads and entries, listed there\)  <- poll waits on them \(in\)$" /tmp/t
	[ "$(wc -l </tmp/t)" -lt 40 ] || fail "inspect of poll $n printed $(wc -l </tmp/t) lines"
	kill "$SP"
	wait "$SP"
}
poll_case 300
poll_case 5000
ok "inspect: poll(2) of 300 and of 5000 entries, all marked, folded"

# --- a waiter of 300 fds of one object (issue 17: 90,914 lines, 17 s, 53 MB) --
rm -f /tmp/big.out # not an earlier run's output: start_shape in lib.sh
pollscope -c 'create a; spawn poll a fds=300 as=big; settle 60000; say READY; sleep 600000' >/tmp/big.out 2>&1 &
BG=$!
wait_for grep -q READY /tmp/big.out || fail "the 300-fd waiter did not settle: $(cat /tmp/big.out)"
BIG=$(sed -n 's/^spawned big (pid \([0-9]*\)).*/\1/p' /tmp/big.out)
measure /tmp/t pollscope -c "inspect $BIG" || fail "inspect $BIG"
cat /tmp/t
[ "$(wc -l </tmp/t)" -lt 40 ] || fail "inspect of a 300-fd waiter printed $(wc -l </tmp/t) lines"
assert_grep "^  [0-9]+-[0-9]+  poll +pollwake +$BIG big +[-a-z0-9.]+ +S  - +[a-z,]+  <- this process  \(300 entries\)$" /tmp/t
measure /tmp/j pollscope --json -c "inspect $BIG" || fail "inspect $BIG (json)"
# JSON is complete: each of the 300 fds, each of the 300 entries, once
assert_eq "$(grep -c '^{"type":"fd",.*"waited_on":true' /tmp/j)" 300 "fds waited on"
assert_eq "$(grep -c "^{\"type\":\"entry\",.*\"pid\":$BIG," /tmp/j)" 300 "entries of the waiter"
ok "inspect: a 300-fd waiter folded"
kill "$BG"
wait "$BG"
true
