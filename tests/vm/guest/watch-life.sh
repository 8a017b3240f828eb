# watch: the watched file lives and dies as if unwatched. Its owner closes
# it: the watch ends (an event) within watch_check_ms, and the pipe's writer
# gets EPIPE; a signalfd whose owner exits (POLLFREE), 100 times; 1000
# watch/unwatch cycles racing writes and closes; max_watches; rmmod with
# live watches.
. /tests/lib.sh
load_module max_watches=256 events_size=16384

ends() { grep -c " object=$1 op=end reason=$2 " "$PS_DIR/events"; }

# --- a pipe's reader exits while watched: the writer gets EPIPE -----------
mkfifo /tmp/f /tmp/win
sleep 100000 </tmp/f &
R=$!
pswatch writer /tmp/f </tmp/win >/tmp/wout &
W=$!
exec 3>/tmp/win
wait_for grep -q '^ready' /tmp/wout || fail "writer did not start"
pollscope -c "watch $R 0 name=rd" >/tmp/o 2>&1 || { cat /tmp/o; fail "watch $R 0"; }
echo w >&3
wait_for grep -q '^write ok' /tmp/wout || fail "first write"
wait_for grep -q " pid=$W comm=pswatch object=rd op=wake .*queue=pipe->rd_wait key=in,rdnorm .*site=pipe_write" "$PS_DIR/events" ||
	fail "no wake of rd by the writer $W"
kill -9 $R
wait $R 2>/dev/null
# the reader's close left ours the last reference: the watch lets go
wait_for grep -q " object=rd op=end reason=closed " "$PS_DIR/events" || fail "the watch did not end when the reader exited"
echo w >&3
wait_for grep -q '^write EPIPE' /tmp/wout || { cat /tmp/wout; fail "the writer did not get EPIPE after the reader exited"; }
echo x >&3
exec 3>&-
grep " object=rd " "$PS_DIR/events"
ok "a watched pipe's reader exits: the watch ends (closed), the writer gets EPIPE"
# the same, 20 times, with the write as soon as the end event is read: the
# reader's release must come before the event, not a work item later
pswatch epipe 20 >/tmp/ep 2>&1 || { cat /tmp/ep; fail "pswatch epipe"; }
cat /tmp/ep
assert_grep "^ended=20 epipe=20$" /tmp/ep
ok "20 watched pipes closed: each write right after the end event got EPIPE"

# --- a signalfd whose owner exits while watched, 100 times ----------------
# one through the tool (it names the owner itself)
mkfifo /tmp/sin
pswatch sigowner </tmp/sin >/tmp/sout &
SP=$!
exec 4>/tmp/sin
wait_for grep -q '^ready' /tmp/sout || fail "sigowner did not start"
SFD=$(sed -n 's/^ready .* fd=\([0-9]*\).*/\1/p' /tmp/sout)
pollscope -c "watch $SP $SFD name=sigtool" >/tmp/o 2>&1 || { cat /tmp/o; fail "watch sigtool"; }
grep -q "^watch=sigtool .* owner=$SP queue=sighand->signalfd_wqh$" "$PS_DIR/watch" || { cat "$PS_DIR/watch"; fail "sigtool: owner"; }
exec 4>&-
wait $SP
wait_for grep -q " object=sigtool op=end " "$PS_DIR/events" || fail "sigtool did not end"
# then 100 more, quickly (pidfd_getfd and the watch file from a C loop)
pswatch sigloop 100 >/tmp/sl 2>&1 || { cat /tmp/sl; fail "pswatch sigloop"; }
assert_grep "^watched=100$" /tmp/sl
sig_done() { [ "$(grep -Ec " object=sig[0-9]+ op=end " "$PS_DIR/events")" = 100 ]; }
wait_for sig_done || fail "not every signalfd watch ended: $(grep -Ec " object=sig[0-9]+ op=end " "$PS_DIR/events") of 100"
PF=$(grep -Ec " object=sig[0-9]+ op=end reason=pollfree " "$PS_DIR/events")
CL=$(grep -Ec " object=sig[0-9]+ op=end reason=closed " "$PS_DIR/events")
PE=$(grep -Ec " object=sig[0-9]+ op=pollfree .*key=[^ ]*hup" "$PS_DIR/events")
echo "signalfd owners exited: ended 100 (pollfree $PF, closed first $CL), pollfree events $PE"
[ "$PF" -ge 1 ] || fail "no watch ended through POLLFREE"
assert_eq "$PE" "$PF" "pollfree events vs watches ended by pollfree"
[ -z "$(cat "$PS_DIR/watch")" ] || { cat "$PS_DIR/watch"; fail "watches left"; }
ok "signalfd owners exit while watched (100): every watch ended, $PF through POLLFREE"

