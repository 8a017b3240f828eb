# pollscope.ko: load/unload, module parameters, every control error and that
# a failed command changes nothing, object file semantics, destroy with open
# files, rmmod refused while files are open, unload with objects left,
# events (sequence numbers, types, fields, lost records) and stats counters.
. /tests/lib.sh

D=$PS_DIR
T=/tmp/control
mkdir -p $T

ctl() {
	echo "$*" >$D/control || fail "control: '$*' failed"
}
# the kernel release as an extended regex (Debian's can contain '+')
REL=$(uname -r | sed 's/[.+]/\\&/g')
# expect_ctl ERRNO|OK ARG: one write(2) of ARG (escapes: \n \0 \xHH)
expect_ctl() {
	want=$1
	shift
	got=$(psctl $D/control "$1")
	[ "$got" = "$want" ] || fail "control '$1': got '$got', want '$want'"
}
objects() {
	ls $D/objects | tr '\n' ' '
}
stat_of() {
	grep "^object=$1 " $D/stats
}
stats_match() {
	stat_of "$1" | grep -Eq -- "$2"
}
expect_stats() {
	wait_for stats_match "$1" "$2" || {
		cat $D/stats
		fail "stats of $1: want /$2/"
	}
}
sleeping() {
	[ "$(grep -c "^object=$1 .*state=S" $D/queues)" -ge "$2" ]
}

# --- load and unload five times, with objects left behind each time -------
i=1
while [ $i -le 5 ]; do
	load_module
	ctl create obj$i
	ctl create other
	ctl ready obj$i in
	ctl wake other out 0
	echo 7 >$D/objects/obj$i || fail "write obj$i"
	unload_module
	i=$((i + 1))
done
ok "loaded and unloaded 5 times with objects left"

# --- module parameters ------------------------------------------------------
for bad in max_objects=0 max_objects=65537 events_size=15 events_size=262145 max_objects=x; do
	if insmod "$PS_KO" $bad 2>/dev/null; then
		rmmod pollscope
		fail "insmod $bad should fail"
	fi
	[ ! -d $D ] || fail "$D exists after a failed insmod $bad"
done
ok "out-of-range parameters refused"

load_module max_objects=3
assert_grep "^interface=1 release=$REL max_objects=3 events_size=4096$" $D/version
expect_ctl OK "create x1"
expect_ctl OK "create x2"
expect_ctl OK "create x3"
expect_ctl ENOSPC "create x4"
expect_ctl EEXIST "create x1"
expect_ctl ENAMETOOLONG "create abcdefghijabcdefghijabcdefghijab"
expect_ctl EINVAL "create x/4"
assert_eq "$(objects)" "x1 x2 x3 " "objects after ENOSPC"
expect_ctl OK "destroy x2"
expect_ctl OK "create x4"
assert_grep "^objects=3 max_objects=3 " $D/stats
unload_module
ok "max_objects gives ENOSPC"

# --- version ----------------------------------------------------------------
load_module
cat $D/version
assert_grep "^interface=1 release=$REL max_objects=256 events_size=4096$" $D/version
assert_grep "^flag=exclusive value=0x01$" $D/version
assert_grep "^flag=woken value=0x02$" $D/version
assert_grep "^flag=priority value=0x[0-9a-f]+$" $D/version
for e in in=0x1 out=0x4 pri=0x2 err=0x8 hup=0x10 rdnorm=0x40 rdband=0x80 wrnorm=0x100 \
	wrband=0x200 msg=0x400 rdhup=0x2000; do
	assert_grep "^event=${e%=*} value=${e#*=}$" $D/version
done
assert_eq "$(grep -c '^event=' $D/version)" 11 "event lines"
ok "version"

# --- control errors ---------------------------------------------------------
N31=abcdefghijabcdefghijabcdefghij1
N32=abcdefghijabcdefghijabcdefghij12
expect_ctl OK "create a"
expect_ctl OK "ready a in"
cp $D/events $T/ev.before
stat_of a >$T/a.before

