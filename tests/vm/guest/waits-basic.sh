# waits: every wait queue with sleepers on a system with known ones (a pipe
# between two ordinary processes, a socketpair, an epoll server with two
# clients, two EPOLLEXCLUSIVE workers on one eventfd), checked against /proc
# (fd links, fdinfo, syscall, stat) and what the test itself made.
. /tests/lib.sh
load_module

# uptime in ms, for the time asleep
now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
T0=$(now_ms)

sleep 600000 | cat &
CAT=$!
rm -f /tmp/sp /tmp/srv /tmp/ex # not an earlier run's output: start_shape in lib.sh
pswaits socketpair >/tmp/sp &
pswaits server 2 >/tmp/srv &
pswaits excl >/tmp/ex &
for f in /tmp/sp /tmp/srv /tmp/ex; do
	wait_for grep -q '^ready' $f || fail "pswaits did not start: $(cat $f)"
done
SPEER=$(sed -n 's/^peer pid=\([0-9]*\) .*/\1/p' /tmp/sp)
SPFD=$(sed -n 's/^peer pid=[0-9]* fd=\([0-9]*\)/\1/p' /tmp/sp)
SRV=$(sed -n 's/^epoll pid=\([0-9]*\) .*/\1/p' /tmp/srv)
EPFD=$(sed -n 's/^epoll pid=[0-9]* fd=\([0-9]*\)/\1/p' /tmp/srv)
EVP=$(sed -n 's/^eventfd pid=\([0-9]*\) .*/\1/p' /tmp/ex)
# the socketpair's child: the other process in its group that holds a socket
SPCHILD=$(for p in /proc/[0-9]*; do
	p=${p#/proc/}
	[ "$(cut -d' ' -f4 /proc/$p/stat 2>/dev/null)" = "$SPEER" ] && echo $p
done | head -n 1)
[ -n "$SPCHILD" ] || fail "no child of the socketpair leader $SPEER"
asleep() { grep -q '^State:.S' /proc/$1/status && [ "$(cut -d' ' -f1 /proc/$1/syscall)" = "$2" ]; }
wait_for asleep $CAT 0 || fail "cat $CAT is not asleep in read: $(cat /proc/$CAT/syscall)"
wait_for asleep $SPCHILD 45 || fail "$SPCHILD is not asleep in recvfrom: $(cat /proc/$SPCHILD/syscall)"
wait_for asleep $SRV 232 || fail "server $SRV is not asleep in epoll_wait: $(cat /proc/$SRV/syscall)"
for w in $(sed -n 's/^worker pid=\([0-9]*\) .*/\1/p' /tmp/ex); do
	wait_for asleep $w 232 || fail "worker $w is not asleep in epoll_wait"
done
usleep 200000
T1=$(now_ms)

pollscope --json -c 'waits' >/tmp/j 2>/tmp/err || fail "waits: $(cat /tmp/err)"
pollscope -c 'waits' >/tmp/t 2>/tmp/err || fail "waits (text): $(cat /tmp/err)"
T2=$(now_ms)
cat /tmp/t
# no raw address anywhere: ids are 16 hex digits, never ffff8...
assert_no_grep 'ffff8[0-9a-f]{11}' /tmp/j "a kernel address in the output"

# the wq record of a file, and the lines that carry its id
wq_of() { grep '^{"type":"waitq"' /tmp/j | grep -F "\"label\":\"$1\",\"file\":\"$2\"" | sed 's/.*"id":"\([0-9a-f]*\)".*/\1/' | head -n 1; }

# --- the pipe: cat reads, sleep holds the write end ---------------------------
PIPE=$(readlink /proc/$CAT/fd/0)
case $PIPE in pipe:*) ;; *) fail "cat's fd 0 is $PIPE" ;; esac
W=$(wq_of 'read queue (pipe->rd_wait)' "$PIPE")
[ -n "$W" ] || fail "no read queue for $PIPE"
# holders: exactly the fds /proc shows on that pipe, with their access modes
for p in /proc/[0-9]*; do
	p=${p#/proc/}
	for fd in /proc/$p/fd/*; do
		[ "$(readlink $fd 2>/dev/null)" = "$PIPE" ] || continue
		n=${fd##*/}
		fl=$(sed -n 's/^flags:[[:space:]]*//p' /proc/$p/fdinfo/$n)
		case $((0$fl & 3)) in 0) m=r ;; 1) m=w ;; *) m=rw ;; esac
		echo "$p $n $m"
	done
