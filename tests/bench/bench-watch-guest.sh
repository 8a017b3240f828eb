# Guest half of the watch benchmark (tests/bench/RESULTS.md, "watch"):
# the waker's cost per wake, watched vs unwatched, in the same run, for
# queues of 1, 10 and 100 sleepers (medians of ROUNDS 1 s runs of each,
# interleaved); then the events a reader gets and loses at full rate. Prints BENCH lines; asserts nothing about speed.
# Run: tests/vm/run-vm.sh --build build tests/bench/bench-watch-guest.sh
. /tests/lib.sh
load_module
ROUNDS=${ROUNDS:-5}
# the record's timestamp reads this clock (hpet under TCG: an emulated
# device read per record)
echo "BENCH watch clocksource=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
iters_ge() { [ "$(grep -c '^iters' /tmp/bout)" -ge "$1" ]; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# set_mode u|w|r: unwatched, watched, watched with rate=10
set_mode() {
	pollscope -c "unwatch b$n" >/dev/null 2>&1
	case $1 in
	w) pollscope -c "watch $B $BFD name=b$n" >/dev/null || fail "watch" ;;
	r) pollscope -c "watch $B $BFD name=b$n rate=10" >/dev/null || fail "watch rate" ;;
	esac
}
for n in 1 10 100; do
	rm -f /tmp/bin /tmp/bout /tmp/ns.u /tmp/ns.w /tmp/ns.r
	mkfifo /tmp/bin
	pswatch bench $n 1000 </tmp/bin >/tmp/bout &
	B=$!
	exec 3>/tmp/bin
	wait_for grep -q '^ready' /tmp/bout || fail "bench did not start"
	BFD=$(sed -n 's/^ready .* fd=\([0-9]*\).*/\1/p' /tmp/bout)
	# the sleepers are queued (poll for pri: pipe_write's key never matches)
	q() { pollscope -c "inspect $B $BFD" | grep -q "^  head 0: read queue (pipe->rd_wait), $n entr"; }
	wait_for q || fail "$n sleepers not queued"
	# ROUNDS rounds of the three modes, the order rotated each round so that
	# a drift of the host (the first runs are slower) hits each mode alike;
	# the median of each mode is reported
	runs=0
	for round in $(seq 1 "$ROUNDS"); do
		case $((round % 3)) in
		0) order="u w r" ;;
		1) order="w r u" ;;
		2) order="r u w" ;;
		esac
		for m in $order; do
			set_mode $m
			echo g >&3
			runs=$((runs + 1))
			wait_for iters_ge $runs || fail "run $runs ($m)"
			sed -n "$((runs + 1))p" /tmp/bout | sed 's/.*ns_per_wake=//' >>/tmp/ns.$m
		done
	done
	set_mode u
	u=$(median </tmp/ns.u)
	w=$(median </tmp/ns.w)
	r=$(median </tmp/ns.r)
	echo "BENCH watch sleepers=$n rounds=$ROUNDS unwatched_ns=$u watched_ns=$w ratelimited_ns=$r" \
		"watched_ratio=$(awk -v a="$w" -v b="$u" 'BEGIN { printf "%.2f", a / b }')" \
		"unwatched_runs=$(tr '\n' ' ' </tmp/ns.u)watched_runs=$(tr '\n' ' ' </tmp/ns.w)"
	exec 3>&-
	kill $B 2>/dev/null
	wait $B 2>/dev/null
done
# full rate: a reader of the events file against a writer that never stops
rm -f /tmp/bin /tmp/bout
mkfifo /tmp/bin
pswatch bench 1 5000 </tmp/bin >/tmp/bout &
B=$!
exec 3>/tmp/bin
wait_for grep -q '^ready' /tmp/bout || fail "bench did not start"
BFD=$(sed -n 's/^ready .* fd=\([0-9]*\).*/\1/p' /tmp/bout)
pollscope -c "watch $B $BFD name=full" >/dev/null || fail "watch"
pswatch evreader 7 >/tmp/er 3>&- &
ER=$!
# its cursor starts where the ring is when it opens: open before the writer
reading() { ls -l /proc/$ER/fd 2>/dev/null | grep -q " -> $PS_DIR/events\$"; }
wait_for reading || fail "the events reader did not open the events file"
echo g >&3
wait $ER
w=$(grep "^watch=full " "$PS_DIR/watch")
echo "BENCH watchfull $(cat /tmp/bout | grep iters) $(cat /tmp/er) module_$(echo "$w" | grep -o 'wakes=[0-9]*') module_$(echo "$w" | grep -o 'recorded=[0-9]*')"
exec 3>&-
kill $B 2>/dev/null
unload_module
