# The TUI at scale (issue 14): 1000 sleepers at 160x48, driven in tmux.
# - a key is answered while `spawn ... count=1000` runs, and progress shows;
# - the idle TUI with 1000 sleepers does not wake (ctxt switches and CPU from
#   /proc over 10 s);
# - a wake of 1000 reaches the screen (no entries left, every waiter reaped);
# - a kill of 1000 reaches the screen (a key answered meanwhile), and Ctrl-C
#   cancels a spawn, leaving what was spawned and the TUI running.
# Bounds are generous (TCG, RT and debug kernels: PS_TIMEOUT_MULT); the speed
# figures are printed as BENCH lines and kept in tests/bench/RESULTS.md.
. /tests/lib.sh

SCREEN=/tmp/screen.txt
keys() { tmux send-keys -t ps "$@"; }
# the TUI's children (its waiters), from /proc/PID/stat's ppid field
children() {
	local f pid comm st ppid rest
	for f in /proc/[0-9]*/stat; do
		read -r pid comm st ppid rest <"$f" 2>/dev/null || continue
		[ "$ppid" = "$1" ] && echo "$pid"
	done
}
now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }

# seconds_until PATTERN LIMIT_S: poll the screen every 0.1 s; prints the
# elapsed ms, fails after LIMIT_S * PS_TIMEOUT_MULT seconds.
ms_until() {
	local t0 t1 limit
	t0=$(now_ms)
	limit=$(($2 * 1000 * PS_TIMEOUT_MULT))
	while :; do
		tmux capture-pane -p -t ps >$SCREEN 2>/dev/null
		grep -Eq -- "$1" $SCREEN && break
		t1=$(now_ms)
		if [ $((t1 - t0)) -ge $limit ]; then
			echo "--- screen:" >&2
			cat $SCREEN >&2
			# stdout is the caller's $(...): say it on stderr too
			echo "FAIL: ${3:-/$1/ not on screen within $(($limit / 1000)) s}" >&2
			fail "${3:-/$1/ not on screen within $(($limit / 1000)) s}"
		fi
		usleep 100000
	done
	echo $(($(now_ms) - t0))
}

tmux -u new-session -d -s ps -x 160 -y 48 "pollscope" || fail "tmux did not start"
WAIT_SCREEN_TRIES=600
wait_screen "module: loaded by pollscope"
tui=$(tmux display -p -t ps '#{pane_pid}')
[ "$(cat /proc/$tui/comm)" = pollscope ] || fail "pane process is $(cat /proc/$tui/comm), not pollscope"

keys ":create a" Enter
wait_screen "^a +ready=none waiting=0"

# 1. A key while 1000 waiters are being spawned: ? opens help within 10 s
# (the old TUI answered after the whole spawn, 19 s under TCG).
keys ":spawn poll a count=1000 as=s" Enter
usleep 300000
keys "?"
help_ms=$(ms_until "F1|this help" 10 "help not shown within 10 s while spawning 1000") || exit 1
echo "BENCH scale key-during-spawn ms=$help_ms"
ok "help shown ${help_ms} ms after ? while spawning 1000"
keys q
spawn_ms=$(ms_until "Processes: 1000 waiters, 1000 alive" 300) || exit 1
echo "BENCH scale spawn-1000 ms=$spawn_ms"
keys ":settle 300000" Enter
settle_ms=$(ms_until "Wait queues: 1 object, 1000 entries" 300) || exit 1
wait_screen "settled" "settle did not finish"
echo "BENCH scale settle-1000 ms=$settle_ms"
# every waiter asleep in poll, says /proc
n=0
for p in $(children $tui); do
	blocked_in "$p" poll
	n=$((n + 1))
done
[ $n -eq 1000 ] || fail "$n children of the TUI, want 1000"
ok "1000 sleepers asleep in poll (per /proc/PID/syscall)"

# 2. Idle: nothing happens, nothing wakes the TUI.
sleep 3
idle_cost "$tui" 10
wakeups=$IDLE_WAKEUPS
cpu_ms=$IDLE_CPU_MS
echo "BENCH scale tui-idle sleepers=1000 seconds=10 cpu_ms=$cpu_ms wakeups=$wakeups"
[ $wakeups -le 2 ] || fail "the idle TUI woke $wakeups times in 10 s with 1000 sleepers ($cpu_ms ms CPU)"
ok "idle TUI with 1000 sleepers: $wakeups wakeups, $cpu_ms ms CPU in 10 s"

# 3. A wake of all 1000 reaches the screen: no entry left, all reaped.
keys ":wake a in nr=0" Enter
wake_ms=$(ms_until "Processes: 1000 waiters, 0 alive" 120) || exit 1
wait_screen "Wait queues: 1 object, 0 entries" "entries still listed after the wake"
echo "BENCH scale wake-1000-to-screen ms=$wake_ms"
[ -z "$(children $tui)" ] || fail "children of the TUI left after the wake: $(children $tui | wc -l)"
ok "wake of 1000 on screen after ${wake_ms} ms"

# 4. Kill of 1000: progress, and the screen answers. (a stays readable after
# the wake: b is a fresh object.)
keys ":forget" Enter
wait_screen "Processes: 0 waiters"
keys ":create b; spawn poll b count=1000 as=k; settle 300000" Enter
ms_until "Processes: 1000 waiters, 1000 alive" 300 >/dev/null || exit 1
wait_screen "settled"
keys ":kill k" Enter
usleep 300000
keys "?"
# (1000 dying processes take the VM's CPUs: a longer bound than the spawn's)
khelp_ms=$(ms_until "F1|this help" 30 "help not shown within 30 s while killing 1000") || exit 1
keys q
kill_ms=$(ms_until "Processes: 1000 waiters, 0 alive" 120) || exit 1
echo "BENCH scale kill-1000 ms=$kill_ms key_ms=$khelp_ms"
[ -z "$(children $tui)" ] || fail "children left after kill"
ok "kill of 1000: key answered in ${khelp_ms} ms, all reaped"

# 5. Ctrl-C cancels a spawn of 1000: what was spawned stays, the TUI runs on.
keys ":forget" Enter
wait_screen "Processes: 0 waiters"
keys ":spawn poll b count=1000 as=c" Enter
wait_screen "spawning [0-9]+ of 1000" "no progress shown while spawning"
keys C-c
wait_screen "cancelled: spawned [0-9]+ of 1000 waiters" "Ctrl-C did not cancel the spawn"
n=$(sed -n 's/.*cancelled: spawned \([0-9]*\) of 1000.*/\1/p' $SCREEN | head -n 1)
wait_screen "Processes: $n waiters, $n alive" "the $n waiters spawned before Ctrl-C are not listed"
[ "$(children $tui | wc -l)" -eq "$n" ] || fail "$(children $tui | wc -l) children after the cancel, want $n"
[ -d /proc/$tui ] || fail "the TUI quit on Ctrl-C during a command"
ok "Ctrl-C cancelled the spawn after $n of 1000; the TUI runs on"
keys ":kill c" Enter
wait_screen "Processes: $n waiters, 0 alive"

keys q
i=0
while [ -d /proc/$tui ] && [ $i -lt $((300 * PS_TIMEOUT_MULT)) ]; do usleep 100000; i=$((i + 1)); done
[ ! -d /proc/$tui ] || fail "pollscope did not exit on q"
tmux_stop
true
