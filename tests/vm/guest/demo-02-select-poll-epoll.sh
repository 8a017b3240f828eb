# Demo 2 as a test: after one wakeup select and poll call the poll method of
# every fd again, epoll only of the ready ones; the cost table for N = 1, 10,
# 100, 1000 (from the module's per-object polls counters) shows N, N, 1.
. /tests/lib.sh
POLLSCOPE_DEMO_DIR=/tests/demos pollscope -f 02 >/tmp/out 2>/tmp/err || {
	cat /tmp/err /tmp/out
	fail "demo 02 failed"
}
cat /tmp/out
# poll on 2+2 fds: 2 calls per object to go to sleep, 2 more each after the wake
assert_grep "^p \(pid [0-9]+\) poll returned 2 after [0-9.]+ ms: hot=in$" /tmp/out
sed -n '/^idle was polled again/,/^Now epoll/p' /tmp/out >/tmp/s
assert_grep "^hot: ready=in entries=0 polls=4 " /tmp/s
assert_grep "^idle: ready=none entries=0 polls=4 " /tmp/s
# epoll: epoll_ctl polls each fd once (6 each), the wake polls the 2 hot ones only
sed -n '/^Now epoll/,/^\.\.\.and on a wakeup/p' /tmp/out >/tmp/s
assert_grep "^hot: ready=none entries=2 polls=6 " /tmp/s
assert_grep "^idle: ready=none entries=2 polls=6 " /tmp/s
assert_grep "^ +[01]  epoll +ep_poll_callback +[0-9]+ e +e +S " /tmp/s
sed -n '/^\.\.\.and on a wakeup/,/^destroyed hot/p' /tmp/out >/tmp/s
assert_grep "^e \(pid [0-9]+\) epoll returned 2 after [0-9.]+ ms: hot=in$" /tmp/s
assert_grep "^hot: ready=in entries=0 polls=8 " /tmp/s
assert_grep "^idle: ready=none entries=0 polls=6 " /tmp/s
# the table: per wakeup select N, poll N, epoll 1; setup N for all; N entries
for n in 1 10 100 1000; do
	assert_grep "^ +$n +$n +$n +1 +$n +$n +$n +$n +$n +$n$" /tmp/out "cost row for N=$n"
done
assert_grep "^ +N +select +poll +epoll +select +poll +epoll +select +poll +epoll$" /tmp/out
ok "demo 02: select and poll rescan every fd, epoll does not"
# JSON rows of the table
pollscope --json -c 'cost 1 7' >/tmp/j 2>/tmp/err || fail "cost: $(cat /tmp/err)"
assert_grep '^\{"type":"cost","n":7,"select":7,"poll":7,"epoll":1,"select_setup":7,"poll_setup":7,"epoll_setup":7,"select_entries":7,"poll_entries":7,"epoll_entries":7\}$' /tmp/j
pollscope -c 'create cost-hot; cost 5' 2>/tmp/err && fail "cost with cost-hot in the way succeeded"
assert_grep "^-c:1: cost: objects cost-hot and cost-idle are in the way: destroy them first$" /tmp/err
pollscope -c 'cost 1001' 2>/tmp/err && fail "cost 1001 succeeded"
assert_grep "^-c:1: cost: bad N '1001': a number of fds from 1 to 1000$" /tmp/err
ok "cost: json and errors"
