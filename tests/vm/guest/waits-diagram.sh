# diagram in the full screen (tmux captures at 160x48 and 80x24) and as
# text: poll, select, epoll (plain and exclusive) and a blocking read on one
# object, before and during a wake; the walk it predicts checked against the
# module's own count of the real wake; a blocking read on a pipe between two
# ordinary processes; --ascii with NO_COLOR.
. /tests/lib.sh
SCREEN=/tmp/screen.txt

keys() { tmux send-keys -t ps "$@"; }
command() { keys ":$1" Enter; }
# pid of the pollscope waiter (a fork of the TUI: its comm is its label)
# asleep in syscall NR (and, for epoll, with or
# without EPOLLEXCLUSIVE in its epoll instance's fdinfo)
waiter_in() {
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		case "$(readlink /proc/$p/exe 2>/dev/null)" in */pollscope) ;; *) continue ;; esac
		# a waiter is a child of the TUI's pollscope (itself in poll)
		pp=$(sed 's/.*) . \([0-9]*\) .*/\1/' /proc/$p/stat 2>/dev/null)
		[ "$(cat /proc/$pp/comm 2>/dev/null)" = pollscope ] || continue
		nr=$(cut -d' ' -f1 /proc/$p/syscall 2>/dev/null)
		[ "$nr" = "$1" ] || [ "$nr" = "${3:-x}" ] || continue
		if [ -n "$2" ]; then
			ep=$(cut -d' ' -f2 /proc/$p/syscall)
			ev=$(sed -n 's/^tfd:.*events: *\([0-9a-f]*\).*/\1/p' /proc/$p/fdinfo/$((ep)) | head -n 1)
			case "$2:$((0x$ev & 0x10000000))" in excl:0 | plain:268435456) continue ;; esac
		fi
		echo $p
	done
}
# a capture: at most LINES lines, none wider than COLS columns
fits() {
	tmux capture-pane -p -t ps >$SCREEN
	[ "$(wc -l <$SCREEN)" -le "$2" ] || fail "more than $2 lines"
	tr -d '\200-\277' <$SCREEN | awk -v w="$1" 'length($0) > w { bad = 1 } END { exit bad }' ||
		fail "a line wider than $1 columns"
}

tmux -u new-session -d -s ps -x 160 -y 48 "pollscope; echo TUI-EXITED rc=\$?; sleep 600" ||
	fail "tmux did not start"
wait_screen "module: loaded by pollscope"
command "create a"
wait_screen "^a +ready=none"
command "spawn poll a as=p"
command "spawn select a as=s"
command "spawn epoll a as=e"
command "spawn epoll a exclusive as=x1"
command "spawn epoll a exclusive as=x2"
command "spawn read a as=r"
wait_screen "r +read +S " "the reader asleep"
wait_screen "x2 +epoll +S " "the second exclusive epoll waiter asleep"
P=$(waiter_in 7)
S=$(waiter_in 23 "" 270) # glibc select() is pselect6
E=$(waiter_in 232 plain)
X=$(waiter_in 232 excl)
R=$(waiter_in 0)
echo "poll $P select $S epoll $E exclusive $X read $R"
[ -n "$P" ] && [ -n "$S" ] && [ -n "$E" ] && [ -n "$R" ] && [ "$(echo $X | wc -w)" = 2 ] ||
	fail "the six waiters in /proc"

# --- before the wake, 160x48 ------------------------------------------------
command "diagram a"
wait_screen ":diagram a" "the diagram view"
wait_screen "wait_queue_head" "the head's box"
wait_screen "list head: 6 entries \\(2 exclusive, at the tail\\)"
wait_screen "pollwake  key=in,err,hup$" "poll's entry and key"
wait_screen "poll_table_entry ▶ poll_wqueues ▶ polling_task $P p \\(S\\)" "poll's links"
wait_screen "polling_task $S s \\(S\\)" "select's links"
wait_screen "autoremove_wake_function *$" "the reader's entry"
wait_screen "╰▶ task $R r \\(S\\)" "the reader's task"
for x in $X $E; do
	wait_screen "ep->wq ▶ $x [a-z0-9]+ \\(S\\) in epoll_wait" "epoll_wait sleeper $x behind its eventpoll"
done
# queue order: no non-exclusive entry after an exclusive one
awk '/─\[[0-9]+\]/ { if (/EXCLUSIVE/) e = 1; else if (e) bad = 1 } END { exit bad }' $SCREEN ||
	fail "a non-exclusive entry after an exclusive one"
