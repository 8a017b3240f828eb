# 8 processes create, destroy, ready, wake, open, poll, epoll, select, read,
# write, walk, inspect and close the same 3 objects for 30 s while 3 readers
# take queues snapshots and stats, follow events in poll, and inspect in a
# loop; every result is checked by psstress. All are then killed with
# SIGKILL (mid-wait), every object is destroyed, the module must be empty
# and unload cleanly; the harness checks dmesg (slub_debug, DEBUG_LIST).
. /tests/lib.sh

D=$PS_DIR
T=/tmp/srun
mkdir -p $T
load_module max_objects=3 events_size=1024
psstress -t 30 -w 8 -r 3 -n 4 -s 42 >$T/out || {
	cat $T/out
	fail "psstress found a problem"
}
cat $T/out
for op in create destroy ready wake poll epoll select read write inspect queues events stats dead-fd storm walk; do
	n=$(sed -n "s/^psstress op=$op count=\([0-9]*\)$/\1/p" $T/out)
	[ "${n:-0}" -gt 0 ] || fail "no $op operation ran"
done
assert_grep "^psstress procs=11 seconds=30 ops=[0-9]+ failures=0$" $T/out
assert_eq "$(ls $D/objects | wc -l)" 0 "objects left"
assert_eq "$(grep -c . $D/queues)" 0 "queue entries left"
assert_grep "^objects=0 " $D/stats
assert_eq "$(grep -c '^object=' $D/stats)" 0 "objects in stats"
cat $D/stats
unload_module
ok "stress: 11 processes for 30 s, clean"
