# Guest side of the waits benchmark (tests/bench/run-waits-bench.sh): P
# processes each holding F pipe fds asleep in poll on all of them, for
# P = 250, 500, 1000 (F = 20: 5,000 to 20,000 fds); times (medians and
# ranges of 5 runs, of 3 for lsfd) the module's scan
# (cat waits), the whole `pollscope -c waits`, the tool alone on that scan
# recorded (--debugfs: parse, group, /proc reads, text out), and util-linux's
# lsfd over the same system, in the same run. Prints "BENCH waits ..." lines.
# With /tests/bin/pollscope-old (another build's binary, put in the build's
# tests/vm/progs by hand), that one is timed too, for a before/after.
. /tests/lib.sh
load_module

# busybox time prints "real 0m 1.23s" on stderr: seconds as ms
ms() { sed -n 's/^real[[:space:]]*\([0-9]*\)m[[:space:]]*\([0-9.]*\)s.*/\1 \2/p' | awk '{ printf "%d\n", ($1 * 60 + $2) * 1000 }'; }
# N runs of "$@" (output to /tmp/out), in ms: "MEDIAN MIN-MAX" (TCG's run to
# run spread is wide: the range is printed with the median)
timen() {
	local n=$1 k
	shift
	for k in $(seq "$n"); do (time "$@" >/tmp/out) 2>&1 | ms; done |
		sort -n | awk '{ v[NR] = $1 } END { printf "%d %d-%d\n", v[int((NR + 1) / 2)], v[1], v[NR] }'
}
med() { echo "${1% *}"; }
range() { echo "${1#* }"; }

echo "BENCH clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
F=20
for P in 250 500 1000; do
	rm -f /tmp/many # not an earlier run's output: start_shape in lib.sh
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
	scan=$(timen 5 cat $PS_DIR/waits)
	cp /tmp/out /tmp/w
	tool=$(timen 5 pollscope -c waits)
	lines=$(wc -l </tmp/out)
	# the scan recorded, for the tool alone
	rm -rf /tmp/rec && mkdir -p /tmp/rec/objects
	cat $PS_DIR/version >/tmp/rec/version
	: >/tmp/rec/control
	: >/tmp/rec/queues
	: >/tmp/rec/events
	cp /tmp/w /tmp/rec/waits
	rec=$(timen 5 pollscope -d /tmp/rec -c waits)
	json=$(timen 5 pollscope -d /tmp/rec --json -c waits)
	old=""
	if command -v pollscope-old >/dev/null; then
		o=$(timen 5 pollscope-old -c waits)
		orec=$(timen 5 pollscope-old -d /tmp/rec -c waits)
		old=" old_tool_ms=$(med "$o") old_tool_range=$(range "$o") old_rec_ms=$(med "$orec") old_rec_range=$(range "$orec")"
	fi
	lsfd="-1 -"
	if command -v lsfd >/dev/null; then
		lsfd=$(timen 3 lsfd)
		cp /tmp/out /tmp/l
	fi
	summary=$(tail -n 1 /tmp/w)
	echo "BENCH waits procs=$procs fds=$fds pollers=$P fds_each=$F scan_ms=$(med "$scan") scan_range=$(range "$scan") tool_ms=$(med "$tool") tool_range=$(range "$tool") tool_recorded_ms=$(med "$rec") tool_recorded_range=$(range "$rec") json_recorded_ms=$(med "$json") json_recorded_range=$(range "$json") lines=$lines$old lsfd_ms=$(med "$lsfd") lsfd_range=$(range "$lsfd") lsfd_lines=$(wc -l </tmp/l 2>/dev/null || echo 0) module: $summary"
	grep -q 'complete=yes' /tmp/w || fail "scan incomplete: $summary"
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
