#!/bin/bash
# The waits benchmark: boots the test VM with tests/bench/waits-guest.sh
# (1000 processes and 20,000 fds at the largest) and prints its BENCH lines:
# the module's scan, `pollscope -c waits` (and the tool alone on the scan
# recorded) and lsfd over the same system, in milliseconds (medians and
# ranges of 5 runs, of 3 for lsfd),
# and the host's load before, during (every minute) and after. Not part of
# ctest: it measures, it does not assert. See RESULTS.md.
#
#   tests/bench/run-waits-bench.sh [--build DIR]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
build="$top/build"
[ "${1:-}" = --build ] && build=$2
log=$(mktemp /tmp/pollscope-wbench.XXXXXX)
# the host's load matters: the VM shares its CPUs (TCG)
echo "BENCH host before: $(uptime)"
(while sleep 60; do echo "BENCH host during: $(uptime)"; done) &
sampler=$!
trap 'kill $sampler 2>/dev/null; rm -f "$log"' EXIT
if ! "$top/tests/vm/run-vm.sh" --build "$build" --memory 2048 --timeout 2400 --script-timeout 2300 \
	"$here/waits-guest.sh" >"$log" 2>&1; then
	cat "$log" >&2
	echo "run-waits-bench: the benchmark VM failed" >&2
	exit 1
fi
grep -o 'BENCH .*' "$log" | tr -d '\r'
echo "BENCH host after: $(uptime)"
