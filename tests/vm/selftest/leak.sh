# Harness self-test (debug kernel): a module that leaks on unload must fail
# the run through kmemleak, although its report no longer names the module.
insmod /tests/ko/psleak.ko || exit 1
rmmod psleak || exit 1
