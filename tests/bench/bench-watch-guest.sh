# Guest half of the watch benchmark (tests/bench/RESULTS.md, "watch"):
# the waker's cost per wake, watched vs unwatched, in the same run, for
# queues of 1, 10 and 100 sleepers; then the events a reader gets and
# loses at full rate. Prints BENCH lines; asserts nothing about speed.
# Run: tests/vm/run-vm.sh --build build tests/bench/bench-watch-guest.sh
. /tests/lib.sh
load_module
iters_ge() { [ "$(grep -c '^iters' /tmp/bout)" -ge "$1" ]; }
for n in 1 10 100; do
	rm -f /tmp/bin /tmp/bout
	mkfifo /tmp/bin
	pswatch bench $n 3000 </tmp/bin >/tmp/bout &
	B=$!
	exec 3>/tmp/bin
	wait_for grep -q '^ready' /tmp/bout || fail "bench did not start"
	BFD=$(sed -n 's/^ready .* fd=\([0-9]*\).*/\1/p' /tmp/bout)
	# the sleepers are queued (poll for pri: pipe_write's key never matches)
	q() { pollscope -c "inspect $B $BFD" | grep -q "^  head 0: read queue (pipe->rd_wait), $n entr"; }
	wait_for q || fail "$n sleepers not queued"
	for round in 1 2; do
		echo g >&3
		wait_for iters_ge $((3 * round - 2)) || fail "unwatched run"
		pollscope -c "watch $B $BFD name=b$n" >/dev/null || fail "watch"
		echo g >&3
		wait_for iters_ge $((3 * round - 1)) || fail "watched run"
		pollscope -c "unwatch b$n; watch $B $BFD name=b$n rate=10" >/dev/null || fail "watch rate"
		echo g >&3
		wait_for iters_ge $((3 * round)) || fail "rate-limited run"
		pollscope -c "unwatch b$n" >/dev/null
	done
	u=$(sed -n '5p' /tmp/bout | sed 's/.*ns_per_wake=//')
	w=$(sed -n '6p' /tmp/bout | sed 's/.*ns_per_wake=//')
	r=$(sed -n '7p' /tmp/bout | sed 's/.*ns_per_wake=//')
	echo "BENCH watch sleepers=$n unwatched_ns=$u watched_ns=$w ratelimited_ns=$r first_round=$(sed -n '2,4p' /tmp/bout | tr '\n' ' ')"
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
echo g >&3
wait $ER
w=$(grep "^watch=full " "$PS_DIR/watch")
echo "BENCH watchfull $(cat /tmp/bout | grep iters) $(cat /tmp/er) module_$(echo "$w" | grep -o 'wakes=[0-9]*') module_$(echo "$w" | grep -o 'recorded=[0-9]*')"
exec 3>&-
kill $B 2>/dev/null
unload_module
