#!/bin/sh
# Install every Debian 12 package pollscope needs to build, run and test.
# Idempotent: when everything is present it only runs dpkg-query and exits.
set -eu

PACKAGES="
build-essential cmake pkg-config git
libncurses-dev libedit-dev libkmod-dev libproc2-dev libjansson-dev zlib1g-dev libcmocka-dev
linux-headers-amd64 linux-image-amd64
linux-image-rt-amd64 linux-headers-rt-amd64
linux-source-6.1 bc bison flex libelf-dev libssl-dev dwarves rsync xz-utils
qemu-system-x86 busybox-static cpio kmod
tmux ncurses-term locales gettext strace socat
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

# Optional: Debian's 6.12 headers (bookworm-security carries them), for the
# build-only test unit.kmod-6.12; the newest one the archive has, if any.
h612=""
if ! ls -d /usr/src/linux-headers-6.12*-amd64 >/dev/null 2>&1; then
	h612=$(apt-cache search --names-only '^linux-headers-6\.12\.[0-9.]+\+deb[0-9]+-amd64$' 2>/dev/null |
		cut -d' ' -f1 | sort -V | tail -n1)
fi

if [ -z "$missing" ] && [ -z "$h612" ]; then
	echo "setup: all packages present"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "setup: missing packages:$missing $h612" >&2
	echo "setup: run this script as root (sudo $0) to install them" >&2
	exit 1
fi

echo "setup: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
if [ -n "$missing" ]; then
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing
fi
if [ -z "$h612" ] && ! ls -d /usr/src/linux-headers-6.12*-amd64 >/dev/null 2>&1; then
	# a fresh machine: the package lists were empty before the update
	h612=$(apt-cache search --names-only '^linux-headers-6\.12\.[0-9.]+\+deb[0-9]+-amd64$' 2>/dev/null |
		cut -d' ' -f1 | sort -V | tail -n1)
fi
if [ -n "$h612" ]; then
	echo "setup: installing $h612 (optional: unit.kmod-6.12)"
	apt-get install -y -qq --no-install-recommends "$h612" ||
		echo "setup: $h612 could not be installed; unit.kmod-6.12 will be skipped" >&2
fi
