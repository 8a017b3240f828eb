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

# Time limits scale with the kernel: run-vm.sh sets PS_TIMEOUT_MULT (3 on the
# debug kernel, where lockdep, KASAN and kmemleak slow everything down).
PS_TIMEOUT_MULT=${PS_TIMEOUT_MULT:-1}

# wait_for CMD...: retry a command for up to 10 s times PS_TIMEOUT_MULT (TCG
# is slow); no fixed sleeps in assertions, only a bounded wait for a state.
wait_for() {
	local tries=0 # local: callers loop over i themselves
	local PS_IN_WAIT=1 # assertions used as its condition return 1, not exit

	while ! "$@" >/dev/null 2>&1; do
		tries=$((tries + 1))
		[ $tries -lt $((200 * PS_TIMEOUT_MULT)) ] || return 1
		usleep 50000
	done
	return 0
}

# in_poll_at_least N: N or more threads are asleep in poll(2) now (syscall 7
# in /proc/PID/syscall: from /proc alone)
in_poll_at_least() { [ "$(grep -l '^7 ' /proc/[0-9]*/syscall 2>/dev/null | wc -l)" -ge "$1" ]; }

# start_shape SECS PATTERN OUT ARGS...: psshape ARGS in the background (its
# pid in SP), stdout and stderr to OUT, until OUT has a line matching
# PATTERN: up to SECS seconds times PS_TIMEOUT_MULT, failing at once if
# psshape dies. A "first=F last=L" at the end of a line sets FIRST and LAST.
start_shape() {
	local secs=$1 want=$2 out=$3 tries=0

	shift 3
	# The child truncates $out only once it runs: until then the loop below
	# can read an earlier run's "$want" there (seen: epoll 5000 read the
	# 300 case's file, then the truncated one). Gone before it starts.
	rm -f "$out"
	psshape "$@" >"$out" 2>&1 &
	SP=$!
	while ! grep -q -- "$want" "$out"; do
		tries=$((tries + 1))
		[ $tries -lt $((secs * 10 * PS_TIMEOUT_MULT)) ] || fail "psshape $* did not start: $(cat "$out")"
		kill -0 "$SP" 2>/dev/null || fail "psshape $* died: $(cat "$out")"
		usleep 100000
	done
	eval "$(sed -n 's/.*first=\([0-9]*\) last=\([0-9]*\)$/FIRST=\1 LAST=\2/p' "$out")"
}

# measure OUT CMD...: run CMD, stdout to OUT; prints a BENCH line with its
# output's lines and bytes, wall time and peak RSS (busybox 1.35's time -v
# takes ru_maxrss, in KB, for pages and prints 4 times the real figure)
measure() {
	local out=$1 rss
	shift
	/bin/busybox time -v "$@" >"$out" 2>/tmp/time.err || {
		cat /tmp/time.err
		return 1
	}
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' /tmp/time.err)
	echo "BENCH: $(wc -l <"$out") lines, $(wc -c <"$out") bytes, $(sed -n 's/.*Elapsed (wall clock) time.*: //p' /tmp/time.err) wall, $((rss / 4)) KB peak RSS: $*"
}

# idle_cost PID SECONDS: what PID costs while nothing should happen, as
# IDLE_WAKEUPS (voluntary + involuntary context switches, from status) and
# IDLE_CPU_MS (user + system time, from stat, in USER_HZ=100 ticks).
idle_cost() {
	local pid=$1 secs=$2 c0 c1 t0 t1

	c0=$(awk '/ctxt_switches/ { n += $2 } END { print n }' "/proc/$pid/status")
	t0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
	sleep "$secs"
	c1=$(awk '/ctxt_switches/ { n += $2 } END { print n }' "/proc/$pid/status")
	t1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
	IDLE_WAKEUPS=$((c1 - c0))
	IDLE_CPU_MS=$(((t1 - t0) * 10))
}

# For TUI tests: pollscope runs in the tmux session "ps".
# wait_screen PATTERN [MSG]: the screen shows the extended regex PATTERN
# within WAIT_SCREEN_TRIES tenths of a second (default 200: 20 s) times
# PS_TIMEOUT_MULT; the last
# capture stays in /tmp/screen.txt.
wait_screen() {
	local tries=0

	while :; do
		tmux capture-pane -p -t ps >/tmp/screen.txt 2>/dev/null
		grep -Eq -- "$1" /tmp/screen.txt && return 0
		tries=$((tries + 1))
		if [ $tries -ge $((${WAIT_SCREEN_TRIES:-200} * PS_TIMEOUT_MULT)) ]; then
			echo "--- screen:"
			cat /tmp/screen.txt
			fail "${2:-the screen never showed /$1/}"
		fi
		usleep 100000
	done
}

# wchan names depend on how the kernel was compiled (do_sys_poll on Debian's
# kernel, poll_schedule_timeout.constprop.0 on the debug kernel): tests match
# any function name there and check what a process is blocked in through
# /proc/PID/syscall (blocked_in) or compare with /proc/PID/wchan itself.
WCHAN='[A-Za-z_][A-Za-z0-9_.]*'

# blocked_in PID NAME...: PID is asleep (S) in one of the system calls NAME
# (x86_64 numbers of the calls pollscope's waiters make). Fails the script,
# or under wait_for returns 1 so that wait_for tries again (it exited the
# script silently at the first try: a process not yet asleep).
blocked_in() {
	local pid=$1 nr st name
	shift
	st=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$pid/status")
	nr=$(cut -d' ' -f1 "/proc/$pid/syscall")
	for name in "$@"; do
		case "$name:$nr" in
		read:0 | poll:7 | select:23 | epoll_wait:232 | pselect6:270 | ppoll:271 | epoll_pwait:281)
			[ "$st" = S ] && return 0 ;;
		esac
	done
	[ -z "${PS_IN_WAIT:-}" ] || return 1
	fail "pid $pid is not asleep in $*: state $st, /proc/$pid/syscall starts with $nr"
}

# wchan_re PID: PID's wchan as a regex (dots escaped), from /proc.
wchan_re() {
	sed 's/\./\\./g' "/proc/$1/wchan"
}

# pollscope_procs: pids running the pollscope binary: the tool and its
# waiters (forks without exec, whose comm is their label, not "pollscope").
pollscope_procs() {
	local exe p l
	exe=$(readlink -f "$(which pollscope)") # not command -v: TUI tests define command()
	# never empty: kernel threads have no exe link, and an empty name
	# would match every one of them
	[ -n "$exe" ] || exe=/usr/bin/pollscope
	for p in /proc/[0-9]*; do
		l=$(readlink "$p/exe" 2>/dev/null) || continue
		[ "$l" = "$exe" ] && echo "${p#/proc/}"
	done
	true
}

# no_pollscope_procs: true once no process runs the pollscope binary (waiters
# get SIGKILL from their parent's exit, PR_SET_PDEATHSIG, and die a moment
# later): use with wait_for, never after a fixed sleep.
no_pollscope_procs() {
	[ -z "$(pollscope_procs)" ]
}

# tmux_stop: kill the tmux server and wait until it is gone, so that the next
# new-session starts a fresh server instead of reaching the dying one
# ("server exited unexpectedly").
tmux_stop() {
	local i=0

	tmux kill-server 2>/dev/null
	while tmux ls >/dev/null 2>&1 && [ $i -lt 50 ]; do
		i=$((i + 1))
		usleep 100000
	done
}
