# Every writable debugfs file fuzzed: at least 100,000 random, mutated and
# edge-case writes to control, inspect and objects/NAME, each result
# checked against a model of pollscope(4) (psfuzz -W), while two children
# poll, epoll, read and write the objects.
# On the debug kernel (PS_TIMEOUT_MULT 3, everything 3-4x slower under
# KASAN) a third of the writes: the sanitizers watch every path each write
# takes, and the whole count did not end within the script's limit.
. /tests/lib.sh

N=$((125000 / PS_TIMEOUT_MULT))
D=$PS_DIR
T=/tmp/sfuzz
mkdir -p $T
load_module max_objects=5
psfuzz -W -n $N -s 7 -c 2 -m 5 >$T/f || {
	cat $T/f
	fail "psfuzz -W found a mismatch"
}
cat $T/f
assert_grep " failures=0 " $T/f
assert_grep " other=0 " $T/f
w=$(sed -n 's/.* writes=\([0-9]*\) .*/\1/p' $T/f)
[ "${w:-0}" -ge $((100000 / PS_TIMEOUT_MULT)) ] || fail "only ${w:-0} writes"
for k in control inspect object; do
	n=$(sed -n "s/.* $k=\([0-9]*\).*/\1/p" $T/f)
	[ "${n:-0}" -ge $((10000 / PS_TIMEOUT_MULT)) ] || fail "only ${n:-0} writes to $k"
done
assert_eq "$(ls $D/objects | wc -l)" 0 "objects left after psfuzz"
assert_eq "$(grep -c . $D/queues)" 0 "queues after psfuzz"
unload_module
ok "$w fuzzed writes to control, inspect and objects/NAME"
