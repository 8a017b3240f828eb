# Demo 7 as a test: a blocking read (autoremove_wake_function) and a poll
# (pollwake) on one queue; both are woken; the reader gets the value, the
# poller returns at once or after the last wake (they race for the data).
. /tests/lib.sh
pollscope -f /tests/demos/07-read-vs-poll.pscope >/tmp/out 2>/tmp/err || {
	cat /tmp/err /tmp/out
	fail "demo 07 failed"
}
cat /tmp/out
assert_grep "^ +[01]  wait_event +autoremove_wake_function +[0-9]+ r +r +S  - +-$" /tmp/out
assert_grep "^ +[01]  poll +pollwake +[0-9]+ p +p +S  - +in,err,hup$" /tmp/out
assert_grep "^ +[0-9]+  r +read +dev +S  " /tmp/out
assert_grep "^r \(pid [0-9]+\) read returned 2 bytes, value 7, after [0-9.]+ ms$" /tmp/out
assert_grep "^p \(pid [0-9]+\) poll returned 1 after [0-9.]+ ms: dev=in$" /tmp/out
assert_grep " wake +dev +key=in,rdnorm nr=1 visited=2 woken=2 source=write " /tmp/out
ok "demo 07: blocking read next to poll"
