#!/bin/sh
# --replay on the host, without the module, in tmux: each shipped demo
# recording (made live in the VM by tests/demos/record-demos.sh, with the
# live screens at each pause in tests/demos/recordings/screens/) is stepped
# with Right to each pause and to its end, and must show the live run's
# panes there (all rows but the header, status and footer, which say live
# or replay; the timeline is compared in order, with its times). Then on
# demo 01: Left steps back to the same screens, 0 goes to the start,
# --speed 4 plays four times as fast as recorded (timed), + and - set the
# speed and Space plays at it (timed), Left after the end steps back one,
# typed commands that would act are refused, :show and Enter's details read
# the recording.
# usage: host-replay.sh POLLSCOPE DATA_DIR RECORDINGS_DIR
set -u
ps=$1
data=$2
recs=$3
session=ps
. "$(dirname "$0")/lib.sh"

COLS=120
ROWS=36
# The timeline is compared in order and with its times: events carry the
# kernel's time, results when the call returned, the other lines the time
# of their recorded item, in the live run as in the replay. A vanished
# entry's row, "(removed)", is blanked: the shipped live screen of demo 05's
# second pause was captured while the live TUI kept such a row past its
# 1.5 s when it expired during a step's sleep (fixed since; tui-demo.sh
# tests it); the next recording of the demos makes this unneeded.
panes() {
	sed -e '1d' -e "$((ROWS - 1)),\$d" -e 's/^ .*(removed)$//' "$1"
}
# the screen once it is still (highlights and vanished entries last 1.5 s;
# a loaded machine can hold the redraw back: a vanished entry shown is not
# still)
settled() {
	i=0
	cap
	while [ $i -lt 10 ]; do
		cp "$screen" "$tmp/before"
		sleep 1.7
		cap
		cmp -s "$screen" "$tmp/before" && ! grep -q '(removed)' "$screen" && return 0
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
# played_at SPEED SLACK PASS FAIL UNFINISHED: the replay started at t0 ends
# at SPEED times the pace of the recording's $total seconds (no faster than
# 0.8 of it, at most SLACK seconds late)
played_at() {
	local t1
	if wait_screen "replay finished"; then
		t1=$(date +%s.%N)
		if awk -v a="$t0" -v b="$t1" -v tot="$total" -v x="$1" -v slack="$2" 'BEGIN {
			took = b - a; want = tot / x
			printf "recorded %.1f s, at x%d played in %.1f s\n", tot, x, took
			exit !(took >= want * 0.8 && took <= want + slack) }'; then
			pass "$3"
		else
			fail "$4"
		fi
	else
		fail "$5"
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
	played_at 4 4 "--speed 4 plays at four times the recorded pace" \
		"--speed 4: not at four times the recorded pace" "--speed 4 did not play to the end"
	t send-keys -t ps q
	# + and - while stopped, then Space plays from the start at that pace:
	# x16, x8 after a -
	start "$rec" ""
	wait_screen "step 0/" || fail "$name: the replay did not start"
	t send-keys -t ps + + + +
	check "+ doubles the speed" "replay speed x16"
	t send-keys -t ps -
	check "- halves it" "replay speed x8"
	t0=$(date +%s.%N)
	t send-keys -t ps Space
	played_at 8 3 "Space plays at the speed + and - set (x8)" \
		"Space after + and -: not at eight times the recorded pace" "Space did not play to the end"
	# Left from the end: one step back
	steps_total=$(tail -n1 "$tmp/steps" | cut -d' ' -f2)
	t send-keys -t ps Left
	check "Left after the end steps back one" "step $((steps_total - 1))/$steps_total"
	t send-keys -t ps q
done
[ $n -ge 10 ] || fail "$n demo recordings with live screens in $recs, want 10"

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
