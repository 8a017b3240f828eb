# --record and --replay: every demo runs live in the full screen with
# --record, stepped with Space; the screen is captured at each pause and at
# the end. Then, with the module unloaded, --replay of each recording is
# stepped with Right to the same places and must show the same panes
# (everything but the header, status and footer rows, which say live or
# replay). The recording must also export as a trace.
#
# The suite runs demos 01 and 04 (time: each demo takes a minute or more
# under TCG). With ps.demos=all on the kernel command line every demo runs,
# and with ps.dump=1 the recordings and the live screens are printed to the
# console, gzip + base64, between @@PS-FILE NAME and @@PS-FILE-END:
# tests/demos/record-demos.sh does both to make the recordings installed
# with pollscope (tests/demos/recordings/).
. /tests/lib.sh

COLS=120
ROWS=36
out=/tmp/rec
mkdir -p $out
# a screen without its changing rows: the header (live or replay), the
# status row (a pause's prompt or the replay's position) and the footer
# The timeline is compared in order and with its times: events carry the
# kernel's time, results when the call returned, the other lines the time
# of their recorded item, in the live run as in the replay. (With
# "notimes": without the times, to tell an order from a time difference.)
panes() {
	if [ "${2:-}" = notimes ]; then
		sed -E -e '1d' -e "$((ROWS - 1)),\$d" -e 's/^ -?[0-9]+\.[0-9]{3}  / T.TTT  /' "$1"
	else
		sed -e '1d' -e "$((ROWS - 1)),\$d" "$1"
	fi
}
# the screen once it is still: highlights and vanished entries last 1.5 s,
# and a waiter may still exit after the pause showed (a loaded machine can
# hold the redraw back: a vanished entry shown is not still)
settled_capture() {
	local i=0

	tmux capture-pane -p -t ps >"$1"
	while [ $i -lt 10 ]; do
		usleep $((1700000 * PS_TIMEOUT_MULT))
		tmux capture-pane -p -t ps >/tmp/again
		cmp -s "$1" /tmp/again && ! grep -q '(removed)' "$1" && return 0
		cp /tmp/again "$1"
		i=$((i + 1))
	done
}

if grep -q 'ps.demos=all' /proc/cmdline; then
	demos=$(cd /tests/demos && ls [0-9][0-9]-*.pscope)
else
	demos=$(cd /tests/demos && ls 01-*.pscope 04-*.pscope)
fi
[ -n "$demos" ] || fail "no demos in /tests/demos"
for d in $demos; do
	n=${d%%-*}
	name=${d%.pscope}
	npause=$(grep -c '^pause' /tests/demos/$d)
	tmux -u new-session -d -s ps -x $COLS -y $ROWS \
		"pollscope --demo $n --record $out/$name.jsonl; echo TUI-EXITED rc=\$?; sleep 600" ||
		fail "tmux did not start"
	k=0
	while [ $k -lt $npause ]; do
		k=$((k + 1))
		wait_screen "Space/Enter:next step" "demo $n: pause $k never came"
		settled_capture $out/$name.live.$k
		tmux send-keys -t ps Space
		# the step goes on: the screen changes (a new banner, waiters)
		i=0
		while tmux capture-pane -p -t ps | cmp -s - $out/$name.live.$k; do
			i=$((i + 1))
			[ $i -lt $((100 * PS_TIMEOUT_MULT)) ] || fail "demo $n: Space at pause $k changed nothing"
			usleep 100000
		done
	done
	WAIT_SCREEN_TRIES=900 wait_screen "demo finished" "demo $n did not finish"
	settled_capture $out/$name.live.end
	tmux send-keys -t ps q
	wait_screen "TUI-EXITED rc=0" "demo $n: q did not leave"
	tmux_stop
	grep -q '"type":"end"' $out/$name.jsonl || fail "demo $n: the recording has no end line"
	ok "demo $n recorded live ($npause pauses)"
done

# The replays, without the module.
failed=0
grep -q '^pollscope ' /proc/modules && fail "pollscope left its module loaded"
for d in $demos; do
	n=${d%%-*}
	name=${d%.pscope}
	pollscope --replay $out/$name.jsonl --export-trace - --format text >$out/$name.txt ||
		fail "demo $n: the transcript"
	# the step of each pause's screen: the items before the end of its pause
	# command (every item but events, outputs and the end line is a step)
	awk '{ k = $2 } k == "event" || k == "output" || k == "end" || /^#/ { next }
	     k == "pause" { waiting = 1 } k == "done" && waiting { print steps; waiting = 0 }
	     { steps++ } END { print "end", steps }' $out/$name.txt >$out/$name.steps
	tmux -u new-session -d -s ps -x $COLS -y $ROWS \
		"pollscope --replay $out/$name.jsonl; echo TUI-EXITED rc=\$?; sleep 600" ||
		fail "tmux did not start"
	wait_screen "step 0/" "demo $n: the replay did not start"
	at=0
	k=0
	was=$failed
	failed=0
	while read -r step total; do
		if [ "$step" = end ]; then
			step=$total
			k=end
		else
			k=$((k + 1))
		fi
		while [ $at -lt "$step" ]; do
			tmux send-keys -t ps Right
			at=$((at + 1))
		done
		wait_screen "step $step/" "demo $n: the replay did not reach step $step"
		settled_capture $out/$name.replay.$k
		panes $out/$name.live.$k >/tmp/a
		panes $out/$name.replay.$k >/tmp/b
		if ! cmp -s /tmp/a /tmp/b; then
			panes $out/$name.live.$k notimes >/tmp/a.nt
			panes $out/$name.replay.$k notimes >/tmp/b.nt
			cmp -s /tmp/a.nt /tmp/b.nt && echo "demo $n: pause $k: only the times differ"
			echo "--- live, pause $k:"
			cat $out/$name.live.$k
			echo "--- replay, step $step:"
			cat $out/$name.replay.$k
			diff /tmp/a /tmp/b
			echo "FAIL: demo $n: the replay at step $step is not the live screen at pause $k"
			failed=1
		fi
	done <$out/$name.steps
	# back to the start and forward again: the first pause once more
	tmux send-keys -t ps 0
	wait_screen "step 0/" "demo $n: 0 did not go back to the start"
	[ $failed = 1 ] || ok "demo $n: the replay shows the live screens at every pause and at the end"
	[ $was = 0 ] || failed=1
	tmux send-keys -t ps q
	wait_screen "TUI-EXITED rc=0" "demo $n: q did not leave the replay"
	tmux_stop
	pollscope --replay $out/$name.jsonl --export-trace $out/$name.trace.json ||
		fail "demo $n: --export-trace"
	grep -q '"traceEvents"' $out/$name.trace.json || fail "demo $n: no traceEvents"
done

if grep -q 'ps.dump=1' /proc/cmdline; then
	for f in $out/*.jsonl $out/*.live.*; do
		echo "@@PS-FILE $(basename $f)"
		gzip -c $f | base64
		echo "@@PS-FILE-END"
	done
fi
[ $failed = 0 ] || fail "a replay differs from its live run"
ok "demos recorded and replayed: $(echo $demos)"
