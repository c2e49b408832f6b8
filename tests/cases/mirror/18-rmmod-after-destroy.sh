#!/bin/sh
# CHECK: after destroying every mirror, rmmod blkmirror succeeds and the legs are free
. /tests/lib.sh

make_brd 4 64
load_blkmirror
make_mirror r1 /dev/ram0 /dev/ram1 >/dev/null
make_mirror r2 /dev/ram2 /dev/ram3 --max-rate 1M >/dev/null
must mirrorctl destroy r2
must mirrorctl destroy r1
rmmod blkmirror || fail "rmmod blkmirror failed"
[ -d /sys/module/blkmirror ] && fail "module still loaded"
for d in /dev/ram0 /dev/ram1 /dev/ram2 /dev/ram3; do assert_exclusive $d; done
