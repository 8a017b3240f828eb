# pollscope.ko: snapshots are bounded (max_queue_entries): a queue longer
# than the cap lists its first entries and how many were left out, in the
# queues file and in inspect; the walk past the cap stops after as many again
# (truncated=N+); a snapshot copies at most 16 times the cap in all; nothing
# WARNs (the harness checks dmesg).
. /tests/lib.sh

D=$PS_DIR
T=/tmp/cap
mkdir -p $T

# an out-of-range cap is refused
if insmod "$PS_KO" max_queue_entries=0 2>/dev/null; then
	rmmod pollscope
	fail "max_queue_entries=0 accepted"
fi
if insmod "$PS_KO" max_queue_entries=65537 2>/dev/null; then
	rmmod pollscope
	fail "max_queue_entries=65537 accepted"
fi
ok "max_queue_entries range"

load_module max_queue_entries=8
for o in a b c; do
	echo "create $o" >$D/control || fail "create $o"
done
# a: 12 entries (8 listed, 4 counted); b: 30 (8 listed, the count stops at 8
# more); c: 3 (listed in full)
pswait -m 12 poll $D/objects/a in 120000 >$T/a &
A=$!
pswait -m 30 poll $D/objects/b in 120000 >$T/b &
B=$!
pswait -m 3 poll $D/objects/c in 120000 >$T/c &
C=$!
settled() {
	cat $D/queues >$T/q
	grep -q '^object=a truncated=4$' $T/q && grep -q '^object=b truncated=8+$' $T/q &&
		grep -q '^object=c pos=2 .* state=S ' $T/q &&
		grep -q '^object=a pos=7 .* state=S ' $T/q && grep -q '^object=b pos=7 .* state=S ' $T/q
}
wait_for settled || {
	cat $T/q
	fail "queues did not show the truncation"
}
cat $T/q
assert_eq "$(grep -c '^object=a pos=' $T/q)" 8 "a: entries listed"
assert_eq "$(grep -c '^object=b pos=' $T/q)" 8 "b: entries listed"
assert_eq "$(grep -c '^object=c pos=' $T/q)" 3 "c: entries listed"
assert_eq "$(grep -c 'truncated=' $T/q)" 2 "truncation lines"
assert_grep "^object=a pos=7 func=pollwake kind=poll pid=$A comm=pswait state=S flags=- key=in,err,hup$" $T/q
assert_no_grep "^object=a pos=8 " $T/q
# the truncation line follows the object's entries
assert_eq "$(grep -A1 '^object=a pos=7 ' $T/q | tail -n 1)" "object=a truncated=4" "line order"
# the object's own count is not bounded
assert_grep "^object=b .* waiting=30 " $D/stats
ok "queues: truncated"

# the tool says so too (text and JSON); the counts are what pswait queued
pollscope --no-load -c 'show a b c' >$T/show 2>&1 || {
	cat $T/show
	fail "show on capped queues"
}
cat $T/show
assert_grep "^a: ready=none entries=8 .*, 4 more not listed \(the module's max_queue_entries\)$" $T/show
assert_grep "^b: ready=none entries=8 .*, at least 8 more not listed " $T/show
assert_grep "^c: ready=none entries=3 polls=[0-9]+ wakes=0 woken=0 open=[0-9]+$" $T/show
pollscope --no-load --json -c 'show a b' >$T/json 2>&1 || fail "show --json: $(cat $T/json)"
assert_grep '^\{"type":"object","object":"a",.*"entries":8,.*"truncated":4,"truncated_more":false\}$' $T/json
assert_grep '^\{"type":"object","object":"b",.*"truncated":8,"truncated_more":true\}$' $T/json
ok "tool: show reports the truncation"

# inspect: the same cap per head
exec 3<$D/objects/a 5<$D/objects/b 6<$D/objects/c
exec 4<>$D/inspect
echo 3 >&4 || fail "inspect a"
cat <&4 >$T/ia
echo 5 >&4 || fail "inspect b"
cat <&4 >$T/ib
echo 6 >&4 || fail "inspect c"
cat <&4 >$T/ic
cat $T/ia $T/ib $T/ic
assert_grep "^fd=3 file=.*/objects/a mask=none heads=1 poll=yes fid=[0-9a-f]{16}$" $T/ia
assert_grep "^head=0 entries=8 truncated=4$" $T/ia
assert_eq "$(grep -c '^head=0 pos=' $T/ia)" 8 "inspect a: entries"
assert_grep "^head=0 pos=7 func=pollwake kind=poll pid=$A comm=pswait state=S flags=- key=in,err,hup$" $T/ia
assert_grep "^head=0 entries=8 truncated=8\+$" $T/ib
assert_eq "$(grep -c '^head=0 pos=' $T/ib)" 8 "inspect b: entries"
assert_grep "^head=0 entries=3$" $T/ic
assert_eq "$(grep -c '^head=0 pos=' $T/ic)" 3 "inspect c: entries"
exec 3<&- 4<&- 5<&- 6<&-
ok "inspect: truncated"

# the snapshot budget: 16 x 8 = 128 entries in all; objects past it list
# nothing and only say how many they have
for i in $(seq 1 17); do
	echo "create m$i" >$D/control || fail "create m$i"
	pswait -m 8 poll $D/objects/m$i in 120000 >/dev/null &
done
full() {
	cat $D/queues >$T/m
	[ "$(grep -c ' pos=.* state=S ' $T/m)" -ge 128 ] &&
		grep -q '^object=m15 truncated=8$' $T/m && grep -q '^object=m16 truncated=8$' $T/m &&
		grep -q '^object=m17 truncated=8$' $T/m
}
wait_for full || {
	cat $T/m
	fail "the snapshot budget"
}
# a, b, c come first: 19 entries; then 109 of m1..m17
assert_eq "$(grep -c ' pos=' $T/m)" 128 "entries in one snapshot"
assert_grep "^object=m14 truncated=3$" $T/m
assert_grep "^object=m15 truncated=8$" $T/m
assert_no_grep "^object=m15 pos=" $T/m
grep -E "^objects=.* last_snapshot_entries=" $D/stats
ok "snapshot budget"

# (busybox seq has no -f)
for o in a b c $(seq 1 17 | sed 's/^/m/'); do
	echo "wake $o in 0" >$D/control || fail "wake $o"
done
wait $A || fail "a: $(cat $T/a)"
wait $B || fail "b: $(cat $T/b)"
wait $C || fail "c: $(cat $T/c)"
wait
assert_eq "$(grep -c . $D/queues)" 0 "queues emptied"
unload_module
ok "module-cap done"
