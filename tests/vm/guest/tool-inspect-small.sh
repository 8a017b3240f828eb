# inspect tells the truth about small things: a kernel thread is not in
# read(fd=0); a writer blocked on a full pipe is in write(2) waiting for
# room; a stopped process says it is stopped; wchan is the kernel's own
# name; the non-root error says root is needed. Checked against /proc.
. /tests/lib.sh

# --- a kernel thread: kthreadd (pid 2) -------------------------------------
FL=$(sed 's/.*) //' /proc/2/stat | cut -d' ' -f7)
[ $((FL & 0x00200000)) -ne 0 ] || fail "pid 2 is not a kernel thread (flags $FL)"
echo "/proc/2/syscall: $(cat /proc/2/syscall)"
pollscope -c 'inspect 2' >/tmp/k 2>/tmp/err || fail "inspect 2: $(cat /tmp/err)"
cat /tmp/k
assert_grep "^  blocked in the kernel: a kernel thread \(no user system call, no fds\)$" /tmp/k
assert_no_grep "read\(fd=0\)" /tmp/k
ok "inspect: a kernel thread"

# --- a writer blocked on a full pipe ---------------------------------------
# through a fifo, so $! is the writer's pid
mkfifo /tmp/ff
sleep 600000 </tmp/ff &
SL=$!
yes >/tmp/ff &
YP=$!
in_write() { [ "$(cut -d' ' -f1 "/proc/$YP/syscall")" = 1 ] && grep -q '^State:.S' "/proc/$YP/status"; }
wait_for in_write || fail "yes ($YP) is not asleep in write(2): $(cat /proc/$YP/syscall)"
pollscope -c "inspect $YP" >/tmp/w 2>/tmp/err || fail "inspect $YP: $(cat /tmp/err)"
cat /tmp/w
assert_grep "^pid $YP \(yes\): state S, wchan $(wchan_re "$YP")$" /tmp/w
assert_grep "^  blocked in write\(fd=1\): fd 1 \(out\)$" /tmp/w
assert_grep "^fd 1 -> /tmp/ff \([a-z]+\): mask=none heads=1 entries=[0-9]+  <- write waits on it \(out\)$" /tmp/w
assert_no_grep "syscall 1" /tmp/w
# a fifo is a pipe: its write end's one head is the pipe's write queue
assert_grep "^fd 1 -> /tmp/ff \(fifo\): " /tmp/w
assert_grep "^  head 0: write queue \(pipe->wr_wait\), 1 entry$" /tmp/w
ok "inspect: a writer blocked on a full pipe"

# --- the same writer, stopped ----------------------------------------------
kill -STOP "$YP"
stopped() { grep -q '^State:.T' "/proc/$YP/status"; }
wait_for stopped || fail "yes ($YP) did not stop"
echo "/proc/$YP/syscall: $(cat /proc/$YP/syscall)"
pollscope -c "inspect $YP" >/tmp/t 2>/tmp/err || fail "inspect $YP: $(cat /tmp/err)"
cat /tmp/t
assert_grep "^pid $YP \(yes\): state T, wchan $(wchan_re "$YP")$" /tmp/t
assert_grep "^  blocked in nothing: stopped by a signal \(state T\); when continued it resumes in write\(fd=1\): fd 1 \(out\)$" /tmp/t
ok "inspect: a stopped process"
kill -CONT "$YP"
kill "$SL" "$YP"
wait

# --- a pty master and a file whose name holds a newline ----------------------
NL='/tmp/a
b'
: >"$NL"
sleep 600000 4<>/dev/ptmx 5<"$NL" &
PP=$!
wait_for test -e "/proc/$PP/fd/5" || fail "no fd 5 in $PP"
pollscope -c "inspect $PP" >/tmp/p 2>/tmp/err || fail "inspect $PP: $(cat /tmp/err)"
cat /tmp/p
# tty_poll (n_tty_poll): read_wait, then write_wait
assert_grep "^fd 4 -> /dev/ptmx \(tty\): mask=[a-z,]+ heads=2 entries=0$" /tmp/p
sed -n '/^fd 4 -> /,/^fd 5 /p' /tmp/p >/tmp/p4
assert_grep "^  head 0: tty->read_wait, 0 entries$" /tmp/p4
assert_grep "^  head 1: tty->write_wait, 0 entries$" /tmp/p4
# the name, escaped, on one line; no line starts with its second half
assert_grep '^fd 5 -> /tmp/a\\nb \(file\): ' /tmp/p
assert_no_grep "^b " /tmp/p
ok "inspect: a pty master and a newline in a file name"
kill "$PP"
wait "$PP"

# --- not root: the hint names root, not the owner --------------------------
sleep 600000 &
SP=$!
chmod 755 /
grep -q '^nobody:' /etc/passwd || echo 'nobody:x:65534:65534:nobody:/tmp:/bin/sh' >>/etc/passwd
grep -q '^nogroup:' /etc/group || echo 'nogroup:x:65534:' >>/etc/group
su -s /bin/sh nobody -c "pollscope -c 'inspect $SP'" >/tmp/o 2>/tmp/err && fail "nobody could inspect a root process"
cat /tmp/err
assert_grep "run pollscope as root\)$" /tmp/err
assert_no_grep "owner" /tmp/err
ok "inspect: the permission hint says root"
kill "$SP"
rm -f /tmp/ff "$NL"
wait
true

# --- one open file behind several fds: the same heads, counted once ----------
mkfifo /tmp/sf
sleep 600000 </dev/null >/dev/null 2>&1 3<>/tmp/sf 4>&3 5>&3 &
SP=$!
wait_for test -e "/proc/$SP/fd/5" || fail "no fd 5 in $SP"
# independent: one inode behind fds 3, 4 and 5 (the test made them with dup)
[ "$(stat -L -c %i /proc/$SP/fd/3)" = "$(stat -L -c %i /proc/$SP/fd/5)" ] || fail "fds 3 and 5 differ"
pollscope -c "inspect $SP" >/tmp/s 2>/tmp/err || fail "inspect $SP: $(cat /tmp/err)"
cat /tmp/s
# a fifo open for reading and writing: pipe_poll waits on rd_wait and wr_wait
assert_grep "^fd 3 -> /tmp/sf \(fifo\): mask=[a-z,]+ heads=2 entries=0$" /tmp/s
# fds 4 and 5: that file's, folded into one line (its heads listed once)
assert_grep "^fds 4-5 -> /tmp/sf \(fifo\): mask=[a-z,]+, 2 fds of the same file as fd 3 \(its heads and entries, listed there\)$" /tmp/s
assert_eq "$(grep -c '^  head ' /tmp/s)" 2 "head lines"
assert_grep "^pid $SP: 6 fds, [0-9]+ pollable, 6 wait queue heads, 0 entries \(0 of this process\); 2 fds share a file with an earlier fd: 2 distinct heads, 0 distinct entries$" /tmp/s
pollscope --json -c "inspect $SP" >/tmp/sj 2>/tmp/err || fail "inspect --json: $(cat /tmp/err)"
assert_grep '"fd":4,.*"same_as":3' /tmp/sj
assert_grep '"fd":5,.*"same_as":3' /tmp/sj
assert_grep '"distinct_heads":2,"distinct_entries":0' /tmp/sj
ok "inspect: fds sharing one file are counted once"
kill "$SP"
wait
