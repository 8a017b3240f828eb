# Real kernel objects held by pollscope: an eventfd waking a poller through
# write exactly as in the seed (eventfd_poll queues on ctx->wqh, the write
# wakes it), a pipe's separate read and write queues, a socketpair's two
# sockets, a timerfd firing; their entries in show and in JSON (what the TUI
# reads through ps_session_entries).
. /tests/lib.sh

# entry LINES: "  POS  KIND FUNC PID COMM WAITER S FLAGS KEY" as printed by show
cat >/tmp/obj.ps <<'PS'
create e eventfd
show e
spawn poll e as=p
settle 20000
say --- e asleep ---
show e
ps p
say --- write e 3 ---
write e 3
settle 20000
say --- e after ---
show e
read e
# pipe, empty: pollers and a blocking reader sleep on the read queue
create pp pipe
spawn poll pp as=pr
spawn select pp as=ps
settle 20000
say --- pipe readers ---
show pp
write pp 65536
settle 20000
say --- pipe full ---
spawn poll pp events=out as=pw
settle 20000
show pp
say --- pipe drained ---
read pp
settle 20000
spawn read pp as=rd
settle 20000
say --- pipe reader ---
show pp
write pp 5
settle 20000
# socketpair: b receives what write sends from a
create so socketpair
spawn poll so as=sp
settle 20000
say --- socketpair ---
show so
write so 7
settle 20000
read so
# timerfd: armed for TM ms, the poller returns by itself
create t timerfd
spawn poll t as=tp
settle 20000
write t @TM@
settle 20000
say --- timer armed ---
ps tp
sleep @TM_WAIT@
settle 20000
read t
# a module object and a real one in one call
create m
spawn poll m,e as=mix
settle 20000
say --- mixed ---
show m e
write m
settle 20000
destroy pp
destroy so
PS
# the timer must outlast the settle and ps after its arming: 1 s on the stock
# kernel, longer where everything is slower
TM=$((1000 * PS_TIMEOUT_MULT))
sed -i "s/@TM@/$TM/; s/@TM_WAIT@/$((TM + 1500))/" /tmp/obj.ps
pollscope -f /tmp/obj.ps >/tmp/out 2>/tmp/err || {
	cat /tmp/err /tmp/out
	fail "pollscope -f failed"
}
cat /tmp/out
sec() { sed -n "/^--- $1 ---\$/,/^--- /p" /tmp/out; }
P=$(sed -n 's/^spawned p (pid \([0-9]*\)).*/\1/p' /tmp/out)
[ -n "$P" ] || fail "no pid for p"

# eventfd: nothing queued, count 0, only POLLOUT (eventfd_poll: ULLONG_MAX - 1 > count)
assert_grep "^e: eventfd ready=out entries=0 heads=1 count=0$" /tmp/out
sec "e asleep" >/tmp/s
assert_grep "^e: eventfd ready=out entries=1 heads=1 count=0$" /tmp/s
assert_grep "^  head 0: eventfd ctx->wqh, 1 entry$" /tmp/s
assert_grep "^ +0  poll +pollwake +$P p +p +S  - +in,err,hup$" /tmp/s
assert_grep "^ +$P  p +poll +e +S  $WCHAN" /tmp/s
sec "write e 3" >/tmp/s
assert_grep "^wrote e value=3 \(eventfd count 0 -> 3\)$" /tmp/s
assert_grep "^p \(pid $P\) poll returned 1 after [0-9.]+ ms: e=in$" /tmp/s
sec "e after" >/tmp/s
assert_grep "^e: eventfd ready=in,out entries=0 heads=1 count=3$" /tmp/s
assert_grep "^read e: 3$" /tmp/s
ok "eventfd: poll_wait on ctx->wqh, a write wakes the poller"

# pipe: readers on the read queue only; a writer on the write queue only
PR=$(sed -n 's/^spawned pr (pid \([0-9]*\)).*/\1/p' /tmp/out)
PS=$(sed -n 's/^spawned ps (pid \([0-9]*\)).*/\1/p' /tmp/out)
PW=$(sed -n 's/^spawned pw (pid \([0-9]*\)).*/\1/p' /tmp/out)
RD=$(sed -n 's/^spawned rd (pid \([0-9]*\)).*/\1/p' /tmp/out)
sec "pipe readers" >/tmp/s
assert_grep "^pp: pipe ready=out,wrnorm entries=2 heads=2 bytes=0$" /tmp/s
assert_grep "^  head 0: read queue \(pipe->rd_wait: the read end's poll\), 2 entries$" /tmp/s
assert_grep "^  head 1: write queue \(pipe->wr_wait: the write end's poll\), 0 entries$" /tmp/s
assert_grep "^ +[01]  poll +pollwake +$PR pr +pr +S " /tmp/s
assert_grep "^ +[01]  poll +pollwake +$PS ps +ps +S .*in,pri,err,hup,rdnorm,rdband" /tmp/s
assert_grep "^pr \(pid $PR\) poll returned 1 after [0-9.]+ ms: pp=in$" /tmp/out
assert_grep "^ps \(pid $PS\) select returned 1 after [0-9.]+ ms: pp=in$" /tmp/out
sec "pipe full" >/tmp/s
assert_grep "^pp: pipe ready=in,rdnorm entries=1 heads=2 bytes=65536$" /tmp/s
assert_grep "^  head 0: read queue .*, 0 entries$" /tmp/s
assert_grep "^  head 1: write queue .*, 1 entry$" /tmp/s
assert_grep "^ +0  poll +pollwake +$PW pw +pw +S  - +out,err,hup$" /tmp/s
sec "pipe drained" >/tmp/s
assert_grep "^read pp: 65536 bytes$" /tmp/s
assert_grep "^pw \(pid $PW\) poll returned 1 after [0-9.]+ ms: pp=out$" /tmp/s
# pipe_read sleeps with wait_event_interruptible_exclusive on rd_wait
sec "pipe reader" >/tmp/s
assert_grep "^  head 0: read queue .*, 1 entry$" /tmp/s
assert_grep "^ +0  wait_event +autoremove_wake_function +$RD rd +rd +S  exclusive +-$" /tmp/s
assert_grep "^rd \(pid $RD\) read returned 5 bytes after [0-9.]+ ms$" /tmp/out
ok "pipe: separate read and write queues"

