#!/bin/sh
# Demo mode on the host in tmux (recorded debugfs files, a real eventfd):
# q at a pause stops the demo and leaves the TUI open ("demo stopped"), a
# second q quits; a waiter that reports during a pause leaves the pause's
# prompt on the status line.
# usage: host-tui-demo.sh POLLSCOPE DATA_DIR
set -u
ps=$1
data=$2
session=demo
. "$(dirname "$0")/lib.sh"

cat >"$tmp/demo.pscope" <<'DEMO'
say a waiter that times out while the demo pauses
create e eventfd
spawn poll e timeout=1500 as=late
pause look at late
say NEVER-SHOWN after the stop
DEMO
t -f /dev/null new-session -d -s demo -x 120 -y 36 \
	"'$ps' --debugfs '$tmp/d' --demo '$tmp/demo.pscope'; echo TUI-EXITED rc=\$?; sleep 60"
check "the pause's prompt" "look at late +\\[Space/Enter: continue, q: stop\\]"
# late's poll times out (returns 0) while the demo pauses
check "late reports during the pause" "late \\(pid [0-9]+\\) poll returned 0"
cap
if grep -Fq "[Space/Enter: continue, q: stop]" "$screen"; then
	pass "the prompt stays after the report"
else
	fail "the report erased the pause's prompt"
fi
t send-keys -t demo q
check "q at a pause stops the demo" "demo stopped"
sleep 0.5
cap
if grep -q "TUI-EXITED" "$screen"; then
	fail "q at a pause quit pollscope"
elif grep -q "NEVER-SHOWN" "$screen"; then
	fail "the demo went on after q"
else
	pass "the TUI stays open, the demo's next line not run"
fi
t send-keys -t demo q
check "a second q quits" "TUI-EXITED rc=0"

# A narration longer than the screen is wide wraps onto as many rows as it
# needs (it used to be cut at the last column), at 80x24.
cat >"$tmp/long.pscope" <<'DEMO'
say one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty END-OF-BANNER
pause
DEMO
t -f /dev/null new-session -d -s long -x 80 -y 24 \
	"'$ps' --debugfs '$tmp/d' --demo '$tmp/long.pscope'; echo TUI-EXITED rc=\$?; sleep 60"
check "a long banner reaches its last word at 80 columns" "END-OF-BANNER" long
if grep -q "one two three" "$screen" && grep -q "fifteen" "$screen" &&
	[ "$(grep -c 'END-OF-BANNER' "$screen")" -eq 1 ]; then
	pass "the banner wraps onto a second row, whole"
else
	fail "the banner is not shown whole"
fi
t send-keys -t long q
t send-keys -t long q

echo "tui demo: $passes passed, $failures failed"
[ $failures -eq 0 ]
