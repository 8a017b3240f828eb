# The TUI in a real terminal: tmux runs pollscope, send-keys types, and
# capture-pane reads what a person would see.
. /tests/lib.sh

SCREEN=/tmp/screen.txt # where wait_screen (lib.sh) leaves the capture

keys() {
	tmux send-keys -t ps "$@"
}


# A line of the capture that matches PATTERN.
screen_line() {
	grep -E -- "$1" $SCREEN | head -n 1
}

command() {
	keys ":$1" Enter
}

tmux -u new-session -d -s ps -x 120 -y 40 "pollscope; echo TUI-EXITED rc=\$?; sleep 600" ||
	fail "tmux did not start"

# Header with the kernel release, the module loaded by pollscope, the footer keys.
wait_screen "pollscope .* kernel $(uname -r)" "header with the kernel release"
wait_screen "module: loaded by pollscope"
wait_screen "\\?:help .*d:destroy .*q:quit" "footer with the keys"
ok "header and footer"

# An object appears in the queue pane.
command "create a"
wait_screen "^a +ready=none waiting=0" "object a in the queue pane"
ok "object created"

# A poll sleeper: its pollwake entry on the left, its process asleep on the right.
command "spawn poll a as=p"
wait_screen "poll +pollwake +[0-9]+ +p +S +- +in" "a pollwake entry for the poll sleeper"
wait_screen "p +poll +S +$WCHAN" "the poller asleep"
# Panes share screen lines when side by side: anchor on the columns.
pid=$(screen_line "p +poll +S +$WCHAN" | sed -n 's/.* \([0-9][0-9]*\) \+p \+poll \+S \+[A-Za-z_].*/\1/p')
[ -n "$pid" ] || fail "no pid in the process row"
blocked_in "$pid" poll
screen_line "pollwake" | grep -Eq "pollwake +$pid " || fail "entry pid differs from the process pid $pid"
ok "poll sleeper $pid shown in both panes"

# inspect of the sleeper: its fds, the queue behind the object's fd, and its
# own entry there, in a view of its own.
command "inspect $pid"
wait_screen ":inspect $pid" "the inspect view"
wait_screen "pollwake .*<- this" "the sleeper's own entry in inspect"
wait_screen "blocked in poll\\(nfds=1, timeout=-1\\): fd [0-9]+ \\(in\\)" "what the sleeper is blocked in"
keys Escape
ok "inspect view"

# An exclusive epoll sleeper on the same object.
command "spawn epoll a exclusive as=x"
wait_screen "epoll +ep_poll_callback .* E +in" "an exclusive ep_poll_callback entry"
wait_screen "x +epoll +S +$WCHAN" "the epoll sleeper asleep"
ok "epoll sleeper"

# A wake: the timeline shows it with its key and counts, both sleepers
# return with revents in, and their entries go.
command "wake a in nr=0"
wait_screen "wake +a +key=in nr=0 visited=2 woken=2" "the wake in the timeline"
wait_screen " $pid +p +poll +X +- +a +1 after .*: a=in" "the poller's result (1 fd ready)"
wait_screen "x +epoll +X +- +a +1 after .*: a=in" "the epoll waiter's result"
ok "wake seen in the timeline and the waiters' results"

# A blocking reader: wait_event's entry, then a producer's write wakes it.
command "ready a none; spawn read a as=r"
wait_screen "wait_event +autoremove_wake_function" "the blocking reader's wait_event entry"
wait_screen "r +read +S +ps_obj_read" "the reader asleep in the object's read"
command "write a 5"
wait_screen "r +read +X +- +a +.*value 5" "the reader got the written value"
ok "blocking reader woken by a write"

# A wake written to control by another process, with nothing else going on
# (no waiter reports, no highlight timers): the module's events file alone
# must wake the TUI.
sleep 3
echo "wake a out 0" >$PS_DIR/control
i=0
until tmux capture-pane -p -t ps | grep -Eq "wake +a +key=out"; do
	i=$((i + 1))
	[ $i -lt 30 ] || { tmux capture-pane -p -t ps; fail "an outside wake did not reach the screen within 3 s"; }
	usleep 100000
done
ok "outside wake shown from the events file alone"

# One clock: the timeline's seconds and `events`' ms both count from the
# session's start, so the same wake has the same time in both.
tl_ms=$(tmux capture-pane -p -t ps | sed -n 's/^ *\([0-9]*\)\.\([0-9][0-9][0-9]\)  wake \+a \+key=out.*/\1\2/p' | tail -n1)
[ -n "$tl_ms" ] || fail "no time on the timeline's wake line"
tl_ms=$(echo "$tl_ms" | sed 's/^0*\(.\)/\1/') # 0.042 s: 042 ms
keys ":events 1" Enter
wait_screen " ms  wake +a +key=out" "the events view"
ev_ms=$(sed -n 's/^ *[0-9]\+ \+\([0-9]\+\)\.[0-9]\+ ms  wake .*/\1/p' /tmp/screen.txt | tail -n1)
[ -n "$ev_ms" ] || fail "no time on the events line"
d=$((tl_ms - ev_ms))
[ ${d#-} -le 1 ] || fail "the wake is at $tl_ms ms on the timeline but $ev_ms ms in events"
keys q
ok "timeline and events on one clock ($tl_ms ms, $ev_ms ms)"

# Help overlay, then back.
keys "?"
wait_screen "pollscope help" "the help overlay"
# the keys fill the first page at 48 rows; the commands follow
keys NPage
wait_screen "spawn KIND" "commands listed in help"
keys Escape
wait_screen "Wait queues"
ok "help overlay"

# An unknown command gets a one-line error with a suggestion.
command "wkae a"
wait_screen "unknown command 'wkae' \\(did you mean 'wake'\\?\\)"
ok "command error shown"

# Resize to 80x24: the layout stacks, nothing runs past the edge.
tmux resize-window -t ps -x 80 -y 24
wait_screen "Processes:"
tmux capture-pane -p -t ps >$SCREEN
lines=$(wc -l <$SCREEN)
[ "$lines" -le 24 ] || fail "more than 24 lines after resize ($lines)"
# count characters, not bytes: drop UTF-8 continuation bytes (box drawing)
tr -d '\200-\277' <$SCREEN | awk 'length($0) > 80 { bad = 1 } END { exit bad }' ||
	fail "a line is wider than 80 columns"
head -n 1 $SCREEN | grep -q "^ pollscope " || fail "header not on the first line at 80x24"
tail -n 1 $SCREEN | grep -q "q:quit" || fail "footer not on the last line at 80x24"
grep -q "Wait queues" $SCREEN || fail "queue pane title missing at 80x24"
grep -q "Timeline" $SCREEN || fail "timeline missing at 80x24"
grep -Eq "q:quit|quit" $SCREEN || fail "footer missing at 80x24"
ok "80x24 layout"

# q leaves cleanly: exit 0, no waiter left, the module unloaded again.
keys q
wait_screen "TUI-EXITED rc=0" "pollscope did not exit cleanly"
if ! wait_for no_pollscope_procs; then
	for p in $(pollscope_procs); do echo "left: $p $(cat /proc/$p/stat 2>/dev/null)"; done
	ps -o pid,ppid,stat,comm
	fail "pollscope processes left behind"
fi
grep -q '^pollscope ' /proc/modules && fail "module still loaded after the TUI that loaded it exited"
ok "clean exit"
tmux_stop
