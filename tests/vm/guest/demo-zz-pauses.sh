# The timed demos (04 lost wakeup, 06 timeout) stepped with long pauses, as a
# teacher who talks between steps would: while a banner says the sleepers are
# still asleep, the process pane must show them asleep. (Their timeouts used
# to start at spawn, before a pause, so they had returned by then.)
. /tests/lib.sh

# banner_with_rows DEMO BANNER ROW...: while BANNER is on the screen, at least
# one capture shows every ROW regex too; fails if the banner never came.
banner_with_rows() {
	local demo=$1 banner=$2 seen=0 good=0 tries=0 row all
	shift 2
	tmux -u new-session -d -s ps -x 160 -y 48 \
		"pollscope --demo $demo --delay 6000; echo TUI-EXITED rc=\$?; sleep 600" ||
		fail "tmux did not start"
	while [ $tries -lt 300 ]; do
		tmux capture-pane -p -t ps >/tmp/screen.txt 2>/dev/null
		if grep -Eq -- "$banner" /tmp/screen.txt; then
			seen=1
			all=1
			for row in "$@"; do
				grep -Eq -- "$row" /tmp/screen.txt || all=0
			done
			if [ $all = 1 ]; then
				good=1
				break
			fi
		elif [ $seen = 1 ]; then
			break
		fi
		tries=$((tries + 1))
		usleep 100000
	done
	[ $seen = 1 ] || {
		cat /tmp/screen.txt
		fail "demo $demo: the banner /$banner/ never showed"
	}
	[ $good = 1 ] || {
		cat /tmp/screen.txt
		fail "demo $demo: while the banner said /$banner/ the screen never showed $*"
	}
	tmux_stop
}

banner_with_rows 04 "yet both sleepers are still on the queue, asleep" \
	" p +poll +S " " s +select +S "
ok "demo 04: sleepers asleep while the banner says so, after a 6 s pause"
banner_with_rows 06 "A new waiter asks for a 5000 ms timeout" " tmo +poll +S "
ok "demo 06: the timeout runs while the class watches it, after 6 s pauses"