expect_ctl EINVAL ""
expect_ctl EINVAL "\n"
expect_ctl EINVAL "   \t "
expect_ctl EINVAL "create"
expect_ctl EINVAL "create b c"
expect_ctl EINVAL "frobnicate a"
expect_ctl EINVAL "CREATE b"
expect_ctl EINVAL "create b\0"
expect_ctl EINVAL "create\0b"
expect_ctl EINVAL "create b\nc"
expect_ctl EINVAL "create b\n\n"
expect_ctl EINVAL "create ."
expect_ctl EINVAL "create .."
expect_ctl EINVAL "create b/c"
expect_ctl EINVAL "create b=c"
expect_ctl EINVAL "create b\xff"
expect_ctl EINVAL "create b\x01"
expect_ctl ENAMETOOLONG "create $N32"
expect_ctl ENAMETOOLONG "destroy $N32"
expect_ctl EEXIST "create a"
expect_ctl ENOENT "destroy nosuch"
expect_ctl ENOENT "ready nosuch in"
expect_ctl ENOENT "wake nosuch in"
expect_ctl ENOENT "wake nosuch in 3"
expect_ctl EINVAL "wake nosuch bogus"
expect_ctl EINVAL "destroy"
expect_ctl EINVAL "destroy a a"
expect_ctl EINVAL "ready a"
expect_ctl EINVAL "ready a bogus"
expect_ctl EINVAL "ready a IN"
expect_ctl EINVAL "ready a in,,out"
expect_ctl EINVAL "ready a in,"
expect_ctl EINVAL "ready a ,in"
expect_ctl EINVAL "ready a |"
expect_ctl EINVAL "ready a none,in"
expect_ctl EINVAL "ready a 0x"
expect_ctl EINVAL "ready a 0x0x10"
expect_ctl EINVAL "ready a 0X0x1"
expect_ctl EINVAL "ready a 0x4000"
expect_ctl EINVAL "ready a 0x8000"
expect_ctl EINVAL "ready a 4294967296"
expect_ctl EINVAL "ready a -1"
expect_ctl EINVAL "ready a +1"
expect_ctl EINVAL "ready a in out"
expect_ctl EINVAL "wake a"
expect_ctl EINVAL "wake a in -1"
expect_ctl EINVAL "wake a in +1"
expect_ctl EINVAL "wake a in x"
expect_ctl EINVAL "wake a in 1 2"
expect_ctl EINVAL "wake a in 2147483648"
expect_ctl EINVAL "wake a in 99999999999999999999"
# oversized writes: 127 bytes is the limit
pad=$(printf '%115s' '')
expect_ctl OK "create${pad}b12345"
expect_ctl EINVAL "create ${pad}b12346"
[ "$(psctl -s 128 $D/control)" = EINVAL ] || fail "128-byte write"
[ "$(psctl -s 1000000 $D/control)" = EINVAL ] || fail "1 MB write"
# a command split over two writes is two bad commands
[ "$(psctl $D/control "crea" "te p1" | tr '\n' ' ')" = "EINVAL EINVAL " ] || fail "split command"
# failed commands changed nothing: same objects, same state, no event
assert_eq "$(objects)" "a b12345 " "objects after failed commands"
stat_of a >$T/a.after
assert_eq "$(cat $T/a.after)" "$(cat $T/a.before)" "object a after failed commands"
cp $D/events $T/ev.after
assert_eq "$(grep -c . $T/ev.after)" "$(($(grep -c . $T/ev.before) + 1))" \
	"events: only the create of b12345 may be new"
assert_grep "type=create .*object=b12345$" $T/ev.after
# accepted spellings
expect_ctl OK "ready a in|out"
stats_match a "ready=in,out " || fail "ready a in|out"
expect_ctl OK "ready a 0x5"
stats_match a "ready=in,out " || fail "ready a 0x5"
expect_ctl OK "ready a 8193"
stats_match a "ready=in,rdhup " || fail "ready a 8193"
expect_ctl OK "wake a rdnorm,0x2000 3"
stats_match a "ready=in,rdnorm,rdhup " || fail "wake a rdnorm,0x2000"
expect_ctl OK "ready a none"
expect_ctl OK " \tready\ta  0  \n"
stats_match a "ready=none " || fail "ready a 0"
expect_ctl OK "wake a none"
expect_ctl OK "wake a in 0"
expect_ctl OK "wake a in 2147483647"
expect_ctl OK "create $N31"
expect_ctl OK "create B.c-d_E9\n"
expect_ctl OK "destroy $N31"
expect_ctl OK "destroy b12345"
ok "control errors, and failed commands change nothing"

