# The TUI in a real terminal: tmux runs pollscope, send-keys types, and
# capture-pane reads what a person would see.
. /tests/lib.sh

SCREEN=/tmp/screen.txt

keys() {
	tmux send-keys -t ps "$@"
}

# wait_screen PATTERN [MSG]: the screen shows PATTERN within 20 s.
wait_screen() {
	i=0
	while :; do
		tmux capture-pane -p -t ps >$SCREEN 2>/dev/null
		grep -Eq -- "$1" $SCREEN && return 0
		i=$((i + 1))
		if [ $i -ge 200 ]; then
			echo "--- screen:"
			cat $SCREEN
			fail "${2:-the screen never showed /$1/}"
		fi
		usleep 100000
	done
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
wait_screen "\\?:help .*q:quit" "footer with the keys"
ok "header and footer"

# An object appears in the queue pane.
command "create a"
wait_screen "^a +ready=none waiting=0" "object a in the queue pane"
ok "object created"

# A poll sleeper: its pollwake entry on the left, its process asleep on the right.
command "spawn poll a as=p"
wait_screen "poll +pollwake +[0-9]+ +pollscope +S +- +in" "a pollwake entry for the poll sleeper"
wait_screen "p +poll +S +do_sys_poll" "the poller asleep in do_sys_poll"
pid=$(screen_line "p +poll +S +do_sys_poll" | awk '{print $1}')
screen_line "pollwake" | grep -q " $pid " || fail "entry pid differs from the process pid $pid"
ok "poll sleeper $pid shown in both panes"

# An exclusive epoll sleeper and a blocking reader on the same object.
command "spawn epoll a exclusive as=x"
command "spawn read a as=r"
wait_screen "epoll +ep_poll_callback .* X +in" "an exclusive ep_poll_callback entry"
wait_screen "wait_event +autoremove_wake_function" "the blocking reader's wait_event entry"
wait_screen "x +epoll +S +do_epoll_wait" "the epoll sleeper in do_epoll_wait"
ok "epoll and read sleepers"

# A wake: the timeline shows it with its key, the poller returns with revents.
command "wake a in nr=0"
wait_screen "wake +a +.*key=in" "the wake in the timeline"
wait_screen "^ +$pid +p +poll +.* 1 " "the poller's result (1 fd ready)"
ok "wake seen in the timeline and the waiter's result"

# Help overlay, then back.
keys "?"
wait_screen "pollscope help" "the help overlay"
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
awk 'length($0) > 80 { bad = 1 } END { exit bad }' $SCREEN || fail "a line is wider than 80 columns"
grep -q "Wait queues" $SCREEN || fail "queue pane title missing at 80x24"
grep -q "Timeline" $SCREEN || fail "timeline missing at 80x24"
grep -Eq "q:quit|quit" $SCREEN || fail "footer missing at 80x24"
ok "80x24 layout"

# q leaves cleanly: exit 0, no waiter left, the module unloaded again.
keys q
wait_screen "TUI-EXITED rc=0" "pollscope did not exit cleanly"
sleep 1
if ps -o pid,comm | grep -v grep | grep -q "pollscope"; then
	ps -o pid,ppid,stat,comm
	fail "pollscope processes left behind"
fi
grep -q '^pollscope ' /proc/modules && fail "module still loaded after the TUI that loaded it exited"
ok "clean exit"
tmux kill-server
