#!/bin/sh
# CHECK: rmmod while a mirror exists is refused (each mirror holds a module reference) and the mirror keeps working; after destroy rmmod works
. /tests/lib.sh

make_legs 64
load_blkmirror
dev=$(make_mirror stay /dev/ram0 /dev/ram1 --max-rate 8M)
assert_eq 1 "$(cat /sys/module/blkmirror/refcnt)" "module references with one mirror"
run rmmod blkmirror
# delete_module(O_NONBLOCK) on a module in use: EWOULDBLOCK.
assert_eq 1 "$RC" "rmmod exit code with a mirror ($ERR)"
assert_contains "$ERR" "Resource temporarily unavailable" "rmmod's error with a mirror"
test -d /sys/module/blkmirror || fail "module gone after a refused rmmod"
assert_eq stay "$(mirror_field stay name)" "mirror after refused rmmod"
dev_fill "$dev" after-rmmod 0 2M
dev_verify /dev/ram0 after-rmmod 0 2M
must mirrorctl destroy stay
assert_eq 0 "$(cat /sys/module/blkmirror/refcnt)" "module references after destroy"
must rmmod blkmirror
