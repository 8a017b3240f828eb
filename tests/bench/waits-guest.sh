# Guest side of the waits benchmark (tests/bench/run-waits-bench.sh): P
# processes each holding F pipe fds asleep in poll on all of them, for
# P = 250, 500, 1000 (F = 20: 5,000 to 20,000 fds); times the module's scan
# (cat waits), the whole `pollscope -c waits` and util-linux's lsfd over the
# same system, in the same run. Prints "BENCH waits ..." lines.
. /tests/lib.sh
load_module

# busybox time prints "real 0m 1.23s" on stderr: seconds as ms
ms() { sed -n 's/^real[[:space:]]*\([0-9]*\)m[[:space:]]*\([0-9.]*\)s.*/\1 \2/p' | awk '{ printf "%d\n", ($1 * 60 + $2) * 1000 }'; }
median3() { sort -n | sed -n 2p; }

F=20
for P in 250 500 1000; do
	pswaits many $P $F >/tmp/many &
	LEAD=$!
	wait_for grep -q '^ready' /tmp/many || fail "pswaits many did not start"
	polling() { [ "$(grep -l '^7 ' /proc/[0-9]*/syscall 2>/dev/null | wc -l)" -ge $P ]; }
	i=0
	until polling; do
		i=$((i + 1))
		[ $i -lt $((600 * PS_TIMEOUT_MULT)) ] || fail "the $P pollers never all slept"
		usleep 100000
	done
	procs=$(ls -d /proc/[0-9]* | wc -l)
	fds=$(ls /proc/[0-9]*/fd 2>/dev/null | grep -c '^[0-9]')
	for k in 1 2 3; do (time cat $PS_DIR/waits >/tmp/w) 2>&1 | ms; done | median3 >/tmp/t_scan
	for k in 1 2 3; do (time pollscope -c waits >/tmp/o) 2>&1 | ms; done | median3 >/tmp/t_tool
	lsfd_ms=-1
	if command -v lsfd >/dev/null; then
		for k in 1 2 3; do (time lsfd >/tmp/l) 2>&1 | ms; done | median3 >/tmp/t_lsfd
		lsfd_ms=$(cat /tmp/t_lsfd)
	fi
	scan=$(tail -n 1 /tmp/w)
	echo "BENCH waits procs=$procs fds=$fds pollers=$P fds_each=$F scan_ms=$(cat /tmp/t_scan) tool_ms=$(cat /tmp/t_tool) lsfd_ms=$lsfd_ms lsfd_lines=$(wc -l </tmp/l 2>/dev/null || echo 0) module: $scan"
	grep -q 'complete=yes' /tmp/w || fail "scan incomplete: $scan"
	kill $LEAD
	wait $LEAD 2>/dev/null
	i=0
	while grep -q '^7 ' /proc/[0-9]*/syscall 2>/dev/null && [ $i -lt 300 ]; do
		i=$((i + 1))
		usleep 100000
	done
done
unload_module
