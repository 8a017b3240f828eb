#!/bin/sh
# The TUI on the host, on recorded debugfs files (no module needed), in a
# real terminal: tmux runs it, send-keys types, capture-pane reads the screen.
# usage: host-tui.sh POLLSCOPE DATA_DIR
set -u
ps=$1
data=$2
session=ps
. "$(dirname "$0")/lib.sh"

t -f /dev/null new-session -d -s ps -x 120 -y 36 \
	"'$ps' --debugfs '$tmp/d'; echo TUI-EXITED rc=\$?; sleep 60"

check "header says recorded files" "module: recorded files \| 2 objects, 4 entries"
check "object a with its readiness" "^a\*? +ready=in waiting=3"
check "pollwake entry of pid 93" "0 poll +pollwake +93 +waiter +S +- +in,rdnorm"
check "exclusive epoll entry" "1 epoll +ep_poll_callback +94 +waiter +S +E +in,err,hup"
check "wait_event entry" "2 wait_event +autoremove_wake_function +95 +cat"
check "an unknown function stays unknown" "0 other +unknown +0 +-"

# Selection and details: Down twice selects the first entry of a.
t send-keys -t ps Down
t send-keys -t ps Enter
check "details of the selected entry" "wake function +pollwake"
check "details explain the entry" "queued by __pollwait"
t send-keys -t ps Escape
check "details closed" "Timeline"

t send-keys -t ps "?"
check "help overlay" "pollscope help"
# (the commands follow the keys, below the first page: search for one)
t send-keys -t ps "/wake NAME" Enter
check "help lists commands" "wake NAME \[MASK\] \[nr=N\]"
t send-keys -t ps q
check "any key closes help" "Wait queues"

# A command reaches the control file; its result is in the status line.
t send-keys -t ps ":wake a out nr=0" Enter
if wait_screen "woke a key=out" && grep -q "^wake a out 0" "$tmp/d/control"; then
	pass "wake reached control"
else
	fail "wake: control has '$(cat "$tmp/d/control")'"
fi
t send-keys -t ps ":wkae a" Enter
check "unknown command error" "unknown command 'wkae' \(did you mean 'wake'\?\)"
t send-keys -t ps ":wake nosuch" Enter
check "unknown object error" "wake: no object named 'nosuch'"

# A command whose output is a listing shows it in a scrollable view.
t send-keys -t ps ":show" Enter
check "show output in its own view" ":show .*(─|-)"
check "the view lists the entries" "POS +KIND +FUNC"
t send-keys -t ps Escape
i=0
while t capture-pane -p -t ps | grep -q "POS  KIND"; do
	i=$((i + 1))
	[ $i -lt 50 ] || break
	sleep 0.1
done
if [ $i -lt 50 ]; then pass "Escape closes the view"; else fail "the view stayed open"; fi

# Tab completion on the command line.
t send-keys -t ps ":spa" Tab
check "Tab completes the command" "^:spawn *$"
t send-keys -t ps Escape

# 80x24: stacked, nothing wider than the screen; too small: a message.
t resize-window -t ps -x 80 -y 24
check "80x24 stacked layout" "Processes: 0 waiters"
t capture-pane -p -t ps >"$screen"
if tr -d '\200-\277' <"$screen" | awk 'length($0) > 80 { bad = 1 } END { exit bad }' &&
	head -n 1 "$screen" | grep -q "^ pollscope " && tail -n 1 "$screen" | grep -q "q:quit"; then
	pass "80x24 fits"
else
	fail "80x24 layout"
fi
t resize-window -t ps -x 30 -y 10
check "too small says so" "needs at least 40x12"
t resize-window -t ps -x 120 -y 36
check "back to full size" "Wait queues: 2 objects"

# Idle: nothing changes, so the TUI does not run (no timer).
pid=$(t display -p -t ps '#{pane_pid}')
tui=$(ps -o pid= --ppid "$pid" | head -n 1 | tr -d ' ')
sleep 2
c0=$(awk '{ print $14 + $15 }' "/proc/$tui/stat")
sleep 3
c1=$(awk '{ print $14 + $15 }' "/proc/$tui/stat")
if [ $((c1 - c0)) -le 1 ]; then pass "idle: $((c1 - c0)) ticks in 3 s"; else fail "idle TUI used $((c1 - c0)) ticks in 3 s"; fi

t send-keys -t ps q
check "q exits with 0" "TUI-EXITED rc=0"

echo "tui: $passes passed, $failures failed"
[ $failures -eq 0 ]
