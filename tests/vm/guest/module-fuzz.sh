# pollscope.ko under random input and concurrency: 20,000 random and mutated
# command lines checked against a model (errno, and that failed commands
# change nothing) while children poll, epoll, read and write the objects;
# then several fuzzers at once on the same names (create/destroy/wake races);
# then long queues (wake walk with bookmarks, snapshots of 20000 entries).
# The harness checks dmesg (slub_debug, DEBUG_LIST) after the script.
. /tests/lib.sh

D=$PS_DIR
T=/tmp/fuzz
mkdir -p $T

# --- model-checked fuzz, ENOSPC included (8 names, room for 5) ---------------
load_module max_objects=5
# a third on the debug kernel (as stress-fuzz.sh)
n=$((20000 / PS_TIMEOUT_MULT))
psfuzz -n $n -s 1 -c 3 -m 5 >$T/f1 || {
	cat $T/f1
	fail "psfuzz found a mismatch"
}
cat $T/f1
# the run must have exercised every outcome
for k in ok einval enoent eexist enametoolong enospc; do
	n=$(sed -n "s/.* $k=\([0-9]*\) .*/\1/p" $T/f1)
	[ "${n:-0}" -gt 0 ] || fail "psfuzz produced no $k"
done
assert_grep " other=0 " $T/f1
assert_eq "$(ls $D/objects | wc -l)" 0 "objects left after psfuzz"
assert_eq "$(grep -c . $D/queues)" 0 "queues after psfuzz"
assert_grep "^objects=0 " $D/stats
unload_module
ok "$n fuzzed control lines"

# --- four fuzzers at once on the same names ------------------------------------
load_module
pids=
for s in 11 12 13 14; do
	psfuzz -R -n $((3000 / PS_TIMEOUT_MULT)) -s $s -c 2 >$T/r$s &
	pids="$pids $!"
done
rc=0
for j in $pids; do
	wait $j || rc=1
done
cat $T/r1*
[ $rc = 0 ] || fail "a racing psfuzz failed"
for o in $(ls $D/objects); do
	echo "destroy $o" >$D/control || fail "destroy $o"
done
assert_eq "$(grep -c . $D/queues)" 0 "queues after racing fuzzers"
unload_module
ok "concurrent fuzzers"

# --- a long queue: 300 pollers on one object -------------------------------------
# (the wake walk drops the lock every 64 entries through a bookmark)
load_module
echo "create big" >$D/control
i=0
pids=
while [ $i -lt 300 ]; do
	pswait poll $D/objects/big in $((120000 * PS_TIMEOUT_MULT)) >/dev/null &
	pids="$pids $!"
	i=$((i + 1))
done
i=0
while [ "$(grep -c '^object=big .*state=S' $D/queues)" -lt 300 ]; do
	i=$((i + 1))
	[ $i -lt $((120 * PS_TIMEOUT_MULT)) ] || fail "300 pollers not asleep: $(grep -c '^object=big ' $D/queues)"
	sleep 1
done
assert_grep "^object=big pos=299 func=pollwake " $D/queues
echo "wake big in" >$D/control
rc=0
for j in $pids; do
	wait $j || rc=1
done
[ $rc = 0 ] || fail "a poller did not see in"
grep "type=wake .*object=big key=in nr=1 visited=300 woken=300 source=wake" $D/events ||
	fail "the walk did not visit 300"
assert_grep "^object=big polls=600 queued=300 added=300 removed=300 waiting=0 wakes=1 woken=300 " $D/stats
unload_module
ok "300 sleepers on one queue"

# --- a very long queue: 20000 entries queued by one poll() -------------------
# (a ring big enough to keep the wake record among the 40000 poll records)
load_module events_size=65536
echo "create huge" >$D/control
pswait -m 20000 poll $D/objects/huge in $((300000 * PS_TIMEOUT_MULT)) >$T/huge &
H=$!
i=0
until grep -q '^object=huge pos=19999 .* state=S ' $D/queues; do
	i=$((i + 1))
	[ $i -lt $((120 * PS_TIMEOUT_MULT)) ] || fail "20000 entries not queued: $(grep -c '^object=huge ' $D/queues)"
	sleep 1
done
cat $D/queues >$T/hq
assert_eq "$(grep -c "^object=huge pos=[0-9]* func=pollwake kind=poll pid=$H comm=pswait state=S flags=- key=in,err,hup\$" $T/hq)" \
	20000 "entries listed"
assert_grep "^object=huge polls=20000 queued=20000 added=20000 removed=0 waiting=20000 " $D/stats
echo "wake huge in" >$D/control
wait $H || fail "huge poller: $(cat $T/huge)"
assert_grep "ret=20000 revents=in$" $T/huge
# the task is woken by the first entry; the others find it running
grep -E "type=wake .*object=huge key=in nr=1 visited=[0-9]+ woken=1 source=wake" $D/events >$T/hw ||
	fail "wake of the long queue"
cat $T/hw
assert_grep "^object=huge polls=40000 queued=20000 added=20000 removed=20000 waiting=0 " $D/stats
assert_eq "$(grep -c . $D/queues)" 0 "long queue emptied"
cat $D/stats
unload_module
ok "20000 entries on one queue"
ok "module-fuzz done"
