# A pollscope killed with SIGKILL leaves its objects behind; the next run
# removes them and says so, and leaves alone the objects of a live session
# and of other programs.
. /tests/lib.sh

objects() { ls $PS_DIR/objects | tr '\n' ' '; }

pollscope -c 'create t1; create t2; spawn poll t1 count=3; spawn epoll t2; settle 60000; sleep 120000' \
	>/tmp/killed.out 2>&1 &
victim=$!
wait_for grep -q "^object=t1 .*waiting=3 " $PS_DIR/stats || fail "the first session never got its sleepers"
wait_for grep -q "^object=t2 .*waiting=1 " $PS_DIR/stats || fail "no epoll sleeper on t2"

# A live session and another program's object.
pollscope --keep-module -c 'create live; sleep 120000' >/dev/null 2>&1 &
live=$!
wait_for test -e $PS_DIR/objects/live || fail "the live session's object"
sh -c "echo create other >$PS_DIR/control" || fail "create other"

kill -9 $victim
wait $victim 2>/dev/null
# its waiters die with it (PR_SET_PDEATHSIG) and their entries go
wait_for grep -q "^object=t1 .*waiting=0 " $PS_DIR/stats || fail "the killed session's waiters stayed"
grep -q "^object=t1 .*creator=0 creator_comm=pollscope" $PS_DIR/stats ||
	{ cat $PS_DIR/stats; fail "the module does not report t1's creator as gone"; }
ok "killed session left: $(objects)"

pollscope --keep-module -c 'create t1; show t1' >/tmp/next.out 2>&1 || { cat /tmp/next.out; fail "the next run failed"; }
assert_grep "^removed 2 objects left by a pollscope that ended: t1 t2$" /tmp/next.out
assert_grep "^created t1" /tmp/next.out
[ -e $PS_DIR/objects/live ] || fail "a live session's object was removed"
[ -e $PS_DIR/objects/other ] || fail "another program's object was removed"
[ -e $PS_DIR/objects/t2 ] && fail "t2 was not removed"
ok "next run removed t1 t2 and said so; kept: $(objects)"

kill $live
wait $live 2>/dev/null
echo "destroy other" >$PS_DIR/control
for o in $(ls $PS_DIR/objects); do echo "destroy $o" >$PS_DIR/control; done
rmmod pollscope || fail "rmmod after cleanup"
