# Demo mode in a real terminal: say lines appear in a banner, pause waits for
# Space, --delay steps on by itself, and Ctrl-C leaves cleanly.
. /tests/lib.sh


cat >/tmp/lesson.pscope <<'EOF'
# a two-step lesson
say Step one: a poller goes to sleep
create dev
spawn poll dev as=p
settle
pause look at the queue
say Step two: the driver wakes it
wake dev in
settle
pause
say The end
EOF

tmux -u new-session -d -s ps -x 100 -y 30 "trap '' INT; pollscope --demo /tmp/lesson.pscope; echo TUI-EXITED rc=\$?; sleep 600" ||
	fail "tmux did not start"
wait_screen "Step one: a poller goes to sleep" "the first say in the banner"
wait_screen "poll +pollwake" "the step's effect on the queue"
wait_screen "look at the queue.*Space/Enter" "the pause text with its keys"
wait_screen "Space/Enter:next step" "the footer while paused"
# Paused: the next step must not run by itself.
sleep 2
tmux capture-pane -p -t ps >/tmp/screen.txt
grep -q "Step two" /tmp/screen.txt && fail "the demo went on without a key press"
ok "demo paused at step one"

tmux send-keys -t ps Space
wait_screen "Step two: the driver wakes it" "the second step after Space"
wait_screen " p +poll +X .* 1 after .*dev=in" "the poller woken by the step"
ok "Space ran step two"
tmux send-keys -t ps Enter
wait_screen "The end" "the last say"
wait_screen "demo finished" "the end of the demo"
ok "demo finished"

# Ctrl-C leaves cleanly: exit 0, no waiter left behind. (The wrapper shell
# ignores SIGINT so that it survives to print the exit status.)
tmux send-keys -t ps C-c
wait_screen "TUI-EXITED rc=0" "pollscope did not leave on Ctrl-C"
if ! wait_for no_pollscope_procs; then
	for p in $(pollscope_procs); do echo "left: $p $(cat /proc/$p/stat 2>/dev/null)"; done
	ps -o pid,ppid,stat,comm
	fail "processes left after Ctrl-C"
fi
ok "Ctrl-C exit"
tmux_stop

# --delay: the same lesson runs to its end without a key.
tmux -u new-session -d -s ps -x 100 -y 30 "pollscope --demo /tmp/lesson.pscope --delay 300; echo TUI-EXITED rc=\$?; sleep 600"
wait_screen "demo finished" "the --delay demo did not finish by itself"
grep -q "The end" /tmp/screen.txt || fail "the last say of the --delay demo"
tmux send-keys -t ps q
wait_screen "TUI-EXITED rc=0"
ok "--delay demo ran to its end"

# The screen stays live while a step sleeps: a waiter's timeout shows up
# during the step's `sleep`, before the next say.
tmux_stop
cat >/tmp/live.pscope <<'EOF2'
say Watching a timeout
create t
spawn poll t timeout=1000 as=tm
sleep 6000
say After the sleep
EOF2
tmux -u new-session -d -s ps -x 100 -y 30 "pollscope --demo /tmp/live.pscope; echo TUI-EXITED rc=\$?; sleep 600"
wait_screen " tm +poll +X .* 0 " "the timeout during the step's sleep"
grep -q "Watching a timeout" /tmp/screen.txt || fail "the result showed only after the sleep"
grep -q "After the sleep" /tmp/screen.txt && fail "the result showed only after the sleep"
ok "screen live during sleep"
wait_screen "demo finished"
tmux send-keys -t ps q
wait_screen "TUI-EXITED rc=0"

# A vanished entry's row, "(removed)", shows for a moment (1.5 s) and goes,
# also when it expired during a step's sleep and a pause followed: the
# pause's wait ignored an expired row and slept until a key, keeping it on
# screen (demos 03 and 05 under load).
tmux_stop
cat >/tmp/ghost.pscope <<'EOF2'
create g
spawn poll g as=gp
settle
wake g in
settle
say Sleeping past the removed row
sleep 3000
pause first pause
EOF2
tmux -u new-session -d -s ps -x 100 -y 30 "pollscope --demo /tmp/ghost.pscope; echo TUI-EXITED rc=\$?; sleep 600"
# the row lives 1.5 s: look without pausing between captures
seen=0
for i in $(seq 1 $((60 * PS_TIMEOUT_MULT))); do
	tmux capture-pane -p -t ps >/tmp/screen.txt
	if grep -q "gp .*(removed)" /tmp/screen.txt; then
		seen=1
		break
	fi
	grep -q "first pause" /tmp/screen.txt && break
done
[ $seen = 1 ] || fail "the entry that left never showed as (removed)"
wait_screen "first pause.*Space/Enter" "the pause after the sleep"
gone() {
	local i=0

	while tmux capture-pane -p -t ps | grep -q "(removed)"; do
		i=$((i + 1))
		[ $i -lt $((30 * PS_TIMEOUT_MULT)) ] || return 1
		usleep 100000
	done
}
gone || { tmux capture-pane -p -t ps; fail "a (removed) row stayed through the pause (it expired during the step's sleep)"; }
ok "a removed entry's row shows, then goes, even when it expired before a pause"
tmux send-keys -t ps Space
wait_screen "demo finished"
tmux send-keys -t ps q
wait_screen "TUI-EXITED rc=0"

# NO_COLOR and --ascii: still readable, box drawing in ASCII.
tmux_stop
tmux -u new-session -d -s ps -x 100 -y 30 "NO_COLOR=1 pollscope --ascii; echo TUI-EXITED rc=\$?; sleep 600"
wait_screen "^-+ Wait queues" "ASCII pane titles"
grep -q "─" /tmp/screen.txt && fail "UTF-8 box drawing despite --ascii"
tmux send-keys -t ps q
wait_screen "TUI-EXITED rc=0"
ok "--ascii and NO_COLOR"
tmux_stop
true
