#!/bin/sh
# The pollscope binary end to end on recorded debugfs files (no module):
# text and JSON output, script errors with FILE:LINE, exit codes, and
# --help against the man page.
# usage: cli.sh POLLSCOPE DATA_DIR MAN_PAGE [COMPLETION CMAKE BUILD_DIR DATADIR]
set -u
ps=$1
data=$2
man=$3
completion=${4:-}
cmake=${5:-}
build=${6:-}
datadir=${7:-share}
failures=0
passes=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() { # check NAME COMMAND... : the command must succeed
	name=$1
	shift
	if "$@"; then
		passes=$((passes + 1))
	else
		echo "FAIL: $name"
		failures=$((failures + 1))
	fi
}

fresh() {
	rm -rf "$tmp/d"
	cp -r "$data/basic" "$tmp/d"
}

# recorded queues/events/stats, as text
fresh
"$ps" --debugfs "$tmp/d" -c 'show; events 3; stats' >"$tmp/out" 2>"$tmp/err"
check "show/events/stats exit 0" test $? -eq 0
check "show/events/stats stderr empty" test ! -s "$tmp/err"
check "show/events/stats text" diff -u "$data/expected/show.txt" "$tmp/out"

# a recorded waits scan (pids no system has: /proc says nothing of them), as
# text and JSON: the expected files are the printf-formatted output of the
# listing before its lines were built column by column
"$ps" --debugfs "$data/waits" -c 'waits all; waits pid=4194424; waits kind=socket; waits comm=thr' \
	>"$tmp/out" 2>"$tmp/err"
check "waits exit 0" test $? -eq 0
check "waits stderr empty" test ! -s "$tmp/err"
check "waits text" diff -u "$data/expected/waits.txt" "$tmp/out"
"$ps" --debugfs "$data/waits" --json -c 'waits all; waits kind=pipe' >"$tmp/out" 2>"$tmp/err"
check "waits json exit 0" test $? -eq 0
check "waits json stderr empty" test ! -s "$tmp/err"
check "waits json" diff -u "$data/expected/waits.json" "$tmp/out"

# JSON: one object per line, nothing else
fresh
"$ps" --debugfs "$tmp/d" --json -c 'show; events; stats; version; help wake; say hi' >"$tmp/out" 2>&1
check "json exit 0" test $? -eq 0
check "json only objects" sh -c "! grep -v '^{\"type\":\"[a-z]*\".*}\$' '$tmp/out'"
check "json entry" grep -qx '{"type":"entry","object":"a","pos":1,"kind":"epoll","func":"ep_poll_callback","pid":94,"comm":"waiter","state":"S","flags":"exclusive","exclusive":true,"key":"in,err,hup","waiter":"-"}' "$tmp/out"
check "json say" grep -qx '{"type":"say","text":"hi"}' "$tmp/out"
check "json counts" test "$(wc -l <"$tmp/out")" -eq 20

# control writes, and what is left at exit: objects this run created are destroyed
fresh
"$ps" --debugfs "$tmp/d" -c 'create x; wake a rdnorm|rdband nr=2; ready b 0' >/dev/null 2>&1
check "control exit 0" test $? -eq 0
printf 'create x\nwake a rdnorm,rdband 2\nready b none\ndestroy x\n' >"$tmp/want"
check "control file" diff -u "$tmp/want" "$tmp/d/control"

