# inspect matches epoll registrations by file identity: a registered fd that
# was closed, or whose number now names another file, is shown as a stale
# registration, and the file really watched is marked (issue 10, item 2).
# Checked against the epoll's fdinfo (tfd and ino) and stat of /proc/PID/fd.
. /tests/lib.sh

rm -f /tmp/st.out # not an earlier run's output: start_shape in lib.sh
psshape stale >/tmp/st.out 2>&1 &
SP=$!
wait_for grep -q '^epfd=' /tmp/st.out || fail "psshape stale did not start: $(cat /tmp/st.out)"
eval "$(sed -n 's/^epfd=\([0-9]*\) a=\([0-9]*\) b=\([0-9]*\) c=\([0-9]*\) d=\([0-9]*\) f=\([0-9]*\) child=\([0-9]*\)$/EP=\1 A=\2 B=\3 C=\4 D=\5 F=\6 CH=\7/p' /tmp/st.out)"
[ -n "$CH" ] || fail "cannot read $(cat /tmp/st.out)"
asleep() { blocked_in "$SP" epoll_wait epoll_pwait; }
wait_for asleep || fail "psshape stale ($SP) is not asleep in epoll_wait"

# --- the kernel's own view ----------------------------------------------------
cat "/proc/$SP/fdinfo/$EP"
ino_of_tfd() { printf '%d' "0x$(sed -n "s/^tfd: *$1 .* ino:\([0-9a-f]*\) .*/\1/p" "/proc/$SP/fdinfo/$EP")"; }
IA=$(ino_of_tfd "$A")
IC=$(ino_of_tfd "$C")
IF=$(ino_of_tfd "$F")
[ "$IA" -gt 0 ] && [ "$IC" -gt 0 ] && [ "$IF" -gt 0 ] || fail "fdinfo of $EP lacks tfd $A, $C or $F"
# a's number now names another file; b is a's file; c is closed, d is c's
# file; f's file is at none of its fds (the child holds it)
[ "$(stat -L -c %i "/proc/$SP/fd/$A")" != "$IA" ] || fail "fd $A still holds the registered file"
assert_eq "$(stat -L -c %i "/proc/$SP/fd/$B")" "$IA" "inode of fd $B"
[ ! -e "/proc/$SP/fd/$C" ] || fail "fd $C is open"
assert_eq "$(stat -L -c %i "/proc/$SP/fd/$D")" "$IC" "inode of fd $D"
for l in /proc/$SP/fd/*; do
	[ "$(stat -L -c %i "$l")" != "$IF" ] || fail "$l holds the file registered as fd $F"
done
assert_eq "$(stat -L -c %i "/proc/$CH/fd/$F")" "$IF" "inode of the child's fd $F"

# --- what inspect says ----------------------------------------------------------
pollscope -c "inspect $SP" >/tmp/i 2>/tmp/err || fail "inspect $SP: $(cat /tmp/err)"
cat /tmp/i
case $(uname -r) in
6.1.*) ;;
*)
	ok "inspect: stale registrations (this kernel's epoll layout is unknown: skipped)"
	kill "$SP" "$CH"
	exit 0
	;;
esac
assert_grep "^  stale registration in epoll fd $EP: registered as fd $A \(in,err,hup\), which now refers to another file \([a-z]+\); the registered file is fd $B \(marked below\)$" /tmp/i
assert_grep "^  stale registration in epoll fd $EP: registered as fd $C \(in,err,hup\), which is closed now; the registered file is fd $D \(marked below\)$" /tmp/i
assert_grep "^  stale registration in epoll fd $EP: registered as fd $F \(in,err,hup\), which is closed now; the registered file is at no fd of this process " /tmp/i
# the number's new file is not waited on; the registered files are
assert_grep "^fd $A -> /dev/null " /tmp/i
assert_no_grep "^fd $A -> .*<- " /tmp/i "fd $A (/dev/null now) marked as waited on"
assert_grep "^fd $B -> pipe:\[$IA\] \(pipe\): mask=none heads=1 entries=1  <- epoll_p?wait waits on it \(in,err,hup\) \(registered in epoll fd $EP as fd $A\)$" /tmp/i
assert_grep "^fd $D -> pipe:\[$IC\] \(pipe\): mask=none heads=1 entries=1  <- epoll_p?wait waits on it \(in,err,hup\) \(registered in epoll fd $EP as fd $C\)$" /tmp/i
assert_grep "^fd $EP -> anon_inode:\[eventpoll\] .*<- epoll_p?wait sleeps in it$" /tmp/i
# its watched list: each registration where its file is now (A < C < F)
assert_grep "^  watches fd $A \(in,err,hup\) now at fd $B, fd $C \(in,err,hup\) now at fd $D, fd $F \(in,err,hup\) at no fd of this process$" /tmp/i
ok "inspect: stale epoll registrations, by file identity"

# one fd: the number's new file is not the registered one; the real file is
pollscope -c "inspect $SP $A" >/tmp/i1 2>/tmp/err || fail "inspect $SP $A: $(cat /tmp/err)"
cat /tmp/i1
assert_no_grep "^fd $A -> .*<- " /tmp/i1 "fd $A (/dev/null now) marked as waited on"
assert_grep "^  stale registration in epoll fd $EP: registered as fd $A \(in,err,hup\), which now refers to another file \([a-z]+\); inspect the whole process to find the registered file$" /tmp/i1
pollscope -c "inspect $SP $B" >/tmp/i2 2>/tmp/err || fail "inspect $SP $B: $(cat /tmp/err)"
cat /tmp/i2
assert_grep "^fd $B -> pipe:\[$IA\] \(pipe\): .*  <- epoll_p?wait waits on it \(in,err,hup\) \(registered in epoll fd $EP as fd $A\)$" /tmp/i2

# JSON: a stale record per registration, the fd records say how it is reached
pollscope --json -c "inspect $SP" >/tmp/j 2>/tmp/err || fail "json: $(cat /tmp/err)"
assert_grep "^\{\"type\":\"stale\",\"pid\":$SP,\"epfd\":$EP,\"tfd\":$A,\"events\":\"in,err,hup\",\"now\":\"another-file\",\"file_fd\":$B\}$" /tmp/j
assert_grep "^\{\"type\":\"stale\",\"pid\":$SP,\"epfd\":$EP,\"tfd\":$C,\"events\":\"in,err,hup\",\"now\":\"closed\",\"file_fd\":$D\}$" /tmp/j
assert_grep "^\{\"type\":\"stale\",\"pid\":$SP,\"epfd\":$EP,\"tfd\":$F,\"events\":\"in,err,hup\",\"now\":\"closed\",\"file_fd\":-1\}$" /tmp/j
assert_grep "^\{\"type\":\"fd\",\"pid\":$SP,\"fd\":$B,.*\"waited_on\":true,.*\"registered_as\":$A,\"via_epoll\":$EP" /tmp/j
assert_grep "^\{\"type\":\"fd\",\"pid\":$SP,\"fd\":$A,.*\"waited_on\":false," /tmp/j
assert_grep "^\{\"type\":\"fd\",\"pid\":$SP,\"fd\":$EP,.*\"watch\":\[\{\"tfd\":$A,\"events\":\"in,err,hup\",\"fd\":$B,\"ready\":false\},\{\"tfd\":$C,\"events\":\"in,err,hup\",\"fd\":$D,\"ready\":false\},\{\"tfd\":$F,\"events\":\"in,err,hup\",\"fd\":null,\"ready\":false\}\]" /tmp/j
ok "inspect: stale registrations in JSON and for one fd"
kill "$SP" "$CH"
wait
true