# --- object files -------------------------------------------------------------
ctl create r
assert_eq "$(psctl -N -r $D/objects/r)" "READ EAGAIN" "non-blocking read of an empty object"
psctl $D/objects/r 5 "" "\n" x -1 "1 2" 0x5 "5\0" "5\n\n" "+5" 18446744073709551615 >$T/w
assert_eq "$(tr '\n' ' ' <$T/w)" "OK OK OK EINVAL EINVAL EINVAL EINVAL EINVAL EINVAL EINVAL EOVERFLOW " \
	"object writes"
[ "$(psctl -s 24 $D/objects/r)" = EINVAL ] || fail "24-byte object write"
expect_stats r "count=7 open=0 creator=[0-9]+ creator_comm=[^ ]+$"
stats_match r "ready=in,rdnorm " || fail "write makes the object readable"
# a buffer too small for "7\n" is refused and consumes nothing
if dd if=$D/objects/r of=/dev/null bs=1 count=1 2>$T/dd; then
	fail "a 1-byte read should fail"
fi
assert_grep "Invalid argument" $T/dd
stats_match r "count=7 " || fail "a refused read consumed the counter"
assert_eq "$(psctl -N -r $D/objects/r | tr '\n' ' ')" "7 READ EAGAIN " "read consumes"
stats_match r "ready=none count=0 " || fail "read clears in,rdnorm and the counter"
ok "object read and write"

# --- destroy with an open file; rmmod refused while files are open ---------
exec 6<>$D/objects/r
ctl destroy r
[ ! -e $D/objects/r ] || fail "objects/r still listed after destroy"
pswait poll fd:6 in 0 >$T/p6
assert_grep "ret=1 revents=err,hup$" $T/p6
pswait read fd:6 >$T/r6
[ $? = 3 ] || fail "read of a destroyed object should be EOF: $(cat $T/r6)"
if echo 1 >&6 2>/dev/null; then
	fail "write to a destroyed object should fail (EPIPE)"
fi
if rmmod pollscope 2>/dev/null; then
	fail "rmmod succeeded with an object file open"
fi
[ -d $D ] || fail "$D gone after a refused rmmod"
exec 6<&-
exec 5<$D/version
if rmmod pollscope 2>/dev/null; then
	fail "rmmod succeeded with the version file open"
fi
exec 5<&-
ctl create left1
ctl create left2
ctl ready left2 in,out
echo 3 >$D/objects/left1
unload_module
ok "rmmod refused while open, works after close and with objects left"

# --- events -------------------------------------------------------------------
load_module
exec 7<$D/events
ctl create e1
ctl ready e1 in
ctl wake e1 in 2
echo 3 >$D/objects/e1
psctl -N -r $D/objects/e1 >/dev/null
pswait poll $D/objects/e1 in 0 >/dev/null
ctl destroy e1
cat <&7 >$T/ev
cat $T/ev
types=$(sed 's/.* type=\([a-z]*\) .*/\1/' $T/ev | tr '\n' ' ')
assert_eq "$types" "create ready wake open write wake release open read release open poll release wake destroy " \
	"event types"
i=1
while read -r line; do
	case "$line" in
	"seq=$i ns="*) ;;
	*) fail "event $i out of sequence: $line" ;;
	esac
	i=$((i + 1))
