# Guest side of the waits benchmark (tests/bench/run-waits-bench.sh): P
# processes each holding F pipe fds asleep in poll on all of them, for
# P = 250, 500, 1000 (F = 20: 5,000 to 20,000 fds); times the module's scan
# (cat waits), the whole `pollscope -c waits`, the tool alone on that scan
# recorded (--debugfs: parse, group, /proc reads, text out), and util-linux's
# lsfd over the same system, in the same run. Prints "BENCH waits ..." lines.
# With /tests/bin/pollscope-old (another build's binary, put in the build's
# tests/vm/progs by hand), that one is timed too, for a before/after.
. /tests/lib.sh
load_module

# busybox time prints "real 0m 1.23s" on stderr: seconds as ms
ms() { sed -n 's/^real[[:space:]]*\([0-9]*\)m[[:space:]]*\([0-9.]*\)s.*/\1 \2/p' | awk '{ printf "%d\n", ($1 * 60 + $2) * 1000 }'; }
median3() { sort -n | sed -n 2p; }
# median of 3 runs of "$@" (output to /tmp/out), in ms
time3() { for k in 1 2 3; do (time "$@" >/tmp/out) 2>&1 | ms; done | median3; }

echo "BENCH clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
F=20
for P in 250 500 1000; do
	pswaits many $P $F >/tmp/many &
	LEAD=$!
	wait_for grep -q '^ready' /tmp/many || fail "pswaits many did not start"
	i=0
	until in_poll_at_least $P; do
		i=$((i + 1))
		[ $i -lt $((600 * PS_TIMEOUT_MULT)) ] || fail "the $P pollers never all slept"
		usleep 100000
	done
	procs=$(ls -d /proc/[0-9]* | wc -l)
	fds=$(ls /proc/[0-9]*/fd 2>/dev/null | grep -c '^[0-9]')
	for k in 1 2 3; do (time cat $PS_DIR/waits >/tmp/w) 2>&1 | ms; done | median3 >/tmp/t_scan
	tool_ms=$(time3 pollscope -c waits)
	lines=$(wc -l </tmp/out)
	# the scan recorded, for the tool alone
	rm -rf /tmp/rec && mkdir -p /tmp/rec/objects
	cat $PS_DIR/version >/tmp/rec/version
	: >/tmp/rec/control
	: >/tmp/rec/queues
	: >/tmp/rec/events
	cp /tmp/w /tmp/rec/waits
	rec_ms=$(time3 pollscope -d /tmp/rec -c waits)
	json_ms=$(time3 pollscope -d /tmp/rec --json -c waits)
	old=""
	if command -v pollscope-old >/dev/null; then
		old=" old_tool_ms=$(time3 pollscope-old -c waits) old_rec_ms=$(time3 pollscope-old -d /tmp/rec -c waits)"
	fi
	lsfd_ms=-1
	if command -v lsfd >/dev/null; then
		lsfd_ms=$(time3 lsfd)
		cp /tmp/out /tmp/l
	fi
	scan=$(tail -n 1 /tmp/w)
	echo "BENCH waits procs=$procs fds=$fds pollers=$P fds_each=$F scan_ms=$(cat /tmp/t_scan) tool_ms=$tool_ms tool_recorded_ms=$rec_ms json_recorded_ms=$json_ms lines=$lines$old lsfd_ms=$lsfd_ms lsfd_lines=$(wc -l </tmp/l 2>/dev/null || echo 0) module: $scan"
	grep -q 'complete=yes' /tmp/w || fail "scan incomplete: $scan"
	# where the tool's time goes at the largest size, in system calls: on
	# the scan just recorded, while its processes are still there (their
	# /proc files are read)
	if [ $P = 1000 ] && command -v strace >/dev/null; then
		strace -c -o /tmp/st pollscope -d /tmp/rec -c waits >/dev/null 2>&1
		head -n 10 /tmp/st | sed 's/^/BENCH strace /'
	fi
	kill $LEAD
	wait $LEAD 2>/dev/null
	i=0
	while grep -q '^7 ' /proc/[0-9]*/syscall 2>/dev/null && [ $i -lt 300 ]; do
		i=$((i + 1))
		usleep 100000
	done
done
unload_module
