# Demo 10 as a test: the diagram of one poll() and one epoll_wait() on a
# pipe, and the wake walk step by step, checked against /proc and the kernel's
# own walk (the module's wake event is not involved: a pipe write wakes).
. /tests/lib.sh
pollscope -f /tests/demos/10-diagram.pscope >/tmp/out 2>/tmp/err || {
	cat /tmp/err /tmp/out
	fail "demo 10 failed"
}
cat /tmp/out
P=$(sed -n 's/^spawned poller (pid \([0-9]*\)).*/\1/p' /tmp/out)
E=$(sed -n 's/^spawned ep (pid \([0-9]*\)).*/\1/p' /tmp/out)
R=$(sed -n 's/^spawned reader (pid \([0-9]*\)).*/\1/p' /tmp/out)
[ -n "$P" ] && [ -n "$E" ] && [ -n "$R" ] || fail "pids of the three waiters"
assert_grep "^│ read queue \(pipe->rd_wait\) of p +│$" /tmp/out
assert_grep "^ (└|├)─\[0\] pollwake  key=in,err,hup$" /tmp/out
assert_grep "poll_table_entry ▶ poll_wqueues ▶ polling_task $P poller \(S\)$" /tmp/out
assert_grep "eppoll_entry ▶ epitem \(fd [0-9]+\) ▶ eventpoll [0-9a-f]{8}$" /tmp/out
assert_grep "ep->wq ▶ $E ep \(S\) in epoll_wait, exclusive$" /tmp/out
# the blocking reader: exclusive, at the tail, pointing at its task
assert_grep "^ └─\[2\] autoremove_wake_function EXCLUSIVE$" /tmp/out
assert_grep "╰▶ task $R reader \(S\)$" /tmp/out
# the walk, step by step: the cursor moves, the last step stops the walk
assert_grep "^wake key=in nr=1, step 1 of 3: at \[0\]$" /tmp/out
assert_grep "^▶✔  ├─\[0\] " /tmp/out
assert_grep "^wake key=in nr=1, step 3 of 3: at \[2\] \(the walk stops here\)$" /tmp/out
assert_grep "^▶■  └─\[2\] autoremove_wake_function EXCLUSIVE" /tmp/out
assert_grep "^reader \(pid $R\) read returned " /tmp/out
ok "demo 10: the diagram of poll, epoll_wait and a blocking read, and the walk"
