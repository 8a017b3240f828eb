# Demo 8 as a test: the seed's eventfd example on a real eventfd.
. /tests/lib.sh
pollscope -f /tests/demos/08-eventfd.pscope >/tmp/out 2>/tmp/err || {
	cat /tmp/err /tmp/out
	fail "demo 08 failed"
}
cat /tmp/out
P=$(sed -n 's/^spawned poller (pid \([0-9]*\)).*/\1/p' /tmp/out)
R=$(sed -n 's/^spawned reader (pid \([0-9]*\)).*/\1/p' /tmp/out)
assert_grep "^efd: eventfd ready=out entries=0 heads=1 count=0$" /tmp/out
assert_grep "^efd: eventfd ready=out entries=1 heads=1 count=0$" /tmp/out
assert_grep "^  head 0: eventfd ctx->wqh, 1 entry$" /tmp/out
assert_grep "^ +0  poll +pollwake +$P poller +poller +S  - +in,err,hup$" /tmp/out
assert_grep "^wrote efd value=3 \(eventfd count 0 -> 3\)$" /tmp/out
assert_grep "^poller \(pid $P\) poll returned 1 after [0-9.]+ ms: efd=in$" /tmp/out
assert_grep "^efd: eventfd ready=in,out entries=0 heads=1 count=3$" /tmp/out
assert_grep "^read efd: 3$" /tmp/out
# eventfd_read queues itself: default_wake_function in 6.1 (DECLARE_WAITQUEUE),
# autoremove_wake_function in later kernels
assert_grep "^ +0  (default +default_wake_function|wait_event +autoremove_wake_function) +$R reader +reader +S " /tmp/out
assert_grep "^reader \(pid $R\) read returned 8 bytes, value 5, after [0-9.]+ ms$" /tmp/out
sed -n '/^epoll on the eventfd/,$p' /tmp/out >/tmp/s
n=$(grep -cE "^ +0  epoll +ep_poll_callback " /tmp/s)
assert_eq "$n" 2 "the epoll entry before and after the wake"
assert_grep "^ep \(pid [0-9]+\) epoll returned 1 after [0-9.]+ ms: efd=in$" /tmp/s
ok "demo 08: eventfd internals"
