# Every error path: one plain line naming what was wrong; FILE:LINE in
# scripts; module loading failures each with their own message.
. /tests/lib.sh

# expect_err 'ARGS' 'REGEX': pollscope must exit 1 with REGEX on stderr
expect_err() {
	args=$1
	want=$2
	eval "pollscope $args" >/tmp/o 2>/tmp/e && { cat /tmp/o /tmp/e; fail "pollscope $args succeeded"; }
	assert_grep "$want" /tmp/e "pollscope $args: expected /$want/"
	[ "$(wc -l </tmp/e)" -eq 1 ] || { cat /tmp/e; fail "pollscope $args: more than one error line"; }
}

expect_err "-c 'wkae a'" "^-c:1: unknown command 'wkae' \(did you mean 'wake'\?\)$"
expect_err "-c 'create a; wake b'" "^-c:1: wake: no object named 'b' \(objects: a\)$"
expect_err "-c 'create a; wake a bogus'" "^-c:1: wake: bad mask 'bogus': unknown event 'bogus'"
expect_err "-c 'create a; spawn poll a fast'" "^-c:1: spawn: unknown option 'fast'"
expect_err "-c 'create a; spawn epol a'" "^-c:1: spawn: unknown kind 'epol'"
expect_err "-c 'create a; create a'" "^-c:1: create: an object named 'a' already exists$"
expect_err "-c 'create a/b'" "^-c:1: create: bad object name 'a/b'"
expect_err "-c 'kill w9'" "^-c:1: kill: no waiter 'w9'"
expect_err "-c 'create a; spawn poll a; settle 20000; signal w1 NOPE'" "^-c:1: signal: unknown signal 'NOPE'"
printf 'create a\n\n# a comment\nspawn poll a\nwake a ou\n' >/tmp/s.ps
expect_err "-f /tmp/s.ps" "^/tmp/s.ps:5: wake: bad mask 'ou'"
expect_err "</tmp/s.ps" "^<stdin>:5: wake: bad mask 'ou'"
pollscope --bogus >/tmp/o 2>/tmp/e && fail "--bogus succeeded"
assert_grep "unrecognized option '--bogus'" /tmp/e
grep -q '^pollscope ' /proc/modules && fail "module left loaded by failing runs"
[ -n "$(pollscope_procs)" ] && fail "waiters left by failing runs"
ok "command errors"

# settle's limit: a waiter that cannot go to sleep (stopped)
pollscope -c 'create a; spawn poll a as=st; settle 20000; signal st STOP; spawn poll a; settle 300' >/tmp/o 2>/tmp/e && fail "settle succeeded"
cat /tmp/e
assert_grep "settle: not settled after 300 ms: st \(pid [0-9]+\)" /tmp/e
[ -n "$(pollscope_procs)" ] && fail "a stopped waiter was left behind"
ok "settle limit"

# --no-load with the module not loaded
expect_err "--no-load -c 'create a'" "the pollscope module is not loaded .* and --no-load was given"

# not root
chmod 755 / # the initramfs root is 0700: let an unprivileged user reach /bin
grep -q '^nobody:' /etc/passwd || echo 'nobody:x:65534:65534:nobody:/tmp:/bin/sh' >>/etc/passwd
grep -q '^nogroup:' /etc/group || echo 'nogroup:x:65534:' >>/etc/group
su -s /bin/sh nobody -c "pollscope -c 'create a'" >/tmp/o 2>/tmp/e && fail "non-root succeeded"
assert_grep "^-c:1: create: not root: pollscope needs root" /tmp/e

# a module built for another kernel (same length: the vermagic is patched in place)
rel=$(uname -r)
other=$(echo "$rel" | sed 's/^\(.\)/9/')
sed "s/vermagic=$rel /vermagic=$other /" "$PS_KO" >/tmp/other.ko
grep -q "vermagic=$other " /tmp/other.ko || fail "could not patch the vermagic"
expect_err "--module /tmp/other.ko -c 'create a'" "module /tmp/other.ko was built for kernel $other, but the running kernel is $rel"
expect_err "--module /nonexistent.ko -c 'create a'" "module file /nonexistent.ko: No such file or directory"
echo "not an ELF" >/tmp/bad.ko
expect_err "--module /tmp/bad.ko -c 'create a'" "/tmp/bad.ko"

# interface version mismatch, recorded files, and a missing directory
mkdir -p /tmp/fake/objects
echo "interface=7 release=$rel max_objects=1 events_size=1" >/tmp/fake/version
expect_err "--debugfs /tmp/fake -c 'show'" "interface version mismatch: the module speaks version 7, this pollscope speaks version 1"
expect_err "--debugfs /nonexistent -c 'show'" "debugfs directory /nonexistent"
# commands that do not need the module work without it
pollscope --debugfs /nonexistent -c 'help; say hi' >/tmp/o 2>&1 || fail "help needed the module"

# debugfs not mounted: pollscope mounts it
umount /sys/kernel/debug || fail "umount debugfs"
pollscope -c 'create m; show m' >/tmp/o 2>/tmp/e || { cat /tmp/e; fail "with debugfs unmounted"; }
grep -q ' /sys/kernel/debug debugfs ' /proc/mounts || fail "debugfs was not mounted"
assert_grep "^m: ready=none entries=0" /tmp/o
ok "module and debugfs errors"
