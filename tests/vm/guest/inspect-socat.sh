# inspect on a real Debian program (issue 10): socat relaying between two
# pairs of named pipes blocks in select (pselect6 in Debian 12's socat 1.7.4)
# on the two it reads from. Checked against /proc/PID/syscall, the fds the
# test gave it, and data sent through it.
. /tests/lib.sh

command -v socat >/dev/null || fail "socat is not in the VM (tests/setup.sh installs it; run-vm.sh copies it)"

rm -f /tmp/sa /tmp/sb /tmp/sc /tmp/sd
mkfifo /tmp/sa /tmp/sb /tmp/sc /tmp/sd
# read from fd 5, write to fd 6; read from fd 7, write to fd 8. Opened read
# and write: no open blocks, no EOF.
sh -c 'exec 5<>/tmp/sa 6<>/tmp/sb 7<>/tmp/sc 8<>/tmp/sd; exec socat FD:5!!FD:6 FD:7!!FD:8' &
SO=$!

# blocked in one of the calls that wait on many fds
asleep() { blocked_in "$SO" poll ppoll select pselect6; }
wait_for asleep || fail "socat (pid $SO) is not asleep in poll or select: $(cat /proc/$SO/syscall)"
read -r NR A1 A2 REST <"/proc/$SO/syscall"
echo "socat: /proc/$SO/syscall: $NR $A1 $A2"
case $NR in
7 | 271) CALL=p; assert_eq "$A2" 0x2 "poll's nfds" ;;         # poll(fds, 2, ...)
23 | 270) CALL=s; assert_eq "$A1" 0x8 "select's nfds" ;;      # the highest fd it reads, 7, plus 1
esac

pollscope -c "inspect $SO" >/tmp/so.t || fail "inspect $SO: $(cat /tmp/so.t)"
pollscope --json -c "inspect $SO" >/tmp/so.j || fail "inspect --json $SO: $(cat /tmp/so.j)"
cat /tmp/so.t
if [ "$CALL" = s ]; then
	assert_grep "^  blocked in p?select6?\(nfds=8, no timeout\): fd 5 \(in\), fd 7 \(in\)$" /tmp/so.t
else
	assert_grep "^  blocked in p?poll\(nfds=2, (timeout=-1|no timeout)\): fd 5 \(in\), fd 7 \(in\)$" /tmp/so.t
fi
# the fds waited on: exactly the two it reads from
assert_eq "$(sed -n 's/^{"type":"fd","pid":[0-9]*,"fd":\([0-9]*\),.*"waited_on":true,.*/\1/p' /tmp/so.j | tr '\n' ' ')" "5 7 " "fds waited on"
assert_grep "^fd 5 -> /tmp/sa \(fifo\): mask=[a-z,]+ .*  <- p?(poll|select6?) waits on it \(in\)$" /tmp/so.t
assert_grep "^fd 7 -> /tmp/sc \(fifo\): mask=[a-z,]+ .*  <- p?(poll|select6?) waits on it \(in\)$" /tmp/so.t
assert_grep "^fd 6 -> /tmp/sb \(fifo\): mask=[a-z,]+ heads=2 entries=[0-9]+$" /tmp/so.t
# its pollwake entries on each fifo it reads (both of the pipe's queues: the
# fifo is open read and write, and pipe_poll queues on both)
for fd in 5 7; do
	n=$(grep -c "^{\"type\":\"entry\",.*\"func\":\"pollwake\",\"pid\":$SO,.*\"fd\":$fd,\"head\":" /tmp/so.j || true)
	[ "$n" -ge 1 ] || fail "no pollwake entry of socat on fd $fd: $(grep "\"fd\":$fd," /tmp/so.j)"
done
for fd in 6 8; do
	if grep -q "^{\"type\":\"entry\",.*\"func\":\"pollwake\",\"pid\":$SO,.*\"fd\":$fd,\"head\":" /tmp/so.j; then
		fail "socat has a pollwake entry on fd $fd, which it only writes to"
	fi
done
ok "inspect: socat in $( [ "$CALL" = s ] && echo select || echo poll) on fds 5 and 7, their queues hold its entries"

# what the test did: data written to /tmp/sa comes out of /tmp/sd, and socat
# goes back to sleep on the same two fds
echo hello >/tmp/sa
dd if=/tmp/sd bs=6 count=1 2>/dev/null >/tmp/so.out
assert_eq "$(cat /tmp/so.out)" hello "data relayed from /tmp/sa to /tmp/sd"
wait_for asleep || fail "socat did not go back to sleep"
pollscope -c "inspect $SO" >/tmp/so.t2 || fail "inspect $SO: $(cat /tmp/so.t2)"
assert_grep "^fd 5 -> /tmp/sa \(fifo\): mask=[a-z,]+ .*  <- p?(poll|select6?) waits on it \(in\)$" /tmp/so.t2
ok "inspect: socat relayed data and sleeps on fds 5 and 7 again"
kill "$SO"
wait "$SO"
true
