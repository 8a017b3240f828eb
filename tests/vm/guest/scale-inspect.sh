# inspect at 65,536 (issue 10, item 6): an epoll watching 65,536 fds and a
# poll(2) of 65,536 entries, end to end, every fd marked. Checked against the
# kernel's own lists (the epoll's fdinfo tfd lines, /proc/PID/syscall, the
# fd table) and what the test program did. Too slow for the inspect group
# under TCG (each fd costs the tool a handful of system calls): label
# vm-scale. The time and peak memory of each inspect print as BENCH lines;
# measured (TCG, 2 shared cores under load, 2026-11-27): epoll, --json 131 MB
# peak RSS, 43 MB of output, 2 min 11 s; text 97 MB, 19 lines, 33 s; poll,
# --json 109 MB, 32 MB, 58 s; text 86 MB, 13 lines, 32 s; the whole boot
# 625 s.
. /tests/lib.sh

N=65536

# the fds JSON marks as waited on, one number a line, sorted
json_waited() {
	sed -n 's/^{"type":"fd","pid":[0-9]*,"fd":\([0-9]*\),.*"waited_on":true,.*/\1/p' "$1" | sort -n
}

# split_json FILE: FILE.process, FILE.fd, FILE.head, FILE.entry (one pass
# each over tens of MB is slow under TCG: the checks read the smaller parts)
split_json() {
	awk -v f="$1" '{
		t = $0; sub(/^\{"type":"/, "", t); sub(/".*/, "", t)
		print > (f "." t)
	}' "$1"
	for t in process fd head entry; do
		[ -f "$1.$t" ] || : >"$1.$t"
	done
}

# --- epoll watching N fds ---------------------------------------------------------
case $(uname -r) in
6.1.*)
	start_shape 120 first= /tmp/ep.out epoll $N  # 65,536 dups and registrations: minutes under TCG
	EP=$(sed -n 's/^epfd=\([0-9]*\) .*/\1/p' /tmp/ep.out)
	wait_for blocked_in "$SP" epoll_wait epoll_pwait || fail "psshape epoll $N not asleep"
	# the kernel's view: fdinfo's tfd lines, and the fd numbers they name
	sed -n 's/^tfd: *\([0-9]*\) .*/\1/p' "/proc/$SP/fdinfo/$EP" | sort -n >/tmp/ep.tfd
	assert_eq "$(wc -l </tmp/ep.tfd)" $N "registrations in fdinfo"
	assert_eq "$(head -n1 /tmp/ep.tfd) $(tail -n1 /tmp/ep.tfd)" "$FIRST $LAST" "registered fds"
	measure /tmp/j pollscope --json -c "inspect $SP" || fail "inspect --json $SP (epoll $N)"
	split_json /tmp/j
	# every registered fd marked waited on, and the epoll itself: fdinfo's
	# list plus the epoll fd, exactly
	(cat /tmp/ep.tfd && echo "$EP") | sort -n >/tmp/ep.want
	json_waited /tmp/j.fd >/tmp/ep.got
	cmp -s /tmp/ep.want /tmp/ep.got || fail "fds waited on differ from fdinfo's: $(diff /tmp/ep.want /tmp/ep.got | head -n 5)"
	assert_eq "$(grep -c '"waited_on":true,"wait_events":"in,err,hup"' /tmp/j.fd)" $N "fds waited on for in,err,hup"
	# the epoll fd's watched list: fdinfo's tfds, each at its own fd
	grep "^{\"type\":\"fd\",\"pid\":$SP,\"fd\":$EP," /tmp/j.fd >/tmp/j.ep
	assert_grep "\"watched\":$N," /tmp/j.ep
	grep -o '"tfd":[0-9]*,"events":"in,err,hup","fd":[0-9]*' /tmp/j.ep |
		sed -n 's/"tfd":\([0-9]*\),.*"fd":\1$/\1/p' | sort -n >/tmp/ep.watch
	cmp -s /tmp/ep.tfd /tmp/ep.watch || fail "the epoll's watch list differs from fdinfo's: $(diff /tmp/ep.tfd /tmp/ep.watch | head -n 5)"
	assert_no_grep "watched_truncated" /tmp/j.ep
	# the pipe's read queue: one ep_poll_callback entry per registration
	assert_eq "$(grep -c "\"kind\":\"epoll\",\"func\":\"ep_poll_callback\",\"pid\":$SP," /tmp/j.entry)" $N "ep_poll_callback entries"
	assert_no_grep '"truncated":[1-9]' /tmp/j.head
	grep -o '{"fd":[0-9]*,"events":"in,err,hup"}' /tmp/j.process | wc -l >/tmp/nc
	assert_eq "$(cat /tmp/nc)" $N "fds of the call object"
	measure /tmp/t pollscope -c "inspect $SP" || fail "inspect $SP (epoll $N)"
	head -n 12 /tmp/t
	assert_grep "^fds $((FIRST + 1))-$LAST -> pipe:\[[0-9]+\] \(pipe\): mask=none, $((N - 1)) fds of the same file as fd $FIRST \(its heads and entries, listed there\)  <- epoll_p?wait waits on them \(in,err,hup\)$" /tmp/t
	assert_grep "^  0-$((N - 1))  epoll +ep_poll_callback +$SP psshape +- +S  - +in,err,hup  epoll=[0-9a-f]{16} tfd=$LAST\.\.$FIRST sleepers=1  <- this process  \($N entries\)$" /tmp/t
	[ "$(wc -l </tmp/t)" -lt 40 ] || fail "inspect of epoll $N printed $(wc -l </tmp/t) lines"
	kill "$SP"
	wait "$SP"
	ok "inspect: an epoll watching $N fds, every one marked (fdinfo's list)"
	;;
