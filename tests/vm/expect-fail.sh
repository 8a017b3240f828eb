#!/bin/sh
# expect-fail.sh PATTERN run-vm.sh ARGS...: the harness must fail, and its
# output must say why (PATTERN), for the harness self-tests.
pattern=$1
shift
out=$("$@" 2>&1)
rc=$?
printf '%s\n' "$out" | tail -n 40
if [ $rc -eq 0 ]; then
	echo "expect-fail: the harness passed, but it should have failed"
	exit 1
fi
if ! printf '%s\n' "$out" | grep -Eq -- "$pattern"; then
	echo "expect-fail: harness failed (rc=$rc) without saying /$pattern/"
	exit 1
fi
echo "expect-fail: harness failed as it should (rc=$rc, /$pattern/ found)"
