#!/bin/bash
# pollscope benchmarks: boots the test VM (tests/vm/run-vm.sh) with
# bench-guest.sh and prints the figures as tables. Not part of ctest: it
# takes a few minutes and measures, it does not assert. See RESULTS.md.
#
#   tests/bench/run-bench.sh [--build DIR] [--raw FILE]
#
# --build DIR  build tree with pollscope, pollscope.ko and the test programs
# --raw FILE   also keep the guest's BENCH lines in FILE
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
build="$top/build"
raw=""
while [ $# -gt 0 ]; do
	case "$1" in
	--build) build=$2; shift 2 ;;
	--raw) raw=$2; shift 2 ;;
	-h | --help) sed -n '2,10p' "$0"; exit 0 ;;
	*) echo "run-bench: unknown argument $1" >&2; exit 2 ;;
	esac
done

log=$(mktemp /tmp/pollscope-bench.XXXXXX)
trap 'rm -f "$log"' EXIT
if ! "$top/tests/vm/run-vm.sh" --build "$build" --timeout 1200 --script-timeout 1100 \
	"$here/bench-guest.sh" "$here/bench-scale.sh" >"$log" 2>&1; then
	cat "$log" >&2
	echo "run-bench: the benchmark VM failed" >&2
	exit 1
fi
grep -o 'BENCH .*' "$log" | tr -d '\r' >"$log.bench"
[ -z "$raw" ] || cp "$log.bench" "$raw"

# key=value lookup on a BENCH line
kv() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }

m=$(grep '^BENCH machine' "$log.bench" || true)
echo "Machine: host CPU $(sed -n 's/^model name[^:]*: *//p' /proc/cpuinfo | head -n1), $(nproc) host CPUs"
echo "         QEMU $(qemu-system-x86_64 --version | head -n1 | sed 's/.*version //'), TCG, guest $(kv "$m" cpus) vCPUs, guest kernel $(kv "$m" kernel)"
echo "         $(date -u '+%Y-%m-%d %H:%M UTC')"
echo

echo "1. queues snapshot vs bare walk (medians of 15; ns per entry; lock = longest queue-lock hold of the snapshot)"
printf '%6s %8s %12s %12s %12s %12s %10s %10s %10s %8s\n' tasks entries open_ns read_ns lock_ns walk_ns open/ent read/ent lock/ent lock/walk
grep '^BENCH snapshot' "$log.bench" | while read -r l; do
	printf '%6s %8s %12s %12s %12s %12s %10s %10s %10s %8s\n' "$(kv "$l" tasks)" "$(kv "$l" entries)" "$(kv "$l" open_ns)" \
		"$(kv "$l" read_ns)" "$(kv "$l" lock_ns)" "$(kv "$l" walk_ns)" "$(kv "$l" open_per_entry)" \
		"$(kv "$l" read_per_entry)" "$(kv "$l" lock_per_entry)" "$(kv "$l" lock_vs_walk)"
done
echo "   open = the snapshot (count, allocate, copy under the lock), read = formatting it as text"
echo "   (no lock held), lock = the copy's lock hold, walk = the bare walk of the same list (walk command)"
echo "   longest lock hold by the module in this section: $(kv "$(grep '^BENCH lockmax section=snapshots' "$log.bench")" lock_ns_max) ns"
echo

echo "2. poll-method calls per wakeup (f_op->poll calls from the wake to the return)"
printf '%-5s %-7s %8s %8s %10s %8s %12s\n' ready mode nfds setup per_wake returned lock_ns_max
grep '^BENCH polls' "$log.bench" | while read -r l; do
	printf '%-5s %-7s %8s %8s %10s %8s %12s\n' "$(kv "$l" ready)" "$(kv "$l" mode)" "$(kv "$l" nfds)" \
		"$(kv "$l" setup)" "$(kv "$l" per_wake)" "$(kv "$l" ret)" "$(kv "$l" lock_ns_max)"
done
echo "   ready=all: the N fds are one object, all become ready; ready=one: 1 of N becomes ready"
echo "   lock_ns_max: the longest queue-lock hold by the module in that case (setup, wake, destroy)"
echo

l=$(grep '^BENCH idle' "$log.bench" || true)
echo "3. idle TUI, 100 sleepers, 10 s: CPU $(kv "$l" cpu_ms) ms, $(kv "$l" wakeups) wakeups ($(kv "$l" wakeups_per_s)/s)"
echo
l=$(grep '^BENCH latency' "$log.bench" || true)
echo "4. wake-to-screen latency of the TUI over $(kv "$l" wakes) wakes: p50 $(kv "$l" p50_us) us, p99 $(kv "$l" p99_us) us (min $(kv "$l" min_us), max $(kv "$l" max_us); $(kv "$l" frames) frames, $(kv "$l" missed) wakes never shown)"
echo
echo "5. the TUI at scale (160x48): spawn, settle, a wake of all to the screen (ms);"
echo "   without a TUI: the shell spawns N pswait pollers, and reaps them after the wake"
printf '%9s %10s %10s %16s %18s %22s\n' sleepers spawn settle wake-to-screen "no TUI: spawn" "no TUI: wake-reaped"
for n in 1 100 1000; do
	l=$(grep "^BENCH scale alone sleepers=$n " "$log.bench" || true)
	printf '%9s %10s %10s %16s %18s %22s\n' $n "$(kv "$(grep "^BENCH scale spawn sleepers=$n " "$log.bench")" ms)" \
		"$(kv "$(grep "^BENCH scale settle sleepers=$n " "$log.bench")" ms)" \
		"$(kv "$(grep "^BENCH scale wake-to-screen sleepers=$n " "$log.bench")" ms)" \
		"$(kv "$l" spawn_ms)" "$(kv "$l" wake_reaped_ms)"
done
l=$(grep '^BENCH scale idle' "$log.bench" || true)
echo "   idle with 1000 sleepers, 10 s: CPU $(kv "$l" cpu_ms) ms, $(kv "$l" wakeups) wakeups"
l=$(grep '^BENCH scale key-while-spawning' "$log.bench" || true)
echo "   ? answered $(kv "$l" ms) ms after it was typed, while 1000 were being spawned"
rm -f "$log.bench"
