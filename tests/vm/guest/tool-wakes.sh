# Keyed and exclusive wakes wake the right waiters, which report the right
# revents; timeouts, signals, readiness without a wake, destroy, loop.
. /tests/lib.sh

cat >/tmp/wakes.ps <<'PS'
create a
# keyed: a wake with key=out wakes only the waiter that asked for out
spawn poll a events=in as=i
spawn poll a events=out as=o
settle 20000
wake a out
settle 20000
ps i o
kill i
# exclusive: three exclusive epoll waiters, nr=1 wakes exactly one
create x
spawn epoll x exclusive count=3 as=ex
settle 20000
show x
say --- nr=1 ---
wake x in nr=1
settle 20000
say --- nr=0 ---
wake x in nr=0
settle 20000
# timeout: returns 0 on time
create t
spawn poll t timeout=500 as=to
spawn epoll t timeout=500 as=teo
sleep 3000
settle 20000
# signal: EINTR
spawn ppoll t as=sig
settle 20000
signal sig USR1
settle 20000
# ready changes readiness and wakes nobody (the lost wakeup)
create l
spawn poll l as=lost
settle 20000
ready l in
settle 20000
ps lost
say --- now wake ---
wake l in
settle 20000
# destroy wakes everyone with hup,err
create d
spawn poll d as=dp
spawn read d as=dr
settle 20000
destroy d
settle 20000
# edge-triggered loop: one return per write, re-armed in between
create e
spawn epoll e edge loop as=et
settle 20000
write e 5
settle 20000
write e 2
settle 20000
ps et
kill all
ps
PS
pollscope -f /tmp/wakes.ps >/tmp/out 2>/tmp/err || { cat /tmp/err; cat /tmp/out; fail "pollscope -f failed"; }
cat /tmp/out

# keyed
assert_grep "^o \(pid [0-9]+\) poll returned 1 after [0-9.]+ ms: a=out$" /tmp/out
assert_no_grep "^i \(pid [0-9]+\) poll returned" /tmp/out "the in waiter was woken by key=out"
assert_grep "^ +[0-9]+  i +poll +a +S  $WCHAN" /tmp/out
# exclusive: 3 entries flagged exclusive; one woken by nr=1, two by nr=0
assert_grep "epoll +ep_poll_callback .* S  exclusive +in" /tmp/out
n=$(sed -n '/^--- nr=1 ---/,/^--- nr=0 ---/p' /tmp/out | grep -cE "^ex\.[123] \(pid [0-9]+\) epoll returned 1 .*: x=in$")
assert_eq "$n" 1 "waiters woken by wake nr=1"
n=$(sed -n '/^--- nr=0 ---/,$p' /tmp/out | grep -cE "^ex\.[123] \(pid [0-9]+\) epoll returned 1 .*: x=in$")
assert_eq "$n" 2 "waiters woken by wake nr=0"
# timeout
assert_grep "^to \(pid [0-9]+\) poll returned 0 \(timeout\) after ([5-9][0-9][0-9]|1[0-9][0-9][0-9])\.[0-9] ms$" /tmp/out
assert_grep "^teo \(pid [0-9]+\) epoll returned 0 \(timeout\) after ([5-9][0-9][0-9]|1[0-9][0-9][0-9])\.[0-9] ms$" /tmp/out
# signal
assert_grep "^sent SIGUSR1 to sig" /tmp/out
assert_grep "^sig \(pid [0-9]+\) ppoll returned -1 EINTR after" /tmp/out
# lost wakeup: still asleep after ready, woken by wake
assert_grep "^ready l in \(nobody woken\)" /tmp/out
assert_grep "^ +[0-9]+  lost +poll +l +S  $WCHAN +-$" /tmp/out
assert_grep "^lost \(pid [0-9]+\) poll returned 1 .*: l=in$" /tmp/out
# destroy
assert_grep "^dp \(pid [0-9]+\) poll returned 1 .*: d=err,hup$" /tmp/out
assert_grep "^dr \(pid [0-9]+\) read returned 0 \(EOF\)" /tmp/out
# edge loop: two returns, each consumed (value 5 then 2 read by the loop)
n=$(grep -cE "^et \(pid [0-9]+\) epoll returned 1 .*: e=in$" /tmp/out)
assert_eq "$n" 2 "edge-triggered returns"
assert_grep "^ +[0-9]+  et +epoll +e +S  $WCHAN" /tmp/out
[ -n "$(pollscope_procs)" ] && { ps; fail "pollscope processes left behind"; }
ok "keyed, exclusive, timeout, signal, lost wakeup, destroy, edge loop"
