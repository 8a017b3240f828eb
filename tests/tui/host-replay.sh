#!/bin/sh
# --replay on the host, without the module, in tmux: each shipped demo
# recording (made live in the VM by tests/demos/record-demos.sh, with the
# live screens at each pause in tests/demos/recordings/screens/) is stepped
# with Right to each pause and to its end, and must show the live run's
# panes there (all rows but the header, status and footer, which say live
# or replay). Then on demo 01: Left steps back to the same screens, 0 goes
# to the start, --speed plays at the recorded pace (timed), typed commands
# that would act are refused, :show and Enter's details read the recording.
# usage: host-replay.sh POLLSCOPE DATA_DIR RECORDINGS_DIR
set -u
ps=$1
data=$2
recs=$3
session=ps
. "$(dirname "$0")/lib.sh"

COLS=120
ROWS=36
# The timeline's times and the order of its lines are left out (its lines
# are compared as a sorted list): the live run stamps a line when it takes
# it in, the replay with its item's recorded time, and lines a few ms apart
# can trade places. Every other row is compared as it is.
panes() {
	sed -E -e '1d' -e "$((ROWS - 1)),\$d" -e 's/^ -?[0-9]+\.[0-9]{3}  / T.TTT  /' "$1" |
		awk '/^─ Timeline/ { print; tl = 1; next } tl { print | "sort"; next } { print }'
}
# the screen once it is still (highlights and vanished entries last 1.5 s)
settled() {
	i=0
	cap
	while [ $i -lt 10 ]; do
		cp "$screen" "$tmp/before"
		sleep 1.7
		cap
		cmp -s "$screen" "$tmp/before" && return 0
		i=$((i + 1))
	done
}
start() { # start RECORDING [OPTIONS]
	t kill-session -t ps 2>/dev/null
	t -f /dev/null new-session -d -s ps -x $COLS -y $ROWS \
		"'$ps' --replay '$1' $2; echo TUI-EXITED rc=\$?; sleep 60"
}
# the step of each pause's live screen: every item but events, outputs and
# the end line is a step; a pause's screen is the one before its command's
# done line
steps() {
	"$ps" --replay "$1" --export-trace - --format text | awk '
		{ k = $2 } k == "event" || k == "output" || k == "end" || /^#/ { next }
		k == "pause" { waiting = 1 } k == "done" && waiting { print steps; waiting = 0 }
		{ steps++ } END { print "end", steps }'
}
# go STEP: Right or Left until the scrubber says STEP
at=0
go() {
	while [ $at -lt "$1" ]; do t send-keys -t ps Right; at=$((at + 1)); done
	while [ $at -gt "$1" ]; do t send-keys -t ps Left; at=$((at - 1)); done
	wait_screen "step $1/"
}
same_as_live() { # same_as_live LIVE_SCREEN WHAT
	panes "$1" >"$tmp/a"
	panes "$screen" >"$tmp/b"
	if cmp -s "$tmp/a" "$tmp/b"; then
		pass "$2"
	else
		diff "$tmp/a" "$tmp/b"
		fail "$2: not the live screen $(basename "$1")"
	fi
}

n=0
for rec in "$recs"/[0-9][0-9]-*.jsonl.gz; do
	name=$(basename "$rec" .jsonl.gz)
	[ -f "$recs/screens/$name.live.end" ] || { fail "$name: no live screens"; continue; }
	n=$((n + 1))
	steps "$rec" >"$tmp/steps"
	start "$rec" ""
	wait_screen "step 0/" || fail "$name: the replay did not start"
	at=0
	k=0
	while read -r step total; do
		if [ "$step" = end ]; then
			step=$total
			k=end
		else
			k=$((k + 1))
		fi
		go "$step" || fail "$name: no step $step"
		settled
		same_as_live "$recs/screens/$name.live.$k" "$name: pause $k (step $step) as live"
	done <"$tmp/steps"
	if [ "$name" = "${name#01-}" ]; then
		continue
	fi
	# demo 01: back to the first pause with Left, then to the start with 0
	first=$(head -n1 "$tmp/steps")
	go "$first"
	settled
	same_as_live "$recs/screens/$name.live.1" "$name: Left back to pause 1"
	t send-keys -t ps 0
	at=0
	check "0 goes back to the start" "step 0/"
	# typed commands: those that act are refused, show reads the recording
	t send-keys -t ps ":spawn poll dev" Enter
	check "spawn refused in a replay" "spawn: not available in a replay"
	go "$first"
	t send-keys -t ps ":show" Enter
	check ":show lists the recorded object" "^ *dev: ready="
	t send-keys -t ps q
	t send-keys -t ps Down Enter
	check "Enter shows a recorded entry's details" "wake function +pollwake"
	t send-keys -t ps q
	t send-keys -t ps q
	check "q leaves the replay" "TUI-EXITED rc=0"
	# --speed 4: plays by itself, four times as fast as recorded
	# the time of the last step (the end line may come later)
	total=$("$ps" --replay "$rec" --export-trace - --format text |
		awk '$2 != "event" && $2 != "output" && $2 != "end" && !/^#/ { t = $1 } END { print t }')
	t0=$(date +%s.%N)
	start "$rec" "--speed 4"
	if wait_screen "replay finished"; then
		t1=$(date +%s.%N)
		if awk -v a="$t0" -v b="$t1" -v tot="$total" 'BEGIN {
			took = b - a; want = tot / 4
			printf "recorded %.1f s, at x4 played in %.1f s\n", tot, took
			exit !(took >= want * 0.8 && took <= want + 4) }'; then
			pass "--speed 4 plays at four times the recorded pace"
		else
			fail "--speed 4: not at four times the recorded pace"
		fi
	else
		fail "--speed 4 did not play to the end"
	fi
	t send-keys -t ps q
done
[ $n -ge 8 ] || fail "$n demo recordings with live screens in $recs, want 8"

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
