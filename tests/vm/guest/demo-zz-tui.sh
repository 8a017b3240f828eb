# Every demo runs in the full-screen demo mode too (pollscope --demo NN,
# found by number in POLLSCOPE_DEMO_DIR), stepping on by itself with --delay.
. /tests/lib.sh

for n in 01 02 03 04 05 06 07 08; do
	tmux -u new-session -d -s demo$n -x 140 -y 45 "POLLSCOPE_DEMO_DIR=/tests/demos pollscope --demo $n --delay 50; echo TUI-EXITED rc=\$?; sleep 600" ||
		fail "tmux did not start"
	i=0
	while :; do
		tmux capture-pane -p -t demo$n >/tmp/screen.txt 2>/dev/null
		grep -q "demo finished" /tmp/screen.txt && break
		if grep -Eq "\.pscope:[0-9]+: |TUI-EXITED" /tmp/screen.txt || [ $i -ge 900 ]; then
			cat /tmp/screen.txt
			fail "demo $n did not finish in the full screen"
		fi
		i=$((i + 1))
		usleep 100000
	done
	tmux send-keys -t demo$n q
	i=0
	while ! tmux capture-pane -p -t demo$n 2>/dev/null | grep -q "TUI-EXITED rc=0"; do
		i=$((i + 1))
		[ $i -lt 100 ] || fail "demo $n: q did not leave"
		usleep 100000
	done
	# the whole server, waited for: a new-session racing the exit of a
	# server whose last session was killed fails ("server exited
	# unexpectedly")
	tmux_stop
	ok "demo $n in the full screen"
done
