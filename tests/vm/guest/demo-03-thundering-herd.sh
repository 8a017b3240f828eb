# Demo 3 as a test: one wake with nr=1 wakes all four plain epoll waiters;
# with EPOLLEXCLUSIVE it wakes one, and nr=0 the other three.
. /tests/lib.sh
pollscope -f /tests/demos/03-thundering-herd.pscope >/tmp/out 2>/tmp/err || {
	cat /tmp/err /tmp/out
	fail "demo 03 failed"
}
cat /tmp/out
n=$(grep -cE "^h\.[1-4] \(pid [0-9]+\) epoll returned 1 after [0-9.]+ ms: herd=in$" /tmp/out)
assert_eq "$n" 4 "plain epoll waiters woken by one wake"
assert_grep "wakes=1 woken=4 " /tmp/out
n=$(grep -cE "^ +[0-3]  epoll +ep_poll_callback +[0-9]+ x\.[1-4] +x\.[1-4] +S  exclusive " /tmp/out)
assert_eq "$n" 4 "exclusive entries shown"
sed -n '/^The same wake with nr=1/,/^wake with nr=0/p' /tmp/out >/tmp/s
n=$(grep -cE "^x\.[1-4] \(pid [0-9]+\) epoll returned 1 " /tmp/s)
assert_eq "$n" 1 "exclusive waiters woken by nr=1"
n=$(grep -cE "^ +[0-9]+  x\.[1-4] +epoll +herd +S  $WCHAN" /tmp/s)
assert_eq "$n" 3 "exclusive waiters still asleep"
sed -n '/^wake with nr=0/,$p' /tmp/out >/tmp/s
n=$(grep -cE "^x\.[1-4] \(pid [0-9]+\) epoll returned 1 " /tmp/s)
assert_eq "$n" 3 "exclusive waiters woken by nr=0"
ok "demo 03: the thundering herd and EPOLLEXCLUSIVE"
