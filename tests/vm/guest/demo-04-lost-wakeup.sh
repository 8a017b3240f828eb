# Demo 4 as a test: readiness changed without a wake leaves both sleepers
# asleep; they see POLLIN only when their 5000 ms timeout makes them poll again.
. /tests/lib.sh
pollscope -f /tests/demos/04-lost-wakeup.pscope >/tmp/out 2>/tmp/err || {
	cat /tmp/err /tmp/out
	fail "demo 04 failed"
}
cat /tmp/out
sed -n '/^The object is readable, yet/,/^They only noticed/p' /tmp/out >/tmp/s
assert_grep "^dev: ready=in entries=2 polls=2 wakes=0 woken=0 open=2$" /tmp/s
assert_grep "^ +[0-9]+  p +poll +dev +S  $WCHAN +-$" /tmp/s
assert_grep "^ +[0-9]+  s +select +dev +S  $WCHAN +-$" /tmp/s
assert_grep "^p \(pid [0-9]+\) poll returned 1 after (49[0-9][0-9]|[5-9][0-9]{3})\.[0-9] ms: dev=in$" /tmp/out
assert_grep "^s \(pid [0-9]+\) select returned 1 after (49[0-9][0-9]|[5-9][0-9]{3})\.[0-9] ms: dev=in$" /tmp/out
ok "demo 04: the lost wakeup"
