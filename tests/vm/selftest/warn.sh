# Harness self-test: a WARNING from a module must fail the run.
insmod /tests/ko/pswarn.ko
sleep 5
