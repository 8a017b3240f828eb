#!/bin/sh
# The TUI's key table and its views and panes, on the host in tmux: recorded
# debugfs files for the module's objects, real eventfds (no module needed)
# for waiters that sleep. Each check names what a person would see.
# usage: host-tui-keys.sh POLLSCOPE DATA_DIR TUI_KEYS
set -u
ps=$1
data=$2
keys=$3
session=ps
. "$(dirname "$0")/lib.sh"
# objects named for natural order (o2 before o10)
: >"$tmp/d/objects/o10"
: >"$tmp/d/objects/o2"
: >"$tmp/d/objects/o1"
gone() { # gone MESSAGE PATTERN: the screen stops showing PATTERN within 5 s
	i=0
	while [ $i -lt 50 ]; do
		cap
		grep -Eq -- "$2" "$screen" || { pass "$1"; return; }
		i=$((i + 1))
		sleep 0.1
	done
	fail "$1: still /$2/"
}
k() { t send-keys -t ps "$@"; }

# fresh W H: a new TUI in a W x H terminal, so that each part below stands
# on its own (a key the TUI does not know must not spoil the next part).
fresh() {
	t kill-session -t ps 2>/dev/null
	t -f /dev/null new-session -d -s ps -x "$1" -y "$2" \
		"'$ps' --debugfs '$tmp/d'; echo TUI-EXITED rc=\$?; sleep 60"
	wait_screen "Wait queues: 5 objects" || fail "the TUI did not start"
}

fresh 120 36

# --- A fresh TUI starts its timeline with the session: the recorded file's
# 8 events are from before it, and are counted, not shown as news.
check "earlier events counted" "8 events from before this session not shown"
cap
if grep -Eq "^ +[0-9]+\.[0-9]+ +(create|ready|wake) +a " "$screen"; then
	fail "the timeline shows events from before the session"
else
	pass "no earlier event in the timeline"
fi

# --- Natural order of objects: o1, o2, o10.
l1=$(grep -n "^o1\*" "$screen" | cut -d: -f1)
l2=$(grep -n "^o2\*" "$screen" | cut -d: -f1)
l10=$(grep -n "^o10\*" "$screen" | cut -d: -f1)
if [ -n "$l1" ] && [ -n "$l2" ] && [ -n "$l10" ] && [ "$l1" -lt "$l2" ] && [ "$l2" -lt "$l10" ]; then
	pass "objects in natural order"
else
	fail "objects order: o1 at ${l1:-?}, o2 at ${l2:-?}, o10 at ${l10:-?}"
fi

# --- Every key of the table is in the help screen (in its key column, on
# some page), and every key the footers name is in the table.
"$keys" >"$tmp/table" || fail "tui-keys did not run"
k "?"
check "help open" "pollscope help"
: >"$tmp/help"
n=0
while [ $n -lt 20 ]; do
	cap
	cat "$screen" >>"$tmp/help"
	grep -Eq "lines [0-9]+-([0-9]+) of \\1 " "$screen" && break
	k NPage
	n=$((n + 1))
	sleep 0.3
done
# the key column: screen columns 4-17 of the pager's lines
cut -c4-17 "$tmp/help" | tr ' ' '\n' | grep -v '^$' | sort -u >"$tmp/helpkeys"
missing=$(cut -f1 "$tmp/table" | sort -u | while read -r name; do
	grep -Fxq -- "$name" "$tmp/helpkeys" || printf '%s ' "$name"
done)
if [ -z "$missing" ] && [ -s "$tmp/table" ]; then
	pass "every key of the table is in help ($(cut -f1 "$tmp/table" | sort -u | wc -l) keys)"
else
	fail "keys missing from help: $missing"