# script errors: FILE:LINE, first failure stops, exit 1
fresh
printf 'wake a\n\n# comment\nwake a in nr=1 # trailing comment\nwake nosuch\nwake b\n' >"$tmp/s.ps"
"$ps" --debugfs "$tmp/d" -f "$tmp/s.ps" >"$tmp/out" 2>"$tmp/err"
check "-f exit 1" test $? -eq 1
check "-f FILE:LINE" grep -qx "$tmp/s.ps:5: wake: no object named 'nosuch' (objects: a b)" "$tmp/err"
check "-f stopped at the failure" test "$(grep -c . "$tmp/d/control")" -eq 2
fresh
"$ps" --debugfs "$tmp/d" <"$tmp/s.ps" >"$tmp/out" 2>"$tmp/err"
check "stdin exit 1" test $? -eq 1
check "stdin FILE:LINE" grep -qx "<stdin>:5: wake: no object named 'nosuch' (objects: a b)" "$tmp/err"
"$ps" --debugfs "$tmp/d" -c 'show
wkae a' >"$tmp/out" 2>"$tmp/err"
check "-c exit 1" test $? -eq 1
check "-c line 2" grep -qx -- "-c:2: unknown command 'wkae' (did you mean 'wake'?)" "$tmp/err"
"$ps" --debugfs "$tmp/d" -c 'say a; quit; say b' >"$tmp/out" 2>&1
check "quit stops a script with 0" test $? -eq 0
check "quit stops a script" test "$(cat "$tmp/out")" = "a"

# usage errors: exit 2
"$ps" --bogus >/dev/null 2>&1
check "unknown option exit 2" test $? -eq 2
"$ps" -c 'show' -f x >/dev/null 2>&1
check "-c with -f exit 2" test $? -eq 2
"$ps" extra >/dev/null 2>&1
check "operand exit 2" test $? -eq 2
"$ps" --version >"$tmp/out"
check "--version" grep -q '^pollscope [0-9][0-9.]* (module interface 1)$' "$tmp/out"

# --help and the man page describe the same options and commands
"$ps" --help >"$tmp/help"
check "--help exit 0" test $? -eq 0
for opt in $(grep -o -- '--[a-z][a-z-]*' "$tmp/help" | sort -u); do
	esc=$(echo "$opt" | sed 's/-/\\\\-/g')
	check "man documents $opt" grep -q -- "$esc" "$man"
done
for opt in $(grep -o -- '\\-\\-[a-z][a-z\\-]*' "$man" | sed 's/\\//g' | sort -u); do
	check "--help documents $opt" grep -q -- "$opt" "$tmp/help"
done
"$ps" --debugfs "$tmp/d" --json -c help | sed 's/.*"command":"\([a-z]*\)".*/\1/' >"$tmp/cmds"
check "commands listed" test "$(wc -l <"$tmp/cmds")" -ge 20
for c in $(cat "$tmp/cmds"); do
	check "man documents command $c" grep -Eq "^\.(B|BI) $c( |\$)" "$man"
	check "--help documents command $c" grep -Eq "^  $c( |\$)" "$tmp/help"
done
# each command's options (its usage is written from its option table): the
# man page names every one (KEY= or the flag's name in a .B/.BI/.BR line)
"$ps" --debugfs "$tmp/d" --json -c help | sed 's/.*"usage":"\([^"]*\)".*/\1/' |
	grep -o '\[[a-z][a-z]*[]=]' | tr -d '[]' | sort -u >"$tmp/opts"
check "options read from the usages" test "$(wc -l <"$tmp/opts")" -ge 10
while read -r o; do
	check "man documents option $o" grep -Eq "^\.(B|BI|BR) .*$o" "$man"
done <"$tmp/opts"

# real objects need no module for create/write/read/destroy
fresh
"$ps" --debugfs "$tmp/d" -c 'create e eventfd; write e 4; read e; create p pipe; write p 3; read p; destroy p' >"$tmp/out" 2>"$tmp/err"
check "real objects exit 0" test $? -eq 0
check "real objects output" grep -qx 'read e: 4' "$tmp/out"
check "real pipe output" grep -qx 'read p: 3 bytes' "$tmp/out"
"$ps" --debugfs "$tmp/d" -c 'cost' >"$tmp/out" 2>"$tmp/err"
check "cost refuses recorded files" grep -q "^-c:1: cost: cost measures the live module's counters" "$tmp/err"
"$ps" --debugfs "$tmp/d" -c 'inspect 2147483647' >"$tmp/out" 2>"$tmp/err"
check "inspect of no process exit 1" test $? -eq 1
check "inspect of no process" grep -qx -- "-c:1: inspect: no process with pid 2147483647" "$tmp/err"

