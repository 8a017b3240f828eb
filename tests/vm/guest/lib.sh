# Helpers for guest test scripts (busybox ash). Source with: . /tests/lib.sh
# Every failure names what was expected, so a red run explains itself.

PS_DIR=/sys/kernel/debug/pollscope

fail() {
	echo "FAIL: $*"
	exit 1
}

ok() {
	echo "ok: $*"
}

# assert_grep PATTERN FILE [MSG]: an extended regex must match a line of FILE.
assert_grep() {
	grep -Eq -- "$1" "$2" || {
		echo "--- $2:"
		cat "$2"
		fail "${3:-expected /$1/ in $2}"
	}
}

assert_no_grep() {
	if grep -Eq -- "$1" "$2"; then
		echo "--- $2:"
		cat "$2"
		fail "${3:-unexpected /$1/ in $2}"
	fi
}

assert_eq() {
	[ "$1" = "$2" ] || fail "${3:-values differ}: got '$1', want '$2'"
}

# load_module [PARAMS]: insmod the module under test, failing loudly.
load_module() {
	insmod "$PS_KO" "$@" || fail "insmod $PS_KO $* failed"
	[ -d "$PS_DIR" ] || fail "$PS_DIR missing after insmod"
}

unload_module() {
	rmmod pollscope || fail "rmmod pollscope failed"
	[ ! -d "$PS_DIR" ] || fail "$PS_DIR still present after rmmod"
}

# wait_for CMD...: retry a command for up to 10 s (TCG is slow); no fixed sleeps
# in assertions, only a bounded wait for a state to be reached.
wait_for() {
	local tries=0 # local: callers loop over i themselves

	while ! "$@" >/dev/null 2>&1; do
		tries=$((tries + 1))
		[ $tries -lt 200 ] || return 1
		usleep 50000
	done
	return 0
}

# For TUI tests: pollscope runs in the tmux session "ps".
# wait_screen PATTERN [MSG]: the screen shows the extended regex PATTERN
# within WAIT_SCREEN_TRIES tenths of a second (default 200: 20 s); the last
# capture stays in /tmp/screen.txt.
wait_screen() {
	local tries=0

	while :; do
		tmux capture-pane -p -t ps >/tmp/screen.txt 2>/dev/null
		grep -Eq -- "$1" /tmp/screen.txt && return 0
		tries=$((tries + 1))
		if [ $tries -ge "${WAIT_SCREEN_TRIES:-200}" ]; then
			echo "--- screen:"
			cat /tmp/screen.txt
			fail "${2:-the screen never showed /$1/}"
		fi
		usleep 100000
	done
}