fi
# footer labels: the table's (every mode), and the footers on screen
footer_view=$(tail -n 1 "$screen")
k q
check "help closed" "Wait queues"
cap
footer_panes=$(tail -n 1 "$screen")
{
	cut -f2 "$tmp/table" | grep -v '^$'
	printf '%s\n' "$footer_panes" "$footer_view" | sed 's/^ *//; s/  \+/\n/g'
} | grep -v '^$' | sort -u >"$tmp/footer"
bad=$(while read -r item; do
	case $item in
	:*) ks=: ;;
	*) ks=$(printf '%s' "${item%%:*}" | tr '/' ' ') ;;
	esac
	for key in $ks; do
		cut -f1 "$tmp/table" | grep -Fxq -- "$key" || printf '%s ' "$key($item)"
	done
done <"$tmp/footer")
if [ -z "$bad" ] && grep -q "i:inspect" "$tmp/footer"; then
	pass "footer keys are table keys ($(wc -l <"$tmp/footer") labels)"
else
	fail "footer keys not in the table: $bad"
fi

# --- Help: * explained, searchable; Down scrolls rather than closing.
fresh 80 24
k "?"
check "help at 80x24" "pollscope help"
k Down
check "Down scrolls help" "lines 2-"
k "/" "did not create" Enter
check "search finds the * mark" "^ +name\\* +an object this session did not create"
k End
check "End reaches the last help line" "Ctrl-U Ctrl-K"
k q
check "q closes help" "Wait queues"

# --- A listing scrolls sideways and searches. stats lines are 96 columns.
fresh 80 24
k ":stats" Enter
check "stats view" ":stats"
cap
if grep -q "count=0 open=3" "$screen"; then fail "stats line not cut at 80 columns"; else pass "stats cut at 80"; fi
k Right Right Right
check "Right scrolls sideways" "count=0 open=3"
k Left Left Left
k "/" "wakes=0" Enter
check "search in a listing" "/wakes=0: line [0-9]+"
k n
check "n: no further match" "no further match"
# the view covers the panes: nothing of them at its edges
cap
if grep -Eq "Wait queues|Processes:|Timeline" "$screen"; then
	fail "pane text shows around the view"
elif sed -n '3,20p' "$screen" | cut -c1 | grep -q '[^ ]'; then
	fail "column 1 of the view is not blank"
else
	pass "the view covers the panes"
fi
k q
check "view closed" "Wait queues"

# --- Home in the timeline shows its oldest lines, not an empty pane.
fresh 80 24
k Tab Tab
k Home
sleep 0.5
cap
row=$(grep -n "Timeline" "$screen" | head -n 1 | cut -d: -f1)
if sed -n "$((row + 1))p" "$screen" | grep -q "events from before this session"; then
	pass "the oldest timeline line after Home"
else
	fail "Home: the timeline's first row is '$(sed -n "$((row + 1))p" "$screen")'"
fi

# --- Waiters on real eventfds: 9 in a pane of a few rows.
fresh 80 24
k ":create e eventfd; create f eventfd; spawn poll e count=8 as=p; spawn poll f as=z; settle" Enter
check "nine waiters" "Processes: 9 waiters, 9 alive"
# (which end it shows depends on whether it already followed the last waiter
# that fell asleep: either way it must say that rows are hidden)
check "the process pane says it has more" "Processes: 9 waiters, 9 alive \\[[0-9]-[0-9] of 9, more (below|above)"
# z (the last row, off screen) wakes: the pane follows it
k ":write f 1" Enter
check "the pane scrolls to the woken waiter" " z +poll +X .*1 after .*f=in"
check "more above" "more above"
# exited X (z, process pane) and exclusive E (a's epoll entry, queue pane)
# are different marks on one screen
cap
if grep -Eq " z +poll +X " "$screen" && grep -Eq "ep_poll_callback +94 +waiter +S +E " "$screen"; then
	pass "exited X and exclusive E side by side"
else
	fail "no exited X next to an exclusive E"