# demos by name, from POLLSCOPE_DEMO_DIR (the installed directory otherwise)
fresh
POLLSCOPE_DEMO_DIR="$data/../demos" "$ps" --debugfs "$tmp/d" -f 05 >"$tmp/out" 2>"$tmp/err"
check "demo by number found" grep -q "^Demo 5: key filtering" "$tmp/out"
POLLSCOPE_DEMO_DIR="$data/../demos" "$ps" --debugfs "$tmp/d" -f 99 >"$tmp/out" 2>"$tmp/err"
check "unknown demo exits 2" test $? -eq 2
check "unknown demo says where it looked" grep -q "^pollscope: 99: no such file, and no demo of that name in $data/../demos, .*/tests/demos, .*/pollscope/demos$" "$tmp/err"
mkdir -p "$tmp/dd" && touch "$tmp/dd/ab-one.pscope" "$tmp/dd/ab-two.pscope"
POLLSCOPE_DEMO_DIR="$tmp/dd" "$ps" --debugfs "$tmp/d" --demo ab >"$tmp/out" 2>"$tmp/err"
check "ambiguous demo refused" grep -q "^pollscope: 'ab' names several demos in $tmp/dd: " "$tmp/err"
# without POLLSCOPE_DEMO_DIR a build-tree binary finds the source tree's demos
(cd "$tmp" && env -u POLLSCOPE_DEMO_DIR "$ps" --debugfs "$tmp/d" -f 05 >"$tmp/out" 2>"$tmp/err")
check "demo found in the source tree" grep -q "^Demo 5: key filtering" "$tmp/out"

# bash completion: the options it offers are exactly those of --help
if [ -n "$completion" ] && command -v bash >/dev/null; then
	comp() { # comp WORD...: what completing the last word offers
		bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _pollscope; printf "%s\n" "${COMPREPLY[@]}"' \
			comp "$completion" "$@"
	}
	comp pollscope -- | sort >"$tmp/compopts"
	grep -o -- '--[a-z][a-z-]*' "$tmp/help" | sort -u >"$tmp/helpopts"
	check "completion offers the long options of --help" diff -u "$tmp/helpopts" "$tmp/compopts"
	comp pollscope - | grep -- '^-[a-zA-Z]$' | sort >"$tmp/compshort"
	grep -o -- '^  -[a-zA-Z],' "$tmp/help" | tr -d ' ,' | sort >"$tmp/helpshort"
	check "completion offers the short options of --help" diff -u "$tmp/helpshort" "$tmp/compshort"
	check "completion: --no-l" test "$(comp pollscope --no-l)" = "--no-load"
	mkdir -p "$tmp/c/sub" && : >"$tmp/c/m.ko" && : >"$tmp/c/x.txt" && : >"$tmp/c/d.pscope"
	check "completion: -m offers .ko files" sh -c "cd '$tmp/c' && [ \"\$(bash -c '. \"$completion\"; COMP_WORDS=(pollscope -m \"\"); COMP_CWORD=2; _pollscope; printf \"%s \" \"\${COMPREPLY[@]}\"')\" = 'm.ko sub ' ]"
	check "completion: --demo offers .pscope files" sh -c "cd '$tmp/c' && bash -c '. \"$completion\"; COMP_WORDS=(pollscope --demo \"\"); COMP_CWORD=2; _pollscope; printf \"%s\\n\" \"\${COMPREPLY[@]}\"' | grep -qx d.pscope"
fi

# spawn fds=4096 (the stated maximum): the waiter raises its soft limit on
# open files up to what it needs; when the hard limit is too small it says so,
# naming the limit, instead of a bare "Too many open files" from open().
fresh
hard=$(sh -c 'ulimit -Hn')
if [ "$hard" = unlimited ] || [ "$hard" -ge 4200 ]; then
	sh -c "ulimit -Sn 1024 && '$ps' --debugfs '$tmp/d' -c 'spawn poll a fds=4096 as=big; sleep 1000'" >"$tmp/out" 2>&1
	check "fds=4096 under a soft limit of 1024" grep -Eq '^big \(pid [0-9]+\) poll returned 4096 ' "$tmp/out"
