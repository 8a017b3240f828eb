# pollscope.ko: sleepers of every kind in `queues`, keyed wakeups, exclusive
# wakeups, ready without wake (lost wakeup), destroy with sleepers, blocking
# read/write, edge and oneshot epoll.  Helper programs: pswait, psctl.
. /tests/lib.sh

D=$PS_DIR
T=/tmp/sleepers
# what an ep_poll_callback entry adds: its instance, the fd number, the
# thread asleep in its epoll_wait (module-epoll.sh checks them); kernels
# whose epoll layout the module does not know say so
case $(uname -r) in
6.1.*) EPS=" epoll=[0-9a-f]{16} tfd=[0-9]+ sleepers=1\$" ;;
*) EPS=" epoll=unknown\$" ;;
esac
mkdir -p $T

ctl() {
	echo "$*" >$D/control || fail "control: '$*' failed"
}

# sleeping OBJ: entries of OBJ whose task sleeps
sleeping() {
	grep -c "^object=$1 .*state=S" $D/queues
}
has_sleeping() {
	[ "$(sleeping "$1")" -ge "$2" ]
}
wait_sleeping() {
	wait_for has_sleeping "$1" "$2" || {
		cat $D/queues
		fail "expected $2 sleepers on $1"
	}
}
# entries OBJ: all entries of OBJ
entries() {
	grep -c "^object=$1 " $D/queues
}
has_entries() {
	[ "$(entries "$1")" -eq "$2" ]
}
# result PID FILE: wait for a pswait and check its exit status and output
result() {
	wait "$1"
	rc=$?
	[ "$rc" = "$2" ] || {
		cat "$3"
		fail "pswait $1 ($3) exited $rc, want $2"
	}
	[ -z "$4" ] || assert_grep "$4" "$3"
}
# still_asleep PID FILE: the process has not returned
still_asleep() {
	kill -0 "$1" 2>/dev/null || fail "pswait $1 ($2) returned too early: $(cat "$2")"
	[ ! -s "$2" ] || fail "pswait $1 printed too early: $(cat "$2")"
}
# last wake event of OBJ
last_wake() {
	grep "type=wake .*object=$1 " $D/events | tail -n 1
}

load_module

# --- 1. every kind of sleeper, with func, kind, pid, state, flags, key ----
ctl create o1
pswait poll $D/objects/o1 in 30000 >$T/poll.out &
P_POLL=$!
pswait ppoll $D/objects/o1 in 30000 >$T/ppoll.out &
P_PPOLL=$!
pswait select $D/objects/o1 in 30000 >$T/select.out &
P_SEL=$!
pswait pselect $D/objects/o1 in 30000 >$T/pselect.out &
P_PSEL=$!
pswait epoll $D/objects/o1 in 30000 >$T/epoll.out &
P_EP=$!
pswait epoll-edge $D/objects/o1 in 30000 >$T/edge.out &
P_EDGE=$!
pswait epoll-oneshot $D/objects/o1 in 30000 >$T/oneshot.out &
P_ONE=$!
pswait epoll-excl $D/objects/o1 in 30000 >$T/excl.out &
P_EXCL=$!
ctl create o2
pswait read $D/objects/o2 >$T/read.out &
P_READ=$!
wait_sleeping o1 8
wait_sleeping o2 1
cat $D/queues >$T/q1
cat $T/q1

