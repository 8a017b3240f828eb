# watch: a hot eventfd written in a loop for 10 s while watched. Every
# write is a wake the watch sees (checked against the writes the writer
# counted); what a reader of the events file could not keep up with is
# counted as lost, never silently gone. Then rate=: the wakes past the rate
# are counted as limited.
. /tests/lib.sh
load_module

# reading PID: PID has the events file open
reading() { ls -l /proc/$1/fd 2>/dev/null | grep -q " -> $PS_DIR/events\$"; }

# hot SECS NAME [OPTS]: a hot writer, watched; sets WRITES and the watch line
hot() {
	rm -f /tmp/hin /tmp/hout
	mkfifo /tmp/hin
	pswatch hot "$1" </tmp/hin >/tmp/hout &
	H=$!
	exec 3>/tmp/hin
	wait_for grep -q '^ready' /tmp/hout || fail "pswatch hot did not start"
	HFD=$(sed -n 's/^ready .* fd=\([0-9]*\).*/\1/p' /tmp/hout)
	pollscope -c "watch $H $HFD name=$2 $3" >/tmp/o 2>&1 || { cat /tmp/o; fail "watch hot"; }
	pswatch evreader 300 >/tmp/er 3>&- &
	ER=$!
	# the reader's cursor starts at the oldest record when it opens: it
	# must hold the file open before the first wake, or what the ring
	# dropped before then is no loss of its own (a slow start once
	# accounted for 1-2% fewer records than were recorded)
	wait_for reading $ER || fail "the events reader did not open the events file"
	echo g >&3
	wait_for grep -q '^writes=' /tmp/hout || wait_for grep -q '^writes=' /tmp/hout ||
		fail "the hot writer did not finish"
	WRITES=$(sed -n 's/^writes=//p' /tmp/hout)
	grep "^watch=$2 " "$PS_DIR/watch" >/tmp/wl || fail "watch $2 gone"
	cat /tmp/wl
	pollscope -c "watch" >/tmp/l 2>&1
	# the writer is done but still holds its eventfd (the watch goes on, no
	# end record yet): the reader reads what is left, reports
	kill -USR1 $ER
	wait $ER
	exec 3>&-
	wait $H
	WAKES=$(sed -n 's/.* wakes=\([0-9]*\).*/\1/p' /tmp/wl)
	REC=$(sed -n 's/.* recorded=\([0-9]*\).*/\1/p' /tmp/wl)
	LIM=$(sed -n 's/.* limited=\([0-9]*\).*/\1/p' /tmp/wl)
	cat /tmp/er
	READ=$(sed -n 's/^watch_read=\([0-9]*\).*/\1/p' /tmp/er)
	LOST=$(sed -n 's/.* lost=\([0-9]*\).*/\1/p' /tmp/er)
	echo "$2: writes=$WRITES wakes=$WAKES recorded=$REC limited=$LIM read=$READ lost=$LOST"
}

hot 10 hot
assert_eq "$WAKES" "$WRITES" "wakes the watch saw vs writes the writer made"
assert_eq "$REC" "$WAKES" "recorded (no rate limit)"
# every record since the reader opened is read or counted lost: the start
# record and each wake (the end comes after the reader is done; nothing
# else records here)
assert_eq "$((READ + LOST))" "$((REC + 1))" "records read + lost vs recorded + the start"
# the writer has exited: the watch ended with it (closed), its totals in the record
wait_for grep -q " object=hot op=end reason=closed wakes=$WAKES " "$PS_DIR/events" || fail "hot: no end record with wakes=$WAKES"
pollscope -c "events 3" >/tmp/ev 2>&1
cat /tmp/ev
ok "hot eventfd 10 s: $WRITES writes = $WAKES wakes seen; a reader got $READ, $LOST counted lost"

hot 3 slow rate=100
assert_eq "$WAKES" "$WRITES" "wakes seen under a rate limit"
assert_eq "$((REC + LIM))" "$WAKES" "recorded + limited"
[ "$REC" -le 500 ] || fail "rate=100: $REC recorded in about 3 s"
[ "$REC" -ge 100 ] || fail "rate=100: only $REC recorded"
cat /tmp/l
assert_grep "^slow: anon_inode:\[eventfd\], 1 queue \(eventfd_ctx->wqh\): $WAKES wakes, $REC recorded, $LIM over the rate limit rate=100$" /tmp/l
ok "rate=100: $REC recorded, $LIM counted as limited"
unload_module
