#!/bin/sh
# The timeline in causal order with repeats grouped, and first-minute
# papercuts (issues 14 and 17), on the host in tmux: recorded debugfs files
# (the events file is appended to as the module would), and real eventfds
# for a waiter that sleeps and returns (no module needed).
# usage: host-tui-timeline.sh POLLSCOPE DATA_DIR TUI_KEYS
set -u
ps=$1
data=$2
keys=$3
session=ps
. "$(dirname "$0")/lib.sh"
k() { t send-keys -t ps "$@"; }
# now on the clock of the module's events (CLOCK_MONOTONIC), in ns
now_ns() { "$keys" --now; }

fresh() {
	t kill-session -t ps 2>/dev/null
	t -f /dev/null new-session -d -s ps -x "$1" -y "$2" \
		"'$ps' --debugfs '$tmp/d'; echo TUI-EXITED rc=\$?; sleep 60"
	wait_screen "Wait queues: [0-9]+ objects" || fail "the TUI did not start"
}

fresh 160 48
check "the timeline says its clock" "Timeline \(s since this session started\)"

# --- 1000 identical re-polls after a wake: one line for them, the wake stays.
ns=$(now_ns)
seq=100
{
	echo "seq=$seq ns=$ns type=wake pid=90 comm=pollscope object=a key=in nr=0 visited=1000 woken=1000 source=wake"
	i=0
	while [ $i -lt 1000 ]; do
		seq=$((seq + 1))
		echo "seq=$seq ns=$((ns + 1000 + i)) type=poll pid=$((115 + i)) comm=s.$((i + 1)) object=a mask=none queued=0 qproc=pollwake"
		i=$((i + 1))
	done
} >>"$tmp/d/events"
k Tab # any key: the TUI reads the recorded events file when it wakes
check "1000 re-polls are one line with a count and the pids" \
	"poll +a +mask=none queued=0 qproc=pollwake +by s\.1\[115\] +\.\.\. x1000, pids 115-1114"
check "the wake that caused them is on screen" "wake +a +key=in nr=0 visited=1000 woken=1000"
cap
wl=$(grep -En "wake +a +key=in nr=0" "$screen" | head -n 1 | cut -d: -f1)
pl=$(grep -n "x1000, pids" "$screen" | head -n 1 | cut -d: -f1)
if [ -n "$wl" ] && [ -n "$pl" ] && [ "$wl" -lt "$pl" ]; then
	pass "the wake is above the polls it caused"
else
	fail "wake at row ${wl:-?}, the polls at row ${pl:-?}"
fi
k x
check "x shows every line" "timeline: every line"
cap
n=$(grep -Ec "poll +a +mask=none queued=0 qproc=pollwake +by s\.[0-9]+\[[0-9]+\] *$" "$screen")
if [ "$n" -ge 10 ] && ! grep -q "x1000" "$screen"; then
	pass "expanded: the re-polls one per line ($n on screen)"
else
	fail "expanded: $n re-poll lines on screen"
fi
k x
check "x groups them again" "x1000, pids 115-1114"

# --- A waiter's result goes below the wake that caused it, even when the
# kernel's event is read after the waiter's report.
k ":create e eventfd; spawn poll e as=w; settle 10000" Enter
check "the waiter sleeps" "w +poll +S "
before=$(now_ns)
sleep 0.2
k ":write e 1; settle 10000" Enter
check "the waiter returned" "w \(pid [0-9]+\) poll returned 1"
# the event of that wake, read only now (as a slow events reader would)
seq=$((seq + 1))
echo "seq=$seq ns=$before type=wake pid=90 comm=pollscope object=zz key=in nr=1 visited=1 woken=1 source=wake" >>"$tmp/d/events"
k Tab
check "the late event is in the timeline" "wake +zz +key=in nr=1"
cap
wl=$(grep -En "wake +zz +key=in" "$screen" | head -n 1 | cut -d: -f1)
rl=$(grep -En "w \(pid [0-9]+\) poll returned 1" "$screen" | tail -n 1 | cut -d: -f1)
if [ -n "$wl" ] && [ -n "$rl" ] && [ "$wl" -lt "$rl" ]; then
	pass "the wake is above the result it caused (time order)"
else
	fail "wake at row ${wl:-?}, the result at row ${rl:-?}"
fi

# --- n then Enter: a fresh name, not "missing argument".
# (a and b exist; on recorded files a created object does not appear, so
# one step shows it)
k n Enter
check "n, Enter creates the next free name" "created c"

# --- The kind column: wait_event fills it and the function column stays
# aligned with a shorter kind's (160x48: the panes side by side, narrow columns).
fresh 160 48
cap
cw=$(grep -Eo " wait_event +autoremove_wake" "$screen" | head -n 1)
pw=$(grep -Eo " poll +pollwake" "$screen" | head -n 1)
ww=$(grep -En " wait_event +autoremove_wake" "$screen" | head -n 1)
fw=$(grep -E " poll +pollwake" "$screen" | head -n 1)
wx=$(printf '%s\n' "${ww#*:}" | awk '{ print index($0, "autoremove_wake") }')
px=$(printf '%s\n' "$fw" | awk '{ print index($0, "pollwake") }')
if [ -n "$cw" ] && [ -n "$pw" ] && [ "$wx" = "$px" ]; then
	pass "the function column starts at column $px for poll and wait_event"
else
	fail "function column: wait_event's at ${wx:-?}, poll's at ${px:-?}"
fi

# --- Mouse: a click on a row selects it (X10 mouse report: ESC [ M, button,
# column + 33, row + 33), the wheel moves the selection.
fresh 120 36
cap
row=$(grep -En "wait_event +autoremove_wake" "$screen" | head -n 1 | cut -d: -f1)
y=$((row - 1))
k -l "$(printf '\033[M%b%b%b' '\040' "\\$(printf '%03o' $((5 + 33)))" "\\$(printf '%03o' $((y + 33)))")"
k -l "$(printf '\033[M%b%b%b' '\043' "\\$(printf '%03o' $((5 + 33)))" "\\$(printf '%03o' $((y + 33)))")"
k Enter
check "a click selects the row: Enter details it" "wake function +autoremove_wake_function"
k Escape

k q
check "q quits" "TUI-EXITED rc=0"
echo "$passes passed, $failures failed"
[ $failures -eq 0 ]
