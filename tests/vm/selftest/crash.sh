# Harness self-test: a kernel crash must fail the run, not hang it.
echo c >/proc/sysrq-trigger
sleep 5
