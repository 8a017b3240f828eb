# Demo 9 as a test: the watch on a real pipe records the producer's write
# as a wake from pipe_write with key in that reaches the consumer (its pid,
# from the spawn line); the buggy driver's ready records no wake and its
# sleeper wakes only at its timeout.
. /tests/lib.sh
pollscope -f /tests/demos/09-who-woke-me.pscope >/tmp/out 2>/tmp/err || {
	cat /tmp/err /tmp/out
	fail "demo 09 failed"
}
cat /tmp/out
C=$(sed -n 's/^spawned consumer (pid \([0-9]*\)).*/\1/p' /tmp/out)
[ -n "$C" ] || fail "no consumer pid"
assert_grep "^watching p \(pipe, both ends: NAME and NAME.1\) as 'p'" /tmp/out
assert_grep " watch +p +op=wake head=0 queue=pipe->rd_wait key=in,rdnorm ctx=task site=pipe_write<[^ ]* waiters=1 entries=wait_event\+x/$C/consumer/-/stop  \[pid [0-9]+ pollscope\]$" /tmp/out
assert_grep "^consumer \(pid $C\) read returned 5 bytes" /tmp/out
# between ready and its timeout, the last event is the watch's start: no wake
sed -n '/^dev is readable, yet/,/^It only saw/p' /tmp/out >/tmp/s
assert_grep " watch +dev +op=start heads=1 mask=none " /tmp/s
assert_grep " ready +dev +mask=in old=none " /tmp/s
assert_no_grep "op=wake" /tmp/s
assert_grep "^sleeper \(pid [0-9]+\) poll returned 1 after (29[0-9][0-9]|[3-9][0-9]{3})\.[0-9] ms: dev=in$" /tmp/out
ok "demo 09: who woke me"
