# The TUI's waits pane (A) at 80x24: known sleepers (cat reading a fifo
# that sleep holds open for writing: two ordinary processes) are listed with
# the fifo, its holders and the call, as /proc says; the pane rescans by
# itself (a second pair started later appears, the first one killed goes)
# and its title says how old its data is; A gives the process pane back.
. /tests/lib.sh

# $1 asleep in read(2) on fd 0, which is the fifo $2: from /proc alone
reads_fifo() {
	blocked_in "$1" read && [ "$(cut -d' ' -f2 /proc/$1/syscall)" = 0x0 ] &&
		[ "$(readlink /proc/$1/fd/0)" = "$2" ]
}

# a fifo between sleep (the writer, asleep in nanosleep: not on the queue)
# and cat (the reader, asleep on the fifo's read queue): SLEEP and CAT
pair() {
	rm -f "$1"
	mkfifo "$1"
	sleep 100000 >"$1" &
	SLEEP=$!
	cat <"$1" >/dev/null &
	CAT=$!
}

pair /tmp/fa
S1=$SLEEP C1=$CAT
wait_for reads_fifo $C1 /tmp/fa || fail "cat $C1 is not asleep reading /tmp/fa"
[ "$(readlink /proc/$S1/fd/1)" = /tmp/fa ] || fail "sleep $S1 does not hold /tmp/fa"

tmux -u new-session -d -s ps -x 80 -y 24 "pollscope; echo TUI-EXITED rc=\$?; sleep 600" ||
	fail "tmux did not start"
wait_screen "module: loaded by pollscope"
wait_screen "Processes: 0 waiters"
tmux send-keys -t ps A
# the queue row: the fifo, its read queue, both holders (pid order)
wait_screen "^/tmp/fa +read queue \(pipe->rd_wait\) +held by $S1 sleep, $C1 cat" \
	"the waits pane does not show /tmp/fa held by sleep $S1 and cat $C1"
# the sleeper row below it: cat, asleep (S) in read on fd 0
grep -A1 "^/tmp/fa " /tmp/screen.txt | tail -n 1 | grep -Eq "^ +$C1 cat +S read\(fd=0\) " ||
	fail "cat $C1 is not the sleeper under /tmp/fa: $(grep -A1 '^/tmp/fa ' /tmp/screen.txt)"
grep -Eq "^─ Waits: [0-9]+ queues?, [0-9]+ sleepers? \| [0-9]+ s ago \(u: rescan\)" /tmp/screen.txt ||
	fail "the pane's title does not say its age: $(grep Waits /tmp/screen.txt)"
ok "waits pane: /tmp/fa, held by sleep $S1 and cat $C1, cat asleep in read(fd=0)"

# Enter on cat's row (the one under /tmp/fa's): the full listing of that
# process (:waits pid=), then q closes it
top=$(grep -n '^─ Waits' /tmp/screen.txt | cut -d: -f1)
n=$(grep -n '^/tmp/fa ' /tmp/screen.txt | cut -d: -f1)
tmux send-keys -t ps Home
for k in $(seq 1 $((n - top - 1))); do
	tmux send-keys -t ps Down
done
tmux send-keys -t ps Enter
wait_screen "─ :waits pid=$C1 " "Enter on cat $C1's row did not open :waits pid=$C1"
wait_screen "^ +pos 0 +$C1 cat +S read\(fd=0\)" "the listing does not show cat $C1 asleep"
tmux send-keys -t ps q
wait_screen "^─ Waits: " "q did not close the listing"
ok "Enter on cat's row lists :waits pid=$C1"

# The pane rescans by itself: the first pair killed, a second started now
# (after tmux and pollscope: further down the list, PgDn finds it).
kill $C1 $S1
wait $C1 $S1 2>/dev/null
pair /tmp/fb
S2=$SLEEP C2=$CAT
wait_for reads_fifo $C2 /tmp/fb || fail "cat $C2 is not asleep reading /tmp/fb"
# find_row PATTERN NEXT MSG: page down the waits pane until a row matching
# PATTERN shows with a row matching NEXT right under it. A queue's row can
# be the pane's last, its sleeper on the next page (pages do not overlap):
# then Down, a line at a time, until the sleeper scrolls in. The screen is
# left in /tmp/screen.txt.
find_row() {
	local k=0
	tmux send-keys -t ps Home
	while :; do
		usleep 300000
		tmux capture-pane -p -t ps >/tmp/screen.txt
		grep -EA1 -- "$1" /tmp/screen.txt | sed -n 2p | grep -Eq -- "$2" && return 0
		k=$((k + 1))
		if [ $k -ge $((100 * PS_TIMEOUT_MULT)) ]; then
			cat /tmp/screen.txt
			fail "$3"
		fi
		if grep -Eq -- "$1" /tmp/screen.txt; then
			tmux send-keys -t ps Down
		elif [ $((k % 10)) = 0 ]; then
			tmux send-keys -t ps Home
		else
			tmux send-keys -t ps NPage
		fi
	done
}
# the queue row, and cat asleep in read(fd=0) as the sleeper under it
find_row "^/tmp/fb +read queue \(pipe->rd_wait\) +held by $S2 sleep, $C2 cat" \
	"^ +$C2 cat +S read\(fd=0\) " \
	"the waits pane never showed the later pair, cat $C2 asleep under /tmp/fb, by itself (no rescan)"
# the first pair was first in the list: gone from its top
tmux send-keys -t ps Home
wait_screen "^─ Waits: " "the waits pane is gone"
grep -q "^/tmp/fa " /tmp/screen.txt && fail "/tmp/fa is still listed after its processes died"
grep -Eq "^ +$C1 cat " /tmp/screen.txt && fail "cat $C1 is still listed after it died"
ok "the pane rescanned by itself: /tmp/fb came, /tmp/fa went"
# the age counts up between scans
wait_screen "\| [1-9][0-9]* s ago" "the pane's age never counted up"

# A: the process pane again
tmux send-keys -t ps A
wait_screen "Processes: 0 waiters" "A did not give the process pane back"
ok "A shows the waiters again"

tmux send-keys -t ps q
wait_screen "TUI-EXITED rc=0" "pollscope did not exit on q"
tmux_stop
kill $C2 $S2 2>/dev/null
wait $C2 $S2 2>/dev/null
true