done | sort >/tmp/want
grep "\"type\":\"holder\",\"wq\":\"$W\"" /tmp/j |
	sed 's/.*"pid":\([0-9]*\),.*"fd":\([0-9]*\),"mode":"\([rw]*\)".*/\1 \2 \3/' | sort >/tmp/got
diff /tmp/want /tmp/got || fail "holders of $PIPE differ from /proc (want, got above)"
[ "$(wc -l </tmp/got)" -ge 2 ] || fail "the pipe's writer is not among its holders"
S=$(grep "\"type\":\"sleeper\",\"wq\":\"$W\"" /tmp/j)
echo "$S" | grep -q "\"pid\":$CAT,\"tgid\":$CAT,\"comm\":\"cat\",\"state\":\"S\",\"call\":\"read(fd=0)\"" ||
	fail "cat is not the sleeper on $PIPE: $S"
echo "$S" | grep -q '"func":"autoremove_wake_function","exclusive":true' ||
	fail "cat's entry is not an exclusive autoremove entry: $S"
MS=$(echo "$S" | sed 's/.*"slept_ms":\([0-9-]*\),.*/\1/')
[ "$MS" -ge 150 ] && [ "$MS" -le $((T2 - T0 + 50)) ] ||
	fail "cat slept $MS ms: not between 150 and $((T2 - T0)) (since it started)"
if command -v lsfd >/dev/null; then
	# util-linux's lsfd (2.38: no ENDPOINTS column) sees the same holders
	INO=${PIPE#pipe:[}
	INO=${INO%]}
	lsfd -n -r -o PID,FD -Q "INODE == $INO" 2>/tmp/lerr | sort >/tmp/lsfd || fail "lsfd: $(cat /tmp/lerr)"
	cut -d' ' -f1,2 /tmp/got | diff - /tmp/lsfd || fail "lsfd and waits disagree on $PIPE's holders"
	ok "waits: lsfd lists the same holders of $PIPE"
fi
ok "waits: a pipe's read queue, its reader asleep, its holders ($(wc -l </tmp/got))"

# --- the socketpair: the child recv()s, the parent holds the peer ------------
SOCK=$(readlink /proc/$SPCHILD/fd/$(ls /proc/$SPCHILD/fd | while read n; do
	case $(readlink /proc/$SPCHILD/fd/$n) in socket:*) echo $n ;; esac
done | head -n 1))
PEERSOCK=$(readlink /proc/$SPEER/fd/$SPFD)
[ "$SOCK" != "$PEERSOCK" ] || fail "one socket for both ends?"
W=$(wq_of 'socket wait queue (sk->sk_wq)' "$SOCK")
[ -n "$W" ] || fail "no socket queue for $SOCK"
grep "\"type\":\"holder\",\"wq\":\"$W\"" /tmp/j >/tmp/h
assert_grep "\"pid\":$SPCHILD,.*\"role\":\"file\",\"file\":\"$(echo "$SOCK" | sed 's/\[/\\[/')\"" /tmp/h
assert_grep "\"pid\":$SPEER,.*\"fd\":$SPFD,.*\"role\":\"peer\",\"file\":\"$(echo "$PEERSOCK" | sed 's/\[/\\[/')\"" /tmp/h \
	"the socketpair's other end is not shown as the peer"
grep "\"type\":\"sleeper\",\"wq\":\"$W\"" /tmp/j | grep -q "\"pid\":$SPCHILD,.*\"call\":\"recvfrom(fd=" ||
	fail "the recv()ing child is not the sleeper on $SOCK"
ok "waits: a socketpair, the sleeper and its peer"

# --- the epoll server: its clients' ends registered, the server in epoll_wait --
N=0
for fd in $(sed -n 's/^server pid=[0-9]* fd=\([0-9]*\)/\1/p' /tmp/srv); do
	SK=$(readlink /proc/$SRV/fd/$fd)
	# the epoll instance watches it (EPOLL.TFDS: the fdinfo's tfd lines)
	grep -Eq "^tfd: +$fd " /proc/$SRV/fdinfo/$EPFD || fail "fd $fd not in $SRV's epoll fdinfo"
	W=$(wq_of 'socket wait queue (sk->sk_wq)' "$SK")
	[ -n "$W" ] || fail "no queue for the server's $SK"
	grep "\"type\":\"sleeper\",\"wq\":\"$W\"" /tmp/j >/tmp/s
	assert_grep "\"pid\":$SRV,.*\"call\":\"epoll_wait\\(epfd=$EPFD\\)\".*\"func\":\"ep_poll_callback\",\"exclusive\":false,.*\"via\":\"epoll\"" /tmp/s \
		"the server is not reached through the epoll registration on $SK"
	# its client holds the other end: the peer
	grep "\"type\":\"holder\",\"wq\":\"$W\"" /tmp/j | grep -q '"role":"peer"' || fail "no peer for $SK"
	N=$((N + 1))