done <$T/ev
sed 's/.* ns=\([0-9]*\) .*/\1/' $T/ev >$T/ns
sort -n $T/ns >$T/ns.sorted
cmp -s $T/ns.sorted $T/ns || fail "ns not in order"
P='pid=[1-9][0-9]* comm='
assert_grep "^seq=1 ns=[0-9]+ type=create ${P}sh object=e1$" $T/ev
assert_grep "^seq=2 ns=[0-9]+ type=ready ${P}sh object=e1 mask=in old=none$" $T/ev
assert_grep "^seq=3 ns=[0-9]+ type=wake ${P}sh object=e1 key=in nr=2 visited=0 woken=0 source=wake$" $T/ev
assert_grep "^seq=4 ns=[0-9]+ type=open ${P}sh object=e1$" $T/ev
assert_grep "^seq=5 ns=[0-9]+ type=write ${P}sh object=e1 value=3$" $T/ev
assert_grep "^seq=6 ns=[0-9]+ type=wake ${P}sh object=e1 key=in,rdnorm nr=1 visited=0 woken=0 source=write$" $T/ev
assert_grep "^seq=9 ns=[0-9]+ type=read ${P}psctl object=e1 value=3$" $T/ev
assert_grep "^seq=12 ns=[0-9]+ type=poll ${P}pswait object=e1 mask=none queued=0 qproc=none$" $T/ev
assert_grep "^seq=14 ns=[0-9]+ type=wake ${P}sh object=e1 key=err,hup nr=0 visited=0 woken=0 source=destroy$" $T/ev
assert_grep "^seq=15 ns=[0-9]+ type=destroy ${P}sh object=e1 waiters=0$" $T/ev
[ -z "$(cat <&7)" ] || fail "an up-to-date reader should read nothing"
exec 7<&-
unload_module

# lost records: a reader that falls behind a 16-record ring
load_module events_size=16
exec 7<$D/events
ctl create l
i=1
while [ $i -le 39 ]; do
	ctl ready l in
	i=$((i + 1))
done
cat <&7 >$T/lost
cat $T/lost
assert_eq "$(head -n 1 $T/lost)" "seq=1 type=lost count=24" "lost line"
assert_eq "$(grep -c . $T/lost)" 17 "lost line and 16 records"
assert_grep "^seq=25 ns=[0-9]+ type=ready " $T/lost
assert_grep "^seq=40 ns=[0-9]+ type=ready " $T/lost
[ -z "$(cat <&7)" ] || fail "reader up to date after lost"
exec 7<&-
# a new reader starts at the oldest record kept: nothing lost
cat $D/events >$T/fresh
assert_eq "$(grep -c . $T/fresh)" 16 "fresh reader"
assert_no_grep "type=lost" $T/fresh
unload_module
ok "events: sequence, types, fields, lost records"