fi
# details of a sleeping waiter: its call has not returned
k Tab
k Home
k Enter
check "details of an asleep waiter" "calls +1 entered, 0 returned, call 1 asleep"
check "details explain the sleep" "asleep in poll_schedule_timeout"
k q
# i inspects the selected process
cap
pid=$(grep -E "^ +[0-9]+ p\\.1 " "$screen" | awk '{ print $1 }')
k i
check "i runs inspect on the selected pid" ":inspect $pid\$|:inspect $pid "

# --- The command line's Home (Ctrl-A is QEMU's key).
fresh 80 24
k ":ake a out nr=0" Home "w" Enter
check "Home moves to the start of the command line" "woke a key=out"

k ":kill all" Enter
k q
check "q exits with 0" "TUI-EXITED rc=0"

# --- A capped snapshot (the module's max_queue_entries): the object's row
# says how many entries are not listed, and details say why.
cp -r "$data/capped" "$tmp/capped"
t -f /dev/null new-session -d -s cap -x 100 -y 30 \
	"'$ps' --debugfs '$tmp/capped'; echo TUI-EXITED rc=\$?; sleep 60"
check "a capped queue says what is not listed" "^a\*? +ready=none waiting=12 \(4 not listed\)" cap
check "at least, when the module stopped counting" "^b\*? +ready=none waiting=30 \(8\+ not listed\)" cap
t send-keys -t cap Enter
check "details say why" "4 entries of its queue are not listed: the module's snapshot stops at" cap
t send-keys -t cap q q
check "q exits" "TUI-EXITED rc=0" cap

# --- c clears exited waiters (forget): z returns and exits, p sleeps on;
# after c the pane counts only the live one, and the kernel's process z is
# gone (reaped) while p still sleeps in poll.
fresh 120 36
k ":create e eventfd; create f eventfd; spawn poll e as=p; spawn poll f as=z; settle; write f 1" Enter
check "an exited waiter before c" "Processes: 2 waiters, 1 alive"
cap
zpid=$(grep -E "^ +[0-9]+ +z +poll +X " "$screen" | awk '{ print $1 }')
k c
check "c leaves only the live waiter" "Processes: 1 waiter(s)?, 1 alive"
cap
if grep -Eq " z +poll " "$screen"; then
	fail "z still listed after c"
elif [ -n "$zpid" ] && kill -0 "$zpid" 2>/dev/null; then
	fail "z's process $zpid still exists"
elif ! grep -Eq " p +poll +S " "$screen"; then
	fail "p (alive) not listed after c"
else
	pass "c dropped exited z (pid ${zpid:-?}), kept live p"
fi
k q

# --- Ctrl-L takes the size again. A serial console: the tty says 0x0 and
# no SIGWINCH comes; only the terminal's own report knows the size.
t -f /dev/null new-session -d -s cl -x 120 -y 36 \
	"trap '' WINCH; stty rows 0 cols 0; '$ps' --debugfs '$tmp/d'; echo TUI-EXITED rc=\$?; sleep 60"
check "started at the terminfo size" "Wait queues" cl
cap cl
last=$(grep -n "q:quit" "$screen" | cut -d: -f1)
t send-keys -t cl C-l
check "Ctrl-L: the terminal's size" "redrawn at 120x36" cl
cap cl
last2=$(grep -n "q:quit" "$screen" | cut -d: -f1)
if [ "${last2:-0}" = 36 ]; then pass "footer on row 36 after Ctrl-L (was ${last:-?})"; else fail "footer on row ${last2:-?}"; fi
# a resize without SIGWINCH (ignored here): Ctrl-L finds it
t resize-window -t cl -x 100 -y 30
sleep 0.5
t send-keys -t cl C-l
check "Ctrl-L after a resize with no SIGWINCH" "redrawn at 100x30" cl
t send-keys -t cl q
check "q exits" "TUI-EXITED rc=0" cl
# F10 quits too, as in htop (and the help says so)
fresh 100 30
k '?'
check "the help lists F10 with q" "q Q F10 +quit"
k q
k F10
check "F10 exits" "TUI-EXITED rc=0"

echo "tui keys: $passes passed, $failures failed"
[ $failures -eq 0 ]