E="^object=o1 pos=[0-9]+ "
assert_grep "${E}func=pollwake kind=poll pid=$P_POLL comm=pswait state=S flags=- key=in,err,hup\$" $T/q1
assert_grep "${E}func=pollwake kind=poll pid=$P_PPOLL comm=pswait state=S flags=- key=in,err,hup\$" $T/q1
# select: POLLIN_SET | POLLEX_SET, EPOLLNVAL (0x20) has no MASK name
assert_grep "${E}func=pollwake kind=poll pid=$P_SEL comm=pswait state=S flags=- key=in,pri,err,hup,rdnorm,rdband,0x20\$" $T/q1
assert_grep "${E}func=pollwake kind=poll pid=$P_PSEL comm=pswait state=S flags=- key=in,pri,err,hup,rdnorm,rdband,0x20\$" $T/q1
# epoll: the registrant, its state, and the registered events (EPOLLET etc. in hex)
assert_grep "${E}func=ep_poll_callback kind=epoll pid=$P_EP comm=pswait state=S flags=- key=in,err,hup$EPS" $T/q1
assert_grep "${E}func=ep_poll_callback kind=epoll pid=$P_EDGE comm=pswait state=S flags=- key=in,err,hup,0x80000000$EPS" $T/q1
assert_grep "${E}func=ep_poll_callback kind=epoll pid=$P_ONE comm=pswait state=S flags=- key=in,err,hup,0x40000000$EPS" $T/q1
assert_grep "${E}func=ep_poll_callback kind=epoll pid=$P_EXCL comm=pswait state=S flags=exclusive key=in,err,hup,0x10000000$EPS" $T/q1
assert_grep "^object=o2 pos=0 func=autoremove_wake_function kind=wait_event pid=$P_READ comm=pswait state=S flags=- key=-\$" $T/q1
# the exclusive entry is queued at the tail (add_wait_queue_exclusive)
assert_grep "^object=o1 pos=7 .*flags=exclusive" $T/q1
assert_eq "$(grep -c . $T/q1)" 9 "entries in queues"
ok "all sleeper kinds listed"

# --- 2. a non-matching key wakes no pollwake sleeper ------------------------
ctl wake o1 out 0
last_wake o1 >$T/w
cat $T/w
# 8 entries visited; pollwake returns 0 for all four; ep_poll_callback returns
# 1 for non-exclusive entries even when it filters the event out (as in the
# kernel), 0 for the exclusive one.
assert_grep "key=out nr=0 visited=8 woken=3 source=wake" $T/w
for p in "$P_POLL poll" "$P_PPOLL ppoll" "$P_SEL select" "$P_PSEL pselect" "$P_EP epoll" \
	"$P_EDGE edge" "$P_ONE oneshot" "$P_EXCL excl"; do
	set -- $p
	still_asleep "$1" "$T/$2.out"
done
wait_sleeping o1 8
ok "non-matching key woke nobody"

# --- 3. the matching key wakes them all (nr=0: the exclusive one too) -------
ctl wake o1 in 0
result $P_POLL 0 $T/poll.out "ret=1 revents=in$"
result $P_PPOLL 0 $T/ppoll.out "ret=1 revents=in$"
result $P_SEL 0 $T/select.out "ret=1 revents=in$"
result $P_PSEL 0 $T/pselect.out "ret=1 revents=in$"
result $P_EP 0 $T/epoll.out "ret=1 revents=in$"
result $P_EDGE 0 $T/edge.out "ret=1 revents=in$"
result $P_ONE 0 $T/oneshot.out "ret=1 revents=in$"
result $P_EXCL 0 $T/excl.out "ret=1 revents=in$"
last_wake o1 | grep -q "key=in nr=0 visited=8 woken=8 source=wake" || {
	grep type=wake $D/events
	fail "wake o1 in 0 should visit and wake 8"
}
wait_for has_entries o1 0 || fail "o1 queue not empty after all returned"
ok "matching key woke every sleeper"

# --- 4. blocking read woken by a write, which is a keyed wake --------------
echo 5 >$D/objects/o2 || fail "write to o2"
result $P_READ 0 $T/read.out "ret=2 data=5$"
grep "type=write .*object=o2 value=5" $D/events || fail "no write event"
last_wake o2 | grep -q "key=in,rdnorm nr=1 visited=1 woken=1 source=write" || fail "write wake event"
ok "blocking read woken by write"

