# watch: wakes on queues of files of processes pollscope did not start
# (eventfd, pipe, socketpair, timerfd, signalfd, tty, a pollscope object),
# each checked against what the test did: the waker's pid, the key, the
# call site, the poller on the queue. Bad input changes nothing.
. /tests/lib.sh
load_module

# start_obj KIND: pswatch holds KIND; commands go to fd 3; sets P FD
start_obj() {
	rm -f /tmp/in /tmp/out
	mkfifo /tmp/in
	pswatch obj "$1" </tmp/in >/tmp/out &
	exec 3>/tmp/in
	wait_for grep -q '^ready' /tmp/out || fail "pswatch obj $1 did not start"
	P=$(sed -n 's/^ready pid=\([0-9]*\).*/\1/p' /tmp/out)
	FD=$(sed -n 's/^ready .* fd=\([0-9]*\).*/\1/p' /tmp/out)
}
cmd() { # cmd LETTER PATTERN: send, wait for pswatch's answer
	echo "$1" >&3
	wait_for grep -q "$2" /tmp/out || fail "pswatch did not answer '$1' ($2)"
}
stop_obj() {
	echo k >&3
	echo x >&3
	exec 3>&-
	wait "$P" 2>/dev/null
}
# watched_events NAME: the watch records of NAME so far, from the module
watched_events() {
	grep " type=watch .* object=$1 " "$PS_DIR/events" >/tmp/ev.$1 || true
}
has_wake() { watched_events "$1"; grep -Eq -- "$2" /tmp/ev.$1; }

# kind site key
for spec in "eventfd eventfd_write in" "pipe pipe_write in" \
	"socketpair sock_def_readable in" "timerfd timerfd_tmrproc in" \
	"signalfd signalfd_notify|send_signal none"; do
	set -- $spec
	KIND=$1 SITE=$2 KEY=$3
	start_obj "$KIND"
	cmd p '^poller'
	POLLER=$(sed -n 's/^poller pid=\([0-9]*\)/\1/p' /tmp/out)
	# the poller is asleep on the queue before the watch starts
	wait_for grep -q '^State:.S' "/proc/$POLLER/status" || fail "poller not asleep"
	pollscope -c "watch $P $FD name=$KIND" >/tmp/o 2>&1 || { cat /tmp/o; fail "watch $KIND"; }
	cat /tmp/o
	assert_grep "^watching pid $P \(pswatch\) fd $FD " /tmp/o
	pollscope -c watch >/tmp/l 2>&1
	assert_grep "^$KIND: " /tmp/l
	assert_grep " op=start " "$PS_DIR/events"
	cmd w 'done w'
	if [ "$KIND" = timerfd ]; then
		# the timer fires 1 ms later: in interrupt context (softirq on -rt)
		wait_for has_wake "$KIND" " op=wake .*key=$KEY" || { cat /tmp/ev.$KIND; fail "$KIND: no wake"; }
		assert_grep " comm=(irq|softirq|ktimers[^ ]*|ksoftirqd[^ ]*) .*ctx=(irq|softirq) " /tmp/ev.$KIND
	else
		wait_for has_wake "$KIND" " pid=$P comm=pswatch object=$KIND op=wake .*key=[^ ]*$KEY" ||
			{ cat /tmp/ev.$KIND "$PS_DIR/events" | tail -20; fail "$KIND: no wake by pid $P"; }
		assert_grep " pid=$P comm=pswatch object=$KIND op=wake .* ctx=task " /tmp/ev.$KIND
	fi
	cat /tmp/ev.$KIND
	# the waker's frame and the two above it, the wait queue functions left out
	assert_grep " op=wake .* site=(__)?($SITE)[^< ]*<[^< ]+<[^< ]+ " /tmp/ev.$KIND \
		"$KIND: the call site is not $SITE and two callers"
	assert_no_grep " site=[^ ]*(__wake_up|ps_wt_|unknown)" /tmp/ev.$KIND "$KIND: a wait queue frame in the call site"
	# the poller was on the queue, and this wake wakes it; a signalfd's
	# queue is its poller's own sighand's: the child polls its own, and
	# the wake is on the owner's, with no key (signalfd_notify)
	[ "$KIND" = signalfd ] && assert_grep " waiters=0 entries=-" /tmp/ev.$KIND ||
	assert_grep " entries=([^ ]*;)?poll/$POLLER/pswatch/[^/]*in[^/]*/wake" /tmp/ev.$KIND \
		"$KIND: poller $POLLER not seen woken on the queue"
	assert_no_grep "ffff[0-9a-f]{8}" /tmp/ev.$KIND "raw kernel address in an event"
	pollscope -c "unwatch $KIND" >/tmp/o 2>&1 || { cat /tmp/o; fail "unwatch $KIND"; }
	wait_for grep -q " object=$KIND op=end reason=unwatch " "$PS_DIR/events" || fail "no end event"
	stop_obj
	ok "watch $KIND: waker pid $P, key $KEY, site $SITE, poller $POLLER"
