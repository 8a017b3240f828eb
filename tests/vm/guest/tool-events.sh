# `events 0` lists every record the module keeps (its events_size), not just
# the tool's first 1024: compared with the module's own events file; its
# times count from the session's start.
. /tests/lib.sh

D=$PS_DIR
load_module events_size=4096
echo "create a" >$D/control || fail "create a"
i=0
while [ $i -lt 1500 ]; do
	echo "wake a in" >$D/control || fail "wake $i"
	i=$((i + 1))
done
kept=$(grep -c . $D/events)
assert_eq "$kept" 1501 "records in the module's ring"
pollscope --no-load -c 'events 0' >/tmp/ev 2>&1 || {
	cat /tmp/ev
	fail "events 0"
}
assert_eq "$(grep -Ec '^ +[0-9]+ ' /tmp/ev)" "$kept" "events 0 lists all the module keeps"
assert_eq "$(grep -Ec ' wake +a +key=in ' /tmp/ev)" 1500 "wake records"
pollscope --no-load -c 'events 5' >/tmp/ev5 2>&1 || fail "events 5"
assert_eq "$(grep -Ec '^ +[0-9]+ ' /tmp/ev5)" 5 "events 5"
# one clock: ms since this session started. The 1500 wakes were written
# before it (negative); an object created after a 300 ms sleep in the session
# is at 300 ms or later.
assert_eq "$(awk '$3 == "ms" && $2 >= 0' /tmp/ev | wc -l)" 0 "events from before the session below 0"
pollscope --no-load -c 'sleep 300; create b; events 1' >/tmp/evb 2>&1 || {
	cat /tmp/evb
	fail "create b after a sleep"
}
cat /tmp/evb
at=$(awk '$3 == "ms" && $4 == "create" { print int($2) }' /tmp/evb)
[ -n "$at" ] || fail "no create event listed"
[ "$at" -ge 300 ] && [ "$at" -lt $((300 + 10000 * PS_TIMEOUT_MULT)) ] ||
	fail "create b at $at ms: not counted from the session's start (300 ms before it)"
ok "events count ms from the session's start"
echo "destroy a" >$D/control
echo "destroy b" >$D/control
unload_module
ok "tool-events done"