else
	echo "skip: fds=4096 under a soft limit of 1024 (hard limit $hard)"
fi
fresh
sh -c "ulimit -n 1024 && '$ps' --debugfs '$tmp/d' -c 'spawn poll a fds=4096 as=big; sleep 1000'" >"$tmp/out" 2>&1
check "fds=4096 over the hard limit names the limit" grep -Eq '^big \(pid [0-9]+\) failed: .*hard limit on open files \(RLIMIT_NOFILE, ulimit -Hn\) is 1024' "$tmp/out"
check "fds=4096 over the hard limit: no bare EMFILE" sh -c "! grep -q 'Too many open files' '$tmp/out'"

# --replay and --export-trace: found by number like demos, no module needed
"$ps" --replay 01 --export-trace - --format text >"$tmp/out" 2>"$tmp/err"
check "--replay 01 finds demo 01's recording" grep -q "^ *[0-9.]*  say  *Demo 1" "$tmp/out"
"$ps" --replay 99 --export-trace - >"$tmp/out" 2>"$tmp/err"
check "--replay 99: no such recording" grep -q "^pollscope: 99: no such file, and no demo recording of that name in .*/tests/demos/recordings, .*/pollscope/recordings$" "$tmp/err"
printf '{"type":"pollscope-recording","version":1}\n{"type":"end"' >"$tmp/cut.jsonl"
"$ps" --replay "$tmp/cut.jsonl" --export-trace - >"$tmp/out" 2>"$tmp/err"
check "--replay of a truncated file names its line" grep -q "^pollscope: $tmp/cut.jsonl:2: the last line is cut short" "$tmp/err"
"$ps" --replay 01 </dev/null >"$tmp/out" 2>"$tmp/err"
check "--replay without a terminal says what to do" grep -q "needs a terminal" "$tmp/err"
"$ps" --export-trace x.json -c show >"$tmp/out" 2>"$tmp/err"
check "--export-trace alone refused" grep -q "wants --replay FILE or --record FILE" "$tmp/err"
"$ps" --debugfs "$tmp/d" --record "$tmp/rec.jsonl" --export-trace "$tmp/rec.json" -c 'show; say hello' >"$tmp/out" 2>"$tmp/err"
check "--record with --export-trace writes both" sh -c "grep -q '\"say\"' '$tmp/rec.jsonl' && grep -q traceEvents '$tmp/rec.json'"
"$ps" --debugfs "$tmp/d" --record /nonexistent/dir/r.jsonl -c show >"$tmp/out" 2>"$tmp/err"
check "--record to an unwritable place" grep -q "^pollscope: --record: cannot write /nonexistent/dir/r.jsonl: No such file or directory$" "$tmp/err"

# cmake --install puts the demos and the completion where they belong
if [ -n "$cmake" ] && [ -n "$build" ]; then
	rm -rf "$tmp/inst"
	DESTDIR="$tmp/inst" "$cmake" --install "$build" >/dev/null 2>&1
	n=$(find "$tmp/inst" -path "*/$datadir/pollscope/demos/[0-9][0-9]-*.pscope" | wc -l)
	check "10 demos installed" test "$n" -eq 10
	n=$(find "$tmp/inst" -path "*/$datadir/pollscope/recordings/[0-9][0-9]-*.jsonl.gz" | wc -l)
	check "10 demo recordings installed, one per demo" test "$n" -eq 10
	check "completion installed" sh -c "find '$tmp/inst' -path '*/$datadir/bash-completion/completions/pollscope' | grep -q ."
	check "installed completion knows the demo dir" sh -c "grep -q '/pollscope/demos' \$(find '$tmp/inst' -path '*/completions/pollscope')"
fi

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