*) ok "inspect: epoll at $N (this kernel's epoll layout is unknown: skipped)" ;;
esac

# --- poll(2) with N entries -----------------------------------------------------
start_shape 120 first= /tmp/po.out poll $N
wait_for blocked_in "$SP" poll || fail "psshape poll $N not asleep"
# the kernel's view: poll(fds, nfds=N, timeout=-1) in /proc/PID/syscall
assert_eq "$(cut -d' ' -f3 "/proc/$SP/syscall")" "$(printf '0x%x' $N)" "nfds in /proc/$SP/syscall"
assert_eq "$(ls "/proc/$SP/fd" | awk -v a="$FIRST" -v b="$LAST" '$1 >= a && $1 <= b' | wc -l)" $N "fds $FIRST-$LAST open"
measure /tmp/j pollscope --json -c "inspect $SP" || fail "inspect --json $SP (poll $N)"
split_json /tmp/j
# the test program polls fds FIRST..LAST, each once: exactly those marked
seq "$FIRST" "$LAST" >/tmp/po.want
json_waited /tmp/j.fd >/tmp/po.got
cmp -s /tmp/po.want /tmp/po.got || fail "fds waited on differ from the pollfd array's: $(diff /tmp/po.want /tmp/po.got | head -n 5)"
assert_eq "$(grep -c '"waited_on":true,"wait_events":"in"' /tmp/j.fd)" $N "fds waited on for in"
grep -o '{"fd":[0-9]*,"events":"in"}' /tmp/j.process | wc -l >/tmp/nc
assert_eq "$(cat /tmp/nc)" $N "fds of the call object"
assert_no_grep '"fds_not_read"' /tmp/j.process
# the pipe's read queue: one pollwake entry per pollfd, none left out (the
# module lists max_queue_entries, 65536 by default)
assert_eq "$(grep -c "\"kind\":\"poll\",\"func\":\"pollwake\",\"pid\":$SP," /tmp/j.entry)" $N "pollwake entries"
assert_no_grep '"truncated":[1-9]' /tmp/j.head
measure /tmp/t pollscope -c "inspect $SP" || fail "inspect $SP (poll $N)"
head -n 12 /tmp/t
assert_grep "^  blocked in poll\(nfds=$N, timeout=-1\): fd $FIRST \(in\), .*, \.\.\. \($N fds\)$" /tmp/t
assert_grep "^fd $FIRST -> pipe:\[[0-9]+\] \(pipe\): mask=none heads=1 entries=$N  <- poll waits on it \(in\)$" /tmp/t
assert_grep "^  0-$((N - 1))  poll +pollwake +$SP psshape +- +S  - +in,err,hup  <- this process  \($N entries\)$" /tmp/t
assert_grep "^fds $((FIRST + 1))-$LAST -> pipe:\[[0-9]+\] \(pipe\): mask=none, $((N - 1)) fds of the same file as fd $FIRST \(its heads and entries, listed there\)  <- poll waits on them \(in\)$" /tmp/t
[ "$(wc -l </tmp/t)" -lt 40 ] || fail "inspect of poll $N printed $(wc -l </tmp/t) lines"
kill "$SP"
wait "$SP"
ok "inspect: poll(2) of $N entries, every one marked (the call's nfds and fds)"
