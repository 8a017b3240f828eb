# Demo 1 as a test: one poll() call queues a pollwake entry, sleeps in
# do_sys_poll, is woken by a write, polls again without queueing, returns 1,
# and its entry is removed.
. /tests/lib.sh
pollscope -f /tests/demos/01-poll-lifecycle.pscope >/tmp/out 2>/tmp/err || {
	cat /tmp/err /tmp/out
	fail "demo 01 failed"
}
cat /tmp/out
R=$(sed -n 's/^spawned reader (pid \([0-9]*\)).*/\1/p' /tmp/out)
[ -n "$R" ] || fail "no reader pid"
assert_grep "^dev: ready=none entries=1 polls=1 wakes=0 woken=0 open=1$" /tmp/out
assert_grep "^ +0  poll +pollwake +$R reader +reader +S  - +in,err,hup$" /tmp/out
assert_grep "^ +$R  reader +poll +dev +S  $WCHAN" /tmp/out
assert_grep " poll +dev +mask=none queued=1 qproc=pollwake  \[pid $R reader\]$" /tmp/out
assert_grep "^reader \(pid $R\) poll returned 1 after [0-9.]+ ms: dev=in$" /tmp/out
assert_grep " wake +dev +key=in,rdnorm nr=1 visited=1 woken=1 source=write " /tmp/out
# the re-poll after the wakeup: the poll method again, this time queueing nothing
assert_grep " poll +dev +mask=in,rdnorm queued=0 qproc=none  \[pid $R reader\]$" /tmp/out
assert_grep "^dev: ready=in,rdnorm entries=0 polls=2 wakes=1 woken=1 open=0$" /tmp/out
ok "demo 01: the life of one poll() call"
