# Harness self-test (debug kernel): an AB-BA lock order must fail the run
# (lockdep report in dmesg, and lockdep switched off afterwards).
insmod /tests/ko/pslock.ko || exit 1
rmmod pslock || exit 1
