# The module unloaded under a running TUI (issue 14): a clear message, no
# crash, no busy loop (debugfs polls a removed file as hung up forever), and
# q still quits.
. /tests/lib.sh

tmux -u new-session -d -s ps -x 120 -y 40 "pollscope; echo TUI-EXITED rc=\$?; sleep 600" ||
	fail "tmux did not start"
wait_screen "module: loaded by pollscope"
tmux send-keys -t ps ":create a" Enter
wait_screen "^a +ready=none waiting=0"
tui=$(tmux display -p -t ps '#{pane_pid}')
tui=$(for f in /proc/[0-9]*/stat; do
	read -r pid comm st ppid rest <"$f" 2>/dev/null || continue
	[ "$ppid" = "$tui" ] && [ "$comm" = "(pollscope)" ] && echo "$pid"
done)
[ -n "$tui" ] || fail "no pollscope under the pane's shell"
rmmod pollscope || fail "rmmod pollscope failed"
[ ! -d $PS_DIR ] || fail "$PS_DIR still there"
wait_screen "$PS_DIR is gone: the module was unloaded or debugfs unmounted" \
	"no message after the module was unloaded"
ok "the TUI says the module is gone"
sleep 1
c0=$(awk '/ctxt_switches/ { n += $2 } END { print n }' /proc/$tui/status)
sleep 3
c1=$(awk '/ctxt_switches/ { n += $2 } END { print n }' /proc/$tui/status)
[ $((c1 - c0)) -le 5 ] || fail "the TUI woke $((c1 - c0)) times in 3 s after the module went (a busy loop)"
ok "no busy loop after the module went ($((c1 - c0)) wakeups in 3 s)"
tmux send-keys -t ps q
wait_screen "TUI-EXITED rc=[0-9]+" "pollscope did not exit on q"
grep -Eq "TUI-EXITED rc=0" /tmp/screen.txt || fail "pollscope exited with $(grep -o 'rc=[0-9]*' /tmp/screen.txt)"
ok "q quits with status 0"
tmux_stop
true
