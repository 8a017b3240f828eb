# `events 0` lists every record the module keeps (its events_size), not just
# the tool's first 1024: compared with the module's own events file.
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
echo "destroy a" >$D/control
unload_module
ok "tool-events done"
