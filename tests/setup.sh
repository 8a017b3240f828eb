#!/bin/sh
# Install every Debian 12 package pollscope needs to build, run and test.
# Idempotent: when everything is present it only runs dpkg-query and exits.
set -eu

PACKAGES="
build-essential cmake pkg-config git
libncurses-dev libedit-dev libkmod-dev libproc2-dev libjansson-dev libcmocka-dev
linux-headers-amd64 linux-image-amd64
linux-image-rt-amd64 linux-headers-rt-amd64
linux-source-6.1 bc bison flex libelf-dev libssl-dev dwarves rsync xz-utils
qemu-system-x86 busybox-static cpio kmod
tmux ncurses-term locales
man-db groff-base
clang llvm valgrind
"

missing=""
for p in $PACKAGES; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	"install ok installed") ;;
	*) missing="$missing $p" ;;
	esac
done

if [ -z "$missing" ]; then
	echo "setup: all packages present"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "setup: missing packages:$missing" >&2
	echo "setup: run this script as root (sudo $0) to install them" >&2
	exit 1
fi

echo "setup: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
