# Demo 6 as a test: SIGUSR1 makes poll fail with EINTR, a 5000 ms timeout
# makes it return 0.
. /tests/lib.sh
pollscope -f /tests/demos/06-eintr-timeout.pscope >/tmp/out 2>/tmp/err || {
	cat /tmp/err /tmp/out
	fail "demo 06 failed"
}
cat /tmp/out
assert_grep "^sig \(pid [0-9]+\) poll returned -1 EINTR after [0-9.]+ ms$" /tmp/out
assert_grep "^tmo \(pid [0-9]+\) poll returned 0 \(timeout\) after (49[0-9][0-9]|[5-9][0-9]{3})\.[0-9] ms$" /tmp/out
assert_grep "^ +[0-9]+  tmo +poll +dev +- +- +0 \(timeout\)" /tmp/out
assert_grep "^dev: ready=none entries=0 " /tmp/out
# tmo sleeps on the queue in its own step, before its timeout ends it
sed -n '/^A new waiter asks/,/^tmo (pid/p' /tmp/out >/tmp/s
assert_grep "^dev: ready=none entries=1 " /tmp/s
ok "demo 06: EINTR and timeout"
