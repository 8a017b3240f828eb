#!/bin/bash
# Boot Debian's kernel in QEMU (TCG) with an initramfs holding busybox, the
# module, the pollscope binary, the test programs and the guest scripts; run
# the scripts in one boot and report their results.
#
#   run-vm.sh [options] SCRIPT...     run guest scripts, exit 0 only if all pass
#   run-vm.sh --interactive           a disposable VM with the module loaded
#
# A kernel complaint fails the run: the guest boots with panic_on_warn,
# oops=panic and slub_debug, dmesg is checked after every script, and a
# panic or a hang (no result before --timeout) is reported with the console.
#
# --kernel-flavour picks the kernel and the module built for it:
#   stock  Debian's linux-image-amd64, $build/kmod/pollscope.ko
#   rt     Debian's linux-image-rt-amd64, $build/kmod-rt/pollscope.ko
#   debug  tests/kernel/build-debug-kernel.sh's tree (lockdep, KASAN, UBSAN,
#          kmemleak, ...), $build/kmod-debug/pollscope.ko
#   6.12   Debian's 6.12 kernel from bookworm-security (installed with its
#          headers), $build/kmod-6.12/pollscope.ko (unit.kmod-6.12 builds it)
# Each is built by its CMake target (kmod, kmod-rt, kmod-debug). On a debug
# kernel every time limit is multiplied by PS_TIMEOUT_MULT (default 3), which
# the guest's lib.sh applies to its waits too.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
build="$top/build"
timeout=300
script_timeout=240
interactive=0
memory=1024
smp=2
keep=0
extra_append=""
kernel=""
tui=0
flavour=stock

usage() {
	cat <<EOF
usage: $0 [options] SCRIPT...
       $0 --interactive [--tui]

Options:
  --build DIR         build tree with pollscope, pollscope.ko and the test programs ($build)
  --timeout SEC       whole-run time limit ($timeout)
  --script-timeout S  time limit for each guest script ($script_timeout)
  --kernel-flavour F  stock, rt, debug or 6.12: the kernel to boot and the module built for it ($flavour)
  --kernel FILE       kernel image (default: the flavour's, /boot/vmlinuz-<the module's release>)
  --memory MB         guest memory ($memory)
  --smp N             guest CPUs ($smp)
  --append ARGS       extra kernel command line
  --interactive       boot to a shell on this terminal with the module loaded
  --tui               with --interactive: start pollscope instead of a shell
  --keep              keep the staging directory and console log
EOF
}

scripts=()
while [ $# -gt 0 ]; do
	case "$1" in
	--build) build=$(cd "$2" && pwd); shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--script-timeout) script_timeout=$2; shift 2 ;;
	--kernel) kernel=$2; shift 2 ;;
	--kernel-flavour) flavour=$2; shift 2 ;;
	--memory) memory=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--append) extra_append=$2; shift 2 ;;
	--interactive) interactive=1; shift ;;
	--tui) tui=1; shift ;;
	--keep) keep=1; shift ;;
	-h | --help) usage; exit 0 ;;
	-*) echo "run-vm: unknown option $1" >&2; usage >&2; exit 2 ;;
	*) scripts+=("$1"); shift ;;
	esac
done

die() {
	echo "run-vm: $*" >&2
	exit 2
}

[ $interactive -eq 1 ] || [ ${#scripts[@]} -gt 0 ] || { usage >&2; exit 2; }
for s in "${scripts[@]}"; do
	[ -f "$s" ] || die "no such guest script: $s"
done

case "$flavour" in
stock) kdir_suffix="" target=kmod ;;
rt) kdir_suffix="-rt" target=kmod-rt ;;
debug) kdir_suffix="-debug" target=kmod-debug ;;
6.12) kdir_suffix="-6.12" target="(ctest -R unit.kmod-6.12)" ;;
*) die "unknown --kernel-flavour $flavour (stock, rt, debug or 6.12)" ;;
esac
ko="$build/kmod$kdir_suffix/pollscope.ko"
selftest="$build/tests/vm/selftest$kdir_suffix"
tool="$build/src/pollscope"
[ -f "$ko" ] || die "$ko not built (cmake --build $build --target $target)"
# Slower kernels get proportionally longer limits, never fixed longer sleeps.
mult=1
if [ "$flavour" = debug ]; then
	mult=${PS_TIMEOUT_MULT:-3}
	if [ -z "$kernel" ]; then
		kernel="$("$top/tests/kernel/build-debug-kernel.sh" --print-dir)/arch/x86/boot/bzImage"
	fi
