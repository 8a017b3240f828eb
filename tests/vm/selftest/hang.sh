# Harness self-test: a hung guest must be reported as a failure.
sleep 100000
