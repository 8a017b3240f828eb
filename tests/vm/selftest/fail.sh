# Harness self-test: a script exiting non-zero must fail the run.
echo "about to exit 3"
exit 3