# --- 5. keyed wakes wake exactly the matching sleepers ----------------------
ctl create o3
pswait poll $D/objects/o3 in 30000 >$T/a.out &
A=$!
pswait poll $D/objects/o3 out 30000 >$T/b.out &
B=$!
pswait poll $D/objects/o3 pri 30000 >$T/c.out &
C=$!
pswait epoll $D/objects/o3 out 30000 >$T/d.out &
DD=$!
pswait select $D/objects/o3 out 30000 >$T/e.out &
EE=$!
wait_sleeping o3 5
ctl wake o3 out 0
result $B 0 $T/b.out "ret=1 revents=out$"
result $DD 0 $T/d.out "ret=1 revents=out$"
result $EE 0 $T/e.out "ret=1 revents=out$"
still_asleep $A $T/a.out
still_asleep $C $T/c.out
wait_sleeping o3 2
ctl wake o3 in 0
result $A 0 $T/a.out "ret=1 revents=in$"
still_asleep $C $T/c.out
ctl wake o3 pri 0
result $C 0 $T/c.out "ret=1 revents=pri$"
ok "keyed wakes woke exactly the matching sleepers"

# --- 6. EPOLLEXCLUSIVE: wake o4 in 1 wakes exactly one of three -------------
ctl create o4
for i in 1 2 3; do
	pswait epoll-excl $D/objects/o4 in 30000 >$T/x$i.out &
	eval X$i=$!
	# one at a time, so that the queue order is known
	wait_sleeping o4 $i
done
ctl wake o4 in 1
result $X1 0 $T/x1.out "ret=1 revents=in$"
last_wake o4 | grep -q "key=in nr=1 visited=1 woken=1 source=wake" || {
	grep type=wake $D/events
	fail "wake o4 in 1 should stop after the first exclusive entry"
}
sleep 1
still_asleep $X2 $T/x2.out
still_asleep $X3 $T/x3.out
wait_sleeping o4 2
ctl wake o4 in 1
result $X2 0 $T/x2.out "ret=1 revents=in$"
sleep 1
still_asleep $X3 $T/x3.out
ctl wake o4 in 0
result $X3 0 $T/x3.out "ret=1 revents=in$"
ok "exclusive wake woke exactly one at a time"

# --- 7. ready without wake: sleepers stay asleep until their timeout -------
# poll and select re-poll once when their timeout expires and only then see
# the readiness; epoll has nothing on its ready list and returns 0. Each
# call's own time (pswait -t) tells a timeout from a wake, however slow the
# kernel or the host: a sleeper woken by the ready would return before it.
TO=$((5000 * PS_TIMEOUT_MULT))
ctl create o5
pswait -t poll $D/objects/o5 in $TO >$T/l1.out &
L1=$!
pswait -t epoll $D/objects/o5 in $TO >$T/l2.out &
L2=$!
pswait -t select $D/objects/o5 in $TO >$T/l3.out &
L3=$!
wait_sleeping o5 3
ctl ready o5 in
grep "type=ready .*object=o5 mask=in old=none" $D/events || fail "no ready event"
# a new poll sees the readiness at once: only the wakeup was lost
pswait poll $D/objects/o5 in 0 >$T/l4.out || fail "a fresh poll should see in"
assert_grep "ret=1 revents=in$" $T/l4.out
result $L1 0 $T/l1.out "ret=1 revents=in$"
result $L2 1 $T/l2.out "ret=0 revents=none$"
result $L3 0 $T/l3.out "ret=1 revents=in$"
for f in l1 l2 l3; do
	el=$(sed -n 's/^pswait pid=[0-9]* elapsed_ms=//p' $T/$f.out)
	[ -n "$el" ] && [ "$el" -ge $TO ] || fail "$f returned after ${el:-?} ms, before its $TO ms timeout"
done
assert_no_grep "type=wake .*object=o5 " $D/events
ok "ready without wake: sleepers slept until their timeout (lost wakeup)"

