# Fault cases: a waiter killed (SIGKILL) mid-wait in every kind of call; the
# pollscope tool killed with SIGKILL mid-session and the next run; an object
# destroyed while sleepers and inspectors hold it; an inspected process
# exiting mid-inspection; rmmod attempted while each kind of file is open.
. /tests/lib.sh

D=$PS_DIR
T=/tmp/sfault
mkdir -p $T

ctl() {
	echo "$*" >$D/control || fail "control: '$*' failed"
}
asleep() { # OBJECT PID
	grep -q "^object=$1 .*pid=$2 .*state=S" $D/queues
}
no_entries() { # OBJECT
	! grep -q "^object=$1 " $D/queues
}

# --- a waiter killed mid-wait, in every kind of call ---------------------------
load_module
ctl create k
for mode in poll ppoll select pselect epoll epoll-edge epoll-oneshot epoll-excl read; do
	pswait $mode $D/objects/k in >/dev/null &
	P=$!
	wait_for asleep k $P || fail "$mode waiter $P not asleep"
	kill -9 $P
	wait $P
	wait_for no_entries k || { cat $D/queues; fail "$mode: entry left after SIGKILL"; }
done
# one poll() with 1000 entries, killed
pswait -m 1000 poll $D/objects/k in >/dev/null &
P=$!
wait_for grep -q "^object=k pos=999 .*pid=$P .*state=S" $D/queues || fail "1000 entries not queued"
kill -9 $P
wait $P
wait_for no_entries k || fail "entries left after killing the 1000-entry poller"
# 20 sleepers killed while a wake walks the queue
pids=
for j in 1 2 3 4 5 6 7 8 9 10; do
	pswait poll $D/objects/k out >/dev/null &
	pids="$pids $!"
	pswait epoll-excl $D/objects/k out >/dev/null &
	pids="$pids $!"
done
wait_for grep -q "^object=k .* waiting=20 " $D/stats || fail "20 sleepers not queued"
ctl wake k in 0 &
kill -9 $pids
wait
wait_for no_entries k || fail "entries left after killing 20 sleepers"
assert_grep "^object=k polls=[0-9]+ queued=[0-9]+ added=([0-9]+) removed=\\1 waiting=0 " $D/stats
ctl wake k in 0
grep "type=wake .*object=k key=in nr=0 visited=0 woken=0 source=wake" $D/events >/dev/null ||
	fail "a wake after the kills still visits something"
ctl destroy k
unload_module
ok "waiters killed mid-wait (9 kinds of call, 1000 entries, during a wake) leave nothing queued"

# --- the tool killed with SIGKILL mid-session --------------------------------------
pollscope -c 'create t1; create t2; spawn poll t1 count=3; spawn epoll t2; settle 60000; sleep 120000' \
	>$T/tool1 2>&1 &
P=$!
wait_for grep -q "^object=t1 .* waiting=3 " $D/stats || { cat $T/tool1; fail "the tool's waiters not asleep"; }
wait_for grep -q "^object=t2 .* waiting=1 " $D/stats || { cat $T/tool1; fail "the tool's epoll waiter not asleep"; }
kill -9 $P
wait $P
# its waiters die with it (PR_SET_PDEATHSIG): nothing stays queued
wait_for no_entries t1 || fail "the tool's waiters on t1 outlived it"
wait_for no_entries t2 || fail "the tool's waiters on t2 outlived it"
# the module tells whose objects these were: a pollscope that has exited
assert_grep "^object=t1 .* creator=0 creator_comm=pollscope$" $D/stats
assert_grep "^object=t2 .* creator=0 creator_comm=pollscope$" $D/stats
# what the next run does today (reported, not asserted: src/ decides)
pollscope -c 'create t1; show' >$T/tool2 2>&1
echo "next run: rc=$? output:"
sed 's/^/  | /' $T/tool2
if grep -q '^object=t1 ' $D/stats && grep -q '^object=t2 ' $D/stats; then
	echo "NOTE: the next run left the crashed session's objects t1 and t2 in place"
fi
for o in $(ls $D/objects); do
	ctl destroy $o
done
rmmod pollscope 2>/dev/null || true
[ ! -d $D ] || unload_module
ok "tool killed with SIGKILL: its waiters die, its objects are marked creator=0 creator_comm=pollscope"

# --- an object destroyed while sleepers and inspectors hold it -------------------
load_module
psrace destroy-held held 12 >$T/dh || { cat $T/dh; fail "destroy-held"; }
cat $T/dh
assert_eq "$(ls $D/objects | wc -l)" 0 "objects left"
assert_grep "^objects=0 " $D/stats
ok "destroy under 5 sleepers and 2 inspectors, 12 rounds"

# --- an inspected process exiting mid-inspection ---------------------------------
ctl create ie
psrace inspect-exit ie 60 >$T/ie || { cat $T/ie; fail "inspect-exit"; }
cat $T/ie
wait_for no_entries ie || fail "entries left by the inspected processes"
ctl destroy ie
unload_module
ok "inspected processes exiting or killed mid-inspection, 60 rounds"

# --- rmmod while files are open -------------------------------------------------
load_module
ctl create r
refused() { # what is open
	if rmmod pollscope 2>/dev/null; then
		fail "rmmod succeeded while $1 was open"
	fi
	grep -q '^pollscope ' /proc/modules || fail "module gone after a refused rmmod ($1)"
	[ -e $D/control ] || fail "files gone after a refused rmmod ($1)"
}
for f in control inspect; do
	exec 3<>$D/$f
	refused $f
	exec 3<&-
done
for f in queues events stats version objects/r; do
	exec 3<$D/$f
	refused $f
	exec 3<&-
done
pswait read $D/objects/r >$T/rd &
P=$!
wait_for asleep r $P || fail "reader not asleep"
refused "a blocking reader"
echo 3 >$D/objects/r
wait $P || fail "reader: $(cat $T/rd)"
assert_grep "data=3" $T/rd
# an fd of a destroyed object still pins the module
exec 3<$D/objects/r
ctl destroy r
refused "an fd of a destroyed object"
exec 3<&-
# epoll registered on an object, the epoll instance kept by a sleeper
ctl create r
pswait epoll $D/objects/r in >/dev/null &
P=$!
wait_for asleep r $P || fail "epoll sleeper not asleep"
refused "an epoll registration"
kill -9 $P
wait $P
unload_module
ok "rmmod refused while any file (7 kinds), a sleeper, a dead object's fd or an epoll registration is open"
ok "stress-faults done"