[ "$(grep -c 'ep_poll_callback EXCLUSIVE' $SCREEN)" = 2 ] || fail "two exclusive epoll entries"
fits 160 48
ok "diagram at 160x48: poll, select, epoll, exclusive epoll, read"
keys Escape
# the key g draws the selected object (the only one, a)
keys g
wait_screen ":diagram a" "g: the diagram of the selected object"
keys Escape

# --- during a wake: the walk step by step -----------------------------------
command "diagram a wake=in nr=1 step=1"
wait_screen "wake key=in nr=1, step 1 of 5: at \\[0\\]"
wait_screen "^ *▶✔  ├─\\[0\\] autoremove_wake_function"
keys Escape
command "diagram a wake=in nr=1 step=5"
wait_screen "step 5 of 5: at \\[4\\] \\(the walk stops here\\)"
wait_screen "▶■  ├─\\[4\\] ep_poll_callback EXCLUSIVE"
keys Escape
command "diagram a wake=in nr=1"
wait_screen "wake key=in nr=1: visits 5 of 6 entries, wakes 5, stops at an exclusive entry"
keys Escape
# the kernel's own walk agrees with the prediction: the module's record of
# it (the TUI's timeline may have scrolled it away under the flood of
# returns and re-polls that follows, on a slow kernel)
command "wake a in nr=1"
wait_for grep -Eq " type=wake .* object=a key=in nr=1 visited=5 woken=5 source=wake$" "$PS_DIR/events" || {
	grep " type=wake " "$PS_DIR/events"
	fail "the module's count of the real walk: not visited=5 woken=5"
}
ok "the walk, step by step, and the real wake visits and wakes as predicted"

# --- 80x24: the same, stacked, scrolled --------------------------------------
tmux resize-window -t ps -x 80 -y 24
command "diagram a wake=in nr=0"
wait_screen ":diagram a wake=in nr=0"
wait_screen "wait_queue_head"
fits 80 24
keys Escape
ok "diagram at 80x24"
keys q
wait_screen "TUI-EXITED rc=0"
tmux_stop

# --- text: every line within 80 columns ----------------------------------------
pollscope -c 'create b; spawn poll b; spawn select b; spawn epoll b; spawn epoll b exclusive; spawn read b; settle; diagram b wake=in nr=1' >/tmp/d || fail "diagram b"
cat /tmp/d
tr -d '\200-\277' </tmp/d | awk 'length($0) > 80 { print; bad = 1 } END { exit bad }' ||
	fail "a diagram line wider than 80 columns"
ok "text diagram within 80 columns"

# --- a blocking read on a pipe between two ordinary processes ----------------
sleep 600000 | cat &
CAT=$!
wait_for grep -q '^State:.S' /proc/$CAT/status
usleep 200000
pollscope -c "diagram $CAT 0" >/tmp/d || fail "diagram $CAT 0"
cat /tmp/d
assert_grep "^│ read queue \(pipe->rd_wait\) of $(readlink /proc/$CAT/fd/0 | sed 's/\[/\\[/') +│$" /tmp/d
assert_grep "^ └─\[0\] autoremove_wake_function EXCLUSIVE$" /tmp/d
assert_grep "╰▶ task $CAT cat \(S\)$" /tmp/d
pollscope -c "diagram $CAT 0 wake=in" | tee /tmp/d
assert_grep "stops at an exclusive entry" /tmp/d
pollscope -c "diagram $CAT 99" >/dev/null 2>/tmp/err && fail "a missing fd drew"
assert_grep "pid $CAT has no fd 99" /tmp/err
kill $CAT
ok "diagram of a blocking read on a pipe"

# --- --ascii and NO_COLOR --------------------------------------------------------
tmux -u new-session -d -s ps -x 100 -y 30 "NO_COLOR=1 pollscope --ascii; echo TUI-EXITED rc=\$?; sleep 600"
wait_screen "module: loaded by pollscope"
command "create c"
command "spawn poll c"
command "spawn epoll c exclusive"
wait_screen "epoll +S " "the epoll waiter asleep"
command "diagram c wake=in nr=1"
wait_screen "wait_queue_head"
wait_screen "ep_poll_callback EXCLUSIVE"
wait_screen "^ +\\+-+\\+ *$" "an ASCII box"
grep -Eq "─|▶|✔" $SCREEN && fail "UTF-8 drawing despite --ascii"
keys Escape
keys q
wait_screen "TUI-EXITED rc=0"
tmux_stop
ok "diagram with --ascii and NO_COLOR"
