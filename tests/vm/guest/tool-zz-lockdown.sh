# Last in the boot: locks the kernel down (irreversible until reboot).
. /tests/lib.sh

grep -q '^pollscope ' /proc/modules && rmmod pollscope
grep -q securityfs /proc/mounts || mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
if [ ! -w /sys/kernel/security/lockdown ]; then
	echo "SKIP: this kernel has no lockdown LSM"
	exit 0
fi
echo integrity >/sys/kernel/security/lockdown || fail "cannot enable lockdown"
pollscope -c 'create a' >/tmp/o 2>/tmp/e && fail "loading worked under lockdown"
cat /tmp/e
assert_grep "^-c:1: create: the kernel is locked down \(lockdown=integrity\): it refuses to load the unsigned module" /tmp/e
ok "lockdown"