# --- 8. edge-triggered and oneshot epoll report once, level twice ----------
ctl create o7
pswait -n 2 epoll $D/objects/o7 in 3000 >$T/lt.out &
LT=$!
pswait -n 2 epoll-edge $D/objects/o7 in 3000 >$T/et.out &
ET=$!
pswait -n 2 epoll-oneshot $D/objects/o7 in 3000 >$T/os.out &
OS=$!
wait_sleeping o7 3
ctl wake o7 in 0
result $LT 0 $T/lt.out "ret=1 revents=in$"
assert_eq "$(grep -c 'ret=1 revents=in' $T/lt.out)" 2 "level-triggered epoll reports twice"
result $ET 1 $T/et.out "ret=0 revents=none$"
assert_eq "$(grep -c 'ret=1 revents=in' $T/et.out)" 1 "edge-triggered epoll reports once"
result $OS 1 $T/os.out "ret=0 revents=none$"
assert_eq "$(grep -c 'ret=1 revents=in' $T/os.out)" 1 "oneshot epoll reports once"
ok "edge, oneshot and level epoll semantics"

# --- 9. destroy with sleepers: everyone gets HUP ----------------------------
ctl create o6
pswait poll $D/objects/o6 in 30000 >$T/h1.out &
H1=$!
pswait select $D/objects/o6 in 30000 >$T/h2.out &
H2=$!
pswait epoll $D/objects/o6 in 30000 >$T/h3.out &
H3=$!
pswait epoll-excl $D/objects/o6 in 30000 >$T/h4.out &
H4=$!
pswait read $D/objects/o6 >$T/h5.out &
H5=$!
pswait ppoll $D/objects/o6 out 30000 >$T/h6.out &
H6=$!
wait_sleeping o6 6
ctl destroy o6
[ ! -e $D/objects/o6 ] || fail "objects/o6 still there after destroy"
result $H1 0 $T/h1.out "ret=1 revents=err,hup$"
# select reports hangup as readable (POLLIN_SET includes hup and err)
result $H2 0 $T/h2.out "ret=1 revents=in$"
result $H3 0 $T/h3.out "ret=1 revents=err,hup$"
result $H4 0 $T/h4.out "ret=1 revents=err,hup$"
result $H5 3 $T/h5.out "ret=0 data=-$"
result $H6 0 $T/h6.out "ret=1 revents=err,hup$"
grep "type=wake .*object=o6 key=err,hup nr=0 visited=6 woken=6 source=destroy" $D/events ||
	fail "destroy wake event"
grep "type=destroy .*object=o6 waiters=6" $D/events || fail "destroy event"
assert_no_grep "^object=o6 " $D/queues
ok "destroy woke every sleeper with hup"

# --- 10. poll on events wakes when something happens ------------------------
pswait -d poll $D/events in 1500 >$T/ev0.out
[ $? = 1 ] || fail "events poll with nothing happening should time out: $(cat $T/ev0.out)"
pswait -d poll $D/events in 30000 >$T/ev.out &
EV=$!
wait_for sh -c "psinspect -t 1 open $D/events 1 | grep -q 'pid=$EV comm=pswait state=S'" ||
	fail "events poller not asleep"
still_asleep $EV $T/ev.out
ctl create o8
result $EV 0 $T/ev.out "ret=1 revents=in$"
ok "poll on events woke on a new record"

