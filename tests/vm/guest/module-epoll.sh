# pollscope.ko: epoll entries on any queue tell the truth.  The events an
# entry reports are the epitem's now (after EPOLL_CTL_MOD; a delivered
# EPOLLONESHOT entry is disarmed), the instance is an id that inspect of the
# epoll fd also prints, with the thread asleep in its epoll_wait; inspect of
# an epoll fd lists its epoll_wait sleepers, nested registrations and
# watched files; a signalfd is not polled from the wrong process.  Checked
# against what psepoll did and /proc/PID/fdinfo.
. /tests/lib.sh

T=/tmp/epoll
mkdir -p $T
section() {
	sed -n "/^== $2\$/,/^== /p" "$1" | grep -v '^== '
}

load_module
case $(uname -r) in
6.1.*) ;;
*)
	# the module knows fs/eventpoll.c's layout of 6.1 only: it must say so
	psinspect eventfd >$T/efd-other || true
	cat $T/efd-other
	assert_grep " func=ep_poll_callback kind=epoll .* epoll=unknown$" $T/efd-other
	unload_module
	ok "module-epoll: epoll=unknown on $(uname -r)"
	exit 0
	;;
esac
psepoll >$T/out || {
	cat $T/out
	fail "psepoll"
}
cat $T/out
# ep ep2 p1 p2 p3 efd child: what psepoll created
eval "$(sed -n 's/^fds //p' $T/out)"
[ -n "$child" ] || fail "psepoll printed no fds line"
for s in p1 p2 p3 efd ep ep2 fdinfo-ep fdinfo-ep2; do
	section $T/out $s >$T/$s
done
ID=$(sed -n "s/^fd=$ep file=anon_inode:\[eventpoll\] mask=none heads=2 poll=yes epoll=\([0-9a-f]\{16\}\) fid=[0-9a-f]\{16\}$/\1/p" $T/ep)
ID2=$(sed -n "s/^fd=$ep2 file=anon_inode:\[eventpoll\] mask=in,rdnorm heads=2 poll=yes epoll=\([0-9a-f]\{16\}\) fid=[0-9a-f]\{16\}$/\1/p" $T/ep2)
[ -n "$ID" ] || fail "no epoll id in the header of ep: $(head -n 1 $T/ep)"
[ -n "$ID2" ] || fail "no epoll id in the header of ep2: $(head -n 1 $T/ep2)"
[ "$ID" != "$ID2" ] || fail "two instances, one id"
ok "epoll ids: $ID $ID2"

EP="func=ep_poll_callback kind=epoll"
S="pid=$child comm=psepoll state=S flags=-"
# EPOLL_CTL_MOD from in to pri: the events of now
assert_grep "^head=0 pos=0 $EP $S key=pri,err,hup epoll=$ID tfd=$p1 sleepers=1$" $T/p1
# EPOLLONESHOT, event delivered: disarmed (fdinfo: only the oneshot bit left)
assert_grep "^head=0 pos=0 $EP $S key=disarmed epoll=$ID tfd=$p2 sleepers=1$" $T/p2
assert_grep "^tfd: +$p2 events: +40000000 " $T/fdinfo-ep
assert_grep "^head=0 pos=0 $EP $S key=in,err,hup,0x80000000 epoll=$ID tfd=$efd sleepers=1$" $T/efd
# an instance nobody waits in
assert_grep "^head=0 pos=0 $EP pid=0 comm=- state=- flags=- key=in,err,hup epoll=$ID2 tfd=$p3 sleepers=0$" $T/p3
ok "entries: events now, disarmed, instance, sleeper"

