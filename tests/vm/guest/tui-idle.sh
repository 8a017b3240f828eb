# Idle cost of the TUI with 100 sleepers over 10 s: it must not poll on a
# timer. Prints CPU time and wakeups; asserts the wakeup count (a behaviour,
# not a speed: an event-driven loop has nothing to wake it while idle).
. /tests/lib.sh

WAIT_SCREEN_TRIES=600

tmux -u new-session -d -s ps -x 120 -y 40 "pollscope" || fail "tmux did not start"
wait_screen "module: loaded by pollscope"
tmux send-keys -t ps ":create a; spawn poll a count=100 as=s; settle 60000" Enter
wait_screen "Processes: 100 waiters, 100 alive"
wait_screen "Wait queues: 1 object, 100 entries"
# The TUI process: the child of the pane's shell... or the pane itself.
pane=$(tmux display -p -t ps '#{pane_pid}')
tui=$pane
[ "$(cat /proc/$tui/comm)" = pollscope ] || fail "pane process is $(cat /proc/$tui/comm), not pollscope"

# Let the highlights of the spawn fade, then measure.
sleep 3
idle_cost "$tui" 10
wakeups=$IDLE_WAKEUPS
cpu_ms=$IDLE_CPU_MS
echo "BENCH tui-idle sleepers=100 seconds=10 cpu_ms=$cpu_ms wakeups=$wakeups wakeups_per_s=$((wakeups / 10))"
[ $wakeups -le 2 ] || fail "the idle TUI woke $wakeups times in 10 s: something polls on a timer"
ok "idle TUI: $wakeups wakeups, ${cpu_ms} ms CPU in 10 s with 100 sleepers"
tmux send-keys -t ps q
i=0
while [ -d /proc/$tui ] && [ $i -lt 100 ]; do usleep 100000; i=$((i + 1)); done
[ ! -d /proc/$tui ] || fail "pollscope did not exit on q"
tmux_stop
true
