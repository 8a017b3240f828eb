#!/bin/bash
# Build pollscope.ko (or a test module) out of tree against one kernel tree,
# in a directory of its own, so that one build tree holds a module per
# kernel flavour (build/kmod, build/kmod-rt, build/kmod-debug).
#
#   build-kmod.sh [--werror] KDIR OUTDIR FILE...
#
# KDIR "debug" means the tree of tests/kernel/build-debug-kernel.sh (built
# first if it is not cached). FILEs (sources, headers, Kbuild) are copied to
# OUTDIR when they changed. --werror fails on any compiler warning, the
# frame-size warning included (-Wframe-larger-than=1024 on the debug tree,
# where KASAN's stack redzones make frames grow).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
werror=0
if [ "${1:-}" = --werror ]; then
	werror=1
	shift
fi
[ $# -ge 3 ] || { echo "usage: $0 [--werror] KDIR OUTDIR FILE..." >&2; exit 2; }
kdir=$1 out=$2
shift 2

extra=()
if [ "$kdir" = debug ]; then
	kdir=$("$here/build-debug-kernel.sh" | tail -n1)
	extra=(KCFLAGS=-Wframe-larger-than=1024)
fi
[ -f "$kdir/Makefile" ] || { echo "build-kmod: $kdir is not a kernel build tree" >&2; exit 1; }

mkdir -p "$out"
for f in "$@"; do
	cmp -s "$f" "$out/$(basename "$f")" || cp "$f" "$out/"
done
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
make -C "$kdir" M="$out" "${extra[@]}" modules 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
[ "$rc" -eq 0 ] || exit "$rc"
if [ $werror -eq 1 ] && grep -q 'warning:' "$log"; then
	echo "build-kmod: the module builds with warnings against $kdir (see above)" >&2
	exit 1
fi
