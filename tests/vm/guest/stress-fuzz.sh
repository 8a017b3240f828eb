# Every writable debugfs file fuzzed: at least 100,000 random, mutated and
# edge-case writes to control, inspect and objects/NAME, each result
# checked against a model of pollscope(4) (psfuzz -W), while two children
# poll, epoll, read and write the objects.
. /tests/lib.sh

D=$PS_DIR
T=/tmp/sfuzz
mkdir -p $T
load_module max_objects=5
psfuzz -W -n 125000 -s 7 -c 2 -m 5 >$T/f || {
	cat $T/f
	fail "psfuzz -W found a mismatch"
}
cat $T/f
assert_grep " failures=0 " $T/f
assert_grep " other=0 " $T/f
w=$(sed -n 's/.* writes=\([0-9]*\) .*/\1/p' $T/f)
[ "${w:-0}" -ge 100000 ] || fail "only ${w:-0} writes"
for k in control inspect object; do
	n=$(sed -n "s/.* $k=\([0-9]*\).*/\1/p" $T/f)
	[ "${n:-0}" -ge 10000 ] || fail "only ${n:-0} writes to $k"
done
assert_eq "$(ls $D/objects | wc -l)" 0 "objects left after psfuzz"
assert_eq "$(grep -c . $D/queues)" 0 "queues after psfuzz"
unload_module
ok "$w fuzzed writes to control, inspect and objects/NAME"