fi
timeout=$((timeout * mult))
script_timeout=$((script_timeout * mult))
[ -x "$tool" ] || die "$tool not built (cmake --build $build)"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing (run tests/setup.sh)"
[ -x /bin/busybox ] || die "/bin/busybox missing (run tests/setup.sh: busybox-static)"

# The guest kernel must be the one the module was built for.
krel=$(modinfo -F vermagic "$ko" | cut -d' ' -f1)
[ -n "$kernel" ] || kernel="/boot/vmlinuz-$krel"
[ -r "$kernel" ] || die "kernel image $kernel missing (install linux-image-$krel or pass --kernel)"

stage=$(mktemp -d /tmp/pollscope-vm.XXXXXX)
log="$stage.console"
cleanup() {
	if [ $keep -eq 1 ]; then
		echo "run-vm: kept $stage and $log" >&2
	else
		rm -rf "$stage" "$log" "$stage.cpio"
	fi
}
trap cleanup EXIT

# --- build the initramfs --------------------------------------------------

mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,run,tests/bin,tests/ko}
mkdir -p "$stage/lib/modules/$krel/extra"
cp /bin/busybox "$stage/bin/busybox"

# Copy a binary and every shared library ldd lists, at the same paths.
copy_with_libs() {
	local f=$1 dest=$2
	cp "$f" "$stage$dest"
	ldd "$f" 2>/dev/null | grep -o '/[^ ]*' | while read -r lib; do
		[ -e "$stage$lib" ] && continue
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	done
}

copy_with_libs "$tool" /usr/bin/pollscope
copy_with_libs "$(command -v tmux)" /usr/bin/tmux
# strace, to hold a system call still where a test needs a race won
copy_with_libs "$(command -v strace)" /usr/bin/strace
# util-linux's lsfd, for the waits tests and benchmark to compare with
if command -v lsfd >/dev/null; then
	copy_with_libs "$(command -v lsfd)" /usr/bin/lsfd
fi
# socat, a real program for inspect's tests (it blocks in select on two fds)
if command -v socat >/dev/null; then
	copy_with_libs "$(command -v socat)" /usr/bin/socat
