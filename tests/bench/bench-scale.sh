# Guest half of run-bench.sh, section 5: the TUI at scale (issue 14). For 1,
# 100 and 1000 poll sleepers in a 160x48 tmux: how long a wake of all of them
# (written to `control` from outside, as another program would) takes to
# reach the screen (no entry left and every waiter reaped, read with
# capture-pane every 50 ms), and the TUI's idle cost with 1000 sleepers over
# 10 s (CPU from /proc/PID/stat, wakeups as context switches from status).
# Also how long a key (?) takes to be answered while 1000 are spawned, and
# first, the baseline: the same spawns and wakes with no TUI at all.
# Prints BENCH lines; asserts nothing about speed.
. /tests/lib.sh

D=$PS_DIR
now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
ms_until() {
	local t0=$1 i=0
	while :; do
		tmux capture-pane -p -t ps >/tmp/screen.txt 2>/dev/null
		grep -Eq -- "$2" /tmp/screen.txt && break
		i=$((i + 1))
		[ $i -lt 6000 ] || { cat /tmp/screen.txt; fail "screen never showed /$2/"; }
		usleep 50000
	done
	echo $(($(now_ms) - t0))
}
WAIT_SCREEN_TRIES=3000

# The same wakes without the TUI, as the baseline the tool is held to: N
# pswait processes started by this shell asleep in poll on a module object,
# the wake written to control, and the time until the shell has reaped every
# one of them (the kernel's and the processes' own share of a wake of N).
load_module
for n in 1 100 1000; do
	echo "create b$n" >$D/control
	t0=$(now_ms)
	pids=""
	for i in $(seq $n); do
		pswait poll $D/objects/b$n in >/dev/null &
		pids="$pids $!"
	done
	i=0
	until in_poll_at_least $n; do
		i=$((i + 1))
		[ $i -lt $((6000 * PS_TIMEOUT_MULT)) ] || fail "the $n pswait pollers never all slept"
		usleep 50000
	done
	spawn_ms=$(($(now_ms) - t0))
	t0=$(now_ms)
	echo "wake b$n in 0" >$D/control
	wait $pids
	echo "BENCH scale alone sleepers=$n spawn_ms=$spawn_ms wake_reaped_ms=$(($(now_ms) - t0))"
	echo "destroy b$n" >$D/control
done
unload_module

tmux -u new-session -d -s ps -x 160 -y 48 "pollscope" || fail "tmux did not start"
wait_screen "module: loaded by pollscope"
tui=$(tmux display -p -t ps '#{pane_pid}')
for n in 1 100 1000; do
	tmux send-keys -t ps ":create o$n" Enter
	wait_screen "^o$n +ready=none"
	t0=$(now_ms)
	tmux send-keys -t ps ":spawn poll o$n count=$n as=s$n" Enter
	if [ $n -eq 1000 ]; then
		usleep 300000
		tmux send-keys -t ps "?"
		echo "BENCH scale key-while-spawning sleepers=$n ms=$(ms_until $(now_ms) "F1|this help") "
		tmux send-keys -t ps q
	fi
	wait_screen "Processes: $n waiters?, $n alive"
	echo "BENCH scale spawn sleepers=$n ms=$(($(now_ms) - t0))"
	t0=$(now_ms)
	tmux send-keys -t ps ":settle 600000" Enter
	wait_screen "settled after"
	wait_screen "o$n +ready=none waiting=$n "
	echo "BENCH scale settle sleepers=$n ms=$(($(now_ms) - t0))"
	if [ $n -eq 1000 ]; then
		sleep 3
		idle_cost "$tui" 10
		echo "BENCH scale idle sleepers=$n seconds=10 cpu_ms=$IDLE_CPU_MS wakeups=$IDLE_WAKEUPS"
	fi
	t0=$(now_ms)
	echo "wake o$n in 0" >$D/control
	ms=$(ms_until $t0 "Processes: $n waiters?, 0 alive")
	ms2=$(ms_until $t0 "o$n +ready=in waiting=0 ")
	[ $ms2 -gt $ms ] && ms=$ms2
	echo "BENCH scale wake-to-screen sleepers=$n ms=$ms"
	tmux send-keys -t ps ":forget; destroy o$n" Enter
	wait_screen "Processes: 0 waiters"
done
tmux send-keys -t ps q
i=0
while [ -d /proc/$tui ] && [ $i -lt 600 ]; do usleep 100000; i=$((i + 1)); done
tmux_stop
true
