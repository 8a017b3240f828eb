# Demo 5 as a test: a wake with key=out visits both pollwake entries but
# wakes only the one that asked for out.
. /tests/lib.sh
pollscope -f /tests/demos/05-key-filtering.pscope >/tmp/out 2>/tmp/err || {
	cat /tmp/err /tmp/out
	fail "demo 05 failed"
}
cat /tmp/out
sed -n '/^wake with key=out/,/^wake with key=in/p' /tmp/out >/tmp/s
assert_grep "^writer \(pid [0-9]+\) poll returned 1 after [0-9.]+ ms: sock=out$" /tmp/s
assert_no_grep "^reader \(pid" /tmp/s "the reader was woken by key=out"
assert_grep " wake +sock +key=out nr=0 visited=2 woken=1 source=wake " /tmp/s
assert_grep "^ +[0-9]+  reader +poll +sock +S  $WCHAN" /tmp/s
assert_grep "^reader \(pid [0-9]+\) poll returned 1 after [0-9.]+ ms: sock=in$" /tmp/out
ok "demo 05: key filtering"
