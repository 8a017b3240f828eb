#!/bin/sh
# Make the recordings of the demos that pollscope installs (--replay 01):
# boots the VM (tests/vm/run-vm.sh), runs every demo live in the full screen
# with --record there (tests/vm/guest/record-demos.sh, which also checks
# that each replay shows the live screens), and writes the recordings
# (gzip'ed: pollscope reads them as they are) and the live screens at each
# pause into tests/demos/recordings/. It takes about 25 minutes under TCG.
# Run it after changing a demo, the recording format or the TUI's layout:
#   tests/demos/record-demos.sh [BUILD_DIR]
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
dest=$top/tests/demos/recordings
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$top/tests/vm/run-vm.sh" --build "$build" --timeout 2400 --script-timeout 2300 \
	--append "ps.demos=all ps.dump=1" --keep "$top/tests/vm/guest/record-demos.sh" >"$log" 2>&1 || {
	tail -n 60 "$log"
	echo "record-demos: the VM run failed; nothing written" >&2
	exit 1
}
console=$(sed -n 's/^run-vm: kept .* and \(.*\.console\)$/\1/p' "$log")
[ -f "$console" ] || { echo "record-demos: no console log" >&2; exit 1; }
rm -rf "$dest"
mkdir -p "$dest/screens"
tr -d '\r' <"$console" | awk -v dest="$dest" '
	/^@@PS-FILE-END$/ { close(cmd); cmd = ""; next }
	/^@@PS-FILE / {
		name = $2
		out = (name ~ /\.jsonl$/) ? dest "/" name ".gz" : dest "/screens/" name
		cmd = "base64 -d >\"" out "\""
		if (name !~ /\.jsonl$/)
			cmd = "base64 -d | gunzip >\"" out "\""
		next
	}
	cmd != "" { print | cmd }'
rm -rf "${console%.console}" "$console"
ls -l "$dest" "$dest/screens"