done

# --- a tty: cat reads its pty in tmux; keys typed reach it through the
# tty layer's kworker (flush_to_ldisc), waking tty->read_wait ---
tmux new-session -d -s ps -x 80 -y 24 cat
CAT=$(tmux list-panes -t ps -F '#{pane_pid}')
wait_for blocked_in "$CAT" read || fail "cat not in read"
pollscope -c "watch $CAT 0 name=tty" >/tmp/o 2>&1 || { cat /tmp/o; fail "watch tty"; }
cat /tmp/o
assert_grep "\(/dev/pts/[0-9]+\) as 'tty'" /tmp/o
tmux send-keys -t ps x Enter
wait_for has_wake tty " op=wake head=0 queue=tty->read_wait key=[^ ]*in" || { cat /tmp/ev.tty; fail "tty: no wake on read_wait"; }
cat /tmp/ev.tty
assert_grep " comm=kworker[^ ]* object=tty op=wake head=0 queue=tty->read_wait .*ctx=task site=[^ ]*(n_tty|tty_|flush_to_ldisc)" /tmp/ev.tty
assert_grep " entries=([^ ]*;)?[a-z_]+/$CAT/cat/[^/]*/wake" /tmp/ev.tty "cat ($CAT) not woken on read_wait"
pollscope -c "unwatch tty" >/dev/null 2>&1 || fail "unwatch tty"
tmux_stop
ok "watch a tty: a kworker wakes cat ($CAT) on tty->read_wait"

# --- a pollscope object, woken through the control file by this shell ---
echo "create obj1" >"$PS_DIR/control"
pollscope -c "watch obj1" >/tmp/o 2>&1 || { cat /tmp/o; fail "watch obj1"; }
echo "wake obj1 in" >"$PS_DIR/control"
wait_for has_wake obj1 " pid=$$ comm=sh object=obj1 op=wake .*key=in " || { cat /tmp/ev.obj1; fail "obj1 wake"; }
cat /tmp/ev.obj1
echo "destroy obj1" >"$PS_DIR/control"
wait_for grep -q " object=obj1 op=end reason=destroyed " "$PS_DIR/events" || fail "obj1: no end on destroy"
ok "watch a pollscope object: wake by the shell, end on destroy"

# --- bad input: clear errors, nothing changes -----------------------------
before=$(cat "$PS_DIR/watch")
sleep 1000 </dev/null &
S=$!
exec 5</tmp
bad() { # bad CMD PATTERN
	pollscope -c "$1" >/tmp/o 2>&1 && { cat /tmp/o; fail "'$1' succeeded"; }
	cat /tmp/o
	assert_grep "$2" /tmp/o
}
bad "watch $S 7" "has no fd 7"
bad "watch 999999 0" "no process with pid 999999"
bad "watch $$ 5" "is a directory"
bad "watch nosuch" "no object named 'nosuch'"
bad "unwatch nosuch" "no watch named 'nosuch'"
bad "watch $S x" "bad fd 'x'"
exec 5<&-
# an O_PATH descriptor (pswatch opath holds /tmp/in with O_PATH on fd 3)
pswatch opath /tmp/in >/tmp/op </dev/zero &
OP=$!
wait_for grep -q '^ready' /tmp/op || fail "pswatch opath did not start"
OFD=$(sed -n 's/^ready .* fd=\([0-9]*\).*/\1/p' /tmp/op)
bad "watch $OP $OFD" "O_PATH descriptor"
kill $S $OP
assert_eq "$(cat "$PS_DIR/watch")" "$before" "bad input changed the watch list"
ok "bad input: clear errors, nothing changed"
unload_module