# --- 11. epoll registrants stay right when entries come and go -------------
# (a closed epoll frees its entry; the next one is likely at the same address)
ctl create o9
for round in 1 2 3; do
	pswait epoll $D/objects/o9 in 30000 >/dev/null &
	G1=$!
	pswait epoll-excl $D/objects/o9 in 30000 >/dev/null &
	G2=$!
	pswait epoll $D/objects/o9 out 30000 >/dev/null &
	G3=$!
	wait_sleeping o9 3
	cat $D/queues >$T/q9
	assert_eq "$(grep -c '^object=o9 ' $T/q9)" 3 "o9 entries, round $round"
	assert_grep "^object=o9 pos=[01] func=ep_poll_callback kind=epoll pid=$G1 comm=pswait state=S flags=- key=in,err,hup$EPS" $T/q9
	assert_grep "^object=o9 pos=2 func=ep_poll_callback kind=epoll pid=$G2 comm=pswait state=S flags=exclusive key=in,err,hup,0x10000000$EPS" $T/q9
	assert_grep "^object=o9 pos=[01] func=ep_poll_callback kind=epoll pid=$G3 comm=pswait state=S flags=- key=out,err,hup$EPS" $T/q9
	kill $G1 $G2 $G3
	wait $G1 $G2 $G3
	wait_for has_entries o9 0 || fail "o9 entries left after the epoll processes died"
done
ok "epoll registrants tracked across closes"

# runs of identical entries (one poll() passing the same fd 3 times) are
# copied as one record and listed entry by entry, interleaved correctly
# (add_wait_queue puts each new entry first)
ctl create o10
pswait -m 3 poll $D/objects/o10 in 30000 >/dev/null &
R1=$!
wait_sleeping o10 3
pswait read $D/objects/o10 >/dev/null &
R2=$!
wait_sleeping o10 4
pswait -m 2 poll $D/objects/o10 out 30000 >/dev/null &
R3=$!
wait_sleeping o10 6
pswait -m 2 poll $D/objects/o10 in 30000 >/dev/null &
R4=$!
wait_sleeping o10 8
grep '^object=o10 ' $D/queues | sed 's/ comm=.*key=/ key=/' >$T/q10
printf '%s\n' "object=o10 pos=0 func=pollwake kind=poll pid=$R4 key=in,err,hup" \
	"object=o10 pos=1 func=pollwake kind=poll pid=$R4 key=in,err,hup" \
	"object=o10 pos=2 func=pollwake kind=poll pid=$R3 key=out,err,hup" \
	"object=o10 pos=3 func=pollwake kind=poll pid=$R3 key=out,err,hup" \
	"object=o10 pos=4 func=autoremove_wake_function kind=wait_event pid=$R2 key=-" \
	"object=o10 pos=5 func=pollwake kind=poll pid=$R1 key=in,err,hup" \
	"object=o10 pos=6 func=pollwake kind=poll pid=$R1 key=in,err,hup" \
	"object=o10 pos=7 func=pollwake kind=poll pid=$R1 key=in,err,hup" >$T/q10.want
cmp -s $T/q10 $T/q10.want || {
	diff $T/q10.want $T/q10
	fail "runs of entries listed wrongly"
}
# the same through inspect, and a dd with a tiny buffer (seq_file restarts mid-run)
assert_eq "$(dd if=$D/queues bs=7 2>/dev/null | grep -c '^object=o10 ')" 8 "queues read 7 bytes at a time"
assert_eq "$(dd if=$D/queues bs=7 2>/dev/null | md5sum)" "$(cat $D/queues | md5sum)" "queues read in small pieces"
psinspect open $D/objects/o10 8 >$T/i10 || {
	cat $T/i10
	fail "inspect of o10"
}
assert_grep "^head=0 entries=8$" $T/i10
assert_eq "$(grep -c "^head=0 pos=[01] .*pid=$R4 " $T/i10)" 2 "inspect lists the first run"
assert_eq "$(grep -c "^head=0 pos=[567] .*pid=$R1 " $T/i10)" 3 "inspect lists the last run"
assert_grep "^head=0 pos=4 func=autoremove_wake_function kind=wait_event pid=$R2 " $T/i10
kill $R1 $R2 $R3 $R4
wait $R1 $R2 $R3 $R4
ok "runs of identical entries listed entry by entry"

wait
for o in o1 o2 o3 o4 o5 o7 o8 o9 o10; do ctl destroy $o; done
assert_eq "$(grep -c . $D/queues)" 0 "queues empty at the end"
unload_module
ok "module-sleepers done"