# inspect of ep: ep2's nested registration on poll_wait, the child on wq
assert_grep "^head=0 entries=1 queue=poll_wait$" $T/ep
assert_grep "^head=0 pos=0 $EP pid=0 comm=- state=- flags=- key=in,err,hup epoll=$ID2 tfd=$ep sleepers=0$" $T/ep
assert_grep "^head=1 entries=1 queue=wq$" $T/ep
assert_grep "^head=1 pos=0 func=ep_autoremove_wake_function kind=epoll_waiter pid=$child comm=psepoll state=S flags=exclusive key=-$" $T/ep
# the watched files, as fdinfo lists them (ino in hex there, sdev as the
# kernel's dev_t: major << 20 | minor)
check_watched() { # FDINFO INSPECT
	n=0
	grep '^tfd:' "$1" >$T/tfd
	while read -r _ tfd _ ev _ _ _ ino sdev; do
		ino=$((0x${ino#ino:}))
		sdev=$((0x${sdev#sdev:}))
		grep -Eq "^watch=[0-9]+ tfd=$tfd ino=$ino sdev=$((sdev >> 20)):$((sdev & 0xfffff)) " "$2" ||
			fail "tfd $tfd (events $ev ino $ino) of $1 not in $2"
		n=$((n + 1))
	done <$T/tfd
	assert_eq "$(grep -c '^watch=' "$2")" "$n" "watched files of $2"
	assert_grep "^watched=$n$" "$2"
}
check_watched $T/fdinfo-ep $T/ep
check_watched $T/fdinfo-ep2 $T/ep2
assert_grep "^tfd: +$p1 events: +1a " $T/fdinfo-ep
assert_grep "^watch=[0-9]+ tfd=$p1 .* events=pri,err,hup ready=no$" $T/ep
assert_grep "^watch=[0-9]+ tfd=$p2 .* events=0x40000000 ready=no$" $T/ep
assert_grep "^tfd: +$efd events: +80000019 " $T/fdinfo-ep
assert_grep "^watch=[0-9]+ tfd=$efd .* events=in,err,hup,0x80000000 ready=no$" $T/ep
# p3 has data: on ep2's ready list
assert_grep "^watch=[0-9]+ tfd=$p3 .* events=in,err,hup ready=yes$" $T/ep2
assert_grep "^watch=[0-9]+ tfd=$ep .* events=in,err,hup ready=no$" $T/ep2
ok "epoll fd: sleepers, nested registrants, watched files"

# EPOLLEXCLUSIVE on a shared listening socket: which worker owns which entry
psepoll listen >$T/lst || {
	cat $T/lst
	fail "psepoll listen"
}
cat $T/lst
W0=$(sed -n 's/^worker 0 pid=//p' $T/lst)
W1=$(sed -n 's/^worker 1 pid=//p' $T/lst)
LFD=$(sed -n 's/^lfd=//p' $T/lst)
section $T/lst lfd >$T/lfd
assert_grep "^head=0 entries=2$" $T/lfd
for w in $W0 $W1; do
	assert_grep "^head=0 pos=[01] $EP pid=$w comm=psepoll state=S flags=exclusive key=in,err,hup,0x10000000 epoll=[0-9a-f]{16} tfd=$LFD sleepers=1$" $T/lfd
done
[ "$(sed -n 's/.* epoll=\([0-9a-f]*\) .*/\1/p' $T/lfd | sort -u | wc -l)" = 2 ] ||
	fail "the two workers' entries should name two instances"
ok "EPOLLEXCLUSIVE listening socket: one entry per worker"

# signalfd: its poll method reads the signals of whoever polls it, so from
# another process the module must not answer (the owner has SIGUSR1 pending)
psepoll signalfd >$T/sig || {
	cat $T/sig
	fail "psepoll signalfd"
}
cat $T/sig
SC=$(sed -n 's/^child \([0-9]*\) pending=1$/\1/p' $T/sig)
[ -n "$SC" ] || fail "the signalfd child did not have SIGUSR1 pending"
section $T/sig sfd >$T/sfd
section $T/sig sfd1 >$T/sfd1
section $T/sig sfd2 >$T/sfd2
assert_grep "^fd=[0-9]+ file=anon_inode:\[signalfd\] mask=unknown heads=0 poll=yes reason=signalfd-needs-owner-context fid=[0-9a-f]{16}$" $T/sfd
assert_no_grep "^head=" $T/sfd
# with the owner named: its sighand's queue (the child asleep in poll on
# the second signalfd) and its pending set (SIGUSR1: the first is readable)
assert_grep "^fd=[0-9]+ file=anon_inode:\[signalfd\] mask=in heads=1 poll=yes owner=$SC fid=[0-9a-f]{16}$" $T/sfd1
assert_grep "^fd=[0-9]+ file=anon_inode:\[signalfd\] mask=none heads=1 poll=yes owner=$SC fid=[0-9a-f]{16}$" $T/sfd2
for f in $T/sfd1 $T/sfd2; do
	assert_grep "^head=0 entries=1 queue=signalfd_wqh$" $f
	assert_grep "^head=0 pos=0 func=pollwake kind=poll pid=$SC comm=psepoll state=S flags=- key=in,err,hup$" $f
done
ok "signalfd: the owner's queue and mask, or no answer"
# bad owners change nothing and say why
exec 4<>$PS_DIR/inspect
echo 4 >&4 || fail "inspect 4"
for bad in "4 0" "4 99999999" "4 x" "4 1 2" "4  1" "4 -1" "4 " " 1"; do
	if echo "$bad" >&4 2>/dev/null; then
		fail "inspect accepted '$bad'"
	fi
done
echo "4 2147483647" >&4 2>$T/e && fail "a thread that cannot exist was accepted"
grep -q "No such process" $T/e || fail "'4 2147483647': $(cat $T/e), want ESRCH"
echo "4 1" >&4 || fail "inspect '4 1' (init as owner, not a signalfd: ignored)"
exec 4<&-
ok "inspect owner: bad input refused"

unload_module
ok "module-epoll done"
