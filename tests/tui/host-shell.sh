#!/bin/sh
# Line mode (--shell) in tmux on recorded debugfs files: a waiter's report
# that arrives while the prompt waits is printed on a line of its own, and
# the prompt is drawn once below it (issue 17: it was drawn twice, the report
# started on the prompt's line).
# usage: host-shell.sh POLLSCOPE DATA_DIR
set -u
ps=$1
data=$2
session=sh
. "$(dirname "$0")/lib.sh"
t -f /dev/null new-session -d -s sh -x 120 -y 30 \
	"HOME='$tmp' '$ps' --shell --debugfs '$tmp/d'; echo SHELL-EXITED; sleep 60"
wait_screen '^pollscope> ?$' || fail "the shell did not show its prompt"
# a recorded object file is always readable: the waiter returns at once,
# reports and exits while the prompt waits
t send-keys -t sh 'spawn poll a' Enter
wait_screen 'w1 \(pid [0-9]+\) poll returned 1' || fail "no report from w1"
sleep 1 # the waiter's exit comes after its report
cap
if grep -q 'pollscope> .*pollscope>' "$screen"; then
	fail "a prompt drawn twice on one line"
elif grep -Eq 'pollscope> w1 \(pid' "$screen"; then
	fail "the report starts on the prompt's line"
elif [ "$(tail -n +1 "$screen" | grep -c '^pollscope> *$')" -ne 1 ]; then
	fail "not exactly one empty prompt on screen"
elif ! grep -Eq '^w1 \(pid [0-9]+\) poll returned 1' "$screen"; then
	fail "the report is not on a line of its own"
else
	echo "ok: the report on its own line, one prompt below it"
fi
# what is typed after the report still runs
t send-keys -t sh 'waiters' Enter
wait_screen '^ *w1 ' || wait_screen 'w1' || fail "typing after the report"
[ $failures -eq 0 ] && echo "PASS" && exit 0
echo "$failures failure(s)"
exit 1
