# pollscope as a tool: it loads the module itself, poll/select/epoll/read
# sleepers appear with their wchan and wait-queue entries, wakes reach them
# and they report what they returned; on exit nothing is left behind.
. /tests/lib.sh

grep -q '^pollscope ' /proc/modules && fail "module loaded before the test"

cat >/tmp/sleepers.ps <<'PS'
# four kinds of sleepers on one object
create a
spawn poll a as=p
spawn select a as=s
spawn epoll a as=e
spawn read a as=r
settle 20000
version
show a
ps
say --- wake ---
# the blocking reader would consume the readiness the pollers look for
kill r
wake a in nr=0
settle 20000
ps
# a reader gets what a producer writes
read a
spawn read a as=r2
settle 20000
write a 5
settle 20000
show a
events 60
PS
pollscope -f /tmp/sleepers.ps >/tmp/out 2>/tmp/err || { cat /tmp/err; cat /tmp/out; fail "pollscope -f failed"; }
cat /tmp/out
[ -s /tmp/err ] && { cat /tmp/err; fail "unexpected stderr"; }

# the module was loaded by this run (installed module, found by name)
assert_grep "module interface 1 \(loaded by pollscope\), kernel $(uname -r)" /tmp/out
assert_grep "^settled after [0-9]+ ms" /tmp/out
# wait-queue entries, decoded, linked to the waiters
assert_grep "^a: ready=none entries=4 " /tmp/out
assert_grep "poll +pollwake +[0-9]+ p +p +S +- +in" /tmp/out "poll sleeper queued by pollwake"
assert_grep "poll +pollwake +[0-9]+ s +s +S +- +in" /tmp/out "select sleeper queued by pollwake"
assert_grep "epoll +ep_poll_callback +[0-9]+ e +e +S +- +in" /tmp/out "epoll entry"
assert_grep "wait_event +autoremove_wake_function +[0-9]+ r +r +S +- +-" /tmp/out "blocking read"
# process states: state S (the wchan column is information only)
assert_grep "^ +[0-9]+  p +poll +a +S  $WCHAN" /tmp/out
assert_grep "^ +[0-9]+  s +select +a +S  $WCHAN" /tmp/out
assert_grep "^ +[0-9]+  e +epoll +a +S  $WCHAN" /tmp/out
assert_grep "^ +[0-9]+  r +read +a +S  " /tmp/out
# the wake reached everyone, and each reports what it returned
assert_grep "^woke a key=in nr=0" /tmp/out
assert_grep "^p \(pid [0-9]+\) poll returned 1 after [0-9.]+ ms: a=in$" /tmp/out
assert_grep "^s \(pid [0-9]+\) select returned 1 after [0-9.]+ ms: a=in$" /tmp/out
assert_grep "^e \(pid [0-9]+\) epoll returned 1 after [0-9.]+ ms: a=in$" /tmp/out
assert_grep "^read a: 0$" /tmp/out
assert_grep "^r2 \(pid [0-9]+\) read returned 2 bytes, value 5, after" /tmp/out
# afterwards the queue is empty: poll_freewait / epoll close / autoremove
assert_grep "^a: ready=none entries=0 " /tmp/out
# the timeline has the poll-method calls and the wake
assert_grep "poll +a +mask=none queued=1 qproc=pollwake" /tmp/out
assert_grep "poll +a +mask=none queued=1 qproc=ep" /tmp/out
assert_grep "wake +a +key=in nr=0 visited=3 woken=[0-9]+ source=wake" /tmp/out
assert_grep "write +a +value=5" /tmp/out

# nothing left: no waiter process, no object, the module unloaded
[ -n "$(pollscope_procs)" ] && { ps; fail "pollscope processes left behind"; }
grep -q '^pollscope ' /proc/modules && fail "module still loaded after the run that loaded it"
ok "sleepers, wakes and clean exit"

# --json: one object per record per line
pollscope --json -c 'create j; spawn poll j as=jp; settle 20000; show j; ps jp; wake j; settle 20000' >/tmp/json 2>&1 || { cat /tmp/json; fail "json run failed"; }
cat /tmp/json
assert_grep '^\{"type":"entry","object":"j","pos":0,"kind":"poll","func":"pollwake","pid":[0-9]+,"comm":"jp","state":"S","flags":"-","exclusive":false,"key":"in[a-z,]*","waiter":"jp"\}$' /tmp/json
assert_grep '^\{"type":"waiter","label":"jp",.*"state":"S","wchan":"[^"]+","asleep":true,"alive":true' /tmp/json
assert_grep '^\{"type":"result","label":"jp",.*"value":1,"errno":"-",.*"revents":"j=in"' /tmp/json
assert_no_grep '^[^{]' /tmp/json "a line that is not a JSON object"
ok "json"

# --module PATH and --keep-module; then an already loaded module is kept
pollscope --module "$PS_KO" --keep-module -c 'version' >/tmp/out 2>&1 || { cat /tmp/out; fail "--module"; }
assert_grep "loaded by pollscope" /tmp/out
grep -q '^pollscope ' /proc/modules || fail "--keep-module: the module was unloaded"
pollscope -c 'version; create k' >/tmp/out 2>&1 || { cat /tmp/out; fail "already loaded"; }
assert_grep "already loaded" /tmp/out
grep -q '^pollscope ' /proc/modules || fail "a module pollscope did not load was unloaded"
[ -e /sys/kernel/debug/pollscope/objects/k ] && fail "object k left behind"
pollscope --no-load -c 'show' >/tmp/out 2>&1 || { cat /tmp/out; fail "--no-load with the module loaded"; }
assert_grep "^no objects" /tmp/out
rmmod pollscope || fail "rmmod"
ok "module loading policy"