done
[ $N = 2 ] || fail "$N server sockets, want 2"
grep '"type":"sleeper"' /tmp/j | grep "\"pid\":$SRV," | grep -q '"func":"ep_autoremove_wake_function"' ||
	fail "the server is not on its epoll's own queue"
for c in $(sed -n 's/^client pid=\([0-9]*\) .*/\1/p' /tmp/srv); do
	grep '"type":"sleeper"' /tmp/j | grep -q "\"pid\":$c,.*\"call\":\"read(fd=" ||
		fail "client $c is not asleep in read"
done
ok "waits: an epoll server with two clients"

# --- two EPOLLEXCLUSIVE workers on one eventfd ---------------------------------
EFD=$(sed -n 's/^eventfd pid=[0-9]* fd=\([0-9]*\)/\1/p' /tmp/ex)
W=$(wq_of 'eventfd ctx->wqh' 'anon_inode:[eventfd]')
[ -n "$W" ] || fail "no eventfd queue"
grep "\"type\":\"sleeper\",\"wq\":\"$W\"" /tmp/j >/tmp/s
for w in $(sed -n 's/^worker pid=\([0-9]*\) .*/\1/p' /tmp/ex); do
	assert_grep "\"pid\":$w,.*\"call\":\"epoll_wait\\(epfd=[0-9]+\\)\".*\"func\":\"ep_poll_callback\",\"exclusive\":true" /tmp/s
done
[ "$(grep -c "\"type\":\"holder\",\"wq\":\"$W\"" /tmp/j)" = 3 ] || fail "the eventfd has 3 holders (leader and 2 workers)"
ok "waits: exclusive epoll workers on an eventfd"

# --- filters ----------------------------------------------------------------
pollscope --json -c "waits pid=$CAT" >/tmp/f || fail "waits pid="
[ "$(grep -c '"type":"waitq"' /tmp/f)" = 1 ] || { cat /tmp/f; fail "pid=$CAT: one queue"; }
assert_grep "\"file\":\"$(echo "$PIPE" | sed 's/\[/\\[/')\"" /tmp/f
pollscope --json -c "waits kind=eventfd" >/tmp/f || fail "waits kind="
assert_no_grep '"type":"waitq".*"kind":"(pipe|socket|eventpoll)"' /tmp/f
[ "$(grep -c '"type":"waitq"' /tmp/f)" -ge 1 ] || fail "kind=eventfd: none"
pollscope --json -c "waits comm=cat" >/tmp/f || fail "waits comm="
[ "$(grep -c '"type":"waitq"' /tmp/f)" = 1 ] || { cat /tmp/f; fail "comm=cat: one queue"; }
pollscope -c "waits pid=0" >/dev/null 2>/tmp/err && fail "pid=0 accepted"
assert_grep "bad pid=0" /tmp/err
ok "waits: filters"

# --- processes appearing and exiting during scans -----------------------------
( i=0; while [ $i -lt 400 ]; do sleep 0 | cat >/dev/null & i=$((i + 1)); done; wait ) &
CH=$!
i=0
while [ $i -lt 8 ]; do
	pollscope --json -c 'waits all' >/tmp/c 2>/tmp/err || fail "waits during churn: $(cat /tmp/err)"
	assert_grep '"type":"message".*"complete":true' /tmp/c
	i=$((i + 1))
done
wait $CH
ok "waits: 8 scans while 400 processes came and went"

gone() { [ ! -e /proc/$1/status ] || grep -q '^State:.Z' /proc/$1/status; }
# the leaders, and both ends of the pipeline (the holders of its pipe)
kill $(sed -n 's/^leader \([0-9]*\)/\1/p' /tmp/sp /tmp/srv /tmp/ex) $(cut -d' ' -f1 /tmp/want) 2>/dev/null
for p in $(sed -n 's/^leader \([0-9]*\)/\1/p' /tmp/sp /tmp/srv /tmp/ex) $(cut -d' ' -f1 /tmp/want); do
	wait_for gone $p || fail "$p did not exit"
done
unload_module
