# debugfs gone under a running TUI (issue 14): a clear message, no crash,
# no busy loop, and q still quits. The module itself cannot go: the TUI's
# open debugfs files pin it, and rmmod says so.
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
rmmod pollscope 2>/tmp/rmmod.err && fail "rmmod pollscope succeeded under a running TUI"
[ -d $PS_DIR ] || fail "$PS_DIR went away after a failed rmmod"
ok "the module cannot be unloaded under the TUI: $(cat /tmp/rmmod.err)"
umount -l /sys/kernel/debug || fail "umount -l /sys/kernel/debug failed"
[ ! -d $PS_DIR ] || fail "$PS_DIR still there after umount"
tmux send-keys -t ps ":create b" Enter
wait_screen "$PS_DIR is gone: the module was unloaded or debugfs unmounted" \
	"no message after debugfs went away"
ok "the TUI says debugfs is gone"
sleep 1
idle_cost "$tui" 3
[ $IDLE_WAKEUPS -le 5 ] || fail "the TUI woke $IDLE_WAKEUPS times in 3 s after debugfs went (a busy loop)"
ok "no busy loop after debugfs went ($IDLE_WAKEUPS wakeups in 3 s)"
tmux send-keys -t ps q
wait_screen "TUI-EXITED rc=[0-9]+" "pollscope did not exit on q"
ok "q quits ($(grep -o 'rc=[0-9]*' /tmp/screen.txt))"
tmux_stop
# leave the VM as later scripts expect it: debugfs mounted, no module
mount -t debugfs none /sys/kernel/debug || fail "debugfs not mounted again"
! grep -q "^pollscope " /proc/modules || rmmod pollscope || fail "module left loaded"
true
