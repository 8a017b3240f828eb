#!/bin/bash
# Build the debug kernel for the vm-debug tests from Debian's own
# linux-source-6.1 package (tests/setup.sh installs it): allnoconfig plus
# tests/kernel/debug.config, bzImage and what `make M=` needs for modules.
#
#   build-debug-kernel.sh [--print-dir]
#
# The tree is cached outside the clone, keyed by the fragment and the source
# package version: $POLLSCOPE_KERNEL_CACHE (default
# ${XDG_CACHE_HOME:-/var/cache}/pollscope)/kernel-<key>. A second run with
# the same key rebuilds nothing. Prints the tree's path on the last line.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
frag="$here/debug.config"
tarball=/usr/src/linux-source-6.1.tar.xz
jobs=${JOBS:-$(nproc)}

say() { echo "build-debug-kernel: $*" >&2; }
die() { say "$*"; exit 1; }

print_only=0
[ "${1:-}" = --print-dir ] && print_only=1

[ -r "$tarball" ] || die "$tarball missing: run tests/setup.sh (package linux-source-6.1)"
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null) ||
	die "linux-source-6.1 is not installed: run tests/setup.sh"
key=$( (cat "$frag"; echo "$srcver") | sha256sum | cut -c1-16)
cache=${POLLSCOPE_KERNEL_CACHE:-${XDG_CACHE_HOME:-/var/cache}/pollscope}
tree="$cache/kernel-$key"

if [ $print_only -eq 1 ]; then
	echo "$tree"
	exit 0
fi

if [ -f "$tree/.pollscope-done" ]; then
	say "cached: $tree (linux-source-6.1 $srcver, fragment key $key); nothing to build"
	echo "$tree"
	exit 0
fi

start=$(date +%s)
mkdir -p "$cache"
# One build at a time per key (two ctest runs may start it together).
exec 9>"$tree.lock"
flock 9
if [ -f "$tree/.pollscope-done" ]; then
	echo "$tree"
	exit 0
fi

# A finished tree of the same source version (an older fragment) is a
# better start than a fresh unpack: make rebuilds only what the changed
# options touch (Kbuild tracks each object's CONFIG_ dependencies).
seed=""
for d in "$cache"/kernel-*/; do
	d=${d%/}
	[ "$d" != "$tree" ] && [ -f "$d/.pollscope-done" ] || continue
	[ "$(cat "$d/.pollscope-srcver" 2>/dev/null)" = "$srcver" ] || continue
	[ -z "$seed" ] || [ "$d" -nt "$seed" ] && seed=$d
done
if [ ! -f "$tree/Makefile" ] && [ -n "$seed" ]; then
	say "[1/5] copying $seed (same linux-source-6.1 $srcver, other fragment) to rebuild only what changed"
	rm -rf "$tree.tmp"
	cp -a "$seed" "$tree.tmp"
	rm -f "$tree.tmp/.pollscope-done"
	mv "$tree.tmp" "$tree"
elif [ ! -f "$tree/Makefile" ]; then
	say "[1/5] unpacking $tarball (linux-source-6.1 $srcver)"
	rm -rf "$tree.tmp"
	mkdir -p "$tree.tmp"
	tar -xaf "$tarball" -C "$tree.tmp" --strip-components=1
	mv "$tree.tmp" "$tree"
else
	say "[1/5] reusing the unpacked source in $tree"
fi

cd "$tree"
# A release of its own, so the module's vermagic can never match the stock
# kernel by accident.
mk=(make -s -j"$jobs" ARCH=x86_64 LOCALVERSION=-pollscope-debug)

say "[2/5] configuring: allnoconfig + $(basename "$frag")"
"${mk[@]}" KCONFIG_ALLCONFIG="$frag" allnoconfig >/dev/null
"${mk[@]}" olddefconfig >/dev/null

# Every option of the fragment must have survived: Kconfig drops a request
# whose dependencies are unmet without a word.
missing=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*)
		grep -qxF -- "$line" .config || {
			say "option lost: want '$line', .config has '$(grep -E "^(# )?${line%%=*}[= ]" .config || echo "nothing")'"
			missing=1
		}
		;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }
		opt=${opt%% *}
		if grep -q "^$opt=" .config; then
			say "option not disabled: $opt"
			missing=1
		fi
		;;
	esac
done <"$frag"
[ $missing -eq 0 ] || die "the fragment does not apply cleanly to linux-source-6.1 $srcver"
say "[3/5] configuration checked: all $(grep -c '^CONFIG_\|^# CONFIG_.* is not set' "$frag") fragment lines in .config"

say "[4/5] building bzImage with $jobs jobs (cold: tens of minutes on 2 cores)"
# Progress: a line per 500 compiled files, and every warning or error.
SECONDS=0
n=0
make -j"$jobs" ARCH=x86_64 LOCALVERSION=-pollscope-debug bzImage modules 2>&1 |
	while IFS= read -r l; do
		case "$l" in
		"  CC "*)
			n=$((n + 1))
			[ $((n % 500)) -ne 0 ] || say "  $n files compiled, ${SECONDS}s"
			;;
		*warning:* | *error:* | *"Error "*) echo "$l" >&2 ;;
		esac
	done
say "[5/5] modules_prepare (for make -C $tree M=...)"
"${mk[@]}" modules_prepare

echo "$srcver" >.pollscope-srcver
touch .pollscope-done
say "built $(make -s ARCH=x86_64 LOCALVERSION=-pollscope-debug kernelrelease) in $(($(date +%s) - start))s: $tree/arch/x86/boot/bzImage"
echo "$tree"
