# pollscope.ko loaded and unloaded 20 times, with objects and traffic each
# time: cycles 1-10 keep a sleeper on an object, so that rmmod attempted
# during the traffic (9 processes) must be refused and leave the module
# intact; cycles 11-20 race rmmod against the traffic of one process
# (psstress -T opens and closes the files all the time; rmmod wins whenever
# no file is open, and the traffic then finds the files gone). Objects left
# behind are freed by the unload.
. /tests/lib.sh

D=$PS_DIR
T=/tmp/sload
mkdir -p $T
c=1
won=0
while [ $c -le 20 ]; do
	load_module
	echo "create keep$c" >$D/control || fail "create keep$c"
	echo "ready keep$c out" >$D/control || fail "ready keep$c"
	if [ $c -le 10 ]; then
		pswait poll $D/objects/keep$c in 60000 >/dev/null &
		W=$!
		wait_for grep -q "^object=keep$c .*pid=$W .*state=S" $D/queues || fail "sleeper $c not asleep"
		psstress -T -k -t 1 -w 6 -r 3 -n 2 -s $c >$T/st &
		S=$!
		usleep 200000
		if rmmod pollscope 2>/dev/null; then
			fail "rmmod succeeded with a sleeper on keep$c"
		fi
		grep -q '^pollscope ' /proc/modules || fail "module gone after a refused rmmod"
		echo "wake keep$c out 0" >$D/control || {
			echo "retry: $(psctl $D/control "wake keep$c out 0")"
			ls $D/objects
			grep "object=keep" $D/events
			cat $D/stats
			fail "module unusable after a refused rmmod"
		}
		wait $S || { cat $T/st; fail "psstress in cycle $c"; }
		kill $W
		wait $W
		unload_module
	else
		psstress -T -k -t 1 -w 1 -r 0 -n 2 -s $c >$T/st &
		S=$!
		usleep 100000
		n=0
		while grep -q '^pollscope ' /proc/modules && [ $n -lt 60 ]; do
			if rmmod pollscope 2>/dev/null; then
				kill -0 $S 2>/dev/null && won=$((won + 1))
				break
			fi
			n=$((n + 1))
			usleep 20000
		done
		wait $S || { cat $T/st; fail "psstress in cycle $c"; }
		if grep -q '^pollscope ' /proc/modules; then
			unload_module
		fi
		[ ! -d $D ] || fail "$D left after rmmod"
	fi
	grep "^psstress procs" $T/st
	c=$((c + 1))
done
ok "20 load/unload cycles with traffic; rmmod refused while busy; won $won races against live traffic"