fi
if [ -d "$build/tests/vm/progs" ]; then
	for p in "$build"/tests/vm/progs/*; do
		[ -f "$p" ] && [ -x "$p" ] && copy_with_libs "$p" "/tests/bin/$(basename "$p")"
	done
fi
cp "$ko" "$stage/lib/modules/$krel/extra/pollscope.ko"
# depmod wants the kernel's lists of built-in modules (so libkmod can tell
# built-in from loadable); take them from the installed image when present.
for f in modules.builtin modules.builtin.modinfo; do
	if [ -f "/lib/modules/$krel/$f" ]; then
		cp "/lib/modules/$krel/$f" "$stage/lib/modules/$krel/"
	elif [ "$flavour" = debug ] && [ -f "$(dirname "$kernel")/../../../$f" ]; then
		cp "$(dirname "$kernel")/../../../$f" "$stage/lib/modules/$krel/"
	fi
done
echo "extra/pollscope.ko" >"$stage/lib/modules/$krel/modules.order"
depmod -b "$stage" "$krel"
for k in "$selftest"/*.ko; do
	[ -f "$k" ] && cp "$k" "$stage/tests/ko/"
done

# Terminal descriptions and a UTF-8 locale, for the TUI and tmux.
for t in linux vt100 vt220 xterm xterm-256color screen screen-256color tmux tmux-256color dumb; do
	for d in /lib/terminfo /usr/share/terminfo; do
		f="$d/${t:0:1}/$t"
		if [ -e "$f" ]; then
			mkdir -p "$stage$d/${t:0:1}"
			cp -L "$f" "$stage$d/${t:0:1}/"
		fi
	done
done
if [ -d /usr/lib/locale/C.utf8 ]; then
	mkdir -p "$stage/usr/lib/locale"
	cp -r /usr/lib/locale/C.utf8 "$stage/usr/lib/locale/"
fi
echo "root:x:0:0:root:/root:/bin/sh" >"$stage/etc/passwd"
echo "root:x:0:" >"$stage/etc/group"

cp "$here/guest/lib.sh" "$stage/tests/lib.sh"
: >"$stage/tests/run.list"
for s in "${scripts[@]}"; do
	name=$(basename "$s")
	cp "$s" "$stage/tests/$name"
	echo "$name" >>"$stage/tests/run.list"
done
# Demo scripts, when the project ships them, are available to guest tests.
if [ -d "$top/tests/demos" ]; then
	cp -r "$top/tests/demos" "$stage/tests/demos"
fi

cat >"$stage/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s
export PATH=/tests/bin:/usr/bin:/bin:/usr/sbin:/sbin
export HOME=/root LANG=C.UTF-8 TERM=linux
# the demos travel in /tests/demos: --demo 01 finds them there
export POLLSCOPE_DEMO_DIR=/tests/demos
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /dev/shm
mount -t debugfs debugfs /sys/kernel/debug
hostname pollscope-vm
# loopback up: 127.0.0.1 exists only then (TCP tests bind it; Debian's
# kernel passed without, the debug kernel's allnoconfig build did not)
ip link set lo up
krel=$(uname -r)
export PS_KO=/lib/modules/$krel/extra/pollscope.ko

arg() { sed -n "s/.*\bps\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }

# Kernel complaints: the per-script dmesg check (panic_on_warn usually
# ends the run before this, but a BUG or list corruption may not; lockdep,
# RCU and UBSAN reports do not WARN at all). The debug kernel adds lockdep
# (circular, inconsistent, recursive), atomic sleep, RCU, KASAN, KFENCE,
# UBSAN, debugobjects and kmemleak reports.
complaints='BUG:|WARNING:|Oops|list_add corruption|list_del corruption|general protection fault|Call Trace:|kernel BUG'
complaints="$complaints|possible circular locking|possible recursive locking|inconsistent lock state|lock held when returning|bad unlock balance|DEBUG_LOCKS_WARN_ON"
complaints="$complaints|sleeping function called from invalid context|scheduling while atomic|suspicious RCU usage|self-detected stall|detected stalls on CPUs|rcu_.* detected stall"
# kmemleak's dmesg line ("N new suspected memory leaks") is not matched:
# kmemleak_check reads every reported object itself, block by block.
complaints="$complaints|BUG: KASAN|BUG: KFENCE|UBSAN:|ODEBUG:"
# Known reports of the kernel itself (never of pollscope), each with its
# reason; matched line by line, exactly. None so far in dmesg; kmemleak's
# are in kmemleak_check.
known_false=''
kernel_complaints() {
	if [ -n "$known_false" ]; then
		dmesg -c | grep -E "$complaints" | grep -vE "$known_false" || true
	else
		dmesg -c | grep -E "$complaints" || true
	fi
}
kml=/sys/kernel/debug/kmemleak
# kmemleak: a scan reports what is unreferenced and older than 5 s, so wait
# that long first (the second scan catches objects a stale stack slot hid in
# the first). `clear` forgets only what has been reported, so the boot
# baseline is a scan and then a clear (below).
kmemleak_scan() {
	[ -w $kml ] || return 0
	sleep 6
	echo scan >$kml
	echo scan >$kml
	cat $kml
}
# The report without the kernel's own known false positives, each matched
# as a whole object (its allocator, its caller chain, its task), never by a
# broad pattern:
# - ACPI's object caches: kmem_cache_create from acpi_os_create_cache in
#   acpi_early_init (start_kernel, task swapper/0, before any module). Most
#   show in the boot baseline below, but not always all: one that a stale
#   word still pointed to at the baseline's scan showed later, in the
#   first script (2026-11-27, module-cap.sh: a 208-byte kmem_cache and a
#   120-byte cache node, both from acpi_ut_init_globals).
# How many were left out goes to stderr, so that the run's log says so.
kmemleak_check() {
	kmemleak_scan | awk '
	function flush() {
		if (blk == "")
			return
		if (blk ~ /comm "swapper\/0", pid 0,/ && blk ~ /acpi_os_create_cache/ &&
		    blk ~ /acpi_early_init/ && blk ~ /start_kernel/)
			known++
		else
			printf "%s", blk
		blk = ""
	}
	/^unreferenced object/ { flush() }
	{ blk = blk $0 "\n" }
	END {
		flush()
		if (known)
			print known >"/tmp/kmemleak-known"
	}'
	if [ -s /tmp/kmemleak-known ]; then
		echo "run-vm: kmemleak: $(cat /tmp/kmemleak-known) object(s) of ACPI's boot-time caches left out (the kernel's own, known)" >&2
		rm -f /tmp/kmemleak-known
	fi
}
# lockdep switches itself off after its first report, or when a report
# happened at boot: later locking bugs would then pass silently.
lockdep_off() {
	[ -r /proc/lockdep_stats ] || return 1
	grep -q 'debug_locks: *0' /proc/lockdep_stats
}

if [ "$(arg mode)" = interactive ]; then
	rows=$(arg rows); cols=$(arg cols)
	insmod "$PS_KO" && echo "pollscope.ko loaded: $(ls /sys/kernel/debug/pollscope | tr '\n' ' ')"
	export TERM=$(arg term)
	[ -n "$TERM" ] || TERM=linux
	echo "Disposable pollscope VM (kernel $krel). Exit the shell (or Ctrl-A X) to power off."
	if [ "$(arg tui)" = 1 ]; then
		setsid cttyhack sh -c "stty rows ${rows:-24} cols ${cols:-80}; pollscope; exec sh -l"
	else
		setsid cttyhack sh -c "stty rows ${rows:-24} cols ${cols:-80}; pollscope --version; exec sh -l"
	fi
	reboot -f
fi

st=$(arg stimeout)
export PS_TIMEOUT_MULT=$(arg tmult)
echo 7 >/proc/sys/kernel/printk
# The kernel's own unreferenced objects from boot, before any script or
# module: with ACPI (debug.config) a scan reports the caches that
# acpi_ut_create_caches makes in start_kernel (seen: 10 objects under
# acpi_os_create_cache). Reported once here and cleared, they are never
# counted against a script; anything unreferenced later still is
# (vm-debug.harness.leak proves it). The scan's own dmesg line is the only
# one the boot check below leaves out.
boot_leaks=0
if [ -w $kml ]; then
	boot_leaks=$(kmemleak_scan | grep -c '^unreferenced object' || true)
	echo clear >$kml
fi
boot=$(kernel_complaints)
[ "$boot_leaks" = 0 ] || echo "run-vm: kmemleak at boot (the kernel's own, before any script): $boot_leaks objects, cleared"
overall=0
if [ -n "$boot" ]; then
	echo "@@PS-KERNEL boot: dmesg shows a kernel complaint before any script:"
	echo "$boot"
	overall=1
fi
if lockdep_off; then
	echo "@@PS-KERNEL boot: lockdep is off (debug_locks 0) before any script"
	overall=1
fi
lockdep_gone=""
while read -r name; do
	echo "@@PS-BEGIN $name"
	(cd /tests && exec timeout "$st" sh "/tests/$name" </dev/null)
	rc=$?
	[ $rc -eq 124 ] || [ $rc -eq 143 ] && echo "@@PS-TIMEOUT $name after ${st}s"
	# Nothing may outlive a script: leftover processes (a tmux server, a
	# waiter) and modules would leak into the next one.
	kill -9 -1 2>/dev/null
	usleep 200000
	if grep -q '^pollscope ' /proc/modules; then
		rmmod pollscope 2>/dev/null || { echo "@@PS-LEAK $name left pollscope loaded and busy"; [ $rc -eq 0 ] && rc=98; }
	fi
	if [ -w $kml ]; then
		# after the module is gone its leaks print bare addresses: fail
		# on any report, not on reports that name pollscope
		leaks=$(kmemleak_check)
		if [ -n "$leaks" ]; then
			echo "@@PS-KERNEL $name: kmemleak reports unreferenced objects:"
			echo "$leaks" | head -n 60
			echo clear >$kml
			rc=97
		fi
	fi
	# after the unload and the leak scan: their reports count for this script
	bad=$(kernel_complaints)
	if [ -n "$bad" ]; then
		echo "@@PS-KERNEL $name: dmesg shows a kernel complaint:"
		echo "$bad"
		rc=99
	fi
	if [ -z "$lockdep_gone" ] && lockdep_off; then
		echo "@@PS-KERNEL $name: lockdep switched itself off (debug_locks 0): a lock report happened"
		lockdep_gone=1
		[ $rc -eq 0 ] && rc=96
	fi
	echo "@@PS-END $name rc=$rc"
	[ $rc -eq 0 ] || overall=1
done </tests/run.list
bad=$(kernel_complaints)
[ -z "$bad" ] || { echo "$bad"; overall=1; }
echo "@@PS-RESULT rc=$overall"
sync
reboot -f
EOF
chmod +x "$stage/init"

(cd "$stage" && find . -print0 | cpio --null -o -H newc --quiet) >"$stage.cpio"

# --- boot -------------------------------------------------------------------

# no_timer_check: under TCG on a loaded host the IO-APIC timer check can
# miss its ticks and panic the boot ("IO-APIC + timer doesn't work!", seen
# with the -rt kernel); QEMU's timer is known to work.
append="console=ttyS0 panic=-1 oops=panic panic_on_warn=1 slub_debug=FZPU no_timer_check"
append="$append quiet loglevel=4 ps.stimeout=$script_timeout ps.tmult=$mult"
qemu=(qemu-system-x86_64 -accel tcg -cpu max -smp "$smp" -m "$memory"
	-nographic -no-reboot -kernel "$kernel" -initrd "$stage.cpio")

if [ $interactive -eq 1 ]; then
	rows=24 cols=80
	if [ -t 0 ]; then
		read -r rows cols < <(stty size) || true
	fi
	append="$append ps.mode=interactive ps.rows=$rows ps.cols=$cols ps.term=${TERM:-linux} ps.tui=$tui"
	echo "run-vm: booting $kernel (Ctrl-A X quits QEMU)" >&2
	exec "${qemu[@]}" -append "$append $extra_append"
fi

start=$(date +%s)
set +e
timeout -k 10 "$timeout" "${qemu[@]}" -append "$append $extra_append" </dev/null >"$log" 2>&1
qrc=$?
set -e
elapsed=$(($(date +%s) - start))

# The firmware writes escape sequences first: match markers at line ends.
tr -d '\r' <"$log" | sed -n '/@@PS-BEGIN/,$p' >"$log.guest" || true
cat "$log.guest"
passed=0 failed=0
failures=()
for s in "${scripts[@]}"; do
	name=$(basename "$s")
	rc=$(tr -d '\r' <"$log" | sed -n "s/.*@@PS-END $name rc=\([0-9]*\)\$/\1/p" | tail -n1)
	if [ "$rc" = 0 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		if [ -n "$rc" ]; then
			failures+=("$name (rc=$rc)")
		else
			failures+=("$name (did not finish)")
		fi
	fi
done
result=$(tr -d '\r' <"$log" | sed -n 's/.*@@PS-RESULT rc=\([0-9]*\)$/\1/p' | tail -n1)
rm -f "$log.guest"

reason=""
if [ -z "$result" ]; then
	if grep -q 'Kernel panic' "$log"; then
		reason="kernel panic"
	elif [ $qrc -eq 124 ] || [ $qrc -eq 137 ]; then
		reason="timeout: no result after ${timeout}s"
	else
		reason="VM stopped without a result (qemu exit $qrc)"
	fi
elif [ "$result" != 0 ] && [ $failed -eq 0 ]; then
	reason="kernel complaint after the last script"
fi

if [ -n "$reason" ]; then
	echo "run-vm: FAILED: $reason; console output follows" >&2
	echo "------------------------------------------------------------" >&2
	tr -d '\r' <"$log" | tail -n 150 >&2
	echo "------------------------------------------------------------" >&2
fi
for f in "${failures[@]}"; do
	echo "run-vm: FAIL $f" >&2
done
echo "run-vm: ${elapsed}s in the VM ($flavour kernel $(basename "$kernel"))"
echo "vm: $passed passed, $failed failed"
[ -z "$reason" ] && [ $failed -eq 0 ] && [ "$result" = 0 ]
