# Shared by the host TUI tests (sourced): a scratch copy of the recorded
# debugfs files in $tmp/d, a private tmux server, and checks that read the
# screen. The caller sets ps and data first, and session (the tmux session
# most checks read; default ps).
command -v tmux >/dev/null || { echo "tmux missing (tests/setup.sh installs it)"; exit 1; }
session=${session:-ps}
tmp=$(mktemp -d)
sock="$tmp/tmux.sock"
screen="$tmp/screen"
passes=0
failures=0
cp -r "$data/basic" "$tmp/d"
t() { tmux -S "$sock" "$@"; }
# One server for the whole script, kept when its last session goes: killing
# the only session makes tmux exit, and a new-session racing that exit fails
# with "server exited unexpectedly" (5 times in 200 on a loaded host).
t -f /dev/null start-server \; set-option -g exit-empty off
cleanup() {
	t kill-server 2>/dev/null
	rm -rf "$tmp" 2>/dev/null || { sleep 0.5; rm -rf "$tmp"; }
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*"
	echo "--- screen:"
	cat "$screen"
	failures=$((failures + 1))
}
pass() {
	echo "ok: $*"
	passes=$((passes + 1))
}
# cap [SESSION]: the screen into $screen
cap() { t capture-pane -p -t "${1:-$session}" >"$screen" 2>/dev/null; }
# wait_screen PATTERN [SESSION]: up to 30 s for the screen to show PATTERN
wait_screen() {
	i=0
	while [ $i -lt 300 ]; do
		cap "${2:-$session}"
		grep -Eq -- "$1" "$screen" && return 0
		i=$((i + 1))
		sleep 0.1
	done
	return 1
}
# check MESSAGE PATTERN [SESSION]
check() {
	if wait_screen "$2" "${3:-$session}"; then pass "$1"; else fail "$1: no /$2/"; fi
}