# --- stats add up -------------------------------------------------------------
load_module
ctl create s
pswait poll $D/objects/s in 0 >/dev/null
pswait poll $D/objects/s in 0 >/dev/null
expect_stats s "polls=2 queued=0 added=0 removed=0 waiting=0 wakes=0 woken=0 ready=none count=0 open=0 creator=[0-9]+ creator_comm=[^ ]+$"
pswait poll $D/objects/s in 30000 >$T/s1 &
S1=$!
wait_for sleeping s 1 || fail "s poller not asleep"
exec 8<$D/objects/s
expect_stats s "polls=3 queued=1 added=1 removed=0 waiting=1 wakes=0 woken=0 ready=none count=0 open=2 creator=[0-9]+ creator_comm=[^ ]+$"
ctl wake s in
wait $S1 || fail "s poller: $(cat $T/s1)"
expect_stats s "polls=4 queued=1 added=1 removed=1 waiting=0 wakes=1 woken=1 ready=in count=0 open=1 creator=[0-9]+ creator_comm=[^ ]+$"
echo 4 >$D/objects/s
exec 8<&-
expect_stats s "polls=4 queued=1 added=1 removed=1 waiting=0 wakes=2 woken=1 ready=in,rdnorm count=4 open=0 creator=[0-9]+ creator_comm=[^ ]+$"
# a blocking reader re-queues itself after a wake that leaves it unreadable
ctl create s2
pswait read $D/objects/s2 >$T/s2 &
S2=$!
wait_for sleeping s2 1 || fail "s2 reader not asleep"
expect_stats s2 "added=1 removed=0 waiting=1 wakes=0 woken=0 "
ctl wake s2 out
expect_stats s2 "added=2 removed=1 waiting=1 wakes=1 woken=1 ready=out "
echo 1 >$D/objects/s2
wait $S2 || fail "s2 reader: $(cat $T/s2)"
expect_stats s2 "polls=0 queued=0 added=2 removed=2 waiting=0 wakes=2 woken=2 ready=out count=0 open=0 creator=[0-9]+ creator_comm=[^ ]+$"
# the global line: objects, snapshots taken by reading queues
g1=$(sed -n 's/.* snapshots=\([0-9]*\) snapshot_entries=\([0-9]*\) .*/\1 \2/p' $D/stats)
pswait poll $D/objects/s2 pri 30000 >/dev/null &
S3=$!
wait_for sleeping s2 1 || fail "s2 poller not asleep"
cat $D/queues >/dev/null
g2=$(sed -n 's/.* snapshots=\([0-9]*\) snapshot_entries=\([0-9]*\) .*/\1 \2/p' $D/stats)
set -- $g1 $g2
# wait_for read queues at least once; the last read added one snapshot of 1 entry
[ "$3" -gt "$1" ] && [ "$4" -gt "$2" ] || fail "snapshot counters did not grow: $g1 -> $g2"
assert_grep "^objects=2 max_objects=256 snapshots=[0-9]+ snapshot_entries=[0-9]+ snapshot_ns=[0-9]+ lock_ns_max=[0-9]+ last_snapshot_entries=1 last_snapshot_ns=[0-9]+ last_snapshot_lock_ns=[0-9]+ last_walk_entries=0 last_walk_ns=0$" $D/stats
# walk: the bare walk for benchmarks counts the entries and changes nothing
before=$(grep -v '^objects=' $D/stats)
expect_ctl OK "walk s2"
assert_grep " last_walk_entries=1 last_walk_ns=[1-9][0-9]*$" $D/stats
expect_ctl OK "walk s\n"
assert_grep " last_walk_entries=0 last_walk_ns=[0-9]+$" $D/stats
expect_ctl ENOENT "walk nosuch"
expect_ctl EINVAL "walk"
expect_ctl EINVAL "walk s s2"
expect_ctl EINVAL "walk a/b"
assert_eq "$(grep -v '^objects=' $D/stats)" "$before" "walk changed an object"
kill $S3
wait $S3
# creator: the creating task while it lives, 0 (with its comm kept) once it exited
sh -c "echo create s3 >$D/control; grep '^object=s3 ' $D/stats >$T/cr; echo \$\$ >$T/crpid"
assert_grep "^object=s3 .* creator=$(cat $T/crpid) creator_comm=sh$" $T/cr
expect_stats s3 " creator=0 creator_comm=sh$"
psctl $D/control "create s4" >/dev/null
expect_stats s4 " creator=0 creator_comm=psctl$"
ctl destroy s3
ctl destroy s4
ctl destroy s
ctl destroy s2
assert_grep "^objects=0 " $D/stats
unload_module
ok "stats add up"

# --- a read that faults consumes nothing -------------------------------------
load_module
ctl "create f"
echo 7 >$D/objects/f || fail "write f"
pswait -f -n 2 read $D/objects/f >$T/fault
cat $T/fault
assert_grep "^pswait pid=[0-9]+ mode=read ret=-1 errno=EFAULT$" $T/fault
assert_grep "^pswait pid=[0-9]+ mode=read ret=2 data=7$" $T/fault
assert_eq "$(grep -c 'type=read ' $D/events)" 1 "one read event"
assert_grep "^object=f .*ready=none count=0 " $D/stats
unload_module
ok "EFAULT read puts the value back"

# --- nothing leaked (kmemleak, when the kernel has it) -------------------------
if [ -e /sys/kernel/debug/kmemleak ]; then
	echo scan >/sys/kernel/debug/kmemleak
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak >$T/leaks
	assert_no_grep "pollscope" $T/leaks
	ok "kmemleak: no pollscope leak"
else
	ok "kmemleak not available in this kernel (slub_debug checks frees)"
fi
ok "module-control done"
