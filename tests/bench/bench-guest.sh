# Guest half of tests/bench/run-bench.sh: prints BENCH lines (figures, never
# assertions about speed). Runs in the VM through tests/vm/run-vm.sh.
. /tests/lib.sh

D=$PS_DIR
T=/tmp/bench
mkdir -p $T
echo "BENCH machine kernel=$(uname -r) cpus=$(grep -c ^processor /proc/cpuinfo) model=$(sed -n 's/^model name[^:]*: *//p' /proc/cpuinfo | head -n1 | tr ' ' '_')"

# --- 1. snapshot cost of queues vs the bare walk ------------------------------------
load_module
for n in 10 100 1000 10000; do
	echo "create q" >$D/control
	pswait -m $n poll $D/objects/q in >/dev/null &
	P=$!
	wait_for grep -q "^object=q .* waiting=$n " $D/stats || fail "$n entries not queued"
	wait_for grep -q "^State:.*S (sleeping)" /proc/$P/status || fail "poller not asleep"
	psbench snapshot q 15 >$T/s || fail "psbench snapshot $n"
	sed 's/^BENCH snapshot /BENCH snapshot tasks=1 /' $T/s
	kill $P
	wait $P
	echo "destroy q" >$D/control
done
# entries of many tasks: runs of one entry (100 x 1) and of 100 (10 x 100)
for spec in 100x1 10x100; do
	tasks=${spec%x*}
	per=${spec#*x}
	echo "create q" >$D/control
	pids=
	k=0
	while [ $k -lt $tasks ]; do
		pswait -m $per poll $D/objects/q in >/dev/null &
		pids="$pids $!"
		k=$((k + 1))
	done
	wait_for grep -q "^object=q .* waiting=$((tasks * per)) " $D/stats || fail "$spec not queued"
	for p in $pids; do
		wait_for grep -q "^State:.*S (sleeping)" /proc/$p/status || fail "poller $p not asleep"
	done
	psbench snapshot q 15 >$T/s || fail "psbench snapshot $spec"
	sed "s/^BENCH snapshot /BENCH snapshot tasks=$tasks /" $T/s
	kill $pids
	wait
	echo "destroy q" >$D/control
done

echo "BENCH lockmax section=snapshots lock_ns_max=$(sed -n '1s/.* lock_ns_max=\([0-9]*\) .*/\1/p' $D/stats)"
unload_module

# --- 2. poll-method calls per wakeup: select, poll, epoll at N fds -------------------
# all: the N fds are one object, the wake makes all N ready;
# one: 1 fd on "hot" and N-1 on "idle", the wake makes 1 of N ready.
# The module is loaded for each case, so that lock_ns_max is the case's own.
polls_of() {
	sed -n "s/^object=$1 polls=\([0-9]*\) .*/\1/p" $D/stats
}
for how in all one; do
	for mode in select poll epoll; do
		for n in 1 10 100 1000; do
			load_module
			echo "create hot" >$D/control
			echo "create idle" >$D/control
			if [ $how = all ]; then
				psbench wait $mode $n hot >$T/w &
				want_hot=$n want_idle=0
			else
				psbench wait $mode $n hot idle >$T/w &
				want_hot=1 want_idle=$((n - 1))
			fi
			P=$!
			wait_for grep -q "^object=hot .* waiting=$want_hot " $D/stats || fail "hot not queued"
			wait_for grep -q "^object=idle .* waiting=$want_idle " $D/stats || fail "idle not queued"
			wait_for grep -q "^State:.*S (sleeping)" /proc/$P/status || fail "waiter not asleep"
			p0=$(($(polls_of hot) + $(polls_of idle)))
			echo "wake hot in 0" >$D/control
			wait $P || fail "waiter: $(cat $T/w)"
			p1=$(($(polls_of hot) + $(polls_of idle)))
			echo "destroy hot" >$D/control
			echo "destroy idle" >$D/control
			lm=$(sed -n '1s/.* lock_ns_max=\([0-9]*\) .*/\1/p' $D/stats)
			echo "BENCH polls ready=$how mode=$mode nfds=$n setup=$p0 per_wake=$((p1 - p0)) lock_ns_max=$lm $(sed 's/.* ret=/ret=/' $T/w)"
			unload_module
		done
	done
done

# --- 3. idle cost of the TUI with 100 sleepers over 10 s (tui-idle.sh's method) ------
wait_screen() {
	i=0
	while :; do
		tmux capture-pane -p -t ps >$T/screen 2>/dev/null
		grep -Eq -- "$1" $T/screen && return 0
		i=$((i + 1))
		[ $i -lt 600 ] || { cat $T/screen; fail "screen never showed /$1/"; }
		usleep 100000
	done
}
tmux -u new-session -d -s ps -x 120 -y 40 "pollscope" || fail "tmux did not start"
wait_screen "module: loaded by pollscope"
tmux send-keys -t ps ":create a; spawn poll a count=100 as=s; settle 60000" Enter
wait_screen "Processes: 100 waiters, 100 alive"
wait_screen "Wait queues: 1 object, 100 entries"
tui=$(tmux display -p -t ps '#{pane_pid}')
[ "$(cat /proc/$tui/comm)" = pollscope ] || fail "pane process is $(cat /proc/$tui/comm)"
sleep 3
idle_cost "$tui" 10
echo "BENCH idle sleepers=100 seconds=10 cpu_ms=$IDLE_CPU_MS wakeups=$IDLE_WAKEUPS wakeups_per_s=$((IDLE_WAKEUPS / 10))"
tmux send-keys -t ps q
i=0
while [ -d /proc/$tui ] && [ $i -lt 100 ]; do
	usleep 100000
	i=$((i + 1))
done
tmux kill-server 2>/dev/null
usleep 500000

# --- 4. wake-to-screen latency of the TUI ----------------------------------------------
rm -f $T/frames
tmux -u new-session -d -s ps -x 120 -y 40 "POLLSCOPE_FRAME_LOG=$T/frames pollscope" || fail "tmux did not start"
wait_screen "module: loaded by pollscope"
tmux send-keys -t ps ":create a" Enter
wait_screen "^a +ready="
sleep 1
psbench wakes a 120 150
sleep 2
cat $D/events >$T/events
psbench latency $T/events $T/frames || fail "no latency figures"
tmux send-keys -t ps q
sleep 1
tmux kill-server 2>/dev/null
true