SP=$(sed -n 's/^spawned sp (pid \([0-9]*\)).*/\1/p' /tmp/out)
sec "socketpair" >/tmp/s
assert_grep "^so: socketpair ready=out,wrnorm,wrband entries=1 heads=2 bytes=0$" /tmp/s
assert_grep "^  head 0: socket a \(sends; its sk->sk_wq\), 0 entries$" /tmp/s
assert_grep "^  head 1: socket b \(receives; its sk->sk_wq\), 1 entry$" /tmp/s
assert_grep "^ +0  poll +pollwake +$SP sp +sp +S " /tmp/s
assert_grep "^sp \(pid $SP\) poll returned 1 after [0-9.]+ ms: so=in$" /tmp/out
assert_grep "^read so: 7 bytes$" /tmp/out
ok "socketpair"

# the timer had not fired when settle returned (asleep), then it did, after >= TM ms
sec "timer armed" >/tmp/s
assert_grep "^wrote t value=$TM \(timer armed: fires in $TM ms\)$" /tmp/out
assert_grep "^ +[0-9]+  tp +poll +t +S  $WCHAN" /tmp/s
assert_grep "^tp \(pid [0-9]+\) poll returned 1 after [0-9]+\.[0-9] ms: t=in$" /tmp/out
el=$(sed -n 's/^tp (pid [0-9]*) poll returned 1 after \([0-9]*\)\.[0-9] ms: t=in$/\1/p' /tmp/out)
[ "$el" -ge "$TM" ] || fail "tp returned after $el ms, before its $TM ms timer"
assert_grep "^read t: 1 expiration\(s\)$" /tmp/out
ok "timerfd fires"

sec "mixed" >/tmp/s
assert_grep "^m: ready=none entries=1 " /tmp/s
assert_grep "^e: eventfd .*entries=1 " /tmp/s
assert_grep "^mix \(pid [0-9]+\) poll returned 1 after [0-9.]+ ms: m=in$" /tmp/out
ok "a module object and an eventfd in one poll"

# JSON: real objects' records carry objtype, entries their object and head
pollscope --json -c 'create e eventfd; create p pipe; spawn poll p events=out as=x; spawn epoll e as=ep; settle 20000; show' >/tmp/j 2>/tmp/err || {
	cat /tmp/err /tmp/j
	fail "json run failed"
}
cat /tmp/j
assert_grep '^\{"type":"object","object":"e","objtype":"eventfd","ready":"out","entries":1,"heads":1,"count":0,"ours":true\}$' /tmp/j
assert_grep '^\{"type":"head","object":"e","pid":0,"fd":[0-9]+,"head":0,"label":"eventfd ctx->wqh","entries":1\}$' /tmp/j
# epoll on a queue that is not a module object: the thread asleep in that epoll
assert_grep '^\{"type":"entry","object":"e","pos":0,"kind":"epoll","func":"ep_poll_callback","pid":[0-9]+,.*"head":0\}$' /tmp/j
assert_grep '^\{"type":"object","object":"p","objtype":"pipe","ready":"out,wrnorm","entries":0,"heads":2,"bytes":0,"ours":true\}$' /tmp/j
ok "json"

# errors in plain words
pollscope -c 'create e eventfd; wake e' 2>/tmp/err && fail "wake on an eventfd succeeded"
assert_grep "^-c:1: wake: 'e' is a real eventfd, not a module object" /tmp/err
pollscope -c 'create e eventfd; read e' 2>/tmp/err && fail "read of an empty eventfd succeeded"
assert_grep "^-c:1: read: 'e' is not readable \(EAGAIN\): nothing to read$" /tmp/err
pollscope -c 'create e kqueue' 2>/tmp/err && fail "create kqueue succeeded"
assert_grep "^-c:1: create: unknown type 'kqueue' \(types: module eventfd pipe timerfd socketpair\)$" /tmp/err
[ -n "$(pollscope_procs)" ] && fail "waiters left behind"
ok "errors"