# --- 1000 watch/unwatch cycles racing writes and closes -------------------
pswatch race 1000 >/tmp/race 2>&1 || { cat /tmp/race; fail "pswatch race"; }
cat /tmp/race
assert_grep "^added=1000 deleted=750 enospc=0$" /tmp/race
race_done() { [ "$(grep -Ec " object=race[0-9]+ op=end " "$PS_DIR/events")" = 1000 ]; }
wait_for race_done || fail "race: $(grep -Ec " object=race[0-9]+ op=end " "$PS_DIR/events") of 1000 watches ended"
assert_eq "$(grep -Ec " object=race[0-9]+ op=end reason=closed " "$PS_DIR/events")" 250 "watches ended by the close"
[ -z "$(cat "$PS_DIR/watch")" ] || fail "race: watches left"
ok "1000 watch/unwatch cycles racing writes and closes: 750 unwatched, 250 ended by the close"
unload_module

# --- max_watches: the next watch is refused and nothing changes -----------
load_module max_watches=2
mkfifo /tmp/in
rm -f /tmp/out # not an earlier run's output: start_shape in lib.sh
pswatch obj eventfd </tmp/in >/tmp/out &
P=$!
exec 3>/tmp/in
wait_for grep -q '^ready' /tmp/out || fail "pswatch obj"
FD=$(sed -n 's/^ready .* fd=\([0-9]*\).*/\1/p' /tmp/out)
pollscope -c "watch $P $FD name=a; watch $P $FD name=b" >/tmp/o 2>&1 || { cat /tmp/o; fail "two watches"; }
pollscope -c "watch $P $FD name=c" >/tmp/o 2>&1 && fail "a third watch under max_watches=2"
cat /tmp/o
assert_grep "too many watches \(the module's max_watches\)" /tmp/o
pollscope -c "watch $P $FD name=a" >/tmp/o 2>&1 && fail "a second watch named a"
assert_grep "a watch named 'a' exists" /tmp/o
assert_eq "$(grep -c '' "$PS_DIR/watch")" 2 "watches after the refusals"
ok "max_watches=2: a third is refused, a duplicate name too, nothing changed"

# --- rmmod with live watches: clean, and the file is as it was ------------
echo p >&3
wait_for grep -q '^poller' /tmp/out || fail "poller"
POLLER=$(sed -n 's/^poller pid=\([0-9]*\)/\1/p' /tmp/out)
wait_for grep -q '^State:.S' "/proc/$POLLER/status" || fail "poller not asleep"
unload_module
load_module
pollscope -c "inspect $P $FD" >/tmp/i 2>&1 || { cat /tmp/i; fail "inspect after rmmod"; }
cat /tmp/i
# only the poller's entry is left on the eventfd's queue
assert_grep "^  head 0: eventfd ctx->wqh, 1 entry$" /tmp/i
echo w >&3
wait_for grep -q 'done w' /tmp/out || fail "write after rmmod"
echo k >&3
echo x >&3
exec 3>&-
unload_module
ok "rmmod with live watches: clean; the eventfd keeps only its poller's entry"
